//! A session that starts behind a front end that is already answering: the
//! terminal shows its prompt at once, the Jupyter kernel answers
//! `kernel_info` at once.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use anyhow::Result;

use crate::session::Session;
use crate::session::interrupt::Interrupter;

/// The session, ready or still starting.
#[derive(Default)]
enum Slot {
    #[default]
    Starting,
    Ready(Box<Session>),
    Failed(String),
}

/// A session shared by a front end's threads.
#[derive(Default)]
pub struct Background {
    slot: Mutex<Slot>,
    /// Signalled when the slot leaves `Starting`.
    started: Condvar,
}

/// The ready session, held: nobody else runs a cell meanwhile.
pub struct Held<'a>(MutexGuard<'a, Slot>);

impl Deref for Held<'_> {
    type Target = Session;

    fn deref(&self) -> &Session {
        match &*self.0 {
            Slot::Ready(session) => session,
            _ => unreachable!("a Held slot is always ready"),
        }
    }
}

impl DerefMut for Held<'_> {
    fn deref_mut(&mut self) -> &mut Session {
        match &mut *self.0 {
            Slot::Ready(session) => session,
            _ => unreachable!("a Held slot is always ready"),
        }
    }
}

impl Background {
    /// Starts a session with `start` on a thread of its own; an interrupt
    /// of `interrupter`'s cell wakes a [`session_for`](Self::session_for)
    /// that waits for it.
    pub fn spawn(
        start: impl FnOnce() -> Result<Session> + Send + 'static,
        interrupter: &Interrupter,
    ) -> Arc<Background> {
        let background = Background::woken_by(interrupter);
        let shared = background.clone();
        std::thread::spawn(move || shared.fill(start()));
        background
    }

    /// A session started already (or why it failed).
    pub fn started(started: Result<Session>) -> Arc<Background> {
        let background = Arc::new(Background::default());
        background.fill(started);
        background
    }

    fn woken_by(interrupter: &Interrupter) -> Arc<Background> {
        let background = Arc::new(Background::default());
        let weak = Arc::downgrade(&background);
        interrupter.wakes(move || {
            if let Some(background) = weak.upgrade() {
                let _slot = background.lock();
                background.started.notify_all();
            }
        });
        background
    }

    /// Waits for the session to be ready and holds it; `Err` with the reason
    /// it never will be.
    pub fn session(&self) -> Result<Held<'_>, String> {
        let mut slot = self.lock();
        while let Slot::Starting = &*slot {
            slot = self.started.wait(slot).unwrap_or_else(|e| e.into_inner());
        }
        match &*slot {
            Slot::Ready(_) => Ok(Held(slot)),
            Slot::Failed(why) => Err(why.clone()),
            Slot::Starting => unreachable!(),
        }
    }

    /// [`Background::session`] for the current cell of `interrupter`:
    /// `Ok(None)` when the cell is interrupted before the session is ready
    /// (it then must not run).
    pub fn session_for(&self, interrupter: &Interrupter) -> Result<Option<Held<'_>>, String> {
        let mut slot = self.lock();
        while let Slot::Starting = &*slot {
            if interrupter.requested() {
                return Ok(None);
            }
            slot = self.started.wait(slot).unwrap_or_else(|e| e.into_inner());
        }
        match &*slot {
            Slot::Ready(_) => Ok(Some(Held(slot))),
            Slot::Failed(why) => Err(why.clone()),
            Slot::Starting => unreachable!(),
        }
    }

    /// Puts the started session (or why it failed) in the slot.
    fn fill(&self, started: Result<Session>) {
        let mut slot = self.lock();
        *slot = match started {
            Ok(session) => Slot::Ready(Box::new(session)),
            Err(e) => Slot::Failed(format!("{e:#}")),
        };
        self.started.notify_all();
    }

    fn lock(&self) -> MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn an_interrupt_wakes_a_cell_waiting_for_the_session() {
        let interrupter = Interrupter::default();
        let (release, held) = mpsc::channel::<()>();
        // A start that takes until the test ends.
        let background = Background::spawn(
            move || {
                let _ = held.recv();
                anyhow::bail!("never started")
            },
            &interrupter,
        );
        let _cell = interrupter.cell();
        let (answered, answer) = mpsc::channel();
        let (waiting, watcher) = (background.clone(), interrupter.clone());
        std::thread::spawn(move || {
            let outcome = waiting.session_for(&watcher).map(|held| held.is_none());
            let _ = answered.send(outcome);
        });
        // Let it reach its wait (were it not there yet, it would see the
        // request on arrival; the wake is what this test is about).
        std::thread::sleep(Duration::from_millis(100));
        interrupter.interrupt();
        let outcome = answer
            .recv_timeout(Duration::from_secs(5))
            .expect("the waiting cell was woken by the interrupt");
        assert_eq!(outcome, Ok(true), "the cell must not run");
        drop(release);
    }
}
