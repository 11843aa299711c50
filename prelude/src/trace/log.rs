//! The event log: a ring of fixed-size slots in memory shared with every
//! child process (an anonymous `MAP_SHARED` mapping, inherited by `fork`),
//! so that a child's events land where the parent reads them, on the same
//! clock (`CLOCK_MONOTONIC` is one clock for the whole machine).
//!
//! Writers never lock and never wait: a thread claims a [`Chunk`] of slots
//! with one `fetch_add` on the cursor and fills it in order, publishing each
//! slot by storing the recording's generation last. The reader takes the
//! slots of its own generation; a slot half written (a child killed in the
//! middle), left from an earlier recording or not yet used carries another
//! generation and is skipped.
//!
//! Most events take a slot each. A generator's unstamped turns (see
//! [`Stamp::Later`]) are small enough to share one, [`TURNS_PER_SLOT`] to a
//! slot ([`Compact`]): a resume and then its yield, twice. A loop of `send`s
//! writes a quarter of the memory it would otherwise, one 64-byte cache line
//! per two `send`s, and a yield right after its resume costs a few stores.

use std::cell::Cell;
use std::num::NonZeroU64;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use super::value;

/// Slots in the ring: 16 MiB of address space, touched only as used. A
/// recording with more events keeps the last ones and says how many it lost.
pub(super) const CAPACITY: u64 = 1 << 18;

/// Bytes of text an event carries (a lane's name, what it waited for).
pub(super) const TEXT: usize = 40;

/// Slots a thread claims at a time: one `fetch_add` (a locked instruction,
/// 5–10 ns) for this many events instead of one each.
pub(super) const CHUNK: u64 = 16;

/// Compact turns ([`Compact`]) a slot holds: two pairs of a resume and its
/// yield.
pub(super) const TURNS_PER_SLOT: usize = 2 * PAIRS;

/// Pairs of compact turns a slot holds.
const PAIRS: usize = 2;

/// The kind in a slot's head that says the slot holds compact turns (see
/// [`Compact`] for the rest of the head), rather than one event.
const PACKED: u8 = 5;

/// The head of the shared mapping.
#[repr(C)]
pub(super) struct Header {
    /// The generation of the recording that runs now, 0 for none.
    pub(super) running: AtomicU32,
    /// The last generation handed out.
    pub(super) generations: AtomicU32,
    /// The last lane number handed out.
    pub(super) lanes: AtomicU32,
    /// 1 when events are timed by the CPU's time-stamp counter (see
    /// [`Log::ticks`]), 0 when by `CLOCK_MONOTONIC` in nanoseconds.
    tsc: AtomicU32,
    /// Slots claimed so far, ever (a slot is `cursor % CAPACITY`).
    pub(super) cursor: AtomicU64,
}

/// One event. `writer` is the writing thread's id; `words[0]` packs the
/// lane (32 bits), the kind, the state and the text's length; `words[1]` is
/// the time in ticks; the rest the text. All atomics, so that a reader
/// racing a late writer reads stale or torn values, never undefined
/// behaviour.
#[repr(C)]
struct Slot {
    generation: AtomicU32,
    writer: AtomicU32,
    words: [AtomicU64; 7],
}

/// A thread's run of slots, claimed [`CHUNK`] at a time and filled in
/// order: the thread's events come back in the order it wrote them. Only
/// its own thread touches it.
pub(super) struct Chunk {
    /// The recording the slots were claimed for (0: none yet).
    generation: Cell<u32>,
    next: Cell<u64>,
    end: Cell<u64>,
    /// The thread's id, written into each slot.
    writer: Cell<u32>,
    /// The slot of compact turns being filled, as its head was last
    /// written: the next compact turn goes there unless another event came
    /// in between, and a yield right after its resume goes next to it.
    packing: Cell<Spot>,
}

