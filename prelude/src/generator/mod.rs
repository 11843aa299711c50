//! Generators: functions that pause at a `yield` and carry on from there (tutorial §2, 1.3 生成器).
//!
//! Notebook `notebooks/03-iterators-generators.ipynb`; tests
//! `tests/generator_vs_cpython.rs`, each scenario run here and in CPython
//! (`tests/py/generator_scenarios.py`).
//!
//! A [`Generator`] runs its body on a stack of its own (a stackful coroutine),
//! so the body can yield from any depth of plain function calls. It behaves
//! like a CPython generator, case by case: `next`/`send`/`throw`/`close`, the
//! four states, the return value delivered with the stop, and `yield from`.
//! Where Python raises, these methods return `Err`.
//!
//! ```
//! use multitask::prelude::*;
//!
//! // Python:  def jumping_range(n): index = 0
//! //              while index < n: jump = yield index; index += jump or 1
//! let itr: Generator<i64, i64> = Generator::new(|co| {
//!     let mut index = 0;
//!     while index < 5 {
//!         let jump = co.yield_(index)?; // `?` lets close() and throw() through
//!         index += jump.unwrap_or(1);
//!     }
//!     Ok(())
//! });
//! assert_eq!(itr.next(), Ok(0));
//! assert_eq!(itr.send(2), Ok(2));
//! assert_eq!(itr.next(), Ok(3));
//! assert_eq!(itr.send(-1), Ok(2));
//! ```

use std::cell::{Cell, UnsafeCell};
use std::fmt;
use std::ptr::NonNull;
use std::rc::Rc;

use corosensei::{Coroutine, CoroutineResult, Yielder};

use crate::exception::Exception;
use crate::stack;

mod traced;
use traced::Traced;

/// Where a generator is in its life, as `inspect.getgeneratorstate` reports it.
///
/// `Display` prints Python's names. The aliases [`GEN_CREATED`],
/// [`GEN_RUNNING`], [`GEN_SUSPENDED`] and [`GEN_CLOSED`] let code read like
/// Python's.
///
/// ```
/// use multitask::prelude::*;
///
/// let g = mygen(1);
/// assert_eq!(g.state(), GEN_CREATED);
/// g.next().unwrap();
/// assert_eq!(g.state().to_string(), "GEN_SUSPENDED");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GenState {
    /// Created, its body not started yet.
    Created,
    /// Its body is running right now (seen from inside the body).
    Running,
    /// Paused at a `yield`.
    Suspended,
    /// Finished: returned, raised, or closed.
    Closed,
}

pub use GenState::{
    Closed as GEN_CLOSED, Created as GEN_CREATED, Running as GEN_RUNNING,
    Suspended as GEN_SUSPENDED,
};

impl fmt::Display for GenState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GenState::Created => "GEN_CREATED",
            GenState::Running => "GEN_RUNNING",
            GenState::Suspended => "GEN_SUSPENDED",
            GenState::Closed => "GEN_CLOSED",
        })
    }
}

/// What a caller gets instead of a value: the stop, or an exception.
///
/// `StopIteration` carries the body's return value the first time the stop is
/// reported, and `None` every time after, as `StopIteration.value` does.
///
/// ```
/// use multitask::prelude::*;
///
/// let g: Generator<i32, (), &str> = Generator::new(|co| {
///     co.yield_(1)?;
///     Ok("done")
/// });
/// assert_eq!(g.next(), Ok(1));
/// assert_eq!(g.next(), Err(GeneratorError::StopIteration(Some("done"))));
/// assert_eq!(g.next(), Err(GeneratorError::StopIteration(None)));
/// ```
///
/// Shown (`{:?}`, what the REPL prints) as Python names it: `StopIteration`
/// for a body that returned nothing (or a stop reported before),
/// `StopIteration("done")` for one that returned a value.
///
/// ```
/// use multitask::prelude::*;
/// let g = mygen(0);
/// assert_eq!(format!("{:?}", g.next()), "Err(StopIteration)");
/// let e: GeneratorError<&str> = GeneratorError::StopIteration(Some("done"));
/// assert_eq!(format!("{e:?}"), "StopIteration(\"done\")");
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
pub enum GeneratorError<R = ()> {
    /// The generator has finished; the value is the body's return value.
    #[error("StopIteration")]
    StopIteration(Option<R>),
    /// The body raised (or did not catch what was thrown in), or the call
    /// itself was wrong.
    #[error(transparent)]
    Raised(#[from] Exception),
}

impl<R: fmt::Debug> fmt::Debug for GeneratorError<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GeneratorError::StopIteration(Some(value)) => {
                let value = format!("{value:?}");
                // Python's `return` with no value: StopIteration, bare.
                if value == "()" {
                    f.write_str("StopIteration")
                } else {
                    write!(f, "StopIteration({value})")
                }
            }
            GeneratorError::StopIteration(None) => f.write_str("StopIteration"),
            GeneratorError::Raised(exception) => f.debug_tuple("Raised").field(exception).finish(),
        }
    }
}

impl<R> GeneratorError<R> {
    /// Is this the generator's stop, as opposed to an exception?
    ///
    /// ```
    /// use multitask::prelude::*;
    /// let g = mygen(0);
    /// assert!(g.next().unwrap_err().is_stop());
    /// ```
    pub fn is_stop(&self) -> bool {
        matches!(self, GeneratorError::StopIteration(_))
    }
}

