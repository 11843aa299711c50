//! [`Thread`] and who-am-I: Python's `threading.Thread`,
//! `current_thread()`, `active_count()`, `enumerate()`.

use std::collections::BTreeMap;
use std::fmt;
use std::os::unix::thread::JoinHandleExt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Once, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::error::{Error, Result};
use crate::explore::model::Made;
use crate::globals::shared;

/// What is known of a running thread.
#[derive(Clone)]
pub struct ThreadInfo {
    name: String,
    ident: u64,
    /// Set by the thread itself once it runs (`start` does not wait for it).
    native_id: Arc<OnceLock<i32>>,
    daemon: bool,
    main: bool,
    /// Start order, for `enumerate`.
    seq: u32,
}

impl ThreadInfo {
    /// `MainThread`, the name given to a [`Thread`], or the thread's own name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Python's `ident`: the thread's `pthread_t`.
    pub fn ident(&self) -> u64 {
        self.ident
    }
    /// The kernel's id of the thread (`gettid`), as in `top -H`.
    pub fn native_id(&self) -> i32 {
        *self.native_id.wait()
    }
    /// Was it started as a daemon thread?
    pub fn daemon(&self) -> bool {
        self.daemon
    }
}

impl fmt::Display for ThreadInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let class = if self.main { "_MainThread" } else { "Thread" };
        let daemon = if self.daemon { " daemon" } else { "" };
        write!(
            f,
            "<{class}({}, started{daemon} {})>",
            self.name, self.ident
        )
    }
}

impl fmt::Debug for ThreadInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// This thread's `pthread_t`, Python's `get_ident()`.
fn ident_here() -> u64 {
    nix::sys::pthread::pthread_self()
}

/// The threads started by [`Thread`] that still run, and how many of them
/// are not daemons (the program waits for those at exit).
#[derive(Default)]
struct Registry {
    /// By `ident`.
    running: BTreeMap<u64, ThreadInfo>,
    non_daemon: usize,
}

shared! {
    fn registry_lock() -> Mutex<Registry> = Mutex::new(Registry::default());
}
shared! {
    /// Signalled each time a non-daemon thread ends.
    fn thread_ended() -> Condvar = Condvar::new();
}
shared! {
    fn counter() -> AtomicU32 = AtomicU32::new(1);
}
shared! {
    fn at_exit() -> Once = Once::new();
}
shared! {
    /// The main thread's info, once someone asked.
    fn main_info() -> Mutex<Option<ThreadInfo>> = Mutex::new(None);
}

fn registry() -> MutexGuard<'static, Registry> {
    static HELD_ACROSS_FORKS: Once = Once::new();
    crate::globals::once(&HELD_ACROSS_FORKS, || {
        crate::multiprocessing::fork::hold_across_fork("thread registry", || {
            Box::new(HeldForFork(locked_registry()))
        });
        // A child leaves as Python's does: after its threads that are not
        // daemons (a thread is in this registry before it runs).
        crate::multiprocessing::fork::on_child_exit(
            "wait for non-daemon threads",
            wait_for_non_daemon_threads,
        );
    });
    locked_registry()
}

fn locked_registry() -> MutexGuard<'static, Registry> {
    registry_lock().lock().unwrap_or_else(|p| p.into_inner())
}

