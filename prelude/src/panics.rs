//! What a panic said: the one reading of a panic's payload that threads,
//! processes, pools, greenlets and the exercises share.

use std::any::Any;

/// The text of a panic's payload (`panic!("…")` carries a `&str` or a
/// `String`; anything else has no text).
pub(crate) fn message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}
