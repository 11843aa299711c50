//! Running a checker: a panic in the learner's code is a ✗, not a crash; the
//! verdict is printed, and a pass is recorded in the progress file.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::{Exercise, progress};

/// What a checker found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The exercise's id.
    pub id: &'static str,
    /// Whether every check passed.
    pub passed: bool,
    /// ✓ and what passed, or ✗ and what is wrong.
    pub message: String,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = if self.passed { "✓" } else { "✗" };
        write!(f, "{mark} {}: {}", self.id, self.message)
    }
}

impl Exercise {
    /// Runs `check` (`Ok` says what passed, `Err` what is wrong), prints the
    /// verdict and records a pass.
    pub(super) fn judge(&self, check: impl FnOnce() -> Result<String, String>) -> Verdict {
        let id = self.id;
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let outcome = catch_unwind(AssertUnwindSafe(check));
        std::panic::set_hook(hook);
        let (passed, message) = match outcome {
            // Ctrl-C stops the check, not just the learner's code.
            Err(payload) if crate::interrupt::is_interrupt(&*payload) => {
                std::panic::resume_unwind(payload)
            }
            Ok(Ok(message)) => (true, message),
            Ok(Err(wrong)) => (false, format!("{wrong}. `hint(\"{id}\")` helps.")),
            Err(payload) => {
                let what = crate::panics::message(&*payload);
                (
                    false,
                    format!("it panicked ({what}): replace the todo!() with your code"),
                )
            }
        };
        let verdict = Verdict {
            id,
            passed,
            message,
        };
        println!("{verdict}");
        if passed {
            progress::record(&format!("passed {id}"));
        }
        verdict
    }
}

/// The seed's pages, served for a check.
pub(super) fn page_server() -> Result<crate::web::PageServer, String> {
    crate::web::PageServer::start().map_err(|e| format!("cannot start the page server: {e}"))
}
