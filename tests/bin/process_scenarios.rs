//! multitask's side of `tests/process_vs_cpython.rs`: the scenarios of
//! `tests/py/process_scenarios.py`, one per run, in a fresh process, printing
//! the same trace. `list` prints the scenario names.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use multitask::multiprocessing::{
    self, Array, Error, Lock, Pool, Process, Queue, Semaphore, Value,
};
use multitask::prelude::*;
use multitask::threading::{self, Event};

fn sleep(secs: f64) {
    std::thread::sleep(Duration::from_secs_f64(secs));
}

/// Children of this process in `/proc`, zombies included.
fn children_left() -> usize {
    multitask_tests::children_of(getpid()).len()
}

fn run_proc(name: &str) {
    println!("Run child process {name} (pid:{})...", getpid());
}

fn seed_run_proc() -> Result<(), Error> {
    println!("Parent process pid:{}.", getpid());
    let p = process!(run_proc("test"));
    println!("Child process will start.");
    p.start()?;
    p.join()?;
    println!("child was pid:{}", p.pid().unwrap());
    println!("Child process end.");
    Ok(())
}

fn flush_before_fork() -> Result<(), Error> {
    print!("printed before the fork, no newline yet; ");
    let p = Process::new(|| println!("the child's line"));
    p.start()?;
    p.join()?;
    println!("the parent's line");
    Ok(())
}

fn child_stdin() -> Result<(), Error> {
    let p = Process::new(|| {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut std::io::stdin(), &mut text);
        println!("the child read {} bytes", text.len());
    });
    p.start()?;
    p.join()?;
    println!("joined: exitcode {}", p.exitcode().unwrap());
    Ok(())
}

fn exit_codes() -> Result<(), Error> {
    let targets: [(&str, fn()); 5] = [
        ("returns", || {}),
        ("exits 3", || multiprocessing::exit(3)),
        ("raises", || panic!("bad")),
        ("aborts", || std::process::abort()),
        ("segfaults", || multitask::crash::segfault()),
    ];
    for (label, target) in targets {
        let p = Process::new(target);
        p.start()?;
        p.join()?;
        println!("{label}: exitcode {}", p.exitcode().unwrap());
    }
    for label in ["terminate", "kill"] {
        let p = Process::new(|| sleep(10.0));
        p.start()?;
        if label == "terminate" {
            p.terminate()?
        } else {
            p.kill()?
        }
        p.join()?;
        println!("{label}: exitcode {}", p.exitcode().unwrap());
    }
    println!("parent still fine");
    Ok(())
}

fn py<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or("None".into(), |v| v.to_string())
}

fn py_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

fn join_timeout() -> Result<(), Error> {
    let p = Process::new(|| sleep(10.0));
    println!(
        "before start: exitcode {}, alive {}",
        py(p.exitcode()),
        py_bool(p.is_alive())
    );
    p.start()?;
    p.join_timeout(Duration::from_millis(50))?;
    println!(
        "after join(0.05): exitcode {}, alive {}",
        py(p.exitcode()),
        py_bool(p.is_alive())
    );
    p.kill()?;
    p.join()?;
    println!(
        "after kill: exitcode {}, alive {}",
        py(p.exitcode()),
        py_bool(p.is_alive())
    );
    Ok(())
}

fn report_name() {
    println!("I am {}", current_process().name());
}

fn start_grandchild() {
    report_name();
    let p = Process::new(report_name);
    p.start().unwrap();
    p.join().unwrap();
}

fn names() -> Result<(), Error> {
    println!("parent is {}", current_process().name());
    for p in [
        Process::new(report_name),
        Process::new(report_name).with_name("worker"),
        Process::new(start_grandchild),
        Process::new(start_grandchild).with_name("boss"),
    ] {
        println!("made {}", p.name());
        p.start()?;
        p.join()?;
    }
    Ok(())
}

