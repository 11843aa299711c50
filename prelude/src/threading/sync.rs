//! Python's `threading` locks — [`Lock`], [`RLock`], [`Condition`],
//! [`Event`], [`Semaphore`] — over `std::sync`.
//!
//! Each is a handle: `clone()` gives another handle to the *same* lock, the
//! way a Python name refers to one object; move a clone into each thread.
//! Holding a lock is a guard, released when the guard is dropped (Python's
//! `with lock:`).
//!
//! Rust's own idiom goes one step further: `Mutex<T>` puts the data *inside*
//! the lock, so the compiler refuses code that touches it without holding it.
//! These helpers lock nothing in particular, as Python's do; prefer
//! `Mutex<T>` in code of your own.

use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use crate::interrupt::wait_until;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A plain lock: one holder at a time (Python's `threading.Lock`).
///
/// ```
/// use multitask::threading::{Lock, Thread};
///
/// let lock = Lock::new();
/// let held = lock.acquire();
/// assert!(lock.locked());
/// assert!(lock.try_acquire().is_none());
/// drop(held);
/// assert!(!lock.locked());
/// ```
#[derive(Clone, Default)]
pub struct Lock {
    inner: Arc<(Mutex<bool>, Condvar)>,
}

impl Lock {
    /// A free lock.
    pub fn new() -> Lock {
        Lock::default()
    }

    /// Waits for the lock; held until the guard is dropped.
    pub fn acquire(&self) -> LockGuard<'_> {
        self.acquire_until(None).expect("no deadline")
    }

    /// Takes the lock if it is free.
    pub fn try_acquire(&self) -> Option<LockGuard<'_>> {
        self.acquire_until(Some(Instant::now()))
    }

    /// Waits at most `timeout` for the lock.
    pub fn acquire_timeout(&self, timeout: Duration) -> Option<LockGuard<'_>> {
        self.acquire_until(Some(Instant::now() + timeout))
    }

    fn acquire_until(&self, deadline: Option<Instant>) -> Option<LockGuard<'_>> {
        let (held, cv) = &*self.inner;
        let held = lock(held);
        // Blocked on it: a recording shows the wait.
        let _traced = (*held && deadline.is_none())
            .then(|| crate::trace::during(crate::trace::State::Waiting, format_args!("lock")))
            .flatten();
        let (mut held, ok) = wait_until(cv, held, deadline, |h| !*h);
        ok.then(|| {
            *held = true;
            LockGuard { lock: self }
        })
    }

    /// Is it held?
    pub fn locked(&self) -> bool {
        *lock(&self.inner.0)
    }
}

impl fmt::Debug for Lock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.locked() { "locked" } else { "unlocked" };
        write!(f, "<{state} Lock>")
    }
}

/// Holding a [`Lock`].
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct LockGuard<'a> {
    lock: &'a Lock,
}

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        *lock(&self.lock.inner.0) = false;
        self.lock.inner.1.notify_one();
    }
}

/// A re-entrant lock: the thread holding it may take it again; it is free
/// once every guard is dropped (Python's `threading.RLock`).
///
/// ```
/// use multitask::threading::RLock;
/// let r = RLock::new();
/// let outer = r.acquire();
/// let inner = r.acquire(); // a plain Lock would wait forever here
/// drop(inner);
/// drop(outer);
/// ```
#[derive(Clone, Default)]
pub struct RLock {
    inner: Arc<(Mutex<Owner>, Condvar)>,
}

/// Who holds an [`RLock`], and how many times.
type Owner = Option<(ThreadId, usize)>;

impl RLock {
    /// A free re-entrant lock.
    pub fn new() -> RLock {
        RLock::default()
    }

    /// Takes the lock (again, if this thread holds it).
    pub fn acquire(&self) -> RLockGuard<'_> {
        let me = std::thread::current().id();
        let (owner, cv) = &*self.inner;
        let (mut owner, _) = wait_until(cv, lock(owner), None, |o| {
            o.is_none_or(|(who, _)| who == me)
        });
        let count = owner.map_or(0, |(_, n)| n);
        *owner = Some((me, count + 1));
        RLockGuard { lock: self }
    }
}

