//! Resident memory per idle greenlet: spawns N greenlets (20,000 unless
//! given), lets each run until it sleeps for an hour, and prints the growth
//! of this process's resident memory divided by N, in bytes; on standard
//! error, the growth of the kernel's page tables for it (which resident
//! memory leaves out: each greenlet's stack is a mapping of its own). Run in
//! a fresh process by `benches/compare_greenlets.py`, beside gevent's twin.
//!
//! `cargo run --release -p multitask --example idle_greenlets -- 20000`

use multitask::greenlet::{Greenlet, sleep};
use multitask::threading::limits::{page_tables_kib, resident_kib};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(20_000, |n| n.parse().expect("N: how many greenlets"));
    let before = resident_kib();
    let tables = page_tables_kib();
    let idle: Vec<Greenlet> = (0..n).map(|_| Greenlet::spawn(|| sleep(3600.0))).collect();
    // The main stack's turn comes after each greenlet ran once: all sleep now.
    sleep(0.0);
    let after = resident_kib();
    assert!(
        idle.iter().all(|g| !g.dead()),
        "some greenlets got no stack"
    );
    println!("{}", (after - before) * 1024 / n as u64);
    let tables = page_tables_kib() - tables;
    eprintln!(
        "page tables: {} bytes per greenlet",
        tables * 1024 / n as u64
    );
}
