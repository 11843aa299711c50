//! A [`Lock`] and a [`Semaphore`] that work across processes, like Python's
//! `multiprocessing.Lock` and `multiprocessing.Semaphore`: POSIX semaphores in
//! shared memory (`sem_init` with `pshared = 1`), made before the fork.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::error::Result;
use super::shm::Shm;

/// A counting semaphore in shared memory.
#[derive(Clone)]
struct Sem {
    shm: Arc<Shm>,
}

impl Sem {
    fn new(value: u32) -> io::Result<Sem> {
        let shm = Shm::new(size_of::<libc::sem_t>())?;
        // SAFETY: the mapping is page-aligned, large enough, and not yet shared.
        if unsafe { libc::sem_init(shm.as_ptr().cast(), 1, value) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Sem { shm: Arc::new(shm) })
    }

    fn raw(&self) -> *mut libc::sem_t {
        self.shm.as_ptr().cast()
    }

    fn wait(&self) {
        if crate::interrupt::watching() {
            // In slices, to notice an interrupt.
            crate::interrupt::blocking(|slice| {
                self.wait_once(slice.unwrap_or(crate::interrupt::SLICE))
                    .then_some(())
            });
            return;
        }
        // SAFETY: an initialised semaphore that lives as long as `self`.
        while unsafe { libc::sem_wait(self.raw()) } != 0 {
            let e = io::Error::last_os_error();
            assert_eq!(e.kind(), io::ErrorKind::Interrupted, "sem_wait: {e}");
        }
    }

    fn try_wait(&self) -> bool {
        // SAFETY: as in `wait`.
        unsafe { libc::sem_trywait(self.raw()) == 0 }
    }

    fn wait_timeout(&self, timeout: Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        crate::interrupt::blocking(|slice| {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.wait_once(slice.map_or(left, |slice| slice.min(left))) {
                true => Some(true),
                false if left.is_zero() => Some(false),
                false => None,
            }
        })
    }

    /// One `sem_timedwait` of at most `timeout`; `true` if it took a place.
    fn wait_once(&self, timeout: Duration) -> bool {
        // sem_timedwait wants a deadline on the realtime clock.
        let deadline = SystemTime::now() + timeout;
        let since = deadline.duration_since(UNIX_EPOCH).unwrap_or_default();
        let ts = libc::timespec {
            tv_sec: since.as_secs() as libc::time_t,
            tv_nsec: since.subsec_nanos() as _,
        };
        loop {
            // SAFETY: as in `wait`; `ts` is a valid timespec.
            if unsafe { libc::sem_timedwait(self.raw(), &ts) } == 0 {
                return true;
            }
            if io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
                return false;
            }
        }
    }

    fn post(&self) {
        // SAFETY: as in `wait`.
        unsafe { libc::sem_post(self.raw()) };
    }

    fn value(&self) -> i32 {
        let mut value = 0;
        // SAFETY: as in `wait`; `value` is a valid out pointer.
        unsafe { libc::sem_getvalue(self.raw(), &mut value) };
        value
    }
}

/// A lock that processes share: one holder at a time, across `fork`.
///
/// Make it before starting the processes that use it; each gets a copy that
/// refers to the same lock. Holding it is a guard: the lock is released when
/// the guard is dropped (Python's `with lock:`).
///
/// ```
/// use multitask::multiprocessing::{Lock, Process, Value};
///
/// let counter = Value::new(0_i64)?;
/// let lock = Lock::new()?;
/// let workers: Vec<Process> = (0..4)
///     .map(|_| {
///         let (counter, lock) = (counter.clone(), lock.clone());
///         Process::new(move || {
///             for _ in 0..1000 {
///                 let _held = lock.acquire();
///                 counter.set(counter.get() + 1); // read, add, write: safe only under the lock
///             }
///         })
///     })
///     .collect();
/// for w in &workers { w.start()?; }
/// for w in &workers { w.join()?; }
/// assert_eq!(counter.get(), 4000);
/// # Ok::<(), multitask::multiprocessing::Error>(())
/// ```
#[derive(Clone)]
pub struct Lock {
    sem: Sem,
}

