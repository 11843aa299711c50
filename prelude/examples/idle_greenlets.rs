//! Resident memory per idle greenlet: spawns N greenlets (100,000 unless
//! given), lets each run until it sleeps for an hour, and prints the growth
//! of this process's resident memory divided by N, in bytes. Run in a fresh
//! process by `benches/compare_greenlets.py`, beside gevent's twin.
//!
//! `cargo run --release -p multitask --example idle_greenlets -- 100000`

use multitask::greenlet::{Greenlet, sleep};
use multitask::threading::limits::resident_kib;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(100_000, |n| n.parse().expect("N: how many greenlets"));
    let before = resident_kib();
    let idle: Vec<Greenlet> = (0..n).map(|_| Greenlet::spawn(|| sleep(3600.0))).collect();
    // The main stack's turn comes after each greenlet ran once: all sleep now.
    sleep(0.0);
    let after = resident_kib();
    assert!(idle.iter().all(|g| !g.dead()));
    println!("{}", (after - before) * 1024 / n as u64);
}
