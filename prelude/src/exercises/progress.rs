//! The per-user progress file: one line per event (`passed ID`, `hint ID`),
//! in `$XDG_DATA_HOME/multitask/progress.txt` (`~/.local/share/…`), or in the
//! file `MULTITASK_PROGRESS` names. `multitask exercises` and `:exercises` in
//! the REPL list it.
//!
//! ```
//! # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-listing.txt")) };
//! let listing = multitask::exercises::progress::listing();
//! assert!(listing.contains("03-countdown"));
//! ```

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::ALL;
use crate::table::Table;

/// Where progress is kept: `MULTITASK_PROGRESS`, else
/// `$XDG_DATA_HOME/multitask/progress.txt` (`~/.local/share/multitask/…`).
pub fn file() -> Option<PathBuf> {
    if let Some(file) = std::env::var_os("MULTITASK_PROGRESS") {
        return Some(PathBuf::from(file));
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(data.join("multitask").join("progress.txt"))
}

fn lines() -> Vec<String> {
    file()
        .and_then(|f| std::fs::read_to_string(f).ok())
        .map(|text| text.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

/// Appends one event; progress is a convenience, so failures are ignored.
pub(super) fn record(event: &str) {
    use std::io::Write as _;
    let Some(file) = file() else { return };
    if let Some(dir) = file.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
    {
        let _ = writeln!(f, "{event}");
    }
}

/// Whether exercise `id` has been passed.
pub fn passed(id: &str) -> bool {
    lines().iter().any(|l| l == &format!("passed {id}"))
}

/// How many hints of `id` were taken.
pub fn hints_taken(id: &str) -> usize {
    lines()
        .iter()
        .filter(|l| **l == format!("hint {id}"))
        .count()
}

/// The ids of the exercises passed, the progress file read once.
fn passed_ids() -> BTreeSet<String> {
    lines()
        .iter()
        .filter_map(|l| l.strip_prefix("passed "))
        .map(str::to_string)
        .collect()
}

/// The first exercise not passed yet, in the order of the chapters: what to
/// do next.
pub fn next() -> Option<&'static super::Exercise> {
    first_not_in(&passed_ids())
}

fn first_not_in(passed: &BTreeSet<String>) -> Option<&'static super::Exercise> {
    ALL.iter().find(|e| !passed.contains(e.id))
}

/// Every exercise with a mark — ✓ passed, → the next to do, · to come —
/// as a [`Table`]: aligned text in the terminal, HTML in Jupyter.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-table.txt")) };
/// let table = multitask::exercises::progress::table();
/// assert!(table.to_html().starts_with("<table>"));
/// ```
pub fn table() -> Table {
    let passed = passed_ids();
    let next = first_not_in(&passed).map(|e| e.id);
    ALL.iter().fold(
        Table::new(["", "exercise", "level", "what to do"]),
        |table, exercise| {
            let mark = if passed.contains(exercise.id) {
                "✓"
            } else if Some(exercise.id) == next {
                "→"
            } else {
                "·"
            };
            table.row([mark, exercise.id, exercise.level.name(), exercise.title])
        },
    )
}

/// How far along the learner is, and what comes next, in one line.
pub fn summary() -> String {
    let passed = passed_ids();
    let done = ALL.iter().filter(|e| passed.contains(e.id)).count();
    match first_not_in(&passed) {
        Some(next) => format!(
            "{done} of {} done. Next: {} — `multitask step --exercise {}` opens it.",
            ALL.len(),
            next.id,
            next.id
        ),
        None => format!("{done} of {} done: every exercise passed.", ALL.len()),
    }
}

/// [`table`] and [`summary`] as text, like `rustlings list`.
pub fn listing() -> String {
    format!("{}\n{}", table(), summary())
}

/// [`listing`] as HTML, for Jupyter.
pub fn listing_html() -> String {
    format!(
        "{}\n<p>{}</p>",
        table().to_html(),
        crate::table::escape(&summary())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_exercise_is_the_first_not_passed_and_is_marked() {
        let file = std::env::temp_dir().join(format!("progress-next-{}.txt", std::process::id()));
        let _ = std::fs::remove_file(&file);
        // SAFETY: this test alone reads the variable in this process's tests.
        unsafe { std::env::set_var("MULTITASK_PROGRESS", &file) };
        std::fs::write(&file, format!("passed {}\n", ALL[0].id)).unwrap();
        assert_eq!(next().map(|e| e.id), Some(ALL[1].id));
        let listing = listing();
        let line = |id: &str| {
            listing
                .lines()
                .find(|l| l.contains(id))
                .unwrap_or_default()
                .to_string()
        };
        assert!(line(ALL[0].id).starts_with('✓'), "{listing}");
        assert!(line(ALL[1].id).starts_with('→'), "{listing}");
        assert!(line(ALL[2].id).starts_with('·'), "{listing}");
        assert!(
            listing.ends_with(&format!(
                "1 of {} done. Next: {} — `multitask step --exercise {}` opens it.",
                ALL.len(),
                ALL[1].id,
                ALL[1].id
            )),
            "{listing}"
        );
        let _ = std::fs::remove_file(&file);
    }
}
