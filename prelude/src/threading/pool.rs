//! [`ThreadPool`]: Python's `multiprocessing.dummy.Pool` — a `map` on
//! threads — on rayon.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use super::error::{Error, Result};

/// A pool of threads with an ordered `map`.
///
/// For work that computes, as many threads as cores is right (the default).
/// For work that *waits* — on the network, a disk, a sleep — a thread spends
/// its time asleep, so many more threads than cores finish sooner:
///
/// ```
/// use std::time::{Duration, Instant};
/// use multitask::threading::ThreadPool;
///
/// let nap = |_: u32| std::thread::sleep(Duration::from_millis(1));
/// let t = Instant::now();
/// ThreadPool::new(32)?.map(nap, 0..320)?;
/// let many = t.elapsed();
/// let t = Instant::now();
/// ThreadPool::new(2)?.map(nap, 0..320)?;
/// let few = t.elapsed();
/// assert!(many * 3 < few, "32 threads {many:?}, 2 threads {few:?}");
/// # Ok::<(), multitask::threading::Error>(())
/// ```
pub struct ThreadPool {
    pool: rayon::ThreadPool,
    closed: AtomicBool,
}

impl ThreadPool {
    /// A pool of `threads` threads; `None` means one per CPU, as in Python.
    ///
    /// # Errors
    /// [`Error::Os`] if the threads cannot be started.
    pub fn new(threads: impl Into<Option<usize>>) -> Result<ThreadPool> {
        let mut builder =
            rayon::ThreadPoolBuilder::new().thread_name(|i| format!("ThreadPool-{}", i + 1));
        if let Some(n) = threads.into() {
            builder = builder.num_threads(n.max(1));
        }
        let pool = builder
            .build()
            .map_err(|e| Error::Os(std::io::Error::other(e)))?;
        crate::probe::threads_started(pool.current_num_threads());
        Ok(ThreadPool {
            pool,
            closed: AtomicBool::new(false),
        })
    }

    /// How many threads it has.
    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// `f` applied to every item on the pool's threads; the results in the
    /// items' order.
    ///
    /// ```
    /// let pool = multitask::threading::ThreadPool::new(None)?;
    /// assert_eq!(pool.map(|x: i64| x * x, 1..=4)?, [1, 4, 9, 16]);
    /// # Ok::<(), multitask::threading::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::PoolNotRunning`] after [`close`](ThreadPool::close). A panic
    /// in `f` is passed on to the caller, as Python re-raises.
    pub fn map<T, R>(
        &self,
        f: impl Fn(T) -> R + Send + Sync,
        items: impl IntoIterator<Item = T>,
    ) -> Result<Vec<R>>
    where
        T: Send,
        R: Send,
    {
        if self.closed.load(Ordering::Relaxed) {
            return Err(Error::PoolNotRunning);
        }
        let items: Vec<T> = items.into_iter().collect();
        if !crate::interrupt::watching() {
            return Ok(self.pool.install(|| items.into_par_iter().map(f).collect()));
        }
        // Interruptible: once an interrupt comes, the workers take no new
        // item; those in progress end, and the interrupt is raised here.
        let results: Vec<Option<R>> = self.pool.install(|| {
            items
                .into_par_iter()
                .map(|item| (!crate::interrupt::requested()).then(|| f(item)))
                .collect()
        });
        crate::interrupt::check();
        Ok(results
            .into_iter()
            .map(|r| r.expect("an item is skipped only after an interrupt"))
            .collect())
    }

    /// No more `map`s (Python's `close()`).
    pub fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
    }

    /// Waits for work in progress (Python's `join()`): a `map` returns only
    /// when all of it is done, so there is none.
    pub fn join(&self) {}
}

impl fmt::Debug for ThreadPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.closed.load(Ordering::Relaxed) {
            "CLOSE"
        } else {
            "RUN"
        };
        write!(f, "<ThreadPool state={state} pool_size={}>", self.threads())
    }
}
