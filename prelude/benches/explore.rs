//! What `explore` takes: every schedule of the 2 × 2 lost update (the
//! notebook's: 70 schedules; the goal is under 1 s), the 3 × 3 one, too big
//! to run whole (17 million schedules), as the search of its first 100 000
//! runs then a sample of 100 000 (the goal is under 10 s), and a stepper's
//! step. The README and `docs/performance.md` quote the numbers.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::Ordering::SeqCst;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use multitask::explore::{Stepper, explore};
use multitask::threading::{AtomicU64, Thread};

/// `threads` threads each add 1 `each` times, by a read and a write.
fn lost_update(threads: usize, each: usize) -> u64 {
    let total = Arc::new(AtomicU64::new(0).named("total"));
    let workers: Vec<Thread> = (0..threads)
        .map(|_| {
            let total = Arc::clone(&total);
            Thread::new(move || {
                for _ in 0..each {
                    let seen = total.load(SeqCst);
                    total.store(seen + 1, SeqCst);
                }
            })
        })
        .collect();
    workers.iter().for_each(|t| t.start().unwrap());
    workers.iter().for_each(|t| t.join().unwrap());
    total.load(SeqCst)
}

fn exploring(c: &mut Criterion) {
    let mut g = c.benchmark_group("explore");
    g.bench_function("2 threads x 2 increments, every schedule", |b| {
        b.iter(|| {
            let found = explore(|| lost_update(2, 2));
            assert!(found.complete() && found.len() == 70);
            black_box(found)
        })
    });
    g.bench_function("a stepper's step, 2 x 2", |b| {
        b.iter(|| {
            let mut s = Stepper::new(|| lost_update(2, 2));
            s.step("Thread-1").unwrap();
            black_box(s)
        })
    });
    g.sample_size(10).measurement_time(Duration::from_secs(60));
    g.bench_function(
        "3 threads x 3 increments, too big: search then sample",
        |b| {
            b.iter(|| {
                let found = explore(|| lost_update(3, 3));
                assert!(!found.complete());
                black_box(found)
            })
        },
    );
    g.finish();
}

criterion_group!(benches, exploring);
criterion_main!(benches);
