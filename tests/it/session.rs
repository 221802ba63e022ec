//! `smppdiag bind`, `send` and `unbind` against an SMSC someone else wrote (node-smpp, via
//! tests/peers/smsc.js) and against tiny fake peers that misbehave on purpose.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::peers::{node_smsc, smppdiag_bin, Smsc};
use crate::util::run_on;

const T: Duration = Duration::from_secs(10);

fn acme(smsc_args: &[&str]) -> Smsc {
    let mut a = vec!["--account", "acme:secret"];
    a.extend_from_slice(smsc_args);
    node_smsc(&a)
}

const CREDS: [&str; 4] = ["--system-id", "acme", "--password", "secret"];

fn with_creds<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v: Vec<&str> = CREDS.to_vec();
    v.extend_from_slice(extra);
    v
}

/// Replace timestamps and round-trip times so that output can be compared exactly.
fn mask(s: &str) -> String {
    let mut out = String::new();
    for line in s.lines() {
        let mut l = line.to_string();
        if let Some(i) = l.find("+") {
            if l[..i].trim().chars().all(|c| c == '→' || c == '←') && !l[..i].trim().is_empty()
            {
                if let Some(j) = l[i..].find('s') {
                    l.replace_range(i..i + j + 1, "+[T]");
                }
            }
        }
        if let Some(i) = l.find("  rtt ") {
            l.truncate(i);
            l.push_str("  rtt [RTT]");
        }
        if let Some(i) = l.find(" in ") {
            if l.starts_with('✓') {
                l.truncate(i);
                l.push_str(" in [RTT]");
            }
        }
        out.push_str(&l);
        out.push('\n');
    }
    out
}

// ------------------------------------------------------------------ node-smpp: bind

#[test]
fn bind_in_each_mode() {
    let mut smsc = acme(&[]);
    for (mode, expected) in [("tx", "tx"), ("rx", "rx"), ("trx", "trx")] {
        let (code, out) = run_on(smsc.port, "bind", &with_creds(&["--bind-mode", mode]));
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("✓ bound as bind_"), "{out}");
        assert!(out.contains("unbind_resp ESME_ROK"), "{out}");
        let ev = smsc.wait_event("bind", T);
        assert_eq!(ev["mode"], expected);
        assert_eq!(ev["system_id"], "acme");
        assert_eq!(ev["password"], "secret");
        smsc.wait_event("unbind", T);
    }
}

#[test]
fn bind_output_snapshot() {
    let smsc = acme(&[]);
    let (code, out) = run_on(smsc.port, "bind", &with_creds(&["--bind-mode", "tx"]));
    assert_eq!(code, 0, "{out}");
    let expected = "
→ +[T]  bind_transmitter  ESME_ROK  seq 1  33 octets
   0  00 00 00 21        command_length          33  33 octets
   4  00 00 00 02        command_id              bind_transmitter
   8  00 00 00 00        command_status          ESME_ROK
  12  00 00 00 01        sequence_number         1
  16  61 63 6d 65 00     system_id               \"acme\"
  21  ** ** ** ** ** **  password                <redacted, 6 characters>
  27  00
  28  00                 system_type             \"\"  empty
  29  34                 interface_version       0x34  SMPP 3.4
  30  00                 addr_ton                0  unknown
  31  00                 addr_npi                0  unknown
  32  00                 address_range           \"\"  empty

← +[T]  bind_transmitter_resp  ESME_ROK  seq 1  25 octets  rtt [RTT]
   0  00 00 00 19        command_length          25  25 octets
   4  80 00 00 02        command_id              bind_transmitter_resp
   8  00 00 00 00        command_status          ESME_ROK
  12  00 00 00 01        sequence_number         1
  16  4e 4f 44 45 53 4d  system_id               \"NODESMSC\"
  22  53 43 00

✓ bound as bind_transmitter to \"NODESMSC\" in [RTT]

→ +[T]  unbind  ESME_ROK  seq 2  16 octets
   0  00 00 00 10        command_length          16  16 octets
   4  00 00 00 06        command_id              unbind
   8  00 00 00 00        command_status          ESME_ROK
  12  00 00 00 02        sequence_number         2

← +[T]  unbind_resp  ESME_ROK  seq 2  16 octets  rtt [RTT]
   0  00 00 00 10        command_length          16  16 octets
   4  80 00 00 06        command_id              unbind_resp
   8  00 00 00 00        command_status          ESME_ROK
  12  00 00 00 02        sequence_number         2
unbound: unbind_resp ESME_ROK, connection closed by the SMSC
";
    assert_eq!(mask(&out), expected, "actual:\n{out}");
}

