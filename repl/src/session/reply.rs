//! What became of a cell, in the learner's words: the [`Reply`] every front
//! end renders, a failure as Jupyter shows one, crash reasons, and the
//! cleaning that takes evcxr's insides out of rustc's messages.

use std::collections::HashMap;
use std::time::Duration;

use evcxr::{CompilationError, Theme};

use crate::cell::reserved;
use crate::cell::rewrite::Rewritten;
use crate::session::memory;

/// What became of one cell.
#[derive(Debug)]
pub enum Reply {
    /// The cell ran.
    Value(Evaluated),
    /// Text from one of our own commands (`:help`, `:vars`, …).
    Text(String),
    /// The cell panicked: this is the message (printed already, by
    /// [`panic_hook`](crate::session::panic_hook), in order with the cell's output). Variables from
    /// before the cell are kept, as after a Python exception.
    Panicked(String),
    /// A `?` in the cell met an error (Python: an exception raised): the
    /// error's type, without its module path (`ParseIntError`), and its
    /// message. Variables from before the cell are kept, its new ones not.
    Raised {
        /// The error's type.
        ename: String,
        /// The error, as `Display` writes it.
        message: String,
    },
    /// rustc refused the cell; nothing ran and every variable is kept.
    CompileErrors {
        /// rustc's errors (and the warnings beside them), their spans in
        /// `cell.code`.
        errors: Vec<CompilationError>,
        /// The cell as the learner typed it: what the errors are shown on.
        typed: String,
        /// The cell as compiled (reserved names made raw) and how it maps
        /// back to what the learner typed.
        cell: Rewritten,
        /// The session's hint under each error, if a Python habit explains
        /// it (see [`crate::session::habits`]).
        hints: Vec<Option<String>>,
    },
    /// The runtime process died (abort, segfault, `exit`) or was stopped by an
    /// interrupt (Ctrl-C, Jupyter's interrupt). It has been restarted with the
    /// prelude; these variables were lost.
    Crashed {
        /// Why: the signal and what it usually means, or that it was interrupted.
        reason: String,
        /// Whether an [`Interrupter`](crate::session::interrupt::Interrupter) stopped it (rather than a crash).
        interrupted: bool,
        /// The variables that existed before the cell, now gone.
        lost: Vec<String>,
    },
    /// An interrupt came before the cell ran (the session was still
    /// starting, or the cell compiling): it did not run, and nothing was
    /// lost.
    NotRun,
    /// An interrupt stopped the running cell where it waited or looped
    /// (Python's `KeyboardInterrupt`, see [`crate::session::interrupt`]); the runtime
    /// lives on.
    KeyboardInterrupt {
        /// Variables from before the cell that are gone: those it moved.
        lost: Vec<String>,
    },
    /// A command was wrong (unknown name, bad argument): one line saying why.
    Error(String),
    /// The learner asked to leave.
    Quit,
}

/// A cell's failure as Jupyter shows one: an error name, a one-line value and
/// the lines of a traceback (rustc's rendered messages, in colour).
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// `Panic`, `CompileError`, `RuntimeCrashed`, `Interrupted` or `Error`.
    pub ename: String,
    /// What went wrong, in one line.
    pub evalue: String,
    /// The long form; Jupyter prints these lines.
    pub traceback: Vec<String>,
}

impl Reply {
    /// The failure in this reply, if the cell failed.
    pub fn failure(&self) -> Option<Failure> {
        let (ename, evalue, traceback) = match self {
            // Drawn beside the error (`shown_beside_failure`); the
            // traceback is its one line.
            Reply::CompileErrors { errors, .. } => {
                let evalue = errors
                    .iter()
                    .filter(|e| e.level() != "warning")
                    .map(|e| clean(&e.message()))
                    .collect::<Vec<_>>()
                    .join("; ");
                ("CompileError", evalue, Vec::new())
            }
            Reply::Crashed {
                reason,
                interrupted,
                lost,
            } => {
                let lost = if lost.is_empty() {
                    "No variables were lost.".to_string()
                } else {
                    format!("Lost variables: {}.", lost.join(", "))
                };
                let evalue = format!(
                    "the runtime stopped: {reason}. It has been restarted with the prelude. {lost}"
                );
                let ename = if *interrupted {
                    "Interrupted"
                } else {
                    "RuntimeCrashed"
                };
                (ename, evalue, Vec::new())
            }
            Reply::Panicked(message) => ("Panic", message.clone(), Vec::new()),
            Reply::Raised { ename, message } => (ename.as_str(), message.clone(), Vec::new()),
            Reply::KeyboardInterrupt { lost } => ("KeyboardInterrupt", stopped(lost), Vec::new()),
            Reply::NotRun => ("Interrupted", NOT_RUN.to_string(), Vec::new()),
            Reply::Error(message) => ("Error", message.clone(), Vec::new()),
            Reply::Value(_) | Reply::Text(_) | Reply::Quit => return None,
        };
        let traceback = if traceback.is_empty() {
            vec![format!("\x1b[91m{ename}\x1b[0m: {evalue}")]
        } else {
            traceback
        };
        Some(Failure {
            ename: ename.to_string(),
            evalue,
            traceback,
        })
    }
}

