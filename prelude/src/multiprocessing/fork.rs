//! `fork(2)` made safe for the common case, and the book of this process's
//! children: who is still running, who reaps whom, what happens at exit.
//!
//! A fork copies only the calling thread. Whatever another thread held at that
//! moment stays held forever in the child. So before forking we take the locks
//! a child is likely to need — stdout, stderr and this book — and every other
//! thread waits outside them; both sides release their copy afterwards. Locks
//! of the learner's own, and thread pools (rayon's, tokio's) whose threads do
//! not exist in the child, are the learner's to avoid: see the module docs of
//! [`multiprocessing`](super).

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, Once};
use std::time::Duration;

use nix::errno::Errno;

use crate::globals::shared;
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork, getppid};

/// The children this process started and has not reaped yet.
#[derive(Default)]
struct Book {
    children: BTreeMap<i32, Child>,
    reaper_running: bool,
}

#[derive(Clone, Copy)]
struct Child {
    daemon: bool,
    /// Its `Process` is gone: the reaper thread waits for it.
    orphaned: bool,
    /// Reaped by someone other than its owner (the exit handler).
    status: Option<i32>,
    /// Its lane in a [`trace::record`](crate::trace::record), ended when it
    /// is reaped (if it did not end it itself: killed, say).
    lane: Option<crate::trace::LaneId>,
}

shared! {
    fn book_lock() -> Mutex<Book> = Mutex::new(Book::default());
}
shared! {
    /// Wakes the reaper thread when a child is orphaned.
    fn reaper() -> Condvar = Condvar::new();
}
shared! {
    fn in_child_flag() -> AtomicBool = AtomicBool::new(false);
}
shared! {
    fn at_exit() -> Once = Once::new();
}
shared! {
    /// Set by an interactive session's runtime: at exit, children are ended,
    /// not waited for (see [`end_children_at_exit`]).
    fn ending_children() -> AtomicBool = AtomicBool::new(false);
}

/// What a module holds across a fork, as a `pthread_atfork` handler would:
/// taken just before, so that no other thread holds it at that moment (the
/// child would find it locked for ever); dropped after, in both processes.
pub(crate) trait Held {
    /// In the child, before it is dropped: only the forking thread came along.
    fn in_child(&mut self) {}
}

/// Takes what a module holds across a fork.
pub(crate) type Take = fn() -> Box<dyn Held>;

shared! {
    /// Who holds what across a fork, by name (every copy of the prelude
    /// registers the same names; the first copy's `Take` is kept).
    fn holders() -> Mutex<BTreeMap<&'static str, Take>> = Mutex::new(BTreeMap::new());
}

shared! {
    /// What a child does as it leaves, by name ([`on_child_exit`]).
    fn exit_steps() -> Mutex<BTreeMap<&'static str, fn()>> = Mutex::new(BTreeMap::new());
}

/// Registers `step` under `name`, to run as a child started by [`spawn`]
/// leaves, before its output is flushed (the thread registry waits for the
/// child's threads that are not daemons); registering a name again does
/// nothing. So this module calls no module above it.
pub(crate) fn on_child_exit(name: &'static str, step: fn()) {
    register(exit_steps(), name, step);
}

/// Registers `take` under `name`, to run before every fork from now on;
/// registering a name again does nothing.
pub(crate) fn hold_across_fork(name: &'static str, take: Take) {
    register(holders(), name, take);
}

/// Puts `f` in `book` under `name`, unless the name is there already.
fn register<F>(book: &Mutex<BTreeMap<&'static str, F>>, name: &'static str, f: F) {
    book.lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(name)
        .or_insert(f);
}

/// What `book` holds now, in the order of its names.
fn registered<F: Copy>(book: &Mutex<BTreeMap<&'static str, F>>) -> Vec<F> {
    book.lock()
        .unwrap_or_else(|p| p.into_inner())
        .values()
        .copied()
        .collect()
}

fn book() -> MutexGuard<'static, Book> {
    book_lock()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Is this process a child started by [`spawn`]?
pub(crate) fn in_child() -> bool {
    in_child_flag().load(Ordering::Relaxed)
}

