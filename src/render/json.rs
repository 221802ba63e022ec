//! JSON Lines output: one object per PDU, built from the same spans as the dump.

use serde_json::{json, Map, Value as J};

use crate::codec::{Decoded, Span, SpanKind, Val};
use crate::spec::{commands, status};

/// JSON options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JsonOptions {
    /// Show secrets instead of redacting them.
    pub show_secrets: bool,
}

/// The JSON object of one PDU. `input_offset` is where the PDU starts in the input.
pub fn pdu_json(d: &Decoded, input_offset: usize, opts: &JsonOptions) -> J {
    let mut o = pdu_json_head(d, input_offset, opts);
    o.insert("hex".into(), json!(masked_hex(d, opts)));
    o.insert(
        "diagnostics".into(),
        serde_json::to_value(&d.diagnostics).unwrap_or(J::Null),
    );
    let (fields, tlvs) = span_outs(d, opts);
    o.insert(
        "fields".into(),
        serde_json::to_value(&fields).unwrap_or(J::Null),
    );
    o.insert(
        "tlvs".into(),
        serde_json::to_value(&tlvs).unwrap_or(J::Null),
    );
    J::Object(o)
}

/// The whole PDU in hex, with the octets of secret fields masked unless secrets are shown.
fn masked_hex(d: &Decoded, opts: &JsonOptions) -> String {
    let mut h = hex::encode_upper(&d.bytes);
    if !opts.show_secrets {
        for s in d.spans.iter().filter(|s| s.secret) {
            let (a, b) = (s.range.start * 2, (s.range.end * 2).min(h.len()));
            if a < b {
                h.replace_range(a..b, &"*".repeat(b - a));
            }
        }
    }
    h
}

/// The JSON object of one PDU without its `hex`, `diagnostics`, `fields` and `tlvs` (present as
/// `null` placeholders): callers add their own keys, then write it with [`write_pdu_json`], which
/// streams those four straight from the decoded PDU (masking secrets as `opts` says there).
pub fn pdu_json_head(d: &Decoded, input_offset: usize, _opts: &JsonOptions) -> Map<String, J> {
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
    }
    o.insert("octets".into(), json!(d.bytes.len()));
    o.insert("hex".into(), J::Null);
    o.insert("malformed".into(), json!(d.is_malformed()));
    o.insert("fields".into(), J::Null);
    o.insert("tlvs".into(), J::Null);
    o.insert("diagnostics".into(), J::Null);
    if let Some(r) = &d.repaired {
        o.insert("repaired_hex".into(), json!(hex::encode_upper(r)));
    }
    if let Some(h) = d.header {
        if h.command_status != 0 {
            o.insert(
                "explanation".into(),
                serde_json::to_value(status::explain(h.command_status)).unwrap_or(J::Null),
            );
        }
    }
    o
}

/// Write `head` (from [`pdu_json_head`]) as one compact JSON object, the same text
/// `serde_json::to_writer` gives for [`pdu_json`], with `fields` and `tlvs` serialised from the
/// spans without building JSON values. The object is composed in memory and written with one
/// call.
pub fn write_pdu_json<W: std::io::Write>(
    mut w: W,
    head: &Map<String, J>,
    d: &Decoded,
    opts: &JsonOptions,
) -> serde_json::Result<()> {
    let mut buf = Vec::with_capacity(256 + 160 * d.spans.len());
    write_pdu_json_buf(&mut buf, head, d, opts)?;
    w.write_all(&buf).map_err(serde_json::Error::io)
}

fn write_pdu_json_buf(
    buf: &mut Vec<u8>,
    head: &Map<String, J>,
    d: &Decoded,
    opts: &JsonOptions,
) -> serde_json::Result<()> {
    let (fields, tlvs) = span_outs(d, opts);
    buf.push(b'{');
    for (k, (key, v)) in head.iter().enumerate() {
        if k > 0 {
            buf.push(b',');
        }
        push_json_str(buf, key);
        buf.push(b':');
        match (key.as_str(), v) {
            ("fields", J::Null) => push_array(buf, &fields, SpanOut::write),
            ("tlvs", J::Null) => push_array(buf, &tlvs, TlvOut::write),
            ("hex", J::Null) => push_masked_hex(buf, d, opts),
            ("diagnostics", J::Null) => push_array(buf, &d.diagnostics, push_diagnostic),
            (_, J::String(t)) => push_json_str(buf, t),
            _ => serde_json::to_writer(&mut *buf, v)?,
        }
    }
    buf.push(b'}');
    Ok(())
}

