//! What `explore` found: how many schedules ran, whether that was all of
//! them, and each distinct ending with how many schedules gave it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use shuttle::scheduler::DfsScheduler;

use super::engine::{self, Run, Sample, Source};
use super::schedule::{Ending, Program, Schedule};

/// How an exploration runs: how many runs at most, the seed of a sample, the
/// time it may take.
///
/// ```
/// use multitask::explore::Explorer;
/// let found = Explorer::new().most(10).seed(7).run(|| 1 + 1);
/// assert!(found.complete());
/// assert_eq!(found.count(&2), 1);
/// ```
#[derive(Clone, Debug)]
pub struct Explorer {
    most: usize,
    seed: u64,
    budget: Duration,
}

impl Default for Explorer {
    fn default() -> Explorer {
        Explorer {
            most: 100_000,
            seed: 1,
            budget: Duration::from_secs(30),
        }
    }
}

/// Distinct schedules kept to look at (the counts count them all).
const KEPT: usize = 1_000;

impl Explorer {
    /// At most 100 000 runs, seed 1, 30 seconds.
    pub fn new() -> Explorer {
        Explorer::default()
    }

    /// Runs at most `runs` schedules: if every schedule does not fit, a
    /// random sample of `runs` instead.
    pub fn most(self, runs: usize) -> Explorer {
        Explorer {
            most: runs.max(1),
            ..self
        }
    }

    /// The seed of the random sample (the same seed, the same sample).
    pub fn seed(self, seed: u64) -> Explorer {
        Explorer { seed, ..self }
    }

    /// How long each of the search and the sample may take.
    pub fn budget(self, budget: Duration) -> Explorer {
        Explorer { budget, ..self }
    }

    /// Runs `program` in every order of its threads' steps (a depth-first
    /// search of shuttle's), or a seeded random sample of orders when they
    /// do not all fit, and tells what came of each.
    pub fn run<R, F>(&self, program: F) -> Exploration<R>
    where
        R: fmt::Debug + PartialEq + Clone + Send + Sync + 'static,
        F: Fn() -> R + Send + Sync + 'static,
    {
        let started = Instant::now();
        let program: Program<R> = Arc::new(program);
        let search = Rc::new(RefCell::new(DfsScheduler::new(None, false)));
        let found = self.with(&program, search, None);
        if found.complete {
            return Exploration {
                elapsed: started.elapsed(),
                ..found
            };
        }
        let sample = Sample::new(self.seed);
        let sampled = self.with(&program, Rc::new(RefCell::new(sample)), Some(self.seed));
        Exploration {
            elapsed: started.elapsed(),
            ..sampled
        }
    }

    /// Runs under `source`; complete if it ran out of choices first.
    pub(crate) fn with<R>(
        &self,
        program: &Program<R>,
        source: Source,
        seed: Option<u64>,
    ) -> Exploration<R>
    where
        R: fmt::Debug + PartialEq + Clone + Send + Sync + 'static,
    {
        let tally = Rc::new(RefCell::new(Tally::default()));
        let done = {
            let (tally, program) = (Rc::clone(&tally), Arc::clone(program));
            Rc::new(move |run: Run| tally.borrow_mut().add(run, &program))
        };
        let body = Arc::clone(program);
        let most = if seed.is_some() {
            self.most
        } else {
            self.most.saturating_add(1)
        };
        let ran = engine::run(
            Rc::new(move || body()),
            source,
            most,
            Some(self.budget),
            done,
        );
        let tally = Rc::try_unwrap(tally)
            .ok()
            .expect("the runs are over")
            .into_inner();
        Exploration {
            // Every schedule: the search ran out of them within its runs.
            complete: seed.is_none() && ran.exhausted && ran.runs <= self.most,
            seed,
            runs: tally.runs,
            distinct: tally.distinct,
            outcomes: tally.outcomes,
            kept: tally.kept,
            inconsistent: tally.inconsistent,
            elapsed: Duration::ZERO,
        }
    }
}

