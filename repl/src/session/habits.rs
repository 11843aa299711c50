//! Python habits: what a learner of the tutorial types first, the compile
//! error rustc gives it, and the hint the session shows under that error.
//!
//! The table is data, [`repl/habits.toml`](../habits.toml), one entry per
//! habit, so that a teacher can add one without touching code. An entry is
//! matched against the error the learner actually gets — rustc's error code,
//! the text under its primary span, its message and label — never against
//! the source alone, so a habit that happens to compile gets no advice.
//! `every_python_habit_gets_its_hint` (`tests/repl_pty.rs`) types every
//! entry's `typed` into the REPL and looks for its hint;
//! `a_python_habit_gets_its_hint_in_jupyter` (`tests/kernel_jupyter.rs`)
//! does one through the kernel.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use evcxr::CompilationError;
use regex::Regex;
use serde::Deserialize;

use crate::cell::reserved;

/// The table, as compiled in.
const TABLE: &str = include_str!("../../habits.toml");

/// One habit, as `habits.toml` writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// What the tutorial writes (`gevent.spawn(f, 5)`).
    pub python: String,
    /// What a learner types, translating it (`spawn(f, 5)`); the test types it.
    pub typed: String,
    /// Cells to run first, for the test (definitions `typed` uses).
    #[serde(default)]
    pub setup: Vec<String>,
    /// rustc's error code (`E0423`), or a lint's name (`unconditional_panic`).
    #[serde(default)]
    pub code: Option<String>,
    /// A regex the whole text under the primary span must match.
    #[serde(default)]
    pub span: Option<String>,
    /// A regex rustc's message must contain a match of.
    #[serde(default)]
    pub message: Option<String>,
    /// A regex the primary span's label must contain a match of.
    #[serde(default)]
    pub label: Option<String>,
    /// A regex the first line under the primary span must contain a match of.
    #[serde(default)]
    pub line: Option<String>,
    /// Only when the name under the span was a variable an earlier cell
    /// moved (and so took out of the session).
    #[serde(default)]
    pub moved: bool,
    /// The advice; `{span}` stands for the text under the primary span.
    pub hint: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    habit: Vec<Entry>,
}

/// A habit ready to match: its entry and its regexes.
#[derive(Debug)]
pub struct Habit {
    /// The habit as the table writes it.
    pub entry: Entry,
    span: Option<Regex>,
    message: Option<Regex>,
    label: Option<Regex>,
    line: Option<Regex>,
}

/// The table's habits, read once.
///
/// # Panics
/// If `habits.toml` is not a valid table (a unit test reads it).
pub fn habits() -> &'static [Habit] {
    static HABITS: OnceLock<Vec<Habit>> = OnceLock::new();
    HABITS.get_or_init(|| parse(TABLE).unwrap_or_else(|e| panic!("repl/habits.toml: {e}")))
}

/// Reads a table of habits.
pub fn parse(text: &str) -> Result<Vec<Habit>, String> {
    let table: Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let compile = |what: &str, regex: &Option<String>, at: &str| {
        regex
            .as_deref()
            .map(|r| Regex::new(r).map_err(|e| format!("{at}: `{what}`: {e}")))
            .transpose()
    };
    table
        .habit
        .into_iter()
        .map(|entry| {
            let at = entry.typed.clone();
            if entry.code.is_none() && entry.message.is_none() {
                return Err(format!("{at}: give a `code` or a `message` to match"));
            }
            let span = compile(
                "span",
                &entry.span.as_ref().map(|s| format!("^(?:{s})$")),
                &at,
            )?;
            Ok(Habit {
                span,
                message: compile("message", &entry.message, &at)?,
                label: compile("label", &entry.label, &at)?,
                line: compile("line", &entry.line, &at)?,
                entry,
            })
        })
        .collect()
}

/// What rustc said, as a habit is matched against it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Said {
    /// rustc's error code, or the lint's name.
    pub code: Option<String>,
    /// rustc's message (`cannot find function `next` in this scope`).
    pub message: String,
    /// The text under the primary span, as the learner typed it (`gen`, not `r#gen`).
    pub span: String,
    /// The primary span's label (`expected `f64`, found integer`).
    pub label: String,
    /// The first source line under the primary span.
    pub line: String,
}

