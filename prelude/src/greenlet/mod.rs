//! Greenlets, seed §3: gevent's lightweight cooperative tasks, each on a
//! stack of its own (a real coroutine: plain functions can switch, no
//! `async`/`.await` in sight).
//!
//! Every OS thread has one hub. [`spawn`](Greenlet::spawn) queues a greenlet;
//! nothing runs until the current code waits — [`Greenlet::join`],
//! [`joinall`] or [`sleep`] — and then the hub runs the queued greenlets in
//! order, each until it finishes or waits itself. [`sleep`]`(0.0)` yields: the
//! greenlet goes to the back of the queue, which makes greenlets that yield
//! take strict turns, as in gevent. A greenlet that never waits keeps its hub
//! (and every other greenlet of the thread) waiting until it ends.
//!
//! Greenlets share a few stacks of 1 MiB, each ending in a guard page; a
//! suspended greenlet's used part is copied aside while another greenlet of
//! its stack runs (see `arena.rs`), so an idle greenlet costs about a
//! kilobyte. A greenlet that recurses past 1 MiB hits the guard page and the
//! process dies of `SIGSEGV`, as a thread overflowing its stack would (in
//! the REPL, the runtime restarts and names the variables that were lost).
//!
//! ```
//! use multitask::greenlet::{joinall, sleep, Greenlet};
//! use std::cell::RefCell;
//! use std::rc::Rc;
//!
//! let trace = Rc::new(RefCell::new(Vec::new()));
//! let gs: Vec<Greenlet<()>> = ["g1", "g2"]
//!     .into_iter()
//!     .map(|name| {
//!         let trace = trace.clone();
//!         Greenlet::spawn(move || for i in 0..2 {
//!             trace.borrow_mut().push(format!("{name} {i}"));
//!             sleep(0.0);
//!         })
//!     })
//!     .collect();
//! joinall(&gs);
//! assert_eq!(*trace.borrow(), ["g1 0", "g2 0", "g1 1", "g2 1"]);
//! ```

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;
use std::time::{Duration, Instant};

use corosensei::{Coroutine, CoroutineResult, Yielder};

mod arena;
pub mod net;

use crate::globals::shared;
use arena::{ArenaStack, Arenas, Image};

/// A greenlet's coroutine, on its arena.
type Body = Coroutine<(), Park, (), ArenaStack>;

/// Why a greenlet gave the hub back its turn.
enum Park {
    /// Run me again after everyone queued now (`sleep(0)`).
    Ready,
    /// Run me again at this time.
    Until(Instant),
    /// Someone will wake me (I wait for another greenlet).
    Waiting,
}

/// The unwinding payload that ends a killed greenlet (gevent's `GreenletExit`).
struct GreenletExit;

/// How a greenlet ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending<T> {
    /// It returned this value.
    Returned(T),
    /// It was killed (gevent's `GreenletExit`; counts as successful).
    Killed,
    /// It panicked with this message.
    Panicked(String),
}

/// What the hub schedules: a greenlet of any return type.
trait Task {
    /// Runs it until it parks or ends; `None` once it ended.
    fn run(self: Rc<Self>) -> Option<Park>;
    fn ended(&self) -> bool;
    fn yielder(&self) -> *const Yielder<(), Park>;
    fn kill_requested(&self) -> bool;
    /// Its claim on an arena, once it started.
    fn image(&self) -> Option<&Rc<Image>>;
    /// The greenlet's display.
    fn describe(&self) -> String;
}

struct Inner<T> {
    label: String,
    /// What it runs, until it first runs: its arena is taken only then, so
    /// many short greenlets one after another reuse one arena.
    body: RefCell<Option<Box<dyn FnOnce() -> T>>>,
    coroutine: RefCell<Option<Body>>,
    image: std::cell::OnceCell<Rc<Image>>,
    ending: RefCell<Option<Ending<T>>>,
    waiters: RefCell<Vec<Rc<dyn Task>>>,
    yielder: Cell<*const Yielder<(), Park>>,
    kill: Cell<bool>,
}

