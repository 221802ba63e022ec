//! Text diagnostics on PDUs real software sent: UTF-8 octets under data_coding 0, 1 or 3 ("looks
//! like UTF-8" with the decoded text, one diagnostic instead of one per octet) and double-encoded
//! UTF-8 (repaired). The octets are smpplib's and node-smpp's, kept in the paste corpus
//! (tests/fixtures/pastes/smpplib/debug-basic.txt, node-smpp/json-stringify.txt, made by
//! tests/fixtures/pastes/make/run.sh).

use snapbox::str;

use crate::util::snap as smppdiag;

const SMPPLIB_LOG: &str = include_str!("../fixtures/pastes/smpplib/debug-basic.txt");
const NODE_JSON: &str = include_str!("../fixtures/pastes/node-smpp/json-stringify.txt");

/// The hex of the n-th PDU smpplib sent (`>>b'...'` lines, from 0).
fn smpplib_sent(n: usize) -> String {
    SMPPLIB_LOG
        .lines()
        .filter_map(|l| l.split(">>b'").nth(1))
        .filter_map(|r| r.split('\'').next())
        .nth(n)
        .expect("smpplib sent that many PDUs")
        .to_string()
}

/// The submit_sm node-smpp sent with "Grüße aus Köln" (UTF-8 under data_coding 0).
fn node_utf8_submit() -> String {
    NODE_JSON
        .lines()
        .filter_map(|l| l.split("\"data\":[").nth(1))
        .map(|r| {
            r.trim_end_matches("]}")
                .split(',')
                .map(|x| format!("{:02x}", x.parse::<u8>().expect("decimal octet")))
                .collect::<String>()
        })
        .find(|h| h.contains("4bc3b66c6e"))
        .expect("node-smpp's UTF-8 submit_sm")
}

/// The last `n` lines of the text dump.
fn tail(args: &[&str], n: usize) -> String {
    let out = smppdiag().args(args).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n") + "\n"
}

#[test]
fn greek_utf8_under_data_coding_0_is_named_once() {
    // smpplib's third PDU: Greek text as UTF-8 octets, data_coding 0
    let hex = smpplib_sent(2);
    snapbox::assert_data_eq!(
        tail(&["decode", &hex], 9),
        str![[r#"
  63  ce b7 ce bc ce ad    27 octets, GSM 03.38
  69  cf 81 ce b1 20 ce
  75  ba cf 8c cf 83 ce
  81  bc ce b5
        warning @57: short_message: data_coding says GSM 03.38 but the text
          looks like UTF-8: "Καλημέρα κόσμε"
          → The sender encoded the text as UTF-8, which no SMPP data_coding
            means: encode it in the declared alphabet, or as UCS2 with
            data_coding 8 when it does not fit.

"#]]
    );
    let out = smppdiag().args(["decode", &hex]).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(!text.contains("high bit"), "{text}");
}

#[test]
fn greek_utf8_under_data_coding_1_is_not_called_ucs2() {
    // The same smpplib octets with data_coding set to 1 (IA5), the issue's example.
    let mut hex = smpplib_sent(2);
    assert_eq!(&hex[108..110], "00", "data_coding at offset 54");
    hex.replace_range(108..110, "01");
    let out = smppdiag()
        .args(["decode", "--json", &hex])
        .assert()
        .success();
    let line: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    // the decode object itself, or under "pdu" in schema 1's envelope
    let v = if line["pdu"].is_object() {
        &line["pdu"]
    } else {
        &line
    };
    let msgs: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        msgs,
        ["short_message: data_coding says IA5/ASCII but the text looks like UTF-8: \"Καλημέρα κόσμε\""]
    );
    assert!(!msgs.iter().any(|m| m.contains("UCS2")));
}

#[test]
fn node_smpp_utf8_under_data_coding_0() {
    let out = tail(&["decode", &node_utf8_submit()], 5);
    assert!(
        out.contains("looks like UTF-8: \"Grüße aus Köln\""),
        "{out}"
    );
}

#[test]
fn double_encoded_utf8_is_said_and_repaired() {
    // smpplib's fourth PDU: "Café crème" encoded twice, data_coding 3
    smppdiag()
        .args(["decode", &smpplib_sent(3)])
        .assert()
        .success()
        .stdout_eq(str![[r#"
line 1  hex
submit_sm  ESME_ROK  seq 5  73 octets
   0  00 00 00 49        command_length          73  73 octets
   4  00 00 00 04        command_id              submit_sm
   8  00 00 00 00        command_status          ESME_ROK
  12  00 00 00 05        sequence_number         5
  16  00                 service_type            ""  empty
  17  01                 source_addr_ton         1  international
  18  01                 source_addr_npi         1  ISDN (E.163/E.164)
  19  34 34 37 37 30 30  source_addr             "447700900001"
  25  39 30 30 30 30 31
  31  00
  32  01                 dest_addr_ton           1  international
  33  01                 dest_addr_npi           1  ISDN (E.163/E.164)
  34  34 34 37 37 30 30  destination_addr        "447700900123"
  40  39 30 30 31 32 33
  46  00
  47  00                 esm_class               0x00
                           default mode, normal message
  48  00                 protocol_id             0x00  default (SME-to-SME)
  49  00                 priority_flag           0  level 0 (lowest)
  50  00                 schedule_delivery_time  ""  NULL (not set)
  51  00                 validity_period         ""  NULL (not set)
  52  00                 registered_delivery     0x00  no SMSC receipt
  53  00                 replace_if_present_flag 0  don't replace
  54  03                 data_coding             0x03  Latin-1 (ISO-8859-1)
  55  00                 sm_default_msg_id       0
  56  10                 sm_length               16  16 octets follow
  57  43 61 66 c3 83 c2  short_message           "CafÃ/u{83}Â© crÃ/u{83}Â¨me"
  63  a9 20 63 72 c3 83    16 octets, Latin-1
  69  c2 a8 6d 65
        warning @57: short_message: the text looks double-encoded (UTF-8 read
          as Latin-1 and encoded again): it reads "CafÃ© crÃ¨me"; repaired:
          "Café crème"
          → Somewhere on the way the UTF-8 octets were decoded as Latin-1 (or
            Windows-1252) and encoded again: decode the text once, with the
            charset it was written in.

"#]]);
}
