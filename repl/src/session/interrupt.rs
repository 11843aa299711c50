//! Stopping the learner's current cell from another thread (Ctrl-C in the
//! terminal, Jupyter's interrupt and shutdown), at any moment: while the
//! session is still starting, while the cell compiles, while it runs.
//!
//! A front end marks the cell it is answering with [`Interrupter::cell`];
//! an interrupt applies to that cell and to nothing else (at rest it does
//! nothing). A cell that has not begun when the interrupt comes is not run
//! at all; one that compiles has its compile stopped (it does not run, and
//! nothing is lost). One that runs is asked to stop: the runtime's main
//! thread gets [`multitask::interrupt::SIGNAL`], and the cell unwinds with a
//! `KeyboardInterrupt` at its next check (see `multitask::interrupt`),
//! keeping every variable. If it is still running after [`GRACE`] — code
//! that never checks — or a second interrupt comes, the runtime is killed,
//! which evcxr cannot avoid any other way: the session restarts it with the
//! prelude and names what was lost.

use std::process::Child;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// How long a running cell has to stop by itself before the runtime is killed.
pub const GRACE: Duration = Duration::from_secs(2);

/// How often the request is sent again meanwhile (a cell that was about to
/// start when the first came did not see it).
const RESEND: Duration = Duration::from_millis(100);

/// A handle, cloned freely, that stops the current cell.
#[derive(Clone, Debug, Default)]
pub struct Interrupter {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    /// Wakes the grace timer when the cell ends.
    changed: Condvar,
    /// The runtime process, once the session has started one.
    runtime: OnceLock<Arc<Mutex<Child>>>,
    /// Wakes what a cell waits for before it runs, when it is interrupted.
    waiting: OnceLock<Wake>,
}

/// What [`Interrupter::wakes`] calls.
struct Wake(Box<dyn Fn() + Send + Sync>);

impl std::fmt::Debug for Wake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Wake")
    }
}

#[derive(Debug, Default)]
struct State {
    /// Counts cells, so that a grace timer acts on its own cell only.
    cell: u64,
    /// A front end is answering a cell (from its arrival to its reply).
    current: bool,
    /// An interrupt came for the current cell.
    requested: bool,
    /// The session is running the current cell (compiling or executing).
    running: bool,
    /// The interrupt stopped the cell's compile (the runtime was left be).
    compile_stopped: bool,
    /// The running cell was asked to stop (a grace timer runs).
    asked: bool,
    /// The runtime was killed.
    killed: bool,
}

/// How a cell that ran ended, as far as interrupts go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// No interrupt came.
    Normally,
    /// An interrupt came while it compiled and stopped the compile, so it
    /// did not run and nothing was lost — unless the compile had just ended
    /// and the cell ran after all: it was then asked to stop as a running
    /// cell is, and if `killed`, the runtime was killed when it did not.
    CompileStopped {
        /// The runtime was killed (the grace ran out, or a second interrupt).
        killed: bool,
    },
    /// An interrupt came while it ran: it was asked to stop, and if
    /// `killed`, the runtime was killed when it did not.
    Interrupted {
        /// The runtime was killed (the grace ran out, or a second interrupt).
        killed: bool,
    },
}

/// The current cell, marked for as long as this value lives (it may move
/// to the thread that answers the cell).
#[must_use = "the cell is current only while this lives"]
pub struct Current {
    interrupter: Interrupter,
    /// Which cell this is: dropped late (after the next cell was marked),
    /// it must leave that cell's mark alone.
    cell: u64,
}

impl Drop for Current {
    fn drop(&mut self) {
        let mut state = self.interrupter.state();
        if state.cell != self.cell {
            return;
        }
        *state = State {
            cell: state.cell,
            ..State::default()
        };
        self.interrupter.shared.changed.notify_all();
    }
}

impl Interrupter {
    /// Marks a cell as the current one until the returned value is dropped.
    pub fn cell(&self) -> Current {
        let mut state = self.state();
        *state = State {
            cell: state.cell + 1,
            current: true,
            ..State::default()
        };
        let cell = state.cell;
        drop(state);
        Current {
            interrupter: self.clone(),
            cell,
        }
    }

