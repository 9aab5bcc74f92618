//! A minimal zero-copy protobuf reader and writer for the four small Signal
//! wire messages, so the per-message path neither allocates nor copies.
//!
//! It follows protobuf decoding rules: fields may come in any order, the last
//! occurrence of a field wins, unknown fields of every wire type except the
//! deprecated groups are skipped, and `uint32` fields keep the low 32 bits of
//! their varint (as prost and protobufjs do). The prost types generated from
//! `proto/signal.proto` are the reference the tests compare against.

use crate::{Error, Result};

/// A decoded field value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Value<'a> {
    /// Wire type 0.
    Varint(u64),
    /// Wire type 2.
    Bytes(&'a [u8]),
    /// Wire types 1 and 5 (skipped by every Signal message).
    Fixed,
}

impl Value<'_> {
    /// The value as a `uint32` field.
    pub(crate) fn as_u32(self) -> Result<u32> {
        match self {
            // Truncation is the protobuf rule for uint32.
            Value::Varint(v) => Ok(v as u32),
            _ => Err(Error::InvalidMessage(
                "wrong wire type for an integer field",
            )),
        }
    }
}

impl<'a> Value<'a> {
    /// The value as a `bytes` field.
    pub(crate) fn as_bytes(self) -> Result<&'a [u8]> {
        match self {
            Value::Bytes(b) => Ok(b),
            _ => Err(Error::InvalidMessage("wrong wire type for a bytes field")),
        }
    }
}

/// Iterates over the fields of one protobuf message.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self { buf }
    }

    fn varint(&mut self) -> Result<u64> {
        let mut v = 0u64;
        for i in 0..10 {
            let Some((&b, rest)) = self.buf.split_first() else {
                return Err(Error::InvalidMessage("truncated varint"));
            };
            self.buf = rest;
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(Error::InvalidMessage("varint longer than 10 bytes"))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.buf.len() {
            return Err(Error::InvalidMessage("truncated field"));
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }

    /// The next `(field number, value)`, or `None` at the end.
    pub(crate) fn next_field(&mut self) -> Result<Option<(u32, Value<'a>)>> {
        if self.buf.is_empty() {
            return Ok(None);
        }
        let key = self.varint()?;
        let field = key >> 3;
        if field == 0 || field > u64::from(u32::MAX >> 3) {
            return Err(Error::InvalidMessage("invalid field number"));
        }
        let value = match key & 7 {
            0 => Value::Varint(self.varint()?),
            1 => {
                self.take(8)?;
                Value::Fixed
            }
            2 => {
                let len = usize::try_from(self.varint()?)
                    .map_err(|_| Error::InvalidMessage("field too long"))?;
                Value::Bytes(self.take(len)?)
            }
            5 => {
                self.take(4)?;
                Value::Fixed
            }
            _ => return Err(Error::InvalidMessage("unsupported wire type")),
        };
        Ok(Some((field as u32, value)))
    }
}

/// Appends a varint.
pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Number of bytes [`put_varint`] writes for `v`.
pub(crate) const fn varint_len(v: u64) -> usize {
    let bits = 64 - (v | 1).leading_zeros() as usize;
    bits.div_ceil(7)
}

/// Appends a varint field (`uint32`).
pub(crate) fn put_u32_field(out: &mut Vec<u8>, field: u32, v: u32) {
    put_varint(out, u64::from(field << 3));
    put_varint(out, u64::from(v));
}

/// Appends a length-delimited field (`bytes`).
pub(crate) fn put_bytes_field(out: &mut Vec<u8>, field: u32, v: &[u8]) {
    put_varint(out, u64::from((field << 3) | 2));
    put_varint(out, v.len() as u64);
    out.extend_from_slice(v);
}

/// Encoded size of a `uint32` field with a one-byte key.
pub(crate) const fn u32_field_len(v: u32) -> usize {
    1 + varint_len(v as u64)
}

/// Encoded size of a `bytes` field with a one-byte key.
pub(crate) const fn bytes_field_len(len: usize) -> usize {
    1 + varint_len(len as u64) + len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip() {
        for v in [0u64, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            assert_eq!(out.len(), varint_len(v));
            let mut buf = vec![8];
            buf.extend_from_slice(&out);
            let mut r = Reader::new(&buf);
            assert_eq!(r.next_field().unwrap(), Some((1, Value::Varint(v))));
            assert_eq!(r.next_field().unwrap(), None);
        }
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            &[0x08][..],             // key without value
            &[0x0a, 0x05, 1, 2][..], // truncated bytes
            &[0x00, 0x01][..],       // field 0
            &[0x0b][..],             // group start
            &[
                0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
            ][..],
        ] {
            let mut r = Reader::new(bad);
            let mut res = Ok(None);
            for _ in 0..4 {
                res = r.next_field();
                if !matches!(res, Ok(Some(_))) {
                    break;
                }
            }
            assert!(res.is_err(), "{bad:?}");
        }
    }

    #[test]
    fn skips_fixed_fields() {
        let buf = [0x0d, 1, 2, 3, 4, 0x11, 1, 2, 3, 4, 5, 6, 7, 8, 0x18, 5];
        let mut r = Reader::new(&buf);
        assert_eq!(r.next_field().unwrap(), Some((1, Value::Fixed)));
        assert_eq!(r.next_field().unwrap(), Some((2, Value::Fixed)));
        assert_eq!(r.next_field().unwrap(), Some((3, Value::Varint(5))));
    }
}
