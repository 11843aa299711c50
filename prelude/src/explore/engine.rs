//! Running a program under shuttle's scheduler, one schedule at a time, and
//! writing down what each schedule did.
//!
//! Shuttle runs every thread of the program as a continuation on this one
//! system thread and asks a [`Scheduler`] which goes next at each of its
//! scheduling points. Ours, [`Chooser`], passes the question on (to a DFS,
//! a random sampler, or a replay) only when every thread is at a point a
//! learner sees — the [`Model::point`] before a read, a write, a lock taken
//! or let go — and lets threads go on through the rest (starting, joining,
//! ending): that touches nothing another thread sees, so no schedule of the
//! steps is lost, and no two runs differ only in it (a run is a schedule).
//!
//! A thread that waits (for a lock, an event, a place) does not block in
//! shuttle's eyes: it parks in [`Engine`] with a test of whether it may go
//! on, and the chooser offers it only when the test holds — as a lock's
//! waiter may go only once the lock is free. When no thread may go, that
//! is a deadlock: the chooser writes down who holds what and waits for
//! what, and stops the run (shuttle's own deadlock would be a panic, and a
//! line on stderr).

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::Once;
use std::time::{Duration, Instant};

use shuttle::scheduler::{DfsScheduler, Schedule as Fresh, Scheduler, Task, TaskId};

use super::model::{self, Model};
use crate::globals::shared;

/// A step of one thread, as the schedule shows it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Step {
    /// Which thread (`A`, `MainThread`, `Thread-1`).
    pub thread: String,
    /// What it did (`read balance = 0`).
    pub what: String,
}

/// A thread that holds things and waits for another, when a run deadlocked.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Stuck {
    /// The thread.
    pub thread: String,
    /// What it holds (`lock a`), in the order taken.
    pub holds: Vec<String>,
    /// What it waits for (`lock b`, `thread A to end`).
    pub waits_for: String,
}

/// How a run ended, before its value is looked at.
pub(crate) enum End {
    /// The program returned this (an `R`).
    Returned(Box<dyn Any>),
    /// Only waiting threads were left.
    Deadlock(Vec<Stuck>),
    /// The program's own thread panicked.
    Panicked(String),
    /// It had not ended after [`MAX_STEPS`] turns.
    Endless,
    /// Its choices ran out before it ended (a stepper's pause).
    Paused(Vec<Waiter>),
}

/// A thread at a pause: its number, its name, and what it waits for, if
/// it cannot go now.
#[derive(Clone, Debug)]
pub(crate) struct Waiter {
    pub(crate) thread: usize,
    pub(crate) name: String,
    pub(crate) waits_for: Option<String>,
}

/// A stretch of steps through which a thread held something (a lock, a
/// place): from the step that took it to the step that let it go, or to
/// the end (`to` is `None`).
#[derive(Clone, Debug)]
pub(crate) struct Held {
    pub(crate) thread: String,
    pub(crate) what: String,
    pub(crate) from: usize,
    pub(crate) to: Option<usize>,
}

/// What one run left: its steps, the choices that made it, its end, and the
/// threads that panicked on the way (and ended, as Python's do).
pub(crate) struct Run {
    pub(crate) steps: Vec<Step>,
    pub(crate) choices: Vec<usize>,
    pub(crate) end: End,
    pub(crate) thread_panics: Vec<Step>,
    /// What each thread held, and through which steps.
    pub(crate) holds: Vec<Held>,
    /// What the shared values hold at the end, by name (atomics, locks).
    pub(crate) state: Vec<(String, String)>,
}

/// Turns one run may take before it counts as never ending (a thread that
/// waits by spinning, say).
pub(crate) const MAX_STEPS: usize = 1_000;

