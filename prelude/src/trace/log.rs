//! The event log: a ring of slots in memory shared with every child process
//! (an anonymous `MAP_SHARED` mapping, inherited by `fork`), so that a
//! child's events land where the parent reads them, on the same clock
//! (`CLOCK_MONOTONIC` is one clock for the whole machine).
//!
//! Every event takes one slot and is time-stamped as it is written. Writers
//! never lock and never wait: a thread claims a [`Chunk`] of slots with one
//! `fetch_add` on the cursor and fills them in order; how a slot is written
//! and read is `slot.rs`. The reader takes the slots from the recording's
//! start to the cursor and keeps those of its own generation; a slot half
//! written (a child killed in the middle), left from an earlier recording or
//! not yet used is skipped.

use std::cell::Cell;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use super::slot::{self, EMPTY, Fields, Slot, TEXT_WORDS};
use super::value;

/// Slots in the ring: 18 MiB of address space, touched only as used. A
/// recording with more events keeps the last ones and says how many it lost.
pub(super) const CAPACITY: u64 = 1 << 18;

/// Bytes of text an event carries (a lane's name, what it waited for).
pub(super) const TEXT: usize = TEXT_WORDS * 8;

/// Slots a thread claims at a time: one `fetch_add` (a locked instruction,
/// 5–10 ns) for this many events instead of one each.
pub(super) const CHUNK: u64 = 16;

/// The head of the shared mapping.
#[repr(C)]
pub(super) struct Header {
    /// The generation of the recording that runs now, 0 for none.
    pub(super) running: AtomicU32,
    /// The last generation handed out.
    pub(super) generations: AtomicU32,
    /// The last lane number handed out.
    pub(super) lanes: AtomicU32,
    /// Slots claimed so far, ever (the slot of index `i` is `i % CAPACITY`).
    pub(super) cursor: AtomicU64,
    /// Events dropped, ever, because another writer held their slot (the
    /// ring came all the way round while it wrote).
    pub(super) dropped: AtomicU64,
}

/// A thread's run of slots, claimed [`CHUNK`] at a time and filled in
/// order: the thread's events come back in the order it wrote them. Only
/// its own thread touches it.
pub(super) struct Chunk {
    /// The recording the slots were claimed for (0: none yet).
    generation: Cell<u32>,
    next: Cell<u64>,
    end: Cell<u64>,
    /// The thread's kernel id, written into each slot.
    writer: Cell<u32>,
}

impl Chunk {
    /// No slots yet, for the calling thread.
    pub(super) fn new() -> Chunk {
        Chunk {
            generation: Cell::new(0),
            next: Cell::new(0),
            end: Cell::new(0),
            writer: Cell::new(thread_id()),
        }
    }

    /// In a forked child: the slots left are the parent's, and the thread
    /// has a new id.
    pub(super) fn forked(&self) {
        self.generation.set(0);
        self.writer.set(thread_id());
    }
}

fn thread_id() -> u32 {
    nix::unistd::gettid().as_raw() as u32
}

/// What an event says, as it is written.
pub(super) struct Entry {
    pub(super) lane: u32,
    pub(super) kind: Kind,
    pub(super) code: u8,
    /// The text, as little-endian words ([`words`]): its first `len` bytes.
    pub(super) words: [u64; TEXT_WORDS],
    pub(super) len: usize,
}

/// Where a generator turn's text ([`Kind::Resume`], [`Kind::Yield`]) keeps
/// the caller's lane (little-endian)…
pub(super) const TURN_CALLER: std::ops::Range<usize> = 0..4;
/// …the value's tag ([`value::encode`])…
pub(super) const TURN_TAG: usize = 4;
/// …and, from here to the end of the text, the value's bytes.
pub(super) const TURN_VALUE: usize = 8;
const _: () = assert!(TURN_VALUE + value::ROOM == TEXT);

