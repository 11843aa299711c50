//! Chapter 03's exercises (`notebooks/03-iterators-generators.ipynb`, seed §2
//! 生成器): a generator that yields, and one that is sent values.
//!
//! The reference solutions, `notebooks/solutions/03-iterators-generators.rs`,
//! pass:
//!
//! ```
//! # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-03.txt")) };
//! use multitask::prelude::*;
#![doc = include_str!("../../../notebooks/solutions/03-iterators-generators.rs")]
//! assert!(check_countdown(countdown).passed);
//! assert!(check_running_total(running_total).passed);
//! ```

use super::{Exercise, Level, Verdict};
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

/// Checks `countdown` ([`COUNTDOWN`]), prints the verdict, records a pass.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-countdown.txt")) };
/// use multitask::prelude::*;
/// fn countdown(_n: i64) -> Generator<i64> { todo!() }
/// assert!(!check_countdown(countdown).passed);
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
/// assert!(!check_running_total(running_total).passed);
/// ```
pub fn check_running_total(running_total: fn() -> Generator<i64, i64>) -> Verdict {
    RUNNING_TOTAL.judge(move || {
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
