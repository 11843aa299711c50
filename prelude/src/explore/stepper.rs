//! Be the scheduler: choose which thread takes the next step, see what each
//! would do and what the shared values hold, undo, and ask what can still
//! happen from here.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

use shuttle::scheduler::DfsScheduler;

use super::engine::{self, End, Follow, Held, Run, Step, Then, Waiter};
use super::report::{Exploration, Explorer};
use super::schedule::{Ending, Program};

/// A program you schedule by hand, one step at a time: `s.step("A")?`
/// lets thread A take its next step, [`undo`](Stepper::undo) takes it back,
/// [`possible`](Stepper::possible) explores every way on from here. It
/// prints the steps so far, what the shared values hold, and what each
/// thread would do next.
///
/// ```
/// use std::sync::{Arc, atomic::Ordering::SeqCst};
/// use multitask::explore::Stepper;
/// use multitask::threading::{AtomicU64, Thread};
///
/// fn two_adders() -> u64 {
///     let total = Arc::new(AtomicU64::new(0).named("total"));
///     let adders: Vec<Thread> = ["A", "B"].iter().map(|name| {
///         let total = total.clone();
///         Thread::new(move || { let seen = total.load(SeqCst); total.store(seen + 1, SeqCst) })
///             .with_name(*name)
///     }).collect();
///     adders.iter().for_each(|t| t.start().unwrap());
///     adders.iter().for_each(|t| { t.join().unwrap(); });
///     total.load(SeqCst)
/// }
///
/// let mut s = Stepper::new(two_adders);
/// assert_eq!(
///     s.next_steps(),
///     ["MainThread waits for thread A to end", "A: read total = 0", "B: read total = 0"]
/// );
/// s.step("A")?.step("B")?;              // both read 0 …
/// assert_eq!(s.possible().count(&2), 0); // … so 2 is out of reach now
/// s.step("A")?.step("B")?.step("MainThread")?;
/// assert_eq!(s.ending().unwrap().to_string(), "returned 1");
/// s.undo()?;
/// assert!(s.ending().is_none());
/// assert!(s.step("C").unwrap_err().to_string().contains("no thread named \"C\""));
/// # Ok::<(), multitask::explore::StepError>(())
/// ```
pub struct Stepper<R> {
    program: Program<R>,
    taken: Vec<usize>,
    now: Now<R>,
}

/// Where the program is after the steps taken.
struct Now<R> {
    steps: Vec<Step>,
    state: Vec<(String, String)>,
    /// Each thread not ended: what it would do if chosen, or what it waits for.
    threads: Vec<(Waiter, Option<String>)>,
    ending: Option<Ending<R>>,
    thread_panics: Vec<Step>,
    holds: Vec<Held>,
}

/// Why a step or an undo cannot be taken.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// No thread left has this name.
    #[error("no thread named {asked:?} can take a step; the threads are: {}", threads.join(", "))]
    NoSuchThread {
        /// The name asked for.
        asked: String,
        /// The threads not ended.
        threads: Vec<String>,
    },
    /// The thread waits (for a lock, an event, another thread).
    #[error("{thread} cannot go now: it waits for {waits_for}")]
    Waiting {
        /// The thread.
        thread: String,
        /// What it waits for.
        waits_for: String,
    },
    /// Two threads have this name.
    #[error("two threads are named {0:?}: name them apart with Thread::with_name")]
    Ambiguous(String),
    /// The program has ended.
    #[error("the program has ended ({0}); undo() goes back a step")]
    Ended(String),
    /// No step was taken yet.
    #[error("nothing to undo: no step has been taken")]
    NothingToUndo,
}

