//! NIBBLE_8 and HEX_8 packed strings: two characters per byte, high nibble first.
//!
//! * NIBBLE_8 carries `[0-9.-]`: codes 0-9 are digits, 10 is `-`, 11 is `.`,
//!   15 is the pad (read back as NUL, as both peers do).
//! * HEX_8 carries `[0-9A-F]` (lowercase hex goes out as a raw string, because
//!   HEX_8 always reads back uppercase).
//! * The length byte is `ceil(n / 2)` with bit 0x80 set when `n` is odd; the
//!   reader then drops the last (pad) character. Only strings of 1..=127
//!   characters are packed.
//!
//! The reader side is [`PackedStr`], which keeps the packed bytes and unpacks
//! on demand (into a stack buffer, never allocating).

use std::fmt;

use super::tag;
use crate::{Error, Result};

/// The longest string that is packed.
pub const PACKED_MAX: usize = 127;
/// The longest unpacked string a length byte can describe (127 bytes × 2).
const UNPACKED_CAP: usize = 254;

/// Which packing a string uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PackedKind {
    /// NIBBLE_8: digits, `-`, `.`.
    Nibble,
    /// HEX_8: digits and `A`-`F`.
    Hex,
}

impl PackedKind {
    /// The tag byte that introduces this packing.
    pub fn tag(self) -> u8 {
        match self {
            PackedKind::Nibble => tag::NIBBLE_8,
            PackedKind::Hex => tag::HEX_8,
        }
    }

    fn unpack(self, v: u8) -> u8 {
        match self {
            PackedKind::Nibble => match v {
                0..=9 => b'0' + v,
                10 => b'-',
                11 => b'.',
                // 15 is the pad; 12-14 are rejected when the string is read.
                _ => 0,
            },
            PackedKind::Hex => match v {
                0..=9 => b'0' + v,
                _ => b'A' + (v & 0x0f) - 10,
            },
        }
    }
}

/// Per byte: its packing code (low nibble; 15 if none) and whether it fits
/// NIBBLE_8 (0x10) and HEX_8 (0x20).
static CODES: [u8; 256] = {
    let mut t = [15u8; 256];
    let mut c = 0;
    while c < 10 {
        t[b'0' as usize + c] = c as u8 | 0x30;
        c += 1;
    }
    t[b'-' as usize] = 10 | 0x10;
    t[b'.' as usize] = 11 | 0x10;
    let mut c = 0;
    while c < 6 {
        t[b'A' as usize + c] = (10 + c as u8) | 0x20;
        c += 1;
    }
    t
};

/// Whether a NIBBLE_8 byte holds two valid nibbles (0-11 or the pad 15).
static NIBBLE_BYTE_OK: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let (hi, lo) = (b >> 4, b & 0x0f);
        t[b] = !(hi >= 12 && hi <= 14) && !(lo >= 12 && lo <= 14);
        b += 1;
    }
    t
};

#[inline]
fn code(c: u8) -> u8 {
    CODES[usize::from(c)]
}

/// The packing `s` qualifies for (nibble first, then hex), if any.
#[inline]
pub(crate) fn classify(s: &[u8]) -> Option<PackedKind> {
    let first = *s.first()?;
    // Most strings that do not pack fail on their first byte.
    if s.len() > PACKED_MAX || code(first) & 0x30 == 0 {
        return None;
    }
    match s.iter().fold(0x30, |fits, &c| fits & code(c)) {
        0 => None,
        fits if fits & 0x10 != 0 => Some(PackedKind::Nibble),
        _ => Some(PackedKind::Hex),
    }
}

/// Appends `tag, length byte, packed bytes` for a string `classify` accepted.
#[inline]
pub(crate) fn write(kind: PackedKind, s: &[u8], out: &mut Vec<u8>) {
    // `s.len() <= 127`, so the rounded length fits in 7 bits.
    let len = u8::try_from(s.len().div_ceil(2)).unwrap_or(0);
    let odd = if s.len() % 2 == 1 { 0x80 } else { 0 };
    let mut buf = [0u8; 2 + PACKED_MAX.div_ceil(2)];
    buf[0] = kind.tag();
    buf[1] = len | odd;
    let mut n = 2;
    let mut pairs = s.chunks_exact(2);
    for (slot, pair) in buf.iter_mut().skip(2).zip(&mut pairs) {
        if let [a, b] = pair {
            *slot = (code(*a) << 4) | (code(*b) & 0x0f);
        }
        n += 1;
    }
    if let ([last], Some(slot)) = (pairs.remainder(), buf.get_mut(n)) {
        *slot = (code(*last) << 4) | 0x0f;
        n += 1;
    }
    out.extend_from_slice(buf.get(..n).unwrap_or(&[]));
}

/// A packed string read in place: the packed bytes plus whether the last
/// character is dropped. Validated when read, so unpacking cannot fail.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PackedStr<'a> {
    kind: PackedKind,
    bytes: &'a [u8],
    odd: bool,
}

