//! Helpers shared by the end-to-end tests: finding files and running CPython.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The `tests/` folder of the workspace.
pub fn tests_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A Python helper script that lives in `tests/py/`.
pub fn py_script(name: &str) -> PathBuf {
    tests_dir().join("py").join(name)
}

/// Runs `python3 script args…` and returns its standard output.
///
/// # Panics
/// When python3 cannot be started or the script fails: the test cannot
/// compare against CPython without it.
pub fn run_python(script: &Path, args: &[&str]) -> String {
    let output = Command::new("python3")
        .arg(script)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 (is it installed?): {e}"));
    assert!(
        output.status.success(),
        "python3 {} failed ({}):\n{}",
        script.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("python3 prints UTF-8")
}

/// A message from a caught panic payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic>".to_string()
    }
}
