//! [`Local`]: one value per thread, like Python's `threading.local()`.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

use thread_local::ThreadLocal;

type Init<T> = Box<dyn Fn() -> T + Send + Sync>;

/// A value of which every thread sees its own copy, made by `init` the first
/// time that thread looks (Python's `threading.local()` with attributes set
/// in `__init__`). Clones are handles to the same set of copies.
///
/// ```
/// use multitask::threading::{Local, Thread};
///
/// let name = Local::new(|| String::from("unset"));
/// name.set("main".to_string());
/// let t = Thread::new({
///     let name = name.clone();
///     move || {
///         let before = name.get();
///         name.set("worker".to_string());
///         (before, name.get())
///     }
/// });
/// t.start()?;
/// assert_eq!(t.join()?, ("unset".to_string(), "worker".to_string()));
/// assert_eq!(name.get(), "main"); // the worker's write stayed in the worker
/// # Ok::<(), multitask::threading::Error>(())
/// ```
pub struct Local<T: Send> {
    inner: Arc<(ThreadLocal<RefCell<T>>, Init<T>)>,
}

impl<T: Send> Clone for Local<T> {
    fn clone(&self) -> Self {
        Local {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<T: Send> Local<T> {
    /// Per-thread values starting as `init()`.
    pub fn new(init: impl Fn() -> T + Send + Sync + 'static) -> Local<T> {
        Local {
            inner: Arc::new((ThreadLocal::new(), Box::new(init))),
        }
    }

    /// Runs `f` on this thread's value.
    ///
    /// ```
    /// let hits = multitask::threading::Local::new(|| 0_u32);
    /// hits.with(|n| *n += 1);
    /// hits.with(|n| *n += 1);
    /// assert_eq!(hits.get(), 2);
    /// ```
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let (values, init) = &*self.inner;
        let cell = values.get_or(|| RefCell::new(init()));
        f(&mut cell.borrow_mut())
    }

    /// Replaces this thread's value.
    pub fn set(&self, value: T) {
        self.with(|v| *v = value);
    }

    /// A copy of this thread's value.
    pub fn get(&self) -> T
    where
        T: Clone,
    {
        self.with(|v| v.clone())
    }
}

impl<T: Send + fmt::Debug> fmt::Debug for Local<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with(|v| write!(f, "Local({v:?} on this thread)"))
    }
}
