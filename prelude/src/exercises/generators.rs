//! Chapter 03's exercises (`notebooks/03-iterators-generators.ipynb`, tutorial §2
//! 生成器): a generator that yields and one that is sent values (warm-ups),
//! a pipeline of generators joined with `yield_from` (combine), and a
//! round-robin scheduler that drives generators with `send` (challenge).
//!
//! The reference solutions, `notebooks/solutions/03-iterators-generators.rs`,
//! pass:
//!
//! ```
//! # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-03.txt")) };
//! use multitask::prelude::*;
#![doc = include_str!("../../../notebooks/solutions/03-iterators-generators.rs")]
//! assert!(exercises::check_countdown(countdown).passed);
//! assert!(exercises::check_running_total(running_total).passed);
//! assert!(exercises::check_chain_all(chain_all).passed);
//! assert!(exercises::check_round_robin(round_robin).passed);
//! ```

use std::cell::RefCell;
use std::rc::Rc;

use super::{Exercise, Level, Verdict, words};
use crate::generator::{GenState, Generator, GeneratorError};

const CHAPTER: &str = "03-iterators-generators";

/// `countdown(n)`: a generator of n, n-1, …, 1.
pub const COUNTDOWN: Exercise = Exercise {
    id: "03-countdown",
    chapter: CHAPTER,
    level: Level::WarmUp,
    title: "countdown(n): a generator that yields n, n-1, …, 1",
    hints: &[
        "A generator function returns `Generator::new(move |co| { …; Ok(()) })`.",
        "Inside, `for i in (1..=n).rev()` counts down; `co.yield_(i)?;` hands each out.",
    ],
};

/// `running_total()`: a generator that is sent numbers.
pub const RUNNING_TOTAL: Exercise = Exercise {
    id: "03-running-total",
    chapter: CHAPTER,
    level: Level::WarmUp,
    title: "running_total(): send numbers in, get the running total back",
    hints: &[
        "The generator's second type is what `send` passes in: `Generator<i64, i64>`.",
        "`let sent = co.yield_(total)?;` yields the total and receives `Option<i64>` (None for next()).",
        "Keep `let mut total = 0;` and loop: `total += sent.unwrap_or(0);`.",
    ],
};

/// `chain_all(parts)`: one generator delegating to others with `yield_from`.
pub const CHAIN_ALL: Exercise = Exercise {
    id: "03-chain-all",
    chapter: CHAPTER,
    level: Level::Combine,
    title: "chain_all(parts): yield every part's values in turn, return the sum of what the parts return",
    hints: &[
        "`co.yield_from(part)?` hands out every value of `part` and gives back what `part` returned (Python's `result = yield from part`).",
        "`Generator::new(move |co| { let mut total = 0; for part in parts { total += co.yield_from(part)?; } Ok(total) })`",
        "Do nothing before `Generator::new`: a part must not start before the caller asks for its first value.",
    ],
};

/// `round_robin(tasks)`: a scheduler of generators, the tutorial's coroutines.
pub const ROUND_ROBIN: Exercise = Exercise {
    id: "03-round-robin",
    chapter: CHAPTER,
    level: Level::Challenge,
    title: "round_robin(tasks): start each task, then send every one still running the round's number, until all stop",
    hints: &[
        "Start each with `task.next()` and log what it says; then rounds 1, 2, …: `task.send(round)` to each task still running, in order, and log what it says.",
        "`Err(GeneratorError::StopIteration(_))` from `send` means that task is done: it leaves the line; stop when the line is empty.",
        "`running.retain(|t| match t.send(round) { Ok(said) => { log.push(said); true } Err(_) => false })` does one round.",
    ],
};

/// Checks `countdown` ([`COUNTDOWN`]), prints the verdict, records a pass.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-countdown.txt")) };
/// use multitask::prelude::*;
/// fn countdown(_n: i64) -> Generator<i64> { todo!() }
/// assert!(!exercises::check_countdown(countdown).passed);
/// ```
pub fn check_countdown(countdown: fn(i64) -> Generator<i64>) -> Verdict {
    COUNTDOWN.judge(move || {
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
        // Lazy: the first of twenty million values costs what one does. A
        // list of them all is 160 MB of heap before the first is handed out.
        let n = 20_000_000;
        let before = heap_in_use();
        let big = countdown(n);
        let first = big.next();
        let grew = heap_in_use().saturating_sub(before);
        drop(big);
        if first != Ok(n) {
            return Err(format!("countdown({n}) first gave {first:?}, expected Ok({n})"));
        }
        if grew > 16 << 20 {
            return Err(format!(
                "countdown({n}) held {} MB before it gave its first value: it made the whole \
                 list before the first yield — a generator makes each value when it is asked for it",
                grew >> 20
            ));
        }
        Ok("countdown(3) gives 3, 2, 1 lazily, and countdown(0) nothing".into())
    })
}

