//! The shell socket: each request answered in turn — a cell is run by the
//! session thread ([`super::worker`]) while its outputs go out on iopub.

use std::collections::VecDeque;
use std::time::Duration;

use jupyter_protocol::{
    CommInfoReply, ExecuteInput, ExecuteReply, ExecuteRequest, ExecutionCount, HistoryReply,
    InspectReply, IsCompleteReply, IsCompleteReplyStatus, JupyterMessage, JupyterMessageContent,
    Media, ReplyStatus, Status,
};
use jupyter_zmq_client::Connection;
use tokio::sync::oneshot;

use super::results::failure;
use super::wire::{self, Incoming};
use super::worker::Job;
use super::{Kernel, info};
use crate::cell::input::{Completeness, completeness};
use crate::session::interrupt::Current;
use crate::session::reply::{Failure, Reply};

/// Answers shell requests until the socket closes or a shutdown comes.
pub(super) async fn serve<R: zeromq::SocketRecv, W: zeromq::SocketSend>(
    mut shell_reader: Connection<R>,
    mut shell_writer: Connection<W>,
    kernel: &Kernel,
    jobs: &std::sync::mpsc::Sender<Job>,
    mut shutdown_requested: oneshot::Receiver<()>,
) {
    let mut count = ExecutionCount::new(0);
    // Requests read ahead of their turn when a cell stopped the queue (see
    // `stops_the_queue`): the execute requests among them are aborted.
    let mut backlog: VecDeque<Incoming> = VecDeque::new();
    loop {
        let (read, queued_behind_an_error) = match backlog.pop_front() {
            Some(read) => (Some(read), true),
            None => tokio::select! {
                read = wire::next(&mut shell_reader, "shell") => (read, false),
                _ = &mut shutdown_requested => break,
            },
        };
        let message = match read {
            Some(Incoming::Request(message)) => message,
            Some(Incoming::Malformed { parent, why }) => {
                // Busy and idle around it, as around any request.
                let _ = kernel.iopub.send(Status::busy().as_child_of(&parent));
                if let Some(reply) = refuse(kernel, &parent, &why, count)
                    && let Err(e) = shell_writer.send(reply).await
                {
                    eprintln!("multitask kernel: cannot reply on shell: {e}");
                }
                let _ = kernel.iopub.send(Status::idle().as_child_of(&parent));
                continue;
            }
            None => break,
        };
        let execute = match &message.content {
            JupyterMessageContent::ExecuteRequest(request) => Some(request),
            _ => None,
        };
        if queued_behind_an_error && execute.is_some() {
            let _ = kernel.iopub.send(Status::busy().as_child_of(&message));
            let reply = ExecuteReply {
                status: ReplyStatus::Aborted,
                execution_count: count,
                ..ExecuteReply::default()
            };
            if let Err(e) = shell_writer.send(reply.as_child_of(&message)).await {
                eprintln!("multitask kernel: cannot reply on shell: {e}");
            }
            let _ = kernel.iopub.send(Status::idle().as_child_of(&message));
            continue;
        }
        // Jupyter's default; JupyterLab clears it only for cells tagged
        // `raises-exception`.
        let stops_the_queue = execute.is_some_and(|r| r.stop_on_error && !r.silent);
        // A cell is current from before the client hears it is busy: an
        // interrupt sent on seeing `busy` always finds it.
        let current = execute.is_some().then(|| kernel.interrupter.cell());
        let _ = kernel.iopub.send(Status::busy().as_child_of(&message));
        // A shutdown also ends a cell that is busy, or still waiting for the
        // session to start: nothing waits for its reply.
        let reply = tokio::select! {
            reply = answer(kernel, jobs, &message, &mut count, current) => reply,
            _ = &mut shutdown_requested => break,
        };
        if let Some(reply) = reply {
            let failed = matches!(
                &reply.content,
                JupyterMessageContent::ExecuteReply(r) if matches!(r.status, ReplyStatus::Error)
            );
            if stops_the_queue && failed {
                // As ipykernel does, Run All stops at the first error: the
                // execute requests that came before this reply goes out
                // (the client cannot have sent them knowing of the error)
                // are answered `aborted`, the other requests in their turn.
                backlog.extend(queued(&mut shell_reader).await);
            }
            if let Err(e) = shell_writer.send(reply).await {
                eprintln!("multitask kernel: cannot reply on shell: {e}");
            }
        }
        let _ = kernel.iopub.send(Status::idle().as_child_of(&message));
    }
}