/// Inside a body, a stop becomes `StopIteration` and an exception stays itself,
/// so `sub.next()?` reads like Python; a `StopIteration` that escapes a body
/// then turns into a `RuntimeError`, as in Python 3.7+.
///
/// ```
/// use multitask::prelude::*;
/// let e: Exception = mygen(0).next().unwrap_err().into();
/// assert_eq!(e, Exception::StopIteration);
/// ```
impl<R> From<GeneratorError<R>> for Exception {
    fn from(error: GeneratorError<R>) -> Self {
        match error {
            GeneratorError::StopIteration(_) => Exception::StopIteration,
            GeneratorError::Raised(e) => e,
        }
    }
}

/// How a caller resumes a body.
enum Resume<S> {
    /// `next()` is `Send(None)`.
    Send(Option<S>),
    Throw(Exception),
    Close,
}

/// What crosses the stack switch: one byte, passed in a register. A payload
/// (the value sent, the exception thrown) waits in the [`Mailbox`]; passing
/// the whole [`Resume`] through the switch costs a store-forwarding stall
/// that tripled the price of `send`.
#[derive(Clone, Copy)]
enum Signal {
    Next,
    Sent,
    Thrown,
    Close,
}

/// A payload in the mailbox, as [`Mailbox::peek`] shows it.
enum Peeked<'a, S> {
    Next,
    Sent(&'a S),
    Thrown(&'a Exception),
    Close,
}

/// What the caller and the body share besides the stack switch: payloads on
/// their way in, and the sub-generator a `yield_from` is delegating to.
struct Mailbox<Y, S> {
    sent: Cell<Option<S>>,
    thrown: Cell<Option<Exception>>,
    /// While the body waits in [`Co::yield_from`], the caller's `next` and
    /// `send` go straight to this sub-generator instead of switching into the
    /// body only to be passed on (half the cost of each delegated item). It
    /// points into the `yield_from` frame, which clears it before it ends.
    delegate: Cell<Option<NonNull<dyn Delegate<Y, S>>>>,
    /// What a trace keeps of the generator (beside the payloads it shows).
    trace: Traced<Y, S>,
}

impl<Y, S> Mailbox<Y, S> {
    /// Puts `input`'s payload in the mailbox and returns its signal.
    #[inline]
    fn post(&self, input: Resume<S>) -> Signal {
        match input {
            Resume::Send(None) => Signal::Next,
            Resume::Send(sent) => {
                self.sent.set(sent);
                Signal::Sent
            }
            Resume::Throw(e) => {
                self.thrown.set(Some(e));
                Signal::Thrown
            }
            Resume::Close => Signal::Close,
        }
    }

    /// Lets `look` see the payload that `signal` announces (for a trace to
    /// show), and leaves it where it waits: taken out of its cell for the
    /// look, and put back.
    fn peek<R>(&self, signal: Signal, look: impl FnOnce(Peeked<'_, S>) -> R) -> R {
        match signal {
            Signal::Next => look(Peeked::Next),
            Signal::Sent => {
                let sent = self.sent.take();
                let seen = look(sent.as_ref().map_or(Peeked::Next, Peeked::Sent));
                self.sent.set(sent);
                seen
            }
            Signal::Thrown => {
                let thrown = self.thrown.take();
                let seen = look(thrown.as_ref().map_or(Peeked::Next, Peeked::Thrown));
                self.thrown.set(thrown);
                seen
            }
            Signal::Close => look(Peeked::Close),
        }
    }

    /// Takes the payload that `signal` announces.
    #[inline]
    fn receive(&self, signal: Signal) -> Resume<S> {
        match signal {
            Signal::Next => Resume::Send(None),
            Signal::Sent => Resume::Send(self.sent.take()),
            Signal::Thrown => Resume::Throw(
                self.thrown
                    .take()
                    .expect("a thrown exception waits in the mailbox"),
            ),
            Signal::Close => Resume::Close,
        }
    }
}

/// The body's side of a generator: its handle for yielding.
///
/// `Y` is what the body yields, `S` what [`Generator::send`] sends in.
///
/// ```
/// use multitask::prelude::*;
///
/// // Yielding from a helper function: the body has a stack of its own.
/// fn countdown(co: &Co<u32>, from: u32) -> Result<(), Exception> {
///     for n in (1..=from).rev() {
///         co.yield_(n)?;
///     }
///     Ok(())
/// }
/// let g: Generator<u32> = Generator::new(|co| countdown(co, 3));
/// assert_eq!(g.collect::<Vec<_>>(), [3, 2, 1]);
/// ```
pub struct Co<Y, S = ()> {
    // Both point to things that outlive the body: the yielder lives at the
    // root of the coroutine's stack, the mailbox in the generator that owns
    // the coroutine. A `Co` exists only inside the body's call (the body gets
    // a `&Co` it cannot keep), so the pointers are valid whenever it is used.
    yielder: *const Yielder<Signal, Y>,
    mailbox: *const Mailbox<Y, S>,
}

impl<Y, S> Co<Y, S> {
    fn mailbox(&self) -> &Mailbox<Y, S> {
        // SAFETY: see the fields: the mailbox outlives every use of `self`.
        unsafe { &*self.mailbox }
    }

    /// Suspends the body with `value` and returns how it was resumed.
    #[inline]
    fn suspend(&self, value: Y) -> Resume<S> {
        // SAFETY: see the fields: the yielder outlives every use of `self`.
        let signal = unsafe { &*self.yielder }.suspend(value);
        self.mailbox().receive(signal)
    }

    /// Python's `x = yield value`: hands `value` to the caller and pauses.
    ///
    /// Resumed by `next()` it returns `Ok(None)`, by `send(v)` `Ok(Some(v))`.
    /// Resumed by `throw(e)` it returns `Err(e)`, and by `close()`
    /// `Err(Exception::GeneratorExit)`: pass those on with `?` unless the body
    /// means to catch them.
    ///
    /// ```
    /// use multitask::prelude::*;
    ///
    /// let echo: Generator<String, String> = Generator::new(|co| {
    ///     let mut heard = co.yield_("ready".to_string())?;
    ///     loop {
    ///         heard = co.yield_(format!("heard {heard:?}"))?;
    ///     }
    /// });
    /// assert_eq!(echo.next().unwrap(), "ready");
    /// assert_eq!(echo.send("hi".to_string()).unwrap(), r#"heard Some("hi")"#);
    /// assert_eq!(echo.next().unwrap(), "heard None");
    /// ```
    #[inline]
    pub fn yield_(&self, value: Y) -> Result<Option<S>, Exception> {
        match self.suspend(value) {
            Resume::Send(sent) => Ok(sent),
            Resume::Throw(e) => Err(e),
            Resume::Close => Err(Exception::GeneratorExit),
        }
    }

    /// Python's `result = yield from sub`: runs `sub` to its end, passing
    /// every `next`/`send`/`throw`/`close` through to it, and evaluates to
    /// `sub`'s return value.
    ///
    /// If `sub` had already finished (its return value taken by someone
    /// else), this is a `RuntimeError`: in Rust a value can be handed over
    /// only once, where Python would give `None`.
    ///
    /// ```
    /// use multitask::prelude::*;
    ///
    /// fn inner() -> Generator<i32, (), &'static str> {
    ///     Generator::new(|co| {
    ///         co.yield_(1)?;
    ///         co.yield_(2)?;
    ///         Ok("inner done")
    ///     })
    /// }
    /// let outer: Generator<i32, (), &str> = Generator::new(|co| {
    ///     co.yield_(0)?;
    ///     let result = co.yield_from(inner())?;
    ///     Ok(result)
    /// });
    /// assert_eq!(outer.next(), Ok(0));
    /// assert_eq!(outer.next(), Ok(1));
    /// assert_eq!(outer.next(), Ok(2));
    /// assert_eq!(outer.next(), Err(GeneratorError::StopIteration(Some("inner done"))));
    /// ```
    pub fn yield_from<R>(&self, sub: Generator<Y, S, R>) -> Result<R, Exception>
    where
        Y: 'static,
        S: 'static,
        R: 'static,
    {
        /// Unregisters the delegation when `yield_from` ends, also by unwinding.
        struct Registered<'a, Y, S>(&'a Mailbox<Y, S>);
        impl<Y, S> Drop for Registered<'_, Y, S> {
            fn drop(&mut self) {
                self.0.delegate.set(None);
            }
        }

        let delegation = Delegation {
            sub,
            ended: Cell::new(None),
        };
        let mut outcome = delegation.sub.next();
        loop {
            let value = match outcome {
                Ok(value) => value,
                Err(GeneratorError::StopIteration(Some(result))) => return Ok(result),
                Err(GeneratorError::StopIteration(None)) => {
                    return Err(Exception::runtime_error(
                        "yield_from: the sub-generator had already finished",
                    ));
                }
                Err(GeneratorError::Raised(e)) => return Err(e),
            };
            let resume = {
                let delegate: &dyn Delegate<Y, S> = &delegation;
                self.mailbox().delegate.set(Some(NonNull::from(delegate)));
                let _registered = Registered(self.mailbox());
                self.suspend(value)
            };
            // Either the caller drove the sub-generator to its end directly
            // (see `Mailbox::delegate`), or it resumed us to pass something on.
            outcome = match delegation.ended.take() {
                Some(ended) => Err(ended),
                None => match resume {
                    Resume::Send(sent) => delegation.sub.inner.resume(Resume::Send(sent)),
                    Resume::Throw(e) => delegation.sub.inner.resume(Resume::Throw(e)),
                    Resume::Close => {
                        delegation.sub.close()?;
                        return Err(Exception::GeneratorExit);
                    }
                },
            };
        }
    }

    /// Python's `yield from iterable` for a plain iterator: yields each item.
    /// Values sent in are dropped, as a list iterator would.
    ///
    /// ```
    /// use multitask::prelude::*;
    /// let g: Generator<char> = Generator::new(|co| co.yield_from_iter("abc".chars()));
    /// assert_eq!(g.collect::<String>(), "abc");
    /// ```
    pub fn yield_from_iter(&self, iter: impl IntoIterator<Item = Y>) -> Result<(), Exception> {
        for item in iter {
            self.yield_(item)?;
        }
        Ok(())
    }
}

