//! Is a piece of typed input a whole cell yet? An unclosed `{`, `(` or `[`,
//! string or block comment means the learner is still typing: the terminal
//! asks for another line, and the kernel answers `is_complete` with it.

/// What a front end should do with the input so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completeness {
    /// Run it.
    Complete,
    /// Ask for more: a bracket, string or comment is still open.
    Incomplete,
    /// Brackets close that never opened: run it and let rustc explain.
    Invalid,
}

/// Scans `source` the way Rust's lexer would for brackets, strings, char
/// literals (not lifetimes) and comments.
///
/// ```
/// # use multitask_repl::cell::input::{completeness, Completeness};
/// assert_eq!(completeness("fn f() {"), Completeness::Incomplete);
/// assert_eq!(completeness("let s = \"{\";"), Completeness::Complete);
/// ```
pub fn completeness(source: &str) -> Completeness {
    let chars: Vec<char> = source.chars().collect();
    let mut depth: i64 = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '/' if next == Some('/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                let mut nesting = 1;
                i += 2;
                while nesting > 0 {
                    match (chars.get(i), chars.get(i + 1)) {
                        (None, _) => return Completeness::Incomplete,
                        (Some('/'), Some('*')) => {
                            nesting += 1;
                            i += 1;
                        }
                        (Some('*'), Some('/')) => {
                            nesting -= 1;
                            i += 1;
                        }
                        _ => {}
                    }
                    i += 1;
                }
                continue;
            }
            'r' if matches!(next, Some('"' | '#'))
                && !is_ident_char(chars.get(i.wrapping_sub(1))) =>
            {
                // A raw string: r"…", r#"…"#, … (or just an identifier starting with r#).
                let hashes = chars[i + 1..].iter().take_while(|&&c| c == '#').count();
                if chars.get(i + 1 + hashes) == Some(&'"') {
                    let closing: Vec<char> = std::iter::once('"')
                        .chain(std::iter::repeat_n('#', hashes))
                        .collect();
                    let body = i + 2 + hashes;
                    match find(&chars[body..], &closing) {
                        Some(at) => i = body + at + closing.len(),
                        None => return Completeness::Incomplete,
                    }
                    continue;
                }
            }
            '"' => {
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Completeness::Incomplete,
                        Some('\\') => i += 2,
                        Some('"') => break,
                        Some(_) => i += 1,
                    }
                }
            }
            '\'' => {
                // 'a' or '\n' is a char literal; 'a (no closing quote) is a lifetime.
                if next == Some('\\') {
                    i += 2;
                    while i < chars.len() && chars[i] != '\'' {
                        i += 1;
                    }
                } else if chars.get(i + 2) == Some(&'\'') {
                    i += 2;
                }
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return Completeness::Invalid;
        }
        i += 1;
    }
    if depth > 0 {
        Completeness::Incomplete
    } else {
        Completeness::Complete
    }
}

fn is_ident_char(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

fn find(haystack: &[char], needle: &[char]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::Completeness::*;
    use super::completeness;

    #[test]
    fn open_brackets_ask_for_more() {
        assert_eq!(completeness("fn add(a: i32, b: i32) -> i32 {"), Incomplete);
        assert_eq!(completeness("fn add(a: i32,"), Incomplete);
        assert_eq!(completeness("let v = vec!["), Incomplete);
        assert_eq!(completeness("fn f() {\n    1\n}"), Complete);
        assert_eq!(completeness("let x = 1;"), Complete);
    }

    #[test]
    fn brackets_in_strings_chars_and_comments_do_not_count() {
        assert_eq!(completeness(r#"println!("{");"#), Complete);
        assert_eq!(completeness(r#"let c = '{';"#), Complete);
        assert_eq!(completeness("let c = '\\'';"), Complete);
        assert_eq!(completeness("// {\nlet x = 1;"), Complete);
        assert_eq!(completeness("/* { /* nested */ */ 1"), Complete);
        assert_eq!(completeness(r##"let s = r#"{"#;"##), Complete);
        assert_eq!(
            completeness("fn f<'a>(x: &'a str) -> &'a str { x }"),
            Complete
        );
    }

    #[test]
    fn open_strings_and_comments_ask_for_more() {
        assert_eq!(completeness("let s = \"abc"), Incomplete);
        assert_eq!(completeness("/* still"), Incomplete);
        assert_eq!(completeness("let s = r#\"abc"), Incomplete);
    }

    #[test]
    fn stray_closers_are_left_to_rustc() {
        assert_eq!(completeness("}"), Invalid);
        assert_eq!(completeness("let x = 1);"), Invalid);
    }
}
