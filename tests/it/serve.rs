//! `smppdiag serve` against clients someone else wrote (PyPI smpplib, npm node-smpp), against raw
//! PDUs for the malformed cases, and under load (200 sessions × 1,000 submit_sm).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use smppdiag::codec::{decode_pdu, Pdu, Value as V};

use crate::peers;
use crate::util::{serve, serve_raw};

fn json_lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn run_client(mut cmd: Command, what: &str) -> Vec<Value> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let v = json_lines(&out.stdout);
    assert!(
        !v.is_empty(),
        "{what} printed nothing (exit {}); stderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    v
}

/// Run `tests/peers/smpplib_client.py --port PORT ARGS`.
pub(crate) fn smpplib(port: u16, args: &[&str]) -> Vec<Value> {
    let python = peers::require_smpplib();
    let mut cmd = Command::new(python);
    cmd.arg(peers::peers_dir().join("smpplib_client.py"))
        .args(["--port", &port.to_string()])
        .args(args);
    run_client(cmd, "smpplib_client.py")
}

fn node_cmd(port: u16, args: &[&str]) -> Command {
    peers::require_node_smpp();
    let mut cmd = Command::new("node");
    cmd.arg(peers::peers_dir().join("node_client.js"))
        .args(["--port", &port.to_string()])
        .args(args);
    cmd
}

/// Run `tests/peers/node_client.js --port PORT ARGS`.
pub(crate) fn node(port: u16, args: &[&str]) -> Vec<Value> {
    run_client(node_cmd(port, args), "node_client.js")
}

fn events<'a>(v: &'a [Value], name: &str) -> Vec<&'a Value> {
    v.iter().filter(|e| e["event"] == name).collect()
}

fn statuses(v: &[Value], name: &str) -> Vec<u64> {
    events(v, name)
        .iter()
        .map(|e| e["status"].as_u64().unwrap_or(u64::MAX))
        .collect()
}

fn bind_status(v: &[Value]) -> u64 {
    *statuses(v, "bind")
        .first()
        .unwrap_or_else(|| panic!("no bind event in {v:?}"))
}

// ------------------------------------------------------------------ smpplib

#[test]
fn smpplib_binds_in_each_mode_submits_and_unbinds() {
    let s = serve(&["--json", "--account", "test:secret", "--no-dlr"]);
    for mode in ["tx", "rx", "trx"] {
        let submit = if mode == "rx" { "0" } else { "2" };
        let v = smpplib(s.port, &["--mode", mode, "--submit", submit]);
        assert_eq!(bind_status(&v), 0, "{mode}: {v:?}");
        if mode != "rx" {
            assert_eq!(statuses(&v, "submit_resp"), [0, 0], "{mode}: {v:?}");
            let ids: Vec<_> = events(&v, "submit_resp")
                .iter()
                .map(|e| e["message_id"].as_str().unwrap_or("").to_string())
                .collect();
            assert!(ids.iter().all(|i| i.len() == 8), "{ids:?}");
            assert_ne!(ids[0], ids[1]);
        }
        assert_eq!(statuses(&v, "unbind"), [0], "{mode}: {v:?}");
    }
}

#[test]
fn smpplib_receives_a_receipt_and_queries_the_message() {
    let s = serve(&["--json", "--account", "test:secret", "--dlr-delay", "300"]);
    let v = smpplib(
        s.port,
        &[
            "--submit",
            "1",
            "--registered-delivery",
            "1",
            "--receipts",
            "1",
            "--query",
        ],
    );
    let id = events(&v, "submit_resp")[0]["message_id"]
        .as_str()
        .unwrap()
        .to_string();
    // Queried before the receipt: still ENROUTE.
    assert_eq!(events(&v, "query_resp")[0]["message_state"], 1, "{v:?}");
    let r = events(&v, "deliver_sm");
    assert_eq!(r.len(), 1, "{v:?}");
    assert_eq!(r[0]["esm_class"], 4);
    assert_eq!(r[0]["receipted_message_id"], id.as_str());
    assert_eq!(r[0]["message_state"], 2);
    let text = r[0]["text"].as_str().unwrap();
    assert!(
        text.starts_with(&format!("id:{id} sub:001 dlvrd:001 submit date:")),
        "{text}"
    );
    assert!(
        text.contains(" stat:DELIVRD err:000 text:hello from smpplib"),
        "{text}"
    );
    // The same receipt, parsed by our own receipt parser.
    let rc = smppdiag::codec::receipt::parse(text).expect("a receipt");
    assert_eq!(rc.stat_info().map(|s| s.code), Some("DELIVRD"));
}