fn display() -> Result<(), Error> {
    let show = |p: &Process| {
        let mut text = p.to_string();
        if let Some(pid) = p.pid() {
            text = text.replace(&format!("pid={pid}"), &format!("pid=pid:{pid}"));
        }
        text.replace(
            &format!("parent={}", getpid()),
            &format!("parent=pid:{}", getpid()),
        )
    };
    let p = Process::new(|| sleep(0.2));
    println!("{}", show(&p));
    p.start()?;
    println!("{}", show(&p));
    p.join()?;
    println!("{}", show(&p));
    let d = Process::new(|| sleep(0.0)).daemon(true);
    println!("{}", show(&d));
    Ok(())
}

fn say_late(text: &str, delay: f64) {
    sleep(delay);
    println!("{text}");
}

fn exit_joins_children() -> Result<(), Error> {
    // Dropped at once, as Python's are: the exit handler still knows them.
    process!(say_late("the non-daemon child finished", 0.2)).start()?;
    process!(say_late("the daemon child finished", 5.0))
        .daemon(true)
        .start()?;
    println!("the parent's code is done");
    Ok(())
}

fn child_exit_waits_for_its_threads() -> Result<(), Error> {
    // A child leaves as Python does: it waits for its threads that are not
    // daemons, and drops its daemon threads.
    let p = Process::new(|| {
        let _ = Thread::new(|| say_late("the child's thread finished", 0.2)).start();
        let _ = Thread::new(|| say_late("the daemon thread finished", 5.0))
            .daemon(true)
            .start();
        println!("the child's code is done");
    });
    p.start()?;
    p.join()?;
    println!("exit code {}", py(p.exitcode()));
    Ok(())
}

fn square(x: i64) -> i64 {
    x * x
}

fn py_list<T: std::fmt::Debug>(items: &[T]) -> String {
    format!("{items:?}").replace('"', "'")
}

fn pool_map() -> Result<(), Error> {
    let pool = Pool::new(2);
    println!("{}", py_list(&pool.map(square, 0..10)?));
    println!("{}", py_list(&pool.map(square, [])?));
    let mut names = pool.map(
        |_: i32| {
            sleep(0.01);
            current_process().name().to_string()
        },
        0..8,
    )?;
    names.sort();
    names.dedup();
    println!("{}", py_list(&names));
    match pool.map(|x: i32| if x == 3 { panic!("no threes") } else { x }, 0..8) {
        Err(Error::TaskPanicked { message, .. }) => println!("error: {message}"),
        other => println!("unexpected: {other:?}"),
    }
    pool.close();
    if let Err(e) = pool.map(square, 0..3) {
        println!("after close: {e}");
    }
    pool.join();
    Ok(())
}

fn seed_thread_pool_map() -> Result<(), threading::Error> {
    let pool = ThreadPool::new(4)?;
    println!("{}", py_list(&pool.map(square, 0..10)?));
    pool.close();
    pool.join();
    Ok(())
}

fn pipes() -> Result<(), Error> {
    let (parent, child) = multiprocessing::duplex::<Vec<i64>, i64>()?;
    let p = Process::new(move || {
        let numbers = child.recv().unwrap();
        child.send(numbers.iter().sum::<i64>()).unwrap();
    });
    p.start()?;
    parent.send(vec![1, 2, 3, 4])?;
    println!("sum from the child: {}", parent.recv()?);
    p.join()?;
    let (r, w) = multiprocessing::pipe_oneway::<String>()?;
    w.send("last words".to_string())?;
    drop(w);
    println!("read: {}", r.recv()?);
    if let Err(Error::Closed) = r.recv() {
        println!("then: EOFError");
    }
    Ok(())
}

fn queues() -> Result<(), Error> {
    let q = Queue::<String>::new()?;
    let ps: Vec<Process> = ["a", "b", "c"]
        .into_iter()
        .map(|name| {
            let q = q.clone();
            Process::new(move || {
                for i in 0..5 {
                    q.put(format!("{name}{i}")).unwrap();
                }
            })
        })
        .collect();
    for p in &ps {
        p.start()?;
    }
    let mut got = (0..15).map(|_| q.get()).collect::<Result<Vec<_>, _>>()?;
    for p in &ps {
        p.join()?;
    }
    got.sort();
    println!("{}", py_list(&got));
    if let Err(Error::Empty) = q.get_timeout(Duration::from_millis(50)) {
        println!("then: Empty");
    }
    Ok(())
}

