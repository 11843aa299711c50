//! Chapter 02's exercises on [`explore`](crate::explore) (`notebooks/02-threads.ipynb`,
//! tutorial §1.2 线程, 线程锁): a deposit that loses no update, and two
//! opposite transfers that cannot deadlock — checked not by running them and
//! hoping, but in every order their steps can take.
//!
//! The reference solutions, `notebooks/solutions/02-threads.rs`, pass (see
//! [`threads`](super::threads), which runs them all).

use std::sync::Arc;
use std::sync::atomic::Ordering::SeqCst;

use super::{Exercise, Level, Verdict, unless_todo};
use crate::explore::{Ending, Exploration, Explorer, Schedule, explore};
use crate::threading::{AtomicU64, Lock, Thread};

const CHAPTER: &str = "02-threads";

/// `deposit(balance, lock)`: an update no schedule can lose.
pub const NO_LOST_UPDATE: Exercise = Exercise {
    id: "02-no-lost-update",
    chapter: CHAPTER,
    level: Level::Combine,
    title: "deposit(balance, lock): add 1 so that explore finds no schedule that loses an update",
    hints: &[
        "Between your read and your write another thread may read the same value: explore shows you that order — print one with `explore(…).first(|&total| total < 4)`.",
        "Hold the lock from the read to the write: `let _held = lock.acquire();` first, then load and store; the guard lets go at the end of the function.",
        "Or read and write in one step, with no lock at all: `balance.fetch_add(1, Ordering::SeqCst);`.",
    ],
};

/// `pay(accounts, from, to)`: both locks at once, in every schedule, without a deadlock.
pub const NO_DEADLOCK: Exercise = Exercise {
    id: "02-no-deadlock",
    chapter: CHAPTER,
    level: Level::Combine,
    title: "pay(accounts, from, to): hold both accounts' locks at once, so that explore finds no deadlock",
    hints: &[
        "explore's deadlock tells who holds what: A holds account 0 and waits for account 1, B holds account 1 and waits for account 0.",
        "Take the two locks in the same order in every transfer, whichever way it goes: the lower index first.",
        "`let (low, high) = (from.min(to), from.max(to));` then `let _a = accounts[low].acquire(); let _b = accounts[high].acquire();`.",
    ],
};

/// Two people, A and B, each deposit twice into one balance; what it ends with.
fn two_depositors(deposit: fn(&AtomicU64, &Lock)) -> u64 {
    let balance = Arc::new(AtomicU64::new(0).named("balance"));
    let lock = Lock::new().named("lock");
    let people: Vec<Thread> = ["A", "B"]
        .into_iter()
        .map(|name| {
            let (balance, lock) = (Arc::clone(&balance), lock.clone());
            Thread::new(move || {
                deposit(&balance, &lock);
                deposit(&balance, &lock);
            })
            .with_name(name)
        })
        .collect();
    people
        .iter()
        .for_each(|p| p.start().expect("a thread starts"));
    people
        .iter()
        .for_each(|p| p.join().expect("a deposit ends"));
    balance.load(SeqCst)
}

/// What every check says of a schedule that panicked or deadlocked, in
/// one line: the threads stuck, each with what it holds and waits for (the
/// program's own thread, waiting for them to end, left out).
fn went_wrong<R: Clone + PartialEq + std::fmt::Debug + 'static>(
    found: &Exploration<R>,
    what: &str,
) -> Result<(), String> {
    if let Some(panicked) = found.panics().first() {
        return Err(format!(
            "{what} panicked in one of the schedules explore ran: {}",
            panicked.ending()
        ));
    }
    let Some(stuck) = found.deadlocks().into_iter().next() else {
        return Ok(());
    };
    let schedules: usize = found
        .outcomes()
        .iter()
        .filter(|o| matches!(o.ending(), Ending::Deadlock(_)))
        .map(|o| o.count())
        .sum();
    let Ending::Deadlock(threads) = stuck.ending() else {
        unreachable!("a deadlock's schedule ends in one");
    };
    let who: Vec<String> = threads
        .iter()
        .filter(|t| t.thread != "MainThread")
        .map(ToString::to_string)
        .collect();
    Err(format!(
        "explore found a deadlock in {schedules} of {} schedules: {}",
        found.len(),
        who.join("; ")
    ))
}

