//! The Jupyter kernel: the wire protocol ([`jupyter_protocol`] messages over
//! ZeroMQ sockets from [`jupyter_zmq_client`]) in front of the same
//! [`Session`] the terminal uses.
//!
//! Threads and tasks:
//! - tokio tasks read the shell and control sockets and answer the heartbeat;
//!   one task owns the iopub socket and sends what the others queue, in order;
//! - the session runs cells on a thread of its own (a cell may take long, and
//!   evcxr is synchronous); the control task can still interrupt it;
//! - a forwarder thread turns the runtime's output lines into `stream`
//!   messages for the cell that is running or that ran last.
//!
//! Every incoming message must carry a valid HMAC signature made with the
//! connection file's key and scheme; one that does not is logged and dropped.
//! The sockets themselves ([`sockets`]) refuse oversized messages before any
//! key is checked.

pub mod install;
pub mod sockets;
pub mod stdin;
pub mod wire;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context as _, Result};
use jupyter_protocol::{
    CodeMirrorMode, CommInfoReply, CompleteReply, ConnectionInfo, ErrorOutput, ExecuteInput,
    ExecuteReply, ExecuteRequest, ExecuteResult, ExecutionCount, HistoryReply, InspectReply,
    InterruptReply, IsCompleteReply, IsCompleteReplyStatus, JupyterMessage, JupyterMessageContent,
    KernelInfoReply, LanguageInfo, Media, ReplyError, ReplyStatus, ShutdownReply, Status,
    StreamContent,
};
use jupyter_zmq_client::RuntimeError;
use tokio::sync::{mpsc, oneshot};

use crate::background::Background;
use crate::input::{Completeness, completeness};
use crate::interrupt::{Current, Interrupter};
use crate::output::Stream;
use crate::reply::{Failure, Reply};
use crate::session::{Hooks, Options, Session};
use wire::Incoming;

/// Serves the kernel described by `connection_file` until a shutdown request.
pub fn run(connection_file: &Path, options: Options) -> Result<()> {
    let text = std::fs::read_to_string(connection_file)
        .with_context(|| format!("cannot read {}", connection_file.display()))?;
    let info: ConnectionInfo = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a connection file", connection_file.display()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start tokio")?;
    runtime.block_on(serve(info, options))
}

/// What the session thread is asked to do.
enum Job {
    Execute {
        code: String,
        parent: Box<JupyterMessage>,
        count: ExecutionCount,
        /// Whether the front end takes input for this cell.
        allow_stdin: bool,
        /// The cell, current from its arrival to its reply (see
        /// [`crate::interrupt`]).
        current: Current,
        done: oneshot::Sender<ExecuteReply>,
    },
    Complete {
        code: String,
        cursor: usize,
        done: oneshot::Sender<CompleteReply>,
    },
}

/// What the shell, control and session sides share.
struct Kernel {
    /// Messages for the iopub socket, sent in this order.
    iopub: mpsc::UnboundedSender<JupyterMessage>,
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
}