/// Forks; the child runs `body` and leaves with its exit code (1 if it
/// panicked) through `_exit`, never returning into the caller's code. Returns
/// the child's pid in the parent, where the child goes into the book: it is
/// joined or reaped by us. `name` names its lane when it is recorded.
pub(crate) fn spawn(name: &str, daemon: bool, body: impl FnOnce() -> i32) -> io::Result<i32> {
    crate::globals::once(at_exit(), || {
        // SAFETY: registering a plain `extern "C"` function with no arguments.
        unsafe { libc::atexit(finish_children_at_exit) };
    });
    let parent = nix::unistd::getpid();
    // The probe's page is made here, not first in a child (see `crate::probe`).
    let _ = crate::probe::watching();
    // Nothing printed before the fork may print twice, once from each copy.
    let _ = io::stdout().flush();
    let _ = io::stderr().flush();
    // Locks a child may need, held across the fork (always in this order),
    // so that no other thread holds them at that moment.
    let out = io::stdout().lock();
    let err = io::stderr().lock();
    let mut book = book();
    let mut held: Vec<Box<dyn Held>> = registered(holders()).iter().map(|take| take()).collect();
    let lane = crate::trace::new_lane(crate::trace::LaneKind::Process, format_args!("{name}"));
    // Last: no value is half made by another thread as we fork.
    let mut first_uses = crate::globals::hold_for_fork();
    // SAFETY: the child only runs code that does not depend on other threads:
    // the locks it needs were taken above, and it leaves through `_exit`.
    match unsafe { fork() }.map_err(io::Error::from)? {
        ForkResult::Parent { child } => {
            drop(first_uses);
            drop(held);
            crate::probe::process_started(
                child.as_raw(),
                book.children.keys().copied().chain([child.as_raw()]),
            );
            book.children.insert(
                child.as_raw(),
                Child {
                    daemon,
                    orphaned: false,
                    status: None,
                    lane,
                },
            );
            Ok(child.as_raw())
        }
        ForkResult::Child => {
            first_uses.in_child();
            drop(first_uses);
            // The parent's children are not ours, and its reaper thread did
            // not come along.
            *book = Book::default();
            for held in &mut held {
                held.in_child();
            }
            drop(held);
            drop(book);
            drop(err);
            drop(out);
            in_child_flag().store(true, Ordering::Relaxed);
            // A crash in the child is the child's own: drop inherited crash
            // handlers (evcxr's runtime turns SIGSEGV into an abort) so it
            // dies of the signal itself, as a Python child does.
            for signal in [
                Signal::SIGSEGV,
                Signal::SIGBUS,
                Signal::SIGILL,
                Signal::SIGFPE,
            ] {
                // SAFETY: restoring the default action is always sound.
                let _ = unsafe {
                    nix::sys::signal::signal(signal, nix::sys::signal::SigHandler::SigDfl)
                };
            }
            if daemon {
                // Die with the parent, even if it is killed. (The kernel sends
                // the signal when the forking *thread* ends.)
                let _ = nix::sys::prctl::set_pdeathsig(Signal::SIGKILL);
                if getppid() != parent {
                    exit_child(1);
                }
            }
            // As multiprocessing does: the child's stdin is /dev/null, so a
            // read ends at once instead of waiting on the parent's input.
            if let Ok(null) = std::fs::File::open("/dev/null") {
                // SAFETY: dup2 onto fd 0 of this single-threaded child.
                unsafe { libc::dup2(std::os::fd::AsRawFd::as_raw_fd(&null), 0) };
            }
            if let Some(lane) = lane {
                crate::trace::adopt(lane);
                crate::trace::mark(lane, crate::trace::State::Running, format_args!(""));
            }
            let code = panic::catch_unwind(AssertUnwindSafe(body)).unwrap_or(1);
            exit_child(code)
        }
    }
}

/// Leaves a child process as Python's `multiprocessing` does: join its own
/// children, wait for its threads that are not daemons, flush, `_exit` (no
/// exit handlers inherited from the parent, no destructors of the parent's
/// statics).
pub(crate) fn exit_child(code: i32) -> ! {
    finish_children();
    for step in registered(exit_steps()) {
        step();
    }
    if let Some(lane) = crate::trace::here() {
        crate::trace::end(lane);
    }
    let _ = io::stdout().flush();
    let _ = io::stderr().flush();
    // SAFETY: `_exit` ends the process at once; nothing after it runs.
    unsafe { libc::_exit(code) }
}

/// Python's exit code from a wait status: the code, or minus the signal.
pub(crate) fn exitcode(status: WaitStatus) -> Option<i32> {
    match status {
        WaitStatus::Exited(_, code) => Some(code),
        WaitStatus::Signaled(_, signal, _) => Some(-(signal as i32)),
        _ => None,
    }
}

