//! Field spans and diagnostics: what decoding says about every byte.

use std::borrow::Cow;
use std::ops::Range;

/// A decoded value, as shown in the dump and in JSON.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum Val {
    /// An integer field (JSON number).
    Int(u64),
    /// A bit-field or code octet (JSON number; shown in hex).
    Hex(u64),
    /// A string field or decoded text (JSON string; shown quoted).
    Str(Cow<'static, str>),
    /// A name or summary (JSON string; shown as is).
    Name(Cow<'static, str>),
}

impl Val {
    /// Text for the dump.
    pub fn display(&self) -> String {
        let mut out = String::new();
        self.display_into(&mut out);
        out
    }

    /// Append the text for the dump to `out`.
    pub fn display_into(&self, out: &mut String) {
        match self {
            Val::Int(v) => out.push_str(itoa::Buffer::new().format(*v)),
            Val::Hex(v) => push_hex(out, *v),
            Val::Str(s) => {
                out.push('"');
                escape_into(out, s);
                out.push('"');
            }
            Val::Name(s) => out.push_str(s),
        }
    }
}

/// Make control characters visible in one-line output.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

/// `0x` and the upper-case hex digits of `v`, at least two (as `format!("0x{v:02X}")`).
fn push_hex(out: &mut String, v: u64) {
    push_hex_digits(out, v, 2);
}

/// `0x` and the upper-case hex digits of `v`, at least `min` (as `format!("0x{v:0min$X}")`).
pub(crate) fn push_hex_digits(out: &mut String, v: u64, min: usize) {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let n = (16 - v.leading_zeros() as usize / 4).max(min);
    out.push_str("0x");
    for k in (0..n).rev() {
        out.push(char::from(DIGITS[((v >> (4 * k)) & 0xF) as usize]));
    }
}

/// [`escape_text`], appending to `out`.
fn escape_into(out: &mut String, s: &str) {
    use std::fmt::Write;
    // Printable ASCII without a quote is copied as is.
    if s.bytes().all(|b| (0x20..0x7F).contains(&b) && b != b'"') {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; not a fault.
    Info,
    /// Legal or tolerated, but likely to cause trouble.
    Warning,
    /// The PDU breaks the specification.
    Error,
}

impl Severity {
    /// Label for the dump.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One finding, at a byte offset of the PDU.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// Byte offset in the PDU.
    pub offset: usize,
    /// How serious.
    pub severity: Severity,
    /// What is wrong, in a plain sentence.
    pub message: String,
    /// What the sender most likely did wrong / how to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// What a span is, for rendering and JSON grouping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpanKind {
    /// A header field.
    Header,
    /// A mandatory body field.
    Field,
    /// A whole TLV (parent of tag / length / value).
    Tlv,
    /// Part of a structure (TLV tag/length/value, UDH element, list entry member).
    Part,
    /// Bytes nothing explains.
    Unexplained,
}

/// A field: its name, byte range, decoded value and meaning. Spans of depth 0 tile the PDU with no
/// gap and no overlap; the children (depth + 1) that follow a span tile it in turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// Spec name of the field (e.g. "source_addr"), or a label for structure parts.
    pub name: Cow<'static, str>,
    /// Byte range in the PDU.
    pub range: Range<usize>,
    /// Nesting level (0 = top).
    pub depth: u8,
    /// What kind of span.
    pub kind: SpanKind,
    /// Decoded value.
    pub value: Option<Val>,
    /// What the value means (borrowed from the spec tables when it can be).
    pub meaning: Option<Cow<'static, str>>,
    /// A secret (password): redacted unless asked for.
    pub secret: bool,
    /// Worst diagnostic attached to this span's range, set when rendering flags it.
    pub flag: Option<Severity>,
}

impl Span {
    /// A new span with no value.
    pub fn new(
        name: impl Into<Cow<'static, str>>,
        range: Range<usize>,
        depth: u8,
        kind: SpanKind,
    ) -> Self {
        Span {
            name: name.into(),
            range,
            depth,
            kind,
            value: None,
            meaning: None,
            secret: false,
            flag: None,
        }
    }

    /// Set the value.
    pub fn val(mut self, v: Val) -> Self {
        self.value = Some(v);
        self
    }

    /// Set the meaning.
    pub fn meaning(mut self, m: Option<Cow<'static, str>>) -> Self {
        self.meaning = m;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn display_matches_the_formatter(v in any::<u64>(), small in 0u64..300, s in ".{0,40}") {
            prop_assert_eq!(Val::Int(v).display(), format!("{v}"));
            prop_assert_eq!(Val::Hex(v).display(), format!("0x{v:02X}"));
            prop_assert_eq!(Val::Hex(small).display(), format!("0x{small:02X}"));
            let mut four = String::new();
            push_hex_digits(&mut four, small, 4);
            prop_assert_eq!(four, format!("0x{small:04X}"));
            // The printable-ASCII shortcut gives what the escaping loop gives.
            let mut slow = String::new();
            for c in s.chars() {
                match c {
                    '\n' => slow.push_str("\\n"),
                    '\r' => slow.push_str("\\r"),
                    '\t' => slow.push_str("\\t"),
                    '"' => slow.push_str("\\\""),
                    c if c.is_control() => slow.push_str(&format!("\\u{{{:x}}}", c as u32)),
                    c => slow.push(c),
                }
            }
            prop_assert_eq!(escape_text(&s), slow);
        }
    }
}
