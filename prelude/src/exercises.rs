//! Exercises for self-study: each chapter notebook ends with a few. A learner
//! writes the TODO cell, then runs the check cell, which calls a checker from
//! here; it prints ✓, or ✗ with what exactly is wrong and a hint.
//!
//! Progress (passed exercises, hints taken) is kept per user in
//! `$XDG_DATA_HOME/multitask/progress.txt` (`~/.local/share/…`), or in the
//! file `MULTITASK_PROGRESS` names. `multitask exercises` and `:exercises` in
//! the REPL list it.
//!
//! ```
//! use multitask::prelude::*;
//! # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-progress.txt")) };
//! fn countdown(n: i64) -> Generator<i64> {
//!     Generator::new(move |co| {
//!         for i in (1..=n).rev() {
//!             co.yield_(i)?;
//!         }
//!         Ok(())
//!     })
//! }
//! assert!(multitask::exercises::check_countdown(countdown).passed);
//! ```

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use crate::generator::{GenState, Generator, GeneratorError};

/// One exercise of a chapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exercise {
    /// Stable id, `chapter-name` (`03-countdown`).
    pub id: &'static str,
    /// The notebook it ends.
    pub chapter: &'static str,
    /// What to do, in one line.
    pub title: &'static str,
    /// Hints, from a nudge to nearly the answer; [`hint`] gives one at a time.
    pub hints: &'static [&'static str],
}

/// Every exercise, in the order of the chapters.
///
/// ```
/// assert!(multitask::exercises::ALL.iter().any(|e| e.id == "03-countdown"));
/// ```
pub const ALL: &[Exercise] = &[
    Exercise {
        id: "03-countdown",
        chapter: "03-iterators-generators",
        title: "countdown(n): a generator that yields n, n-1, …, 1",
        hints: &[
            "A generator function returns `Generator::new(move |co| { …; Ok(()) })`.",
            "Inside, `for i in (1..=n).rev()` counts down; `co.yield_(i)?;` hands each out.",
        ],
    },
    Exercise {
        id: "03-running-total",
        chapter: "03-iterators-generators",
        title: "running_total(): send numbers in, get the running total back",
        hints: &[
            "The generator's second type is what `send` passes in: `Generator<i64, i64>`.",
            "`let sent = co.yield_(total)?;` yields the total and receives `Option<i64>` (None for next()).",
            "Keep `let mut total = 0;` and loop: `total += sent.unwrap_or(0);`.",
        ],
    },
    Exercise {
        id: "01-lossless-counter",
        chapter: "01-processes",
        title: "count_in_processes(procs, each): a shared counter that loses no update",
        hints: &[
            "Make a `multiprocessing::Value::new(0_i64)?` before starting the processes; give each a clone.",
            "Each process adds 1, `each` times. Hold `value.get_lock().acquire()` around `value.set(value.get() + 1)`.",
            "Start all processes first, then join them all, then return `value.get()`.",
        ],
    },
    Exercise {
        id: "01-pool-squares",
        chapter: "01-processes",
        title: "squares_in_pool(numbers): x² of each, computed by a process Pool, in order",
        hints: &[
            "`Pool::new(2)` makes the pool; `pool.map(f, items)` returns `Result<Vec<_>, _>`.",
            "`pool.map(|x: i64| x * x, numbers).unwrap()` — map keeps the order of the items.",
        ],
    },
    Exercise {
        id: "02-named-threads",
        chapter: "02-threads",
        title: "names_from_threads(n): n threads named worker-0 … each report their own name",
        hints: &[
            "`Thread::new(|| current_thread().name().to_string()).with_name(format!(\"worker-{i}\"))`.",
            "Start them all first, then join each: `t.join()` hands back what the closure returned.",
        ],
    },
    Exercise {
        id: "02-safe-counter",
        chapter: "02-threads",
        title: "count_in_threads(threads, each): a counter shared by threads that loses nothing",
        hints: &[
            "Share it with `Arc`: `let total = Arc::new(AtomicU64::new(0));` and a clone per thread.",
            "`total.fetch_add(1, Ordering::SeqCst)` reads and writes in one step; `load` then `store` would not.",
            "Join every thread before `total.load(Ordering::SeqCst)`.",
        ],
    },
    Exercise {
        id: "04-take-turns",
        chapter: "04-coroutines-gevent",
        title: "take_turns(names, rounds): one greenlet per name, taking strict turns",
        hints: &[
            "Keep the log in an `Rc<RefCell<Vec<String>>>`: greenlets share one thread, so no lock is needed.",
            "Spawn one `Greenlet::spawn(move || for i in 0..rounds { …push(format!(\"{name} {i}\")); greenlet::sleep(0.0); })` per name.",
            "`greenlet::joinall(&gs)`, then take the log out: `log.borrow().clone()`.",
        ],
    },
    Exercise {
        id: "04-green-fetch",
        chapter: "04-coroutines-gevent",
        title: "fetch_all(urls): every URL fetched in a greenlet of its own, sizes in the URLs' order",
        hints: &[
            "`greenlet::net::http_get(&url)` lets the other greenlets run while it waits.",
            "Spawn all the greenlets first (`Greenlet::spawn(move || http_get(&url).unwrap().len())`), then `get()` each in order.",
        ],
    },
    Exercise {
        id: "05-sleep-all",
        chapter: "05-async-tokio",
        title: "sleep_all(delays): one task per delay, all sleeping at once; the delays back in order",
        hints: &[
            "`asyncio::run(async { … })` runs async code from a plain function.",
            "Spawn first: `let tasks: Vec<_> = delays.into_iter().map(|d| asyncio::spawn(async move { asyncio::sleep(d).await; d })).collect();`",
            "Then await each in order: `for t in tasks { out.push(t.await.unwrap()); }`.",
        ],
    },
    Exercise {
        id: "05-deadline",
        chapter: "05-async-tokio",
        title: "fetch_within(url, secs): the body's size, or TimeoutError when it takes longer",
        hints: &[
            "`asyncio::http_get(&url)` is a future; `asyncio::wait_for(future, secs)` gives up after `secs`.",
            "`asyncio::run(async { asyncio::wait_for(asyncio::http_get(&url), secs).await.map(|body| body.unwrap().len()) })`",
        ],
    },
    Exercise {
        id: "06-io-map",
        chapter: "06-examples",
        title: "wait_all(delays): run slow waits concurrently, results in order, fast",
        hints: &[
            "Each item is a wait: `std::thread::sleep(Duration::from_millis(ms))`, then return `ms`.",
            "Waiting is not computing: a `ThreadPool::new(64)` waits on 64 items at once.",
            "`ThreadPool::new(64).unwrap().map(|ms: u64| { …; ms }, delays).unwrap()`.",
        ],
    },
];

