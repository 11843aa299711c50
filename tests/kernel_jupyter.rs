//! The Jupyter kernel as Jupyter meets it: `multitask kernel install`, then
//! jupyter_client (the library Jupyter itself uses) starts the kernel from the
//! kernelspec and talks the real wire protocol to it.

use multitask_tests::{jupyter_report, tests_dir, without_colours};
use serde_json::Value;

/// Runs `tests/py/kernel_client.py` once: it installs the kernelspec in a
/// temporary prefix, drives a kernel through every request below and prints
/// what came back. One kernel, many checks: a kernel start is the slow part.
fn report() -> &'static Value {
    static REPORT: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    REPORT.get_or_init(|| jupyter_report("kernel_client.py", &[]))
}

/// A JSON string's text (empty for anything else).
pub(crate) fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

#[test]
fn the_kernelspec_is_found_and_the_kernel_says_it_speaks_rust() {
    let report = report();
    assert!(text(&report["install"]).contains("share/jupyter/kernels/multitask"));
    assert_eq!(report["language"], "rust");
    assert_eq!(report["implementation"], "multitask");
    // Jupyter's launcher and the notebook's corner show these.
    let files = &report["kernelspec_files"];
    for logo in ["logo-32x32.png", "logo-64x64.png", "logo-svg.svg"] {
        assert!(
            files.as_array().unwrap().iter().any(|f| f == logo),
            "{files}"
        );
    }
}

/// JupyterLab stores the kernel's `language_info` in the notebook as it
/// opens it: one that differs from the stored one marks every notebook
/// changed before the learner typed anything.
#[test]
fn every_notebook_stores_the_language_info_the_kernel_sends() {
    let sent = &report()["language_info"];
    let notebooks = std::fs::read_dir(tests_dir().join("../notebooks")).expect("the notebooks");
    for path in notebooks.filter_map(|e| e.ok().map(|e| e.path())) {
        if path.extension().is_some_and(|e| e == "ipynb") {
            let notebook: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            assert_eq!(
                &notebook["metadata"]["language_info"],
                sent,
                "{}",
                path.display()
            );
        }
    }
}

#[test]
fn a_value_comes_back_as_an_execute_result() {
    let value = &report()["value"];
    assert_eq!(value["results"][0]["text/plain"], "2", "{value}");
    assert_eq!(value["reply_status"], "ok");
    assert_eq!(value["statuses"], serde_json::json!(["busy", "idle"]));
}

#[test]
fn a_table_comes_back_as_html_with_aligned_text_beside_it() {
    let table = &report()["table"]["results"][0];
    assert_eq!(
        table["text/html"],
        "<table>\n<thead><tr><th style=\"text-align:left\">模式 mode</th>\
         <th style=\"text-align:right\">n</th></tr></thead>\n<tbody>\n\
         <tr><td style=\"text-align:left\">线程 threads</td>\
         <td style=\"text-align:right\">2</td></tr>\n</tbody>\n</table>",
        "{table}"
    );
    assert_eq!(
        table["text/plain"], "模式 mode     n\n────────────  ─\n线程 threads  2",
        "{table}"
    );
}

/// What clients besides JupyterLab rely on, checked with jupyter_client:
/// VS Code's Jupyter extension asks `kernel_info` on the control channel
/// and waits for busy and idle around it; nbclient and papermill read an
/// error's `ename` and `evalue` from the reply; a kernelspec's `argv[0]`
/// must not depend on the folder Jupyter starts it in.
#[test]
fn clients_get_what_the_protocol_promises_around_every_request() {
    let protocol = &report()["protocol"];
    let argv0 = protocol["argv0"].as_str().unwrap();
    assert!(std::path::Path::new(argv0).is_absolute(), "{protocol}");
    let control = &protocol["control_kernel_info"];
    assert_eq!(control["status"], "ok", "{protocol}");
    assert_eq!(control["implementation"], "multitask", "{protocol}");
    assert_eq!(
        control["statuses"],
        serde_json::json!(["busy", "idle"]),
        "{protocol}"
    );
    for request in [
        "kernel_info",
        "complete",
        "inspect",
        "is_complete",
        "comm_info",
        "history",
        "execute_error",
    ] {
        assert_eq!(
            protocol[request]["statuses"],
            serde_json::json!(["busy", "idle"]),
            "{request}: {protocol}"
        );
    }
    let error = &protocol["execute_error"];
    assert_eq!(error["status"], "error", "{protocol}");
    assert_eq!(error["ename"], "CompileError", "{protocol}");
    assert!(
        text(&error["evalue"]).contains("mismatched types"),
        "{protocol}"
    );
}