/// The requests that have arrived and wait to be read, without waiting for
/// more (a socket that closed meanwhile is found closed by the next read).
async fn queued<R: zeromq::SocketRecv>(reader: &mut Connection<R>) -> Vec<Incoming> {
    let mut found = Vec::new();
    while let Ok(Some(read)) = tokio::time::timeout(QUEUED, wire::next(reader, "shell")).await {
        found.push(read);
    }
    found
}

/// How long [`queued`] waits for the next request that has arrived (the
/// socket's reader hands over what it holds at once).
const QUEUED: Duration = Duration::from_millis(1);

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
        JupyterMessageContent::KernelInfoRequest(_) => {
            Some(info::kernel_info().as_child_of(message))
        }
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
            let reply = ask(jobs, |done| Job::Complete {
                code: request.code.clone(),
                cursor: request.cursor_pos,
                done,
            })
            .await;
            Some(reply.unwrap_or_default().as_child_of(message))
        }
        JupyterMessageContent::InspectRequest(request) => {
            let reply = ask(jobs, |done| Job::Inspect {
                code: request.code.clone(),
                cursor: request.cursor_pos,
                done,
            })
            .await;
            let reply = reply.unwrap_or(InspectReply {
                found: false,
                data: Media::default(),
                metadata: Default::default(),
                status: ReplyStatus::Ok,
                error: None,
            });
            Some(reply.as_child_of(message))
        }
        JupyterMessageContent::HistoryRequest(_) => Some(no_history().as_child_of(message)),
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

/// The answer to a signed request whose content does not fit its type (the
/// caller sends `busy` before and `idle` after): an `execute_request` gets
/// an error reply saying what is wrong, after its `error` output on iopub
/// (its client waits for one); a `history_request` the protocol crate cannot
/// read (jupyter_client's own `history()` leaves out `stop`) gets the
/// history the kernel keeps, none; the others are only logged.
fn refuse(
    kernel: &Kernel,
    parent: &JupyterMessage,
    why: &str,
    count: ExecutionCount,
) -> Option<JupyterMessage> {
    let kind = &parent.header.msg_type;
    eprintln!("multitask kernel: a malformed {kind}: {why}");
    if kind == "history_request" {
        return Some(no_history().as_child_of(parent));
    }
    if kind != "execute_request" {
        return None;
    }
    let evalue = format!("this execute_request cannot run: {why}");
    let failed = Failure {
        ename: "MalformedRequest".into(),
        traceback: vec![format!("\x1b[91mMalformedRequest\x1b[0m: {evalue}")],
        evalue,
    };
    Some(failure(kernel, parent, failed, count).as_child_of(parent))
}

/// The history the kernel keeps: none (the notebook is the history).
fn no_history() -> HistoryReply {
    HistoryReply {
        history: Vec::new(),
        status: ReplyStatus::Ok,
        error: None,
    }
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

/// Jupyter's answer to "is this code a whole cell yet?"
/// Hands the session thread a job that answers on a channel; its answer,
/// or `None` if the session thread is gone.
async fn ask<R>(
    jobs: &std::sync::mpsc::Sender<Job>,
    job: impl FnOnce(oneshot::Sender<R>) -> Job,
) -> Option<R> {
    let (done, answer) = oneshot::channel();
    jobs.send(job(done)).ok()?;
    answer.await.ok()
}

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
}
