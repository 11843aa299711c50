//! asyncio's `Queue`: producers and consumers that are tasks of one loop.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::exception::Exception;

/// A first-in first-out queue for the tasks of one loop (asyncio's
/// `Queue`): [`put`](Queue::put) waits while it is full,
/// [`get`](Queue::get) while it is empty, and [`join`](Queue::join) until
/// every item put has been marked [`task_done`](Queue::task_done). Waiters
/// are served first come, first served.
///
/// It is an `Rc`, not an `Arc`: the tasks that share it all run on the
/// loop's one thread, so it needs no lock — and cannot be sent to another
/// thread (nor can Python's, which is not thread-safe). Clone it to share.
///
/// ```
/// use multitask::asyncio::{self, Queue};
/// let total = asyncio::run(async {
///     let queue = Queue::with_maxsize(2);
///     let consumer = asyncio::spawn({
///         let queue = queue.clone();
///         async move {
///             let mut total = 0;
///             loop {
///                 total += queue.get().await;
///                 queue.task_done().unwrap();
///             }
///         }
///     });
///     for item in 1..=10 {
///         queue.put(item).await; // waits while two are queued
///     }
///     queue.join().await; // every item taken and marked done
///     consumer.cancel();
///     10 * 11 / 2
/// });
/// assert_eq!(total, 55);
/// ```
pub struct Queue<T> {
    state: Rc<RefCell<State<T>>>,
}

struct State<T> {
    items: VecDeque<T>,
    maxsize: usize,
    unfinished: usize,
    getters: Waiters,
    putters: Waiters,
    joiners: Vec<Waker>,
}

impl<T> Clone for Queue<T> {
    fn clone(&self) -> Self {
        Queue {
            state: self.state.clone(),
        }
    }
}

impl<T> Default for Queue<T> {
    fn default() -> Self {
        Queue::new()
    }
}

impl<T> fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.borrow();
        write!(
            f,
            "<Queue maxsize={} qsize={}",
            state.maxsize,
            state.items.len()
        )?;
        if state.unfinished > 0 {
            write!(f, " tasks={}", state.unfinished)?;
        }
        f.write_str(">")
    }
}

impl<T> Queue<T> {
    /// A queue with no bound (asyncio's `Queue()`).
    pub fn new() -> Self {
        Queue::with_maxsize(0)
    }

    /// A queue that holds at most `maxsize` items; `0` means no bound
    /// (asyncio's `Queue(maxsize)`).
    pub fn with_maxsize(maxsize: usize) -> Self {
        Queue {
            state: Rc::new(RefCell::new(State {
                items: VecDeque::new(),
                maxsize,
                unfinished: 0,
                getters: Waiters::default(),
                putters: Waiters::default(),
                joiners: Vec::new(),
            })),
        }
    }

    /// The bound given when it was made (`0`: none).
    pub fn maxsize(&self) -> usize {
        self.state.borrow().maxsize
    }

    /// How many items are in it now.
    pub fn qsize(&self) -> usize {
        self.state.borrow().items.len()
    }

    /// Whether it holds no item.
    pub fn empty(&self) -> bool {
        self.state.borrow().items.is_empty()
    }

    /// Whether it holds `maxsize` items (never, without a bound).
    pub fn full(&self) -> bool {
        self.state.borrow().full()
    }

    /// Puts `item` at the back, first waiting for room while it is full.
    pub fn put(&self, item: T) -> Put<'_, T> {
        Put {
            queue: self,
            item: Some(item),
            waiting: None,
        }
    }

    /// Puts `item` at the back if there is room; `Err(QueueFull)` with the
    /// item otherwise.
    ///
    /// ```
    /// let queue = multitask::asyncio::Queue::with_maxsize(1);
    /// assert!(queue.put_nowait('a').is_ok());
    /// let full = queue.put_nowait('b').unwrap_err();
    /// assert_eq!((full.to_string().as_str(), full.0), ("QueueFull", 'b'));
    /// ```
    pub fn put_nowait(&self, item: T) -> Result<(), QueueFull<T>> {
        let mut state = self.state.borrow_mut();
        if state.full() {
            return Err(QueueFull(item));
        }
        state.items.push_back(item);
        state.unfinished += 1;
        state.getters.wake_one();
        Ok(())
    }

    /// Takes the item at the front, first waiting for one while it is empty.
    pub fn get(&self) -> Get<'_, T> {
        Get {
            queue: self,
            waiting: None,
        }
    }

    /// Takes the item at the front if there is one; `Err(QueueEmpty)`
    /// otherwise.
    ///
    /// ```
    /// let queue = multitask::asyncio::Queue::<u8>::new();
    /// assert_eq!(queue.get_nowait().unwrap_err().to_string(), "QueueEmpty");
    /// ```
    pub fn get_nowait(&self) -> Result<T, QueueEmpty> {
        let mut state = self.state.borrow_mut();
        let item = state.items.pop_front().ok_or(QueueEmpty)?;
        state.putters.wake_one();
        Ok(item)
    }

    /// Marks one item taken with [`get`](Queue::get) as handled. Called more
    /// often than items were put, it is Python's `ValueError: task_done()
    /// called too many times`.
    ///
    /// ```
    /// let queue = multitask::asyncio::Queue::<u8>::new();
    /// assert_eq!(
    ///     queue.task_done().unwrap_err().to_string(),
    ///     "ValueError: task_done() called too many times"
    /// );
    /// ```
    pub fn task_done(&self) -> Result<(), Exception> {
        let mut state = self.state.borrow_mut();
        if state.unfinished == 0 {
            return Err(Exception::value_error("task_done() called too many times"));
        }
        state.unfinished -= 1;
        if state.unfinished == 0 {
            state.joiners.drain(..).for_each(Waker::wake);
        }
        Ok(())
    }

    /// Waits until every item put has been marked
    /// [`task_done`](Queue::task_done).
    pub async fn join(&self) {
        std::future::poll_fn(|cx| {
            let mut state = self.state.borrow_mut();
            if state.unfinished == 0 {
                return Poll::Ready(());
            }
            if !state.joiners.iter().any(|w| w.will_wake(cx.waker())) {
                state.joiners.push(cx.waker().clone());
            }
            Poll::Pending
        })
        .await
    }
}

