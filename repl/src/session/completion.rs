//! Completions: what rust-analyzer offers, as a learner types it, and the
//! quick answer for a session's first Tab.
//!
//! rust-analyzer's first analysis of a session takes seconds (std and every
//! dependency of the prelude), and JupyterLab gives a completion one second
//! before it shows nothing. So the first Tab is answered at once: a name
//! from the prelude's (what rust-analyzer says of each is kept in
//! `repl/prelude_completions.toml`) and the session's variables, with their
//! kinds and types; a method or path with one entry that says rust-analyzer
//! is warming up. The front end then lets rust-analyzer warm up
//! ([`Session::warm_up_completions`](crate::session::Session::warm_up_completions))
//! for every Tab after.

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// One completion: the text to insert, what it is, and its one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// What to insert (`jumping_range(`).
    pub text: String,
    /// Jupyter's name for what it is: `function`, `class`, `module`,
    /// `instance`, `keyword` ([`WARMING_UP`] for the entry that says to wait).
    pub kind: &'static str,
    /// Its signature or type (`pub fn jumping_range(n: i64) -> Generator<i64, i64>`).
    pub detail: Option<String>,
}

/// A completion as a learner types it: `jumping_range(n)` (rust-analyzer's
/// snippet, with a placeholder for the argument) becomes `jumping_range(`;
/// `next()`, which takes none, stays whole.
pub fn without_placeholders(code: &str) -> String {
    match code.find('(') {
        Some(open) if !code[open..].starts_with("()") => code[..=open].to_string(),
        _ => code.to_string(),
    }
}

/// What rust-analyzer answers for each name of the prelude, kept as data
/// (`tests/kernel_jupyter.rs` holds it to rust-analyzer's answers).
const PRELUDE_COMPLETIONS: &str = include_str!("../../prelude_completions.toml");

/// The kinds Jupyter's front ends draw an icon for.
const KINDS: [&str; 5] = ["function", "class", "module", "instance", "keyword"];

/// The kind of the one entry a method or path gets before rust-analyzer is
/// ready: JupyterLab shows it beside the entry, `jupyter console` under it.
/// Its spaces do not break (U+00A0): JupyterLab makes that column as wide
/// as its longest word.
pub const WARMING_UP: &str = "warming\u{a0}up:\u{a0}Tab\u{a0}again\u{a0}in\u{a0}~10\u{a0}s";

/// The prelude's names, each with its completion as rust-analyzer gives
/// it (`jumping_range(`, `pub fn jumping_range(n: i64) -> …`).
///
/// # Panics
/// When `prelude_completions.toml` does not parse (a unit test reads it).
pub fn prelude_completions() -> &'static BTreeMap<String, Completion> {
    static PARSED: OnceLock<BTreeMap<String, Completion>> = OnceLock::new();
    PARSED.get_or_init(parse_prelude_completions)
}

/// `prelude_completions.toml`, read (once: every quick answer uses it).
fn parse_prelude_completions() -> BTreeMap<String, Completion> {
    let table: toml::Table =
        toml::from_str(PRELUDE_COMPLETIONS).expect("prelude_completions.toml parses");
    table
        .into_iter()
        .map(|(name, entry)| {
            let field = |key: &str| entry.get(key).and_then(toml::Value::as_str);
            let completion = Completion {
                text: field("text").unwrap_or_default().to_string(),
                kind: field("kind")
                    .and_then(|kind| KINDS.into_iter().find(|k| *k == kind))
                    .unwrap_or("instance"),
                detail: field("detail").map(str::to_string),
            };
            (name, completion)
        })
        .collect()
}