/// The model of one run, and what it writes down.
#[derive(Default)]
pub(crate) struct Engine {
    execution: Cell<u64>,
    /// The run is over (deadlock, interrupt): teardown unwinds the threads
    /// left, whose steps and panics are not the schedule's.
    stopping: Cell<bool>,
    /// An interrupt (Ctrl-C) came: no more runs.
    interrupted: RefCell<Option<Box<dyn Any + Send>>>,
    log: RefCell<Log>,
    /// Threads at a point where another may go first.
    pending: RefCell<BTreeSet<usize>>,
    /// Threads waiting: their name, what for, and when they may go.
    parked: RefCell<BTreeMap<usize, Parked>>,
    /// Threads that started and have not ended (the program's own not counted).
    live: Cell<usize>,
    /// Join handles, by the number `spawn` gave.
    handles: RefCell<HashMap<usize, shuttle::thread::JoinHandle<()>>>,
}

/// A thread waiting in [`Model::park`].
struct Parked {
    name: String,
    what: String,
    /// Whether it may go: a closure on the parked thread's stack, which
    /// stays there until the thread leaves `park` (and its entry with it).
    ready: *const (dyn Fn() -> bool + 'static),
}

impl Parked {
    fn may_go(&self) -> bool {
        // SAFETY: `park` removes this entry before its frame (holding the
        // closure) ends, also when it unwinds; the chooser calls this only
        // between steps, while the parked thread is suspended inside `park`.
        unsafe { (*self.ready)() }
    }
}

/// What a run has written so far.
#[derive(Default)]
struct Log {
    steps: Vec<Step>,
    choices: Vec<usize>,
    numbers: HashMap<&'static str, u32>,
    /// What each thread (by number) held, in the order taken.
    holds: Vec<(usize, Held)>,
    /// Each thread's name, once it reached a step (the chooser, called from
    /// inside shuttle, cannot ask shuttle for one).
    names: BTreeMap<usize, String>,
    joining: BTreeMap<usize, (String, String)>,
    deadlock: Option<Vec<Stuck>>,
    paused: Option<Vec<Waiter>>,
    state: Vec<(String, String)>,
    returned: Option<Box<dyn Any>>,
    panicked: Option<String>,
    thread_panics: Vec<Step>,
    spawned: usize,
}

impl Engine {
    /// A new run begins.
    fn open(&self) {
        self.execution.set(self.execution.get() + 1);
        self.stopping.set(false);
        *self.log.borrow_mut() = Log::default();
        self.pending.borrow_mut().clear();
        self.parked.borrow_mut().clear();
        self.live.set(0);
        self.handles.borrow_mut().clear();
    }

    /// The run that ended: what it left.
    fn close(&self) -> Run {
        let log = std::mem::take(&mut *self.log.borrow_mut());
        let mut state = log.state;
        for (_, held) in log.holds.iter().filter(|(_, h)| h.to.is_none()) {
            let by = format!("held by {}", held.thread);
            match state.iter_mut().find(|(name, _)| *name == held.what) {
                Some((_, value)) => *value = by,
                None => state.push((held.what.clone(), by)),
            }
        }
        let end = if let Some(waiters) = log.paused {
            End::Paused(waiters)
        } else if let Some(stuck) = log.deadlock {
            End::Deadlock(stuck)
        } else if let Some(message) = log.panicked {
            End::Panicked(message)
        } else if let (Some(value), 0) = (log.returned, self.live.get()) {
            End::Returned(value)
        } else {
            End::Endless
        };
        Run {
            steps: log.steps,
            choices: log.choices,
            end,
            thread_panics: log.thread_panics,
            holds: log.holds.into_iter().map(|(_, held)| held).collect(),
            state,
        }
    }

    /// Every thread not ended, in order, and what it waits for if it cannot
    /// go now.
    fn waiters(&self, runnable: &[&Task]) -> Vec<Waiter> {
        let parked = self.parked.borrow();
        let log = self.log.borrow();
        let mut waiters: Vec<Waiter> = runnable
            .iter()
            .map(|t| {
                let thread = usize::from(t.id());
                let (name, waits_for) = match parked.get(&thread) {
                    Some(p) => (p.name.clone(), (!p.may_go()).then(|| p.what.clone())),
                    None => (log.names.get(&thread).cloned().unwrap_or_default(), None),
                };
                Waiter {
                    thread,
                    name,
                    waits_for,
                }
            })
            .chain(log.joining.iter().map(|(id, (name, what))| Waiter {
                thread: *id,
                name: name.clone(),
                waits_for: Some(what.clone()),
            }))
            .collect();
        waiters.sort_by_key(|w| w.thread);
        waiters
    }

