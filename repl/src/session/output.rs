//! The runtime's output lines, taken off evcxr's channels as they come.
//!
//! evcxr waits, at the end of each cell, until its output channel is empty:
//! someone must read it all the time. [`forward`] does, on a thread of its
//! own, handing each line to a front end's sink (a Jupyter `stream` message,
//! a notebook cell's output); [`Forwarded::settle`] then waits until every
//! line printed so far has been handed over, so a cell's output comes before
//! its result.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use evcxr::EvalContextOutputs;

use crate::session::memory;
use crate::session::reply::clean;

/// Which of the runtime's streams a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error, without evcxr's backtrace noise (see [`StderrFilter`]).
    Stderr,
}

/// Counts lines taken off the channels and handed to the sink.
pub struct Forwarded {
    taken: AtomicU64,
    handed: AtomicU64,
    receivers: [Receiver<String>; 2],
    /// What the runtime said of its own end, if it said something we know
    /// (see [`last_words`]).
    last_words: Mutex<Option<LastWords>>,
}

impl Forwarded {
    /// Waits until every line the runtime has printed so far is with the
    /// sink. After a crash the runtime's last words come on another pipe:
    /// `crashed` gives them a moment.
    pub fn settle(&self, crashed: bool) {
        let deadline = Instant::now()
            + if crashed {
                Duration::from_millis(50)
            } else {
                Duration::ZERO
            };
        loop {
            let busy = self.receivers.iter().any(|r| !r.is_empty())
                || self.taken.load(Ordering::SeqCst) != self.handed.load(Ordering::SeqCst);
            if !busy && Instant::now() >= deadline {
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Why the runtime died, in words, if its last lines on stderr said (a
    /// stack overflow, a failed allocation: both abort, and the signal alone
    /// does not tell them apart); forgotten once taken.
    pub fn take_last_words(&self) -> Option<LastWords> {
        self.last_words
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }
}

/// What std says on stderr just before it aborts the runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LastWords {
    /// "thread 'main' has overflowed its stack".
    StackOverflow,
    /// "memory allocation of N bytes failed": the bytes asked for.
    OutOfMemory {
        /// The size of the allocation that failed.
        asked: u64,
    },
}

impl LastWords {
    /// Why the runtime died, in words, given the most it `held` (bytes)
    /// while the cell ran.
    ///
    /// ```
    /// use multitask_repl::session::output::LastWords;
    ///
    /// let said = LastWords::OutOfMemory { asked: 1 << 20 }.reason(3 << 30);
    /// assert!(said.starts_with("the cell ran out of memory: the runtime held 3.0 GB"), "{said}");
    /// assert!(said.contains("asked for 1 MB more"), "{said}");
    /// ```
    pub fn reason(&self, held: u64) -> String {
        match self {
            LastWords::StackOverflow => "a stack overflow: the cell went too deep (endless \
                                         recursion?) or put too much on the stack"
                .to_string(),
            LastWords::OutOfMemory { asked } => format!(
                "the cell ran out of memory: the runtime held {} when it asked for {} more, \
                 which the machine could not give; Rust ends the process when memory runs \
                 out (a panic cannot catch it)",
                memory::size(held),
                memory::size(*asked)
            ),
        }
    }
}

/// The last words a line of the runtime's stderr is, if it is one of std's
/// before an abort.
///
/// ```
/// use multitask_repl::session::output::{LastWords, last_words};
///
/// assert_eq!(last_words("thread 'main' has overflowed its stack"), Some(LastWords::StackOverflow));
/// assert_eq!(
///     last_words("memory allocation of 1536 bytes failed"),
///     Some(LastWords::OutOfMemory { asked: 1536 })
/// );
/// assert_eq!(last_words("an ordinary line"), None);
/// ```
pub fn last_words(line: &str) -> Option<LastWords> {
    if line.contains("has overflowed its stack") {
        return Some(LastWords::StackOverflow);
    }
    let asked = line
        .strip_prefix("memory allocation of ")?
        .strip_suffix(" bytes failed")?
        .parse()
        .ok()?;
    Some(LastWords::OutOfMemory { asked })
}

/// Hands every output line of the session to `sink`, in order per stream,
/// until the session ends.
pub fn forward(
    outputs: EvalContextOutputs,
    mut sink: impl FnMut(Stream, String) + Send + 'static,
) -> Arc<Forwarded> {
    let forwarded = Arc::new(Forwarded {
        taken: AtomicU64::new(0),
        handed: AtomicU64::new(0),
        receivers: [outputs.stdout.clone(), outputs.stderr.clone()],
        last_words: Mutex::default(),
    });
    let counts = forwarded.clone();
    std::thread::spawn(move || {
        let mut filter = StderrFilter::default();
        loop {
            let (line, stream) = crossbeam_channel::select! {
                recv(outputs.stdout) -> line => match line {
                    Ok(line) => (line, Stream::Stdout),
                    Err(_) => break,
                },
                recv(outputs.stderr) -> line => match line {
                    Ok(line) => (line, Stream::Stderr),
                    Err(_) => break,
                },
            };
            counts.taken.fetch_add(1, Ordering::SeqCst);
            if stream == Stream::Stderr
                && let Some(words) = last_words(&line)
            {
                *counts.last_words.lock().unwrap_or_else(|e| e.into_inner()) = Some(words);
            }
            let shown = match stream {
                Stream::Stdout => Some(line),
                Stream::Stderr => filter.filter(&line),
            };
            if let Some(text) = shown {
                sink(stream, text);
            }
            counts.handed.fetch_add(1, Ordering::SeqCst);
        }
    });
    forwarded
}

/// Drops the noise from the runtime's stderr: panic backtraces (runtime
/// frames, none of them the learner's).
#[derive(Debug, Default)]
pub struct StderrFilter {
    in_backtrace: bool,
}

impl StderrFilter {
    /// The line to show for `line`, if any.
    pub fn filter(&mut self, line: &str) -> Option<String> {
        let trimmed = line.trim_start();
        if trimmed == "stack backtrace:" {
            self.in_backtrace = true;
            return None;
        }
        if self.in_backtrace && trimmed.is_empty() {
            return None;
        }
        if trimmed.starts_with("note: Some details are omitted")
            || trimmed.starts_with("note: run with `RUST_BACKTRACE")
        {
            self.in_backtrace = false;
            return None;
        }
        let frame = trimmed
            .split_once(':')
            .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
            || trimmed.starts_with("at ");
        if self.in_backtrace && frame {
            return None;
        }
        self.in_backtrace = false;
        if let Some(rest) = line.strip_prefix("thread '") {
            // thread '<unnamed>' panicked at src/lib.rs:12:5:  →  panicked:
            if let Some((thread, _)) = rest.split_once("' panicked at ") {
                return Some(match thread {
                    "<unnamed>" | "main" => "panicked:".to_string(),
                    name => format!("thread '{name}' panicked:"),
                });
            }
        }
        Some(clean(line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backtraces_are_dropped_and_the_message_kept() {
        let mut filter = StderrFilter::default();
        let lines = [
            "thread '<unnamed>' panicked at src/lib.rs:42:5:",
            "boom",
            "stack backtrace:",
            "   0: rust_begin_unwind",
            "             at /rustc/abc/library/std/src/panicking.rs:665:5",
            "  12: ctx::run_user_code_3",
            "note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.",
            "after",
        ];
        let shown: Vec<String> = lines.iter().filter_map(|l| filter.filter(l)).collect();
        assert_eq!(shown, ["panicked:", "boom", "after"]);
    }

    #[test]
    fn named_threads_keep_their_name() {
        let mut filter = StderrFilter::default();
        assert_eq!(
            filter
                .filter("thread 'worker' panicked at src/lib.rs:1:1:")
                .as_deref(),
            Some("thread 'worker' panicked:")
        );
    }
}
