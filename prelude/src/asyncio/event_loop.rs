//! asyncio's event loop: one per OS thread, a FIFO queue of ready tasks, run
//! by whichever [`run`](super::run) is driving it.
//!
//! Every task of a thread is polled on that thread and nowhere else, so a
//! task sees no other task between two of its `.await`s: the tutorial's
//! single-threaded model (单线程的异步编程模型). The order is asyncio's:
//! a spawned task goes to the back of the queue and first runs when the loop
//! gets to it (its creator must `.await` something first); a woken task goes
//! to the back too, so `sleep(0)` lets every other ready task run once.
//!
//! tokio's runtime (one background thread for the whole process) only watches
//! the clock and the sockets, as the OS's `epoll` does for asyncio: when a
//! timer fires or a socket is ready it calls the task's waker, which puts the
//! task at the back of its loop's queue and wakes the loop's thread.
//!
//! A loop outlives a `run`: a task spawned outside one waits in the queue
//! until the next `run` on that thread, and a task still waiting when a `run`
//! returns goes on at the next (Python's `asyncio.run` would cancel it; a
//! REPL session is one long loop, as in IPython). An interrupt cancels every
//! task of the loop, as Python's `asyncio.run` does on `KeyboardInterrupt`.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::ThreadId;

use async_task::Runnable;

use super::task::Control;
use crate::globals::shared;

/// What waits in a loop's queue.
enum Entry {
    /// A spawned task, ready to be polled.
    Task(Runnable<Control>),
    /// The future a [`drive`] call polls itself (asyncio's main task).
    Main(Arc<MainWake>),
}

/// A thread's loop: its queue, which other threads' wakers push onto too.
pub(super) struct Loop {
    ready: Mutex<VecDeque<Entry>>,
    thread: std::thread::Thread,
    /// How many times every task was cancelled: a task made before the last
    /// time is dropped instead of polled.
    epoch: AtomicU64,
    /// Tasks made and not yet dropped.
    live: AtomicUsize,
}

impl Loop {
    fn new() -> Self {
        Loop {
            ready: Mutex::new(VecDeque::new()),
            thread: std::thread::current(),
            epoch: AtomicU64::new(0),
            live: AtomicUsize::new(0),
        }
    }

    fn queue(&self) -> MutexGuard<'_, VecDeque<Entry>> {
        self.ready.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn push(&self, entry: Entry) {
        self.queue().push_back(entry);
        // From the loop's own thread this only leaves a token its next park
        // takes back at once (cheaper than asking which thread this is).
        self.thread.unpark();
    }

    /// Puts a task at the back of the queue (its waker's `schedule`).
    pub(super) fn schedule(&self, runnable: Runnable<Control>) {
        self.push(Entry::Task(runnable));
    }

    /// How many entries wait in the queue.
    #[cfg(test)]
    pub(super) fn queued(&self) -> usize {
        self.queue().len()
    }

    /// How many of its tasks still run: made, not ended, not cancelled. (A
    /// cancelled task waits in the queue until the loop drops it.)
    fn running(&self) -> usize {
        let cancelled = self
            .queue()
            .iter()
            .filter(
                |entry| matches!(entry, Entry::Task(task) if task.metadata().is_cancelled(self)),
            )
            .count();
        self.live.load(Ordering::Acquire).saturating_sub(cancelled)
    }

    /// How many times every task was cancelled (see [`Control`]).
    pub(super) fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// Counts a new task among the live ones until the result is dropped.
    pub(super) fn live(self: &Arc<Self>) -> Live {
        self.live.fetch_add(1, Ordering::Relaxed);
        Live(self.clone())
    }

    /// Cancels every task of this loop that has not ended, and gives how
    /// many. Those in the queue are dropped at once; one that waits is
    /// dropped when it is woken (or its handle is awaited).
    fn cancel_all(&self) -> usize {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        let live = self.live.load(Ordering::Acquire);
        let entries = std::mem::take(&mut *self.queue());
        let mains: VecDeque<Entry> = entries
            .into_iter()
            .filter(|entry| matches!(entry, Entry::Main(_)))
            .collect();
        self.queue().extend(mains);
        live
    }
}

/// A task counted among its loop's live ones.
pub(super) struct Live(Arc<Loop>);

