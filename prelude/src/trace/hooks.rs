//! What instrumented code calls: whether a recording runs, the lane the
//! calling thread works for now, new lanes, and marks on them.
//!
//! What a thread keeps for the recorder ([`Local`]: the lane it works for
//! now, its chunk of the log) hangs from a pthread key made once per process
//! (shared by every copy of the prelude, as each REPL cell has one, where a
//! `thread_local!` would be one per copy). The lane changes as the thread's
//! work changes hands: a greenlet the hub runs, a generator being resumed, a
//! task being polled each have a lane of their own. A forked child keeps the
//! forking thread's lane, and takes its process's lane.

use std::cell::Cell;
use std::fmt::{self, Write as _};
use std::num::NonZeroU64;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use super::log::{self, Chunk, Entry, Kind, Log};
use super::value;
use super::{LaneKind, State};
use crate::globals::shared;

/// A lane of one recording: its generation and its number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LaneId(NonZeroU64);

impl LaneId {
    /// Lane number `lane` of the recording `generation`: the generation in
    /// the high 32 bits, the number in the low 32.
    pub(super) fn new(generation: u32, lane: u32) -> LaneId {
        LaneId(
            NonZeroU64::new(u64::from(generation) << 32 | u64::from(lane))
                .expect("lanes start at 1"),
        )
    }
    fn generation(self) -> u32 {
        (self.0.get() >> 32) as u32
    }
    fn number(self) -> u32 {
        self.0.get() as u32
    }
    /// Kept in a `Cell<u64>` by whoever owns a lane (a greenlet, a generator).
    pub(crate) fn raw(self) -> u64 {
        self.0.get()
    }
    /// The lane kept with [`raw`](Self::raw), if its recording still runs.
    pub(crate) fn from_raw(raw: u64) -> Option<LaneId> {
        LaneId::of(raw, running()?)
    }
    /// The lane kept with [`raw`](Self::raw), if it is of `generation`.
    #[inline]
    fn of(raw: u64, generation: u32) -> Option<LaneId> {
        let lane = LaneId(NonZeroU64::new(raw)?);
        (lane.generation() == generation).then_some(lane)
    }
}

pub(super) struct Recorder {
    /// Whether this process may be recording: the one load an instrumented
    /// call pays when it is not. (In a child forked during a recording it
    /// stays set until the child sees the recording over.)
    pub(super) on: AtomicBool,
    pub(super) log: OnceLock<Log>,
    key: OnceLock<libc::pthread_key_t>,
}

shared! {
    // Inlined: every instrumented call reaches it, in every crate.
    #[inline]
    pub(super) fn recorder() -> Recorder = Recorder { on: AtomicBool::new(false), log: OnceLock::new(), key: OnceLock::new() };
}

impl Recorder {
    #[inline]
    pub(super) fn key(&self) -> libc::pthread_key_t {
        if let Some(&key) = self.key.get() {
            return key;
        }
        // A first use: no fork copies it half made.
        *crate::globals::first_use(|| {
            self.key.get_or_init(|| {
                let mut key = 0;
                // SAFETY: creates a key whose values are `Local`s made by
                // `local`, freed by `drop_local` as their thread exits.
                let made = unsafe { libc::pthread_key_create(&mut key, Some(drop_local)) };
                assert_eq!(made, 0, "no pthread key left for trace::record");
                // SAFETY: registers a plain function, run in each forked child.
                unsafe { libc::pthread_atfork(None, None, Some(forked)) };
                key
            })
        })
    }
}

/// What a thread keeps for the recorder.
pub(super) struct Local {
    /// The lane the thread works for now ([`LaneId::raw`], 0 for none).
    lane: Cell<u64>,
    /// Its slots in the log.
    pub(super) chunk: Chunk,
}