#[test]
fn wrong_password_is_explained() {
    let smsc = acme(&[]);
    let (code, out) = run_on(
        smsc.port,
        "bind",
        &["--system-id", "acme", "--password", "nope"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("bind_transceiver_resp  ESME_RINVPASWD"),
        "{out}"
    );
    assert!(
        out.contains("meaning  The password in the bind is wrong"),
        "{out}"
    );
    assert!(
        out.contains("✗ bind_transceiver refused: ESME_RINVPASWD (0x0000000E)"),
        "{out}"
    );
}

#[test]
fn password_from_environment_and_file() {
    let smsc = acme(&[]);
    let out = Command::new(smppdiag_bin())
        .args(["--color", "never", "bind", "-q", "--port"])
        .arg(smsc.port.to_string())
        .env("SMPP_SYSTEM_ID", "acme")
        .env("SMPP_PASSWORD", "secret")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("pw");
    std::fs::write(&pw, "secret\n").unwrap();
    let (code, out) = run_on(
        smsc.port,
        "bind",
        &[
            "-q",
            "--system-id",
            "acme",
            "--password-file",
            pw.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{out}");
}

#[test]
fn second_bind_of_the_same_system_id_is_already_bound() {
    let mut smsc = acme(&["--single-bind"]);
    let mut first = Command::new(smppdiag_bin())
        .args(["--color", "never", "bind", "-q", "--hold", "5", "--port"])
        .arg(smsc.port.to_string())
        .args(CREDS)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    smsc.wait_for(T, "first bind", |v| {
        v["event"] == "bind" && v["status"] == 0
    });
    let (code, out) = run_on(smsc.port, "bind", &CREDS);
    let _ = first.kill();
    let _ = first.wait();
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("ESME_RALYBND"), "{out}");
    assert!(
        out.contains("still counts a session of system_id \"acme\""),
        "{out}"
    );
}

#[test]
fn unbind_reports_release_and_rebind() {
    let smsc = acme(&["--single-bind"]);
    let (code, out) = run_on(smsc.port, "unbind", &with_creds(&["--rebind"]));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("✓ unbind_resp ESME_ROK, sequence 2 matches"),
        "{out}"
    );
    assert!(
        out.contains("the SMSC closed the connection after unbind_resp"),
        "{out}"
    );
    assert!(out.contains("a new bind is accepted"), "{out}");
}

// ------------------------------------------------------------------ node-smpp: send

#[test]
fn throttled_without_retry_fails_and_explains() {
    let smsc = acme(&["--throttle-every", "1"]);
    let (code, out) = run_on(
        smsc.port,
        "send",
        &with_creds(&["--to", "15551234567", "--text", "hi"]),
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("submit_sm_resp  ESME_RTHROTTLED"), "{out}");
    assert!(out.contains("retry    throttling"), "{out}");
    assert!(out.contains("not sent again (no --retry)"), "{out}");
}

#[test]
fn throttled_with_retry_backs_off_and_succeeds() {
    let smsc = acme(&["--throttle-every", "2"]);
    let (code, out) = run_on(
        smsc.port,
        "send",
        &with_creds(&[
            "--to",
            "15551234567",
            "--text",
            "hi",
            "--count",
            "4",
            "--retry",
            "--retry-delay",
            "0.05",
        ]),
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("ESME_RTHROTTLED (throttling), failure 1: retrying in"),
        "{out}"
    );
    assert!(out.contains("send rate lowered"), "{out}");
    assert!(out.contains("accepted 4"), "{out}");
}

#[test]
fn queue_full_with_and_without_retry() {
    let smsc = acme(&["--queue-full-every", "2"]);
    let (code, out) = run_on(
        smsc.port,
        "send",
        &with_creds(&["--to", "15551234567", "--text", "hi", "--count", "2", "-q"]),
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("ESME_RMSGQFUL × 1"), "{out}");
    let (code, out) = run_on(
        smsc.port,
        "send",
        &with_creds(&[
            "--to",
            "15551234567",
            "--text",
            "hi",
            "--count",
            "2",
            "--retry",
            "--retry-delay",
            "0.05",
        ]),
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("ESME_RMSGQFUL (throttling), failure 1: retrying"),
        "{out}"
    );
}

#[test]
fn permanent_error_is_not_retried() {
    let smsc = acme(&["--fail-first", "1", "--fail-status", "0x0B"]);
    let (code, out) = run_on(
        smsc.port,
        "send",
        &with_creds(&[
            "--to",
            "15551234567",
            "--text",
            "hi",
            "--retry",
            "--retry-delay",
            "0.05",
        ]),
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("not sent again (permanent error)"), "{out}");
}

#[test]
fn receipts_are_awaited() {
    let smsc = acme(&["--receipts"]);
    let (code, out) = run_on(
        smsc.port,
        "send",
        &with_creds(&[
            "--to",
            "15551234567",
            "--text",
            "hi",
            "--wait-dlr",
            "5",
            "--count",
            "3",
        ]),
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("receipts: DELIVRD 3"), "{out}");
    assert!(out.contains("✉ receipt for m"), "{out}");
}

#[test]
fn undelivered_receipt_fails_with_its_own_code() {
    let smsc = acme(&["--receipts", "--receipt-stat", "UNDELIV"]);
    let (code, out) = run_on(
        smsc.port,
        "send",
        &with_creds(&[
            "--to",
            "15551234567",
            "--text",
            "hi",
            "--wait-dlr",
            "5",
            "-q",
        ]),
    );
    assert_eq!(code, 6, "{out}");
    assert!(out.contains("receipts: UNDELIV 1"), "{out}");
}

#[test]
fn missing_receipt_fails_in_time() {
    let smsc = acme(&[]);
    let t0 = Instant::now();
    let (code, out) = run_on(
        smsc.port,
        "send",
        &with_creds(&[
            "--to",
            "15551234567",
            "--text",
            "hi",
            "--wait-dlr",
            "0.5",
            "-q",
        ]),
    );
    assert_eq!(code, 6, "{out}");
    assert!(out.contains("1 missing"), "{out}");
    assert!(t0.elapsed() < Duration::from_secs(5));
}

fn reassembled(smsc: &mut Smsc) -> serde_json::Value {
    smsc.wait_event("message", T)
}

#[test]
fn long_gsm_message_is_reassembled_exactly() {
    let mut smsc = acme(&[]);
    // 3 parts with escapes (€ [ ] take two septets) placed around the part boundaries.
    let text: String = (0..40)
        .map(|i| format!("{i:02}€[x]ab"))
        .collect::<Vec<_>>()
        .join(" ");
    let (code, out) = run_on(
        smsc.port,
        "send",
        &with_creds(&["--to", "15551234567", "--text", &text, "-q"]),
    );
    assert_eq!(code, 0, "{out}");
    let m = reassembled(&mut smsc);
    assert_eq!(m["text"].as_str(), Some(text.as_str()), "{m}");
    assert_eq!(m["data_coding"], 0);
    assert!(m["parts"].as_u64().unwrap() >= 3, "{m}");
    assert_eq!(m["via"], "udh8");
}

#[test]
fn long_ucs2_message_with_emoji_is_reassembled_exactly() {
    let mut smsc = acme(&[]);
    let text: String = (0..50)
        .map(|i| format!("Привет {i} 😀"))
        .collect::<Vec<_>>()
        .join(", ");
    let (code, out) = run_on(
        smsc.port,
        "send",
        &with_creds(&["--to", "15551234567", "--text", &text, "-q"]),
    );
    assert_eq!(code, 0, "{out}");
    let m = reassembled(&mut smsc);
    assert_eq!(m["text"].as_str(), Some(text.as_str()), "{m}");
    assert_eq!(m["data_coding"], 8);
    // Each part decoded on its own is whole: no surrogate pair was cut.
    for p in m["part_texts"].as_array().unwrap() {
        assert!(!p.as_str().unwrap().contains('\u{FFFD}'), "{m}");
    }
}

#[test]
fn sar_and_payload_splitting() {
    let mut smsc = acme(&[]);
    let text = "SAR split ".repeat(40);
    let (code, out) = run_on(
        smsc.port,
        "send",
        &with_creds(&[
            "--to",
            "15551234567",
            "--text",
            &text,
            "--split",
            "sar",
            "-q",
        ]),
    );
    assert_eq!(code, 0, "{out}");
    let m = reassembled(&mut smsc);
    assert_eq!(m["via"], "sar");
    assert_eq!(m["text"].as_str(), Some(text.as_str()));
    let (code, out) = run_on(
        smsc.port,
        "send",
        &with_creds(&[
            "--to",
            "15551234567",
            "--text",
            &text,
            "--split",
            "payload",
            "-q",
        ]),
    );
    assert_eq!(code, 0, "{out}");
    let m = reassembled(&mut smsc);
    assert_eq!(m["via"], "message_payload");
    assert_eq!(m["text"].as_str(), Some(text.as_str()));
}

#[test]
fn json_lines_have_direction_time_and_summary() {
    let smsc = acme(&[]);
    let (code, out) = run_on(
        smsc.port,
        "send",
        &with_creds(&["--to", "15551234567", "--text", "hi", "--json"]),
    );
    assert_eq!(code, 0, "{out}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let pdus: Vec<_> = lines.iter().filter(|v| v["event"] == "pdu").collect();
    assert_eq!(pdus.len(), 6, "{out}"); // bind, submit, unbind and their responses
    assert_eq!(pdus[0]["schema"], 1);
    assert_eq!(pdus[0]["direction"], "esme_to_smsc");
    assert_eq!(pdus[0]["pdu"]["command_name"], "bind_transmitter");
    assert_eq!(pdus[1]["direction"], "smsc_to_esme");
    assert!(pdus[1]["rtt_ms"].as_f64().is_some());
    assert!(pdus[2]["elapsed_s"].as_f64().is_some());
    assert!(pdus[2]["time_epoch"].as_f64().is_some());
    assert_eq!(pdus[2]["pdu"]["command_name"], "submit_sm");
    let last = lines.last().unwrap();
    assert_eq!(last["event"], "summary");
    assert_eq!(last["accepted"], 1);
    // Secrets are redacted in JSON too.
    assert!(!out.contains("736563726574"), "password hex leaked");
}

#[test]
fn generic_nack_is_shown_and_explained() {
    let smsc = acme(&["--generic-nack"]);
    let (code, out) = run_on(
        smsc.port,
        "send",
        &with_creds(&["--to", "15551234567", "--text", "hi"]),
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("generic_nack  ESME_RINVCMDID"), "{out}");
    assert!(out.contains("meaning"), "{out}");
}

/// node-smpp's `pdu.response({sequence_number})` keeps the request's sequence number, so
/// smsc.js --wrong-seq answers correctly; a fake peer does it instead.
#[test]
fn wrong_sequence_number_is_a_clear_failure() {
    let port = fake_peer(|mut s, bind| {
        s.write_all(&bind_ok(&bind)).unwrap();
        let submit = read_pdu(&mut s);
        let seq = u32::from_be_bytes([submit[12], submit[13], submit[14], submit[15]]) + 1000;
        let mut v = vec![0, 0, 0, 0x11, 0x80, 0, 0, 4, 0, 0, 0, 0];
        v.extend_from_slice(&seq.to_be_bytes());
        v.push(0);
        s.write_all(&v).unwrap();
        thread::sleep(Duration::from_millis(500));
    });
    let (code, out) = run_on(
        port,
        "send",
        &with_creds(&["--to", "15551234567", "--text", "hi", "-q"]),
    );
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains("✗ the peer answered submit_sm_resp with sequence number 1002, which matches no request in flight"),
        "{out}"
    );
    assert!(out.contains("what was received (17 octets)"), "{out}");
}

#[test]
fn load_run_with_window_counts_everything() {
    let smsc = acme(&["--quiet"]);
    let (code, out) = run_on(
        smsc.port,
        "send",
        &with_creds(&[
            "--to",
            "15551234567",
            "--text",
            "load",
            "--count",
            "2000",
            "--window",
            "50",
            "-q",
            "--json",
        ]),
    );
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(v["sent"], 2000);
    assert_eq!(v["accepted"], 2000);
    assert!(v["latency_ms"]["p50"].as_f64().unwrap() > 0.0);
}

// ------------------------------------------------------------------ TLS

#[test]
fn tls_with_a_certificate_made_by_the_test() {
    let dir = tempfile::tempdir().unwrap();
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.key_pair.serialize_pem()).unwrap();
    let mut smsc = acme(&[
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ]);
    let (code, out) = run_on(
        smsc.port,
        "send",
        &with_creds(&[
            "--host",
            "localhost",
            "--tls",
            "--ca",
            cert.to_str().unwrap(),
            "--to",
            "15551234567",
            "--text",
            "over TLS",
            "-q",
        ]),
    );
    assert_eq!(code, 0, "{out}");
    let c = smsc.wait_event("connect", T);
    assert_eq!(c["tls"], true);
    assert_eq!(reassembled(&mut smsc)["text"], "over TLS");
    // Not trusted without --ca: a TLS failure with its own exit code.
    let (code, out) = run_on(
        smsc.port,
        "bind",
        &with_creds(&["--host", "localhost", "--tls", "-q"]),
    );
    assert_eq!(code, 5, "{out}");
    assert!(out.contains("TLS"), "{out}");
    // --tls-insecure skips verification.
    let (code, out) = run_on(
        smsc.port,
        "bind",
        &with_creds(&["--host", "localhost", "--tls-insecure", "-q"]),
    );
    assert_eq!(code, 0, "{out}");
}

