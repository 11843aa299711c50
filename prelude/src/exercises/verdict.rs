//! Running a checker: a panic in the learner's code is a ✗, not a crash, and
//! so is a check that does not end in time (a deadlock, a spin) — the
//! session goes on; the verdict is printed, and a pass is recorded in the
//! progress file.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{Exercise, progress, stuck};

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

/// How long a check may run before it is called stuck: a wrong answer to a
/// concurrency exercise often deadlocks or spins, and the session must not
/// wait for it.
pub const TIME_LIMIT: Duration = Duration::from_secs(30);

impl Exercise {
    /// Runs `check` (`Ok` says what passed, `Err` what is wrong) on a thread
    /// of its own, within [`TIME_LIMIT`]; prints the verdict and records a
    /// pass.
    pub(super) fn judge(
        &self,
        check: impl FnOnce() -> Result<String, String> + Send + 'static,
    ) -> Verdict {
        self.judge_within(TIME_LIMIT, check)
    }

    /// [`judge`](Self::judge) with another limit. A check that does not end
    /// in time is a ✗ that names the threads it left and what each waits
    /// for; they go on in the background (a thread cannot be stopped from
    /// outside), and the session goes on.
    pub(super) fn judge_within(
        &self,
        limit: Duration,
        check: impl FnOnce() -> Result<String, String> + Send + 'static,
    ) -> Verdict {
        let id = self.id;
        let watch = crate::probe::watch();
        let ran = run_within(id, limit, check);
        // What the answer left running is stopped, and said.
        let left = stuck::still_running(&crate::probe::processes());
        for &pid in &left {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        let waiting = watch
            .children_waiting_on_queues
            .load(std::sync::atomic::Ordering::SeqCst);
        drop(watch);
        let (passed, message) = match ran {
            Ran::Ended(Ok(message)) => (true, message),
            Ran::Ended(Err(wrong)) => (false, format!("{wrong}. `hint(\"{id}\")` helps.")),
            Ran::Panicked(what) if what.starts_with("not yet implemented") => (
                false,
                format!("it panicked ({what}): replace the todo!() with your code"),
            ),
            Ran::Panicked(what) => match crate::panics::advice(&what) {
                Some(advice) => (false, format!("it panicked ({what}): {advice}")),
                None => (
                    false,
                    format!("it panicked ({what}). `hint(\"{id}\")` helps."),
                ),
            },
            Ran::Stuck(threads) => {
                let children = match (left.len(), waiting) {
                    (0, _) => String::new(),
                    (n, 0) => format!(" {n} child process(es) it started still ran (stopped now)."),
                    (n, w) => format!(
                        " {n} child process(es) it started still ran (stopped now), {w} of \
                         them waiting on a queue's get()."
                    ),
                };
                (
                    false,
                    format!(
                        "did not finish in {} s — a deadlock, or a loop that never ends? \
                         {threads}.{children} `hint(\"{id}\")` helps.",
                        limit.as_secs_f64(),
                    ),
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

/// How a check went.
enum Ran {
    Ended(Result<String, String>),
    Panicked(String),
    /// Still running at the limit: the threads it left, and their states.
    Stuck(String),
}

/// Runs `check` on a thread named after the exercise and waits for it, at
/// most `limit` (an interrupt stops the wait, not the check).
fn run_within(
    id: &str,
    limit: Duration,
    check: impl FnOnce() -> Result<String, String> + Send + 'static,
) -> Ran {
    /// A panic hook, as `take_hook` gives it back.
    type Hook = Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Sync + Send>;
    /// The learner's panics are the verdict's to tell, not the hook's.
    struct Quiet(Option<Hook>);
    impl Drop for Quiet {
        fn drop(&mut self) {
            if let Some(hook) = self.0.take() {
                std::panic::set_hook(hook);
            }
        }
    }
    let quiet = Quiet(Some(std::panic::take_hook()));
    std::panic::set_hook(Box::new(|_| {}));
    let (sender, outcome) = mpsc::channel();
    let (tid_of, tid) = mpsc::channel();
    let started = std::thread::Builder::new()
        .name(format!("check {id}"))
        .spawn(move || {
            let _ = tid_of.send(stuck::this_thread());
            if let Some(probe) = crate::probe::watching() {
                let me = i64::from(stuck::this_thread());
                probe.checker.store(me, std::sync::atomic::Ordering::SeqCst);
            }
            let _ = sender.send(catch_unwind(AssertUnwindSafe(check)));
        });
    if let Err(e) = started {
        return Ran::Panicked(format!("no thread for the check: {e}"));
    }
    // The check's thread, and every thread started after it, are its own.
    let first = tid.recv().unwrap_or(u32::MAX);
    let deadline = Instant::now() + limit;
    let ran = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match outcome.recv_timeout(left.min(crate::interrupt::SLICE)) {
            Ok(Ok(result)) => break Ran::Ended(result),
            // Ctrl-C in the learner's code stops the check as well.
            Ok(Err(payload)) if crate::interrupt::is_interrupt(&*payload) => {
                drop(quiet);
                std::panic::resume_unwind(payload)
            }
            Ok(Err(payload)) => break Ran::Panicked(crate::panics::message(&*payload)),
            Err(mpsc::RecvTimeoutError::Timeout) if left.is_zero() => {
                break Ran::Stuck(stuck::left_since(first));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => crate::interrupt::check(),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                break Ran::Panicked("the check's thread ended without a word".into());
            }
        }
    };
    drop(quiet);
    ran
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercises::Level;

    const STUCK: Exercise = Exercise {
        id: "00-stuck",
        chapter: "00-start-here",
        level: Level::WarmUp,
        title: "a check that never ends",
        hints: &[],
    };

    #[test]
    fn a_check_that_never_ends_is_a_fail_that_names_its_threads() {
        let started = Instant::now();
        let verdict = STUCK.judge_within(Duration::from_millis(300), || {
            // A wait nothing will end: a channel whose sender is kept, unused.
            let (sender, waits) = mpsc::channel::<()>();
            std::mem::forget(sender);
            let _ = waits.recv();
            Ok("never".into())
        });
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(!verdict.passed);
        assert!(
            verdict
                .message
                .contains("did not finish in 0.3 s — a deadlock"),
            "{verdict}"
        );
        assert!(
            verdict.message.contains("check 00-stuck waits for"),
            "{verdict}"
        );
    }

    #[test]
    fn a_check_that_ends_is_judged_as_before() {
        let verdict = STUCK.judge_within(Duration::from_secs(5), || Err("wrong".into()));
        assert_eq!(verdict.message, "wrong. `hint(\"00-stuck\")` helps.");
        let verdict = STUCK.judge_within(Duration::from_secs(5), || panic!("todo"));
        assert!(verdict.message.contains("it panicked (todo)"), "{verdict}");
    }
}
