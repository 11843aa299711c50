//! The runtime's output as Jupyter `stream` messages, batched and capped.
//!
//! A line a message is what a front end chokes on: `loop { println!(…) }`
//! made a million messages a minute, the kernel's queue grew by 110 MB/s
//! and the browser froze. Text is gathered here and sent as one message per
//! [`BATCH_BYTES`], or once it has waited [`BATCH_WAIT`] (IPython flushes on
//! a similar timer), and when the cell ends. A cell's output past its cap
//! ([`DEFAULT_CAP`], or `MULTITASK_OUTPUT_LIMIT_MB`) is read and counted but
//! not sent: the cell goes on running, and a note says what was cut.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use jupyter_protocol::{JupyterMessage, StreamContent};
use tokio::sync::mpsc::UnboundedSender;

use crate::session::memory::size;
use crate::session::output::Stream;

/// Text is sent once this much is gathered.
pub const BATCH_BYTES: usize = 64 * 1024;
/// Text is sent once it has waited this long.
pub const BATCH_WAIT: Duration = Duration::from_millis(50);
/// The most output a cell sends, unless `MULTITASK_OUTPUT_LIMIT_MB` says otherwise.
pub const DEFAULT_CAP: usize = 10 * 1024 * 1024;

/// Batches and caps the `stream` messages of the kernel's cells.
pub(super) struct Streams {
    shared: Arc<Shared>,
}

struct Shared {
    pending: Mutex<Pending>,
    /// Wakes the timer when text starts waiting.
    waiting: Condvar,
    iopub: UnboundedSender<JupyterMessage>,
    cap: usize,
}

/// What waits to be sent, and what the current cell has sent and cut.
#[derive(Default)]
struct Pending {
    /// The cell the text belongs to (output between cells belongs to the last).
    parent: Option<JupyterMessage>,
    stream: Option<Stream>,
    text: String,
    /// When the oldest of `text` came.
    since: Option<Instant>,
    /// Bytes this cell has sent.
    sent: usize,
    /// What this cell printed past its cap: bytes and lines.
    cut_bytes: usize,
    cut_lines: usize,
}

impl Streams {
    /// Sends on `iopub`, at most `cap` bytes a cell; starts the timer thread.
    pub(super) fn new(iopub: UnboundedSender<JupyterMessage>, cap: usize) -> Streams {
        let shared = Arc::new(Shared {
            pending: Mutex::default(),
            waiting: Condvar::new(),
            iopub,
            cap,
        });
        let timer = Arc::downgrade(&shared);
        std::thread::Builder::new()
            .name("kernel-streams".into())
            .spawn(move || {
                while let Some(shared) = timer.upgrade() {
                    shared.send_when_due();
                }
            })
            .expect("start the stream timer");
        Streams { shared }
    }

    /// The cap from `MULTITASK_OUTPUT_LIMIT_MB`, or [`DEFAULT_CAP`].
    pub(super) fn cap_from_env() -> usize {
        std::env::var("MULTITASK_OUTPUT_LIMIT_MB")
            .ok()
            .and_then(|mb| mb.trim().parse::<f64>().ok())
            .filter(|mb| *mb > 0.0)
            .map_or(DEFAULT_CAP, |mb| (mb * 1024.0 * 1024.0) as usize)
    }

    /// One line of `parent`'s output on `stream`.
    pub(super) fn line(&self, parent: &JupyterMessage, stream: Stream, line: &str) {
        let shared = &self.shared;
        let mut pending = shared.lock();
        let same_cell = pending
            .parent
            .as_ref()
            .is_some_and(|p| p.header.msg_id == parent.header.msg_id);
        if !same_cell {
            shared.send(&mut pending);
            *pending = Pending {
                parent: Some(parent.clone()),
                ..Pending::default()
            };
        }
        let bytes = line.len() + 1;
        if pending.sent + pending.text.len() + bytes > shared.cap {
            if pending.cut_lines == 0 {
                let note = format!(
                    "[output cut after {}: the cell goes on running; what it prints \
                     from here is counted, not shown]\n",
                    size(shared.cap as u64)
                );
                shared.push(&mut pending, Stream::Stderr, &note);
                shared.send(&mut pending);
            }
            pending.cut_bytes += bytes;
            pending.cut_lines += 1;
            return;
        }
        shared.push(&mut pending, stream, line);
        pending.text.push('\n');
        if pending.text.len() >= BATCH_BYTES {
            shared.send(&mut pending);
        } else if pending.since.is_none() {
            pending.since = Some(Instant::now());
            shared.waiting.notify_one();
        }
    }