// ------------------------------------------------------------------ fake peers

/// A one-connection fake SMSC: `script` gets the socket after the bind request was read.
fn fake_peer(script: impl FnOnce(TcpStream, Vec<u8>) + Send + 'static) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    thread::spawn(move || {
        if let Ok((mut s, _)) = l.accept() {
            let bind = read_pdu(&mut s);
            script(s, bind);
        }
    });
    port
}

fn read_pdu(s: &mut TcpStream) -> Vec<u8> {
    let mut h = [0u8; 4];
    if s.read_exact(&mut h).is_err() {
        return vec![];
    }
    let len = u32::from_be_bytes(h) as usize;
    let mut rest = vec![0u8; len.saturating_sub(4)];
    let _ = s.read_exact(&mut rest);
    let mut v = h.to_vec();
    v.extend(rest);
    v
}

fn bind_ok(req: &[u8]) -> Vec<u8> {
    let mut v = vec![0, 0, 0, 0x14];
    v.extend_from_slice(
        &(u32::from_be_bytes([req[4], req[5], req[6], req[7]]) | 0x8000_0000).to_be_bytes(),
    );
    v.extend_from_slice(&[0, 0, 0, 0]);
    v.extend_from_slice(&req[12..16]);
    v.extend_from_slice(b"FAK\0");
    v
}