async fn serve(info: ConnectionInfo, options: Options) -> Result<()> {
    let session_id = uuid::Uuid::new_v4().to_string();
    let sockets::Sockets {
        shell,
        mut control,
        stdin: stdin_socket,
        iopub: mut iopub_socket,
        heartbeat,
    } = sockets::bind(&info, &session_id).await?;
    let (mut shell_writer, mut shell_reader) = shell.split();
    eprintln!(
        "multitask kernel: listening on {}:{} (shell)",
        info.ip, info.shell_port
    );

    let (iopub, mut iopub_queue) = mpsc::unbounded_channel::<JupyterMessage>();
    tokio::spawn(async move {
        while let Some(message) = iopub_queue.recv().await {
            if let Err(e) = iopub_socket.send(message).await {
                eprintln!("multitask kernel: cannot send on iopub: {e}");
            }
        }
    });
    tokio::spawn(beat(heartbeat));

    let kernel = Arc::new(Kernel {
        iopub,
        parent: Arc::default(),
        interrupter: options.interrupter.clone(),
        start: Mutex::default(),
        stdin: stdin::serve(stdin_socket),
        allow_stdin: AtomicBool::new(false),
    });
    let jobs = start_session(options, kernel.clone());

    let (shutdown, mut shutdown_requested) = oneshot::channel::<()>();
    let control_kernel = kernel.clone();
    tokio::spawn(async move {
        let mut shutdown = Some(shutdown);
        loop {
            let message = match wire::read(&mut control).await {
                Ok(Incoming::Request(message)) => message,
                Ok(Incoming::Malformed { parent, why }) => {
                    eprintln!(
                        "multitask kernel: dropped a malformed {} on control: {why}",
                        parent.header.msg_type
                    );
                    continue;
                }
                Err(e) if is_bad_message(&e) => {
                    eprintln!(
                        "multitask kernel: dropped a control message: {}",
                        why_rejected(&e)
                    );
                    continue;
                }
                Err(e) => {
                    eprintln!("multitask kernel: control socket closed: {e}");
                    break;
                }
            };
            let reply = match &message.content {
                JupyterMessageContent::KernelInfoRequest(_) => kernel_info().as_child_of(&message),
                JupyterMessageContent::InterruptRequest(_) => {
                    control_kernel.interrupt();
                    InterruptReply::new().as_child_of(&message)
                }
                JupyterMessageContent::ShutdownRequest(request) => {
                    // A cell may be busy: stop it at once, or the shell loop
                    // (and the runtime) would not notice the shutdown.
                    control_kernel.interrupter.interrupt_now();
                    let reply = ShutdownReply {
                        restart: request.restart,
                        status: ReplyStatus::Ok,
                        error: None,
                    }
                    .as_child_of(&message);
                    let _ = control.send(reply).await;
                    if let Some(shutdown) = shutdown.take() {
                        let _ = shutdown.send(());
                    }
                    continue;
                }
                _ => continue,
            };
            if let Err(e) = control.send(reply).await {
                eprintln!("multitask kernel: cannot reply on control: {e}");
            }
        }
    });

    let mut count = ExecutionCount::new(0);
    loop {
        let message = tokio::select! {
            read = wire::read(&mut shell_reader) => match read {
                Ok(Incoming::Request(message)) => message,
                Ok(Incoming::Malformed { parent, why }) => {
                    if let Some(reply) = refuse(&kernel, &parent, &why, count) {
                        if let Err(e) = shell_writer.send(reply).await {
                            eprintln!("multitask kernel: cannot reply on shell: {e}");
                        }
                        let _ = kernel.iopub.send(Status::idle().as_child_of(&parent));
                    }
                    continue;
                }
                Err(e) if is_bad_message(&e) => {
                    eprintln!("multitask kernel: dropped a shell message: {}", why_rejected(&e));
                    continue;
                }
                Err(e) => {
                    eprintln!("multitask kernel: shell socket closed: {e}");
                    break;
                }
            },
            _ = &mut shutdown_requested => break,
        };
        // A cell is current from before the client hears it is busy: an
        // interrupt sent on seeing `busy` always finds it.
        let current = matches!(message.content, JupyterMessageContent::ExecuteRequest(_))
            .then(|| kernel.interrupter.cell());
        let _ = kernel.iopub.send(Status::busy().as_child_of(&message));
        // A shutdown also ends a cell that is busy, or still waiting for the
        // session to start: nothing waits for its reply.
        let reply = tokio::select! {
            reply = answer(&kernel, &jobs, &message, &mut count, current) => reply,
            _ = &mut shutdown_requested => break,
        };
        if let Some(reply) = reply
            && let Err(e) = shell_writer.send(reply).await
        {
            eprintln!("multitask kernel: cannot reply on shell: {e}");
        }
        let _ = kernel.iopub.send(Status::idle().as_child_of(&message));
    }
    // Give the iopub task a moment to send what is queued (the last idle).
    tokio::time::sleep(Duration::from_millis(100)).await;
    Ok(())
}

