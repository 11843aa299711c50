//! Each exercise's check fails on the untouched TODO cell and passes with the
//! reference solution in `notebooks/solutions/`, and gets each classic
//! mistake of `notebooks/mistakes/` with the ✗ written beside it (every time,
//! also when a lucky schedule could hide it) and each other right answer
//! there with a ✓ — all run by `multitask check` in a real session, as a
//! learner's notebook would be.

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

/// One answer of a chapter's file under `notebooks/`: the lines after an
/// `// exercise: ID` line up to the next, their `// key: value` headers
/// first.
struct Section {
    id: String,
    headers: BTreeMap<String, String>,
    code: String,
}

/// The `// exercise: ID` sections of `notebooks/FOLDER/CHAPTER.rs`, in order.
fn sections(folder: &str, chapter: &str) -> Vec<Section> {
    let file = tests_dir()
        .join("../notebooks")
        .join(folder)
        .join(format!("{chapter}.rs"));
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut found: Vec<Section> = Vec::new();
    for line in text.lines() {
        if let Some(id) = line.strip_prefix("// exercise: ") {
            found.push(Section {
                id: id.trim().to_string(),
                headers: BTreeMap::new(),
                code: String::new(),
            });
            continue;
        }
        let Some(section) = found.last_mut() else {
            continue;
        };
        let header = line
            .strip_prefix("// ")
            .and_then(|rest| rest.split_once(": "))
            .filter(|(key, _)| HEADERS.contains(key));
        match header {
            Some((key, value)) if section.code.is_empty() => {
                section
                    .headers
                    .insert(key.to_string(), value.trim().to_string());
            }
            _ => {
                section.code.push_str(line);
                section.code.push('\n');
            }
        }
    }
    found
}

/// The headers a catalogue entry may have: what the answer gets wrong (and
/// the words its ✗ must hold), or why it is right; how often to run it.
const HEADERS: &[&str] = &["mistake", "says", "right", "runs"];

/// A chapter's reference solutions, by exercise id.
fn solutions(chapter: &str) -> BTreeMap<String, String> {
    sections("solutions", chapter)
        .into_iter()
        .map(|s| (s.id, s.code))
        .collect()
}

/// What a notebook of (answer, check) cells printed, cell by cell.
struct Ran {
    /// What each answer cell printed: empty unless it failed to compile.
    answers: Vec<String>,
    /// Each check cell's verdict lines (`✓ …` or `✗ …`), or all it printed
    /// when it printed none.
    verdicts: Vec<Vec<String>>,
}

