//! Chapter 06's exercise (`notebooks/06-examples.ipynb`, seed 示例): waiting
//! on many things at once with a thread pool.
//!
//! The reference solution, `notebooks/solutions/06-examples.rs`, passes:
//!
//! ```
//! # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-06.txt")) };
//! use multitask::prelude::*;
#![doc = include_str!("../../../notebooks/solutions/06-examples.rs")]
//! assert!(check_io_map(wait_all).passed);
//! ```

use super::{Exercise, Level, Verdict};

const CHAPTER: &str = "06-examples";

/// `wait_all(delays)`: `ThreadPool::map` over waits.
pub const IO_MAP: Exercise = Exercise {
    id: "06-io-map",
    chapter: CHAPTER,
    level: Level::WarmUp,
    title: "wait_all(delays): run slow waits concurrently, results in order, fast",
    hints: &[
        "Each item is a wait: `std::thread::sleep(Duration::from_millis(ms))`, then return `ms`.",
        "Waiting is not computing: a `ThreadPool::new(64)` waits on 64 items at once.",
        "`ThreadPool::new(64).unwrap().map(|ms: u64| { …; ms }, delays).unwrap()`.",
    ],
};

/// Checks `wait_all` ([`IO_MAP`]): 100 waits of 10–30 ms must come back in
/// order, in well under the 2 s they take one after another.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-io.txt")) };
/// use multitask::prelude::*;
/// // Out of order.
/// fn wait_all(delays: Vec<u64>) -> Vec<u64> { delays.into_iter().rev().collect() }
/// assert!(!check_io_map(wait_all).passed);
/// ```
pub fn check_io_map(wait_all: fn(Vec<u64>) -> Vec<u64>) -> Verdict {
    IO_MAP.judge(move || {
        let delays: Vec<u64> = (0..100).map(|i| 10 + (i * 7) % 21).collect();
        let start = std::time::Instant::now();
        let got = wait_all(delays.clone());
        let took = start.elapsed();
        if got != delays {
            return Err("the results must be the delays, in the order given".into());
        }
        let sequential: u64 = delays.iter().sum();
        if took.as_millis() as u64 * 4 > sequential {
            return Err(format!(
                "it took {} ms; one after another takes {sequential} ms — wait on many at once",
                took.as_millis()
            ));
        }
        Ok(format!(
            "100 waits ({sequential} ms one after another) came back in order, concurrently"
        ))
    })
}
