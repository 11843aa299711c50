//! The stdin channel: a line for a cell that reads stdin, asked of the
//! front end with an `input_request` (Jupyter shows an input box) and
//! answered by its `input_reply`.
//!
//! The runtime notices the read (see `vendor/evcxr/src/runtime_stdin.rs`);
//! evcxr asks the session, the session asks [`Asker::ask`] on its own
//! thread, and the task [`serve`] starts does the talking.

use std::time::Duration;

use jupyter_protocol::{InputRequest, JupyterMessage, JupyterMessageContent};
use jupyter_zmq_client::KernelStdinConnection;
use tokio::sync::{mpsc, oneshot};

use super::wire::{self, Incoming};
use crate::session::interrupt::Interrupter;

/// One request for a line.
struct Ask {
    /// The `execute_request` of the cell that reads.
    parent: JupyterMessage,
    prompt: String,
    answer: oneshot::Sender<String>,
}

/// Asks the front end for lines; cloned freely.
#[derive(Clone)]
pub struct Asker {
    asks: mpsc::UnboundedSender<Ask>,
}

/// Serves the stdin channel from a task of its own.
pub fn serve(mut stdin: KernelStdinConnection) -> Asker {
    let (asks, mut queue) = mpsc::unbounded_channel::<Ask>();
    tokio::spawn(async move {
        while let Some(mut ask) = queue.recv().await {
            let request = InputRequest {
                prompt: ask.prompt.clone(),
                password: false,
            }
            .as_child_of(&ask.parent);
            let asked = request.header.msg_id.clone();
            if let Err(e) = stdin.send(request).await {
                eprintln!("multitask kernel: cannot send an input_request: {e}");
                continue;
            }
            // The reply to this request, unless the cell gives up waiting
            // (an interrupt): then the next request is this one's successor.
            let value = tokio::select! {
                value = reply_to(&mut stdin, &asked) => value,
                () = ask.answer.closed() => continue,
            };
            let Some(value) = value else { break };
            let _ = ask.answer.send(value);
        }
    });
    Asker { asks }
}

/// The value of the `input_reply` to the request `asked`; `None` when the
/// socket is gone.
async fn reply_to(stdin: &mut KernelStdinConnection, asked: &str) -> Option<String> {
    loop {
        match wire::next(stdin, "stdin").await {
            Some(Incoming::Request(message)) => {
                // jupyter_client sends its reply without a parent (ipykernel
                // takes the next reply); one that names a parent names ours.
                let answers = message
                    .parent_header
                    .as_ref()
                    .is_none_or(|parent| parent.msg_id == asked);
                match message.content {
                    JupyterMessageContent::InputReply(reply) if answers => {
                        return Some(reply.value);
                    }
                    _ => {
                        eprintln!("multitask kernel: dropped a stdin message that answers nothing")
                    }
                }
            }
            Some(Incoming::Malformed { why, .. }) => {
                eprintln!("multitask kernel: dropped a malformed stdin message: {why}");
            }
            None => return None,
        }
    }
}

impl Asker {
    /// A line from the front end for the cell of `parent`, waiting until it
    /// comes; `None` if the cell is interrupted first, or the channel is gone.
    pub fn ask(
        &self,
        parent: &JupyterMessage,
        prompt: &str,
        interrupter: &Interrupter,
    ) -> Option<String> {
        let (answer, mut answered) = oneshot::channel();
        let ask = Ask {
            parent: parent.clone(),
            prompt: prompt.to_string(),
            answer,
        };
        self.asks.send(ask).ok()?;
        loop {
            match answered.try_recv() {
                Ok(value) => return Some(value),
                Err(oneshot::error::TryRecvError::Closed) => return None,
                Err(oneshot::error::TryRecvError::Empty) if interrupter.requested() => {
                    return None;
                }
                Err(oneshot::error::TryRecvError::Empty) => {
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
    }
}