impl<T: 'static> Task for Inner<T> {
    fn run(self: Rc<Self>) -> Option<Park> {
        if self.ended() {
            return None;
        }
        let body = self.body.borrow_mut().take();
        if let Some(body) = body {
            let (stack, image) = with_hub(|hub| hub.arenas.assign(|| Park::Ready));
            let _ = self.image.set(image);
            *self.coroutine.borrow_mut() = Some(start(Rc::downgrade(&self), body, stack));
        }
        let outcome = {
            let mut coroutine = self.coroutine.borrow_mut();
            let co = coroutine.as_mut()?;
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
                Some(Ending::Panicked("KeyboardInterrupt".into()))
            }
            Err(payload) => Some(Ending::Panicked(crate::panics::message(&*payload))),
        };
        if let Some(ending) = ending {
            *self.ending.borrow_mut() = Some(ending);
        }
        self.coroutine.replace(None);
        if let Some(image) = self.image.get() {
            with_hub(|hub| hub.arenas.release(image));
        }
        for waiter in self.waiters.borrow_mut().drain(..) {
            with_hub(|hub| hub.ready.push_back(waiter));
        }
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
    fn image(&self) -> Option<&Rc<Image>> {
        self.image.get()
    }
    fn describe(&self) -> String {
        describe(self)
    }
}

/// gevent's display of a greenlet: `<Greenlet at 0x…: f(5)>`.
fn describe<T>(inner: &Inner<T>) -> String {
    format!(
        "<Greenlet at {:p}: {}>",
        inner as *const Inner<T>, inner.label
    )
}

impl<T> Drop for Inner<T> {
    fn drop(&mut self) {
        // A suspended greenlet is never dropped: `park`, on its stack, holds
        // it. Should one be, its frames are leaked rather than unwound, which
        // would need its bytes back on its arena first.
        if let Some(coroutine) = self.coroutine.get_mut().take()
            && !coroutine.done()
        {
            std::mem::forget(coroutine);
        }
    }
}

/// The coroutine that runs `body` on its arena, storing its value.
fn start<T: 'static>(
    me: std::rc::Weak<Inner<T>>,
    body: Box<dyn FnOnce() -> T>,
    stack: ArenaStack,
) -> Body {
    Coroutine::with_stack(stack, move |yielder: &Yielder<(), Park>, ()| {
        let Some(inner) = me.upgrade() else { return };
        inner.yielder.set(yielder);
        if inner.kill.get() {
            panic::resume_unwind(Box::new(GreenletExit));
        }
        drop(inner);
        let value = body();
        if let Some(inner) = me.upgrade() {
            *inner.ending.borrow_mut() = Some(Ending::Returned(value));
        }
    })
}

/// One thread's scheduler.
#[derive(Default)]
struct Hub {
    ready: VecDeque<Rc<dyn Task>>,
    /// Sleeping greenlets, kept in wake-up order (inserted in place, so the
    /// loop never sorts).
    timers: VecDeque<(Instant, Rc<dyn Task>)>,
    /// Greenlets waiting for a file descriptor, by poller key.
    io: std::collections::HashMap<usize, Rc<dyn Task>>,
    next_key: usize,
    poller: Option<Rc<polling::Poller>>,
    /// The greenlet running now; `None` on the thread's own (main) stack.
    current: Option<Rc<dyn Task>>,
    arenas: Arenas,
    /// A greenlet was killed since the timers were last swept: some of them
    /// may belong to ended greenlets.
    killed: bool,
}

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

fn with_hub<R>(f: impl FnOnce(&mut Hub) -> R) -> R {
    thread_local! {
        // This thread's entry of the shared table, looked up once per thread
        // (by this copy of the prelude): the hub is reached on every switch.
        static HUB: &'static HubCell = hubs().get_or(|| HubCell(RefCell::new(Hub::default())));
    }
    HUB.with(|hub| f(&mut hub.0.borrow_mut()))
}

/// Suspends the running greenlet back to the hub. Panics (unwinding as
/// `GreenletExit`) if it was killed meanwhile.
fn park(why: Park) {
    assert!(try_park(why), "park runs inside a greenlet");
}

