//! rustc's advice that does not help a learner of this course — a list kept
//! as data, [`repl/unhelpful.toml`](../unhelpful.toml) — left out of every
//! compile error before a front end shows it.

use std::sync::OnceLock;

use evcxr::CompilationError;
use regex::Regex;
use serde::Deserialize;

/// The list, as compiled in.
const LIST: &str = include_str!("../../unhelpful.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    message: String,
    #[allow(dead_code)]
    why: String,
    #[allow(dead_code)]
    example: String,
}

#[derive(Deserialize)]
struct List {
    drop: Vec<Entry>,
}

fn patterns() -> &'static [Regex] {
    static PATTERNS: OnceLock<Vec<Regex>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let list: List =
            toml::from_str(LIST).expect("repl/unhelpful.toml reads (a unit test checks)");
        list.drop
            .iter()
            .map(|entry| {
                Regex::new(&entry.message).expect("each regex compiles (a unit test checks)")
            })
            .collect()
    })
}

/// Whether a help's or note's `message` is on the list.
pub fn is_unhelpful(message: &str) -> bool {
    patterns().iter().any(|pattern| pattern.is_match(message))
}

/// `error` without the advice on the list.
pub fn without_unhelpful(error: &CompilationError) -> CompilationError {
    error.without_helps(&is_unhelpful)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_entry_drops_its_example_and_nothing_else_does() {
        let list: List = toml::from_str(LIST).unwrap();
        assert!(!list.drop.is_empty());
        for entry in &list.drop {
            assert!(
                is_unhelpful(&entry.example),
                "{} misses its example",
                entry.message
            );
            assert!(!entry.why.is_empty());
        }
        for kept in [
            "there is a method `send` with a similar name",
            "use the `move` keyword to force the closure to take ownership of `x`",
            "consider borrowing here",
        ] {
            assert!(!is_unhelpful(kept), "{kept}");
        }
    }
}
