//! A value a trace shows (what a generator yielded, what was sent in),
//! kept as bytes when it is recorded and written out only when the timeline
//! is made: formatting would cost more than the rest of the event.
//!
//! Generators are generic over types that need not be `Debug`, so the types
//! a learner sends are told apart by `TypeId` (numbers, `bool`, `char`,
//! `()`, text, and `Option`s of those); anything else shows as its type's
//! name, `<Vec<i32>>`.

use std::any::Any;

/// A value as bytes: a tag, and up to this many bytes after it.
pub(crate) const ROOM: usize = 32;

const NONE: u8 = 0;
const SOME: u8 = 0x80;
const INT: u8 = 1;
const UINT: u8 = 2;
const FLOAT: u8 = 3;
const BOOL: u8 = 4;
const CHAR: u8 = 5;
const TEXT: u8 = 6;
const UNIT: u8 = 7;
const TYPE: u8 = 8;
/// No value at all (`next()`): shown as nothing.
pub(crate) const ABSENT: u8 = 9;
/// Text shown as it is (an exception thrown in).
pub(crate) const PLAIN: u8 = 10;

/// `value` as `U` when `T` is `U` (the type is known as this is compiled,
/// so the test folds away).
#[inline(always)]
fn is<T: 'static, U: 'static>(value: &T) -> Option<&U> {
    (value as &dyn Any).downcast_ref()
}

/// `value` in `out` if its type is one whose values fit 8 bytes: a number,
/// `bool`, `char`, `()`, or an `Option` of one; its tag and length. What
/// type it is is known as this is compiled: for a `u64`, this is a move.
#[inline]
fn scalar<T: 'static>(value: &T, out: &mut [u8; ROOM]) -> Option<(u8, usize)> {
    fn put<const N: usize>(out: &mut [u8; ROOM], tag: u8, bytes: [u8; N]) -> (u8, usize) {
        out[..N].copy_from_slice(&bytes);
        (tag, N)
    }
    macro_rules! scalars {
        ($v:expr; $($t:ty => $tag:expr, $bytes:expr);* $(;)?) => {
            $(
                if let Some(v) = is::<_, $t>($v) {
                    return Some(put(out, $tag, ($bytes)(v)));
                }
                if let Some(o) = is::<_, Option<$t>>($v) {
                    return Some(match o {
                        Some(v) => put(out, $tag | SOME, ($bytes)(v)),
                        None => (NONE, 0),
                    });
                }
            )*
        };
    }
    scalars!(value;
        i64 => INT, |v: &i64| v.to_le_bytes();
        i32 => INT, |v: &i32| i64::from(*v).to_le_bytes();
        u64 => UINT, |v: &u64| v.to_le_bytes();
        u32 => UINT, |v: &u32| u64::from(*v).to_le_bytes();
        usize => UINT, |v: &usize| (*v as u64).to_le_bytes();
        isize => INT, |v: &isize| (*v as i64).to_le_bytes();
        i16 => INT, |v: &i16| i64::from(*v).to_le_bytes();
        i8 => INT, |v: &i8| i64::from(*v).to_le_bytes();
        u16 => UINT, |v: &u16| u64::from(*v).to_le_bytes();
        u8 => UINT, |v: &u8| u64::from(*v).to_le_bytes();
        f64 => FLOAT, |v: &f64| v.to_le_bytes();
        f32 => FLOAT, |v: &f32| f64::from(*v).to_le_bytes();
        bool => BOOL, |v: &bool| [u8::from(*v)];
        char => CHAR, |v: &char| u32::from(*v).to_le_bytes();
        () => UNIT, |_: &()| [0u8; 0];
    );
    None
}

