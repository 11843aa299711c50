//! Waiting for several at once: [`gather!`](crate::gather) and
//! [`try_gather!`](crate::try_gather) (a tuple), [`gather`] and
//! [`try_gather`] (a list), [`first_completed`] and [`as_completed`].
//!
//! They poll their futures in asyncio's order: all of them in the order
//! written the first time, then each in the order it was woken — as if each
//! were a task of its own in the loop's queue. (tokio's `join!` starts each
//! round from the next future along, which would interleave three futures
//! that take turns as `a0 b0 c0 b1 c1 a1 …` where Python prints
//! `a0 b0 c0 a1 b1 c1`.)

use std::cell::Cell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use super::Task;
use crate::exception::Exception;

/// Which of several futures were woken, in the order they were.
struct Woken {
    state: Mutex<WokenState>,
}

struct WokenState {
    order: VecDeque<usize>,
    queued: Vec<bool>,
    parent: Option<Waker>,
}

/// The waker one of several futures is polled with.
struct WakeOne {
    index: usize,
    woken: Arc<Woken>,
}

impl Wake for WakeOne {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        let parent = {
            let mut state = self.woken.state.lock().unwrap_or_else(|p| p.into_inner());
            if !state.queued[self.index] {
                state.queued[self.index] = true;
                state.order.push_back(self.index);
            }
            state.parent.clone()
        };
        if let Some(parent) = parent {
            parent.wake();
        }
    }
}

/// `n` futures' wakers, and the order they were woken in — all of them, in
/// index order, to begin with.
struct Wakers {
    woken: Arc<Woken>,
    wakers: Vec<Waker>,
}

impl Wakers {
    fn new(n: usize) -> Self {
        let woken = Arc::new(Woken {
            state: Mutex::new(WokenState {
                order: (0..n).collect(),
                queued: vec![true; n],
                parent: None,
            }),
        });
        let wakers = (0..n)
            .map(|index| {
                Waker::from(Arc::new(WakeOne {
                    index,
                    woken: woken.clone(),
                }))
            })
            .collect();
        Wakers { woken, wakers }
    }

    /// The futures woken since the last call, in order; `cx`'s waker is
    /// the one to wake from now on.
    fn take(&self, cx: &Context<'_>) -> VecDeque<usize> {
        let mut state = self.woken.state.lock().unwrap_or_else(|p| p.into_inner());
        if !state
            .parent
            .as_ref()
            .is_some_and(|w| w.will_wake(cx.waker()))
        {
            state.parent = Some(cx.waker().clone());
        }
        let order = std::mem::take(&mut state.order);
        for &index in &order {
            state.queued[index] = false;
        }
        order
    }

    fn context(&self, index: usize) -> Context<'_> {
        Context::from_waker(&self.wakers[index])
    }
}

/// A child of a gather: `true` when it ended well, `false` to stop them all.
#[doc(hidden)]
pub type Child<'a> = Pin<Box<dyn Future<Output = bool> + 'a>>;

/// Boxes a child of [`gather!`](crate::gather) (for the macro).
#[doc(hidden)]
pub fn __child<'a>(child: impl Future<Output = bool> + 'a) -> Child<'a> {
    Box::pin(child)
}

/// Polls `children` in asyncio's order until all end (`true`) or one says
/// stop (`false`; the others are dropped).
#[doc(hidden)]
pub async fn __join(children: Vec<Child<'_>>) -> bool {
    let wakers = Wakers::new(children.len());
    let mut children: Vec<Option<Child<'_>>> = children.into_iter().map(Some).collect();
    let mut left = children.len();
    std::future::poll_fn(|cx| {
        for index in wakers.take(cx) {
            let Some(child) = children[index].as_mut() else {
                continue;
            };
            if let Poll::Ready(well) = child.as_mut().poll(&mut wakers.context(index)) {
                children[index] = None;
                left -= 1;
                if !well {
                    return Poll::Ready(false);
                }
            }
        }
        if left == 0 {
            Poll::Ready(true)
        } else {
            Poll::Pending
        }
    })
    .await
}

/// Awaits every future at once and gives their outputs as a tuple, in the
/// order written (asyncio's `gather`). Use it inside async code; it polls
/// the futures in asyncio's order (see [`asyncio`](crate::asyncio)'s notes).
///
/// A panic in one of them comes out of `gather!` at once (the others are
/// dropped). For Python's `return_exceptions=True`, gather tasks: each
/// [`Task`](crate::asyncio::Task) gives its own `Result`, and a task that
/// failed leaves the others running.
///
/// ```
/// use multitask::{asyncio, gather};
/// let (a, b) = asyncio::run(async { gather!(async { 1 }, async { "two" }) });
/// assert_eq!((a, b), (1, "two"));
/// ```
#[macro_export]
macro_rules! gather {
    ($($future:expr),+ $(,)?) => {
        $crate::__gather!(@slots [] $($future,)+)
    };
}