#[test]
fn peer_closes_after_bind() {
    let port = fake_peer(|mut s, bind| {
        s.write_all(&bind_ok(&bind)).unwrap();
        let _ = read_pdu(&mut s);
        drop(s);
    });
    let (code, out) = run_on(port, "send", &with_creds(&["--to", "1555", "--text", "hi"]));
    assert_eq!(code, 4, "{out}");
    assert!(
        out.contains(
            "✗ the peer closed the connection while we waited for submit_sm_resp (sequence 2)"
        ),
        "{out}"
    );
}

#[test]
fn peer_never_answers_times_out() {
    let port = fake_peer(|s, _| {
        thread::sleep(Duration::from_secs(5));
        drop(s);
    });
    let t0 = Instant::now();
    let (code, out) = run_on(port, "bind", &with_creds(&["--response-timeout", "1"]));
    assert_eq!(code, 4, "{out}");
    assert!(
        out.contains("✗ no bind_transceiver_resp (sequence 1) within 1 s"),
        "{out}"
    );
    assert!(t0.elapsed() < Duration::from_secs(3), "{:?}", t0.elapsed());
}

#[test]
fn peer_sends_garbage() {
    let port = fake_peer(|mut s, _| {
        s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            .unwrap();
        thread::sleep(Duration::from_millis(500));
    });
    let (code, out) = run_on(port, "bind", &CREDS);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("✗ the peer sent a command_length of 1213486160 (0x48545450), beyond any legal PDU size"), "{out}");
    assert!(out.contains("what was received (47 octets)"), "{out}");
    assert!(out.contains("48 54 54 50"), "{out}");
}

