//! A schedule: the order the threads' steps ran in, how the run ended, and
//! the choices that make it again.

use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

use super::engine::{self, End, Follow, Held, Run, Step, Stuck, Then};

/// The program `explore` runs, kept to replay a schedule.
pub(crate) type Program<R> = Arc<dyn Fn() -> R + Send + Sync>;

/// How a schedule ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Ending<R> {
    /// The program returned this.
    Returned(R),
    /// Every thread left waits for another: who holds what, waiting for what.
    Deadlock(Vec<Stuck>),
    /// The program's own thread panicked with this message.
    Panicked(String),
    /// It had not ended after a thousand turns: a thread that waits by
    /// spinning, say, for something that never comes in this order.
    Endless,
}

impl<R: 'static> Ending<R> {
    /// How a run ended, if it did (not paused).
    pub(crate) fn of(end: End) -> Option<Ending<R>> {
        Some(match end {
            End::Returned(value) => match value.downcast::<R>() {
                Ok(value) => Ending::Returned(*value),
                Err(_) => unreachable!("the program returns an R"),
            },
            End::Deadlock(stuck) => Ending::Deadlock(stuck),
            End::Panicked(message) => Ending::Panicked(message),
            End::Endless => Ending::Endless,
            End::Paused(_) => return None,
        })
    }
}

impl<R: fmt::Debug> fmt::Display for Ending<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ending::Returned(value) => write!(f, "returned {value:?}"),
            Ending::Deadlock(stuck) => {
                f.write_str("deadlock: ")?;
                for (i, s) in stuck.iter().enumerate() {
                    let sep = if i == 0 { "" } else { "; " };
                    write!(f, "{sep}{s}")?;
                }
                Ok(())
            }
            Ending::Panicked(message) => write!(f, "panicked: {message}"),
            Ending::Endless => f.write_str("did not end (1 000 turns)"),
        }
    }
}

impl fmt::Display for Stuck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.thread)?;
        if !self.holds.is_empty() {
            write!(f, " holds {},", self.holds.join(" and "))?;
        }
        write!(f, " waits for {}", self.waits_for)
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.thread, self.what)
    }
}

/// One order of the threads' steps, and how it ended: a value you can look
/// at, print (numbered lines) and [`replay`](Schedule::replay).
///
/// ```
/// use std::sync::{Arc, atomic::Ordering::SeqCst};
/// use multitask::explore::explore;
/// use multitask::threading::{AtomicU64, Thread};
///
/// let found = explore(|| {
///     let n = Arc::new(AtomicU64::new(0).named("n"));
///     let t = Thread::new({ let n = n.clone(); move || n.store(1, SeqCst) }).with_name("A");
///     t.start().unwrap();
///     let seen = n.load(SeqCst);
///     t.join().unwrap();
///     seen
/// });
/// let late = found.first(|&seen| seen == 1).unwrap();
/// assert_eq!(late.to_string(), " 1  A: write n = 1\n 2  MainThread: read n = 1\n→ returned 1\n");
/// assert_eq!(late.replay().steps(), late.steps());
/// ```
#[derive(Clone)]
pub struct Schedule<R> {
    steps: Arc<[Step]>,
    choices: Arc<[usize]>,
    ending: Ending<R>,
    thread_panics: Arc<[Step]>,
    holds: Arc<[Held]>,
    program: Program<R>,
}