    /// Who is stuck on what, now that only waiting threads are left.
    fn stuck(&self) -> Vec<Stuck> {
        let log = self.log.borrow();
        let waiting = self.parked.borrow();
        let mut stuck: Vec<(usize, Stuck)> = waiting
            .iter()
            .map(|(id, p)| (*id, p.name.clone(), p.what.clone()))
            .chain(
                log.joining
                    .iter()
                    .map(|(id, (name, what))| (*id, name.clone(), what.clone())),
            )
            .map(|(id, thread, waits_for)| {
                let holds = log
                    .holds
                    .iter()
                    .filter(|(by, held)| *by == id && held.to.is_none())
                    .map(|(_, held)| held.what.clone())
                    .collect();
                (
                    id,
                    Stuck {
                        thread,
                        holds,
                        waits_for,
                    },
                )
            })
            .collect();
        stuck.sort_by_key(|(id, _)| *id);
        stuck.into_iter().map(|(_, s)| s).collect()
    }

    /// The program (`body`) as shuttle's main thread runs it: its value or
    /// its panic written down.
    pub(crate) fn main<R: 'static>(&self, body: &dyn Fn() -> R) {
        match panic::catch_unwind(AssertUnwindSafe(body)) {
            Ok(value) => self.log.borrow_mut().returned = Some(Box::new(value)),
            Err(payload) => self.thread_ended(payload, true),
        }
    }

    /// A thread's body unwound with `payload`: an interrupt ends the
    /// exploration, teardown's own unwinding goes on, a panic of the
    /// program's own thread ends the run.
    fn thread_ended(&self, payload: Box<dyn Any + Send>, main: bool) {
        if self.stopping.get() {
            panic::resume_unwind(payload);
        }
        if crate::interrupt::is_interrupt(&*payload) {
            self.interrupted.borrow_mut().get_or_insert(payload);
            self.stopping.set(true);
        } else if main {
            self.log.borrow_mut().panicked = Some(crate::panics::message(&*payload));
        }
    }
}

impl Model for Engine {
    fn execution(&self) -> u64 {
        self.execution.get()
    }

    fn me(&self) -> usize {
        shuttle::current::me().into()
    }

    fn name(&self) -> String {
        match shuttle::thread::current().name() {
            None | Some("main-thread") => "MainThread".into(),
            Some(name) => name.into(),
        }
    }

    fn point(&self) {
        if self.stopping.get() {
            return;
        }
        let me = self.me();
        if !self.log.borrow().names.contains_key(&me) {
            let name = self.name();
            self.log.borrow_mut().names.insert(me, name);
        }
        self.pending.borrow_mut().insert(me);
        shuttle::thread::sleep(Duration::ZERO);
        self.pending.borrow_mut().remove(&me);
    }

    fn step(&self, what: String) {
        if !self.stopping.get() {
            let thread = self.name();
            self.log.borrow_mut().steps.push(Step { thread, what });
        }
    }

    fn park(&self, what: &str, ready: &dyn Fn() -> bool) {
        if self.stopping.get() {
            return;
        }
        let me = self.me();
        // SAFETY: only the lifetime is erased; the entry goes (below, by a
        // guard that also runs on unwinding) before `ready` does.
        let ready: *const (dyn Fn() -> bool + 'static) =
            unsafe { std::mem::transmute::<*const (dyn Fn() -> bool + '_), _>(ready as *const _) };
        let parked = Parked {
            name: self.name(),
            what: what.into(),
            ready,
        };
        self.parked.borrow_mut().insert(me, parked);
        /// Takes the entry away when `park` returns or unwinds.
        struct Leave<'a>(&'a Engine, usize);
        impl Drop for Leave<'_> {
            fn drop(&mut self) {
                self.0.parked.borrow_mut().remove(&self.1);
            }
        }
        let _leave = Leave(self, me);
        // Runnable in shuttle's eyes, chosen only once `ready` holds.
        shuttle::thread::sleep(Duration::ZERO);
    }

    fn spawn(&self, name: String, body: Box<dyn FnOnce() + Send>) -> usize {
        let number = {
            let mut log = self.log.borrow_mut();
            log.spawned += 1;
            log.spawned
        };
        self.live.set(self.live.get() + 1);
        let engine = SendAnyway(self as *const Engine);
        let handle = shuttle::thread::Builder::new()
            .name(name)
            .spawn(move || {
                // SAFETY: the engine outlives every run it makes (teardown
                // ends each run's threads before `run` returns), and all of
                // them run on the system thread that owns it.
                let engine = unsafe { &**engine.get() };
                // A thread's panic is caught by its body (see `Thread`);
                // what reaches here is teardown's, or an interrupt.
                if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(body)) {
                    engine.thread_ended(payload, false);
                }
                engine.live.set(engine.live.get() - 1);
            })
            .expect("shuttle spawns without the system");
        self.handles.borrow_mut().insert(number, handle);
        number
    }

