//! asyncio's event loop in Rust (tutorial §3's destination): [`run`],
//! [`sleep`], [`spawn`] and [`Task`], [`gather!`](crate::gather) and
//! [`try_gather!`](crate::try_gather), [`wait_for`], [`first_completed`],
//! [`as_completed`], [`Queue`] and a non-blocking [`http_get`].
//!
//! Notebook `notebooks/05-async-tokio.ipynb`; tests: this module's own, the
//! scheduling scenarios of `tests/asyncio_vs_cpython.rs` (the same programs
//! in CPython's asyncio print the same lines), and the notebook's stored
//! outputs, checked by `tests/notebooks_check.rs`.
//!
//! **One thread, turns at `.await`.** Every task of a thread runs on that
//! thread, one at a time, and gives way only where it says `.await` — the
//! tutorial's point about coroutines: no other task can come in between two
//! `.await`s, so tasks share an `Rc<RefCell<_>>` with no lock. The loop (see
//! `event_loop.rs`) keeps asyncio's order: a task made with [`spawn`] first
//! runs when its creator `.await`s; ready tasks take turns first come, first
//! served; `sleep(0.0)` lets every other ready task run once. tokio only
//! watches the clock and the sockets, from a thread of its own, and wakes the
//! task that waits for them. For work that should use every core, tokio's own
//! multi-threaded runtime is the tool (notebook 05 shows it by name).
//!
//! In the REPL and the notebooks a cell may `.await` at its top level: it
//! runs on the thread's loop, which outlives the cell — a task spawned in one
//! cell goes on in the next cell that awaits (as in IPython; the loop does not
//! run between cells). Spawn with [`spawn`], not `tokio::spawn`: every cell is
//! a library of its own with its own copy of tokio, and only the prelude's
//! loop sets the runtime of the calling cell's copy around every poll.
//!
//! ```
//! use multitask::asyncio::{run, sleep, spawn};
//! use multitask::gather;
//!
//! async fn nap(name: &str, secs: f64) -> String {
//!     sleep(secs).await;
//!     format!("{name} woke")
//! }
//! let (a, b) = run(async { gather!(nap("slow", 0.02), nap("fast", 0.01)) });
//! assert_eq!((a.as_str(), b.as_str()), ("slow woke", "fast woke"));
//! let task = spawn(async { 6 * 7 });
//! assert_eq!(run(task), Ok(42));
//! ```

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod event_loop;
mod gather;
mod queue;
mod task;
mod traced;

#[doc(hidden)]
pub use gather::{__child, __join, Child};
pub use gather::{AsCompleted, as_completed, first_completed, gather, try_gather};
pub use queue::{Get, Put, Queue, QueueEmpty, QueueFull};
pub use task::{Task, spawn};

/// The prelude's tokio, for a cell's own use of it (its `sync` types work
/// inside tasks; its runtime must not be made by hand in a cell that awaits).
#[doc(hidden)]
pub use tokio;

/// Runs `future` on this thread's loop until it ends, and gives its output
/// (asyncio's `run`); the loop's other tasks take their turns meanwhile.
/// Called inside a task (a nested `run`, which Python refuses), it runs the
/// same loop. On an interrupt every task of the loop is cancelled and the
/// interrupt raised.
pub fn run<F: Future>(future: F) -> F::Output {
    let lane = crate::trace::new_lane(crate::trace::LaneKind::Task, format_args!("asyncio.run"));
    match event_loop::drive(task::Polled::new(future, lane)) {
        Some(output) => output,
        None => crate::interrupt::raise(),
    }
}

/// Cancels the tasks this thread's loop still runs, and gives how many: the
/// exercises' checks use it to see tasks an answer left running.
pub(crate) fn stop_leftovers() -> usize {
    event_loop::stop_leftovers()
}

/// What the REPL wraps a cell that awaits in: the cell's future is boxed and
/// driven by [`run`], compiled once here rather than in every cell.
#[doc(hidden)]
pub fn run_cell<T>(cell: impl Future<Output = T>) -> T {
    let mut output = None;
    run_boxed(Box::pin(async { output = Some(cell.await) }));
    output.expect("the cell's future ran to its end")
}

fn run_boxed(cell: Pin<Box<dyn Future<Output = ()> + '_>>) {
    run(cell)
}

/// Waits `secs` seconds without blocking the thread (asyncio's `sleep`);
/// `sleep(0.0)` yields to the other tasks.
///
/// ```
/// # multitask::asyncio::run(async {
/// let start = std::time::Instant::now();
/// multitask::asyncio::sleep(0.01).await;
/// assert!(start.elapsed().as_secs_f64() >= 0.01);
/// # });
/// ```
pub async fn sleep(secs: f64) {
    crate::probe::asyncio_sleep();
    if secs <= 0.0 {
        YieldNow(false).await;
    } else {
        tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    }
}

/// `sleep(0)`: back of the queue once. (tokio's `yield_now` would wait for
/// tokio's own scheduler, which does not run our tasks.)
struct YieldNow(bool);

