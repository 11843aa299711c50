//! The control socket: `kernel_info`, interrupts and shutdowns, answered
//! even while a cell runs on the shell side. As on the shell, every request
//! is bracketed by `busy` and `idle` on iopub (ipykernel does; VS Code's
//! Jupyter extension waits for them after its `kernel_info` on control).

use std::sync::Arc;

use jupyter_protocol::{InterruptReply, JupyterMessageContent, ReplyStatus, ShutdownReply, Status};
use jupyter_zmq_client::KernelControlConnection;
use tokio::sync::oneshot;

use super::wire::{self, Incoming};
use super::{Kernel, info};

/// Answers control requests until the socket closes; a shutdown request
/// stops the current cell at once and fires `shutdown`.
pub(super) async fn serve(
    mut control: KernelControlConnection,
    kernel: Arc<Kernel>,
    shutdown: oneshot::Sender<()>,
) {
    let mut shutdown = Some(shutdown);
    loop {
        let message = match wire::next(&mut control, "control").await {
            Some(Incoming::Request(message)) => message,
            Some(Incoming::Malformed { parent, why }) => {
                eprintln!(
                    "multitask kernel: dropped a malformed {} on control: {why}",
                    parent.header.msg_type
                );
                continue;
            }
            None => break,
        };
        // Busy and idle around every request, as on the shell.
        let _ = kernel.iopub.send(Status::busy().as_child_of(&message));
        let mut leaving = false;
        let reply = match &message.content {
            JupyterMessageContent::KernelInfoRequest(_) => {
                Some(info::kernel_info().as_child_of(&message))
            }
            JupyterMessageContent::InterruptRequest(_) => {
                kernel.interrupt();
                Some(InterruptReply::new().as_child_of(&message))
            }
            JupyterMessageContent::ShutdownRequest(request) => {
                // A cell may be busy: stop it at once, or the shell loop
                // (and the runtime) would not notice the shutdown.
                kernel.interrupter.interrupt_now();
                leaving = true;
                Some(
                    ShutdownReply {
                        restart: request.restart,
                        status: ReplyStatus::Ok,
                        error: None,
                    }
                    .as_child_of(&message),
                )
            }
            _ => None,
        };
        if let Some(reply) = reply
            && let Err(e) = control.send(reply).await
        {
            eprintln!("multitask kernel: cannot reply on control: {e}");
        }
        let _ = kernel.iopub.send(Status::idle().as_child_of(&message));
        if leaving && let Some(shutdown) = shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
