//! A greenlet as the hub sees it: its body on a coroutine with a stack of
//! its own, how it parks, how it ended, and who waits for it.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;
use std::time::Instant;

use corosensei::{Coroutine, CoroutineResult, Yielder};

use super::hub::with_hub;
use crate::exception::Exception;
use crate::stack::{self, Stack};

/// A greenlet's coroutine, on its own stack.
type Body = Coroutine<(), Park, (), Stack>;

/// Why a greenlet gave the hub back its turn.
pub(super) enum Park {
    /// Run me again after everyone queued now (`sleep(0)`).
    Ready,
    /// Run me again at this time.
    Until(Instant),
    /// Someone will wake me (I wait for another greenlet).
    Waiting,
}

/// The unwinding payload that ends a killed greenlet (gevent's `GreenletExit`).
pub(super) struct GreenletExit;

/// Which park a greenlet is in and whether it was woken from it, so that a
/// wake meant for an earlier park — a timer that lost the race, a line it
/// left — is refused instead of resuming it in the middle of another wait.
#[derive(Default)]
pub(super) struct Turns {
    /// Counts its resumptions: what it registers while running names the
    /// park it is about to make.
    park: Cell<u64>,
    /// The last park it was woken from.
    woken: Cell<u64>,
    /// A [`with_timeout`](super::with_timeout) whose time came while it
    /// waited, by its number (they start at 1; 0 is none): raised where it
    /// resumes.
    pub(super) timeout: Cell<u64>,
}

impl Turns {
    /// The park the greenlet will make next (its ticket for a wake).
    pub(super) fn ticket(&self) -> u64 {
        self.park.get()
    }

    /// Takes the one wake of park `ticket`; `false` if that park is over or
    /// someone woke it already.
    pub(super) fn take_wake(&self, ticket: u64) -> bool {
        if ticket != self.park.get() || self.woken.get() == ticket {
            return false;
        }
        self.woken.set(ticket);
        true
    }
}

/// How a greenlet ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending<T> {
    /// It returned this value.
    Returned(T),
    /// It was killed (gevent's `GreenletExit`; counts as successful).
    Killed,
    /// It panicked: the panic as the Python exception it stands for
    /// (`ZeroDivisionError: attempt to divide by zero`).
    Panicked(Exception),
}

/// What the hub schedules: a greenlet of any return type.
pub(super) trait Task {
    /// Runs it until it parks or ends; `None` once it ended.
    fn run(self: Rc<Self>) -> Option<Park>;
    fn ended(&self) -> bool;
    fn yielder(&self) -> *const Yielder<(), Park>;
    fn kill_requested(&self) -> bool;
    /// The greenlet's display.
    fn describe(&self) -> String;
    /// Its lane in the running [`trace::record`](crate::trace::record), if
    /// it was spawned in one.
    fn lane(&self) -> Option<crate::trace::LaneId>;
    /// Its parks and wakes.
    fn turns(&self) -> &Turns;
}

pub(super) struct Inner<T> {
    label: String,
    /// What it runs, until it first runs: its stack is taken only then, so
    /// many short greenlets one after another reuse one stack.
    body: RefCell<Option<Box<dyn FnOnce() -> T>>>,
    coroutine: RefCell<Option<Body>>,
    pub(super) ending: RefCell<Option<Ending<T>>>,
    /// Greenlets joining it, each with its ticket.
    pub(super) waiters: RefCell<Vec<(Rc<dyn Task>, u64)>>,
    turns: Turns,
    yielder: Cell<*const Yielder<(), Park>>,
    pub(super) kill: Cell<bool>,
    /// Its lane ([`LaneId::raw`](crate::trace::LaneId::raw)), 0 for none.
    lane: Cell<u64>,
}

impl<T> Inner<T> {
    /// A greenlet that will run `body`; `label` is the call's text for the
    /// display.
    pub(super) fn new(label: String, body: Box<dyn FnOnce() -> T>) -> Inner<T> {
        let lane =
            crate::trace::new_lane(crate::trace::LaneKind::Greenlet, format_args!("{label}"));
        if let Some(lane) = lane {
            crate::trace::mark(lane, crate::trace::State::Ready, format_args!(""));
        }
        Inner {
            lane: Cell::new(lane.map_or(0, crate::trace::LaneId::raw)),
            label,
            body: RefCell::new(Some(body)),
            coroutine: RefCell::new(None),
            ending: RefCell::new(None),
            waiters: RefCell::new(Vec::new()),
            turns: Turns::default(),
            yielder: Cell::new(std::ptr::null()),
            kill: Cell::new(false),
        }
    }
}

impl<T> Inner<T> {
    /// The call's text (`f(5)`).
    pub(super) fn label(&self) -> &str {
        &self.label
    }