/// Waits for a child of ours: `Some(exitcode)` once it ended, `None` if
/// `block` is false and it still runs. Takes it out of the book.
pub(crate) fn wait(pid: i32, block: bool) -> io::Result<Option<i32>> {
    let flags = (!block).then_some(WaitPidFlag::WNOHANG);
    loop {
        match waitpid(Pid::from_raw(pid), flags) {
            Ok(WaitStatus::StillAlive) => return Ok(None),
            Ok(status) => {
                if let Some(code) = exitcode(status) {
                    let child = book().children.remove(&pid);
                    if let Some(lane) = child.and_then(|c| c.lane) {
                        crate::trace::end(lane);
                    }
                    return Ok(Some(code));
                }
            }
            Err(Errno::EINTR) => {}
            Err(Errno::ECHILD) => {
                // Reaped by the exit handler: it left the status for us.
                let status = book().children.remove(&pid).and_then(|c| c.status);
                return status
                    .map(Some)
                    .ok_or_else(|| io::Error::from(Errno::ECHILD));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Sends a signal to a child that has not been reaped (so its pid is still
/// its own).
pub(crate) fn signal(pid: i32, signal: Signal) -> io::Result<()> {
    match kill(Pid::from_raw(pid), signal) {
        Ok(()) | Err(Errno::ESRCH) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The owner of a running child went away: a reaper thread waits for it, so
/// it does not stay a zombie.
pub(crate) fn orphan(pid: i32) {
    crate::probe::process_orphaned(pid);
    let mut book = book();
    // Started from another cell's copy of the book? Ours has it now.
    book.children
        .entry(pid)
        .or_insert(Child {
            daemon: false,
            orphaned: true,
            status: None,
            lane: None,
        })
        .orphaned = true;
    if !book.reaper_running {
        book.reaper_running = true;
        let started = std::thread::Builder::new()
            .name("multitask-reaper".into())
            .spawn(reap_orphans);
        if started.is_err() {
            book.reaper_running = false;
        }
    }
    reaper().notify_one();
}

fn reap_orphans() {
    let mut book = book();
    loop {
        let orphans: Vec<i32> = book
            .children
            .iter()
            .filter(|(_, c)| c.orphaned)
            .map(|(&pid, _)| pid)
            .collect();
        if orphans.is_empty() {
            book = reaper().wait(book).unwrap_or_else(|p| p.into_inner());
            continue;
        }
        for pid in orphans {
            match waitpid(Pid::from_raw(pid), Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) | Err(Errno::EINTR) => {}
                _ => {
                    book.children.remove(&pid);
                }
            }
        }
        drop(book);
        std::thread::sleep(Duration::from_millis(20));
        book = self::book();
    }
}

extern "C" fn finish_children_at_exit() {
    if ending_children().load(Ordering::SeqCst) {
        end_children();
    } else {
        finish_children();
    }
}

/// Makes this process end its children at exit instead of waiting for
/// them, as Python does: for a REPL's or a kernel's runtime, whose session
/// is over when it exits, so a child that never ends does not keep it (or
/// itself) running on. The `multitask` binary calls it in its runtime.
#[doc(hidden)]
pub fn end_children_at_exit() {
    ending_children().store(true, Ordering::SeqCst);
}

/// How long a child has between `SIGTERM` and `SIGKILL` when a session ends.
const GRACE: Duration = Duration::from_millis(500);

/// Whether child `pid` has ended, reaping it if so, without waiting. (Not
/// our child any more, reaped elsewhere, counts as ended.)
fn reap_now(pid: i32) -> bool {
    !matches!(
        waitpid(Pid::from_raw(pid), Some(WaitPidFlag::WNOHANG)),
        Ok(WaitStatus::StillAlive) | Err(Errno::EINTR)
    )
}

/// Ends every child this process started and has not reaped: `SIGTERM`,
/// then `SIGKILL` for those still there after [`GRACE`], each reaped. For a
/// session that is over (see [`end_children_at_exit`]); also called by the
/// runtime when its REPL or kernel is gone.
#[doc(hidden)]
pub fn end_children() {
    let pids: Vec<i32> = book()
        .children
        .iter()
        .filter(|(_, child)| child.status.is_none())
        .map(|(&pid, _)| pid)
        .collect();
    for &pid in &pids {
        let _ = signal(pid, Signal::SIGTERM);
    }
    let deadline = std::time::Instant::now() + GRACE;
    let mut left = pids;
    while !left.is_empty() {
        left.retain(|&pid| !reap_now(pid));
        if std::time::Instant::now() >= deadline {
            for &pid in &left {
                let _ = signal(pid, Signal::SIGKILL);
                let _ = waitpid(Pid::from_raw(pid), None);
            }
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    book().children.clear();
}

/// What Python does at exit: terminate daemonic children, then join all.
fn finish_children() {
    let children: Vec<(i32, Child)> = book().children.iter().map(|(&p, &c)| (p, c)).collect();
    for &(pid, child) in &children {
        if child.daemon && child.status.is_none() {
            let _ = signal(pid, Signal::SIGTERM);
        }
    }
    for (pid, child) in children {
        if child.status.is_some() {
            continue;
        }
        let status = loop {
            match waitpid(Pid::from_raw(pid), None) {
                Err(Errno::EINTR) => continue,
                Ok(status) => break exitcode(status),
                Err(_) => break None,
            }
        };
        let mut book = book();
        match book.children.get_mut(&pid) {
            Some(c) if !c.orphaned && status.is_some() => c.status = status,
            _ => {
                book.children.remove(&pid);
            }
        }
    }
}