/// A sub-generator that a `yield_from` delegates to, its return type hidden.
trait Delegate<Y, S> {
    /// Resumes the sub-generator: `Some` with what it yielded, or `None` when
    /// it has finished or raised (the outcome waits for `yield_from`).
    fn send(&self, sent: Option<S>) -> Option<Y>;
}

/// The sub-generator of one `yield_from`, and how it ended.
struct Delegation<Y, S, R> {
    sub: Generator<Y, S, R>,
    ended: Cell<Option<GeneratorError<R>>>,
}

impl<Y, S, R> Delegate<Y, S> for Delegation<Y, S, R> {
    #[inline]
    fn send(&self, sent: Option<S>) -> Option<Y> {
        #[cold]
        fn end<R>(ended: &Cell<Option<GeneratorError<R>>>, error: GeneratorError<R>) {
            ended.set(Some(error));
        }
        match self.sub.inner.resume(Resume::Send(sent)) {
            Ok(value) => Some(value),
            Err(error) => {
                end(&self.ended, error);
                None
            }
        }
    }
}

type Body<Y, R> = Coroutine<Signal, Y, Result<R, Exception>, stack::Stack>;

/// A generator: a body that pauses at each yield until asked for more.
///
/// `Y` is what it yields, `S` what [`send`](Generator::send) sends in (and the
/// body receives as `Some`), `R` what the body returns at the end. The body is
/// boxed away, so `Generator<Y, S, R>` is a nameable `'static` type: a
/// generator bound with `let` in one REPL cell can be resumed in the next.
///
/// Methods take `&self` and a generator is a handle, like a Python name bound
/// to a generator object: [`share`](Generator::share) makes a second handle to
/// the same generator. Dropping the last handle closes it.
///
/// `g.next()` is Python's `next(g)` (a `Result`); the [`Iterator`]
/// implementation serves `for` loops and adaptors.
///
/// ```
/// use multitask::prelude::*;
///
/// let g = mygen(3);
/// assert_eq!(g.next(), Ok(0));
/// assert_eq!(g.send(None), Ok(1)); // send(None) is next()
/// let rest: Vec<i64> = g.collect();
/// assert_eq!(rest, [2]);
/// ```
pub struct Generator<Y, S = (), R = ()> {
    inner: Rc<Inner<Y, S, R>>,
}