#[test]
fn peer_sends_oversized_command_length() {
    let port = fake_peer(|mut s, bind| {
        let mut h = vec![0x7F, 0xFF, 0xFF, 0xFF, 0x80, 0, 0, 9, 0, 0, 0, 0];
        h.extend_from_slice(&bind[12..16]);
        s.write_all(&h).unwrap();
        thread::sleep(Duration::from_millis(500));
    });
    let (code, out) = run_on(port, "bind", &CREDS);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("command_length of 2147483647"), "{out}");
}

#[test]
fn peer_sends_generic_nack_to_bind() {
    let port = fake_peer(|mut s, bind| {
        let mut v = vec![0, 0, 0, 16, 0x80, 0, 0, 0, 0, 0, 0, 3];
        v.extend_from_slice(&bind[12..16]);
        s.write_all(&v).unwrap();
        thread::sleep(Duration::from_millis(500));
    });
    let (code, out) = run_on(port, "bind", &CREDS);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("generic_nack  ESME_RINVCMDID"), "{out}");
}

#[test]
fn peer_enquire_link_is_answered_during_hold() {
    let (tx, rx) = std::sync::mpsc::channel();
    let port = fake_peer(move |mut s, bind| {
        s.write_all(&bind_ok(&bind)).unwrap();
        s.write_all(&[0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 42])
            .unwrap();
        let resp = read_pdu(&mut s);
        tx.send(resp).unwrap();
        // Then our own enquire_link (every 0.2 s) and the unbind.
        loop {
            let p = read_pdu(&mut s);
            if p.len() < 16 {
                break;
            }
            let mut r = p[..16].to_vec();
            r[3] = 16;
            r[4] |= 0x80;
            r.truncate(16);
            let _ = s.write_all(&r);
        }
    });
    let (code, out) = run_on(
        port,
        "bind",
        &with_creds(&["--hold", "0.5", "--enquire-link", "0.2"]),
    );
    assert_eq!(code, 0, "{out}");
    let resp = rx.recv_timeout(T).unwrap();
    assert_eq!(&resp[4..8], &[0x80, 0, 0, 0x15]);
    assert_eq!(&resp[12..16], &[0, 0, 0, 42]);
    assert!(
        out.contains("→ +") && out.contains("enquire_link_resp  ESME_ROK  seq 42"),
        "{out}"
    );
}

#[test]
fn connection_refused_is_a_network_error() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    let (code, out) = run_on(port, "bind", &CREDS);
    assert_eq!(code, 4, "{out}");
    assert!(out.contains("cannot connect to 127.0.0.1:"), "{out}");
}

#[test]
fn repeated_long_messages_get_their_own_reference() {
    let mut smsc = acme(&[]);
    let text = "Repeated long message. ".repeat(10);
    for split in ["udh", "sar"] {
        let (code, out) = run_on(
            smsc.port,
            "send",
            &with_creds(&[
                "--to",
                "15551234567",
                "--text",
                &text,
                "--count",
                "3",
                "--window",
                "6",
                "--split",
                split,
                "-q",
            ]),
        );
        assert_eq!(code, 0, "{out}");
        let refs: Vec<u64> = (0..3)
            .map(|_| {
                let m = reassembled(&mut smsc);
                assert_eq!(m["text"].as_str(), Some(text.as_str()), "{m}");
                m["reference"].as_u64().unwrap()
            })
            .collect();
        assert!(
            refs[0] != refs[1] && refs[1] != refs[2] && refs[0] != refs[2],
            "{refs:?}"
        );
    }
}
