//! The runtime's output lines, taken off evcxr's channels as they come.
//!
//! evcxr waits, at the end of each cell, until its output channel is empty:
//! someone must read it all the time. [`forward`] does, on a thread of its
//! own, handing each line to a front end's sink (a Jupyter `stream` message,
//! a notebook cell's output); [`Forwarded::settle`] then waits until every
//! line printed so far has been handed over, so a cell's output comes before
//! its result.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use evcxr::EvalContextOutputs;

use crate::session::StderrFilter;

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