/// The thread registry, held across a `fork`.
struct HeldForFork(MutexGuard<'static, Registry>);

impl crate::multiprocessing::fork::Held for HeldForFork {
    /// In the child: only the forking thread came along.
    fn in_child(&mut self) {
        let me = ident_here();
        self.0.running.retain(|&ident, _| ident == me);
        self.0.non_daemon = self.0.running.values().filter(|i| !i.daemon).count();
    }
}

/// Is this the process's main thread? (Its thread id is the process id.)
fn on_main_thread() -> bool {
    nix::unistd::gettid() == nix::unistd::getpid()
}

/// The thread this code runs on (Python's `threading.current_thread()`):
/// `MainThread` on the main thread, a [`Thread`]'s name on it, and the
/// thread's own name (or `Dummy`) elsewhere.
///
/// ```
/// use multitask::threading::{current_thread, Thread};
///
/// let t = Thread::new(|| current_thread().name().to_string()).with_name("LoopThread");
/// t.start()?;
/// assert_eq!(t.join()?, "LoopThread");
/// # Ok::<(), multitask::threading::Error>(())
/// ```
pub fn current_thread() -> ThreadInfo {
    let explored = crate::explore::model::with(|model| {
        model.map(|model| explored_thread(model.name(), model.me(), false, 0))
    });
    if let Some(info) = explored {
        return info;
    }
    if on_main_thread() {
        return main_thread();
    }
    crate::probe::own_name_asked();
    if let Some(info) = registry().running.get(&ident_here()) {
        return info.clone();
    }
    ThreadInfo {
        name: std::thread::current().name().unwrap_or("Dummy").to_owned(),
        ident: ident_here(),
        native_id: Arc::new(OnceLock::from(nix::unistd::gettid().as_raw())),
        daemon: true,
        main: false,
        seq: 0,
    }
}

/// A thread `explore` runs (its number there is its `ident`): all of them
/// take turns on this system thread, whose kernel id they share.
fn explored_thread(name: String, ident: usize, daemon: bool, seq: u32) -> ThreadInfo {
    ThreadInfo {
        main: name == "MainThread",
        name,
        ident: ident as u64,
        native_id: Arc::new(OnceLock::from(nix::unistd::gettid().as_raw())),
        daemon,
        seq,
    }
}

/// The main thread (Python's `threading.main_thread()`).
pub fn main_thread() -> ThreadInfo {
    let mut main = main_info().lock().unwrap_or_else(|p| p.into_inner());
    main.get_or_insert_with(|| {
        let pid = nix::unistd::getpid().as_raw();
        ThreadInfo {
            name: "MainThread".into(),
            // Seen from the main thread itself, as Python records it.
            ident: if on_main_thread() { ident_here() } else { 0 },
            native_id: Arc::new(OnceLock::from(pid)),
            daemon: false,
            main: true,
            seq: 0,
        }
    })
    .clone()
}

/// How many threads are alive: the main thread and the [`Thread`]s that run
/// (Python's `threading.active_count()`).
///
/// ```
/// use multitask::threading::{active_count, Event, Thread};
/// let before = active_count();
/// let go = Event::new();
/// let t = Thread::new({ let go = go.clone(); move || go.wait() });
/// t.start()?;
/// assert_eq!(active_count(), before + 1);
/// go.set();
/// t.join()?;
/// assert_eq!(active_count(), before);
/// # Ok::<(), multitask::threading::Error>(())
/// ```
pub fn active_count() -> usize {
    1 + registry().running.len()
}

/// The threads alive, main thread first (Python's `threading.enumerate()`).
pub fn enumerate() -> Vec<ThreadInfo> {
    let mut others: Vec<ThreadInfo> = registry().running.values().cloned().collect();
    others.sort_by_key(|info| info.seq);
    let mut all = vec![main_thread()];
    all.extend(others);
    all
}

type Body<R> = Box<dyn FnOnce() -> R + Send>;

/// A thread running a closure, shaped like Python's `threading.Thread`.
///
/// `join` hands back what the closure returned — or, if it panicked, the
/// panic as an [`Error::Panicked`]; the rest of the program goes on. As in
/// Python, the program waits at exit for threads that are not daemons.
///
/// ```
/// use std::time::Duration;
/// use multitask::threading::{current_thread, Thread};
///
/// fn run_loop() {
///     let me = current_thread();
///     println!("thread {} is running...", me.name());
///     for n in 1..=3 {
///         println!("thread {} >>> {n}", me.name());
///         std::thread::sleep(Duration::from_millis(1));
///     }
/// }
/// println!("thread {} is running...", current_thread().name());
/// let t = Thread::new(run_loop).with_name("LoopThread");
/// t.start()?;
/// t.join()?;
/// # Ok::<(), multitask::threading::Error>(())
/// ```
pub struct Thread<R = ()> {
    /// Its number: `Thread-N`.
    seq: u32,
    name: String,
    daemon: bool,
    stack_size: Option<usize>,
    target: Option<String>,
    body: Mutex<Option<Body<R>>>,
    state: Mutex<State<R>>,
    /// Set when the body has returned (or unwound): what `join` waits for,
    /// interruptibly, before it takes the handle.
    finished: Arc<Finished>,
    /// Made inside `explore`, or not.
    made: Made,
}

/// A thread's body has ended.
#[derive(Default)]
struct Finished {
    done: Mutex<bool>,
    cv: Condvar,
}

impl Finished {
    /// Waits until the body ended or `deadline` passed; `true` if it ended.
    fn wait(&self, deadline: Option<Instant>) -> bool {
        let done = self.done.lock().unwrap_or_else(|p| p.into_inner());
        crate::interrupt::wait_until(&self.cv, done, deadline, |done| *done).1
    }
}

/// Marks the body's end when dropped, also when it unwinds.
struct Ending(Arc<Finished>);

impl Drop for Ending {
    fn drop(&mut self) {
        *self.0.done.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.0.cv.notify_all();
    }
}

enum State<R> {
    Initial,
    Started {
        info: ThreadInfo,
        handle: JoinHandle<R>,
    },
    Joined {
        info: ThreadInfo,
    },
    /// Started inside `explore`: its number there, and where its body leaves
    /// what it returned (or its panic).
    Explored {
        thread: usize,
        result: Arc<Mutex<Option<std::thread::Result<R>>>>,
    },
}

impl<R: Send + 'static> Thread<R> {
    /// A thread that will run `target` once started, named `Thread-N`.
    pub fn new(target: impl FnOnce() -> R + Send + 'static) -> Thread<R> {
        let made = Made::here();
        // Inside `explore`, numbered in each run alike.
        let n = crate::explore::model::with(|model| model.map(|m| m.number("Thread")))
            .unwrap_or_else(|| counter().fetch_add(1, Ordering::Relaxed));
        Thread {
            made,
            seq: n,
            name: format!("Thread-{n}"),
            daemon: false,
            stack_size: None,
            target: None,
            body: Mutex::new(Some(Box::new(target))),
            state: Mutex::new(State::Initial),
            finished: Arc::default(),
        }
    }

    /// Like [`new`](Thread::new), remembering the call for the display and
    /// the name (`Thread-1 (run_loop)`, as Python 3.10+ names them); what
    /// [`thread!`](crate::thread) expands to.
    pub fn labelled(call: &str, target: impl FnOnce() -> R + Send + 'static) -> Thread<R> {
        let mut t = Thread::new(target);
        let call = call.split_whitespace().collect::<Vec<_>>().join(" ");
        // Python names it after the function: `go.wait()` → `wait`.
        let path = call.split('(').next().unwrap_or_default().trim();
        let function = path.rsplit(['.', ':']).next().unwrap_or(path);
        t.name = format!("{} ({function})", t.name);
        t.target = Some(call);
        t
    }

    /// The same thread under another name. As in Python, a thread named by
    /// hand uses up no `Thread-N` number: the one [`new`](Thread::new) took
    /// is given back (unless another thread was made in between).
    ///
    /// ```
    /// use multitask::threading::Thread;
    /// let worker = Thread::new(|| ()).with_name("Worker");
    /// assert_eq!(worker.name(), "Worker");
    /// ```
    pub fn with_name(mut self, name: impl Into<String>) -> Thread<R> {
        if !self.made.explored() && self.name.starts_with(&format!("Thread-{}", self.seq)) {
            let _ = counter().compare_exchange(
                self.seq + 1,
                self.seq,
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
        }
        self.name = name.into();
        self
    }

    /// A daemon thread does not keep the program alive at exit.
    pub fn daemon(mut self, daemon: bool) -> Thread<R> {
        self.daemon = daemon;
        self
    }

    /// The size of the thread's stack in bytes (Python's
    /// `threading.stack_size(n)`, per thread). Rust's default is 2 MiB.
    pub fn stack_size(mut self, bytes: usize) -> Thread<R> {
        self.stack_size = Some(bytes);
        self
    }

    /// Starts the thread. (It is counted by [`active_count`] from here on;
    /// unlike Python, `start` does not wait for it to begin running.)
    ///
    /// # Errors
    /// [`Error::AlreadyStarted`] the second time; [`Error::Os`] if the system
    /// has no room for another thread.
    pub fn start(&self) -> Result<()> {
        let body = self
            .body
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .ok_or(Error::AlreadyStarted)?;
        let what = format!("thread {}", self.name);
        let body = match self.made.model(&what, |model| match model {
            Some(model) => Ok(self.explored(model, body)),
            None => Err(body),
        }) {
            Ok(started) => {
                *self.state() = started;
                return Ok(());
            }
            Err(body) => body,
        };
        let mut builder = std::thread::Builder::new().name(self.name.clone());
        if let Some(bytes) = self.stack_size {
            builder = builder.stack_size(bytes);
        }
        if !self.daemon {
            crate::globals::once(at_exit(), || {
                // SAFETY: registering a plain `extern "C"` function.
                unsafe { libc::atexit(join_non_daemon_threads) };
            });
        }
        let native_id = Arc::new(OnceLock::new());
        let daemon = self.daemon;
        // A thread a recorded thread starts is recorded too.
        let lane = crate::trace::new_lane(
            crate::trace::LaneKind::Thread,
            format_args!("{}", self.name),
        );
        // Held until the thread is in the registry, so that a thread which
        // ends at once cannot leave before it arrived.
        let mut registry = registry();
        let handle = builder.spawn({
            let native_id = Arc::clone(&native_id);
            let ending = Ending(Arc::clone(&self.finished));
            move || {
                let _ending = ending;
                let _ = native_id.set(nix::unistd::gettid().as_raw());
                let _entry = Entry {
                    ident: ident_here(),
                    daemon,
                };
                let _traced = lane.map(Traced::start);
                body()
            }
        })?;
        let info = ThreadInfo {
            name: self.name.clone(),
            ident: handle.as_pthread_t(),
            native_id,
            daemon,
            main: false,
            seq: self.seq,
        };
        crate::probe::thread_started(info.ident);
        registry.running.insert(info.ident, info.clone());
        registry.non_daemon += usize::from(!daemon);
        drop(registry);
        *self.state() = State::Started { info, handle };
        Ok(())
    }

    /// Starts `body` as a thread `explore` runs: a panic ends the thread,
    /// not the program, as with a system thread.
    fn explored(&self, model: &dyn crate::explore::model::Model, body: Body<R>) -> State<R> {
        let result = Arc::new(Mutex::new(None));
        let thread = model.spawn(self.name.clone(), {
            let result = Arc::clone(&result);
            Box::new(move || {
                let ended = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
                // An interrupt (Ctrl-C) ends the exploration, not the thread.
                let ended = match ended {
                    Err(payload) if crate::interrupt::is_interrupt(&*payload) => {
                        std::panic::resume_unwind(payload)
                    }
                    ended => ended,
                };
                *result.lock().unwrap_or_else(|p| p.into_inner()) = Some(ended);
            })
        });
        State::Explored { thread, result }
    }

    /// Waits for the thread to end and returns the closure's value.
    ///
    /// # Errors
    /// [`Error::Panicked`] if the closure panicked, [`Error::NotStarted`]
    /// before `start`, [`Error::AlreadyJoined`] the second time. (Python's
    /// `join` returns `None` and may be called again; this one hands over
    /// the closure's value, which can be handed over once.)
    pub fn join(&self) -> Result<R> {
        // An interrupt while waiting leaves the thread running and joinable.
        if matches!(*self.state(), State::Started { .. }) {
            let _traced = crate::trace::during(
                crate::trace::State::Waiting,
                format_args!("join {}", self.name),
            );
            self.finished.wait(None);
        }
        let mut state = self.state();
        match std::mem::replace(&mut *state, State::Initial) {
            State::Initial => Err(Error::NotStarted),
            State::Explored { thread, result } => {
                drop(state);
                let what = format!("thread {}", self.name);
                self.made.model(&what, |model| {
                    if let Some(model) = model {
                        model.join(thread, &self.name);
                    }
                });
                let ended = result.lock().unwrap_or_else(|p| p.into_inner()).take();
                *self.state() = State::Joined {
                    info: explored_thread(self.name.clone(), thread, self.daemon, self.seq),
                };
                match ended.expect("a joined thread has ended") {
                    Ok(value) => Ok(value),
                    Err(payload) => Err(Error::Panicked {
                        thread: self.name.clone(),
                        message: crate::panics::message(&*payload),
                    }),
                }
            }
            State::Joined { info } => {
                *state = State::Joined { info };
                Err(Error::AlreadyJoined)
            }
            State::Started { info, handle } => {
                drop(state);
                let result = handle.join();
                crate::probe::thread_joined(info.ident);
                *self.state() = State::Joined { info };
                result.map_err(|payload| Error::Panicked {
                    thread: self.name.clone(),
                    message: crate::panics::message(&*payload),
                })
            }
        }
    }

    /// Waits at most `timeout`: `Some(value)` if the thread ended, `None` if
    /// it still runs (Python's `join(timeout)`).
    ///
    /// ```
    /// use std::time::Duration;
    /// use multitask::threading::Thread;
    /// let t = Thread::new(|| std::thread::sleep(Duration::from_millis(200)));
    /// t.start()?;
    /// assert!(t.join_timeout(Duration::from_millis(10))?.is_none());
    /// assert!(t.is_alive());
    /// assert!(t.join_timeout(Duration::from_secs(10))?.is_some());
    /// # Ok::<(), multitask::threading::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`join`](Thread::join).
    pub fn join_timeout(&self, timeout: Duration) -> Result<Option<R>> {
        let explored = matches!(&*self.state(), State::Explored { result, .. }
            if result.lock().unwrap_or_else(|p| p.into_inner()).is_none());
        if explored {
            // Time does not pass inside `explore`: it answers at once.
            return Ok(None);
        }
        if matches!(*self.state(), State::Started { .. })
            && !self.finished.wait(Some(Instant::now() + timeout))
        {
            return Ok(None);
        }
        self.join().map(Some)
    }

    /// Started and not yet ended?
    pub fn is_alive(&self) -> bool {
        match &*self.state() {
            State::Started { handle, .. } => !handle.is_finished(),
            State::Explored { result, .. } => {
                result.lock().unwrap_or_else(|p| p.into_inner()).is_none()
            }
            State::Initial | State::Joined { .. } => false,
        }
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Is it a daemon thread?
    pub fn is_daemon(&self) -> bool {
        self.daemon
    }

    /// Python's `ident`, once started.
    pub fn ident(&self) -> Option<u64> {
        self.info().map(|i| i.ident)
    }

    /// The kernel's thread id, once started.
    pub fn native_id(&self) -> Option<i32> {
        self.info().map(|i| i.native_id())
    }

    fn info(&self) -> Option<ThreadInfo> {
        match &*self.state() {
            State::Initial | State::Explored { .. } => None,
            State::Started { info, .. } | State::Joined { info } => Some(info.clone()),
        }
    }

    fn state(&self) -> MutexGuard<'_, State<R>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl<R: Send + 'static> fmt::Display for Thread<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let daemon = if self.daemon { " daemon" } else { "" };
        let state = match &*self.state() {
            State::Initial => format!("initial{daemon}"),
            State::Started { info, handle } if !handle.is_finished() => {
                format!("started{daemon} {}", info.ident)
            }
            State::Started { info, .. } | State::Joined { info } => {
                format!("stopped{daemon} {}", info.ident)
            }
            State::Explored { thread, result } => {
                let ended = result.lock().unwrap_or_else(|p| p.into_inner()).is_some();
                let now = if ended { "stopped" } else { "started" };
                format!("{now}{daemon} {thread}")
            }
        };
        write!(f, "<Thread({}, {state})>", self.name)
    }
}

impl<R: Send + 'static> fmt::Debug for Thread<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A running thread's place in the registry, removed when the thread ends
/// (also by a panic).
struct Entry {
    ident: u64,
    daemon: bool,
}

impl Drop for Entry {
    fn drop(&mut self) {
        let mut registry = registry();
        registry.running.remove(&self.ident);
        if !self.daemon {
            registry.non_daemon -= 1;
            thread_ended().notify_all();
        }
    }
}

/// At exit, Python waits for the threads that are not daemons.
extern "C" fn join_non_daemon_threads() {
    wait_for_non_daemon_threads();
}

/// Waits until no thread but this one that is not a daemon runs: what
/// Python does at exit, in the main process and in a child
/// (`threading._shutdown`). The calling thread does not wait for itself —
/// a `Thread` that started the child is the child's only thread.
pub(crate) fn wait_for_non_daemon_threads() {
    let mut registry = registry();
    let me = ident_here();
    let mine = usize::from(registry.running.get(&me).is_some_and(|i| !i.daemon));
    while registry.non_daemon > mine {
        registry = thread_ended()
            .wait(registry)
            .unwrap_or_else(|p| p.into_inner());
    }
}

/// A [`Thread`] running one call, remembering the call for its name and
/// display: `thread!(run_loop())` is named `Thread-1 (run_loop)`.
///
/// ```
/// use multitask::thread;
/// fn double(x: i32) -> i32 { 2 * x }
/// let t = thread!(double(21));
/// assert!(t.name().ends_with(" (double)"));
/// t.start()?;
/// assert_eq!(t.join()?, 42);
/// # Ok::<(), multitask::threading::Error>(())
/// ```
#[macro_export]
macro_rules! thread {
    ($($call:tt)+) => {
        $crate::threading::Thread::labelled(stringify!($($call)+), move || $($call)+)
    };
}

/// A started thread's lane in a [`trace::record`](crate::trace::record):
/// running from the start of its body, ended when the body returns or
/// unwinds.
struct Traced(
    crate::trace::LaneId,
    #[allow(dead_code)] crate::trace::Entered,
);

impl Traced {
    fn start(lane: crate::trace::LaneId) -> Traced {
        let entered = crate::trace::enter(Some(lane));
        crate::trace::mark(lane, crate::trace::State::Running, format_args!(""));
        Traced(lane, entered)
    }
}

impl Drop for Traced {
    fn drop(&mut self) {
        crate::trace::end(self.0);
    }
}
