//! The `multitask` binary is also evcxr's runtime process, where every cell
//! is a shared object with its own copy of the prelude. Exporting the
//! prelude's registry of process-wide statics lets all those copies find one
//! registry (see `prelude/src/globals.rs`).

fn main() {
    println!("cargo:rustc-link-arg-bins=-Wl,--export-dynamic-symbol=multitask_registry_v2");
}
