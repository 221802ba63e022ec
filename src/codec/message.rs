//! Message content: short_message / message_payload as text in its data_coding, the UDH, delivery
//! receipts; plus the field checks that need context (addresses, times, cross-field rules).

use std::fmt::Write;
use std::ops::Range;

use crate::spec::commands::CommandDef;
use crate::spec::ids::cmd;
use crate::spec::values::data_coding;

use super::decode::Dec;
use super::pdu::Value;
use super::span::{Severity, Span, SpanKind, Val};
use super::{receipt, text, udh};

/// Emit spans for message content at `r` (short_message at depth 0, message_payload value at 1):
/// the text in its data_coding, the UDH when esm_class says so, a delivery receipt when the text
/// is one.
pub(crate) fn message_spans(d: &mut Dec, name: &'static str, r: Range<usize>, depth: u8) {
    let dc = d.pdu.int("data_coding").unwrap_or(0) as u8;
    let esm = d.pdu.int("esm_class").unwrap_or(0) as u8;
    let cs = data_coding(dc).charset;
    let buf = d.buf;
    let data = &buf[r.clone()];
    let kind = if depth == 0 {
        SpanKind::Field
    } else {
        SpanKind::Part
    };
    let mut text_start = 0usize;
    let mut udh_parsed = None;
    if esm & 0x40 != 0 {
        match udh::parse(data) {
            Ok(u) => {
                text_start = u.len.min(data.len());
                udh_parsed = Some(u);
            }
            Err(e) => d.diag(
                r.start,
                Severity::Error,
                format!("esm_class has UDHI set but the UDH is broken: {e}"),
                Some("Either clear UDHI (esm_class 0x40) or write a valid UDH: UDHL, then IEI/length/data elements.".into()),
            ),
        }
    }
    let body = &data[text_start..];
    let is_deliver = matches!(d.pdu.command_id, cmd::DELIVER_SM | cmd::DATA_SM);
    if !d.opts.spans {
        // Fast path (sessions, servers): only a receipt is worth decoding the text for.
        if esm & 0x3C != 0 {
            if let Some(t) = text::decode_text_into(body, cs, d.pool.string()).text {
                d.receipt = receipt::parse_in(&t, &mut d.pool);
                d.pool.keep_string(t);
            }
        }
        return;
    }
    let text::DecodedText {
        text: mut shown,
        issues: text_issues,
    } = text::decode_text_into(body, cs, d.pool.string());
    let utf8 = text::utf8_mistake(body, cs, shown.as_deref());
    let label = text::charset_name(cs);
    let receipt = shown
        .as_deref()
        .filter(|_| esm & 0x3C != 0 || is_deliver)
        .and_then(|t| receipt::parse_in(t, &mut d.pool));

    let mut summary = d.count_text(data.len(), " octets, ");
    summary.push_str(label);
    if let Some((rf, total, seq)) = udh_parsed.as_ref().and_then(|u| u.concat()) {
        let _ = write!(summary, "; part {seq} of {total} (reference {rf})");
    }
    if let Some(rc) = &receipt {
        summary.push_str("; delivery receipt");
        if let Some(si) = rc.stat_info() {
            let fin = if si.is_final { ", final" } else { "" };
            for part in [": ", si.code, " (", si.meaning, fin, ")"] {
                summary.push_str(part);
            }
        }
    }
    let mut parent = Span::new(name, r.clone(), depth, kind).meaning(Some(summary.into()));
    // The text goes to the parent, or to the text part under the UDH (the parent keeps a copy).
    parent.value = if udh_parsed.is_some() {
        shown.as_deref().map(|t| d.pool.string_from(t))
    } else {
        shown.take()
    }
    .map(|t| Val::Str(t.into()));
    d.span(parent);
    if let Some(u) = &udh_parsed {
        let base = r.start;
        d.span(
            Span::new("udh_length", base..base + 1, depth + 1, SpanKind::Part)
                .val(Val::Int(data[0] as u64))
                .meaning(Some(format!("UDH of {} octets follows", data[0]).into())),
        );
        for ie in &u.ies {
            let ir = ie.range();
            let desc = match &ie.kind {
                udh::IeKind::Concat8 {
                    reference,
                    total,
                    seq,
                } => format!("reference {reference}, part {seq} of {total}"),
                udh::IeKind::Concat16 {
                    reference,
                    total,
                    seq,
                } => format!("reference {reference}, part {seq} of {total}"),
                udh::IeKind::Ports8 { dest, src } => {
                    format!("destination port {dest}, source port {src}")
                }
                udh::IeKind::Ports16 { dest, src } => {
                    format!("destination port {dest}, source port {src}")
                }
                udh::IeKind::Other { .. } => {
                    hex::encode_upper(data.get(ie.data.clone()).unwrap_or(&[]))
                }
            };
            d.span(
                Span::new(
                    format!("ie 0x{:02X} {}", ie.iei, ie.name()),
                    base + ir.start..base + ir.end,
                    depth + 1,
                    SpanKind::Part,
                )
                .val(Val::Name(desc.into())),
            );
        }
        for issue in &u.issues {
            d.diag(
                base + issue.offset,
                Severity::Warning,
                format!("UDH: {}", issue.message),
                None,
            );
        }
        if text_start < data.len() {
            let mut m = d.count_text(data.len() - text_start, " octets, ");
            m.push_str(label);
            let mut t = Span::new("text", base + text_start..r.end, depth + 1, SpanKind::Part)
                .meaning(Some(m.into()));
            t.value = shown.map(|t| Val::Str(t.into()));
            d.span(t);
        }
    }
    if let Some(m) = &utf8 {
        d.diag(
            r.start + text_start,
            Severity::Warning,
            format!("{name}: {}", m.message(cs)),
            Some(m.hint().into()),
        );
    }
    // UTF-8 octets explain every octet the declared alphabet cannot hold: one diagnostic, not
    // one per octet.
    let utf8_octets = matches!(utf8, Some(text::Utf8Mistake::Utf8 { .. }))
        || (utf8.is_some() && std::str::from_utf8(body).is_ok());
    for issue in text_issues.iter().filter(|_| !utf8_octets) {
        d.diag(
            r.start + text_start + issue.index,
            Severity::Warning,
            format!("{name}: {}", issue.message()),
            None,
        );
    }
    if let Some(m) = text::coding_mismatch(body, cs).filter(|_| !utf8_octets) {
        d.diag(
            r.start + text_start,
            Severity::Info,
            format!("data_coding 0x{dc:02X}: {m}"),
            None,
        );
    }
    if let Some(rc) = receipt {
        for issue in &rc.issues {
            d.diag(
                r.start + text_start + issue.range.start,
                Severity::Warning,
                format!("receipt: {}", issue.message),
                None,
            );
        }
        d.receipt = Some(rc);
    }
}

