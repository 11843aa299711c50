//! Atomics that [`explore`](crate::explore::explore) can see: `std`'s, with
//! a name, each step of which is a point where another thread may go first
//! inside `explore`, and a line of its schedule (`A: read balance = 0`).
//!
//! Outside `explore` they are `std::sync::atomic`'s own, at the cost of one
//! check per call. Inside, every step happens in one order or another, as
//! with `Ordering::SeqCst`: the weaker orderings' extra outcomes (which
//! `loom` explores) are not among those shown.

use std::fmt;
use std::sync::atomic::{self, Ordering};

use crate::explore::model::{Label, Made};

/// One step on an atomic `value` made at `made`: `op` on it, and inside
/// `explore` a point before it, the step told as `say(result)`, and what it
/// holds after (`now`) shown.
fn one_step<A, R: Copy>(
    made: Made,
    label: &Label,
    value: &A,
    op: impl FnOnce(&A) -> R,
    say: impl FnOnce(R) -> String,
    now: impl FnOnce(&A) -> String,
) -> R {
    made.model(label, |model| match model {
        None => op(value),
        Some(model) => {
            model.point();
            let result = op(value);
            model.step(say(result));
            model.shows(&label.to_string(), now(value));
            result
        }
    })
}

macro_rules! atomic_int {
    ($(#[$doc:meta])* $name:ident, $std:ident, $int:ty) => {
        $(#[$doc])*
        pub struct $name {
            value: atomic::$std,
            label: Label,
            made: Made,
        }

        impl $name {
            /// A new atomic holding `value`.
            pub fn new(value: $int) -> $name {
                $name {
                    value: atomic::$std::new(value),
                    label: Label::new("atomic"),
                    made: Made::here(),
                }
            }

            /// The same, with a name for [`explore`](crate::explore::explore)'s
            /// schedules (`read balance = 0`); unnamed it is `atomic #1`, …
            pub fn named(self, name: impl Into<String>) -> $name {
                $name {
                    label: self.label.named(name),
                    ..self
                }
            }

            /// Runs one step: `op` on the value, told as `say(result)`.
            fn step<R: Copy>(&self, op: impl FnOnce(&atomic::$std) -> R, say: impl FnOnce(R) -> String) -> R {
                one_step(self.made, &self.label, &self.value, op, say, |v| v.load(Ordering::SeqCst).to_string())
            }

            /// Reads the value.
            pub fn load(&self, order: Ordering) -> $int {
                self.step(|v| v.load(order), |now| format!("read {} = {now}", self.label))
            }

            /// Writes `value`.
            pub fn store(&self, value: $int, order: Ordering) {
                self.step(|v| v.store(value, order), |()| format!("write {} = {value}", self.label))
            }

            /// Adds `n` in one step; the value before.
            pub fn fetch_add(&self, n: $int, order: Ordering) -> $int {
                self.step(
                    |v| v.fetch_add(n, order),
                    |old| format!("add {n} to {}: {old} → {}", self.label, old.wrapping_add(n)),
                )
            }

            /// Subtracts `n` in one step; the value before.
            pub fn fetch_sub(&self, n: $int, order: Ordering) -> $int {
                self.step(
                    |v| v.fetch_sub(n, order),
                    |old| format!("subtract {n} from {}: {old} → {}", self.label, old.wrapping_sub(n)),
                )
            }

            /// Writes `value` in one step; the value before.
            pub fn swap(&self, value: $int, order: Ordering) -> $int {
                self.step(
                    |v| v.swap(value, order),
                    |old| format!("swap {}: {old} → {value}", self.label),
                )
            }

            /// Writes `new` if the value is `current`, in one step: `Ok` with
            /// the value before, or `Err` with the value found.
            ///
            /// # Errors
            /// The value found, when it was not `current`.
            pub fn compare_exchange(
                &self,
                current: $int,
                new: $int,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$int, $int> {
                self.step(
                    |v| v.compare_exchange(current, new, success, failure),
                    |result| match result {
                        Ok(_) => format!("compare {} = {current}, write {new}", self.label),
                        Err(found) => format!("compare {} = {current}: it is {found}", self.label),
                    },
                )
            }

            /// The value, taking the atomic (no other thread can have it).
            pub fn into_inner(self) -> $int {
                self.value.into_inner()
            }
        }

        impl Default for $name {
            fn default() -> $name {
                $name::new(0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // Looking is not a step: Debug reads without a turn.
                fmt::Debug::fmt(&self.value.load(Ordering::SeqCst), f)
            }
        }
    };
}

atomic_int!(
    /// `std::sync::atomic::AtomicU64` that [`explore`](crate::explore::explore)
    /// sees step by step.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::Ordering::SeqCst;
    /// use multitask::threading::{AtomicU64, Thread};
    ///
    /// let total = Arc::new(AtomicU64::new(0).named("total"));
    /// let t = Thread::new({ let total = total.clone(); move || total.fetch_add(1, SeqCst) });
    /// t.start()?;
    /// assert_eq!(t.join()?, 0);
    /// assert_eq!(total.load(SeqCst), 1);
    /// # Ok::<(), multitask::threading::Error>(())
    /// ```
    AtomicU64, AtomicU64, u64
);
atomic_int!(
    /// `std::sync::atomic::AtomicI64` that [`explore`](crate::explore::explore)
    /// sees step by step (see [`AtomicU64`]).
    AtomicI64, AtomicI64, i64
);
atomic_int!(
    /// `std::sync::atomic::AtomicUsize` that [`explore`](crate::explore::explore)
    /// sees step by step (see [`AtomicU64`]).
    AtomicUsize, AtomicUsize, usize
);

/// `std::sync::atomic::AtomicBool` that [`explore`](crate::explore::explore)
/// sees step by step: a flag one thread raises and another reads.
///
/// ```
/// use std::sync::atomic::Ordering::SeqCst;
/// use multitask::threading::AtomicBool;
/// let ready = AtomicBool::new(false).named("ready");
/// ready.store(true, SeqCst);
/// assert!(ready.load(SeqCst));
/// assert_eq!(ready.swap(false, SeqCst), true);
/// ```
pub struct AtomicBool {
    value: atomic::AtomicBool,
    label: Label,
    made: Made,
}

impl AtomicBool {
    /// A new flag holding `value`.
    pub fn new(value: bool) -> AtomicBool {
        AtomicBool {
            value: atomic::AtomicBool::new(value),
            label: Label::new("flag"),
            made: Made::here(),
        }
    }

    /// The same, with a name for [`explore`](crate::explore::explore)'s schedules.
    pub fn named(self, name: impl Into<String>) -> AtomicBool {
        AtomicBool {
            label: self.label.named(name),
            ..self
        }
    }

    fn step<R: Copy>(
        &self,
        op: impl FnOnce(&atomic::AtomicBool) -> R,
        say: impl FnOnce(R) -> String,
    ) -> R {
        one_step(self.made, &self.label, &self.value, op, say, |v| {
            v.load(Ordering::SeqCst).to_string()
        })
    }

    /// Reads the flag.
    pub fn load(&self, order: Ordering) -> bool {
        self.step(
            |v| v.load(order),
            |now| format!("read {} = {now}", self.label),
        )
    }

    /// Writes the flag.
    pub fn store(&self, value: bool, order: Ordering) {
        self.step(
            |v| v.store(value, order),
            |()| format!("write {} = {value}", self.label),
        )
    }

    /// Writes `value` in one step; the value before.
    pub fn swap(&self, value: bool, order: Ordering) -> bool {
        self.step(
            |v| v.swap(value, order),
            |old| format!("swap {}: {old} → {value}", self.label),
        )
    }

    /// Writes `new` if the flag is `current`, in one step.
    ///
    /// # Errors
    /// The value found, when it was not `current`.
    pub fn compare_exchange(
        &self,
        current: bool,
        new: bool,
        success: Ordering,
        failure: Ordering,
    ) -> Result<bool, bool> {
        self.step(
            |v| v.compare_exchange(current, new, success, failure),
            |result| match result {
                Ok(_) => format!("compare {} = {current}, write {new}", self.label),
                Err(found) => format!("compare {} = {current}: it is {found}", self.label),
            },
        )
    }
}

impl Default for AtomicBool {
    fn default() -> AtomicBool {
        AtomicBool::new(false)
    }
}

impl fmt::Debug for AtomicBool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.value.load(Ordering::SeqCst), f)
    }
}
