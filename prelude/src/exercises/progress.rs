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

use std::path::PathBuf;

use super::ALL;

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

/// Every exercise with a mark, like `rustlings list`.
pub fn listing() -> String {
    let mut text = String::new();
    for exercise in ALL {
        let mark = if passed(exercise.id) { "✓" } else { "·" };
        text += &format!(
            "{mark} {:<20} {:<26} {}\n",
            exercise.id, exercise.chapter, exercise.title
        );
    }
    let done = ALL.iter().filter(|e| passed(e.id)).count();
    text += &format!("{done} of {} done", ALL.len());
    text
}
