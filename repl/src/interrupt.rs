//! Stopping the learner's current cell from another thread (Ctrl-C in the
//! terminal, Jupyter's interrupt and shutdown), at any moment: while the
//! session is still starting, while the cell compiles, while it runs.
//!
//! A front end marks the cell it is answering with [`Interrupter::cell`];
//! an interrupt applies to that cell and to nothing else (at rest it does
//! nothing: killing the runtime then would only lose the variables). A cell
//! that has not begun when the interrupt comes is not run at all; one that
//! compiles has its compile stopped (it does not run, and nothing is lost);
//! one that runs is stopped by killing the runtime, which evcxr cannot stop
//! any other way: the session restarts it with the prelude and names what
//! was lost.

use std::process::Child;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

/// A handle, cloned freely, that stops the current cell.
#[derive(Clone, Debug, Default)]
pub struct Interrupter {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    /// The runtime process, once the session has started one.
    runtime: OnceLock<Arc<Mutex<Child>>>,
}

#[derive(Debug, Default)]
struct State {
    /// A front end is answering a cell (from its arrival to its reply).
    current: bool,
    /// An interrupt came for the current cell.
    requested: bool,
    /// The session is running the current cell (compiling or executing).
    running: bool,
    /// The interrupt stopped the cell's compile (the runtime was left be).
    compile_stopped: bool,
}

/// How a cell that ran ended, as far as interrupts go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// No interrupt came.
    Normally,
    /// An interrupt stopped its compile: it did not run, nothing was lost.
    CompileStopped,
    /// An interrupt killed the runtime while the cell ran.
    RuntimeKilled,
}

/// The current cell, marked for as long as this value lives (it may move
/// to the thread that answers the cell).
#[must_use = "the cell is current only while this lives"]
pub struct Current {
    interrupter: Interrupter,
}

impl Drop for Current {
    fn drop(&mut self) {
        let mut state = self.interrupter.state();
        *state = State::default();
    }
}

impl Interrupter {
    /// Marks a cell as the current one until the returned value is dropped.
    pub fn cell(&self) -> Current {
        *self.state() = State {
            current: true,
            ..State::default()
        };
        Current {
            interrupter: self.clone(),
        }
    }

    /// Stops the current cell: it will not run if it has not begun, its
    /// compile is stopped if it compiles, or the runtime is killed if it
    /// runs. Nothing happens at rest.
    pub fn interrupt(&self) {
        let mut state = self.state();
        if !state.current {
            return;
        }
        state.requested = true;
        if !state.running {
            return;
        }
        if evcxr::stop_build() {
            state.compile_stopped = true;
        } else if let Some(runtime) = self.shared.runtime.get() {
            let _ = runtime.lock().unwrap_or_else(|e| e.into_inner()).kill();
        }
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
        let compile_stopped = std::mem::take(&mut state.compile_stopped);
        match (std::mem::take(&mut state.requested), compile_stopped) {
            (false, _) => Ended::Normally,
            (true, true) => Ended::CompileStopped,
            (true, false) => Ended::RuntimeKilled,
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
    fn an_interrupt_while_running_is_reported_at_the_end() {
        let interrupter = Interrupter::default();
        let _cell = interrupter.cell();
        assert!(interrupter.begin());
        interrupter.interrupt();
        assert_eq!(interrupter.end(), Ended::RuntimeKilled);
    }
}