impl Said {
    /// Reads rustc's message as it came (before evcxr put a child in its
    /// place).
    pub fn of(error: &CompilationError) -> Said {
        let json = if error.original.is_null() {
            &error.json
        } else {
            &error.original
        };
        let spans = json["spans"].as_array().map(Vec::as_slice).unwrap_or(&[]);
        let primary = spans
            .iter()
            .find(|s| s["is_primary"] == true)
            .or(spans.first());
        let mut said = Said {
            code: json["code"]["code"].as_str().map(str::to_owned),
            message: json["message"].as_str().unwrap_or_default().to_string(),
            ..Said::default()
        };
        if let Some(span) = primary {
            said.label = span["label"].as_str().unwrap_or_default().to_string();
            if let Some(first) = span["text"].as_array().and_then(|t| t.first()) {
                let line = first["text"].as_str().unwrap_or_default();
                let from = first["highlight_start"].as_u64().unwrap_or(1) as usize;
                let to = first["highlight_end"].as_u64().unwrap_or(1) as usize;
                let under: String = line
                    .chars()
                    .skip(from.saturating_sub(1))
                    .take(to.saturating_sub(from))
                    .collect();
                said.span = reserved::unraw(&under);
                said.line = reserved::unraw(line);
            }
        }
        said
    }
}

impl Habit {
    /// Whether this habit is what rustc `said`; `moved` names the variables
    /// earlier cells moved.
    pub fn matches(&self, said: &Said, moved: &BTreeSet<String>) -> bool {
        let found =
            |regex: &Option<Regex>, text: &str| regex.as_ref().is_none_or(|r| r.is_match(text));
        self.entry
            .code
            .as_ref()
            .is_none_or(|code| said.code.as_ref() == Some(code))
            && found(&self.span, &said.span)
            && found(&self.message, &said.message)
            && found(&self.label, &said.label)
            && found(&self.line, &said.line)
            && (!self.entry.moved || moved.contains(&said.span))
    }

    /// The hint, with `{span}` filled in.
    pub fn hint(&self, said: &Said) -> String {
        self.entry.hint.trim().replace("{span}", &said.span)
    }
}

/// A hint for each of a cell's errors, each hint given once (a habit that
/// causes four errors is explained under the first).
pub fn hints(errors: &[CompilationError], moved: &BTreeSet<String>) -> Vec<Option<String>> {
    let mut given = BTreeSet::new();
    errors
        .iter()
        .map(|error| {
            let said = Said::of(error);
            // For a teacher writing an entry: what rustc said, as matched.
            if std::env::var_os("MULTITASK_SHOW_SAID").is_some() {
                eprintln!("{said:?}");
            }
            let hint = habits()
                .iter()
                .find(|habit| habit.matches(&said, moved))?
                .hint(&said);
            given.insert(hint.clone()).then_some(hint)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_reads_and_every_habit_has_a_hint() {
        let habits = habits();
        assert!(habits.len() >= 19, "{} habits", habits.len());
        for habit in habits {
            assert!(!habit.entry.hint.trim().is_empty(), "{}", habit.entry.typed);
        }
    }

    #[test]
    fn a_habit_matches_code_span_and_message() {
        let habits = parse(
            r#"
            [[habit]]
            python = "next(g)"
            typed = "next(g)"
            code = "E0425"
            span = "next"
            hint = "`g.{span}()`"
            "#,
        )
        .unwrap();
        let said = Said {
            code: Some("E0425".into()),
            message: "cannot find function `next` in this scope".into(),
            span: "next".into(),
            ..Said::default()
        };
        let none = BTreeSet::new();
        assert!(habits[0].matches(&said, &none));
        assert_eq!(habits[0].hint(&said), "`g.next()`");
        let other = Said {
            span: "nexts".into(),
            ..said
        };
        assert!(
            !habits[0].matches(&other, &none),
            "the span must match whole"
        );
    }

    #[test]
    fn an_entry_without_code_or_message_is_refused() {
        let text = "[[habit]]\npython = \"x\"\ntyped = \"x\"\nhint = \"y\"\n";
        assert!(parse(text).unwrap_err().contains("give a `code`"));
    }
}