/// Runs (answer, check) pairs as one notebook through `multitask check
/// --update`, in one session, as a learner's notebook would be.
fn run_checks(pairs: &[(String, String)], folder: &Path) -> Ran {
    let mut cells = Vec::new();
    for (index, (answer, check)) in pairs.iter().enumerate() {
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
    let output = {
        let _one_at_a_time = multitask_tests::one_at_a_time();
        Command::new(multitask_bin())
            .env("MULTITASK_CACHE", multitask_tests::shared_cache())
            .env("MULTITASK_PROGRESS", folder.join("progress.txt"))
            .args(["check".as_ref(), "--update".as_ref(), file.as_os_str()])
            .output()
            .expect("run multitask check")
    };
    let ran = Notebook::read(&file).expect("check --update writes a notebook");
    let texts: Vec<String> = ran
        .cells()
        .iter()
        .map(|cell| cell.outputs.iter().map(|o| o.text()).collect())
        .collect();
    assert_eq!(texts.len(), pairs.len() * 2, "{output:?}");
    // The verdicts' lines: what a child process said on stderr may come first.
    let verdicts = |text: &String| -> Vec<String> {
        let lines: Vec<String> = text
            .lines()
            .filter(|l| l.starts_with('✓') || l.starts_with('✗'))
            .map(str::to_string)
            .collect();
        if lines.is_empty() {
            vec![text.clone()]
        } else {
            lines
        }
    };
    Ran {
        answers: texts.iter().step_by(2).cloned().collect(),
        verdicts: texts.iter().skip(1).step_by(2).map(verdicts).collect(),
    }
}

fn chapter_cells(chapter: &str) -> Vec<Cell> {
    let file = tests_dir()
        .join("../notebooks")
        .join(format!("{chapter}.ipynb"));
    Notebook::read(&file)
        .expect("the chapter's notebook")
        .cells()
}

/// `multitask exercises` lists a chapter's exercises in the order its
/// notebook asks them, so that "→ next" is the next one the learner meets.
#[test]
fn the_listing_follows_each_notebooks_order() {
    let listing = Command::new(multitask_bin())
        .arg("exercises")
        .output()
        .expect("multitask exercises");
    let listing = String::from_utf8_lossy(&listing.stdout);
    let listed: Vec<&str> = listing
        .lines()
        .filter_map(|line| line.split_whitespace().nth(1))
        .filter(|word| multitask::exercises::find(word).is_some())
        .collect();
    for chapter in chapters() {
        let in_notebook: Vec<String> = chapter_cells(chapter)
            .iter()
            .flat_map(|c| &c.tags)
            .filter_map(|t| t.strip_prefix("todo:").map(str::to_string))
            .collect();
        let in_listing: Vec<&str> = listed
            .iter()
            .copied()
            .filter(|id| id.starts_with(&chapter[..3]))
            .collect();
        assert_eq!(in_listing, in_notebook, "{chapter}\n{listing}");
    }
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
    let (mut ids, mut with_todo, mut with_solution) = (Vec::new(), Vec::new(), Vec::new());
    for chapter in chapters() {
        let cells = chapter_cells(chapter);
        let (todos, solutions) = (tagged(&cells, "todo:"), solutions(chapter));
        for (id, check) in tagged(&cells, "check:") {
            with_todo.push((todos[&id].clone(), check.clone()));
            with_solution.push((solutions[&id].clone(), check));
            ids.push(id);
        }
    }
    assert_eq!(ids.len(), multitask::exercises::ALL.len());
    let untouched = run_checks(&with_todo, &scratch_dir("exercises-todo"));
    for (id, printed) in ids.iter().zip(&untouched.verdicts) {
        // Every untouched TODO is told the same: replace the todo!().
        assert!(
            printed.len() == 1
                && printed[0].starts_with(&format!("✗ {id}:"))
                && printed[0].contains("replace the todo!()"),
            "{id} with its TODO: {printed:?}"
        );
    }
    let solved = run_checks(&with_solution, &scratch_dir("exercises-solved"));
    for (id, printed) in ids.iter().zip(&solved.verdicts) {
        assert!(
            printed.len() == 1 && printed[0].starts_with(&format!("✓ {id}:")),
            "{id} solved: {printed:?}"
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

/// The most characters a ✗ may take, its closing "`hint(…)` helps." aside.
const LONGEST_FAIL: usize = 320;

/// Runs a chapter's catalogue, `notebooks/mistakes/CHAPTER.rs`, in one
/// session: every classic mistake must get its ✗, with the words it names,
/// on every run, in at most [`LONGEST_FAIL`] characters; every right answer
/// its ✓.
fn catalogue_holds(chapter: &str) {
    let entries = sections("mistakes", chapter);
    let checks = tagged(&chapter_cells(chapter), "check:");
    let runs = |entry: &Section| -> usize {
        entry
            .headers
            .get("runs")
            .map_or(1, |n| n.parse().expect("`// runs:` takes a number"))
    };
    let pairs: Vec<(String, String)> = entries
        .iter()
        .map(|entry| {
            let check = &checks[&entry.id];
            let check = match runs(entry) {
                1 => check.clone(),
                n => format!("for _ in 0..{n} {{\n{check}\n}}"),
            };
            (entry.code.clone(), check)
        })
        .collect();
    let ran = run_checks(&pairs, &scratch_dir(&format!("mistakes-{chapter}")));
    let mut wrong = Vec::new();
    for ((entry, answer), verdicts) in entries.iter().zip(&ran.answers).zip(&ran.verdicts) {
        let id = &entry.id;
        let (what, says) = match (entry.headers.get("mistake"), entry.headers.get("right")) {
            (Some(mistake), None) => (mistake, entry.headers.get("says")),
            (None, Some(right)) => (right, None),
            _ => panic!("{id}: an entry is a `// mistake:` or a `// right:`"),
        };
        if !answer.trim().is_empty() {
            wrong.push(format!("{id} ({what}): the answer cell printed {answer}"));
            continue;
        }
        if verdicts.len() != runs(entry) {
            wrong.push(format!(
                "{id} ({what}): {} verdicts of {}: {verdicts:?}",
                verdicts.len(),
                runs(entry)
            ));
            continue;
        }
        for verdict in verdicts {
            let fine = match says {
                None => verdict.starts_with(&format!("✓ {id}:")),
                Some(words) => {
                    let message = verdict.trim_end_matches(&format!(" `hint(\"{id}\")` helps."));
                    verdict.starts_with(&format!("✗ {id}:"))
                        && verdict.contains(words.as_str())
                        && message.chars().count() <= LONGEST_FAIL
                }
            };
            if !fine {
                wrong.push(format!("{id} ({what}): {verdict}"));
                break;
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} answers judged wrongly:\n{}",
        wrong.len(),
        entries.len(),
        wrong.join("\n")
    );
}

/// How many classic mistakes of exercise `id` a catalogue holds.
fn mistakes_of(entries: &[Section], id: &str) -> usize {
    entries
        .iter()
        .filter(|e| e.id == id && e.headers.contains_key("mistake"))
        .count()
}

/// Every chapter has its catalogue: each exercise with four classic
/// mistakes or more, the chapter with a right answer besides the reference,
/// and each mistake saying what its ✗ must say.
#[test]
fn each_exercise_knows_four_classic_mistakes() {
    for chapter in &chapters() {
        let entries = sections("mistakes", chapter);
        for exercise in multitask::exercises::ALL
            .iter()
            .filter(|e| e.chapter == *chapter)
        {
            let mistakes = mistakes_of(&entries, exercise.id);
            assert!(
                mistakes >= 4,
                "{}: {mistakes} classic mistakes",
                exercise.id
            );
        }
        assert!(
            entries.iter().any(|e| e.headers.contains_key("right")),
            "{chapter}: no right answer besides the reference"
        );
        for entry in &entries {
            assert!(
                entry.headers.contains_key("right") || entry.headers.contains_key("says"),
                "{}: a mistake must say what its ✗ says",
                entry.id
            );
        }
    }
}

#[test]
fn classic_mistakes_of_01_processes_are_caught() {
    catalogue_holds("01-processes");
}

#[test]
fn classic_mistakes_of_02_threads_are_caught() {
    catalogue_holds("02-threads");
}

#[test]
fn classic_mistakes_of_03_iterators_generators_are_caught() {
    catalogue_holds("03-iterators-generators");
}

#[test]
fn classic_mistakes_of_04_coroutines_gevent_are_caught() {
    catalogue_holds("04-coroutines-gevent");
}

#[test]
fn classic_mistakes_of_05_async_tokio_are_caught() {
    catalogue_holds("05-async-tokio");
}

#[test]
fn classic_mistakes_of_06_examples_are_caught() {
    catalogue_holds("06-examples");
}

/// The teachers' table of how many classic mistakes each check knows
/// (`docs/teachers.md`) is the catalogue's count.
#[test]
fn the_teachers_notes_count_the_classic_mistakes_of_each_check() {
    let notes = std::fs::read_to_string(tests_dir().join("../docs/teachers.md")).unwrap();
    for chapter in &chapters() {
        let entries = sections("mistakes", chapter);
        let counts: Vec<String> = multitask::exercises::ALL
            .iter()
            .filter(|e| e.chapter == *chapter)
            .map(|e| format!("{} {}", &e.id[3..], mistakes_of(&entries, e.id)))
            .collect();
        let row = format!("| `{chapter}` | {} |", counts.join(", "));
        assert!(notes.contains(&row), "docs/teachers.md lacks the row {row}");
    }
}
