//! The tutorial's names that Rust 2024 reserves: a learner may call a
//! generator `gen`, as the tutorial does (`gen = mygen(10)`, `gen.send(2)`).
//!
//! Cells compile as Rust 2024, where `gen` is a reserved word (for generator
//! blocks, unstable): on a stable compiler every bare `gen` is an error. So
//! writing each bare `gen` token as the raw identifier `r#gen` before the
//! cell compiles turns only failing programs into working ones; a program
//! that compiled before means the same after. (Compiling cells as edition
//! 2021 instead would change valid programs: temporaries in tail
//! expressions, `impl Trait` captures, `Box<[T]>::into_iter` and the
//! prelude differ between the editions.)
//!
//! Strings, comments and lifetimes are left alone: the rewrite works on
//! rustc's own tokens. `{gen}` in a format string needs nothing, as format
//! strings take keywords as names. What the learner reads (compile errors,
//! `:vars`, lost variables) says `gen` again, through [`unraw`].

use ra_ap_rustc_lexer::{FrontmatterAllowed, TokenKind, tokenize};

/// The reserved words a learner may use as names.
const RESERVED: &[&str] = &["gen"];

/// A cell with its reserved names written as raw identifiers, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewritten {
    /// The code to compile.
    pub code: String,
    /// Offsets in the learner's text where `r#` was put in, ascending.
    inserted: Vec<usize>,
}

impl Rewritten {
    /// The offset in [`Rewritten::code`] of byte `offset` of the learner's text.
    pub fn to_code(&self, offset: usize) -> usize {
        offset + 2 * self.inserted.iter().filter(|&&at| at < offset).count()
    }

    /// The offset in the learner's text of byte `offset` of [`Rewritten::code`]
    /// (inside an inserted `r#`, the name's start).
    pub fn to_learner(&self, offset: usize) -> usize {
        let mut shift = 0;
        for &at in &self.inserted {
            let raw_prefix = at + shift;
            if offset < raw_prefix {
                break;
            }
            if offset < raw_prefix + 2 {
                return at;
            }
            shift += 2;
        }
        offset - shift
    }
}

/// `code` with every bare reserved name written `r#name`. Colon commands
/// other than `:t`/`:type` (whose argument is code) are left as typed.
pub fn rewrite(code: &str) -> Rewritten {
    let mut out = String::with_capacity(code.len());
    let mut inserted = Vec::new();
    let mut at = 0;
    for token in tokenize(code, FrontmatterAllowed::No) {
        let end = at + token.len as usize;
        let text = &code[at..end];
        if token.kind == TokenKind::Ident && RESERVED.contains(&text) && !in_command(code, at) {
            out.push_str("r#");
            inserted.push(at);
        }
        out.push_str(text);
        at = end;
    }
    Rewritten {
        code: out,
        inserted,
    }
}

/// Whether byte `at` of `code` is on a line of a colon command that takes
/// no code (`:dep`, `:opt`, …).
fn in_command(code: &str, at: usize) -> bool {
    let line_start = code[..at].rfind('\n').map_or(0, |newline| newline + 1);
    let line = code[line_start..].trim_start();
    line.starts_with(':') && !(line.starts_with(":t ") || line.starts_with(":type "))
}

/// `text` (a message, a variable's name) as the learner wrote it: `r#gen`
/// becomes `gen`.
pub fn unraw(text: &str) -> String {
    let mut out = text.to_string();
    for word in RESERVED {
        out = out.replace(&format!("r#{word}"), word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_gen_becomes_raw_and_nothing_else_changes() {
        let cell = "let gen = jumping_range(5); gen.send(2); for x in gen {} // gen\n";
        assert_eq!(
            rewrite(cell).code,
            "let r#gen = jumping_range(5); r#gen.send(2); for x in r#gen {} // gen\n"
        );
        let untouched =
            r#"let generator = "gen"; let r#gen = 'g'; fn f<'gen>() {} println!("{gen}");"#;
        assert_eq!(rewrite(untouched).code, untouched);
    }

    #[test]
    fn macro_arguments_are_code_and_commands_are_not() {
        assert_eq!(rewrite("vec![gen, gen]").code, "vec![r#gen, r#gen]");
        assert_eq!(rewrite(":t gen").code, ":t r#gen");
        assert_eq!(
            rewrite(":dep gen = \"1\"\nlet gen = 1;").code,
            ":dep gen = \"1\"\nlet r#gen = 1;"
        );
    }

    #[test]
    fn offsets_map_both_ways() {
        let rewritten = rewrite("gen.send(gen)");
        assert_eq!(rewritten.code, "r#gen.send(r#gen)");
        assert_eq!(rewritten.to_code(0), 0);
        assert_eq!(rewritten.to_code(4), 6); // `s` of send
        assert_eq!(rewritten.to_code(13), 17); // the end
        assert_eq!(rewritten.to_learner(6), 4);
        assert_eq!(rewritten.to_learner(1), 0); // inside the first `r#`
        assert_eq!(rewritten.to_learner(17), 13);
    }

    #[test]
    fn messages_say_gen() {
        assert_eq!(
            unraw("cannot find value `r#gen` in this scope"),
            "cannot find value `gen` in this scope"
        );
    }
}
