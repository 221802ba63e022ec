//! Property tests of the codec: round trips for every command layout, span tiling, and no panics
//! on arbitrary, truncated or mutated input.

use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;

use smppdiag::codec::{
    decode, decode_pdu, decode_stream, Dest, Pdu, Severity, Tlv, UnsuccessSme, Value,
};
use smppdiag::spec::commands::{CommandDef, FieldKind, StrKind, COMMANDS};
use smppdiag::spec::tlv::{TlvKind, TLVS};

use crate::codec_golden::assert_tiles;

/// C-string content without NUL, shorter than `max` (which counts the NUL).
fn cstr(max: usize) -> BoxedStrategy<Vec<u8>> {
    prop::collection::vec(1u8..=255, 0..max).boxed()
}

/// A valid SMPP time string (absolute or relative) or NULL.
fn time() -> BoxedStrategy<Vec<u8>> {
    let abs = (
        0u8..100,
        1u8..13,
        1u8..29,
        0u8..24,
        0u8..60,
        0u8..60,
        0u8..10,
        0u8..49,
        any::<bool>(),
    )
        .prop_map(|(y, mo, d, h, mi, s, t, nn, plus)| {
            format!(
                "{y:02}{mo:02}{d:02}{h:02}{mi:02}{s:02}{t}{nn:02}{}",
                if plus { '+' } else { '-' }
            )
            .into_bytes()
        });
    let rel = prop::array::uniform6(0u8..100).prop_map(|v| {
        format!(
            "{:02}{:02}{:02}{:02}{:02}{:02}000R",
            v[0], v[1], v[2], v[3], v[4], v[5]
        )
        .into_bytes()
    });
    prop_oneof![Just(Vec::new()), abs, rel].boxed()
}

fn dest() -> BoxedStrategy<Dest> {
    prop_oneof![
        (any::<u8>(), any::<u8>(), cstr(21)).prop_map(|(ton, npi, addr)| Dest::Sme {
            ton,
            npi,
            addr
        }),
        cstr(21).prop_map(Dest::List),
    ]
    .boxed()
}

fn unsuccess() -> BoxedStrategy<UnsuccessSme> {
    (any::<u8>(), any::<u8>(), cstr(21), any::<u32>())
        .prop_map(|(ton, npi, addr, status)| UnsuccessSme {
            ton,
            npi,
            addr,
            status,
        })
        .boxed()
}

/// A strategy for one mandatory field; `None` for derived fields (sm_length).
fn field(kind: FieldKind) -> Option<BoxedStrategy<Value>> {
    Some(match kind {
        FieldKind::U8(_) => any::<u8>().prop_map(|v| Value::Int(v.into())).boxed(),
        FieldKind::U32(_) => any::<u32>().prop_map(Value::Int).boxed(),
        FieldKind::CStr {
            what: StrKind::Time,
            ..
        } => time().prop_map(Value::Str).boxed(),
        FieldKind::CStr { max, .. } => cstr(max).prop_map(Value::Str).boxed(),
        FieldKind::SmLength => return None,
        FieldKind::ShortMessage => prop::collection::vec(any::<u8>(), 0..=254)
            .prop_map(Value::Octets)
            .boxed(),
        FieldKind::DestList => prop::collection::vec(dest(), 1..5)
            .prop_map(Value::Dests)
            .boxed(),
        FieldKind::UnsuccessList => prop::collection::vec(unsuccess(), 0..5)
            .prop_map(Value::Unsuccess)
            .boxed(),
    })
}

/// A TLV value of the right shape for a known tag.
fn tlv_value(kind: TlvKind) -> BoxedStrategy<Vec<u8>> {
    let bytes = |lo: usize, hi: usize| prop::collection::vec(any::<u8>(), lo..=hi).boxed();
    match kind {
        TlvKind::Int { width, .. } => bytes(width.into(), width.into()),
        TlvKind::CStr { max } => cstr(usize::from(max).min(40))
            .prop_map(|mut v| {
                v.push(0);
                v
            })
            .boxed(),
        TlvKind::Octets { max } => bytes(0, usize::from(max).min(40)),
        TlvKind::Payload => bytes(0, 300),
        TlvKind::Flag => bytes(0, 1),
        TlvKind::NetworkErrorCode | TlvKind::BroadcastContentType | TlvKind::UnitAndNumber => {
            bytes(3, 3)
        }
        TlvKind::Subaddress | TlvKind::CallbackNum | TlvKind::BroadcastArea => bytes(1, 23),
    }
}

