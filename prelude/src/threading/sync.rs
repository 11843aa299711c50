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
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use super::wakeup::{Wakeup, lock};
use crate::exception::Exception;
use crate::explore::model::{Label, Made, Model};

/// A point where another explored thread may go first — unless this one is
/// unwinding (a guard dropped by a panic lets go without a turn).
fn turn(model: Option<&dyn Model>) {
    if let Some(model) = model.filter(|_| !std::thread::panicking()) {
        model.point();
    }
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
#[derive(Clone)]
pub struct Lock {
    inner: Arc<(Mutex<Hold>, Wakeup)>,
    label: Label,
    made: Made,
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

impl Default for Lock {
    fn default() -> Lock {
        Lock::new()
    }
}

impl Lock {
    /// A free lock.
    pub fn new() -> Lock {
        Lock {
            inner: Arc::default(),
            label: Label::new("lock"),
            made: Made::here(),
        }
    }

    /// The same lock, with a name for [`explore`](crate::explore::explore)'s
    /// schedules (`A: take left`); unnamed it is `lock #1`, `lock #2`, …
    pub fn named(self, name: impl Into<String>) -> Lock {
        Lock {
            label: self.label.named(name),
            ..self
        }
    }

    /// Waits for the lock; held until the guard is dropped.
    pub fn acquire(&self) -> LockGuard<'_> {
        self.acquire_until(None).expect("no deadline")
    }

    /// Takes the lock if it is free.
    pub fn try_acquire(&self) -> Option<LockGuard<'_>> {
        self.acquire_until(Some(Instant::now()))
    }

    /// Waits at most `timeout` for the lock. (Inside
    /// [`explore`](crate::explore::explore) time does not pass: it gives up
    /// at once if the lock is taken.)
    pub fn acquire_timeout(&self, timeout: Duration) -> Option<LockGuard<'_>> {
        self.acquire_until(Some(Instant::now() + timeout))
    }

    fn acquire_until(&self, deadline: Option<Instant>) -> Option<LockGuard<'_>> {
        let (state, wakeup) = &*self.inner;
        let free = |h: &Hold| h.by.is_none();
        self.made.model(&self.label, |model| {
            let (mut held, ok) = match model {
                None => {
                    let held = lock(state);
                    // Blocked on it: a recording shows the wait.
                    let _traced = (held.by.is_some() && deadline.is_none())
                        .then(|| {
                            crate::trace::during(crate::trace::State::Waiting, format_args!("lock"))
                        })
                        .flatten();
                    wakeup.wait_until(held, deadline, free)
                }
                Some(model) => {
                    let what = self.label.to_string();
                    wakeup.park_until(state, deadline, model, &what, free)
                }
            };
            ok.then(|| {
                held.next += 1;
                held.by = Some(held.next);
                held.lane = crate::trace::here();
                if let Some(lane) = held.lane {
                    crate::trace::hold(lane, true, format_args!("lock"));
                }
                if let Some(model) = model {
                    model.step(format!("take {}", self.label));
                    model.hold(&self.label.to_string(), true);
                }
                LockGuard {
                    lock: self,
                    hold: held.next,
                }
            })
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
        if self.let_go(None) {
            Ok(())
        } else {
            Err(Exception::runtime_error("release unlocked lock"))
        }
    }

    /// Lets go of hold `hold` (any hold: `None`); `false` if it was not held.
    fn let_go(&self, hold: Option<u64>) -> bool {
        self.made.model(&self.label, |model| {
            turn(model);
            let mut held = lock(&self.inner.0);
            if held.by.is_none() || hold.is_some_and(|hold| held.by != Some(hold)) {
                return false;
            }
            held.let_go();
            drop(held);
            if let Some(model) = model {
                model.step(format!("release {}", self.label));
                model.hold(&self.label.to_string(), false);
            }
            self.inner.1.notify_one();
            true
        })
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
        self.lock.let_go(Some(self.hold));
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
#[derive(Clone)]
pub struct RLock {
    inner: Arc<(Mutex<Owner>, Wakeup)>,
    label: Label,
    made: Made,
}

/// Who holds an [`RLock`], and how many times.
type Owner = Option<(Who, usize)>;

/// A thread: a system thread, or one that `explore` runs (all of which
/// share one system thread).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Who {
    System(ThreadId),
    Explored(usize),
}

impl Who {
    fn me(model: Option<&dyn Model>) -> Who {
        match model {
            None => Who::System(std::thread::current().id()),
            Some(model) => Who::Explored(model.me()),
        }
    }
}

impl Default for RLock {
    fn default() -> RLock {
        RLock::new()
    }
}

impl RLock {
    /// A free re-entrant lock.
    pub fn new() -> RLock {
        RLock {
            inner: Arc::default(),
            label: Label::new("rlock"),
            made: Made::here(),
        }
    }

    /// The same lock, with a name for [`explore`](crate::explore::explore)'s schedules.
    pub fn named(self, name: impl Into<String>) -> RLock {
        RLock {
            label: self.label.named(name),
            ..self
        }
    }

    /// Takes the lock (again, if this thread holds it).
    pub fn acquire(&self) -> RLockGuard<'_> {
        self.made.model(&self.label, |model| {
            let me = Who::me(model);
            let what = self.label.to_string();
            let (mut owner, _) = self.inner.1.wait(&self.inner.0, None, model, &what, |o| {
                o.is_none_or(|(who, _)| who == me)
            });
            let count = owner.map_or(0, |(_, n)| n) + 1;
            *owner = Some((me, count));
            if let Some(model) = model {
                model.step(format!("take {what} (held ×{count})"));
                model.hold(&what, true);
            }
            RLockGuard {
                lock: self,
                _on_its_thread: std::marker::PhantomData,
            }
        })
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
        self.made.model(&self.label, |model| {
            turn(model);
            let me = Who::me(model);
            let mut owner = lock(&self.inner.0);
            let Some((who, n)) = *owner else { return false };
            if who != me {
                return false;
            }
            *owner = (n > 1).then_some((who, n - 1));
            let free = owner.is_none();
            drop(owner);
            if let Some(model) = model {
                model.step(format!("release {} (held ×{})", self.label, n - 1));
                if free {
                    model.hold(&self.label.to_string(), false);
                }
            }
            if free {
                self.inner.1.notify_one();
            }
            true
        })
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
#[derive(Clone)]
pub struct Event {
    inner: Arc<(Mutex<bool>, Wakeup)>,
    label: Label,
    made: Made,
}

impl Default for Event {
    fn default() -> Event {
        Event::new()
    }
}

impl Event {
    /// An event not yet set.
    pub fn new() -> Event {
        Event {
            inner: Arc::default(),
            label: Label::new("event"),
            made: Made::here(),
        }
    }

    /// The same event, with a name for [`explore`](crate::explore::explore)'s schedules.
    pub fn named(self, name: impl Into<String>) -> Event {
        Event {
            label: self.label.named(name),
            ..self
        }
    }

    /// Sets the flag to `to`, as one step (`set` or `clear`).
    fn put(&self, to: bool, verb: &str) {
        self.made.model(&self.label, |model| {
            turn(model);
            *lock(&self.inner.0) = to;
            if let Some(model) = model {
                model.step(format!("{verb} {}", self.label));
            }
        });
    }

    /// Sets the flag and wakes everyone waiting.
    pub fn set(&self) {
        self.put(true, "set");
        self.inner.1.notify_all();
    }

    /// Clears the flag.
    pub fn clear(&self) {
        self.put(false, "clear");
    }

    /// Is the flag set?
    pub fn is_set(&self) -> bool {
        *lock(&self.inner.0)
    }

    /// Waits until the flag is set.
    pub fn wait(&self) {
        self.wait_until(None);
    }

    /// Waits at most `timeout`; `true` if the flag is set. (Inside
    /// [`explore`](crate::explore::explore) time does not pass: it answers at
    /// once.)
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        self.wait_until(Some(Instant::now() + timeout))
    }

    fn wait_until(&self, deadline: Option<Instant>) -> bool {
        self.made.model(&self.label, |model| {
            let what = self.label.to_string();
            let (flag, set) = self
                .inner
                .1
                .wait(&self.inner.0, deadline, model, &what, |s| *s);
            drop(flag);
            if let Some(model) = model {
                let seen = if set { "set" } else { "not set" };
                model.step(format!("see {what} {seen}"));
            }
            set
        })
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
    inner: Arc<(Mutex<usize>, Wakeup)>,
    /// A [`BoundedSemaphore`]'s starting value, which `release` may not pass.
    bound: Option<usize>,
    label: Label,
    made: Made,
}

impl Semaphore {
    /// A semaphore with `value` free places.
    pub fn new(value: usize) -> Semaphore {
        Semaphore {
            inner: Arc::new((Mutex::new(value), Wakeup::default())),
            bound: None,
            label: Label::new("semaphore"),
            made: Made::here(),
        }
    }

    /// The same semaphore, with a name for [`explore`](crate::explore::explore)'s schedules.
    pub fn named(self, name: impl Into<String>) -> Semaphore {
        Semaphore {
            label: self.label.named(name),
            ..self
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

    /// Waits at most `timeout` for a free place. (Inside
    /// [`explore`](crate::explore::explore) time does not pass: it gives up
    /// at once if none is free.)
    pub fn acquire_timeout(&self, timeout: Duration) -> Option<SemaphoreGuard<'_>> {
        self.acquire_until(Some(Instant::now() + timeout))
    }

    fn acquire_until(&self, deadline: Option<Instant>) -> Option<SemaphoreGuard<'_>> {
        self.made.model(&self.label, |model| {
            let what = self.label.to_string();
            let (mut value, ok) = self
                .inner
                .1
                .wait(&self.inner.0, deadline, model, &what, |v| *v > 0);
            ok.then(|| {
                *value -= 1;
                if let Some(model) = model {
                    model.step(format!("take a place of {what} ({} left)", *value));
                    model.hold(&what, true);
                }
                SemaphoreGuard { sem: self }
            })
        })
    }

    /// Adds a free place without a guard (Python's bare `release()`).
    pub fn release(&self) {
        self.give_back();
    }

    /// Adds a free place; `false` (adding none) past a bound.
    fn give_back(&self) -> bool {
        self.made.model(&self.label, |model| {
            turn(model);
            let mut value = lock(&self.inner.0);
            if self.bound.is_some_and(|bound| *value >= bound) {
                return false;
            }
            *value += 1;
            let now = *value;
            drop(value);
            if let Some(model) = model {
                model.step(format!("give back a place of {} ({now} left)", self.label));
                model.hold(&self.label.to_string(), false);
            }
            self.inner.1.notify_one();
            true
        })
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

    /// The same semaphore, with a name for [`explore`](crate::explore::explore)'s schedules.
    pub fn named(self, name: impl Into<String>) -> BoundedSemaphore {
        BoundedSemaphore {
            sem: self.sem.named(name),
        }
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
#[derive(Clone)]
pub struct Condition {
    lock: Lock,
    asleep: Arc<(Mutex<Asleep>, Wakeup)>,
}

/// Who waits on a [`Condition`]: a ticket each, in the order they came;
/// `notify(n)` wakes the first `n`.
#[derive(Default)]
struct Asleep {
    tickets: std::collections::VecDeque<u64>,
    next: u64,
}

impl Default for Condition {
    fn default() -> Condition {
        Condition::new()
    }
}

impl Condition {
    /// A condition with a lock of its own.
    pub fn new() -> Condition {
        Condition {
            lock: Lock {
                label: Label::new("condition"),
                ..Lock::new()
            },
            asleep: Arc::default(),
        }
    }

    /// The same condition, with a name for [`explore`](crate::explore::explore)'s schedules.
    pub fn named(self, name: impl Into<String>) -> Condition {
        Condition {
            lock: self.lock.named(name),
            ..self
        }
    }

    /// Takes the condition's lock.
    pub fn acquire(&self) -> ConditionGuard<'_> {
        ConditionGuard {
            guard: Some(self.lock.acquire()),
            cond: self,
        }
    }

    /// Wakes up to `n` waiting threads (Python's `notify(n)`).
    pub fn notify(&self, n: usize) {
        self.wake(n, "notify");
    }

    /// Wakes every waiting thread.
    pub fn notify_all(&self) {
        self.wake(usize::MAX, "notify_all");
    }

    fn wake(&self, n: usize, verb: &str) {
        let label = &self.lock.label;
        self.lock.made.model(label, |model| {
            turn(model);
            let mut asleep = lock(&self.asleep.0);
            let woken = n.min(asleep.tickets.len());
            asleep.tickets.drain(..woken);
            drop(asleep);
            if let Some(model) = model {
                model.step(format!("{verb} {label}: {woken} woken"));
            }
        });
        self.asleep.1.notify_all();
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
    guard: Option<LockGuard<'a>>,
    cond: &'a Condition,
}

impl ConditionGuard<'_> {
    /// Lets go of the lock until notified, then takes it again.
    pub fn wait(&mut self) {
        self.wait_until(None);
    }

    /// Waits at most `timeout`; `false` if it timed out. (Inside
    /// [`explore`](crate::explore::explore) time does not pass: it times out
    /// at once unless notified before it could sleep.)
    pub fn wait_timeout(&mut self, timeout: Duration) -> bool {
        self.wait_until(Some(Instant::now() + timeout))
    }

    fn wait_until(&mut self, deadline: Option<Instant>) -> bool {
        let cond = self.cond;
        let label = &cond.lock.label;
        let ticket = {
            let mut asleep = lock(&cond.asleep.0);
            asleep.next += 1;
            let ticket = asleep.next;
            asleep.tickets.push_back(ticket);
            ticket
        };
        /// Leaves the waiting room when the wait ends (also by an interrupt).
        struct Leave<'a>(&'a Mutex<Asleep>, u64);
        impl Drop for Leave<'_> {
            fn drop(&mut self) {
                lock(self.0).tickets.retain(|t| *t != self.1);
            }
        }
        let _leave = Leave(&cond.asleep.0, ticket);
        drop(self.guard.take());
        let notified = cond.lock.made.model(label, |model| {
            if let Some(model) = model {
                model.step(format!("wait on {label}"));
            }
            let what = format!("notify on {label}");
            let woken = |a: &Asleep| !a.tickets.contains(&ticket);
            cond.asleep
                .1
                .wait(&cond.asleep.0, deadline, model, &what, woken)
                .1
        });
        self.guard = Some(cond.lock.acquire());
        notified
    }

    /// Waits until `ready()` holds (Python's `wait_for`).
    pub fn wait_for(&mut self, ready: impl Fn() -> bool) {
        while !ready() {
            self.wait();
        }
    }
}
