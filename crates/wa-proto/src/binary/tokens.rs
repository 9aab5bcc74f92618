//! The token dictionaries (version 3) and the string → token index the
//! encoder uses.
//!
//! The tables themselves are generated data (`tokens_v3.rs`, from
//! `cargo xtask gen-tokens`). The index is an open-addressing hash table built
//! by a `const fn` at compile time. A string is keyed by two words (up to 8
//! bytes zero-padded; up to 16 bytes as its first and last 8) and its length,
//! so a lookup is a few loads, one multiply-hash, usually one probe and two
//! word compares; only tokens longer than 16 bytes are compared byte by byte.

#[path = "tokens_v3.rs"]
mod tables;

use tables::{DOUBLE_BYTE, SINGLE_BYTE};

/// The dictionary version these tables belong to (sent in the intro header).
pub const DICTIONARY_VERSION: u8 = 3;

/// Number of single-byte tokens (indices 0..=235; 0 is the empty string).
pub const SINGLE_BYTE_COUNT: usize = SINGLE_BYTE.len();

/// The single-byte token with index `i` (1..=235), or `None`.
pub fn single(i: u8) -> Option<&'static str> {
    match i {
        0 => None,
        _ => SINGLE_BYTE.get(usize::from(i)).copied(),
    }
}

/// The double-byte token `i` of dictionary `dict` (0..=3), or `None`.
pub fn double(dict: u8, i: u8) -> Option<&'static str> {
    DOUBLE_BYTE
        .get(usize::from(dict))
        .and_then(|d| d.get(usize::from(i)))
        .copied()
}

/// Where a string sits in the dictionaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    /// A single-byte token (written as that byte).
    Single(u8),
    /// A double-byte token: `DICTIONARY_0 + dict`, then `index`.
    Double {
        /// Dictionary 0..=3.
        dict: u8,
        /// Index in the dictionary.
        index: u8,
    },
}

/// The token for `s`, if it is one (single-byte tokens first, as the encoders
/// of whatsmeow and Baileys try them; the tables hold no duplicates anyway).
#[inline]
pub fn lookup(s: &str) -> Option<Token> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > MAX_TOKEN_LEN {
        return None;
    }
    let (w0, w1) = key(b);
    let mut slot = slot_of(w0, w1, b.len());
    // Terminates: the table always has empty slots (checked at compile time).
    loop {
        let i = slot & MASK;
        let meta = META[i];
        if meta == EMPTY {
            return None;
        }
        if KEY0[i] == w0 && KEY1[i] == w1 && (meta >> 16) as usize == b.len() {
            let code = (meta & 0xffff) as u16;
            // Keys are exact up to 16 bytes; longer tokens are compared in full.
            if b.len() <= 16 || token_str(code).as_bytes() == b {
                return Some(decode_code(code));
            }
        }
        slot = slot.wrapping_add(1);
    }
}

/// Whether a string of `len` characters that packs as `kind` may be a token
/// (no hex-only token exists, and nibble-only tokens are short), so the
/// encoder can skip the lookup for phone numbers, ids and the like.
#[inline]
pub(crate) fn may_be_packed_token(kind: super::packed::PackedKind, len: usize) -> bool {
    match kind {
        // `<` against max + 1: the hex maximum is 0 for version 3.
        super::packed::PackedKind::Nibble => len < MAX_NIBBLE_TOKEN_LEN + 1,
        super::packed::PackedKind::Hex => len < MAX_HEX_TOKEN_LEN + 1,
    }
}

const TABLE_BITS: u32 = 11;
const TABLE_SIZE: usize = 1 << TABLE_BITS;
const MASK: usize = TABLE_SIZE - 1;
const EMPTY: u32 = 0;

/// The index: `KEY0`/`KEY1` hold a token's key words, `META` its code (bits
/// 0..16: single token `i` is `i`, double token `(d, i)` is `(d + 1) << 8 | i`)
/// and its length (bits 16..24); `META == 0` marks an empty slot.
struct Index {
    key0: [u64; TABLE_SIZE],
    key1: [u64; TABLE_SIZE],
    meta: [u32; TABLE_SIZE],
}

static INDEX: Index = build_index();
static KEY0: &[u64; TABLE_SIZE] = &INDEX.key0;
static KEY1: &[u64; TABLE_SIZE] = &INDEX.key1;
static META: &[u32; TABLE_SIZE] = &INDEX.meta;
/// The longest token; longer strings skip the lookup.
const MAX_TOKEN_LEN: usize = max_len(Class::Any);
/// The longest token made only of `[0-9.-]` (NIBBLE_8 characters).
const MAX_NIBBLE_TOKEN_LEN: usize = max_len(Class::Nibble);
/// The longest token made only of `[0-9A-F]` but not only of `[0-9.-]`.
const MAX_HEX_TOKEN_LEN: usize = max_len(Class::HexOnly);

