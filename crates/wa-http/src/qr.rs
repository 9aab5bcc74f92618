//! QR codes: a PNG for `GET /session/qr/{id}/image` and a text rendering
//! for the terminal.

use qrcode::QrCode;
use qrcode::render::unicode;

use crate::error::ApiError;

/// Pixels per module and quiet-zone width (modules) of the PNG.
const SCALE: usize = 8;
const QUIET: usize = 4;

/// The PNG of `text` as a QR code (black on white, 8 px per module).
///
/// # Errors
/// 500 if the text is too long for a QR code or encoding fails.
pub fn png(text: &str) -> Result<Vec<u8>, ApiError> {
    let code = QrCode::new(text.as_bytes()).map_err(|e| ApiError::Internal(format!("qr: {e}")))?;
    let width = code.width();
    let colors = code.to_colors();
    let side = (width + 2 * QUIET) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, c) in colors.iter().enumerate() {
        if *c != qrcode::Color::Dark {
            continue;
        }
        let (mx, my) = (i % width + QUIET, i / width + QUIET);
        for dy in 0..SCALE {
            let row = (my * SCALE + dy) * side;
            let start = row + mx * SCALE;
            if let Some(px) = pixels.get_mut(start..start + SCALE) {
                px.fill(0);
            }
        }
    }
    let side32 = u32::try_from(side).map_err(|_| ApiError::Internal("qr too large".into()))?;
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, side32, side32);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc
            .write_header()
            .map_err(|e| ApiError::Internal(format!("png: {e}")))?;
        w.write_image_data(&pixels)
            .map_err(|e| ApiError::Internal(format!("png: {e}")))?;
    }
    Ok(out)
}

/// `text` as a QR code drawn with Unicode half blocks, for a terminal.
pub fn terminal(text: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<unicode::Dense1x2>()
            .dark_color(unicode::Dense1x2::Light)
            .light_color(unicode::Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    #[test]
    fn png_has_signature_and_size() {
        let p = super::png("2@abc,def,ghi,jkl").unwrap();
        assert_eq!(&p[..8], b"\x89PNG\r\n\x1a\n");
        assert!(super::terminal("x").unwrap().lines().count() > 5);
    }
}