impl Reply {
    /// What Jupyter shows of a failed compile before the error's one line:
    /// the errors as HTML (see [`error_html`](crate::session::error_html)),
    /// and as the terminal draws them for a client that shows only text
    /// (`jupyter console`).
    pub fn shown_beside_failure(&self) -> Option<HashMap<String, String>> {
        let Reply::CompileErrors {
            errors,
            typed,
            cell,
            hints,
        } = self
        else {
            return None;
        };
        let (mut html, mut text) = (String::new(), String::new());
        for (error, hint) in errors.iter().zip(hints) {
            html += &crate::session::error_html::render(error, hint.as_deref(), typed, cell);
            text += &render_compile_error(error, hint.as_deref(), typed, cell, Theme::Light);
        }
        Some(HashMap::from([
            ("text/html".to_string(), html),
            ("text/plain".to_string(), text.trim_end().to_string()),
        ]))
    }
}

/// What a cell that ran gives back.
#[derive(Debug, Default)]
pub struct Evaluated {
    /// The value of the cell's last expression, by MIME type (empty when the
    /// cell ends with a statement).
    pub values: HashMap<String, String>,
    /// How long the cell took, when `:timing` is on.
    pub timing: Option<Timing>,
}

/// How long a cell took, and in which phases.
#[derive(Debug, Clone, PartialEq)]
pub struct Timing {
    /// From the cell's arrival to its last output.
    pub total: Duration,
    /// evcxr's phases in order ("Type inference", "Final compile", "Execution", …).
    pub phases: Vec<(String, Duration)>,
}

impl std::fmt::Display for Timing {
    /// `took 0.123 s (Final compile 0.101 s, Execution 0.012 s)`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "took {:.3} s", self.total.as_secs_f64())?;
        if !self.phases.is_empty() {
            let phases: Vec<String> = self
                .phases
                .iter()
                .map(|(name, took)| format!("{name} {:.3} s", took.as_secs_f64()))
                .collect();
            write!(f, " ({})", phases.join(", "))?;
        }
        Ok(())
    }
}

/// What a cell stopped by an interrupt says, naming the variables it had
/// moved (the others from before it are kept; those it was defining are
/// dropped, as after a panic).
pub fn stopped(lost: &[String]) -> String {
    let kept = if lost.is_empty() {
        "the variables from before it are kept".to_string()
    } else {
        format!(
            "the variables from before it are kept, but for {}, which it had moved",
            lost.join(", ")
        )
    };
    format!("the cell was interrupted and stopped; {kept}")
}

/// Why the runtime was killed when a cell did not stop by itself.
pub const DID_NOT_STOP: &str = "interrupted, and the cell did not stop by itself (code outside the \
     prelude, such as std::thread::sleep, cannot be stopped any other way)";

/// What a cell interrupted before it ran says.
pub const NOT_RUN: &str =
    "interrupted before it ran: the cell did not run, and no variable was lost";

/// The signal's name in a runtime's exit status (`SIGABRT`), if it died of one.
pub(crate) fn signal_of(status: &str) -> Option<&'static str> {
    CRASH_SIGNALS
        .iter()
        .map(|(signal, _)| *signal)
        .find(|signal| status.contains(signal))
}

/// A crash, in the learner's words: the signal's name and what it usually
/// means, or the code the runtime exited with; a kill with most of the
/// memory the session may use `held` (bytes) is named as the system's doing.
pub(crate) fn crash_reason(status: &str, held: u64) -> String {
    if status.contains("SIGKILL")
        && let Some(allowed) = memory::Allowance::now()
        && held > allowed.bytes() / 2
    {
        return format!(
            "killed, most likely by the system for using too much memory: the runtime \
             held {} of {allowed} [SIGKILL]",
            memory::size(held),
        );
    }
    for (signal, meaning) in CRASH_SIGNALS {
        if status.contains(signal) {
            return format!("{meaning} [{signal}]");
        }
    }
    if let Some((_, code)) = status.rsplit_once("exit status: ") {
        return format!(
            "the cell ended the whole runtime with exit code {} (std::process::exit ends \
             the process, not just the cell)",
            code.trim()
        );
    }
    status.trim().to_string()
}

