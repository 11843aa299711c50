//! What a build with rust-analyzer (`cargo build --release --features
//! analyzer`, which `tests/run` builds as `multitask-analyzer`) adds to the
//! kernel: completions and docs for std and every crate, after a first Tab
//! that says rust-analyzer is warming up; the quick answers' table
//! (`repl/prelude_completions.toml`) held to rust-analyzer's own words; a
//! missing rust-src told to the learner.

use crate::kernel_jupyter::{text, value_of};
use multitask_tests::{jupyter_report_of, multitask_analyzer_bin};
use serde_json::Value;

/// `tests/py/kernel_client.py BIN analyzer`, once.
fn report() -> &'static Value {
    static REPORT: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    REPORT.get_or_init(|| {
        jupyter_report_of(
            &multitask_analyzer_bin(),
            "kernel_client.py",
            &["analyzer".as_ref()],
        )
    })
}

#[test]
fn the_version_says_the_build_has_rust_analyzer() {
    let version = text(&report()["version"]);
    assert!(version.contains("with rust-analyzer"), "{version}");
    assert!(!version.contains("without"), "{version}");
}

/// A session's first Tab on a method only rust-analyzer knows: one entry at
/// once that adds nothing to what is typed and says to wait; the methods on
/// the next Tab, std's too. A variable of the prelude's types gets its
/// methods from the prelude's source meanwhile; later from rust-analyzer.
#[test]
fn a_first_tab_on_a_method_says_rust_analyzer_is_warming_up() {
    let tabs = &report()["tabs"];
    let first = &tabs["first"];
    assert!(first["seconds"].as_f64().unwrap() < 1.0, "{first}");
    assert_eq!(first["matches"], serde_json::json!(["se"]), "{first}");
    assert_eq!(first["cursor_start"], 17, "{first}");
    let entry = &first["types"][0];
    assert_eq!(
        entry["type"],
        multitask_repl::session::completion::WARMING_UP,
        "{first}"
    );
    assert!(text(&entry["signature"]).contains("10 s"), "{first}");
    assert_eq!(
        tabs["again"]["matches"],
        serde_json::json!(["send("]),
        "{tabs}"
    );
    assert_eq!(
        tabs["variable"]["matches"],
        serde_json::json!(["send("]),
        "{tabs}"
    );
    let std = tabs["std"]["matches"].to_string();
    assert!(std.contains("\"push("), "{std}");
}

/// Without rustup's rust-src, the learner reads why Tab knows less in the
/// first cell's output, not only in the server's log.
#[test]
fn a_missing_rust_src_is_told_in_the_first_cell() {
    let cells = report()["without_rust_src"]["cells"].as_array().unwrap();
    let note = multitask_repl::session::toolchain::MISSING_RUST_SRC;
    assert_eq!(value_of(&cells[0]), "2", "{}", cells[0]);
    assert!(text(&cells[0]["stderr"]).contains(note), "{}", cells[0]);
    assert_eq!(value_of(&cells[1]), "4", "{}", cells[1]);
    assert!(
        !text(&cells[1]["stderr"]).contains("rust-src"),
        "{}",
        cells[1]
    );
}

/// The quick answers come from `repl/prelude_completions.toml`: each entry
/// is one of rust-analyzer's own answers for that name, so the first Tab
/// and a build without rust-analyzer say what rust-analyzer says.
#[test]
fn the_quick_answers_are_rust_analyzers() {
    let report = report();
    let answered = &report["prelude_completions"];
    let mut differ = Vec::new();
    for (name, kept) in multitask_repl::session::completion::prelude_completions() {
        let ours = serde_json::json!({
            "text": kept.text,
            "type": kept.kind,
            "signature": kept.detail.clone().unwrap_or_default(),
        });
        let theirs = answered[&name].as_array().cloned().unwrap_or_default();
        let same = |t: &Value| {
            ["text", "type", "signature"]
                .iter()
                .all(|k| t[k] == ours[k])
        };
        if !theirs.iter().any(same) {
            let now = theirs.first().map_or(String::new(), |t| {
                let detail = text(&t["signature"]);
                format!(
                    "[{name}]\ntext = {}\nkind = {}\n{}",
                    t["text"],
                    t["type"],
                    if detail.is_empty() {
                        String::new()
                    } else {
                        format!("detail = {}\n", t["signature"])
                    }
                )
            });
            differ.push(format!("{name}: kept {ours}; rust-analyzer says\n{now}"));
        }
    }
    assert!(
        differ.is_empty(),
        "repl/prelude_completions.toml differs from rust-analyzer:\n{}",
        differ.join("\n")
    );
}

/// Shift-Tab on std's items: rust-analyzer's docs.
#[test]
fn shift_tab_knows_std() {
    let inspect = &report()["inspect_std"];
    assert_eq!(inspect["found"], true, "{inspect}");
    let plain = text(&inspect["data"]["text/plain"]);
    assert!(
        plain.contains("pub const fn new() -> Vec<T>") || plain.contains("fn new"),
        "{plain}"
    );
    assert!(plain.contains("Vec"), "{plain}");
}