/// Append `s` as a JSON string, escaped exactly as serde_json escapes it.
fn push_json_str(buf: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    buf.push(b'"');
    let bytes = s.as_bytes();
    // Most strings need no escape: check 16 octets at a time (no early exit, so it vectorises).
    let clean = bytes.chunks(16).all(|c| {
        !c.iter().fold(false, |acc, &b| {
            acc | (b < 0x20) | (b == b'"') | (b == b'\\')
        })
    });
    if clean {
        buf.extend_from_slice(bytes);
        buf.push(b'"');
        return;
    }
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            0x08 => b'b',
            0x0C => b'f',
            0x00..=0x1F => b'u',
            _ => continue,
        };
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
    buf.push(b'"');
}

/// Append the whole PDU as hex, as [`masked_hex`] gives it.
fn push_masked_hex(buf: &mut Vec<u8>, d: &Decoded, opts: &JsonOptions) {
    let start = buf.len() + 1;
    HexOut {
        bytes: &d.bytes,
        masked: false,
    }
    .write(buf);
    if !opts.show_secrets {
        for s in d.spans.iter().filter(|s| s.secret) {
            let (a, b) = (s.range.start * 2, (s.range.end * 2).min(d.bytes.len() * 2));
            if a < b {
                buf[start + a..start + b].fill(b'*');
            }
        }
    }
}

/// Append one diagnostic as the JSON object serde_json gives for its value (keys sorted, no
/// `hint` when there is none).
fn push_diagnostic(d: &crate::codec::Diagnostic, buf: &mut Vec<u8>) {
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
        crate::codec::Severity::Info => b"info",
        crate::codec::Severity::Warning => b"warning",
        crate::codec::Severity::Error => b"error",
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

fn push_uint(buf: &mut Vec<u8>, n: u64) {
    buf.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

impl HexOut<'_> {
    /// Append as a JSON string (hex digits and `*` need no escaping).
    fn write(&self, buf: &mut Vec<u8>) {
        const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
        buf.push(b'"');
        for b in self.bytes {
            if self.masked {
                buf.extend_from_slice(b"**");
            } else {
                buf.push(DIGITS[usize::from(b >> 4)]);
                buf.push(DIGITS[usize::from(b & 0xF)]);
            }
        }
        buf.push(b'"');
    }
}

impl ValOut<'_> {
    fn write(&self, buf: &mut Vec<u8>) {
        match self {
            ValOut::Null => buf.extend_from_slice(b"null"),
            ValOut::Num(n) => push_uint(buf, *n),
            ValOut::Str(s) => push_json_str(buf, s),
            ValOut::Owned(s) => push_json_str(buf, s),
        }
    }
}

impl SpanOut<'_> {
    /// Append as JSON: the text serde_json gives for the derived `Serialize` (same keys, order
    /// and omissions), without going through the serializer.
    fn write(&self, buf: &mut Vec<u8>) {
        buf.push(b'{');
        if !self.children.is_empty() {
            buf.extend_from_slice(b"\"children\":");
            push_array(buf, &self.children, SpanOut::write);
            buf.push(b',');
        }
        if let Some(depth) = self.depth {
            buf.extend_from_slice(b"\"depth\":");
            push_uint(buf, u64::from(depth));
            buf.push(b',');
        }
        buf.extend_from_slice(b"\"hex\":");
        self.hex.write(buf);
        buf.extend_from_slice(b",\"length\":");
        push_uint(buf, self.length as u64);
        if let Some(m) = self.meaning {
            buf.extend_from_slice(b",\"meaning\":");
            push_json_str(buf, m);
        }
        buf.extend_from_slice(b",\"name\":");
        push_json_str(buf, self.name);
        buf.extend_from_slice(b",\"offset\":");
        push_uint(buf, self.offset as u64);
        if let Some(r) = self.redacted {
            buf.extend_from_slice(if r {
                b",\"redacted\":true"
            } else {
                b",\"redacted\":false"
            });
        }
        if let Some(u) = self.unexplained {
            buf.extend_from_slice(if u {
                b",\"unexplained\":true"
            } else {
                b",\"unexplained\":false"
            });
        }
        buf.extend_from_slice(b",\"value\":");
        self.value.write(buf);
        buf.push(b'}');
    }
}

