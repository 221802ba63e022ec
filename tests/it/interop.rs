//! Interoperability: PDUs encoded by third-party implementations (PyPI smpplib and
//! npm node-smpp) are decoded by `smppdiag decode --json`, and the decoding agrees
//! with Debian's tshark on every field tshark shows: value and byte position.
//!
//! Also checks that the peers themselves work (encoders, tshark, the node-smpp
//! SMSC), so that a broken peer install fails loudly in CI.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::peers::{self, Pdu, TsharkField, TsharkPdu};

// ------------------------------------------------------------------ our decoder

/// Decode one PDU with the smppdiag binary; the first JSON object it prints.
fn decode_ours(hex: &str) -> Result<Value, String> {
    let out = Command::new(peers::smppdiag_bin())
        .args([
            "decode",
            "--json",
            "--color",
            "never",
            "--show-secrets",
            hex,
        ])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run smppdiag: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.trim_start().starts_with('{'))
        .ok_or_else(|| {
            format!(
                "`smppdiag decode --json` printed no JSON (exit {}); stderr: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            )
        })?;
    let event: Value =
        serde_json::from_str(line).map_err(|e| format!("bad JSON from smppdiag ({e}): {line}"))?;
    // The decode object sits under "pdu" in the schema-1 envelope (docs/json.md).
    let mut v = event["pdu"].clone();
    // Fields nested in list entries (submit_multi destinations, unsuccess_sme) and UDH elements
    // are compared like top-level fields: flatten them.
    if let Some(fields) = v["fields"].as_array().cloned() {
        let mut flat = Vec::new();
        for f in fields {
            let kids = f["children"].as_array().cloned().unwrap_or_default();
            flat.push(f);
            flat.extend(kids);
        }
        v["fields"] = Value::Array(flat);
    }
    Ok(v)
}

// ------------------------------------------------------------------ comparison

/// tshark field names that differ from the spec names we use. Every other
/// `smpp.X` maps to `X`.
const RENAMES: &[(&str, &str)] = &[
    ("smpp.message", "short_message"),
    ("smpp.schedule_delivery_time_r", "schedule_delivery_time"),
    ("smpp.validity_period_r", "validity_period"),
    ("smpp.final_date_r", "final_date"),
    ("smpp.esm.submit.msg_mode", "esm_class"),
    ("smpp.esm.submit.msg_type", "esm_class"),
    ("smpp.esm.submit.features", "esm_class"),
    ("smpp.regdel.receipt", "registered_delivery"),
    ("smpp.regdel.acks", "registered_delivery"),
    ("smpp.regdel.notif", "registered_delivery"),
];

/// tshark fields that only group others (their members are compared instead).
const CONTAINERS: &[&str] = &["smpp.opt_params", "smpp.dlist", "smpp.dlist_resp"];

/// The PDU header: tshark name, our top-level key, offset.
const HEADER: &[(&str, &str, usize)] = &[
    ("smpp.command_length", "command_length", 0),
    ("smpp.command_id", "command_id", 4),
    ("smpp.command_status", "command_status", 8),
    ("smpp.sequence_number", "sequence_number", 12),
];

/// data_coding values whose text tshark 4.0 decodes exactly like the spec says
/// (it shows GSM 03.38 escapes and IA5 differently), so `smpp.message_text` is compared.
const TEXT_CODINGS: &[u64] = &[0x03, 0x08];

fn our_name(tshark: &str) -> String {
    RENAMES
        .iter()
        .find(|(t, _)| *t == tshark)
        .map(|(_, o)| (*o).to_owned())
        .unwrap_or_else(|| tshark.trim_start_matches("smpp.").to_owned())
}

fn hex_int(hex: &str) -> Option<u64> {
    if hex.is_empty() || hex.len() > 16 {
        return None;
    }
    u64::from_str_radix(hex, 16).ok()
}

fn is_uint(f: &TsharkField) -> bool {
    f.ftype.as_deref().is_some_and(|t| t.starts_with("FT_UINT"))
}

fn is_string(f: &TsharkField) -> bool {
    matches!(f.ftype.as_deref(), Some("FT_STRINGZ" | "FT_STRING"))
}

