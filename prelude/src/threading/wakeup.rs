//! How the prelude's locks wait: on a `Condvar`, or — inside
//! [`explore`](crate::explore::explore), where every thread takes turns on
//! one system thread — parked until another thread's step wakes them.

use std::sync::{Condvar, Mutex, MutexGuard, TryLockError};
use std::time::Instant;

use crate::explore::model::Model;

/// Locks `m`, whatever a panicking holder left.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A condition variable for system threads; explored threads park instead.
#[derive(Default)]
pub(crate) struct Wakeup {
    cv: Condvar,
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
    /// not pass: a deadline gives up at once. Either way this is a point
    /// where another thread may go first; a wait is a park, which the
    /// scheduler ends only when `ready` holds (told as waiting for `what` if
    /// it never does).
    pub(crate) fn park_until<'a, T>(
        &self,
        state: &'a Mutex<T>,
        deadline: Option<Instant>,
        model: &dyn Model,
        what: &str,
        ready: impl Fn(&T) -> bool,
    ) -> (MutexGuard<'a, T>, bool) {
        if deadline.is_some() {
            model.point();
            let guard = lock(state);
            let ok = ready(&guard);
            return (guard, ok);
        }
        loop {
            model.park(what, &|| peek(state, &ready));
            // Never held across a park: no other explored thread can find
            // it taken (they all run on this system thread).
            let guard = lock(state);
            if ready(&guard) {
                return (guard, true);
            }
        }
    }

    /// Wakes one waiting system thread (explored ones wake when they can go).
    pub(crate) fn notify_one(&self) {
        self.cv.notify_one();
    }

    /// Wakes every waiting system thread.
    pub(crate) fn notify_all(&self) {
        self.cv.notify_all();
    }
}

/// Whether `ready` holds of what `state` guards, asked by the scheduler
/// between two steps: `true` (go and see) if someone holds the guard.
fn peek<T>(state: &Mutex<T>, ready: &impl Fn(&T) -> bool) -> bool {
    match state.try_lock() {
        Ok(guard) => ready(&guard),
        Err(TryLockError::Poisoned(p)) => ready(&p.into_inner()),
        Err(TryLockError::WouldBlock) => true,
    }
}
