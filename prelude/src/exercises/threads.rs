//! Chapter 02's exercises (`notebooks/02-threads.ipynb`, tutorial §1.2 线程):
//! named threads and a counter threads share without losing an update
//! (warm-ups), daemon and other threads when a process exits (combine, with
//! chapter 01), and a transfer between two locked accounts that cannot
//! deadlock (challenge).
//!
//! The reference solutions, `notebooks/solutions/02-threads.rs`, pass:
//!
//! ```
//! # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-02.txt")) };
//! use multitask::prelude::*;
#![doc = include_str!("../../../notebooks/solutions/02-threads.rs")]
//! assert!(exercises::check_named_threads(names_from_threads).passed);
//! assert!(exercises::check_safe_counter(count_in_threads).passed);
//! assert!(exercises::check_daemon_exit(start_helpers).passed);
//! assert!(exercises::check_two_locks(transfer).passed);
//! assert!(exercises::check_no_lost_update(deposit).passed);
//! assert!(exercises::check_no_deadlock(pay).passed);
//! ```

use std::sync::atomic::Ordering::SeqCst;
use std::sync::{Arc, Mutex, TryLockError};
use std::time::{Duration, Instant};

use super::{Exercise, Level, Verdict, census, words};
use crate::multiprocessing::{Process, Value};

const CHAPTER: &str = "02-threads";

/// `names_from_threads(n)`: `Thread::with_name` and `current_thread`.
pub const NAMED_THREADS: Exercise = Exercise {
    id: "02-named-threads",
    chapter: CHAPTER,
    level: Level::WarmUp,
    title: "names_from_threads(n): n threads named worker-0 … each report their own name",
    hints: &[
        "`Thread::new(|| current_thread().name().to_string()).with_name(format!(\"worker-{i}\"))`.",
        "Start them all first, then join each: `t.join()` hands back what the closure returned.",
    ],
};

/// `count_in_threads(threads, each)`: an update that cannot be lost.
pub const SAFE_COUNTER: Exercise = Exercise {
    id: "02-safe-counter",
    chapter: CHAPTER,
    level: Level::WarmUp,
    title: "count_in_threads(threads, each): a counter shared by threads that loses nothing",
    hints: &[
        "Share it with `Arc`: `let total = Arc::new(AtomicU64::new(0));` and a clone per thread.",
        "`total.fetch_add(1, Ordering::SeqCst)` reads and writes in one step; `load` then `store` would not.",
        "Join every thread before `total.load(Ordering::SeqCst)`.",
    ],
};

/// `start_helpers(save, heartbeat)`: which thread a process waits for at exit.
pub const DAEMON_EXIT: Exercise = Exercise {
    id: "02-daemon-exit",
    chapter: CHAPTER,
    level: Level::Combine,
    title: "start_helpers(save, heartbeat): start both and return; the process exits once the save is done",
    hints: &[
        "At exit a process waits for every thread that is not a daemon, and drops its daemon threads where they stand.",
        "The heartbeat never ends, so it must be a daemon: `Thread::new(heartbeat).daemon(true).start()`; the save must not be one.",
        "Do not `join` either: start both and return — the exit waits for the save by itself.",
    ],
};

/// `transfer(accounts, from, to, amount)`: two locks, no deadlock.
pub const TWO_LOCKS: Exercise = Exercise {
    id: "02-two-locks",
    chapter: CHAPTER,
    level: Level::Challenge,
    title: "transfer(accounts, from, to, amount): move money between two locked accounts, never deadlocking",
    hints: &[
        "Why the first try deadlocks: the thread paying 0→1 holds lock 0 and waits for lock 1, while the one paying 1→0 holds lock 1 and waits for lock 0 — each waits for the other forever.",
        "Take the locks in one order for every transfer, whichever way the money goes: the lower index first.",
        "`let (low, high) = (from.min(to), from.max(to));` lock `accounts[low]`, then `accounts[high]`, and keep both guards until the money has moved.",
    ],
};