struct Inner<Y, S, R> {
    state: Cell<GenState>,
    mailbox: Mailbox<Y, S>,
    /// `None` once closed: the stack has gone back to the pool. Only
    /// [`Inner::run`] and [`Inner::finish`] touch it, never both at once:
    /// `run` marks the generator `Running` and every entry point refuses a
    /// running generator, and `finish` is called only when no `run` of this
    /// generator is under way.
    body: UnsafeCell<Option<Body<Y, R>>>,
    /// `std::any::type_name` of the body closure, for the generator's name.
    type_name: &'static str,
}

impl<Y: 'static, S: 'static, R: 'static> Generator<Y, S, R> {
    /// A generator that will run `body` when first resumed.
    ///
    /// The body gets a [`Co`] to yield with and returns `Ok(value)` (Python's
    /// `return value`) or `Err(exception)` (Python's `raise`).
    ///
    /// ```
    /// use multitask::prelude::*;
    ///
    /// let g: Generator<&str> = Generator::new(|co| {
    ///     co.yield_("hello")?;
    ///     co.yield_("world")?;
    ///     Ok(())
    /// });
    /// assert_eq!(g.collect::<Vec<_>>(), ["hello", "world"]);
    /// ```
    pub fn new<F>(body: F) -> Self
    where
        F: FnOnce(&Co<Y, S>) -> Result<R, Exception> + 'static,
    {
        Self::named(std::any::type_name::<F>(), body)
    }

    fn named<F>(type_name: &'static str, body: F) -> Self
    where
        F: FnOnce(&Co<Y, S>) -> Result<R, Exception> + 'static,
    {
        let inner = Rc::new(Inner {
            state: Cell::new(GenState::Created),
            mailbox: Mailbox {
                sent: Cell::new(None),
                thrown: Cell::new(None),
                delegate: Cell::new(None),
                trace: Traced::new(type_name),
            },
            body: UnsafeCell::new(None),
            type_name,
        });
        let mailbox: *const Mailbox<Y, S> = &inner.mailbox;
        let stack = stack::take().unwrap_or_else(|e| panic!("{e}"));
        let coroutine = Coroutine::with_stack(stack, move |yielder, _first: Signal| {
            body(&Co { yielder, mailbox })
        });
        // SAFETY: nothing else can see the new generator yet.
        unsafe { *inner.body.get() = Some(coroutine) };
        Generator { inner }
    }
}

impl<Y: 'static> Generator<Y> {
    /// Wraps a lazy iterator as a generator: the analogue of Python's generator
    /// expression `(x * x for x in range(10))`. See also [`genexpr!`](crate::genexpr).
    ///
    /// ```
    /// use multitask::prelude::*;
    /// let squares = Generator::from_iterator((0..10).map(|x| x * x));
    /// assert_eq!(squares.next(), Ok(0));
    /// assert_eq!(squares.sum::<i32>(), 285);
    /// ```
    pub fn from_iterator(iter: impl IntoIterator<Item = Y> + 'static) -> Self {
        Generator::named("<genexpr>", move |co: &Co<Y>| co.yield_from_iter(iter))
    }
}

