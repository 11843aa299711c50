//! [`Semaphore`]: gevent's `gevent.lock.Semaphore`, for the greenlets of one
//! thread — at most N of them past `acquire` at once. A greenlet that finds
//! none free waits in line, and the hub runs the others meanwhile; each
//! release wakes the first in line.

use std::cell::Cell;
use std::fmt;
use std::rc::Rc;

use super::hub::{LoopExit, in_greenlet, run_until};
use super::line::Line;
use crate::exception::Exception;

/// A counter of free places for greenlets (gevent's `Semaphore(value)`);
/// clones share it, so each greenlet can be moved one.
///
/// ```
/// use multitask::prelude::*;
/// use std::{cell::Cell, rc::Rc};
/// let two = greenlet::Semaphore::new(2);
/// let (inside, most) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
/// let gs: Vec<Greenlet> = (0..5)
///     .map(|_| {
///         let (two, inside, most) = (two.clone(), inside.clone(), most.clone());
///         Greenlet::spawn(move || {
///             let _place = two.acquire();
///             inside.set(inside.get() + 1);
///             most.set(most.get().max(inside.get()));
///             greenlet::sleep(0.01);
///             inside.set(inside.get() - 1);
///         })
///     })
///     .collect();
/// greenlet::joinall(&gs).unwrap();
/// assert_eq!(most.get(), 2);
/// ```
#[derive(Clone)]
pub struct Semaphore {
    shared: Rc<Shared>,
}

struct Shared {
    free: Cell<usize>,
    /// A [`BoundedSemaphore`]'s starting value, which `release` may not pass.
    bound: Option<usize>,
    /// The greenlets waiting for a place, first come first served.
    waiting: Line,
}

impl Semaphore {
    /// A semaphore with `value` free places.
    pub fn new(value: usize) -> Semaphore {
        Semaphore {
            shared: Rc::new(Shared {
                free: Cell::new(value),
                bound: None,
                waiting: Line::default(),
            }),
        }
    }

    /// Takes a place, waiting (and letting the other greenlets run) until
    /// one is free; the place is given back when the guard is dropped.
    ///
    /// # Panics
    /// On the thread's own stack, when no greenlet is left that could give
    /// a place back: gevent's `LoopExit` (it would wait forever).
    pub fn acquire(&self) -> SemaphoreGuard<'_> {
        if in_greenlet() {
            while self.shared.free.get() == 0 {
                self.shared.waiting.wait("a semaphore");
            }
        } else if self.shared.free.get() == 0 {
            let _traced =
                crate::trace::during(crate::trace::State::Waiting, format_args!("a semaphore"));
            if let Err(LoopExit) = run_until(|| self.shared.free.get() > 0, None) {
                panic!("{LoopExit}: the semaphore has no free place and no greenlet can free one");
            }
        }
        self.shared.free.set(self.shared.free.get() - 1);
        SemaphoreGuard { semaphore: self }
    }

    /// A place if one is free now, without waiting.
    pub fn try_acquire(&self) -> Option<SemaphoreGuard<'_>> {
        (self.shared.free.get() > 0).then(|| {
            self.shared.free.set(self.shared.free.get() - 1);
            SemaphoreGuard { semaphore: self }
        })
    }

    /// How many places are free (gevent's `counter`).
    pub fn value(&self) -> usize {
        self.shared.free.get()
    }

    /// Whether no place is free (gevent's `locked()`).
    pub fn locked(&self) -> bool {
        self.value() == 0
    }

    /// Gives a place back with no guard (gevent's `release()`; pair it with
    /// [`SemaphoreGuard::forget`]); wakes the first greenlet in line.
    pub fn release(&self) {
        self.give_back();
    }

    /// Adds a free place and wakes the first in line; `false` (adding
    /// none) past a bound.
    fn give_back(&self) -> bool {
        if self
            .shared
            .bound
            .is_some_and(|bound| self.shared.free.get() >= bound)
        {
            return false;
        }
        self.shared.free.set(self.shared.free.get() + 1);
        self.shared.waiting.wake_one();
        true
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "<Semaphore counter={} waiters={}>",
            self.value(),
            self.shared.waiting.len()
        )
    }
}