/// Checks `names_from_threads` ([`NAMED_THREADS`]): each thread must ask
/// its own name, the threads must run side by side and all be joined, and
/// the names must come back in the threads' order.
///
/// While it runs, the k-th thread to ask `current_thread()` waits
/// 25 × (8 − k) ms first ([`crate::probe`]): later threads finish first, so
/// names taken as they come are out of order every time.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-named.txt")) };
/// use multitask::prelude::*;
/// // The names made up, not asked of the threads.
/// fn names_from_threads(n: usize) -> Vec<String> {
///     (0..n).map(|i| format!("worker-{i}")).collect()
/// }
/// assert!(!exercises::check_named_threads(names_from_threads).passed);
/// ```
pub fn check_named_threads(names_from_threads: fn(usize) -> Vec<String>) -> Verdict {
    NAMED_THREADS.judge(move || {
        let probe = super::probe();
        probe.stagger_ms.store(25, SeqCst);
        let (got, threads) = census::threads_during(|| names_from_threads(3));
        let want = ["worker-0", "worker-1", "worker-2"];
        if threads.started == 0 {
            return Err(
                "no thread was started: the names were made here — start n threads, \
                        and let each ask current_thread().name()"
                    .into(),
            );
        }
        if threads.left() > 0 {
            return Err(words::threads_left(threads.left()));
        }
        if got != want {
            let mut sorted = got.clone();
            sorted.sort();
            if sorted == want {
                return Err(format!(
                    "it gave {got:?}: the names in the order the threads finished — give them \
                     in the order the threads were made (join each in turn)"
                ));
            }
            if !got.is_empty() && got.iter().all(|name| name.starts_with("Thread-")) {
                return Err("the threads were not named: each reported a default name \
                            (Thread-N) — name each with .with_name(format!(\"worker-{i}\"))"
                    .into());
            }
            return Err(format!(
                "names_from_threads(3) gave {}, expected {want:?}",
                words::brief(&got)
            ));
        }
        if probe.own_names_asked.load(SeqCst) == 0 {
            return Err(
                "the names were not asked by the threads themselves (read from the \
                        handles?): call current_thread().name() inside each thread"
                    .into(),
            );
        }
        if threads.one_at_a_time() {
            return Err(words::one_at_a_time("threads"));
        }
        Ok("three threads, side by side, each reporting its own name, all joined".into())
    })
}

/// Checks `count_in_threads` ([`SAFE_COUNTER`]): 8 threads × 300000
/// increments, four times over. A race between a read and a write is not
/// slowed down here (an atomic cannot be), so it is given every chance: a
/// run on a busy machine may let the threads take turns without ever
/// meeting between a read and a write, but not four runs of 2.4 million
/// increments each. Threads that run one at a time are seen to.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-safe.txt")) };
/// use multitask::prelude::*;
/// fn count_in_threads(_threads: usize, _each: usize) -> u64 { 0 }
/// assert!(!exercises::check_safe_counter(count_in_threads).passed);
/// ```
pub fn check_safe_counter(count_in_threads: fn(usize, usize) -> u64) -> Verdict {
    SAFE_COUNTER.judge(move || {
        let runs = [(8, 300_000); 4].into_iter().chain([(2, 10), (1, 0)]);
        for (threads, each) in runs {
            let (got, census) = census::threads_during(|| count_in_threads(threads, each));
            let want = (threads * each) as u64;
            let call = format!("count_in_threads({threads}, {each})");
            // Threads this long are seen by the census, whoever made them.
            if census.started == 0 && each >= 300_000 {
                return Err(format!(
                    "{call} started no thread: the counting was done here — start {threads} \
                     threads that share the counter"
                ));
            }
            if census.left() > 0 {
                return Err(words::threads_left(census.left()));
            }
            if got < want && got > 0 {
                return Err(format!(
                    "{} — fetch_add reads and writes in one step; or hold one Mutex around both",
                    words::lost_updates(&call, got, want, "threads")
                ));
            }
            if got != want {
                return Err(format!("{call} gave {got}, expected {want}"));
            }
            if threads > 1 && census.one_at_a_time() {
                return Err(words::one_at_a_time("threads"));
            }
        }
        Ok("8 threads × 300000 increments, side by side, give exactly 2400000, four times".into())
    })
}

/// Work handed to a thread to start.
type Job = Box<dyn FnOnce() + Send>;