/// `value` as a tag and bytes in `out`; returns the tag and how many bytes.
#[inline]
pub(crate) fn encode<T: 'static>(value: &T, out: &mut [u8; ROOM]) -> (u8, usize) {
    fn text(out: &mut [u8; ROOM], s: &str) -> usize {
        let cut = super::log::cut(s, ROOM).as_bytes();
        out[..cut.len()].copy_from_slice(cut);
        cut.len()
    }
    if let Some(scalar) = scalar(value, out) {
        return scalar;
    }
    if let Some(s) = is::<_, String>(value) {
        return (TEXT, text(out, s));
    }
    if let Some(s) = is::<_, &'static str>(value) {
        return (TEXT, text(out, s));
    }
    if let Some(o) = is::<_, Option<String>>(value) {
        return o
            .as_deref()
            .map_or((NONE, 0), |s| (TEXT | SOME, text(out, s)));
    }
    if let Some(o) = is::<_, Option<&'static str>>(value) {
        return o.map_or((NONE, 0), |s| (TEXT | SOME, text(out, s)));
    }
    let name = std::any::type_name::<T>();
    let short = name
        .split('<')
        .next()
        .unwrap_or(name)
        .rsplit("::")
        .next()
        .unwrap_or(name);
    let rest = &name[name.find('<').unwrap_or(name.len())..];
    let n = text(out, short);
    let mut full = [0u8; ROOM];
    let m = text(&mut full, rest);
    let m = m.min(ROOM - n);
    out[n..n + m].copy_from_slice(&full[..m]);
    (TYPE, n + m)
}

/// Text shown as it is (an exception thrown in), cut to fit `out`.
pub(crate) fn plain(text: &str, out: &mut [u8; ROOM]) -> (u8, usize) {
    let cut = super::log::cut(text, ROOM).as_bytes();
    out[..cut.len()].copy_from_slice(cut);
    (PLAIN, cut.len())
}

/// The value `encode` kept, as Rust's `Debug` would print it.
pub(super) fn decode(tag: u8, bytes: &[u8]) -> String {
    let word = |bytes: &[u8]| {
        let mut b = [0u8; 8];
        let n = bytes.len().min(8);
        b[..n].copy_from_slice(&bytes[..n]);
        b
    };
    let inner = match tag & !SOME {
        NONE if tag == NONE => return "None".into(),
        ABSENT => return String::new(),
        PLAIN => return String::from_utf8_lossy(bytes).into_owned(),
        INT => i64::from_le_bytes(word(bytes)).to_string(),
        UINT => u64::from_le_bytes(word(bytes)).to_string(),
        FLOAT => format!("{:?}", f64::from_le_bytes(word(bytes))),
        BOOL => (bytes.first() == Some(&1)).to_string(),
        CHAR => {
            let code = u32::from_le_bytes(word(bytes)[..4].try_into().expect("4 bytes"));
            format!("{:?}", char::from_u32(code).unwrap_or('?'))
        }
        TEXT => format!("{:?}", String::from_utf8_lossy(bytes)),
        UNIT => "()".into(),
        _ => format!("<{}>", String::from_utf8_lossy(bytes)),
    };
    if tag & SOME != 0 {
        format!("Some({inner})")
    } else {
        inner
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown<T: 'static>(value: T) -> String {
        let mut out = [0; ROOM];
        let (tag, n) = encode(&value, &mut out);
        decode(tag, &out[..n])
    }

    #[test]
    fn values_show_as_debug_would_or_by_their_type() {
        assert_eq!(shown(3i64), "3");
        assert_eq!(shown(-1i32), "-1");
        assert_eq!(shown(Some(2i64)), "Some(2)");
        assert_eq!(shown(None::<i64>), "None");
        assert_eq!(shown(2.5f64), "2.5");
        assert_eq!(shown('线'), "'线'");
        assert_eq!(shown("hi".to_string()), "\"hi\"");
        assert_eq!(shown(Some("hi")), "Some(\"hi\")");
        assert_eq!(shown(()), "()");
        assert_eq!(shown(vec![1]), "<Vec<i32>>");
    }

    #[test]
    fn long_text_is_cut_at_a_character() {
        let long = "线".repeat(20);
        let mut out = [0; ROOM];
        let (_, n) = encode(&long, &mut out);
        assert_eq!(n, 30); // ten 3-byte characters in 32 bytes
        assert!(std::str::from_utf8(&out[..n]).is_ok());
    }
}
