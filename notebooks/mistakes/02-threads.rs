// The classic wrong answers to the exercises of notebooks/02-threads.ipynb,
// and right answers other than the reference solutions. The format is
// explained at the top of 01-processes.rs, beside this file.

// exercise: 02-named-threads
// mistake: the names made up here, no thread asked
// says: no thread was started
fn names_from_threads(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("worker-{i}")).collect()
}

// exercise: 02-named-threads
// mistake: the names read from the handles, not asked by the threads
// says: not asked by the threads themselves
fn names_from_threads(n: usize) -> Vec<String> {
    let threads: Vec<Thread> = (0..n)
        .map(|i| Thread::new(|| {}).with_name(format!("worker-{i}")))
        .collect();
    for t in &threads {
        t.start().unwrap();
    }
    threads
        .iter()
        .map(|t| {
            t.join().unwrap();
            t.name().to_string()
        })
        .collect()
}

// exercise: 02-named-threads
// mistake: the names taken as the threads finish, not in their order
// says: in the order the threads finished
// runs: 20
fn names_from_threads(n: usize) -> Vec<String> {
    let (send, names) = std::sync::mpsc::channel();
    let threads: Vec<Thread> = (0..n)
        .map(|i| {
            let send = send.clone();
            Thread::new(move || send.send(current_thread().name().to_string()).unwrap())
                .with_name(format!("worker-{i}"))
        })
        .collect();
    drop(send);
    for t in &threads {
        t.start().unwrap();
    }
    for t in &threads {
        t.join().unwrap();
    }
    names.iter().collect()
}

// exercise: 02-named-threads
// mistake: each thread started and joined in the same loop
// says: ran one at a time
fn names_from_threads(n: usize) -> Vec<String> {
    let mut names = Vec::new();
    for i in 0..n {
        let t = Thread::new(|| current_thread().name().to_string()).with_name(format!("worker-{i}"));
        t.start().unwrap();
        names.push(t.join().unwrap());
    }
    names
}

// exercise: 02-named-threads
// mistake: the threads never named
// says: the threads were not named
fn names_from_threads(n: usize) -> Vec<String> {
    let threads: Vec<Thread<String>> = (0..n)
        .map(|_| Thread::new(|| current_thread().name().to_string()))
        .collect();
    for t in &threads {
        t.start().unwrap();
    }
    threads.iter().map(|t| t.join().unwrap()).collect()
}

// exercise: 02-named-threads
// mistake: the names collected without waiting for the threads
// says: it returned without joining
fn names_from_threads(n: usize) -> Vec<String> {
    use std::sync::{Arc, Mutex};
    let names = Arc::new(Mutex::new(Vec::new()));
    for i in 0..n {
        let names = Arc::clone(&names);
        Thread::new(move || names.lock().unwrap().push(current_thread().name().to_string()))
            .with_name(format!("worker-{i}"))
            .start()
            .unwrap();
    }
    let names = names.lock().unwrap().clone();
    names
}

// exercise: 02-named-threads
// right: each thread files its name under its number; sorted after the joins
// runs: 5
fn names_from_threads(n: usize) -> Vec<String> {
    use std::sync::{Arc, Mutex};
    let names = Arc::new(Mutex::new(Vec::new()));
    let threads: Vec<Thread> = (0..n)
        .map(|i| {
            let names = Arc::clone(&names);
            Thread::new(move || names.lock().unwrap().push((i, current_thread().name().to_string())))
                .with_name(format!("worker-{i}"))
        })
        .collect();
    for t in &threads {
        t.start().unwrap();
    }
    for t in &threads {
        t.join().unwrap();
    }
    let mut names = names.lock().unwrap().clone();
    names.sort();
    names.into_iter().map(|(_, name)| name).collect()
}

