//! The prelude's unsafe parts under valgrind's memcheck: coroutine stacks
//! (generators' and greenlets'), a generator's value passing (`send`,
//! `throw`, `close`, a body dropped half way), the trace log and its
//! pthread key, memory shared with a forked child, the registry of
//! process-wide values, and `explore`'s model (the per-thread slot, a
//! parked thread's test read from its stack, threads torn down in a
//! deadlock). `memcheck` runs this very test binary's
//! `workload` under valgrind and fails on any error it reports: a read of
//! freed or uninitialised memory, a write out of bounds, a bad free.
//!
//! Miri is not on these machines and a sanitizer build of the whole test
//! would need a second build of the standard library; valgrind checks the
//! release build as it is. (tests/run installs it.)

use std::process::Command;

#[test]
fn the_unsafe_modules_pass_memcheck() {
    let me = std::env::current_exe().expect("the test binary's path");
    let run = Command::new("valgrind")
        .args([
            "--tool=memcheck",
            "--error-exitcode=99",
            "--exit-on-first-error=no",
            // Thread stacks and coroutine stacks are far apart; a switch
            // between coroutine stacks (registered by corosensei) is not
            // a huge stack frame.
            "--max-stackframe=8388608",
            "--child-silent-after-fork=no",
        ])
        .arg(&me)
        .args([
            "--exact",
            "workload",
            "--include-ignored",
            "--test-threads=1",
        ])
        .env("MULTITASK_UNDER_MEMCHECK", "1")
        .output();
    let run = match run {
        Ok(run) => run,
        Err(e) => panic!("valgrind could not run ({e}); tests/run installs it"),
    };
    let stderr = String::from_utf8_lossy(&run.stderr);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "memcheck found errors ({}):\n{stderr}",
        run.status
    );
    assert!(
        stdout.contains("test workload ... ok"),
        "the workload did not run:\n{stdout}\n{stderr}"
    );
    // One summary a process: the test's, and each forked child's.
    let summaries: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("ERROR SUMMARY:"))
        .collect();
    assert!(
        summaries.len() >= 2
            && summaries
                .iter()
                .all(|l| l.contains("ERROR SUMMARY: 0 errors")),
        "memcheck's summaries: {summaries:#?}\n{stderr}"
    );
}

/// What memcheck watches: each unsafe part at work, briefly (valgrind runs
/// it some 30 times slower).
#[test]
#[ignore = "run under valgrind by the_unsafe_modules_pass_memcheck"]
fn workload() {
    assert!(
        std::env::var_os("MULTITASK_UNDER_MEMCHECK").is_some(),
        "run by the_unsafe_modules_pass_memcheck"
    );
    generators();
    greenlets();
    shared_memory_and_forks();
    recording();
    exploring();
}

fn exploring() {
    use multitask::explore::{Stepper, explore};
    use multitask::threading::{AtomicU64, Lock, Thread};
    use std::sync::{Arc, atomic::Ordering::SeqCst};
    // Every schedule of a lost update under a lock: parked waiters' tests.
    let locked = explore(|| {
        let (total, lock) = (Arc::new(AtomicU64::new(0)), Lock::new());
        let workers: Vec<Thread> = (0..2)
            .map(|_| {
                let (total, lock) = (total.clone(), lock.clone());
                Thread::new(move || {
                    let _held = lock.acquire();
                    let seen = total.load(SeqCst);
                    total.store(seen + 1, SeqCst);
                })
            })
            .collect();
        workers.iter().for_each(|t| t.start().unwrap());
        workers.iter().for_each(|t| t.join().unwrap());
        total.load(SeqCst)
    });
    assert_eq!(locked.count(&2), locked.len());
    // A deadlock: the stuck threads' stacks are unwound at teardown.
    let crossed = explore(|| {
        let (a, b) = (Lock::new(), Lock::new());
        let one = Thread::new({
            let (a, b) = (a.clone(), b.clone());
            move || {
                let _a = a.acquire();
                let _b = b.acquire();
            }
        });
        let two = Thread::new(move || {
            let _b = b.acquire();
            let _a = a.acquire();
        });
        one.start().unwrap();
        two.start().unwrap();
        one.join().unwrap();
        two.join().unwrap();
    });
    let stuck = crossed.deadlocks();
    assert_eq!(stuck[0].replay().steps(), stuck[0].steps());
    // A stepper paused half way, many times over.
    let mut s = Stepper::new(|| {
        let n = Arc::new(AtomicU64::new(0));
        let t = Thread::new({
            let n = n.clone();
            move || n.store(1, SeqCst)
        });
        t.start().unwrap();
        let seen = n.load(SeqCst);
        t.join().unwrap();
        seen
    });
    s.step("Thread-1").unwrap();
    assert_eq!(s.possible().len(), 1);
}

