//! IPython's `%timeit`, for comparing a thread with a process or a
//! greenlet: `:timeit EXPR` in the REPL and the notebooks runs
//! [`timeit`], which times `EXPR` over many loops, seven times, and shows
//! `mean ± std. dev. per loop`.
//!
//! The session compiles the timed cell optimised (opt-level 2; cells
//! otherwise compile at 0, and a timing of unoptimised code misleads) and
//! says so in the result. Tests: this module's own, and
//! `tests/kernel_jupyter.rs` (`:timeit` through the kernel).
//!
//! ```no_run
//! // What `:timeit (0..1000).sum::<u64>()` runs (a second or two).
//! let measured = multitask::timeit::timeit("2", || (0..1000).sum::<u64>());
//! assert_eq!(measured.runs(), 7);
//! println!("{measured}");
//! // 1.05 µs ± 12.1 ns per loop (mean ± std. dev. of 7 runs, 100,000 loops each; compiled at opt-level 2)
//! ```

use std::fmt;
use std::time::{Duration, Instant};

/// How long one loop of the runs took (IPython's `TimeitResult`).
#[derive(Clone, PartialEq)]
pub struct Measured {
    /// Seconds per loop, one number a run.
    per_loop: Vec<f64>,
    loops: u64,
    opt_level: String,
}

/// How many runs; each loops over the code `loops` times.
const RUNS: usize = 7;

/// A run long enough to time: the loop count grows tenfold until one run
/// takes this long, as IPython's does.
const LONG_ENOUGH: Duration = Duration::from_millis(200);

/// Times `code`: picks a loop count (1, 10, 100, … until a run takes
/// 0.2 s), then runs that many loops 7 times. `opt_level` is the level the
/// caller's code was compiled at, for the display. Ctrl-C stops it between
/// two loops.
pub fn timeit<T>(opt_level: &str, mut code: impl FnMut() -> T) -> Measured {
    let mut run = |loops: u64| {
        let start = Instant::now();
        for _ in 0..loops {
            crate::interrupt::check();
            std::hint::black_box(code());
        }
        start.elapsed()
    };
    let mut loops = 1;
    while run(loops) < LONG_ENOUGH && loops < 1_000_000_000 {
        loops *= 10;
    }
    let per_loop = (0..RUNS)
        .map(|_| run(loops).as_secs_f64() / loops as f64)
        .collect();
    Measured {
        per_loop,
        loops,
        opt_level: opt_level.to_string(),
    }
}

impl Measured {
    /// The mean time of one loop, in seconds.
    pub fn mean(&self) -> f64 {
        self.per_loop.iter().sum::<f64>() / self.per_loop.len() as f64
    }

    /// The (population) standard deviation of the runs' per-loop times, in
    /// seconds, as IPython gives it.
    pub fn std_dev(&self) -> f64 {
        let mean = self.mean();
        let squares: f64 = self.per_loop.iter().map(|t| (t - mean).powi(2)).sum();
        (squares / self.per_loop.len() as f64).sqrt()
    }

    /// How many runs were timed.
    pub fn runs(&self) -> usize {
        self.per_loop.len()
    }

    /// How many loops each run made.
    pub fn loops(&self) -> u64 {
        self.loops
    }
}

/// `1.23 µs ± 45.6 ns per loop (mean ± std. dev. of 7 runs, 100,000 loops
/// each; compiled at opt-level 2)`, IPython's line.
impl fmt::Display for Measured {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let loops = if self.loops == 1 { "loop" } else { "loops" };
        write!(
            f,
            "{} ± {} per loop (mean ± std. dev. of {} runs, {} {loops} each; compiled at opt-level {})",
            seconds(self.mean()),
            seconds(self.std_dev()),
            self.runs(),
            thousands(self.loops),
            self.opt_level
        )
    }
}

impl fmt::Debug for Measured {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Three significant digits in the largest unit that keeps the number at
/// least 1: `1.23 s`, `456 ms`, `7.89 µs`, `12.3 ns`.
pub(crate) fn seconds(secs: f64) -> String {
    let (value, unit) = [(1.0, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns")]
        .into_iter()
        .find(|(scale, _)| secs >= *scale)
        .map_or((secs * 1e9, "ns"), |(scale, unit)| (secs / scale, unit));
    let digits = if value >= 100.0 {
        0
    } else if value >= 10.0 {
        1
    } else {
        2
    };
    format!("{value:.digits$} {unit}")
}

/// `1000000` as `1,000,000`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_ipython_writes_them() {
        assert_eq!(seconds(1.234), "1.23 s");
        assert_eq!(seconds(0.456), "456 ms");
        assert_eq!(seconds(7.891e-6), "7.89 µs");
        assert_eq!(seconds(1.23e-8), "12.3 ns");
        assert_eq!(seconds(0.0), "0.00 ns");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(100), "100");
    }

    #[test]
    fn the_loop_count_grows_until_a_run_takes_long_enough() {
        let slow = timeit("0", || std::thread::sleep(Duration::from_millis(30)));
        // 1 loop takes 30 ms, 10 loops 300 ms: ten it is.
        assert_eq!(slow.loops(), 10);
        assert!(slow.mean() >= 0.03, "{slow}");
        assert!(
            slow.to_string()
                .contains("10 loops each; compiled at opt-level 0")
        );
    }

    #[test]
    fn mean_and_std_dev_are_over_the_runs() {
        let m = Measured {
            per_loop: vec![1.0, 3.0],
            loops: 1,
            opt_level: "2".into(),
        };
        assert_eq!(m.mean(), 2.0);
        assert_eq!(m.std_dev(), 1.0);
        assert_eq!(
            m.to_string(),
            "2.00 s ± 1.00 s per loop (mean ± std. dev. of 2 runs, 1 loop each; compiled at opt-level 2)"
        );
    }
}
