//! What the REPL changes in a cell before it compiles — `gen` as `r#gen`
//! (see [`crate::cell::reserved`]), a check for an interrupt at the top of each
//! loop body (see [`crate::cell::loop_checks`]), a note after a `static` (see
//! [`crate::cell::statics`]) — and how offsets map back, so that errors point
//! at what the learner typed.

use crate::cell::{loop_checks, reserved, statics};

/// A cell as it is compiled, and how it maps back to what the learner typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewritten {
    /// The code to compile.
    pub code: String,
    /// Where text was put in: offset in the learner's text and length,
    /// ascending.
    inserted: Vec<(usize, usize)>,
}

/// What to put in besides raw names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checks {
    /// Loop bodies check for an interrupt (the prelude is loaded).
    Loops,
    /// Nothing else (no prelude, or code that does not run: completions).
    None,
}

/// `code` with every bare reserved name written `r#name` and, with
/// [`Checks::Loops`], [`loop_checks::check`] at the top of each loop body
/// and a note after each item that defines a `static`.
pub fn rewrite(code: &str, checks: Checks) -> Rewritten {
    let names: Vec<(usize, &str)> = reserved::raw_names(code)
        .into_iter()
        .map(|at| (at, "r#"))
        .collect();
    let raw = Rewritten::with(code, names.iter().copied());
    if checks == Checks::None {
        return raw;
    }
    // Parsed with the names made raw (`gen` is a keyword to the parser).
    let notes = statics::notes(&raw.code);
    let mut insertions: Vec<(usize, &str)> = loop_checks::loop_bodies(&raw.code)
        .into_iter()
        .map(|at| (raw.to_learner(at), loop_checks::check()))
        .chain(
            notes
                .iter()
                .map(|(at, note)| (raw.to_learner(*at), note.as_str())),
        )
        .chain(names)
        .collect();
    // At one offset a check (after a `{`) or a note (after an item) comes
    // before an `r#` (of the name that follows it): the sort is stable.
    insertions.sort_by_key(|&(at, _)| at);
    Rewritten::with(code, insertions.into_iter())
}

impl Rewritten {
    fn with<'a>(code: &str, insertions: impl Iterator<Item = (usize, &'a str)>) -> Rewritten {
        let mut out = String::with_capacity(code.len());
        let mut inserted = Vec::new();
        let mut copied = 0;
        for (at, text) in insertions {
            out.push_str(&code[copied..at]);
            out.push_str(text);
            inserted.push((at, text.len()));
            copied = at;
        }
        out.push_str(&code[copied..]);
        Rewritten {
            code: out,
            inserted,
        }
    }

    /// The offset in [`Rewritten::code`] of byte `offset` of the learner's text.
    pub fn to_code(&self, offset: usize) -> usize {
        offset
            + self
                .inserted
                .iter()
                .filter(|&&(at, _)| at < offset)
                .map(|&(_, len)| len)
                .sum::<usize>()
    }

    /// The offset in the learner's text of byte `offset` of [`Rewritten::code`]
    /// (inside inserted text, where it was put in).
    pub fn to_learner(&self, offset: usize) -> usize {
        let mut shift = 0;
        for &(at, len) in &self.inserted {
            let start = at + shift;
            if offset < start {
                break;
            }
            if offset < start + len {
                return at;
            }
            shift += len;
        }
        offset - shift
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_both_ways() {
        let rewritten = rewrite("gen.send(gen)", Checks::Loops);
        assert_eq!(rewritten.code, "r#gen.send(r#gen)");
        assert_eq!(rewritten.to_code(0), 0);
        assert_eq!(rewritten.to_code(4), 6); // `s` of send
        assert_eq!(rewritten.to_code(13), 17); // the end
        assert_eq!(rewritten.to_learner(6), 4);
        assert_eq!(rewritten.to_learner(1), 0); // inside the first `r#`
        assert_eq!(rewritten.to_learner(17), 13);
    }

    #[test]
    fn loops_get_checks_and_names_stay_raw() {
        let cell = "for x in gen {gen.next();}";
        let rewritten = rewrite(cell, Checks::Loops);
        let check = loop_checks::check();
        assert_eq!(
            rewritten.code,
            format!("for x in r#gen {{{check}r#gen.next();}}")
        );
        // `gen.next()` inside the body: after the check and its `r#` (an
        // offset where text was put in maps to the start of that text).
        let next = cell.find("gen.next").unwrap();
        assert_eq!(&rewritten.code[rewritten.to_code(next)..][..5], "::mul");
        assert_eq!(
            &rewritten.code[rewritten.to_code(next + 1)..][..7],
            "en.next"
        );
        assert_eq!(
            rewritten.to_learner(rewritten.code.find(".next").unwrap()),
            next + 3
        );
        // Inside the check: the `{` it follows.
        assert_eq!(
            rewritten.to_learner(rewritten.code.find(check).unwrap() + 5),
            14
        );
        assert_eq!(
            rewrite(cell, Checks::None).code,
            "for x in r#gen {r#gen.next();}"
        );
    }
}
