//! Shared memory for plain data: [`Value`] and [`Array`], like Python's
//! `multiprocessing.Value('i', 0)` and `multiprocessing.Array('d', 10)`.
//!
//! Every element lives in its own 64-bit cell, read and written with atomic
//! loads and stores. That makes each `get` and each `set` whole — but
//! `v.set(v.get() + 1)` is two steps, and another process can write in
//! between: the lost update that [`Value::get_lock`] exists for.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::error::Result;
use super::shm::Shm;
use super::sync::Lock;

mod sealed {
    pub trait Sealed {}
}

/// Plain data that fits a 64-bit cell: the integers, `f32`, `f64`, `bool`,
/// `char` (Python's type codes `'i'`, `'d'`, `'c'`, …).
pub trait Plain: Copy + Send + Sync + 'static + sealed::Sealed {
    /// The value's bits.
    fn to_bits(self) -> u64;
    /// The value back from its bits.
    fn from_bits(bits: u64) -> Self;
}

macro_rules! plain_int {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl Plain for $t {
            fn to_bits(self) -> u64 { self as u64 }
            fn from_bits(bits: u64) -> Self { bits as $t }
        }
    )*};
}
plain_int!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl sealed::Sealed for f64 {}
impl Plain for f64 {
    fn to_bits(self) -> u64 {
        f64::to_bits(self)
    }
    fn from_bits(bits: u64) -> Self {
        f64::from_bits(bits)
    }
}

impl sealed::Sealed for f32 {}
impl Plain for f32 {
    fn to_bits(self) -> u64 {
        u64::from(f32::to_bits(self))
    }
    fn from_bits(bits: u64) -> Self {
        f32::from_bits(bits as u32)
    }
}

impl sealed::Sealed for bool {}
impl Plain for bool {
    fn to_bits(self) -> u64 {
        u64::from(self)
    }
    fn from_bits(bits: u64) -> Self {
        bits != 0
    }
}

impl sealed::Sealed for char {}
impl Plain for char {
    fn to_bits(self) -> u64 {
        u64::from(u32::from(self))
    }
    fn from_bits(bits: u64) -> Self {
        char::from_u32(bits as u32).unwrap_or(char::REPLACEMENT_CHARACTER)
    }
}

/// `len` shared 64-bit cells.
#[derive(Clone)]
struct Cells {
    shm: Arc<Shm>,
    len: usize,
}

impl Cells {
    fn new(len: usize) -> Result<Cells> {
        let shm = Shm::new(len * size_of::<AtomicU64>())?;
        Ok(Cells {
            shm: Arc::new(shm),
            len,
        })
    }

    fn cell(&self, i: usize) -> &AtomicU64 {
        assert!(
            i < self.len,
            "index {i} out of range for length {}",
            self.len
        );
        // SAFETY: in bounds (checked above), page-aligned memory that lives as
        // long as `self.shm`, only ever accessed through atomics.
        unsafe { AtomicU64::from_ptr(self.shm.as_ptr().cast::<u64>().add(i)) }
    }
}

/// One value in shared memory, with a lock of its own.
///
/// ```
/// use multitask::multiprocessing::{Process, Value};
///
/// let v = Value::new(1.5_f64)?;
/// let child = v.clone();
/// let p = Process::new(move || child.set(child.get() * 2.0));
/// p.start()?;
/// p.join()?;
/// assert_eq!(v.get(), 3.0); // the child wrote into our memory
/// # Ok::<(), multitask::multiprocessing::Error>(())
/// ```
#[derive(Clone)]
pub struct Value<T: Plain> {
    cells: Cells,
    lock: Lock,
    _type: std::marker::PhantomData<T>,
}

impl<T: Plain> Value<T> {
    /// A shared value, starting at `value`.
    ///
    /// # Errors
    /// [`Error::Os`](super::Error::Os) if shared memory cannot be mapped.
    pub fn new(value: T) -> Result<Value<T>> {
        let v = Value {
            cells: Cells::new(1)?,
            lock: Lock::new()?,
            _type: std::marker::PhantomData,
        };
        v.set(value);
        Ok(v)
    }

    /// The value now (Python's `v.value`).
    pub fn get(&self) -> T {
        let value = T::from_bits(self.cells.cell(0).load(Ordering::SeqCst));
        crate::probe::shared_value_read();
        value
    }

    /// Writes a new value (Python's `v.value = x`).
    pub fn set(&self, value: T) {
        self.cells.cell(0).store(value.to_bits(), Ordering::SeqCst);
    }

    /// The lock that comes with the value: hold it around a read-then-write.
    ///
    /// ```
    /// let v = multitask::multiprocessing::Value::new(41_i32)?;
    /// {
    ///     let _held = v.get_lock().acquire();
    ///     v.set(v.get() + 1);
    /// }
    /// assert_eq!(v.get(), 42);
    /// # Ok::<(), multitask::multiprocessing::Error>(())
    /// ```
    pub fn get_lock(&self) -> &Lock {
        &self.lock
    }
}

impl<T: Plain + fmt::Debug> fmt::Debug for Value<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Value({:?})", self.get())
    }
}

/// A fixed-length array in shared memory, with a lock of its own.
///
/// ```
/// use multitask::multiprocessing::{Array, Process};
///
/// let a = Array::new(&[1_i32, 2, 3])?;
/// let child = a.clone();
/// let p = Process::new(move || for i in 0..child.len() { child.set(i, -child.get(i)) });
/// p.start()?;
/// p.join()?;
/// assert_eq!(a.to_vec(), [-1, -2, -3]);
/// # Ok::<(), multitask::multiprocessing::Error>(())
/// ```
#[derive(Clone)]
pub struct Array<T: Plain> {
    cells: Cells,
    lock: Lock,
    _type: std::marker::PhantomData<T>,
}

impl<T: Plain> Array<T> {
    /// A shared array holding a copy of `values`.
    ///
    /// # Errors
    /// [`Error::Os`](super::Error::Os) if shared memory cannot be mapped.
    pub fn new(values: &[T]) -> Result<Array<T>> {
        let a = Array {
            cells: Cells::new(values.len())?,
            lock: Lock::new()?,
            _type: std::marker::PhantomData,
        };
        for (i, &v) in values.iter().enumerate() {
            a.set(i, v);
        }
        Ok(a)
    }

    /// The element at `i`. Panics if `i` is out of range.
    pub fn get(&self, i: usize) -> T {
        let value = T::from_bits(self.cells.cell(i).load(Ordering::SeqCst));
        crate::probe::shared_value_read();
        value
    }

    /// Writes the element at `i`. Panics if `i` is out of range.
    pub fn set(&self, i: usize, value: T) {
        self.cells.cell(i).store(value.to_bits(), Ordering::SeqCst);
    }

    /// How many elements it holds.
    pub fn len(&self) -> usize {
        self.cells.len
    }

    /// Is it empty?
    pub fn is_empty(&self) -> bool {
        self.cells.len == 0
    }

    /// A copy of all elements (Python's `a[:]`).
    pub fn to_vec(&self) -> Vec<T> {
        (0..self.len()).map(|i| self.get(i)).collect()
    }

    /// The lock that comes with the array.
    pub fn get_lock(&self) -> &Lock {
        &self.lock
    }
}

impl<T: Plain + fmt::Debug> fmt::Debug for Array<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Array({:?})", self.to_vec())
    }
}
