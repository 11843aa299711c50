//! One slot of the event log, and how it is written and read without locks.
//!
//! This file is also compiled on its own by the loom model
//! (`prelude/loom/`), with loom's atomics for `super::atomic`: the model
//! explores every interleaving of writers and a reader and checks that a
//! read is either refused or exactly what one writer wrote.
//!
//! A slot is claimed for one index of the log (the index of the event among
//! all ever written). Its `sequence` says what it holds: [`EMPTY`], an event
//! being written ([`WRITING`]), or the event of index `i`, published (`i +
//! 1`). A writer takes the slot by swapping whatever published value it
//! holds for [`WRITING`] — should another writer hold it (the log ran all
//! the way round meanwhile) the event is dropped, and the writer says so —
//! fills the fields, and publishes by storing `i + 1` last, with `Release`.
//! A reader that wants index `i` reads `sequence` (`Acquire`), the fields,
//! and `sequence` again after an `Acquire` fence: `i + 1` both times means
//! no writer touched the fields in between, so they are one event, whole.

use super::atomic::{AtomicU8, AtomicU32, AtomicU64, Ordering, fence};

/// Words of text a slot holds: 40 bytes.
pub(crate) const TEXT_WORDS: usize = 5;

/// A slot never written.
pub(crate) const EMPTY: u64 = 0;

/// A slot being written.
pub(crate) const WRITING: u64 = u64::MAX;

/// One event in the log. All atomics: a reader racing a late writer reads
/// stale values and refuses them, never undefined behaviour.
#[repr(C)]
pub(crate) struct Slot {
    /// [`EMPTY`], [`WRITING`], or the published event's index + 1.
    sequence: AtomicU64,
    /// The recording it belongs to.
    generation: AtomicU32,
    /// The kernel id of the thread that wrote it.
    writer: AtomicU32,
    /// The lane it is about (its number in the recording).
    lane: AtomicU32,
    /// Its [`Kind`](super::log::Kind).
    kind: AtomicU8,
    /// What the kind says more (a state, a lane's kind, how a generator was
    /// resumed).
    code: AtomicU8,
    /// How many bytes of `text` are the event's.
    len: AtomicU8,
    /// When, in nanoseconds of `CLOCK_MONOTONIC`.
    at: AtomicU64,
    /// Its text, as little-endian words.
    text: [AtomicU64; TEXT_WORDS],
}

/// An event as a slot holds it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Fields {
    pub(crate) generation: u32,
    pub(crate) writer: u32,
    pub(crate) lane: u32,
    pub(crate) kind: u8,
    pub(crate) code: u8,
    pub(crate) len: u8,
    pub(crate) at: u64,
    pub(crate) text: [u64; TEXT_WORDS],
}

/// Claims `n` indexes of the log: the first of them. No two claims share
/// an index.
pub(crate) fn claim(cursor: &AtomicU64, n: u64) -> u64 {
    cursor.fetch_add(n, Ordering::Relaxed)
}

impl Slot {
    /// A slot never written (in the log, all-zero memory is one); for
    /// tests and the loom model.
    #[cfg(test)]
    pub(crate) fn new() -> Slot {
        Slot {
            sequence: AtomicU64::new(EMPTY),
            generation: AtomicU32::new(0),
            writer: AtomicU32::new(0),
            lane: AtomicU32::new(0),
            kind: AtomicU8::new(0),
            code: AtomicU8::new(0),
            len: AtomicU8::new(0),
            at: AtomicU64::new(0),
            text: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }

    /// Writes `fields` as the event of `index`; `false` if another writer
    /// holds the slot (the event is dropped).
    pub(crate) fn write(&self, index: u64, fields: &Fields) -> bool {
        let held = self.sequence.load(Ordering::Relaxed);
        // Acquire: the writer that published what the slot held wrote its
        // fields before ours, so ours are the later values (the loom model
        // finds a reader seeing the earlier writer's fields without it).
        if held == WRITING
            || self
                .sequence
                .compare_exchange(held, WRITING, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
        {
            return false;
        }
        // A reader that sees any field below also sees `WRITING` (or later)
        // when it looks at `sequence` again.
        fence(Ordering::Release);
        self.generation.store(fields.generation, Ordering::Relaxed);
        self.writer.store(fields.writer, Ordering::Relaxed);
        self.lane.store(fields.lane, Ordering::Relaxed);
        self.kind.store(fields.kind, Ordering::Relaxed);
        self.code.store(fields.code, Ordering::Relaxed);
        self.len.store(fields.len, Ordering::Relaxed);
        self.at.store(fields.at, Ordering::Relaxed);
        for (word, value) in self.text.iter().zip(fields.text) {
            word.store(value, Ordering::Relaxed);
        }
        self.sequence.store(index + 1, Ordering::Release);
        true
    }

    /// The event of `index`, if the slot holds it, published and whole.
    pub(crate) fn read(&self, index: u64) -> Option<Fields> {
        if self.sequence.load(Ordering::Acquire) != index + 1 {
            return None;
        }
        let fields = Fields {
            generation: self.generation.load(Ordering::Relaxed),
            writer: self.writer.load(Ordering::Relaxed),
            lane: self.lane.load(Ordering::Relaxed),
            kind: self.kind.load(Ordering::Relaxed),
            code: self.code.load(Ordering::Relaxed),
            len: self.len.load(Ordering::Relaxed),
            at: self.at.load(Ordering::Relaxed),
            text: std::array::from_fn(|i| self.text[i].load(Ordering::Relaxed)),
        };
        fence(Ordering::Acquire);
        (self.sequence.load(Ordering::Relaxed) == index + 1).then_some(fields)
    }
}
