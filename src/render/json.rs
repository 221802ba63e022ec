//! JSON Lines output: one object per PDU, built from the same spans as the dump.
//!
//! The object is written straight into a byte buffer ([`ObjectWriter`]): keys in the order
//! serde_json's map gives them (alphabetical), strings escaped as serde_json escapes them, no
//! intermediate JSON value. [`pdu_json`] reads that text back as a value for the callers that
//! nest it in another object.

use serde_json::Value as J;

use crate::codec::{Decoded, Diagnostic, Severity, Span, SpanKind, Val};
use crate::spec::{commands, status};

use super::push_uint;

/// JSON options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JsonOptions {
    /// Show secrets instead of redacting them.
    pub show_secrets: bool,
}

/// The JSON object of one PDU. `input_offset` is where the PDU starts in the input.
pub fn pdu_json(d: &Decoded, input_offset: usize, opts: &JsonOptions) -> J {
    let mut buf = Vec::with_capacity(256 + 160 * d.spans.len());
    ObjectWriter::default().write(&mut buf, d, Some(input_offset), opts);
    serde_json::from_slice(&buf).unwrap_or(J::Null)
}

/// Writes PDU objects, keeping one scratch buffer from PDU to PDU.
#[derive(Debug, Default)]
pub struct ObjectWriter {
    /// The hex of all the octets of the PDU being written, unmasked: the hex of every field is
    /// a slice of it, copied rather than converted again.
    hex: Vec<u8>,
}

impl ObjectWriter {
    /// Append the JSON object of one PDU (as [`pdu_json`] gives it, without `input_offset` when
    /// it is `None`) to `buf`, as compact JSON text.
    pub fn write(
        &mut self,
        buf: &mut Vec<u8>,
        d: &Decoded,
        input_offset: Option<usize>,
        opts: &JsonOptions,
    ) {
        hex_into(&mut self.hex, &d.bytes);
        let p = Pdu {
            d,
            hex: &self.hex,
            opts,
        };
        write_object(buf, &p, input_offset);
    }
}

/// What the member writers read: the PDU, the hex of its octets, the options.
struct Pdu<'a> {
    d: &'a Decoded,
    hex: &'a [u8],
    opts: &'a JsonOptions,
}

/// Append the object of `p.d` (see [`ObjectWriter::write`]).
fn write_object(buf: &mut Vec<u8>, p: &Pdu<'_>, input_offset: Option<usize>) {
    let d = p.d;
    buf.push(b'{');
    if let Some(h) = d.header {
        buf.extend_from_slice(b"\"command_id\":");
        push_uint(buf, u64::from(h.command_id));
        buf.extend_from_slice(b",\"command_length\":");
        push_uint(buf, u64::from(h.command_length));
        buf.extend_from_slice(b",\"command_name\":");
        match commands::lookup(h.command_id) {
            Some(def) => push_json_str(buf, def.name),
            None => push_json_str(buf, &commands::name_of(h.command_id)),
        }
        buf.extend_from_slice(b",\"command_status\":");
        push_uint(buf, u64::from(h.command_status));
        buf.push(b',');
    }
    buf.extend_from_slice(b"\"diagnostics\":");
    push_array(buf, &d.diagnostics, push_diagnostic);
    if let Some(h) = d.header.filter(|h| h.command_status != 0) {
        buf.extend_from_slice(b",\"explanation\":");
        push_explanation(buf, h.command_status);
    }
    buf.extend_from_slice(b",\"fields\":[");
    let mut first = true;
    for_each_group(d, |top, children| {
        if top.kind != SpanKind::Tlv {
            if !first {
                buf.push(b',');
            }
            first = false;
            write_field(buf, p, top, children);
        }
    });
    buf.extend_from_slice(b"],\"hex\":");
    push_masked_hex(buf, p);
    if let Some(at) = input_offset {
        buf.extend_from_slice(b",\"input_offset\":");
        push_uint(buf, at as u64);
    }
    buf.extend_from_slice(if d.is_malformed() {
        b",\"malformed\":true,\"octets\":"
    } else {
        b",\"malformed\":false,\"octets\":"
    });
    push_uint(buf, d.bytes.len() as u64);
    if let Some(r) = &d.repaired {
        buf.extend_from_slice(b",\"repaired_hex\":");
        push_hex(buf, r, false);
    }
    if let Some(h) = d.header {
        buf.extend_from_slice(b",\"sequence_number\":");
        push_uint(buf, u64::from(h.sequence_number));
        buf.extend_from_slice(b",\"status_name\":");
        push_json_str(buf, &status::name_of(h.command_status));
    }
    buf.extend_from_slice(b",\"tlvs\":[");
    let mut first = true;
    for_each_group(d, |top, children| {
        if top.kind == SpanKind::Tlv {
            if !first {
                buf.push(b',');
            }
            first = false;
            write_tlv(buf, p, top, children);
        }
    });
    buf.extend_from_slice(b"]}");
}

