//! The token dictionaries (version 3) and the string → token index the
//! encoder uses.
//!
//! The tables themselves are generated data (`tokens_v3.rs`, from
//! `cargo xtask gen-tokens`). The index is an open-addressing hash table built
//! by a `const fn` at compile time, so a lookup is one hash of the string, one
//! or two probes of an 8 KiB table and one string comparison.

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
    let mut slot = hash(b);
    // Terminates: the table always has empty slots (checked at compile time).
    loop {
        let code = INDEX[slot & MASK];
        if code == EMPTY {
            return None;
        }
        if token_str(code).as_bytes() == b {
            return Some(decode_code(code));
        }
        slot = slot.wrapping_add(1);
    }
}

const TABLE_BITS: u32 = 12;
const TABLE_SIZE: usize = 1 << TABLE_BITS;
const MASK: usize = TABLE_SIZE - 1;
const EMPTY: u16 = 0;
/// Index codes: single token `i` is `i` (1..=235); double token `(d, i)` is `(d + 1) << 8 | i`.
static INDEX: [u16; TABLE_SIZE] = build_index();
/// The longest token; longer strings skip the lookup.
const MAX_TOKEN_LEN: usize = max_token_len();

const _: () = assert!(
    SINGLE_BYTE_COUNT + 4 * 256 < TABLE_SIZE / 2,
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

/// A fast hash of short strings: 8 bytes per step, usable in `const` context.
#[inline]
const fn hash(mut b: &[u8]) -> usize {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = (b.len() as u64).wrapping_mul(K);
    while let [a0, a1, a2, a3, a4, a5, a6, a7, rest @ ..] = b {
        let w = u64::from_le_bytes([*a0, *a1, *a2, *a3, *a4, *a5, *a6, *a7]);
        h = (h ^ w).wrapping_mul(K).rotate_left(29);
        b = rest;
    }
    let mut tail = 0u64;
    let mut shift = 0;
    while let [a, rest @ ..] = b {
        tail |= (*a as u64) << shift;
        shift += 8;
        b = rest;
    }
    h = (h ^ tail).wrapping_mul(K);
    (h >> (64 - TABLE_BITS)) as usize
}

const fn insert(table: &mut [u16; TABLE_SIZE], key: &str, code: u16) {
    let mut slot = hash(key.as_bytes());
    while table[slot & MASK] != EMPTY {
        slot += 1;
    }
    table[slot & MASK] = code;
}

const fn build_index() -> [u16; TABLE_SIZE] {
    let mut table = [EMPTY; TABLE_SIZE];
    let mut i = 1;
    while i < SINGLE_BYTE.len() {
        insert(&mut table, SINGLE_BYTE[i], i as u16);
        i += 1;
    }
    let mut d = 0;
    while d < DOUBLE_BYTE.len() {
        let mut j = 0;
        while j < DOUBLE_BYTE[d].len() {
            insert(&mut table, DOUBLE_BYTE[d][j], (((d + 1) << 8) | j) as u16);
            j += 1;
        }
        d += 1;
    }
    table
}

const fn max_token_len() -> usize {
    let mut max = 0;
    let mut i = 0;
    while i < SINGLE_BYTE.len() {
        if SINGLE_BYTE[i].len() > max {
            max = SINGLE_BYTE[i].len();
        }
        i += 1;
    }
    let mut d = 0;
    while d < DOUBLE_BYTE.len() {
        let mut j = 0;
        while j < DOUBLE_BYTE[d].len() {
            if DOUBLE_BYTE[d][j].len() > max {
                max = DOUBLE_BYTE[d][j].len();
            }
            j += 1;
        }
        d += 1;
    }
    max
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
        // The index stays sparse: no token needs more than a handful of probes.
        let mut worst = 0;
        for i in 1..=235u8 {
            let s = single(i).unwrap();
            let mut slot = hash(s.as_bytes());
            let mut n = 1;
            while token_str(INDEX[slot & MASK]) != s {
                slot += 1;
                n += 1;
            }
            worst = worst.max(n);
        }
        assert!(worst <= 8, "worst probe length {worst}");
    }
}