impl TlvOut<'_> {
    /// Append as JSON, as [`SpanOut::write`] does.
    fn write(&self, buf: &mut Vec<u8>) {
        buf.push(b'{');
        if !self.children.is_empty() {
            buf.extend_from_slice(b"\"children\":");
            push_array(buf, &self.children, SpanOut::write);
            buf.push(b',');
        }
        if let Some(desc) = self.description {
            buf.extend_from_slice(b"\"description\":");
            push_json_str(buf, desc);
            buf.push(b',');
        }
        buf.extend_from_slice(b"\"hex\":");
        self.hex.write(buf);
        buf.extend_from_slice(b",\"length\":");
        push_uint(buf, u64::from(self.length));
        if let Some(m) = self.meaning {
            buf.extend_from_slice(b",\"meaning\":");
            push_json_str(buf, m);
        }
        buf.extend_from_slice(b",\"name\":");
        push_json_str(buf, self.name);
        buf.extend_from_slice(b",\"offset\":");
        push_uint(buf, self.offset as u64);
        buf.extend_from_slice(b",\"tag\":");
        push_uint(buf, u64::from(self.tag));
        buf.extend_from_slice(b",\"value\":");
        self.value.write(buf);
        buf.push(b'}');
    }
}

/// Octets as upper-case hex, or one `*` per hex digit when masked; serialised as a JSON string
/// without building it first.
#[derive(Clone, Copy)]
struct HexOut<'a> {
    bytes: &'a [u8],
    masked: bool,
}

impl std::fmt::Display for HexOut<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
        let mut chunk = [0u8; 128];
        for part in self.bytes.chunks(chunk.len() / 2) {
            let n = part.len() * 2;
            for (k, b) in part.iter().enumerate() {
                if self.masked {
                    chunk[2 * k] = b'*';
                    chunk[2 * k + 1] = b'*';
                } else {
                    chunk[2 * k] = DIGITS[usize::from(b >> 4)];
                    chunk[2 * k + 1] = DIGITS[usize::from(b & 0xF)];
                }
            }
            f.write_str(std::str::from_utf8(&chunk[..n]).map_err(|_| std::fmt::Error)?)?;
        }
        Ok(())
    }
}

impl serde::Serialize for HexOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A decoded value as JSON, borrowed.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum ValOut<'a> {
    Null,
    Num(u64),
    Str(&'a str),
    Owned(String),
}

/// A span object; fields in the key order of a JSON map (alphabetical).
#[derive(serde::Serialize)]
struct SpanOut<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    children: Vec<SpanOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    depth: Option<u8>,
    hex: HexOut<'a>,
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

/// A TLV object; fields in the key order of a JSON map (alphabetical).
#[derive(serde::Serialize)]
struct TlvOut<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    children: Vec<SpanOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    hex: HexOut<'a>,
    length: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    meaning: Option<&'a str>,
    name: &'a str,
    offset: usize,
    tag: u16,
    value: ValOut<'a>,
}

/// One span as JSON.
fn span_out<'a>(d: &'a Decoded, s: &'a Span, opts: &JsonOptions) -> SpanOut<'a> {
    let bytes = d.bytes.get(s.range.clone()).unwrap_or(&[]);
    let redact = s.secret && !opts.show_secrets;
    let hex = HexOut {
        bytes,
        masked: redact,
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

/// The `fields` and `tlvs` arrays, grouped as in [`pdu_json`].
fn span_outs<'a>(d: &'a Decoded, opts: &JsonOptions) -> (Vec<SpanOut<'a>>, Vec<TlvOut<'a>>) {
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
                None => (
                    HexOut {
                        bytes: &[],
                        masked: false,
                    },
                    ValOut::Null,
                    None,
                ),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The streamed writer gives exactly the text of the JSON value, for PDUs with secrets,
    /// TLVs (standard, vendor), a UDH, a receipt, a truncation and an error status.
    #[test]
    fn streamed_json_equals_value_json() {
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
                let want = serde_json::to_string(&pdu_json(&d, 7, &opts)).unwrap();
                let mut got = Vec::new();
                write_pdu_json(&mut got, &pdu_json_head(&d, 7, &opts), &d, &opts).unwrap();
                assert_eq!(String::from_utf8(got).unwrap(), want, "{h}");
            }
        }
    }

    use proptest::prelude::*;

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
        /// The hand-written span writer gives exactly serde_json's text of the JSON value.
        #[test]
        fn streamed_json_equals_value_json_on_arbitrary_pdus(
            bytes in arbitrary_pdu(),
            show_secrets in any::<bool>(),
            key in "[a-z_]{1,12}",
            extra in ".{0,20}",
        ) {
            let d = crate::codec::decode(&bytes);
            let opts = JsonOptions { show_secrets };
            let mut want = pdu_json(&d, 3, &opts);
            let mut head = pdu_json_head(&d, 3, &opts);
            if let Some(o) = want.as_object_mut() {
                o.insert(key.clone(), J::String(extra.clone()));
            }
            head.insert(key, J::String(extra));
            let mut got = Vec::new();
            write_pdu_json(&mut got, &head, &d, &opts).unwrap();
            prop_assert_eq!(String::from_utf8(got).unwrap(), serde_json::to_string(&want).unwrap());
        }
    }
}