fn shared_counter() -> Result<(), Error> {
    let counter = Value::new(0_i32)?;
    let lock = Lock::new()?;
    let ps: Vec<Process> = (0..4)
        .map(|_| {
            let (counter, lock) = (counter.clone(), lock.clone());
            Process::new(move || {
                for _ in 0..2000 {
                    let _held = lock.acquire();
                    counter.set(counter.get() + 1);
                }
            })
        })
        .collect();
    for p in &ps {
        p.start()?;
    }
    for p in &ps {
        p.join()?;
    }
    println!("with a lock: {}", counter.get());
    let a = Array::new(&[1_i32, 2, 3])?;
    let child = a.clone();
    let p = Process::new(move || {
        for i in 0..child.len() {
            child.set(i, -child.get(i));
        }
    });
    p.start()?;
    p.join()?;
    println!("array after the child: {}", py_list(&a.to_vec()));
    Ok(())
}

fn semaphore() -> Result<(), Error> {
    let sem = Semaphore::new(2)?;
    let (now, most, lock) = (Value::new(0_i32)?, Value::new(0_i32)?, Lock::new()?);
    let ps: Vec<Process> = (0..5)
        .map(|_| {
            let (sem, now, most, lock) = (sem.clone(), now.clone(), most.clone(), lock.clone());
            Process::new(move || {
                let _inside = sem.acquire();
                {
                    let _held = lock.acquire();
                    now.set(now.get() + 1);
                    most.set(most.get().max(now.get()));
                }
                sleep(0.05);
                let _held = lock.acquire();
                now.set(now.get() - 1);
            })
        })
        .collect();
    for p in &ps {
        p.start()?;
    }
    for p in &ps {
        p.join()?;
    }
    println!("at most {} inside at once", most.get());
    Ok(())
}

fn run_loop() {
    let me = current_thread();
    println!("thread {} is running...", me.name());
    for n in 1..=5 {
        println!("thread {} >>> {n}", me.name());
        sleep(0.001);
    }
    println!("thread {} ended.", me.name());
}

fn seed_loop_thread() -> Result<(), threading::Error> {
    println!("thread {} is running...", current_thread().name());
    let t = Thread::new(run_loop).with_name("LoopThread");
    t.start()?;
    t.join()?;
    println!("thread {} ended.", current_thread().name());
    Ok(())
}

fn thread_names() -> Result<(), threading::Error> {
    let go = Event::new();
    let waiter = go.clone();
    let t = thread!(waiter.wait());
    println!("{}", t.name());
    t.start()?;
    let names: Vec<String> = threading::enumerate()
        .iter()
        .map(|i| i.name().to_string())
        .collect();
    println!("active {}: {}", active_count(), py_list(&names));
    go.set();
    t.join()?;
    println!("active {}", active_count());
    let d = Thread::new(run_loop).with_name("d").daemon(true);
    println!("daemon {}", py_bool(d.is_daemon()));
    Ok(())
}

fn threads_after_fork() -> Result<(), Box<dyn std::error::Error>> {
    let go = Event::new();
    let ts: Vec<Thread> = (0..3)
        .map(|_| {
            let go = go.clone();
            Thread::new(move || go.wait())
        })
        .collect();
    for t in &ts {
        t.start()?;
    }
    println!("parent: {} threads", active_count());
    let p = Process::new(|| {
        let names: Vec<String> = threading::enumerate()
            .iter()
            .map(|i| i.name().to_string())
            .collect();
        println!("child: {} threads, {}", active_count(), py_list(&names));
    });
    p.start()?;
    p.join()?;
    go.set();
    for t in &ts {
        t.join()?;
    }
    Ok(())
}

fn thread_local() -> Result<(), threading::Error> {
    let local = Local::new(String::new);
    local.set("main".into());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let ts: Vec<Thread> = ["t1", "t2"]
        .into_iter()
        .map(|name| {
            let (local, seen) = (local.clone(), seen.clone());
            Thread::new(move || {
                local.set(name.into());
                sleep(0.01);
                let line = format!("{} sees {}", current_thread().name(), local.get());
                seen.lock().unwrap().push(line);
            })
            .with_name(name)
        })
        .collect();
    for t in &ts {
        t.start()?;
    }
    for t in &ts {
        t.join()?;
    }
    let mut seen = seen.lock().unwrap().clone();
    seen.sort();
    println!("{}", py_list(&seen));
    println!("main sees {}", local.get());
    Ok(())
}

