//! Async IO on tokio, in asyncio's shape (seed §3's destination): [`run`],
//! [`sleep`], [`spawn`], [`gather!`](crate::gather), [`wait_for`],
//! [`first_completed`] and a non-blocking [`http_get`].
//!
//! Notebook `notebooks/05-async-tokio.ipynb`; tests: this module's own, and the
//! notebook's stored outputs, checked by `tests/notebooks_check.rs`.
//!
//! Where a greenlet switches inside plain functions, a task switches only at
//! `.await`: an `async fn` is a state machine the compiler builds, and the
//! runtime — one per process, shared by every REPL cell — polls it. In the
//! REPL and the notebooks a cell may `.await` at its top level; it then runs
//! on this same runtime.
//!
//! In the REPL, spawn with [`spawn`], not `tokio::spawn` (nor a
//! `tokio::task::JoinSet`, which spawns with it): every cell is a
//! library of its own with its own copy of tokio's thread-local state, and a
//! task runs on the runtime's worker threads, where only the copy that made
//! the runtime has its context set. [`spawn`] and [`run`] set the context of
//! the calling cell's copy around every poll, so `sleep`, `wait_for` and
//! sockets inside a task work whichever cell spawned it.
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
//! assert_eq!(run(task).unwrap(), 42);
//! ```

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::globals::shared;

mod traced;

/// The prelude's tokio, for `gather!`, and the path rustc names its types
/// by in the REPL (a cell's variable of type `Task<T>` is stored as a
/// `multitask::asyncio::tokio::task::JoinHandle<T>`).
#[doc(hidden)]
pub use tokio;

/// A spawned task's handle; `.await` it for `Ok(value)`, or `Err` if the task
/// panicked or was aborted (asyncio's `Task`).
pub type Task<T> = tokio::task::JoinHandle<T>;

shared! {
    /// The process's runtime: tokio's multi-threaded scheduler, one worker per core.
    fn runtime() -> tokio::runtime::Runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("tokio-worker")
        .build()
        .expect("cannot start the tokio runtime");
}

/// Runs `future` to its end on the shared runtime and returns its output
/// (asyncio's `run`). Also works from inside async code, e.g. a cell that
/// awaits: the thread then steps out of the runtime while it blocks.
pub fn run<F: Future>(future: F) -> F::Output {
    if crate::interrupt::watching() {
        // Dropped (cancelled) on an interrupt, which is then raised here.
        return match block_on(Interruptible::new(future)) {
            Some(output) => output,
            None => crate::interrupt::raise(),
        };
    }
    block_on(future)
}

fn block_on<F: Future>(future: F) -> F::Output {
    let lane = crate::trace::new_lane(crate::trace::LaneKind::Task, format_args!("asyncio.run"));
    let _waiting = lane.and_then(|_| {
        crate::trace::during(crate::trace::State::Waiting, format_args!("asyncio.run"))
    });
    let future = InRuntime::new(future, lane);
    if tokio::runtime::Handle::try_current().is_ok() {
        tokio::task::block_in_place(|| runtime().block_on(future))
    } else {
        runtime().block_on(future)
    }
}

/// A future that gives up (`None`) when an interrupt comes, looking every
/// [`SLICE`](crate::interrupt::SLICE).
struct Interruptible<F> {
    future: Pin<Box<F>>,
    tick: Option<tokio::time::Interval>,
}

impl<F: Future> Interruptible<F> {
    fn new(future: F) -> Self {
        Interruptible {
            future: Box::pin(future),
            tick: None,
        }
    }
}

impl<F: Future> Future for Interruptible<F> {
    type Output = Option<F::Output>;
    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<F::Output>> {
        use std::task::Poll;
        if crate::interrupt::requested() {
            return Poll::Ready(None);
        }
        if let Poll::Ready(output) = self.future.as_mut().poll(cx) {
            return Poll::Ready(Some(output));
        }
        let tick = self
            .tick
            .get_or_insert_with(|| tokio::time::interval(crate::interrupt::SLICE));
        while tick.poll_tick(cx).is_ready() {
            if crate::interrupt::requested() {
                return Poll::Ready(None);
            }
        }
        Poll::Pending
    }
}

