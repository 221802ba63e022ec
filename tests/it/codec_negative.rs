//! Negative vectors: malformed PDUs and streams, with the exact diagnostic offsets and key words
//! the decoder must report.

use smppdiag::codec::{
    decode, decode_pdu, decode_stream, Decoded, Diagnostic, Pdu, Severity, SpanKind, Val, Value,
};

use crate::codec_golden::{assert_tiles, load};

fn h(s: &str) -> Vec<u8> {
    let digits: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(digits).expect("test hex")
}

/// The diagnostic at `offset` with `severity` whose message contains every word.
fn expect<'a>(d: &'a Decoded, offset: usize, severity: Severity, words: &[&str]) -> &'a Diagnostic {
    d.diagnostics
        .iter()
        .find(|x| {
            x.offset == offset
                && x.severity == severity
                && words
                    .iter()
                    .all(|w| x.message.to_lowercase().contains(&w.to_lowercase()))
        })
        .unwrap_or_else(|| {
            panic!(
                "no {severity:?} at offset {offset} containing {words:?}; diagnostics: {:#?}",
                d.diagnostics
            )
        })
}

fn errors(d: &Decoded) -> Vec<&Diagnostic> {
    d.diagnostics
        .iter()
        .filter(|x| x.severity == Severity::Error)
        .collect()
}

/// A clean submit_sm_resp body prefix: header (length filled in) + message_id "M1".
fn submit_sm_resp_with(status: u32, tail: &str) -> Vec<u8> {
    let mut b = h(&format!(
        "00000000 80000004 {status:08X} 00000001 4D3100 {tail}"
    ));
    let n = b.len() as u32;
    b[..4].copy_from_slice(&n.to_be_bytes());
    b
}

/// submit_sm with the given service_type..sm_default_msg_id replaced by a fixed layout and the
/// schedule_delivery_time, short_message and TLV tail given.
fn submit_sm(sched: &str, sm_len: u8, sm: &[u8], tail: &str) -> Vec<u8> {
    let mut b = h("00000000 00000004 00000000 00000001 00 0101 3100 0101 3200 00 00 00");
    b.extend(sched.as_bytes());
    b.push(0); // schedule_delivery_time NUL
    b.extend(h("00 00 00 00 00")); // validity NULL, registered_delivery, replace, data_coding, default id
    b.push(sm_len);
    b.extend(sm);
    b.extend(h(tail));
    let n = b.len() as u32;
    b[..4].copy_from_slice(&n.to_be_bytes());
    b
}

#[test]
fn command_length_below_16() {
    let d = decode(&h("0000000C 00000015 00000000 00000001"));
    expect(&d, 0, Severity::Error, &["command_length 12", "16"]);
    assert_tiles(&d);
}

#[test]
fn command_length_absurd() {
    let d = decode(&h("7FFFFFFF 00000015 00000000 00000001"));
    expect(&d, 0, Severity::Error, &["absurd"]);
    assert_tiles(&d);
    // framing does not wait for (or allocate) two gigabytes
    let parts = decode_stream(&h("7FFFFFFF 00000015 00000000 00000001"));
    assert_eq!(parts.len(), 1);
}

/// Seed 000: bind_transmitter claiming 28 octets, 26 present; it ends before address_range.
#[test]
fn seed_000_bind_transmitter_short() {
    let bytes = h("0000001C 00000002 00000000 00000001 74657374 000000 000000");
    assert_eq!(bytes.len(), 26);
    let d = decode(&bytes);
    expect(&d, 0, Severity::Error, &["28", "26", "2 missing"]);
    expect(&d, 26, Severity::Error, &["ends", "address_range"]);
    assert_eq!(errors(&d).len(), 2, "{:#?}", d.diagnostics);
    assert_eq!(d.pdu.string("system_id").as_deref(), Some("test"));
    assert_eq!(d.repaired, None);
    assert_tiles(&d);
}