// --- Rust only: what Python does not promise -------------------------------

/// A daemonic child, then the test kills this process: the child must die too.
fn daemon_child_of_killed_parent() -> Result<(), Error> {
    let p = Process::new(|| sleep(60.0)).daemon(true);
    p.start()?;
    println!("daemon child pid:{}", p.pid().unwrap());
    sleep(60.0);
    Ok(())
}

/// Forks while rayon's and tokio's threads are busy printing: no child may
/// hang on a lock one of those threads held at the fork.
fn fork_after_pools() -> Result<(), Box<dyn std::error::Error>> {
    use rayon::prelude::*;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    for i in 0..4 {
        let stop = stop.clone();
        rt.spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                eprintln!("tokio task {i} prints");
                tokio::task::yield_now().await;
            }
        });
    }
    let busy = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            (0..1_000_000_u64).into_par_iter().for_each(|i| {
                if !stop.load(std::sync::atomic::Ordering::Relaxed) && i % 64 == 0 {
                    println!("rayon prints {i}");
                }
            })
        })
    };
    let mut exited = 0;
    for i in 0..50 {
        let p = Process::new(move || println!("child {i} prints and leaves"));
        p.start()?;
        match p.join_timeout(Duration::from_secs(10))? {
            Some(0) => exited += 1,
            Some(code) => println!("child {i} exited with {code}"),
            None => {
                println!("child {i} hangs");
                p.kill()?;
                p.join()?;
            }
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    busy.join().unwrap();
    drop(rt);
    println!("{exited} of 50 children exited with 0");
    Ok(())
}

/// A Unix daemon: its own session, not our child, pid file, log, SIGTERM.
fn unix_daemon() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("unix-daemon-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let d = multiprocessing::daemon::Daemon::start(dir.join("d.pid"), dir.join("d.log"), |stop| {
        while stop.sleep(Duration::from_millis(20)) {}
    })?;
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", d.pid()))?;
    let fields: Vec<&str> = stat
        .rsplit_once(") ")
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let (ppid, sid): (i32, i32) = (fields[1].parse()?, fields[3].parse()?);
    let our_sid = nix::unistd::getsid(None)?.as_raw();
    println!("a session of its own: {}", sid != our_sid);
    // Not the session's leader, so it can never take a controlling terminal.
    println!("session leader: {}", sid == d.pid());
    println!("our child: {}", ppid == getpid());
    println!(
        "pid file holds its pid: {}",
        std::fs::read_to_string(d.pidfile())?.trim() == d.pid().to_string()
    );
    println!("stopped by SIGTERM: {}", d.stop(Duration::from_secs(5))?);
    println!("pid file removed: {}", !dir.join("d.pid").exists());
    print!(
        "{}",
        std::fs::read_to_string(dir.join("d.log"))?.replace(&d.pid().to_string(), "PID")
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// Runs `command` as a subreaper: every process it leaves behind becomes our
/// child. Then, as init would, collects the ones that ended (a Unix daemon
/// that was stopped ends as an orphan), and prints those still running.
/// Returns the command's exit code.
fn reap_after(command: &[String]) -> i32 {
    nix::sys::prctl::set_child_subreaper(true).expect("become a subreaper");
    let status = std::process::Command::new(&command[0])
        .args(&command[1..])
        .status()
        .expect("run the command");
    // Give orphans a moment to be handed to us.
    std::thread::sleep(Duration::from_millis(500));
    let mut ended = 0;
    while let Ok(s) = nix::sys::wait::waitpid(None, Some(nix::sys::wait::WaitPidFlag::WNOHANG)) {
        if s == nix::sys::wait::WaitStatus::StillAlive {
            break;
        }
        ended += 1;
    }
    println!("ended orphans collected: {ended}");
    let left = multitask_tests::children_of(getpid());
    println!("left behind: {left:?}");
    status.code().unwrap_or(-1)
}

type Scenario = fn() -> Result<(), Box<dyn std::error::Error>>;

fn work() {}

fn thread_named_by_hand_uses_no_number() -> Result<(), threading::Error> {
    let ts = [
        thread!(work()),
        Thread::new(work).with_name("Worker"),
        thread!(work()),
    ];
    let names: Vec<&str> = ts.iter().map(|t| t.name()).collect();
    println!("{}", py_list(&names));
    Ok(())
}

fn lock_release_the_python_way() -> Result<(), Box<dyn std::error::Error>> {
    let lock = threading::Lock::new();
    lock.acquire().forget();
    println!("locked: {}", py_bool(lock.locked()));
    let t = Thread::new({
        let lock = lock.clone();
        move || lock.release() // any thread may release a Lock
    });
    t.start()?;
    t.join()??;
    println!(
        "released by another thread, locked: {}",
        py_bool(lock.locked())
    );
    if let Err(e) = lock.release() {
        println!("{e}");
    }

    let r = threading::RLock::new();
    r.acquire().forget();
    r.acquire().forget();
    let t = Thread::new({
        let r = r.clone();
        move || r.release()
    });
    t.start()?;
    if let Err(e) = t.join()? {
        println!("RLock released by another thread: {e}");
    }
    r.release()?;
    r.release()?;
    if let Err(e) = r.release() {
        println!("RLock released once too often: {e}");
    }

    let s = threading::BoundedSemaphore::new(2);
    s.acquire().forget();
    s.release()?;
    if let Err(e) = s.release() {
        println!("{e}");
    }
    Ok(())
}

fn daemons_have_no_children_and_kills_are_named() -> Result<(), Error> {
    let d = Process::new(|| match Process::new(work).start() {
        Ok(()) => println!("the daemon started a child"),
        Err(e) => println!("AssertionError: {e}"),
    })
    .daemon(true);
    d.start()?;
    d.join()?;
    let p = Process::new(|| sleep(10.0));
    p.start()?;
    p.terminate()?;
    p.join()?;
    let pid = p.pid().unwrap_or_default();
    println!(
        "{}",
        p.to_string()
            .replace(&format!("pid={pid}"), "pid=pid")
            .replace(&format!("parent={}", getpid()), "parent=pid")
    );
    Ok(())
}

macro_rules! scenarios {
    ($($name:ident),* $(,)?) => {
        [$((stringify!($name), (|| Ok($name().map_err(|e| e.to_string())?)) as Scenario)),*]
    };
}

extern "C" fn report_children_left() {
    println!("children left: {}", children_left());
}

fn main() {
    let all = scenarios![
        seed_run_proc,
        flush_before_fork,
        child_stdin,
        exit_codes,
        join_timeout,
        names,
        display,
        exit_joins_children,
        child_exit_waits_for_its_threads,
        pool_map,
        seed_thread_pool_map,
        pipes,
        queues,
        shared_counter,
        semaphore,
        seed_loop_thread,
        thread_names,
        threads_after_fork,
        thread_local,
        thread_named_by_hand_uses_no_number,
        lock_release_the_python_way,
        daemons_have_no_children_and_kills_are_named,
    ];
    let rust_only = scenarios![daemon_child_of_killed_parent, fork_after_pools, unix_daemon];
    let name = std::env::args().nth(1).expect("a scenario name, or `list`");
    if name == "--reap-after" {
        let command: Vec<String> = std::env::args().skip(2).collect();
        std::process::exit(reap_after(&command));
    }
    if name == "list" {
        for (name, _) in all {
            println!("{name}");
        }
        return;
    }
    // Registered before any child starts, so it runs after the prelude's own
    // exit handler has joined (and terminated) the children — as in Python.
    // SAFETY: registering a plain `extern "C"` function.
    unsafe { libc::atexit(report_children_left) };
    let (_, run) = all
        .iter()
        .chain(&rust_only)
        .find(|(n, _)| *n == name)
        .expect("a known scenario");
    if let Err(e) = run() {
        println!("error: {e}");
    }
}