impl<Y, S, R> Generator<Y, S, R> {
    /// Python's `next(g)`: runs the body to its next yield.
    ///
    /// Returns the yielded value, `Err(StopIteration(..))` once the body has
    /// finished (every time after, too), or the exception the body raised.
    ///
    /// ```
    /// use multitask::prelude::*;
    /// let g = mygen(1);
    /// assert_eq!(g.next(), Ok(0));
    /// assert_eq!(g.next(), Err(GeneratorError::StopIteration(Some(()))));
    /// assert_eq!(g.next(), Err(GeneratorError::StopIteration(None)));
    /// ```
    #[inline]
    pub fn next(&self) -> Result<Y, GeneratorError<R>> {
        self.inner.resume(Resume::Send(None))
    }

    /// Python's `g.send(value)`: resumes the body, whose pending `yield_`
    /// returns `Ok(Some(value))`. `send(None)` is the same as `next()`.
    ///
    /// A generator that has not started has no `yield` to receive a value:
    /// sending one is a `TypeError`, as in Python.
    ///
    /// ```
    /// use multitask::prelude::*;
    /// let itr = jumping_range(5);
    /// assert_eq!(
    ///     itr.send(2).unwrap_err().to_string(),
    ///     "TypeError: can't send non-None value to a just-started generator"
    /// );
    /// assert_eq!(itr.send(None), Ok(0));
    /// assert_eq!(itr.send(2), Ok(2));
    /// ```
    #[inline]
    pub fn send(&self, value: impl Into<Option<S>>) -> Result<Y, GeneratorError<R>> {
        self.inner.resume(Resume::Send(value.into()))
    }

    /// Python's `g.throw(exc)`: raises `exc` at the paused `yield`.
    ///
    /// If the body catches it and yields again, that value comes back. If not,
    /// the exception comes back as `Err` and the generator is closed. A
    /// generator that has not started is closed without running its body.
    ///
    /// ```
    /// use multitask::prelude::*;
    /// let g = mygen(3);
    /// g.next().unwrap();
    /// let err = g.throw(Exception::value_error("stop it")).unwrap_err();
    /// assert_eq!(err.to_string(), "ValueError: stop it");
    /// assert_eq!(g.state(), GEN_CLOSED);
    /// ```
    pub fn throw(&self, exception: impl Into<Exception>) -> Result<Y, GeneratorError<R>> {
        self.inner.resume(Resume::Throw(exception.into()))
    }

    /// Python's `g.close()`: raises `GeneratorExit` at the paused `yield`,
    /// which runs the body's cleanup (its `Drop` guards, Rust's `finally`).
    ///
    /// Closing a generator that has not started never runs its body; closing a
    /// closed one does nothing. A body that yields again instead of letting
    /// `GeneratorExit` through is an error, "generator ignored GeneratorExit".
    ///
    /// ```
    /// use multitask::prelude::*;
    /// let g = fib();
    /// g.next().unwrap();
    /// g.close().unwrap();
    /// assert_eq!(g.state(), GEN_CLOSED);
    /// assert!(g.next().unwrap_err().is_stop());
    /// ```
    pub fn close(&self) -> Result<(), Exception> {
        self.inner.close()
    }

    /// Where the generator is in its life: see [`GenState`].
    ///
    /// ```
    /// use multitask::prelude::*;
    /// assert_eq!(fib().state(), GEN_CREATED);
    /// ```
    pub fn state(&self) -> GenState {
        self.inner.state.get()
    }

    /// A second handle to the same generator, like binding a second Python
    /// name to it. Both see the same state; the body lives until the last
    /// handle is dropped.
    ///
    /// ```
    /// use multitask::prelude::*;
    /// let a = mygen(3);
    /// let b = a.share();
    /// assert_eq!(a.next(), Ok(0));
    /// assert_eq!(b.next(), Ok(1));
    /// ```
    pub fn share(&self) -> Self {
        Generator {
            inner: Rc::clone(&self.inner),
        }
    }

    /// The generator's name: the function that made it (`"jumping_range"`),
    /// `"<genexpr>"` for [`Generator::from_iterator`], `"<lambda>"` for a
    /// closure written in place.
    ///
    /// ```
    /// use multitask::prelude::*;
    /// assert_eq!(jumping_range(3).name(), "jumping_range");
    /// assert_eq!(genexpr!(x, for x in 0..3).name(), "<genexpr>");
    /// ```
    pub fn name(&self) -> &'static str {
        function_name(self.inner.type_name)
    }
}

