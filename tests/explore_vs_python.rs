//! `explore` against a brute-force count in Python: the same small threaded
//! programs, every schedule of their steps, counted by ending on both
//! sides (`py/explore_scenarios.py` runs its threads as generators, a step
//! per `yield`). The lines must match.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::Ordering::SeqCst;

use multitask::explore::{Ending, explore};
use multitask::threading::{AtomicU64, Lock, Thread};
use multitask_tests::{py_script, run_python};

/// Python's lines for every scenario, by name (the script runs once).
fn python_counts() -> &'static BTreeMap<String, Vec<String>> {
    static COUNTS: OnceLock<BTreeMap<String, Vec<String>>> = OnceLock::new();
    COUNTS.get_or_init(|| {
        let stdout = run_python(&py_script("explore_scenarios.py"), &[]);
        let mut counts: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for line in stdout.lines() {
            let (name, text) = line.split_once(": ").expect("`scenario: text` lines");
            counts.entry(name.into()).or_default().push(text.into());
        }
        counts
    })
}

/// Explores `program` and writes its counts as the Python script does.
fn compare<R, F>(scenario: &str, program: F)
where
    R: Debug + PartialEq + Clone + Send + Sync + 'static,
    F: Fn() -> R + Send + Sync + 'static,
{
    let found = explore(program);
    assert!(found.complete(), "{scenario}: every schedule ran");
    let mut lines: Vec<(String, usize)> = found
        .outcomes()
        .iter()
        .map(|o| {
            let ending = match o.ending() {
                Ending::Returned(value) => format!("{value:?}"),
                Ending::Deadlock(_) => "deadlock".into(),
                other => panic!("{scenario}: an ending Python has no word for: {other:?}"),
            };
            (ending, o.count())
        })
        .collect();
    lines.sort();
    let mut ours = vec![format!("{} schedules", found.len())];
    ours.extend(
        lines
            .into_iter()
            .map(|(ending, n)| format!("{ending} in {n}")),
    );
    assert_eq!(&ours, &python_counts()[scenario], "{scenario}\n{found}");
}

/// How the adders add: read then write, the same under a lock, or in one step.
#[derive(Clone, Copy)]
enum How {
    Careless,
    Locked,
    FetchAdd,
}

/// `threads` threads named A, B, … each add 1 to a counter `each` times.
fn adders(threads: usize, each: usize, how: How) -> u64 {
    let total = Arc::new(AtomicU64::new(0).named("total"));
    let lock = Lock::new();
    let workers: Vec<Thread> = (0..threads)
        .map(|i| {
            let (total, lock) = (total.clone(), lock.clone());
            Thread::new(move || {
                for _ in 0..each {
                    match how {
                        How::FetchAdd => {
                            total.fetch_add(1, SeqCst);
                        }
                        How::Careless => {
                            let seen = total.load(SeqCst);
                            total.store(seen + 1, SeqCst);
                        }
                        How::Locked => {
                            let _held = lock.acquire();
                            let seen = total.load(SeqCst);
                            total.store(seen + 1, SeqCst);
                        }
                    }
                }
            })
            .with_name(char::from(b'A' + i as u8).to_string())
        })
        .collect();
    workers.iter().for_each(|t| t.start().unwrap());
    workers.iter().for_each(|t| t.join().unwrap());
    total.load(SeqCst)
}

/// A takes a then b; B takes b then a, or a then b (`same_order`).
fn two_locks(same_order: bool) {
    let (a, b) = (Lock::new().named("a"), Lock::new().named("b"));
    let (first, second) = if same_order {
        (a.clone(), b.clone())
    } else {
        (b.clone(), a.clone())
    };
    let one = Thread::new(move || {
        let _a = a.acquire();
        let _b = b.acquire();
    })
    .with_name("A");
    let two = Thread::new(move || {
        let _first = first.acquire();
        let _second = second.acquire();
    })
    .with_name("B");
    one.start().unwrap();
    two.start().unwrap();
    one.join().unwrap();
    two.join().unwrap();
}

#[test]
fn lost_updates_counted_as_python_counts_them() {
    compare("lost_update_2x1", || adders(2, 1, How::Careless));
    compare("lost_update_2x2", || adders(2, 2, How::Careless));
    compare("lost_update_3x1", || adders(3, 1, How::Careless));
}

#[test]
fn a_lock_and_fetch_add_counted_as_python_counts_them() {
    compare("locked_2x2", || adders(2, 2, How::Locked));
    compare("fetch_add_2x2", || adders(2, 2, How::FetchAdd));
}

#[test]
fn two_locks_counted_as_python_counts_them() {
    compare("two_locks_opposite_orders", || two_locks(false));
    compare("two_locks_same_order", || two_locks(true));
}
