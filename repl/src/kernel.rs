//! The Jupyter kernel: the wire protocol ([`jupyter_protocol`] messages over
//! ZeroMQ sockets from [`jupyter_zmq_client`]) in front of the same
//! [`Session`] the terminal uses.
//!
//! Threads and tasks, a module each:
//! - tokio tasks read the [`shell`] and [`control`] sockets and answer the
//!   [`heartbeat`]; one task owns the [`iopub`] socket and sends what the
//!   others queue, in order;
//! - the session runs cells on a thread of its own ([`worker`]: a cell may
//!   take long, and evcxr is synchronous); the control task can still
//!   interrupt it; [`results`] turns what a cell gave into Jupyter messages;
//! - a forwarder thread turns the runtime's output lines into `stream`
//!   messages for the cell that is running or that ran last, batched and
//!   capped per cell ([`streams`]);
//! - a task watches the front end and ends the kernel when it is gone
//!   without a shutdown request ([`front_end`]).
//!
//! Every incoming message must carry a valid HMAC signature made with the
//! connection file's key and scheme; one that does not is logged and dropped.
//! The sockets themselves ([`sockets`]) refuse oversized messages before any
//! key is checked.

mod control;
pub mod doctor;
mod front_end;
mod heartbeat;
pub mod info;
pub mod install;
mod iopub;
pub mod log;
mod results;
mod shell;
pub mod sockets;
pub mod stdin;
pub mod streams;
pub mod wire;
mod worker;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context as _, Result};
use jupyter_protocol::{ConnectionInfo, JupyterMessage};
use tokio::sync::{mpsc, oneshot};

use crate::session::Options;
use crate::session::interrupt::Interrupter;
use crate::session::output::Stream;

/// Serves the kernel described by `connection_file` until a shutdown request;
/// `first_start`: the session's build folder has no prelude compiled yet.
pub fn run(connection_file: &Path, options: Options, first_start: bool) -> Result<()> {
    let text = std::fs::read_to_string(connection_file)
        .with_context(|| format!("cannot read {}", connection_file.display()))?;
    let info: ConnectionInfo = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a connection file", connection_file.display()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start tokio")?;
    runtime.block_on(serve(info, options, first_start))
}

/// What the shell, control and session sides share.
struct Kernel {
    /// Messages for the iopub socket, sent in this order.
    iopub: mpsc::UnboundedSender<JupyterMessage>,
    /// The runtime's output, on its way to iopub in batches.
    streams: streams::Streams,
    /// The cell that output lines belong to: the one running, or the last.
    parent: Arc<Mutex<Option<JupyterMessage>>>,
    /// Stops the current cell, at any moment.
    interrupter: Interrupter,
    /// How far the session's start is (see [`Start`]).
    start: Mutex<Start>,
    /// Asks the front end for a line when a cell reads stdin.
    stdin: stdin::Asker,
    /// Whether the current cell's front end takes input.
    allow_stdin: AtomicBool,
    /// What the first cell says before its output: a note on the toolchain
    /// that only the kernel's log would otherwise hold.
    first_cell_note: Mutex<Option<&'static str>>,
}

async fn serve(info: ConnectionInfo, options: Options, first_start: bool) -> Result<()> {
    let session_id = uuid::Uuid::new_v4().to_string();
    let sockets::Sockets {
        shell,
        control,
        stdin: stdin_socket,
        iopub: iopub_socket,
        heartbeat,
    } = sockets::bind(&info, &session_id).await?;
    let (shell_writer, shell_reader) = shell.split();
    log::routine(&format!(
        "listening on {}:{} (shell)",
        info.ip, info.shell_port
    ));

    let (iopub, iopub_flush) = iopub::start(iopub_socket);
    tokio::spawn(heartbeat::beat(heartbeat));

    let kernel = Arc::new(Kernel {
        streams: streams::Streams::new(iopub.clone(), streams::Streams::cap_from_env()),
        iopub,
        parent: Arc::default(),
        interrupter: options.interrupter.clone(),
        start: Mutex::default(),
        stdin: stdin::serve(stdin_socket),
        allow_stdin: AtomicBool::new(false),
        first_cell_note: Mutex::new(crate::session::toolchain::missing_rust_src()),
    });
    let jobs = worker::start_session(options, kernel.clone(), first_start);

    let (shutdown, shutdown_requested) = oneshot::channel::<()>();
    tokio::spawn(control::serve(control, kernel.clone(), shutdown));
    // A shutdown request, or the front end gone without one.
    let (leave, leaving) = oneshot::channel::<()>();
    tokio::spawn(async move {
        tokio::select! {
            _ = shutdown_requested => {}
            () = front_end::gone() => {}
        }
        let _ = leave.send(());
    });

    shell::serve(shell_reader, shell_writer, &kernel, &jobs, leaving).await;
    // What is queued (the last idle) goes out before the kernel ends.
    iopub_flush.flush().await;
    Ok(())
}

impl Kernel {
    /// A line the runtime printed, for a `stream` message of the current cell.
    fn stream(&self, stream: Stream, text: String) {
        // Under the lock, not a copy of the message per line: a cell may
        // print a million lines.
        let parent = self.parent.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(parent) = parent.as_ref() {
            self.streams.line(parent, stream, &text);
        }
    }

    /// The first cell's note, on stderr, once.
    fn first_cell(&self) {
        let note = self
            .first_cell_note
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(note) = note {
            self.stream(Stream::Stderr, note.to_string());
        }
    }

    /// A line for the current cell, which reads stdin: from an input box in
    /// the front end if it takes input, else an empty line and a note why.
    fn input(&self, prompt: &str) -> String {
        let parent = self
            .parent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let Some(parent) = parent else {
            return String::new();
        };
        if !self.allow_stdin.load(Ordering::SeqCst) {
            self.stream(
                Stream::Stderr,
                "This cell reads stdin, but its front end takes no input (allow_stdin is \
                 false): it got an empty line."
                    .into(),
            );
            return String::new();
        }
        self.stdin
            .ask(&parent, prompt, &self.interrupter)
            .unwrap_or_default()
    }

    /// Stops the current cell (see [`crate::session::interrupt`]); at rest, nothing
    /// happens.
    fn interrupt(&self) {
        self.interrupter.interrupt();
    }

    /// One of cargo's "Compiling …" lines (the session's start, a `:dep`):
    /// in the kernel's log, and in the cell that runs or waits.
    fn building(&self, line: &str) {
        log::routine(line);
        let mut start = self.start.lock().unwrap_or_else(|e| e.into_inner());
        if *start == Start::Starting {
            *start = Start::Compiling;
            self.stream(
                Stream::Stderr,
                "Building the prelude in this build folder, once (a few minutes)…".into(),
            );
        }
        self.stream(Stream::Stderr, line.to_string());
    }

    /// The session has started (or failed to) after `took`.
    fn started(&self, took: Duration, ok: bool) {
        let verdict = if ok { "ready" } else { "failed" };
        let line = format!("session {verdict} in {:.1} s", took.as_secs_f64());
        log::routine(&line);
        let mut start = self.start.lock().unwrap_or_else(|e| e.into_inner());
        if *start == Start::Compiling {
            self.stream(Stream::Stderr, format!("The {line}."));
        }
        *start = Start::Done;
    }
}

/// How far the session's start is.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Start {
    /// Started, nothing compiled yet.
    #[default]
    Starting,
    /// It compiles dependencies: the waiting cell shows them.
    Compiling,
    /// Ready, or failed.
    Done,
}
