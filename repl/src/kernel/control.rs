//! The control socket: `kernel_info`, interrupts and shutdowns, answered
//! even while a cell runs on the shell side.

use std::sync::Arc;

use jupyter_protocol::{InterruptReply, JupyterMessageContent, ReplyStatus, ShutdownReply};
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
        let reply = match &message.content {
            JupyterMessageContent::KernelInfoRequest(_) => {
                info::kernel_info().as_child_of(&message)
            }
            JupyterMessageContent::InterruptRequest(_) => {
                kernel.interrupt();
                InterruptReply::new().as_child_of(&message)
            }
            JupyterMessageContent::ShutdownRequest(request) => {
                // A cell may be busy: stop it at once, or the shell loop
                // (and the runtime) would not notice the shutdown.
                kernel.interrupter.interrupt_now();
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
}
