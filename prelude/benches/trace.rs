//! What `trace` costs: an instrumented call with no recording (one relaxed
//! load), one event recorded, and a generator resume and a greenlet switch
//! with and without a recording around them. `docs/performance.md` quotes
//! the numbers.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use multitask::generator::Generator;
use multitask::greenlet::{Greenlet, joinall, sleep};
use multitask::trace::{self, costs};

/// `f(n)` timed, inside a recording when `recorded`.
fn timed(recorded: bool, n: u64, f: impl FnOnce(u64) -> Duration) -> Duration {
    if !recorded {
        return f(n);
    }
    let mut took = Duration::ZERO;
    let _ = trace::record(|| took = f(n));
    took
}

fn sends(n: u64) -> Duration {
    let g: Generator<u64, u64> = Generator::new(|co| {
        let mut x = 0;
        loop {
            x = co.yield_(x)?.unwrap_or(0);
        }
    });
    g.next().unwrap();
    let start = Instant::now();
    for i in 0..n {
        black_box(g.send(i).unwrap());
    }
    start.elapsed()
}

fn switches(n: u64) -> Duration {
    let gs: Vec<Greenlet> = (0..2)
        .map(|_| Greenlet::spawn(move || (0..n / 2).for_each(|_| sleep(0.0))))
        .collect();
    let start = Instant::now();
    joinall(&gs).unwrap();
    start.elapsed()
}

fn costs(c: &mut Criterion) {
    let mut g = c.benchmark_group("trace");
    g.bench_function("instrumented call, no recording", |b| {
        b.iter(|| black_box(costs::instrumented_call()))
    });
    g.bench_function("one event, recorded", |b| {
        b.iter_custom(|n| {
            timed(true, n, |n| {
                let start = Instant::now();
                for _ in 0..n {
                    costs::event();
                }
                start.elapsed()
            })
        })
    });
    for recorded in [false, true] {
        let how = if recorded { "recorded" } else { "unrecorded" };
        g.bench_function(format!("generator send, {how}"), |b| {
            b.iter_custom(|n| timed(recorded, n, sends))
        });
        g.bench_function(format!("greenlet switch, {how}"), |b| {
            b.iter_custom(|n| timed(recorded, n, switches))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = costs
}
criterion_main!(benches);
