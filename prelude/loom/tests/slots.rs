//! The trace log's slots under loom: every interleaving of the writers and
//! a reader (at most three preemptions each, loom's advice for models this
//! size), checking that a read is refused or is exactly one writer's event,
//! never a mix, and that claims never share an index.
//!
//! `slot.rs` is compiled here as it is in the prelude, its atomics (which it
//! takes from `super::atomic`) being loom's.

use loom::sync::Arc;
use loom::thread;

/// What `slot.rs` takes as `super::atomic`.
use loom::sync::atomic;

#[path = "../../src/trace/slot.rs"]
#[allow(dead_code, unreachable_pub)]
mod slot;

use slot::{Fields, Slot, TEXT_WORDS, claim};

/// The event written for index `n`: every field says `n`.
fn event(n: u64) -> Fields {
    Fields {
        generation: n as u32,
        writer: n as u32,
        lane: n as u32,
        kind: n as u8,
        code: n as u8,
        len: n as u8,
        at: n,
        text: [n; TEXT_WORDS],
    }
}

fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(f);
}

/// A read of `index` is nothing, or the event written for it.
fn whole_or_nothing(slot: &Slot, index: u64) {
    if let Some(read) = slot.read(index) {
        assert_eq!(read, event(index + 1), "a torn read of index {index}");
    }
}

#[test]
fn a_reader_racing_a_writer_sees_the_event_whole_or_not_at_all() {
    model(|| {
        let slot = Arc::new(Slot::new());
        let writer = {
            let slot = slot.clone();
            thread::spawn(move || assert!(slot.write(0, &event(1))))
        };
        whole_or_nothing(&slot, 0);
        writer.join().unwrap();
        assert_eq!(slot.read(0), Some(event(1)), "published once written");
    });
}

#[test]
fn a_writer_that_laps_the_ring_never_leaks_into_a_read() {
    model(|| {
        // Index 0 is published; the writer of index 1 (the same slot, a
        // ring of one) takes it over while the reader reads index 0.
        let slot = Arc::new(Slot::new());
        assert!(slot.write(0, &event(1)));
        let writer = {
            let slot = slot.clone();
            thread::spawn(move || assert!(slot.write(1, &event(2))))
        };
        whole_or_nothing(&slot, 0);
        writer.join().unwrap();
        assert_eq!(slot.read(0), None);
        assert_eq!(slot.read(1), Some(event(2)));
    });
}

#[test]
fn two_writers_of_one_slot_never_mix() {
    model(|| {
        let slot = Arc::new(Slot::new());
        let writers: Vec<_> = (0..2u64)
            .map(|index| {
                let slot = slot.clone();
                thread::spawn(move || slot.write(index, &event(index + 1)))
            })
            .collect();
        whole_or_nothing(&slot, 0);
        whole_or_nothing(&slot, 1);
        let wrote: Vec<bool> = writers.into_iter().map(|w| w.join().unwrap()).collect();
        // One may find the other writing and drop its event; the slot then
        // holds the other's, whole.
        assert!(wrote.contains(&true));
        let held: Vec<u64> = (0..2).filter(|&i| slot.read(i).is_some()).collect();
        assert_eq!(held.len(), 1, "the slot holds one event: {held:?}");
        whole_or_nothing(&slot, held[0]);
    });
}

#[test]
fn writers_claim_their_own_slots_and_a_reader_sees_each_whole() {
    model(|| {
        let cursor = Arc::new(atomic::AtomicU64::new(0));
        let ring = Arc::new([Slot::new(), Slot::new()]);
        let writers: Vec<_> = (0..2)
            .map(|_| {
                let (cursor, ring) = (cursor.clone(), ring.clone());
                thread::spawn(move || {
                    let index = claim(&cursor, 1);
                    assert!(ring[index as usize].write(index, &event(index + 1)));
                })
            })
            .collect();
        for index in 0..2 {
            whole_or_nothing(&ring[index as usize], index);
        }
        for writer in writers {
            writer.join().unwrap();
        }
        for index in 0..2 {
            assert_eq!(ring[index as usize].read(index), Some(event(index + 1)));
        }
    });
}
