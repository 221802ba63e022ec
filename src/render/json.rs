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

fn val_json(v: &Option<Val>) -> J {
    match v {
        None => J::Null,
        Some(Val::Int(i)) | Some(Val::Hex(i)) => json!(i),
        Some(Val::Str(s)) | Some(Val::Name(s)) => json!(s),
    }
}

fn span_json(d: &Decoded, s: &Span, opts: &JsonOptions) -> Map<String, J> {
    let mut m = Map::new();
    m.insert("name".into(), json!(s.name));
    m.insert("offset".into(), json!(s.range.start));
    m.insert("length".into(), json!(s.range.len()));
    let bytes = d.bytes.get(s.range.clone()).unwrap_or(&[]);
    let redact = s.secret && !opts.show_secrets;
    if redact {
        let n = match &s.value {
            Some(Val::Str(v)) => v.chars().count(),
            _ => 0,
        };
        m.insert("hex".into(), json!("*".repeat(bytes.len() * 2)));
        m.insert("value".into(), json!(format!("<redacted, {n} characters>")));
        m.insert("redacted".into(), json!(true));
    } else {
        m.insert("hex".into(), json!(hex::encode_upper(bytes)));
        m.insert("value".into(), val_json(&s.value));
    }
    if let Some(meaning) = &s.meaning {
        m.insert("meaning".into(), json!(meaning));
    }
    if s.kind == SpanKind::Unexplained {
        m.insert("unexplained".into(), json!(true));
    }
    m
}

/// The JSON object of one PDU. `input_offset` is where the PDU starts in the input.
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
    }
    o.insert("octets".into(), json!(d.bytes.len()));
    o.insert("hex".into(), json!(masked_hex(d, opts)));
    o.insert("malformed".into(), json!(d.is_malformed()));

    let mut fields: Vec<J> = Vec::new();
    let mut tlvs: Vec<J> = Vec::new();
    let mut i = 0;
    while i < d.spans.len() {
        let top = &d.spans[i];
        let mut j = i + 1;
        while j < d.spans.len() && d.spans[j].depth > top.depth {
            j += 1;
        }
        let children = &d.spans[i + 1..j];
        if top.kind == SpanKind::Tlv {
            let tag = d
                .bytes
                .get(top.range.start..top.range.start + 2)
                .map(|b| u16::from_be_bytes([b[0], b[1]]))
                .unwrap_or(0);
            let mut m = Map::new();
            m.insert("tag".into(), json!(tag));
            m.insert("name".into(), json!(top.name));
            m.insert("offset".into(), json!(top.range.start));
            let len = d
                .bytes
                .get(top.range.start + 2..top.range.start + 4)
                .map(|b| u16::from_be_bytes([b[0], b[1]]))
                .unwrap_or(0);
            m.insert("length".into(), json!(len));
            let value = children
                .iter()
                .find(|c| c.depth == top.depth + 1 && c.name == "value");
            match value {
                Some(v) => {
                    let vj = span_json(d, v, opts);
                    m.insert("hex".into(), vj.get("hex").cloned().unwrap_or(J::Null));
                    m.insert("value".into(), vj.get("value").cloned().unwrap_or(J::Null));
                    if let Some(me) = vj.get("meaning") {
                        m.insert("meaning".into(), me.clone());
                    }
                }
                None => {
                    m.insert("hex".into(), json!(""));
                    m.insert("value".into(), J::Null);
                }
            }
            if let Some(me) = &top.meaning {
                m.insert("description".into(), json!(me));
            }
            let parts: Vec<J> = children
                .iter()
                .filter(|c| c.depth > top.depth + 1)
                .map(|c| J::Object(span_json(d, c, opts)))
                .collect();
            if !parts.is_empty() {
                m.insert("children".into(), J::Array(parts));
            }
            tlvs.push(J::Object(m));
        } else {
            let mut m = span_json(d, top, opts);
            if !children.is_empty() {
                let kids: Vec<J> = children
                    .iter()
                    .map(|c| {
                        let mut cm = span_json(d, c, opts);
                        cm.insert("depth".into(), json!(c.depth - top.depth));
                        J::Object(cm)
                    })
                    .collect();
                m.insert("children".into(), J::Array(kids));
            }
            fields.push(J::Object(m));
        }
        i = j;
    }
    o.insert("fields".into(), J::Array(fields));
    o.insert("tlvs".into(), J::Array(tlvs));
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
