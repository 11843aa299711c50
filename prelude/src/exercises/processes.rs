//! Chapter 01's exercises (`notebooks/01-processes.ipynb`, seed §1.1 进程): a
//! counter shared by processes that loses no update, and a process `Pool`.
//!
//! The reference solutions, `notebooks/solutions/01-processes.rs`, pass:
//!
//! ```
//! # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-01.txt")) };
//! use multitask::prelude::*;
#![doc = include_str!("../../../notebooks/solutions/01-processes.rs")]
//! assert!(check_lossless_counter(count_in_processes).passed);
//! assert!(check_pool_squares(squares_in_pool).passed);
//! ```

use super::{Exercise, Level, Verdict};

const CHAPTER: &str = "01-processes";

/// `count_in_processes(procs, each)`: shared memory and a process lock.
pub const LOSSLESS_COUNTER: Exercise = Exercise {
    id: "01-lossless-counter",
    chapter: CHAPTER,
    level: Level::Combine,
    title: "count_in_processes(procs, each): a shared counter that loses no update",
    hints: &[
        "Make a `multiprocessing::Value::new(0_i64)?` before starting the processes; give each a clone.",
        "Each process adds 1, `each` times. Hold `value.get_lock().acquire()` around `value.set(value.get() + 1)`.",
        "Start all processes first, then join them all, then return `value.get()`.",
    ],
};

/// `squares_in_pool(numbers)`: Master–Worker with a process `Pool`.
pub const POOL_SQUARES: Exercise = Exercise {
    id: "01-pool-squares",
    chapter: CHAPTER,
    level: Level::WarmUp,
    title: "squares_in_pool(numbers): x² of each, computed by a process Pool, in order",
    hints: &[
        "`Pool::new(2)` makes the pool; `pool.map(f, items)` returns `Result<Vec<_>, _>`.",
        "`pool.map(|x: i64| x * x, numbers).unwrap()` — map keeps the order of the items.",
    ],
};

/// Checks `count_in_processes` ([`LOSSLESS_COUNTER`]): processes that share a
/// counter must lose no update.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-lossless.txt")) };
/// use multitask::prelude::*;
/// fn count_in_processes(_procs: usize, _each: usize) -> i64 { 0 }
/// assert!(!check_lossless_counter(count_in_processes).passed);
/// ```
pub fn check_lossless_counter(count_in_processes: fn(usize, usize) -> i64) -> Verdict {
    LOSSLESS_COUNTER.judge(move || {
        for (procs, each) in [(4, 5000), (3, 100), (1, 10)] {
            let got = count_in_processes(procs, each);
            let want = (procs * each) as i64;
            if got != want {
                return Err(format!(
                    "count_in_processes({procs}, {each}) gave {got}, expected {want}{}",
                    if got < want && got > 0 {
                        ": updates were lost — two processes read the same value and both wrote value + 1"
                    } else {
                        ""
                    }
                ));
            }
        }
        Ok("4 processes × 5000 increments give exactly 20000".into())
    })
}

/// Checks `squares_in_pool` ([`POOL_SQUARES`]).
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-squares.txt")) };
/// use multitask::prelude::*;
/// // The numbers back, not squared.
/// fn squares_in_pool(numbers: Vec<i64>) -> Vec<i64> { numbers }
/// assert!(!check_pool_squares(squares_in_pool).passed);
/// ```
pub fn check_pool_squares(squares_in_pool: fn(Vec<i64>) -> Vec<i64>) -> Verdict {
    POOL_SQUARES.judge(move || {
        for numbers in [
            vec![3, -1, 4, 1, -5, 9, 2, 6],
            vec![],
            (0..1000).rev().collect(),
        ] {
            let want: Vec<i64> = numbers.iter().map(|x| x * x).collect();
            let got = squares_in_pool(numbers.clone());
            if got != want {
                let shown: Vec<i64> = got.iter().copied().take(8).collect();
                return Err(format!(
                    "for {} numbers starting {:?} it gave {shown:?}…, expected {:?}…",
                    numbers.len(),
                    &numbers[..numbers.len().min(8)],
                    &want[..want.len().min(8)]
                ));
            }
        }
        Ok("squares in the order of the numbers, also for none and for 1000".into())
    })
}