/// The calling thread's [`Local`], made at its first use.
#[inline]
pub(super) fn local() -> &'static Local {
    let key = recorder().key();
    // SAFETY: reading this thread's value of a key that exists.
    let mine = unsafe { libc::pthread_getspecific(key) }.cast::<Local>();
    if mine.is_null() {
        return new_local(key);
    }
    // SAFETY: made by `new_local` for this thread, freed only as it exits;
    // the reference never leaves the thread (`Local` is not `Sync`).
    unsafe { &*mine }
}

#[cold]
fn new_local(key: libc::pthread_key_t) -> &'static Local {
    let made = Box::into_raw(Box::new(Local {
        lane: Cell::new(0),
        chunk: Chunk::new(),
    }));
    // SAFETY: this thread's value of a key that exists.
    unsafe { libc::pthread_setspecific(key, made.cast()) };
    // SAFETY: just made, freed only as this thread exits.
    unsafe { &*made }
}

/// The key's destructor: a thread exits.
extern "C" fn drop_local(local: *mut libc::c_void) {
    // SAFETY: a `Local` made by `new_local`, which no one uses any more.
    drop(unsafe { Box::from_raw(local.cast::<Local>()) });
}

/// In a forked child: the forking thread's slots are its parent's.
extern "C" fn forked() {
    let key = recorder().key();
    // SAFETY: reading this thread's value of a key that exists.
    let mine = unsafe { libc::pthread_getspecific(key) }.cast::<Local>();
    if !mine.is_null() {
        // SAFETY: as in `local`.
        unsafe { &*mine }.chunk.forked();
    }
}

/// Whether a recording may run: one relaxed load.
#[inline]
pub(crate) fn is_on() -> bool {
    recorder().on.load(Ordering::Relaxed)
}

/// The generation of the recording that runs now, if one does.
#[inline]
fn running() -> Option<u32> {
    running_in(recorder().log.get()?)
}

/// [`running`] when the log is at hand.
#[inline]
fn running_in(log: &Log) -> Option<u32> {
    match log.header().running.load(Ordering::Relaxed) {
        0 => {
            // Over (maybe in the parent of this child): stop looking.
            recorder().on.store(false, Ordering::Relaxed);
            None
        }
        generation => Some(generation),
    }
}

/// The lane the calling thread works for in the running recording, if any.
#[inline(always)]
pub(crate) fn here() -> Option<LaneId> {
    if !is_on() {
        return None;
    }
    Some(recorded()?.lane)
}

/// [`here`], with what a hot path passes on: the thread's [`Local`], the
/// log, the recording.
#[inline(always)]
pub(crate) fn current() -> Option<Here> {
    if !is_on() {
        return None;
    }
    recorded()
}

/// [`current`] once [`is_on`] has said yes.
#[inline]
fn recorded() -> Option<Here> {
    let log = recorder().log.get()?;
    let generation = running_in(log)?;
    let local = local();
    let lane = LaneId::of(local.lane.get(), generation)?;
    Some(Here {
        lane,
        local,
        log,
        generation,
    })
}

/// The calling thread's lane in the running recording, and what it keeps
/// for the recorder.
#[derive(Clone, Copy)]
pub(crate) struct Here {
    pub(crate) lane: LaneId,
    local: &'static Local,
    log: &'static Log,
    generation: u32,
}

impl Here {
    /// The lane kept with [`LaneId::raw`], if it is of this recording.
    #[inline]
    pub(crate) fn lane_of(self, raw: u64) -> Option<LaneId> {
        LaneId::of(raw, self.generation)
    }

    /// The [`Link`] of the generator of `lane` resumed from here.
    pub(crate) fn link(self, lane: LaneId) -> Link {
        Link {
            local: self.local,
            log: self.log,
            lane,
            caller: self.lane,
        }
    }
}

/// A generator resumed from one lane in one recording: what its turns are
/// recorded with, found once ([`Here::link`]) and kept by the generator
/// between turns, so that a turn costs no thread-local lookup. A generator
/// is not `Send`: it is always resumed on the thread the link was made on,
/// whose [`Local`] lives as long as that thread's code can run (the key's
/// destructor frees it after the thread's `thread_local!` destructors, the
/// last code that could resume a generator).
#[derive(Clone, Copy)]
pub(crate) struct Link {
    local: &'static Local,
    log: &'static Log,
    /// The generator's lane, of the link's recording.
    lane: LaneId,
    caller: LaneId,
}