/// What a checker found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The exercise's id.
    pub id: &'static str,
    /// Whether every check passed.
    pub passed: bool,
    /// ✓ and what passed, or ✗ and what is wrong.
    pub message: String,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = if self.passed { "✓" } else { "✗" };
        write!(f, "{mark} {}: {}", self.id, self.message)
    }
}

/// Looks an exercise up by id.
///
/// ```
/// assert_eq!(multitask::exercises::find("03-countdown").unwrap().chapter, "03-iterators-generators");
/// ```
pub fn find(id: &str) -> Option<&'static Exercise> {
    ALL.iter().find(|e| e.id == id)
}

/// Prints the next hint for exercise `id` (one more each call) and remembers
/// how many were taken.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-hint.txt")) };
/// multitask::exercises::hint("03-countdown");
/// ```
pub fn hint(id: &str) {
    let Some(exercise) = find(id) else {
        println!("no exercise {id}; `multitask exercises` lists them");
        return;
    };
    let taken = progress::hints_taken(id);
    match exercise.hints.get(taken) {
        Some(text) => {
            println!("hint {}/{}: {text}", taken + 1, exercise.hints.len());
            progress::record(&format!("hint {id}"));
        }
        None => {
            println!("no more hints for {id}; the reference solution is in notebooks/solutions/")
        }
    }
}