impl<R: Clone + 'static> Schedule<R> {
    pub(crate) fn of(run: Run, program: Program<R>) -> Schedule<R> {
        Schedule {
            steps: run.steps.into(),
            choices: run.choices.into(),
            ending: Ending::of(run.end).expect("explore's runs end"),
            thread_panics: run.thread_panics.into(),
            holds: run.holds.into(),
            program,
        }
    }

    /// What each thread held (a lock, a place), through which steps.
    pub(crate) fn holds(&self) -> &[Held] {
        &self.holds
    }

    /// The steps, in the order they ran.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// How it ended.
    pub fn ending(&self) -> &Ending<R> {
        &self.ending
    }

    /// What the program returned, if it did.
    pub fn value(&self) -> Option<&R> {
        match &self.ending {
            Ending::Returned(value) => Some(value),
            _ => None,
        }
    }

    /// The threads that panicked on the way (and ended there, as a Python
    /// thread does): each thread and its message.
    pub fn thread_panics(&self) -> &[Step] {
        &self.thread_panics
    }

    /// The schedule drawn: a lane per thread, a bar per step labelled with
    /// what it did, one turn each, and the locks each thread held under its
    /// bars. (A cell shows a schedule as this picture in Jupyter.)
    pub fn picture(&self) -> crate::trace::Timeline {
        let stuck: &[Stuck] = match &self.ending {
            Ending::Deadlock(stuck) => stuck,
            _ => &[],
        };
        picture(&self.steps, &self.holds, stuck)
    }

    /// How evcxr shows it as a cell's value: the numbered steps in the
    /// terminal, with the picture in Jupyter.
    pub fn evcxr_display(&self)
    where
        R: fmt::Debug,
    {
        crate::shown::show(&[
            ("text/plain", &self.to_string()),
            ("image/svg+xml", &self.picture().to_svg()),
        ]);
    }

    /// Runs the program again in this order: the same steps, the same end.
    pub fn replay(&self) -> Schedule<R> {
        let program = Arc::clone(&self.program);
        let replayed = Rc::new(std::cell::RefCell::new(None));
        let keep = {
            let replayed = Rc::clone(&replayed);
            Rc::new(move |run: Run| *replayed.borrow_mut() = Some(run))
        };
        let follow = Follow::new(self.choices.to_vec(), Then::Pause);
        let source = Rc::new(std::cell::RefCell::new(follow));
        let body = Arc::clone(&program);
        engine::run(Rc::new(move || body()), source, 1, None, keep);
        let run = replayed.borrow_mut().take().expect("a replay runs once");
        Schedule::of(run, program)
    }
}

/// Steps drawn: a lane per thread, a bar per step labelled with what it
/// did, one turn each, and the locks each thread held under its bars; the
/// threads `stuck` in a deadlock, waiting, one turn more.
pub(crate) fn picture(steps: &[Step], holds: &[Held], stuck: &[Stuck]) -> crate::trace::Timeline {
    let mut lanes: Vec<String> = Vec::new();
    let mut lane_of = |thread: &str| match lanes.iter().position(|l| l == thread) {
        Some(i) => i,
        None => {
            lanes.push(thread.to_string());
            lanes.len() - 1
        }
    };
    let steps: Vec<(usize, String)> = steps
        .iter()
        .map(|s| (lane_of(&s.thread), s.what.clone()))
        .collect();
    let end = steps.len();
    let holds: Vec<(usize, usize, usize, String)> = holds
        .iter()
        .map(|h| {
            (
                lane_of(&h.thread),
                h.from,
                h.to.unwrap_or(end),
                h.what.clone(),
            )
        })
        .collect();
    let stuck: Vec<(usize, String)> = stuck
        .iter()
        .map(|s| (lane_of(&s.thread), s.waits_for.clone()))
        .collect();
    crate::trace::Timeline::of_steps(lanes, &steps, &holds, &stuck)
}

impl<R: fmt::Debug> fmt::Display for Schedule<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self.steps.len().to_string().len();
        for (i, step) in self.steps.iter().enumerate() {
            writeln!(f, "{:>width$}  {step}", i + 1, width = width + 1)?;
        }
        for panic in self.thread_panics.iter() {
            writeln!(f, "(thread {} panicked: {})", panic.thread, panic.what)?;
        }
        writeln!(f, "→ {}", self.ending)
    }
}

impl<R: fmt::Debug> fmt::Debug for Schedule<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
