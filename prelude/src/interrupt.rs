//! Ctrl-C that keeps your variables: Python's `KeyboardInterrupt`, the
//! cooperative way.
//!
//! Notebook `notebooks/00-start-here.ipynb` (中断 Stopping a cell); tests: the
//! `ctrl_c_*` tests of `tests/repl_pty.rs`, `tests/kernel_jupyter.rs`, and
//! gevent's behaviour in `tests/greenlet_vs_gevent.rs`.
//!
//! Python turns Ctrl-C into an exception raised in the main thread at the
//! next bytecode; the program unwinds and every variable the cell did not
//! touch is still there. Rust code cannot be stopped at an arbitrary point,
//! so the REPL's runtime does the next best thing:
//!
//! 1. The front end (Ctrl-C in the terminal, Jupyter's interrupt, `check`'s
//!    timeout) sends the runtime [`SIGNAL`]. Its handler, set up by
//!    [`install`], only raises a flag.
//! 2. The prelude's blocking calls — [`time::sleep`](crate::time::sleep),
//!    joins, `recv`, `get`, locks, events and conditions, greenlet and
//!    asyncio waits, both pools' `map` — wait in short slices and look at the
//!    flag; the REPL also puts a [`check`] at the top of every `loop`,
//!    `while` and `for` body of a cell. On the runtime's main thread (where
//!    cells run) a raised flag unwinds with a [`KeyboardInterrupt`] payload,
//!    which the cell's `catch_unwind` stops: the cell fails, nothing else is
//!    lost.
//! 3. Code that never reaches a check (`std::thread::sleep`, a `std` lock or
//!    channel, a long computation in one call) cannot be stopped this way:
//!    if the cell is still running after a short grace, the front end kills
//!    the runtime as before and names the variables that were lost.
//!
//! Other threads are not interrupted, as in Python, where only the main
//! thread sees `KeyboardInterrupt`; a greenlet running on the main thread
//! is, and (as in gevent) the interrupt then goes on to the main stack.
//! Outside the REPL's runtime — a test, a program of your own — nothing is
//! installed and every call here does nothing.
//!
//! ```
//! // Not installed here: a check is free and never raises.
//! multitask::interrupt::check();
//! assert!(!multitask::interrupt::requested());
//! ```

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicPtr, Ordering};
use std::sync::{Condvar, MutexGuard};
use std::time::{Duration, Instant};

use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};

use crate::globals::shared;

/// The signal a front end sends the runtime to interrupt the running cell.
pub const SIGNAL: Signal = Signal::SIGUSR1;

/// How long a blocking call of the prelude waits before it looks at the flag
/// again: the longest an interrupt waits to be noticed.
pub(crate) const SLICE: Duration = Duration::from_millis(20);

/// The payload a cell unwinds with when it is interrupted (Python's
/// `KeyboardInterrupt`). It is raised with `resume_unwind`, so no panic
/// message is printed; the front end reports the interrupt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyboardInterrupt;

impl std::fmt::Display for KeyboardInterrupt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyboardInterrupt")
    }
}

/// The process-wide state, shared by every copy of the prelude (each REPL
/// cell has one).
struct State {
    /// An interrupt came for the running cell and has not been raised yet.
    requested: AtomicBool,
    /// A cell is running: an interrupt between cells is for no one.
    in_cell: AtomicBool,
    /// The process whose main thread is interrupted; 0 until [`install`].
    pid: AtomicI32,
}

shared! {
    fn state() -> State = State {
        requested: AtomicBool::new(false),
        in_cell: AtomicBool::new(false),
        pid: AtomicI32::new(0),
    };
}

/// The state, for the signal handler (which must not take the registry's lock).
static HANDLER_STATE: AtomicPtr<State> = AtomicPtr::new(std::ptr::null_mut());

extern "C" fn on_signal(_: libc::c_int) {
    let state = HANDLER_STATE.load(Ordering::Acquire);
    // SAFETY: set by `install` to a process-wide value that is never freed.
    if let Some(state) = unsafe { state.as_ref() }
        && state.in_cell.load(Ordering::Acquire)
    {
        state.requested.store(true, Ordering::Release);
    }
}

