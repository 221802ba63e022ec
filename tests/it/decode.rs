//! `smppdiag decode`: real output of the binary, colour off, for the shapes people paste, the
//! seed pages' malformed PDUs, JSON, secrets, exit codes.

use snapbox::cmd::Command;
use snapbox::str;

use crate::util::snap as smppdiag;

/// The first seed page's bind_transmitter, pasted with its annotations.
const SEED_BIND: &str = include_str!("../fixtures/seeds/000_bind_transmitter.txt");

/// The second seed page's submit_sm, one annotated field per line.
const SEED_SUBMIT: &str = include_str!("../fixtures/seeds/004_submit_sm.txt");

/// The `pdu` events of `decode --json` output, each checked for the schema envelope: the decode
/// object with the envelope's `source` line added as `line` (schema 1, docs/json.md).
fn json_lines(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("one JSON object per line");
            assert_eq!(v["schema"], 1, "{l}");
            assert_eq!(v["event"], "pdu", "{l}");
            let mut p = v["pdu"].clone();
            p["line"] = v["source"]["line"].clone();
            p
        })
        .collect()
}

#[test]
fn seed_bind_is_explained_not_rejected() {
    smppdiag()
        .args(["decode", SEED_BIND])
        .assert()
        .code(3)
        .stdout_eq(str![[r#"
line 1  hex  (truncated: 26 of 28 octets in the text)
bind_transmitter  ESME_ROK  seq 1  26 octets  MALFORMED
   0  00 00 00 1c        command_length          28  28 octets (26 present)
        error @0: command_length says 28 octets but only 26 are present (2
          missing)
          → Either the PDU was cut short when copied, or the sender computed
            command_length before filling in every field.
   4  00 00 00 02        command_id              bind_transmitter
   8  00 00 00 00        command_status          ESME_ROK
  12  00 00 00 01        sequence_number         1
  16  74 65 73 74 00     system_id               "test"
  21  00                 password                ""  empty
  22  00                 system_type             ""  empty
  23  00                 interface_version       0x00  SMPP 3.3 or earlier
        warning @23: interface_version 0x00: most SMSCs expect 0x34 (3.4) or
          0x50 (5.0) and may treat 0x00 as 3.3
          → Set interface_version to 0x34 unless the SMSC asks for another.
  24  00                 addr_ton                0  unknown
  25  00                 addr_npi                0  unknown
        error @26: the PDU ends at offset 26, before address_range (at least
          its NUL octet)
          → command_length promises 2 more octet(s): the PDU looks cut short.

"#]]);
}

#[test]
fn seed_submit_sm_mistakes_are_named_and_corrected() {
    smppdiag()
        .args(["decode", "-"])
        .stdin(SEED_SUBMIT)
        .assert()
        .code(3)
        .stdout_eq(str![[r#"
line 1  hex
submit_sm  ESME_ROK  seq 1  51 octets  MALFORMED
        note @0: the bytes do not follow the submit_sm layout, but they fit it
          exactly once 3 sender mistakes (below) are allowed for; written
          correctly this PDU is 46 octets
          → Corrected PDU:
            0000002E000000040000000000000001000101313233340001013938373600000000
            0000000000000548656C6C6F
        note @0: another reading fits the bytes too, with more mistakes: NULL
          times written as four zero octets, registered_delivery and data_coding
          missing, sm_length written on two octets
   0  00 00 00 2f        command_length          47  47 octets (51 present)
        error @0: command_length says 47 octets but 51 are present (4 extra);
          the bytes after offset 47 do not start another PDU
          → The sender likely computed command_length wrongly (e.g. before
            adding the last fields, or with a field written wider than the spec
            says).
   4  00 00 00 04        command_id              submit_sm
   8  00 00 00 00        command_status          ESME_ROK
  12  00 00 00 01        sequence_number         1
  16  00                 service_type            ""  empty
  17  01                 source_addr_ton         1  international
  18  01                 source_addr_npi         1  ISDN (E.163/E.164)
  19  31 32 33 34 00     source_addr             "1234"
  24  01                 dest_addr_ton           1  international
  25  01                 dest_addr_npi           1  ISDN (E.163/E.164)
  26  39 38 37 36 00     destination_addr        "9876"
  31  00                 esm_class               0x00
                           default mode, normal message
  32  00                 protocol_id             0x00  default (SME-to-SME)
  33  00                 priority_flag           0  level 0 (lowest)
  34  00 00 00 00        schedule_delivery_time  ""  NULL (written as 4 octets)
        error @34: schedule_delivery_time is written as four zero octets; a
          NULL time is a single 0x00 octet
          → The sender wrote the unset time as a 32-bit zero. An SMPP time is a
            C-Octet string: one 0x00 octet when unset, or 16 characters plus
            NUL.
  38  00 00 00 00        validity_period         ""  NULL (written as 4 octets)
        error @38: validity_period is written as four zero octets; a NULL time
          is a single 0x00 octet
          → The sender wrote the unset time as a 32-bit zero. An SMPP time is a
            C-Octet string: one 0x00 octet when unset, or 16 characters plus
            NUL.
  42  00                 registered_delivery     0x00  no SMSC receipt
  43  00                 replace_if_present_flag 0  don't replace
  44  00                 sm_default_msg_id       0
        error @44: data_coding is missing: the octets before sm_length are one
          short of the submit_sm layout
          → The sender left out data_coding; every mandatory field must be
            present, even when it is 0.
  45  05                 sm_length               5  5 octets follow
  46  48 65 6c 6c 6f     short_message           "Hello"  5 octets, GSM 03.38

"#]]);
}

#[test]
fn error_response_carries_its_explanation() {
    smppdiag()
        .args(["decode", "00000010 80000004 00000058 00000001"])
        .assert()
        .code(1)
        .stdout_eq(str![[r#"
line 1  hex
submit_sm_resp  ESME_RTHROTTLED  seq 1  16 octets
   0  00 00 00 10        command_length          16  16 octets
   4  80 00 00 04        command_id              submit_sm_resp
   8  00 00 00 58        command_status          ESME_RTHROTTLED
                           Throttled: too fast
  12  00 00 00 01        sequence_number         1

ESME_RTHROTTLED  0x00000058 = 88, SMPP 3.4
  meaning  The SMSC refused the request because the ESME exceeds its allowed
           rate (messages per second) or its number of outstanding requests.
  causes   - Submitting faster than the throughput agreed for the account.
           - Too many requests in flight without a response (window too large).
           - Several sessions or application instances sharing one account's
             limit.
           - Congestion at the SMSC temporarily lowering the allowed rate.
  fix      Cap the rate at the agreed TPS across all sessions of the account,
           keep the window within the provider's limit, and on this code pause
           briefly, then retry with growing delays. Retrying is safe: the
           message was not accepted.
  retry    throttling: Slow down, then retry with growing delays; keep retrying
           past the attempt limit until the maximum age (24 h by default).

"#]]);
}

#[test]
fn json_has_the_documented_keys() {
    let out = smppdiag()
        .args(["decode", "--json", "00000010800000040000005800000001"])
        .assert()
        .code(1);
    let v = json_lines(&out.get_output().stdout);
    assert_eq!(v.len(), 1);
    let p = &v[0];
    assert_eq!(p["command_length"], 16);
    assert_eq!(p["command_id"], 0x8000_0004u32);
    assert_eq!(p["command_name"], "submit_sm_resp");
    assert_eq!(p["command_status"], 0x58);
    assert_eq!(p["status_name"], "ESME_RTHROTTLED");
    assert_eq!(p["sequence_number"], 1);
    assert_eq!(p["explanation"]["name"], "ESME_RTHROTTLED");
    assert_eq!(p["explanation"]["retry"], "throttling");
    assert!(p["explanation"]["causes"]
        .as_array()
        .is_some_and(|c| !c.is_empty()));
    assert!(p["explanation"]["fix"]
        .as_str()
        .is_some_and(|f| !f.is_empty()));
    let f = &p["fields"][3];
    assert_eq!(
        (
            f["name"].as_str(),
            f["offset"].as_u64(),
            f["length"].as_u64()
        ),
        (Some("sequence_number"), Some(12), Some(4))
    );
    assert_eq!(f["hex"], "00000001");
    assert_eq!(f["value"], 1);
    assert!(p["tlvs"].as_array().is_some_and(Vec::is_empty));
    assert!(p["diagnostics"].as_array().is_some_and(Vec::is_empty));
}

#[test]
fn json_message_text_tlvs_and_diagnostics() {
    // submit_sm, UCS2 text with an emoji, a receipted_message_id TLV and a vendor TLV.
    let text: Vec<u8> = "Hi 😀".encode_utf16().flat_map(u16::to_be_bytes).collect();
    let mut body = vec![0, 1, 1];
    body.extend(b"447700900123\0");
    body.extend([1, 1]);
    body.extend(b"447700900456\0");
    body.extend([0, 0, 0, 0, 0, 1, 0, 8, 0, text.len() as u8]);
    body.extend(&text);
    body.extend([0x14, 0x01, 0x00, 0x02, 0xAB, 0xCD]);
    let mut pdu = ((16 + body.len()) as u32).to_be_bytes().to_vec();
    pdu.extend([0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 9]);
    pdu.extend(&body);
    let out = smppdiag()
        .args(["decode", "--json", &hex::encode(&pdu)])
        .assert()
        .success();
    let p = &json_lines(&out.get_output().stdout)[0];
    let sm = p["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "short_message")
        .expect("short_message");
    assert_eq!(sm["value"], "Hi 😀");
    let dc = p["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "data_coding")
        .expect("data_coding");
    assert_eq!(dc["value"], 8);
    assert!(dc["meaning"].as_str().unwrap().contains("UCS2"));
    let tlv = &p["tlvs"][0];
    assert_eq!(
        (
            tlv["tag"].as_u64(),
            tlv["length"].as_u64(),
            tlv["hex"].as_str()
        ),
        (Some(0x1401), Some(2), Some("ABCD"))
    );
    let d = &p["diagnostics"][0];
    assert_eq!(d["severity"], "info");
    assert!(d["message"].as_str().unwrap().contains("vendor-specific"));
}

#[test]
fn password_is_redacted_unless_asked() {
    let bind = "00000022 00000009 00000000 00000001 6573 6D65 00 7333637233742100 00 34 00 00 00";
    let out = smppdiag().args(["decode", bind]).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.contains("<redacted, 7 characters>"), "{text}");
    assert!(
        !text.contains("s3cr3t!") && !text.contains("73 33 63"),
        "{text}"
    );
    let out = smppdiag()
        .args(["decode", "--json", bind])
        .assert()
        .success();
    let j = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(!j.contains("s3cr3t!") && !j.contains("73336372"), "{j}");
    let out = smppdiag()
        .args(["decode", "--show-secrets", "--json", bind])
        .assert()
        .success();
    let p = &json_lines(&out.get_output().stdout)[0];
    let pw = p["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "password")
        .unwrap();
    assert_eq!(pw["value"], "s3cr3t!");
}

#[test]
fn xxd_dump_on_stdin() {
    let xxd = "00000000: 0000 0010 8000 0015 0000 0000 0000 0007  ................\n";
    smppdiag()
        .args(["decode"])
        .stdin(xxd)
        .assert()
        .success()
        .stdout_eq(str![[r#"
line 1  xxd
enquire_link_resp  ESME_ROK  seq 7  16 octets
   0  00 00 00 10        command_length          16  16 octets
   4  80 00 00 15        command_id              enquire_link_resp
   8  00 00 00 00        command_status          ESME_ROK
  12  00 00 00 07        sequence_number         7

"#]]);
}

#[test]
fn one_pdu_per_line_file() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("pdus.txt");
    std::fs::write(&f, "00000010000000150000000000000001\n0000001080000015000000000000000100\n00000010000000060000000000000002\n").unwrap();
    let out = smppdiag()
        .args(["decode", "--json", "--file"])
        .arg(&f)
        .assert()
        .code(3);
    let v = json_lines(&out.get_output().stdout);
    let names: Vec<_> = v
        .iter()
        .map(|p| {
            (
                p["command_name"].as_str().unwrap().to_string(),
                p["line"].as_u64().unwrap(),
                p["malformed"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("enquire_link".to_string(), 1, false),
            ("enquire_link_resp".to_string(), 2, true),
            ("unbind".to_string(), 3, false)
        ]
    );
}

#[test]
fn input_that_is_not_hex_is_a_usage_error_with_its_position() {
    smppdiag()
        .args(["decode", "00000010 8000000G"])
        .assert()
        .code(2)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: no SMPP PDU found: <arguments>: the longest run of bytes in the text is 4 octets of hex (hex) that is not a PDU: too short for the 16-octet SMPP header; paste the whole PDU starting at its command_length

"#]]);
}

#[test]
fn colour_only_when_asked() {
    let out = Command::new(snapbox::cmd::cargo_bin!("smppdiag"))
        .env_remove("NO_COLOR")
        .args([
            "--color",
            "always",
            "decode",
            "00000010800000040000005800000001",
        ])
        .assert()
        .code(1); // a well-formed response with an error status
    assert!(String::from_utf8_lossy(&out.get_output().stdout).contains("\u{1b}["));
    // auto: not a terminal here, so no colour; NO_COLOR is honoured as well.
    for env in [None, Some("1")] {
        let mut c = Command::new(snapbox::cmd::cargo_bin!("smppdiag")).env_remove("CLICOLOR_FORCE");
        c = match env {
            Some(v) => c.env("NO_COLOR", v),
            None => c.env_remove("NO_COLOR"),
        };
        let out = c
            .args(["decode", "00000010800000040000005800000001"])
            .assert()
            .code(1);
        assert!(!String::from_utf8_lossy(&out.get_output().stdout).contains("\u{1b}["));
    }
}
