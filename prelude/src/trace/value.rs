//! A value a trace shows (what a generator yielded, what was sent in),
//! kept as bytes when it is recorded and written out only when the timeline
//! is made: a recorded `send` must stay cheaper than CPython's unrecorded
//! one, and formatting would cost more than the rest of the event.
//!
//! Generators are generic over types that need not be `Debug`, so the types
//! a learner sends are told apart by `TypeId` (numbers, `bool`, `char`,
//! `()`, text, and `Option`s of those); anything else shows as its type's
//! name, `<Vec<i32>>`.

use std::any::Any;
use std::num::NonZeroU16;

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

/// A value small enough for a generator's compact turn: its tag, how many
/// bytes it has (at most 8), and those bytes as one little-endian word
/// (zeros past them). Two words with a niche, so that an `Option<Word>`
/// comes back from a call in two registers rather than through memory,
/// where reading its bytes back as one word would wait for the stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Word {
    bits: u64,
    /// See [`Word::shape`].
    shape: NonZeroU16,
}

impl Word {
    /// No value at all (`next()`).
    pub(crate) const ABSENT: Word = Word::new(ABSENT, 0, 0);

    /// A word of `len` bytes (at most 8) of `bits`, tagged `tag`.
    #[inline(always)]
    pub(crate) const fn new(tag: u8, len: u8, bits: u64) -> Word {
        debug_assert!(len <= 8);
        let shape = 1 << 12 | (tag as u16) << 4 | len as u16;
        match NonZeroU16::new(shape) {
            Some(shape) => Word { bits, shape },
            None => unreachable!(),
        }
    }
    #[inline]
    pub(crate) fn tag(self) -> u8 {
        (self.shape.get() >> 4) as u8
    }
    #[inline]
    pub(crate) fn len(self) -> u8 {
        self.shape.get() as u8 & 0xf
    }
    /// The tag (8 bits) and the length (4 bits) in the low 12 bits, under a
    /// bit that is always set: shifted left by 52, the top 12 bits of a
    /// word say both.
    #[inline]
    pub(crate) fn shape(self) -> u16 {
        self.shape.get()
    }
    #[inline]
    pub(crate) fn bits(self) -> u64 {
        self.bits
    }
}

/// `value` as `U` when `T` is `U` (the type is known as this is compiled,
/// so the test folds away).
#[inline(always)]
fn is<T: 'static, U: 'static>(value: &T) -> Option<&U> {
    (value as &dyn Any).downcast_ref()
}

/// `value` as a [`Word`], if its type is one whose values fit one: a number,
/// `bool`, `char`, `()`, or an `Option` of one. What type it is is known
/// as this is compiled: for a `u64`, this is a move and a constant.
#[inline]
pub(crate) fn word<T: 'static>(value: &T) -> Option<Word> {
    #[inline(always)]
    fn put<const N: usize>(tag: u8, bytes: [u8; N]) -> Word {
        let mut bits = [0u8; 8];
        bits[..N].copy_from_slice(&bytes);
        Word::new(tag, N as u8, u64::from_le_bytes(bits))
    }
    macro_rules! scalars {
        ($v:expr; $($t:ty => $tag:expr, $bytes:expr);* $(;)?) => {
            $(
                if let Some(v) = is::<_, $t>($v) {
                    return Some(put($tag, ($bytes)(v)));
                }
                if let Some(o) = is::<_, Option<$t>>($v) {
                    return Some(match o {
                        Some(v) => put($tag | SOME, ($bytes)(v)),
                        None => put(NONE, []),
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
    if let Some(word) = word(value) {
        out[..8].copy_from_slice(&word.bits().to_le_bytes());
        return (word.tag(), usize::from(word.len()));
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
    fn small_values_fit_a_word_as_they_encode() {
        fn same<T: 'static>(value: T) {
            let word = word(&value).expect("fits a word");
            let mut out = [0; ROOM];
            let (tag, n) = encode(&value, &mut out);
            assert_eq!((word.tag(), usize::from(word.len())), (tag, n));
            assert_eq!(word.bits().to_le_bytes(), out[..8]);
        }
        same(7u64);
        same(-3i8);
        same(Some(2.5f32));
        same(None::<u16>);
        same('线');
        same(true);
        same(());
        assert_eq!(word(&"hi".to_string()), None);
        assert_eq!(word(&vec![1]), None);
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
