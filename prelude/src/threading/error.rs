//! What can go wrong with threads, as one error type.

use std::io;

/// An error from [`threading`](crate::threading); the messages are Python's
/// where Python has one.
///
/// ```
/// use multitask::threading::{Error, Thread};
/// let t = Thread::new(|| 1);
/// assert_eq!(t.join().unwrap_err().to_string(), "RuntimeError: cannot join thread before it is started");
/// t.start()?;
/// assert!(matches!(t.start(), Err(Error::AlreadyStarted)));
/// assert_eq!(t.join()?, 1);
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `join` before `start`.
    #[error("RuntimeError: cannot join thread before it is started")]
    NotStarted,
    /// `start` a second time.
    #[error("RuntimeError: threads can only be started once")]
    AlreadyStarted,
    /// `join` a second time: the value was handed out the first time.
    #[error("the thread was already joined; its value was returned then")]
    AlreadyJoined,
    /// The thread's closure panicked.
    #[error("thread {thread} panicked: {message}")]
    Panicked {
        /// The thread's name.
        thread: String,
        /// What the panic said.
        message: String,
    },
    /// `map` after `close` (Python's `ValueError: Pool not running`).
    #[error("ValueError: Pool not running")]
    PoolNotRunning,
    /// The operating system refused (no memory for a stack, too many threads).
    #[error(transparent)]
    Os(#[from] io::Error),
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