/// The quick answer at byte offset `position`: the completions among
/// `known` whose text starts with the identifier being typed there, and
/// where the replaced text starts. After a `.` or `::` (a method or a path,
/// which only rust-analyzer knows) one entry that adds nothing and says to
/// wait ([`WARMING_UP`]).
pub fn quick(source: &str, position: usize, known: &[Completion]) -> (usize, Vec<Completion>) {
    let before = &source[..position];
    let start = before
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
        .map_or(0, |at| {
            at + before[at..].chars().next().map_or(1, char::len_utf8)
        });
    let prefix = &before[start..];
    if before[..start].ends_with('.') || before[..start].ends_with("::") {
        let waiting = Completion {
            text: prefix.to_string(),
            kind: WARMING_UP,
            detail: Some(
                "rust-analyzer reads std and the prelude once a session (about 10 s); \
                 then Tab lists the methods"
                    .into(),
            ),
        };
        return (start, vec![waiting]);
    }
    if prefix.is_empty() {
        return (position, Vec::new());
    }
    let matches = known
        .iter()
        .filter(|c| c.text.starts_with(prefix))
        .cloned()
        .collect();
    (start, matches)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completions_leave_the_arguments_to_the_learner() {
        assert_eq!(without_placeholders("jumping_range(n)"), "jumping_range(");
        assert_eq!(without_placeholders("next()"), "next()");
        assert_eq!(without_placeholders("Generator"), "Generator");
    }

    /// The names `use multitask::prelude::*` brings in, read from the
    /// prelude's `pub use` lines (`self` stands for the module's own name).
    fn prelude_names() -> Vec<String> {
        let source = include_str!("../../../prelude/src/prelude.rs");
        let mut names = Vec::new();
        let mut statement = String::new();
        for line in source.lines().map(str::trim) {
            if line.starts_with("pub use ") || !statement.is_empty() {
                statement.push_str(line);
                statement.push(' ');
                if line.ends_with(';') {
                    names.extend(used_names(&statement));
                    statement.clear();
                }
            }
        }
        names.sort();
        names.dedup();
        names
    }

    /// The names one `pub use path::{a, b as c, self};` brings in.
    fn used_names(statement: &str) -> Vec<String> {
        let body = statement
            .trim()
            .trim_start_matches("pub use ")
            .trim_end_matches(';')
            .trim();
        let (path, items) = match body.split_once('{') {
            Some((path, items)) => (path.trim_end_matches("::"), items.trim_end_matches('}')),
            None => match body.rsplit_once("::") {
                Some((path, item)) => (path, item),
                None => ("", body),
            },
        };
        items
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| match item.split_once(" as ") {
                Some((_, alias)) => alias.trim().to_string(),
                None if item == "self" => path.rsplit("::").next().unwrap_or(path).to_string(),
                None => item.rsplit("::").next().unwrap_or(item).to_string(),
            })
            .collect()
    }

    #[test]
    fn the_kept_completions_are_the_preludes_names() {
        let names = prelude_names();
        for name in ["jumping_range", "Generator", "greenlet", "spawn", "tokio"] {
            assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
        }
        let table: toml::Table = toml::from_str(PRELUDE_COMPLETIONS).unwrap();
        let kept: Vec<&String> = table.keys().collect();
        assert_eq!(
            kept,
            names.iter().collect::<Vec<_>>(),
            "prelude_completions.toml names what the prelude brings in"
        );
        for (name, entry) in &table {
            let kind = entry["kind"].as_str().unwrap();
            assert!(KINDS.contains(&kind), "{name}: {kind}");
            assert!(entry["text"].as_str().unwrap().starts_with(name.as_str()));
        }
    }

    #[test]
    fn a_quick_answer_completes_the_identifier_being_typed() {
        let known: Vec<Completion> = prelude_completions().values().cloned().collect();
        let source = "let 生成器 = jumping_";
        let (start, found) = quick(source, source.len(), &known);
        assert_eq!(&source[start..], "jumping_");
        assert_eq!(
            found,
            [Completion {
                text: "jumping_range(".into(),
                kind: "function",
                detail: Some("pub fn jumping_range(n: i64) -> Generator<i64, i64>".into()),
            }]
        );
        assert!(quick("x ", 2, &known).1.is_empty());
    }

    #[test]
    fn a_method_before_rust_analyzer_is_ready_gets_an_entry_that_says_so() {
        for (source, typed) in [("g.se", "se"), ("threading::", "")] {
            let (start, found) = quick(source, source.len(), &[]);
            assert_eq!(&source[start..], typed);
            assert_eq!(found.len(), 1, "{found:?}");
            // Taking it adds nothing to what is typed.
            assert_eq!(found[0].text, typed);
            assert_eq!(found[0].kind, WARMING_UP);
        }
    }
}
