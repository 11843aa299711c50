//! Python's exceptions as plain data.
//!
//! Notebook `notebooks/03-iterators-generators.ipynb` (§1.3.4); tests
//! `tests/generator_vs_cpython.rs`, which compares the exceptions' names and
//! messages with CPython's.
//!
//! Rust has no exceptions: where Python *raises*, the prelude *returns* an
//! `Err(Exception)`. The variants carry the names Python uses, and the messages
//! are Python's own text where Python has one, so a learner can hold the two
//! side by side.

use std::fmt;

/// A Python exception, as a value.
///
/// `Display` prints the last line of a Python traceback (`ValueError: boom`);
/// [`Exception::name`] and [`Exception::message`] give the two halves.
///
/// ```
/// use multitask::Exception;
///
/// let e = Exception::value_error("boom");
/// assert_eq!(e.name(), "ValueError");
/// assert_eq!(e.message(), "boom");
/// assert_eq!(e.to_string(), "ValueError: boom");
/// assert_eq!(format!("{e:?}"), r#"ValueError("boom")"#);
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Exception {
    /// Raised inside a generator at its `yield` when the generator is closed.
    /// A body should let it pass (with `?`); yielding again is an error.
    #[error("GeneratorExit")]
    GeneratorExit,
    /// The end of an iteration. Returned *by* a generator body, it is turned
    /// into a `RuntimeError`, as Python does since 3.7 (PEP 479).
    #[error("StopIteration")]
    StopIteration,
    /// What awaiting a cancelled asyncio task gives (asyncio's
    /// `CancelledError`): see [`Task::cancel`](crate::asyncio::Task::cancel).
    #[error("CancelledError")]
    CancelledError,
    /// The right type but an unsuitable value.
    #[error("ValueError: {0}")]
    ValueError(String),
    /// An operation applied to a value of the wrong kind.
    #[error("TypeError: {0}")]
    TypeError(String),
    /// An error that fits no other kind.
    #[error("RuntimeError: {0}")]
    RuntimeError(String),
    /// Any other exception, named by the learner: `Exception::new("KeyError", "x")`.
    #[error("{name}{}{message}", if message.is_empty() { "" } else { ": " })]
    Other {
        /// The exception's class name, as Python would print it.
        name: String,
        /// What went wrong.
        message: String,
    },
}

impl Exception {
    /// An exception with any class name.
    ///
    /// ```
    /// let e = multitask::Exception::new("KeyError", "missing");
    /// assert_eq!(e.to_string(), "KeyError: missing");
    /// ```
    pub fn new(name: impl Into<String>, message: impl Into<String>) -> Self {
        Exception::Other {
            name: name.into(),
            message: message.into(),
        }
    }

    /// asyncio's `CancelledError`, what a cancelled task gives.
    ///
    /// ```
    /// assert_eq!(multitask::Exception::cancelled().to_string(), "CancelledError");
    /// ```
    pub fn cancelled() -> Self {
        Exception::CancelledError
    }

    /// A `ValueError` with this message.
    ///
    /// ```
    /// assert_eq!(multitask::Exception::value_error("x").name(), "ValueError");
    /// ```
    pub fn value_error(message: impl Into<String>) -> Self {
        Exception::ValueError(message.into())
    }

    /// A `TypeError` with this message.
    ///
    /// ```
    /// assert_eq!(multitask::Exception::type_error("x").name(), "TypeError");
    /// ```
    pub fn type_error(message: impl Into<String>) -> Self {
        Exception::TypeError(message.into())
    }

    /// A `RuntimeError` with this message.
    ///
    /// ```
    /// assert_eq!(multitask::Exception::runtime_error("x").name(), "RuntimeError");
    /// ```
    pub fn runtime_error(message: impl Into<String>) -> Self {
        Exception::RuntimeError(message.into())
    }

    /// The class name Python would print: `"ValueError"`, `"GeneratorExit"`, ….
    ///
    /// ```
    /// assert_eq!(multitask::Exception::GeneratorExit.name(), "GeneratorExit");
    /// ```
    pub fn name(&self) -> &str {
        match self {
            Exception::GeneratorExit => "GeneratorExit",
            Exception::StopIteration => "StopIteration",
            Exception::CancelledError => "CancelledError",
            Exception::ValueError(_) => "ValueError",
            Exception::TypeError(_) => "TypeError",
            Exception::RuntimeError(_) => "RuntimeError",
            Exception::Other { name, .. } => name,
        }
    }

    /// The message alone, as Python's `str(e)` gives it (empty for `GeneratorExit`).
    ///
    /// ```
    /// assert_eq!(multitask::Exception::type_error("bad").message(), "bad");
    /// ```
    pub fn message(&self) -> &str {
        match self {
            Exception::GeneratorExit | Exception::StopIteration | Exception::CancelledError => "",
            Exception::ValueError(m) | Exception::TypeError(m) | Exception::RuntimeError(m) => m,
            Exception::Other { message, .. } => message,
        }
    }
}

/// Debug reads like Python's `repr`: `ValueError("boom")`, `GeneratorExit`.
impl fmt::Debug for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exception::GeneratorExit | Exception::StopIteration | Exception::CancelledError => {
                f.write_str(self.name())
            }
            _ => write!(f, "{}({:?})", self.name(), self.message()),
        }
    }
}