/// A picture comes as SVG and as its PNG copy (base64, as Jupyter carries
/// images), which a notebook not yet trusted shows in its place.
#[test]
fn a_timeline_comes_back_as_svg_and_png() {
    let timeline = &report()["timeline"]["results"][0];
    assert!(
        text(&timeline["image/svg+xml"]).starts_with("<svg"),
        "{timeline}"
    );
    // "\x89PNG" in base64.
    assert!(
        text(&timeline["image/png"]).starts_with("iVBORw0KGgo"),
        "{timeline}"
    );
    assert!(
        text(&timeline["text/plain"]).contains("MainThread: running, sleeping, running"),
        "{timeline}"
    );
}

#[test]
fn a_type_with_its_own_display_comes_back_as_html() {
    let rich = &report()["rich"];
    assert_eq!(rich["results"][0]["text/html"], "<b>rich</b>", "{rich}");
}

#[test]
fn printed_lines_are_streams_of_their_cell() {
    let report = report();
    assert_eq!(text(&report["stream"]["stdout"]), "hello from a cell\n");
    assert!(
        text(&report["thread_later"]["stdout"]).contains("late line from a thread"),
        "a line printed after the cell finished still belongs to it: {}",
        report["thread_later"]
    );
}

#[test]
fn a_child_process_prints_into_its_cell_once() {
    let report = report();
    let child = &report["child_process"];
    assert_eq!(
        text(&child["stdout"]),
        "hello from the child process\n",
        "{child}"
    );
    assert_eq!(
        child["results"][0]["text/plain"], "0",
        "the exit code: {child}"
    );
    let later = &report["child_process_later"];
    assert_eq!(
        text(&later["stdout"])
            .matches("late line from a child process")
            .count(),
        1,
        "a line a child prints after the cell finished still belongs to it: {later}"
    );
}

#[test]
fn jumping_range_sends_as_in_the_repl() {
    let steps = &report()["jumping_range"];
    assert_eq!(steps[1]["results"][0]["text/plain"], "Ok(0)");
    assert_eq!(steps[2]["results"][0]["text/plain"], "Ok(2)");
}

#[test]
fn cells_that_await_run_on_the_preludes_runtime_and_keep_variables() {
    let awaits = &report()["awaits"];
    assert_eq!(awaits[0]["reply_status"], "ok", "{awaits}");
    // A task spawned in one cell and awaited in the next ran on the cell's
    // own thread (asyncio's loop is one thread), its timer working (its
    // cell's copy of tokio has the runtime as its context there); and the
    // runtime an awaiting cell sees is the prelude's (evcxr's own is
    // "tokio-rt-worker").
    assert_eq!(
        awaits[1]["results"][0]["text/plain"], "\"MainThread\"",
        "{awaits}"
    );
    assert_eq!(
        awaits[2]["results"][0]["text/plain"], "Some(\"tokio-driver\")",
        "{awaits}"
    );
    // A variable from before the first `.await` is still there.
    assert_eq!(awaits[3]["results"][0]["text/plain"], "Ok(4)", "{awaits}");
}

#[test]
fn a_compile_error_is_an_error_and_variables_survive_it() {
    let report = report();
    let error = &report["compile_error"];
    assert_eq!(error["reply_status"], "error");
    assert_eq!(error["errors"][0]["ename"], "CompileError");
    assert!(text(&error["errors"][0]["evalue"]).contains("mismatched types"));
    assert_eq!(
        report["kept_after_error"]["results"][0]["text/plain"],
        "Ok(3)"
    );
}

/// `:exercises` is a table in Jupyter, with what to do next under it.
#[test]
fn the_exercises_come_as_an_html_table() {
    let result = &report()["exercises"]["results"][0];
    let html = text(&result["text/html"]);
    assert!(html.starts_with("<table>"), "{result}");
    assert!(html.contains("03-countdown"), "{html}");
    assert!(html.contains(" done"), "{html}");
    assert!(
        text(&result["text/plain"]).contains("03-countdown"),
        "{result}"
    );
}

/// A wrong answer that does not compile leaves the TODO's function defined:
/// the check says the function is still the TODO, and why that may be.
#[test]
fn a_check_after_an_answer_that_did_not_compile_says_so() {
    let report = report();
    assert_eq!(report["answer_not_compiling"]["reply_status"], "error");
    let said = text(&report["check_after_it"]["stdout"]);
    assert!(said.starts_with("✗ 03-countdown:"), "{said}");
    assert!(said.contains("the function is still the TODO"), "{said}");
    assert!(said.contains("that cell did not compile"), "{said}");
}

