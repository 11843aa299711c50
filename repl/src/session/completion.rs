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

impl From<&super::prelude_index::Item> for Completion {
    /// An item of the prelude as Tab offers it: `send(`, its signature.
    fn from(item: &super::prelude_index::Item) -> Completion {
        Completion {
            text: item.completion_text(),
            kind: item.kind.jupyter(),
            detail: Some(item.signature.clone()),
        }
    }
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

/// What is being typed at a position: the identifier so far, where it
/// starts, and what it follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typed<'a> {
    /// Where the identifier starts (a byte offset).
    pub start: usize,
    /// The identifier typed so far (`se` in `gen.se`; may be empty).
    pub prefix: &'a str,
    /// What it follows.
    pub after: After<'a>,
}

/// What an identifier being typed follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum After<'a> {
    /// Nothing: a name on its own (`jumping_`).
    Nothing,
    /// A path: the segments before the last `::` (`threading::Lo` gives
    /// `["threading"]`).
    Path(Vec<&'a str>),
    /// A `.` after a variable (`gen.se` gives `gen`): one of its methods.
    Method(&'a str),
    /// A `.` after anything else (`f().se`): only rust-analyzer knows it.
    Expression,
}

/// What is being typed at byte offset `position` of `source`.
pub fn typed(source: &str, position: usize) -> Typed<'_> {
    let before = &source[..position];
    let start = identifier_start(before);
    let prefix = &before[start..];
    let mut rest = &before[..start];
    let after = if rest.ends_with("::") {
        let mut segments = Vec::new();
        while let Some(path) = rest.strip_suffix("::") {
            let at = identifier_start(path);
            if at == path.len() {
                break;
            }
            segments.push(&path[at..]);
            rest = &path[..at];
        }
        segments.reverse();
        After::Path(segments)
    } else if let Some(value) = rest.strip_suffix('.') {
        let at = identifier_start(value);
        let name = &value[at..];
        let chained = value[..at].ends_with('.') || value[..at].ends_with("::");
        if name.is_empty() || chained || name.starts_with(|c: char| c.is_ascii_digit()) {
            After::Expression
        } else {
            After::Method(name)
        }
    } else {
        After::Nothing
    };
    Typed {
        start,
        prefix,
        after,
    }
}

/// Where the identifier that starts at byte `position` of `text` ends.
pub fn identifier_end(text: &str, position: usize) -> usize {
    let rest = &text[position..];
    position
        + rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len())
}

/// Where the identifier that ends `text` starts.
fn identifier_start(text: &str) -> usize {
    text.rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
        .map_or(0, |at| {
            at + text[at..].chars().next().map_or(1, char::len_utf8)
        })
}

/// Why a quick answer has nothing for a method or path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// rust-analyzer is making its first analysis.
    WarmingUp,
    /// This build has no rust-analyzer: it knows the prelude's methods and
    /// paths, not std's.
    NoAnalyzer,
}

impl Notice {
    /// The one entry that says so: it adds nothing to what is typed.
    fn entry(self, prefix: &str) -> Completion {
        let (kind, detail) = match self {
            Notice::WarmingUp => (
                WARMING_UP,
                "rust-analyzer reads std and the prelude once a session (about 10 s); \
                 then Tab lists the methods",
            ),
            Notice::NoAnalyzer => (
                NO_ANALYZER,
                "This build completes the prelude's names, their methods and your \
                 variables. `cargo run --release --features analyzer` adds \
                 rust-analyzer, which knows std and every crate (a longer first build).",
            ),
        };
        Completion {
            text: prefix.to_string(),
            kind,
            detail: Some(detail.into()),
        }
    }
}

/// The kind of the one entry a method or path gets in a build without
/// rust-analyzer when the prelude's source does not say what follows. No
/// hyphen and no breaking space: JupyterLab cuts that column at either.
pub const NO_ANALYZER: &str =
    "beyond\u{a0}the\u{a0}prelude:\u{a0}needs\u{a0}the\u{a0}analyzer\u{a0}feature\u{a0}(README)";