/// The function a closure was written in, from its type name
/// (`multitask::tutorial::fib::{{closure}}` → `fib`).
fn function_name(type_name: &'static str) -> &'static str {
    if !type_name.ends_with("{{closure}}") {
        return type_name;
    }
    let function = type_name
        .rsplit("::")
        .find(|segment| !segment.starts_with("{{closure"))
        .unwrap_or("<lambda>");
    // Closures written at the top level of a REPL cell, a doc test or `main`
    // belong to no function a learner named.
    match function {
        "main" | "_doctest_main" => "<lambda>",
        f if f.starts_with("run_user_code_") || f.starts_with("_doctest_main_") => "<lambda>",
        f => f,
    }
}

/// Python's `inspect.getgeneratorstate(g)`.
///
/// ```
/// use multitask::prelude::*;
/// assert_eq!(getgeneratorstate(&fib()), GEN_CREATED);
/// ```
pub fn getgeneratorstate<Y, S, R>(g: &Generator<Y, S, R>) -> GenState {
    g.state()
}

impl<Y, S, R> Inner<Y, S, R> {
    /// Resumes a paused body (the hot path, kept small enough to inline);
    /// every other state goes to [`Inner::resume_cold`].
    #[inline(always)]
    fn resume(&self, input: Resume<S>) -> Result<Y, GeneratorError<R>> {
        if self.state.get() == GenState::Suspended {
            if let Some(delegate) = self.mailbox.delegate.get() {
                return self.resume_delegating(delegate, input);
            }
            return self.resume_body(input);
        }
        self.resume_cold(input)
    }

    /// Resumes the body with `input`, and reports what it did — a turn of
    /// the generator's lane in a [`trace::record`](crate::trace::record).
    #[inline(always)]
    fn resume_body(&self, input: Resume<S>) -> Result<Y, GeneratorError<R>> {
        let signal = self.mailbox.post(input);
        if crate::trace::is_on() {
            return self.run_traced(signal);
        }
        match self.run(signal) {
            CoroutineResult::Yield(value) => Ok(value),
            CoroutineResult::Return(returned) => Err(stopped(returned)),
        }
    }

    /// [`Inner::resume_body`] in a recording, out of line: a turn recorded
    /// ([`traced`]), what was sent read where it waits in the mailbox.
    #[inline(never)]
    fn run_traced(&self, signal: Signal) -> Result<Y, GeneratorError<R>> {
        let turn = self.mailbox.trace.resumed(signal, &self.mailbox);
        match self.run(signal) {
            CoroutineResult::Yield(value) => {
                if let Some(turn) = &turn {
                    self.mailbox.trace.yielded(turn, &value);
                }
                Ok(value)
            }
            // The lane's end was recorded as the body finished (`finish`).
            CoroutineResult::Return(returned) => {
                drop(turn);
                Err(stopped(returned))
            }
        }
    }

    /// `next`/`send` go straight to the sub-generator of the body's
    /// `yield_from` (see [`Mailbox::delegate`]); anything else, and the
    /// sub-generator's end, go to the body.
    #[inline]
    fn resume_delegating(
        &self,
        delegate: NonNull<dyn Delegate<Y, S>>,
        input: Resume<S>,
    ) -> Result<Y, GeneratorError<R>> {
        match input {
            Resume::Send(sent) => match self.delegate(delegate, sent) {
                Some(value) => Ok(value),
                None => self.resume_body_cold(Resume::Send(None)),
            },
            input => self.resume_body_cold(input),
        }
    }

    /// [`Inner::resume_body`] out of line, for the rare paths.
    #[cold]
    #[inline(never)]
    fn resume_body_cold(&self, input: Resume<S>) -> Result<Y, GeneratorError<R>> {
        self.resume_body(input)
    }

    #[cold]
    #[inline(never)]
    fn resume_cold(&self, input: Resume<S>) -> Result<Y, GeneratorError<R>> {
        match (self.state.get(), input) {
            (GenState::Running, _) => Err(already_executing().into()),
            (GenState::Closed, Resume::Throw(e)) => Err(e.into()),
            (GenState::Closed, Resume::Send(_) | Resume::Close) => {
                Err(GeneratorError::StopIteration(None))
            }
            (GenState::Created, Resume::Send(Some(_))) => Err(Exception::type_error(
                "can't send non-None value to a just-started generator",
            )
            .into()),
            (GenState::Created, Resume::Throw(e)) => {
                self.finish();
                Err(e.into())
            }
            (GenState::Created, Resume::Close) => {
                self.finish();
                Err(GeneratorError::StopIteration(None))
            }
            (GenState::Created | GenState::Suspended, input) => self.resume_body(input),
        }
    }

    /// Resumes the sub-generator of the body's `yield_from`; the body stays
    /// paused and counts as running meanwhile, as in CPython.
    #[inline]
    fn delegate(&self, delegate: NonNull<dyn Delegate<Y, S>>, sent: Option<S>) -> Option<Y> {
        self.state.set(GenState::Running);
        let guard = CloseOnPanic(self);
        // SAFETY: a registered delegate lives in the paused `yield_from`
        // frame, which unregisters it before it goes away.
        let value = unsafe { delegate.as_ref() }.send(sent);
        std::mem::forget(guard);
        self.state.set(GenState::Suspended);
        value
    }

    fn close(&self) -> Result<(), Exception> {
        match self.state.get() {
            GenState::Running => Err(already_executing()),
            GenState::Created => {
                self.finish();
                Ok(())
            }
            GenState::Closed => Ok(()),
            GenState::Suspended => match self.run(Signal::Close) {
                CoroutineResult::Yield(_) => {
                    Err(Exception::runtime_error("generator ignored GeneratorExit"))
                }
                CoroutineResult::Return(Ok(_) | Err(Exception::GeneratorExit)) => Ok(()),
                CoroutineResult::Return(Err(e)) => Err(escaped(e)),
            },
        }
    }

    /// Resumes the body; leaves the state `Suspended` after a yield, or the
    /// generator closed after a return or a panic (which passes on to the caller).
    #[inline(always)]
    fn run(&self, signal: Signal) -> CoroutineResult<Y, Result<R, Exception>> {
        self.state.set(GenState::Running);
        let guard = CloseOnPanic(self);
        // SAFETY: see `Inner::body`; the state was not `Running` and is now.
        let body = unsafe { &mut *self.body.get() };
        let outcome = body
            .as_mut()
            .expect("a generator that is not closed has its body")
            .resume(signal);
        match outcome {
            CoroutineResult::Yield(_) => self.state.set(GenState::Suspended),
            CoroutineResult::Return(_) => self.finish(),
        }
        std::mem::forget(guard);
        outcome
    }

    /// Marks the generator closed, unwinds whatever is left of its body
    /// (running its `Drop` guards) and recycles the stack.
    #[cold]
    fn finish(&self) {
        self.state.set(GenState::Closed);
        self.mailbox.trace.ended();
        // SAFETY: see `Inner::body`: no `run` is under way.
        let body = unsafe { &mut *self.body.get() }.take();
        if let Some(mut body) = body {
            body.force_unwind();
            stack::give(body.into_stack());
        }
    }
}

/// Closes the generator if a panic unwinds out of its body.
struct CloseOnPanic<'a, Y, S, R>(&'a Inner<Y, S, R>);

