//! WhatsApp's message padding, applied to the serialized `Message` protobuf
//! before Signal encryption (`<enc v="2">`; `v="3"` payloads are unpadded).
//!
//! Padding appends `L` bytes of value `L`, with `L` uniformly random in
//! 1..=16. Unpadding is strict: the last byte must be in 1..=16, no larger
//! than the input, and all of the last `L` bytes must equal `L`; anything
//! else is [`Error::BadPadding`].

use rand_core::CryptoRng;

use crate::{Error, Result};

/// Largest pad length.
pub const MAX_PAD: u8 = 16;

/// Appends 1..=16 padding bytes to `message` in place.
pub fn pad_in_place<R: CryptoRng + ?Sized>(message: &mut Vec<u8>, rng: &mut R) {
    let mut b = [0u8; 1];
    rng.fill_bytes(&mut b);
    let len = (b[0] & 0x0f) + 1;
    message.resize(message.len() + usize::from(len), len);
}

/// `message` followed by 1..=16 padding bytes.
pub fn pad<R: CryptoRng + ?Sized>(message: &[u8], rng: &mut R) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + usize::from(MAX_PAD));
    out.extend_from_slice(message);
    pad_in_place(&mut out, rng);
    out
}

/// The message without its padding.
pub fn unpad(padded: &[u8]) -> Result<&[u8]> {
    let Some(&len) = padded.last() else {
        return Err(Error::BadPadding);
    };
    let n = usize::from(len);
    if len == 0 || len > MAX_PAD || n > padded.len() {
        return Err(Error::BadPadding);
    }
    let (body, tail) = padded.split_at(padded.len() - n);
    if tail.iter().any(|&b| b != len) {
        return Err(Error::BadPadding);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    #[test]
    fn round_trip_covers_every_length() {
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let mut seen = [false; 17];
        for i in 0..2000 {
            let msg = vec![i as u8; i % 40];
            let p = pad(&msg, &mut rng);
            let l = p.len() - msg.len();
            assert!((1..=16).contains(&l));
            seen[l] = true;
            assert_eq!(unpad(&p).unwrap(), &msg[..]);
        }
        assert!(seen[1..].iter().all(|&s| s));
    }

    #[test]
    fn strict_validation() {
        assert_eq!(unpad(&[]), Err(Error::BadPadding));
        assert_eq!(unpad(&[1, 2, 0]), Err(Error::BadPadding));
        assert_eq!(unpad(&[1, 3, 3]), Err(Error::BadPadding)); // longer than input
        assert_eq!(unpad(&[9, 2, 3, 3]), Err(Error::BadPadding)); // mismatched byte
        assert_eq!(unpad(&[17; 40]), Err(Error::BadPadding)); // > 16
        assert_eq!(unpad(&[2, 2]), Ok(&[][..]));
        assert_eq!(unpad(&[7, 1]), Ok(&[7][..]));
    }
}
