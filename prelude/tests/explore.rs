//! `explore` against known counts: every order of the threads' steps, and
//! what each returned.

use std::sync::Arc;
use std::sync::atomic::Ordering::SeqCst;

use multitask::explore::{Ending, explore};
use multitask::threading::{AtomicU64, Lock, Thread};

/// `threads` threads named A, B, … each add 1 to a counter `each` times,
/// by reading it and writing it back (under `lock`, if given).
fn lost_update(threads: usize, each: usize, locked: bool, atomic: bool) -> u64 {
    let total = Arc::new(AtomicU64::new(0).named("total"));
    let lock = Lock::new();
    let workers: Vec<Thread> = (0..threads)
        .map(|i| {
            let (total, lock) = (total.clone(), lock.clone());
            let name = char::from(b'A' + i as u8).to_string();
            Thread::new(move || {
                for _ in 0..each {
                    if atomic {
                        total.fetch_add(1, SeqCst);
                        continue;
                    }
                    let _held = locked.then(|| lock.acquire());
                    let seen = total.load(SeqCst);
                    total.store(seen + 1, SeqCst);
                }
            })
            .with_name(name)
        })
        .collect();
    workers.iter().for_each(|t| t.start().unwrap());
    workers.iter().for_each(|t| t.join().unwrap());
    total.load(SeqCst)
}

#[test]
fn two_threads_one_increment_each() {
    let found = explore(|| lost_update(2, 1, false, false));
    println!("{found}");
    assert!(found.complete());
    assert_eq!(found.len(), 6);
    assert_eq!(found.count(&2), 2);
    assert_eq!(found.count(&1), 4);
    let lost = found.first(|&t| t == 1).unwrap();
    println!("{lost}");
}

#[test]
fn two_threads_two_increments_each() {
    let found = explore(|| lost_update(2, 2, false, false));
    println!("{found} in {:?}, {} runs", found.elapsed(), found.runs());
    assert!(found.complete());
    assert_eq!(found.len(), 70);
    assert_eq!(
        (found.count(&4), found.count(&3), found.count(&2)),
        (6, 32, 32)
    );
}

#[test]
fn a_lock_leaves_one_outcome() {
    let found = explore(|| lost_update(2, 2, true, false));
    println!("{found} in {:?}, {} runs", found.elapsed(), found.runs());
    println!("{}", found.schedules()[0]);
    assert!(found.complete());
    assert_eq!(found.outcomes().len(), 1);
    assert_eq!(found.count(&4), found.len());
}

#[test]
fn fetch_add_leaves_one_outcome() {
    let found = explore(|| lost_update(2, 2, false, true));
    println!("{found}");
    assert_eq!(found.len(), 6);
    assert_eq!(found.count(&4), 6);
}

#[test]
fn two_locks_taken_in_opposite_orders_deadlock() {
    let found = explore(|| {
        let (a, b) = (Lock::new().named("a"), Lock::new().named("b"));
        let one = Thread::new({
            let (a, b) = (a.clone(), b.clone());
            move || {
                let _a = a.acquire();
                let _b = b.acquire();
            }
        })
        .with_name("A");
        let two = Thread::new(move || {
            let _b = b.acquire();
            let _a = a.acquire();
        })
        .with_name("B");
        one.start().unwrap();
        two.start().unwrap();
        one.join().unwrap();
        two.join().unwrap();
    });
    println!("{found}");
    let deadlocks = found.deadlocks();
    assert_eq!(deadlocks.len(), 1);
    println!("{}", deadlocks[0]);
    assert!(matches!(deadlocks[0].ending(), Ending::Deadlock(_)));
    assert_eq!(deadlocks[0].replay().steps(), deadlocks[0].steps());
}

#[test]
fn three_by_three_is_sampled() {
    let found = explore(|| lost_update(3, 3, false, false));
    println!("{found} in {:?}, {} runs", found.elapsed(), found.runs());
    assert!(!found.complete());
}