impl Entry {
    /// A generator's resume or yield: `kind` of `lane` by `caller`, with
    /// `code` (how it was resumed), its value tagged `tag` and made of the
    /// first `n` bytes of `room`.
    pub(super) fn turn(
        (lane, caller): (u32, u32),
        kind: Kind,
        code: u8,
        (tag, room, n): (u8, &[u8; value::ROOM], usize),
    ) -> Entry {
        let mut text = [0u8; TEXT];
        text[TURN_CALLER].copy_from_slice(&caller.to_le_bytes());
        text[TURN_TAG] = tag;
        let n = n.min(value::ROOM);
        text[TURN_VALUE..TURN_VALUE + n].copy_from_slice(&room[..n]);
        let (words, len) = words(&text[..TURN_VALUE + n]);
        Entry {
            lane,
            kind,
            code,
            words,
            len,
        }
    }
}

/// `text` (cut at [`TEXT`] bytes) as an entry's words and length.
pub(super) fn words(text: &[u8]) -> ([u64; TEXT_WORDS], usize) {
    let len = text.len().min(TEXT);
    let mut words = [0u64; TEXT_WORDS];
    for (word, bytes) in words.iter_mut().zip(text[..len].chunks(8)) {
        let mut padded = [0u8; 8];
        padded[..bytes.len()].copy_from_slice(bytes);
        *word = u64::from_le_bytes(padded);
    }
    (words, len)
}

/// What an event says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// A lane begins: `code` is its [`LaneKind`](super::LaneKind), the text its name.
    Lane = 0,
    /// The lane is from now on in a state: `code` is the [`State`](super::State).
    Mark = 1,
    /// The lane ends.
    End = 2,
    /// A generator's lane is resumed: the text holds the caller's lane (4
    /// bytes), then a value's tag and bytes; `code` says how (next, send,
    /// throw, close).
    Resume = 3,
    /// A generator's lane yields back to its caller: the text as for
    /// [`Kind::Resume`], the value being what it yielded.
    Yield = 4,
    /// A point on the lane, labelled with the text ([`trace::note`](super::note)).
    Note = 5,
    /// The lane takes (`code` 1) or lets go of (`code` 0) what the text
    /// names (`lock`).
    Hold = 6,
    /// The lane sleeps until the instant in its text (8 bytes, little-endian
    /// nanoseconds of the same clock): once that passes it is ready, not
    /// asleep, even if nobody runs it yet (a greenlet behind a busy one).
    Sleep = 7,
}

impl Kind {
    fn from_code(code: u8) -> Option<Kind> {
        [
            Kind::Lane,
            Kind::Mark,
            Kind::End,
            Kind::Resume,
            Kind::Yield,
            Kind::Note,
            Kind::Hold,
            Kind::Sleep,
        ]
        .into_iter()
        .find(|kind| *kind as u8 == code)
    }
}

/// An event as the reader gets it back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Event {
    /// The id of the thread that wrote it.
    pub(super) writer: u32,
    pub(super) lane: u32,
    pub(super) kind: Kind,
    pub(super) code: u8,
    /// Nanoseconds of `CLOCK_MONOTONIC`.
    pub(super) at: u64,
    pub(super) text: Vec<u8>,
}

impl Event {
    /// The text, for the kinds whose text is text.
    pub(super) fn text(&self) -> String {
        String::from_utf8_lossy(&self.text).into_owned()
    }
}

/// Where the slots begin in the mapping: after the header, at a cache line.
const SLOTS_AT: usize = 64;
const _: () = assert!(std::mem::size_of::<Header>() <= SLOTS_AT);
// A fresh mapping is zeroed: every slot in it is empty.
const _: () = assert!(EMPTY == 0);

/// The mapping: a header and [`CAPACITY`] slots after it.
pub(super) struct Log {
    header: &'static Header,
    slots: &'static [Slot],
}