impl fmt::Debug for RLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *lock(&self.inner.0) {
            None => write!(f, "<unlocked RLock count=0>"),
            Some((_, n)) => write!(f, "<locked RLock count={n}>"),
        }
    }
}

/// Holding an [`RLock`] once.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RLockGuard<'a> {
    lock: &'a RLock,
}

impl Drop for RLockGuard<'_> {
    fn drop(&mut self) {
        let mut owner = lock(&self.lock.inner.0);
        *owner = match *owner {
            Some((who, n)) if n > 1 => Some((who, n - 1)),
            _ => None,
        };
        if owner.is_none() {
            self.lock.inner.1.notify_one();
        }
    }
}

/// A flag threads wait for (Python's `threading.Event`).
///
/// ```
/// use multitask::threading::{Event, Thread};
/// let ready = Event::new();
/// let t = Thread::new({ let ready = ready.clone(); move || ready.wait() });
/// t.start()?;
/// assert!(!ready.is_set());
/// ready.set();
/// t.join()?;
/// # Ok::<(), multitask::threading::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Event {
    inner: Arc<(Mutex<bool>, Condvar)>,
}

impl Event {
    /// An event not yet set.
    pub fn new() -> Event {
        Event::default()
    }

    /// Sets the flag and wakes everyone waiting.
    pub fn set(&self) {
        *lock(&self.inner.0) = true;
        self.inner.1.notify_all();
    }

    /// Clears the flag.
    pub fn clear(&self) {
        *lock(&self.inner.0) = false;
    }

    /// Is the flag set?
    pub fn is_set(&self) -> bool {
        *lock(&self.inner.0)
    }

    /// Waits until the flag is set.
    pub fn wait(&self) {
        let _ = wait_until(&self.inner.1, lock(&self.inner.0), None, |s| *s);
    }

    /// Waits at most `timeout`; `true` if the flag is set.
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        let deadline = Some(Instant::now() + timeout);
        wait_until(&self.inner.1, lock(&self.inner.0), deadline, |s| *s).1
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.is_set() { "set" } else { "unset" };
        write!(f, "<Event: {state}>")
    }
}

/// A counter of free places (Python's `threading.Semaphore`).
///
/// ```
/// use multitask::threading::Semaphore;
/// let s = Semaphore::new(1);
/// let place = s.acquire();
/// assert!(s.try_acquire().is_none());
/// drop(place);
/// assert_eq!(s.value(), 1);
/// ```
#[derive(Clone)]
pub struct Semaphore {
    inner: Arc<(Mutex<usize>, Condvar)>,
}

impl Semaphore {
    /// A semaphore with `value` free places.
    pub fn new(value: usize) -> Semaphore {
        Semaphore {
            inner: Arc::new((Mutex::new(value), Condvar::new())),
        }
    }

    /// Waits for a free place; given back when the guard is dropped.
    pub fn acquire(&self) -> SemaphoreGuard<'_> {
        self.acquire_until(None).expect("no deadline")
    }

    /// Takes a free place if there is one.
    pub fn try_acquire(&self) -> Option<SemaphoreGuard<'_>> {
        self.acquire_until(Some(Instant::now()))
    }

    /// Waits at most `timeout` for a free place.
    pub fn acquire_timeout(&self, timeout: Duration) -> Option<SemaphoreGuard<'_>> {
        self.acquire_until(Some(Instant::now() + timeout))
    }

    fn acquire_until(&self, deadline: Option<Instant>) -> Option<SemaphoreGuard<'_>> {
        let (value, cv) = &*self.inner;
        let (mut value, ok) = wait_until(cv, lock(value), deadline, |v| *v > 0);
        ok.then(|| {
            *value -= 1;
            SemaphoreGuard { sem: self }
        })
    }

    /// Adds a free place without a guard (Python's bare `release()`).
    pub fn release(&self) {
        *lock(&self.inner.0) += 1;
        self.inner.1.notify_one();
    }

    /// How many places are free.
    pub fn value(&self) -> usize {
        *lock(&self.inner.0)
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<Semaphore value={}>", self.value())
    }
}