    /// Stops the current cell: it will not run if it has not begun, its
    /// compile is stopped if it compiles, and if it runs it is asked to stop
    /// (killed after [`GRACE`], or at once on a second interrupt). Nothing
    /// happens at rest.
    pub fn interrupt(&self) {
        self.stop(false);
    }

    /// Stops the current cell at once: as [`interrupt`](Self::interrupt),
    /// but a running cell's runtime is killed without a grace (a shutdown).
    pub fn interrupt_now(&self) {
        self.stop(true);
    }

    fn stop(&self, now: bool) {
        let mut state = self.state();
        if !state.current {
            return;
        }
        state.requested = true;
        if !state.running {
            // It waits for something else (a session still starting): wake
            // that wait, outside our lock, as it holds its own while it
            // looks at ours.
            drop(state);
            if let Some(wake) = self.shared.waiting.get() {
                (wake.0)();
            }
            return;
        }
        if state.killed {
            return;
        }
        if evcxr::stop_build() {
            state.compile_stopped = true;
        }
        // Asked even when its compile was stopped: the compile may have
        // ended just before, its cell about to run. Between cells the
        // runtime ignores the request, and the grace ends with the cell.
        if now || state.asked {
            self.kill(&mut state);
        } else {
            state.asked = true;
            self.ask();
            let cell = state.cell;
            let interrupter = self.clone();
            std::thread::spawn(move || interrupter.grace(cell));
        }
    }

    /// Sends the runtime's main thread the request to stop.
    fn ask(&self) {
        if let Some(runtime) = self.shared.runtime.get() {
            let pid = runtime.lock().unwrap_or_else(|e| e.into_inner()).id();
            // A runtime that ended meanwhile is the session's to notice.
            let _ = multitask::interrupt::request(pid as i32);
        }
    }

    fn kill(&self, state: &mut State) {
        if let Some(runtime) = self.shared.runtime.get() {
            let _ = runtime.lock().unwrap_or_else(|e| e.into_inner()).kill();
        }
        state.killed = true;
    }

    /// Asks `cell` again and again while it runs; kills the runtime if it
    /// still runs after the grace.
    fn grace(&self, cell: u64) {
        let deadline = Instant::now() + GRACE;
        let mut state = self.state();
        loop {
            if state.cell != cell || !state.running || state.killed {
                return;
            }
            let now = Instant::now();
            if now >= deadline {
                self.kill(&mut state);
                return;
            }
            let wait = RESEND.min(deadline - now);
            state = self
                .shared
                .changed
                .wait_timeout(state, wait)
                .unwrap_or_else(|e| e.into_inner())
                .0;
            if state.cell == cell && state.running && !state.killed {
                self.ask();
            }
        }
    }

    /// Calls `wake` when a cell is interrupted before it runs, so that what
    /// it waits for meanwhile (a session still starting) can look at
    /// [`requested`](Self::requested) at once instead of now and then. One
    /// waiter per interrupter: a second call is ignored.
    pub fn wakes(&self, wake: impl Fn() + Send + Sync + 'static) {
        let _ = self.shared.waiting.set(Wake(Box::new(wake)));
    }

    /// Whether the current cell was interrupted (before or while it ran).
    pub fn requested(&self) -> bool {
        self.state().requested
    }

    /// Called by the session with its runtime process, once it has one.
    pub(crate) fn attach(&self, runtime: Arc<Mutex<Child>>) {
        let _ = self.shared.runtime.set(runtime);
    }

    /// Called by the session as the cell begins: `false` (and the cell must
    /// not run) if it was interrupted already.
    pub(crate) fn begin(&self) -> bool {
        let mut state = self.state();
        if state.requested {
            return false;
        }
        state.running = true;
        true
    }

