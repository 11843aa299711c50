//! `multitask`: the learner's workbench. For now it only reports its version;
//! the REPL, the Jupyter kernel and the notebook stepper grow here.

fn main() {
    println!(
        "multitask {} — the REPL is on its way; meanwhile try `cargo test --workspace`.",
        env!("CARGO_PKG_VERSION")
    );
}
