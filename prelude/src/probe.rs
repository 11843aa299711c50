//! What an exercise check watches while a learner's answer runs, and the
//! slow motion it may ask for.
//!
//! A check that decides by the result alone is fooled by luck: a counter
//! without a lock gives the right total whenever its processes happen not to
//! overlap. So while a check runs ([`watch`]) the prelude counts what the
//! answer did — processes started and how many were alive at once, locks
//! made inside children, workers waiting on a queue, threads that asked for
//! their own name — and can slow the steps where a race hides: a shared
//! value's read in a child, a master's `put`, a thread's first look at its
//! name. Slowed, a race that loses an update loses one every time, and a
//! right answer stays right, only slower.
//!
//! The counts live in one page of shared memory, made in the session before
//! the judge forks the check's process (see `exercises/verdict.rs`), so the
//! check, the processes its answer forks and the judge all see the same
//! page. Only the check's process and its children are watched; when no
//! check runs, a hook costs a load or two and does nothing.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use crate::globals::shared;
use crate::multiprocessing::shm::Shm;

/// The counts and settings of a watch, in shared memory. All start at zero.
pub(crate) struct Probe {
    // Who is watched.
    watching: AtomicBool,
    /// The process the check runs in (the judge forks one a check): only it
    /// and its children are watched, never the session itself.
    checker_pid: AtomicI64,
    /// The thread the check runs on (its `gettid`), which is not one of the
    /// answer's threads.
    checker: AtomicI64,

    // The slow motion a check asks for.
    /// A child's `Value::get` sleeps this long after reading, in µs.
    pub slow_shared_reads_us: AtomicU64,
    /// The check's own `multiprocessing::Queue::put` sleeps this long first,
    /// in µs.
    pub slow_puts_us: AtomicU64,
    /// The k-th thread to ask `current_thread()` (from 0) sleeps
    /// `stagger_ms × (8 − k)` first: later threads end first.
    pub stagger_ms: AtomicU64,

    // Processes.
    /// Processes the check's process started.
    pub processes_started: AtomicU64,
    /// The most of those alive (started, not yet joined) at one time.
    pub most_processes_alive: AtomicU64,
    /// Of those, processes whose `Process` was dropped without a `join`.
    pub processes_not_joined: AtomicU64,
    /// `multiprocessing::Lock`s made inside a child process.
    pub locks_made_in_children: AtomicU64,
    /// Children blocked in `multiprocessing::Queue::get` right now.
    pub children_waiting_on_queues: AtomicI64,

    // Threads.
    /// Threads started by the prelude's `Thread` and `ThreadPool` (a census
    /// of `/proc` sees the others, if they live long enough).
    pub threads_started: AtomicU64,
    /// The most of the `Thread`s started under the watch that were started
    /// and not yet joined at one time.
    pub most_threads_unjoined: AtomicU64,
    /// Threads other than the main one and the checker that asked
    /// `current_thread()`.
    pub own_names_asked: AtomicU64,

    // Greenlets and asyncio tasks.
    /// Greenlets spawned, alive (spawned, not yet ended) now, and the most
    /// alive at one time.
    pub greenlets_spawned: AtomicU64,
    greenlets_alive: AtomicI64,
    pub most_greenlets_alive: AtomicU64,
    /// asyncio tasks, the same way.
    pub tasks_spawned: AtomicU64,
    tasks_alive: AtomicI64,
    pub most_tasks_alive: AtomicU64,
    /// asyncio sleeps begun.
    pub asyncio_sleeps: AtomicU64,
}

shared! {
    /// The page the probe lives in; `None` if it could not be mapped.
    fn page() -> Option<Shm> = Shm::new(size_of::<Probe>()).ok();
}

shared! {
    /// The pids of the processes started since the watch began (the
    /// watched process's own bookkeeping, not shared with children).
    fn started() -> Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());
}

shared! {
    /// The `Thread`s started since the watch began and not yet joined, by
    /// ident.
    fn unjoined() -> Mutex<BTreeSet<u64>> = Mutex::new(BTreeSet::new());
}

fn probe() -> Option<&'static Probe> {
    let page = page().as_ref()?;
    // SAFETY: a zeroed, page-aligned mapping of at least `size_of::<Probe>()`
    // bytes that lives for the process; `Probe` is atomics only, for which
    // all-zero bytes are a valid value, and they are only accessed
    // atomically, here and in the children that share the page.
    Some(unsafe { &*page.as_ptr().cast::<Probe>() })
}