impl<R> Stepper<R>
where
    R: fmt::Debug + PartialEq + Clone + Send + Sync + 'static,
{
    /// The program, before any thread's first step.
    pub fn new(program: impl Fn() -> R + Send + Sync + 'static) -> Stepper<R> {
        let program: Program<R> = Arc::new(program);
        let now = look(&program, &[]);
        Stepper {
            program,
            taken: Vec::new(),
            now,
        }
    }

    /// Lets `thread` take its next step.
    ///
    /// # Errors
    /// [`StepError`] when no such thread can go, it waits, or the program
    /// has ended.
    pub fn step(&mut self, thread: &str) -> Result<&mut Stepper<R>, StepError> {
        if let Some(ending) = &self.now.ending {
            return Err(StepError::Ended(ending.to_string()));
        }
        let named: Vec<&Waiter> = self
            .now
            .threads
            .iter()
            .map(|(w, _)| w)
            .filter(|w| w.name == thread)
            .collect();
        let chosen = match named[..] {
            [] => {
                return Err(StepError::NoSuchThread {
                    asked: thread.into(),
                    threads: self
                        .now
                        .threads
                        .iter()
                        .map(|(w, _)| w.name.clone())
                        .collect(),
                });
            }
            [one] => one,
            _ => return Err(StepError::Ambiguous(thread.into())),
        };
        if let Some(waits_for) = &chosen.waits_for {
            return Err(StepError::Waiting {
                thread: thread.into(),
                waits_for: waits_for.clone(),
            });
        }
        self.taken.push(chosen.thread);
        self.now = look(&self.program, &self.taken);
        Ok(self)
    }

    /// Takes the last step back.
    ///
    /// # Errors
    /// [`StepError::NothingToUndo`] before the first step.
    pub fn undo(&mut self) -> Result<&mut Stepper<R>, StepError> {
        self.taken.pop().ok_or(StepError::NothingToUndo)?;
        self.now = look(&self.program, &self.taken);
        Ok(self)
    }

    /// Every way on from here, explored: which outcomes are still possible.
    pub fn possible(&self) -> Exploration<R> {
        let search = Then::Search(DfsScheduler::new(None, false));
        let source = Rc::new(RefCell::new(Follow::new(self.taken.clone(), search)));
        Explorer::new().with(&self.program, source, None)
    }

    /// The steps taken so far.
    pub fn steps(&self) -> &[Step] {
        &self.now.steps
    }

    /// What each thread would do if chosen now (`A: read total = 0`), or
    /// what it waits for (`MainThread waits for thread A to end`).
    pub fn next_steps(&self) -> Vec<String> {
        self.now
            .threads
            .iter()
            .map(|(w, next)| match (&w.waits_for, next) {
                (Some(what), _) => format!("{} waits for {what}", w.name),
                (None, Some(next)) => format!("{}: {next}", w.name),
                (None, None) => format!("{}: ends", w.name),
            })
            .collect()
    }

    /// What the shared values hold now (those touched so far), by name.
    pub fn state(&self) -> &[(String, String)] {
        &self.now.state
    }

    /// The steps so far, drawn (see [`Schedule::picture`](super::Schedule::picture)).
    pub fn picture(&self) -> crate::trace::Timeline {
        super::schedule::picture(&self.now.steps, &self.now.holds, &[])
    }

    /// How evcxr shows it as a cell's value: the text, with the picture of
    /// the steps so far in Jupyter.
    pub fn evcxr_display(&self) {
        crate::shown::show(&[
            ("text/plain", &self.to_string()),
            ("image/svg+xml", &self.picture().to_svg()),
        ]);
    }

    /// How the program ended, once it has.
    pub fn ending(&self) -> Option<&Ending<R>> {
        self.now.ending.as_ref()
    }
}

/// Runs `program` along `taken` and pauses: what it shows there, with each
/// thread's next step (found by taking it, one run per thread).
fn look<R>(program: &Program<R>, taken: &[usize]) -> Now<R>
where
    R: fmt::Debug + PartialEq + Clone + Send + Sync + 'static,
{
    let run = follow(program, taken.to_vec());
    let (threads, ending) = match run.end {
        End::Paused(waiters) => (waiters, None),
        end => (Vec::new(), Ending::of(end)),
    };
    let threads = threads
        .into_iter()
        .map(|w| {
            let next = w.waits_for.is_none().then(|| {
                let mut one_more = taken.to_vec();
                one_more.push(w.thread);
                let further = follow(program, one_more);
                further.steps[run.steps.len()..]
                    .iter()
                    .find(|s| s.thread == w.name)
                    .map(|s| s.what.clone())
            });
            (w, next.flatten())
        })
        .collect();
    Now {
        steps: run.steps,
        state: run.state,
        threads,
        ending,
        thread_panics: run.thread_panics,
        holds: run.holds,
    }
}

/// One run along `choices`, paused where they end.
fn follow<R: 'static>(program: &Program<R>, choices: Vec<usize>) -> Run {
    let kept = Rc::new(RefCell::new(None));
    let keep = {
        let kept = Rc::clone(&kept);
        Rc::new(move |run: Run| *kept.borrow_mut() = Some(run))
    };
    let source = Rc::new(RefCell::new(Follow::new(choices, Then::Pause)));
    let body = Arc::clone(program);
    engine::run(Rc::new(move || body()), source, 1, None, keep);
    kept.borrow_mut().take().expect("one run")
}

impl<R: fmt::Debug> fmt::Display for Stepper<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let now = &self.now;
        let width = now.steps.len().to_string().len() + 1;
        for (i, step) in now.steps.iter().enumerate() {
            writeln!(f, "{:>width$}  {step}", i + 1)?;
        }
        for panic in &now.thread_panics {
            writeln!(f, "(thread {} panicked: {})", panic.thread, panic.what)?;
        }
        if !now.state.is_empty() {
            let state: Vec<String> = now
                .state
                .iter()
                .map(|(k, v)| format!("{k} = {v}"))
                .collect();
            writeln!(f, "shared: {}", state.join(", "))?;
        }
        if let Some(ending) = &now.ending {
            return writeln!(f, "→ {ending}");
        }
        writeln!(f, "next, if chosen:")?;
        for (w, next) in &now.threads {
            match (&w.waits_for, next) {
                (Some(what), _) => writeln!(f, "  {} waits for {what}", w.name)?,
                (None, Some(next)) => writeln!(f, "  {}: {next}", w.name)?,
                (None, None) => writeln!(f, "  {}: ends", w.name)?,
            }
        }
        Ok(())
    }
}

impl<R: fmt::Debug> fmt::Debug for Stepper<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