/// Known tags (right shape), vendor tags and unknown tags (raw values).
fn tlv() -> BoxedStrategy<Tlv> {
    let known = prop::sample::select(TLVS.iter().collect::<Vec<_>>())
        .prop_flat_map(|d| tlv_value(d.kind).prop_map(move |value| Tlv { tag: d.tag, value }));
    let vendor = (
        0x1400u16..=0x3FFF,
        prop::collection::vec(any::<u8>(), 0..20),
    )
        .prop_filter("not a known tag", |(t, _)| {
            smppdiag::spec::tlv::lookup(*t).is_none()
        })
        .prop_map(|(tag, value)| Tlv { tag, value });
    let unknown = (
        0x4000u16..=0xFFFF,
        prop::collection::vec(any::<u8>(), 0..20),
    )
        .prop_map(|(tag, value)| Tlv { tag, value });
    prop_oneof![6 => known, 2 => vendor, 1 => unknown].boxed()
}

/// An arbitrary valid PDU of this command, with every mandatory field present.
fn pdu_of(def: &'static CommandDef) -> BoxedStrategy<Pdu> {
    let fields: Vec<BoxedStrategy<(&'static str, Value)>> = def
        .body
        .iter()
        .filter_map(|fd| field(fd.kind).map(|s| s.prop_map(move |v| (fd.name, v)).boxed()))
        .collect();
    let tlvs = if def.tlvs {
        prop::collection::vec(tlv(), 0..4).boxed()
    } else {
        Just(Vec::new()).boxed()
    };
    // Responses may carry any status; requests carry 0 (non-zero is a warning, tested elsewhere).
    let status = if def.is_response() {
        any::<u32>().boxed()
    } else {
        Just(0u32).boxed()
    };
    (fields, tlvs, status, 1u32..=0x7FFF_FFFF)
        .prop_map(move |(fields, mut tlvs, status, seq)| {
            let mut p = Pdu::new(def.id, seq);
            p.command_status = status;
            for (n, v) in fields {
                // UDHI (esm_class bit 6) promises a valid UDH; random data has none.
                let v = match (n, v) {
                    ("esm_class", Value::Int(e)) => Value::Int(e & !0x40),
                    (_, v) => v,
                };
                p = p.with(n, v);
            }
            // short_message and message_payload together is an error: keep one.
            if p.bytes("short_message").is_some_and(|b| !b.is_empty()) {
                tlvs.retain(|t| t.tag != 0x0424);
            }
            p.tlvs = tlvs;
            p
        })
        .boxed()
}

fn commands() -> impl Strategy<Value = &'static CommandDef> {
    prop::sample::select(COMMANDS.iter().collect::<Vec<_>>())
}

/// Any PDU of any command in the tables (also used by the paste finder properties).
pub(crate) fn any_pdu() -> BoxedStrategy<Pdu> {
    commands().prop_flat_map(pdu_of).boxed()
}

fn errors(d: &smppdiag::codec::Decoded) -> usize {
    d.diagnostics
        .iter()
        .filter(|x| x.severity == Severity::Error)
        .count()
}

