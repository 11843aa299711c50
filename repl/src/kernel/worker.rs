//! The session thread: it starts the session in the background and runs
//! what the shell hands it, one job at a time (evcxr is synchronous).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use jupyter_protocol::{CompleteReply, ExecuteReply, ExecutionCount, JupyterMessage, ReplyStatus};
use tokio::sync::oneshot;

use super::Kernel;
use super::results::result;
use crate::background::Background;
use crate::interrupt::Current;
use crate::reply::Reply;
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

/// Starts the session thread; returns where to send it jobs.
pub(super) fn start_session(options: Options, kernel: Arc<Kernel>) -> std::sync::mpsc::Sender<Job> {
    let (jobs, queue) = std::sync::mpsc::channel::<Job>();
    let interrupter = kernel.interrupter.clone();
    let background = {
        let kernel = kernel.clone();
        Background::spawn(
            move || {
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
            },
            &interrupter,
        )
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