/// Call `f` with each top-level span and the spans nested under it.
fn for_each_group<'a>(d: &'a Decoded, mut f: impl FnMut(&'a Span, &'a [Span])) {
    for group in d.span_groups() {
        f(&group[0], &group[1..]);
    }
}

/// Explanations of the statuses met so far, as JSON text (a status is explained the same way
/// every time; a capture carries few distinct ones).
const EXPLANATION_CACHE: usize = 64;

thread_local! {
    static EXPLANATIONS: std::cell::RefCell<Vec<(u32, Box<[u8]>)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Append the explanation of `code` as serde_json writes the value of
/// [`status::explain`] (keys sorted).
fn push_explanation(buf: &mut Vec<u8>, code: u32) {
    let render = || {
        let v = serde_json::to_value(status::explain(code)).unwrap_or(J::Null);
        serde_json::to_vec(&v).unwrap_or_default()
    };
    EXPLANATIONS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some((_, text)) = cache.iter().find(|(c, _)| *c == code) {
            buf.extend_from_slice(text);
            return;
        }
        let text = render();
        buf.extend_from_slice(&text);
        if cache.len() < EXPLANATION_CACHE {
            cache.push((code, text.into_boxed_slice()));
        }
    });
}

/// For each octet: 0 when a JSON string holds it as is, else the character written after the
/// backslash (`u` for `\u00XX`), as serde_json escapes.
const ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = b'u';
        i += 1;
    }
    t[0x08] = b'b';
    t[0x0C] = b'f';
    t[b'\n' as usize] = b'n';
    t[b'\r' as usize] = b'r';
    t[b'\t' as usize] = b't';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

/// Append `s` as a JSON string, escaped exactly as serde_json escapes it. Names, meanings and
/// values almost never need an escape: that is checked eight octets at a time and the string
/// copied whole.
pub(crate) fn push_json_str(buf: &mut Vec<u8>, s: &str) {
    buf.push(b'"');
    push_str_body(buf, s);
    buf.push(b'"');
}

/// Append the text of a JSON string without its quotes (the fixed pieces around it carry them,
/// as in `,"name":"` ... `","offset":`). Always inlined: it runs for every name, meaning and
/// text value, and a call (saving and restoring registers) costs about as much as the check.
#[inline(always)]
fn push_str_body(buf: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    if needs_escape(bytes) {
        push_escaped(buf, bytes);
    } else {
        buf.extend_from_slice(bytes);
    }
}

/// Whether any octet of `bytes` needs an escape in a JSON string (see [`ESCAPE`]).
fn needs_escape(bytes: &[u8]) -> bool {
    let Some(last) = bytes.len().checked_sub(8) else {
        return bytes.iter().any(|&b| ESCAPE[usize::from(b)] != 0);
    };
    let word = |at: usize| {
        bytes
            .get(at..at + 8)
            .and_then(|w| w.try_into().ok())
            .map_or(0, u64::from_le_bytes)
    };
    // Whole words, then the last eight octets (overlapping the previous word) for the rest;
    // the flags of all words are gathered and tested once (the strings are short).
    let mut flags = escape_flags(word(last));
    let mut at = 0;
    while at < last {
        flags |= escape_flags(word(at));
        at += 8;
    }
    flags != 0
}