/// Checks `start_helpers` ([`DAEMON_EXIT`]) in a child process: it must
/// return at once, the save must be done before the child exits, and the
/// child must exit although the heartbeat never ends.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-daemon.txt")) };
/// use multitask::prelude::*;
/// // Both daemons: the process exits without waiting for the save.
/// fn start_helpers(save: Box<dyn FnOnce() + Send>, heartbeat: Box<dyn FnOnce() + Send>) {
///     Thread::new(save).daemon(true).start().unwrap();
///     Thread::new(heartbeat).daemon(true).start().unwrap();
/// }
/// assert!(!exercises::check_daemon_exit(start_helpers).passed);
///
/// // A panic that is not the TODO's todo!() is not told to replace it.
/// fn panics(_: Box<dyn FnOnce() + Send>, _: Box<dyn FnOnce() + Send>) {
///     panic!("boom")
/// }
/// assert!(exercises::check_daemon_exit(panics).message.contains("panicked in the child process"));
///
/// // Ends the process itself instead of returning.
/// fn exits(save: Box<dyn FnOnce() + Send>, heartbeat: Box<dyn FnOnce() + Send>) {
///     Thread::new(save).start().unwrap();
///     Thread::new(heartbeat).daemon(true).start().unwrap();
///     std::process::exit(0);
/// }
/// let verdict = exercises::check_daemon_exit(exits);
/// assert!(verdict.message.contains("never returned"), "{}", verdict.message);
/// ```
pub fn check_daemon_exit(start_helpers: fn(Job, Job)) -> Verdict {
    DAEMON_EXIT.judge(move || {
        let shared = |start| Value::new(start).map_err(|e| e.to_string());
        // -1 until start_helpers returns: an answer that ends the process
        // itself never sets it.
        let (saved, beats, returned_ms) = (shared(0_i64)?, shared(0)?, shared(-1)?);
        let child = Process::new({
            let (saved, beats, returned_ms) = (saved.clone(), beats.clone(), returned_ms.clone());
            move || {
                let save = Box::new(move || {
                    std::thread::sleep(Duration::from_millis(300));
                    saved.set(42);
                });
                let heartbeat = Box::new(move || {
                    loop {
                        beats.set(beats.get() + 1);
                        std::thread::sleep(Duration::from_millis(10));
                    }
                });
                let started = Instant::now();
                let call = std::panic::AssertUnwindSafe(|| start_helpers(save, heartbeat));
                if let Err(payload) = std::panic::catch_unwind(call) {
                    // Told by the parent: the exit code says it, 3 for a todo!().
                    let todo = crate::panics::message(&*payload).starts_with("not yet implemented");
                    crate::multiprocessing::exit(if todo { 3 } else { 4 });
                }
                returned_ms.set(i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX));
            }
        })
        .with_name("helpers");
        child.start().map_err(|e| e.to_string())?;
        let limit = Duration::from_secs(3);
        let exited = child.join_timeout(limit).map_err(|e| e.to_string())?;
        if exited.is_none() {
            let _ = child.kill();
            let _ = child.join();
            return Err(format!(
                "the process had not exited {} s after start_helpers returned: a thread that is \
                 not a daemon keeps its process alive, and the heartbeat never ends — make it a daemon",
                limit.as_secs()
            ));
        }
        if child.exitcode() == Some(3) {
            return Err("start_helpers panicked: replace the todo!() with your code".into());
        }
        if child.exitcode() == Some(4) {
            return Err("start_helpers panicked in the child process (its message is above)".into());
        }
        if child.exitcode() != Some(0) {
            return Err(format!(
                "the child process failed (exit code {:?}): did start_helpers panic?",
                child.exitcode()
            ));
        }
        if returned_ms.get() < 0 {
            return Err("start_helpers never returned: it ended the process itself \
                        (std::process::exit?) — start the threads and return; the exit comes \
                        by itself, and waits for the save"
                .into());
        }
        if returned_ms.get() >= 250 {
            return Err(format!(
                "start_helpers took {} ms to return: it waited for the save — start the threads \
                 and return; the exit waits for the save by itself",
                returned_ms.get()
            ));
        }
        if saved.get() != 42 {
            return Err("the save was lost: the process exited without waiting for it — \
                        a daemon thread is dropped at exit, so the save must not be one"
                .into());
        }
        if beats.get() == 0 {
            return Err("the heartbeat never beat: start it too".into());
        }
        Ok(format!(
            "start_helpers returned in {} ms, the save was done, and the process exited with its heartbeat still beating",
            returned_ms.get()
        ))
    })
}

/// Two accounts of 1000 each, shared with a payer thread.
type Accounts = Arc<[Mutex<i64>; 2]>;