fn generators() {
    use multitask::generator::{Co, Generator};
    // Values passed both ways, a throw caught in the body, a close.
    let echo: Generator<String, String> = Generator::new(|co: &Co<String, String>| {
        let mut last = String::from("start");
        loop {
            match co.yield_(last.clone()) {
                Ok(sent) => last = sent.unwrap_or_default().repeat(2),
                Err(e) => return Err(e),
            }
        }
    });
    assert_eq!(echo.next().unwrap(), "start");
    for word in ["ab", "cd", "线程"] {
        assert_eq!(echo.send(word.to_string()).unwrap(), word.repeat(2));
    }
    echo.close().unwrap();
    // Dropped half way: the body's frames, holding heap values, unwind.
    for n in 0..50u64 {
        let g: Generator<Vec<u64>> = Generator::new(move |co| {
            let held = vec![n; 100];
            for i in 0.. {
                co.yield_(held.iter().map(|v| v + i).collect())?;
            }
            Ok(())
        });
        assert_eq!(g.next().unwrap()[0], n);
        drop(g);
    }
}

fn greenlets() {
    use multitask::greenlet::{self, Greenlet};
    use std::sync::atomic::{AtomicU64, Ordering};
    // Greenlets switching, one lending its stack to a scoped thread, one
    // killed while it waits.
    let gs: Vec<Greenlet<u64>> = (0..20u64)
        .map(|id| {
            Greenlet::spawn(move || {
                let mine = AtomicU64::new(id);
                std::thread::scope(|scope| {
                    let reader = scope.spawn(|| mine.load(Ordering::Relaxed));
                    while !reader.is_finished() {
                        greenlet::sleep(0.0);
                    }
                    reader.join().unwrap()
                })
            })
        })
        .collect();
    greenlet::joinall(&gs).unwrap();
    for (id, g) in (0..20u64).zip(&gs) {
        assert_eq!(g.get(), Ok(id));
    }
    let sleeper = Greenlet::spawn(|| greenlet::sleep(3600.0));
    greenlet::sleep(0.0);
    sleeper.kill();
    assert!(sleeper.dead());
}

fn shared_memory_and_forks() {
    use multitask::multiprocessing::{Lock, Value};
    use multitask::prelude::*;
    let counter = Value::new(0i64).unwrap();
    let lock = Lock::new().unwrap();
    let children: Vec<Process> = (0..2)
        .map(|_| {
            let (counter, lock) = (counter.clone(), lock.clone());
            Process::new(move || {
                for _ in 0..100 {
                    let _held = lock.acquire();
                    counter.set(counter.get() + 1);
                }
            })
        })
        .collect();
    for child in &children {
        child.start().unwrap();
    }
    for child in &children {
        assert_eq!(child.join().unwrap(), 0);
    }
    assert_eq!(counter.get(), 200);
}

fn recording() {
    use multitask::generator::Generator;
    use multitask::prelude::*;
    let timeline = multitask::trace::record(|| {
        let t = Thread::new(|| time::sleep(0.01)).with_name("Sleeper");
        t.start().unwrap();
        let g: Generator<u64, u64> = Generator::new(|co| {
            let mut x = 0;
            loop {
                x = co.yield_(x)?.unwrap_or(0);
            }
        });
        g.next().unwrap();
        for i in 0..10 {
            g.send(i).unwrap();
        }
        t.join().unwrap();
        let child = Process::new(|| time::sleep(0.01));
        child.start().unwrap();
        assert_eq!(child.join().unwrap(), 0);
    });
    let summary = timeline.summary();
    assert!(summary.contains("Sleeper: running, sleeping"), "{summary}");
}
