//! Be the scheduler: every order in which a small threaded program's steps
//! can run, what each order returns, and one order replayed step by step.
//!
//! One run of a threaded program shows one schedule, chosen by the machine;
//! [`explore`] runs them all. Threads take turns at each step a learner
//! sees — an atomic read or written, a lock taken or let go, an event set —
//! under [shuttle](https://docs.rs/shuttle)'s scheduler (its depth-first
//! search; a seeded random sample when the orders are too many), on one
//! system thread. It tells how many schedules there were and what each
//! came to: the lost update's `2` in 2 schedules and `1` in 4, a deadlock
//! with who holds what and waits for what, a panic. Each is a [`Schedule`]
//! you can print as numbered steps and [`replay`](Schedule::replay).
//!
//! The tutorial's contrast (线程之间要频繁进行切换，加锁，解锁 … 协程 … 不再需要锁)
//! shows here as a count: a threaded program has many schedules; greenlets
//! and generators, which switch only where they yield, have one.
//!
//! | idea | here |
//! |---|---|
//! | every schedule, and what each returned | [`explore`], [`Explorer`] (how many runs, the sample's seed) |
//! | one schedule, step by step, replayed | [`Schedule`], [`Exploration::first`], [`Schedule::replay`] |
//! | be the scheduler: pick the next thread, undo, what is still possible | [`Stepper`] |
//! | what the threads share, seen step by step | [`threading::AtomicU64`](crate::threading::AtomicU64), [`Lock`](crate::threading::Lock), [`RLock`](crate::threading::RLock), [`Condition`](crate::threading::Condition), [`Semaphore`](crate::threading::Semaphore), [`Event`](crate::threading::Event) |
//!
//! Notebook `notebooks/02-threads.ipynb` (the lost update, its fixes, two
//! locks' deadlock); tests: `prelude/tests/explore.rs`, whose counts a
//! Python enumeration of the same programs checks
//! (`prelude/tests/explore_counts.py`); benchmark: `benches/explore.rs`.

mod engine;
pub(crate) mod model;
mod report;
mod schedule;
mod stepper;

pub use engine::{Step, Stuck};
pub use report::{Exploration, Explorer, Outcome, explore};
pub use schedule::{Ending, Schedule};
pub use stepper::{StepError, Stepper};
