//! TLV decoding into spans. Stops cleanly at truncation; vendor and unknown tags are kept raw.

use std::borrow::Cow;

use crate::spec::tlv::{self as tlvspec, TlvKind};
use crate::spec::values::Interp;

use super::decode::Dec;
use super::message;
use super::pdu::Tlv;
use super::span::{push_hex_digits, Severity, Span, SpanKind, Val};
use super::text::lossy;

/// Decode TLVs from `d.pos` to `d.end`.
pub(crate) fn decode_tlvs(d: &mut Dec) {
    while d.pos < d.end {
        let at = d.pos;
        let rem = d.end - at;
        if rem < 4 {
            d.span(
                Span::new("trailing", at..d.end, 0, SpanKind::Unexplained)
                    .meaning(Some("too short for a TLV".into())),
            );
            d.diag(
                at,
                Severity::Error,
                format!("{rem} trailing octet{} after the last field: too few for a TLV (tag and length take 4)", if rem == 1 { "" } else { "s" }),
                Some("command_length counts octets that belong to no field; the sender's length or an earlier field is off.".into()),
            );
            d.pos = d.end;
            return;
        }
        let tag = u16::from_be_bytes([d.buf[at], d.buf[at + 1]]);
        let len = u16::from_be_bytes([d.buf[at + 2], d.buf[at + 3]]) as usize;
        let def = tlvspec::lookup(tag);
        let name: Cow<'static, str> = match def {
            Some(def) => def.name.into(),
            None => format!("tlv_0x{tag:04X}").into(),
        };
        let vstart = at + 4;
        let avail = d.end - vstart;
        let vlen = len.min(avail);
        let vend = vstart + vlen;
        d.span(
            Span::new(name.clone(), at..vend, 0, SpanKind::Tlv).meaning(Some(
                def.map_or_else(|| tlvspec::range_label(tag), |x| x.doc)
                    .into(),
            )),
        );
        let mut tag_text = d.pool.string();
        push_hex_digits(&mut tag_text, u64::from(tag), 4);
        d.span(
            Span::new("tag", at..at + 2, 1, SpanKind::Part)
                .val(Val::Name(tag_text.into()))
                .meaning(Some(name.clone())),
        );
        d.span(Span::new("length", at + 2..at + 4, 1, SpanKind::Part).val(Val::Int(len as u64)));
        if len > avail {
            d.diag(
                at + 2,
                Severity::Error,
                format!("TLV {name} (0x{tag:04X}) says length {len} but only {avail} octet{} remain", if avail == 1 { "" } else { "s" }),
                Some("The TLV length is wrong (an SMSC answers ESME_RINVTLVLEN / ESME_RINVPARLEN), or the PDU was cut short.".into()),
            );
        }
        let value = d.pool.octets_from(&d.buf[vstart..vend]);
        d.pos = vend;
        if vlen > 0 {
            value_span(d, def, &name, vstart..vend);
        }
        match def {
            None if (0x1400..=0x3FFF).contains(&tag) => d.diag(
                at,
                Severity::Info,
                format!("vendor-specific TLV 0x{tag:04X}: shown raw"),
                None,
            ),
            None => d.diag(
                at,
                Severity::Warning,
                format!("unknown TLV tag 0x{tag:04X}: shown raw"),
                None,
            ),
            Some(def) => check_len(d, at, def, len),
        }
        d.pdu.tlvs.push(Tlv { tag, value });
    }
}

/// Tags whose value width differs between versions or implementations: read by actual length.
const ALT_WIDTHS: &[(u16, &[usize])] = &[(0x0604, &[1, 2]), (0x1204, &[1, 4])];

fn alt_width(def: Option<&tlvspec::TlvDef>, len: usize) -> bool {
    def.is_some_and(|d| {
        ALT_WIDTHS
            .iter()
            .any(|(t, w)| *t == d.tag && w.contains(&len))
    })
}

fn check_len(d: &mut Dec, at: usize, def: &tlvspec::TlvDef, len: usize) {
    let (name, kind) = (def.name, def.kind);
    if alt_width(Some(def), len) {
        return;
    }
    let bad = match kind {
        TlvKind::Int { width, .. } => (len != width as usize)
            .then(|| format!("{width} octet{}", if width == 1 { "" } else { "s" })),
        TlvKind::CStr { max } | TlvKind::Octets { max } if len > max as usize => {
            Some(format!("at most {max} octets"))
        }
        TlvKind::NetworkErrorCode | TlvKind::BroadcastContentType | TlvKind::UnitAndNumber
            if len != 3 =>
        {
            Some("3 octets".into())
        }
        TlvKind::Flag if len > 1 => Some("0 octets (3.4) or 1 octet (5.0)".into()),
        _ => None,
    };
    if let Some(want) = bad {
        d.diag(
            at + 2,
            Severity::Error,
            format!("TLV {name} has length {len}; it must be {want}"),
            Some("An SMSC answers such a TLV with ESME_RINVTLVLEN (0xC2).".into()),
        );
    }
}

