//! [`Semaphore`]: gevent's `gevent.lock.Semaphore`, for the greenlets of one
//! thread — at most N of them past `acquire` at once. A greenlet that finds
//! none free waits in line, and the hub runs the others meanwhile; each
//! release wakes the first in line.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::rc::Rc;

use super::hub::{LoopExit, in_greenlet, park, run_until, with_hub};
use super::task::{Park, Task};

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
    /// The greenlets waiting for a place, first come first served.
    waiting: RefCell<VecDeque<Rc<dyn Task>>>,
}

impl Semaphore {
    /// A semaphore with `value` free places.
    pub fn new(value: usize) -> Semaphore {
        Semaphore {
            shared: Rc::new(Shared {
                free: Cell::new(value),
                waiting: RefCell::new(VecDeque::new()),
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
                let me = with_hub(|hub| hub.current.clone()).expect("in a greenlet");
                self.shared.waiting.borrow_mut().push_back(me.clone());
                if let Some(lane) = crate::trace::here() {
                    let what = format_args!("a semaphore");
                    crate::trace::mark(lane, crate::trace::State::Waiting, what);
                }
                // Killed while it waits (the park unwinds): out of the line.
                let in_line = InLine {
                    shared: &self.shared,
                    me,
                };
                park(Park::Waiting);
                std::mem::forget(in_line);
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

    fn release(&self) {
        self.shared.free.set(self.shared.free.get() + 1);
        // The first in line that can still take the place: one killed while
        // it waited would take it to its grave, and the next wait for ever.
        let mut waiting = self.shared.waiting.borrow_mut();
        while let Some(first) = waiting.pop_front() {
            if !first.ended() {
                with_hub(|hub| hub.ready.push_back(first));
                break;
            }
        }
    }
}

/// A greenlet waiting in a [`Semaphore`]'s line; dropped only if it
/// unwinds (killed), which takes it out of the line.
struct InLine<'a> {
    shared: &'a Shared,
    me: Rc<dyn Task>,
}

impl Drop for InLine<'_> {
    fn drop(&mut self) {
        let mut waiting = self.shared.waiting.borrow_mut();
        let had = waiting.len();
        waiting.retain(|t| !Rc::ptr_eq(t, &self.me));
        // Woken for a place it will not take: pass it on.
        if waiting.len() == had && self.shared.free.get() > 0 {
            if let Some(next) = waiting.iter().position(|t| !t.ended()) {
                let next = waiting.remove(next).expect("found");
                with_hub(|hub| hub.ready.push_back(next));
            }
        }
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "<Semaphore counter={} waiters={}>",
            self.value(),
            self.shared.waiting.borrow().len()
        )
    }
}

/// A place taken from a [`Semaphore`]; dropping it gives the place back.
#[must_use = "the place is given back as soon as the guard is dropped"]
pub struct SemaphoreGuard<'a> {
    semaphore: &'a Semaphore,
}

impl Drop for SemaphoreGuard<'_> {
    fn drop(&mut self) {
        self.semaphore.release();
    }
}

#[cfg(test)]
mod tests {
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
