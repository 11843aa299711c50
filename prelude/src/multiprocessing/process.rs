//! [`Process`]: a real child process made by `fork()`, shaped like Python's
//! `multiprocessing.Process`; and [`current_process`], who am I.

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

use super::error::{Error, Result};
use super::fork;
use crate::globals::shared;

/// Who this process is, as Python names it: `MainProcess` at the top,
/// `Process-1`, `Process-2`, … for its children, `Process-2:1` for a child of
/// `Process-2`.
#[derive(Clone)]
pub(crate) struct Identity {
    name: String,
    /// Python's `_identity`: the numbers on the way down from the main process.
    path: Vec<u32>,
    daemon: bool,
}

shared! {
    /// `None` in the main process.
    fn identity() -> Mutex<Option<Identity>> = Mutex::new(None);
}
shared! {
    /// Numbers this process gives its children (Python's `_process_counter`).
    fn counter() -> AtomicU32 = AtomicU32::new(1);
}

fn me() -> MutexGuard<'static, Option<Identity>> {
    static HELD_ACROSS_FORKS: std::sync::Once = std::sync::Once::new();
    // The child takes an identity of its own, once the fork let go of it.
    crate::globals::once(&HELD_ACROSS_FORKS, || {
        fork::hold_across_fork("process identity", || Box::new(locked_identity()))
    });
    locked_identity()
}

fn locked_identity() -> MutexGuard<'static, Option<Identity>> {
    identity().lock().unwrap_or_else(|p| p.into_inner())
}

impl fork::Held for MutexGuard<'static, Option<Identity>> {}

/// The next child's number and default name.
pub(crate) fn next_child(prefix: &str) -> (Vec<u32>, String) {
    let n = counter().fetch_add(1, Ordering::Relaxed);
    let mut path = me().as_ref().map(|i| i.path.clone()).unwrap_or_default();
    path.push(n);
    let digits: Vec<String> = path.iter().map(u32::to_string).collect();
    (path, format!("{prefix}-{}", digits.join(":")))
}

/// Called first thing in a new child: it now is `name`, and numbers its own
/// children from 1.
pub(crate) fn become_child(name: &str, path: Vec<u32>, daemon: bool) {
    *me() = Some(Identity {
        name: name.to_owned(),
        path,
        daemon,
    });
    counter().store(1, Ordering::Relaxed);
    // A panic prints on stderr whose it was, as Python prints `Process
    // Process-1:` above a traceback — in one write, so the lines stay together.
    let header = format!("Process {name}:");
    std::panic::set_hook(Box::new(move |info| {
        let message = crate::panics::message(info.payload());
        eprint!("{header}\npanicked: {message}\n");
    }));
}

/// This process's id (`os.getpid()`).
///
/// ```
/// assert_eq!(multitask::multiprocessing::getpid(), std::process::id() as i32);
/// ```
pub fn getpid() -> i32 {
    nix::unistd::getpid().as_raw()
}

/// The parent's process id (`os.getppid()`).
///
/// ```
/// use multitask::multiprocessing::{getppid, Process};
/// let me = multitask::multiprocessing::getpid();
/// let p = Process::new(move || assert_eq!(getppid(), me));
/// p.start().unwrap();
/// assert_eq!(p.join().unwrap(), 0);
/// ```
pub fn getppid() -> i32 {
    nix::unistd::getppid().as_raw()
}

/// The process this code runs in, as Python's
/// `multiprocessing.current_process()` sees it.
///
/// ```
/// use multitask::multiprocessing::{current_process, Process};
///
/// assert_eq!(current_process().name(), "MainProcess");
/// let p = Process::new(|| assert!(current_process().name().starts_with("Process-")));
/// p.start().unwrap();
/// assert_eq!(p.join().unwrap(), 0);
/// ```
pub fn current_process() -> CurrentProcess {
    let me = me().clone();
    CurrentProcess {
        name: me
            .as_ref()
            .map_or_else(|| "MainProcess".into(), |i| i.name.clone()),
        daemon: me.is_some_and(|i| i.daemon),
        pid: getpid(),
        parent: fork::in_child().then(getppid),
    }
}

