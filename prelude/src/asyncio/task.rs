//! A task: a future the loop polls on its own (asyncio's `Task`), its
//! handle, and what every poll of ours goes through.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Waker};

use super::event_loop::{self, Loop, runtime};
use crate::exception::Exception;
use crate::trace::{self, LaneId, LaneKind, State};

/// A spawned task's handle (asyncio's `Task`). `.await` it for `Ok(value)`,
/// or `Err` with the exception that ended it: the panic it raised, or
/// `CancelledError` if it was [`cancel`](Task::cancel)led. Dropping the
/// handle does not stop the task — as in Python, the loop keeps running it.
/// Like Python's, it belongs to its thread's loop: it cannot be sent to
/// another thread.
///
/// ```
/// use multitask::asyncio::{self, Task};
/// let task: Task<i32> = asyncio::spawn(async { 6 * 7 });
/// assert!(!task.done()); // nothing runs until the loop does
/// assert_eq!(asyncio::run(task), Ok(42));
/// ```
pub struct Task<T> {
    inner: Option<async_task::Task<Result<T, Exception>, Control>>,
    /// The task's own waker, to bring it back to the loop when cancelled.
    waker: Waker,
    on: Arc<Loop>,
    /// Whether it gave `CancelledError` when awaited.
    gave_cancelled: bool,
    /// A task's handle stays on its loop's thread (see [`Control`]).
    _on_its_thread: PhantomData<*const ()>,
}

/// What the loop keeps beside a task, in the task's own allocation: whether
/// it is to be cancelled. The loop drops a cancelled task's future instead of
/// polling it; its handle then tells `CancelledError` from the flag — which
/// is why the handle must stay on the loop's thread, where no drop can come
/// between its look at the flag and its poll.
pub(super) struct Control {
    cancelled: AtomicBool,
    /// The loop's count of cancel-alls when the task was made: an older task
    /// is cancelled by the next (see [`Loop::cancel_all`]).
    epoch: u64,
}

impl Control {
    /// Whether the loop `on` should drop this task instead of polling it.
    pub(super) fn is_cancelled(&self, on: &Loop) -> bool {
        self.cancelled.load(Ordering::Acquire) || self.epoch < on.epoch()
    }
}

impl<T> Task<T> {
    /// Asks the task to stop (asyncio's `Task.cancel()`): at its next turn
    /// the loop drops its future where it waits, and whoever awaits the task
    /// gets `Err(CancelledError)`. `false` if it had already ended.
    ///
    /// ```
    /// use multitask::{asyncio, Exception};
    /// let task = asyncio::spawn(asyncio::sleep(60.0));
    /// assert!(task.cancel());
    /// assert_eq!(asyncio::run(task), Err(Exception::cancelled()));
    /// ```
    pub fn cancel(&self) -> bool {
        let Some(inner) = self.inner.as_ref().filter(|inner| !inner.is_finished()) else {
            return false;
        };
        inner.metadata().cancelled.store(true, Ordering::Release);
        self.waker.wake_by_ref();
        true
    }

    /// Whether the task has ended: returned, panicked or been cancelled
    /// (asyncio's `Task.done()`).
    pub fn done(&self) -> bool {
        self.inner.as_ref().is_none_or(|inner| inner.is_finished())
    }

    /// Whether the task ended cancelled (asyncio's `Task.cancelled()`).
    pub fn cancelled(&self) -> bool {
        self.gave_cancelled
            || self
                .inner
                .as_ref()
                .is_some_and(|inner| inner.is_finished() && inner.metadata().is_cancelled(&self.on))
    }
}