/// Checks `deposit` ([`NO_LOST_UPDATE`]): one deposit on 0 must leave 1 and
/// the lock free; two people depositing twice each must end with 4 in every
/// schedule [`explore`] runs, with no deadlock.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-lost.txt")) };
/// use multitask::prelude::*;
/// use std::sync::atomic::Ordering;
/// // Read, then write: another deposit can come in between.
/// fn deposit(balance: &threading::AtomicU64, _lock: &threading::Lock) {
///     let seen = balance.load(Ordering::SeqCst);
///     balance.store(seen + 1, Ordering::SeqCst);
/// }
/// let verdict = exercises::check_no_lost_update(deposit);
/// assert!(!verdict.passed);
/// assert!(verdict.message.contains("lost an update in 64 of 70 schedules"), "{verdict}");
/// ```
pub fn check_no_lost_update(deposit: fn(&AtomicU64, &Lock)) -> Verdict {
    NO_LOST_UPDATE.judge(move || {
        let (balance, lock) = (AtomicU64::new(0), Lock::new());
        unless_todo(|| deposit(&balance, &lock))?;
        let once = balance.load(SeqCst);
        if once != 1 {
            return Err(format!(
                "one deposit on a balance of 0 left {once}, expected 1"
            ));
        }
        if lock.locked() {
            return Err(
                "the lock was still held after the deposit returned: the next deposit would \
                 wait for it for ever — let it go (the guard at the end of its scope, or \
                 release())"
                    .into(),
            );
        }
        let found = explore(move || two_depositors(deposit));
        went_wrong(&found, "a deposit")?;
        let lost = found.len() - found.count(&4);
        if lost > 0 {
            return Err(format!(
                "two people depositing twice each lost an update in {lost} of {} schedules: \
                 both read the same balance before either wrote (see one with \
                 explore(…).first(|&total| total < 4)) — hold the lock from the read to the \
                 write, or add in one step",
                found.len()
            ));
        }
        Ok(format!(
            "explore ran all {} schedules of two people depositing twice each: every one ends \
             with 4",
            found.len()
        ))
    })
}

/// Two payments at once, A from account 0 to 1 and B from 1 to 0; whether
/// a lock was still held when both had ended.
fn opposite_transfers(pay: fn(&[Lock], usize, usize)) -> bool {
    let accounts: Arc<[Lock]> = Arc::new([
        Lock::new().named("account 0"),
        Lock::new().named("account 1"),
    ]);
    let payers: Vec<Thread> = [("A", 0, 1), ("B", 1, 0)]
        .into_iter()
        .map(|(name, from, to)| {
            let accounts = Arc::clone(&accounts);
            Thread::new(move || pay(&accounts, from, to)).with_name(name)
        })
        .collect();
    payers
        .iter()
        .for_each(|p| p.start().expect("a thread starts"));
    payers
        .iter()
        .for_each(|p| p.join().expect("a transfer ends"));
    accounts.iter().any(Lock::locked)
}

/// Whether `thread` held two locks at once somewhere in `schedule`.
fn held_both(schedule: &Schedule<bool>, thread: &str) -> bool {
    let end = schedule.steps().len();
    let mine: Vec<(usize, usize)> = schedule
        .holds()
        .iter()
        .filter(|h| h.thread == thread)
        .map(|h| (h.from, h.to.unwrap_or(end)))
        .collect();
    mine.iter()
        .enumerate()
        .any(|(i, a)| mine[i + 1..].iter().any(|b| a.0 < b.1 && b.0 < a.1))
}

/// Checks `pay` ([`NO_DEADLOCK`]): two opposite transfers, explored in
/// every schedule, must never deadlock, must end (no retrying for ever),
/// must let both locks go, and each must hold both locks at once.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-deadlock.txt")) };
/// use multitask::prelude::*;
/// // Its own account first: the opposite transfer takes the other first.
/// fn pay(accounts: &[threading::Lock], from: usize, to: usize) {
///     let _from = accounts[from].acquire();
///     let _to = accounts[to].acquire();
/// }
/// let verdict = exercises::check_no_deadlock(pay);
/// assert!(!verdict.passed);
/// assert!(verdict.message.contains("A holds account 0, waits for account 1"), "{verdict}");
/// ```
pub fn check_no_deadlock(pay: fn(&[Lock], usize, usize)) -> Verdict {
    NO_DEADLOCK.judge(move || {
        let accounts = [Lock::new(), Lock::new()];
        unless_todo(|| pay(&accounts, 0, 1))?;
        let found: Exploration<bool> = Explorer::new()
            .most(20_000)
            .run(move || opposite_transfers(pay));
        went_wrong(&found, "a payment")?;
        let endless = found
            .outcomes()
            .iter()
            .find(|o| matches!(o.ending(), Ending::Endless));
        if !found.complete() || endless.is_some() {
            return Err(
                "in some orders the two transfers never end: each takes one lock, finds the \
                 other taken, gives its own back and tries again — and again, in step with \
                 the other (a livelock). Take the locks in one order instead"
                    .into(),
            );
        }
        if found.count(&true) > 0 {
            return Err(
                "a lock was still held after both transfers had ended: let each go (its \
                 guard at the end of its scope, or release())"
                    .into(),
            );
        }
        for schedule in found.schedules() {
            for thread in ["A", "B"] {
                if !held_both(schedule, thread) {
                    let steps: Vec<&str> = schedule
                        .steps()
                        .iter()
                        .filter(|s| s.thread == thread)
                        .map(|s| s.what.as_str())
                        .collect();
                    return Err(format!(
                        "{thread}'s payment never held both accounts at once ({}): in between, \
                         the money is in neither account — take the second lock before \
                         letting the first go",
                        steps.join(", ")
                    ));
                }
            }
        }
        Ok(format!(
            "explore ran all {} schedules of two opposite transfers: no deadlock, and each \
             held both accounts at once",
            found.len()
        ))
    })
}
