//! What the kernel says of itself: on stderr (Jupyter's server log), never
//! in a cell's output.
//!
//! Routine lines — where it listens, the session starting and ready,
//! cargo's `Compiling …` — are left out when stderr is a terminal:
//! `jupyter console` starts its kernel on the terminal it prompts on, and
//! they would land in the middle of the learner's prompt. Problems are
//! always written. `MULTITASK_KERNEL_LOG=all` writes the routine lines
//! everywhere, `quiet` nowhere.

use std::io::IsTerminal as _;
use std::sync::OnceLock;

/// Whether routine lines are written.
fn routine_wanted() -> bool {
    static WANTED: OnceLock<bool> = OnceLock::new();
    *WANTED.get_or_init(|| {
        wanted(
            std::env::var("MULTITASK_KERNEL_LOG").ok().as_deref(),
            std::io::stderr().is_terminal(),
        )
    })
}

/// The rule: `all` or `quiet` as asked, else only when stderr is no
/// terminal.
fn wanted(asked: Option<&str>, stderr_is_terminal: bool) -> bool {
    match asked {
        Some("all") => true,
        Some("quiet") => false,
        _ => !stderr_is_terminal,
    }
}

/// A routine line (`multitask kernel: ` is put before it).
pub fn routine(line: &str) {
    if routine_wanted() {
        eprintln!("multitask kernel: {line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routine_lines_stay_out_of_a_terminal_unless_asked_for() {
        assert!(!wanted(None, true));
        assert!(wanted(None, false));
        assert!(wanted(Some("all"), true));
        assert!(!wanted(Some("quiet"), false));
    }
}
