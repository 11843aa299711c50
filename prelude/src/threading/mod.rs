//! Threads, tutorial §1.2: Python's `threading`, over `std::thread`.
//!
//! Notebooks `notebooks/02-threads.ipynb` and `06-examples.ipynb`; tests: the
//! thread scenarios of `tests/process_vs_cpython.rs` (`seed_loop_thread`,
//! `seed_thread_pool_map`, …), against CPython.
//!
//! | Python | here |
//! |---|---|
//! | `Thread(target=f, name=…)`, `start`, `join`, `daemon`, `is_alive` | [`Thread`], [`thread!`](crate::thread) |
//! | `current_thread()`, `main_thread()`, `active_count()`, `enumerate()` | [`current_thread`], [`main_thread`], [`active_count`], [`enumerate`] |
//! | `Lock`, `RLock`, `Condition`, `Event`, `Semaphore` | [`Lock`], [`RLock`], [`Condition`], [`Event`], [`Semaphore`] |
//! | `threading.local()` | [`Local`] |
//! | `threading.stack_size(n)` | [`Thread::stack_size`], and [`limits`] to see how many fit |
//! | `multiprocessing.dummy.Pool(n).map(f, items)` | [`ThreadPool`] (on rayon) |
//! | (Rust's atomics, which [`explore`](crate::explore::explore) sees) | [`AtomicU64`], [`AtomicI64`], [`AtomicUsize`], [`AtomicBool`] |
//!
//! What Rust adds: a closure that a thread runs must own what it uses
//! (`move`) or share it through `Arc`, and data that two threads may change
//! must sit behind a lock or be atomic — otherwise the program does not
//! compile. A data race is a compile error; a race *condition* (a check and
//! an act that another thread can come between) is still yours to avoid.

mod atomic;
pub(crate) mod error;
pub mod limits;
mod local;
mod pool;
mod sync;
pub(crate) mod thread;
mod wakeup;

pub use atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize};
pub use error::{Error, Result};
pub use local::Local;
pub use pool::ThreadPool;
pub use sync::{
    BoundedSemaphore, Condition, ConditionGuard, Event, Lock, LockGuard, RLock, RLockGuard,
    Semaphore, SemaphoreGuard,
};
pub use thread::{Thread, ThreadInfo, active_count, current_thread, enumerate, main_thread};