/// Checks `running_total` ([`RUNNING_TOTAL`]), prints the verdict, records a
/// pass.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-total.txt")) };
/// use multitask::prelude::*;
/// // Ends after the first value: the check wants it to go on.
/// fn running_total() -> Generator<i64, i64> {
///     Generator::new(|co| {
///         co.yield_(0)?;
///         Ok(())
///     })
/// }
/// assert!(!exercises::check_running_total(running_total).passed);
/// ```
pub fn check_running_total(running_total: fn() -> Generator<i64, i64>) -> Verdict {
    RUNNING_TOTAL.judge(move || {
        let g = running_total();
        let steps: [(Option<i64>, i64); 4] = [(None, 0), (Some(5), 5), (Some(3), 8), (None, 8)];
        for (sent, want) in steps {
            let call = match sent {
                None => "next()".to_string(),
                Some(value) => format!("send({value})"),
            };
            let resumed = super::unless_todo(|| match sent {
                None => g.next(),
                Some(value) => g.send(value),
            });
            let got = match resumed {
                Ok(got) => got,
                Err(what) => {
                    let advice = if what.contains("on a `None` value") {
                        "next() sends None — take it as 0 (sent.unwrap_or(0)), do not unwrap it"
                    } else {
                        "a generator's body should not panic"
                    };
                    return Err(format!("{call} panicked ({what}): {advice}"));
                }
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
        // What comes in besides values must get through: a thrown exception
        // ends the generator with it, close() ends it quietly.
        let g = running_total();
        let _ = (g.next(), g.send(5));
        match g.throw(crate::Exception::new("ValueError", "bad number")) {
            Err(GeneratorError::Raised(e)) if e.to_string().contains("bad number") => {}
            Ok(total) => return Err(format!(
                "throw(ValueError) came back as Ok({total}): the generator swallowed the exception \
                 (unwrap_or on co.yield_?) — let it through with `?`"
            )),
            other => return Err(format!("throw(ValueError) gave {other:?}, expected that ValueError back")),
        }
        let g = running_total();
        let _ = (g.next(), g.send(5));
        if let Err(e) = g.close() {
            return Err(format!(
                "close() said {e}: the generator went on after GeneratorExit (unwrap_or on \
                 co.yield_?) — let it through with `?`"
            ));
        }
        Ok("next() gives 0, send(5) 5, send(3) 8, next() 8; throw() and close() end it".into())
    })
}

/// A part of a chain, and the chain: a generator of `i64` that returns one.
type Part = Generator<i64, (), i64>;

/// Checks `chain_all` ([`CHAIN_ALL`]): the values in order, the sum of the
/// parts' return values, and no part started before it was needed.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-chain.txt")) };
/// use multitask::prelude::*;
/// // The values, but the parts' return values are lost.
/// fn chain_all(parts: Vec<Generator<i64, (), i64>>) -> Generator<i64, (), i64> {
///     Generator::new(move |co| {
///         for part in parts {
///             while let Ok(v) = part.next() {
///                 co.yield_(v)?;
///             }
///         }
///         Ok(0)
///     })
/// }
/// assert!(!exercises::check_chain_all(chain_all).passed);
/// ```
pub fn check_chain_all(chain_all: fn(Vec<Part>) -> Part) -> Verdict {
    CHAIN_ALL.judge(move || {
        let started = Rc::new(RefCell::new(Vec::new()));
        let part = |name: &'static str, values: Vec<i64>, returns: i64| {
            let started = Rc::clone(&started);
            Generator::new(move |co: &crate::generator::Co<i64>| {
                started.borrow_mut().push(name);
                for v in values {
                    co.yield_(v)?;
                }
                Ok(returns)
            })
        };
        let g = chain_all(vec![part("a", vec![1, 2, 3], 5), part("b", vec![], 100), part("c", vec![10, 20], 7)]);
        if !started.borrow().is_empty() {
            return Err(format!("parts {:?} started before anyone asked chain_all for a value", started.borrow()));
        }
        let first = g.next();
        if first != Ok(1) {
            return Err(format!("the first next() gave {first:?}, expected Ok(1)"));
        }
        if *started.borrow() != ["a"] {
            return Err(format!("after the first value, {:?} had started: only a should have", started.borrow()));
        }
        let mut values = vec![1];
        let ended = loop {
            match g.next() {
                Ok(v) if values.len() < 100 => values.push(v),
                Ok(_) => return Err("more than 100 values: does it ever stop?".into()),
                Err(ending) => break ending,
            }
        };
        if values != [1, 2, 3, 10, 20] {
            return Err(format!("it gave {values:?}, expected [1, 2, 3, 10, 20]"));
        }
        match ended {
            GeneratorError::StopIteration(Some(112)) => {}
            GeneratorError::StopIteration(got) => {
                return Err(format!(
                    "it returned {got:?}, expected Some(112): the parts return 5, 100 and 7 — `co.yield_from(part)?` gives each back"
                ));
            }
            GeneratorError::Raised(e) => return Err(format!("it raised {e}")),
        }
        let failing = Generator::new(|co: &crate::generator::Co<i64>| {
            co.yield_(1)?;
            Err(crate::Exception::new("ValueError", "a part failed"))
        });
        let g = chain_all(vec![failing, part("after", vec![2], 0)]);
        let _ = g.next();
        match g.next() {
            Err(GeneratorError::Raised(e)) if e.to_string().contains("a part failed") => {}
            Ok(v) => return Err(format!(
                "a part raised ValueError and chain_all went on (it gave {v}): the exception was \
                 swallowed (unwrap_or on yield_from?) — let it through with `?`"
            )),
            other => return Err(format!(
                "a part raised ValueError and chain_all gave {other:?}: let the part's exception \
                 through with `?`"
            )),
        }
        let empty = chain_all(Vec::new()).next();
        if empty != Err(GeneratorError::StopIteration(Some(0))) {
            return Err(format!("chain_all of no parts gave {empty:?}, expected StopIteration(0)"));
        }
        Ok("1, 2, 3, 10, 20, then StopIteration(112), each part started only when reached".into())
    })
}

/// Checks `round_robin` ([`ROUND_ROBIN`]) with three tasks that stop after
/// 2, 1 and 3 values sent.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-robin.txt")) };
/// use multitask::prelude::*;
/// // Each task run to its end before the next: no turns.
/// fn round_robin(tasks: Vec<Generator<String, i64>>) -> Vec<String> {
///     let mut log = Vec::new();
///     for t in tasks {
///         let mut said = t.next();
///         let mut round = 0;
///         while let Ok(s) = said {
///             log.push(s);
///             round += 1;
///             said = t.send(round);
///         }
///     }
///     log
/// }
/// assert!(!exercises::check_round_robin(round_robin).passed);
/// ```
pub fn check_round_robin(round_robin: fn(Vec<Generator<String, i64>>) -> Vec<String>) -> Verdict {
    ROUND_ROBIN.judge(move || {
        let nexted = Rc::new(RefCell::new(Vec::new()));
        let task = |name: &'static str, turns: usize| -> Generator<String, i64> {
            let nexted = Rc::clone(&nexted);
            Generator::new(move |co| {
                let mut sent = co.yield_(format!("{name} ready"))?;
                for turn in 1..=turns {
                    let Some(round) = sent else {
                        nexted.borrow_mut().push(name);
                        return Err(crate::Exception::new(
                            "TypeError",
                            format!("{name} was resumed with next(), not sent its round"),
                        ));
                    };
                    let said = format!("{name} got {round}");
                    if turn == turns {
                        co.yield_(said)?;
                        break;
                    }
                    sent = co.yield_(said)?;
                }
                Ok(())
            })
        };
        let tasks = vec![task("a", 2), task("b", 1), task("c", 3)];
        let states: Vec<Generator<String, i64>> = tasks.iter().map(Generator::share).collect();
        let log = round_robin(tasks);
        let want = [
            "a ready", "b ready", "c ready", "a got 1", "b got 1", "c got 1", "a got 2", "c got 2",
            "c got 3",
        ];
        if let Some(idle) = states.iter().position(|g| g.state() == GenState::Created) {
            return Err(format!(
                "task {} never started: a generator must be started with next() before it can \
                 be sent a value (send to a new one is a TypeError)",
                ["a", "b", "c"][idle]
            ));
        }
        if let Some(name) = nexted.borrow().first() {
            return Err(format!(
                "task {name} was resumed with next() where it should have been sent its round: \
                 after the start, send(round) to each"
            ));
        }
        if log != want {
            let want: Vec<String> = want.iter().map(ToString::to_string).collect();
            return Err(format!(
                "in the log, {}",
                words::first_difference(&log, &want)
            ));
        }
        if let Some(open) = states.iter().position(|g| g.state() != GenState::Closed) {
            return Err(format!(
                "task {} is {:?} at the end: drive every task until it stops",
                ["a", "b", "c"][open],
                states[open].state()
            ));
        }
        let none = round_robin(Vec::new());
        if !none.is_empty() {
            return Err(format!("round_robin of no tasks gave {none:?}"));
        }
        Ok(
            "a, b, c started, then sent rounds 1, 2, 3 in turn, each leaving when it stopped"
                .into(),
        )
    })
}

/// The bytes the heap hands out now (glibc's count, which every thread's
/// allocations add to).
fn heap_in_use() -> usize {
    // SAFETY: a plain query of the allocator's counters.
    let info = unsafe { libc::mallinfo2() };
    info.uordblks + info.hblkhd
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
