//! A task: a future the loop polls on its own (asyncio's `Task`), its
//! handle, and what every poll of ours goes through.

use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use super::event_loop::{self, runtime};
use crate::exception::Exception;
use crate::trace::{self, LaneId, LaneKind, State};

/// A spawned task's handle (asyncio's `Task`). `.await` it for `Ok(value)`,
/// or `Err` with the exception that ended it: the panic it raised, or
/// `CancelledError` if it was [`cancel`](Task::cancel)led. Dropping the
/// handle does not stop the task — as in Python, the loop keeps running it.
///
/// ```
/// use multitask::asyncio::{self, Task};
/// let task: Task<i32> = asyncio::spawn(async { 6 * 7 });
/// assert!(!task.done()); // nothing runs until the loop does
/// assert_eq!(asyncio::run(task), Ok(42));
/// ```
pub struct Task<T> {
    inner: Option<async_task::FallibleTask<Result<T, Exception>>>,
    control: Arc<Control>,
}

/// What a task and its handle share: the cancel request, and the waker that
/// brings the task back to the loop to see it.
pub(super) struct Control {
    cancelled: AtomicBool,
    ended: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl Control {
    /// Asks the task to stop at its next turn; `false` if it had ended.
    pub(super) fn cancel(&self) -> bool {
        if self.ended.load(Ordering::Acquire) || self.cancelled.swap(true, Ordering::AcqRel) {
            return false;
        }
        if let Some(waker) = self.waker.lock().unwrap_or_else(|p| p.into_inner()).take() {
            waker.wake();
        }
        true
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
        self.control.cancel()
    }

    /// Whether the task has ended: returned, panicked or been cancelled
    /// (asyncio's `Task.done()`).
    pub fn done(&self) -> bool {
        self.inner.as_ref().is_none_or(|inner| inner.is_finished())
    }

    /// Whether the task was cancelled (asyncio's `Task.cancelled()`).
    pub fn cancelled(&self) -> bool {
        self.control.cancelled.load(Ordering::Acquire) && self.done()
    }
}

impl<T> Future for Task<T> {
    type Output = Result<T, Exception>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Some(inner) = self.inner.as_mut() else {
            panic!("a Task awaited again after it gave its result");
        };
        match Pin::new(inner).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(result) => {
                self.inner = None;
                // `None`: its loop's thread ended before the task did.
                Poll::Ready(result.unwrap_or(Err(Exception::cancelled())))
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
    let control = Arc::new(Control {
        cancelled: AtomicBool::new(false),
        ended: AtomicBool::new(false),
        waker: Mutex::new(None),
    });
    let on = event_loop::current();
    on.adopt(&control);
    let guarded = Guarded {
        future: Some(Box::pin(Polled::new(future, lane))),
        control: control.clone(),
    };
    let (runnable, inner) = async_task::spawn_local(guarded, move |runnable| on.schedule(runnable));
    runnable.schedule();
    Task {
        inner: Some(inner.fallible()),
        control,
    }
}

/// A task's future as the loop runs it: cancelled at its next turn once
/// asked, its panic turned into its result.
struct Guarded<F: Future> {
    future: Option<Pin<Box<Polled<F>>>>,
    control: Arc<Control>,
}

impl<F: Future> Future for Guarded<F> {
    type Output = Result<F::Output, Exception>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let Some(future) = this.future.as_mut() else {
            return Poll::Ready(Err(Exception::cancelled()));
        };
        let result = if this.control.cancelled.load(Ordering::Acquire) {
            Err(Exception::cancelled())
        } else {
            {
                let mut waker = this.control.waker.lock().unwrap_or_else(|p| p.into_inner());
                if !waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    *waker = Some(cx.waker().clone());
                }
            }
            match catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
                Ok(Poll::Pending) => return Poll::Pending,
                Ok(Poll::Ready(output)) => Ok(output),
                Err(payload) if crate::interrupt::is_interrupt(&*payload) => resume_unwind(payload),
                Err(payload) => Err(crate::panics::exception(&*payload)),
            }
        };
        this.future = None;
        this.control.ended.store(true, Ordering::Release);
        this.control
            .waker
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        Poll::Ready(result)
    }
}

/// A future polled with tokio's runtime as the current one — for the copy of
/// tokio compiled where the future was wrapped (each REPL cell has its own,
/// see the module's notes) — and, in a [`trace::record`], on its own lane.
pub(super) struct Polled<F> {
    future: Pin<Box<F>>,
    lane: Option<LaneId>,
}

impl<F: Future> Polled<F> {
    pub(super) fn new(future: F, lane: Option<LaneId>) -> Self {
        if let Some(lane) = lane {
            trace::mark(lane, State::Ready, format_args!(""));
        }
        Polled {
            future: Box::pin(future),
            lane,
        }
    }
}

impl<F: Future> Future for Polled<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let _entered = runtime().enter();
        if let Some(lane) = self.lane
            && trace::is_on()
            && LaneId::from_raw(lane.raw()).is_some()
        {
            return super::traced::poll(self.future.as_mut(), cx, lane);
        }
        self.future.as_mut().poll(cx)
    }
}
