//! Two things the binary needs from the build:
//!
//! - The `multitask` binary is also evcxr's runtime process, where every cell
//!   is a shared object with its own copy of the prelude. Exporting the
//!   prelude's registry of process-wide statics lets all those copies find
//!   one registry (see `prelude/src/globals.rs`).
//! - The prelude's source, every file of it, for Tab and Shift-Tab without
//!   rust-analyzer: `src/session/prelude_index.rs` reads the names, the
//!   signatures and the docs from it (`$OUT_DIR/prelude_sources.rs`).

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rustc-link-arg-bins=-Wl,--export-dynamic-symbol=multitask_registry_v2");

    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let src = manifest.join("../prelude/src");
    println!("cargo:rerun-if-changed={}", src.display());
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut table = String::from("&[\n");
    for file in &files {
        let relative = file.strip_prefix(&src).expect("found under src");
        let absolute = file.canonicalize().expect("a file just listed");
        table.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            relative.to_str().expect("UTF-8 file names"),
            absolute.to_str().expect("UTF-8 file names")
        ));
        println!("cargo:rerun-if-changed={}", file.display());
    }
    table.push(']');
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    std::fs::write(out.join("prelude_sources.rs"), table).expect("write to OUT_DIR");
}

/// Every `.rs` file under `dir`, at any depth.
fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a readable folder").path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}