const _: () = assert!(
    SINGLE_BYTE_COUNT + 4 * 256 < TABLE_SIZE * 2 / 3,
    "token index too full"
);

fn token_str(code: u16) -> &'static str {
    let [hi, lo] = code.to_be_bytes();
    match hi {
        0 => single(lo),
        d => double(d - 1, lo),
    }
    .unwrap_or("")
}

fn decode_code(code: u16) -> Token {
    let [hi, lo] = code.to_be_bytes();
    match hi {
        0 => Token::Single(lo),
        d => Token::Double {
            dict: d - 1,
            index: lo,
        },
    }
}

/// The key words of a non-empty string: up to 8 bytes, the bytes zero-padded
/// (and 0); up to 16, the first and the last 8 bytes (overlapping); longer,
/// the same words, which then only select candidates.
#[inline]
const fn key(b: &[u8]) -> (u64, u64) {
    match b {
        [] => (0, 0),
        [x] => (*x as u64, 0),
        [x, y] => (*x as u64 | (*y as u64) << 8, 0),
        [x, y, z] => (*x as u64 | (*y as u64) << 8 | (*z as u64) << 16, 0),
        [a0, a1, a2, a3, a4, a5, a6, a7, _, ..] => {
            let first = u64::from_le_bytes([*a0, *a1, *a2, *a3, *a4, *a5, *a6, *a7]);
            let last = match b {
                [.., z0, z1, z2, z3, z4, z5, z6, z7] => {
                    u64::from_le_bytes([*z0, *z1, *z2, *z3, *z4, *z5, *z6, *z7])
                }
                _ => 0,
            };
            (first, last)
        }
        // 4..=8 bytes: the first 4, and the last 4 shifted to their place.
        [a0, a1, a2, a3, ..] => {
            let last = match b {
                [.., z0, z1, z2, z3] => u32::from_le_bytes([*z0, *z1, *z2, *z3]) as u64,
                _ => 0,
            };
            let first = u32::from_le_bytes([*a0, *a1, *a2, *a3]) as u64;
            (first | (last >> (8 * (8 - b.len()))) << 32, 0)
        }
    }
}

#[inline]
const fn slot_of(w0: u64, w1: u64, len: usize) -> usize {
    const K0: u64 = 0x9E37_79B9_7F4A_7C15;
    const K1: u64 = 0xC2B2_AE3D_27D4_EB4F;
    let h = (w0 ^ len as u64).wrapping_mul(K0) ^ w1.wrapping_mul(K1);
    (h.wrapping_mul(K0) >> (64 - TABLE_BITS)) as usize
}

const fn insert(index: &mut Index, token: &str, code: u16) {
    let b = token.as_bytes();
    let (w0, w1) = key(b);
    let mut slot = slot_of(w0, w1, b.len());
    while index.meta[slot & MASK] != EMPTY {
        slot += 1;
    }
    index.key0[slot & MASK] = w0;
    index.key1[slot & MASK] = w1;
    index.meta[slot & MASK] = (b.len() as u32) << 16 | code as u32;
}

const fn build_index() -> Index {
    let mut index = Index {
        key0: [0; TABLE_SIZE],
        key1: [0; TABLE_SIZE],
        meta: [EMPTY; TABLE_SIZE],
    };
    let mut i = 1;
    while i < SINGLE_BYTE.len() {
        insert(&mut index, SINGLE_BYTE[i], i as u16);
        i += 1;
    }
    let mut d = 0;
    while d < DOUBLE_BYTE.len() {
        let mut j = 0;
        while j < DOUBLE_BYTE[d].len() {
            insert(&mut index, DOUBLE_BYTE[d][j], (((d + 1) << 8) | j) as u16);
            j += 1;
        }
        d += 1;
    }
    index
}

/// Token classes whose longest member the encoder needs.
#[derive(Clone, Copy)]
enum Class {
    Any,
    Nibble,
    HexOnly,
}

const fn in_class(t: &[u8], class: Class) -> bool {
    match class {
        Class::Any => true,
        Class::Nibble => is_nibble_str(t),
        Class::HexOnly => is_hex_only_str(t),
    }
}

