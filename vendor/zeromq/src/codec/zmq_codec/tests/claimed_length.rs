//! multitask patch 01: what a peer's frame header may make the decoder do.
use super::*;

fn after_greeting(options: &SocketOptions) -> ZmqCodec {
    let mut codec = ZmqCodec::with_options(options);
    codec.state = DecoderState::FrameHeader;
    codec.waiting_for = 1;
    codec
}

fn long_header(flags: u8, len: u64) -> BytesMut {
    let mut input = BytesMut::from(&[flags | 0b10][..]);
    input.extend_from_slice(&len.to_be_bytes());
    input
}

#[test]
fn a_claimed_length_is_not_reserved_before_it_arrives() {
    let mut codec = after_greeting(&SocketOptions::default());
    let mut input = long_header(0, 1 << 62);
    assert!(codec.decode(&mut input).unwrap().is_none());
    assert!(input.capacity() <= 4 * 64 * 1024, "{}", input.capacity());
}

#[test]
fn a_large_frame_still_decodes_as_it_arrives() {
    let mut codec = after_greeting(&SocketOptions::default());
    let len = 3 * 1024 * 1024;
    let mut input = long_header(0, len as u64);
    assert!(codec.decode(&mut input).unwrap().is_none());
    let mut sent = 0;
    while sent < len {
        let chunk = (len - sent).min(64 * 1024);
        input.extend_from_slice(&vec![7; chunk]);
        sent += chunk;
        let decoded = codec.decode(&mut input).unwrap();
        if sent < len {
            assert!(decoded.is_none());
        } else {
            match decoded {
                Some(Message::Message(m)) => assert_eq!(m.get(0).unwrap().len(), len),
                other => panic!("{other:?}"),
            }
        }
    }
}

#[test]
fn a_message_above_the_maximum_size_is_refused_at_its_header() {
    let mut options = SocketOptions::default();
    options.max_message_size(1000);
    let mut codec = after_greeting(&options);
    // Two frames of 600 bytes: the second one's header passes the limit.
    let mut input = long_header(1, 600);
    input.extend_from_slice(&[1; 600]);
    assert!(codec.decode(&mut input).unwrap().is_none());
    input.extend_from_slice(&long_header(0, 600));
    assert!(matches!(codec.decode(&mut input), Err(CodecError::Decode(_))));
}

#[test]
fn messages_within_the_maximum_size_decode_one_after_another() {
    let mut options = SocketOptions::default();
    options.max_message_size(1000);
    let mut codec = after_greeting(&options);
    for _ in 0..3 {
        let mut input = long_header(0, 900);
        input.extend_from_slice(&[1; 900]);
        assert!(matches!(codec.decode(&mut input), Ok(Some(Message::Message(_)))));
    }
}