/// [`park`] if a greenlet is running; `false` on the thread's own stack.
fn try_park(why: Park) -> bool {
    let Some(task) = with_hub(|hub| hub.current.clone()) else {
        return false;
    };
    let yielder = task.yielder();
    if task.kill_requested() {
        panic::resume_unwind(Box::new(GreenletExit));
    }
    let image = task.image().expect("a running greenlet has its arena");
    // SAFETY: the yielder belongs to the coroutine that is running right now
    // (it is `current`), and lives as long as its body.
    arena::suspend(unsafe { &*yielder }, &image.mark, why);
    if task.kill_requested() {
        panic::resume_unwind(Box::new(GreenletExit));
    }
    true
}

/// Runs queued greenlets until `done()` holds; on the main stack only.
/// `wake` is when the main stack wants to look at `done` again even if no
/// greenlet is due (its own `sleep`).
fn run_until(done: impl Fn() -> bool, wake: Option<Instant>) -> Result<(), LoopExit> {
    // Where an interrupt may come, the hub never waits long without looking.
    let slice = crate::interrupt::watching().then_some(crate::interrupt::SLICE);
    while !done() {
        crate::interrupt::check();
        let next = with_hub(|hub| {
            if !hub.timers.is_empty() {
                let now = Instant::now();
                while hub.timers.front().is_some_and(|(at, _)| *at <= now) {
                    let (_, task) = hub.timers.pop_front().expect("a due timer");
                    hub.ready.push_back(task);
                }
            }
            // Killed greenlets may still be queued: skip those that ended.
            let mut next = hub.ready.pop_front();
            while next.as_ref().is_some_and(|task| task.ended()) {
                next = hub.ready.pop_front();
            }
            if let Some(image) = next.as_ref().and_then(|task| task.image()) {
                // Its bytes back on its arena (no copy unless another
                // greenlet of that arena ran since).
                hub.arenas.enter(image);
            }
            hub.current.clone_from(&next);
            next
        });
        let Some(task) = next else {
            let timer = with_hub(|hub| {
                // Killed sleepers' timers would only delay a `LoopExit`;
                // swept once after a run of kills, not on every idle turn.
                if std::mem::take(&mut hub.killed) {
                    hub.timers.retain(|(_, task)| !task.ended());
                }
                hub.timers.front().map(|(at, _)| *at)
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
                            if let Some(task) = hub.io.remove(&event.key) {
                                hub.ready.push_back(task);
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
        let parked = task.clone().run();
        with_hub(|hub| {
            hub.current = None;
            match parked {
                Some(Park::Ready) => hub.ready.push_back(task),
                Some(Park::Until(at)) => {
                    // After those due at the same time: equal deadlines wake in order.
                    let place = hub.timers.partition_point(|(t, _)| *t <= at);
                    hub.timers.insert(place, (at, task));
                }
                Some(Park::Waiting) | None => {}
            }
        });
    }
    Ok(())
}

/// Waits until `fd` is readable (or writable): inside a greenlet the hub runs
/// the others meanwhile, as gevent's patched sockets do; on the main stack it
/// simply blocks.
pub(crate) fn wait_fd(fd: std::os::fd::BorrowedFd<'_>, writable: bool) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    if !in_greenlet() {
        let flags = if writable {
            nix::poll::PollFlags::POLLOUT
        } else {
            nix::poll::PollFlags::POLLIN
        };
        let mut fds = [nix::poll::PollFd::new(fd, flags)];
        return crate::interrupt::blocking(|slice| {
            let timeout = slice.map_or(nix::poll::PollTimeout::NONE, |slice| {
                nix::poll::PollTimeout::try_from(slice).unwrap_or(nix::poll::PollTimeout::MAX)
            });
            match nix::poll::poll(&mut fds, timeout) {
                Ok(0) | Err(nix::errno::Errno::EINTR) => None,
                Ok(_) => Some(Ok(())),
                Err(e) => Some(Err(e.into())),
            }
        });
    }
    let (poller, key) = with_hub(|hub| -> std::io::Result<_> {
        let poller = match &hub.poller {
            Some(p) => p.clone(),
            None => {
                let p = Rc::new(polling::Poller::new()?);
                hub.poller = Some(p.clone());
                p
            }
        };
        hub.next_key += 1;
        let key = hub.next_key;
        let me = hub.current.clone().expect("in a greenlet");
        hub.io.insert(key, me);
        Ok((poller, key))
    })?;
    let interest = if writable {
        polling::Event::writable(key)
    } else {
        polling::Event::readable(key)
    };
    // SAFETY: the descriptor stays open until the guard below deletes it,
    // before we return (or unwind, if killed while waiting).
    unsafe { poller.add(fd.as_raw_fd(), interest) }?;
    struct Registered<'a>(Rc<polling::Poller>, std::os::fd::BorrowedFd<'a>, usize);
    impl Drop for Registered<'_> {
        fn drop(&mut self) {
            let _ = self.0.delete(self.1);
            with_hub(|hub| hub.io.remove(&self.2));
        }
    }
    let _registered = Registered(poller, fd, key);
    park(Park::Waiting);
    Ok(())
}

/// Nothing is left to run and what was waited for has not happened: gevent's
/// `LoopExit: This operation would block forever`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("LoopExit: This operation would block forever")]
pub struct LoopExit;

fn in_greenlet() -> bool {
    with_hub(|hub| hub.current.is_some())
}

/// Waits `secs` seconds, letting other greenlets run; `sleep(0.0)` only
/// yields (gevent's `gevent.sleep`).
pub fn sleep(secs: f64) {
    // `sleep(0)` is the switch itself: it does not read the clock.
    let until = (secs > 0.0).then(|| Instant::now() + Duration::from_secs_f64(secs));
    if try_park(until.map_or(Park::Ready, Park::Until)) {
        return;
    }
    match until {
        None => {
            // The main stack's turn comes after everyone queued now.
            let queued = with_hub(|hub| hub.ready.len());
            let ran = Cell::new(0);
            let _ = run_until(
                || {
                    let done = ran.get() >= queued;
                    ran.set(ran.get() + 1);
                    done
                },
                None,
            );
        }
        Some(until) => {
            let _ = run_until(|| Instant::now() >= until, Some(until));
        }
    }
}

/// Who is running: a greenlet, or the thread's own (main) stack — gevent's
/// `getcurrent()`.
///
/// ```
/// use multitask::greenlet::{getcurrent, Greenlet};
/// assert!(getcurrent().is_main());
/// let g = Greenlet::spawn(|| getcurrent().to_string());
/// assert_eq!(g.get(), Ok(g.to_string()));
/// ```
pub fn getcurrent() -> Current {
    with_hub(|hub| Current {
        running: hub.current.as_ref().map(|task| task.describe()),
    })
}

/// What [`getcurrent`] returns.
#[derive(Clone, PartialEq, Eq)]
pub struct Current {
    running: Option<String>,
}

impl Current {
    /// Is this the thread's own stack, not a greenlet?
    pub fn is_main(&self) -> bool {
        self.running.is_none()
    }
}

impl fmt::Display for Current {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.running {
            Some(greenlet) => f.write_str(greenlet),
            None => f.write_str("<main greenlet>"),
        }
    }
}

