//! JupyterLab in a real browser (headless Chromium, driven by selenium), as
//! a learner uses it: open notebook 03 on the "Rust (multitask)" kernel, Run
//! All, Tab, Shift-Tab, the stop button, a cell that reads stdin. The steps
//! run in `tests/py/lab_browser.py`; a failed step leaves a screenshot under
//! `target/browser-screenshots/`.

use multitask_tests::{jupyter_report, tests_dir};
use serde_json::Value;

/// Runs the browser script once; its report, step by step.
fn report() -> &'static Value {
    static REPORT: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    REPORT.get_or_init(|| {
        let notebook = tests_dir().join("../notebooks/03-iterators-generators.ipynb");
        let shots = tests_dir().join("../target/browser-screenshots");
        jupyter_report("lab_browser.py", &[notebook.as_os_str(), shots.as_os_str()])
    })
}

/// The report of one step; a failed step fails the test with its reason.
fn step(name: &str) -> &'static Value {
    let step = &report()[name];
    assert!(
        step.get("failed").is_none(),
        "step {name} failed (screenshot in target/browser-screenshots/{name}.png): {}\n{}",
        step["failed"],
        step["trace"].as_str().unwrap_or_default()
    );
    step
}

fn texts(outputs: &Value) -> String {
    outputs
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| {
            format!(
                "{}{}{}",
                o["text"].as_str().unwrap_or_default(),
                o["plain"].as_str().unwrap_or_default(),
                o["ename"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn the_notebook_opens_on_the_kernel_unchanged() {
    let open = step("open");
    assert_eq!(open["kernel"], "Rust (multitask)", "{open}");
    assert_eq!(open["dirty"], false, "opening marked the notebook changed");
}

#[test]
fn run_all_runs_every_cell_with_no_unexpected_error() {
    let run = step("run_all");
    assert!(run["code_cells"].as_u64().unwrap() > 10, "{run}");
    assert_eq!(run["unexpected_errors"], serde_json::json!([]), "{run}");
}

/// A `trace::record` picture (notebook 03's `send`/`yield` ping-pong) is
/// drawn by the browser: an SVG it decoded, the size the prelude drew it.
#[test]
fn a_timeline_picture_is_drawn() {
    drawn_as_the_prelude_drew_it(step("picture"));
}

/// At least one picture, decoded at the size the prelude draws a timeline.
fn drawn_as_the_prelude_drew_it(picture: &Value) {
    assert!(picture["count"].as_u64().unwrap() >= 1, "{picture}");
    assert_eq!(picture["width"].as_u64(), Some(760), "{picture}");
    assert!(picture["height"].as_u64().unwrap() > 40, "{picture}");
}

/// Opened before it is run, as every downloaded notebook is, the notebook is
/// not trusted and JupyterLab shows none of its stored SVG: the picture is
/// still there, drawn from its PNG copy (a screenshot is left in
/// `target/browser-screenshots/untrusted_picture.png`).
#[test]
fn an_untrusted_notebook_shows_its_pictures_from_their_png() {
    let picture = step("untrusted_picture");
    assert_eq!(picture["trusted"], false, "{picture}");
    assert_eq!(picture["svgs"], 0, "{picture}");
    drawn_as_the_prelude_drew_it(picture);
}

/// A compile error on a 120-character line, in a window 900 px wide: drawn
/// as HTML whose code blocks never wrap (the long line scrolls; a
/// screenshot is left in `target/browser-screenshots/error_at_900_px.png`),
/// then the error in one line.
#[test]
fn a_compile_error_on_a_long_line_keeps_its_drawing_at_900_px() {
    let error = step("error_at_900_px");
    assert_eq!(error["typed"], 120, "{error}");
    assert!(error["width"].as_f64().unwrap() < 900.0, "{error}");
    let pres = error["pres"].as_array().unwrap();
    assert!(!pres.is_empty(), "{error}");
    for pre in pres {
        assert_eq!(pre["white_space"], "pre", "{error}");
        assert_eq!(
            pre["rows"], pre["lines"],
            "a line of the drawing wrapped: {error}"
        );
    }
    // The line is longer than the area: it would have wrapped.
    assert!(pres.iter().any(|p| p["scrolls"] == true), "{error}");
    let outputs = texts(&error["outputs"]);
    assert!(outputs.contains("CompileError"), "{outputs}");
}

/// The session's first Tab is on a method: the completer says rust-analyzer
/// is warming up (and a second Tab changes nothing); later the methods.
#[test]
fn a_first_tab_on_a_method_shows_that_rust_analyzer_warms_up() {
    let tab = step("method_tab");
    let waiting = tab["waiting"][0]
        .as_str()
        .unwrap_or_default()
        .to_lowercase()
        .replace('\u{a0}', " ");
    assert!(waiting.contains("warming up"), "{tab}");
    assert_eq!(
        tab["typed_after_tab"], "let g = jumping_range(3); g.se",
        "{tab}"
    );
    assert!(tab["methods"].to_string().contains("send"), "{tab}");
}

#[test]
fn tab_shows_the_completer_with_the_preludes_names() {
    let items = step("tab")["items"].to_string();
    assert!(items.contains("jumping_range"), "{items}");
}

#[test]
fn shift_tab_shows_the_signature_and_docs() {
    let tooltip = step("shift_tab")["tooltip"].as_str().unwrap_or_default();
    assert!(tooltip.contains("fn jumping_range"), "{tooltip}");
}

#[test]
fn the_stop_button_ends_a_loop_and_keeps_the_variables() {
    let stop = step("stop");
    assert!(
        texts(&stop["outputs"]).contains("KeyboardInterrupt"),
        "{stop}"
    );
    assert!(texts(&stop["after"]).contains('7'), "{stop}");
}

#[test]
fn a_cell_reading_stdin_gets_an_input_box_and_what_was_typed() {
    let stdin = step("stdin");
    assert!(
        texts(&stdin["outputs"]).contains("got hello from the box"),
        "{stdin}"
    );
}
