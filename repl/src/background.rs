//! A session that starts behind a front end that is already answering: the
//! terminal shows its prompt at once, the Jupyter kernel answers
//! `kernel_info` at once.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use anyhow::Result;

use crate::interrupt::Interrupter;
use crate::session::Session;

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
    /// Starts a session with `start` on a thread of its own.
    pub fn spawn(start: impl FnOnce() -> Result<Session> + Send + 'static) -> Arc<Background> {
        let background = Arc::new(Background::default());
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

    /// Waits for the session to be ready and holds it; `Err` with the reason
    /// it never will be.
    pub fn session(&self) -> Result<Held<'_>, String> {
        let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
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
        let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        while let Slot::Starting = &*slot {
            if interrupter.requested() {
                return Ok(None);
            }
            slot = self
                .started
                .wait_timeout(slot, Duration::from_millis(50))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        match &*slot {
            Slot::Ready(_) => Ok(Some(Held(slot))),
            Slot::Failed(why) => Err(why.clone()),
            Slot::Starting => unreachable!(),
        }
    }

    /// Puts the started session (or why it failed) in the slot.
    fn fill(&self, started: Result<Session>) {
        let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        *slot = match started {
            Ok(session) => Slot::Ready(Box::new(session)),
            Err(e) => Slot::Failed(format!("{e:#}")),
        };
        self.started.notify_all();
    }
}