impl Chunk {
    /// No slots yet, for the calling thread.
    pub(super) fn new() -> Chunk {
        Chunk {
            generation: Cell::new(0),
            next: Cell::new(0),
            end: Cell::new(0),
            writer: Cell::new(thread_id()),
            packing: Cell::new(NOT_PACKING),
        }
    }

    /// In a forked child: the slots left are the parent's, and the thread
    /// has a new id.
    pub(super) fn forked(&self) {
        self.generation.set(0);
        self.packing.set(NOT_PACKING);
        self.writer.set(thread_id());
    }
}

/// A slot of compact turns and its head, as last written ([`Chunk::packing`]).
#[derive(Clone, Copy)]
pub(super) struct Spot {
    slot: &'static Slot,
    head: u64,
}

impl PartialEq for Spot {
    fn eq(&self, other: &Spot) -> bool {
        std::ptr::eq(self.slot, other.slot) && self.head == other.head
    }
}

/// No slot of compact turns being filled: a full one, never written.
const NOT_PACKING: Spot = Spot {
    slot: &FULL,
    head: PAIRS as u64,
};
static FULL: Slot = Slot {
    generation: AtomicU32::new(0),
    writer: AtomicU32::new(0),
    words: [const { AtomicU64::new(0) }; 7],
};

fn thread_id() -> u32 {
    // SAFETY: gettid has no preconditions.
    unsafe { libc::gettid() as u32 }
}

/// What an event says, as it is written.
pub(super) struct Entry {
    pub(super) lane: u32,
    pub(super) kind: Kind,
    pub(super) code: u8,
    /// The text, as little-endian words ([`words`]): its first `len` bytes.
    pub(super) words: [u64; TEXT / 8],
    pub(super) len: usize,
}

impl Entry {
    /// A generator's resume or yield written whole: `kind` of `lane` by
    /// `caller`, with `code` (how it was resumed); its text the caller's
    /// lane (4 bytes), the value's tag (1), 3 bytes of nothing, then the
    /// value's first `n` bytes from `room` — each word made whole in a
    /// register, so that reading it back never waits. A [`Compact`] turn
    /// reads back as the same text.
    #[inline]
    pub(super) fn turn(
        (lane, caller): (u32, u32),
        kind: Kind,
        code: u8,
        (tag, room, n): (u8, &[u8; value::ROOM], usize),
    ) -> Entry {
        let mut words = [0u64; TEXT / 8];
        words[0] = u64::from(caller) | u64::from(tag) << 32;
        for (word, bytes) in words[1..].iter_mut().zip(room.chunks_exact(8)) {
            *word = u64::from_le_bytes(bytes.try_into().expect("8 bytes"));
        }
        Entry {
            lane,
            kind,
            code,
            words,
            len: 8 + n,
        }
    }
}

/// `text` (cut at [`TEXT`] bytes) as an entry's words and length.
pub(super) fn words(text: &[u8]) -> ([u64; TEXT / 8], usize) {
    let len = text.len().min(TEXT);
    let mut words = [0u64; TEXT / 8];
    for (word, bytes) in words.iter_mut().zip(text[..len].chunks(8)) {
        let mut padded = [0u8; 8];
        padded[..bytes.len()].copy_from_slice(bytes);
        *word = u64::from_le_bytes(padded);
    }
    (words, len)
}

/// A generator's unstamped turns, two pairs to a slot: each pair a resume
/// and then its yield, in three words. The first packs the generator's lane
/// and its caller's (24 bits each), how it was resumed (2 bits), a bit set
/// when the pair has no resume (a yield written alone, as other events came
/// between it and its resume), and the sent value's shape ([`Word::shape`](value::Word::shape),
/// 12 bits); then the sent value and the yielded one (at most 8 bytes
/// each). The slot's head says [`PACKED`], how many pairs are begun (its
/// low 2 bits) and, 13 bits each from bit 2, each pair's yielded shape (0
/// for no yield yet). A turn that does not fit is written as an [`Entry`].
pub(super) struct Compact;