/// Awaits futures that give `Result`s and stops at the first `Err`
/// (asyncio's `gather` raising the first exception): `Ok` of a tuple of
/// their values, or the first error as soon as it comes. The others are
/// dropped then — spawn them as tasks for Python's "the others keep running".
///
/// ```
/// use multitask::{asyncio, try_gather};
/// let fine = asyncio::run(async { try_gather!(async { Ok::<_, String>(1) }, async { Ok(2) }) });
/// assert_eq!(fine, Ok((1, 2)));
/// let failed = asyncio::run(async {
///     try_gather!(
///         async { asyncio::sleep(60.0).await; Ok(1) },
///         async { Err::<i32, _>("boom".to_string()) },
///     )
/// });
/// assert_eq!(failed, Err("boom".to_string())); // at once, not after 60 s
/// ```
#[macro_export]
macro_rules! try_gather {
    ($($future:expr),+ $(,)?) => {
        $crate::__gather!(@try [] $($future,)+)
    };
}

/// The work of [`gather!`] and [`try_gather!`]: each future gets an output
/// slot of its own (`out`: a new name at every step, by hygiene).
#[doc(hidden)]
#[macro_export]
macro_rules! __gather {
    (@slots [$(($out:ident $future:expr))*] $next:expr, $($rest:tt)*) => {{
        let mut out = ::core::option::Option::None;
        $crate::__gather!(@slots [$(($out $future))* (out $next)] $($rest)*)
    }};
    (@slots [$(($out:ident $future:expr))*]) => {{
        $crate::asyncio::__join(::std::vec![$(
            $crate::asyncio::__child(async { $out = ::core::option::Option::Some($future.await); true }),
        )*]).await;
        ($($out.expect("every future of a gather ended"),)*)
    }};
    (@try [$(($out:ident $future:expr))*] $next:expr, $($rest:tt)*) => {{
        let mut out = ::core::option::Option::None;
        $crate::__gather!(@try [$(($out $future))* (out $next)] $($rest)*)
    }};
    (@try [$(($out:ident $future:expr))*]) => {{
        let error = ::core::cell::Cell::new(::core::option::Option::None);
        $crate::asyncio::__join(::std::vec![$(
            $crate::asyncio::__child(async {
                match $future.await {
                    ::core::result::Result::Ok(value) => {
                        $out = ::core::option::Option::Some(value);
                        true
                    }
                    ::core::result::Result::Err(e) => {
                        error.set(::core::option::Option::Some(e));
                        false
                    }
                }
            }),
        )*]).await;
        match error.take() {
            ::core::option::Option::Some(e) => ::core::result::Result::Err(e),
            ::core::option::Option::None => ::core::result::Result::Ok(
                ($($out.expect("every future of a gather ended"),)*)
            ),
        }
    }};
}

/// Awaits every future of a list at once and gives their outputs in the
/// list's order (asyncio's `gather(*aws)`): [`gather!`](crate::gather) for
/// any number of futures of one type.
///
/// ```
/// use multitask::asyncio;
/// let doubled = asyncio::run(asyncio::gather((1..=3).map(|i| async move { 2 * i })));
/// assert_eq!(doubled, [2, 4, 6]);
/// ```
pub async fn gather<F: Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let futures: Vec<F> = futures.into_iter().collect();
    let mut outs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    let children = outs
        .iter_mut()
        .zip(futures)
        .map(|(out, future)| {
            __child(async move {
                *out = Some(future.await);
                true
            })
        })
        .collect();
    __join(children).await;
    outs.into_iter()
        .map(|out| out.expect("every future of a gather ended"))
        .collect()
}

