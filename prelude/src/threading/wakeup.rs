//! How the prelude's locks wait: on a `Condvar`, or — inside
//! [`explore`](crate::explore::explore), where every thread takes turns on
//! one system thread — parked until another thread's step wakes them.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Instant;

use crate::explore::model::{self, Model};

/// Locks `m`, whatever a panicking holder left.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A condition variable that wakes system threads and explored ones alike.
#[derive(Default)]
pub(crate) struct Wakeup {
    cv: Condvar,
    /// The explored threads parked here.
    parked: Mutex<Vec<usize>>,
}

impl Wakeup {
    /// Waits until `ready` holds of what `guard` holds, or `deadline`
    /// passes; `true` if ready. Interruptible (see
    /// [`interrupt::wait_until`](crate::interrupt::wait_until)).
    pub(crate) fn wait_until<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        deadline: Option<Instant>,
        ready: impl Fn(&T) -> bool,
    ) -> (MutexGuard<'a, T>, bool) {
        crate::interrupt::wait_until(&self.cv, guard, deadline, ready)
    }

    /// [`park_until`](Wakeup::park_until) with `model`, if `explore` runs
    /// the caller, else [`wait_until`](Wakeup::wait_until).
    pub(crate) fn wait<'a, T>(
        &self,
        state: &'a Mutex<T>,
        deadline: Option<Instant>,
        model: Option<&dyn Model>,
        what: &str,
        ready: impl Fn(&T) -> bool,
    ) -> (MutexGuard<'a, T>, bool) {
        match model {
            None => self.wait_until(lock(state), deadline, ready),
            Some(model) => self.park_until(state, deadline, model, what, ready),
        }
    }

    /// [`wait_until`](Wakeup::wait_until) inside `explore`, where time does
    /// not pass: a deadline gives up at once, and a wait is a park, told as
    /// waiting for `what` if it never ends.
    pub(crate) fn park_until<'a, T>(
        &self,
        state: &'a Mutex<T>,
        deadline: Option<Instant>,
        model: &dyn Model,
        what: &str,
        ready: impl Fn(&T) -> bool,
    ) -> (MutexGuard<'a, T>, bool) {
        loop {
            // Never held across a park: no other explored thread can find it
            // taken (they all run on this system thread).
            let guard = lock(state);
            if ready(&guard) {
                return (guard, true);
            }
            if deadline.is_some() {
                return (guard, false);
            }
            lock(&self.parked).push(model.me());
            drop(guard);
            model.park(what);
        }
    }

    /// Wakes one system thread, and every explored one (they check again).
    pub(crate) fn notify_one(&self) {
        self.cv.notify_one();
        self.unpark();
    }

    /// Wakes every waiting thread.
    pub(crate) fn notify_all(&self) {
        self.cv.notify_all();
        self.unpark();
    }

    fn unpark(&self) {
        let parked = std::mem::take(&mut *lock(&self.parked));
        if !parked.is_empty() {
            model::with(|model| {
                if let Some(model) = model {
                    parked.into_iter().for_each(|thread| model.unpark(thread));
                }
            });
        }
    }
}