    /// Sends what waits, and says how much of the cell's output was cut:
    /// called when the cell has ended, before its result and reply.
    pub(super) fn end_cell(&self) {
        let shared = &self.shared;
        let mut pending = shared.lock();
        shared.send(&mut pending);
        if pending.cut_lines > 0 {
            let note = format!(
                "[{} in {} lines of this cell's output were not shown (the cap: {} a cell; \
                 MULTITASK_OUTPUT_LIMIT_MB sets it)]\n",
                size(pending.cut_bytes as u64),
                pending.cut_lines,
                size(shared.cap as u64)
            );
            (pending.cut_bytes, pending.cut_lines) = (0, 0);
            shared.push(&mut pending, Stream::Stderr, &note);
            shared.send(&mut pending);
        }
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds `text` on `stream`, sending first what waits on the other stream
    /// (the two keep their order).
    fn push(&self, pending: &mut Pending, stream: Stream, text: &str) {
        if pending.stream.is_some_and(|s| s != stream) {
            self.send(pending);
        }
        pending.stream = Some(stream);
        pending.text.push_str(text);
    }

    /// Sends what waits as one message.
    fn send(&self, pending: &mut Pending) {
        let text = std::mem::take(&mut pending.text);
        pending.since = None;
        let (Some(parent), Some(stream)) = (&pending.parent, pending.stream) else {
            return;
        };
        if text.is_empty() {
            return;
        }
        pending.sent += text.len();
        let content = match stream {
            Stream::Stdout => StreamContent::stdout(&text),
            Stream::Stderr => StreamContent::stderr(&text),
        };
        let _ = self.iopub.send(content.as_child_of(parent));
    }

    /// Waits until text has waited [`BATCH_WAIT`] and sends it (or until a
    /// while has passed, so the timer notices the kernel's end).
    fn send_when_due(&self) {
        let mut pending = self.lock();
        let wait = match pending.since {
            Some(since) => BATCH_WAIT.saturating_sub(since.elapsed()),
            None => Duration::from_secs(1),
        };
        if wait.is_zero() {
            self.send(&mut pending);
            return;
        }
        let _ = self
            .waiting
            .wait_timeout(pending, wait)
            .unwrap_or_else(|e| e.into_inner());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jupyter_protocol::{ExecuteRequest, JupyterMessageContent};
    use tokio::sync::mpsc;

    fn cell() -> JupyterMessage {
        JupyterMessage::new(ExecuteRequest::new("loop {}".into()), None)
    }

    fn texts(queued: &mut mpsc::UnboundedReceiver<JupyterMessage>) -> Vec<String> {
        let mut found = Vec::new();
        while let Ok(message) = queued.try_recv() {
            if let JupyterMessageContent::StreamContent(s) = message.content {
                found.push(s.text);
            }
        }
        found
    }

    #[test]
    fn lines_go_out_together_and_in_order_across_streams() {
        let (iopub, mut queued) = mpsc::unbounded_channel();
        let streams = Streams::new(iopub, DEFAULT_CAP);
        let parent = cell();
        for n in 0..1000 {
            streams.line(&parent, Stream::Stdout, &format!("line {n}"));
        }
        streams.line(&parent, Stream::Stderr, "an error");
        streams.line(&parent, Stream::Stdout, "after it");
        streams.end_cell();
        let sent = texts(&mut queued);
        assert_eq!(sent.len(), 3, "{sent:?}");
        assert!(sent[0].starts_with("line 0\nline 1\n") && sent[0].ends_with("line 999\n"));
        assert_eq!(sent[1..], ["an error\n", "after it\n"]);
    }

    #[test]
    fn output_past_the_cap_is_counted_and_said_not_sent() {
        let (iopub, mut queued) = mpsc::unbounded_channel();
        let streams = Streams::new(iopub, 1024 * 1024);
        let parent = cell();
        let line = "x".repeat(99);
        for _ in 0..100_000 {
            streams.line(&parent, Stream::Stdout, &line);
        }
        streams.end_cell();
        let sent = texts(&mut queued);
        let total: usize = sent.iter().map(String::len).sum();
        assert!(total < 1024 * 1024 + 1024, "{total} bytes sent");
        assert!(sent.iter().all(|t| t.len() <= BATCH_BYTES + 100));
        let notes: Vec<&String> = sent.iter().filter(|t| t.starts_with('[')).collect();
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("output cut after 1 MB"), "{}", notes[0]);
        // 100,000 lines of 100 bytes; 10,485 fit in 1 MB.
        assert!(
            notes[1].contains("in 89515 lines") && notes[1].contains("8.5 MB"),
            "{}",
            notes[1]
        );
    }

    #[test]
    fn a_lone_line_goes_out_after_the_batch_wait() {
        let (iopub, mut queued) = mpsc::unbounded_channel();
        let streams = Streams::new(iopub, DEFAULT_CAP);
        streams.line(&cell(), Stream::Stdout, "soon");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let sent = texts(&mut queued);
            if !sent.is_empty() {
                assert_eq!(sent, ["soon\n"]);
                break;
            }
            assert!(Instant::now() < deadline, "the line never went out");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