#[test]
fn smpplib_long_message_is_reassembled() {
    let mut s = serve(&["--json", "--account", "test:secret", "--no-dlr"]);
    let text = "A long message split by smpplib into concatenated parts. ".repeat(6);
    let v = smpplib(s.port, &["--submit", "1", "--long", "--text", &text]);
    let parts = statuses(&v, "submit_resp");
    assert_eq!(parts, [0, 0, 0], "{v:?}");
    let m = s.wait_json("message event", |e| e["kind"] == "message");
    assert_eq!(m["parts"], 3);
    assert_eq!(m["text"], text.as_str());
}

#[test]
fn smpplib_sees_each_injected_error() {
    // (server args, client args, expected submit statuses)
    let cases: &[(&[&str], &[&str], &[u64])] = &[
        (
            &["--fail", "ESME_RTHROTTLED:every=2"],
            &["--submit", "4"],
            &[0, 0x58, 0, 0x58],
        ),
        (
            &["--fail", "0x14:first=2"],
            &["--submit", "3"],
            &[0x14, 0x14, 0],
        ),
        (
            &["--fail", "RSYSERR:after=1"],
            &["--submit", "3"],
            &[0, 8, 8],
        ),
        (
            &["--fail", "ESME_RMSGQFUL:prob=1"],
            &["--submit", "2"],
            &[0x14, 0x14],
        ),
        (
            &["--fail", "ESME_RMSGQFUL:prob=0"],
            &["--submit", "2"],
            &[0, 0],
        ),
        (
            &["--max-tps", "2"],
            &["--submit", "5"],
            &[0, 0, 0x58, 0x58, 0x58],
        ),
    ];
    for (sargs, cargs, want) in cases {
        let mut a = vec!["--json", "--account", "test:secret", "--no-dlr"];
        a.extend_from_slice(sargs);
        let s = serve(&a);
        let v = smpplib(s.port, cargs);
        assert_eq!(statuses(&v, "submit_resp"), *want, "{sargs:?}: {v:?}");
    }
}

#[test]
fn smpplib_bind_errors() {
    let s = serve(&["--json", "--account", "test:secret"]);
    assert_eq!(
        bind_status(&smpplib(s.port, &["--password", "wrong"])),
        0x0E
    );
    assert_eq!(
        bind_status(&smpplib(s.port, &["--system-id", "nobody"])),
        0x0F
    );
    let s = serve(&["--json", "--accept-any", "--reject-bind", "ESME_RBINDFAIL"]);
    assert_eq!(bind_status(&smpplib(s.port, &[])), 0x0D);
}

#[test]
fn smpplib_prob_faults_are_reproducible_with_a_seed() {
    let run = |seed: &str| {
        let s = serve(&[
            "--json",
            "--accept-any",
            "--no-dlr",
            "--seed",
            seed,
            "--fail",
            "0x58:prob=0.5",
        ]);
        statuses(&smpplib(s.port, &["--submit", "20"]), "submit_resp")
    };
    let a = run("7");
    assert_eq!(a.len(), 20);
    assert!(a.contains(&0) && a.contains(&0x58), "{a:?}");
    assert_eq!(a, run("7"));
}

#[test]
fn smpplib_drop_after_and_no_response_after() {
    let s = serve(&["--json", "--accept-any", "--no-dlr", "--drop-after", "2"]);
    let v = smpplib(s.port, &["--submit", "3"]);
    assert_eq!(statuses(&v, "submit_resp"), [0, 0], "{v:?}");
    assert_eq!(events(&v, "closed").len(), 1, "{v:?}");

    let s = serve(&[
        "--json",
        "--accept-any",
        "--no-dlr",
        "--no-response-after",
        "1",
    ]);
    let v = smpplib(
        s.port,
        &["--submit", "2", "--timeout", "1.5", "--no-unbind"],
    );
    assert_eq!(statuses(&v, "submit_resp"), [0], "{v:?}");
    assert_eq!(events(&v, "timeout").len(), 1, "{v:?}");
}