impl Log {
    /// Maps a fresh log; `None` if the system refuses.
    pub(super) fn map() -> Option<Log> {
        let bytes = SLOTS_AT + CAPACITY as usize * std::mem::size_of::<Slot>();
        // SAFETY: a new anonymous mapping, at an address the kernel picks;
        // nothing else refers to that memory yet.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                bytes,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return None;
        }
        // SAFETY: the mapping is zeroed, sized for the header and the slots,
        // page-aligned (so aligned for both), and never unmapped (late
        // writers — a thread or a child that outlives its recording — may
        // still touch it); all-zero bytes are valid atomics, and a valid
        // empty slot.
        unsafe {
            let header = &*base.cast::<Header>();
            let first = base.cast::<u8>().add(SLOTS_AT).cast::<Slot>();
            let slots = std::slice::from_raw_parts(first, CAPACITY as usize);
            Some(Log { header, slots })
        }
    }

    pub(super) fn header(&self) -> &'static Header {
        self.header
    }

    /// Appends `entry`, time-stamped now, to the recording `generation` in
    /// the calling thread's `chunk` — unless that recording has ended (in
    /// this process or any other).
    pub(super) fn write(&self, chunk: &Chunk, generation: u32, entry: Entry) {
        if self.header.running.load(Ordering::Relaxed) != generation {
            return;
        }
        let fields = Fields {
            generation,
            writer: chunk.writer.get(),
            lane: entry.lane,
            kind: entry.kind as u8,
            code: entry.code,
            len: entry.len.min(TEXT) as u8,
            at: now_ns(),
            text: entry.words,
        };
        let index = self.claim(chunk, generation);
        if !self.slots[(index % CAPACITY) as usize].write(index, &fields) {
            self.header.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The next index of `chunk`, claiming [`CHUNK`] more when it has none
    /// left for this recording.
    fn claim(&self, chunk: &Chunk, generation: u32) -> u64 {
        if chunk.generation.get() != generation || chunk.next.get() == chunk.end.get() {
            let start = slot::claim(&self.header.cursor, CHUNK);
            chunk.generation.set(generation);
            chunk.end.set(start + CHUNK);
            chunk.next.set(start);
        }
        let index = chunk.next.get();
        chunk.next.set(index + 1);
        index
    }

    /// The events of `generation` among the slots from `from` to the cursor,
    /// in slot order (each thread's in the order it wrote them), and how many
    /// were lost: overwritten by later ones, or dropped since `dropped` was
    /// read (see [`Header::dropped`]).
    pub(super) fn read(&self, generation: u32, from: u64, dropped: u64) -> (Vec<Event>, u64) {
        let to = self.header.cursor.load(Ordering::Acquire);
        let overwritten = (to - from).saturating_sub(CAPACITY);
        let dropped = self.header.dropped.load(Ordering::Relaxed) - dropped;
        let events = (from + overwritten..to)
            .filter_map(|index| self.slots[(index % CAPACITY) as usize].read(index))
            .filter(|fields| fields.generation == generation)
            .filter_map(|fields| {
                let mut text: Vec<u8> = fields.text.iter().flat_map(|w| w.to_le_bytes()).collect();
                text.truncate(usize::from(fields.len).min(TEXT));
                Some(Event {
                    writer: fields.writer,
                    lane: fields.lane,
                    kind: Kind::from_code(fields.kind)?,
                    code: fields.code,
                    at: fields.at,
                    text,
                })
            })
            .collect();
        (events, overwritten + dropped)
    }
}

/// The clock: `CLOCK_MONOTONIC` in nanoseconds, the same in every process.
pub(super) fn now_ns() -> u64 {
    let now = nix::time::clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC)
        .expect("CLOCK_MONOTONIC is always there");
    now.tv_sec() as u64 * 1_000_000_000 + now.tv_nsec() as u64
}

