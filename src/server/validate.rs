//! Which command_status a request earns when its fields are wrong, as a real SMSC would answer.
//!
//! Two sources: the codec's diagnostics (an error at a byte offset, mapped to the field whose span
//! holds that offset) and a few semantic checks the codec only warns about (address characters,
//! esm_class message type, reserved data_coding values, short_message with message_payload).

use crate::codec::{decode_with, DecodeOptions, Decoded, Pdu, Severity, SpanKind};
use crate::spec::ids::status::*;
use crate::spec::ids::{cmd, tag};
use crate::spec::values::data_coding;

/// Field name → the status an SMSC answers when that field is invalid. One row per field.
const FIELD_STATUS: &[(&str, u32)] = &[
    ("command_length", ESME_RINVCMDLEN),
    ("command_id", ESME_RINVCMDID),
    ("system_id", ESME_RINVSYSID),
    ("password", ESME_RINVPASWD),
    ("system_type", ESME_RINVSYSTYP),
    ("address_range", ESME_RINVSRCADR),
    ("service_type", ESME_RINVSERTYP),
    ("source_addr_ton", ESME_RINVSRCTON),
    ("source_addr_npi", ESME_RINVSRCNPI),
    ("source_addr", ESME_RINVSRCADR),
    ("dest_addr_ton", ESME_RINVDSTTON),
    ("dest_addr_npi", ESME_RINVDSTNPI),
    ("destination_addr", ESME_RINVDSTADR),
    ("esm_class", ESME_RINVESMCLASS),
    ("protocol_id", ESME_RSYSERR),
    ("priority_flag", ESME_RINVPRTFLG),
    ("schedule_delivery_time", ESME_RINVSCHED),
    ("validity_period", ESME_RINVEXPIRY),
    ("registered_delivery", ESME_RINVREGDLVFLG),
    ("replace_if_present_flag", ESME_RREPLACEFAIL),
    ("data_coding", ESME_RINVDCS),
    ("sm_default_msg_id", ESME_RINVDFTMSGID),
    ("sm_length", ESME_RINVMSGLEN),
    ("short_message", ESME_RINVMSGLEN),
    ("message_id", ESME_RINVMSGID),
    ("number_of_dests", ESME_RINVNUMDESTS),
    ("dest_flag", ESME_RINVDESTFLAG),
    ("dl_name", ESME_RINVDLNAME),
    ("trailing", ESME_RINVTLVSTREAM),
    ("unexpected", ESME_RINVCMDLEN),
];

/// Status for an invalid TLV (its length or value).
const TLV_STATUS: u32 = ESME_RINVTLVLEN;
/// Status when nothing more specific applies.
const FALLBACK: u32 = ESME_RSYSERR;

/// The status for a field name, if it has a row.
pub fn field_status(name: &str) -> Option<u32> {
    FIELD_STATUS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| *s)
}

/// The status for a request the codec calls malformed (`None` when it is well-formed): decoded
/// with spans and without repair hypotheses, the field holding the first error decides.
pub fn malformed_status(bytes: &[u8]) -> Option<u32> {
    let d = decode_with(
        bytes,
        DecodeOptions {
            spans: true,
            repair: false,
        },
    );
    status_for_malformed(&d)
}

/// The status for a decoded PDU with an error: the field holding its first error decides.
pub fn status_for_malformed(d: &Decoded) -> Option<u32> {
    let err = d.first_error()?;
    if let Some(s) = semantic_status(&d.pdu) {
        return Some(s);
    }
    // The deepest span holding the offset; a span starting at the offset wins over one ending there.
    let span = d
        .spans
        .iter()
        .filter(|s| s.range.contains(&err.offset) || s.range.start == err.offset)
        .max_by_key(|s| s.depth);
    let Some(span) = span else {
        // The PDU ended before any field (ran out): the field named in the message decides.
        return Some(status_named_in(&err.message).unwrap_or(FALLBACK));
    };
    // A TLV or one of its parts.
    let top = d
        .spans
        .iter()
        .find(|s| s.depth == 0 && (s.range.contains(&err.offset) || s.range.start == err.offset));
    if top.is_some_and(|t| t.kind == SpanKind::Tlv) {
        return Some(TLV_STATUS);
    }
    if span.range.start == err.offset && span.range.is_empty() {
        return Some(status_named_in(&err.message).unwrap_or(FALLBACK));
    }
    Some(
        field_status(&span.name)
            .or_else(|| status_named_in(&err.message))
            .unwrap_or(FALLBACK),
    )
}

/// The status of the first field named in a diagnostic message ("the PDU ends ... before X").
fn status_named_in(msg: &str) -> Option<u32> {
    if msg.contains("TLV") {
        return Some(TLV_STATUS);
    }
    msg.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .find_map(field_status)
}

