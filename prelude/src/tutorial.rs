//! The tutorial's own iterator and generators, ready to call. Each names the
//! tutorial section it comes from; the notebooks run them side by side with
//! the Python.
//!
//! Notebooks `notebooks/03-iterators-generators.ipynb` and
//! `04-coroutines-gevent.ipynb`; tests: the `seed_*` scenarios of
//! `tests/generator_vs_cpython.rs`.

use crate::exception::Exception;
use crate::generator::Generator;

/// The `Fib` class, an iterator written by hand (the tutorial's 1.2 迭代器).
///
/// Python's version keeps `prev` and `curr` and implements `__next__`; here
/// that is [`Iterator::next`]. Python's integers never overflow; this one
/// stops (returns `None`) at the last Fibonacci number that fits in a `u64`.
///
/// ```
/// use multitask::prelude::*;
/// let fib = Fib::new();
/// // The tutorial prints only nine numbers for `range(10)`; there are ten.
/// assert_eq!(fib.take(10).collect::<Vec<_>>(), [1, 2, 3, 5, 8, 13, 21, 34, 55, 89]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fib {
    prev: u64,
    curr: u64,
}

impl Fib {
    /// `Fib()`: starts from `prev = 0, curr = 1`.
    ///
    /// ```
    /// assert_eq!(multitask::tutorial::Fib::new().next(), Some(1));
    /// ```
    pub fn new() -> Self {
        Fib { prev: 0, curr: 1 }
    }
}

impl Default for Fib {
    fn default() -> Self {
        Fib::new()
    }
}

impl Iterator for Fib {
    type Item = u64;

    /// `self.curr, self.prev = self.prev + self.curr, self.curr; return self.curr`
    fn next(&mut self) -> Option<u64> {
        let next = self.prev.checked_add(self.curr)?;
        (self.curr, self.prev) = (next, self.curr);
        Some(self.curr)
    }
}

/// `fib()` written with `yield`, no class needed (the tutorial's 1.3 生成器).
///
/// It yields `curr` *before* advancing, so it starts `1, 1, 2` where the
/// `Fib` class starts `1, 2, 3` (the tutorial shows the same nine numbers for
/// both). It ends when the next number would overflow a `u64`.
///
/// ```
/// use multitask::prelude::*;
/// let f = fib();
/// assert_eq!(f.take(10).collect::<Vec<_>>(), [1, 1, 2, 3, 5, 8, 13, 21, 34, 55]);
/// ```
pub fn fib() -> Generator<u64> {
    Generator::new(|co| {
        let (mut prev, mut curr) = (0u64, 1u64);
        loop {
            co.yield_(curr)?;
            let Some(next) = prev.checked_add(curr) else {
                return Ok(());
            };
            (curr, prev) = (next, curr);
        }
    })
}

/// `mygen(n)` yields `0, 1, …, n - 1` (the tutorial's 1.3.1 and 1.3.2).
///
/// ```
/// use multitask::prelude::*;
/// let g = mygen(4);
/// // next() and send(None) take turns, and agree.
/// assert_eq!(g.send(None), Ok(0));
/// assert_eq!(g.next(), Ok(1));
/// assert_eq!(g.send(None), Ok(2));
/// assert_eq!(g.next(), Ok(3));
/// ```
pub fn mygen(n: i64) -> Generator<i64> {
    Generator::new(move |co| {
        let mut now = 0;
        while now < n {
            co.yield_(now)?;
            now += 1;
        }
        Ok(())
    })
}

/// `mygen` ending with `raise StopIteration`, as the tutorial's 1.3.4 writes
/// it. Since Python 3.7 (PEP 479) that surfaces as
/// `RuntimeError: generator raised StopIteration`, and so it does here.
///
/// ```
/// use multitask::prelude::*;
/// let g = mygen_raising_stop(2);
/// assert_eq!(g.next(), Ok(0));
/// assert_eq!(g.next(), Ok(1));
/// assert_eq!(
///     g.next().unwrap_err().to_string(),
///     "RuntimeError: generator raised StopIteration"
/// );
/// ```
pub fn mygen_raising_stop(n: i64) -> Generator<i64> {
    Generator::new(move |co| {
        let mut now = 0;
        while now < n {
            co.yield_(now)?;
            now += 1;
        }
        Err(Exception::StopIteration)
    })
}

/// `jumping_range(n)`, a generator that listens (the tutorial's 1.3.5).
///
/// Each `yield` hands out `index` and receives a jump: `next()` jumps by 1,
/// `send(k)` by `k`.
///
/// ```
/// use multitask::prelude::*;
/// let itr = jumping_range(5);
/// assert_eq!(itr.next(), Ok(0));
/// assert_eq!(itr.send(2), Ok(2));
/// assert_eq!(itr.next(), Ok(3));
/// assert_eq!(itr.send(-1), Ok(2));
/// ```
pub fn jumping_range(n: i64) -> Generator<i64, i64> {
    Generator::new(move |co| {
        let mut index = 0;
        while index < n {
            let jump = co.yield_(index)?;
            index += jump.unwrap_or(1);
        }
        Ok(())
    })
}

/// `(x * x for x in range(n))`, a generator expression (the tutorial's 1.3.1).
///
/// ```
/// use multitask::prelude::*;
/// assert_eq!(squares(4).collect::<Vec<_>>(), [0, 1, 4, 9]);
/// ```
pub fn squares(n: i64) -> Generator<i64> {
    crate::genexpr!(x * x, for x in 0..n)
}