/// The text a tshark string field stands for (`(Default)` is its word for an
/// empty C-Octet string).
fn tshark_string(f: &TsharkField) -> String {
    if f.value.as_deref() == Some("00") {
        return String::new();
    }
    f.show.clone().unwrap_or_default()
}

fn fields_of(ours: &Value) -> &[Value] {
    ours["fields"].as_array().map(Vec::as_slice).unwrap_or(&[])
}

fn tlvs_of(ours: &Value) -> &[Value] {
    ours["tlvs"].as_array().map(Vec::as_slice).unwrap_or(&[])
}

fn num(v: &Value, key: &str) -> Option<u64> {
    v[key].as_u64()
}

fn covers(v: &Value, pos: usize) -> bool {
    match (num(v, "offset"), num(v, "length")) {
        (Some(o), Some(l)) => (o as usize) <= pos && pos < (o + l.max(1)) as usize,
        _ => false,
    }
}

fn describe(v: &Value) -> String {
    format!(
        "`{}` at {}+{} = {}",
        v["name"].as_str().unwrap_or("?"),
        v["offset"],
        v["length"],
        v["value"]
    )
}

/// The comparison of one PDU: disagreements, and notes on what was not compared.
#[derive(Debug, Default)]
struct Report {
    mismatches: Vec<String>,
    notes: Vec<String>,
}

/// A TLV as tshark shows it: `smpp.opt_param` and the fields inside it.
struct TsharkTlv<'a> {
    pos: usize,
    size: usize,
    name: Option<String>,
    tag: Option<u64>,
    len: Option<u64>,
    values: Vec<&'a TsharkField>,
}

fn tshark_tlvs(fields: &[TsharkField]) -> Vec<TsharkTlv<'_>> {
    let mut out: Vec<TsharkTlv<'_>> = Vec::new();
    for f in fields {
        if f.name == "smpp.opt_param" {
            // showname: "Optional parameter: receipted_message_id (0x001e)"
            let name = f.showname.as_deref().and_then(|s| {
                let rest = s.strip_prefix("Optional parameter: ")?;
                Some(rest.split(" (").next().unwrap_or(rest).to_owned())
            });
            out.push(TsharkTlv {
                pos: f.pos,
                size: f.size,
                name,
                tag: None,
                len: None,
                values: Vec::new(),
            });
            continue;
        }
        let Some(tlv) = out.last_mut() else { continue };
        if f.pos < tlv.pos || f.pos >= tlv.pos + tlv.size {
            continue;
        }
        match f.name.as_str() {
            "smpp.opt_param_tag" => tlv.tag = f.value.as_deref().and_then(hex_int),
            "smpp.opt_param_len" => tlv.len = f.value.as_deref().and_then(hex_int),
            _ => tlv.values.push(f),
        }
    }
    out
}