/// Checks the codec does not treat as errors but an SMSC rejects, on a submit-like PDU.
pub fn semantic_status(p: &Pdu) -> Option<u32> {
    let is_submit = matches!(
        p.command_id,
        cmd::SUBMIT_SM | cmd::DATA_SM | cmd::SUBMIT_MULTI
    );
    if !is_submit {
        return None;
    }
    let sm_len = p.bytes("short_message").map_or(0, <[u8]>::len);
    if sm_len > 0 && p.tlv(tag::MESSAGE_PAYLOAD).is_some() {
        return Some(ESME_RINVTLVVAL); // message_payload must not come with short_message
    }
    let src = p.bytes("source_addr").unwrap_or_default();
    let src_ton = p.int("source_addr_ton").unwrap_or(0);
    if !address_ok(src, src_ton, true) {
        return Some(ESME_RINVSRCADR);
    }
    if p.command_id != cmd::SUBMIT_MULTI {
        let dst = p.bytes("destination_addr").unwrap_or_default();
        let dst_ton = p.int("dest_addr_ton").unwrap_or(0);
        if dst.is_empty() || !address_ok(dst, dst_ton, false) {
            return Some(ESME_RINVDSTADR);
        }
    }
    let esm = p.int("esm_class").unwrap_or(0);
    // Message type bits 2-5: a submit may be a default message (0) or an ESME
    // delivery / manual acknowledgement (0x08 / 0x10); anything else is for deliver_sm.
    if !matches!(esm & 0x3C, 0x00 | 0x08 | 0x10) {
        return Some(ESME_RINVESMCLASS);
    }
    let dc = p.int("data_coding").unwrap_or(0) as u8;
    if reserved_dcs(dc) {
        return Some(ESME_RINVDCS);
    }
    None
}

/// Digits (an optional leading '+' tolerated), or up to 11 alphanumerics with TON 5.
fn address_ok(a: &[u8], ton: u32, may_be_empty: bool) -> bool {
    if a.is_empty() {
        return may_be_empty;
    }
    if ton == 5 {
        return a.len() <= 11 && a.iter().all(|&b| (0x20..0x7F).contains(&b));
    }
    let digits = a.strip_prefix(b"+").unwrap_or(a);
    !digits.is_empty() && digits.len() <= 20 && digits.iter().all(u8::is_ascii_digit)
}

/// data_coding values the spec leaves reserved.
fn reserved_dcs(dc: u8) -> bool {
    matches!(dc, 0x0B | 0x0C | 0x80..=0xBF) || data_coding(dc).describe() == "reserved"
}

/// True when any diagnostic is an error.
pub fn has_error(d: &Decoded) -> bool {
    d.diagnostics.iter().any(|x| x.severity == Severity::Error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Pdu;
    fn decode(b: &[u8]) -> Vec<u8> {
        b.to_vec()
    }

    fn submit() -> Pdu {
        Pdu::new(0x04, 1)
            .with_int("source_addr_ton", 1)
            .with_str("source_addr", "15550001111")
            .with_int("dest_addr_ton", 1)
            .with_str("destination_addr", "15550002222")
            .with("short_message", crate::codec::Value::Octets(b"hi".to_vec()))
    }

    #[test]
    fn valid_submit_passes() {
        assert_eq!(semantic_status(&submit()), None);
        let alnum = submit()
            .with_int("source_addr_ton", 5)
            .with_str("source_addr", "MyBrand");
        assert_eq!(semantic_status(&alnum), None);
    }

    #[test]
    fn semantic_errors() {
        let s = |p: Pdu| semantic_status(&p);
        assert_eq!(s(submit().with_str("source_addr", "12ab")), Some(0x0A));
        assert_eq!(s(submit().with_str("destination_addr", "")), Some(0x0B));
        assert_eq!(s(submit().with_str("destination_addr", "x1")), Some(0x0B));
        assert_eq!(s(submit().with_int("esm_class", 0x04)), Some(0x43));
        assert_eq!(s(submit().with_int("esm_class", 0x40)), None);
        assert_eq!(s(submit().with_int("data_coding", 0x90)), Some(0x104));
        assert_eq!(s(submit().with_int("data_coding", 0x08)), None);
        assert_eq!(s(submit().with_tlv(0x0424, b"x".to_vec())), Some(0xC4));
    }

    #[test]
    fn malformed_maps_to_field() {
        // TLV with a length running past the end.
        let mut b = submit().encode().unwrap();
        b.extend_from_slice(&[0x02, 0x04, 0x00, 0x10, 0x41]);
        let n = b.len() as u32;
        b[0..4].copy_from_slice(&n.to_be_bytes());
        assert_eq!(malformed_status(&decode(&b)), Some(0xC2));

        // A bad schedule_delivery_time.
        let p = submit().with_str("schedule_delivery_time", "2601011200");
        assert_eq!(malformed_status(&decode(&p.encode().unwrap())), Some(0x61));

        // sm_length larger than what remains.
        let mut b = submit().encode().unwrap();
        let at = b.len() - 3; // sm_length precedes the two octets of "hi"
        b[at] = 9;
        assert_eq!(malformed_status(&decode(&b)), Some(0x01));

        // A system_id over 15 characters in a bind.
        let bind = Pdu::new(0x02, 1)
            .with_str("system_id", "a_very_long_system_id")
            .with_str("password", "pw")
            .with_int("interface_version", 0x34);
        assert_eq!(
            malformed_status(&decode(&bind.encode().unwrap())),
            Some(0x0F)
        );
        // A well-formed PDU has no malformed status.
        assert_eq!(malformed_status(&decode(&submit().encode().unwrap())), None);
    }
}