/// [`gather`] for futures that give `Result`s: their values in order, or the
/// first `Err` as soon as it comes ([`try_gather!`](crate::try_gather) for
/// a list).
///
/// ```
/// use multitask::asyncio;
/// let checked = asyncio::run(asyncio::try_gather(
///     [4, 0, 2].map(|d| async move { 8i32.checked_div(d).ok_or("divided by zero") }),
/// ));
/// assert_eq!(checked, Err("divided by zero"));
/// ```
pub async fn try_gather<T, E, F>(futures: impl IntoIterator<Item = F>) -> Result<Vec<T>, E>
where
    F: Future<Output = Result<T, E>>,
{
    let futures: Vec<F> = futures.into_iter().collect();
    let mut outs: Vec<Option<T>> = futures.iter().map(|_| None).collect();
    let error = Cell::new(None);
    let children = outs
        .iter_mut()
        .zip(futures)
        .map(|(out, future)| {
            let error = &error;
            __child(async move {
                match future.await {
                    Ok(value) => {
                        *out = Some(value);
                        true
                    }
                    Err(e) => {
                        error.set(Some(e));
                        false
                    }
                }
            })
        })
        .collect();
    __join(children).await;
    match error.take() {
        Some(e) => Err(e),
        None => Ok(outs
            .into_iter()
            .map(|out| out.expect("every future of a gather ended"))
            .collect()),
    }
}

/// Tasks given back as they end, the first to end first (asyncio's
/// `as_completed`); made by [`as_completed`].
pub struct AsCompleted<T> {
    tasks: Vec<Option<Task<T>>>,
    wakers: Wakers,
    pending: VecDeque<usize>,
    left: usize,
}

/// Gives `tasks`' results in the order the tasks end (asyncio's
/// `as_completed`): `while let Some(result) = done.next().await { … }`.
///
/// ```
/// use multitask::asyncio::{self, as_completed, sleep, spawn};
/// let order = asyncio::run(async {
///     let tasks = [0.03, 0.01, 0.02].map(|secs| spawn(async move { sleep(secs).await; secs }));
///     let mut done = as_completed(tasks);
///     let mut order = Vec::new();
///     while let Some(result) = done.next().await {
///         order.push(result.unwrap());
///     }
///     order
/// });
/// assert_eq!(order, [0.01, 0.02, 0.03]);
/// ```
pub fn as_completed<T>(tasks: impl IntoIterator<Item = Task<T>>) -> AsCompleted<T> {
    let tasks: Vec<Option<Task<T>>> = tasks.into_iter().map(Some).collect();
    AsCompleted {
        wakers: Wakers::new(tasks.len()),
        left: tasks.len(),
        tasks,
        pending: VecDeque::new(),
    }
}

impl<T> AsCompleted<T> {
    /// The next task to end's result; `None` once every task has given its.
    pub async fn next(&mut self) -> Option<Result<T, Exception>> {
        self.next_indexed().await.map(|(_, result)| result)
    }

    async fn next_indexed(&mut self) -> Option<(usize, Result<T, Exception>)> {
        if self.left == 0 {
            return None;
        }
        std::future::poll_fn(|cx| {
            loop {
                if self.pending.is_empty() {
                    self.pending = self.wakers.take(cx);
                    if self.pending.is_empty() {
                        return Poll::Pending;
                    }
                }
                while let Some(index) = self.pending.pop_front() {
                    let Some(task) = self.tasks[index].as_mut() else {
                        continue;
                    };
                    if let Poll::Ready(result) =
                        Pin::new(task).poll(&mut self.wakers.context(index))
                    {
                        self.tasks[index] = None;
                        self.left -= 1;
                        return Poll::Ready(Some((index, result)));
                    }
                }
            }
        })
        .await
    }
}

/// Awaits the first of `tasks` to end and gives its index in `tasks`, its
/// result, and the others, still running (asyncio's `wait(tasks,
/// return_when=FIRST_COMPLETED)`). Like asyncio's, it cancels nothing:
/// [`cancel`](Task::cancel) the rest to stop them — dropping a [`Task`]
/// lets it run on.
///
/// # Panics
///
/// If `tasks` is empty: there is no first to wait for.
///
/// ```
/// use multitask::asyncio::{first_completed, run, sleep, spawn};
/// let tasks = vec![
///     spawn(async { sleep(5.0).await; "slow" }),
///     spawn(async { sleep(0.01).await; "fast" }),
/// ];
/// let (index, first, rest) = run(first_completed(tasks));
/// assert_eq!((index, first.unwrap()), (1, "fast"));
/// rest.iter().for_each(|task| { task.cancel(); });
/// ```
pub async fn first_completed<T>(
    tasks: Vec<Task<T>>,
) -> (usize, Result<T, Exception>, Vec<Task<T>>) {
    assert!(!tasks.is_empty(), "first_completed of no tasks");
    let mut done = as_completed(tasks);
    let (index, result) = done.next_indexed().await.expect("one task at least");
    let rest = done.tasks.into_iter().flatten().collect();
    (index, result, rest)
}