/// Bits of a lane's number in a [`Compact`] turn.
const LANE_BITS: u32 = 24;

/// A pair's first word: no resume, only a yield.
const NO_RESUME: u64 = 1 << 50;

/// The lanes of a generator and its caller as a [`Compact`] turn has them,
/// found once for many turns: [`Compact::lanes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Lanes(NonZeroU64);

impl Compact {
    /// The lanes of generator `lane` and its `caller`, if both fit.
    pub(super) fn lanes(lane: u32, caller: u32) -> Option<Lanes> {
        let fits = |n: u32| n < 1 << LANE_BITS;
        if !fits(lane) || !fits(caller) {
            return None;
        }
        NonZeroU64::new(u64::from(lane) | u64::from(caller) << LANE_BITS).map(Lanes)
    }

    /// A slot's head with pair `pair`'s yield of `shape`.
    #[inline(always)]
    fn with_yield(head: u64, pair: usize, shape: u16) -> u64 {
        head | u64::from(shape) << (2 + 13 * pair)
    }

    /// The events of a slot of compact turns with `head` and `words`
    /// (after the head), written by `writer`, not time-stamped; their text
    /// as [`Kind::Resume`] says.
    fn events(head: u64, words: &[u64; 6], writer: u32) -> impl Iterator<Item = Event> {
        let pairs = (head as usize & 3).min(PAIRS);
        words
            .chunks_exact(3)
            .take(pairs)
            .enumerate()
            .flat_map(move |(pair, words)| {
                let [first, sent, yielded] = [words[0], words[1], words[2]];
                let lane_mask = (1 << LANE_BITS) - 1;
                let lane = (first & lane_mask) as u32;
                let caller = ((first >> LANE_BITS) & lane_mask) as u32;
                let event = |kind, code, shape: u64, value: u64| {
                    let len = ((shape & 0xf) as usize).min(8);
                    let mut text = Vec::with_capacity(8 + len);
                    text.extend_from_slice(&caller.to_le_bytes());
                    text.extend_from_slice(&[(shape >> 4) as u8, 0, 0, 0]);
                    text.extend_from_slice(&value.to_le_bytes()[..len]);
                    Event {
                        writer,
                        lane,
                        kind,
                        code,
                        at: UNSTAMPED,
                        text,
                    }
                };
                let resume = (first & NO_RESUME == 0)
                    .then(|| event(Kind::Resume, ((first >> 48) & 3) as u8, first >> 52, sent));
                let shape = (head >> (2 + 13 * pair)) & 0x1fff;
                let yielded = (shape != 0).then(|| event(Kind::Yield, 0, shape, yielded));
                resume.into_iter().chain(yielded)
            })
    }
}

/// Whether an event reads the clock as it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stamp {
    /// Time-stamped now.
    Now,
    /// Not time-stamped (a generator's turn in a long run of them): the
    /// reader places it between the stamped events claimed around it.
    Later,
}

/// The time of an event written with [`Stamp::Later`].
pub(super) const UNSTAMPED: u64 = 0;

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
}

/// An event as the reader gets it back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Event {
    /// The id of the thread that wrote it.
    pub(super) writer: u32,
    pub(super) lane: u32,
    pub(super) kind: Kind,
    pub(super) code: u8,
    /// In the log's ticks ([`Log::ticks`]).
    pub(super) at: u64,
    pub(super) text: Vec<u8>,
}

impl Event {
    /// The text, for the kinds whose text is text.
    pub(super) fn text(&self) -> String {
        String::from_utf8_lossy(&self.text).into_owned()
    }
}