/// What [`current_process`] returns: a snapshot of this process's name and ids.
#[derive(Clone, PartialEq, Eq)]
pub struct CurrentProcess {
    name: String,
    daemon: bool,
    pid: i32,
    parent: Option<i32>,
}

impl CurrentProcess {
    /// `MainProcess`, or the name the parent gave this process.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// This process's id.
    pub fn pid(&self) -> i32 {
        self.pid
    }
    /// Was this process started as a daemon?
    pub fn daemon(&self) -> bool {
        self.daemon
    }
}

impl fmt::Display for CurrentProcess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.parent {
            None => write!(f, "<_MainProcess name='{}' parent=None started>", self.name),
            Some(parent) => write!(
                f,
                "<Process name='{}' parent={parent} started{}>",
                self.name,
                if self.daemon { " daemon" } else { "" }
            ),
        }
    }
}

impl fmt::Debug for CurrentProcess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

type Body = Box<dyn FnOnce() + Send>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Initial,
    Started { pid: i32 },
    Stopped { pid: i32, exitcode: i32 },
}

/// A child process running a closure: Python's `multiprocessing.Process`
/// with the `fork` start method.
///
/// `start` forks a real OS process. The child runs the closure and leaves with
/// `_exit` — exit code 0, or 1 if the closure panicked (its message goes to
/// stderr under `Process Process-1:`), or whatever it passed to
/// [`exit`](super::exit). It never returns into the code that called `start`.
/// The parent [`join`](Process::join)s it, or it is reaped for you when the
/// `Process` is dropped; at exit, running children are joined (daemons are
/// terminated first), as Python does.
///
/// ```
/// use multitask::multiprocessing::{getpid, Process};
///
/// let p = Process::new(|| println!("Run child process test ({})...", getpid()));
/// assert_eq!(p.name(), "Process-1");
/// p.start()?;
/// assert!(p.pid().is_some());
/// assert_eq!(p.join()?, 0); // the exit code
/// assert_eq!(p.exitcode(), Some(0));
/// # Ok::<(), multitask::multiprocessing::Error>(())
/// ```
///
/// The [`process!`](crate::process) macro remembers the call it runs, for
/// the display:
///
/// ```
/// use multitask::process;
/// fn run_proc(name: &str) { println!("Run child process {name}"); }
///
/// let p = process!(run_proc("test"));
/// assert!(p.to_string().ends_with(r#"initial target=run_proc("test")>"#));
/// ```
pub struct Process {
    name: String,
    path: Vec<u32>,
    target: Option<String>,
    daemon: bool,
    parent: i32,
    body: Mutex<Option<Body>>,
    state: Mutex<State>,
}

impl Process {
    /// A process that will run `target` once started.
    pub fn new(target: impl FnOnce() + Send + 'static) -> Process {
        let (path, name) = next_child("Process");
        Process {
            name,
            path,
            target: None,
            daemon: false,
            parent: getpid(),
            body: Mutex::new(Some(Box::new(target))),
            state: Mutex::new(State::Initial),
        }
    }

    /// Like [`new`](Process::new), remembering the call's text for the
    /// display; this is what [`process!`](crate::process) expands to.
    pub fn labelled(call: &str, target: impl FnOnce() + Send + 'static) -> Process {
        let mut p = Process::new(target);
        p.target = Some(call.split_whitespace().collect::<Vec<_>>().join(" "));
        p
    }

    /// The same process under another name (Python's `name=` argument).
    ///
    /// ```
    /// let p = multitask::multiprocessing::Process::new(|| {}).with_name("worker");
    /// assert_eq!(p.name(), "worker");
    /// ```
    pub fn with_name(mut self, name: impl Into<String>) -> Process {
        self.name = name.into();
        self
    }