impl Completion {
    /// Whether it is a notice ([`WARMING_UP`], [`NO_ANALYZER`]) rather than
    /// something to insert.
    pub fn is_notice(&self) -> bool {
        self.kind == WARMING_UP || self.kind == NO_ANALYZER
    }
}

/// The quick answer at byte offset `position`, and where the replaced text
/// starts: for a name, the completions among `known` that start with it;
/// after a `.` or `::`, those of `members` (what the prelude's source says
/// follows), or when it knows nothing there one entry that adds nothing
/// and says why (`notice`).
pub fn quick(
    source: &str,
    position: usize,
    known: &[Completion],
    members: impl FnOnce(&After<'_>) -> Vec<Completion>,
    notice: Notice,
) -> (usize, Vec<Completion>) {
    let typed = typed(source, position);
    let starts = |c: &Completion| c.text.starts_with(typed.prefix);
    if typed.after != After::Nothing {
        let found: Vec<Completion> = members(&typed.after).into_iter().filter(starts).collect();
        if found.is_empty() {
            return (typed.start, vec![notice.entry(typed.prefix)]);
        }
        return (typed.start, found);
    }
    if typed.prefix.is_empty() {
        return (position, Vec::new());
    }
    (
        typed.start,
        known.iter().filter(|c| starts(c)).cloned().collect(),
    )
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
        let none = |_: &After<'_>| Vec::new();
        let source = "let 生成器 = jumping_";
        let (start, found) = quick(source, source.len(), &known, none, Notice::NoAnalyzer);
        assert_eq!(&source[start..], "jumping_");
        assert_eq!(
            found,
            [Completion {
                text: "jumping_range(".into(),
                kind: "function",
                detail: Some("pub fn jumping_range(n: i64) -> Generator<i64, i64>".into()),
            }]
        );
        assert!(
            quick("x ", 2, &known, none, Notice::NoAnalyzer)
                .1
                .is_empty()
        );
    }

    #[test]
    fn what_is_typed_is_read_with_what_it_follows() {
        let at_end = |s: &'static str| typed(s, s.len());
        assert_eq!(at_end("gen.se").after, After::Method("gen"));
        assert_eq!(at_end("gen.se").prefix, "se");
        assert_eq!(at_end("let x = 生成器.").after, After::Method("生成器"));
        assert_eq!(
            at_end("threading::Lo").after,
            After::Path(vec!["threading"])
        );
        assert_eq!(
            at_end("multitask::threading::").after,
            After::Path(vec!["multitask", "threading"])
        );
        assert_eq!(at_end("f().se").after, After::Expression);
        assert_eq!(at_end("a.b.c").after, After::Expression);
        assert_eq!(at_end("1.5").after, After::Expression);
        assert_eq!(at_end("jumping").after, After::Nothing);
    }

    #[test]
    fn a_method_nobody_knows_gets_an_entry_that_says_why() {
        for notice in [Notice::WarmingUp, Notice::NoAnalyzer] {
            for (source, typed) in [("g.se", "se"), ("threading::", "")] {
                let (start, found) = quick(source, source.len(), &[], |_| Vec::new(), notice);
                assert_eq!(&source[start..], typed);
                assert_eq!(found.len(), 1, "{found:?}");
                // Taking it adds nothing to what is typed.
                assert_eq!(found[0].text, typed);
                assert!(found[0].is_notice());
            }
        }
    }

    #[test]
    fn a_method_the_members_know_is_completed() {
        let send = Completion {
            text: "send(".into(),
            kind: "function",
            detail: None,
        };
        let members = |after: &After<'_>| {
            assert_eq!(after, &After::Method("gen"));
            vec![send.clone()]
        };
        let (start, found) = quick("gen.se", 6, &[], members, Notice::NoAnalyzer);
        assert_eq!((start, found), (4, vec![send.clone()]));
    }
}