/// Checks `countdown` (exercise `03-countdown`), prints the verdict, records a pass.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-countdown.txt")) };
/// use multitask::prelude::*;
/// fn countdown(_n: i64) -> Generator<i64> { todo!() }
/// assert!(!multitask::exercises::check_countdown(countdown).passed);
/// ```
pub fn check_countdown(countdown: fn(i64) -> Generator<i64>) -> Verdict {
    verdict("03-countdown", || {
        let g = countdown(3);
        if g.state() != GenState::Created {
            return Err(
                "countdown(3) already ran its body: a generator starts only when asked \
                        (return Generator::new(…), do not loop before it)"
                    .into(),
            );
        }
        let got = collect(&g)?;
        if got != [3, 2, 1] {
            return Err(format!("countdown(3) gave {got:?}, expected [3, 2, 1]"));
        }
        if g.state() != GenState::Closed {
            return Err("after its last value the generator should be closed".into());
        }
        let none = collect(&countdown(0))?;
        if !none.is_empty() {
            return Err(format!("countdown(0) gave {none:?}, expected nothing"));
        }
        Ok("countdown(3) gives 3, 2, 1 lazily, and countdown(0) nothing".into())
    })
}

/// Checks `running_total` (exercise `03-running-total`), prints the verdict,
/// records a pass.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-total.txt")) };
/// use multitask::prelude::*;
/// fn running_total() -> Generator<i64, i64> {
///     Generator::new(|co| {
///         let mut total = 0;
///         loop {
///             total += co.yield_(total)?.unwrap_or(0);
///         }
///     })
/// }
/// assert!(multitask::exercises::check_running_total(running_total).passed);
/// ```
pub fn check_running_total(running_total: fn() -> Generator<i64, i64>) -> Verdict {
    verdict("03-running-total", || {
        let g = running_total();
        let steps: [(Option<i64>, i64); 4] = [(None, 0), (Some(5), 5), (Some(3), 8), (None, 8)];
        for (sent, want) in steps {
            let got = match sent {
                None => g.next(),
                Some(value) => g.send(value),
            };
            let call = match sent {
                None => "next()".to_string(),
                Some(value) => format!("send({value})"),
            };
            match got {
                Ok(total) if total == want => {}
                Ok(total) => return Err(format!("{call} gave {total}, expected {want}")),
                Err(GeneratorError::StopIteration(_)) => {
                    return Err(format!(
                        "{call}: the generator ended; it should loop forever"
                    ));
                }
                Err(GeneratorError::Raised(e)) => return Err(format!("{call} raised {e}")),
            }
        }
        Ok("next() gives 0, send(5) 5, send(3) 8, next() 8".into())
    })
}