/// Seed 004: submit_sm with 0x2F = 47 in command_length but 51 octets, NULL times written as four
/// zero octets, one-octet fields missing and "0005" before "Hello".
#[test]
fn seed_004_submit_sm_repaired() {
    let bytes = h(
        "0000002F 00000004 00000000 00000001 00 01 01 3132333400 01 01 3938373600 00 00 00
                   00000000 00000000 00 00 0005 48656C6C6F",
    );
    assert_eq!(bytes.len(), 51);
    let d = decode(&bytes);
    expect(&d, 0, Severity::Error, &["47", "51"]);
    expect(
        &d,
        34,
        Severity::Error,
        &["schedule_delivery_time", "four zero octets"],
    );
    expect(
        &d,
        38,
        Severity::Error,
        &["validity_period", "four zero octets"],
    );
    assert!(
        d.diagnostics
            .iter()
            .any(|x| x.message.contains("data_coding") && x.message.contains("missing")),
        "the missing data_coding is named: {:#?}",
        d.diagnostics
    );
    let note = expect(&d, 0, Severity::Info, &["sender mistake"]);
    let fixed = d.repaired.clone().expect("a corrected PDU");
    assert!(note
        .hint
        .as_deref()
        .is_some_and(|x| x.contains(&hex::encode_upper(&fixed))));
    assert_eq!(
        hex::encode_upper(&fixed),
        "0000002E0000000400000000000000010001013132333400010139383736000000000000000000000548656C6C6F"
    );
    let r = decode(&fixed);
    assert!(errors(&r).is_empty(), "{:#?}", r.diagnostics);
    let p = decode_pdu(&fixed).expect("corrected PDU is valid");
    assert_eq!(p.name(), "submit_sm");
    assert_eq!(p.bytes("short_message"), Some(&b"Hello"[..]));
    assert_eq!(p.string("source_addr").as_deref(), Some("1234"));
    assert_eq!(p.string("destination_addr").as_deref(), Some("9876"));
    assert_eq!(p.string("schedule_delivery_time").as_deref(), Some(""));
    assert_eq!(p.int("data_coding"), Some(0));
    assert_tiles(&d);
}

#[test]
fn command_length_smaller_than_bytes() {
    let d = decode(&h("00000010 00000015 00000000 00000001 0000"));
    expect(&d, 0, Severity::Error, &["16", "18", "2 extra"]);
    expect(&d, 16, Severity::Error, &["2 unexpected octets"]);
    assert_tiles(&d);
}

#[test]
fn cstring_without_nul() {
    let d = decode(&h("00000014 80000004 00000000 00000001 41424344"));
    expect(
        &d,
        16,
        Severity::Error,
        &["message_id", "no terminating NUL"],
    );
    assert_eq!(d.pdu.string("message_id").as_deref(), Some("ABCD"));
    assert_tiles(&d);
}

#[test]
fn overlong_password_is_a_warning() {
    // password "123456789" (9 characters, 8 allowed)
    let b = h("00000021 00000002 00000000 00000001 7300 31323334353637383900 00 34 00 00 00");
    assert_eq!(b.len(), 0x21);
    let d = decode(&b);
    expect(
        &d,
        18,
        Severity::Warning,
        &["password", "9 characters", "at most 8"],
    );
    assert!(errors(&d).is_empty(), "{:#?}", d.diagnostics);
    assert_tiles(&d);
}

#[test]
fn overlong_system_id() {
    // system_id "ABCDEFGHIJKLMNOP" (16 characters, 15 allowed)
    let b = h("00000029 00000002 00000000 00000001 4142434445464748494A4B4C4D4E4F5000 707700 00 34 00 00 00");
    assert_eq!(b.len(), 0x29);
    let d = decode(&b);
    let x = d
        .diagnostics
        .iter()
        .find(|x| {
            x.offset == 16 && x.message.contains("system_id") && x.message.contains("at most 15")
        })
        .unwrap_or_else(|| panic!("{:#?}", d.diagnostics));
    assert!(x.severity >= Severity::Warning);
    assert_eq!(
        d.pdu.string("system_id").as_deref(),
        Some("ABCDEFGHIJKLMNOP")
    );
    assert_tiles(&d);
}

