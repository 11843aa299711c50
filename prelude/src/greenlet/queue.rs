//! [`Queue`]: gevent's `gevent.queue.Queue`, for the greenlets of one thread.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::rc::Rc;
use std::time::{Duration, Instant};

use super::hub::{LoopExit, in_greenlet, run_until};
use super::line::Line;
use super::timeout::with_timeout;

/// A first-in first-out queue between greenlets (gevent's `Queue`): `get`
/// waits while it is empty and `put` while it is full, letting the other
/// greenlets run; waiters are served first come, first served. Clones share
/// it. Like the greenlets it serves, it stays on its thread.
///
/// ```
/// use multitask::prelude::*;
/// let queue = greenlet::Queue::with_maxsize(1);
/// let producer = {
///     let queue = queue.clone();
///     Greenlet::spawn(move || for i in 0..3 { queue.put(i) })
/// };
/// let got: Vec<i32> = (0..3).map(|_| queue.get()).collect();
/// assert_eq!(got, [0, 1, 2]);
/// producer.join().unwrap();
/// assert_eq!(queue.get_timeout(0.01), Err(greenlet::Empty));
/// ```
pub struct Queue<T> {
    shared: Rc<Shared<T>>,
}

struct Shared<T> {
    items: RefCell<VecDeque<T>>,
    /// 0: no bound.
    maxsize: usize,
    getters: Line,
    putters: Line,
}

impl<T> Clone for Queue<T> {
    fn clone(&self) -> Self {
        Queue {
            shared: self.shared.clone(),
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
        write!(
            f,
            "<Queue queue={} maxsize={}>",
            self.qsize(),
            self.shared.maxsize
        )
    }
}

/// [`Queue::get_nowait`] on an empty queue, or a timed get that found
/// nothing in time (gevent's `queue.Empty`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("queue.Empty")]
pub struct Empty;

/// [`Queue::put_nowait`] on a full queue, or a timed put that found no room
/// in time (gevent's `queue.Full`); holds the item that did not go in.
#[derive(Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("queue.Full")]
pub struct Full<T>(pub T);

impl<T> fmt::Debug for Full<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Full")
    }
}

impl<T> Queue<T> {
    /// A queue with no bound.
    pub fn new() -> Queue<T> {
        Queue::with_maxsize(0)
    }

    /// A queue holding at most `maxsize` items; `0` means no bound.
    pub fn with_maxsize(maxsize: usize) -> Queue<T> {
        Queue {
            shared: Rc::new(Shared {
                items: RefCell::new(VecDeque::new()),
                maxsize,
                getters: Line::default(),
                putters: Line::default(),
            }),
        }
    }

    /// How many items are in it.
    pub fn qsize(&self) -> usize {
        self.shared.items.borrow().len()
    }

    /// Whether it holds nothing.
    pub fn empty(&self) -> bool {
        self.qsize() == 0
    }

    /// Whether it holds `maxsize` items (never, without a bound).
    pub fn full(&self) -> bool {
        self.shared.maxsize > 0 && self.qsize() >= self.shared.maxsize
    }

    /// Puts `item` at the back, first waiting for room while it is full.
    ///
    /// # Panics
    /// On the main stack, when it is full and no greenlet is left that could
    /// take from it: gevent's `LoopExit`.
    pub fn put(&self, item: T) {
        if !self.wait(|| !self.full(), &self.shared.putters, "queue room", None) {
            panic!("{LoopExit}: the queue is full and no greenlet can take from it");
        }
        self.push(item);
    }

    /// [`put`](Queue::put), waiting at most `secs` seconds for room.
    ///
    /// # Errors
    /// [`Full`], with the item, if no room came in time.
    pub fn put_timeout(&self, item: T, secs: f64) -> Result<(), Full<T>> {
        if !self.wait(
            || !self.full(),
            &self.shared.putters,
            "queue room",
            Some(secs),
        ) {
            return Err(Full(item));
        }
        self.push(item);
        Ok(())
    }

    /// Puts `item` at the back if there is room.
    ///
    /// # Errors
    /// [`Full`], with the item, if there is none.
    pub fn put_nowait(&self, item: T) -> Result<(), Full<T>> {
        if self.full() {
            return Err(Full(item));
        }
        self.push(item);
        Ok(())
    }

    /// Takes the item at the front, first waiting while it is empty.
    ///
    /// # Panics
    /// On the main stack, when it is empty and no greenlet is left that
    /// could put in it: gevent's `LoopExit`.
    pub fn get(&self) -> T {
        if !self.wait(|| !self.empty(), &self.shared.getters, "queue item", None) {
            panic!("{LoopExit}: the queue is empty and no greenlet can put in it");
        }
        self.pop()
    }

    /// [`get`](Queue::get), waiting at most `secs` seconds for an item.
    ///
    /// # Errors
    /// [`Empty`] if none came in time.
    pub fn get_timeout(&self, secs: f64) -> Result<T, Empty> {
        if !self.wait(
            || !self.empty(),
            &self.shared.getters,
            "queue item",
            Some(secs),
        ) {
            return Err(Empty);
        }
        Ok(self.pop())
    }

    /// Takes the item at the front if there is one.
    ///
    /// # Errors
    /// [`Empty`] if there is none.
    pub fn get_nowait(&self) -> Result<T, Empty> {
        if self.empty() {
            return Err(Empty);
        }
        Ok(self.pop())
    }

    fn push(&self, item: T) {
        self.shared.items.borrow_mut().push_back(item);
        self.shared.getters.wake_one();
    }

    fn pop(&self) -> T {
        let item = self
            .shared
            .items
            .borrow_mut()
            .pop_front()
            .expect("waited for an item");
        self.shared.putters.wake_one();
        item
    }

    /// Waits until `ready()` — in `line` inside a greenlet, running the hub
    /// on the main stack — for at most `secs` if given; `false` if it did
    /// not come (in time, or ever).
    fn wait(&self, ready: impl Fn() -> bool, line: &Line, what: &str, secs: Option<f64>) -> bool {
        if ready() {
            return true;
        }
        if in_greenlet() {
            let in_line = || {
                while !ready() {
                    line.wait(what);
                }
            };
            return match secs {
                None => {
                    in_line();
                    true
                }
                Some(secs) => with_timeout(secs, in_line).is_ok(),
            };
        }
        let _traced = crate::trace::during(crate::trace::State::Waiting, format_args!("{what}"));
        let deadline = secs.map(|secs| Instant::now() + Duration::from_secs_f64(secs.max(0.0)));
        let waited = run_until(
            || ready() || deadline.is_some_and(|d| Instant::now() >= d),
            deadline,
        );
        waited.is_ok() && ready()
    }
}