    fn join(&self, thread: usize, name: &str) {
        let Some(handle) = self.handles.borrow_mut().remove(&thread) else {
            return;
        };
        let me = self.me();
        let what = format!("thread {name} to end");
        self.log
            .borrow_mut()
            .joining
            .insert(me, (self.name(), what));
        let _ = handle.join();
        self.log.borrow_mut().joining.remove(&me);
    }

    fn shows(&self, name: &str, value: String) {
        if self.stopping.get() {
            return;
        }
        let mut log = self.log.borrow_mut();
        match log.state.iter_mut().find(|(n, _)| n == name) {
            Some((_, now)) => *now = value,
            None => log.state.push((name.into(), value)),
        }
    }

    fn hold(&self, what: &str, held: bool) {
        if self.stopping.get() {
            return;
        }
        let me = self.me();
        let mut log = self.log.borrow_mut();
        let now = log.steps.len();
        let open = log
            .holds
            .iter_mut()
            .find(|(by, h)| *by == me && h.what == what && h.to.is_none());
        match (open, held) {
            (None, true) => {
                let thread = self.name();
                // Taken by the step just written down.
                let from = now.saturating_sub(1);
                let what = what.into();
                log.holds.push((
                    me,
                    Held {
                        thread,
                        what,
                        from,
                        to: None,
                    },
                ));
            }
            (Some((_, h)), false) => h.to = Some(now),
            _ => {}
        }
    }

    fn panicked(&self, message: String) {
        let thread = self.name();
        // The program's own thread's panic is the run's end, not a line.
        if !self.stopping.get() && thread != "MainThread" {
            self.log.borrow_mut().thread_panics.push(Step {
                thread,
                what: message,
            });
        }
    }

    fn number(&self, kind: &'static str) -> u32 {
        let mut log = self.log.borrow_mut();
        let n = log.numbers.entry(kind).or_default();
        *n += 1;
        *n
    }
}

/// Where the choices come from: a search (DFS), a sample, a replay.
pub(crate) type Source = Rc<RefCell<dyn Scheduler>>;

/// Shuttle's scheduler for our runs: passes the choice on at the points a
/// learner sees, keeps the running thread elsewhere, never picks a parked
/// thread, and calls it a deadlock when nothing else is left.
struct Chooser {
    engine: Rc<Engine>,
    source: Source,
    /// Runs end as they end: the closing of each goes to `done`.
    done: Rc<dyn Fn(Run)>,
    /// Whether a run is open (closed at the next `new_execution`).
    open: bool,
    deadline: Option<Instant>,
    /// Runs that may still begin.
    left: Rc<Cell<usize>>,
    /// The source had no more choices to make.
    exhausted: Rc<Cell<bool>>,
}