#[test]
fn time_field_of_ten_characters() {
    let b = submit_sm("2401021530", 5, b"Hello", "");
    let d = decode(&b);
    // schedule_delivery_time starts after 16 + 1 + 4 + 4 + 3 = 28
    expect(
        &d,
        28,
        Severity::Error,
        &["schedule_delivery_time", "10 characters", "16"],
    );
    let x = expect(&d, 28, Severity::Error, &["schedule_delivery_time"]);
    assert!(
        x.hint.as_deref().is_some_and(|t| t.contains("tenths")),
        "{x:?}"
    );
    assert_eq!(d.repaired, None);
    assert_tiles(&d);
}

#[test]
fn sm_length_beyond_remaining() {
    let b = submit_sm("", 10, b"Hello", "");
    let d = decode(&b);
    // short_message at 16 + 1 + 4 + 4 + 3 + 1 + 5 + 1 = 35
    expect(&d, 35, Severity::Error, &["sm_length", "10", "5 remain"]);
    assert_eq!(d.pdu.bytes("short_message"), Some(&b"Hello"[..]));
    assert_tiles(&d);
}

/// Both short_message and message_payload: the diagnostic points at one of the two, not at the
/// start of the body.
#[test]
fn short_message_and_message_payload() {
    let b = submit_sm("", 5, b"Hello", "0424 0002 4869");
    let d = decode(&b);
    let sm_length_at = 34;
    let tlv_at = 40;
    let x = d
        .diagnostics
        .iter()
        .find(|x| x.message.contains("both short_message and message_payload"))
        .unwrap_or_else(|| panic!("{:#?}", d.diagnostics));
    assert_eq!(x.severity, Severity::Error);
    assert!(
        x.offset == sm_length_at || x.offset == tlv_at,
        "offset {} points at neither sm_length ({sm_length_at}) nor message_payload ({tlv_at})",
        x.offset
    );
}

#[test]
fn tlv_length_overrun() {
    let b = submit_sm_resp_with(0, "001D 0010 616263");
    let d = decode(&b);
    expect(
        &d,
        21,
        Severity::Error,
        &["additional_status_info_text", "length 16", "only 3"],
    );
    assert_tiles(&d);
}

#[test]
fn trailing_octets_after_tlvs() {
    for (n, tail) in [(1, "AA"), (2, "AABB"), (3, "AABBCC")] {
        let b = submit_sm_resp_with(0, &format!("0204 0002 0001 {tail}"));
        let d = decode(&b);
        let at = 19 + 6;
        expect(
            &d,
            at,
            Severity::Error,
            &[&format!("{n} trailing octet"), "tlv"],
        );
        let s = d
            .spans
            .iter()
            .find(|s| s.range.start == at && s.depth == 0)
            .expect("span");
        assert_eq!(s.kind, SpanKind::Unexplained);
        assert_eq!(s.range, at..at + n);
        assert_tiles(&d);
    }
}

#[test]
fn unknown_command_id_keeps_raw_body() {
    let b = h("00000014 00000099 00000000 00000001 DEADBEEF");
    let d = decode(&b);
    expect(
        &d,
        4,
        Severity::Error,
        &["unknown command_id", "0x00000099"],
    );
    let body = d
        .spans
        .iter()
        .find(|s| s.name == "body")
        .expect("raw body span");
    assert_eq!(body.range, 16..20);
    assert_eq!(body.kind, SpanKind::Unexplained);
    assert_eq!(
        d.pdu.fields.get("body"),
        Some(&Value::Octets(h("DEADBEEF")))
    );
    assert_eq!(d.pdu.encode().expect("encodes"), b);
    assert_tiles(&d);
}

