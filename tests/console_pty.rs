//! `jupyter console` on the multitask kernel, in a pseudo-terminal as a
//! learner runs it: the console starts the kernel on its own terminal, so
//! whatever the kernel writes on stderr lands in the learner's prompt. It
//! must write nothing there; a cell's answer and a Tab completion come
//! through the protocol as in any front end.

use std::process::Command;

use multitask_tests::{
    jupyter_python, multitask_bin, one_at_a_time, proc_stat, scratch_dir, shared_cache,
    without_colours,
};
use rexpect::session::{PtySession, spawn_command};

/// Long enough for a cold first start on a 2-core machine.
const TIMEOUT_MS: u64 = 240_000;

#[test]
fn jupyter_console_shows_answers_and_completions_and_no_kernel_log() {
    let _one_at_a_time = one_at_a_time();
    let home = scratch_dir("console_pty");
    let prefix = home.join("prefix");
    let installed = Command::new(multitask_bin())
        .args(["kernel", "install", "--prefix"])
        .arg(&prefix)
        .output()
        .expect("run multitask kernel install");
    assert!(installed.status.success(), "{installed:?}");

    let mut command = Command::new(jupyter_python());
    command
        .args(["-m", "jupyter_console", "--kernel", "multitask"])
        .arg("--no-confirm-exit")
        .env("JUPYTER_PATH", prefix.join("share/jupyter"))
        .env("JUPYTER_CONFIG_DIR", home.join("config"))
        .env("JUPYTER_DATA_DIR", home.join("data"))
        .env("JUPYTER_RUNTIME_DIR", home.join("runtime"))
        .env("IPYTHONDIR", home.join("ipython"))
        .env("MULTITASK_CACHE", shared_cache())
        .env("TERM", "xterm")
        // prompt_toolkit asks the terminal where its cursor is, and drops
        // what is typed until an answer that a pty never gives.
        .env("PROMPT_TOOLKIT_NO_CPR", "1")
        .env_remove("MULTITASK_KERNEL_LOG");
    let mut console = Console {
        session: spawn_command(command, Some(TIMEOUT_MS)).expect("spawn jupyter console"),
        seen: String::new(),
    };
    console.prompt();
    console.send_line("40 + 2");
    console.expect("42");
    console.prompt();
    // The session's first Tab: the one match goes in at once. The console
    // may redraw the whole line or only what the Tab added (`nge(`): either
    // shows `nge(`, and the cell's answer below shows what went in.
    console.send("let g = jumping_ra\t");
    console.expect("nge(");
    console.send_line("3); g.next()");
    console.expect("Ok(0)");
    console.prompt();
    // The runtime the kernel runs cells in: gone once the console is.
    console.send_line("println!(\"runtime={}\", std::process::id());");
    let (_, said) = console
        .session
        .exp_regex("runtime=[0-9]+")
        .expect("the runtime's pid");
    let runtime: i32 = said["runtime=".len()..].parse().unwrap();
    console.prompt();
    // Ctrl-D leaves, and the console shuts its kernel down.
    console.session.send_control('d').expect("press Ctrl-D");
    let rest = console
        .session
        .exp_eof()
        .unwrap_or_else(|e| panic!("the console did not leave after Ctrl-D: {e}"));
    let left = std::time::Instant::now();
    while proc_stat(runtime).is_some() && left.elapsed() < std::time::Duration::from_secs(20) {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(proc_stat(runtime), None, "the runtime outlived the console");
    let plain = without_colours(&(console.seen + &rest));
    // Every line of the kernel's log starts so. (On a cold build folder the
    // first cell shows cargo's `Compiling …` lines: that is its output.)
    for log in ["multitask kernel:", "Another multitask"] {
        assert!(
            !plain.contains(log),
            "the kernel's log reached the console ({log:?}):\n{plain}"
        );
    }
}

/// The console in its pty, and all it printed so far.
struct Console {
    session: PtySession,
    seen: String,
}

impl Console {
    fn expect(&mut self, text: &str) {
        let before = self
            .session
            .exp_string(text)
            .unwrap_or_else(|e| panic!("expected {text:?} after {:?}: {e}", self.seen));
        self.seen.push_str(&before);
        self.seen.push_str(text);
    }

    /// Waits for the next `In [n]: ` (the number comes in a colour of its own).
    fn prompt(&mut self) {
        self.expect("In [");
        self.expect("]: ");
    }

    fn send(&mut self, text: &str) {
        self.session.send(text).expect("type in the console");
        self.session.flush().expect("type in the console");
    }

    fn send_line(&mut self, line: &str) {
        self.session.send_line(line).expect("type in the console");
    }
}