impl fmt::Debug for Current {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Waits for every greenlet (gevent's `joinall`).
pub fn joinall<T: 'static>(greenlets: &[Greenlet<T>]) {
    for g in greenlets {
        let _ = g.join();
    }
}

/// A greenlet: a function running on its own stack, taking turns with the
/// other greenlets of its thread.
pub struct Greenlet<T = ()> {
    inner: Rc<Inner<T>>,
}

impl<T> Clone for Greenlet<T> {
    fn clone(&self) -> Self {
        Greenlet {
            inner: Rc::clone(&self.inner),
        }
    }
}

impl<T: 'static> Greenlet<T> {
    /// Queues `f` to run as a greenlet (gevent's `spawn`); it starts when the
    /// current code first waits.
    pub fn spawn(f: impl FnOnce() -> T + 'static) -> Greenlet<T> {
        Greenlet::labelled("_run", f)
    }

    /// Like [`spawn`](Greenlet::spawn), remembering the call's text for the
    /// display; what [`spawn!`](crate::spawn) expands to.
    pub fn labelled(call: &str, f: impl FnOnce() -> T + 'static) -> Greenlet<T> {
        let inner = Rc::new(Inner {
            label: call.split_whitespace().collect::<Vec<_>>().join(" "),
            body: RefCell::new(Some(Box::new(f))),
            coroutine: RefCell::new(None),
            image: std::cell::OnceCell::new(),
            ending: RefCell::new(None),
            waiters: RefCell::new(Vec::new()),
            yielder: Cell::new(std::ptr::null()),
            kill: Cell::new(false),
        });
        with_hub(|hub| hub.ready.push_back(inner.clone()));
        Greenlet { inner }
    }