/// Non-zero when any of the eight octets packed in `w` is a control character (below 0x20),
/// `"` or `\`. The borrow tricks below are exact for "is there any such octet" (they only
/// misplace which one, which is not asked).
fn escape_flags(w: u64) -> u64 {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = ONES * 0x80;
    // High bit set in some octet iff some octet of `v` is below `n` (for n <= 0x80).
    let below = |v: u64, n: u8| v.wrapping_sub(ONES * u64::from(n)) & !v;
    let quote = w ^ (ONES * u64::from(b'"'));
    let backslash = w ^ (ONES * u64::from(b'\\'));
    (below(w, 0x20) | below(quote, 1) | below(backslash, 1)) & HIGH
}

/// Append `bytes` escaped (without the quotes): runs that need no escape copied whole.
fn push_escaped(buf: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short = ESCAPE[usize::from(b)];
        if short == 0 {
            continue;
        }
        buf.extend_from_slice(&bytes[run..i]);
        run = i + 1;
        buf.push(b'\\');
        buf.push(short);
        if short == b'u' {
            buf.extend_from_slice(b"00");
            buf.push(HEX[usize::from(b >> 4)]);
            buf.push(HEX[usize::from(b & 0xF)]);
        }
    }
    buf.extend_from_slice(&bytes[run..]);
}

/// The two upper-case hex digits of every octet, so each octet is one two-octet copy.
const HEX_PAIRS: [[u8; 2]; 256] = super::hex_pairs(b"0123456789ABCDEF");

/// Append octets as a JSON string of upper-case hex, or one `*` per hex digit when masked.
fn push_hex(buf: &mut Vec<u8>, bytes: &[u8], masked: bool) {
    buf.reserve(bytes.len() * 2 + 2);
    buf.push(b'"');
    if masked {
        buf.resize(buf.len() + bytes.len() * 2, b'*');
    } else {
        for &b in bytes {
            buf.extend_from_slice(&HEX_PAIRS[usize::from(b)]);
        }
    }
    buf.push(b'"');
}

/// Append the whole PDU as hex, with the octets of secret fields masked unless secrets are
/// shown.
fn push_masked_hex(buf: &mut Vec<u8>, p: &Pdu<'_>) {
    buf.push(b'"');
    let start = buf.len();
    buf.extend_from_slice(p.hex);
    if !p.opts.show_secrets {
        for s in p.d.spans.iter().filter(|s| s.secret) {
            let (a, b) = (s.range.start * 2, (s.range.end * 2).min(p.hex.len()));
            if a < b {
                buf[start + a..start + b].fill(b'*');
            }
        }
    }
    buf.push(b'"');
}

/// Replace the contents of `out` with the upper-case hex of `bytes`: eight octets at a time
/// (a loop the compiler unrolls), then the rest.
fn hex_into(out: &mut Vec<u8>, bytes: &[u8]) {
    fn convert(digits: &mut [u8], octets: &[u8]) {
        for (pair, &b) in digits.chunks_exact_mut(2).zip(octets) {
            pair.copy_from_slice(&HEX_PAIRS[usize::from(b)]);
        }
    }
    out.clear();
    out.resize(bytes.len() * 2, 0);
    let mut digits = out.chunks_exact_mut(16);
    let mut octets = bytes.chunks_exact(8);
    for (d, o) in (&mut digits).zip(&mut octets) {
        convert(d, o);
    }
    convert(digits.into_remainder(), octets.remainder());
}

