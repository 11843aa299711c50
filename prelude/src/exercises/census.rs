//! Counting the threads an answer starts, whatever started them (the
//! prelude's `Thread`, `std::thread::spawn`, a pool): a watcher thread looks
//! at `/proc/self/task` every half millisecond while the answer runs.
//!
//! What it can say for certain is what an answer did *not* do: workers that
//! never ran beside each other are never seen two at a time. The checks only
//! fail an answer on that side; they slow the work down (see
//! [`probe`](crate::probe)) or make it long enough that a right answer's
//! threads are seen together.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::stuck;

/// What the watcher saw of the threads started while the answer ran.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Census {
    /// Threads started: the prelude's own count, or the census's if it saw
    /// more (threads of `std::thread::spawn`).
    pub started: usize,
    /// The most seen alive at one look.
    pub most_at_once: usize,
    /// Still alive when the answer returned (after a grace of 100 ms for
    /// threads that were leaving).
    pub still_running: usize,
    /// The prelude's `Thread`s started and never joined, running or not.
    pub never_joined: usize,
    /// The prelude's `Thread`s started, and the most of them started and not
    /// yet joined at one time (known for certain, unlike a look at `/proc`).
    pub threads: u64,
    pub most_unjoined: u64,
}

impl Census {
    /// Threads the answer left: still running, or `Thread`s never joined.
    pub fn left(&self) -> usize {
        self.still_running.max(self.never_joined)
    }

    /// Did the threads run one at a time — known for certain? The prelude's
    /// `Thread`s each joined before the next was started; or other threads,
    /// seen several times by the census, never two at once. (Threads too
    /// short for the census to see are not judged.)
    pub fn one_at_a_time(&self) -> bool {
        if self.threads >= 2 {
            return self.most_unjoined < 2;
        }
        self.started >= 2 && self.most_at_once < 2
    }
}

/// The prelude's own threads, started when first needed (the reaper of
/// orphaned children, the asyncio timer thread): not the answer's.
const SERVICES: &[&str] = &["multitask-reape", "tokio-driver"];

fn is_service(tid: u32) -> bool {
    let name = std::fs::read_to_string(format!("/proc/self/task/{tid}/comm")).unwrap_or_default();
    SERVICES.contains(&name.trim_end())
}

/// The threads started after the watcher `me`, but for the prelude's own.
/// The watcher looks every half millisecond: a thread's name is read at its
/// first looks only (it names itself a moment after it starts), then
/// remembered in `known`; a one-off look passes an empty map.
fn answers_threads(me: u32, known: &mut BTreeMap<u32, (u8, bool)>) -> BTreeSet<u32> {
    let now = stuck::threads_since(me);
    known.retain(|tid, _| now.contains(tid));
    now.into_iter()
        .filter(|&tid| {
            if tid == me {
                return false;
            }
            let (looks, service) = known.entry(tid).or_insert((0, false));
            if *looks < 3 {
                *looks += 1;
                *service = is_service(tid);
            }
            !*service
        })
        .collect()
}

/// Runs `f` with a watcher counting the threads that appear meanwhile (the
/// watcher itself does not count).
pub(super) fn threads_during<R>(f: impl FnOnce() -> R) -> (R, Census) {
    let probe = super::probe();
    let counted = probe.threads_started.load(Ordering::SeqCst);
    probe.most_threads_unjoined.store(0, Ordering::SeqCst);
    let census = Arc::new(Mutex::new((BTreeSet::<u32>::new(), 0_usize)));
    let stop = Arc::new(AtomicBool::new(false));
    let (watching, watches) = std::sync::mpsc::channel();
    let watcher = std::thread::Builder::new().name("census".into()).spawn({
        let (census, stop) = (Arc::clone(&census), Arc::clone(&stop));
        move || {
            let me = stuck::this_thread();
            let _ = watching.send(me);
            let mut known = BTreeMap::new();
            while !stop.load(Ordering::SeqCst) {
                let now = answers_threads(me, &mut known);
                let mut census = census.lock().unwrap_or_else(|p| p.into_inner());
                census.1 = census.1.max(now.len());
                census.0.extend(now);
                drop(census);
                std::thread::sleep(Duration::from_micros(500));
            }
        }
    });
    let me = watcher.as_ref().ok().and_then(|_| watches.recv().ok());
    let result = f();
    stop.store(true, Ordering::SeqCst);
    if let Ok(watcher) = watcher {
        let _ = watcher.join();
    }
    let (mut seen, most_at_once) = census.lock().unwrap_or_else(|p| p.into_inner()).clone();
    // A thread is named by itself, a moment after it starts: a service
    // thread seen in that moment bore its parent's name. Services live on,
    // so their names are known by now.
    seen.retain(|&tid| !is_service(tid));
    // A thread that was joined may still be leaving for a moment (a scoped
    // thread's scope ends before its thread does): a little grace.
    let still_running = me.map_or(0, |me| {
        let deadline = std::time::Instant::now() + Duration::from_millis(100);
        loop {
            let left = answers_threads(me, &mut BTreeMap::new()).len();
            if left == 0 || std::time::Instant::now() >= deadline {
                break left;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    });
    let never_joined = crate::probe::unjoined_threads();
    let threads = probe.threads_started.load(Ordering::SeqCst) - counted;
    let census = Census {
        threads,
        most_unjoined: probe.most_threads_unjoined.load(Ordering::SeqCst),
        started: seen.len().max(threads as usize),
        most_at_once,
        still_running,
        never_joined,
    };
    (result, census)
}
