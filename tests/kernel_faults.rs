//! Hostile and broken input against the kernel (issue 13): what anyone who
//! can reach its ports may send, and connection files Jupyter's own library
//! would not write. `tests/py/kernel_faults.py` sends it all and reports.

use serde_json::Value;

fn report() -> &'static Value {
    static REPORT: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    REPORT.get_or_init(|| multitask_tests::jupyter_report("kernel_faults.py", &[]))
}

fn value(cell: &Value) -> &Value {
    &cell["results"][0]["text/plain"]
}

#[test]
fn a_frame_header_claiming_exabytes_drops_that_peer_not_the_kernel() {
    let report = report();
    for (channel, seen) in report["oversized"].as_object().expect("per channel") {
        assert_eq!(seen["alive"], true, "{channel}: {seen}\n{}", report["log"]);
        assert_eq!(seen["heartbeat"], true, "{channel}: {seen}");
    }
    // The sockets the kernel reads from hang up on that peer.
    for channel in ["shell", "control", "iopub", "hb"] {
        assert_eq!(report["oversized"][channel]["dropped"], true, "{channel}");
    }
    assert_eq!(value(&report["after_oversized"]), "42", "{report}");
}

#[test]
fn ten_thousand_random_and_mutated_messages_leave_the_kernel_answering() {
    let report = report();
    assert!(report["fuzz_sent"].as_u64() >= Some(10_000), "{report}");
    // Everything the fuzz queued on the shell socket was taken in turn.
    assert_eq!(report["fuzz_answered"], true, "{}", report["log"]);
    assert_eq!(value(&report["after_fuzz"]), "43", "{}", report["log"]);
    assert_eq!(report["heartbeat_after_fuzz"], true);
    // Peers that left mid-frame are forgotten, not polled for ever: at rest,
    // the kernel sleeps (it spun at 70 % of a core before).
    let idle = report["idle_cpu_seconds"].as_f64().expect("measured");
    assert!(
        idle < 0.5,
        "the idle kernel used {idle} s of CPU in 3 s; its busy threads: {}\n{}",
        report["idle_busy_threads"],
        report["idle_stacks"].as_str().unwrap_or_default()
    );
}

#[test]
fn the_connection_files_signature_scheme_is_honoured() {
    let report = report();
    assert_eq!(value(&report["sha512"]), "2", "{}", report["sha512"]);
    assert_eq!(value(&report["empty_key"]), "4");
}

#[test]
fn an_empty_key_is_served_with_a_warning_in_the_log() {
    let log = report()["empty_key_log"].as_str().unwrap_or_default();
    assert!(
        log.contains("key is empty, so messages are not signed"),
        "{log}"
    );
}

#[test]
fn a_scheme_jupyter_does_not_define_is_refused_by_name() {
    let report = report();
    for (scheme, said) in [
        ("rot13", "is not a scheme Jupyter defines"),
        ("md5", "names a hash this kernel does not compute"),
    ] {
        let seen = &report[scheme];
        assert_eq!(seen["exit_code"], 1, "{seen}");
        assert!(
            seen["stderr"].as_str().unwrap_or_default().contains(said),
            "{seen}"
        );
    }
}

#[test]
fn an_execute_request_that_does_not_fit_gets_an_error_reply() {
    let report = report();
    for (name, said) in [
        ("no_code", "missing field `code`"),
        ("code_is_a_number", "invalid type: integer `7`"),
    ] {
        let reply = &report["malformed"][name];
        assert_eq!(reply["status"], "error", "{name}: {reply}");
        assert_eq!(reply["ename"], "MalformedRequest", "{name}: {reply}");
        assert!(
            reply["evalue"].as_str().unwrap_or_default().contains(said),
            "{name}: {reply}"
        );
    }
    assert_eq!(value(&report["after_malformed"]), "41");
}

#[test]
fn a_cell_that_reads_stdin_gets_an_input_box_and_never_the_kernels_commands() {
    let stdin = &report()["stdin"];
    assert_eq!(stdin["request_type"], "input_request", "{stdin}");
    assert_eq!(stdin["request_parent"], true);
    assert_eq!(
        stdin["allowed"]["stdout"], "read \"typed in the box\\n\"\n",
        "{stdin}"
    );
    // A front end that takes no input: an empty line, and a note why.
    let not_allowed = &stdin["not_allowed"];
    assert_eq!(not_allowed["stdout"], "read \"\\n\"\n", "{stdin}");
    assert!(
        not_allowed["stderr"]
            .as_str()
            .unwrap_or_default()
            .contains("allow_stdin is false"),
        "{stdin}"
    );
    // A thread still reading after its cell: asked for in a later cell, it
    // gets that line, and no command of the kernel.
    assert_eq!(stdin["thread_request"], "input_request", "{stdin}");
    assert_eq!(
        value(&stdin["next_cells"][0]),
        "\"for the thread\\n\"",
        "{stdin}"
    );
    assert_eq!(value(&stdin["next_cells"][1]), "60", "{stdin}");
}