impl Scheduler for Chooser {
    fn new_execution(&mut self) -> Option<Fresh> {
        if std::mem::take(&mut self.open) {
            (self.done)(self.engine.close());
        }
        let over = self.engine.interrupted.borrow().is_some()
            || self.left.get() == 0
            || self.deadline.is_some_and(|d| Instant::now() > d);
        if over {
            return None;
        }
        let Some(fresh) = self.source.borrow_mut().new_execution() else {
            self.exhausted.set(true);
            return None;
        };
        self.left.set(self.left.get() - 1);
        self.engine.open();
        self.open = true;
        Some(fresh)
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        let engine = &self.engine;
        if engine.stopping.get() || crate::interrupt::requested() {
            if !engine.stopping.replace(true) {
                let interrupt: Box<dyn Any + Send> = Box::new(crate::interrupt::KeyboardInterrupt);
                engine.interrupted.borrow_mut().get_or_insert(interrupt);
            }
            return None;
        }
        let parked = engine.parked.borrow();
        let pending = engine.pending.borrow();
        // A thread between steps (just started, just joined, ending) goes on
        // first: what it does there touches nothing another thread sees.
        let between = |t: &&&Task| {
            let id = usize::from(t.id());
            !pending.contains(&id) && !parked.contains_key(&id)
        };
        let running = current.and_then(|c| runnable.iter().find(|t| t.id() == c));
        if let Some(task) = running
            .filter(between)
            .or_else(|| runnable.iter().find(between))
        {
            return Some(task.id());
        }
        // Each thread is at a step, or waits: a choice.
        let choices: Vec<&Task> = runnable
            .iter()
            .filter(|t| parked.get(&usize::from(t.id())).is_none_or(Parked::may_go))
            .copied()
            .collect();
        drop((parked, pending));
        if choices.is_empty() {
            let stuck = engine.stuck();
            engine.log.borrow_mut().deadlock = Some(stuck);
            engine.stopping.set(true);
            return None;
        }
        let Some(next) = self
            .source
            .borrow_mut()
            .next_task(&choices, current, is_yielding)
        else {
            // The choices ran out: a pause, with who could go and who waits.
            let waiters = engine.waiters(runnable);
            engine.log.borrow_mut().paused = Some(waiters);
            engine.stopping.set(true);
            return None;
        };
        engine.log.borrow_mut().choices.push(next.into());
        Some(next)
    }

    fn next_u64(&mut self) -> u64 {
        self.source.borrow_mut().next_u64()
    }
}

/// Follows recorded choices, then pauses (a replay, whose choices cover
/// the whole run; a stepper's steps so far) or searches every way on (what
/// a stepper can still come to).
pub(crate) struct Follow {
    choices: Vec<usize>,
    at: usize,
    then: Then,
    started: bool,
}

/// What [`Follow`] does when its choices run out.
pub(crate) enum Then {
    Pause,
    Search(DfsScheduler),
}

impl Follow {
    pub(crate) fn new(choices: Vec<usize>, then: Then) -> Follow {
        Follow {
            choices,
            at: 0,
            then,
            started: false,
        }
    }
}

impl Scheduler for Follow {
    fn new_execution(&mut self) -> Option<Fresh> {
        self.at = 0;
        match &mut self.then {
            Then::Pause => (!std::mem::replace(&mut self.started, true)).then(|| Fresh::new(0)),
            Then::Search(search) => search.new_execution(),
        }
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        let Some(&wanted) = self.choices.get(self.at) else {
            return match &mut self.then {
                Then::Pause => None,
                Then::Search(search) => search.next_task(runnable, current, is_yielding),
            };
        };
        self.at += 1;
        runnable
            .iter()
            .find(|t| usize::from(t.id()) == wanted)
            .map(|t| t.id())
    }

    fn next_u64(&mut self) -> u64 {
        0
    }
}

/// A seeded random sample of schedules: at each choice, any thread that can
/// go, alike likely. (Shuttle's `RandomScheduler` makes the same choices,
/// but prints a "failing seed" to stderr when a sample stops early.)
pub(crate) struct Sample {
    rng: rand_pcg::Pcg64Mcg,
}

impl Sample {
    pub(crate) fn new(seed: u64) -> Sample {
        use rand::SeedableRng;
        Sample {
            rng: rand_pcg::Pcg64Mcg::seed_from_u64(seed),
        }
    }
}

impl Scheduler for Sample {
    fn new_execution(&mut self) -> Option<Fresh> {
        Some(Fresh::new(0))
    }

