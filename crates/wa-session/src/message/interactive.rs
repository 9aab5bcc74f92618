//! The REST API's `Buttons` and `List` contents, sent in the closest form
//! current WhatsApp clients display: a text message that renders the title,
//! the body, the choices as a numbered list and the footer.
//!
//! Why not `buttonsMessage` / `listMessage` / `interactiveMessage`:
//! WhatsApp stopped rendering buttons and lists sent from ordinary (non
//! Cloud-API) accounts in 2022-2023: messages arrive but phones show
//! nothing or "this message is not supported" (wppconnect-team/wa-js #905,
//! #1123: "the buttons are deprecated, the Meta blocked it"; Baileys issue
//! #1985). Baileys removed the builders in PR #956 (August 2024; 7.0 can no
//! longer send them, only button/list *replies*), and whatsapp-web.js marks
//! Buttons and List deprecated. Workarounds that wrap an
//! `interactiveMessage` in `viewOnceMessage` with a `<biz>` node are
//! undocumented, display on some client versions only, and risk the account
//! being flagged. A text message is delivered and readable everywhere, and
//! the recipient answers with the option's number or text.

use wa_proto::proto::wa;

use crate::{Error, Result};

/// A `Buttons` content: `{body, buttons:[{body}], title, footer}`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Buttons {
    /// The main text.
    pub body: String,
    /// The button labels.
    pub buttons: Vec<String>,
    /// An optional title (shown bold).
    pub title: Option<String>,
    /// An optional footer (shown in italics).
    pub footer: Option<String>,
}

/// One row of a list section.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListRow {
    /// An id the caller may use to match answers (not shown).
    pub id: Option<String>,
    /// The row title.
    pub title: String,
    /// An optional description under the title.
    pub description: Option<String>,
}

/// One section of a list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListSection {
    /// The section title.
    pub title: Option<String>,
    /// Its rows.
    pub rows: Vec<ListRow>,
}

/// A `List` content: `{body, buttonText, sections, title, footer}`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct List {
    /// The main text.
    pub body: String,
    /// The label of the button that opens the list (used as a heading).
    pub button_text: String,
    /// The sections.
    pub sections: Vec<ListSection>,
    /// An optional title.
    pub title: Option<String>,
    /// An optional footer.
    pub footer: Option<String>,
}

fn present(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn text_message(text: String) -> wa::Message {
    wa::Message {
        conversation: Some(text),
        ..Default::default()
    }
}

/// Renders `b` as a text message:
///
/// ```text
/// *Title*
/// Body
///
/// 1. First
/// 2. Second
///
/// _Footer_
/// ```
///
/// # Errors
/// [`Error::InvalidValue`] for an empty body or no buttons.
pub fn buttons(b: &Buttons) -> Result<wa::Message> {
    if b.body.trim().is_empty() || b.buttons.is_empty() {
        return Err(Error::InvalidValue(
            "buttons need a body and at least one button".into(),
        ));
    }
    let mut out = String::new();
    if let Some(t) = present(&b.title) {
        out.push_str(&format!("*{t}*\n"));
    }
    out.push_str(&b.body);
    out.push_str("\n\n");
    for (i, label) in b.buttons.iter().enumerate() {
        out.push_str(&format!("{}. {label}\n", i + 1));
    }
    if let Some(f) = present(&b.footer) {
        out.push_str(&format!("\n_{f}_\n"));
    }
    Ok(text_message(out.trim_end().to_owned()))
}

/// Renders `l` as a text message: title, body, the button text as a
/// heading, each section's title and its rows numbered across sections
/// (with descriptions), and the footer.
///
/// # Errors
/// [`Error::InvalidValue`] for an empty body or a list without rows.
pub fn list(l: &List) -> Result<wa::Message> {
    if l.body.trim().is_empty() || l.sections.iter().all(|s| s.rows.is_empty()) {
        return Err(Error::InvalidValue(
            "a list needs a body and at least one row".into(),
        ));
    }
    let mut out = String::new();
    if let Some(t) = present(&l.title) {
        out.push_str(&format!("*{t}*\n"));
    }
    out.push_str(&l.body);
    out.push('\n');
    if !l.button_text.trim().is_empty() {
        out.push_str(&format!("\n*{}*\n", l.button_text.trim()));
    }
    let mut n = 0;
    for s in &l.sections {
        if s.rows.is_empty() {
            continue;
        }
        out.push('\n');
        if let Some(t) = present(&s.title) {
            out.push_str(&format!("_{t}_\n"));
        }
        for r in &s.rows {
            n += 1;
            out.push_str(&format!("{n}. {}\n", r.title));
            if let Some(d) = present(&r.description) {
                out.push_str(&format!("   {d}\n"));
            }
        }
    }
    if let Some(f) = present(&l.footer) {
        out.push_str(&format!("\n_{f}_\n"));
    }
    Ok(text_message(out.trim_end().to_owned()))
}