/// Compare one TLV; false when tshark itself lost its place (stop comparing).
fn compare_tlv(t: &TsharkTlv<'_>, ours: &Value, r: &mut Report) -> bool {
    let label = t.name.clone().unwrap_or_else(|| "TLV".to_owned());
    let found = tlvs_of(ours)
        .iter()
        .find(|v| num(v, "offset").is_some_and(|o| o as usize == t.pos || o as usize == t.pos + 4));
    let Some(our) = found else {
        r.mismatches.push(format!(
            "tshark shows TLV {label} (tag {:?}) at offset {} ({} bytes); we list no TLV there (our TLVs: {})",
            t.tag.map(|x| format!("0x{x:04x}")),
            t.pos,
            t.size,
            tlvs_of(ours)
                .iter()
                .map(|v| format!("{}@{}", v["name"].as_str().unwrap_or("?"), v["offset"]))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        return true;
    };
    if let (Some(tag), Some(our_tag)) = (t.tag, num(our, "tag")) {
        if tag != our_tag {
            r.mismatches.push(format!(
                "TLV at {}: tshark tag 0x{tag:04x}, ours 0x{our_tag:04x}",
                t.pos
            ));
        }
    } else if t.tag.is_some() {
        r.mismatches.push(format!(
            "TLV at {}: our `tag` is not a number: {}",
            t.pos, our["tag"]
        ));
    }
    if t.len != num(our, "length") {
        r.mismatches.push(format!(
            "TLV {label} at {}: tshark length {:?}, ours {}",
            t.pos, t.len, our["length"]
        ));
    }
    if let Some(name) = &t.name {
        // tshark uses some pre-spec names (dest_port for destination_port): same tag, same row.
        let same_row = smppdiag::spec::tlv::by_name(name).map(|d| d.name) == our["name"].as_str();
        if our["name"].as_str() != Some(name.as_str()) && !same_row {
            r.mismatches.push(format!(
                "TLV at {} (tag {:?}): tshark calls it {name}, we call it {}",
                t.pos,
                t.tag.map(|x| format!("0x{x:04x}")),
                our["name"]
            ));
        }
    }
    // Does tshark's reading of the value cover exactly the length it announced?
    let len = t.len.unwrap_or(0) as usize;
    let covered: BTreeSet<usize> = t
        .values
        .iter()
        .flat_map(|f| f.pos..f.pos + f.size)
        .collect();
    let expected: BTreeSet<usize> = (t.pos + 4..t.pos + 4 + len).collect();
    if len > 0 && !t.values.is_empty() && covered != expected {
        r.notes.push(format!(
            "tshark reads {} of the {len} value octets of TLV {label} at offset {} and loses its \
             place after it (a tshark defect); fields after offset {} not compared",
            covered.len(),
            t.pos,
            t.pos
        ));
        return false;
    }
    // A value tshark shows as one scalar field is compared with our typed value.
    if let [f] = t.values.as_slice() {
        if f.pos == t.pos + 4 && f.size == len {
            compare_scalar(&format!("TLV {label}"), f, &our["value"], r);
        }
    }
    true
}

/// Compare a scalar value (integer or string) with what tshark shows.
fn compare_scalar(label: &str, f: &TsharkField, our: &Value, r: &mut Report) {
    if f.bitmask.is_some() {
        return;
    }
    if is_uint(f) {
        let theirs = f.value.as_deref().and_then(hex_int);
        if theirs.is_some() && our.as_u64() != theirs {
            r.mismatches.push(format!(
                "{label} at {}: tshark value {} ({}), ours {our}",
                f.pos,
                theirs.unwrap_or_default(),
                f.show.as_deref().unwrap_or("")
            ));
        }
    } else if is_string(f) {
        let theirs = tshark_string(f);
        if our.as_str() != Some(theirs.as_str()) {
            r.mismatches.push(format!(
                "{label} at {}: tshark shows {theirs:?}, ours {our}",
                f.pos
            ));
        }
    }
}

fn compare_header(f: &TsharkField, key: &str, offset: usize, ours: &Value, r: &mut Report) {
    let theirs = f.value.as_deref().and_then(hex_int);
    if num(ours, key) != theirs {
        r.mismatches
            .push(format!("{key}: tshark {:?}, ours {}", theirs, ours[key]));
    }
    if f.pos != offset || f.size != 4 {
        r.mismatches.push(format!(
            "tshark puts {key} at {}+{} (expected {offset}+4)",
            f.pos, f.size
        ));
    }
    // Header fields in `fields` are optional; when present, their place must agree.
    if let Some(v) = fields_of(ours).iter().find(|v| v["name"] == key) {
        if num(v, "offset") != Some(offset as u64) || num(v, "length") != Some(4) {
            r.mismatches.push(format!(
                "our {key} field sits at {}+{}",
                v["offset"], v["length"]
            ));
        }
    }
}

fn compare_field(f: &TsharkField, ours: &Value, r: &mut Report) {
    let name = our_name(&f.name);
    let candidates: Vec<&Value> = fields_of(ours)
        .iter()
        .filter(|v| v["name"] == name.as_str())
        .collect();
    if candidates.is_empty() {
        let there = fields_of(ours).iter().find(|v| covers(v, f.pos));
        r.mismatches.push(format!(
            "tshark shows {} at {}+{} = {:?}; we have no field `{name}`{}",
            f.name,
            f.pos,
            f.size,
            f.show.as_deref().unwrap_or(""),
            there
                .map(|v| format!(" (those bytes are our {})", describe(v)))
                .unwrap_or_default()
        ));
        return;
    }
    let mut exact = candidates
        .iter()
        .find(|v| num(v, "offset") == Some(f.pos as u64))
        .copied();
    // tshark 4.0 labels submit_multi's validity_period as schedule_delivery_time_r: accept our
    // validity_period at the same bytes.
    if exact.is_none() && f.name == "smpp.schedule_delivery_time_r" {
        exact = fields_of(ours)
            .iter()
            .find(|v| v["name"] == "validity_period" && num(v, "offset") == Some(f.pos as u64));
    }
    let Some(our) = exact else {
        r.mismatches.push(format!(
            "{} ({name}): tshark at offset {}+{}, ours at {}",
            f.name,
            f.pos,
            f.size,
            candidates
                .iter()
                .map(|v| format!("{}+{}", v["offset"], v["length"]))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        return;
    };
    if num(our, "length") != Some(f.size as u64) {
        r.mismatches.push(format!(
            "{} ({name}) at {}: tshark {} bytes, ours {}",
            f.name, f.pos, f.size, our["length"]
        ));
    }
    let our_hex = our["hex"]
        .as_str()
        .unwrap_or("")
        .to_ascii_lowercase()
        .replace(' ', "");
    if let Some(mask) = &f.bitmask {
        // A bit field of a one-octet field (esm_class, registered_delivery, ...):
        // compare the whole octet.
        if let Some(byte_hex) = &f.unmaskedvalue {
            if our_hex != byte_hex.to_ascii_lowercase() {
                r.mismatches.push(format!(
                    "{} ({name}, mask {mask}) at {}: tshark octet {byte_hex}, our hex {our_hex:?}",
                    f.name, f.pos
                ));
            }
            if our["value"].is_number() && our["value"].as_u64() != hex_int(byte_hex) {
                r.mismatches.push(format!(
                    "{name} at {}: tshark octet 0x{byte_hex}, our value {}",
                    f.pos, our["value"]
                ));
            }
        }
        return;
    }
    if let Some(theirs) = &f.value {
        if !theirs.is_empty() && our_hex != theirs.to_ascii_lowercase() {
            r.mismatches.push(format!(
                "{} ({name}) at {}: tshark bytes {theirs}, our hex {our_hex:?}",
                f.name, f.pos
            ));
        }
    }
    compare_scalar(&format!("{} ({name})", f.name), f, &our["value"], r);
}

/// Compare our decoding of one PDU with tshark's, field by field.
fn compare(ts: &TsharkPdu, ours: &Value) -> Report {
    let mut r = Report::default();
    if ts.smpp_frames != 1 {
        r.notes.push(format!(
            "tshark found {} SMPP PDUs in the frame",
            ts.smpp_frames
        ));
    }
    for e in &ts.errors {
        r.notes.push(format!("tshark flagged: {e}"));
    }
    let tlvs = tshark_tlvs(&ts.fields);
    let in_tlv = |pos: usize| tlvs.iter().any(|t| pos >= t.pos && pos < t.pos + t.size);
    let data_coding = ts
        .fields
        .iter()
        .find(|f| f.name == "smpp.data_coding")
        .and_then(|f| f.value.as_deref().and_then(hex_int));
    let mut stop_at: Option<usize> = None;

    for t in &tlvs {
        if stop_at.is_some_and(|s| t.pos > s) {
            break;
        }
        if !compare_tlv(t, ours, &mut r) {
            stop_at = Some(t.pos);
        }
    }
    for f in &ts.fields {
        if stop_at.is_some_and(|s| f.pos > s) {
            break;
        }
        if f.hidden || CONTAINERS.contains(&f.name.as_str()) || f.name == "smpp.opt_param" {
            continue;
        }
        if let Some((_, key, off)) = HEADER.iter().find(|(n, _, _)| *n == f.name) {
            compare_header(f, key, *off, ours, &mut r);
            continue;
        }
        if f.name == "smpp.message_text" {
            if data_coding.is_some_and(|dc| TEXT_CODINGS.contains(&dc)) {
                let holder = fields_of(ours).iter().chain(tlvs_of(ours)).find(|v| {
                    matches!(
                        v["name"].as_str(),
                        Some("short_message" | "message_payload")
                    ) && (covers(v, f.pos)
                        || tlvs_of(ours).iter().any(|t| t == *v && in_tlv(f.pos)))
                });
                let theirs = f.show.clone().unwrap_or_default();
                match holder {
                    Some(v) if v["value"].as_str() == Some(theirs.as_str()) => {}
                    Some(v) => r.mismatches.push(format!(
                        "message text at {}: tshark {theirs:?}, ours {}",
                        f.pos, v["value"]
                    )),
                    None => r.mismatches.push(format!(
                        "tshark decodes message text {theirs:?} at {}; we have no short_message/message_payload there",
                        f.pos
                    )),
                }
            }
            continue;
        }
        if in_tlv(f.pos) {
            continue; // compared with its TLV
        }
        if f.name.starts_with("gsm_sms") {
            // The UDH, which tshark dissects as GSM user data: the bytes must at
            // least belong to our short_message.
            if !fields_of(ours).iter().any(|v| covers(v, f.pos)) {
                r.mismatches.push(format!(
                    "tshark shows {} at {}; no field of ours covers that byte",
                    f.name, f.pos
                ));
            }
            continue;
        }
        compare_field(f, ours, &mut r);
    }
    if let Some(diags) = ours["diagnostics"].as_array() {
        for d in diags.iter().filter(|d| d["severity"] == "error") {
            if ts.errors.is_empty() {
                r.mismatches.push(format!(
                    "we report an error on a PDU tshark dissects cleanly: offset {} {}",
                    d["offset"], d["message"]
                ));
            }
        }
    }
    r
}

/// Decode every PDU with smppdiag and with tshark; one line per disagreement.
#[allow(clippy::print_stderr)]
fn check_against_tshark(encoder: &str, pdus: &[Pdu]) {
    assert!(!pdus.is_empty(), "{encoder} produced no PDUs");
    let hexes: Vec<&str> = pdus.iter().map(|p| p.hex.as_str()).collect();
    let tshark = peers::tshark_fields(&hexes);
    let mut problems = Vec::new();
    let shown: usize = tshark.iter().map(|t| t.fields.len()).sum();
    assert!(
        shown > 0,
        "tshark showed no fields at all for {encoder}'s PDUs"
    );
    for (pdu, ts) in pdus.iter().zip(&tshark) {
        let ours = match decode_ours(&pdu.hex) {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!(
                    "[{encoder} {}] {e}\n    hex: {}",
                    pdu.name, pdu.hex
                ));
                continue;
            }
        };
        let report = compare(ts, &ours);
        for n in &report.notes {
            eprintln!("note [{encoder} {}]: {n}", pdu.name);
        }
        for m in report.mismatches {
            problems.push(format!("[{encoder} {}] {m}", pdu.name));
        }
    }
    assert!(
        problems.is_empty(),
        "smppdiag and tshark disagree on {} point(s) for PDUs encoded by {encoder}:\n{}\n",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn smpplib_pdus_decode_like_tshark() {
    check_against_tshark("smpplib", &peers::smpplib_pdus());
}

#[test]
fn node_smpp_pdus_decode_like_tshark() {
    check_against_tshark("node-smpp", &peers::node_pdus());
}

// ------------------------------------------------------------------ the comparison itself

fn field(name: &str, pos: usize, size: usize, value: &str, show: &str, ftype: &str) -> TsharkField {
    TsharkField {
        name: name.to_owned(),
        show: Some(show.to_owned()),
        value: Some(value.to_owned()),
        pos,
        size,
        ftype: Some(ftype.to_owned()),
        bitmask: None,
        unmaskedvalue: None,
        showname: None,
        hidden: false,
    }
}

fn sample_tshark() -> TsharkPdu {
    let mut esm = field("smpp.esm.submit.msg_type", 20, 1, "1", "0x01", "FT_UINT8");
    esm.bitmask = Some("0x3c".to_owned());
    esm.unmaskedvalue = Some("04".to_owned());
    let mut opt = field("smpp.opt_param", 21, 5, "", "", "FT_NONE");
    opt.showname = Some("Optional parameter: message_state (0x0427)".to_owned());
    TsharkPdu {
        frame: 1,
        name: None,
        hex: String::new(),
        smpp_frames: 1,
        errors: vec![],
        fields: vec![
            field("smpp.command_length", 0, 4, "0000001a", "26", "FT_UINT32"),
            field("smpp.source_addr", 16, 4, "41424300", "ABC", "FT_STRINGZ"),
            esm,
            opt,
            field("smpp.opt_param_tag", 21, 2, "0427", "0x0427", "FT_UINT16"),
            field("smpp.opt_param_len", 23, 2, "0001", "1", "FT_UINT16"),
            field("smpp.message_state", 25, 1, "02", "2", "FT_UINT8"),
        ],
    }
}

fn sample_ours() -> Value {
    serde_json::json!({
        "command_length": 26, "command_id": 5, "command_status": 0, "sequence_number": 1,
        "fields": [
            {"name": "source_addr", "offset": 16, "length": 4, "hex": "41424300", "value": "ABC"},
            {"name": "esm_class", "offset": 20, "length": 1, "hex": "04", "value": 4},
        ],
        "tlvs": [{"tag": 0x0427, "name": "message_state", "length": 1, "value": 2, "offset": 21}],
        "diagnostics": []
    })
}

#[test]
fn comparison_accepts_an_agreeing_decoding() {
    let r = compare(&sample_tshark(), &sample_ours());
    assert!(r.mismatches.is_empty(), "{:?}", r.mismatches);
}

#[test]
fn comparison_reports_every_disagreement() {
    let mut ours = sample_ours();
    ours["fields"][0]["offset"] = 17.into(); // source_addr moved
    ours["fields"][1]["hex"] = "00".into(); // esm_class octet differs
    ours["fields"][1]["value"] = 0.into();
    ours["tlvs"][0]["value"] = 5.into(); // message_state differs
    ours["command_length"] = 27.into();
    let r = compare(&sample_tshark(), &ours);
    let all = r.mismatches.join("\n");
    assert_eq!(r.mismatches.len(), 5, "{all}");
    assert!(all.contains("command_length"), "{all}");
    assert!(
        all.contains("smpp.source_addr (source_addr): tshark at offset 16+4, ours at 17+4"),
        "{all}"
    );
    assert!(all.contains("tshark octet 04"), "{all}");
    assert!(
        all.contains("TLV message_state at 25: tshark value 2"),
        "{all}"
    );
}

#[test]
fn comparison_stops_where_tshark_loses_its_place() {
    let mut ts = sample_tshark();
    // tshark announces 2 value octets but reads 1, then shows nonsense after it.
    ts.fields[5] = field("smpp.opt_param_len", 23, 2, "0002", "2", "FT_UINT16");
    ts.fields
        .push(field("smpp.bogus", 27, 1, "ff", "255", "FT_UINT8"));
    let mut ours = sample_ours();
    ours["tlvs"][0]["length"] = 2.into();
    let r = compare(&ts, &ours);
    assert!(r.mismatches.is_empty(), "{:?}", r.mismatches);
    assert!(
        r.notes.iter().any(|n| n.contains("loses its place")),
        "{:?}",
        r.notes
    );
}

// ------------------------------------------------------------------ the peers themselves

fn header_ok(p: &Pdu) -> Result<(), String> {
    let bytes = hex::decode(&p.hex).map_err(|e| format!("{}: not hex: {e}", p.name))?;
    let len = bytes
        .get(0..4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .ok_or_else(|| format!("{}: shorter than a header", p.name))?;
    if len != bytes.len() || len < 16 {
        return Err(format!(
            "{}: command_length {len}, {} bytes",
            p.name,
            bytes.len()
        ));
    }
    Ok(())
}

#[test]
fn peer_smpplib_encoder_runs() {
    let pdus = peers::smpplib_pdus();
    let names: Vec<&str> = pdus.iter().map(|p| p.name.as_str()).collect();
    for want in [
        "bind_transmitter",
        "bind_receiver",
        "bind_transceiver",
        "submit_sm_gsm",
        "submit_sm_ucs2_emoji",
        "deliver_sm_receipt",
        "enquire_link",
        "unbind",
        "generic_nack",
        "data_sm",
        "query_sm",
    ] {
        assert!(
            names.contains(&want),
            "encode_smpplib.py lacks {want}: {names:?}"
        );
    }
    for p in &pdus {
        header_ok(p).unwrap();
    }
    // smpplib forces interface_version 0x34 in binds: a fact about the peer we rely on.
    let bind = &pdus[0];
    assert_eq!(bind.name, "bind_transmitter");
    assert!(bind.hex.ends_with("0034010100"), "{}", bind.hex);
    // Fixed sequence numbers and a seeded UDH reference: the same bytes on every run.
    let again = peers::smpplib_pdus();
    assert_eq!(
        pdus.iter().map(|p| &p.hex).collect::<Vec<_>>(),
        again.iter().map(|p| &p.hex).collect::<Vec<_>>()
    );
}

#[test]
fn peer_node_encoder_runs() {
    let pdus = peers::node_pdus();
    let names: Vec<&str> = pdus.iter().map(|p| p.name.as_str()).collect();
    for want in [
        "bind_transceiver",
        "outbind",
        "submit_sm_udh8",
        "submit_multi",
        "submit_multi_resp",
        "cancel_sm",
        "replace_sm",
        "broadcast_sm",
        "deliver_sm_receipt",
    ] {
        assert!(
            names.contains(&want),
            "encode_node.js lacks {want}: {names:?}"
        );
    }
    for p in &pdus {
        header_ok(p).unwrap();
    }
    // node-smpp drops the body of an error response.
    let throttled = pdus
        .iter()
        .find(|p| p.name == "submit_sm_resp_throttled")
        .unwrap();
    assert_eq!(throttled.hex, "00000010800000040000005800000013");
}

#[test]
fn peer_tshark_dissects_an_smpplib_submit_sm() {
    let pdus = peers::smpplib_pdus();
    let submit = pdus.iter().find(|p| p.name == "submit_sm_gsm").unwrap();
    let ts = peers::tshark_fields(&[submit.hex.as_str()]);
    let ts = &ts[0];
    assert_eq!(ts.smpp_frames, 1);
    assert!(ts.errors.is_empty(), "{:?}", ts.errors);
    let get = |n: &str| {
        ts.fields
            .iter()
            .find(|f| f.name == n)
            .unwrap_or_else(|| panic!("no {n}: {:?}", ts.fields))
    };
    let src = get("smpp.source_addr");
    assert_eq!(
        (src.show.as_deref(), src.pos, src.size),
        (Some("Shop"), 19, 5)
    );
    let dst = get("smpp.destination_addr");
    assert_eq!(
        (dst.show.as_deref(), dst.pos, dst.size),
        (Some("447700900123"), 26, 13)
    );
    let msg_type = get("smpp.esm.submit.msg_type");
    assert_eq!(
        (msg_type.pos, msg_type.bitmask.as_deref()),
        (39, Some("0x3c"))
    );
    let sm = get("smpp.message");
    assert_eq!((sm.pos, sm.size), (49, 33));
}

#[test]
fn peer_node_smsc_binds_and_reassembles() {
    let mut smsc = peers::node_smsc(&["--account", "bench:secret", "--throttle-every", "3"]);
    let out = Command::new("node")
        .arg(peers::peers_dir().join("client.js"))
        .args([
            "--port",
            &smsc.port.to_string(),
            "--count",
            "4",
            "--window",
            "2",
            "--text",
            "hi there",
        ])
        .stdin(Stdio::null())
        .output()
        .expect("run client.js");
    assert!(
        out.status.success(),
        "client.js: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).expect("client.js summary");
    assert_eq!(summary["sent"], 4);
    assert_eq!(summary["ok"], 3);
    assert_eq!(summary["errors"]["ESME_RTHROTTLED"], 1);

    let bind = smsc.wait_event("bind", Duration::from_secs(10));
    assert_eq!(bind["system_id"], "bench");
    assert_eq!(bind["status"], 0);
    let message = smsc.wait_event("message", Duration::from_secs(10));
    assert_eq!(message["text"], "hi there");
    assert_eq!(message["parts"], 1);
    smsc.wait_event("unbind", Duration::from_secs(10));

    let bad = Command::new("node")
        .arg(peers::peers_dir().join("client.js"))
        .args(["--port", &smsc.port.to_string(), "--password", "wrong"])
        .stdin(Stdio::null())
        .output()
        .expect("run client.js");
    assert!(!bad.status.success());
    let refused = smsc.wait_for(Duration::from_secs(10), "refused bind", |v| {
        v["event"] == "bind" && v["status"] != 0
    });
    assert_eq!(refused["status_name"], "ESME_RINVPASWD");
}
