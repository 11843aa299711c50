//! One scheduler (hub) per OS thread: the ready queue, the timers, the
//! greenlets waiting for a file descriptor, and the loop that runs them.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::panic;
use std::rc::Rc;
use std::time::Instant;

use super::task::{GreenletExit, Park, Task, Turns};
use crate::globals::shared;

/// One thread's scheduler.
#[derive(Default)]
pub(super) struct Hub {
    pub(super) ready: VecDeque<Rc<dyn Task>>,
    /// Sleeping greenlets and timeouts, kept in due order (inserted in
    /// place, so the loop never sorts).
    pub(super) timers: VecDeque<(Instant, Rc<dyn Task>, Due)>,
    /// Greenlets waiting for a file descriptor, by poller key, with tickets.
    pub(super) io: std::collections::HashMap<usize, (Rc<dyn Task>, u64)>,
    /// The main stack's [`with_timeout`](super::with_timeout)s: when, and
    /// which.
    pub(super) main_timeouts: Vec<(Instant, u64)>,
    /// The last timeout's number.
    pub(super) timeouts_made: u64,
    pub(super) next_key: usize,
    pub(super) poller: Option<Rc<polling::Poller>>,
    /// The greenlet running now; `None` on the thread's own (main) stack.
    pub(super) current: Option<Rc<dyn Task>>,
    /// A greenlet was killed since the timers were last swept: some of them
    /// may belong to ended greenlets.
    pub(super) killed: bool,
    /// The last greenlet to start got no stack (see `crate::stack`): the
    /// next ones that get none are not reported again.
    pub(super) refusing: bool,
}

/// What a due timer does.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Due {
    /// Wakes the greenlet from the park of this ticket (its `sleep`).
    Wake(u64),
    /// Raises this [`with_timeout`](super::with_timeout) in it, wherever it
    /// waits.
    Timeout(u64),
}

impl Hub {
    /// Queues `task` if `ticket` is the park it is in and nobody woke it
    /// from that park yet (see [`Turns`]); `false` if it was not queued.
    pub(super) fn wake(&mut self, task: Rc<dyn Task>, ticket: u64) -> bool {
        let woken = !task.ended() && task.turns().take_wake(ticket);
        if woken {
            self.ready.push_back(task);
        }
        woken
    }

    /// Schedules `due` for `task` at `at`, after those due at the same time.
    pub(super) fn add_timer(&mut self, at: Instant, task: Rc<dyn Task>, due: Due) {
        let place = self.timers.partition_point(|(t, ..)| *t <= at);
        self.timers.insert(place, (at, task, due));
    }

    /// A main-stack [`with_timeout`](super::with_timeout) whose time came,
    /// taken out (the clock is read only while there are some).
    fn take_due_main_timeout(&mut self) -> Option<u64> {
        if self.main_timeouts.is_empty() {
            return None;
        }
        let now = Instant::now();
        let due = self.main_timeouts.iter().position(|(at, _)| *at <= now)?;
        Some(self.main_timeouts.remove(due).1)
    }

    /// Runs a due timer.
    fn fire(&mut self, task: Rc<dyn Task>, due: Due) {
        match due {
            Due::Wake(ticket) => {
                self.wake(task, ticket);
            }
            Due::Timeout(id) => {
                if task.ended() {
                    return;
                }
                task.turns().timeout.set(id);
                let ticket = task.turns().ticket();
                self.wake(task, ticket);
            }
        }
    }
}

/// The unwinding payload of a [`with_timeout`](super::with_timeout) whose
/// time came, by its number.
pub(super) struct TimeoutFired(pub(super) u64);

/// A thread's hub, in a process-wide table so that every copy of the prelude
/// (each REPL cell has one) finds the same hub for its thread.
struct HubCell(RefCell<Hub>);

// SAFETY: a `HubCell` is only reached through `ThreadLocal::get_or`, which
// hands each thread its own; no other thread ever touches it, and the table
// is never dropped.
unsafe impl Send for HubCell {}

shared! {
    fn hubs() -> thread_local::ThreadLocal<HubCell> = thread_local::ThreadLocal::new();
}

pub(super) fn with_hub<R>(f: impl FnOnce(&mut Hub) -> R) -> R {
    thread_local! {
        // This thread's entry of the shared table, looked up once per thread
        // (by this copy of the prelude): the hub is reached on every switch.
        static HUB: &'static HubCell = hubs().get_or(|| HubCell(RefCell::new(Hub::default())));
    }
    HUB.with(|hub| f(&mut hub.0.borrow_mut()))
}

/// Suspends the running greenlet back to the hub. Panics (unwinding as
/// `GreenletExit`) if it was killed meanwhile.
pub(super) fn park(why: Park) {
    assert!(try_park(why), "park runs inside a greenlet");
}

/// [`park`] if a greenlet is running; `false` on the thread's own stack.
pub(super) fn try_park(why: Park) -> bool {
    let Some(task) = with_hub(|hub| hub.current.clone()) else {
        return false;
    };
    let yielder = task.yielder();
    if task.kill_requested() {
        panic::resume_unwind(Box::new(GreenletExit));
    }
    // SAFETY: the yielder belongs to the coroutine that is running right now
    // (it is `current`), and lives as long as its body.
    unsafe { &*yielder }.suspend(why);
    if task.kill_requested() {
        panic::resume_unwind(Box::new(GreenletExit));
    }
    let timeout = task.turns().timeout.take();
    if timeout != 0 {
        panic::resume_unwind(Box::new(TimeoutFired(timeout)));
    }
    true
}