/// Runs `program` in every order of its threads' steps and tells what came
/// of each: [`Explorer::new().run(program)`](Explorer::run).
///
/// The program makes its threads ([`Thread`](crate::threading::Thread)) and
/// what they share — the prelude's locks, events, semaphores, conditions
/// and [atomics](crate::threading::AtomicU64) — *inside* the closure, so
/// that each run starts afresh; it returns what to compare (a final value).
/// A step is a read or write of an atomic, a lock taken or let go: between
/// any two, another thread may go first, and every such order is one
/// schedule. `std`'s own atomics and mutexes are invisible to it (their
/// steps never give way), and so is time (`sleep` is a step of nothing).
///
/// ```
/// use std::sync::{Arc, atomic::Ordering::SeqCst};
/// use multitask::explore::explore;
/// use multitask::threading::{AtomicU64, Thread};
///
/// // Two threads add one to a counter by reading it and writing it back.
/// let found = explore(|| {
///     let total = Arc::new(AtomicU64::new(0).named("total"));
///     let adders: Vec<Thread> = ["A", "B"].iter().map(|name| {
///         let total = total.clone();
///         Thread::new(move || { let seen = total.load(SeqCst); total.store(seen + 1, SeqCst) })
///             .with_name(*name)
///     }).collect();
///     adders.iter().for_each(|t| t.start().unwrap());
///     adders.iter().for_each(|t| { t.join().unwrap(); });
///     total.load(SeqCst)
/// });
/// assert!(found.complete());
/// assert_eq!(found.len(), 6); // A's two steps and B's two, in any order
/// assert_eq!(found.count(&2), 2); // one after the other
/// assert_eq!(found.count(&1), 4); // both read 0: an update is lost
/// println!("{}", found.first(|&total| total == 1).unwrap());
/// ```
pub fn explore<R, F>(program: F) -> Exploration<R>
where
    R: fmt::Debug + PartialEq + Clone + Send + Sync + 'static,
    F: Fn() -> R + Send + Sync + 'static,
{
    Explorer::new().run(program)
}

/// One ending, and how many distinct schedules came to it.
#[derive(Clone, Debug)]
pub struct Outcome<R> {
    ending: Ending<R>,
    schedules: usize,
    first: Schedule<R>,
}

impl<R> Outcome<R> {
    /// How the schedules ended.
    pub fn ending(&self) -> &Ending<R> {
        &self.ending
    }
    /// How many schedules ended so.
    pub fn count(&self) -> usize {
        self.schedules
    }
    /// The first of them.
    pub fn first(&self) -> &Schedule<R> {
        &self.first
    }
}

/// What [`explore`] found.
#[derive(Clone)]
pub struct Exploration<R> {
    complete: bool,
    seed: Option<u64>,
    runs: usize,
    distinct: usize,
    outcomes: Vec<Outcome<R>>,
    kept: Vec<Schedule<R>>,
    inconsistent: usize,
    elapsed: Duration,
}

impl<R: Clone + PartialEq + 'static> Exploration<R> {
    /// Did every schedule run? (If not, a random sample did.)
    pub fn complete(&self) -> bool {
        self.complete
    }

    /// The seed of the random sample, if it is one.
    pub fn seed(&self) -> Option<u64> {
        self.seed
    }

    /// How many distinct schedules (orders of the steps) ran.
    pub fn len(&self) -> usize {
        self.distinct
    }

    /// Did none run?
    pub fn is_empty(&self) -> bool {
        self.distinct == 0
    }

    /// How many runs it took (shuttle's: two runs may differ only in steps
    /// no one sees, and count as one schedule).
    pub fn runs(&self) -> usize {
        self.runs
    }

    /// How long it took.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// The distinct endings, in the order first met.
    pub fn outcomes(&self) -> &[Outcome<R>] {
        &self.outcomes
    }

    /// How many schedules returned `value`.
    pub fn count(&self, value: &R) -> usize {
        self.outcomes
            .iter()
            .filter(|o| matches!(&o.ending, Ending::Returned(v) if v == value))
            .map(|o| o.schedules)
            .sum()
    }

    /// The schedules, in the order they ran (the first thousand).
    pub fn schedules(&self) -> &[Schedule<R>] {
        &self.kept
    }

    /// The first schedule whose program returned a value for which `wanted`
    /// holds.
    pub fn first(&self, wanted: impl Fn(&R) -> bool) -> Option<Schedule<R>> {
        self.outcomes
            .iter()
            .find(|o| o.first.value().is_some_and(&wanted))
            .map(|o| o.first.clone())
    }

    /// One schedule of each deadlock found.
    pub fn deadlocks(&self) -> Vec<Schedule<R>> {
        self.ending_with(|e| matches!(e, Ending::Deadlock(_)))
    }

    /// One schedule of each way the program's thread panicked.
    pub fn panics(&self) -> Vec<Schedule<R>> {
        self.ending_with(|e| matches!(e, Ending::Panicked(_)))
    }

    fn ending_with(&self, kind: impl Fn(&Ending<R>) -> bool) -> Vec<Schedule<R>> {
        self.outcomes
            .iter()
            .filter(|o| kind(&o.ending))
            .map(|o| o.first.clone())
            .collect()
    }
}

