//! Golden vectors: one hand-written PDU per command (tests/fixtures/pdus/<command>.hex), checked
//! in both directions (smoltcp style): `test_parse` decodes the bytes and checks the header and
//! several field spans (name, offset, length, value); `test_emit` builds the same PDU with the
//! `Pdu` builder and checks `encode()` gives exactly the bytes.

use std::path::PathBuf;

use smppdiag::codec::{decode, decode_pdu, Decoded, Dest, Pdu, Severity, UnsuccessSme, Val, Value};

/// Load a fixture: hex digits, `#` comments to the end of the line, whitespace ignored.
pub fn load(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pdus")
        .join(format!("{name}.hex"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let digits: String = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
        .collect();
    hex::decode(&digits).unwrap_or_else(|e| panic!("{}: bad hex: {e}", path.display()))
}

/// Assert the span invariants: depth-0 spans tile `0..len` in order; the direct children of every
/// span (the following spans of greater depth, up to the next span of the same or lower depth)
/// tile their parent's range.
pub fn assert_tiles(d: &Decoded) {
    let len = d.bytes.len();
    let spans = &d.spans;
    let mut pos = 0;
    for s in spans.iter().filter(|s| s.depth == 0) {
        assert_eq!(
            s.range.start, pos,
            "depth-0 span {:?} at {:?} should start at {pos} (gap or overlap); spans: {spans:#?}",
            s.name, s.range
        );
        assert!(s.range.end >= s.range.start, "reversed span {s:?}");
        pos = s.range.end;
    }
    assert_eq!(
        pos, len,
        "depth-0 spans end at {pos}, PDU is {len} octets; spans: {spans:#?}"
    );
    for (i, parent) in spans.iter().enumerate() {
        let mut child_pos = parent.range.start;
        let mut had_children = false;
        for c in spans[i + 1..].iter().take_while(|c| c.depth > parent.depth) {
            if c.depth != parent.depth + 1 {
                continue;
            }
            had_children = true;
            assert_eq!(
                c.range.start, child_pos,
                "child {:?} {:?} of {:?} {:?}: gap or overlap",
                c.name, c.range, parent.name, parent.range
            );
            child_pos = c.range.end;
        }
        if had_children {
            assert_eq!(
                child_pos, parent.range.end,
                "children of {:?} {:?} end at {child_pos}",
                parent.name, parent.range
            );
        }
    }
    for s in spans {
        assert!(s.range.end <= len, "span {s:?} beyond {len} octets");
    }
}

/// Expected value of a span.
#[derive(Debug, Clone, Copy)]
pub enum V {
    /// Val::Int.
    I(u64),
    /// Val::Str.
    S(&'static str),
    /// Val::Name.
    N(&'static str),
    /// No value (TLV parents, list entries).
    Nil,
}

impl V {
    fn val(self) -> Option<Val> {
        match self {
            V::I(v) => Some(Val::Int(v)),
            V::S(s) => Some(Val::Str(s.into())),
            V::N(s) => Some(Val::Name(s.into())),
            V::Nil => None,
        }
    }
}

fn check_parse(cmd: &str, checks: &[(&str, usize, usize, V)], pdu: Pdu) {
    let bytes = load(cmd);
    let d = decode(&bytes);
    assert_eq!(d.command_name(), cmd);
    let noisy: Vec<_> = d
        .diagnostics
        .iter()
        .filter(|x| x.severity >= Severity::Warning)
        .collect();
    assert!(noisy.is_empty(), "{cmd}: unexpected diagnostics {noisy:#?}");
    assert_eq!(d.repaired, None);
    assert_tiles(&d);
    let h = d.header.expect("header");
    assert_eq!(h.command_length as usize, bytes.len());
    let mut all = vec![
        ("command_length", 0, 4, V::I(bytes.len() as u64)),
        ("command_id", 4, 4, V::N(leak(cmd))),
        ("sequence_number", 12, 4, V::I(pdu.sequence_number as u64)),
    ];
    all.extend_from_slice(checks);
    for (name, off, len, v) in all {
        let s = d
            .spans
            .iter()
            .find(|s| s.name == name && s.range.start == off)
            .unwrap_or_else(|| {
                panic!(
                    "{cmd}: no span {name} at offset {off}; spans: {:#?}",
                    d.spans
                )
            });
        assert_eq!(s.range.len(), len, "{cmd}: length of {name} at {off}");
        // Code octets (esm_class, data_coding ...) are shown in hex: the number is what counts.
        let value = match &s.value {
            Some(Val::Hex(n)) => Some(Val::Int(*n)),
            other => other.clone(),
        };
        assert_eq!(value, v.val(), "{cmd}: value of {name} at {off}");
    }
    assert_eq!(decode_pdu(&bytes), Ok(pdu), "{cmd}: decode_pdu");
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

fn check_emit(cmd: &str, pdu: Pdu) {
    let bytes = load(cmd);
    let out = pdu.encode().expect("encodes");
    assert_eq!(
        hex::encode_upper(&out),
        hex::encode_upper(&bytes),
        "{cmd}: encode() differs from the golden bytes"
    );
}

fn oct(b: &[u8]) -> Value {
    Value::Octets(b.to_vec())
}

macro_rules! golden {
    ($cmd:ident, $pdu:expr, [$($check:expr),* $(,)?]) => {
        mod $cmd {
            #[allow(unused_imports)]
            use super::*;
            #[allow(unused_imports)]
            use super::V::{I, N, Nil, S};
            fn pdu() -> Pdu {
                $pdu
            }
            #[test]
            fn test_parse() {
                check_parse(stringify!($cmd), &[$($check),*], pdu());
            }
            #[test]
            fn test_emit() {
                check_emit(stringify!($cmd), pdu());
            }
        }
    };
}

const A123: &str = "447700900123";
const A456: &str = "447700900456";
const RECEIPT: &str = "id:M12345 sub:001 dlvrd:001 submit date:2401021530 done date:2401021531 stat:DELIVRD err:000 text:Hello";

golden!(
    generic_nack,
    Pdu {
        command_status: 3,
        ..Pdu::new(0x8000_0000, 5)
    },
    [("command_status", 8, 4, N("ESME_RINVCMDID"))]
);

#[allow(clippy::too_many_arguments)]
fn bind(
    id: u32,
    seq: u32,
    sys: &str,
    pw: &str,
    st: &str,
    v: u32,
    ton: u32,
    npi: u32,
    ar: &str,
) -> Pdu {
    Pdu::new(id, seq)
        .with_str("system_id", sys)
        .with_str("password", pw)
        .with_str("system_type", st)
        .with_int("interface_version", v)
        .with_int("addr_ton", ton)
        .with_int("addr_npi", npi)
        .with_str("address_range", ar)
}

golden!(
    bind_transmitter,
    bind(2, 1, "smppclient1", "password", "CMT", 0x34, 1, 1, ""),
    [
        ("command_status", 8, 4, N("ESME_ROK")),
        ("system_id", 16, 12, S("smppclient1")),
        ("password", 28, 9, S("password")),
        ("system_type", 37, 4, S("CMT")),
        ("interface_version", 41, 1, I(0x34)),
        ("addr_ton", 42, 1, I(1)),
        ("addr_npi", 43, 1, I(1)),
        ("address_range", 44, 1, S("")),
    ]
);

golden!(
    bind_transmitter_resp,
    Pdu::new(0x8000_0002, 1)
        .with_str("system_id", "SMSC1")
        .with_tlv(0x0210, [0x34]),
    [
        ("system_id", 16, 6, S("SMSC1")),
        ("sc_interface_version", 22, 5, Nil),
        ("tag", 22, 2, N("0x0210")),
        ("length", 24, 2, I(1)),
        ("value", 26, 1, I(0x34)),
    ]
);

golden!(
    bind_receiver,
    bind(1, 2, "rx", "secret", "", 0x34, 1, 1, "^44"),
    [
        ("system_id", 16, 3, S("rx")),
        ("password", 19, 7, S("secret")),
        ("system_type", 26, 1, S("")),
        ("interface_version", 27, 1, I(0x34)),
        ("address_range", 30, 4, S("^44")),
    ]
);

golden!(
    bind_receiver_resp,
    Pdu::new(0x8000_0001, 2).with_str("system_id", "SMSC"),
    [("system_id", 16, 5, S("SMSC"))]
);

golden!(
    bind_transceiver,
    bind(9, 3, "trx", "pw", "VMA", 0x50, 0, 1, ""),
    [
        ("system_id", 16, 4, S("trx")),
        ("password", 20, 3, S("pw")),
        ("system_type", 23, 4, S("VMA")),
        ("interface_version", 27, 1, I(0x50)),
        ("addr_ton", 28, 1, I(0)),
        ("addr_npi", 29, 1, I(1)),
        ("address_range", 30, 1, S("")),
    ]
);

golden!(
    bind_transceiver_resp,
    Pdu::new(0x8000_0009, 3)
        .with_str("system_id", "SMSC")
        .with_tlv(0x0210, [0x50]),
    [
        ("system_id", 16, 5, S("SMSC")),
        ("sc_interface_version", 21, 5, Nil),
        ("value", 25, 1, I(0x50)),
    ]
);

golden!(
    outbind,
    Pdu::new(0x0B, 4)
        .with_str("system_id", "SMSC")
        .with_str("password", "pw"),
    [
        ("system_id", 16, 5, S("SMSC")),
        ("password", 21, 3, S("pw"))
    ]
);

golden!(
    unbind,
    Pdu::new(6, 6),
    [("command_status", 8, 4, N("ESME_ROK"))]
);
golden!(unbind_resp, Pdu::new(0x8000_0006, 6), []);
golden!(enquire_link, Pdu::new(0x15, 7), []);
golden!(enquire_link_resp, Pdu::new(0x8000_0015, 7), []);

#[allow(clippy::too_many_arguments)]
fn sm(
    id: u32,
    seq: u32,
    src: &str,
    dst: &str,
    esm: u32,
    prio: u32,
    vp: &str,
    reg: u32,
    msg: &[u8],
) -> Pdu {
    Pdu::new(id, seq)
        .with_str("service_type", "")
        .with_int("source_addr_ton", 1)
        .with_int("source_addr_npi", 1)
        .with_str("source_addr", src)
        .with_int("dest_addr_ton", 1)
        .with_int("dest_addr_npi", 1)
        .with_str("destination_addr", dst)
        .with_int("esm_class", esm)
        .with_int("protocol_id", 0)
        .with_int("priority_flag", prio)
        .with_str("schedule_delivery_time", "")
        .with_str("validity_period", vp)
        .with_int("registered_delivery", reg)
        .with_int("replace_if_present_flag", 0)
        .with_int("data_coding", 0)
        .with_int("sm_default_msg_id", 0)
        .with("short_message", oct(msg))
}

golden!(
    submit_sm,
    sm(4, 8, A123, A456, 0, 1, "000001000000000R", 1, b"Hello").with_tlv(0x0204, [0, 7]),
    [
        ("service_type", 16, 1, S("")),
        ("source_addr_ton", 17, 1, I(1)),
        ("source_addr_npi", 18, 1, I(1)),
        ("source_addr", 19, 13, S(A123)),
        ("dest_addr_ton", 32, 1, I(1)),
        ("destination_addr", 34, 13, S(A456)),
        ("esm_class", 47, 1, I(0)),
        ("priority_flag", 49, 1, I(1)),
        ("schedule_delivery_time", 50, 1, S("")),
        ("validity_period", 51, 17, S("000001000000000R")),
        ("registered_delivery", 68, 1, I(1)),
        ("data_coding", 70, 1, I(0)),
        ("sm_default_msg_id", 71, 1, I(0)),
        ("sm_length", 72, 1, I(5)),
        ("short_message", 73, 5, S("Hello")),
        ("user_message_reference", 78, 6, Nil),
        ("value", 82, 2, I(7)),
    ]
);

golden!(
    submit_sm_resp,
    Pdu::new(0x8000_0004, 8).with_str("message_id", "M12345"),
    [("message_id", 16, 7, S("M12345"))]
);

golden!(
    deliver_sm,
    sm(5, 9, A456, A123, 4, 0, "", 0, RECEIPT.as_bytes())
        .with_tlv(0x001E, *b"M12345\0")
        .with_tlv(0x0427, [2]),
    [
        ("source_addr", 19, 13, S(A456)),
        ("destination_addr", 34, 13, S(A123)),
        ("esm_class", 47, 1, I(4)),
        ("schedule_delivery_time", 50, 1, S("")),
        ("validity_period", 51, 1, S("")),
        ("sm_length", 56, 1, I(103)),
        ("short_message", 57, 103, S(RECEIPT)),
        ("receipted_message_id", 160, 11, Nil),
        ("tag", 160, 2, N("0x001E")),
        ("length", 162, 2, I(7)),
        ("value", 164, 7, S("M12345")),
        ("message_state", 171, 5, Nil),
        ("value", 175, 1, I(2)),
    ]
);

golden!(
    deliver_sm_resp,
    Pdu::new(0x8000_0005, 9).with_str("message_id", ""),
    [("message_id", 16, 1, S(""))]
);

golden!(
    data_sm,
    Pdu::new(0x103, 10)
        .with_str("service_type", "")
        .with_int("source_addr_ton", 1)
        .with_int("source_addr_npi", 1)
        .with_str("source_addr", A123)
        .with_int("dest_addr_ton", 1)
        .with_int("dest_addr_npi", 1)
        .with_str("destination_addr", A456)
        .with_int("esm_class", 0)
        .with_int("registered_delivery", 1)
        .with_int("data_coding", 0)
        .with_tlv(0x0424, *b"Hi there"),
    [
        ("source_addr", 19, 13, S(A123)),
        ("destination_addr", 34, 13, S(A456)),
        ("esm_class", 47, 1, I(0)),
        ("registered_delivery", 48, 1, I(1)),
        ("data_coding", 49, 1, I(0)),
        ("message_payload", 50, 12, Nil),
        ("tag", 50, 2, N("0x0424")),
        ("length", 52, 2, I(8)),
        ("value", 54, 8, S("Hi there")),
    ]
);

golden!(
    data_sm_resp,
    Pdu::new(0x8000_0103, 10).with_str("message_id", "D1"),
    [("message_id", 16, 3, S("D1"))]
);

golden!(
    submit_multi,
    Pdu::new(0x21, 11)
        .with_str("service_type", "")
        .with_int("source_addr_ton", 5)
        .with_int("source_addr_npi", 0)
        .with_str("source_addr", "Shop")
        .with(
            "dest_address",
            Value::Dests(vec![
                Dest::Sme {
                    ton: 1,
                    npi: 1,
                    addr: A123.into()
                },
                Dest::List(b"friends".to_vec()),
            ])
        )
        .with_int("esm_class", 0)
        .with_int("protocol_id", 0)
        .with_int("priority_flag", 0)
        .with_str("schedule_delivery_time", "")
        .with_str("validity_period", "")
        .with_int("registered_delivery", 0)
        .with_int("replace_if_present_flag", 0)
        .with_int("data_coding", 0)
        .with_int("sm_default_msg_id", 0)
        .with("short_message", oct(b"Hi")),
    [
        ("source_addr_ton", 17, 1, I(5)),
        ("source_addr", 19, 5, S("Shop")),
        ("number_of_dests", 24, 1, I(2)),
        ("dest_address[0]", 25, 16, Nil),
        ("dest_flag", 25, 1, I(1)),
        ("dest_addr_ton", 26, 1, I(1)),
        ("dest_addr_npi", 27, 1, I(1)),
        ("destination_addr", 28, 13, S(A123)),
        ("dest_address[1]", 41, 9, Nil),
        ("dest_flag", 41, 1, I(2)),
        ("dl_name", 42, 8, S("friends")),
        ("esm_class", 50, 1, I(0)),
        ("sm_default_msg_id", 58, 1, I(0)),
        ("sm_length", 59, 1, I(2)),
        ("short_message", 60, 2, S("Hi")),
    ]
);

golden!(
    submit_multi_resp,
    Pdu::new(0x8000_0021, 11)
        .with_str("message_id", "MM1")
        .with(
            "unsuccess_sme",
            Value::Unsuccess(vec![UnsuccessSme {
                ton: 1,
                npi: 1,
                addr: b"447700900999".to_vec(),
                status: 0x0B,
            }])
        ),
    [
        ("message_id", 16, 4, S("MM1")),
        ("no_unsuccess", 20, 1, I(1)),
        ("unsuccess_sme[0]", 21, 19, Nil),
        ("dest_addr_ton", 21, 1, I(1)),
        ("dest_addr_npi", 22, 1, I(1)),
        ("destination_addr", 23, 13, S("447700900999")),
        ("error_status_code", 36, 4, I(0x0B)),
    ]
);

fn msg_src(id: u32, seq: u32, mid: &str) -> Pdu {
    Pdu::new(id, seq)
        .with_str("message_id", mid)
        .with_int("source_addr_ton", 1)
        .with_int("source_addr_npi", 1)
        .with_str("source_addr", A123)
}

golden!(
    query_sm,
    msg_src(3, 12, "M12345"),
    [
        ("message_id", 16, 7, S("M12345")),
        ("source_addr_ton", 23, 1, I(1)),
        ("source_addr_npi", 24, 1, I(1)),
        ("source_addr", 25, 13, S(A123)),
    ]
);

golden!(
    query_sm_resp,
    Pdu::new(0x8000_0003, 12)
        .with_str("message_id", "M12345")
        .with_str("final_date", "240102153100004+")
        .with_int("message_state", 2)
        .with_int("error_code", 0),
    [
        ("message_id", 16, 7, S("M12345")),
        ("final_date", 23, 17, S("240102153100004+")),
        ("message_state", 40, 1, I(2)),
        ("error_code", 41, 1, I(0)),
    ]
);

golden!(
    cancel_sm,
    Pdu::new(8, 13)
        .with_str("service_type", "")
        .with_str("message_id", "M12345")
        .with_int("source_addr_ton", 1)
        .with_int("source_addr_npi", 1)
        .with_str("source_addr", A123)
        .with_int("dest_addr_ton", 1)
        .with_int("dest_addr_npi", 1)
        .with_str("destination_addr", A456),
    [
        ("service_type", 16, 1, S("")),
        ("message_id", 17, 7, S("M12345")),
        ("source_addr", 26, 13, S(A123)),
        ("dest_addr_ton", 39, 1, I(1)),
        ("destination_addr", 41, 13, S(A456)),
    ]
);

golden!(cancel_sm_resp, Pdu::new(0x8000_0008, 13), []);

golden!(
    replace_sm,
    msg_src(7, 14, "M12345")
        .with_str("schedule_delivery_time", "")
        .with_str("validity_period", "")
        .with_int("registered_delivery", 1)
        .with_int("sm_default_msg_id", 0)
        .with("short_message", oct(b"Bye")),
    [
        ("message_id", 16, 7, S("M12345")),
        ("source_addr", 25, 13, S(A123)),
        ("schedule_delivery_time", 38, 1, S("")),
        ("validity_period", 39, 1, S("")),
        ("registered_delivery", 40, 1, I(1)),
        ("sm_default_msg_id", 41, 1, I(0)),
        ("sm_length", 42, 1, I(3)),
        ("short_message", 43, 3, S("Bye")),
    ]
);

golden!(replace_sm_resp, Pdu::new(0x8000_0007, 14), []);

golden!(
    alert_notification,
    Pdu::new(0x102, 15)
        .with_int("source_addr_ton", 1)
        .with_int("source_addr_npi", 1)
        .with_str("source_addr", A123)
        .with_int("esme_addr_ton", 0)
        .with_int("esme_addr_npi", 0)
        .with_str("esme_addr", "12345")
        .with_tlv(0x0422, [0]),
    [
        ("source_addr_ton", 16, 1, I(1)),
        ("source_addr", 18, 13, S(A123)),
        ("esme_addr_ton", 31, 1, I(0)),
        ("esme_addr_npi", 32, 1, I(0)),
        ("esme_addr", 33, 6, S("12345")),
        ("ms_availability_status", 39, 5, Nil),
        ("value", 43, 1, I(0)),
    ]
);

golden!(
    broadcast_sm,
    Pdu::new(0x111, 16)
        .with_str("service_type", "")
        .with_int("source_addr_ton", 1)
        .with_int("source_addr_npi", 1)
        .with_str("source_addr", A123)
        .with_str("message_id", "")
        .with_int("priority_flag", 0)
        .with_str("schedule_delivery_time", "")
        .with_str("validity_period", "")
        .with_int("replace_if_present_flag", 0)
        .with_int("data_coding", 0)
        .with_int("sm_default_msg_id", 0)
        .with_tlv(0x0606, *b"\0A1")
        .with_tlv(0x0601, [1, 0, 0])
        .with_tlv(0x0604, [0, 1])
        .with_tlv(0x0605, [9, 0, 5])
        .with_tlv(0x0424, *b"Alert"),
    [
        ("source_addr", 19, 13, S(A123)),
        ("message_id", 32, 1, S("")),
        ("priority_flag", 33, 1, I(0)),
        ("validity_period", 35, 1, S("")),
        ("sm_default_msg_id", 38, 1, I(0)),
        ("broadcast_area_identifier", 39, 7, Nil),
        ("value", 43, 3, N("alias / name: A1")),
        ("broadcast_content_type", 46, 7, Nil),
        ("broadcast_rep_num", 53, 6, Nil),
        ("value", 57, 2, I(1)),
        ("broadcast_frequency_interval", 59, 7, Nil),
        ("value", 63, 3, N("5 minutes")),
        ("message_payload", 66, 9, Nil),
        ("value", 70, 5, S("Alert")),
    ]
);

golden!(
    broadcast_sm_resp,
    Pdu::new(0x8000_0111, 16).with_str("message_id", "B1"),
    [("message_id", 16, 3, S("B1"))]
);

golden!(
    query_broadcast_sm,
    msg_src(0x112, 17, "B1"),
    [
        ("message_id", 16, 3, S("B1")),
        ("source_addr_ton", 19, 1, I(1)),
        ("source_addr", 21, 13, S(A123)),
    ]
);

golden!(
    query_broadcast_sm_resp,
    Pdu::new(0x8000_0112, 17)
        .with_str("message_id", "B1")
        .with_tlv(0x0427, [2])
        .with_tlv(0x0606, *b"\0A1")
        .with_tlv(0x0608, [100]),
    [
        ("message_id", 16, 3, S("B1")),
        ("message_state", 19, 5, Nil),
        ("value", 23, 1, I(2)),
        ("broadcast_area_identifier", 24, 7, Nil),
        ("broadcast_area_success", 31, 5, Nil),
        ("value", 35, 1, I(100)),
    ]
);

golden!(
    cancel_broadcast_sm,
    Pdu::new(0x113, 18)
        .with_str("service_type", "")
        .with_str("message_id", "B1")
        .with_int("source_addr_ton", 1)
        .with_int("source_addr_npi", 1)
        .with_str("source_addr", A123),
    [
        ("service_type", 16, 1, S("")),
        ("message_id", 17, 3, S("B1")),
        ("source_addr_ton", 20, 1, I(1)),
        ("source_addr", 22, 13, S(A123)),
    ]
);

golden!(cancel_broadcast_sm_resp, Pdu::new(0x8000_0113, 18), []);

/// Every command of the table has a golden vector.
#[test]
fn every_command_has_a_vector() {
    for c in smppdiag::spec::commands::COMMANDS {
        let bytes = load(c.name);
        let d = decode(&bytes);
        assert_eq!(d.header.map(|h| h.command_id), Some(c.id), "{}", c.name);
    }
}

/// The password span is flagged secret (redacted unless asked for).
#[test]
fn password_span_is_secret() {
    let d = decode(&load("bind_transmitter"));
    let pw = d
        .spans
        .iter()
        .find(|s| s.name == "password")
        .expect("password span");
    assert!(pw.secret);
    let sys = d
        .spans
        .iter()
        .find(|s| s.name == "system_id")
        .expect("system_id span");
    assert!(!sys.secret);
}