#[test]
fn unknown_command_id_little_endian_hint() {
    // submit_sm's id written little-endian
    let d = decode(&h("00000010 04000000 00000000 00000001"));
    let x = expect(&d, 4, Severity::Error, &["unknown command_id"]);
    assert!(
        x.hint
            .as_deref()
            .is_some_and(|t| t.contains("little-endian")),
        "{x:?}"
    );
}

#[test]
fn unknown_and_vendor_tlvs_kept_raw() {
    let b = submit_sm_resp_with(0, "4000 0002 AABB 1400 0001 01 3FFF 0000");
    let d = decode(&b);
    assert!(errors(&d).is_empty(), "{:#?}", d.diagnostics);
    expect(&d, 19, Severity::Warning, &["unknown TLV tag 0x4000"]);
    expect(&d, 25, Severity::Info, &["vendor", "0x1400"]);
    expect(&d, 30, Severity::Info, &["vendor", "0x3FFF"]);
    let tags: Vec<(u16, Vec<u8>)> = d
        .pdu
        .tlvs
        .iter()
        .map(|t| (t.tag, t.value.clone()))
        .collect();
    assert_eq!(
        tags,
        vec![(0x4000, h("AABB")), (0x1400, h("01")), (0x3FFF, vec![])]
    );
    assert!(d
        .spans
        .iter()
        .any(|s| s.name == "tlv_0x4000" && s.range == (19..25)));
    assert_eq!(d.pdu.encode().expect("encodes"), b);
    assert_tiles(&d);
}

#[test]
fn error_response_with_body_is_noted_and_decoded() {
    let b = submit_sm_resp_with(0x58, "");
    let d = decode(&b);
    expect(&d, 16, Severity::Info, &["error response", "body"]);
    assert!(
        d.diagnostics.iter().all(|x| x.severity == Severity::Info),
        "{:#?}",
        d.diagnostics
    );
    assert_eq!(d.pdu.string("message_id").as_deref(), Some("M1"));
    assert_eq!(
        d.spans
            .iter()
            .find(|s| s.name == "command_status")
            .and_then(|s| s.value.clone()),
        Some(Val::Name("ESME_RTHROTTLED".into()))
    );
}

#[test]
fn error_response_without_body_is_clean() {
    let d = decode(&h("00000010 80000004 00000058 00000001"));
    assert!(d.diagnostics.is_empty(), "{:#?}", d.diagnostics);
    assert_eq!(
        decode_pdu(&d.bytes),
        Ok(Pdu {
            command_status: 0x58,
            ..Pdu::new(0x8000_0004, 1)
        })
    );
    assert_tiles(&d);
}

#[test]
fn request_with_nonzero_status() {
    let d = decode(&h("00000010 00000015 00000001 00000001"));
    expect(&d, 8, Severity::Warning, &["command_status", "request"]);
    assert!(errors(&d).is_empty());
}

/// submit_multi cut right after dest_flag 1: one "ends" error, not one per missing member.
#[test]
fn submit_multi_truncated_dest_reports_once() {
    let d = decode(&h(
        "00000017 00000021 00000000 00000001 00 01 01 3100 01 01",
    ));
    let ends: Vec<_> = d
        .diagnostics
        .iter()
        .filter(|x| x.message.contains("ends at offset"))
        .collect();
    assert_eq!(ends.len(), 1, "{ends:#?}");
    assert_eq!(ends[0].offset, 23);
    assert!(ends[0].message.contains("dest_addr_ton"));
}

/// An unknown dest_flag stops decoding, but the rest of the bytes still get a span.
#[test]
fn submit_multi_bad_dest_flag_tiles() {
    let d = decode(&h(
        "0000001C 00000021 00000000 00000001 00 01 01 3100 01 03 414243 00 00",
    ));
    expect(&d, 22, Severity::Error, &["dest_flag 3"]);
    assert_tiles(&d);
}

