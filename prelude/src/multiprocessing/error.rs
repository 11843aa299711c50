//! What can go wrong between processes, as one error type.

use std::io;

/// An error from [`multiprocessing`](crate::multiprocessing): Python raises
/// these, the prelude returns them.
///
/// The messages are Python's where Python has one, so the two can be held side
/// by side:
///
/// ```
/// use multitask::multiprocessing::{Error, Process};
///
/// let mut p = Process::new(|| {});
/// assert_eq!(p.join().unwrap_err().to_string(), "can only join a started process");
/// assert!(matches!(p.join(), Err(Error::NotStarted)));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `join`, `terminate` or `kill` before `start` (Python's `AssertionError`).
    #[error("can only join a started process")]
    NotStarted,
    /// `start` called a second time (Python's `AssertionError`).
    #[error("cannot start a process twice")]
    AlreadyStarted,
    /// `start` inside a daemonic process (Python's `AssertionError`): a
    /// daemon is ended with its parent, and its children would be orphaned.
    #[error("daemonic processes are not allowed to have children")]
    DaemonicChildren,
    /// The other end of a pipe or queue is closed and nothing is left to read
    /// (Python's `EOFError`).
    #[error("EOFError: the other end of the connection is closed")]
    Closed,
    /// `Queue::get_timeout` found nothing in time (Python's `queue.Empty`).
    #[error("queue.Empty: nothing arrived in time")]
    Empty,
    /// A message could not be encoded or decoded (Python's `PicklingError`).
    #[error("cannot encode or decode a message: {0}")]
    Codec(#[from] postcard::Error),
    /// A pool's task panicked; the worker reported the panic's message.
    #[error("a task panicked in {worker}: {message}")]
    TaskPanicked {
        /// The worker's name (`ForkPoolWorker-1`).
        worker: String,
        /// What the panic said.
        message: String,
    },
    /// A pool's worker process ended before returning its results.
    #[error("{worker} (pid {pid}) died with exit code {exitcode} before finishing its tasks")]
    WorkerDied {
        /// The worker's name.
        worker: String,
        /// Its process id.
        pid: i32,
        /// Python's exit code: minus the signal number if a signal killed it.
        exitcode: i32,
    },
    /// `map` after `close` or `terminate` (Python's `ValueError: Pool not running`).
    #[error("ValueError: Pool not running")]
    PoolNotRunning,
    /// The operating system refused (fork, pipe, mmap, kill, …).
    #[error(transparent)]
    Os(#[from] io::Error),
}

impl From<nix::Error> for Error {
    fn from(e: nix::Error) -> Self {
        Error::Os(e.into())
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
