//! Running a checker where the answer cannot hurt the session: the check
//! runs in a process of its own, forked from the session (so it has the
//! learner's functions and everything else the session has), and the judge
//! waits for its word. A panic in the learner's code is a ✗; so is a check
//! that does not end in time (a deadlock, a spin), and an answer that
//! overflows its stack or crashes — its process dies, not the session. The
//! check's process is then ended together with every process and thread the
//! answer started, which is said; the verdict is printed, and a pass is
//! recorded in the progress file.

use std::fmt;
use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::Ordering::SeqCst;
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{Signal, killpg};
use nix::sys::wait::{Id, WaitPidFlag, WaitStatus, waitid};
use nix::unistd::Pid;

use super::{Exercise, progress, stuck};
use crate::multiprocessing::fork;

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
    /// Runs `check` (`Ok` says what passed, `Err` what is wrong) in a
    /// process of its own, within [`TIME_LIMIT`]; prints the verdict and
    /// records a pass.
    pub(super) fn judge(&self, check: impl FnOnce() -> Result<String, String>) -> Verdict {
        self.judge_within(TIME_LIMIT, check)
    }

    /// [`judge`](Self::judge) with another limit. A check that does not end
    /// in time is a ✗ that names the threads it left and what each waits
    /// for; then its process ends, with all the answer started.
    pub(super) fn judge_within(
        &self,
        limit: Duration,
        check: impl FnOnce() -> Result<String, String>,
    ) -> Verdict {
        let id = self.id;
        let (passed, message) = match run_within(limit, check) {
            Ran::Ended(Ok(message)) => (true, message),
            Ran::Ended(Err(wrong)) => (false, format!("{wrong}. `hint(\"{id}\")` helps.")),
            Ran::Panicked(what) if what.starts_with("not yet implemented") => (
                false,
                format!(
                    "it panicked ({what}): the function is still the TODO — replace the todo!() \
                     with your code (if you did, that cell did not compile: its error is \
                     above it; fix it and run it again)"
                ),
            ),
            Ran::Panicked(what) => match crate::panics::advice(&what) {
                Some(advice) => (false, format!("it panicked ({what}): {advice}")),
                None => (
                    false,
                    format!("it panicked ({what}). `hint(\"{id}\")` helps."),
                ),
            },
            Ran::Crashed(how) => (false, format!("{how}. `hint(\"{id}\")` helps.")),
            Ran::Stuck { threads, children } => {
                let children = match children {
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
    /// Its process died: what of, in words.
    Crashed(String),
    /// Still running at the limit: its threads and their states; the child
    /// processes the answer had started, and how many waited on a queue.
    Stuck {
        threads: String,
        children: (usize, i64),
    },
}

/// The check's process, ended with everything it started when it is
/// [`end`](Self::end)ed or dropped (also by an interrupt unwinding through
/// the judge).
struct CheckProcess(Option<i32>);

impl CheckProcess {
    /// Ends it, with every process the answer forked (they share its
    /// process group; their threads end with them); its exit code.
    fn end(&mut self) -> Option<i32> {
        let pid = self.0.take()?;
        let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
        fork::wait(pid, true).ok().flatten()
    }
}

impl Drop for CheckProcess {
    fn drop(&mut self) {
        self.end();
    }
}

/// Runs `check` in a forked process of its own and waits for its word, at
/// most `limit` (an interrupt ends the wait and the check).
fn run_within(limit: Duration, check: impl FnOnce() -> Result<String, String>) -> Ran {
    let Ok((word_in, word_out)) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC) else {
        return Ran::Panicked("no pipe for the check's word".into());
    };
    // The probe's page, shared with the check's process from the start.
    let probe = crate::probe::page_made();
    let (read_end, write_end) = (word_in.as_raw_fd(), word_out.as_raw_fd());
    let started = fork::spawn("check", true, move || {
        // SAFETY: the child's copies of the pipe's two descriptors, open in
        // it and owned by nothing else there (the parent's `OwnedFd`s are
        // never dropped in the child, which leaves through `_exit`).
        let word = unsafe {
            drop(OwnedFd::from_raw_fd(read_end));
            OwnedFd::from_raw_fd(write_end)
        };
        in_check_process(word, check)
    });
    let pid = match started {
        Ok(pid) => pid,
        Err(e) => return Ran::Panicked(format!("no process for the check: {e}")),
    };
    let mut process = CheckProcess(Some(pid));
    drop(word_out);
    let mut word_in = std::fs::File::from(word_in);
    let deadline = Instant::now() + limit;
    let mut word = Vec::new();
    // The word is read as it comes, not to the pipe's end: processes the
    // answer forked and left running hold a copy of its writing end.
    let said = loop {
        if let Some(said) = whole(&word) {
            break Some(said);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            let children = stuck::children_of(pid);
            let waiting = probe.map_or(0, |p| p.children_waiting_on_queues.load(SeqCst));
            let threads = stuck::threads_of(pid);
            process.end();
            return Ran::Stuck {
                threads,
                children: (children.len(), waiting),
            };
        }
        let slice = left.min(crate::interrupt::SLICE);
        match read_some(&mut word_in, &mut word, slice) {
            Pipe::Read => {}
            Pipe::Closed => break None,
            Pipe::Empty if ended(pid) => {
                // It ended: all it wrote before that is in the pipe by now.
                while read_some(&mut word_in, &mut word, Duration::ZERO) == Pipe::Read {}
                break whole(&word);
            }
            Pipe::Empty => {}
        }
        // Ctrl-C stops the check too: `process` ends it as this unwinds.
        crate::interrupt::check();
    };
    let code = process.end();
    match said {
        Some((b'+', text)) => Ran::Ended(Ok(text)),
        Some((b'-', text)) => Ran::Ended(Err(text)),
        Some((_, text)) => Ran::Panicked(text),
        None => Ran::Crashed(crashed(code)),
    }
}

/// What a wait on the check's pipe found.
#[derive(PartialEq, Eq)]
enum Pipe {
    /// Bytes, now added to the word.
    Read,
    /// Nothing within the wait.
    Empty,
    /// Its end: no writer is left.
    Closed,
}

/// Waits at most `wait` for bytes in `pipe` and adds what is there to `word`.
fn read_some(pipe: &mut std::fs::File, word: &mut Vec<u8>, wait: Duration) -> Pipe {
    let mut fds = [PollFd::new(pipe.as_fd(), PollFlags::POLLIN)];
    let timeout = PollTimeout::try_from(wait).unwrap_or(PollTimeout::MAX);
    if !matches!(poll(&mut fds, timeout), Ok(n) if n > 0) {
        return Pipe::Empty;
    }
    let mut chunk = [0; 4096];
    match pipe.read(&mut chunk) {
        Ok(0) | Err(_) => Pipe::Closed,
        Ok(n) => {
            word.extend_from_slice(&chunk[..n]);
            Pipe::Read
        }
    }
}

/// The check's word, once all of it has come: its length (4 bytes, little
/// endian), then its kind and its text.
fn whole(word: &[u8]) -> Option<(u8, String)> {
    let (length, rest) = word.split_first_chunk::<4>()?;
    let frame = rest.get(..u32::from_le_bytes(*length) as usize)?;
    let (&kind, text) = frame.split_first()?;
    Some((kind, String::from_utf8_lossy(text).into_owned()))
}

/// Has the check's process ended? (Looked at without reaping it: the judge
/// ends its process group first, by the pid it still holds.)
fn ended(pid: i32) -> bool {
    let flags = WaitPidFlag::WEXITED | WaitPidFlag::WNOHANG | WaitPidFlag::WNOWAIT;
    !matches!(
        waitid(Id::Pid(Pid::from_raw(pid)), flags),
        Ok(WaitStatus::StillAlive) | Err(_)
    )
}

/// What the check's process died of, once it said nothing.
fn crashed(code: Option<i32>) -> String {
    match code {
        Some(code) if code == -(Signal::SIGSEGV as i32) || code == -(Signal::SIGBUS as i32) => {
            "your answer overflowed its stack (endless recursion?) and its process died of it; \
             the session goes on"
                .into()
        }
        Some(code) if code == -(Signal::SIGABRT as i32) => {
            "your answer aborted its process (out of memory? a panic while panicking?); the \
             session goes on"
                .into()
        }
        Some(code) => format!(
            "the check's process ended without a verdict (exit code {code}): did the answer \
             end the process itself (std::process::exit)?"
        ),
        None => "the check's process ended without a verdict".into(),
    }
}

/// The check's side: runs it on this process's one thread, watched, and
/// writes its word — `+` what passed, `-` what is wrong, `!` a panic — then
/// stops what the answer left and leaves at once (an answer's threads are
/// not waited for).
fn in_check_process(word: OwnedFd, check: impl FnOnce() -> Result<String, String>) -> i32 {
    // Its own group, so that the judge ends it with everything it starts.
    let _ = nix::unistd::setpgid(Pid::from_raw(0), Pid::from_raw(0));
    let _ = nix::sys::prctl::set_name(c"check");
    // The learner's panics are the verdict's to tell, not the hook's.
    std::panic::set_hook(Box::new(|_| {}));
    let watch = crate::probe::watch();
    let (kind, text) = match catch_unwind(AssertUnwindSafe(check)) {
        Ok(Ok(passed)) => (b'+', passed),
        Ok(Err(wrong)) => (b'-', wrong),
        Err(payload) => (b'!', crate::panics::message(&*payload)),
    };
    drop(watch);
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    let mut word = std::fs::File::from(word);
    let length = u32::try_from(text.len() + 1).unwrap_or(u32::MAX);
    let mut frame = length.to_le_bytes().to_vec();
    frame.push(kind);
    frame.extend_from_slice(text.as_bytes());
    let _ = word.write_all(&frame);
    drop(word);
    // SAFETY: ends this process at once, as it must: the answer's threads
    // and children are the judge's to end (they share this process group).
    unsafe { libc::_exit(0) }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

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
        // (Its process is ended: nothing of it stays in this one.)
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
            verdict
                .message
                .contains("Its threads: check waits for a lock"),
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

    #[test]
    fn an_answer_that_overflows_its_stack_is_a_fail_and_the_session_lives() {
        #[expect(unconditional_recursion, reason = "the endless recursion under test")]
        fn deeper(n: u64) -> u64 {
            // Not a tail call, and a frame the optimiser keeps.
            let frame = std::hint::black_box([n; 64]);
            deeper(n + 1) + frame[7]
        }
        let verdict = STUCK.judge_within(Duration::from_secs(20), || Ok(deeper(0).to_string()));
        assert!(!verdict.passed);
        assert!(
            verdict
                .message
                .contains("overflowed its stack (endless recursion?)"),
            "{verdict}"
        );
    }

    #[test]
    fn a_process_the_answer_leaves_running_is_ended_and_does_not_hold_up_the_verdict() {
        let started = Instant::now();
        let verdict = STUCK.judge_within(Duration::from_secs(20), || {
            let forever = crate::multiprocessing::Process::new(|| {
                loop {
                    std::thread::sleep(Duration::from_secs(1));
                }
            });
            forever.start().map_err(|e| e.to_string())?;
            let pid = forever.pid().unwrap_or_default();
            std::mem::forget(forever);
            Ok(pid.to_string())
        });
        assert!(verdict.passed, "{verdict}");
        assert!(started.elapsed() < Duration::from_secs(10));
        let pid = &verdict.message;
        let gone_or_dead = || {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .map_or(true, |stat| stat.contains(") Z "))
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        while !gone_or_dead() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(gone_or_dead(), "process {pid} still runs");
    }
}