/// A Python habit's error comes with the session's hint in what Jupyter
/// shows of it (the same table as the REPL: `repl/habits.toml`).
#[test]
fn a_python_habit_gets_its_hint_in_jupyter() {
    let plain = shown(&report()["habit"]);
    assert!(plain.contains("cannot find function `next`"), "{plain}");
    assert!(
        plain.contains("hint: `next` is the generator's method: `g.next()`"),
        "{plain}"
    );
}

/// A compile error is drawn on the cell's own lines, as the REPL draws it:
/// not on the code evcxr wraps around a cell, not with paths into the
/// toolchain, and a warning beside it is called a warning. Jupyter gets it
/// as HTML (and as the terminal's text for a client that shows only text),
/// then the error itself in one line.
#[test]
fn a_compile_error_points_into_the_cell_in_the_learners_terms() {
    let cell = &report()["compile_error_in_terms"];
    let error = &cell["errors"][0];
    let plain = shown(cell);
    assert!(plain.contains("cell:4:7"), "{plain}");
    assert!(plain.contains("words.next()"), "{plain}");
    // rustc's "there is a method `ne` with a similar name" is on the list
    // of advice that does not help (repl/unhelpful.toml).
    assert!(!plain.contains("`ne`"), "{plain}");
    let html = text(&cell["displays"][0]["text/html"]);
    assert!(html.contains(">error[E0599]</b>"), "{html}");
    // The cell's line, `next` marked where rustc points, in a <pre> that
    // never wraps.
    assert!(html.contains("words.<mark"), "{html}");
    assert!(html.contains("<pre style=\"white-space:pre;"), "{html}");
    assert_eq!(
        traceback(error),
        format!("CompileError: {}", text(&error["evalue"])),
        "the error's own traceback is its one line"
    );
    for machinery in ["src/lib.rs", "evcxr", "toolchains", "format!"] {
        assert!(!plain.contains(machinery), "{machinery} in {plain}");
        assert!(!html.contains(machinery), "{machinery} in {html}");
    }
    assert!(plain.contains("Warning"), "{plain}");
    assert!(
        !plain.contains("[unused_variables] Error"),
        "a warning is no error: {plain}"
    );
    assert!(
        text(&error["evalue"]).contains("no method named `next`"),
        "{error}"
    );
    assert!(!text(&error["evalue"]).contains("unused"), "{error}");
}

/// What Jupyter shows before a cell's error (a compile error's drawing), as
/// text without its colours.
fn shown(cell: &Value) -> String {
    let texts: String = cell["displays"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| text(&d["text/plain"]))
        .collect();
    without_colours(&texts)
}

/// An error's traceback, as one text without its colours.
fn traceback(error: &Value) -> String {
    let lines: String = error["traceback"]
        .as_array()
        .unwrap()
        .iter()
        .map(text)
        .collect();
    without_colours(&lines)
}

#[test]
fn a_panic_is_an_error_with_its_message_and_variables_survive_it() {
    let report = report();
    let panic = &report["panic"];
    assert!(
        text(&panic["stdout"]).contains("panicked: index out of bounds"),
        "{panic}"
    );
    // As IPython replies to an exception.
    assert_eq!(panic["reply_status"], "error", "{panic}");
    assert_eq!(panic["errors"][0]["ename"], "Panic");
    assert_eq!(
        panic["errors"][0]["evalue"],
        "index out of bounds: the len is 3 but the index is 10"
    );
    assert_eq!(value_of(&report["kept_after_panic"]), "[1, 2, 3]");
}

/// A cell's value, as its `text/plain`.
pub(crate) fn value_of(cell: &Value) -> &str {
    text(&cell["results"][0]["text/plain"])
}

