//! The recording: one per process at a time, shared by every copy of the
//! prelude (each REPL cell has one), on one clock.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use super::{Lane, LaneKind, Slice, State, Timeline};
use crate::globals::shared;

/// A lane's state from `at` on (`None`: it ended).
struct Mark {
    lane: usize,
    at: Instant,
    state: Option<(State, String)>,
}

#[derive(Default)]
struct Book {
    start: Option<Instant>,
    /// The lanes, each with the OS thread id it is for.
    lanes: Vec<(i32, Lane)>,
    marks: Vec<Mark>,
}

struct Recorder {
    on: AtomicBool,
    book: Mutex<Book>,
}

shared! {
    fn recorder() -> Recorder = Recorder { on: AtomicBool::new(false), book: Mutex::new(Book::default()) };
}

/// Whether a recording runs: one relaxed load, what every instrumented call
/// pays when none does.
#[inline]
pub(crate) fn is_on() -> bool {
    recorder().on.load(Ordering::Relaxed)
}

/// Runs `body` and returns what it recorded: the calling thread's running,
/// waiting and sleeping (`MainThread`, or its name) and those of every
/// thread it starts meanwhile (and they start). One recording at a time in
/// a process: a `record` while another runs records nothing of its own.
pub fn record(body: impl FnOnce()) -> Timeline {
    let this = recorder();
    if this.on.swap(true, Ordering::SeqCst) {
        body();
        return Timeline::default();
    }
    {
        let mut book = this.book.lock().unwrap_or_else(|p| p.into_inner());
        *book = Book {
            start: Some(Instant::now()),
            ..Book::default()
        };
    }
    begin_lane();
    // Stops the recording even if `body` unwinds (an interrupt, a panic).
    struct Off(&'static Recorder);
    impl Drop for Off {
        fn drop(&mut self) {
            self.0.on.store(false, Ordering::SeqCst);
        }
    }
    let off = Off(this);
    body();
    let end = Instant::now();
    drop(off);
    let book = std::mem::take(&mut *this.book.lock().unwrap_or_else(|p| p.into_inner()));
    timeline(book, end)
}

/// Whether the calling thread is recorded: the one that called [`record`],
/// or a thread one of those started meanwhile.
pub(crate) fn is_recorded() -> bool {
    is_on() && {
        let tid = nix::unistd::gettid().as_raw();
        let book = recorder().book.lock().unwrap_or_else(|p| p.into_inner());
        book.lanes.iter().any(|(id, _)| *id == tid)
    }
}

/// Gives the calling thread a lane, running from now on (a thread that a
/// recorded thread started, as its body begins).
pub(crate) fn begin_lane() {
    if !is_on() {
        return;
    }
    let tid = nix::unistd::gettid().as_raw();
    let name = crate::threading::current_thread().name().to_string();
    {
        let mut book = recorder().book.lock().unwrap_or_else(|p| p.into_inner());
        if !book.lanes.iter().any(|(id, _)| *id == tid) {
            book.lanes.push((
                tid,
                Lane {
                    kind: LaneKind::Thread,
                    name,
                },
            ));
        }
    }
    now(State::Running, "");
}

/// The calling thread is, from now on, in `state` (waiting for `what`).
pub(crate) fn now(state: State, what: &str) {
    mark(Some((state, what.to_string())));
}

/// The calling thread has ended (its lane stops here).
pub(crate) fn ended() {
    mark(None);
}

fn mark(state: Option<(State, String)>) {
    if !is_on() {
        return;
    }
    let at = Instant::now();
    let tid = nix::unistd::gettid().as_raw();
    let mut book = recorder().book.lock().unwrap_or_else(|p| p.into_inner());
    // Threads the recording does not follow (not started from it) are left out.
    if let Some(lane) = book.lanes.iter().position(|(id, _)| *id == tid) {
        book.marks.push(Mark { lane, at, state });
    }
}

/// The marks, made into slices: a state lasts until the lane's next mark,
/// or the recording's end.
fn timeline(book: Book, end: Instant) -> Timeline {
    let start = book.start.unwrap_or(end);
    let mut slices = Vec::new();
    for (i, mark) in book.marks.iter().enumerate() {
        let Some((state, what)) = &mark.state else {
            continue;
        };
        let until = book.marks[i + 1..]
            .iter()
            .find(|m| m.lane == mark.lane)
            .map_or(end, |m| m.at);
        if until > mark.at {
            slices.push(Slice {
                lane: mark.lane,
                start: mark.at - start,
                end: until - start,
                state: *state,
                what: what.clone(),
            });
        }
    }
    slices.sort_by_key(|s| (s.start, s.lane));
    Timeline {
        lanes: book.lanes.into_iter().map(|(_, lane)| lane).collect(),
        slices,
        duration: end - start,
    }
}
