//! Processes, pools, IPC and threads against CPython: each scenario runs in
//! python3 (`py/process_scenarios.py NAME`) and as multitask
//! (`bin/process_scenarios.rs NAME`), each in a fresh process, and the two
//! traces must match line by line once process ids are numbered by first
//! appearance. Every trace ends with `children left: 0`: no zombie, no child
//! still running, after the process exits its own code.
//!
//! Then what Python does not promise: a daemonic child dies with a parent
//! that is killed; a fork while rayon's and tokio's threads print cannot
//! hang; a Unix daemon detaches for real.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use multitask_tests::{py_script, run_python};

fn scenarios_bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_process-scenarios"))
}

/// Runs one scenario as multitask; stdout only (stderr holds panic messages).
/// Its stdin is open and never written, as a terminal nobody types into: a
/// child that reads it must not wait on it (it is killed after a minute).
fn run_rust(name: &str) -> String {
    let mut child = scenarios_bin()
        .arg(name)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the scenarios binary runs");
    let _stdin = child.stdin.take();
    let mut stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut text).map(|_| text)
    });
    let status = multitask_tests::wait_or_kill(&mut child, Duration::from_secs(60))
        .unwrap_or_else(|| panic!("{name} hung"));
    assert!(status.success(), "{name} failed: {status}");
    reader.join().expect("the reader").expect("UTF-8")
}

/// `pid:12345` becomes `pid#0`, `pid#1`, … by first appearance.
fn number_pids(trace: &str) -> String {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = String::new();
    let mut rest = trace;
    while let Some(at) = rest.find("pid:") {
        out.push_str(&rest[..at]);
        let digits: String = rest[at + 4..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let n = seen.len();
        let k = *seen.entry(digits.clone()).or_insert(n);
        out.push_str(&format!("pid#{k}"));
        rest = &rest[at + 4 + digits.len()..];
    }
    out.push_str(rest);
    out
}

fn compare(name: &str) {
    let python = number_pids(&run_python(&py_script("process_scenarios.py"), &[name]));
    let rust = number_pids(&run_rust(name));
    assert_eq!(
        rust, python,
        "scenario {name}: multitask (left) vs CPython (right)"
    );
    assert!(
        rust.ends_with("children left: 0\n"),
        "{name} left children:\n{rust}"
    );
}

#[test]
fn both_sides_have_the_same_scenarios() {
    let python = run_python(&py_script("process_scenarios.py"), &["list"]);
    assert_eq!(run_rust("list"), python);
}

#[test]
fn numbering_pids_keeps_identity() {
    assert_eq!(
        number_pids("a pid:17 b pid:9 c pid:17"),
        "a pid#0 b pid#1 c pid#0"
    );
}

macro_rules! same_as_cpython {
    ($($name:ident),* $(,)?) => {
        /// Every scenario that has a test here, to hold against the binary's list.
        const COMPARED: &[&str] = &[$(stringify!($name)),*];
        $(
        #[test]
        fn $name() {
            compare(stringify!($name));
        }
    )*
    };
}

same_as_cpython!(
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
);

/// The state letter of a process in `/proc`, or `None` once it is gone.
fn proc_state(pid: i32) -> Option<char> {
    multitask_tests::proc_stat(pid).map(|(state, _)| state)
}

#[test]
fn a_daemonic_child_dies_when_its_parent_is_killed() {
    let mut parent = scenarios_bin()
        .arg("daemon_child_of_killed_parent")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the scenarios binary runs");
    let mut line = String::new();
    BufReader::new(parent.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let child: i32 = line
        .trim()
        .strip_prefix("daemon child pid:")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("a pid line, got {line:?}"));
    assert!(
        matches!(proc_state(child), Some('S' | 'R')),
        "the child runs"
    );
    parent.kill().unwrap();
    parent.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    // Gone, or a zombie waiting for whoever inherited it.
    while !matches!(proc_state(child), None | Some('Z')) {
        assert!(
            Instant::now() < deadline,
            "the daemonic child {child} outlived its parent"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn forking_while_rayon_and_tokio_threads_print_never_hangs() {
    let out = run_rust("fork_after_pools");
    assert!(out.contains("50 of 50 children exited with 0"), "{out}");
    for i in 0..50 {
        let line = format!("child {i} prints and leaves\n");
        assert_eq!(
            out.matches(&line).count(),
            1,
            "child {i}'s line once:\n{out}"
        );
    }
    assert!(out.ends_with("children left: 0\n"));
}

#[test]
fn a_unix_daemon_detaches_and_stops_on_sigterm() {
    let out = run_rust("unix_daemon");
    assert_eq!(
        out,
        "a session of its own: true\n\
         session leader: false\n\
         our child: false\n\
         pid file holds its pid: true\n\
         stopped by SIGTERM: true\n\
         pid file removed: true\n\
         daemon PID started\n\
         daemon PID stopping on SIGTERM\n\
         children left: 0\n"
    );
}

#[test]
fn every_scenario_of_the_binary_has_a_test_here() {
    let listed: Vec<String> = run_rust("list").lines().map(str::to_string).collect();
    assert_eq!(
        listed, COMPARED,
        "add the new scenario to `same_as_cpython!`"
    );
}