/// The longest token of `class`.
const fn max_len(class: Class) -> usize {
    let mut max = 0;
    let mut i = 1;
    while i < SINGLE_BYTE.len() {
        let t = SINGLE_BYTE[i].as_bytes();
        if in_class(t, class) && t.len() > max {
            max = t.len();
        }
        i += 1;
    }
    let mut d = 0;
    while d < DOUBLE_BYTE.len() {
        let mut j = 0;
        while j < DOUBLE_BYTE[d].len() {
            let t = DOUBLE_BYTE[d][j].as_bytes();
            if in_class(t, class) && t.len() > max {
                max = t.len();
            }
            j += 1;
        }
        d += 1;
    }
    max
}

const fn is_nibble_str(mut s: &[u8]) -> bool {
    while let [c, rest @ ..] = s {
        if !(c.is_ascii_digit() || *c == b'-' || *c == b'.') {
            return false;
        }
        s = rest;
    }
    true
}

const fn is_hex_only_str(s: &[u8]) -> bool {
    let mut t = s;
    while let [c, rest @ ..] = t {
        if !(c.is_ascii_digit() || (*c >= b'A' && *c <= b'F')) {
            return false;
        }
        t = rest;
    }
    !is_nibble_str(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_token_is_found_at_its_own_index() {
        for i in 1..=235u8 {
            let s = single(i).unwrap();
            assert_eq!(lookup(s), Some(Token::Single(i)), "{s}");
        }
        for d in 0..4u8 {
            for i in 0..=255u8 {
                let s = double(d, i).unwrap();
                assert_eq!(lookup(s), Some(Token::Double { dict: d, index: i }), "{s}");
            }
        }
    }

    #[test]
    fn non_tokens_are_not_found() {
        for s in [
            "",
            "6281288888888",
            "3EB0ABCDEF1234567890",
            "Message",
            "device-identit",
            "x",
        ] {
            assert_eq!(lookup(s), None, "{s}");
        }
    }

    #[test]
    fn packed_token_bounds() {
        // Facts of the version-3 tables the encoder's shortcut relies on.
        assert_eq!(MAX_NIBBLE_TOKEN_LEN, 4);
        assert_eq!(MAX_HEX_TOKEN_LEN, 0);
        for d in 0..4u8 {
            for i in 0..=255u8 {
                let t = double(d, i).unwrap();
                if let Some(kind) = super::super::packed::classify(t.as_bytes()) {
                    assert!(may_be_packed_token(kind, t.len()), "{t}");
                }
            }
        }
        for i in 1..=235u8 {
            let t = single(i).unwrap();
            if let Some(kind) = super::super::packed::classify(t.as_bytes()) {
                assert!(may_be_packed_token(kind, t.len()), "{t}");
            }
        }
    }

    #[test]
    fn dictionary_facts() {
        assert_eq!(SINGLE_BYTE_COUNT, 236);
        assert_eq!(single(0), None);
        assert_eq!(single(3), Some("s.whatsapp.net"));
        assert_eq!(single(236), None);
        // Version 3: `device-identity` is a single-byte token.
        assert!(matches!(lookup("device-identity"), Some(Token::Single(_))));
        assert_eq!(double(4, 0), None);
    }

    #[test]
    fn probe_lengths_are_short() {
        // The index stays sparse: no single-byte token needs more than a few probes.
        let mut worst = 0;
        for i in 1..=235u8 {
            let s = single(i).unwrap();
            let (w0, w1) = key(s.as_bytes());
            let mut slot = slot_of(w0, w1, s.len());
            let mut n = 1;
            while token_str((META[slot & MASK] & 0xffff) as u16) != s {
                slot += 1;
                n += 1;
            }
            worst = worst.max(n);
        }
        assert!(worst <= 8, "worst probe length {worst}");
    }

    #[test]
    fn keys_distinguish_lengths_and_nul_padding() {
        // Zero padding must not make "ab" and "ab\0" the same key: the length is compared too.
        assert_eq!(key(b"ab"), key(b"ab\0"));
        assert_eq!(lookup("to\0"), None);
        assert_eq!(lookup("msg\0\0"), None);
        assert!(lookup("to").is_some());
        // 4..=8 bytes: every byte counts.
        for s in ["abcd", "abcde", "abcdef", "abcdefg", "abcdefgh"] {
            let mut v = s.as_bytes().to_vec();
            for i in 0..v.len() {
                v[i] ^= 1;
                assert_ne!(key(&v), key(s.as_bytes()), "{s} {i}");
                v[i] ^= 1;
            }
        }
    }
}
