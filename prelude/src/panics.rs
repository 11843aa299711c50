//! What a panic said: the one reading of a panic's payload that threads,
//! processes, pools, greenlets and the exercises share.

use std::any::Any;

use crate::exception::Exception;

/// The text of a panic's payload (`panic!("…")` carries a `&str` or a
/// `String`; anything else has no text).
pub(crate) fn message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

/// A panic as the Python exception it stands for, where a greenlet reports
/// it (gevent's `g.exception`): an [`Exception`] it was raised with
/// (`std::panic::panic_any(Exception::value_error("boom"))`) as it is;
/// Rust's own panics by what they mean — a division by zero is a
/// `ZeroDivisionError`, an overflow an `OverflowError`, an index out of
/// range an `IndexError`; any other `panic!` Python's plain `Exception`.
pub(crate) fn exception(payload: &(dyn Any + Send)) -> Exception {
    if let Some(e) = payload.downcast_ref::<Exception>() {
        return e.clone();
    }
    let text = message(payload);
    let name = if text.starts_with("attempt to divide by zero")
        || text.starts_with("attempt to calculate the remainder with a divisor of zero")
    {
        "ZeroDivisionError"
    } else if text.starts_with("attempt to") && text.ends_with("with overflow") {
        "OverflowError"
    } else if text.starts_with("index out of bounds") {
        "IndexError"
    } else {
        "Exception"
    };
    Exception::new(name, text)
}

/// What to do about a panic the REPL makes likely, by its message: tokio's
/// "no reactor", which a task spawned with raw `tokio::spawn` (or a tokio
/// `JoinSet`) meets in a cell (see [`asyncio`](crate::asyncio)'s notes).
/// The REPL's panic hook and the exercises' verdicts print it.
///
/// ```
/// # use multitask::panic_advice;
/// assert!(panic_advice("there is no reactor running, must be called from …").is_some());
/// assert_eq!(panic_advice("boom"), None);
/// ```
pub fn advice(message: &str) -> Option<&'static str> {
    message.contains("there is no reactor running").then_some(
        "in a cell, start tasks with asyncio::spawn, not tokio::spawn or a tokio JoinSet \
         (each cell has its own copy of tokio); asyncio::first_completed waits for the \
         first of several",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caught(f: impl FnOnce() + std::panic::UnwindSafe) -> Exception {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let payload = std::panic::catch_unwind(f).expect_err("it panics");
        std::panic::set_hook(hook);
        exception(&*payload)
    }

    #[test]
    fn rusts_panics_read_as_pythons_exceptions() {
        let zero = std::hint::black_box(0);
        let e = caught(move || {
            std::hint::black_box(std::hint::black_box(1) / zero);
        });
        assert_eq!(
            e.to_string(),
            "ZeroDivisionError: attempt to divide by zero"
        );
        // What an overflow says where overflows are checked (not in release).
        let e = caught(|| panic!("attempt to add with overflow"));
        assert_eq!(e.name(), "OverflowError");
        let e = caught(move || {
            std::hint::black_box([1, 2][2 + zero as usize]);
        });
        assert_eq!(e.name(), "IndexError");
        let e = caught(|| panic!("boom"));
        assert_eq!(e.to_string(), "Exception: boom");
        let e = caught(|| std::panic::panic_any(Exception::value_error("boom")));
        assert_eq!(e, Exception::value_error("boom"));
    }
}