/// Append one diagnostic as the JSON object serde_json gives for its value (keys sorted, no
/// `hint` when there is none).
fn push_diagnostic(d: &Diagnostic, buf: &mut Vec<u8>) {
    buf.push(b'{');
    if let Some(h) = &d.hint {
        buf.extend_from_slice(b"\"hint\":");
        push_json_str(buf, h);
        buf.push(b',');
    }
    buf.extend_from_slice(b"\"message\":");
    push_json_str(buf, &d.message);
    buf.extend_from_slice(b",\"offset\":");
    push_uint(buf, d.offset as u64);
    buf.extend_from_slice(b",\"severity\":\"");
    buf.extend_from_slice(match d.severity {
        Severity::Info => b"info",
        Severity::Warning => b"warning",
        Severity::Error => b"error",
    });
    buf.extend_from_slice(b"\"}");
}

/// Append `items` as a JSON array, each written by `write`.
fn push_array<T>(buf: &mut Vec<u8>, items: &[T], write: fn(&T, &mut Vec<u8>)) {
    buf.push(b'[');
    for (k, item) in items.iter().enumerate() {
        if k > 0 {
            buf.push(b',');
        }
        write(item, buf);
    }
    buf.push(b']');
}

/// Whether a span's value is redacted.
fn redacted(s: &Span, opts: &JsonOptions) -> bool {
    s.secret && !opts.show_secrets
}

/// Append the digits of a span's hex (its octets, masked when `redact`), without quotes: a
/// slice of the PDU's hex, empty when the span lies outside the octets.
fn push_span_hex(buf: &mut Vec<u8>, p: &Pdu<'_>, s: &Span, redact: bool) {
    let digits = s.range.start.saturating_mul(2)..s.range.end.saturating_mul(2);
    if let Some(h) = p.hex.get(digits) {
        if redact {
            buf.resize(buf.len() + h.len(), b'*');
        } else {
            buf.extend_from_slice(h);
        }
    }
}

/// Append a span's value: a number, a string, `null`, or the redaction notice when `redact`.
/// Inlined into the per-field writers.
#[inline]
fn push_value(buf: &mut Vec<u8>, s: &Span, redact: bool) {
    if redact {
        let n = match &s.value {
            Some(Val::Str(v)) => v.chars().count(),
            _ => 0,
        };
        buf.extend_from_slice(b"\"<redacted, ");
        push_uint(buf, n as u64);
        buf.extend_from_slice(b" characters>\"");
        return;
    }
    match &s.value {
        None => buf.extend_from_slice(b"null"),
        Some(Val::Int(i)) | Some(Val::Hex(i)) => push_uint(buf, *i),
        Some(Val::Str(v)) | Some(Val::Name(v)) => push_json_str(buf, v),
    }
}

/// Append one span as a field object (keys sorted): `children` (the spans nested under it,
/// each with its `depth` below it), `hex`, `length`, `meaning`, `name`, `offset`, `redacted`,
/// `unexplained`, `value`.
fn write_field(buf: &mut Vec<u8>, p: &Pdu<'_>, s: &Span, children: &[Span]) {
    buf.push(b'{');
    if !children.is_empty() {
        buf.extend_from_slice(b"\"children\":[");
        for (k, c) in children.iter().enumerate() {
            if k > 0 {
                buf.push(b',');
            }
            buf.extend_from_slice(b"{\"depth\":");
            push_uint(buf, u64::from(c.depth.saturating_sub(s.depth)));
            buf.push(b',');
            write_span_members(buf, p, c);
        }
        buf.extend_from_slice(b"],");
    }
    write_span_members(buf, p, s);
}

/// Append the members of a span object from `hex` on, and close it.
fn write_span_members(buf: &mut Vec<u8>, p: &Pdu<'_>, s: &Span) {
    let redact = redacted(s, p.opts);
    buf.extend_from_slice(b"\"hex\":\"");
    push_span_hex(buf, p, s, redact);
    buf.extend_from_slice(b"\",\"length\":");
    push_uint(buf, s.range.len() as u64);
    if let Some(m) = &s.meaning {
        buf.extend_from_slice(b",\"meaning\":\"");
        push_str_body(buf, m);
        buf.push(b'"');
    }
    buf.extend_from_slice(b",\"name\":\"");
    push_str_body(buf, &s.name);
    buf.extend_from_slice(b"\",\"offset\":");
    push_uint(buf, s.range.start as u64);
    if redact {
        buf.extend_from_slice(b",\"redacted\":true");
    }
    if s.kind == SpanKind::Unexplained {
        buf.extend_from_slice(b",\"unexplained\":true");
    }
    buf.extend_from_slice(b",\"value\":");
    push_value(buf, s, redact);
    buf.push(b'}');
}