/// Makes this process interruptible: [`SIGNAL`] raises the flag while a
/// cell runs, and the process's main thread (where the REPL's runtime runs
/// cells) raises it. The runtime calls this first thing.
///
/// # Errors
/// If the handler cannot be set.
pub fn install() -> nix::Result<()> {
    let shared = state();
    HANDLER_STATE.store(std::ptr::from_ref(shared).cast_mut(), Ordering::Release);
    // SA_RESTART: a system call the signal lands in goes on, so learners'
    // code never sees an `Interrupted` error it did not ask for.
    let action = SigAction::new(
        SigHandler::Handler(on_signal),
        SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    // SAFETY: the handler only does atomic loads and stores.
    unsafe { sigaction(SIGNAL, &action) }?;
    shared
        .pid
        .store(nix::unistd::getpid().as_raw(), Ordering::Release);
    Ok(())
}

/// Asks the process `pid` — its main thread, where cells run — to stop its
/// cell: what a front end calls. The signal goes to that one thread
/// (`tgkill`), so no other thread's system call is disturbed.
///
/// # Errors
/// If there is no such process (it ended), or it is not ours to signal.
pub fn request(pid: i32) -> std::io::Result<()> {
    // SAFETY: a plain system call; a stale pid only fails.
    let sent = unsafe { libc::syscall(libc::SYS_tgkill, pid, pid, SIGNAL as libc::c_int) };
    if sent == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// A cell begins (called by the runtime): an interrupt may come for it.
pub fn begin_cell() {
    let state = state();
    state.requested.store(false, Ordering::Release);
    state.in_cell.store(true, Ordering::Release);
}

/// The cell ended (called by the runtime): an interrupt that came too late
/// is forgotten, not kept for the next cell.
pub fn end_cell() {
    let state = state();
    state.in_cell.store(false, Ordering::Release);
    state.requested.store(false, Ordering::Release);
}

/// Whether an interrupt waits to be raised. Any thread may look (a pool's
/// workers stop taking items); only the interrupted thread raises it.
pub fn requested() -> bool {
    state().requested.load(Ordering::Acquire)
}

/// Unwinds with [`KeyboardInterrupt`] if an interrupt came and this is the
/// thread it is for; otherwise does nothing (and costs two atomic loads).
/// The REPL calls this at the top of every loop body of a cell.
#[inline]
pub fn check() {
    if requested() {
        raise_if_mine();
    }
}

#[cold]
fn raise_if_mine() {
    if watching() && !std::thread::panicking() && requested() {
        raise();
    }
}

/// Whether this thread is the one interrupts are for: the main thread of the
/// process that [`install`]ed (not a thread it started, not a forked child).
pub(crate) fn watching() -> bool {
    let pid = state().pid.load(Ordering::Acquire);
    pid != 0 && nix::unistd::getpid().as_raw() == pid && nix::unistd::gettid().as_raw() == pid
}

/// Takes the interrupt and unwinds with [`KeyboardInterrupt`], printing
/// nothing (on the watched thread, which alone raises).
pub(crate) fn raise() -> ! {
    state().requested.store(false, Ordering::Release);
    std::panic::resume_unwind(Box::new(KeyboardInterrupt))
}

/// Whether an unwinding payload is an interrupt.
pub(crate) fn is_interrupt(payload: &(dyn std::any::Any + Send)) -> bool {
    payload.is::<KeyboardInterrupt>()
}

/// Calls `attempt` with how long it may block, until it gives a value: all
/// at once where no interrupt can come, else in [`SLICE`]s with a [`check`]
/// before each.
pub(crate) fn blocking<T>(mut attempt: impl FnMut(Option<Duration>) -> Option<T>) -> T {
    let watched = watching();
    loop {
        if watched {
            check();
        }
        if let Some(value) = attempt(watched.then_some(SLICE)) {
            return value;
        }
    }
}

/// The shorter of two waits, `None` being for ever.
pub(crate) fn shorter(a: Option<Duration>, b: Option<Duration>) -> Option<Duration> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Sleeps `duration`, interruptibly.
pub(crate) fn sleep(duration: Duration) {
    let until = Instant::now() + duration;
    blocking(|slice| {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Some(());
        }
        std::thread::sleep(slice.map_or(left, |slice| left.min(slice)));
        None
    });
}

/// Waits on `cv` until `ready` holds or `deadline` passes; `true` if
/// ready. Interruptible on the watched thread: an interrupt unwinds with the
/// guard, poisoning the mutex, which the prelude's locks ignore.
pub(crate) fn wait_until<'a, T>(
    cv: &Condvar,
    mut guard: MutexGuard<'a, T>,
    deadline: Option<Instant>,
    ready: impl Fn(&T) -> bool,
) -> (MutexGuard<'a, T>, bool) {
    let watched = watching();
    while !ready(&guard) {
        let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        if left.is_some_and(|left| left.is_zero()) {
            return (guard, false);
        }
        let wait = if watched {
            check();
            shorter(left, Some(SLICE))
        } else {
            left
        };
        guard = match wait {
            Some(wait) => {
                cv.wait_timeout(guard, wait)
                    .unwrap_or_else(|p| p.into_inner())
                    .0
            }
            None => cv.wait(guard).unwrap_or_else(|p| p.into_inner()),
        };
    }
    (guard, true)
}
