//! The Label object (whatsapp-web.js `Label`: `{id, name, hexColor}`),
//! built from a stored WhatsApp Business label.
//!
//! WhatsApp stores a label's color as an index into a fixed palette of 20
//! colors (the `color` of the `label_edit` app-state action). The palette
//! below is WhatsApp's, in index order, as listed in whatsmeow's
//! `types/label.go` (`LabelColor` constants and their hex comments); an
//! index outside it gives `hexColor: null`.

use serde::Serialize;
use utoipa::ToSchema;
use wa_session::store::Label;

/// WhatsApp's label colors, by color index (0 = red ... 19 = purple-blue).
pub const PALETTE: [&str; 20] = [
    "#FF9484", "#64C4FF", "#FED428", "#DFAEF0", "#9AB6C1", "#56CCB4", "#FE9DFE", "#D3A91F",
    "#6F7BCF", "#D8E651", "#01D0E2", "#FFC5C7", "#92CEAC", "#F64847", "#00A1F2", "#83E421",
    "#FFAE07", "#B4EBFF", "#9BA6FF", "#9568CF",
];

/// The hex color of palette index `color`, `None` outside the palette.
pub fn hex_color(color: i32) -> Option<&'static str> {
    usize::try_from(color)
        .ok()
        .and_then(|i| PALETTE.get(i))
        .copied()
}

/// A label (whatsapp-web.js `Label`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LabelJson {
    /// The label id (`"1"`, `"2"`, ...): what `labelId` / `labelIds` take.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its color as `#RRGGBB` from WhatsApp's label palette; `null` for a
    /// color index outside the palette.
    pub hex_color: Option<String>,
}

impl From<&Label> for LabelJson {
    fn from(l: &Label) -> Self {
        LabelJson {
            id: l.id.clone(),
            name: l.name.clone(),
            hex_color: hex_color(l.color).map(str::to_owned),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palette() {
        assert_eq!(hex_color(0), Some("#FF9484"));
        assert_eq!(hex_color(19), Some("#9568CF"));
        assert_eq!(hex_color(20), None);
        assert_eq!(hex_color(-1), None);
    }
}