// ------------------------------------------------------------------ node-smpp

#[test]
fn node_binds_in_each_mode_and_enquire_link() {
    let s = serve(&["--json", "--account", "test:secret", "--no-dlr"]);
    for mode in ["tx", "rx", "trx"] {
        let v = node(s.port, &["--mode", mode, "--enquire-link"]);
        assert_eq!(bind_status(&v), 0, "{mode}: {v:?}");
        assert_eq!(statuses(&v, "enquire_link_resp"), [0], "{v:?}");
        assert_eq!(statuses(&v, "unbind"), [0], "{v:?}");
    }
    // A receiver may not submit.
    let v = node(s.port, &["--mode", "rx", "--submit", "1"]);
    assert_eq!(statuses(&v, "submit_resp"), [0x04], "{v:?}");
}

#[test]
fn node_receipt_goes_to_a_receiver_of_the_same_system_id() {
    let mut s = serve(&[
        "--json",
        "--account",
        "test:secret",
        "--dlr-delay",
        "200",
        "--dlr-state",
        "UNDELIV=1",
    ]);
    let rx = node_cmd(
        s.port,
        &["--mode", "rx", "--receipts", "1", "--timeout", "8000"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("node receiver");
    s.wait_json("receiver bound", |e| {
        e["kind"] == "bind" && e["mode"] == "receiver"
    });
    let v = node(
        s.port,
        &[
            "--mode",
            "tx",
            "--submit",
            "1",
            "--registered-delivery",
            "1",
        ],
    );
    let id = events(&v, "submit_resp")[0]["message_id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = rx.wait_with_output().expect("receiver output");
    let r = json_lines(&out.stdout);
    let d = events(&r, "deliver_sm");
    assert_eq!(d.len(), 1, "{r:?}");
    assert_eq!(d[0]["receipted_message_id"], id.as_str());
    assert_eq!(d[0]["message_state"], 5);
    assert!(
        d[0]["text"]
            .as_str()
            .unwrap()
            .contains("stat:UNDELIV err:001"),
        "{d:?}"
    );
}

#[test]
fn node_long_messages_payload_and_sar() {
    let mut s = serve(&["--json", "--account", "test:secret", "--no-dlr"]);
    let text = "node-smpp sends this long text in message_payload. ".repeat(5);
    let v = node(
        s.port,
        &["--submit", "1", "--long-payload", "--text", &text],
    );
    assert_eq!(statuses(&v, "submit_resp"), [0]);
    let m = s.wait_json("payload message", |e| e["kind"] == "message");
    assert_eq!(m["text"], text.as_str());
    let text = "Split in three parts with SAR TLVs by the node client. ".repeat(4);
    let v = node(
        s.port,
        &["--submit", "1", "--long-sar", "3", "--text", &text],
    );
    assert_eq!(statuses(&v, "submit_resp"), [0, 0, 0]);
    let m = s.wait_json("SAR message", |e| e["kind"] == "message");
    assert_eq!(m["parts"], 3);
    assert_eq!(m["text"], text.as_str());
}

#[test]
fn node_query_replace_cancel() {
    let s = serve(&["--json", "--account", "test:secret", "--dlr-delay", "5000"]);
    let v = node(
        s.port,
        &["--submit", "1", "--query", "--replace", "--cancel"],
    );
    assert_eq!(statuses(&v, "query_resp"), [0], "{v:?}");
    assert_eq!(statuses(&v, "replace_resp"), [0], "{v:?}");
    assert_eq!(statuses(&v, "cancel_resp"), [0], "{v:?}");
    // Once cancelled, the message is final: cancel and replace fail.
    let s2 = serve(&["--json", "--account", "test:secret", "--no-dlr"]);
    let v = node(s2.port, &["--submit", "1", "--cancel"]);
    assert_eq!(statuses(&v, "cancel_resp"), [0]);
    drop(s);
}

#[test]
fn node_too_many_binds_and_server_unbind_on_stop() {
    let mut s = serve(&["--json", "--account", "one:pw:1", "--max-seconds", "5"]);
    let first = node_cmd(
        s.port,
        &[
            "--system-id",
            "one",
            "--password",
            "pw",
            "--stay",
            "--timeout",
            "8000",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("first node client");
    s.wait_json("first bind", |e| e["kind"] == "bind");
    let v = node(s.port, &["--system-id", "one", "--password", "pw"]);
    assert_eq!(bind_status(&v), 0x05, "{v:?}");
    // --max-seconds: the server unbinds the first client and exits with a summary.
    let out = first.wait_with_output().expect("first client");
    let r = json_lines(&out.stdout);
    assert_eq!(events(&r, "server_unbind").len(), 1, "{r:?}");
    let (lines, status) = s.finish();
    assert!(status.success(), "{status}");
    let summary: Value = serde_json::from_str(lines.last().unwrap()).unwrap();
    assert_eq!(summary["event"], "summary");
    assert_eq!(summary["binds"], 1);
    assert_eq!(summary["binds_refused"], 1);
    let unbind_resp = summary["pdus"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["direction"] == "esme_to_smsc" && p["command"] == "unbind_resp");
    assert!(unbind_resp, "{summary}");
}

#[test]
fn node_over_tls() {
    let dir = tempfile::tempdir().unwrap();
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.key_pair.serialize_pem()).unwrap();
    let mut s = serve_raw(&[
        "--json",
        "--accept-any",
        "--no-dlr",
        "--listen-tls",
        "127.0.0.1:0",
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ]);
    let ev: Value = serde_json::from_str(&s.lines()[0]).unwrap();
    assert_eq!(ev["tls"], true);
    let v = node(s.port, &["--tls", "--submit", "2"]);
    assert_eq!(bind_status(&v), 0, "{v:?}");
    assert_eq!(statuses(&v, "submit_resp"), [0, 0], "{v:?}");
}

// ------------------------------------------------------------------ raw PDUs

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s
}

fn send(s: &mut TcpStream, p: &Pdu) {
    s.write_all(&p.encode().unwrap()).unwrap();
}

/// The next PDU, or None when the server closed the connection.
fn recv(s: &mut TcpStream) -> Option<Pdu> {
    let mut h = [0u8; 16];
    s.read_exact(&mut h).ok()?;
    let len = u32::from_be_bytes([h[0], h[1], h[2], h[3]]) as usize;
    let mut b = h.to_vec();
    b.resize(len, 0);
    s.read_exact(&mut b[16..]).ok()?;
    Some(decode_pdu(&b).expect("the server sends well-formed PDUs"))
}

fn bind_trx(s: &mut TcpStream, seq: u32) -> u32 {
    send(
        s,
        &Pdu::new(0x09, seq)
            .with_str("system_id", "raw")
            .with_str("password", "pw")
            .with_int("interface_version", 0x34),
    );
    let r = recv(s).unwrap();
    assert_eq!(r.command_id, 0x8000_0009);
    r.command_status
}

fn submit(seq: u32) -> Pdu {
    Pdu::new(0x04, seq)
        .with_int("source_addr_ton", 1)
        .with_int("source_addr_npi", 1)
        .with_str("source_addr", "15550001111")
        .with_int("dest_addr_ton", 1)
        .with_int("dest_addr_npi", 1)
        .with_str("destination_addr", "15550002222")
        .with("short_message", V::Octets(b"hi".to_vec()))
}

#[test]
fn raw_state_and_field_errors() {
    let s = serve(&["--json", "--accept-any", "--no-dlr"]);
    let mut c = connect(s.port);
    // Submit before bind.
    send(&mut c, &submit(1));
    let r = recv(&mut c).unwrap();
    assert_eq!(
        (r.command_id, r.command_status, r.sequence_number),
        (0x8000_0004, 0x04, 1)
    );
    assert_eq!(bind_trx(&mut c, 2), 0);
    // Bind again in a bound session.
    assert_eq!(bind_trx(&mut c, 3), 0x05);
    // Unknown command_id.
    send(&mut c, &Pdu::new(0x0000_0777, 4));
    let r = recv(&mut c).unwrap();
    assert_eq!(
        (r.command_id, r.command_status, r.sequence_number),
        (0x8000_0000, 0x03, 4)
    );
    // Field errors, each with its status.
    let cases: Vec<(Pdu, u32)> = vec![
        (submit(5).with_str("destination_addr", ""), 0x0B),
        (submit(6).with_str("source_addr", "12ab!"), 0x0A),
        (submit(7).with_int("esm_class", 0x04), 0x43),
        (submit(8).with_int("data_coding", 0x90), 0x104),
        (submit(9).with_str("validity_period", "26010112"), 0x62),
        (submit(10).with_str("schedule_delivery_time", "bogus"), 0x61),
        (submit(11).with_tlv(0x0424, b"payload".to_vec()), 0xC4),
    ];
    for (p, want) in cases {
        let seq = p.sequence_number;
        send(&mut c, &p);
        let r = recv(&mut c).unwrap();
        assert_eq!(
            (r.command_status, r.sequence_number),
            (want, seq),
            "seq {seq}"
        );
    }
    // A TLV whose length runs past the end of the PDU.
    let mut b = submit(12).encode().unwrap();
    b.extend_from_slice(&[0x02, 0x04, 0x00, 0x09, 0x00]);
    let n = b.len() as u32;
    b[0..4].copy_from_slice(&n.to_be_bytes());
    c.write_all(&b).unwrap();
    let r = recv(&mut c).unwrap();
    assert_eq!((r.command_status, r.sequence_number), (0xC2, 12));
    // Still serving: a good submit, then unbind.
    send(&mut c, &submit(13));
    let r = recv(&mut c).unwrap();
    assert_eq!(r.command_status, 0);
    assert_eq!(r.string("message_id").map(|m| m.len()), Some(8));
    send(&mut c, &Pdu::new(0x06, 14));
    let r = recv(&mut c).unwrap();
    assert_eq!((r.command_id, r.command_status), (0x8000_0006, 0));
    assert!(recv(&mut c).is_none(), "closed after unbind");
}

#[test]
fn raw_bad_command_length_gets_generic_nack_then_close() {
    let s = serve(&["--accept-any", "--no-dlr"]);
    let mut c = connect(s.port);
    // command_length 8 (below the header size), sequence 77.
    c.write_all(&[0, 0, 0, 8, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 77])
        .unwrap();
    let r = recv(&mut c).unwrap();
    assert_eq!(
        (r.command_id, r.command_status, r.sequence_number),
        (0x8000_0000, 0x02, 77)
    );
    assert!(
        recv(&mut c).is_none(),
        "the server closes when framing is lost"
    );
    // Other sessions are unaffected.
    let mut d = connect(s.port);
    assert_eq!(bind_trx(&mut d, 1), 0);
    // A header claiming 2 GB.
    c = connect(s.port);
    c.write_all(&[0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 9])
        .unwrap();
    let r = recv(&mut c).unwrap();
    assert_eq!(r.command_status, 0x02);
    send(&mut d, &submit(2));
    assert_eq!(recv(&mut d).unwrap().command_status, 0);
}

#[test]
fn line_output_and_verbose_dump() {
    let s = serve(&[
        "--account",
        "raw:pw",
        "--no-dlr",
        "--verbose",
        "--max-seconds",
        "1.5",
        "--fail",
        "0x58:every=1",
    ]);
    let mut c = connect(s.port);
    assert_eq!(bind_trx(&mut c, 1), 0);
    send(&mut c, &submit(2));
    assert_eq!(recv(&mut c).unwrap().command_status, 0x58);
    let (lines, status) = s.finish();
    assert!(status.success());
    let all = lines.join("\n");
    assert!(all.starts_with("listening on 127.0.0.1:"), "{all}");
    // The annotated dump of the submit and the explanation of the status returned.
    assert!(
        all.contains("destination_addr        \"15550002222\""),
        "{all}"
    );
    assert!(
        all.contains("submit_sm_resp  ESME_RTHROTTLED  seq 2"),
        "{all}"
    );
    assert!(all.contains("password                <redacted"), "{all}");
    assert!(
        all.contains("summary: 1 sessions, 1 binds (0 refused)"),
        "{all}"
    );

    let s = serve(&["--account", "raw:pw", "--no-dlr"]);
    let mut c = connect(s.port);
    assert_eq!(bind_trx(&mut c, 1), 0);
    send(&mut c, &submit(2).with_str("destination_addr", ""));
    recv(&mut c).unwrap();
    drop(c);
    let (lines, _) = s.interrupt();
    let all = lines.join("\n");
    assert!(all.contains("#1 <- bind_transceiver seq 1"), "{all}");
    assert!(
        all.contains("#1 -> bind_transceiver_resp seq 1 ESME_ROK"),
        "{all}"
    );
    assert!(
        all.contains("#1 -> submit_sm_resp seq 2 ESME_RINVDSTADR (0x0000000B)"),
        "{all}"
    );
    assert!(all.contains("summary: 1 sessions"), "{all}");
}

// ------------------------------------------------------------------ load

#[test]
fn load_200_sessions_of_1000_submits() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    const SESSIONS: usize = 200;
    const PER: u32 = 1000;
    const WINDOW: u32 = 50;
    let s = serve(&["--quiet", "--accept-any", "--no-dlr", "--enquire-link", "0"]);
    let port = s.port;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let t0 = Instant::now();
    let results = rt.block_on(async move {
        // A misbehaving neighbour: half a header, then silence; and one sending garbage.
        let mut stuck = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        stuck.write_all(&[0, 0, 1]).await.unwrap();
        let mut garbage = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        garbage.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();

        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..SESSIONS {
            tasks.spawn(async move {
                let st = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
                st.set_nodelay(true)?;
                let (mut rd, mut wr) = st.into_split();
                let bind = Pdu::new(0x02, 1)
                    .with_str("system_id", "load")
                    .with_str("password", "pw")
                    .with_int("interface_version", 0x34)
                    .encode()
                    .unwrap();
                wr.write_all(&bind).await?;
                let sub = submit(0).encode().unwrap();
                let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(WINDOW as usize));
                let sem2 = sem.clone();
                let writer = tokio::spawn(async move {
                    for seq in 2..PER + 2 {
                        sem2.acquire().await.unwrap().forget();
                        let mut b = sub.clone();
                        b[12..16].copy_from_slice(&seq.to_be_bytes());
                        wr.write_all(&b).await?;
                    }
                    Ok::<_, std::io::Error>(wr)
                });
                let mut seen = vec![false; (PER + 2) as usize];
                let mut ok = 0u32;
                let mut buf = vec![0u8; 64 * 1024];
                let mut have = Vec::new();
                let mut answered = 0u32;
                while answered < PER {
                    let n = rd.read(&mut buf).await?;
                    if n == 0 {
                        break;
                    }
                    have.extend_from_slice(&buf[..n]);
                    let mut pos = 0;
                    while have.len() - pos >= 16 {
                        let len =
                            u32::from_be_bytes(have[pos..pos + 4].try_into().unwrap()) as usize;
                        if have.len() - pos < len {
                            break;
                        }
                        let p = decode_pdu(&have[pos..pos + len]).unwrap();
                        pos += len;
                        if p.command_id == 0x8000_0004 {
                            let i = p.sequence_number as usize;
                            assert!(!seen[i], "answered twice: {i}");
                            seen[i] = true;
                            answered += 1;
                            if p.command_status == 0 {
                                ok += 1;
                            }
                            sem.add_permits(1);
                        }
                    }
                    have.drain(..pos);
                }
                let _wr = writer.await.unwrap()?;
                Ok::<_, std::io::Error>((answered, ok))
            });
        }
        let mut all = Vec::new();
        let joined = tokio::time::timeout(Duration::from_secs(240), async {
            while let Some(r) = tasks.join_next().await {
                all.push(r.unwrap());
            }
        })
        .await;
        assert!(
            joined.is_ok(),
            "load did not finish in 240 s ({} sessions done)",
            all.len()
        );
        drop((stuck, garbage));
        all
    });
    let elapsed = t0.elapsed();
    assert_eq!(results.len(), SESSIONS);
    for r in &results {
        let (answered, ok) = r.as_ref().expect("session I/O");
        assert_eq!((*answered, *ok), (PER, PER));
    }
    // Memory stays bounded (the store keeps at most 100,000 messages).
    let status = std::fs::read_to_string(format!("/proc/{}/status", s.pid())).unwrap_or_default();
    let hwm_kb: u64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert!(hwm_kb < 400 * 1024, "peak RSS {hwm_kb} kB");
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "load: {} submit_sm in {:.1} s ({:.0}/s), server peak RSS {} MB",
            SESSIONS as u32 * PER,
            elapsed.as_secs_f64(),
            f64::from(SESSIONS as u32 * PER) / elapsed.as_secs_f64(),
            hwm_kb / 1024
        );
    }
}