impl<Y, S, R> Drop for CloseOnPanic<'_, Y, S, R> {
    fn drop(&mut self) {
        if self.0.state.get() == GenState::Running {
            self.0.finish();
        }
    }
}

/// What the caller sees when the body has returned.
#[cold]
fn stopped<R>(returned: Result<R, Exception>) -> GeneratorError<R> {
    match returned {
        Ok(value) => GeneratorError::StopIteration(Some(value)),
        Err(e) => escaped(e).into(),
    }
}

fn already_executing() -> Exception {
    Exception::value_error("generator already executing")
}

/// PEP 479: a `StopIteration` escaping a generator body becomes a `RuntimeError`.
fn escaped(e: Exception) -> Exception {
    match e {
        Exception::StopIteration => Exception::runtime_error("generator raised StopIteration"),
        e => e,
    }
}

impl<Y, S, R> Drop for Inner<Y, S, R> {
    /// Like CPython's generator finaliser: close a paused body so its cleanup
    /// runs, and report (not raise) what goes wrong.
    fn drop(&mut self) {
        if self.state.get() == GenState::Suspended
            && !std::thread::panicking()
            && let Err(e) = self.close()
        {
            eprintln!(
                "Exception ignored in: <generator object {}>\n{e}",
                function_name(self.type_name)
            );
        }
        self.finish();
    }
}

/// Runs the generator as an iterator: `None` at the stop.
///
/// # Panics
/// When the body raises an exception: an iterator has no other way to report
/// it (a Python `for` loop would let it propagate). Use
/// [`Generator::next`] to get it as a value instead.
impl<Y, S, R> Iterator for Generator<Y, S, R> {
    type Item = Y;

    fn next(&mut self) -> Option<Y> {
        match self.inner.resume(Resume::Send(None)) {
            Ok(value) => Some(value),
            Err(GeneratorError::StopIteration(_)) => None,
            Err(GeneratorError::Raised(e)) => panic!("exception raised in generator: {e}"),
        }
    }
}

/// Python's repr: `<generator object fib at 0x55d0c0a1b2c0>`.
impl<Y, S, R> fmt::Display for Generator<Y, S, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "<generator object {} at {:p}>",
            self.name(),
            Rc::as_ptr(&self.inner)
        )
    }
}

impl<Y, S, R> fmt::Debug for Generator<Y, S, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Generator")
            .field("name", &self.name())
            .field("state", &self.state())
            .finish()
    }
}

