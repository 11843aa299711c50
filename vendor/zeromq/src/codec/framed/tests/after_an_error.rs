//! multitask patch 03: a peer's stream ends after its first error.
use super::*;

#[async_rt::test]
async fn a_peer_that_left_mid_frame_gives_one_error_then_ends() {
    // A greeting, then half of a frame, then the end of the connection.
    let mut input = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 3, 0];
    input.extend_from_slice(b"NULL");
    input.resize(64, 0);
    input.extend_from_slice(&[0, 10, 1, 2, 3]);
    let source = futures::io::Cursor::new(input);
    let mut reader = ZmqFramedRead::new(Box::new(source), Arc::new(SocketOptions::default()));
    assert!(matches!(reader.next().await, Some(Ok(Message::Greeting(_)))));
    assert!(matches!(reader.next().await, Some(Err(_))));
    // Before the patch: the same error again, on every poll.
    assert!(reader.next().await.is_none());
    assert!(reader.next().await.is_none());
}