/// Describe an SMPP time string.
pub(crate) fn describe_time(s: &str) -> String {
    match super::time::parse(s) {
        Ok(t) => t.describe(),
        Err(_) => "not a valid SMPP time".to_string(),
    }
}

/// Checks on a time field's content.
pub(crate) fn check_time(d: &mut Dec, name: &str, at: usize, text: &str) {
    use super::time::TimeError;
    let Err(e) = super::time::parse(text) else {
        return;
    };
    let (off, hint) = match &e {
        TimeError::WrongLength { len } => (
            0,
            if *len == 12 || *len == 10 {
                "It looks like YYMMDDhhmm[ss] without the tenths and UTC offset: append them, e.g. 0000+ / 000+ for UTC."
            } else {
                "Write the full 16-character form, e.g. 261122143000000+ (absolute) or 000001000000000R (relative), or leave it empty."
            },
        ),
        TimeError::NotDigit { offset, .. } | TimeError::OutOfRange { offset, .. } => (*offset, "Check the field order YYMMDDhhmmsstnnp."),
        TimeError::BadKind { .. } => (15, "The 16th character says what the time is: '+'/'-' absolute (offset from UTC), 'R' relative."),
        _ => (0, "Check the field order YYMMDDhhmmsstnnp."),
    };
    d.diag(
        at + off,
        Severity::Error,
        format!("{name}: {e}"),
        Some(hint.into()),
    );
}

/// Checks on an address field's content, using its TON when known.
pub(crate) fn check_address(d: &mut Dec, name: &str, at: usize, text: &str) {
    // The TON is looked up only for the addresses a rule needs it for (most are plain digits).
    let ton_of = |d: &Dec| {
        let ton_field = match name {
            "source_addr" => "source_addr_ton",
            "destination_addr" => "dest_addr_ton",
            "esme_addr" => "esme_addr_ton",
            _ => "",
        };
        d.pdu.int(ton_field)
    };
    if text.starts_with('+') {
        d.diag(
            at,
            Severity::Warning,
            format!("{name} starts with '+'; with TON international (1) the number is written without it"),
            Some("Strip the '+' and set TON 1, NPI 1.".into()),
        );
    } else if text.starts_with("00") && ton_of(d) == Some(1) {
        d.diag(
            at,
            Severity::Warning,
            format!(
                "{name} starts with 00 while TON is international: drop the international prefix"
            ),
            None,
        );
    }
    let alnum = text.bytes().any(|b| b.is_ascii_alphabetic());
    let ton = if alnum { ton_of(d) } else { None };
    if alnum && ton.is_some() && ton != Some(5) {
        d.diag(
            at,
            Severity::Warning,
            format!("{name} {text:?} contains letters but TON is {} (alphanumeric is 5)", ton.unwrap_or(0)),
            Some("Set the TON to 5 (alphanumeric) for a sender name; many SMSCs reject it otherwise (ESME_RINVSRCTON).".into()),
        );
    }
}

/// Rules across fields, checked after the whole body is read.
pub(crate) fn cross_checks(d: &mut Dec, def: &CommandDef) {
    let sm_len = match d.pdu.fields.get("short_message") {
        Some(Value::Octets(b)) => b.len(),
        _ => 0,
    };
    if sm_len > 0 && d.pdu.tlv(0x0424).is_some() {
        d.diag(
            d.sm_length_at.unwrap_or(16),
            Severity::Error,
            format!("{} carries both short_message and message_payload; use one (sm_length 0 with message_payload)", def.name),
            None,
        );
    }
}