/// submit_multi_resp whose last unsuccess_sme has 2 of the 4 error_status_code octets: the two
/// octets get a span, and the message does not say the PDU ends before them.
#[test]
fn submit_multi_resp_partial_status_tiles() {
    let d = decode(&h(
        "0000001A 80000021 00000000 00000001 00 01 01 01 3100 0000",
    ));
    let x = expect(&d, 22, Severity::Error, &["error_status_code"]);
    assert!(
        !x.message.contains("ends at offset 22"),
        "2 octets are present at 22: {x:?}"
    );
    assert_tiles(&d);
}

// ----- streams -----

#[test]
fn stream_splits_several_pdus() {
    let mut s = load("enquire_link");
    s.extend(load("submit_sm"));
    s.extend(load("submit_sm_resp"));
    let parts = decode_stream(&s);
    let got: Vec<(usize, String)> = parts.iter().map(|(o, d)| (*o, d.command_name())).collect();
    assert_eq!(
        got,
        vec![
            (0, "enquire_link".into()),
            (16, "submit_sm".into()),
            (100, "submit_sm_resp".into())
        ]
    );
    assert!(parts.iter().all(|(_, d)| errors(d).is_empty()));
}

/// A PDU whose command_length is wrong, followed by a good one: the stream resynchronises on the
/// good header, and the bad PDU is reported.
#[test]
fn stream_resynchronises_after_bad_length() {
    // enquire_link claiming 20 octets but 16 long, then submit_sm_resp
    let mut s = h("00000014 00000015 00000000 00000001");
    s.extend(load("submit_sm_resp"));
    let parts = decode_stream(&s);
    let got: Vec<(usize, String)> = parts.iter().map(|(o, d)| (*o, d.command_name())).collect();
    assert_eq!(
        got,
        vec![(0, "enquire_link".into()), (16, "submit_sm_resp".into())]
    );
    expect(&parts[0].1, 0, Severity::Error, &["20", "16"]);
    assert!(errors(&parts[1].1).is_empty());

    // a length too short (12) before a good PDU
    let mut s = h("0000000C 00000015 00000000 00000001");
    s.extend(load("unbind"));
    let parts = decode_stream(&s);
    let got: Vec<usize> = parts.iter().map(|(o, _)| *o).collect();
    assert_eq!(got, vec![0, 16]);
    assert_eq!(parts[1].1.command_name(), "unbind");
}

/// Exact lengths chain: a PDU with an unknown command_id between two good PDUs is its own PDU.
#[test]
fn stream_keeps_unknown_command_as_own_pdu() {
    let mut s = load("enquire_link");
    s.extend(h("00000014 00000099 00000000 00000002 DEADBEEF"));
    s.extend(load("unbind"));
    let parts = decode_stream(&s);
    let got: Vec<usize> = parts.iter().map(|(o, _)| *o).collect();
    assert_eq!(
        got,
        vec![0, 16, 36],
        "{:?}",
        parts
            .iter()
            .map(|(o, d)| (*o, d.command_name()))
            .collect::<Vec<_>>()
    );
}

/// Exact lengths chain: a request with a non-zero command_status (a warning, not a framing error)
/// after a good PDU is still split off.
#[test]
fn stream_keeps_request_with_status_as_own_pdu() {
    let mut s = load("enquire_link");
    s.extend(h("00000010 00000015 00000001 00000002"));
    let parts = decode_stream(&s);
    let got: Vec<usize> = parts.iter().map(|(o, _)| *o).collect();
    assert_eq!(got, vec![0, 16]);
}

/// Fuzzing found it: an error response without a body must encode without one, so that
/// decode → encode → decode is stable (crash-ddee9b4356a1464f26b746ce271f317ab3d5ede6).
#[test]
fn error_response_without_body_round_trips() {
    let bytes = h("00000010 80000004 00001080 0000000E");
    let p = decode_pdu(&bytes).expect("a bodiless error response is well-formed");
    assert!(p.fields.is_empty());
    let again = p.encode().expect("encodes");
    assert_eq!(again, bytes);
    assert_eq!(decode_pdu(&again), Ok(p));
}
