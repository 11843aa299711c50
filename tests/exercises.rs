//! Each exercise's check fails on the untouched TODO cell and passes with the
//! reference solution in `notebooks/solutions/`, both run by `multitask check`
//! in a real session, as a learner's notebook would be.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use multitask_repl::notebook::{Cell, Notebook};
use multitask_tests::{multitask_bin, scratch_dir, tests_dir};
use serde_json::json;

/// The notebooks that end with exercises.
fn chapters() -> Vec<&'static str> {
    let mut chapters: Vec<&str> = multitask::exercises::ALL
        .iter()
        .map(|e| e.chapter)
        .collect();
    chapters.sort_unstable();
    chapters.dedup();
    chapters
}

/// The chapter's cells tagged `PREFIX:ID`, by exercise id.
fn tagged(cells: &[Cell], prefix: &str) -> BTreeMap<String, String> {
    cells
        .iter()
        .flat_map(|cell| {
            cell.tags
                .iter()
                .filter_map(|tag| tag.strip_prefix(prefix))
                .map(|id| (id.to_string(), cell.source.clone()))
        })
        .collect()
}

/// A chapter's reference solutions: the file's `// exercise: ID` sections.
fn solutions(chapter: &str) -> BTreeMap<String, String> {
    let file = tests_dir()
        .join("../notebooks/solutions")
        .join(format!("{chapter}.rs"));
    let text = std::fs::read_to_string(file).expect("the chapter's solutions");
    let mut found = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(id) = line.strip_prefix("// exercise: ") {
            current = Some(id.trim().to_string());
        } else if let Some(id) = &current {
            let code: &mut String = found.entry(id.clone()).or_default();
            code.push_str(line);
            code.push('\n');
        }
    }
    found
}

/// Runs (answer, check) pairs as one notebook through `multitask check
/// --update`; returns each check cell's printed text, by id.
fn run_checks(pairs: &[(String, String, String)], folder: &Path) -> BTreeMap<String, String> {
    let mut cells = Vec::new();
    for (index, (_, answer, check)) in pairs.iter().enumerate() {
        for (part, code) in [("answer", answer), ("check", check)] {
            cells.push(json!({
                "cell_type": "code", "execution_count": null, "id": format!("{part}{index}"),
                "metadata": {}, "outputs": [], "source": code,
            }));
        }
    }
    let file = folder.join("exercises.ipynb");
    let json = json!({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5});
    std::fs::write(&file, json.to_string()).unwrap();
    let output = crate::notebooks_check::check(&["--update".as_ref(), file.as_os_str()]);
    let ran = Notebook::read(&file).expect("check --update writes a notebook");
    let texts: Vec<String> = ran
        .cells()
        .iter()
        .map(|cell| cell.outputs.iter().map(|o| o.text()).collect())
        .collect();
    assert_eq!(texts.len(), pairs.len() * 2, "{output:?}");
    // The verdict's line: what a child process said on stderr comes first.
    let verdict = |text: &str| {
        let line = text
            .lines()
            .find(|l| l.starts_with('✓') || l.starts_with('✗'));
        line.unwrap_or(text).to_string()
    };
    pairs
        .iter()
        .enumerate()
        .map(|(index, (id, _, _))| (id.clone(), verdict(&texts[index * 2 + 1])))
        .collect()
}

fn chapter_cells(chapter: &str) -> Vec<Cell> {
    let file = tests_dir()
        .join("../notebooks")
        .join(format!("{chapter}.ipynb"));
    Notebook::read(&file)
        .expect("the chapter's notebook")
        .cells()
}

#[test]
fn every_exercise_has_a_todo_a_check_and_a_solution() {
    for chapter in chapters() {
        let cells = chapter_cells(chapter);
        let (todos, checks, solutions) = (
            tagged(&cells, "todo:"),
            tagged(&cells, "check:"),
            solutions(chapter),
        );
        let ids = multitask::exercises::ALL
            .iter()
            .filter(|e| e.chapter == chapter)
            .map(|e| e.id);
        for id in ids {
            assert!(todos.contains_key(id), "no TODO cell for {id} in {chapter}");
            assert!(
                checks.contains_key(id),
                "no check cell for {id} in {chapter}"
            );
            assert!(solutions.contains_key(id), "no reference solution for {id}");
        }
    }
}

#[test]
fn checks_fail_on_the_todo_and_pass_with_the_solution() {
    // Every chapter's exercises, in one notebook run each way.
    let (mut with_todo, mut with_solution) = (Vec::new(), Vec::new());
    for chapter in chapters() {
        let cells = chapter_cells(chapter);
        let (todos, solutions) = (tagged(&cells, "todo:"), solutions(chapter));
        for (id, check) in tagged(&cells, "check:") {
            with_todo.push((id.clone(), todos[&id].clone(), check.clone()));
            with_solution.push((id.clone(), solutions[&id].clone(), check));
        }
    }
    assert_eq!(with_todo.len(), multitask::exercises::ALL.len());
    let untouched = run_checks(&with_todo, &scratch_dir("exercises-todo"));
    for (id, printed) in &untouched {
        assert!(
            printed.starts_with(&format!("✗ {id}:")),
            "{id} with its TODO: {printed}"
        );
    }
    let solved = run_checks(&with_solution, &scratch_dir("exercises-solved"));
    for (id, printed) in &solved {
        assert!(
            printed.starts_with(&format!("✓ {id}:")),
            "{id} solved: {printed}"
        );
    }
}

#[test]
fn the_listing_ticks_what_was_passed() {
    let progress = scratch_dir("exercises-listing").join("progress.txt");
    std::fs::write(&progress, "hint 03-countdown\npassed 03-countdown\n").unwrap();
    let output = Command::new(multitask_bin())
        .env("MULTITASK_PROGRESS", &progress)
        .arg("exercises")
        .output()
        .expect("run multitask exercises");
    let listing = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    let mark = |id: &str| {
        let line = listing.lines().find(|l| l.contains(id));
        line.and_then(|l| l.chars().next()).unwrap_or(' ')
    };
    assert_eq!(mark("03-countdown"), '✓', "{listing}");
    assert_eq!(mark("03-running-total"), '·', "{listing}");
    // The next to do: the first not passed, and how to open it.
    let next = multitask::exercises::ALL[0].id;
    assert_eq!(mark(next), '→', "{listing}");
    let total = multitask::exercises::ALL.len();
    let summary = format!("1 of {total} done. Next: {next} — `multitask step --exercise {next}`");
    assert!(listing.contains(&summary), "{listing}");
}
