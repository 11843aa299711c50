//! JupyterLab and Notebook 7 in a real browser (headless Chromium, driven
//! by selenium), as a learner uses them: open notebook 03 on the "Rust
//! (multitask)" kernel, Run All, Tab, Shift-Tab, the stop button, a cell
//! that reads stdin. The steps run in `tests/py/lab_browser.py`, once in
//! each front end; a failed step leaves a screenshot under
//! `target/browser-screenshots/` (`notebook7/` for Notebook 7).

use multitask_tests::{jupyter_report, tests_dir};
use serde_json::Value;

/// The two front ends made of JupyterLab's parts.
#[derive(Debug, Clone, Copy)]
enum Ui {
    JupyterLab,
    Notebook7,
}

/// Runs the browser script once in `ui`; its report, step by step.
fn report(ui: Ui) -> &'static Value {
    static LAB: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    static NOTEBOOK7: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    let (once, server, shots) = match ui {
        Ui::JupyterLab => (&LAB, "lab", "browser-screenshots"),
        Ui::Notebook7 => (&NOTEBOOK7, "notebook", "browser-screenshots/notebook7"),
    };
    once.get_or_init(|| {
        let notebook = tests_dir().join("../notebooks/03-iterators-generators.ipynb");
        let shots = tests_dir().join("../target").join(shots);
        jupyter_report(
            "lab_browser.py",
            &[notebook.as_os_str(), shots.as_os_str(), server.as_ref()],
        )
    })
}

/// The report of one step; a failed step fails the test with its reason.
fn step(ui: Ui, name: &str) -> &'static Value {
    let step = &report(ui)[name];
    assert!(
        step.get("failed").is_none(),
        "step {name} failed in {ui:?} (screenshot in target/browser-screenshots/): {}\n{}",
        step["failed"],
        step["trace"].as_str().unwrap_or_default()
    );
    step
}

/// Each check, as a test in JupyterLab and one in Notebook 7.
macro_rules! in_both {
    ($($check:ident),* $(,)?) => {
        mod jupyterlab {
            $(#[test] fn $check() { super::$check(super::Ui::JupyterLab) })*
        }
        mod notebook7 {
            $(#[test] fn $check() { super::$check(super::Ui::Notebook7) })*
        }
    };
}

in_both!(
    the_notebook_opens_on_the_kernel_unchanged,
    run_all_runs_every_cell_with_no_unexpected_error,
    a_timeline_picture_is_drawn,
    an_untrusted_notebook_shows_its_pictures_from_their_png,
    a_compile_error_on_a_long_line_keeps_its_drawing_at_900_px,
    a_tab_on_a_method_lists_the_preludes_methods,
    tab_shows_the_completer_with_the_preludes_names,
    shift_tab_shows_the_signature_and_docs,
    the_stop_button_ends_a_loop_and_keeps_the_variables,
    a_cell_reading_stdin_gets_an_input_box_and_what_was_typed,
);

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

fn the_notebook_opens_on_the_kernel_unchanged(ui: Ui) {
    let open = step(ui, "open");
    assert_eq!(open["kernel"], "Rust (multitask)", "{open}");
    assert_eq!(open["dirty"], false, "opening marked the notebook changed");
}

fn run_all_runs_every_cell_with_no_unexpected_error(ui: Ui) {
    let run = step(ui, "run_all");
    assert!(run["code_cells"].as_u64().unwrap() > 10, "{run}");
    assert_eq!(run["unexpected_errors"], serde_json::json!([]), "{run}");
}

/// A `trace::record` picture (notebook 03's `send`/`yield` ping-pong) is
/// drawn by the browser: an SVG it decoded, the size the prelude drew it.
fn a_timeline_picture_is_drawn(ui: Ui) {
    drawn_as_the_prelude_drew_it(step(ui, "picture"));
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
fn an_untrusted_notebook_shows_its_pictures_from_their_png(ui: Ui) {
    let picture = step(ui, "untrusted_picture");
    assert_eq!(picture["trusted"], false, "{picture}");
    assert_eq!(picture["svgs"], 0, "{picture}");
    drawn_as_the_prelude_drew_it(picture);
}

/// A compile error on a 120-character line, in a window 900 px wide: drawn
/// as HTML whose code blocks never wrap (the long line scrolls; a
/// screenshot is left in `target/browser-screenshots/error_at_900_px.png`),
/// then the error in one line.
fn a_compile_error_on_a_long_line_keeps_its_drawing_at_900_px(ui: Ui) {
    let error = step(ui, "error_at_900_px");
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

/// Tab after a variable of one of the prelude's types lists its methods (the
/// default build, without rust-analyzer, reads them from the prelude's
/// source); after a value it cannot know, one entry says why and Tab on it
/// changes nothing.
fn a_tab_on_a_method_lists_the_preludes_methods(ui: Ui) {
    let tab = step(ui, "method_tab");
    assert!(tab["methods"].to_string().contains("send"), "{tab}");
    let notice = tab["notice"][0]
        .as_str()
        .unwrap_or_default()
        .replace('\u{a0}', " ");
    assert!(notice.contains("needs the analyzer feature"), "{tab}");
    assert_eq!(tab["typed_after_tab"], "vec![1u8].pu", "{tab}");
}

fn tab_shows_the_completer_with_the_preludes_names(ui: Ui) {
    let items = step(ui, "tab")["items"].to_string();
    assert!(items.contains("jumping_range"), "{items}");
}

fn shift_tab_shows_the_signature_and_docs(ui: Ui) {
    let tooltip = step(ui, "shift_tab")["tooltip"]
        .as_str()
        .unwrap_or_default();
    assert!(tooltip.contains("fn jumping_range"), "{tooltip}");
}

fn the_stop_button_ends_a_loop_and_keeps_the_variables(ui: Ui) {
    let stop = step(ui, "stop");
    assert!(
        texts(&stop["outputs"]).contains("KeyboardInterrupt"),
        "{stop}"
    );
    assert!(texts(&stop["after"]).contains('7'), "{stop}");
}

fn a_cell_reading_stdin_gets_an_input_box_and_what_was_typed(ui: Ui) {
    let stdin = step(ui, "stdin");
    assert!(
        texts(&stdin["outputs"]).contains("got hello from the box"),
        "{stdin}"
    );
}