impl Link {
    /// The generator's lane.
    pub(crate) fn lane(self) -> LaneId {
        self.lane
    }

    /// Whether the link still holds: the calling thread works for the same
    /// lane as when it was made. A lane's id carries its recording's
    /// generation, so in a new recording it holds no more; that the
    /// recording still runs, each write checks.
    #[inline(always)]
    pub(crate) fn holds(&self) -> bool {
        self.local.lane.get() == self.caller.raw()
    }

    /// Begins the generator's turn ([`Resumed`] says how), sending what
    /// `whole` writes (see [`encode`](super::encode)), on a link that
    /// [`holds`](Self::holds). One event, from which the timeline makes the
    /// caller wait and the generator run; the thread works for the
    /// generator's lane until the turn ends.
    #[inline]
    pub(crate) fn resume(
        &self,
        how: Resumed,
        whole: impl FnOnce(&mut [u8; value::ROOM]) -> (u8, usize),
    ) -> Turn {
        debug_assert!(self.holds());
        self.write_turn((Kind::Resume, how as u8), whole);
        self.local.lane.set(self.lane.raw());
        Turn { link: *self }
    }

    /// Writes a resume's or yield's event, [`Entry::turn`].
    fn write_turn(
        &self,
        (kind, code): (Kind, u8),
        whole: impl FnOnce(&mut [u8; value::ROOM]) -> (u8, usize),
    ) {
        let mut room = [0u8; value::ROOM];
        let (tag, n) = whole(&mut room);
        let lanes = (self.lane.number(), self.caller.number());
        let entry = Entry::turn(lanes, kind, code, (tag, &room, n));
        let chunk = &self.local.chunk;
        self.log.write(chunk, self.lane.generation(), entry);
    }
}

/// A generator's turn: from its resume until it yields (or ends, or
/// raises); see [`Link::resume`]. As it drops, the thread works for the
/// caller's lane again.
pub(crate) struct Turn {
    link: Link,
}

impl Turn {
    /// The generator yielded what `whole` writes back to its caller: one
    /// event, the generator waiting and the caller running.
    #[inline]
    pub(crate) fn yielded(&self, whole: impl FnOnce(&mut [u8; value::ROOM]) -> (u8, usize)) {
        self.link.write_turn((Kind::Yield, 0), whole);
    }
}

impl Drop for Turn {
    #[inline]
    fn drop(&mut self) {
        self.link.local.lane.set(self.link.caller.raw());
    }
}

/// Makes the calling thread work for `lane` (no lane: none) until the guard
/// drops, which puts the previous one back.
pub(crate) fn enter(lane: Option<LaneId>) -> Entered {
    let local = local();
    let previous = local.lane.replace(lane.map_or(0, LaneId::raw));
    Entered { local, previous }
}

/// See [`enter`].
pub(crate) struct Entered {
    local: &'static Local,
    previous: u64,
}

impl Drop for Entered {
    fn drop(&mut self) {
        self.local.lane.set(self.previous);
    }
}

/// Makes the calling thread work for `lane` from now on, for good (a
/// thread's own lane as it starts, a child process's in the child).
pub(crate) fn adopt(lane: LaneId) {
    local().lane.set(lane.raw());
}

/// A new lane named `name` — if the calling thread is recorded: what a
/// recorded thread starts is recorded, nothing else is.
pub(crate) fn new_lane(kind: LaneKind, name: fmt::Arguments<'_>) -> Option<LaneId> {
    here()?;
    let recorder = recorder();
    let log = recorder.log.get()?;
    let generation = running()?;
    let number = log.header().lanes.fetch_add(1, Ordering::Relaxed) + 1;
    let lane = LaneId::new(generation, number);
    push(lane, Kind::Lane, kind as u8, name);
    Some(lane)
}