/// A type's name without its module paths, as a learner reads an error's
/// type: `core::num::error::ParseIntError` is `ParseIntError`,
/// `alloc::boxed::Box<dyn core::error::Error>` is `Box<dyn Error>`.
pub(crate) fn without_paths(type_name: &str) -> String {
    let mut short = String::new();
    let mut word = String::new();
    let mut chars = type_name.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            word.clear();
        } else if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            short.push_str(&word);
            word.clear();
            short.push(c);
        }
    }
    short + &word
}

/// Signals a runtime dies of, and what each usually means.
const CRASH_SIGNALS: [(&str, &str); 6] = [
    (
        "SIGABRT",
        "the process aborted (std::process::abort, a crash signal, or a panic while panicking)",
    ),
    ("SIGSEGV", "a segmentation fault (invalid memory access)"),
    ("SIGINT", "interrupted (Ctrl-C)"),
    ("SIGKILL", "killed"),
    ("SIGBUS", "a bus error (invalid memory access)"),
    ("SIGILL", "an illegal instruction"),
];

/// An evcxr error as one readable message: each compile error as rustc
/// drew it, or its message where it has no drawing (cargo's own errors).
pub fn describe(error: &evcxr::Error) -> String {
    match error {
        evcxr::Error::CompilationErrors(errors) => errors
            .iter()
            .map(|e| match e.rendered() {
                drawn if drawn.trim().is_empty() => clean(&e.message()),
                drawn => clean(&drawn),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.to_string(),
    }
}

/// Takes evcxr's insides out of a message: the hidden variable store that
/// follows the learner's code shows up as "the end of the cell", and `r#gen`
/// (see [`reserved`]) as the `gen` the learner typed.
pub fn clean(message: &str) -> String {
    reserved::unraw(
        &message
            .replace("`evcxr_variable_store`", "the end of the cell")
            .replace("evcxr_variable_store", "the end of the cell"),
    )
}

/// One of rustc's errors (or warnings) as the learner sees it, in every
/// front end: drawn on the cell's own lines as typed (`cell:1:7`), never on
/// the code evcxr wraps around them, with the session's `hint` under it when
/// it has one.
pub fn render_compile_error(
    error: &CompilationError,
    hint: Option<&str>,
    typed: &str,
    cell: &Rewritten,
    theme: Theme,
) -> String {
    let mut text = Vec::new();
    let report = error
        .build_report_mapped("cell".to_string(), cell.code.clone(), theme, &|offset| {
            cell.to_learner(offset)
        })
        .and_then(|report| {
            report
                .write(
                    ariadne::sources([("cell".to_string(), typed.to_string())]),
                    &mut text,
                )
                .ok()
        });
    let mut shown = match report {
        Some(()) => clean(&String::from_utf8_lossy(&text)),
        // No report: rustc's message alone, never its rendering of the
        // generated code.
        None => format!("{}: {}\n", error.level(), clean(&error.message())),
    };
    if let Some(hint) = hint {
        shown += &format!("\x1b[36mhint:\x1b[0m {hint}\n");
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_variable_store_reads_as_the_end_of_the_cell() {
        assert_eq!(
            clean("expected `;`, found `evcxr_variable_store`"),
            "expected `;`, found the end of the cell"
        );
    }

    #[test]
    fn timing_lists_the_phases_in_order() {
        let timing = Timing {
            total: Duration::from_millis(130),
            phases: vec![
                ("Final compile".into(), Duration::from_millis(110)),
                ("Execution".into(), Duration::from_millis(20)),
            ],
        };
        assert_eq!(
            timing.to_string(),
            "took 0.130 s (Final compile 0.110 s, Execution 0.020 s)"
        );
    }

    #[test]
    fn an_exit_is_named_with_its_code() {
        let said = crash_reason("Subprocess terminated with status: exit status: 3", 0);
        assert!(
            said.contains("exit code 3") && said.contains("std::process::exit"),
            "{said}"
        );
    }

    #[test]
    fn an_errors_type_is_named_without_its_paths() {
        assert_eq!(
            without_paths("core::num::error::ParseIntError"),
            "ParseIntError"
        );
        assert_eq!(
            without_paths("alloc::boxed::Box<dyn core::error::Error + core::marker::Send>"),
            "Box<dyn Error + Send>"
        );
        assert_eq!(without_paths("std::io::error::Error"), "Error");
    }

    #[test]
    fn crash_reasons_name_the_signal() {
        assert!(crash_reason("signal: 6 (SIGABRT) (core dumped)", 0).contains("aborted"));
        assert!(crash_reason("signal: 11 (SIGSEGV)", 0).contains("segmentation fault"));
    }
}
