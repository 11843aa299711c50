//! A task's poll in a [`trace::record`](crate::trace::record): running while
//! polled, then waiting — or ready from the moment its waker is called.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use crate::trace::{LaneId, State, mark};

/// Passes each wake on to tokio's waker, marking the lane ready.
struct Marking {
    lane: LaneId,
    inner: Waker,
    /// While the task is being polled a wake only leaves a note: the
    /// poll's end marks it.
    polling: AtomicBool,
    woken: AtomicBool,
}

impl Wake for Marking {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        if self.polling.load(Ordering::SeqCst) {
            self.woken.store(true, Ordering::SeqCst);
        } else {
            mark(self.lane, State::Ready, format_args!("woken"));
        }
        self.inner.wake_by_ref();
    }
}

#[cold]
pub(super) fn poll<F: Future>(
    future: Pin<&mut F>,
    cx: &mut Context<'_>,
    lane: LaneId,
) -> Poll<F::Output> {
    let marking = Arc::new(Marking {
        lane,
        inner: cx.waker().clone(),
        polling: AtomicBool::new(true),
        woken: AtomicBool::new(false),
    });
    let waker = Waker::from(marking.clone());
    let entered = crate::trace::enter(Some(lane));
    mark(lane, State::Running, format_args!(""));
    let polled = future.poll(&mut Context::from_waker(&waker));
    drop(entered);
    match polled {
        Poll::Ready(output) => {
            crate::trace::end(lane);
            Poll::Ready(output)
        }
        Poll::Pending => {
            if marking.woken.load(Ordering::SeqCst) {
                mark(lane, State::Ready, format_args!("woken"));
            } else {
                mark(lane, State::Waiting, format_args!(""));
                marking.polling.store(false, Ordering::SeqCst);
                if marking.woken.swap(false, Ordering::SeqCst) {
                    mark(lane, State::Ready, format_args!("woken"));
                }
            }
            marking.polling.store(false, Ordering::SeqCst);
            Poll::Pending
        }
    }
}
