//! [`with_timeout`]: a deadline on a block of greenlet code (gevent's
//! `Timeout` and `with_timeout`).

use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;
use std::time::{Duration, Instant};

use super::hub::{Due, TimeoutFired, with_hub};
use super::task::Task;

/// A block ran out of time ([`with_timeout`]; gevent's `Timeout`, which
/// prints as `0.1 seconds`).
#[derive(Clone, Copy, Debug, PartialEq, thiserror::Error)]
#[error("{secs} seconds")]
pub struct Timeout {
    /// The time the block was given.
    pub secs: f64,
}

/// Runs `body`, giving it `secs` seconds (gevent's `with_timeout`, or a
/// `with gevent.Timeout(secs):` block): `Err(Timeout)` if its time comes
/// while it waits — in a `sleep`, a `join`, a semaphore, a queue, a socket —
/// where gevent raises `Timeout`. The wait is left at once (a semaphore's
/// line, a join), as a kill leaves it. A block that computes without
/// waiting is never stopped: greenlets only switch where they wait.
///
/// ```
/// use multitask::greenlet::{sleep, with_timeout, Greenlet, Timeout};
/// let g = Greenlet::spawn(|| {
///     let slow = with_timeout(0.05, || { sleep(10.0); "slept" });
///     let quick = with_timeout(1.0, || { sleep(0.01); "slept" });
///     (slow, quick)
/// });
/// assert_eq!(g.get(), Ok((Err(Timeout { secs: 0.05 }), Ok("slept"))));
/// // The main stack too:
/// assert_eq!(with_timeout(0.01, || sleep(10.0)), Err(Timeout { secs: 0.01 }));
/// ```
pub fn with_timeout<T>(secs: f64, body: impl FnOnce() -> T) -> Result<T, Timeout> {
    let at = Instant::now() + Duration::from_secs_f64(secs.max(0.0));
    let (id, me) = with_hub(|hub| {
        hub.timeouts_made += 1;
        let id = hub.timeouts_made;
        let me = hub.current.clone();
        match &me {
            Some(task) => hub.add_timer(at, task.clone(), Due::Timeout(id)),
            None => hub.main_timeouts.push((at, id)),
        }
        (id, me)
    });
    let ran = panic::catch_unwind(AssertUnwindSafe(body));
    forget_timeout(id, me.as_ref());
    match ran {
        Ok(value) => Ok(value),
        Err(payload)
            if payload
                .downcast_ref::<TimeoutFired>()
                .is_some_and(|f| f.0 == id) =>
        {
            Err(Timeout { secs })
        }
        Err(payload) => panic::resume_unwind(payload),
    }
}

/// Takes timeout `id` out of the hub, and out of `task` if it came but was
/// not raised yet (it came as the block was ending).
fn forget_timeout(id: u64, task: Option<&Rc<dyn Task>>) {
    with_hub(|hub| match task {
        Some(task) => {
            hub.timers.retain(|(_, _, due)| *due != Due::Timeout(id));
            if task.turns().timeout.get() == id {
                task.turns().timeout.set(0);
            }
        }
        None => hub.main_timeouts.retain(|(_, i)| *i != id),
    });
}