#[test]
fn is_complete_and_complete_answer_for_real() {
    let report = report();
    assert_eq!(report["is_complete"]["fn f() {"], "incomplete");
    assert_eq!(report["is_complete"]["1 + 1"], "complete");
    // The first Tab: at once, with what rust-analyzer says of it (in a
    // build that has it).
    let first = &report["complete_first"];
    assert!(first["seconds"].as_f64().unwrap() < 1.0, "{first}");
    let jumping = first["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["text"] == "jumping_range(")
        .unwrap_or_else(|| panic!("jumping_range( in the first answer: {first}"));
    assert_eq!(jumping["type"], "function", "{jumping}");
    assert_eq!(
        jumping["signature"],
        "pub fn jumping_range(n: i64) -> Generator<i64, i64>"
    );
    let matches = report["complete"]["matches"].as_array().unwrap();
    assert!(matches.iter().any(|m| m == "jumping_range("), "{matches:?}");
    assert_eq!(report["complete"]["cursor_start"], 0);
    assert_eq!(report["complete"]["cursor_end"], 10);
    // JupyterLab's completer shows each match's kind and signature.
    let types = report["complete"]["types"]
        .as_array()
        .expect("typed matches");
    let jumping = types
        .iter()
        .find(|t| t["text"] == "jumping_range(")
        .expect("jumping_range among the typed matches");
    assert_eq!(jumping["type"], "function", "{jumping}");
    assert!(text(&jumping["signature"]).contains("i64"), "{jumping}");
}

/// Without rust-analyzer (the default build), Tab after a variable of one of
/// the prelude's types lists its methods, from the prelude's source, at
/// once; where only rust-analyzer would know (a value that is not a
/// variable, std's `Vec`), one entry that adds nothing says so.
#[test]
fn tab_knows_the_preludes_methods_without_rust_analyzer() {
    let tabs = &report()["tabs"];
    let notice = multitask_repl::session::completion::NO_ANALYZER;
    for ask in ["first", "again", "std"] {
        let found = &tabs[ask];
        let typed = if ask == "std" { "pu" } else { "se" };
        assert_eq!(
            found["matches"],
            serde_json::json!([typed]),
            "{ask}: {found}"
        );
        assert_eq!(found["types"][0]["type"], notice, "{ask}: {found}");
        assert!(
            text(&found["types"][0]["signature"]).contains("--features analyzer"),
            "{found}"
        );
    }
    let variable = &tabs["variable"];
    assert_eq!(
        variable["matches"],
        serde_json::json!(["send("]),
        "{variable}"
    );
    assert_eq!(variable["cursor_start"], 2, "{variable}");
    assert_eq!(variable["types"][0]["type"], "function", "{variable}");
    assert!(
        text(&variable["types"][0]["signature"]).starts_with("pub fn send(&self"),
        "{variable}"
    );
    for ask in ["first", "again", "variable", "std"] {
        assert!(tabs[ask]["seconds"].as_f64().unwrap() < 1.0, "{tabs}");
    }
}

/// Only rust-analyzer reads std's source: a build without it says nothing
/// of a missing rust-src.
#[test]
fn without_rust_analyzer_rust_src_is_not_asked_for() {
    let cells = report()["without_rust_src"]["cells"].as_array().unwrap();
    assert_eq!(value_of(&cells[0]), "2", "{}", cells[0]);
    assert!(
        !text(&cells[0]["stderr"]).contains("rust-src"),
        "{}",
        cells[0]
    );
}

/// `--version` says what Tab and Shift-Tab know in this build.
#[test]
fn the_version_says_the_build_has_no_rust_analyzer() {
    let version = text(&report()["version"]);
    assert!(version.starts_with("multitask 0.1.0"), "{version}");
    assert!(version.contains("without rust-analyzer"), "{version}");
}

/// Tab on a name: the prelude's macro and the learner's variable, each with
/// its kind and type (here with a toolchain that has no std source).
#[test]
fn a_first_tab_on_a_name_gives_kinds_and_types() {
    let first = &report()["without_rust_src"]["first_tab"];
    let expected = serde_json::json!([
        {"start": 0, "end": 5, "text": "spawn!()", "type": "function",
         "signature": "macro_rules! spawn"},
        {"start": 0, "end": 5, "text": "spawned_count", "type": "instance",
         "signature": "u8"},
    ]);
    assert_eq!(first, &expected);
}

/// Shift-Tab shows the signature and the prelude's own docs, as text and
/// HTML (read from the prelude's source in a build without rust-analyzer).
#[test]
fn inspect_shows_the_signature_and_the_docs() {
    let report = report();
    let inspect = &report["inspect"];
    assert_eq!(inspect["found"], true, "{inspect}");
    let plain = text(&inspect["data"]["text/plain"]);
    assert!(plain.contains("fn jumping_range"), "{plain}");
    assert!(plain.contains("send"), "the docs: {plain}");
    // The docs speak to the learner (the project's word for the tutorial,
    // "seed", stays out of them).
    assert!(!plain.to_lowercase().contains("seed"), "{plain}");
    assert!(
        text(&inspect["data"]["text/html"]).contains("<code>"),
        "{inspect}"
    );
    assert_eq!(report["inspect_nothing"]["found"], false);
}

/// IPython's `%timeit` and `%time`: the mean ± std. dev. line, the code
/// timed optimised; `:time` keeps what its cell binds.
#[test]
fn timeit_and_time_measure_as_ipython_does() {
    let report = report();
    let timeit = text(&report["timeit"]["results"][0]["text/plain"]);
    assert!(
        timeit.contains(" per loop (mean ± std. dev. of 7 runs, "),
        "{timeit}"
    );
    assert!(timeit.ends_with("compiled at opt-level 2)"), "{timeit}");
    let time = &report["time"];
    assert!(text(&time["stdout"]).contains("took "), "{time}");
    assert_eq!(report["timed_kept"]["results"][0]["text/plain"], "42");
}

#[test]
fn a_forged_message_is_dropped_and_the_kernel_goes_on() {
    let report = report();
    let seen = report["iopub_after_forged"].to_string();
    assert!(!seen.contains("forged ran"), "the forged cell ran: {seen}");
    assert_eq!(report["forged_answered"], false);
    assert_eq!(report["after_forged"]["results"][0]["text/plain"], "42");
}

#[test]
fn an_interrupt_stops_the_cell_and_keeps_every_variable() {
    let report = report();
    let interrupted = &report["interrupted"];
    assert_eq!(interrupted["reply_status"], "error");
    assert_eq!(interrupted["errors"][0]["ename"], "KeyboardInterrupt");
    let evalue = text(&interrupted["errors"][0]["evalue"]);
    assert!(
        evalue.contains("variables from before it are kept"),
        "{evalue}"
    );
    assert_eq!(report["after_interrupt"]["results"][0]["text/plain"], "3");
    // `v`, bound long before, is still there.
    assert_eq!(
        report["kept_after_interrupt"]["results"][0]["text/plain"],
        "3"
    );
}

/// The stop button during Run All reaches the cell that runs, whenever it
/// comes: before the loop compiles, while it compiles, as it starts.
#[test]
fn an_interrupt_stops_a_loop_queued_behind_quick_cells_every_time() {
    let stops = report()["queued_interrupts"].as_array().expect("the tries");
    assert_eq!(
        stops.len(),
        50,
        "a try got no answer within 10 s: {stops:?}"
    );
    for (attempt, stop) in stops.iter().enumerate() {
        let (ename, evalue) = (text(&stop[0]["ename"]), text(&stop[0]["evalue"]));
        // Stopped as it ran (KeyboardInterrupt), or before it ran; never by
        // killing the runtime, which a loop's own check makes needless.
        let stopped = ename == "KeyboardInterrupt"
            || (ename == "Interrupted" && evalue.contains("before it ran"));
        assert!(stopped, "try {attempt}: {stop}");
    }
}

/// The endless print loop: cut at the cap with a note, in batches, stopped
/// within a second or so of the interrupt, the kernel's memory bounded, and
/// the reply true about the variables.
#[test]
fn an_endless_print_loop_is_cut_at_the_cap_and_stops_when_interrupted() {
    let flood = &report()["flood"];
    let bytes = flood["bytes"].as_u64().expect("bytes");
    assert!(bytes <= 10 * 1024 * 1024 + 4096, "{bytes} bytes shown");
    assert!(bytes >= 1024 * 1024, "{bytes} bytes shown");
    let messages = flood["messages"].as_u64().expect("messages");
    assert!(messages <= 200, "{messages} stream messages");
    assert!(
        text(&flood["last"]).contains("of this cell's output were not shown"),
        "{flood}"
    );
    let after = flood["seconds_after_interrupt"].as_f64().expect("seconds");
    assert!(after < 5.0, "output went on {after} s after the interrupt");
    // A fresh kernel holds about 25 MB, and as much after a flood; this
    // one also holds rust-analyzer's analysis, so its growth is measured.
    let growth = flood["kernel_rss_growth_kb"].as_i64().expect("rss");
    assert!(
        growth < 64 * 1024,
        "the flood grew the kernel by {growth} kB"
    );
    let error = &flood["errors"][0];
    match text(&error["ename"]) {
        "KeyboardInterrupt" => assert_eq!(
            flood["v_after"]["results"][0]["text/plain"], "3",
            "the reply said the variables were kept: {flood}"
        ),
        "Interrupted" => assert!(text(&error["evalue"]).contains("Lost variables"), "{flood}"),
        other => panic!("{other}: {flood}"),
    }
}

/// A front end killed without a shutdown request (a Jupyter server's
/// SIGKILL) takes its kernel and the kernel's runtime with it, as ipykernel
/// does with `JPY_PARENT_PID`.
#[test]
fn a_kernel_leaves_when_its_front_end_is_killed() {
    let killed = &report()["front_end_killed"];
    assert_eq!(
        killed["processes"], 2,
        "the kernel and its runtime: {killed}"
    );
    assert_eq!(killed["left"], serde_json::json!([]), "{killed}");
    let seconds = killed["seconds"].as_f64().expect("seconds");
    assert!(seconds < 10.0, "{seconds} s after the front end died");
}

#[test]
fn run_all_stops_at_an_error_unless_the_cell_may_raise() {
    let report = report();
    assert_eq!(
        report["run_all_after_an_error"],
        serde_json::json!(["ok", "error", "aborted", "aborted", "aborted"])
    );
    assert_eq!(
        report["after_the_aborted"]["results"][0]["text/plain"],
        "11"
    );
    assert_eq!(
        report["run_all_past_a_raises_exception_cell"],
        serde_json::json!(["ok", "error", "ok"])
    );
}

#[test]
fn a_restart_starts_a_fresh_session() {
    let after = &report()["after_restart"];
    assert_eq!(after[0]["errors"][0]["ename"], "CompileError", "{after}");
    assert!(text(&after[0]["errors"][0]["evalue"]).contains("before_restart"));
    assert_eq!(after[1]["results"][0]["text/plain"], "4");
}

#[test]
fn the_tutorials_gen_is_a_name_in_the_kernel() {
    let cells = &report()["gen"];
    assert_eq!(cells[1]["results"][0]["text/plain"], "Ok(0)", "{cells}");
    assert_eq!(cells[2]["results"][0]["text/plain"], "Ok(2)", "{cells}");
    assert_eq!(cells[3]["stdout"], "3\n4\n", "{cells}");
    let vars = text(&cells[5]["stdout"]);
    assert!(vars.contains("gen: ") && !vars.contains("r#"), "{vars}");
    // A `let` the session cannot take is an error, never silence.
    assert_eq!(cells[6]["errors"][0]["ename"], "CompileError", "{cells}");
    assert!(text(&cells[6]["errors"][0]["evalue"]).contains("found keyword `fn`"));
}

#[test]
fn a_first_binding_does_not_wait_for_rust_analyzer() {
    let first = &report()["first_binding"];
    let timing = text(&first["stdout"]);
    assert!(timing.contains("Type inference (rustc)"), "{first}");
    assert!(!timing.contains("rust-analyzer"), "{first}");
}

#[test]
fn a_second_kernel_compiles_no_dependency_again() {
    let report = report();
    let log = text(&report["second_log"]);
    assert!(log.contains("(the prelude compiled already)"), "{log}");
    let compiled: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("Compiling "))
        .filter(|line| !line.contains("evcxr_internal_runtime"))
        .collect();
    assert!(compiled.is_empty(), "compiled again: {compiled:?}");
    assert_eq!(report["second_value"]["results"][0]["text/plain"], "2");
}

#[test]
fn an_interrupt_in_the_first_second_stops_the_waiting_cell() {
    let report = report();
    let stopped = &report["interrupt_at_once"];
    assert_eq!(stopped["reply_status"], "error", "{stopped}");
    assert_eq!(stopped["errors"][0]["ename"], "Interrupted", "{stopped}");
    assert!(text(&stopped["errors"][0]["evalue"]).contains("did not run"));
    assert_eq!(report["second_value"]["results"][0]["text/plain"], "2");
}

#[test]
fn a_shutdown_in_the_first_second_is_honoured() {
    assert_eq!(report()["shutdown_at_once_exit_code"], 0);
}

#[test]
fn a_first_start_shows_its_progress_in_the_waiting_cell() {
    let cold = &report()["cold_first_cell"];
    let progress = text(&cold["stderr"]);
    assert!(progress.contains("Compiling tokio"), "{cold}");
    assert!(progress.contains("The session ready in"), "{cold}");
    assert_eq!(cold["results"][0]["text/plain"], "2", "{cold}");
}

#[test]
fn the_kernel_leaves_on_its_own_when_asked_to_shut_down_even_mid_cell() {
    assert_eq!(report()["exit_code"], 0);
}
