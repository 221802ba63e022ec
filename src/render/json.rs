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

/// The JSON object of one PDU without its `fields` and `tlvs` (present as `null` placeholders):
/// callers add their own keys, then write it with [`write_pdu_json`], which streams the two
/// arrays straight from the spans.
pub fn pdu_json_head(d: &Decoded, input_offset: usize, opts: &JsonOptions) -> Map<String, J> {
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
    o.insert("hex".into(), json!(masked_hex(d, opts)));
    o.insert("malformed".into(), json!(d.is_malformed()));
    o.insert("fields".into(), J::Null);
    o.insert("tlvs".into(), J::Null);
    o.insert(
        "diagnostics".into(),
        serde_json::to_value(&d.diagnostics).unwrap_or(J::Null),
    );
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
/// spans without building JSON values.
pub fn write_pdu_json<W: std::io::Write>(
    mut w: W,
    head: &Map<String, J>,
    d: &Decoded,
    opts: &JsonOptions,
) -> serde_json::Result<()> {
    let (fields, tlvs) = span_outs(d, opts);
    w.write_all(b"{").map_err(serde_json::Error::io)?;
    for (k, (key, v)) in head.iter().enumerate() {
        if k > 0 {
            w.write_all(b",").map_err(serde_json::Error::io)?;
        }
        serde_json::to_writer(&mut w, key)?;
        w.write_all(b":").map_err(serde_json::Error::io)?;
        match key.as_str() {
            "fields" => serde_json::to_writer(&mut w, &fields)?,
            "tlvs" => serde_json::to_writer(&mut w, &tlvs)?,
            _ => serde_json::to_writer(&mut w, v)?,
        }
    }
    w.write_all(b"}").map_err(serde_json::Error::io)
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

/// A TLV object; fields in the key order of a JSON map (alphabetical).
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

/// One span as JSON.
fn span_out<'a>(d: &Decoded, s: &'a Span, opts: &JsonOptions) -> SpanOut<'a> {
    let bytes = d.bytes.get(s.range.clone()).unwrap_or(&[]);
    let redact = s.secret && !opts.show_secrets;
    let (hex, value, redacted) = if redact {
        let n = match &s.value {
            Some(Val::Str(v)) => v.chars().count(),
            _ => 0,
        };
        (
            "*".repeat(bytes.len() * 2),
            ValOut::Owned(format!("<redacted, {n} characters>")),
            Some(true),
        )
    } else {
        let value = match &s.value {
            None => ValOut::Null,
            Some(Val::Int(i)) | Some(Val::Hex(i)) => ValOut::Num(*i),
            Some(Val::Str(v)) | Some(Val::Name(v)) => ValOut::Str(v),
        };
        (hex::encode_upper(bytes), value, None)
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
}