/// Append one TLV object (keys sorted): `children` (the spans below its tag, length and value
/// parts), `description`, `hex`, `length`, `meaning`, `name`, `offset`, `tag`, `value` — hex,
/// meaning and value taken from its `value` part.
fn write_tlv(buf: &mut Vec<u8>, p: &Pdu<'_>, top: &Span, children: &[Span]) {
    let be16 = |at: usize| {
        p.d.bytes
            .get(at..at + 2)
            .map_or(0, |b| u16::from_be_bytes([b[0], b[1]]))
    };
    let value = children
        .iter()
        .find(|c| c.depth == top.depth + 1 && c.name == "value");
    buf.push(b'{');
    let mut kids = children
        .iter()
        .filter(|c| c.depth > top.depth + 1)
        .peekable();
    if kids.peek().is_some() {
        buf.extend_from_slice(b"\"children\":[");
        for (k, c) in kids.enumerate() {
            if k > 0 {
                buf.push(b',');
            }
            buf.push(b'{');
            write_span_members(buf, p, c);
        }
        buf.extend_from_slice(b"],");
    }
    if let Some(desc) = &top.meaning {
        buf.extend_from_slice(b"\"description\":");
        push_json_str(buf, desc);
        buf.push(b',');
    }
    match value {
        Some(v) => {
            buf.extend_from_slice(b"\"hex\":\"");
            push_span_hex(buf, p, v, redacted(v, p.opts));
            buf.push(b'"');
        }
        None => buf.extend_from_slice(b"\"hex\":\"\""),
    }
    buf.extend_from_slice(b",\"length\":");
    push_uint(buf, u64::from(be16(top.range.start + 2)));
    if let Some(m) = value.and_then(|v| v.meaning.as_deref()) {
        buf.extend_from_slice(b",\"meaning\":");
        push_json_str(buf, m);
    }
    buf.extend_from_slice(b",\"name\":");
    push_json_str(buf, &top.name);
    buf.extend_from_slice(b",\"offset\":");
    push_uint(buf, top.range.start as u64);
    buf.extend_from_slice(b",\"tag\":");
    push_uint(buf, u64::from(be16(top.range.start)));
    buf.extend_from_slice(b",\"value\":");
    match value {
        Some(v) => push_value(buf, v, redacted(v, p.opts)),
        None => buf.extend_from_slice(b"null"),
    }
    buf.push(b'}');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The object as first written: a serde_json map of serde-derived span objects. The direct
    /// writer must give exactly its text.
    mod reference {
        use serde_json::{json, Map, Value as J};

        use crate::codec::{Decoded, Span, SpanKind, Val};
        use crate::render::json::JsonOptions;
        use crate::spec::{commands, status};

        #[derive(serde::Serialize)]
        #[serde(untagged)]
        enum ValOut<'a> {
            Null,
            Num(u64),
            Str(&'a str),
            Owned(String),
        }

        #[derive(serde::Serialize)]
        struct SpanOut<'a> {
            #[serde(skip_serializing_if = "Vec::is_empty")]
            children: Vec<SpanOut<'a>>,
            #[serde(skip_serializing_if = "Option::is_none")]
            depth: Option<u8>,
            hex: String,
            length: usize,
            #[serde(skip_serializing_if = "Option::is_none")]
            meaning: Option<&'a str>,
            name: &'a str,
            offset: usize,
            #[serde(skip_serializing_if = "Option::is_none")]
            redacted: Option<bool>,
            #[serde(skip_serializing_if = "Option::is_none")]
            unexplained: Option<bool>,
            value: ValOut<'a>,
        }

        #[derive(serde::Serialize)]
        struct TlvOut<'a> {
            #[serde(skip_serializing_if = "Vec::is_empty")]
            children: Vec<SpanOut<'a>>,
            #[serde(skip_serializing_if = "Option::is_none")]
            description: Option<&'a str>,
            hex: String,
            length: u16,
            #[serde(skip_serializing_if = "Option::is_none")]
            meaning: Option<&'a str>,
            name: &'a str,
            offset: usize,
            tag: u16,
            value: ValOut<'a>,
        }

        fn span_out<'a>(d: &'a Decoded, s: &'a Span, opts: &JsonOptions) -> SpanOut<'a> {
            let bytes = d.bytes.get(s.range.clone()).unwrap_or(&[]);
            let redact = s.secret && !opts.show_secrets;
            let hex = if redact {
                "*".repeat(bytes.len() * 2)
            } else {
                hex::encode_upper(bytes)
            };
            let (value, redacted) = if redact {
                let n = match &s.value {
                    Some(Val::Str(v)) => v.chars().count(),
                    _ => 0,
                };
                (
                    ValOut::Owned(format!("<redacted, {n} characters>")),
                    Some(true),
                )
            } else {
                let value = match &s.value {
                    None => ValOut::Null,
                    Some(Val::Int(i)) | Some(Val::Hex(i)) => ValOut::Num(*i),
                    Some(Val::Str(v)) | Some(Val::Name(v)) => ValOut::Str(v),
                };
                (value, None)
            };
            SpanOut {
                children: Vec::new(),
                depth: None,
                hex,
                length: s.range.len(),
                meaning: s.meaning.as_deref(),
                name: &s.name,
                offset: s.range.start,
                redacted,
                unexplained: (s.kind == SpanKind::Unexplained).then_some(true),
                value,
            }
        }

        fn span_outs<'a>(
            d: &'a Decoded,
            opts: &JsonOptions,
        ) -> (Vec<SpanOut<'a>>, Vec<TlvOut<'a>>) {
            let mut fields = Vec::new();
            let mut tlvs = Vec::new();
            let mut i = 0;
            while i < d.spans.len() {
                let top = &d.spans[i];
                let mut j = i + 1;
                while j < d.spans.len() && d.spans[j].depth > top.depth {
                    j += 1;
                }
                let children = &d.spans[i + 1..j];
                if top.kind == SpanKind::Tlv {
                    let be16 = |at: usize| {
                        d.bytes
                            .get(at..at + 2)
                            .map(|b| u16::from_be_bytes([b[0], b[1]]))
                            .unwrap_or(0)
                    };
                    let value = children
                        .iter()
                        .find(|c| c.depth == top.depth + 1 && c.name == "value")
                        .map(|v| span_out(d, v, opts));
                    let (hex, value, meaning) = match value {
                        Some(v) => (v.hex, v.value, v.meaning),
                        None => (String::new(), ValOut::Null, None),
                    };
                    tlvs.push(TlvOut {
                        children: children
                            .iter()
                            .filter(|c| c.depth > top.depth + 1)
                            .map(|c| span_out(d, c, opts))
                            .collect(),
                        description: top.meaning.as_deref(),
                        hex,
                        length: be16(top.range.start + 2),
                        meaning,
                        name: &top.name,
                        offset: top.range.start,
                        tag: be16(top.range.start),
                        value,
                    });
                } else {
                    let mut m = span_out(d, top, opts);
                    m.children = children
                        .iter()
                        .map(|c| {
                            let mut cm = span_out(d, c, opts);
                            cm.depth = Some(c.depth - top.depth);
                            cm
                        })
                        .collect();
                    fields.push(m);
                }
                i = j;
            }
            (fields, tlvs)
        }

        pub fn pdu_json(d: &Decoded, input_offset: usize, opts: &JsonOptions) -> J {
            let mut o = Map::new();
            o.insert("input_offset".into(), json!(input_offset));
            if let Some(h) = d.header {
                o.insert("command_length".into(), json!(h.command_length));
                o.insert("command_id".into(), json!(h.command_id));
                o.insert(
                    "command_name".into(),
                    json!(commands::name_of(h.command_id)),
                );
                o.insert("command_status".into(), json!(h.command_status));
                o.insert(
                    "status_name".into(),
                    json!(status::explain(h.command_status).name),
                );
                o.insert("sequence_number".into(), json!(h.sequence_number));
                if h.command_status != 0 {
                    o.insert(
                        "explanation".into(),
                        serde_json::to_value(status::explain(h.command_status)).unwrap(),
                    );
                }
            }
            o.insert("octets".into(), json!(d.bytes.len()));
            let mut hex = hex::encode_upper(&d.bytes);
            if !opts.show_secrets {
                for s in d.spans.iter().filter(|s| s.secret) {
                    let (a, b) = (s.range.start * 2, (s.range.end * 2).min(hex.len()));
                    if a < b {
                        hex.replace_range(a..b, &"*".repeat(b - a));
                    }
                }
            }
            o.insert("hex".into(), json!(hex));
            o.insert("malformed".into(), json!(d.is_malformed()));
            if let Some(r) = &d.repaired {
                o.insert("repaired_hex".into(), json!(hex::encode_upper(r)));
            }
            o.insert(
                "diagnostics".into(),
                serde_json::to_value(&d.diagnostics).unwrap(),
            );
            let (fields, tlvs) = span_outs(d, opts);
            o.insert("fields".into(), serde_json::to_value(&fields).unwrap());
            o.insert("tlvs".into(), serde_json::to_value(&tlvs).unwrap());
            J::Object(o)
        }
    }

    /// The object written by a writer that has written another PDU before (its scratch hex
    /// must not leak into the next).
    fn direct(d: &Decoded, opts: &JsonOptions) -> String {
        let mut writer = ObjectWriter::default();
        let longer = crate::codec::decode(&[0xAB; 300]);
        writer.write(&mut Vec::new(), &longer, None, opts);
        let mut got = Vec::new();
        writer.write(&mut got, d, Some(7), opts);
        String::from_utf8(got).unwrap()
    }

    /// The direct writer gives exactly the reference text, for PDUs with secrets, TLVs
    /// (standard, vendor), a UDH, a receipt, a truncation and an error status.
    #[test]
    fn direct_json_equals_the_reference() {
        let pdus = [
            "0000002000000002000000000000000173797300736563726574000034010100",
            "0000003e00000004000000000000000200010134343737000101343438380040000000000100000808050003070201486904240004004100421400000109",
            "0000001700000004000000000000000300010134343737",
            "00000010800000040000005800000004",
            "000000b000000005000000000000000300010134343737303039303031323300050041434d45000400000000000000006b69643a30303030303030303033207375623a30303120646c7672643a303031207375626d697420646174653a3236313132323134333020646f6e6520646174653a3236313132323134333120737461743a44454c49565244206572723a30303020746578743a48656c6c6f001e000b30303030303030303033000427000102",
            "0000000c0000",
        ];
        for h in pdus {
            let bytes = hex::decode(h).unwrap();
            let d = crate::codec::decode(&bytes);
            for show_secrets in [false, true] {
                let opts = JsonOptions { show_secrets };
                let want = serde_json::to_string(&reference::pdu_json(&d, 7, &opts)).unwrap();
                assert_eq!(direct(&d, &opts), want, "{h}");
                assert_eq!(pdu_json(&d, 7, &opts), reference::pdu_json(&d, 7, &opts));
            }
        }
    }

    /// A PDU with a plausible header (every command of the table, both directions, a few
    /// statuses) and an arbitrary body: the decoder reads fields, TLVs, text and receipts as far
    /// as the bytes allow.
    fn arbitrary_pdu() -> impl Strategy<Value = Vec<u8>> {
        let ids: Vec<u32> = crate::spec::commands::COMMANDS
            .iter()
            .flat_map(|c| [c.id, c.id | 0x8000_0000])
            .chain([0x0000_0777, 0x8000_0000])
            .collect();
        (
            prop::sample::select(ids),
            prop::sample::select(vec![0u32, 0x58, 0x0E, 0x0401]),
            prop::collection::vec(
                prop_oneof![any::<u8>(), Just(0u8), Just(b'a'), Just(0x04), Just(0x24)],
                0..160,
            ),
            any::<bool>(),
        )
            .prop_map(|(id, status, body, right_len)| {
                let len = if right_len {
                    16 + body.len() as u32
                } else {
                    16 + body.len() as u32 + 3
                };
                let mut v = Vec::new();
                for w in [len, id, status, 9] {
                    v.extend_from_slice(&w.to_be_bytes());
                }
                v.extend_from_slice(&body);
                v
            })
    }

    proptest! {
        /// Strings are escaped exactly as serde_json escapes them.
        #[test]
        fn strings_are_escaped_as_serde_json_does(s in "(.|[\\x00-\\x1f\"\\\\\\x7f])*") {
            let mut got = Vec::new();
            push_json_str(&mut got, &s);
            prop_assert_eq!(String::from_utf8(got).unwrap(), serde_json::to_string(&s).unwrap());
        }

        /// The word-at-a-time check finds a character needing an escape at any position of a
        /// string otherwise clean, on both sides of the eight-octet boundaries; clean strings
        /// (ASCII and not) are copied as they are.
        #[test]
        fn one_escape_anywhere_is_found(
            clean in "[ !#-\\[\\]-~\u{80}-\u{10ffff}]{0,40}",
            at in any::<prop::sample::Index>(),
            special in prop::option::of(prop_oneof![
                Just('"'), Just('\\'), Just('\u{1f}'), Just('\0'), Just('\n'), Just('\u{7f}'), Just(' '),
            ]),
        ) {
            let mut s = clean.clone();
            if let Some(c) = special {
                let cut = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect::<Vec<_>>();
                s.insert(cut[at.index(cut.len())], c);
            }
            prop_assert_eq!(
                needs_escape(s.as_bytes()),
                s.bytes().any(|b| ESCAPE[usize::from(b)] != 0)
            );
            let mut got = Vec::new();
            push_json_str(&mut got, &s);
            prop_assert_eq!(String::from_utf8(got).unwrap(), serde_json::to_string(&s).unwrap());
        }

        /// Hex from the pair table is `hex::encode_upper`; numbers are `itoa`'s.
        #[test]
        fn hex_and_numbers_are_written_as_before(bytes in prop::collection::vec(any::<u8>(), 0..40), n in prop_oneof![0u64..200, any::<u64>()]) {
            let mut got = Vec::new();
            push_hex(&mut got, &bytes, false);
            prop_assert_eq!(String::from_utf8(got).unwrap(), format!("\"{}\"", hex::encode_upper(&bytes)));
            let mut digits = b"left over".to_vec();
            hex_into(&mut digits, &bytes);
            prop_assert_eq!(String::from_utf8(digits).unwrap(), hex::encode_upper(&bytes));
            let mut got = Vec::new();
            push_uint(&mut got, n);
            prop_assert_eq!(String::from_utf8(got).unwrap(), n.to_string());
        }

        /// The direct writer gives exactly the reference text on arbitrary PDUs.
        #[test]
        fn direct_json_equals_the_reference_on_arbitrary_pdus(
            bytes in arbitrary_pdu(),
            show_secrets in any::<bool>(),
        ) {
            let d = crate::codec::decode(&bytes);
            let opts = JsonOptions { show_secrets };
            let want = serde_json::to_string(&reference::pdu_json(&d, 7, &opts)).unwrap();
            prop_assert_eq!(direct(&d, &opts), want);
        }
    }
}