fn cfg() -> ProptestConfig {
    ProptestConfig {
        cases: 512,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(cfg())]

    /// decode_pdu(encode(p)) == p, command_length is the encoded size, and the spans tile.
    #[test]
    fn round_trip(p in any_pdu()) {
        let bytes = p.encode().expect("valid PDU encodes");
        let len = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
        prop_assert_eq!(len, bytes.len());
        prop_assert_eq!(decode_pdu(&bytes), Ok(p.clone()));
        let d = decode(&bytes);
        prop_assert_eq!(errors(&d), 0, "diagnostics: {:#?}", d.diagnostics);
        prop_assert_eq!(&d.pdu, &p);
        prop_assert_eq!(d.repaired.as_ref(), None);
        assert_tiles(&d);
    }

    /// Any strict prefix of a valid PDU decodes without panic, reports an error, and still tiles.
    #[test]
    fn truncation_is_an_error(p in any_pdu(), cut in any::<prop::sample::Index>()) {
        let bytes = p.encode().expect("encodes");
        let n = cut.index(bytes.len());
        let d = decode(&bytes[..n]);
        prop_assert!(errors(&d) > 0, "prefix {} of {}: no error; {:#?}", n, hex::encode_upper(&bytes), d.diagnostics);
        prop_assert!(decode_pdu(&bytes[..n]).is_err());
        assert_tiles(&d);
    }

    /// Arbitrary bytes: no panic, spans inside the bytes and tiling them.
    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let d = decode(&bytes);
        for s in &d.spans {
            prop_assert!(s.range.start <= s.range.end && s.range.end <= bytes.len(), "span {:?}", s);
        }
        for x in &d.diagnostics {
            prop_assert!(x.offset <= bytes.len(), "diagnostic beyond the bytes: {:?}", x);
        }
        assert_tiles(&d);
        let _ = decode_pdu(&bytes);
    }

    /// A header that looks right followed by arbitrary body bytes (reaches the body decoders).
    #[test]
    fn arbitrary_body(def in commands(), body in prop::collection::vec(any::<u8>(), 0..120), status in prop_oneof![Just(0u32), any::<u32>()]) {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&((16 + body.len()) as u32).to_be_bytes());
        bytes.extend_from_slice(&def.id.to_be_bytes());
        bytes.extend_from_slice(&status.to_be_bytes());
        bytes.extend_from_slice(&1u32.to_be_bytes());
        bytes.extend_from_slice(&body);
        let d = decode(&bytes);
        assert_tiles(&d);
        if let Some(fixed) = &d.repaired {
            // a repair hypothesis must itself be a clean PDU
            let r = decode(fixed);
            prop_assert_eq!(errors(&r), 0, "repaired PDU {} has errors: {:#?}", hex::encode_upper(fixed), r.diagnostics);
        }
    }

    /// Valid PDUs with a few octets changed: no panic, spans still tile.
    #[test]
    fn mutated(p in any_pdu(), edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4)) {
        let mut bytes = p.encode().expect("encodes");
        for (i, b) in edits {
            let k = i.index(bytes.len());
            bytes[k] = b;
        }
        let d = decode(&bytes);
        assert_tiles(&d);
    }

    /// decode_stream on arbitrary bytes: no panic; the pieces are consecutive and cover the input.
    #[test]
    fn stream_arbitrary(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let parts = decode_stream(&bytes);
        let mut pos = 0;
        for (off, d) in &parts {
            prop_assert_eq!(*off, pos);
            prop_assert!(!d.bytes.is_empty());
            prop_assert_eq!(&bytes[pos..pos + d.bytes.len()], &d.bytes[..]);
            pos += d.bytes.len();
            assert_tiles(d);
        }
        prop_assert_eq!(pos, bytes.len());
    }

    /// Valid PDUs back to back are split exactly by decode_stream.
    #[test]
    fn stream_of_valid(ps in prop::collection::vec(any_pdu(), 1..5)) {
        let mut bytes = Vec::new();
        let mut starts = Vec::new();
        for p in &ps {
            starts.push(bytes.len());
            bytes.extend(p.encode().expect("encodes"));
        }
        let parts = decode_stream(&bytes);
        let got: Vec<usize> = parts.iter().map(|(o, _)| *o).collect();
        prop_assert_eq!(got, starts);
        for ((_, d), p) in parts.iter().zip(&ps) {
            prop_assert_eq!(&d.pdu, p);
        }
    }
}

/// `decode --json` of an encoded PDU, as the CLI writes it (secrets shown, as `encode` needs).
fn json_of(bytes: &[u8]) -> serde_json::Value {
    let opts = smppdiag::render::json::JsonOptions { show_secrets: true };
    smppdiag::render::json::pdu_json(&decode(bytes), 0, &opts)
}

proptest! {
    #![proptest_config(cfg())]

    /// `decode --json | encode` gives back the same bytes for any valid PDU.
    #[test]
    fn json_encode_round_trip(p in any_pdu()) {
        let bytes = p.encode().expect("valid PDU encodes");
        let crafted = smppdiag::codec::craft::from_json(&json_of(&bytes)).expect("crafts");
        prop_assert_eq!(hex::encode_upper(crafted.encode().expect("encodes")), hex::encode_upper(&bytes));
    }

    /// An edited sequence_number goes through the table-driven encoder (not the verbatim
    /// shortcut) and changes exactly the header's four sequence octets.
    #[test]
    fn json_edit_rebuilds_through_the_encoder(p in any_pdu(), seq in 1u32..0x7FFF_FFFF) {
        prop_assume!(seq != p.sequence_number);
        let bytes = p.encode().expect("valid PDU encodes");
        let mut j = json_of(&bytes);
        j["sequence_number"] = serde_json::json!(seq);
        let crafted = smppdiag::codec::craft::from_json(&j).expect("crafts");
        prop_assert!(crafted.verbatim.is_none());
        let mut want = bytes.clone();
        want[12..16].copy_from_slice(&seq.to_be_bytes());
        prop_assert_eq!(hex::encode_upper(crafted.encode().expect("encodes")), hex::encode_upper(&want));
    }
}