/// Answers the heartbeat for as long as the kernel runs. A peer that sends
/// something odd, or leaves before its pong, is dropped (by the socket) and
/// forgotten (here): one bad peer must not stop the heartbeat, or Jupyter
/// would take the kernel for dead.
async fn beat(mut heartbeat: jupyter_zmq_client::KernelHeartbeatConnection) {
    use zeromq::{SocketRecv as _, SocketSend as _};
    loop {
        let ping = match heartbeat.socket.recv().await {
            Ok(ping) => ping,
            Err(zeromq::ZmqError::NoMessage) => {
                // No peer at all: nothing to answer yet.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
            Err(e) => {
                eprintln!("multitask kernel: dropped a heartbeat peer: {e}");
                continue;
            }
        };
        // The heartbeat echoes what it got, as ipykernel's does.
        if let Err(e) = heartbeat.socket.send(ping).await {
            eprintln!("multitask kernel: cannot answer a heartbeat: {e}");
        }
    }
}

/// The answer to one shell request (`None`: none is due); `current` is the
/// cell an execute request is, marked before the kernel said busy.
async fn answer(
    kernel: &Kernel,
    jobs: &std::sync::mpsc::Sender<Job>,
    message: &JupyterMessage,
    count: &mut ExecutionCount,
    current: Option<Current>,
) -> Option<JupyterMessage> {
    match &message.content {
        JupyterMessageContent::KernelInfoRequest(_) => Some(kernel_info().as_child_of(message)),
        JupyterMessageContent::ExecuteRequest(request) => {
            if !request.silent && request.store_history {
                count.increment();
            }
            let current = current.expect("marked for an execute request");
            Some(execute(kernel, jobs, request, message, *count, current).await)
        }
        JupyterMessageContent::IsCompleteRequest(request) => {
            let status = is_complete(&request.code);
            let indent = match status {
                IsCompleteReplyStatus::Incomplete => "    ",
                _ => "",
            };
            Some(IsCompleteReply::new(status, indent.to_string()).as_child_of(message))
        }
        JupyterMessageContent::CompleteRequest(request) => {
            let (done, reply) = oneshot::channel();
            let job = Job::Complete {
                code: request.code.clone(),
                cursor: request.cursor_pos,
                done,
            };
            let reply = match jobs.send(job) {
                Ok(()) => reply.await.unwrap_or_default(),
                Err(_) => CompleteReply::default(),
            };
            Some(reply.as_child_of(message))
        }
        JupyterMessageContent::InspectRequest(_) => Some(
            InspectReply {
                found: false,
                data: Media::default(),
                metadata: Default::default(),
                status: ReplyStatus::Ok,
                error: None,
            }
            .as_child_of(message),
        ),
        JupyterMessageContent::HistoryRequest(_) => Some(
            HistoryReply {
                history: Vec::new(),
                status: ReplyStatus::Ok,
                error: None,
            }
            .as_child_of(message),
        ),
        JupyterMessageContent::CommInfoRequest(_) => Some(
            CommInfoReply {
                status: ReplyStatus::Ok,
                comms: Default::default(),
                error: None,
            }
            .as_child_of(message),
        ),
        other => {
            eprintln!(
                "multitask kernel: no answer for a {} message",
                other.message_type()
            );
            None
        }
    }
}

/// The answer to a signed request whose content does not fit its type:
/// an `execute_request` gets an error reply saying what is wrong (its client
/// waits for one), after `busy` and its `error` output on iopub (the caller
/// sends `idle` after the reply); the others are only logged.
fn refuse(
    kernel: &Kernel,
    parent: &JupyterMessage,
    why: &str,
    count: ExecutionCount,
) -> Option<JupyterMessage> {
    let kind = &parent.header.msg_type;
    eprintln!("multitask kernel: a malformed {kind}: {why}");
    if kind != "execute_request" {
        return None;
    }
    let _ = kernel.iopub.send(Status::busy().as_child_of(parent));
    let evalue = format!("this execute_request cannot run: {why}");
    let failed = Failure {
        ename: "MalformedRequest".into(),
        traceback: vec![format!("\x1b[91mMalformedRequest\x1b[0m: {evalue}")],
        evalue,
    };
    Some(failure(kernel, parent, failed, count).as_child_of(parent))
}

/// Runs one `execute_request`: its input, outputs and result on iopub, its
/// reply for the shell.
async fn execute(
    kernel: &Kernel,
    jobs: &std::sync::mpsc::Sender<Job>,
    request: &ExecuteRequest,
    message: &JupyterMessage,
    count: ExecutionCount,
    current: Current,
) -> JupyterMessage {
    if !request.silent {
        let input = ExecuteInput {
            code: request.code.clone(),
            execution_count: count,
        };
        let _ = kernel.iopub.send(input.as_child_of(message));
    }
    let (done, reply) = oneshot::channel();
    let job = Job::Execute {
        code: request.code.clone(),
        parent: Box::new(message.clone()),
        count,
        allow_stdin: request.allow_stdin,
        current,
        done,
    };
    let reply = match jobs.send(job) {
        Ok(()) => reply.await.ok(),
        Err(_) => None,
    };
    let reply = reply.unwrap_or_else(|| {
        let failed = Reply::Error("the session thread has stopped".into())
            .failure()
            .expect("an error reply");
        failure(kernel, message, failed, count)
    });
    reply.as_child_of(message)
}

/// The `error` output of a cell and its failed reply.
fn failure(
    kernel: &Kernel,
    parent: &JupyterMessage,
    failed: Failure,
    count: ExecutionCount,
) -> ExecuteReply {
    let output = ErrorOutput {
        ename: failed.ename.clone(),
        evalue: failed.evalue.clone(),
        traceback: failed.traceback.clone(),
    };
    let _ = kernel.iopub.send(output.as_child_of(parent));
    ExecuteReply {
        status: ReplyStatus::Error,
        execution_count: count,
        payload: Vec::new(),
        user_expressions: None,
        error: Some(Box::new(ReplyError {
            ename: failed.ename,
            evalue: failed.evalue,
            traceback: failed.traceback,
        })),
    }
}

/// Starts the session thread; returns where to send it jobs.
fn start_session(options: Options, kernel: Arc<Kernel>) -> std::sync::mpsc::Sender<Job> {
    let (jobs, queue) = std::sync::mpsc::channel::<Job>();
    let background = {
        let kernel = kernel.clone();
        Background::spawn(move || {
            eprintln!(
                "multitask kernel: starting the session (the first start compiles the prelude)"
            );
            let started = std::time::Instant::now();
            let (building, output, input) = (kernel.clone(), kernel.clone(), kernel.clone());
            let session = Session::start(
                &options,
                Hooks {
                    // cargo's lines go to the kernel's log, and to the cell
                    // that waits for the session, as they come: a first
                    // start takes minutes.
                    build: Box::new(move |line| building.building(line)),
                    output: Box::new(move |stream, text| output.stream(stream, text)),
                    input: Box::new(move |prompt| input.input(prompt)),
                },
            );
            kernel.started(started.elapsed(), session.is_ok());
            session
        })
    };
    std::thread::spawn(move || {
        for job in queue {
            match job {
                Job::Execute {
                    code,
                    parent,
                    count,
                    allow_stdin,
                    current,
                    done,
                } => {
                    *kernel.parent.lock().unwrap_or_else(|e| e.into_inner()) =
                        Some((*parent).clone());
                    kernel.allow_stdin.store(allow_stdin, Ordering::SeqCst);
                    let reply = match background.session_for(&kernel.interrupter) {
                        Ok(Some(mut session)) => session.execute(&code),
                        Ok(None) => Reply::NotRun,
                        Err(why) => Reply::Error(format!("the session could not start: {why}")),
                    };
                    let _ = done.send(result(&kernel, &parent, reply, count));
                    drop(current);
                }
                Job::Complete { code, cursor, done } => {
                    let reply = match background.session() {
                        Ok(mut session) => completions(&mut session, &code, cursor),
                        Err(_) => CompleteReply::default(),
                    };
                    let _ = done.send(reply);
                }
            }
        }
    });
    jobs
}

/// Turns a cell's [`Reply`] into iopub messages and the shell's reply.
fn result(
    kernel: &Kernel,
    parent: &JupyterMessage,
    reply: Reply,
    count: ExecutionCount,
) -> ExecuteReply {
    let stream = |text: String| {
        let _ = kernel
            .iopub
            .send(StreamContent::stdout(&text).as_child_of(parent));
    };
    match reply {
        Reply::Value(output) => {
            if !output.values.is_empty() {
                match media(&output.values) {
                    Ok(data) => {
                        let result = ExecuteResult::new(count, data);
                        let _ = kernel.iopub.send(result.as_child_of(parent));
                    }
                    Err(e) => stream(format!("(a value that cannot be shown: {e})\n")),
                }
            }
            if let Some(timing) = output.timing.filter(|t| !t.phases.is_empty()) {
                stream(format!("{timing}\n"));
            }
            ExecuteReply {
                execution_count: count,
                ..ExecuteReply::default()
            }
        }
        Reply::Text(text) => {
            stream(format!("{text}\n"));
            ExecuteReply {
                execution_count: count,
                ..ExecuteReply::default()
            }
        }
        failed @ (Reply::Panicked(_)
        | Reply::KeyboardInterrupt { .. }
        | Reply::CompileErrors { .. }
        | Reply::Crashed { .. }
        | Reply::NotRun
        | Reply::Error(_)) => {
            let failed = failed.failure().expect("a failed reply");
            failure(kernel, parent, failed, count)
        }
        Reply::Quit => {
            stream("To stop this kernel, use Jupyter's own shutdown or restart.\n".into());
            ExecuteReply {
                execution_count: count,
                ..ExecuteReply::default()
            }
        }
    }
}

/// evcxr's values by MIME type as Jupyter media.
fn media(values: &HashMap<String, String>) -> Result<Media, serde_json::Error> {
    let map: serde_json::Map<String, serde_json::Value> = values
        .iter()
        .map(|(mime, data)| {
            let value = if mime.ends_with("json") {
                serde_json::from_str(data).unwrap_or_else(|_| data.clone().into())
            } else {
                data.clone().into()
            };
            (mime.clone(), value)
        })
        .collect();
    serde_json::from_value(serde_json::Value::Object(map))
}

/// Completions at `cursor`, which Jupyter counts in characters (not bytes).
fn completions(session: &mut Session, code: &str, cursor: usize) -> CompleteReply {
    let byte_at = |chars: usize| {
        code.char_indices()
            .nth(chars)
            .map_or(code.len(), |(byte, _)| byte)
    };
    let (start, matches) = session.completions(code, byte_at(cursor));
    CompleteReply {
        matches,
        cursor_start: code[..start.min(code.len())].chars().count(),
        cursor_end: cursor,
        metadata: Default::default(),
        status: ReplyStatus::Ok,
        error: None,
    }
}

/// Jupyter's answer to "is this code a whole cell yet?"
fn is_complete(code: &str) -> IsCompleteReplyStatus {
    if code.trim_start().starts_with(':') {
        return IsCompleteReplyStatus::Complete;
    }
    match completeness(code) {
        Completeness::Complete => IsCompleteReplyStatus::Complete,
        Completeness::Incomplete => IsCompleteReplyStatus::Incomplete,
        Completeness::Invalid => IsCompleteReplyStatus::Invalid,
    }
}

/// Messages that fail their signature or do not parse: dropped, and the
/// kernel goes on. Anything else means the socket is gone.
fn is_bad_message(error: &RuntimeError) -> bool {
    !matches!(error, RuntimeError::ZmqError(_))
}

/// Why a message was dropped, for the kernel's log.
fn why_rejected(error: &RuntimeError) -> String {
    match error {
        RuntimeError::VerifyError(_) => "its signature does not match the connection key".into(),
        RuntimeError::MissingHmac => "it has no signature".into(),
        other => other.to_string(),
    }
}

impl Kernel {
    /// A line the runtime printed, as a `stream` message of the current cell.
    fn stream(&self, stream: Stream, text: String) {
        let parent = self
            .parent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let Some(parent) = parent else { return };
        let text = format!("{text}\n");
        let content = match stream {
            Stream::Stdout => StreamContent::stdout(&text),
            Stream::Stderr => StreamContent::stderr(&text),
        };
        let _ = self.iopub.send(content.as_child_of(&parent));
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

    /// Stops the current cell (see [`crate::interrupt`]); at rest, nothing
    /// happens.
    fn interrupt(&self) {
        self.interrupter.interrupt();
    }

    /// One of cargo's "Compiling …" lines (the session's start, a `:dep`):
    /// in the kernel's log, and in the cell that runs or waits.
    fn building(&self, line: &str) {
        eprintln!("multitask kernel: {line}");
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
        eprintln!("multitask kernel: {line}");
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

/// What the kernel says about itself.
fn kernel_info() -> KernelInfoReply {
    KernelInfoReply {
        status: ReplyStatus::Ok,
        protocol_version: "5.3".to_string(),
        implementation: "multitask".to_string(),
        implementation_version: env!("CARGO_PKG_VERSION").to_string(),
        language_info: LanguageInfo {
            name: "rust".to_string(),
            version: rustc_version(),
            mimetype: Some("text/rust".to_string()),
            file_extension: Some(".rs".to_string()),
            pygments_lexer: Some("rust".to_string()),
            codemirror_mode: Some(CodeMirrorMode::Simple("rust".to_string())),
            nbconvert_exporter: Some("rust".to_string()),
        },
        banner: "multitask: Rust with the multitask prelude (Python's multitasking, the Rust way)"
            .to_string(),
        help_links: Vec::new(),
        debugger: false,
        error: None,
    }
}

/// The compiler's version, e.g. `1.95.0`, asked once.
fn rustc_version() -> String {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION
        .get_or_init(|| {
            std::process::Command::new("rustc")
                .arg("--version")
                .output()
                .ok()
                .and_then(|out| String::from_utf8(out.stdout).ok())
                .and_then(|text| text.split_whitespace().nth(1).map(str::to_string))
                .unwrap_or_else(|| "unknown".to_string())
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unclosed_code_is_incomplete_and_commands_are_complete() {
        assert!(matches!(
            is_complete("fn f() {"),
            IsCompleteReplyStatus::Incomplete
        ));
        assert!(matches!(
            is_complete("1 + 1"),
            IsCompleteReplyStatus::Complete
        ));
        assert!(matches!(
            is_complete(":vars"),
            IsCompleteReplyStatus::Complete
        ));
    }

    #[test]
    fn values_become_media_by_mime_type() {
        let values = HashMap::from([
            ("text/plain".to_string(), "2".to_string()),
            ("text/html".to_string(), "<b>2</b>".to_string()),
        ]);
        let media = serde_json::to_value(media(&values).unwrap()).unwrap();
        assert_eq!(media["text/plain"], "2");
        assert_eq!(media["text/html"], "<b>2</b>");
    }
}