/// `text` cut to at most `room` bytes, at a character boundary.
pub(super) fn cut(text: &str, room: usize) -> &str {
    let mut end = text.len().min(room);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `text` cut to at most [`TEXT`] bytes, at a character boundary.
pub(super) fn fit(text: &str) -> &[u8] {
    cut(text, TEXT).as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: Kind, text: &[u8]) -> Entry {
        let (words, len) = words(text);
        Entry {
            lane: 1,
            kind,
            code: 2,
            words,
            len,
        }
    }

    #[test]
    fn events_come_back_in_order_and_other_generations_stay_out() {
        let log = Log::map().unwrap();
        log.header().running.store(7, Ordering::Relaxed);
        let from = log.header().cursor.load(Ordering::Relaxed);
        let chunk = Chunk::new();
        log.write(&chunk, 7, entry(Kind::Lane, b"MainThread"));
        log.write(&chunk, 8, entry(Kind::Mark, b"not ours"));
        let long = fit("join 线程线程线程线程线程线程线程线程线程线程");
        log.write(&chunk, 7, entry(Kind::Mark, long));
        log.write(&chunk, 7, entry(Kind::End, b""));
        let (events, lost) = log.read(7, from, 0);
        assert_eq!(lost, 0);
        let kinds: Vec<Kind> = events.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, [Kind::Lane, Kind::Mark, Kind::End]);
        assert_eq!(events[0].text(), "MainThread");
        assert!(events[1].text().starts_with("join 线程") && events[1].text.len() <= TEXT);
        assert!(events.windows(2).all(|w| w[0].at <= w[1].at));
        assert!(events.iter().all(|e| e.writer == thread_id()));
    }

    #[test]
    fn a_thread_claims_a_chunk_and_fills_it_in_order() {
        let log = Log::map().unwrap();
        log.header().running.store(3, Ordering::Relaxed);
        let (mine, theirs) = (Chunk::new(), Chunk::new());
        theirs.writer.set(thread_id() + 1);
        for n in 0..CHUNK + 1 {
            let text = n.to_le_bytes();
            log.write(&mine, 3, entry(Kind::Mark, &text));
            if n == 0 {
                log.write(&theirs, 3, entry(Kind::Mark, b"theirs"));
            }
        }
        // Mine, a chunk; theirs, a chunk; the last of mine, a third.
        assert_eq!(log.header().cursor.load(Ordering::Relaxed), 3 * CHUNK);
        let (events, _) = log.read(3, 0, 0);
        let written: Vec<u64> = events
            .iter()
            .filter(|e| e.writer == thread_id())
            .map(|e| u64::from_le_bytes(e.text[..8].try_into().unwrap()))
            .collect();
        assert_eq!(written, (0..CHUNK + 1).collect::<Vec<_>>());
        // A new recording starts a new chunk.
        log.header().running.store(4, Ordering::Relaxed);
        log.write(&mine, 4, entry(Kind::End, b""));
        assert_eq!(log.header().cursor.load(Ordering::Relaxed), 4 * CHUNK);
    }

    #[test]
    fn a_full_ring_keeps_the_last_events_and_counts_the_rest() {
        let log = Log::map().unwrap();
        log.header().running.store(9, Ordering::Relaxed);
        let chunk = Chunk::new();
        let n = CAPACITY + 5;
        for i in 0..n {
            log.write(&chunk, 9, entry(Kind::Mark, &i.to_le_bytes()));
        }
        let (events, lost) = log.read(9, 0, 0);
        // Slots claimed but not yet used count as lost too.
        let claimed = log.header().cursor.load(Ordering::Relaxed);
        assert_eq!(lost, claimed - CAPACITY);
        let kept: Vec<u64> = events
            .iter()
            .map(|e| u64::from_le_bytes(e.text[..8].try_into().unwrap()))
            .collect();
        assert_eq!(kept, (lost..n).collect::<Vec<_>>());
    }

    fn fields(n: u64) -> Fields {
        Fields {
            generation: 1,
            writer: 2,
            lane: 3,
            kind: 1,
            code: 0,
            len: 8,
            at: n,
            text: [n; TEXT_WORDS],
        }
    }

    #[test]
    fn a_slot_gives_back_only_the_index_it_holds() {
        let slot = Slot::new();
        assert_eq!(slot.read(0), None, "empty");
        assert!(slot.write(0, &fields(10)));
        assert_eq!(slot.read(0), Some(fields(10)));
        assert!(slot.write(7, &fields(70)), "a later index takes it over");
        assert_eq!((slot.read(0), slot.read(7)), (None, Some(fields(70))));
    }
}
