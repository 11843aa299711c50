//! Chapter 02's exercises (`notebooks/02-threads.ipynb`, seed §1.2 线程):
//! named threads, and a counter threads share without losing an update.
//!
//! The reference solutions, `notebooks/solutions/02-threads.rs`, pass:
//!
//! ```
//! # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-02.txt")) };
//! use multitask::prelude::*;
#![doc = include_str!("../../../notebooks/solutions/02-threads.rs")]
//! assert!(check_named_threads(names_from_threads).passed);
//! assert!(check_safe_counter(count_in_threads).passed);
//! ```

use super::{Exercise, Level, Verdict};
use crate::threading;

const CHAPTER: &str = "02-threads";

/// `names_from_threads(n)`: `Thread::with_name` and `current_thread`.
pub const NAMED_THREADS: Exercise = Exercise {
    id: "02-named-threads",
    chapter: CHAPTER,
    level: Level::WarmUp,
    title: "names_from_threads(n): n threads named worker-0 … each report their own name",
    hints: &[
        "`Thread::new(|| current_thread().name().to_string()).with_name(format!(\"worker-{i}\"))`.",
        "Start them all first, then join each: `t.join()` hands back what the closure returned.",
    ],
};

/// `count_in_threads(threads, each)`: an update that cannot be lost.
pub const SAFE_COUNTER: Exercise = Exercise {
    id: "02-safe-counter",
    chapter: CHAPTER,
    level: Level::WarmUp,
    title: "count_in_threads(threads, each): a counter shared by threads that loses nothing",
    hints: &[
        "Share it with `Arc`: `let total = Arc::new(AtomicU64::new(0));` and a clone per thread.",
        "`total.fetch_add(1, Ordering::SeqCst)` reads and writes in one step; `load` then `store` would not.",
        "Join every thread before `total.load(Ordering::SeqCst)`.",
    ],
};

/// Checks `names_from_threads` ([`NAMED_THREADS`]).
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-named.txt")) };
/// use multitask::prelude::*;
/// // The names made up, not asked of the threads.
/// fn names_from_threads(n: usize) -> Vec<String> {
///     (0..n).map(|i| format!("thread-{i}")).collect()
/// }
/// assert!(!check_named_threads(names_from_threads).passed);
/// ```
pub fn check_named_threads(names_from_threads: fn(usize) -> Vec<String>) -> Verdict {
    NAMED_THREADS.judge(move || {
        let before = threading::active_count();
        let got = names_from_threads(3);
        let want = ["worker-0", "worker-1", "worker-2"];
        if got != want {
            return Err(format!(
                "names_from_threads(3) gave {got:?}, expected {want:?}"
            ));
        }
        if threading::current_thread().name() == "worker-0" {
            return Err("the names must come from the threads themselves".into());
        }
        if threading::active_count() != before {
            return Err("some threads still run afterwards: join them all".into());
        }
        Ok("three threads, each reporting its own name, all joined".into())
    })
}

/// Checks `count_in_threads` ([`SAFE_COUNTER`]).
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-safe.txt")) };
/// use multitask::prelude::*;
/// fn count_in_threads(_threads: usize, _each: usize) -> u64 { 0 }
/// assert!(!check_safe_counter(count_in_threads).passed);
/// ```
pub fn check_safe_counter(count_in_threads: fn(usize, usize) -> u64) -> Verdict {
    SAFE_COUNTER.judge(move || {
        for (threads, each) in [(8, 100_000), (2, 10), (1, 0)] {
            let got = count_in_threads(threads, each);
            let want = (threads * each) as u64;
            if got != want {
                return Err(format!(
                    "count_in_threads({threads}, {each}) gave {got}, expected {want}"
                ));
            }
        }
        Ok("8 threads × 100000 increments give exactly 800000".into())
    })
}
