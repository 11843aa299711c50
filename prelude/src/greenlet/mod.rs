//! Greenlets, tutorial §3: gevent's lightweight cooperative tasks, each on a
//! stack of its own (a real coroutine: plain functions can switch, no
//! `async`/`.await` in sight).
//!
//! Notebook `notebooks/04-coroutines-gevent.ipynb`; tests
//! `tests/greenlet_vs_gevent.rs`, each scenario run here
//! (`tests/bin/greenlet_scenarios.rs`) and in the real gevent
//! (`tests/py/greenlet_scenarios.py`), the tutorial's own `f(5)` programs first.
//!
//! Every OS thread has one hub. [`spawn`](Greenlet::spawn) queues a greenlet;
//! nothing runs until the current code waits — [`Greenlet::join`],
//! [`joinall`] or [`sleep`] — and then the hub runs the queued greenlets in
//! order, each until it finishes or waits itself. [`sleep`]`(0.0)` yields: the
//! greenlet goes to the back of the queue, which makes greenlets that yield
//! take strict turns, as in gevent. A greenlet that never waits keeps its hub
//! (and every other greenlet of the thread) waiting until it ends.
//!
//! Each greenlet that has started and not ended has a stack of its own: 1 MiB
//! of address space ending in a guard page, of which only the pages it
//! touches cost memory (about 4.6 KB for a greenlet asleep, and 2.1 KB of
//! page tables; see `docs/performance.md`),
//! taken from the thread's pool of coroutine stacks when it first runs and
//! given back when it ends. A reference into one greenlet's stack therefore
//! stays good while it is suspended, even from another thread (a
//! `std::thread::scope`). Two mappings a stack put a limit of about 31,000
//! greenlets alive at once on a default Linux (`vm.max_map_count` 65,530):
//! one past it ends at once with a `MemoryError` naming the limit. A
//! greenlet that recurses past 1 MiB hits the guard page and the process
//! dies of `SIGSEGV`, as a thread overflowing its stack would (in the REPL,
//! the runtime restarts and names the variables that were lost).
//!
//! Inside: this file is the API; `task.rs` is a greenlet as the hub sees it,
//! `hub.rs` a thread's scheduler and its loop, `lock.rs` the semaphore,
//! `fd.rs` the wait for a file descriptor; the stacks are `crate::stack`'s.
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
//! joinall(&gs).unwrap();
//! assert_eq!(*trace.borrow(), ["g1 0", "g2 0", "g1 1", "g2 1"]);
//! ```

use std::cell::Cell;
use std::fmt;
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::exception::Exception;

mod fd;
mod hub;
mod line;
mod lock;
pub mod net;
mod queue;
mod task;
mod timeout;

pub(crate) use fd::wait_fd;
pub use hub::LoopExit;
use hub::{in_greenlet, park, run_until, try_park, with_hub};
pub use lock::{BoundedSemaphore, Semaphore, SemaphoreGuard};
pub use queue::{Empty, Full, Queue};
pub use task::Ending;
use task::{Inner, Park, Task, describe};
pub use timeout::{Timeout, with_timeout};

