//! multitask's side of `tests/greenlet_vs_gevent.rs`: the scenarios of
//! `tests/py/greenlet_scenarios.py` on the prelude's greenlets, printing the
//! same trace. `list` prints the scenario names.

use multitask::Exception;
use multitask::greenlet::{
    BoundedSemaphore, Empty, Greenlet, Queue, Semaphore, getcurrent, joinall, sleep, with_timeout,
};
use multitask::spawn;
use multitask_tests::{named, run_scenario};

/// The seed's first gevent program: `f(5)` in three greenlets, no switch.
fn seed_f5_runs_one_after_another() {
    fn f(n: u32) {
        for i in 0..n {
            println!("{} {i}", getcurrent());
        }
    }
    seed_three_of(f);
}

/// The seed's second: the same with `gevent.sleep(0)` after each line.
fn seed_f5_with_sleep0_takes_turns() {
    fn f(n: u32) {
        for i in 0..n {
            println!("{} {i}", getcurrent());
            sleep(0.0);
        }
    }
    seed_three_of(f);
}

/// What both seed programs do with their `f`: three greenlets of `f(5)`,
/// joined one by one.
fn seed_three_of(f: fn(u32)) {
    let g1 = spawn!(f(5));
    let g2 = spawn!(f(5));
    let g3 = spawn!(f(5));
    g1.join().unwrap();
    g2.join().unwrap();
    g3.join().unwrap();
}

fn worker(name: &'static str, n: u32, yields: bool) -> String {
    for i in 0..n {
        println!("{name} step {i}");
        if yields {
            sleep(0.0);
        }
    }
    name.to_uppercase()
}

fn values(gs: &[Greenlet<String>]) -> String {
    let v: Vec<String> = gs
        .iter()
        .map(|g| format!("'{}'", g.get().unwrap()))
        .collect();
    format!("[{}]", v.join(", "))
}

fn no_yield_runs_one_after_another() {
    let gs = vec![
        spawn!(worker("g1", 3, false)),
        spawn!(worker("g2", 3, false)),
        spawn!(worker("g3", 3, false)),
    ];
    println!("spawned; nothing ran yet");
    joinall(&gs).unwrap();
    println!("{}", values(&gs));
}

fn sleep0_takes_turns() {
    let gs = vec![
        spawn!(worker("g1", 3, true)),
        spawn!(worker("g2", 3, true)),
        spawn!(worker("g3", 3, true)),
    ];
    joinall(&gs).unwrap();
    println!("{}", values(&gs));
}

fn main_sleep0_lets_each_run_once() {
    let gs = vec![spawn!(worker("a", 2, true)), spawn!(worker("b", 2, true))];
    println!("main sleeps 0");
    sleep(0.0);
    println!("main again");
    joinall(&gs).unwrap();
}

fn fails() {
    sleep(0.0);
    std::panic::panic_any(Exception::value_error("boom"));
}

fn divides(n: i32) -> i32 {
    sleep(0.0);
    1 / std::hint::black_box(n)
}

fn outcomes() {
    let ok = spawn!(worker("ok", 1, false));
    let bad = spawn!(fails());
    let zero = spawn!(divides(0));
    let sleeper = spawn!(sleep(10.0));
    sleep(0.01);
    sleeper.kill();
    ok.join().unwrap();
    bad.join().unwrap();
    zero.join().unwrap();
    println!(
        "ok: successful {}, value '{}'",
        py(ok.successful()),
        ok.get().unwrap()
    );
    let raised = bad.exception().unwrap();
    println!(
        "bad: successful {}, exception {} {}",
        py(bad.successful()),
        raised.name(),
        raised.message()
    );
    println!(
        "zero: successful {}, exception {}",
        py(zero.successful()),
        zero.exception().unwrap().name()
    );
    println!(
        "sleeper: dead {}, successful {}",
        py(sleeper.dead()),
        py(sleeper.successful())
    );
}

fn waits_for(other: Greenlet<String>, name: &str) {
    println!("{name} waits for the other");
    other.join().unwrap();
    println!("{name} sees '{}'", other.get().unwrap());
}

fn twice_then_done(name: &str) {
    for i in 0..2 {
        println!("{name} {i}");
        sleep(0.0);
    }
    println!("{name} done");
}