fn value_span(
    d: &mut Dec,
    def: Option<&'static tlvspec::TlvDef>,
    name: &str,
    r: std::ops::Range<usize>,
) {
    let kind = def.map(|x| x.kind);
    let bytes = &d.buf[r.clone()];
    let be = |b: &[u8]| b.iter().fold(0u32, |a, &x| (a << 8) | x as u32);
    let (val, meaning): (Option<Val>, Option<Cow<'static, str>>) = match kind {
        Some(TlvKind::Payload) => {
            message::message_spans(d, "value", r, 1);
            return;
        }
        Some(TlvKind::Int { width, .. })
            if bytes.len() == width as usize || alt_width(def, bytes.len()) =>
        {
            let v = be(bytes);
            (
                Some(Val::Int(v as u64)),
                def.and_then(|x| tlvspec::value_meaning(x, v)),
            )
        }
        Some(TlvKind::Flag) if bytes.len() == 1 => {
            let v = bytes[0] as u32;
            (
                Some(Val::Int(v as u64)),
                def.and_then(|x| tlvspec::value_meaning(x, v)),
            )
        }
        Some(TlvKind::CStr { .. }) => {
            let end = bytes.iter().position(|&b| b == 0);
            let s = d
                .pool
                .string_from(&lossy(&bytes[..end.unwrap_or(bytes.len())]));
            if end.is_none() {
                d.diag(
                    r.start,
                    Severity::Warning,
                    format!("TLV {name} is a C-Octet string but has no terminating NUL"),
                    None,
                );
            }
            let m = (name == "broadcast_end_time").then(|| message::describe_time(&s));
            (Some(Val::Str(s.into())), m.map(Cow::Owned))
        }
        Some(TlvKind::NetworkErrorCode) if bytes.len() == 3 => {
            let t = bytes[0] as u32;
            let code = be(&bytes[1..]);
            let tn = Interp::Table(crate::spec::tlv::NETWORK_TYPES)
                .meaning(t)
                .unwrap_or_default();
            (
                Some(Val::Name(format!("{tn} error {code}").into())),
                Some(format!("network type {t} ({tn}), error code {code} (0x{code:04X})").into()),
            )
        }
        Some(TlvKind::BroadcastContentType) if bytes.len() == 3 => {
            let t = bytes[0] as u32;
            let svc = be(&bytes[1..]);
            let tn = Interp::Table(crate::spec::tlv::NETWORK_TYPES)
                .meaning(t)
                .unwrap_or_default();
            (
                Some(Val::Name(format!("{tn}, content type 0x{svc:04X}").into())),
                None,
            )
        }
        Some(TlvKind::UnitAndNumber) if bytes.len() == 3 => {
            let unit = bytes[0];
            let n = be(&bytes[1..]);
            let u = match unit {
                0x00 => "as frequently as possible",
                0x08 => "seconds",
                0x09 => "minutes",
                0x0A => "hours",
                0x0B => "days",
                0x0C => "weeks",
                0x0D => "months",
                0x0E => "years",
                _ => "reserved unit",
            };
            (Some(Val::Name(format!("{n} {u}").into())), None)
        }
        Some(TlvKind::Subaddress) if !bytes.is_empty() => {
            let t = match bytes[0] {
                0x80 => "NSAP (even)",
                0x88 => "NSAP (odd)",
                0xA0 => "user specified",
                _ => "reserved type",
            };
            (
                Some(Val::Name(
                    format!("{t}: {}", hex::encode_upper(&bytes[1..])).into(),
                )),
                None,
            )
        }
        Some(TlvKind::CallbackNum) if bytes.len() >= 3 => {
            let mode = if bytes[0] & 1 == 1 { "ASCII" } else { "TBCD" };
            let digits = String::from_utf8_lossy(&bytes[3..]).into_owned();
            (
                Some(Val::Str(digits.into())),
                Some(
                    format!(
                        "digit mode {mode}, TON {}, NPI {}",
                        Interp::Ton.meaning(bytes[1] as u32).unwrap_or_default(),
                        Interp::Npi.meaning(bytes[2] as u32).unwrap_or_default()
                    )
                    .into(),
                ),
            )
        }
        Some(TlvKind::BroadcastArea) if !bytes.is_empty() => {
            let f = match bytes[0] {
                0 => "alias / name",
                1 => "ellipsoid arc",
                2 => "polygon",
                _ => "reserved format",
            };
            let rest = &bytes[1..];
            let shown = if rest.iter().all(|b| (0x20..0x7F).contains(b)) {
                String::from_utf8_lossy(rest).into_owned()
            } else {
                hex::encode_upper(rest)
            };
            (Some(Val::Name(format!("{f}: {shown}").into())), None)
        }
        _ => {
            let printable = !bytes.is_empty() && bytes.iter().all(|b| (0x20..0x7F).contains(b));
            (
                printable.then(|| Val::Str(d.pool.string_from(&lossy(bytes)).into())),
                None,
            )
        }
    };
    let mut s = Span::new("value", r, 1, SpanKind::Part).meaning(meaning);
    s.value = val;
    d.span(s);
}
