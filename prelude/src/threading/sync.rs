//! Python's `threading` locks — [`Lock`], [`RLock`], [`Condition`],
//! [`Event`], [`Semaphore`] — over `std::sync`.
//!
//! Each is a handle: `clone()` gives another handle to the *same* lock, the
//! way a Python name refers to one object; move a clone into each thread.
//! Holding a lock is a guard, released when the guard is dropped (Python's
//! `with lock:`). Python's own spelling works too: `acquire().forget()`
//! keeps the lock past its guard, and `release()` lets it go — or returns
//! Python's `RuntimeError` when the lock was not held.
//!
//! Rust's own idiom goes one step further: `Mutex<T>` puts the data *inside*
//! the lock, so the compiler refuses code that touches it without holding it.
//! These helpers lock nothing in particular, as Python's do; prefer
//! `Mutex<T>` in code of your own.

use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use crate::exception::Exception;
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
///
/// // Python's spelling: acquire() ... release(), by any thread.
/// lock.acquire().forget();
/// assert!(lock.release().is_ok());
/// assert_eq!(lock.release().unwrap_err().to_string(), "RuntimeError: release unlocked lock");
/// ```
#[derive(Clone, Default)]
pub struct Lock {
    inner: Arc<(Mutex<Hold>, Condvar)>,
}

/// Who holds a [`Lock`]: the number of the hold (each acquire gets the next),
/// so that a guard whose hold was released by hand releases nothing later.
#[derive(Default)]
struct Hold {
    by: Option<u64>,
    next: u64,
    /// The lane that holds it, when that is being recorded.
    lane: Option<crate::trace::LaneId>,
}

impl Hold {
    /// Free again (a recording draws the hold up to here).
    fn let_go(&mut self) {
        self.by = None;
        if let Some(lane) = self.lane.take() {
            crate::trace::hold(lane, false, format_args!("lock"));
        }
    }
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
        let _traced = (held.by.is_some() && deadline.is_none())
            .then(|| crate::trace::during(crate::trace::State::Waiting, format_args!("lock")))
            .flatten();
        let (mut held, ok) = wait_until(cv, held, deadline, |h| h.by.is_none());
        ok.then(|| {
            held.next += 1;
            held.by = Some(held.next);
            held.lane = crate::trace::here();
            if let Some(lane) = held.lane {
                crate::trace::hold(lane, true, format_args!("lock"));
            }
            LockGuard {
                lock: self,
                hold: held.next,
            }
        })
    }

    /// Is it held?
    pub fn locked(&self) -> bool {
        lock(&self.inner.0).by.is_some()
    }

    /// Lets the lock go, whoever took it and however (Python's `release()`;
    /// pair it with [`LockGuard::forget`]). A guard of that hold then
    /// releases nothing when dropped.
    ///
    /// # Errors
    /// Python's `RuntimeError: release unlocked lock` if it was not held.
    pub fn release(&self) -> Result<(), Exception> {
        let mut held = lock(&self.inner.0);
        if held.by.is_none() {
            return Err(Exception::runtime_error("release unlocked lock"));
        }
        held.let_go();
        drop(held);
        self.inner.1.notify_one();
        Ok(())
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
    hold: u64,
}

impl LockGuard<'_> {
    /// Keeps the lock held with no guard, until [`Lock::release`] — Python's
    /// `acquire()` … `release()` instead of `with lock:`.
    pub fn forget(self) {
        std::mem::forget(self);
    }
}

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        let mut held = lock(&self.lock.inner.0);
        if held.by == Some(self.hold) {
            held.let_go();
            drop(held);
            self.lock.inner.1.notify_one();
        }
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
///
/// // Python's spelling: only the thread that holds it may release it.
/// r.acquire().forget();
/// let elsewhere = std::thread::scope(|s| s.spawn(|| r.release()).join().unwrap());
/// assert_eq!(elsewhere.unwrap_err().to_string(), "RuntimeError: cannot release un-acquired lock");
/// assert!(r.release().is_ok());
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
        RLockGuard {
            lock: self,
            _on_its_thread: std::marker::PhantomData,
        }
    }

    /// Lets go of one hold of this thread's (Python's `release()`; pair it
    /// with [`RLockGuard::forget`]).
    ///
    /// # Errors
    /// Python's `RuntimeError: cannot release un-acquired lock` if this
    /// thread does not hold it.
    pub fn release(&self) -> Result<(), Exception> {
        if self.release_mine() {
            Ok(())
        } else {
            Err(Exception::runtime_error("cannot release un-acquired lock"))
        }
    }

    /// Lets go of one of this thread's holds; `false` if it has none.
    fn release_mine(&self) -> bool {
        let me = std::thread::current().id();
        let mut owner = lock(&self.inner.0);
        match *owner {
            Some((who, n)) if who == me => {
                *owner = (n > 1).then_some((who, n - 1));
                if owner.is_none() {
                    drop(owner);
                    self.inner.1.notify_one();
                }
                true
            }
            _ => false,
        }
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

/// Holding an [`RLock`] once, on the thread that took it.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RLockGuard<'a> {
    lock: &'a RLock,
    /// Dropped where it was taken: an RLock belongs to a thread.
    _on_its_thread: std::marker::PhantomData<*const ()>,
}