/// The probe, while a check watches this process: the check's own, or a
/// child it started.
pub(crate) fn watching() -> Option<&'static Probe> {
    let probe = probe().filter(|p| p.watching.load(Ordering::Relaxed))?;
    let checker = probe.checker_pid.load(Ordering::Relaxed);
    let me = i64::from(nix::unistd::getpid().as_raw());
    (me == checker || i64::from(nix::unistd::getppid().as_raw()) == checker).then_some(probe)
}

/// Made before the judge forks the check's process, so that the page is
/// shared with it: the judge reads what a stuck check counted.
pub(crate) fn page_made() -> Option<&'static Probe> {
    probe()
}

/// Is this a child of the check's process (not the check itself)?
fn in_child(probe: &Probe) -> bool {
    i64::from(nix::unistd::getpid().as_raw()) != probe.checker_pid.load(Ordering::Relaxed)
}

/// A check's watch: counts from zero until it is dropped.
pub(crate) struct Watch(&'static Probe);

/// Starts watching this process (the check's, on this thread) and its
/// children, every count at zero and no slow motion.
///
/// # Panics
/// When no page of shared memory can be mapped.
pub(crate) fn watch() -> Watch {
    let probe = probe().expect("a page of shared memory for the exercise probe");
    probe.watching.store(false, Ordering::SeqCst);
    // Every field by name, once: a field added to `Probe` and not named
    // here does not compile.
    macro_rules! zero_all_but {
        ($probe:expr; keep: $($kept:ident),*; zero: $($zeroed:ident),* $(,)?) => {{
            let Probe { $($kept: _,)* $($zeroed,)* } = $probe;
            $($zeroed.store(0, Ordering::SeqCst);)*
        }};
    }
    zero_all_but!(probe;
        keep: watching, checker_pid, checker;
        zero: slow_shared_reads_us, slow_puts_us, stagger_ms, processes_started,
        most_processes_alive, processes_not_joined, locks_made_in_children,
        children_waiting_on_queues, threads_started, most_threads_unjoined, own_names_asked,
        greenlets_spawned, greenlets_alive, most_greenlets_alive, tasks_spawned, tasks_alive,
        most_tasks_alive, asyncio_sleeps,
    );
    let me = |id: i32| i64::from(id);
    probe
        .checker_pid
        .store(me(nix::unistd::getpid().as_raw()), Ordering::SeqCst);
    probe
        .checker
        .store(me(nix::unistd::gettid().as_raw()), Ordering::SeqCst);
    started().lock().unwrap_or_else(|p| p.into_inner()).clear();
    unjoined().lock().unwrap_or_else(|p| p.into_inner()).clear();
    probe.watching.store(true, Ordering::SeqCst);
    Watch(probe)
}

impl std::ops::Deref for Watch {
    type Target = Probe;
    fn deref(&self) -> &Probe {
        self.0
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.0.watching.store(false, Ordering::SeqCst);
    }
}

/// Sleeps `us` microseconds, if not zero.
fn pause_us(us: u64) {
    if us > 0 {
        std::thread::sleep(Duration::from_micros(us));
    }
}

/// A process was started: `alive` are the pids not yet joined, `pid` among them.
pub(crate) fn process_started(pid: i32, alive: impl Iterator<Item = i32>) {
    let Some(probe) = watching() else { return };
    let mut started = started().lock().unwrap_or_else(|p| p.into_inner());
    started.insert(pid);
    let now = alive.filter(|pid| started.contains(pid)).count() as u64;
    probe.processes_started.fetch_add(1, Ordering::SeqCst);
    probe.most_processes_alive.fetch_max(now, Ordering::SeqCst);
}

/// The `Process` of `pid` was dropped before it was joined.
pub(crate) fn process_orphaned(pid: i32) {
    let Some(probe) = watching() else { return };
    if started()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .contains(&pid)
    {
        probe.processes_not_joined.fetch_add(1, Ordering::SeqCst);
    }
}

/// The processes started under the watch, in the order of their pids.
pub(crate) fn processes() -> Vec<i32> {
    started()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .copied()
        .collect()
}

/// A shared value was just read: in a child, under a watch that asks for it,
/// wait a little before going on, so that a read-then-write without a lock
/// lets the other processes in.
pub(crate) fn shared_value_read() {
    if let Some(probe) = watching()
        && in_child(probe)
    {
        pause_us(probe.slow_shared_reads_us.load(Ordering::Relaxed));
    }
}

/// A `multiprocessing::Lock` was made.
pub(crate) fn lock_made() {
    if let Some(probe) = watching()
        && in_child(probe)
    {
        probe.locks_made_in_children.fetch_add(1, Ordering::SeqCst);
    }
}

/// A queue `put` is about to happen; in the watched process, under a watch
/// that asks for it, it waits a little first.
pub(crate) fn queue_put() {
    if let Some(probe) = watching()
        && !in_child(probe)
    {
        pause_us(probe.slow_puts_us.load(Ordering::Relaxed));
    }
}

/// A child waits on a queue until the returned guard is dropped.
pub(crate) fn waiting_on_queue() -> Option<impl Drop> {
    struct Waiting(&'static Probe);
    impl Drop for Waiting {
        fn drop(&mut self) {
            self.0
                .children_waiting_on_queues
                .fetch_sub(1, Ordering::SeqCst);
        }
    }
    let probe = watching().filter(|probe| in_child(probe))?;
    probe
        .children_waiting_on_queues
        .fetch_add(1, Ordering::SeqCst);
    Some(Waiting(probe))
}

/// The prelude started `n` threads.
pub(crate) fn threads_started(n: usize) {
    if let Some(probe) = watching() {
        probe.threads_started.fetch_add(n as u64, Ordering::SeqCst);
    }
}

/// A greenlet was spawned: counted alive until the returned guard, which
/// its body holds, is dropped.
pub(crate) fn greenlet_spawned() -> Option<Alive> {
    let probe = watching()?;
    Some(Alive::new(
        &probe.greenlets_spawned,
        &probe.greenlets_alive,
        &probe.most_greenlets_alive,
    ))
}

/// An asyncio task was spawned: counted alive until the returned guard,
/// which its future holds, is dropped (when it ends, or is cancelled).
pub(crate) fn task_spawned() -> Option<Alive> {
    let probe = watching()?;
    Some(Alive::new(
        &probe.tasks_spawned,
        &probe.tasks_alive,
        &probe.most_tasks_alive,
    ))
}

/// One greenlet or task alive, counted out when dropped.
pub(crate) struct Alive(&'static AtomicI64);

impl Alive {
    fn new(
        spawned: &'static AtomicU64,
        alive: &'static AtomicI64,
        most: &'static AtomicU64,
    ) -> Alive {
        spawned.fetch_add(1, Ordering::SeqCst);
        let now = alive.fetch_add(1, Ordering::SeqCst) + 1;
        most.fetch_max(now.max(0) as u64, Ordering::SeqCst);
        Alive(alive)
    }
}

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// An asyncio sleep began.
pub(crate) fn asyncio_sleep() {
    if let Some(probe) = watching() {
        probe.asyncio_sleeps.fetch_add(1, Ordering::SeqCst);
    }
}

/// A `Thread` was started.
pub(crate) fn thread_started(ident: u64) {
    let Some(probe) = watching() else { return };
    let mut unjoined = unjoined().lock().unwrap_or_else(|p| p.into_inner());
    unjoined.insert(ident);
    probe.threads_started.fetch_add(1, Ordering::SeqCst);
    probe
        .most_threads_unjoined
        .fetch_max(unjoined.len() as u64, Ordering::SeqCst);
}

/// A `Thread` was joined.
pub(crate) fn thread_joined(ident: u64) {
    if watching().is_some() {
        unjoined()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&ident);
    }
}

/// How many `Thread`s started under the watch were never joined.
pub(crate) fn unjoined_threads() -> usize {
    unjoined().lock().unwrap_or_else(|p| p.into_inner()).len()
}

/// A thread other than the main one asked `current_thread()`: count it and,
/// under a watch that asks for it, stagger it (later askers wait less).
pub(crate) fn own_name_asked() {
    let Some(probe) = watching() else { return };
    if probe.checker.load(Ordering::Relaxed) == i64::from(nix::unistd::gettid().as_raw()) {
        return;
    }
    let k = probe.own_names_asked.fetch_add(1, Ordering::SeqCst);
    let stagger = probe.stagger_ms.load(Ordering::Relaxed);
    pause_us(stagger * 1000 * 8u64.saturating_sub(k));
}