/// Where the slots begin in the mapping: after the header, at a cache line,
/// so that writing an event touches one line, not two.
const SLOTS_AT: usize = 64;
const _: () = assert!(std::mem::size_of::<Header>() <= SLOTS_AT);
const _: () = assert!(std::mem::size_of::<Slot>() == 64);

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
        // page-aligned, and never unmapped (late writers — a thread or a child
        // that outlives its recording — may still touch it); all-zero bytes
        // are valid atomics.
        let log = unsafe {
            let header = &*base.cast::<Header>();
            let first = base.cast::<u8>().add(SLOTS_AT).cast::<Slot>();
            let slots = std::slice::from_raw_parts(first, CAPACITY as usize);
            Log { header, slots }
        };
        log.header
            .tsc
            .store(u32::from(tsc_is_steady()), Ordering::Relaxed);
        Some(log)
    }

    /// The time now, in this log's ticks: the time-stamp counter where it is
    /// steady, else nanoseconds of `CLOCK_MONOTONIC`.
    #[inline]
    pub(super) fn ticks(&self) -> u64 {
        #[cfg(target_arch = "x86_64")]
        if self.header.tsc.load(Ordering::Relaxed) == 1 {
            // SAFETY: `rdtsc` exists on every x86-64 processor.
            return unsafe { core::arch::x86_64::_rdtsc() };
        }
        now_ns()
    }

    pub(super) fn header(&self) -> &'static Header {
        self.header
    }

    /// Appends `entry` to the recording `generation` in the calling thread's
    /// `chunk`, time-stamped as `stamp` says — unless that recording has
    /// ended (in this process or any other).
    #[inline]
    pub(super) fn write(&self, chunk: &Chunk, generation: u32, stamp: Stamp, entry: Entry) {
        if self.header.running.load(Ordering::Relaxed) != generation {
            return;
        }
        let at = match stamp {
            Stamp::Now => self.ticks(),
            Stamp::Later => UNSTAMPED,
        };
        chunk.packing.set(NOT_PACKING);
        let index = self.claim(chunk, generation) % CAPACITY;
        let slot = &self.slots[index as usize];
        slot.generation.store(0, Ordering::Relaxed);
        let len = entry.len.min(TEXT);
        let head = u64::from(entry.lane)
            | (entry.kind as u64) << 32
            | u64::from(entry.code) << 40
            | (len as u64) << 48;
        slot.writer.store(chunk.writer.get(), Ordering::Relaxed);
        slot.words[0].store(head, Ordering::Relaxed);
        slot.words[1].store(at, Ordering::Relaxed);
        for (word, value) in slot.words[2..].iter().zip(entry.words) {
            word.store(value, Ordering::Relaxed);
        }
        slot.generation.store(generation, Ordering::Release);
    }

    /// Appends a compact resume of the generator of `lanes` (`how`, a
    /// [`Resumed`](super::hooks::Resumed), sending `sent`) to the recording
    /// `generation`: a new pair in the slot of compact turns the calling
    /// thread's `chunk` is filling if its last event was one too, else in a
    /// new slot — unless that recording has ended. Says where it went, for
    /// its yield ([`Log::write_yield`]). Each turn is published by storing
    /// the slot's head after its words; a new slot, by its generation after
    /// that.
    #[inline]
    pub(super) fn write_resume(
        &self,
        chunk: &Chunk,
        generation: u32,
        lanes: Lanes,
        how: u8,
        sent: value::Word,
    ) -> Option<Spot> {
        let first = lanes.0.get() | u64::from(how & 3) << 48 | u64::from(sent.shape()) << 52;
        self.write_pair(chunk, generation, first, sent.bits())
    }

    /// Appends a compact yield (`yielded`) of the generator of `lanes`,
    /// whose compact resume went to `resumed` ([`Log::write_resume`]), to
    /// the recording `generation`: next to its resume if nothing came after
    /// it on this thread, else as a pair of its own — unless that recording
    /// has ended.
    #[inline]
    pub(super) fn write_yield(
        &self,
        chunk: &Chunk,
        generation: u32,
        lanes: Lanes,
        resumed: Spot,
        yielded: value::Word,
    ) {
        // Any write on the thread since the resume moved the packing slot
        // or its head. (Only a turn that wrote all the way round the ring
        // and ended at the same slot and head would be mistaken for none.)
        if chunk.packing.get() != resumed {
            return self.write_yield_alone(chunk, generation, lanes, yielded);
        }
        if self.header.running.load(Ordering::Relaxed) == generation {
            self.fill_yield(chunk, resumed, yielded);
        }
    }

    /// Appends a compact yield of the generator of `lanes` (`yielded`) to
    /// the recording `generation`, as a pair of its own (with no resume) —
    /// unless that recording has ended.
    #[cold]
    #[inline(never)]
    pub(super) fn write_yield_alone(
        &self,
        chunk: &Chunk,
        generation: u32,
        lanes: Lanes,
        yielded: value::Word,
    ) {
        if let Some(spot) = self.write_pair(chunk, generation, lanes.0.get() | NO_RESUME, 0) {
            self.fill_yield(chunk, spot, yielded);
        }
    }

    /// Writes `yielded` as the yield of the last pair begun at `spot`, the
    /// calling thread's packing slot.
    #[inline(always)]
    fn fill_yield(&self, chunk: &Chunk, Spot { slot, head }: Spot, yielded: value::Word) {
        // At least one pair is begun: the one being filled.
        let pair = (head as usize & 3).wrapping_sub(1) % PAIRS;
        slot.words[3 + 3 * pair].store(yielded.bits(), Ordering::Relaxed);
        let head = Compact::with_yield(head, pair, yielded.shape());
        slot.words[0].store(head, Ordering::Release);
        chunk.packing.set(Spot { slot, head });
    }

    /// Begins a pair of compact turns with `first` and `sent` (see
    /// [`Compact`]), as [`Log::write_resume`] says.
    #[inline(always)]
    fn write_pair(&self, chunk: &Chunk, generation: u32, first: u64, sent: u64) -> Option<Spot> {
        if self.header.running.load(Ordering::Relaxed) != generation {
            return None;
        }
        let Spot { slot, head } = chunk.packing.get();
        let pair = head as usize & 3;
        let (slot, head, pair) = if pair < PAIRS && chunk.generation.get() == generation {
            (slot, head, pair)
        } else {
            (
                self.claim_packed(chunk, generation),
                u64::from(PACKED) << 32,
                0,
            )
        };
        slot.words[1 + 3 * pair].store(first, Ordering::Relaxed);
        slot.words[2 + 3 * pair].store(sent, Ordering::Relaxed);
        let head = head + 1;
        slot.words[0].store(head, Ordering::Release);
        if pair == 0 {
            slot.generation.store(generation, Ordering::Release);
        }
        let spot = Spot { slot, head };
        chunk.packing.set(spot);
        Some(spot)
    }

    /// A new slot of `chunk` for compact turns, not yet published.
    #[inline(never)]
    fn claim_packed(&self, chunk: &Chunk, generation: u32) -> &'static Slot {
        let index = self.claim(chunk, generation) % CAPACITY;
        let slot = &self.slots[index as usize];
        slot.generation.store(0, Ordering::Relaxed);
        slot.writer.store(chunk.writer.get(), Ordering::Relaxed);
        slot
    }

    /// The next slot of `chunk`, claiming [`CHUNK`] more when it has none
    /// left for this recording.
    #[inline]
    fn claim(&self, chunk: &Chunk, generation: u32) -> u64 {
        if chunk.generation.get() != generation || chunk.next.get() == chunk.end.get() {
            let start = self.header.cursor.fetch_add(CHUNK, Ordering::Relaxed);
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
    /// slots were overwritten (at most [`TURNS_PER_SLOT`] events each were
    /// lost).
    pub(super) fn read(&self, generation: u32, from: u64) -> (Vec<Event>, u64) {
        let to = self.header.cursor.load(Ordering::Acquire);
        let lost = (to - from).saturating_sub(CAPACITY);
        let mut events = Vec::new();
        for index in from + lost..to {
            let slot = &self.slots[(index % CAPACITY) as usize];
            if slot.generation.load(Ordering::Acquire) != generation {
                continue;
            }
            let writer = slot.writer.load(Ordering::Relaxed);
            // Acquire: a compact turn is published by the head.
            let head = slot.words[0].load(Ordering::Acquire);
            let words: [u64; 6] =
                std::array::from_fn(|i| slot.words[1 + i].load(Ordering::Relaxed));
            // Published again meanwhile by a later writer: torn, left out.
            if slot.generation.load(Ordering::Acquire) != generation {
                continue;
            }
            if (head >> 32) as u8 == PACKED {
                events.extend(Compact::events(head, &words, writer));
                continue;
            }
            let at = words[0];
            let mut text: Vec<u8> = words[1..].iter().flat_map(|w| w.to_le_bytes()).collect();
            text.truncate(((head >> 48) as usize).min(TEXT));
            let kind = match (head >> 32) as u8 {
                0 => Kind::Lane,
                1 => Kind::Mark,
                3 => Kind::Resume,
                4 => Kind::Yield,
                _ => Kind::End,
            };
            events.push(Event {
                writer,
                lane: head as u32,
                kind,
                code: (head >> 40) as u8,
                at,
                text,
            });
        }
        (events, lost)
    }
}

/// The clock: `CLOCK_MONOTONIC` in nanoseconds, the same in every process.
#[inline]
pub(super) fn now_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec to write into.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Whether the time-stamp counter ticks at one rate on every core, whatever
/// the power state (`constant_tsc` and `nonstop_tsc`), and Linux itself
/// keeps time by it: then an event reads it in a third of the time
/// `clock_gettime` takes (13 ns against 34 on the 2-core VM this was
/// written on). A forked child shares it, being on the same machine.
fn tsc_is_steady() -> bool {
    if !cfg!(target_arch = "x86_64") {
        return false;
    }
    let flags = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let source =
        std::fs::read_to_string("/sys/devices/system/clocksource/clocksource0/current_clocksource")
            .unwrap_or_default();
    let flagged = |flag: &str| flags.split_whitespace().any(|f| f == flag);
    flagged("constant_tsc") && flagged("nonstop_tsc") && source.trim() == "tsc"
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

// SAFETY: the log is plain shared memory of atomics.
unsafe impl Send for Log {}
// SAFETY: as above.
unsafe impl Sync for Log {}

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
        log.write(&chunk, 7, Stamp::Now, entry(Kind::Lane, b"MainThread"));
        log.write(&chunk, 8, Stamp::Now, entry(Kind::Mark, b"not ours"));
        let long = fit("join 线程线程线程线程线程线程线程线程线程线程");
        log.write(&chunk, 7, Stamp::Now, entry(Kind::Mark, long));
        log.write(&chunk, 7, Stamp::Now, entry(Kind::End, b""));
        let (events, lost) = log.read(7, from);
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
            log.write(&mine, 3, Stamp::Later, entry(Kind::Mark, &text));
            if n == 0 {
                log.write(&theirs, 3, Stamp::Now, entry(Kind::Mark, b"theirs"));
            }
        }
        // Mine, a chunk; theirs, a chunk; the last of mine, a third.
        assert_eq!(log.header().cursor.load(Ordering::Relaxed), 3 * CHUNK);
        let (events, _) = log.read(3, 0);
        let written: Vec<u64> = events
            .iter()
            .filter(|e| e.writer == thread_id())
            .map(|e| u64::from_le_bytes(e.text[..8].try_into().unwrap()))
            .collect();
        assert_eq!(written, (0..CHUNK + 1).collect::<Vec<_>>());
        assert!(
            events
                .iter()
                .filter(|e| e.writer == thread_id())
                .all(|e| e.at == UNSTAMPED)
        );
        // A new recording starts a new chunk.
        log.header().running.store(4, Ordering::Relaxed);
        log.write(&mine, 4, Stamp::Now, entry(Kind::End, b""));
        assert_eq!(log.header().cursor.load(Ordering::Relaxed), 4 * CHUNK);
    }

    #[test]
    fn compact_turns_share_slots_and_read_back_as_whole_ones() {
        use Kind::{Mark, Resume, Yield};
        // A yield right after its resume, one after a mark (written alone),
        // a resume with no yield (the body returned).
        let script = [
            Resume, Yield, Resume, Mark, Yield, Resume, Yield, Resume, Resume, Yield,
        ];
        let log = Log::map().unwrap();
        log.header().running.store(5, Ordering::Relaxed);
        let chunk = Chunk::new();
        let lanes = Compact::lanes(2, 1).unwrap();
        let value = |n: usize| (n as u64 * 1000).to_le_bytes();
        let word = |n: usize| value::Word::new(2, 8, u64::from_le_bytes(value(n)));
        let mut resumed = None;
        for (n, kind) in script.iter().enumerate() {
            match kind {
                Resume => resumed = log.write_resume(&chunk, 5, lanes, 1, word(n)),
                Yield => match resumed {
                    Some(spot) => log.write_yield(&chunk, 5, lanes, spot, word(n)),
                    None => log.write_yield_alone(&chunk, 5, lanes, word(n)),
                },
                _ => log.write(&chunk, 5, Stamp::Now, entry(Mark, b"between")),
            }
        }
        let (events, lost) = log.read(5, 0);
        assert_eq!(lost, 0);
        assert_eq!(chunk.next.get(), 4, "two pairs to a slot");

        let expected = Log::map().unwrap();
        expected.header().running.store(5, Ordering::Relaxed);
        let plain = Chunk::new();
        for (n, kind) in script.iter().enumerate() {
            if *kind == Mark {
                expected.write(&plain, 5, Stamp::Now, entry(Mark, b"between"));
                continue;
            }
            let mut room = [0u8; value::ROOM];
            room[..8].copy_from_slice(&value(n));
            let code = u8::from(*kind == Resume);
            let whole = Entry::turn((2, 1), *kind, code, (2, &room, 8));
            expected.write(&plain, 5, Stamp::Later, whole);
        }
        let (mut whole_events, _) = expected.read(5, 0);
        for (event, whole) in events.iter().zip(&mut whole_events) {
            if event.kind == Mark {
                whole.at = event.at;
            }
        }
        assert_eq!(events, whole_events);
    }

    #[test]
    fn a_yield_goes_next_to_its_resume_only_if_nothing_came_between() {
        let log = Log::map().unwrap();
        log.header().running.store(6, Ordering::Relaxed);
        let chunk = Chunk::new();
        let (outer, inner) = (Compact::lanes(2, 1).unwrap(), Compact::lanes(3, 2).unwrap());
        let word = |n: u64| value::Word::new(2, 8, n);
        // A generator resumed inside another's turn, as in a pipeline.
        let first = log.write_resume(&chunk, 6, outer, 1, word(1));
        let second = log.write_resume(&chunk, 6, inner, 1, word(2));
        log.write_yield(&chunk, 6, inner, second.unwrap(), word(3));
        log.write_yield(&chunk, 6, outer, first.unwrap(), word(4));
        let (events, _) = log.read(6, 0);
        let seen: Vec<(u32, Kind, u8)> =
            events.iter().map(|e| (e.lane, e.kind, e.text[8])).collect();
        assert_eq!(
            seen,
            [
                (2, Kind::Resume, 1),
                (3, Kind::Resume, 2),
                (3, Kind::Yield, 3),
                (2, Kind::Yield, 4)
            ]
        );
    }

    #[test]
    fn lanes_too_far_to_pack_are_refused() {
        assert!(Compact::lanes(1 << 24, 1).is_none());
        assert!(Compact::lanes(1, 1 << 24).is_none());
        assert!(Compact::lanes((1 << 24) - 1, (1 << 24) - 1).is_some());
    }
}
