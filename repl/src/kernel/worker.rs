//! The session thread: it starts the session in the background and runs
//! what the shell hands it, one job at a time (evcxr is synchronous).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use jupyter_protocol::{
    CompleteReply, ExecuteReply, ExecutionCount, InspectReply, JupyterMessage, Media, MediaType,
    ReplyStatus,
};
use tokio::sync::oneshot;

use super::Kernel;
use super::results::result;
use crate::session::background::Background;
use crate::session::interrupt::Current;
use crate::session::reply::Reply;
use crate::session::{Hooks, Options, Session};

/// What the session thread is asked to do.
pub(super) enum Job {
    Execute {
        code: String,
        parent: Box<JupyterMessage>,
        count: ExecutionCount,
        /// Whether the front end takes input for this cell.
        allow_stdin: bool,
        /// The cell, current from its arrival to its reply (see
        /// [`crate::session::interrupt`]).
        current: Current,
        done: oneshot::Sender<ExecuteReply>,
    },
    Complete {
        code: String,
        cursor: usize,
        done: oneshot::Sender<CompleteReply>,
    },
    Inspect {
        code: String,
        cursor: usize,
        done: oneshot::Sender<InspectReply>,
    },
}

/// Starts the session thread (`first_start`: the prelude compiles first);
/// returns where to send it jobs.
pub(super) fn start_session(
    options: Options,
    kernel: Arc<Kernel>,
    first_start: bool,
) -> std::sync::mpsc::Sender<Job> {
    let (jobs, queue) = std::sync::mpsc::channel::<Job>();
    let interrupter = kernel.interrupter.clone();
    let background = {
        let kernel = kernel.clone();
        Background::spawn(
            move || {
                super::log::routine(if first_start {
                    "starting the session (a first start here: the prelude compiles first)"
                } else {
                    "starting the session"
                });
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
            },
            &interrupter,
        )
    };
    let session_thread = std::thread::Builder::new().name("session".into());
    let spawned = session_thread.spawn(move || {
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
                    kernel.first_cell();
                    let reply = match background.session_for(&kernel.interrupter) {
                        Ok(Some(mut session)) => session.execute(&code),
                        Ok(None) => Reply::NotRun,
                        Err(why) => Reply::Error(format!("the session could not start: {why}")),
                    };
                    // What the cell printed goes out before its result.
                    kernel.streams.end_cell();
                    let reply = result(&kernel, &parent, reply, count);
                    // The cell stops being current before its reply goes
                    // out: the shell may mark the next cell as soon as it
                    // has the reply.
                    drop(current);
                    let _ = done.send(reply);
                }
                Job::Complete { code, cursor, done } => match background.session() {
                    Ok(mut session) => {
                        let _ = done.send(completions(&mut session, &code, cursor));
                        // Replied; now the seconds of rust-analyzer's first
                        // analysis, so the next Tab has all it knows.
                        session.warm_up_completions();
                    }
                    Err(_) => {
                        let _ = done.send(CompleteReply::default());
                    }
                },
                Job::Inspect { code, cursor, done } => {
                    let found = match background.session() {
                        Ok(mut session) => session.inspect(&code, byte_at(&code, cursor)),
                        Err(_) => None,
                    };
                    let _ = done.send(inspection(found));
                }
            }
        }
    });
    // Without it the kernel could answer nothing: the OS refused a thread.
    spawned.expect("cannot start the session thread");
    jobs
}

/// The byte offset of the `chars`-th character of `code`: Jupyter counts a
/// cursor in characters.
fn byte_at(code: &str, chars: usize) -> usize {
    code.char_indices()
        .nth(chars)
        .map_or(code.len(), |(byte, _)| byte)
}

/// Shift-Tab's answer: rust-analyzer's hover for the name at the cursor,
/// as text and HTML.
fn inspection(found: Option<(String, String)>) -> InspectReply {
    let data = match &found {
        Some((plain, html)) => Media::new(vec![
            MediaType::Plain(plain.clone()),
            MediaType::Html(html.clone()),
        ]),
        None => Media::default(),
    };
    InspectReply {
        found: found.is_some(),
        data,
        metadata: Default::default(),
        status: ReplyStatus::Ok,
        error: None,
    }
}

/// Completions at `cursor`, which Jupyter counts in characters (not bytes).
fn completions(session: &mut Session, code: &str, cursor: usize) -> CompleteReply {
    let (start, found) = session.completions_now(code, byte_at(code, cursor));
    let cursor_start = code[..start.min(code.len())].chars().count();
    // What JupyterLab's completer shows beside each match: its kind (the
    // icon) and its signature.
    let types: Vec<serde_json::Value> = found
        .iter()
        .map(|c| {
            serde_json::json!({
                "start": cursor_start,
                "end": cursor,
                "text": c.text,
                "type": c.kind,
                "signature": c.detail.clone().unwrap_or_default(),
            })
        })
        .collect();
    let mut metadata = serde_json::Map::new();
    metadata.insert(
        "_jupyter_types_experimental".to_string(),
        serde_json::Value::Array(types),
    );
    CompleteReply {
        matches: found.into_iter().map(|c| c.text).collect(),
        cursor_start,
        cursor_end: cursor,
        metadata,
        status: ReplyStatus::Ok,
        error: None,
    }
}