impl<T> State<T> {
    fn full(&self) -> bool {
        self.maxsize > 0 && self.items.len() >= self.maxsize
    }
}

/// [`Queue::put_nowait`] on a full queue (asyncio's `QueueFull`); holds the
/// item that did not go in.
#[derive(Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("QueueFull")]
pub struct QueueFull<T>(pub T);

impl<T> fmt::Debug for QueueFull<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("QueueFull")
    }
}

/// [`Queue::get_nowait`] on an empty queue (asyncio's `QueueEmpty`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("QueueEmpty")]
pub struct QueueEmpty;

/// Tasks waiting their turn, first come first served: each knows its place
/// by an id, so a waiter polled again keeps its place.
#[derive(Default)]
struct Waiters {
    next_id: u64,
    queue: VecDeque<(u64, Waker)>,
}

impl Waiters {
    /// Queues the waiter `id` (a new one if `None`), or updates its waker.
    fn wait(&mut self, id: &mut Option<u64>, waker: &Waker) {
        if let Some(id) = *id
            && let Some((_, queued)) = self.queue.iter_mut().find(|(i, _)| *i == id)
        {
            queued.clone_from(waker);
            return;
        }
        self.next_id += 1;
        *id = Some(self.next_id);
        self.queue.push_back((self.next_id, waker.clone()));
    }

    /// Wakes the first waiter, which leaves the queue.
    fn wake_one(&mut self) {
        if let Some((_, waker)) = self.queue.pop_front() {
            waker.wake();
        }
    }

    /// Takes `id` out of the queue; `false` if it was no longer in it (it
    /// had been woken).
    fn leave(&mut self, id: u64) -> bool {
        let before = self.queue.len();
        self.queue.retain(|(i, _)| *i != id);
        self.queue.len() != before
    }
}

/// [`Queue::put`]'s future.
#[must_use = "a put does nothing unless awaited"]
pub struct Put<'a, T> {
    queue: &'a Queue<T>,
    item: Option<T>,
    waiting: Option<u64>,
}

impl<T> Unpin for Put<'_, T> {}

impl<T> Future for Put<'_, T> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        let mut state = this.queue.state.borrow_mut();
        if state.full() {
            state.putters.wait(&mut this.waiting, cx.waker());
            return Poll::Pending;
        }
        if let Some(id) = this.waiting.take() {
            state.putters.leave(id);
        }
        state
            .items
            .push_back(this.item.take().expect("a Put polled after it ended"));
        state.unfinished += 1;
        state.getters.wake_one();
        Poll::Ready(())
    }
}

impl<T> Drop for Put<'_, T> {
    fn drop(&mut self) {
        // Dropped (cancelled) after being woken for a place it did not take:
        // the place goes to the next in line.
        if let Some(id) = self.waiting.take() {
            let mut state = self.queue.state.borrow_mut();
            if !state.putters.leave(id) && !state.full() {
                state.putters.wake_one();
            }
        }
    }
}

/// [`Queue::get`]'s future.
#[must_use = "a get does nothing unless awaited"]
pub struct Get<'a, T> {
    queue: &'a Queue<T>,
    waiting: Option<u64>,
}

impl<T> Future for Get<'_, T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let this = &mut *self;
        let mut state = this.queue.state.borrow_mut();
        let Some(item) = state.items.pop_front() else {
            state.getters.wait(&mut this.waiting, cx.waker());
            return Poll::Pending;
        };
        if let Some(id) = this.waiting.take() {
            state.getters.leave(id);
        }
        state.putters.wake_one();
        Poll::Ready(item)
    }
}

impl<T> Drop for Get<'_, T> {
    fn drop(&mut self) {
        // Dropped (cancelled) after being woken for an item it did not take:
        // the item goes to the next in line.
        if let Some(id) = self.waiting.take() {
            let mut state = self.queue.state.borrow_mut();
            if !state.getters.leave(id) && !state.items.is_empty() {
                state.getters.wake_one();
            }
        }
    }
}