impl RLockGuard<'_> {
    /// Keeps this hold with no guard, until [`RLock::release`] — Python's
    /// `acquire()` … `release()` instead of `with lock:`.
    pub fn forget(self) {
        std::mem::forget(self);
    }
}

impl Drop for RLockGuard<'_> {
    fn drop(&mut self) {
        // Nothing to let go if this hold was released by hand already.
        self.lock.release_mine();
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
    /// A [`BoundedSemaphore`]'s starting value, which `release` may not pass.
    bound: Option<usize>,
}

impl Semaphore {
    /// A semaphore with `value` free places.
    pub fn new(value: usize) -> Semaphore {
        Semaphore {
            inner: Arc::new((Mutex::new(value), Condvar::new())),
            bound: None,
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
        self.give_back();
    }

    /// Adds a free place; `false` (adding none) past a bound.
    fn give_back(&self) -> bool {
        let mut value = lock(&self.inner.0);
        if self.bound.is_some_and(|bound| *value >= bound) {
            return false;
        }
        *value += 1;
        drop(value);
        self.inner.1.notify_one();
        true
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

impl SemaphoreGuard<'_> {
    /// Keeps the place with no guard, until a `release()` — Python's
    /// `acquire()` … `release()` instead of `with sem:`.
    pub fn forget(self) {
        std::mem::forget(self);
    }
}

impl Drop for SemaphoreGuard<'_> {
    fn drop(&mut self) {
        self.sem.give_back();
    }
}

/// A [`Semaphore`] that refuses to be released above its starting value
/// (Python's `threading.BoundedSemaphore`): a release with no matching
/// acquire is a bug, and it says so.
///
/// ```
/// use multitask::threading::BoundedSemaphore;
/// let s = BoundedSemaphore::new(2);
/// s.acquire().forget();
/// assert!(s.release().is_ok());
/// assert_eq!(
///     s.release().unwrap_err().to_string(),
///     "ValueError: Semaphore released too many times"
/// );
/// ```
#[derive(Clone)]
pub struct BoundedSemaphore {
    sem: Semaphore,
}

impl BoundedSemaphore {
    /// A bounded semaphore with `value` free places, and at most that many.
    pub fn new(value: usize) -> BoundedSemaphore {
        let mut sem = Semaphore::new(value);
        sem.bound = Some(value);
        BoundedSemaphore { sem }
    }

    /// Waits for a free place; given back when the guard is dropped.
    pub fn acquire(&self) -> SemaphoreGuard<'_> {
        self.sem.acquire()
    }

    /// Takes a free place if there is one.
    pub fn try_acquire(&self) -> Option<SemaphoreGuard<'_>> {
        self.sem.try_acquire()
    }

    /// Waits at most `timeout` for a free place.
    pub fn acquire_timeout(&self, timeout: Duration) -> Option<SemaphoreGuard<'_>> {
        self.sem.acquire_timeout(timeout)
    }

    /// Gives a place back (Python's `release()`).
    ///
    /// # Errors
    /// Python's `ValueError: Semaphore released too many times` when every
    /// place is free already.
    pub fn release(&self) -> Result<(), Exception> {
        if self.sem.give_back() {
            Ok(())
        } else {
            Err(Exception::value_error("Semaphore released too many times"))
        }
    }

    /// How many places are free.
    pub fn value(&self) -> usize {
        self.sem.value()
    }
}

impl fmt::Debug for BoundedSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "<BoundedSemaphore value={}/{}>",
            self.value(),
            self.sem.bound.unwrap_or(0)
        )
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