/// Holding a place of a [`Semaphore`].
#[must_use = "the place is given back as soon as the guard is dropped"]
pub struct SemaphoreGuard<'a> {
    sem: &'a Semaphore,
}

impl Drop for SemaphoreGuard<'_> {
    fn drop(&mut self) {
        self.sem.release();
    }
}

/// A lock with a waiting room (Python's `threading.Condition`): hold it,
/// check a condition, and `wait` — which lets go of the lock while asleep —
/// until another thread changed things and called `notify`.
///
/// ```
/// use multitask::threading::{Condition, Thread};
/// use std::sync::{Arc, atomic::{AtomicUsize, Ordering}};
///
/// let cond = Condition::new();
/// let items = Arc::new(AtomicUsize::new(0));
/// let consumer = Thread::new({
///     let (cond, items) = (cond.clone(), items.clone());
///     move || {
///         let mut held = cond.acquire();
///         held.wait_for(|| items.load(Ordering::SeqCst) > 0);
///         items.fetch_sub(1, Ordering::SeqCst)
///     }
/// });
/// consumer.start()?;
/// {
///     let _held = cond.acquire();
///     items.fetch_add(1, Ordering::SeqCst);
///     cond.notify(1);
/// }
/// assert_eq!(consumer.join()?, 1);
/// # Ok::<(), multitask::threading::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Condition {
    inner: Arc<(Mutex<()>, Condvar)>,
}

impl Condition {
    /// A condition with a lock of its own.
    pub fn new() -> Condition {
        Condition::default()
    }

    /// Takes the condition's lock.
    pub fn acquire(&self) -> ConditionGuard<'_> {
        ConditionGuard {
            guard: Some(lock(&self.inner.0)),
            cv: &self.inner.1,
        }
    }

    /// Wakes up to `n` waiting threads (Python's `notify(n)`).
    pub fn notify(&self, n: usize) {
        for _ in 0..n {
            self.inner.1.notify_one();
        }
    }

    /// Wakes every waiting thread.
    pub fn notify_all(&self) {
        self.inner.1.notify_all();
    }
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<Condition>")
    }
}

/// Holding a [`Condition`]'s lock.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct ConditionGuard<'a> {
    guard: Option<MutexGuard<'a, ()>>,
    cv: &'a Condvar,
}

impl ConditionGuard<'_> {
    /// Lets go of the lock until notified (or woken spuriously: check your
    /// condition again, or use [`wait_for`](ConditionGuard::wait_for)).
    pub fn wait(&mut self) {
        let guard = self.guard.take().expect("held");
        if !crate::interrupt::watching() {
            self.guard = Some(self.cv.wait(guard).unwrap_or_else(|p| p.into_inner()));
            return;
        }
        // In slices, to notice an interrupt; a slice that ends without a
        // notification is not passed on as a wake-up.
        let mut guard = guard;
        loop {
            crate::interrupt::check();
            let (again, result) = self
                .cv
                .wait_timeout(guard, crate::interrupt::SLICE)
                .unwrap_or_else(|p| p.into_inner());
            guard = again;
            if !result.timed_out() {
                break;
            }
        }
        self.guard = Some(guard);
    }

    /// Waits at most `timeout`; `false` if it timed out.
    pub fn wait_timeout(&mut self, timeout: Duration) -> bool {
        let guard = self.guard.take().expect("held");
        let (guard, result) = self
            .cv
            .wait_timeout(guard, timeout)
            .unwrap_or_else(|p| p.into_inner());
        self.guard = Some(guard);
        !result.timed_out()
    }

    /// Waits until `ready()` holds (Python's `wait_for`).
    pub fn wait_for(&mut self, ready: impl Fn() -> bool) {
        while !ready() {
            self.wait();
        }
    }
}