/// Holds account `held` while one thread pays 1 from account `from` to the
/// other, and looks at the accounts every millisecond (never waiting on a
/// lock) until `look` says it saw what it looks for, or `window` is over.
/// Then lets go, waits for the payment, and gives what `look` said last and
/// the balances. A probe, not a race: the payer can only go as far as the
/// held lock lets it.
fn while_held(
    transfer: fn(&[Mutex<i64>], usize, usize, i64),
    held: usize,
    from: usize,
    window: Duration,
    mut look: impl FnMut(&Accounts) -> bool,
) -> Result<(bool, [i64; 2]), String> {
    let accounts: Accounts = Arc::new([Mutex::new(1000), Mutex::new(1000)]);
    let guard = accounts[held].lock().unwrap_or_else(|p| p.into_inner());
    let payer = {
        let accounts = Arc::clone(&accounts);
        std::thread::Builder::new()
            .name(format!("pays {from} to {}", 1 - from))
            .spawn(move || transfer(&accounts[..], from, 1 - from, 1))
            .map_err(|e| e.to_string())?
    };
    let deadline = Instant::now() + window;
    let mut saw = false;
    while !saw && Instant::now() < deadline {
        saw = look(&accounts);
        std::thread::sleep(Duration::from_millis(1));
    }
    drop(guard);
    payer
        .join()
        .map_err(|_| "a transfer panicked".to_string())?;
    let balance = |i: usize| *accounts[i].lock().unwrap_or_else(|p| p.into_inner());
    Ok((saw, [balance(0), balance(1)]))
}

/// Holds account `held` while one thread pays 1 from account 0 to 1.
/// Returns the other account's balance if it changed meanwhile — a transfer
/// that holds both locks cannot change one account while the other is
/// locked, so a change is money caught in between — and the balances once
/// the payment is done. It catches a lock-at-a-time transfer, and one that
/// gives up on a busy lock, every time.
fn seen_while_held(
    transfer: fn(&[Mutex<i64>], usize, usize, i64),
    held: usize,
) -> Result<(Option<i64>, [i64; 2]), String> {
    let mut seen = None;
    let (_, after) = while_held(transfer, held, 0, Duration::from_millis(300), |accounts| {
        if let Ok(balance) = accounts[1 - held].try_lock() {
            seen = Some(*balance).filter(|&b| b != 1000);
        }
        seen.is_some()
    })?;
    Ok((seen, after))
}

/// Holds account 0 while one thread pays 1 from account `from` to the other,
/// and says whether the payer took account 1 meanwhile: then it takes
/// account 1 before account 0 in that direction.
fn takes_one_first(
    transfer: fn(&[Mutex<i64>], usize, usize, i64),
    from: usize,
) -> Result<bool, String> {
    // Held for 100 ms on end, not at one look: a transfer that gives both
    // back and tries again holds account 1 now and then (longer if it is
    // descheduled meanwhile), and deadlocks nobody.
    let mut busy_since: Option<Instant> = None;
    let (taken, _) = while_held(transfer, 0, from, Duration::from_millis(400), |accounts| {
        if matches!(accounts[1].try_lock(), Err(TryLockError::WouldBlock)) {
            let since = *busy_since.get_or_insert_with(Instant::now);
            since.elapsed() >= Duration::from_millis(100)
        } else {
            busy_since = None;
            false
        }
    })?;
    Ok(taken)
}

/// What the two-locks check says of a deadlock.
const DEADLOCK: &str = "a deadlock: both accounts stayed locked for 2 s and no payment went through — \
    `pays 0 to 1` holds account 0 and waits for account 1, while `pays 1 to 0` holds account 1 and \
    waits for account 0";