    /// It ended (`None`: it returned, and stored its value itself): its
    /// stack goes back to the pool, its joiners are woken.
    fn end(&self, ending: Option<Ending<T>>) {
        if let Some(ending) = ending {
            *self.ending.borrow_mut() = Some(ending);
        }
        match self.coroutine.replace(None) {
            Some(coroutine) if coroutine.done() => stack::give(coroutine.into_stack()),
            // Not reached: a greenlet ends by returning or unwinding.
            Some(coroutine) => std::mem::forget(coroutine),
            None => {}
        }
        for (waiter, ticket) in self.waiters.borrow_mut().drain(..) {
            with_hub(|hub| hub.wake(waiter, ticket));
        }
    }
}

impl<T: 'static> Task for Inner<T> {
    fn run(self: Rc<Self>) -> Option<Park> {
        if self.ended() {
            return None;
        }
        let body = self.body.borrow_mut().take();
        if let Some(body) = body {
            if self.kill.get() {
                // Killed before it started: it never runs, and needs no stack.
                drop(body);
                self.end(Some(Ending::Killed));
                return None;
            }
            match stack::take() {
                Ok(stack) => {
                    with_hub(|hub| hub.refusing = false);
                    *self.coroutine.borrow_mut() = Some(start(Rc::downgrade(&self), body, stack));
                }
                Err(no_stack) => {
                    // As gevent reports a greenlet that failed (it never
                    // ran); once for a run of them, not thousands of times.
                    let error = Exception::new("MemoryError", no_stack.to_string());
                    if !with_hub(|hub| std::mem::replace(&mut hub.refusing, true)) {
                        eprintln!(
                            "{} failed with {error} (and so will the greenlets that start \
                             after it, until some end)",
                            self.describe()
                        );
                    }
                    self.end(Some(Ending::Panicked(error)));
                    return None;
                }
            }
        }
        let outcome = {
            let mut coroutine = self.coroutine.borrow_mut();
            let co = coroutine.as_mut()?;
            self.turns.park.set(self.turns.park.get() + 1);
            panic::catch_unwind(AssertUnwindSafe(|| co.resume(())))
        };
        let mut interrupted = None;
        let ending = match outcome {
            Ok(CoroutineResult::Yield(park)) => return Some(park),
            Ok(CoroutineResult::Return(())) => None,
            Err(payload) if payload.is::<GreenletExit>() => Some(Ending::Killed),
            Err(payload) if crate::interrupt::is_interrupt(&*payload) => {
                // As in gevent: the greenlet ends with it, and it goes on
                // to the main stack.
                interrupted = Some(payload);
                Some(Ending::Panicked(Exception::new("KeyboardInterrupt", "")))
            }
            Err(payload) => Some(Ending::Panicked(crate::panics::exception(&*payload))),
        };
        self.end(ending);
        if let Some(payload) = interrupted {
            with_hub(|hub| hub.current = None);
            panic::resume_unwind(payload);
        }
        None
    }
    fn ended(&self) -> bool {
        self.ending.borrow().is_some()
    }
    fn yielder(&self) -> *const Yielder<(), Park> {
        self.yielder.get()
    }
    fn kill_requested(&self) -> bool {
        self.kill.get()
    }
    fn describe(&self) -> String {
        describe(self)
    }
    fn lane(&self) -> Option<crate::trace::LaneId> {
        crate::trace::LaneId::from_raw(self.lane.get())
    }
    fn turns(&self) -> &Turns {
        &self.turns
    }
}

/// gevent's display of a greenlet: `<Greenlet at 0x…: f(5)>`.
pub(super) fn describe<T>(inner: &Inner<T>) -> String {
    format!(
        "<Greenlet at {:p}: {}>",
        inner as *const Inner<T>, inner.label
    )
}

impl<T> Drop for Inner<T> {
    fn drop(&mut self) {
        // A suspended greenlet is never dropped: `park`, on its stack, holds
        // it. Should one be, its frames are leaked (its stack with them)
        // rather than unwound outside the hub's turn.
        if let Some(coroutine) = self.coroutine.get_mut().take()
            && !coroutine.done()
        {
            std::mem::forget(coroutine);
        }
    }
}

/// The coroutine that runs `body` on its own stack, storing its value.
fn start<T: 'static>(
    me: std::rc::Weak<Inner<T>>,
    body: Box<dyn FnOnce() -> T>,
    stack: Stack,
) -> Body {
    Coroutine::with_stack(stack, move |yielder: &Yielder<(), Park>, ()| {
        // (A greenlet killed before it ran never gets here: `run` ends it.)
        let Some(inner) = me.upgrade() else { return };
        inner.yielder.set(yielder);
        drop(inner);
        let value = body();
        if let Some(inner) = me.upgrade() {
            *inner.ending.borrow_mut() = Some(Ending::Returned(value));
        }
    })
}