    /// Makes it a daemonic process (Python's `daemon=True`): it is killed
    /// when its parent ends — also when the parent is killed — instead of
    /// being waited for. Not a Unix daemon: see [`daemon`](super::daemon).
    ///
    /// ```
    /// let p = multitask::multiprocessing::Process::new(|| {}).daemon(true);
    /// assert!(p.is_daemon());
    /// ```
    pub fn daemon(mut self, daemon: bool) -> Process {
        self.daemon = daemon;
        self
    }

    /// Forks and runs the target in the child.
    ///
    /// # Errors
    /// [`Error::AlreadyStarted`] the second time; [`Error::DaemonicChildren`]
    /// inside a daemonic process, as Python refuses; [`Error::Os`] if the
    /// system refuses to fork (too many processes, no memory).
    pub fn start(&self) -> Result<()> {
        if current_process().daemon() {
            return Err(Error::DaemonicChildren);
        }
        let body = self
            .body
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .ok_or(Error::AlreadyStarted)?;
        let (name, path, daemon) = (self.name.clone(), self.path.clone(), self.daemon);
        let pid = fork::spawn(&self.name, daemon, move || {
            become_child(&name, path, daemon);
            body();
            0
        })?;
        *self.state() = State::Started { pid };
        Ok(())
    }

    /// Waits for the process to end and returns its exit code (Python's
    /// `exitcode` after `join()`): 0, the code it exited with, or minus the
    /// signal that killed it.
    ///
    /// ```
    /// use multitask::multiprocessing::{exit, Process};
    /// let p = Process::new(|| exit(3));
    /// p.start().unwrap();
    /// assert_eq!(p.join().unwrap(), 3);
    /// ```
    ///
    /// # Errors
    /// [`Error::NotStarted`] before `start`.
    pub fn join(&self) -> Result<i32> {
        self.wait(None)
            .map(|code| code.expect("a blocking wait ends"))
    }

    /// Waits at most `timeout`: `Some(exitcode)` if it ended, `None` if it
    /// still runs (Python's `join(timeout)`, then `exitcode`).
    ///
    /// ```
    /// use std::time::Duration;
    /// use multitask::multiprocessing::Process;
    ///
    /// let p = Process::new(|| std::thread::sleep(Duration::from_secs(10)));
    /// p.start().unwrap();
    /// assert_eq!(p.join_timeout(Duration::from_millis(50)).unwrap(), None);
    /// assert!(p.is_alive());
    /// p.kill().unwrap();
    /// assert_eq!(p.join().unwrap(), -9);
    /// ```
    ///
    /// # Errors
    /// [`Error::NotStarted`] before `start`.
    pub fn join_timeout(&self, timeout: Duration) -> Result<Option<i32>> {
        self.wait(Some(timeout))
    }

