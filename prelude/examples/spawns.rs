//! Spawn + join of 10,000 asyncio tasks, `ROUNDS` times (first argument,
//! default 100): the loop `benches/asyncio.rs` times, for a profiler.

fn main() {
    let rounds: u32 = std::env::args()
        .nth(1)
        .map_or(100, |n| n.parse().expect("a number of rounds"));
    for _ in 0..rounds {
        multitask::asyncio::run(async {
            let tasks: Vec<_> = (0..10_000u32)
                .map(|i| multitask::asyncio::spawn(async move { i }))
                .collect();
            for t in tasks {
                t.await.unwrap();
            }
        });
    }
}
