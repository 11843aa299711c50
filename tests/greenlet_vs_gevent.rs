//! Greenlets against the real gevent: each scenario runs in gevent
//! (`py/greenlet_scenarios.py NAME`, with the test venv's python) and on the
//! prelude's greenlets (`bin/greenlet_scenarios.rs NAME`), and the traces must
//! match line by line — the order in which greenlets run is the point.

use std::process::{Command, Stdio};

use multitask_tests::{jupyter_python, py_script};

fn run(command: &mut Command) -> String {
    let output = command
        .stderr(Stdio::null())
        .output()
        .expect("the scenario runs");
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        output.status
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

fn gevent(name: &str) -> String {
    run(Command::new(jupyter_python())
        .arg(py_script("greenlet_scenarios.py"))
        .arg(name))
}

fn ours(name: &str) -> String {
    run(Command::new(env!("CARGO_BIN_EXE_greenlet-scenarios")).arg(name))
}

/// The trace with each greenlet's address (`<Greenlet at 0x7f…: f(5)>`)
/// replaced by a letter in the order they first appear: the addresses differ
/// between the runs, which greenlet printed which line must not.
fn addresses_named(trace: &str) -> String {
    let mut seen: Vec<&str> = Vec::new();
    let mut named = String::new();
    let mut rest = trace;
    while let Some(at) = rest.find("0x") {
        named.push_str(&rest[..at]);
        let digits = rest[at + 2..]
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(rest.len() - at - 2);
        let address = &rest[at..at + 2 + digits];
        let index = seen.iter().position(|a| *a == address).unwrap_or_else(|| {
            seen.push(address);
            seen.len() - 1
        });
        named.push_str(&format!("#{}", char::from(b'A' + (index % 26) as u8)));
        rest = &rest[at + 2 + digits..];
    }
    named + rest
}

#[test]
fn both_sides_have_the_same_scenarios() {
    assert_eq!(ours("list"), gevent("list"));
}

macro_rules! same_as_gevent {
    ($($name:ident),* $(,)?) => {
        /// Every scenario that has a test here, to hold against the binary's list.
        const COMPARED: &[&str] = &[$(stringify!($name)),*];
        $(
        #[test]
        fn $name() {
            let name = stringify!($name);
            assert_eq!(
                addresses_named(&ours(name)),
                addresses_named(&gevent(name)),
                "scenario {name}: multitask (left) vs gevent (right)"
            );
        }
    )*
    };
}

same_as_gevent!(
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
);

#[test]
fn green_io_starts_no_os_thread() {
    let out = ours("io_uses_no_new_os_thread");
    let line = out
        .lines()
        .find(|l| l.starts_with("OS threads"))
        .expect("the count");
    assert_eq!(line, "OS threads before: 1, after: 1", "{out}");
}

#[test]
fn every_scenario_of_the_binary_has_a_test_here() {
    let listed: Vec<String> = ours("list").lines().map(str::to_string).collect();
    assert_eq!(
        listed, COMPARED,
        "add the new scenario to `same_as_gevent!`"
    );
}