fn join_returns_when_the_hub_comes_back_to_main() {
    let g1 = spawn!(twice_then_done("g1"));
    let g2 = spawn!(twice_then_done("g2"));
    g1.join().unwrap();
    println!("after g1");
    g2.join().unwrap();
    println!("after g2");
}

fn join_from_a_greenlet() {
    let a = spawn!(worker("a", 2, true));
    let other = a.clone();
    let b = spawn!(waits_for(other, "b"));
    a.join().unwrap();
    b.join().unwrap();
}

fn timers_wake_in_order() {
    fn nap(name: &str, secs: f64) {
        sleep(secs);
        println!("{name} woke");
    }
    let gs = vec![
        spawn!(nap("slow", 0.06)),
        spawn!(nap("fast", 0.02)),
        spawn!(nap("mid", 0.04)),
    ];
    joinall(&gs).unwrap();
}

/// The seed's last: three slow pages, fetched by greenlets that switch on IO.
fn seed_three_downloads_switch_by_themselves() {
    fetch_three(false);
}

/// Rust only: gevent resolves names on a pool of OS threads; these greenlets
/// start none.
fn io_uses_no_new_os_thread() {
    fetch_three(true);
}

fn fetch_three(count_threads: bool) {
    let server = multitask::web::PageServer::start().unwrap();
    let before = multitask::threading::limits::os_threads();
    let start = std::time::Instant::now();
    let gs: Vec<Greenlet> = multitask::web::PAGES
        .iter()
        .map(|&(path, ..)| {
            let url = server.url(path);
            Greenlet::spawn(move || {
                println!("GET {path}");
                let body = multitask::greenlet::net::http_get(&url).unwrap();
                println!("{} bytes received from {path}.", body.len());
            })
        })
        .collect();
    joinall(&gs).unwrap();
    let took = start.elapsed().as_secs_f64();
    println!(
        "less than the sum of the delays: {}",
        py((0.6..1.2).contains(&took))
    );
    let after = multitask::threading::limits::os_threads();
    if count_threads {
        println!("OS threads before: {before}, after: {after}");
    }
    drop(server);
}

/// A boolean as Python prints it.
fn py(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

/// Python's list of booleans: `[False, True]`.
fn py_bools(values: impl IntoIterator<Item = bool>) -> String {
    let shown: Vec<&str> = values.into_iter().map(py).collect();
    format!("[{}]", shown.join(", "))
}

fn an_interrupt_reaches_main_and_the_greenlets_live_on() {
    use std::cell::Cell;
    use std::rc::Rc;
    // What the REPL's runtime does: this thread is the one interrupted.
    multitask::interrupt::install().expect("install");
    multitask::interrupt::begin_cell();
    let ticks: Vec<Rc<Cell<u32>>> = (0..2).map(|_| Rc::new(Cell::new(0))).collect();
    let gs: Vec<Greenlet> = ticks
        .iter()
        .map(|count| {
            let count = count.clone();
            // 2 s of ticks: without the interrupt, joinall returns.
            Greenlet::spawn(move || {
                for _ in 0..40 {
                    count.set(count.get() + 1);
                    sleep(0.05);
                }
            })
        })
        .collect();
    // Ctrl-C, 0.3 s into the wait: the signal the front end sends.
    std::thread::spawn(|| {
        std::thread::sleep(std::time::Duration::from_millis(300));
        multitask::interrupt::request(std::process::id() as i32).expect("signal");
    });
    let waited = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| joinall(&gs).unwrap()));
    match waited {
        Ok(()) => println!("joinall returned"),
        Err(payload) if payload.is::<multitask::interrupt::KeyboardInterrupt>() => {
            println!("KeyboardInterrupt in main, from joinall")
        }
        Err(_) => println!("another panic"),
    }
    println!("dead: {}", py_bools(gs.iter().map(Greenlet::dead)));
    let before: Vec<u32> = ticks.iter().map(|t| t.get()).collect();
    sleep(0.2);
    let went_on = ticks.iter().zip(&before).all(|(t, &b)| t.get() > b);
    println!("they went on ticking: {}", py(went_on));
    for g in &gs {
        g.kill();
    }
    println!("killed: {}", py_bools(gs.iter().map(Greenlet::dead)));
}