impl<T> Future for Task<T> {
    type Output = Result<T, Exception>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let Some(inner) = this.inner.as_mut() else {
            panic!("a Task awaited again after it gave its result");
        };
        if inner.metadata().is_cancelled(&this.on) {
            if inner.is_finished() {
                this.inner = None;
                this.gave_cancelled = true;
                return Poll::Ready(Err(Exception::cancelled()));
            }
            // Cancelled by an interrupt while it waited: bring it to the
            // loop, which drops it.
            this.waker.wake_by_ref();
        }
        match Pin::new(inner).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(result) => {
                this.inner = None;
                Poll::Ready(result)
            }
        }
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            inner.detach();
        }
    }
}

impl<T> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if !self.done() {
            "pending"
        } else if self.cancelled() {
            "cancelled"
        } else {
            "finished"
        };
        write!(f, "<Task {state}>")
    }
}

/// Makes `future` a task of this thread's loop (asyncio's `create_task`).
/// It goes to the back of the loop's queue and first runs when the loop gets
/// to it — after its creator has `.await`ed something — and then runs on
/// its own, awaited or not. The future need not be `Send`: every task of a
/// loop runs on the loop's one thread, so tasks may share an `Rc<RefCell<_>>`.
///
/// ```
/// use std::{cell::RefCell, rc::Rc};
/// use multitask::asyncio;
/// let log = Rc::new(RefCell::new(Vec::new()));
/// asyncio::run(async {
///     let task = asyncio::spawn({
///         let log = log.clone();
///         async move { log.borrow_mut().push("task") }
///     });
///     log.borrow_mut().push("main, before it awaits");
///     task.await.unwrap();
/// });
/// assert_eq!(*log.borrow(), ["main, before it awaits", "task"]);
/// ```
pub fn spawn<F>(future: F) -> Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let lane = trace::new_lane(LaneKind::Task, format_args!("Task"));
    let on = event_loop::current();
    let control = Control {
        cancelled: AtomicBool::new(false),
        epoch: on.epoch(),
    };
    let guarded = Guarded {
        future: Polled::new(future, lane),
        _live: on.live(),
        _probed: crate::probe::task_spawned(),
    };
    let schedule = {
        let on = on.clone();
        move |runnable| on.schedule(runnable)
    };
    let (runnable, inner) = async_task::Builder::new()
        .metadata(control)
        .spawn_local(move |_| guarded, schedule);
    let waker = runnable.waker();
    runnable.schedule();
    Task {
        inner: Some(inner),
        waker,
        on,
        gave_cancelled: false,
        _on_its_thread: PhantomData,
    }
}

pin_project_lite::pin_project! {
    /// A task's future as the loop runs it: its panic turned into its result,
    /// and counted among the loop's live tasks until it is dropped.
    struct Guarded<F> {
        #[pin]
        future: Polled<F>,
        _live: event_loop::Live,
        _probed: Option<crate::probe::Alive>,
    }
}

impl<F: Future> Future for Guarded<F> {
    type Output = Result<F::Output, Exception>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let future = self.project().future;
        match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Err(payload) if crate::interrupt::is_interrupt(&*payload) => resume_unwind(payload),
            Err(payload) => Poll::Ready(Err(crate::panics::exception(&*payload))),
        }
    }
}

pin_project_lite::pin_project! {
    /// A future polled with tokio's runtime as the current one — for the copy
    /// of tokio compiled where the future was wrapped (each REPL cell has its
    /// own, see the module's notes) — and, in a [`trace::record`], on its own
    /// lane.
    pub(super) struct Polled<F> {
        #[pin]
        future: F,
        lane: Option<LaneId>,
    }
}

impl<F: Future> Polled<F> {
    pub(super) fn new(future: F, lane: Option<LaneId>) -> Self {
        if let Some(lane) = lane {
            trace::mark(lane, State::Ready, format_args!(""));
        }
        Polled { future, lane }
    }
}

impl<F: Future> Future for Polled<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _entered = runtime().enter();
        if let Some(lane) = *this.lane
            && trace::is_on()
            && LaneId::from_raw(lane.raw()).is_some()
        {
            return super::traced::poll(this.future, cx, lane);
        }
        this.future.poll(cx)
    }
}