/// Checks `transfer` ([`TWO_LOCKS`]): two threads paying each other 20000
/// times must end (no deadlock) with every unit of money where it belongs,
/// and an auditor must never catch money in between accounts.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-locks.txt")) };
/// use multitask::prelude::*;
/// use std::sync::Mutex;
/// // One lock at a time: no deadlock, but the money is in neither account for a moment.
/// fn transfer(accounts: &[Mutex<i64>], from: usize, to: usize, amount: i64) {
///     *accounts[from].lock().unwrap() -= amount;
///     *accounts[to].lock().unwrap() += amount;
/// }
/// let verdict = exercises::check_two_locks(transfer);
/// assert!(!verdict.passed);
/// assert!(verdict.message.contains("half done"), "{verdict}");
///
/// // Credit first, then debit: caught the same way, from the other side.
/// fn credit_first(accounts: &[Mutex<i64>], from: usize, to: usize, amount: i64) {
///     *accounts[to].lock().unwrap() += amount;
///     *accounts[from].lock().unwrap() -= amount;
/// }
/// assert!(exercises::check_two_locks(credit_first).message.contains("half done"));
/// ```
pub fn check_two_locks(transfer: fn(&[Mutex<i64>], usize, usize, i64)) -> Verdict {
    TWO_LOCKS.judge(move || {
        let accounts = [Mutex::new(1000), Mutex::new(1000)];
        transfer(&accounts, 0, 1, 5);
        let balances = |accounts: &[Mutex<i64>]| -> Vec<i64> {
            accounts
                .iter()
                .map(|a| *a.lock().unwrap_or_else(|p| p.into_inner()))
                .collect()
        };
        if balances(&accounts) != [995, 1005] {
            return Err(format!(
                "transfer(accounts, 0, 1, 5) on [1000, 1000] left {:?}, expected [995, 1005]",
                balances(&accounts)
            ));
        }
        for held in [1, 0] {
            let (seen, after) = seen_while_held(transfer, held)?;
            if let Some(seen) = seen {
                let other = 1 - held;
                return Err(format!(
                    "while account {held} stayed locked, a payment of 1 from account 0 to 1 had \
                     already made account {other} {seen}: the payment was half done, one account \
                     changed and the other not yet — hold both locks for the whole transfer"
                ));
            }
            if after != [999, 1001] {
                return Err(format!(
                    "a payment of 1 from account 0 to 1, made while account {held} was locked, \
                     left {after:?}, expected [999, 1001]: the payment was skipped — wait for a \
                     busy lock (lock()), do not give up on it (try_lock())"
                ));
            }
        }
        let (up, down) = (takes_one_first(transfer, 0)?, takes_one_first(transfer, 1)?);
        if up != down {
            let first = |one_first: bool| if one_first { 1 } else { 0 };
            return Err(format!(
                "a payment 0→1 takes account {} first, and a payment 1→0 account {} first: two \
                 opposite payments can each hold one and wait for the other for ever (a \
                 deadlock) — take the locks in one order, the lower index first",
                first(up),
                first(down)
            ));
        }
        let accounts = Arc::new([Mutex::new(1000), Mutex::new(1000)]);
        let payer = |name: &str, from: usize, to: usize| {
            let accounts = Arc::clone(&accounts);
            std::thread::Builder::new()
                .name(name.into())
                .spawn(move || {
                    for _ in 0..20_000 {
                        transfer(&accounts[..], from, to, 1);
                    }
                })
                .map_err(|e| e.to_string())
        };
        let payers = [payer("pays 0 to 1", 0, 1)?, payer("pays 1 to 0", 1, 0)?];
        // The auditor never waits holding a lock, so it cannot deadlock;
        // both locks busy for 2 s on end is a deadlock, not bad luck.
        let busy = |account: &Mutex<i64>| matches!(account.try_lock(), Err(TryLockError::WouldBlock));
        let mut caught = None;
        let mut both_busy_since: Option<Instant> = None;
        while caught.is_none() && payers.iter().any(|p| !p.is_finished()) {
            std::thread::yield_now();
            let Ok(first) = accounts[0].try_lock() else {
                if busy(&accounts[1]) {
                    let since = *both_busy_since.get_or_insert_with(Instant::now);
                    if since.elapsed() > Duration::from_secs(2) {
                        return Err(DEADLOCK.into());
                    }
                    std::thread::sleep(Duration::from_millis(1));
                }
                continue;
            };
            both_busy_since = None;
            if let Ok(second) = accounts[1].try_lock() {
                let total = *first + *second;
                if total != 2000 {
                    caught = Some(total);
                }
            }
        }
        for p in payers {
            if p.join().is_err() {
                return Err("a transfer panicked".into());
            }
        }
        if let Some(total) = caught {
            return Err(format!(
                "in the middle of a transfer the two accounts held {total}, not 2000: the money had \
                 left one account and not reached the other — hold both locks for the whole transfer"
            ));
        }
        let end = balances(&accounts[..]);
        if end != [1000, 1000] {
            return Err(format!(
                "after 20000 payments each way the accounts hold {end:?}, expected [1000, 1000]"
            ));
        }
        Ok("20000 payments each way, no deadlock, and no moment when money was in neither account".into())
    })
}
