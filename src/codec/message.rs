//! Message content: short_message / message_payload as text in its data_coding, the UDH, delivery
//! receipts; plus the field checks that need context (addresses, times, cross-field rules).

use std::ops::Range;

use crate::spec::commands::CommandDef;
use crate::spec::values::{data_coding, Charset};

use super::decode::Dec;
use super::pdu::Value;
use super::span::{Severity, Span, SpanKind, Val};

/// Emit spans for message content at `r` (short_message at depth 0, message_payload value at 1).
pub(crate) fn message_spans(d: &mut Dec, name: &'static str, r: Range<usize>, depth: u8) {
    let dc = d.pdu.int("data_coding").unwrap_or(0) as u8;
    let cs = data_coding(dc).charset;
    let data = &d.buf[r.clone()];
    let kind = if depth == 0 {
        SpanKind::Field
    } else {
        SpanKind::Part
    };
    let text = decode_simple(data, cs);
    let mut s = Span::new(name, r, depth, kind).meaning(Some(format!(
        "{} octets, {}",
        data.len(),
        charset_label(cs)
    )));
    s.value = text.map(Val::Str);
    d.span(s);
}

fn charset_label(cs: Charset) -> &'static str {
    match cs {
        Charset::Gsm7 => "GSM 03.38",
        Charset::Ascii => "IA5/ASCII",
        Charset::Latin1 => "Latin-1",
        Charset::Ucs2 => "UCS2",
        Charset::Binary => "binary",
        Charset::Other => "not decoded",
    }
}

fn decode_simple(data: &[u8], cs: Charset) -> Option<String> {
    match cs {
        Charset::Gsm7 | Charset::Ascii => Some(String::from_utf8_lossy(data).into_owned()),
        Charset::Latin1 => Some(data.iter().map(|&b| b as char).collect()),
        Charset::Ucs2 => {
            let units: Vec<u16> = data
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                .collect();
            Some(String::from_utf16_lossy(&units))
        }
        _ => None,
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
    let ton_field = match name {
        "source_addr" => "source_addr_ton",
        "destination_addr" => "dest_addr_ton",
        "esme_addr" => "esme_addr_ton",
        _ => "",
    };
    let ton = d.pdu.int(ton_field);
    if text.starts_with('+') {
        d.diag(
            at,
            Severity::Warning,
            format!("{name} starts with '+'; with TON international (1) the number is written without it"),
            Some("Strip the '+' and set TON 1, NPI 1.".into()),
        );
    } else if ton == Some(1) && text.starts_with("00") {
        d.diag(
            at,
            Severity::Warning,
            format!(
                "{name} starts with 00 while TON is international: drop the international prefix"
            ),
            None,
        );
    }
    let alnum = text.chars().any(|c| c.is_ascii_alphabetic());
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
            16,
            Severity::Error,
            format!("{} carries both short_message and message_payload; use one (sm_length 0 with message_payload)", def.name),
            None,
        );
    }
}
