// Reference solutions for the exercises of notebooks/02-threads.ipynb.
// Each starts with a line `// exercise: ID`; tests/exercises.rs puts it in
// place of the exercise's TODO cell and expects its check to print ✓, and the
// chapter's module in prelude/src/exercises/ runs this file as its doc test.

// exercise: 02-named-threads
fn names_from_threads(n: usize) -> Vec<String> {
    let threads: Vec<Thread<String>> = (0..n)
        .map(|i| Thread::new(|| current_thread().name().to_string()).with_name(format!("worker-{i}")))
        .collect();
    for t in &threads {
        t.start().unwrap();
    }
    threads.iter().map(|t| t.join().unwrap()).collect()
}

// exercise: 02-safe-counter
fn count_in_threads(threads: usize, each: usize) -> u64 {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    let total = Arc::new(AtomicU64::new(0));
    let workers: Vec<Thread> = (0..threads)
        .map(|_| {
            let total = Arc::clone(&total);
            Thread::new(move || {
                for _ in 0..each {
                    total.fetch_add(1, Ordering::SeqCst);
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

// exercise: 02-daemon-exit
fn start_helpers(save: Box<dyn FnOnce() + Send>, heartbeat: Box<dyn FnOnce() + Send>) {
    Thread::new(save).start().unwrap();
    Thread::new(heartbeat).daemon(true).start().unwrap();
}

// exercise: 02-two-locks
fn transfer(accounts: &[std::sync::Mutex<i64>], from: usize, to: usize, amount: i64) {
    // One order for everyone: the lower index first.
    let (low, high) = (from.min(to), from.max(to));
    let mut low_account = accounts[low].lock().unwrap();
    let mut high_account = accounts[high].lock().unwrap();
    let (source, target) = if from == low {
        (&mut *low_account, &mut *high_account)
    } else {
        (&mut *high_account, &mut *low_account)
    };
    *source -= amount;
    *target += amount;
}

// exercise: 02-no-lost-update
fn deposit(balance: &threading::AtomicU64, lock: &threading::Lock) {
    // The read and the write under one hold of the lock: no one comes between.
    let _held = lock.acquire();
    let seen = balance.load(std::sync::atomic::Ordering::SeqCst);
    balance.store(seen + 1, std::sync::atomic::Ordering::SeqCst);
}

// exercise: 02-no-deadlock
fn pay(accounts: &[threading::Lock], from: usize, to: usize) {
    // One order for every transfer: the lower index first.
    let (low, high) = (from.min(to), from.max(to));
    let _low = accounts[low].acquire();
    let _high = accounts[high].acquire();
}