impl<R: fmt::Debug> fmt::Display for Exploration<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = |n: usize| if n == 1 { "" } else { "s" };
        match self.seed {
            None => writeln!(
                f,
                "every schedule ran: {} schedule{}",
                self.distinct,
                s(self.distinct)
            )?,
            Some(seed) => writeln!(
                f,
                "too many schedules to run them all: a random sample of {} runs (seed {seed}) \
                 met {} different schedule{}",
                self.runs,
                self.distinct,
                s(self.distinct)
            )?,
        }
        let width = self
            .outcomes
            .iter()
            .map(|o| o.schedules.to_string().len())
            .max()
            .unwrap_or(1);
        for o in &self.outcomes {
            writeln!(
                f,
                "  {:>width$} schedule{:1} → {}",
                o.schedules,
                s(o.schedules),
                o.ending
            )?;
        }
        if self.inconsistent > 0 {
            writeln!(
                f,
                "note: {} schedule{} ended differently on the same steps: the program depends \
                 on something explore does not see (std's atomics or Mutex, time, randomness)",
                self.inconsistent,
                s(self.inconsistent)
            )?;
        }
        Ok(())
    }
}

impl<R: fmt::Debug> fmt::Debug for Exploration<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The runs so far, folded.
struct Tally<R> {
    runs: usize,
    distinct: usize,
    /// Each schedule met, by its steps' hash: the outcome it came to.
    seen: HashMap<u64, usize>,
    outcomes: Vec<Outcome<R>>,
    kept: Vec<Schedule<R>>,
    inconsistent: usize,
}

impl<R> Default for Tally<R> {
    fn default() -> Tally<R> {
        Tally {
            runs: 0,
            distinct: 0,
            seen: HashMap::new(),
            outcomes: Vec::new(),
            kept: Vec::new(),
            inconsistent: 0,
        }
    }
}

impl<R: Clone + PartialEq + 'static> Tally<R> {
    fn add(&mut self, run: Run, program: &Program<R>) {
        self.runs += 1;
        let key = {
            let mut hasher = DefaultHasher::new();
            run.steps.hash(&mut hasher);
            hasher.finish()
        };
        let schedule = Schedule::of(run, Arc::clone(program));
        let outcome = self
            .outcomes
            .iter()
            .position(|o| &o.ending == schedule.ending());
        if let Some(&before) = self.seen.get(&key) {
            // The same steps again: the same schedule, which should end alike.
            self.inconsistent += usize::from(outcome != Some(before));
            return;
        }
        let outcome = outcome.unwrap_or_else(|| {
            self.outcomes.push(Outcome {
                ending: schedule.ending().clone(),
                schedules: 0,
                first: schedule.clone(),
            });
            self.outcomes.len() - 1
        });
        self.seen.insert(key, outcome);
        self.distinct += 1;
        self.outcomes[outcome].schedules += 1;
        if self.kept.len() < KEPT {
            self.kept.push(schedule);
        }
    }
}