/// Waits `secs` seconds, letting other greenlets run; `sleep(0.0)` only
/// yields (gevent's `gevent.sleep`).
pub fn sleep(secs: f64) {
    // `sleep(0)` is the switch itself: it does not read the clock.
    let until = (secs > 0.0).then(|| Instant::now() + Duration::from_secs_f64(secs));
    if try_park(until.map_or(Park::Ready, Park::Until)) {
        return;
    }
    let _traced = crate::trace::during(
        if until.is_some() {
            crate::trace::State::Sleeping
        } else {
            crate::trace::State::Ready
        },
        format_args!(""),
    );
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
///
/// # Errors
/// [`LoopExit`], as gevent raises it, when some of them can never end:
/// they all wait for something no greenlet is left to do — a deadlock,
/// named instead of hidden.
///
/// ```
/// use multitask::greenlet::{self, Greenlet, LoopExit, Semaphore};
/// let none = Semaphore::new(0);
/// let stuck: Vec<Greenlet> = (0..2)
///     .map(|_| {
///         let none = none.clone();
///         Greenlet::spawn(move || drop(none.acquire()))
///     })
///     .collect();
/// assert_eq!(greenlet::joinall(&stuck), Err(LoopExit));
/// assert!(stuck.iter().all(|g| !g.dead()));
/// ```
pub fn joinall<T: 'static>(greenlets: &[Greenlet<T>]) -> Result<(), LoopExit> {
    greenlets.iter().try_for_each(Greenlet::join)
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
        let label = call.split_whitespace().collect::<Vec<_>>().join(" ");
        let alive = crate::probe::greenlet_spawned();
        let f = move || {
            let _alive = alive;
            f()
        };
        let inner = Rc::new(Inner::new(label, Box::new(f)));
        with_hub(|hub| hub.ready.push_back(inner.clone()));
        Greenlet { inner }
    }

    /// Waits until it ended (gevent's `join`); from the main stack, runs the
    /// hub meanwhile — and, as in gevent, returns when the hub comes back to
    /// main: the greenlets that were ready when it ended take their turn
    /// first.
    ///
    /// ```
    /// use multitask::prelude::*;
    /// use std::{cell::RefCell, rc::Rc};
    /// let said = Rc::new(RefCell::new(Vec::new()));
    /// let twice = |name: &'static str, said: Rc<RefCell<Vec<String>>>| move || {
    ///     for i in 0..2 {
    ///         said.borrow_mut().push(format!("{name} {i}"));
    ///         greenlet::sleep(0.0);
    ///     }
    ///     said.borrow_mut().push(format!("{name} done"));
    /// };
    /// let g1 = Greenlet::spawn(twice("g1", said.clone()));
    /// let g2 = Greenlet::spawn(twice("g2", said.clone()));
    /// g1.join().unwrap();
    /// said.borrow_mut().push("after g1".into());
    /// g2.join().unwrap();
    /// assert_eq!(
    ///     said.borrow().join(", "),
    ///     "g1 0, g2 0, g1 1, g2 1, g1 done, g2 done, after g1"
    /// );
    /// ```
    ///
    /// # Errors
    /// [`LoopExit`] if nothing is left that could end it (it waits forever).
    pub fn join(&self) -> Result<(), LoopExit> {
        if in_greenlet() {
            while !self.inner.ended() {
                let me = with_hub(|hub| hub.current.clone()).expect("in a greenlet");
                let ticket = me.turns().ticket();
                self.inner.waiters.borrow_mut().push((me, ticket));
                if let Some(lane) = crate::trace::here() {
                    let what = format_args!("join {}", self.inner.label());
                    crate::trace::mark(lane, crate::trace::State::Waiting, what);
                }
                park(Park::Waiting);
            }
            return Ok(());
        }
        if self.inner.ended() {
            return Ok(());
        }
        let _traced = crate::trace::during(
            crate::trace::State::Waiting,
            format_args!("join {}", self.inner.label()),
        );
        run_until(|| self.inner.ended(), None)?;
        hub::take_main_turn()
    }

    /// Waits at most `secs` seconds for it to end (gevent's
    /// `join(timeout)`): `Ok(true)` if it ended, `Ok(false)` if it still
    /// runs.
    ///
    /// ```
    /// use multitask::greenlet::{sleep, Greenlet};
    /// let g = Greenlet::spawn(|| sleep(0.2));
    /// assert_eq!(g.join_timeout(0.01), Ok(false));
    /// assert!(!g.dead());
    /// assert_eq!(g.join_timeout(10.0), Ok(true));
    /// ```
    ///
    /// # Errors
    /// [`LoopExit`] if nothing is left that could end it.
    pub fn join_timeout(&self, secs: f64) -> Result<bool, LoopExit> {
        let deadline = Instant::now() + Duration::from_secs_f64(secs.max(0.0));
        if in_greenlet() {
            if !self.inner.ended() {
                let me = with_hub(|hub| hub.current.clone()).expect("in a greenlet");
                let ticket = me.turns().ticket();
                self.inner.waiters.borrow_mut().push((me.clone(), ticket));
                if let Some(lane) = crate::trace::here() {
                    let what = format_args!("join {}", self.inner.label());
                    crate::trace::mark(lane, crate::trace::State::Waiting, what);
                }
                // Woken by its end or by the deadline, whichever comes first.
                park(Park::Until(deadline));
                self.inner
                    .waiters
                    .borrow_mut()
                    .retain(|(t, _)| !Rc::ptr_eq(t, &me));
            }
            return Ok(self.inner.ended());
        }
        if !self.inner.ended() {
            let _traced = crate::trace::during(
                crate::trace::State::Waiting,
                format_args!("join {}", self.inner.label()),
            );
            run_until(
                || self.inner.ended() || Instant::now() >= deadline,
                Some(deadline),
            )?;
            if self.inner.ended() {
                hub::take_main_turn()?;
            }
        }
        Ok(self.inner.ended())
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
            None => Err(Ending::Panicked(Exception::new(
                "LoopExit",
                "This operation would block forever",
            ))),
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
        // there is skipped, so a kill costs the same among thousands.
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

    /// What it raised, if it panicked (gevent's `exception`): the panic as
    /// a Python exception, with a name (`ZeroDivisionError` for a division
    /// by zero, `Exception` for a plain `panic!`) and the message.
    ///
    /// ```
    /// use multitask::prelude::*;
    /// let zero = std::hint::black_box(0);
    /// std::panic::set_hook(Box::new(|_| {})); // quiet
    /// let g = Greenlet::spawn(move || 1 / zero);
    /// g.join().unwrap();
    /// let e = g.exception().unwrap();
    /// assert_eq!((g.successful(), e.name()), (false, "ZeroDivisionError"));
    /// assert_eq!(e.message(), "attempt to divide by zero");
    /// ```
    pub fn exception(&self) -> Option<Exception> {
        match &*self.inner.ending.borrow() {
            Some(Ending::Panicked(e)) => Some(e.clone()),
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
    fn a_wake_meant_for_a_wait_that_is_over_is_refused() {
        // The join ends at 0.01 s, before its deadline at 0.1 s; that
        // deadline's timer must not cut short the sleep that follows.
        let quick = Greenlet::spawn(|| sleep(0.01));
        let g = {
            let quick = quick.clone();
            Greenlet::spawn(move || {
                assert_eq!(quick.join_timeout(0.1), Ok(true));
                let start = Instant::now();
                sleep(0.2);
                start.elapsed()
            })
        };
        let slept = g.get().unwrap();
        assert!(slept >= Duration::from_millis(200), "woken after {slept:?}");
    }

    #[test]
    fn many_greenlets_keep_their_stacks() {
        // Each switching at every level of a recursion of its own depth.
        let n = 320u64;
        let gs: Vec<Greenlet<u64>> = (0..n)
            .map(|i| Greenlet::spawn(move || deep(i * 1000, i % 13)))
            .collect();
        joinall(&gs).unwrap();
        for (i, g) in (0..n).zip(&gs) {
            assert_eq!(g.get(), Ok(deep_sum(i * 1000, i % 13)), "greenlet {i}");
        }
    }

    #[test]
    fn a_thread_reading_a_suspended_greenlets_stack_sees_its_own_value() {
        // Each of 32 greenlets lends a local of its stack (its id) to a
        // scoped thread, and takes turns with the others. After each round
        // of turns, with every greenlet suspended, the main stack asks each
        // thread to read its greenlet's local: 400 rounds, 12,800 reads,
        // each of which must see that greenlet's id, never another's.
        use std::sync::atomic::{AtomicU64, Ordering};
        use std::sync::mpsc;
        let mut asks = Vec::new();
        let mut answers = Vec::new();
        let gs: Vec<Greenlet> = (0..32u64)
            .map(|id| {
                let (ask, asked) = mpsc::channel::<()>();
                let (tell, told) = mpsc::channel();
                asks.push(ask);
                answers.push(told);
                Greenlet::spawn(move || {
                    let mine = AtomicU64::new(id);
                    std::thread::scope(|scope| {
                        let mine = &mine;
                        let reader = scope.spawn(move || {
                            for () in asked {
                                tell.send(mine.load(Ordering::Relaxed)).unwrap();
                            }
                        });
                        // Until the asking is over.
                        while !reader.is_finished() {
                            sleep(0.0);
                        }
                    });
                })
            })
            .collect();
        let mut wrong = 0;
        for _ in 0..400 {
            sleep(0.0); // a round of turns; all are suspended after it
            for (id, (ask, told)) in (0..32u64).zip(asks.iter().zip(&answers)) {
                ask.send(()).unwrap();
                if told.recv().unwrap() != id {
                    wrong += 1;
                }
            }
        }
        drop(asks);
        joinall(&gs).unwrap();
        assert_eq!(
            wrong, 0,
            "of 12,800 reads, these saw another greenlet's value"
        );
    }

    #[test]
    fn greenlets_past_the_map_limit_end_with_an_error_naming_it() {
        // In a child process of its own: near the limit, the other tests'
        // threads could not map a stack either.
        let child = crate::multiprocessing::Process::new(|| {
            let gs: Vec<Greenlet> = (0..40_000)
                .map(|_| Greenlet::spawn(|| sleep(3600.0)))
                .collect();
            sleep(0.0);
            let failed: Vec<&Greenlet> = gs.iter().filter(|g| g.dead()).collect();
            assert!(
                (1..15_000).contains(&failed.len()),
                "{} of 40,000 got no stack",
                failed.len()
            );
            let error = failed[0].exception().expect("it failed");
            assert_eq!(error.name(), "MemoryError");
            assert!(error.message().contains("vm.max_map_count"), "{error}");
            gs.iter().for_each(Greenlet::kill);
            // Their stacks are back: greenlets run again.
            let again: Vec<Greenlet<u32>> =
                (0..1_000).map(|i| Greenlet::spawn(move || i)).collect();
            joinall(&again).unwrap();
            assert!(again.iter().all(Greenlet::successful));
        });
        child.start().unwrap();
        assert_eq!(child.join().unwrap(), 0);
    }

    #[test]
    fn killed_sleepers_end_and_leave_no_timer_behind() {
        let gs: Vec<Greenlet> = (0..10_000)
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