    fn wait(&self, timeout: Option<Duration>) -> Result<Option<i32>> {
        let pid = match *self.state() {
            State::Initial => return Err(Error::NotStarted),
            State::Stopped { exitcode, .. } => return Ok(Some(exitcode)),
            State::Started { pid } => pid,
        };
        let deadline = timeout.map(|t| Instant::now() + t);
        let _traced = timeout.is_none().then(|| {
            crate::trace::during(
                crate::trace::State::Waiting,
                format_args!("join {}", self.name),
            )
        });
        // Where an interrupt may come, no wait blocks for good.
        let watched = crate::interrupt::watching();
        let mut pause = Duration::from_micros(50);
        let code = loop {
            match fork::wait(pid, deadline.is_none() && !watched)? {
                Some(code) => break code,
                None if deadline.is_some_and(|d| Instant::now() >= d) => return Ok(None),
                None => {
                    crate::interrupt::check();
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(5));
                }
            }
        };
        *self.state() = State::Stopped {
            pid,
            exitcode: code,
        };
        Ok(Some(code))
    }

    /// Is the process running? (Started, and not yet ended.)
    pub fn is_alive(&self) -> bool {
        matches!(self.wait(Some(Duration::ZERO)), Ok(None))
    }

    /// The exit code once it ended, `None` before (Python's `exitcode`).
    pub fn exitcode(&self) -> Option<i32> {
        self.wait(Some(Duration::ZERO)).ok().flatten()
    }

    /// Its process id, once started.
    pub fn pid(&self) -> Option<i32> {
        match *self.state() {
            State::Initial => None,
            State::Started { pid } | State::Stopped { pid, .. } => Some(pid),
        }
    }

    /// Its name: `Process-N` unless given one.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Was it made a daemonic process?
    pub fn is_daemon(&self) -> bool {
        self.daemon
    }

    /// Asks it to stop: `SIGTERM` (its exit code becomes -15).
    ///
    /// # Errors
    /// [`Error::NotStarted`] before `start`.
    pub fn terminate(&self) -> Result<()> {
        self.signal(Signal::SIGTERM)
    }

    /// Stops it for sure: `SIGKILL` (its exit code becomes -9).
    ///
    /// # Errors
    /// [`Error::NotStarted`] before `start`.
    pub fn kill(&self) -> Result<()> {
        self.signal(Signal::SIGKILL)
    }

    fn signal(&self, signal: Signal) -> Result<()> {
        match *self.state() {
            State::Initial => Err(Error::NotStarted),
            // Reaped: the pid may belong to someone else by now.
            State::Stopped { .. } => Ok(()),
            State::Started { pid } => Ok(fork::signal(pid, signal)?),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if let State::Started { pid } = *self.state() {
            fork::orphan(pid);
        }
    }
}

impl fmt::Display for Process {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<Process name='{}'", self.name)?;
        let state = *self.state();
        if let State::Started { pid } | State::Stopped { pid, .. } = state {
            write!(f, " pid={pid}")?;
        }
        write!(f, " parent={}", self.parent)?;
        match state {
            State::Initial => write!(f, " initial")?,
            State::Started { .. } => write!(f, " started")?,
            State::Stopped { exitcode, .. } => {
                write!(f, " stopped exitcode=")?;
                // Python names a killing signal: `exitcode=-SIGTERM`.
                match nix::sys::signal::Signal::try_from(-exitcode) {
                    Ok(signal) if exitcode < 0 => write!(f, "-{}", signal.as_str())?,
                    _ => write!(f, "{exitcode}")?,
                }
            }
        }
        if self.daemon {
            write!(f, " daemon")?;
        }
        if let Some(target) = &self.target {
            write!(f, " target={target}")?;
        }
        write!(f, ">")
    }
}

impl fmt::Debug for Process {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Ends this process with `code`, as `sys.exit(code)` does in a child: in a
/// process started by [`Process`], its own children are joined, output
/// flushed and the process leaves with `_exit`; in the main process it is
/// [`std::process::exit`].
///
/// ```
/// use multitask::multiprocessing::{exit, Process};
/// let p = Process::new(|| exit(7));
/// p.start().unwrap();
/// assert_eq!(p.join().unwrap(), 7);
/// ```
pub fn exit(code: i32) -> ! {
    if fork::in_child() {
        fork::exit_child(code)
    }
    std::process::exit(code)
}

/// A [`Process`] running one call, remembering the call's text for its
/// display: `process!(run_proc("test"))`.
///
/// ```
/// use multitask::process;
/// fn square(x: i32) -> i32 { x * x }
///
/// let p = process!(square(4));
/// p.start().unwrap();
/// assert_eq!(p.join().unwrap(), 0);
/// assert!(p.to_string().contains("stopped exitcode=0 target=square(4)"));
/// ```
#[macro_export]
macro_rules! process {
    ($($call:tt)+) => {
        $crate::multiprocessing::Process::labelled(stringify!($($call)+), move || {
            let _ = $($call)+;
        })
    };
}