impl Lock {
    /// A new, free lock.
    ///
    /// # Errors
    /// [`Error::Os`](super::Error::Os) if shared memory cannot be mapped.
    pub fn new() -> Result<Lock> {
        crate::probe::lock_made();
        Ok(Lock { sem: Sem::new(1)? })
    }

    /// Waits for the lock and holds it until the guard is dropped.
    pub fn acquire(&self) -> LockGuard<'_> {
        self.sem.wait();
        LockGuard { sem: &self.sem }
    }

    /// Takes the lock if it is free, without waiting.
    ///
    /// ```
    /// let lock = multitask::multiprocessing::Lock::new()?;
    /// let held = lock.try_acquire().expect("free");
    /// assert!(lock.try_acquire().is_none());
    /// drop(held);
    /// assert!(lock.try_acquire().is_some());
    /// # Ok::<(), multitask::multiprocessing::Error>(())
    /// ```
    pub fn try_acquire(&self) -> Option<LockGuard<'_>> {
        self.sem.try_wait().then(|| LockGuard { sem: &self.sem })
    }

    /// Waits at most `timeout` for the lock.
    pub fn acquire_timeout(&self, timeout: Duration) -> Option<LockGuard<'_>> {
        self.sem
            .wait_timeout(timeout)
            .then(|| LockGuard { sem: &self.sem })
    }

    /// Is someone holding it right now?
    pub fn locked(&self) -> bool {
        self.sem.value() == 0
    }
}

impl fmt::Debug for Lock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.locked() { "locked" } else { "unlocked" };
        write!(f, "<Lock({state})>")
    }
}

/// Holding a [`Lock`]; dropping it releases the lock.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct LockGuard<'a> {
    sem: &'a Sem,
}

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        self.sem.post();
    }
}

/// A counter of free places that processes share: `acquire` takes one (waiting
/// while there are none), dropping the guard gives it back.
///
/// ```
/// use multitask::multiprocessing::Semaphore;
/// let places = Semaphore::new(2)?;
/// let a = places.acquire();
/// let b = places.acquire();
/// assert_eq!(places.get_value(), 0);
/// assert!(places.try_acquire().is_none());
/// drop(a);
/// assert_eq!(places.get_value(), 1);
/// # drop(b);
/// # Ok::<(), multitask::multiprocessing::Error>(())
/// ```
#[derive(Clone)]
pub struct Semaphore {
    sem: Sem,
}

impl Semaphore {
    /// A semaphore with `value` free places.
    ///
    /// # Errors
    /// [`Error::Os`](super::Error::Os) if shared memory cannot be mapped.
    pub fn new(value: u32) -> Result<Semaphore> {
        Ok(Semaphore {
            sem: Sem::new(value)?,
        })
    }

    /// Waits for a free place and keeps it until the guard is dropped.
    pub fn acquire(&self) -> SemaphoreGuard<'_> {
        self.sem.wait();
        SemaphoreGuard { sem: &self.sem }
    }

    /// Takes a free place if there is one, without waiting.
    pub fn try_acquire(&self) -> Option<SemaphoreGuard<'_>> {
        self.sem
            .try_wait()
            .then(|| SemaphoreGuard { sem: &self.sem })
    }

    /// Waits at most `timeout` for a free place.
    pub fn acquire_timeout(&self, timeout: Duration) -> Option<SemaphoreGuard<'_>> {
        self.sem
            .wait_timeout(timeout)
            .then(|| SemaphoreGuard { sem: &self.sem })
    }

    /// Adds a free place without a guard (Python's bare `release()`).
    pub fn release(&self) {
        self.sem.post();
    }

    /// How many places are free now.
    pub fn get_value(&self) -> i32 {
        self.sem.value()
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<Semaphore(value={})>", self.get_value())
    }
}

/// Holding a place of a [`Semaphore`]; dropping it gives the place back.
#[must_use = "the place is given back as soon as the guard is dropped"]
pub struct SemaphoreGuard<'a> {
    sem: &'a Sem,
}

impl Drop for SemaphoreGuard<'_> {
    fn drop(&mut self) {
        self.sem.post();
    }
}
