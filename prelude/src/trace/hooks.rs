//! What instrumented code calls: whether a recording runs, the lane the
//! calling thread works for now, new lanes, and marks on them.
//!
//! A thread's current lane lives in a pthread key made once per process
//! (shared by every copy of the prelude, as each REPL cell has one, where a
//! `thread_local!` would be one per copy). It changes as the thread's work
//! changes hands: a greenlet the hub runs, a generator being resumed, a task
//! being polled each have a lane of their own. A forked child keeps the
//! forking thread's value, and takes its process's lane.

use std::fmt::{self, Write as _};
use std::num::NonZeroU64;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use super::log::{self, Kind, Log};
use super::value;
use super::{LaneKind, State};
use crate::globals::shared;

/// A lane of one recording: its generation and its number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LaneId(NonZeroU64);

impl LaneId {
    fn new(generation: u32, lane: u32) -> LaneId {
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
        let lane = LaneId(NonZeroU64::new(raw)?);
        (lane.generation() == running()?).then_some(lane)
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
    pub(super) fn key(&self) -> libc::pthread_key_t {
        *self.key.get_or_init(|| {
            let mut key = 0;
            // SAFETY: creates a key with no destructor.
            let made = unsafe { libc::pthread_key_create(&mut key, None) };
            assert_eq!(made, 0, "no pthread key left for trace::record");
            key
        })
    }
}

/// Whether a recording may run: one relaxed load.
#[inline]
pub(crate) fn is_on() -> bool {
    recorder().on.load(Ordering::Relaxed)
}

/// The generation of the recording that runs now, if one does.
fn running() -> Option<u32> {
    let recorder = recorder();
    let log = recorder.log.get()?;
    match log.header().running.load(Ordering::Relaxed) {
        0 => {
            // Over (maybe in the parent of this child): stop looking.
            recorder.on.store(false, Ordering::Relaxed);
            None
        }
        generation => Some(generation),
    }
}

/// The lane the calling thread works for in the running recording, if any.
#[inline]
pub(crate) fn here() -> Option<LaneId> {
    if !is_on() {
        return None;
    }
    let raw = get(recorder().key());
    LaneId::from_raw(raw)
}

fn get(key: libc::pthread_key_t) -> u64 {
    // SAFETY: reading this thread's value of a key that exists.
    unsafe { libc::pthread_getspecific(key) as u64 }
}

fn set(key: libc::pthread_key_t, raw: u64) {
    // SAFETY: setting this thread's value of a key that exists; the value is
    // a number, never dereferenced.
    unsafe { libc::pthread_setspecific(key, raw as *const libc::c_void) };
}

/// Makes the calling thread work for `lane` (no lane: none) until the guard
/// drops, which puts the previous one back.
pub(crate) fn enter(lane: Option<LaneId>) -> Entered {
    let key = recorder().key();
    let previous = get(key);
    set(key, lane.map_or(0, LaneId::raw));
    Entered { key, previous }
}

/// [`enter`] when the calling thread's lane is known to be `now` (what
/// [`here`] just said): one pthread call fewer.
#[inline]
pub(crate) fn enter_from(now: LaneId, lane: LaneId) -> Entered {
    let key = recorder().key();
    set(key, lane.raw());
    Entered {
        key,
        previous: now.raw(),
    }
}

/// See [`enter`].
pub(crate) struct Entered {
    key: libc::pthread_key_t,
    previous: u64,
}

impl Drop for Entered {
    fn drop(&mut self) {
        set(self.key, self.previous);
    }
}

/// Makes the calling thread work for `lane` from now on, for good (a
/// thread's own lane as it starts, a child process's in the child).
pub(crate) fn adopt(lane: LaneId) {
    set(recorder().key(), lane.raw());
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
    log.push(
        lane.generation(),
        lane.number(),
        kind,
        code,
        &buffer.bytes,
        buffer.len,
    );
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

/// `caller` resumed the generator of `lane` ([`Resumed`] says how), sending
/// the value `value` writes (see [`encode`](super::encode)): one event, from
/// which the timeline makes the caller wait and the generator run.
#[inline]
pub(crate) fn resumed(
    lane: LaneId,
    caller: LaneId,
    how: Resumed,
    value: impl FnOnce(&mut [u8; value::ROOM]) -> (u8, usize),
) {
    switch(lane, caller, Kind::Resume, how as u8, value);
}

/// The generator of `lane` yielded the value `value` writes back to
/// `caller`: one event, the generator waiting and the caller running.
#[inline]
pub(crate) fn yielded(
    lane: LaneId,
    caller: LaneId,
    value: impl FnOnce(&mut [u8; value::ROOM]) -> (u8, usize),
) {
    switch(lane, caller, Kind::Yield, 0, value);
}

/// The event's text: the caller's lane (4 bytes), the value's tag, its bytes.
#[inline]
fn switch(
    lane: LaneId,
    caller: LaneId,
    kind: Kind,
    code: u8,
    value: impl FnOnce(&mut [u8; value::ROOM]) -> (u8, usize),
) {
    let Some(log) = recorder().log.get() else {
        return;
    };
    let mut text = [0u8; log::TEXT];
    text[..4].copy_from_slice(&caller.number().to_le_bytes());
    let room: &mut [u8; value::ROOM] = (&mut text[5..]).try_into().expect("35 bytes");
    let (tag, n) = value(room);
    text[4] = tag;
    log.push(lane.generation(), lane.number(), kind, code, &text, 5 + n);
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