/// A place taken from a [`Semaphore`]; dropping it gives the place back.
#[must_use = "the place is given back as soon as the guard is dropped"]
pub struct SemaphoreGuard<'a> {
    semaphore: &'a Semaphore,
}

impl SemaphoreGuard<'_> {
    /// Keeps the place with no guard, until a `release()` — gevent's
    /// `acquire()` … `release()` instead of `with sem:`.
    pub fn forget(self) {
        std::mem::forget(self);
    }
}

impl Drop for SemaphoreGuard<'_> {
    fn drop(&mut self) {
        self.semaphore.give_back();
    }
}

/// A [`Semaphore`] that refuses to be released above its starting value
/// (gevent's `BoundedSemaphore`).
///
/// ```
/// use multitask::greenlet::BoundedSemaphore;
/// let s = BoundedSemaphore::new(1);
/// s.acquire().forget();
/// assert!(s.release().is_ok());
/// assert_eq!(
///     s.release().unwrap_err().to_string(),
///     "ValueError: Semaphore released too many times"
/// );
/// ```
#[derive(Clone)]
pub struct BoundedSemaphore {
    semaphore: Semaphore,
}

impl BoundedSemaphore {
    /// A bounded semaphore with `value` free places, and at most that many.
    pub fn new(value: usize) -> BoundedSemaphore {
        let semaphore = Semaphore {
            shared: Rc::new(Shared {
                free: Cell::new(value),
                bound: Some(value),
                waiting: Line::default(),
            }),
        };
        BoundedSemaphore { semaphore }
    }

    /// Takes a place, waiting until one is free (see [`Semaphore::acquire`]).
    pub fn acquire(&self) -> SemaphoreGuard<'_> {
        self.semaphore.acquire()
    }

    /// A place if one is free now, without waiting.
    pub fn try_acquire(&self) -> Option<SemaphoreGuard<'_>> {
        self.semaphore.try_acquire()
    }

    /// Gives a place back (gevent's `release()`).
    ///
    /// # Errors
    /// `ValueError: Semaphore released too many times` when every place is
    /// free already.
    pub fn release(&self) -> Result<(), Exception> {
        if self.semaphore.give_back() {
            Ok(())
        } else {
            Err(Exception::value_error("Semaphore released too many times"))
        }
    }

    /// How many places are free.
    pub fn value(&self) -> usize {
        self.semaphore.value()
    }
}

impl fmt::Debug for BoundedSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<BoundedSemaphore counter={}>", self.value())
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;
    use crate::greenlet::{Greenlet, joinall, sleep};

    #[test]
    fn places_are_given_first_come_first_served() {
        let one = Semaphore::new(1);
        let order = Rc::new(RefCell::new(Vec::new()));
        let gs: Vec<Greenlet> = (0..3)
            .map(|i| {
                let (one, order) = (one.clone(), order.clone());
                Greenlet::spawn(move || {
                    let _place = one.acquire();
                    order.borrow_mut().push(format!("{i} in"));
                    sleep(0.0);
                    order.borrow_mut().push(format!("{i} out"));
                })
            })
            .collect();
        joinall(&gs).unwrap();
        assert_eq!(
            order.borrow().join(", "),
            "0 in, 0 out, 1 in, 1 out, 2 in, 2 out"
        );
        assert_eq!(one.value(), 1);
    }

    #[test]
    fn the_main_stack_waits_for_a_greenlet_to_give_a_place_back() {
        let one = Semaphore::new(1);
        let held = one.clone();
        let g = Greenlet::spawn(move || {
            let _place = held.acquire();
            sleep(0.02);
        });
        sleep(0.0);
        assert!(one.locked());
        drop(one.acquire());
        assert!(g.dead());
    }
}