/// Runs queued greenlets until `done()` holds; on the main stack only.
/// `wake` is when the main stack wants to look at `done` again even if no
/// greenlet is due (its own `sleep`).
pub(super) fn run_until(done: impl Fn() -> bool, wake: Option<Instant>) -> Result<(), LoopExit> {
    // Where an interrupt may come, the hub never waits long without looking.
    let slice = crate::interrupt::watching().then_some(crate::interrupt::SLICE);
    while !done() {
        crate::interrupt::check();
        let next = with_hub(|hub| {
            if let Some(id) = hub.take_due_main_timeout() {
                return Err(TimeoutFired(id));
            }
            if !hub.timers.is_empty() {
                let now = Instant::now();
                while hub.timers.front().is_some_and(|(at, ..)| *at <= now) {
                    let (_, task, due) = hub.timers.pop_front().expect("a due timer");
                    hub.fire(task, due);
                }
            }
            // Killed greenlets may still be queued: skip those that ended.
            let mut next = hub.ready.pop_front();
            while next.as_ref().is_some_and(|task| task.ended()) {
                next = hub.ready.pop_front();
            }
            hub.current.clone_from(&next);
            Ok(next)
        });
        let Some(task) = next.unwrap_or_else(|due| panic::resume_unwind(Box::new(due))) else {
            let timer = with_hub(|hub| {
                // Killed sleepers' timers would only delay a `LoopExit`;
                // swept once after a run of kills, not on every idle turn.
                if std::mem::take(&mut hub.killed) {
                    hub.timers.retain(|(_, task, _)| !task.ended());
                }
                let timeout = hub.main_timeouts.iter().map(|(at, _)| *at).min();
                hub.timers
                    .front()
                    .map(|(at, ..)| *at)
                    .into_iter()
                    .chain(timeout)
                    .min()
            });
            let until = timer.into_iter().chain(wake).min();
            let poller = with_hub(|hub| (!hub.io.is_empty()).then(|| hub.poller.clone()).flatten());
            match (poller, until) {
                (Some(poller), until) => {
                    let timeout = until.map(|at| at.saturating_duration_since(Instant::now()));
                    let timeout = crate::interrupt::shorter(timeout, slice);
                    let mut events = polling::Events::new();
                    let _ = poller.wait(&mut events, timeout);
                    with_hub(|hub| {
                        for event in events.iter() {
                            if let Some((task, ticket)) = hub.io.remove(&event.key) {
                                hub.wake(task, ticket);
                            }
                        }
                    });
                }
                (None, Some(at)) => {
                    let left = at.saturating_duration_since(Instant::now());
                    std::thread::sleep(slice.map_or(left, |slice| left.min(slice)))
                }
                (None, None) => return Err(LoopExit),
            }
            continue;
        };
        let parked = if crate::trace::is_on()
            && let Some(lane) = task.lane()
        {
            run_traced(&task, lane)
        } else {
            task.clone().run()
        };
        with_hub(|hub| {
            hub.current = None;
            match parked {
                Some(Park::Ready) => {
                    let ticket = task.turns().ticket();
                    hub.wake(task, ticket);
                }
                Some(Park::Until(at)) => {
                    // After those due at the same time: equal deadlines wake in order.
                    let ticket = task.turns().ticket();
                    hub.add_timer(at, task, Due::Wake(ticket));
                }
                Some(Park::Waiting) | None => {}
            }
        });
    }
    Ok(())
}

/// The main stack waits its turn in the hub's queue, as gevent's does: a
/// greenlet that ends wakes its joiner through the hub's callbacks, which
/// run in order, so the greenlets that were ready before main run first.
/// (Main's `g1.join()` returns after the other ready greenlets' next steps,
/// not right after g1's last line.)
pub(super) fn take_main_turn() -> Result<(), LoopExit> {
    let turn = Rc::new(MainTurn::default());
    let queued: Rc<dyn Task> = turn.clone();
    with_hub(|hub| hub.ready.push_back(queued));
    run_until(|| turn.reached.get(), None)
}

/// Main's place in the queue ([`take_main_turn`]): reached when the hub
/// comes to it.
#[derive(Default)]
struct MainTurn {
    reached: std::cell::Cell<bool>,
    turns: Turns,
}

impl Task for MainTurn {
    fn run(self: Rc<Self>) -> Option<Park> {
        self.reached.set(true);
        None
    }
    fn ended(&self) -> bool {
        self.reached.get()
    }
    fn yielder(&self) -> *const corosensei::Yielder<(), Park> {
        std::ptr::null()
    }
    fn kill_requested(&self) -> bool {
        false
    }
    fn describe(&self) -> String {
        "main".into()
    }
    fn lane(&self) -> Option<crate::trace::LaneId> {
        None
    }
    fn turns(&self) -> &Turns {
        &self.turns
    }
}

/// Runs `task` on its own lane: running while it runs, then ready, asleep
/// or waiting (for what it said before it parked), or ended.
#[cold]
fn run_traced(task: &Rc<dyn Task>, lane: crate::trace::LaneId) -> Option<Park> {
    use crate::trace::{State, mark};
    let entered = crate::trace::enter(Some(lane));
    mark(lane, State::Running, format_args!(""));
    let parked = task.clone().run();
    match &parked {
        Some(Park::Ready) => mark(lane, State::Ready, format_args!("")),
        // Asleep until then, and ready after it, until the hub gets round.
        Some(Park::Until(deadline)) => crate::trace::sleep_until(lane, *deadline),
        // It said what for as it parked (a join, a socket).
        Some(Park::Waiting) => {}
        None => crate::trace::end(lane),
    }
    drop(entered);
    parked
}

/// Nothing is left to run and what was waited for has not happened: gevent's
/// `LoopExit: This operation would block forever`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("LoopExit: This operation would block forever")]
pub struct LoopExit;

pub(super) fn in_greenlet() -> bool {
    with_hub(|hub| hub.current.is_some())
}