impl Drop for Live {
    fn drop(&mut self) {
        self.0.live.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The loops of a process, by thread, and the tokio runtime under them;
/// held across a fork, after which the child starts afresh (the parent's
/// tokio thread and the other threads' loops did not come along).
#[derive(Default)]
struct Loops {
    by_thread: HashMap<ThreadId, Arc<Loop>>,
    runtime: Option<&'static tokio::runtime::Runtime>,
}

shared! {
    fn loops() -> Mutex<Loops> = Mutex::new(Loops::default());
}
shared! {
    /// Bumped in a forked child: what a thread cached before is the parent's.
    fn forks() -> AtomicU64 = AtomicU64::new(0);
}

fn locked_loops() -> MutexGuard<'static, Loops> {
    static HELD_ACROSS_FORKS: std::sync::Once = std::sync::Once::new();
    crate::globals::once(&HELD_ACROSS_FORKS, || {
        crate::multiprocessing::fork::hold_across_fork("asyncio loops", || {
            Box::new(HeldForFork(
                loops().lock().unwrap_or_else(|p| p.into_inner()),
            ))
        })
    });
    loops().lock().unwrap_or_else(|p| p.into_inner())
}

struct HeldForFork(MutexGuard<'static, Loops>);

impl crate::multiprocessing::fork::Held for HeldForFork {
    fn in_child(&mut self) {
        // Forgotten, not dropped: their tasks belong to threads (and a tokio
        // runtime) that did not come along, and dropping them here could wait
        // on a lock one of those threads held at the fork.
        std::mem::forget(std::mem::take(&mut *self.0));
        forks().fetch_add(1, Ordering::Relaxed);
    }
}

/// This thread's loop, made on first use.
pub(super) fn current() -> Arc<Loop> {
    thread_local! {
        // Looked up once per thread (and fork) by this copy of the prelude.
        static CACHED: RefCell<Option<(u64, Arc<Loop>)>> = const { RefCell::new(None) };
    }
    let generation = forks().load(Ordering::Relaxed);
    CACHED.with(|cached| {
        let mut cached = cached.borrow_mut();
        if let Some((seen, found)) = cached.as_ref()
            && *seen == generation
        {
            return found.clone();
        }
        let found = locked_loops()
            .by_thread
            .entry(std::thread::current().id())
            .or_insert_with(|| Arc::new(Loop::new()))
            .clone();
        // A loop cached before a fork is the parent's: see `in_child`.
        if let Some(stale) = cached.replace((generation, found.clone())) {
            std::mem::forget(stale);
        }
        found
    })
}

/// The process's tokio runtime: one thread that drives timers and sockets
/// (no task is polled on it), made on first use and again in a forked child.
pub(super) fn runtime() -> &'static tokio::runtime::Runtime {
    thread_local! {
        static CACHED: std::cell::Cell<Option<(u64, &'static tokio::runtime::Runtime)>> =
            const { std::cell::Cell::new(None) };
    }
    let generation = forks().load(Ordering::Relaxed);
    if let Some((seen, runtime)) = CACHED.get()
        && seen == generation
    {
        return runtime;
    }
    let runtime = *locked_loops().runtime.get_or_insert_with(|| {
        Box::leak(Box::new(
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .thread_name("tokio-driver")
                .build()
                .expect("cannot start the tokio runtime"),
        ))
    });
    CACHED.set(Some((generation, runtime)));
    runtime
}

/// Cancels the tasks this thread's loop still runs, and gives how many there
/// were: for a check to tell an answer that dropped its tasks (they run on,
/// as in Python) from one that cancelled them.
pub(super) fn stop_leftovers() -> usize {
    let on = current();
    let running = on.running();
    on.cancel_all();
    running
}

/// The waker of the future a [`drive`] polls itself: queues it once.
struct MainWake {
    on: Arc<Loop>,
    queued: AtomicBool,
    /// Its `drive` returned or unwound: an entry still queued is dropped.
    done: AtomicBool,
}

impl Wake for MainWake {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        if !self.queued.swap(true, Ordering::AcqRel) {
            self.on.push(Entry::Main(self.clone()));
        }
    }
}

/// Runs this thread's loop until `main` ends, polling it in its turn like any
/// task; `None` if an interrupt came first (every task is cancelled then).
///
/// A `drive` inside a task (a nested `asyncio::run`) runs the same loop; an
/// outer `drive`'s main woken meanwhile is queued again when it returns.
pub(super) fn drive<F: Future>(main: F) -> Option<F::Output> {
    let on = current();
    let mut main = std::pin::pin!(main);
    let wake = Arc::new(MainWake {
        on: on.clone(),
        queued: AtomicBool::new(true),
        done: AtomicBool::new(false),
    });
    let waker = Waker::from(wake.clone());
    on.push(Entry::Main(wake.clone()));
    let mut outer = Outer {
        on: &on,
        main: &wake,
        woken: Vec::new(),
    };
    let watching = crate::interrupt::watching();
    loop {
        if watching && crate::interrupt::requested() {
            interrupted(&on);
            return None;
        }
        let next = on.queue().pop_front();
        match next {
            Some(Entry::Task(runnable)) if runnable.metadata().is_cancelled(&on) => {
                // Dropping it drops its future where it waits.
                drop(runnable);
            }
            Some(Entry::Task(runnable)) => {
                // A task's own panic is its result; only an interrupt raised
                // inside it (a loop check, a blocking call) comes through.
                let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| runnable.run()));
                if let Err(interrupt) = ran {
                    interrupted(&on);
                    std::panic::resume_unwind(interrupt);
                }
            }
            Some(Entry::Main(woken)) if Arc::ptr_eq(&woken, &wake) => {
                wake.queued.store(false, Ordering::Release);
                if let Poll::Ready(output) = main.as_mut().poll(&mut Context::from_waker(&waker)) {
                    return Some(output);
                }
            }
            Some(Entry::Main(other)) if other.done.load(Ordering::Acquire) => {}
            Some(Entry::Main(other)) => outer.woken.push(other),
            None if watching => std::thread::park_timeout(crate::interrupt::SLICE),
            None => std::thread::park(),
        }
    }
}

/// Cancels every task of the loop, as `asyncio.run` does on an interrupt,
/// and says how many there were.
fn interrupted(on: &Loop) {
    let cancelled = on.cancel_all();
    if cancelled > 0 {
        eprintln!(
            "KeyboardInterrupt: {cancelled} asyncio task{} cancelled",
            if cancelled == 1 { "" } else { "s" }
        );
    }
}

/// Mains of outer [`drive`]s woken while an inner one ran: queued again when
/// the inner one returns (or unwinds), when its own main is marked done.
struct Outer<'a> {
    on: &'a Loop,
    main: &'a MainWake,
    woken: Vec<Arc<MainWake>>,
}

impl Drop for Outer<'_> {
    fn drop(&mut self) {
        self.main.done.store(true, Ordering::Release);
        for main in self.woken.drain(..) {
            self.on.push(Entry::Main(main));
        }
    }
}
