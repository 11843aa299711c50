//! What the prelude's threads, locks and atomics ask while [`explore`]
//! runs them: the [`Model`] of the schedule being run, if any.
//!
//! The model is the copy of the prelude that called `explore` (each REPL
//! cell has a copy of its own, and a function from an earlier cell runs
//! the code of its cell's copy): it is reached through a per-thread slot
//! that every copy shares, as a trait object whose code is the caller's.
//! So a `Lock` made by a function of an earlier cell takes its turns from
//! the same scheduler as the cell that explores it.
//!
//! [`explore`]: super::explore

use std::cell::Cell;
use std::fmt;
use std::ptr::NonNull;
use std::sync::Arc;

use crate::globals::shared;

/// The schedule being run, as the instrumented types see it.
pub(crate) trait Model {
    /// Which run of the program this is (objects remember where they were made).
    fn execution(&self) -> u64;
    /// The running thread: a number, unique in this run.
    fn me(&self) -> usize;
    /// The running thread's name (`MainThread`, `A`, `Thread-1`).
    fn name(&self) -> String;
    /// A point where another thread may go first: before each step a learner
    /// sees (a read, a write, a lock taken or let go).
    fn point(&self);
    /// The running thread did `what` (one line of the schedule).
    fn step(&self, what: String);
    /// A point where the running thread waits for `what` until `ready` holds
    /// (the scheduler asks it between steps, and picks this thread only
    /// then); told in a deadlock's report if it never does.
    fn park(&self, what: &str, ready: &dyn Fn() -> bool);
    /// Starts a thread named `name` running `body`; its number.
    fn spawn(&self, name: String, body: Box<dyn FnOnce() + Send>) -> usize;
    /// Waits until thread `thread`, named `name`, has ended.
    fn join(&self, thread: usize, name: &str);
    /// The shared value `name` holds `value` now (a stepper shows it).
    fn shows(&self, name: &str, value: String);
    /// The running thread took (`true`, by the step just written down) or
    /// let go of `what`: for a deadlock's report and the picture's holds.
    fn hold(&self, what: &str, held: bool);
    /// The running thread panicked with `message` (the panic hook tells;
    /// the thread ends, as in Python, and the schedule says so).
    fn panicked(&self, message: String);
    /// The next number for an unnamed thing of this `kind` in this run
    /// (`Thread-1`, `lock #2`): the same in every schedule.
    fn number(&self, kind: &'static str) -> u32;
}

/// A thread's slot: the model it runs under, while it does.
struct Slot(Cell<Option<NonNull<dyn Model>>>);

// SAFETY: a `Slot` is only reached through `ThreadLocal::get_or`, which hands
// each thread its own; no other thread ever touches it.
unsafe impl Send for Slot {}

shared! {
    fn slots() -> thread_local::ThreadLocal<Slot> = thread_local::ThreadLocal::new();
}

fn slot() -> &'static Slot {
    thread_local! {
        // This thread's entry of the shared table, looked up once per thread.
        static SLOT: &'static Slot = slots().get_or(|| Slot(Cell::new(None)));
    }
    SLOT.with(|slot| *slot)
}

/// Runs `f` with `model` as this thread's model, then takes it away again
/// (also when `f` unwinds).
pub(crate) fn under<R>(model: &(dyn Model + 'static), f: impl FnOnce() -> R) -> R {
    struct Restore(Option<NonNull<dyn Model>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            slot().0.set(self.0);
        }
    }
    let _restore = Restore(slot().0.replace(Some(NonNull::from(model))));
    f()
}

/// Calls `f` with this thread's model, if `explore` runs here.
pub(crate) fn with<R>(f: impl FnOnce(Option<&dyn Model>) -> R) -> R {
    match slot().0.get() {
        // SAFETY: the slot holds a model only while `under` runs on this
        // thread, which borrows the model for that long and empties the slot
        // before it returns; only this thread reads its own slot, and the
        // reference does not outlive `f`.
        Some(model) => f(Some(unsafe { model.as_ref() })),
        None => f(None),
    }
}

/// Where an object was made: in which run of `explore`, if in one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Made(Option<u64>);

impl Made {
    /// Here and now.
    pub(crate) fn here() -> Made {
        Made(with(|model| model.map(|m| m.execution())))
    }

    /// Was it made in a run of `explore`?
    pub(crate) fn explored(self) -> bool {
        self.0.is_some()
    }

    /// Calls `f` with the model to use `what`, made at `self`: the run's
    /// model in the run it was made in, none outside `explore`.
    ///
    /// # Panics
    /// When `what` is used where it was not made: made outside `explore` and
    /// used inside (every schedule would start from what the last one left),
    /// or made inside and used outside (after `explore` returned, or on a
    /// thread it does not run).
    pub(crate) fn model<R>(
        self,
        what: &dyn fmt::Display,
        f: impl FnOnce(Option<&dyn Model>) -> R,
    ) -> R {
        with(|model| {
            let here = model.map(|m| m.execution());
            if self.0 == here {
                return f(model);
            }
            match (self.0, here) {
                (None, _) => panic!(
                    "{what} was made outside explore(…): make it inside the closure, so that \
                     every schedule starts from the same state and explore sees its steps"
                ),
                (Some(_), None) => panic!(
                    "{what} was made inside explore(…) and is used outside it: after explore \
                     returned, or on a thread explore does not run (std::thread::spawn; use \
                     Thread)"
                ),
                (Some(_), Some(_)) => panic!(
                    "{what} was made in another schedule of explore(…) (kept in a static?): \
                     each schedule makes its own"
                ),
            }
        })
    }
}

/// What the schedule calls a lock or an atomic: the name it was given, or
/// its kind and number (`lock #1`), the same in every schedule.
#[derive(Clone, Debug)]
pub(crate) struct Label {
    kind: &'static str,
    name: Option<Arc<str>>,
    number: u32,
}

impl Label {
    /// An unnamed thing of this `kind`, numbered in a run of `explore`.
    pub(crate) fn new(kind: &'static str) -> Label {
        Label {
            kind,
            name: None,
            number: with(|model| model.map_or(0, |m| m.number(kind))),
        }
    }

    /// The same, named.
    pub(crate) fn named(self, name: impl Into<String>) -> Label {
        Label {
            name: Some(name.into().into()),
            ..self
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => f.write_str(name),
            None if self.number == 0 => f.write_str(self.kind),
            None => write!(f, "{} #{}", self.kind, self.number),
        }
    }
}