/// Checks `count_in_processes` (exercise `01-lossless-counter`): processes
/// that share a counter must lose no update.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-lossless.txt")) };
/// use multitask::multiprocessing::{Process, Value};
/// fn count_in_processes(procs: usize, each: usize) -> i64 {
///     let value = Value::new(0_i64).unwrap();
///     let workers: Vec<Process> = (0..procs)
///         .map(|_| {
///             let v = value.clone();
///             Process::new(move || {
///                 for _ in 0..each {
///                     let _held = v.get_lock().acquire();
///                     v.set(v.get() + 1);
///                 }
///             })
///         })
///         .collect();
///     for w in &workers { w.start().unwrap(); }
///     for w in &workers { w.join().unwrap(); }
///     value.get()
/// }
/// assert!(multitask::exercises::check_lossless_counter(count_in_processes).passed);
/// ```
pub fn check_lossless_counter(count_in_processes: fn(usize, usize) -> i64) -> Verdict {
    verdict("01-lossless-counter", || {
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

/// Checks `squares_in_pool` (exercise `01-pool-squares`).
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-squares.txt")) };
/// fn squares_in_pool(numbers: Vec<i64>) -> Vec<i64> {
///     multitask::multiprocessing::Pool::new(2).map(|x: i64| x * x, numbers).unwrap()
/// }
/// assert!(multitask::exercises::check_pool_squares(squares_in_pool).passed);
/// ```
pub fn check_pool_squares(squares_in_pool: fn(Vec<i64>) -> Vec<i64>) -> Verdict {
    verdict("01-pool-squares", || {
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

/// Checks `names_from_threads` (exercise `02-named-threads`).
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-named.txt")) };
/// use multitask::threading::{current_thread, Thread};
/// fn names_from_threads(n: usize) -> Vec<String> {
///     let threads: Vec<Thread<String>> = (0..n)
///         .map(|i| Thread::new(|| current_thread().name().to_string()).with_name(format!("worker-{i}")))
///         .collect();
///     for t in &threads { t.start().unwrap(); }
///     threads.iter().map(|t| t.join().unwrap()).collect()
/// }
/// assert!(multitask::exercises::check_named_threads(names_from_threads).passed);
/// ```
pub fn check_named_threads(names_from_threads: fn(usize) -> Vec<String>) -> Verdict {
    verdict("02-named-threads", || {
        let before = crate::threading::active_count();
        let got = names_from_threads(3);
        let want = ["worker-0", "worker-1", "worker-2"];
        if got != want {
            return Err(format!(
                "names_from_threads(3) gave {got:?}, expected {want:?}"
            ));
        }
        if crate::threading::current_thread().name() == "worker-0" {
            return Err("the names must come from the threads themselves".into());
        }
        if crate::threading::active_count() != before {
            return Err("some threads still run afterwards: join them all".into());
        }
        Ok("three threads, each reporting its own name, all joined".into())
    })
}

/// Checks `count_in_threads` (exercise `02-safe-counter`).
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-safe.txt")) };
/// use std::sync::{Arc, atomic::{AtomicU64, Ordering}};
/// fn count_in_threads(threads: usize, each: usize) -> u64 {
///     let total = Arc::new(AtomicU64::new(0));
///     let handles: Vec<_> = (0..threads)
///         .map(|_| {
///             let total = total.clone();
///             std::thread::spawn(move || for _ in 0..each { total.fetch_add(1, Ordering::SeqCst); })
///         })
///         .collect();
///     for h in handles { h.join().unwrap(); }
///     total.load(Ordering::SeqCst)
/// }
/// assert!(multitask::exercises::check_safe_counter(count_in_threads).passed);
/// ```
pub fn check_safe_counter(count_in_threads: fn(usize, usize) -> u64) -> Verdict {
    verdict("02-safe-counter", || {
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

/// Checks `wait_all` (exercise `06-io-map`): 100 waits of 20 ms must come back
/// in order, in well under the 2 s they take one after another.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-io.txt")) };
/// use std::time::Duration;
/// fn wait_all(delays: Vec<u64>) -> Vec<u64> {
///     let pool = multitask::threading::ThreadPool::new(64).unwrap();
///     pool.map(|ms: u64| { std::thread::sleep(Duration::from_millis(ms)); ms }, delays).unwrap()
/// }
/// assert!(multitask::exercises::check_io_map(wait_all).passed);
/// ```
pub fn check_io_map(wait_all: fn(Vec<u64>) -> Vec<u64>) -> Verdict {
    verdict("06-io-map", || {
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

/// Checks `take_turns` (exercise `04-take-turns`), prints the verdict, records a pass.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-turns.txt")) };
/// use multitask::greenlet::{self, Greenlet};
/// use std::{cell::RefCell, rc::Rc};
/// fn take_turns(names: Vec<&'static str>, rounds: usize) -> Vec<String> {
///     let log = Rc::new(RefCell::new(Vec::new()));
///     let gs: Vec<Greenlet> = names.into_iter().map(|name| {
///         let log = log.clone();
///         Greenlet::spawn(move || for i in 0..rounds {
///             log.borrow_mut().push(format!("{name} {i}"));
///             greenlet::sleep(0.0);
///         })
///     }).collect();
///     greenlet::joinall(&gs);
///     log.borrow().clone()
/// }
/// assert!(multitask::exercises::check_take_turns(take_turns).passed);
/// ```
pub fn check_take_turns(take_turns: fn(Vec<&'static str>, usize) -> Vec<String>) -> Verdict {
    verdict("04-take-turns", || {
        let got = take_turns(vec!["a", "b", "c"], 3);
        let expected: Vec<String> = (0..3)
            .flat_map(|i| ["a", "b", "c"].map(|name| format!("{name} {i}")))
            .collect();
        if got != expected {
            return Err(format!(
                "take_turns([a, b, c], 3) gave {got:?}; strict turns give {expected:?}"
            ));
        }
        let one = take_turns(vec!["solo"], 2);
        if one != ["solo 0", "solo 1"] {
            return Err(format!("take_turns([solo], 2) gave {one:?}"));
        }
        Ok("a 0, b 0, c 0, a 1, …: strict turns, as gevent's sleep(0) gives".into())
    })
}

/// Checks `fetch_all` (exercise `04-green-fetch`) against a [`PageServer`](crate::web::PageServer)
/// it starts, prints the verdict, records a pass.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-fetch.txt")) };
/// use multitask::greenlet::{net::http_get, Greenlet};
/// fn fetch_all(urls: Vec<String>) -> Vec<usize> {
///     let gs: Vec<Greenlet<usize>> = urls.into_iter()
///         .map(|url| Greenlet::spawn(move || http_get(&url).unwrap().len()))
///         .collect();
///     gs.iter().map(|g| g.get().unwrap()).collect()
/// }
/// assert!(multitask::exercises::check_green_fetch(fetch_all).passed);
/// ```
pub fn check_green_fetch(fetch_all: fn(Vec<String>) -> Vec<usize>) -> Verdict {
    verdict("04-green-fetch", || {
        let server = page_server()?;
        let pages = crate::web::PAGES;
        let urls = pages.iter().map(|(path, ..)| server.url(path)).collect();
        let start = std::time::Instant::now();
        let got = fetch_all(urls);
        let took = start.elapsed().as_secs_f64();
        let sizes: Vec<usize> = pages.iter().map(|&(_, _, size)| size).collect();
        if got != sizes {
            return Err(format!(
                "the sizes came back as {got:?}, expected {sizes:?} (the URLs' order)"
            ));
        }
        let sum: f64 = pages.iter().map(|&(_, delay, _)| delay).sum();
        // Together they take about the longest delay (0.6 s of 1.2 s).
        if took >= 0.75 * sum {
            return Err(format!(
                "it took {took:.2} s, about the sum of the delays ({sum:.1} s): the fetches waited one after another"
            ));
        }
        Ok(format!(
            "three pages in {took:.2} s (the delays add up to {sum:.1} s), sizes in order"
        ))
    })
}

/// Checks `sleep_all` (exercise `05-sleep-all`), prints the verdict, records a pass.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-sleep-all.txt")) };
/// use multitask::asyncio;
/// fn sleep_all(delays: Vec<f64>) -> Vec<f64> {
///     asyncio::run(async {
///         let tasks: Vec<_> = delays.into_iter()
///             .map(|d| asyncio::spawn(async move { asyncio::sleep(d).await; d }))
///             .collect();
///         let mut out = Vec::new();
///         for t in tasks { out.push(t.await.unwrap()); }
///         out
///     })
/// }
/// assert!(multitask::exercises::check_sleep_all(sleep_all).passed);
/// ```
pub fn check_sleep_all(sleep_all: fn(Vec<f64>) -> Vec<f64>) -> Verdict {
    verdict("05-sleep-all", || {
        let delays: Vec<f64> = (0..200).map(|i| 0.05 + f64::from(i % 5) * 0.02).collect();
        let start = std::time::Instant::now();
        let got = sleep_all(delays.clone());
        let took = start.elapsed().as_secs_f64();
        if got != delays {
            return Err("the results must be the delays, in the order given".into());
        }
        if took < 0.13 {
            return Err(format!(
                "it took {took:.3} s, less than the longest delay (0.13 s): does it sleep?"
            ));
        }
        if took > 1.0 {
            return Err(format!(
                "it took {took:.2} s; 200 sleepers of at most 0.13 s at once take about 0.13 s — spawn them all before awaiting"
            ));
        }
        Ok(format!(
            "200 sleepers finished together in {took:.2} s, results in order"
        ))
    })
}

/// Checks `fetch_within` (exercise `05-deadline`) against a [`PageServer`](crate::web::PageServer)
/// it starts, prints the verdict, records a pass.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-deadline.txt")) };
/// use multitask::asyncio::{self, TimeoutError};
/// fn fetch_within(url: String, secs: f64) -> Result<usize, TimeoutError> {
///     asyncio::run(async {
///         asyncio::wait_for(asyncio::http_get(&url), secs).await.map(|body| body.unwrap().len())
///     })
/// }
/// assert!(multitask::exercises::check_deadline(fetch_within).passed);
/// ```
pub fn check_deadline(
    fetch_within: fn(String, f64) -> Result<usize, crate::asyncio::TimeoutError>,
) -> Verdict {
    verdict("05-deadline", || {
        let server = page_server()?;
        let fast = fetch_within(server.url("/github"), 2.0);
        if fast != Ok(14823) {
            return Err(format!(
                "/github (0.2 s, 14823 bytes) within 2 s gave {fast:?}, expected Ok(14823)"
            ));
        }
        let start = std::time::Instant::now();
        let slow = fetch_within(server.url("/python"), 0.2);
        let took = start.elapsed().as_secs_f64();
        if slow != Err(crate::asyncio::TimeoutError) {
            return Err(format!(
                "/python (0.6 s) within 0.2 s gave {slow:?}, expected Err(TimeoutError)"
            ));
        }
        if took > 0.5 {
            return Err(format!(
                "giving up took {took:.2} s: it should stop waiting at 0.2 s"
            ));
        }
        Ok("Ok(14823) in time, Err(TimeoutError) after 0.2 s when the page takes 0.6 s".into())
    })
}

/// The seed's pages, served for a check.
fn page_server() -> Result<crate::web::PageServer, String> {
    crate::web::PageServer::start().map_err(|e| format!("cannot start the page server: {e}"))
}

/// Every value a generator gives, or what went wrong.
fn collect(g: &Generator<i64>) -> Result<Vec<i64>, String> {
    let mut values = Vec::new();
    loop {
        match g.next() {
            Ok(v) if values.len() < 1000 => values.push(v),
            Ok(_) => return Err("more than 1000 values: does it ever stop?".into()),
            Err(GeneratorError::StopIteration(_)) => return Ok(values),
            Err(GeneratorError::Raised(e)) => return Err(format!("it raised {e}")),
        }
    }
}

/// Runs a check (a panic in the learner's code is a ✗, not a crash), prints
/// and records the verdict.
fn verdict(id: &'static str, check: impl FnOnce() -> Result<String, String>) -> Verdict {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = catch_unwind(AssertUnwindSafe(check));
    std::panic::set_hook(hook);
    let (passed, message) = match outcome {
        // Ctrl-C stops the check, not just the learner's code.
        Err(payload) if crate::interrupt::is_interrupt(&*payload) => {
            std::panic::resume_unwind(payload)
        }
        Ok(Ok(message)) => (true, message),
        Ok(Err(wrong)) => (false, format!("{wrong}. `hint(\"{id}\")` helps.")),
        Err(payload) => {
            let what = crate::panics::message(&*payload);
            (
                false,
                format!("it panicked ({what}): replace the todo!() with your code"),
            )
        }
    };
    let verdict = Verdict {
        id,
        passed,
        message,
    };
    println!("{verdict}");
    if passed {
        progress::record(&format!("passed {id}"));
    }
    verdict
}

/// The per-user progress file: one line per event (`passed ID`, `hint ID`).
pub mod progress {
    use super::*;

    /// Where progress is kept: `MULTITASK_PROGRESS`, else
    /// `$XDG_DATA_HOME/multitask/progress.txt` (`~/.local/share/multitask/…`).
    pub fn file() -> Option<PathBuf> {
        if let Some(file) = std::env::var_os("MULTITASK_PROGRESS") {
            return Some(PathBuf::from(file));
        }
        let data = std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
        Some(data.join("multitask").join("progress.txt"))
    }

    fn lines() -> Vec<String> {
        file()
            .and_then(|f| std::fs::read_to_string(f).ok())
            .map(|text| text.lines().map(str::to_string).collect())
            .unwrap_or_default()
    }

    /// Appends one event; progress is a convenience, so failures are ignored.
    pub(super) fn record(event: &str) {
        use std::io::Write as _;
        let Some(file) = file() else { return };
        if let Some(dir) = file.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)
        {
            let _ = writeln!(f, "{event}");
        }
    }

    /// Whether exercise `id` has been passed.
    pub fn passed(id: &str) -> bool {
        lines().iter().any(|l| l == &format!("passed {id}"))
    }

    /// How many hints of `id` were taken.
    pub fn hints_taken(id: &str) -> usize {
        lines()
            .iter()
            .filter(|l| **l == format!("hint {id}"))
            .count()
    }

    /// Every exercise with a mark, like `rustlings list`.
    pub fn listing() -> String {
        let mut text = String::new();
        for exercise in ALL {
            let mark = if passed(exercise.id) { "✓" } else { "·" };
            text += &format!(
                "{mark} {:<20} {:<26} {}\n",
                exercise.id, exercise.chapter, exercise.title
            );
        }
        let done = ALL.iter().filter(|e| passed(e.id)).count();
        text += &format!("{done} of {} done", ALL.len());
        text
    }
}