impl Future for YieldNow {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if std::mem::replace(&mut self.0, true) {
            return Poll::Ready(());
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// The future did not end in time ([`wait_for`]; asyncio's `TimeoutError`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("TimeoutError")]
pub struct TimeoutError;

/// Awaits `future` for at most `secs` seconds (asyncio's `wait_for`); on
/// time out the future is dropped, which cancels it.
///
/// ```
/// use multitask::asyncio::{run, sleep, wait_for, TimeoutError};
/// assert_eq!(run(wait_for(async { 5 }, 1.0)), Ok(5));
/// assert_eq!(run(wait_for(sleep(10.0), 0.01)), Err(TimeoutError));
/// ```
pub async fn wait_for<F: Future>(future: F, secs: f64) -> Result<F::Output, TimeoutError> {
    tokio::time::timeout(Duration::from_secs_f64(secs), future)
        .await
        .map_err(|_| TimeoutError)
}

/// `GET url` over HTTP/1.0 (`http://host:port/path`, no TLS), awaiting the
/// network instead of blocking: the tokio twin of
/// [`greenlet::net::http_get`](crate::greenlet::net::http_get).
///
/// ```
/// let server = multitask::web::PageServer::start()?;
/// let body = multitask::asyncio::run(multitask::asyncio::http_get(&server.url("/github")))?;
/// assert_eq!(body.len(), 14823);
/// # Ok::<(), std::io::Error>(())
/// ```
pub async fn http_get(url: &str) -> std::io::Result<Vec<u8>> {
    let (host, request) = crate::web::request(url)?;
    let mut conn = tokio::net::TcpStream::connect(host).await?;
    conn.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    conn.read_to_end(&mut response).await?;
    Ok(crate::web::body(response))
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;
    use crate::exception::Exception;

    #[test]
    fn a_panicking_task_gives_its_exception_and_the_loop_goes_on() {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let (failed, fine) = run(async {
            let failed = spawn(async { panic!("boom") });
            let fine = spawn(async {
                sleep(0.01).await;
                "fine"
            });
            crate::gather!(failed, fine)
        });
        std::panic::set_hook(hook);
        assert_eq!(failed, Err::<(), _>(Exception::new("Exception", "boom")));
        assert_eq!(fine, Ok("fine"));
    }

    #[test]
    fn a_main_that_panics_leaves_nothing_in_the_queue() {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let failed = std::panic::catch_unwind(|| {
            run(async {
                // Queued again, then gone before its turn comes.
                std::future::poll_fn(|cx| {
                    cx.waker().wake_by_ref();
                    Poll::Ready(())
                })
                .await;
                panic!("main fails")
            })
        });
        std::panic::set_hook(hook);
        assert!(failed.is_err());
        run(sleep(0.0));
        assert_eq!(event_loop::current().queued(), 0);
    }

    #[test]
    fn a_nested_run_runs_the_same_loop() {
        let log = Rc::new(RefCell::new(Vec::new()));
        run(async {
            let other = spawn({
                let log = log.clone();
                async move { log.borrow_mut().push("other task") }
            });
            let inner = run(async {
                sleep(0.0).await;
                "inner"
            });
            log.borrow_mut().push(inner);
            other.await.unwrap();
        });
        assert_eq!(*log.borrow(), ["other task", "inner"]);
    }

    #[test]
    fn each_thread_runs_its_own_tasks() {
        let threads: Vec<_> = (0..2)
            .map(|_| {
                std::thread::spawn(|| {
                    let me = std::thread::current().id();
                    let tasks: Vec<_> = (0..3)
                        .map(|_| {
                            spawn(async {
                                sleep(0.01).await;
                                std::thread::current().id()
                            })
                        })
                        .collect();
                    let ran_on = run(gather(tasks));
                    ran_on.into_iter().all(|id| id == Ok(me))
                })
            })
            .collect();
        for thread in threads {
            assert!(thread.join().unwrap(), "a task ran on another thread");
        }
    }

    #[test]
    #[allow(clippy::async_yields_async)] // the task is handed out on purpose
    fn a_task_left_waiting_goes_on_at_the_next_run() {
        let left = run(async {
            let left = spawn(async {
                sleep(0.02).await;
                7
            });
            sleep(0.0).await;
            left
        });
        assert!(!left.done());
        assert_eq!(run(left), Ok(7));
    }

    #[test]
    fn a_forked_child_has_a_loop_and_a_clock_of_its_own() {
        // The parent's tokio thread did not come along: the child makes its own.
        run(sleep(0.001));
        let child = crate::multiprocessing::Process::new(|| {
            let slept = run(wait_for(sleep(0.01), 5.0));
            assert_eq!(slept, Ok(()));
        });
        child.start().unwrap();
        let ended = child
            .join_timeout(std::time::Duration::from_secs(20))
            .unwrap();
        if ended.is_none() {
            child.kill().unwrap();
            child.join().unwrap();
            panic!("the child's asyncio hung: its sleep was never woken");
        }
        assert_eq!(child.exitcode(), Some(0));
    }
}
