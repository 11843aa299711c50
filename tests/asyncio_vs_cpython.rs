//! asyncio against CPython's: each scenario runs in python3
//! (`py/asyncio_scenarios.py NAME`) and on the prelude's asyncio
//! (`bin/asyncio_scenarios.rs NAME`), and the traces must match line by line:
//! which task runs when — one thread, turns at awaits, first come first
//! served — is the point.

use std::process::{Command, Stdio};

use multitask_tests::{py_script, run_python};

fn ours(name: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_asyncio-scenarios"))
        .arg(name)
        .stderr(Stdio::null())
        .output()
        .expect("the scenario runs");
    assert!(
        output.status.success(),
        "scenario {name} failed: {}",
        output.status
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

fn cpython(name: &str) -> String {
    run_python(&py_script("asyncio_scenarios.py"), &[name])
}

#[test]
fn both_sides_have_the_same_scenarios() {
    assert_eq!(ours("list"), cpython("list"));
}

macro_rules! same_as_cpython {
    ($($name:ident),* $(,)?) => {
        /// Every scenario that has a test here, to hold against the binary's list.
        const COMPARED: &[&str] = &[$(stringify!($name)),*];
        $(
        #[test]
        fn $name() {
            let name = stringify!($name);
            assert_eq!(ours(name), cpython(name), "scenario {name}: multitask (left) vs CPython (right)");
        }
    )*
    };
}

same_as_cpython!(
    create_task_waits_for_its_creator,
    spawned_tasks_start_in_order,
    gather_sleep0_rounds,
    main_sleep0_lets_each_ready_task_run_once,
    no_lock_between_awaits,
    gather_fails_fast_and_the_others_run_on,
    gather_return_exceptions,
    queue_producer_consumer,
    as_completed_in_finishing_order,
    first_completed_and_cancel_the_rest,
    cancel_before_it_starts,
    wait_for_gives_up,
);

#[test]
fn every_scenario_of_the_binary_has_a_test_here() {
    let listed: Vec<String> = ours("list").lines().map(str::to_string).collect();
    assert_eq!(
        listed, COMPARED,
        "add the new scenario to `same_as_cpython!`"
    );
}
