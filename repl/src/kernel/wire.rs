//! Requests off the wire: signed and parsed, or signed but malformed.
//!
//! [`jupyter_zmq_client`]'s `read` gives one error for both a message it
//! cannot trust and one whose content does not fit its type, and keeps
//! nothing of either, so a client that sent an `execute_request` without
//! `code` waited forever for a reply. Here a signed message whose header
//! reads is always an [`Incoming`]: the kernel can answer it, if only to say
//! what is wrong with it.

use jupyter_protocol::{Header, JupyterMessage, JupyterMessageContent, UnknownMessage};
use jupyter_zmq_client::{Connection, RawMessage, RuntimeError};
use serde_json::Value;

/// A signed message with a readable header.
#[derive(Debug)]
pub enum Incoming {
    /// Its content fits its type.
    Request(JupyterMessage),
    /// Its content does not fit its type.
    Malformed {
        /// The message with its header (to answer it), its content unknown.
        parent: JupyterMessage,
        /// What is wrong with the content.
        why: String,
    },
}

/// The next message on `connection`. An error is a message that is not
/// signed with the key (or not a Jupyter message at all): nothing to answer.
pub async fn read<S: zeromq::SocketRecv>(
    connection: &mut Connection<S>,
) -> Result<Incoming, RuntimeError> {
    let multipart = connection.socket.recv().await?;
    parse(RawMessage::from_multipart(multipart, &connection.mac)?)
}

/// The next message on `connection` signed with the key; `None` once the
/// socket is gone. Those that are not signed (or are not Jupyter messages)
/// are logged as from `socket` and dropped: nothing to answer.
pub async fn next<S: zeromq::SocketRecv>(
    connection: &mut Connection<S>,
    socket: &str,
) -> Option<Incoming> {
    loop {
        match read(connection).await {
            Ok(incoming) => return Some(incoming),
            Err(e) if is_bad_message(&e) => {
                eprintln!(
                    "multitask kernel: dropped a {socket} message: {}",
                    why_rejected(&e)
                );
            }
            Err(e) => {
                eprintln!("multitask kernel: the {socket} socket closed: {e}");
                return None;
            }
        }
    }
}

/// A verified message, parsed as far as it goes.
pub fn parse(raw: RawMessage) -> Result<Incoming, RuntimeError> {
    let [header, parent_header, metadata, content, buffers @ ..] = raw.jparts.as_slice() else {
        return Err(RuntimeError::InsufficientMessageParts(raw.jparts.len()));
    };
    let header: Header = serde_json::from_slice(header)?;
    // An empty parent header is `{}`, which is no header.
    let parent_header = serde_json::from_slice(parent_header).ok();
    let metadata = serde_json::from_slice(metadata).unwrap_or(Value::Null);
    let message = |content| JupyterMessage {
        zmq_identities: raw.zmq_identities.clone(),
        header: header.clone(),
        parent_header: parent_header.clone(),
        metadata: metadata.clone(),
        content,
        buffers: buffers.to_vec(),
        channel: None,
    };
    let parsed = serde_json::from_slice::<Value>(content)
        .map_err(|e| format!("its content is not JSON ({e})"))
        .and_then(|content| {
            JupyterMessageContent::from_type_and_content(&header.msg_type, content)
                .map_err(|e| format!("its content is not a valid {}: {e}", header.msg_type))
        });
    Ok(match parsed {
        Ok(content) => Incoming::Request(message(content)),
        Err(why) => Incoming::Malformed {
            parent: message(JupyterMessageContent::UnknownMessage(UnknownMessage {
                msg_type: header.msg_type.clone(),
                content: Value::Null,
            })),
            why,
        },
    })
}

/// Messages that fail their signature or do not parse: dropped, and the
/// kernel goes on. Anything else means the socket is gone.
fn is_bad_message(error: &RuntimeError) -> bool {
    !matches!(error, RuntimeError::ZmqError(_))
}

/// Why a message was dropped, for the kernel's log.
fn why_rejected(error: &RuntimeError) -> String {
    match error {
        RuntimeError::VerifyError(_) => "its signature does not match the connection key".into(),
        RuntimeError::MissingHmac => "it has no signature".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(msg_type: &str, content: &str) -> RawMessage {
        let header = serde_json::json!({
            "msg_id": "1", "username": "u", "session": "s",
            "date": "2026-12-01T00:00:00Z", "msg_type": msg_type, "version": "5.3",
        });
        RawMessage {
            zmq_identities: Vec::new(),
            jparts: vec![
                header.to_string().into(),
                "{}".into(),
                "{}".into(),
                content.to_string().into(),
            ],
        }
    }

    #[test]
    fn an_execute_request_without_code_is_malformed_and_says_so() {
        match parse(raw("execute_request", r#"{"silent": false}"#)).unwrap() {
            Incoming::Malformed { parent, why } => {
                assert_eq!(parent.header.msg_type, "execute_request");
                assert!(why.contains("missing field `code`"), "{why}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn content_that_is_not_json_is_malformed() {
        assert!(matches!(
            parse(raw("kernel_info_request", "{not json")).unwrap(),
            Incoming::Malformed { .. }
        ));
    }

    #[test]
    fn a_whole_request_parses() {
        let content = r#"{"code": "1 + 1", "silent": false, "store_history": true,
            "user_expressions": {}, "allow_stdin": false, "stop_on_error": true}"#;
        match parse(raw("execute_request", content)).unwrap() {
            Incoming::Request(message) => assert!(matches!(
                message.content,
                JupyterMessageContent::ExecuteRequest(_)
            )),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_header_that_does_not_read_is_an_error() {
        let mut message = raw("kernel_info_request", "{}");
        message.jparts[0] = "[]".into();
        assert!(parse(message).is_err());
    }
}