/// Python's generator expression: `genexpr!(x * x, for x in 0..10)` is
/// `(x * x for x in range(10))`, and `genexpr!(x, for x in v, if x > 0)`
/// filters like Python's `if` clause. The result is a lazy [`Generator`].
///
/// ```
/// use multitask::prelude::*;
///
/// let squares = genexpr!(x * x, for x in 0..10);
/// assert_eq!(squares.collect::<Vec<i32>>(), [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
///
/// let evens = genexpr!(x, for x in 0..10, if x % 2 == 0);
/// assert_eq!(evens.collect::<Vec<i32>>(), [0, 2, 4, 6, 8]);
/// ```
#[macro_export]
macro_rules! genexpr {
    ($item:expr, for $pat:pat in $iter:expr) => {
        $crate::genexpr!($item, for $pat in $iter, if true)
    };
    ($item:expr, for $pat:pat in $iter:expr, if $cond:expr) => {
        $crate::generator::Generator::from_iterator(
            ::core::iter::IntoIterator::into_iter($iter)
                .filter_map(move |$pat| if $cond { Some($item) } else { None }),
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter(n: u32) -> Generator<u32, u32, &'static str> {
        Generator::new(move |co| {
            for i in 0..n {
                co.yield_(i)?;
            }
            Ok("end")
        })
    }

    #[test]
    fn states_follow_the_life_of_a_generator() {
        let g = counter(1);
        assert_eq!(g.state(), GenState::Created);
        assert_eq!(g.next(), Ok(0));
        assert_eq!(g.state(), GenState::Suspended);
        assert_eq!(g.next(), Err(GeneratorError::StopIteration(Some("end"))));
        assert_eq!(g.state(), GenState::Closed);
    }

    #[test]
    fn refused_send_leaves_a_new_generator_new() {
        let g = counter(2);
        assert!(matches!(
            g.send(7),
            Err(GeneratorError::Raised(Exception::TypeError(_)))
        ));
        assert_eq!(g.state(), GenState::Created);
        assert_eq!(g.next(), Ok(0));
    }

    #[test]
    fn close_of_a_new_generator_never_runs_the_body() {
        let ran = Rc::new(Cell::new(false));
        let flag = Rc::clone(&ran);
        let g: Generator<()> = Generator::new(move |_| {
            flag.set(true);
            Ok(())
        });
        g.close().unwrap();
        assert_eq!(g.state(), GenState::Closed);
        assert!(!ran.get());
        assert_eq!(g.next(), Err(GeneratorError::StopIteration(None)));
    }

    #[test]
    fn dropping_a_paused_generator_runs_its_cleanup() {
        struct Guard(Rc<Cell<bool>>);
        impl Drop for Guard {
            fn drop(&mut self) {
                self.0.set(true);
            }
        }
        let cleaned = Rc::new(Cell::new(false));
        let flag = Rc::clone(&cleaned);
        let g: Generator<u8> = Generator::new(move |co| {
            let _guard = Guard(flag);
            co.yield_(1)?;
            co.yield_(2)?;
            Ok(())
        });
        assert_eq!(g.next(), Ok(1));
        drop(g);
        assert!(cleaned.get());
    }

    #[test]
    fn a_panic_reaches_the_caller_and_closes_the_generator() {
        let g: Generator<u8> = Generator::new(|co| {
            co.yield_(1)?;
            panic!("boom");
        });
        g.next().unwrap();
        let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.next()));
        let message = panic.unwrap_err();
        assert_eq!(message.downcast_ref::<&str>(), Some(&"boom"));
        assert_eq!(g.state(), GenState::Closed);
        assert_eq!(g.next(), Err(GeneratorError::StopIteration(None)));
    }

    #[test]
    fn a_panic_in_a_delegated_sub_generator_closes_both() {
        let sub: Generator<u8> = Generator::new(|co| {
            co.yield_(1)?;
            panic!("sub failed");
        });
        let watched = sub.share();
        let outer: Generator<u8> = Generator::new(move |co| co.yield_from(sub));
        assert_eq!(outer.next(), Ok(1));
        let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| outer.next()));
        assert_eq!(
            panic.unwrap_err().downcast_ref::<&str>(),
            Some(&"sub failed")
        );
        assert_eq!(outer.state(), GenState::Closed);
        assert_eq!(watched.state(), GenState::Closed);
        assert_eq!(outer.next(), Err(GeneratorError::StopIteration(None)));
    }

    #[test]
    fn a_delegated_sub_generator_sees_its_delegator_running() {
        let cell: Rc<std::cell::RefCell<Option<Generator<GenState>>>> = Rc::default();
        let seen = Rc::clone(&cell);
        let sub: Generator<GenState> = Generator::new(move |co| {
            loop {
                let outer = seen.borrow().as_ref().map(Generator::share).unwrap();
                assert!(matches!(
                    outer.next(),
                    Err(GeneratorError::Raised(Exception::ValueError(_)))
                ));
                co.yield_(outer.state())?;
            }
        });
        let outer: Generator<GenState> = Generator::new(move |co| co.yield_from(sub));
        *cell.borrow_mut() = Some(outer.share());
        assert_eq!(outer.next(), Ok(GenState::Running)); // through the body's yield_from
        assert_eq!(outer.next(), Ok(GenState::Running)); // straight to the sub-generator
        assert_eq!(outer.state(), GenState::Suspended);
        cell.borrow_mut().take();
    }

    #[test]
    fn stacks_are_recycled() {
        // A closed generator gives its stack back; the next one takes it.
        let first = counter(1);
        first.next().unwrap();
        drop(first);
        let pooled = stack::take().unwrap();
        let base = corosensei::stack::Stack::base(&pooled);
        stack::give(pooled);
        let second = counter(1);
        second.next().unwrap();
        second.close().unwrap();
        let again = stack::take().unwrap();
        assert_eq!(corosensei::stack::Stack::base(&again), base);
        stack::give(again);
    }

    #[test]
    fn names_come_from_the_enclosing_function() {
        assert_eq!(counter(1).name(), "counter");
        assert_eq!(
            function_name("multitask::tutorial::fib::{{closure}}"),
            "fib"
        );
        assert_eq!(
            function_name("ctx::run_user_code_3::{{closure}}"),
            "<lambda>"
        );
    }
}
