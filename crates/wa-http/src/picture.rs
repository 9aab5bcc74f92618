//! Profile and group pictures from a request: `pictureMimetype` +
//! base64 `pictureData`, turned into the JPEG bytes WhatsApp takes. A JPEG
//! is passed through; a PNG is decoded (the `png` crate), flattened onto
//! white if it has transparency and re-encoded as JPEG (the `jpeg-encoder`
//! crate, quality 90). Anything else is a 400 naming `pictureMimetype`.

use std::io::Cursor;

use base64::Engine as _;

use crate::error::ApiError;

/// Largest decoded PNG accepted (bytes of pixels).
const MAX_PIXELS_BYTES: usize = 64 << 20;

/// The JPEG bytes of a picture sent as `mimetype` + base64 `data`.
///
/// # Errors
/// 400 naming `pictureMimetype` (not JPEG or PNG) or `pictureData` (not
/// base64, empty, or not an image of that type).
pub fn jpeg_from_request(mimetype: &str, data: &str) -> Result<Vec<u8>, ApiError> {
    let mime = mimetype.trim().to_ascii_lowercase();
    let mime = mime.split(';').next().unwrap_or_default().trim().to_owned();
    if !matches!(mime.as_str(), "image/jpeg" | "image/jpg" | "image/png") {
        return Err(ApiError::field(
            "pictureMimetype",
            format!("{mimetype:?} is not supported: send image/jpeg or image/png"),
        ));
    }
    let cleaned: String = data.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let cleaned = cleaned
        .split_once(";base64,")
        .map_or(cleaned.as_str(), |(_, b)| b);
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(cleaned)
        .map_err(|e| ApiError::field("pictureData", format!("not base64: {e}")))?;
    if bytes.is_empty() {
        return Err(ApiError::field("pictureData", "must not be empty"));
    }
    if mime == "image/png" {
        return png_to_jpeg(&bytes);
    }
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return Err(ApiError::field("pictureData", "is not a JPEG image"));
    }
    Ok(bytes)
}

fn bad_png(e: impl std::fmt::Display) -> ApiError {
    ApiError::field("pictureData", format!("is not a PNG image: {e}"))
}

/// Decodes a PNG and encodes it as a JPEG.
fn png_to_jpeg(bytes: &[u8]) -> Result<Vec<u8>, ApiError> {
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    decoder.set_limits(png::Limits {
        bytes: MAX_PIXELS_BYTES,
    });
    let mut reader = decoder.read_info().map_err(bad_png)?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| bad_png("too large"))?;
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).map_err(bad_png)?;
    buf.truncate(info.buffer_size());
    let (w, h) = (
        u16::try_from(info.width).map_err(|_| bad_png("wider than 65535"))?,
        u16::try_from(info.height).map_err(|_| bad_png("taller than 65535"))?,
    );
    // Flatten to RGB on white.
    let over_white = |c: u8, a: u8| -> u8 {
        let v = (u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255;
        u8::try_from(v).unwrap_or(u8::MAX)
    };
    let rgb: Vec<u8> = match info.color_type {
        png::ColorType::Rgb => buf,
        png::ColorType::Rgba => buf
            .chunks_exact(4)
            .flat_map(|p| [0, 1, 2].map(|i| over_white(p[i], p[3])))
            .collect(),
        png::ColorType::Grayscale => buf.iter().flat_map(|&g| [g, g, g]).collect(),
        png::ColorType::GrayscaleAlpha => buf
            .chunks_exact(2)
            .flat_map(|p| {
                let g = over_white(p[0], p[1]);
                [g, g, g]
            })
            .collect(),
        png::ColorType::Indexed => return Err(bad_png("unexpanded palette")),
    };
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| ApiError::Internal(format!("JPEG encoding failed: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn png_bytes(color: png::ColorType, px: &[u8], w: u32, h: u32) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, w, h);
            enc.set_color(color);
            enc.set_depth(png::BitDepth::Eight);
            let mut wr = enc.write_header().unwrap();
            wr.write_image_data(px).unwrap();
        }
        out
    }

    #[test]
    fn converts_and_validates() {
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let rgba = png_bytes(png::ColorType::Rgba, &[255, 0, 0, 128].repeat(4), 2, 2);
        let jpeg = jpeg_from_request("image/png", &b64(&rgba)).unwrap();
        assert!(jpeg.starts_with(&[0xFF, 0xD8]) && jpeg.ends_with(&[0xFF, 0xD9]));
        let gray = png_bytes(png::ColorType::Grayscale, &[7; 9], 3, 3);
        assert!(jpeg_from_request("image/png", &b64(&gray)).is_ok());
        let j = [0xFF, 0xD8, 1, 2, 0xFF, 0xD9];
        assert_eq!(jpeg_from_request("image/jpeg", &b64(&j)).unwrap(), j);
        let e = jpeg_from_request("image/gif", &b64(&j)).unwrap_err();
        assert!(e.to_string().starts_with("pictureMimetype:"));
        let e = jpeg_from_request("image/jpeg", "!!").unwrap_err();
        assert!(e.to_string().starts_with("pictureData:"));
        let e = jpeg_from_request("image/png", &b64(&j)).unwrap_err();
        assert!(e.to_string().starts_with("pictureData:"));
    }
}
