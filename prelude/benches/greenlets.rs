//! Greenlet costs: a switch through the hub (`sleep(0)`), and spawn + join
//! of 10,000. `compare_greenlets.py` beside this file runs these and gevent's
//! equivalents.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use multitask::greenlet::{Greenlet, joinall, sleep};

/// Two greenlets taking turns: `n` switches in all.
fn switches(n: u64) -> Duration {
    let per = n / 2;
    let gs: Vec<Greenlet> = (0..2)
        .map(|_| {
            Greenlet::spawn(move || {
                for _ in 0..per {
                    sleep(0.0);
                }
            })
        })
        .collect();
    let start = Instant::now();
    joinall(&gs);
    start.elapsed()
}

fn greenlets(c: &mut Criterion) {
    let mut g = c.benchmark_group("greenlets");
    g.bench_function("switch via sleep(0)", |b| {
        b.iter_custom(|iters| switches(iters.max(2)))
    });
    g.sample_size(20);
    g.bench_function("spawn + join 10k", |b| {
        b.iter(|| {
            let gs: Vec<Greenlet<u32>> = (0..10_000).map(|i| Greenlet::spawn(move || i)).collect();
            joinall(&gs);
        })
    });
    g.finish();
}

criterion_group!(benches, greenlets);
criterion_main!(benches);
