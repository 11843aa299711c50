//! The iopub socket's one sender: every other part of the kernel queues its
//! messages here and this task sends them, in order. At shutdown what is
//! queued still goes out (the last `status: idle`), and then it ends.

use std::time::Duration;

use jupyter_protocol::JupyterMessage;
use jupyter_zmq_client::KernelIoPubConnection;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// How long a shutdown waits for the queue to go out (a peer that stopped
/// reading must not hold the kernel up).
const FLUSH: Duration = Duration::from_secs(2);

/// Ends the sender once what is queued has gone out.
pub(super) struct Flush {
    closing: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Flush {
    /// Sends what is queued, then stops; waits at most [`FLUSH`].
    pub(super) async fn flush(self) {
        let _ = self.closing.send(());
        if tokio::time::timeout(FLUSH, self.task).await.is_err() {
            eprintln!("multitask kernel: iopub messages left unsent at shutdown");
        }
    }
}

/// Starts the sender on `socket`: where to queue messages, and its [`Flush`].
pub(super) fn start(
    socket: KernelIoPubConnection,
) -> (mpsc::UnboundedSender<JupyterMessage>, Flush) {
    let (queue, queued) = mpsc::unbounded_channel();
    let (closing, closed) = oneshot::channel();
    let task = tokio::spawn(send_all(socket, queued, closed));
    (queue, Flush { closing, task })
}

async fn send_all(
    mut socket: KernelIoPubConnection,
    mut queued: mpsc::UnboundedReceiver<JupyterMessage>,
    mut closed: oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            message = queued.recv() => match message {
                Some(message) => send(&mut socket, message).await,
                None => return,
            },
            _ = &mut closed => break,
        }
    }
    // Nothing new from here on; what is queued still goes.
    queued.close();
    while let Some(message) = queued.recv().await {
        send(&mut socket, message).await;
    }
}

async fn send(socket: &mut KernelIoPubConnection, message: JupyterMessage) {
    if let Err(e) = socket.send(message).await {
        eprintln!("multitask kernel: cannot send on iopub: {e}");
    }
}