    /// Waits until it ended (gevent's `join`); from the main stack, runs the
    /// hub meanwhile.
    ///
    /// # Errors
    /// [`LoopExit`] if nothing is left that could end it (it waits forever).
    pub fn join(&self) -> Result<(), LoopExit> {
        if in_greenlet() {
            while !self.inner.ended() {
                let me = with_hub(|hub| hub.current.clone()).expect("in a greenlet");
                self.inner.waiters.borrow_mut().push(me);
                park(Park::Waiting);
            }
            return Ok(());
        }
        run_until(|| self.inner.ended(), None)
    }

    /// Its value once it returned: waits for it first (gevent's `get`).
    ///
    /// # Errors
    /// How it ended if it did not return: killed, or panicked (with the message).
    pub fn get(&self) -> Result<T, Ending<T>>
    where
        T: Clone,
    {
        let _ = self.join();
        match self.inner.ending.borrow().clone() {
            Some(Ending::Returned(value)) => Ok(value),
            Some(other) => Err(other),
            None => Err(Ending::Panicked("LoopExit: it can never end".into())),
        }
    }

    /// Ends it: a greenlet that has not started never runs; one that waits
    /// is woken and unwinds from where it waits (gevent's `kill`, which
    /// raises `GreenletExit` there). Waits until it ended.
    pub fn kill(&self) {
        if self.inner.ended() {
            return;
        }
        self.inner.kill.set(true);
        // Run it next. Wherever else it is queued (a timer, another's
        // waiters, the ready queue) stays: an ended greenlet taken from
        // there is skipped, so a kill costs the same among 100,000.
        let task: Rc<dyn Task> = self.inner.clone();
        with_hub(|hub| {
            hub.ready.push_front(task);
            hub.killed = true;
        });
        let _ = self.join();
    }

    /// Has it ended?
    pub fn dead(&self) -> bool {
        self.inner.ended()
    }

    /// Did it end without a panic? (Killed counts as successful, as in gevent.)
    pub fn successful(&self) -> bool {
        matches!(
            *self.inner.ending.borrow(),
            Some(Ending::Returned(_) | Ending::Killed)
        )
    }

    /// The panic's message, if it panicked (gevent's `exception`).
    pub fn exception(&self) -> Option<String> {
        match &*self.inner.ending.borrow() {
            Some(Ending::Panicked(message)) => Some(message.clone()),
            _ => None,
        }
    }
}

impl<T> fmt::Display for Greenlet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe(&self.inner))
    }
}

