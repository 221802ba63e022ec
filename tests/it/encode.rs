//! `smppdiag encode`: PDUs built from FIELD=VALUE arguments and from edited `decode --json`
//! output, checked by decoding the result with our decoder and with tshark (the reference).

use snapbox::str;

use crate::util::snap as smppdiag;

/// The seed page's submit_sm (tests/fixtures/seeds), whose command_length is wrong.
const SEED_SUBMIT: &str = include_str!("../fixtures/seeds/004_submit_sm.txt");

/// Standard output of a run that exits with `code`.
fn stdout_with(code: i32, args: &[&str], stdin: Option<&str>) -> String {
    let mut c = smppdiag().args(args);
    if let Some(s) = stdin {
        c = c.stdin(s.to_string());
    }
    let out = c.assert().code(code).get_output().stdout.clone();
    String::from_utf8(out).expect("utf-8")
}

fn stdout_of(args: &[&str], stdin: Option<&str>) -> String {
    stdout_with(0, args, stdin)
}

#[test]
fn fields_and_tlv_give_the_expected_octets() {
    smppdiag()
        .args([
            "encode",
            "submit_sm",
            "source_addr=ACME",
            "destination_addr=447700900123",
            "data_coding=0x08",
            "short_message=@text:Привет",
            "tlv:0x1403=0102",
        ])
        .assert()
        .success()
        .stdout_eq(str![[r#"
0000004300000004000000000000000100000041434D45000000343437373030393030313233000000000000000008000C041F04400438043204350442140300020102

"#]]);
}

#[test]
fn tshark_reads_a_crafted_submit_sm() {
    crate::peers::require_tshark();
    let hex = stdout_of(
        &[
            "encode",
            "submit_sm",
            "source_addr_ton=5",
            "source_addr=ACME",
            "destination_addr=447700900123",
            "esm_class=0x03",
            "short_message=Hello",
            "tlv:user_message_reference=0x0102",
        ],
        None,
    );
    let pdus = crate::peers::tshark_fields(&[hex.trim()]);
    let show = |name: &str| {
        pdus[0]
            .fields
            .iter()
            .find(|f| f.name == name)
            .and_then(|f| f.show.clone())
            .unwrap_or_else(|| panic!("tshark shows no {name}: {:?}", pdus[0]))
    };
    assert!(pdus[0].errors.is_empty(), "{:?}", pdus[0].errors);
    assert_eq!(show("smpp.command_length"), "60");
    assert_eq!(show("smpp.source_addr_ton"), "0x05");
    assert_eq!(show("smpp.source_addr"), "ACME");
    assert_eq!(show("smpp.destination_addr"), "447700900123");
    assert_eq!(show("smpp.esm.submit.msg_mode"), "0x03");
    assert_eq!(show("smpp.sm_length"), "5");
    assert_eq!(show("smpp.message"), "48:65:6c:6c:6f");
    assert_eq!(show("smpp.user_message_reference"), "0x0102");
}

#[test]
fn given_command_length_is_kept_and_explained_as_malformed() {
    smppdiag()
        .args([
            "encode",
            "enquire_link",
            "sequence_number=7",
            "command_length=20",
        ])
        .assert()
        .success()
        .stdout_eq(str![[r#"
00000014000000150000000000000007

"#]]);
}

#[test]
fn decode_json_piped_back_is_the_same_pdu_even_when_malformed() {
    // decode exits 3: the seed's times are written as four zero octets.
    let json = stdout_with(3, &["decode", "--json", SEED_SUBMIT], None);
    let hex = stdout_of(&["encode"], Some(&json));
    let want: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
    assert_eq!(hex.trim(), want["pdu"]["hex"].as_str().unwrap());
}

#[test]
fn edited_json_is_re_encoded_with_lengths_computed() {
    let hex = stdout_of(&["encode", "submit_sm", "short_message=Hello"], None);
    let json = stdout_of(&["decode", "--json", hex.trim()], None);
    let mut v: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    for f in v["pdu"]["fields"].as_array_mut().unwrap() {
        match f["name"].as_str() {
            Some("short_message") => f["value"] = "Hi €".into(),
            Some("destination_addr") => f["value"] = "447700900123".into(),
            _ => {}
        }
    }
    let hex = stdout_of(
        &["encode", "--color", "never", "--explain"],
        Some(&v.to_string()),
    );
    assert!(hex.contains("\"447700900123\""), "{hex}");
    assert!(hex.contains("\"Hi €\""), "{hex}");
    assert!(!hex.contains("MALFORMED"), "{hex}");
}

#[test]
fn send_json_lines_give_back_the_pdus_that_crossed_the_wire() {
    let serve = crate::util::serve(&["--accept-any"]);
    let (code, json) = crate::util::run_on(
        serve.port,
        "send",
        &[
            "--password",
            "pw",
            "--to",
            "447700900123",
            "--text",
            "Hello",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{json}");
    let lines: Vec<serde_json::Value> = json
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    // The bind's password is masked in the JSON: encode refuses to guess it.
    let all = lines
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    smppdiag()
        .args(["encode"])
        .stdin(all)
        .assert()
        .code(2)
        .stderr_eq(
        "error: JSON input: password is redacted; decode with --show-secrets, or set its value\n",
    );
    let others: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|v| v["event"] == "pdu" && v["pdu"]["command_name"] != "bind_transmitter")
        .collect();
    assert!(others.len() >= 3, "{json}");
    let input = others
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    let out = stdout_of(&["encode"], Some(&input));
    let want: Vec<&str> = others
        .iter()
        .map(|v| v["pdu"]["hex"].as_str().unwrap())
        .collect();
    assert_eq!(out.lines().collect::<Vec<_>>(), want);
}

#[test]
fn errors_say_what_is_wrong() {
    smppdiag()
        .args(["encode", "submit_sm", "esm_klass=1"])
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: submit_sm has no field "esm_klass"; its fields are: command_length, command_id, command_status, sequence_number, service_type, source_addr_ton, source_addr_npi, source_addr, dest_addr_ton, dest_addr_npi, destination_addr, esm_class, protocol_id, priority_flag, schedule_delivery_time, validity_period, registered_delivery, replace_if_present_flag, data_coding, sm_default_msg_id, sm_length, short_message

"#]]);
    smppdiag()
        .args([
            "encode",
            "submit_sm",
            "data_coding=3",
            "short_message=@text:Привет",
        ])
        .assert()
        .code(2);
}
