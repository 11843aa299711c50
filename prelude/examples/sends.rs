//! Nanoseconds per generator `send` in a tight loop, best of RUNS runs of N
//! sends each, inside a `trace::record` unless the third argument is 0: the
//! loop the performance page's rounds against CPython ran, one process per number, so
//! that rounds of it and of CPython's `timeit` can be run back to back on a
//! noisy machine (criterion's medians there move with the noise).
//!
//! `cargo run --release -p multitask --example sends -- 1000000 20` (recorded),
//! `... -- 1000000 20 0` (unrecorded).

use std::hint::black_box;
use std::time::Instant;

use multitask::generator::Generator;
use multitask::trace;

/// The loop measured (kept out of line, so that callgrind can count
/// instructions in it alone: `--toggle-collect='*hot_loop*'`).
#[inline(never)]
fn hot_loop(g: &Generator<u64, u64>, n: u64) -> u64 {
    let mut s = 0;
    for i in 0..n {
        s += black_box(g.send(black_box(i)).unwrap());
    }
    s
}

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("N RUNS [0: unrecorded]: numbers"))
        .collect();
    let [n, runs, ref rest @ ..] = args[..] else {
        panic!("usage: sends N RUNS [0: unrecorded]");
    };
    let recorded = rest.first() != Some(&0);
    let g: Generator<u64, u64> = Generator::new(|co| {
        let mut x = 0;
        loop {
            x = co.yield_(x)?.unwrap_or(0);
        }
    });
    g.next().unwrap();
    let mut best = f64::MAX;
    let mut body = || {
        for _ in 0..runs {
            let start = Instant::now();
            black_box(hot_loop(&g, n));
            best = best.min(start.elapsed().as_secs_f64() * 1e9 / n as f64);
        }
    };
    if recorded {
        let _ = trace::record(body);
    } else {
        body();
    }
    println!("{best:.1} ns/send");
}
