//! Helpers shared by the end-to-end tests: finding files, running CPython,
//! one session at a time on one shared build cache, watching processes.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard};

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

/// The `multitask` binary, built in the same profile as the running tests
/// (`tests/run` builds it first), or `MULTITASK_BIN`.
///
/// # Panics
/// When the binary has not been built.
pub fn multitask_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("MULTITASK_BIN") {
        return PathBuf::from(bin);
    }
    // This test runs as target/<profile>/deps/e2e-…; the binary is target/<profile>/multitask.
    let exe = std::env::current_exe().expect("the test binary's path");
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|profile| profile.join("multitask"))
        .expect("the test binary lives in target/<profile>/deps");
    assert!(
        bin.is_file(),
        "{} is missing: build it first (`tests/run` does: cargo build --release --workspace --bins)",
        bin.display()
    );
    bin
}

/// The `multitask` binary built with rust-analyzer (`--features analyzer`),
/// which `tests/run` builds beside the default one as
/// `target/<profile>/multitask-analyzer`, or `MULTITASK_ANALYZER_BIN`.
///
/// # Panics
/// When it has not been built.
pub fn multitask_analyzer_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("MULTITASK_ANALYZER_BIN") {
        return PathBuf::from(bin);
    }
    let bin = multitask_bin().with_file_name("multitask-analyzer");
    assert!(
        bin.is_file(),
        "{} is missing: `tests/run` builds it (cargo build --release -p multitask-repl \
         --features analyzer, copied to that name)",
        bin.display()
    );
    bin
}

/// A scratch folder under `target/`, emptied for each call with the same name.
pub fn scratch_dir(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let target = exe.ancestors().nth(3).expect("target/<profile>/deps/exe");
    let dir = target.join("e2e-scratch").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a scratch folder");
    dir
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

/// The Python of the venv that `tests/run` makes for the Jupyter client tests
/// (`target/jupyter-venv`, with `tests/py/requirements.txt` installed).
///
/// # Panics
/// When the venv is missing: run the tests through `tests/run`.
pub fn jupyter_python() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let target = exe.ancestors().nth(3).expect("target/<profile>/deps/exe");
    let python = target.join("jupyter-venv").join("bin").join("python");
    assert!(
        python.is_file(),
        "{} is missing: `tests/run` makes it (python3 -m venv, pip install -r tests/py/requirements.txt)",
        python.display()
    );
    python
}

/// A process's state letter (`R`, `S`, `Z`, …) and parent's pid, from
/// `/proc/PID/stat`; `None` once it is gone.
pub fn proc_stat(pid: i32) -> Option<(char, i32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The name in parentheses may hold spaces: the fields start after the last `)`.
    let mut fields = stat.rsplit_once(") ")?.1.split_whitespace();
    let state = fields.next()?.chars().next()?;
    Some((state, fields.next()?.parse().ok()?))
}

/// The processes whose parent is `parent`, zombies included: `(pid, state)`.
pub fn children_of(parent: i32) -> Vec<(i32, char)> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(|pid| {
            let (state, ppid) = proc_stat(pid)?;
            (ppid == parent).then_some((pid, state))
        })
        .collect()
}

/// Waits for `child` for at most `limit`, then kills it: its status, or
/// `None` when it had to be killed (it hung).
pub fn wait_or_kill(
    child: &mut std::process::Child,
    limit: std::time::Duration,
) -> Option<std::process::ExitStatus> {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait for a child") {
            return Some(status);
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// One session at a time: the tests' REPLs, kernels and checks share the
/// compiled prelude in one build folder.
pub fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// The build cache every session of the tests shares, so only the first compiles the
/// prelude. Outside the workspace: cargo would take a build folder inside it
/// for a member of this workspace, and refuse it.
pub fn shared_cache() -> PathBuf {
    std::env::temp_dir().join("multitask-e2e-cache")
}

/// Runs the Python script `tests/py/SCRIPT` with the test venv's python, on
/// the `multitask` binary and then `args`, with the tests' shared build
/// cache, one session at a time; the JSON report it prints.
///
/// # Panics
/// When the script fails or prints something else than JSON.
pub fn jupyter_report(script: &str, args: &[&std::ffi::OsStr]) -> serde_json::Value {
    jupyter_report_of(&multitask_bin(), script, args)
}

/// [`jupyter_report`] with the binary `bin`.
///
/// # Panics
/// As [`jupyter_report`].
pub fn jupyter_report_of(bin: &Path, script: &str, args: &[&std::ffi::OsStr]) -> serde_json::Value {
    let _one_at_a_time = one_at_a_time();
    let output = Command::new(jupyter_python())
        .arg(py_script(script))
        .arg(bin)
        .args(args)
        .env("MULTITASK_CACHE", shared_cache())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {script}: {e}"));
    assert!(
        output.status.success(),
        "{script} failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{script} printed no JSON report: {e}"))
}

/// `text` without the terminal's colour codes (`ESC [ … m`): a traceback or
/// a REPL's output as a learner reads it.
pub fn without_colours(text: &str) -> String {
    let mut plain = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
}

/// Scenarios as `(name, function)` pairs, named by the functions themselves.
#[macro_export]
macro_rules! named {
    ($($scenario:ident),* $(,)?) => {
        [$((stringify!($scenario), $scenario as fn())),*]
    };
}

/// A scenario binary's command line (`bin/*_scenarios.rs`): `list` prints
/// the names of `compared`, the scenarios its Python twin has too, in their
/// order; a name runs that scenario, from `compared` or `ours_only`. A panic
/// is kept off stderr: in a task or a greenlet it is the result, which the
/// scenario prints.
///
/// # Panics
/// Without an argument, or with a name of no scenario.
pub fn run_scenario(compared: &[(&str, fn())], ours_only: &[(&str, fn())]) {
    let name = std::env::args().nth(1).expect("a scenario name, or `list`");
    if name == "list" {
        for (name, _) in compared {
            println!("{name}");
        }
        return;
    }
    std::panic::set_hook(Box::new(|_| {}));
    let (_, run) = compared
        .iter()
        .chain(ours_only)
        .find(|(n, _)| *n == name)
        .expect("a known scenario");
    run();
}