// exercise: 02-safe-counter
// mistake: load, then store: two steps another thread can come between
// says: updates were lost
// runs: 20
fn count_in_threads(threads: usize, each: usize) -> u64 {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    let total = Arc::new(AtomicU64::new(0));
    let workers: Vec<Thread> = (0..threads)
        .map(|_| {
            let total = Arc::clone(&total);
            Thread::new(move || {
                for _ in 0..each {
                    let now = total.load(Ordering::SeqCst);
                    total.store(now + 1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    for w in &workers {
        w.start().unwrap();
    }
    for w in &workers {
        w.join().unwrap();
    }
    total.load(Ordering::SeqCst)
}

// exercise: 02-safe-counter
// mistake: a Mutex, but locked once to read and again to write
// says: updates were lost
// runs: 20
fn count_in_threads(threads: usize, each: usize) -> u64 {
    use std::sync::{Arc, Mutex};
    let total = Arc::new(Mutex::new(0_u64));
    let workers: Vec<std::thread::JoinHandle<()>> = (0..threads)
        .map(|_| {
            let total = Arc::clone(&total);
            std::thread::spawn(move || {
                for _ in 0..each {
                    let now = *total.lock().unwrap();
                    *total.lock().unwrap() = now + 1;
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let total = *total.lock().unwrap();
    total
}

// exercise: 02-safe-counter
// mistake: each thread started and joined in the same loop
// says: ran one at a time
fn count_in_threads(threads: usize, each: usize) -> u64 {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    let total = Arc::new(AtomicU64::new(0));
    for _ in 0..threads {
        let total = Arc::clone(&total);
        let t = Thread::new(move || {
            for _ in 0..each {
                total.fetch_add(1, Ordering::SeqCst);
            }
        });
        t.start().unwrap();
        t.join().unwrap();
    }
    total.load(Ordering::SeqCst)
}

// exercise: 02-safe-counter
// mistake: the same with std's threads
// says: ran one at a time
fn count_in_threads(threads: usize, each: usize) -> u64 {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    let total = Arc::new(AtomicU64::new(0));
    for _ in 0..threads {
        let total = Arc::clone(&total);
        std::thread::spawn(move || {
            for _ in 0..each {
                total.fetch_add(1, Ordering::SeqCst);
            }
        })
        .join()
        .unwrap();
    }
    total.load(Ordering::SeqCst)
}

// exercise: 02-safe-counter
// mistake: the total read before the threads are joined
// says: it returned without joining
fn count_in_threads(threads: usize, each: usize) -> u64 {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    let total = Arc::new(AtomicU64::new(0));
    for _ in 0..threads {
        let total = Arc::clone(&total);
        Thread::new(move || {
            for _ in 0..each {
                total.fetch_add(1, Ordering::SeqCst);
            }
        })
        .start()
        .unwrap();
    }
    total.load(Ordering::SeqCst)
}

// exercise: 02-safe-counter
// right: a Mutex held for each whole increment, in scoped threads
// runs: 5
fn count_in_threads(threads: usize, each: usize) -> u64 {
    let total = std::sync::Mutex::new(0_u64);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                for _ in 0..each {
                    *total.lock().unwrap() += 1;
                }
            });
        }
    });
    total.into_inner().unwrap()
}

// exercise: 02-daemon-exit
// mistake: both daemons: the exit does not wait for the save
// says: the save was lost
fn start_helpers(save: Box<dyn FnOnce() + Send>, heartbeat: Box<dyn FnOnce() + Send>) {
    Thread::new(save).daemon(true).start().unwrap();
    Thread::new(heartbeat).daemon(true).start().unwrap();
}

// exercise: 02-daemon-exit
// mistake: neither a daemon: the heartbeat keeps the process alive
// says: make it a daemon
fn start_helpers(save: Box<dyn FnOnce() + Send>, heartbeat: Box<dyn FnOnce() + Send>) {
    Thread::new(save).start().unwrap();
    Thread::new(heartbeat).start().unwrap();
}

// exercise: 02-daemon-exit
// mistake: the save joined before returning
// says: it waited for the save
fn start_helpers(save: Box<dyn FnOnce() + Send>, heartbeat: Box<dyn FnOnce() + Send>) {
    let saving = Thread::new(save);
    saving.start().unwrap();
    Thread::new(heartbeat).daemon(true).start().unwrap();
    saving.join().unwrap();
}

// exercise: 02-daemon-exit
// mistake: the process ended by the answer itself
// says: never returned
fn start_helpers(save: Box<dyn FnOnce() + Send>, heartbeat: Box<dyn FnOnce() + Send>) {
    Thread::new(save).start().unwrap();
    Thread::new(heartbeat).daemon(true).start().unwrap();
    std::process::exit(0);
}

// exercise: 02-daemon-exit
// mistake: the heartbeat never started
// says: the heartbeat never beat
fn start_helpers(save: Box<dyn FnOnce() + Send>, heartbeat: Box<dyn FnOnce() + Send>) {
    Thread::new(save).start().unwrap();
    let _beats = Thread::new(heartbeat).daemon(true);
}

// exercise: 02-daemon-exit
// right: the heartbeat on a thread of std's (an exit never waits for those),
// the save on a Thread that is not a daemon
fn start_helpers(save: Box<dyn FnOnce() + Send>, heartbeat: Box<dyn FnOnce() + Send>) {
    std::thread::spawn(heartbeat);
    Thread::new(save).daemon(false).start().unwrap();
}

// exercise: 02-no-lost-update
// mistake: read, then write, with no lock: another deposit comes in between
// says: lost an update in 64 of 70 schedules
fn deposit(balance: &threading::AtomicU64, _lock: &threading::Lock) {
    let seen = balance.load(std::sync::atomic::Ordering::SeqCst);
    balance.store(seen + 1, std::sync::atomic::Ordering::SeqCst);
}

// exercise: 02-no-lost-update
// mistake: the lock held for the read only, the write after it is let go
// says: lost an update
fn deposit(balance: &threading::AtomicU64, lock: &threading::Lock) {
    let seen = {
        let _held = lock.acquire();
        balance.load(std::sync::atomic::Ordering::SeqCst)
    };
    balance.store(seen + 1, std::sync::atomic::Ordering::SeqCst);
}

// exercise: 02-no-lost-update
// mistake: the lock taken twice, once to read and once to write
// says: lost an update
fn deposit(balance: &threading::AtomicU64, lock: &threading::Lock) {
    let seen = {
        let _held = lock.acquire();
        balance.load(std::sync::atomic::Ordering::SeqCst)
    };
    let _held = lock.acquire();
    balance.store(seen + 1, std::sync::atomic::Ordering::SeqCst);
}

// exercise: 02-no-lost-update
// mistake: Python's acquire() without its release(): the lock is never let go
// says: the lock was still held after the deposit returned
fn deposit(balance: &threading::AtomicU64, lock: &threading::Lock) {
    lock.acquire().forget();
    let seen = balance.load(std::sync::atomic::Ordering::SeqCst);
    balance.store(seen + 1, std::sync::atomic::Ordering::SeqCst);
}

// exercise: 02-no-lost-update
// right: one step, no lock: fetch_add reads and writes at once
fn deposit(balance: &threading::AtomicU64, _lock: &threading::Lock) {
    balance.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
}

// exercise: 02-no-lost-update
// right: Python's acquire() … release()
fn deposit(balance: &threading::AtomicU64, lock: &threading::Lock) {
    lock.acquire().forget();
    let seen = balance.load(std::sync::atomic::Ordering::SeqCst);
    balance.store(seen + 1, std::sync::atomic::Ordering::SeqCst);
    lock.release().unwrap();
}

// exercise: 02-no-deadlock
// mistake: each payment takes its own account first: opposite payments deadlock
// says: A holds account 0, waits for account 1
fn pay(accounts: &[threading::Lock], from: usize, to: usize) {
    let _from = accounts[from].acquire();
    let _to = accounts[to].acquire();
}

// exercise: 02-no-deadlock
// mistake: one lock at a time: no deadlock, but never both at once
// says: never held both accounts at once (take account 0, release account 0, take account 1
fn pay(accounts: &[threading::Lock], from: usize, to: usize) {
    drop(accounts[from].acquire());
    drop(accounts[to].acquire());
}

// exercise: 02-no-deadlock
// mistake: the second lock tried, and on a busy one both given back and tried again
// says: a livelock
fn pay(accounts: &[threading::Lock], from: usize, to: usize) {
    loop {
        let _from = accounts[from].acquire();
        if let Some(_to) = accounts[to].try_acquire() {
            return;
        }
    }
}

// exercise: 02-no-deadlock
// mistake: the second lock forgotten (Python's acquire() with no release())
// says: B holds account 0, waits for account 1
fn pay(accounts: &[threading::Lock], from: usize, to: usize) {
    let (low, high) = (from.min(to), from.max(to));
    let _low = accounts[low].acquire();
    accounts[high].acquire().forget();
}

// exercise: 02-no-deadlock
// right: the higher index first, as long as every payment does the same
fn pay(accounts: &[threading::Lock], from: usize, to: usize) {
    let (low, high) = (from.min(to), from.max(to));
    let _high = accounts[high].acquire();
    let _low = accounts[low].acquire();
}

// exercise: 02-two-locks
// mistake: each transfer takes its own account first: opposite payments deadlock
// says: a payment 0→1 takes account 0 first
// runs: 20
fn transfer(accounts: &[std::sync::Mutex<i64>], from: usize, to: usize, amount: i64) {
    let mut source = accounts[from].lock().unwrap();
    let mut target = accounts[to].lock().unwrap();
    *source -= amount;
    *target += amount;
}

// exercise: 02-two-locks
// mistake: one lock at a time: the money is in neither account for a moment
// says: the payment was half done
fn transfer(accounts: &[std::sync::Mutex<i64>], from: usize, to: usize, amount: i64) {
    *accounts[from].lock().unwrap() -= amount;
    *accounts[to].lock().unwrap() += amount;
}

// exercise: 02-two-locks
// mistake: credit first, then debit, one lock at a time
// says: the payment was half done
fn transfer(accounts: &[std::sync::Mutex<i64>], from: usize, to: usize, amount: i64) {
    *accounts[to].lock().unwrap() += amount;
    *accounts[from].lock().unwrap() -= amount;
}

// exercise: 02-two-locks
// mistake: try_lock, and the payment silently dropped when a lock is busy
// says: the payment was skipped
// runs: 20
fn transfer(accounts: &[std::sync::Mutex<i64>], from: usize, to: usize, amount: i64) {
    if let (Ok(mut source), Ok(mut target)) = (accounts[from].try_lock(), accounts[to].try_lock()) {
        *source -= amount;
        *target += amount;
    }
}

// exercise: 02-two-locks
// mistake: the higher index first for a payment up, the lower for one down
// says: a payment 0→1 takes account 1 first, and a payment 1→0 account 0 first
fn transfer(accounts: &[std::sync::Mutex<i64>], from: usize, to: usize, amount: i64) {
    let (first, second) = if from < to { (from, to) } else { (to, from) };
    let (first, second) = if from < to { (second, first) } else { (first, second) };
    let mut a = accounts[first].lock().unwrap();
    let mut b = accounts[second].lock().unwrap();
    let (source, target) = if from == first { (&mut *a, &mut *b) } else { (&mut *b, &mut *a) };
    *source -= amount;
    *target += amount;
}

// exercise: 02-two-locks
// right: try_lock on the second, and on a busy one give both back and retry
// runs: 5
fn transfer(accounts: &[std::sync::Mutex<i64>], from: usize, to: usize, amount: i64) {
    loop {
        let mut source = accounts[from].lock().unwrap();
        if let Ok(mut target) = accounts[to].try_lock() {
            *source -= amount;
            *target += amount;
            return;
        }
        drop(source);
        std::thread::yield_now();
    }
}
