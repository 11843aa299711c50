//! Processes, tutorial §1.1: Python's `multiprocessing` with real `fork()`.
//!
//! Notebook `notebooks/01-processes.ipynb`; tests
//! `tests/process_vs_cpython.rs`, each scenario run here
//! (`tests/bin/process_scenarios.rs`) and in CPython
//! (`tests/py/process_scenarios.py`).
//!
//! | Python | here |
//! |---|---|
//! | `Process(target=f, args=(1,))`, `start`, `join`, `exitcode`, `terminate`, `kill`, `daemon` | [`Process`], [`process!`](crate::process) |
//! | `os.getpid()`, `os.getppid()`, `current_process()` | [`getpid`], [`getppid`], [`current_process`] |
//! | `sys.exit(n)` in a child | [`exit`] |
//! | `Pool(n).map(f, items)` | [`Pool`] |
//! | `Pipe()`, `Pipe(duplex=False)` | [`pipe`], [`pipe_oneway`], [`duplex`] → [`Connection`] |
//! | `Queue()` | [`Queue`] |
//! | `Value('i', 0)`, `Array('d', 10)` | [`Value`], [`Array`] |
//! | `Lock()`, `Semaphore(n)` | [`Lock`], [`Semaphore`] |
//! | a Unix daemon (no Python counterpart in the standard library) | [`daemon::Daemon`] |
//!
//! # What a child may do
//!
//! A fork copies memory and only the thread that called `start`. So a child:
//!
//! - may print, allocate, use files, pipes, queues, locks and shared values
//!   made before the fork, start its own processes and threads, and build
//!   new thread pools;
//! - must not use a thread pool it inherited — rayon's global pool, a tokio
//!   runtime, a [`ThreadPool`](crate::threading::ThreadPool) — since their
//!   threads were not copied: work sent to them never runs;
//! - must not wait for a `std::sync::Mutex` that another thread of the parent
//!   held at the moment of the fork: it stays locked forever in the child.
//!   (Stdout, stderr and the prelude's own bookkeeping are taken care of:
//!   `start` holds them while it forks.)
//!
//! Output printed before `start` is flushed first, so no line prints twice.
//! A child leaves as Python's does: it waits for the threads it started that
//! are not daemons ([`Thread::daemon`](crate::threading::Thread::daemon)), drops its
//! daemon threads, and ends with `_exit` — it never returns into the code
//! that started it, and the parent's exit handlers and destructors do not
//! run in it.
//!
//! # No zombies
//!
//! Every child is reaped: by [`Process::join`], by a reaper thread once its
//! `Process` is dropped, or at exit, where (as in Python) daemonic children
//! are terminated and the others joined. Daemonic children also die when the
//! parent is killed (`PR_SET_PDEATHSIG`).

pub mod daemon;
mod error;
pub(crate) mod fork;
mod pipe;
mod pool;
mod process;
mod queue;
mod shared;
pub(crate) mod shm;
mod sync;

pub use error::{Error, Result};
#[doc(hidden)]
pub use fork::{end_children, end_children_at_exit};
pub use pipe::{Connection, duplex, pipe, pipe_oneway};
pub use pool::Pool;
pub use process::{CurrentProcess, Process, current_process, exit, getpid, getppid};
pub use queue::Queue;
pub use shared::{Array, Plain, Value};
pub use sync::{Lock, LockGuard, Semaphore, SemaphoreGuard};