impl<T> fmt::Debug for Greenlet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Spawns a greenlet running one call, remembering the call for its display
/// (`<Greenlet at 0x…: f(5)>`), as gevent shows `spawn(f, 5)`.
///
/// ```
/// use multitask::spawn;
/// fn f(n: u32) -> u32 { n * 2 }
/// let g = spawn!(f(5));
/// assert!(g.to_string().ends_with(": f(5)>"));
/// assert_eq!(g.get(), Ok(10));
/// ```
#[macro_export]
macro_rules! spawn {
    ($($call:tt)+) => {
        $crate::greenlet::Greenlet::labelled(stringify!($($call)+), move || $($call)+)
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Recurses `depth` frames, each holding a block of numbers on the stack,
    /// switching at every level; returns a sum over all the blocks, checked
    /// against what they should hold after the switches.
    fn deep(seed: u64, depth: u64) -> u64 {
        let block: [u64; 32] = std::array::from_fn(|i| block_value(seed, i as u64));
        sleep(0.0);
        let below = if depth == 0 {
            0
        } else {
            deep(seed + 1, depth - 1)
        };
        sleep(0.0);
        let sum: u64 = std::hint::black_box(&block).iter().sum();
        assert_eq!(
            sum,
            block_sum(seed),
            "a stack block changed across a switch"
        );
        sum.wrapping_add(below)
    }

    fn block_value(seed: u64, i: u64) -> u64 {
        seed.wrapping_mul(31).wrapping_add(i)
    }

    fn block_sum(seed: u64) -> u64 {
        (0..32).map(|i| block_value(seed, i)).sum()
    }

    /// What `deep(seed, depth)` returns when every block survived.
    fn deep_sum(seed: u64, depth: u64) -> u64 {
        (0..=depth)
            .map(|d| block_sum(seed + d))
            .fold(0, u64::wrapping_add)
    }

    #[test]
    fn many_greenlets_share_arenas_and_keep_their_stacks() {
        // More greenlets than arenas, each switching at every level of a
        // recursion of its own depth: every switch copies a stack out and in.
        let n = 40 * arena::ARENAS as u64;
        let gs: Vec<Greenlet<u64>> = (0..n)
            .map(|i| Greenlet::spawn(move || deep(i * 1000, i % 13)))
            .collect();
        joinall(&gs);
        for (i, g) in (0..n).zip(&gs) {
            assert_eq!(g.get(), Ok(deep_sum(i * 1000, i % 13)), "greenlet {i}");
        }
    }

    #[test]
    fn what_a_suspended_greenlet_keeps_covers_all_it_uses() {
        // Garbage just below the copied part of a suspended greenlet's stack
        // must not matter when it resumes: everything it still needs, the
        // registers the switch pushed included, lies above.
        let g = Greenlet::spawn(|| deep(7, 5));
        while !g.dead() {
            sleep(0.0);
            if let Some(image) = g.inner.image.get() {
                with_hub(|hub| hub.arenas.scramble_below(image));
            }
        }
        assert_eq!(g.get(), Ok(deep_sum(7, 5)));
    }

    #[test]
    fn a_hundred_thousand_greenlets_wait_at_once() {
        // One guard-paged mapping each would stop near 32,750 here.
        let n = 100_000u64;
        let waiting = Rc::new(Cell::new(0u64));
        let gs: Vec<Greenlet<u64>> = (0..n)
            .map(|i| {
                let waiting = waiting.clone();
                Greenlet::spawn(move || {
                    waiting.set(waiting.get() + 1);
                    sleep(0.0);
                    i
                })
            })
            .collect();
        sleep(0.0);
        assert_eq!(waiting.get(), n, "all started and are suspended together");
        joinall(&gs);
        assert_eq!(
            gs.iter().map(|g| g.get().unwrap()).sum::<u64>(),
            n * (n - 1) / 2
        );
    }

    #[test]
    fn killed_sleepers_end_and_leave_no_timer_behind() {
        let gs: Vec<Greenlet> = (0..50_000)
            .map(|_| Greenlet::spawn(|| sleep(3600.0)))
            .collect();
        sleep(0.0);
        for g in &gs {
            g.kill();
        }
        assert!(gs.iter().all(|g| g.dead() && g.successful()));
        sleep(0.001); // the hub goes idle once
        assert_eq!(
            with_hub(|hub| hub.timers.len()),
            0,
            "timers of ended greenlets"
        );
        // Nothing can end this wait: with the killed sleepers' timers gone,
        // that is a LoopExit now, not an hour from now.
        let never = Greenlet::spawn(|| park(Park::Waiting));
        assert_eq!(never.join(), Err(LoopExit));
    }

    #[test]
    fn a_stack_overflow_hits_the_guard_page() {
        #[allow(unconditional_recursion)]
        fn recurse(n: u64) -> u64 {
            let block = [n; 64];
            std::hint::black_box(&block);
            recurse(n + 1) + block[3]
        }
        let child = crate::multiprocessing::Process::new(|| {
            let g = Greenlet::spawn(|| recurse(0));
            let _ = g.join();
        });
        child.start().unwrap();
        assert_eq!(child.join().unwrap(), -(libc::SIGSEGV));
    }
}
