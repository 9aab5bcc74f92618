//! The LTHash ("WAPatchIntegrity") that summarizes a collection's state.
//!
//! A summation hash: each value MAC is expanded with HKDF-SHA256 to 128
//! bytes, read as 64 little-endian `u16` lanes, and added lane-wise with
//! wrapping arithmetic; removing a value subtracts its expansion. Because
//! addition commutes, the hash depends only on the set of live values, not on
//! the order of the mutations that produced it.

use crate::media::hkdf_fixed;

/// Length of an LTHash in bytes.
pub const LTHASH_LEN: usize = 128;

/// HKDF info string that expands a value MAC to its LTHash contribution.
pub const LTHASH_INFO: &str = "WhatsApp Patch Integrity";

/// An LTHash value. [`Default`] is the hash of the empty collection (zeros).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct LtHash([u8; LTHASH_LEN]);

impl Default for LtHash {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for LtHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LtHash(")?;
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))?;
        f.write_str(")")
    }
}

/// Which way a contribution goes.
#[derive(Clone, Copy)]
enum Direction {
    Add,
    Subtract,
}

impl LtHash {
    /// The hash of an empty collection: 128 zero bytes.
    pub const fn new() -> Self {
        Self([0; LTHASH_LEN])
    }

    /// Wraps stored bytes (e.g. a persisted hash).
    pub const fn from_bytes(bytes: [u8; LTHASH_LEN]) -> Self {
        Self(bytes)
    }

    /// The 128 bytes.
    pub const fn as_bytes(&self) -> &[u8; LTHASH_LEN] {
        &self.0
    }

    /// Adds the contribution of one value MAC.
    pub fn add(&mut self, value_mac: &[u8]) {
        self.apply(value_mac, Direction::Add);
    }

    /// Subtracts the contribution of one value MAC.
    pub fn subtract(&mut self, value_mac: &[u8]) {
        self.apply(value_mac, Direction::Subtract);
    }

    /// Adds the contributions of many value MACs.
    pub fn add_all<I>(&mut self, value_macs: I)
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        for m in value_macs {
            self.add(m.as_ref());
        }
    }

    /// Subtracts the contributions of many value MACs.
    pub fn subtract_all<I>(&mut self, value_macs: I)
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        for m in value_macs {
            self.subtract(m.as_ref());
        }
    }

    /// Subtracts `removed` then adds `added`, as a patch is applied
    /// (whatsmeow `SubtractThenAdd`, Baileys `subtractThenAdd`).
    pub fn subtract_then_add<R, A>(&mut self, removed: R, added: A)
    where
        R: IntoIterator,
        R::Item: AsRef<[u8]>,
        A: IntoIterator,
        A::Item: AsRef<[u8]>,
    {
        self.subtract_all(removed);
        self.add_all(added);
    }

    fn apply(&mut self, value_mac: &[u8], direction: Direction) {
        let expanded: [u8; LTHASH_LEN] = hkdf_fixed(value_mac, LTHASH_INFO.as_bytes());
        for (lane, delta) in self.0.chunks_exact_mut(2).zip(expanded.chunks_exact(2)) {
            let a = u16::from_le_bytes([lane[0], lane[1]]);
            let b = u16::from_le_bytes([delta[0], delta[1]]);
            let r = match direction {
                Direction::Add => a.wrapping_add(b),
                Direction::Subtract => a.wrapping_sub(b),
            };
            lane.copy_from_slice(&r.to_le_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_then_subtract_is_identity_and_order_free() {
        let macs: Vec<[u8; 32]> = (0..5u8).map(|i| [i; 32]).collect();
        let mut a = LtHash::new();
        a.add_all(&macs);
        let mut b = LtHash::new();
        b.add_all(macs.iter().rev());
        assert_eq!(a, b);
        assert_ne!(a, LtHash::new());
        a.subtract_all(&macs);
        assert_eq!(a, LtHash::new());
    }

    #[test]
    fn lanes_wrap() {
        let mut h = LtHash::new();
        h.subtract(&[1; 32]);
        let mut g = LtHash::new();
        g.add(&[1; 32]);
        for (x, y) in h.as_bytes().chunks(2).zip(g.as_bytes().chunks(2)) {
            let x = u16::from_le_bytes([x[0], x[1]]);
            let y = u16::from_le_bytes([y[0], y[1]]);
            assert_eq!(x.wrapping_add(y), 0);
        }
    }
}
