//! A session that starts, then warms up, behind a front end that is already
//! answering: the terminal shows its prompt at once, the Jupyter kernel
//! answers `kernel_info` at once.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use anyhow::Result;

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
    /// Callers waiting for the session: the warm-up lets them go first.
    wanted: AtomicUsize,
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
    /// Starts a session with `start` on a thread of its own, then warms it up.
    pub fn spawn(start: impl FnOnce() -> Result<Session> + Send + 'static) -> Arc<Background> {
        let background = Arc::new(Background::default());
        let shared = background.clone();
        std::thread::spawn(move || {
            shared.fill(start());
            shared.warm_up_when_idle();
        });
        background
    }

    /// A session started already (or why it failed), warmed up in the background.
    pub fn started(started: Result<Session>) -> Arc<Background> {
        let background = Arc::new(Background::default());
        background.fill(started);
        let shared = background.clone();
        std::thread::spawn(move || shared.warm_up_when_idle());
        background
    }

    /// Waits for the session to be ready and holds it; `Err` with the reason
    /// it never will be.
    pub fn session(&self) -> Result<Held<'_>, String> {
        self.wanted.fetch_add(1, Ordering::SeqCst);
        let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        while let Slot::Starting = &*slot {
            slot = self.started.wait(slot).unwrap_or_else(|e| e.into_inner());
        }
        self.wanted.fetch_sub(1, Ordering::SeqCst);
        match &*slot {
            Slot::Ready(_) => Ok(Held(slot)),
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

    /// Warms the session up (see [`Session::warm_up`]) once nobody is waiting
    /// for it: a cell sent at once runs first, and only a cell sent during the
    /// warm-up waits for the rest of it.
    fn warm_up_when_idle(&self) {
        loop {
            if self.wanted.load(Ordering::SeqCst) == 0 {
                let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
                if self.wanted.load(Ordering::SeqCst) == 0 {
                    if let Slot::Ready(session) = &mut *slot {
                        session.warm_up();
                    }
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