/// `lane` is in `state` from now on, waiting for `what` (may be empty).
pub(crate) fn mark(lane: LaneId, state: State, what: fmt::Arguments<'_>) {
    push(lane, Kind::Mark, state as u8, what);
}

/// `lane` ends now.
pub(crate) fn end(lane: LaneId) {
    push(lane, Kind::End, 0, format_args!(""));
}

/// A label on `lane` at this instant ([`trace::note`](super::note)).
pub(crate) fn note(lane: LaneId, what: fmt::Arguments<'_>) {
    push(lane, Kind::Note, 0, what);
}

/// `lane` takes (`taken`) or lets go of `what` (a lock) now.
pub(crate) fn hold(lane: LaneId, taken: bool, what: fmt::Arguments<'_>) {
    push(lane, Kind::Hold, u8::from(taken), what);
}

/// `lane` sleeps from now until `deadline`; after it, it is ready until it
/// runs (a greenlet's sleep: only the hub can run it, when it gets the
/// thread back).
pub(crate) fn sleep_until(lane: LaneId, deadline: std::time::Instant) {
    let Some(log) = recorder().log.get() else {
        return;
    };
    let left = deadline.saturating_duration_since(std::time::Instant::now());
    let at = log::now_ns().saturating_add(left.as_nanos() as u64);
    write(
        log,
        lane,
        Kind::Sleep,
        State::Sleeping as u8,
        &at.to_le_bytes(),
    );
}

/// The calling thread's lane is in `state` (waiting for `what`) until the
/// guard drops, then running again; nothing if it is not recorded.
///
/// ```ignore
/// let _waiting = trace::during(State::Waiting, format_args!("join {name}"));
/// ```
#[inline]
pub(crate) fn during(state: State, what: fmt::Arguments<'_>) -> Option<During> {
    let lane = here()?;
    mark(lane, state, what);
    Some(During(lane))
}

/// See [`during`].
pub(crate) struct During(LaneId);

impl Drop for During {
    fn drop(&mut self) {
        mark(self.0, State::Running, format_args!(""));
    }
}

fn push(lane: LaneId, kind: Kind, code: u8, text: fmt::Arguments<'_>) {
    let Some(log) = recorder().log.get() else {
        return;
    };
    let mut buffer = Text::default();
    // Plain text (no arguments) needs no formatting.
    match text.as_str() {
        Some(s) => buffer.push(s),
        None => {
            let _ = buffer.write_fmt(text);
        }
    }
    write(log, lane, kind, code, &buffer.bytes[..buffer.len]);
}

fn write(log: &Log, lane: LaneId, kind: Kind, code: u8, text: &[u8]) {
    let (words, len) = log::words(text);
    let entry = Entry {
        lane: lane.number(),
        kind,
        code,
        words,
        len,
    };
    log.write(&local().chunk, lane.generation(), entry);
}

/// A text cut at [`log::TEXT`] bytes, on the stack.
struct Text {
    bytes: [u8; log::TEXT],
    len: usize,
}

impl Default for Text {
    fn default() -> Text {
        Text {
            bytes: [0; log::TEXT],
            len: 0,
        }
    }
}

impl Text {
    fn push(&mut self, s: &str) {
        let room = log::TEXT - self.len;
        let fitted = log::cut(s, room).as_bytes();
        self.bytes[self.len..self.len + fitted.len()].copy_from_slice(fitted);
        self.len += fitted.len();
    }
    #[cfg(test)]
    fn bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

impl fmt::Write for Text {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push(s);
        Ok(())
    }
}

/// How a generator was resumed (an event's `code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Resumed {
    Next = 0,
    Send = 1,
    Throw = 2,
    Close = 3,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_at_a_character() {
        let mut text = Text::default();
        text.push(&"线".repeat(20));
        assert_eq!(text.len, 39);
        assert!(std::str::from_utf8(text.bytes()).is_ok());
    }
}