    /// Called by the session when the cell has ended: whether (and how) it
    /// was stopped.
    pub(crate) fn end(&self) -> Ended {
        let mut state = self.state();
        state.running = false;
        self.shared.changed.notify_all();
        let compile_stopped = std::mem::take(&mut state.compile_stopped);
        let killed = std::mem::take(&mut state.killed);
        state.asked = false;
        match (std::mem::take(&mut state.requested), compile_stopped) {
            (false, _) => Ended::Normally,
            (true, true) => Ended::CompileStopped { killed },
            (true, false) => Ended::Interrupted { killed },
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.shared.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interrupt_at_rest_does_nothing() {
        let interrupter = Interrupter::default();
        interrupter.interrupt();
        let _cell = interrupter.cell();
        assert!(interrupter.begin(), "a stale interrupt stopped a new cell");
        assert_eq!(interrupter.end(), Ended::Normally);
    }

    #[test]
    fn a_cell_interrupted_before_it_begins_does_not_run() {
        let interrupter = Interrupter::default();
        let cell = interrupter.cell();
        interrupter.interrupt();
        assert!(interrupter.requested());
        assert!(!interrupter.begin());
        drop(cell);
        let _next = interrupter.cell();
        assert!(interrupter.begin(), "the next cell runs");
    }

    #[test]
    fn a_cell_dropped_after_the_next_was_marked_leaves_the_next_its_mark() {
        // The order a kernel can see: the reply to cell A goes out, the
        // shell takes cell B at once, and only then is A's mark dropped.
        let interrupter = Interrupter::default();
        let a = interrupter.cell();
        assert!(interrupter.begin());
        assert_eq!(interrupter.end(), Ended::Normally);
        let _b = interrupter.cell();
        drop(a);
        assert!(interrupter.begin());
        interrupter.interrupt();
        assert!(interrupter.requested(), "the interrupt missed cell B");
        assert_eq!(interrupter.end(), Ended::Interrupted { killed: false });
    }

    /// A stand-in runtime that ignores the request to stop (as a cell in
    /// `std::thread::sleep` does), attached to a fresh interrupter.
    fn deaf_runtime() -> (Interrupter, Arc<Mutex<Child>>) {
        let mut child = std::process::Command::new("sh")
            .args(["-c", "trap '' USR1; echo deaf; exec sleep 60"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("start sh");
        // Once it said so, it ignores the signal.
        let mut said = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().expect("piped")),
            &mut said,
        )
        .expect("read");
        assert_eq!(said, "deaf\n");
        let runtime = Arc::new(Mutex::new(child));
        let interrupter = Interrupter::default();
        interrupter.attach(runtime.clone());
        (interrupter, runtime)
    }

    /// Waits for the stand-in to end: the signal that ended it.
    fn end_of(runtime: &Mutex<Child>) -> Option<i32> {
        use std::os::unix::process::ExitStatusExt;
        loop {
            if let Some(status) = runtime.lock().unwrap().try_wait().expect("wait") {
                return status.signal();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn a_running_cell_is_asked_first_and_killed_on_a_second_interrupt() {
        let (interrupter, runtime) = deaf_runtime();
        let _cell = interrupter.cell();
        assert!(interrupter.begin());
        interrupter.interrupt();
        std::thread::sleep(Duration::from_millis(300));
        assert!(
            runtime.lock().unwrap().try_wait().unwrap().is_none(),
            "the first interrupt killed the runtime"
        );
        interrupter.interrupt();
        assert_eq!(end_of(&runtime), Some(libc::SIGKILL));
        assert_eq!(interrupter.end(), Ended::Interrupted { killed: true });
    }

    #[test]
    fn a_cell_that_does_not_stop_is_killed_after_the_grace() {
        let (interrupter, runtime) = deaf_runtime();
        let _cell = interrupter.cell();
        assert!(interrupter.begin());
        interrupter.interrupt();
        assert_eq!(end_of(&runtime), Some(libc::SIGKILL));
        assert_eq!(interrupter.end(), Ended::Interrupted { killed: true });
    }

    #[test]
    fn a_cell_that_stops_in_time_keeps_its_runtime() {
        let (interrupter, runtime) = deaf_runtime();
        let cell = interrupter.cell();
        assert!(interrupter.begin());
        interrupter.interrupt();
        assert_eq!(interrupter.end(), Ended::Interrupted { killed: false });
        drop(cell);
        std::thread::sleep(GRACE + Duration::from_millis(500));
        let alive = runtime.lock().unwrap().try_wait().unwrap().is_none();
        let _ = runtime.lock().unwrap().kill();
        assert!(alive, "killed after the cell had stopped");
    }

    #[test]
    fn an_interrupt_while_running_is_reported_at_the_end() {
        let interrupter = Interrupter::default();
        let _cell = interrupter.cell();
        assert!(interrupter.begin());
        interrupter.interrupt();
        assert_eq!(interrupter.end(), Ended::Interrupted { killed: false });
    }
}
