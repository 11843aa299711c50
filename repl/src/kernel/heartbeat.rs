//! The heartbeat: echo every ping, whatever a peer does.

use std::time::Duration;

/// Answers the heartbeat for as long as the kernel runs. A peer that sends
/// something odd, or leaves before its pong, is dropped (by the socket) and
/// forgotten (here): one bad peer must not stop the heartbeat, or Jupyter
/// would take the kernel for dead.
pub(super) async fn beat(mut heartbeat: jupyter_zmq_client::KernelHeartbeatConnection) {
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