    fn next_task(&mut self, runnable: &[&Task], _: Option<TaskId>, _: bool) -> Option<TaskId> {
        use rand::Rng;
        Some(runnable[self.rng.gen_range(0..runnable.len())].id())
    }

    fn next_u64(&mut self) -> u64 {
        use rand::RngCore;
        self.rng.next_u64()
    }
}

/// How many runs [`run`] made, and whether their source ran out of choices.
pub(crate) struct Ran {
    pub(crate) runs: usize,
    pub(crate) exhausted: bool,
}

/// Runs `program` under choices from `source` until it has no more, `most`
/// runs have begun or `budget` has passed, handing each run to `done`. An
/// interrupt stops it and unwinds as one, after `done` has seen the runs
/// that ended.
pub(crate) fn run<R: 'static>(
    program: Rc<dyn Fn() -> R>,
    source: Source,
    most: usize,
    budget: Option<Duration>,
    done: Rc<dyn Fn(Run)>,
) -> Ran {
    assert!(
        model::with(|model| model.is_none()),
        "explore(…) (or a Stepper, or a replay) inside explore(…): the program explored runs \
         under one scheduler — explore it from outside"
    );
    quiet_shuttle();
    let engine = Rc::new(Engine::default());
    let left = Rc::new(Cell::new(most));
    let exhausted = Rc::new(Cell::new(false));
    let chooser = Chooser {
        engine: Rc::clone(&engine),
        source,
        done,
        open: false,
        deadline: budget.and_then(|b| Instant::now().checked_add(b)),
        left: Rc::clone(&left),
        exhausted: Rc::clone(&exhausted),
    };
    let mut config = shuttle::Config::new();
    config.failure_persistence = shuttle::FailurePersistence::None;
    config.max_steps = shuttle::MaxSteps::ContinueAfter(MAX_STEPS);
    config.stack_size = 256 * 1024;
    config.silence_warnings = true;
    let main = {
        let engine: *const Engine = Rc::as_ptr(&engine);
        move || {
            // SAFETY: as in `Engine::spawn`: the engine outlives the runs.
            let engine = unsafe { &*engine };
            engine.main(&*program);
        }
    };
    let main = SendAnyway(main);
    model::under(&*engine, || {
        shuttle::Runner::new(chooser, config).run(move || main.get()());
    });
    if let Some(payload) = engine.interrupted.borrow_mut().take() {
        panic::resume_unwind(payload);
    }
    Ran {
        runs: most - left.get(),
        exhausted: exhausted.get(),
    }
}

/// What shuttle's runner needs to be `Send + Sync`, and is not: the
/// program and the engine, which never leave this system thread (shuttle
/// runs every thread of the program on the thread that calls `run`).
struct SendAnyway<T>(T);

impl<T> SendAnyway<T> {
    /// What it holds (a method, so that a closure captures the wrapper).
    fn get(&self) -> &T {
        &self.0
    }
}

// SAFETY: shuttle runs the closure only on the thread that called
// `Runner::run`, as continuations of that thread; it never sends or shares
// it with another system thread.
unsafe impl<T> Send for SendAnyway<T> {}
// SAFETY: as for `Send`.
unsafe impl<T> Sync for SendAnyway<T> {}

/// Shuttle's panic hook (installed at its first run, one per copy of the
/// prelude) prints a schedule for every panic, even outside `explore`: let
/// it install itself on a first run that panics nothing, and put back the
/// hook from before; then ours, once per process, which writes down a panic
/// of an explored thread and passes every other on.
fn quiet_shuttle() {
    static SHUTTLE_HOOK: Once = Once::new();
    SHUTTLE_HOOK.call_once(|| {
        let before = panic::take_hook();
        shuttle::Runner::new(Follow::new(vec![], Then::Pause), shuttle::Config::new()).run(|| {});
        drop(panic::take_hook());
        panic::set_hook(before);
    });
    shared! {
        fn ours() -> Once = Once::new();
    }
    crate::globals::once(ours(), || {
        let before = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let explored = model::with(|model| {
                model.map(|model| {
                    let message = crate::panics::message(info.payload());
                    model.panicked(message);
                })
            });
            if explored.is_none() {
                before(info);
            }
        }));
    });
}
