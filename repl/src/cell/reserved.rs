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

/// The offsets of `code` where `r#` goes: before each bare reserved name,
/// ascending. Colon commands other than `:t`/`:type` (whose argument is
/// code) are left as typed. (See [`crate::cell::rewrite`] for the whole rewrite.)
pub fn raw_names(code: &str) -> Vec<usize> {
    let mut names = Vec::new();
    let mut at = 0;
    for token in tokenize(code, FrontmatterAllowed::No) {
        let end = at + token.len as usize;
        if token.kind == TokenKind::Ident
            && RESERVED.contains(&&code[at..end])
            && !in_command(code, at)
        {
            names.push(at);
        }
        at = end;
    }
    names
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
    use crate::cell::rewrite::{Checks, rewrite};

    fn raw(code: &str) -> String {
        rewrite(code, Checks::None).code
    }

    #[test]
    fn bare_gen_becomes_raw_and_nothing_else_changes() {
        let cell = "let gen = jumping_range(5); gen.send(2); for x in gen {} // gen\n";
        assert_eq!(
            raw(cell),
            "let r#gen = jumping_range(5); r#gen.send(2); for x in r#gen {} // gen\n"
        );
        let untouched =
            r#"let generator = "gen"; let r#gen = 'g'; fn f<'gen>() {} println!("{gen}");"#;
        assert_eq!(raw(untouched), untouched);
    }

    #[test]
    fn macro_arguments_are_code_and_commands_are_not() {
        assert_eq!(raw("vec![gen, gen]"), "vec![r#gen, r#gen]");
        assert_eq!(raw(":t gen"), ":t r#gen");
        assert_eq!(
            raw(":dep gen = \"1\"\nlet gen = 1;"),
            ":dep gen = \"1\"\nlet r#gen = 1;"
        );
    }

    #[test]
    fn messages_say_gen() {
        assert_eq!(
            unraw("cannot find value `r#gen` in this scope"),
            "cannot find value `gen` in this scope"
        );
    }
}