fn a_killed_waiter_passes_the_semaphore_on() {
    let sem = Semaphore::new(1);
    let holder = sem.clone();
    spawn!({
        let _place = holder.acquire();
        sleep(0.02);
    });
    let waiter = |name: &'static str| {
        let sem = sem.clone();
        Greenlet::spawn(move || {
            let _place = sem.acquire();
            println!("{name} got the place");
        })
    };
    let a = waiter("a");
    let b = waiter("b");
    sleep(0.005); // a and b wait in line
    a.kill();
    b.join().unwrap();
    println!(
        "counter {}, a dead {}, b dead {}",
        sem.value(),
        py(a.dead()),
        py(b.dead())
    );
}

fn joinall_names_a_deadlock() {
    let sem = Semaphore::new(0);
    let gs: Vec<Greenlet> = (0..2)
        .map(|_| {
            let sem = sem.clone();
            Greenlet::spawn(move || drop(sem.acquire()))
        })
        .collect();
    match joinall(&gs) {
        Ok(()) => println!("joinall returned"),
        Err(e) => println!("{e}"),
    }
    println!("dead: {}", py_bools(gs.iter().map(Greenlet::dead)));
}

fn join_with_a_timeout() {
    let g = Greenlet::spawn(|| sleep(0.2));
    g.join_timeout(0.05).unwrap();
    println!("after join(0.05): dead {}", py(g.dead()));
    g.join().unwrap();
    println!("after join(): dead {}", py(g.dead()));
}

fn timeouts_in_a_greenlet_and_in_main() {
    let sem = Semaphore::new(0);
    let impatient = |name: &'static str, secs: f64| {
        let sem = sem.clone();
        Greenlet::spawn(move || {
            match with_timeout(secs, || {
                sem.acquire().forget();
                println!("{name} got the place");
            }) {
                Ok(()) => {}
                Err(t) => println!("{name}: Timeout after {t}"),
            }
        })
    };
    let a = impatient("a", 0.05);
    let b = impatient("b", 5.0);
    sleep(0.1); // a gave up and left the line
    sem.release();
    joinall(&[a, b]).unwrap();
    if let Err(t) = with_timeout(0.05, || sleep(5.0)) {
        println!("main: Timeout after {t}");
    }
    println!("in time: {}", with_timeout(1.0, || "done").unwrap());
}

fn queue_producer_consumer() {
    let q = Queue::with_maxsize(2);
    let producer = {
        let q = q.clone();
        Greenlet::spawn(move || {
            for i in 0..5 {
                println!("put {i}");
                q.put(i);
            }
            println!("producer done");
        })
    };
    let consumer = {
        let q = q.clone();
        Greenlet::spawn(move || {
            for _ in 0..5 {
                println!("got {}", q.get());
                sleep(0.0);
            }
        })
    };
    joinall(&[producer, consumer]).unwrap();
    if let Err(Empty) = q.get_nowait() {
        println!("Empty");
    }
    if let Err(Empty) = q.get_timeout(0.01) {
        println!("Empty after 0.01 s");
    }
    q.put(1);
    q.put(2);
    if q.put_nowait(3).is_err() {
        println!("Full, qsize {}", q.qsize());
    }
}

fn semaphore_release_the_gevent_way() {
    let sem = Semaphore::new(1);
    sem.acquire().forget();
    println!("locked {}", py(sem.locked()));
    sem.release();
    println!("locked {}, counter {}", py(sem.locked()), sem.value());
    let b = BoundedSemaphore::new(1);
    b.acquire().forget();
    b.release().unwrap();
    if let Err(e) = b.release() {
        println!("{e}");
    }
}

fn main() {
    // In the order of greenlet_scenarios.py.
    let compared = named![
        seed_f5_runs_one_after_another,
        seed_f5_with_sleep0_takes_turns,
        no_yield_runs_one_after_another,
        sleep0_takes_turns,
        main_sleep0_lets_each_run_once,
        outcomes,
        join_returns_when_the_hub_comes_back_to_main,
        join_from_a_greenlet,
        timers_wake_in_order,
        seed_three_downloads_switch_by_themselves,
        an_interrupt_reaches_main_and_the_greenlets_live_on,
        a_killed_waiter_passes_the_semaphore_on,
        joinall_names_a_deadlock,
        join_with_a_timeout,
        timeouts_in_a_greenlet_and_in_main,
        queue_producer_consumer,
        semaphore_release_the_gevent_way,
    ];
    run_scenario(&compared, &named![io_uses_no_new_os_thread]);
}