/// A future polled with the shared runtime as the current one — for the
/// copy of tokio compiled where the future was wrapped (see the module's
/// notes on REPL cells) — and, in a [`trace::record`](crate::trace::record),
/// on its own lane.
struct InRuntime<F> {
    future: Pin<Box<F>>,
    lane: Option<crate::trace::LaneId>,
}

impl<F: Future> InRuntime<F> {
    fn new(future: F, lane: Option<crate::trace::LaneId>) -> Self {
        if let Some(lane) = lane {
            crate::trace::mark(lane, crate::trace::State::Ready, format_args!(""));
        }
        InRuntime {
            future: Box::pin(future),
            lane,
        }
    }
}

impl<F: Future> Future for InRuntime<F> {
    type Output = F::Output;
    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<F::Output> {
        let _entered = runtime().enter();
        if let Some(lane) = self.lane
            && crate::trace::is_on()
            && crate::trace::LaneId::from_raw(lane.raw()).is_some()
        {
            return traced::poll(self.future.as_mut(), cx, lane);
        }
        self.future.as_mut().poll(cx)
    }
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
    if secs <= 0.0 {
        tokio::task::yield_now().await;
    } else {
        tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    }
}

/// Starts `future` as a task on the shared runtime; it runs on its own,
/// whether or not anyone awaits its [`Task`] (asyncio's `create_task`).
///
/// ```
/// let task = multitask::asyncio::spawn(async { "done" });
/// assert_eq!(multitask::asyncio::run(task).unwrap(), "done");
/// ```
pub fn spawn<F>(future: F) -> Task<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let lane = crate::trace::new_lane(crate::trace::LaneKind::Task, format_args!("Task"));
    runtime().spawn(InRuntime::new(future, lane))
}

/// Awaits every future at once and gives their outputs as a tuple, in the
/// order written (asyncio's `gather`; tokio's `join!`).
///
/// ```
/// use multitask::{asyncio, gather};
/// let (a, b) = asyncio::run(async { gather!(async { 1 }, async { "two" }) });
/// assert_eq!((a, b), (1, "two"));
/// ```
#[macro_export]
macro_rules! gather {
    ($($future:expr),+ $(,)?) => {
        $crate::asyncio::tokio::join!($($future),+)
    };
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

/// Awaits the first of `tasks` to end and gives its index in `tasks`, its
/// result, and the others, still running (asyncio's `wait(tasks,
/// return_when=FIRST_COMPLETED)`). Like asyncio's, it cancels nothing:
/// [`abort`](tokio::task::JoinHandle::abort) the rest to stop them —
/// dropping a [`Task`] lets it run on.
///
/// In the REPL use this, not a `tokio::task::JoinSet`: a `JoinSet` spawns
/// with raw `tokio::spawn` (see the module's notes on cells).
///
/// # Panics
///
/// If `tasks` is empty: there is no first to wait for.
///
/// ```
/// use multitask::asyncio::{first_completed, run, sleep, spawn};
/// let tasks = vec![
///     spawn(async { sleep(5.0).await; "slow" }),
///     spawn(async { sleep(0.01).await; "fast" }),
/// ];
/// let (index, first, rest) = run(first_completed(tasks));
/// assert_eq!((index, first.unwrap()), (1, "fast"));
/// rest.iter().for_each(|task| task.abort());
/// ```
pub async fn first_completed<T>(
    mut tasks: Vec<Task<T>>,
) -> (usize, Result<T, tokio::task::JoinError>, Vec<Task<T>>) {
    assert!(!tasks.is_empty(), "first_completed of no tasks");
    let (index, result) = std::future::poll_fn(|cx| {
        for (index, task) in tasks.iter_mut().enumerate() {
            if let std::task::Poll::Ready(result) = Pin::new(task).poll(cx) {
                return std::task::Poll::Ready((index, result));
            }
        }
        std::task::Poll::Pending
    })
    .await;
    tasks.remove(index);
    (index, result, tasks)
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