impl<'a> PackedStr<'a> {
    /// Validates a packed string: `len_byte` is the length byte, `bytes` the
    /// `len_byte & 0x7f` bytes that follow it.
    pub(crate) fn new(kind: PackedKind, len_byte: u8, bytes: &'a [u8]) -> Result<PackedStr<'a>> {
        let odd = len_byte & 0x80 != 0;
        if odd && bytes.is_empty() {
            return Err(Error::NodeInvalid("odd packed string of length 0"));
        }
        if kind == PackedKind::Nibble && !bytes.iter().all(|b| NIBBLE_BYTE_OK[usize::from(*b)]) {
            let bad = bytes
                .iter()
                .flat_map(|b| [b >> 4, b & 0x0f])
                .find(|v| (12..=14).contains(v))
                .unwrap_or(12);
            return Err(Error::NodeInvalidNibble(bad));
        }
        Ok(PackedStr { kind, bytes, odd })
    }

    /// The packing.
    pub fn kind(&self) -> PackedKind {
        self.kind
    }

    /// Number of characters.
    pub fn len(&self) -> usize {
        self.bytes.len() * 2 - usize::from(self.odd)
    }

    /// Whether the string is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The characters, as ASCII bytes.
    pub fn bytes(&self) -> impl Iterator<Item = u8> + 'a {
        let kind = self.kind;
        let len = self.len();
        self.bytes
            .iter()
            .flat_map(move |b| [kind.unpack(b >> 4), kind.unpack(b & 0x0f)])
            .take(len)
    }

    /// Unpacks into `out` (which must hold `len()` bytes); returns the count.
    fn unpack_into(&self, out: &mut [u8]) -> usize {
        let kind = self.kind;
        for (pair, b) in out.chunks_mut(2).zip(self.bytes) {
            for (slot, v) in pair.iter_mut().zip([b >> 4, b & 0x0f]) {
                *slot = kind.unpack(v);
            }
        }
        self.len().min(out.len())
    }

    /// Calls `f` with the unpacked string (unpacked into a stack buffer).
    pub fn with_str<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        let mut buf = [0u8; UNPACKED_CAP];
        let n = self.unpack_into(&mut buf);
        // Unpacked characters are ASCII, so this is always valid UTF-8.
        f(buf
            .get(..n)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or(""))
    }

    /// The unpacked string, allocated once.
    pub fn to_owned_string(&self) -> String {
        let mut buf = vec![0u8; self.bytes.len() * 2];
        let n = self.unpack_into(&mut buf);
        buf.truncate(n);
        // ASCII, so always valid UTF-8.
        String::from_utf8(buf).unwrap_or_default()
    }

    /// Whether the unpacked string equals `s`.
    pub fn eq_str(&self, s: &str) -> bool {
        s.len() == self.len() && self.bytes().eq(s.bytes())
    }
}

impl fmt::Display for PackedStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with_str(|s| f.write_str(s))
    }
}

impl fmt::Debug for PackedStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with_str(|s| write!(f, "{s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(s: &str) -> Vec<u8> {
        let mut out = Vec::new();
        write(classify(s.as_bytes()).unwrap(), s.as_bytes(), &mut out);
        out
    }

    fn unpack(bytes: &[u8]) -> String {
        let kind = if bytes[0] == tag::NIBBLE_8 {
            PackedKind::Nibble
        } else {
            PackedKind::Hex
        };
        PackedStr::new(kind, bytes[1], &bytes[2..])
            .unwrap()
            .to_string()
    }

    #[test]
    fn classify_prefers_nibble_and_rejects_lowercase_hex() {
        assert_eq!(classify(b"123-4.5"), Some(PackedKind::Nibble));
        assert_eq!(classify(b"3EB0"), Some(PackedKind::Hex));
        assert_eq!(classify(b"3eb0"), None);
        assert_eq!(classify(b""), None);
        assert_eq!(classify(&[b'1'; 127]), Some(PackedKind::Nibble));
        assert_eq!(classify(&[b'1'; 128]), None);
    }

    #[test]
    fn known_bytes() {
        // "123" odd: length 2 | 0x80, pad 15.
        assert_eq!(pack("123"), [tag::NIBBLE_8, 0x82, 0x12, 0x3f]);
        assert_eq!(pack("1-.0"), [tag::NIBBLE_8, 0x02, 0x1a, 0xb0]);
        assert_eq!(pack("AB0"), [tag::HEX_8, 0x82, 0xab, 0x0f]);
    }

    #[test]
    fn round_trip_edge_lengths() {
        for n in [1, 2, 126, 127] {
            let s: String = (0..n).map(|i| char::from(b'0' + (i % 10) as u8)).collect();
            assert_eq!(unpack(&pack(&s)), s);
            let h: String = (0..n)
                .map(|i| char::from(b"0123456789ABCDEF"[i % 16]))
                .collect();
            assert_eq!(unpack(&pack(&h)), h);
        }
    }

    #[test]
    fn invalid_nibbles_and_odd_empty_are_rejected() {
        assert_eq!(
            PackedStr::new(PackedKind::Nibble, 1, &[0xc0]),
            Err(Error::NodeInvalidNibble(12))
        );
        assert_eq!(
            PackedStr::new(PackedKind::Nibble, 1, &[0x1e]),
            Err(Error::NodeInvalidNibble(14))
        );
        assert!(PackedStr::new(PackedKind::Hex, 0x80, &[]).is_err());
        // Hex accepts every nibble.
        assert_eq!(
            PackedStr::new(PackedKind::Hex, 1, &[0xfe])
                .unwrap()
                .to_string(),
            "FE"
        );
    }

    #[test]
    fn pad_inside_a_nibble_string_reads_as_nul() {
        let p = PackedStr::new(PackedKind::Nibble, 1, &[0xf1]).unwrap();
        assert_eq!(p.to_string(), "\u{0}1");
        assert!(p.eq_str("\u{0}1"));
    }
}
