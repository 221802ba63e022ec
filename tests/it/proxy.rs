//! `smppdiag proxy` against peers written by others: the node-smpp client (tests/peers/
//! node_client.js) through the proxy to the node-smpp SMSC (tests/peers/smsc.js), and the PyPI
//! smpplib client (tests/peers/smpplib_client.py) through the proxy to `serve`. tcpdump records
//! both TCP connections (ESME–proxy and proxy–SMSC); `decode --pcap` reads them back, and the
//! byte streams on the two sides are compared PDU for PDU with what the proxy printed.
//! Also: TLS on both sides (rcgen certificate), fault injection, dropped responses, closes.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use smppdiag::codec::{Pdu, Value as Field};
use smppdiag::session::{BindMode, BindParams};
use smppdiag::spec::ids::cmd;

use crate::capture::Tcpdump;
use crate::peers::{self, node_smsc};
use crate::schema::{parse_lines, Direction, Line, Pdu as PduLine};
use crate::util::{proxy, run_on, serve, serve_raw, smppdiag, Serve};

const T: Duration = Duration::from_secs(15);

/// (direction, hex, note, injected) of every `pdu` event of `lines`, for `session` (any when
/// `None`).
fn pdu_rows(lines: &[Line], smsc_port: Option<u16>) -> Vec<(Direction, String, String, bool)> {
    lines
        .iter()
        .filter_map(|l| match l {
            Line::Pdu(p) => Some(p),
            _ => None,
        })
        .filter(|p: &&PduLine| {
            smsc_port.is_none_or(|port| {
                p.smsc
                    .as_deref()
                    .is_some_and(|a| a.ends_with(&format!(":{port}")))
            })
        })
        .map(|p| {
            (
                p.direction.expect("direction"),
                p.pdu.hex.clone(),
                p.note.clone().unwrap_or_default(),
                p.injected,
            )
        })
        .collect()
}

fn only(rows: &[(Direction, String, String, bool)], d: Direction) -> Vec<String> {
    rows.iter()
        .filter(|r| r.0 == d)
        .map(|r| r.1.clone())
        .collect()
}

/// The proxy's printed events (after it stopped) parsed with the schema types.
fn stop_proxy(p: Serve) -> Vec<Line> {
    let (lines, status) = p.interrupt();
    assert!(status.code().is_some(), "proxy killed by a signal");
    parse_lines("proxy --json", &lines.join("\n"))
}

/// What tcpdump saw on both connections: the ESME side (to the proxy) and the SMSC side.
fn both_sides(file: &Path, proxy_port: u16, smsc_port: u16) -> (Vec<Line>, Vec<Line>) {
    let ports = format!("{proxy_port},{smsc_port}");
    let out = smppdiag(&[
        "decode",
        "--pcap",
        file.to_str().unwrap(),
        "--port",
        &ports,
        "--json",
        "--show-secrets",
    ])
    .output()
    .unwrap();
    let lines = parse_lines("decode --pcap", &String::from_utf8_lossy(&out.stdout));
    let side = |port: u16| -> Vec<Line> {
        lines
            .iter()
            .filter(|l| matches!(l, Line::Pdu(p) if p.smsc.as_deref().is_some_and(|a| a.ends_with(&format!(":{port}")))))
            .map(|l| match l {
                Line::Pdu(p) => Line::Pdu(p.clone()),
                _ => unreachable!(),
            })
            .collect()
    };
    (side(proxy_port), side(smsc_port))
}

/// The byte streams on both sides agree with what the proxy printed: every PDU the ESME sent
/// was shown, and reached the SMSC unless the proxy answered it; every PDU the SMSC sent was
/// shown and reached the ESME unless swallowed; the ESME also got exactly the injected answers.
fn check_byte_exact(shown: &[Line], esme_side: &[Line], smsc_side: &[Line]) {
    let p = pdu_rows(shown, None);
    let c = pdu_rows(esme_side, None);
    let s = pdu_rows(smsc_side, None);
    let read_from_esme: Vec<String> = p
        .iter()
        .filter(|r| r.0 == Direction::EsmeToSmsc && !r.3)
        .map(|r| r.1.clone())
        .collect();
    assert_eq!(
        read_from_esme,
        only(&c, Direction::EsmeToSmsc),
        "ESME→proxy"
    );
    let forwarded_up: Vec<String> = p
        .iter()
        .filter(|r| r.0 == Direction::EsmeToSmsc && !r.3 && !r.2.contains("not forwarded"))
        .map(|r| r.1.clone())
        .collect();
    assert_eq!(forwarded_up, only(&s, Direction::EsmeToSmsc), "proxy→SMSC");
    let read_from_smsc: Vec<String> = p
        .iter()
        .filter(|r| r.0 == Direction::SmscToEsme && !r.3)
        .map(|r| r.1.clone())
        .collect();
    assert_eq!(
        read_from_smsc,
        only(&s, Direction::SmscToEsme),
        "SMSC→proxy"
    );
    let forwarded_down: Vec<String> = p
        .iter()
        .filter(|r| r.0 == Direction::SmscToEsme && !r.3 && !r.2.contains("swallowed"))
        .map(|r| r.1.clone())
        .collect();
    let injected: Vec<String> = p
        .iter()
        .filter(|r| r.0 == Direction::SmscToEsme && r.3)
        .map(|r| r.1.clone())
        .collect();
    let got = only(&c, Direction::SmscToEsme);
    let got_forwarded: Vec<String> = got
        .iter()
        .filter(|h| !injected.contains(h))
        .cloned()
        .collect();
    assert_eq!(got_forwarded, forwarded_down, "proxy→ESME (forwarded)");
    assert_eq!(
        got.len(),
        forwarded_down.len() + injected.len(),
        "proxy→ESME (injected)"
    );
}

fn json_lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn events<'a>(v: &'a [Value], name: &str) -> Vec<&'a Value> {
    v.iter().filter(|e| e["event"] == name).collect()
}

#[test]
fn node_client_through_proxy_to_node_smsc_with_injected_throttling() {
    let dir = tempfile::tempdir().unwrap();
    let mut smsc = node_smsc(&[]);
    let p = proxy(&[
        "--listen",
        "127.0.0.1:0",
        "--upstream",
        &format!("127.0.0.1:{}", smsc.port),
        "--json",
        "--show-secrets",
        "--fail",
        "ESME_RTHROTTLED:every=2",
    ]);
    let file = dir.path().join("proxy.pcap");
    let filter = format!("tcp port {} or tcp port {}", p.port, smsc.port);
    let dump = Tcpdump::start_filter("lo", &filter, &file);
    peers::require_node_smpp();
    let out = Command::new("node")
        .arg(peers::peers_dir().join("node_client.js"))
        .args([
            "--port",
            &p.port.to_string(),
            "--submit",
            "3",
            "--text",
            "via proxy",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let v = json_lines(&out.stdout);
    dump.stop();
    // The client received the injected ESME_RTHROTTLED for its second submit.
    let st: Vec<u64> = events(&v, "submit_resp")
        .iter()
        .map(|e| e["status"].as_u64().unwrap())
        .collect();
    assert_eq!(st, [0, 0x58, 0], "{v:?}");
    assert_eq!(events(&v, "bind")[0]["status"], 0);
    // The SMSC never saw that request: two submits only.
    smsc.wait_event("unbind", T);
    let submits = smsc.events_named("submit");
    assert_eq!(submits.len(), 2, "{:?}", smsc.events());
    let shown = stop_proxy(p);
    let injected: Vec<_> = pdu_rows(&shown, None).into_iter().filter(|r| r.3).collect();
    assert_eq!(injected.len(), 1, "one injected answer");
    let port = smsc.port;
    let proxy_port = shown
        .iter()
        .find_map(|l| match l {
            Line::Listening(x) => Some(x.port),
            _ => None,
        })
        .unwrap();
    let (esme_side, smsc_side) = both_sides(&file, proxy_port, port);
    assert!(
        esme_side.len() >= 10,
        "bind, 3 submits, unbind and responses"
    );
    check_byte_exact(&shown, &esme_side, &smsc_side);
    assert!(shown.iter().any(|l| matches!(l, Line::Summary(_))));
}

#[test]
fn smpplib_client_through_proxy_to_serve_sees_what_it_sees_directly() {
    let dir = tempfile::tempdir().unwrap();
    let python = peers::require_smpplib();
    let client = |port: u16| {
        let out = Command::new(&python)
            .arg(peers::peers_dir().join("smpplib_client.py"))
            .args(["--port", &port.to_string(), "--submit", "2"])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        json_lines(&out.stdout)
            .into_iter()
            .map(|mut e| {
                // Message ids are the server's counter: compare everything else.
                if let Some(o) = e.as_object_mut() {
                    o.remove("message_id");
                }
                e
            })
            .collect::<Vec<_>>()
    };
    let srv = serve(&["--json", "--account", "test:secret", "--no-dlr"]);
    let direct = client(srv.port);
    let p = proxy(&[
        "--listen",
        "127.0.0.1:0",
        "--upstream",
        &format!("127.0.0.1:{}", srv.port),
        "--json",
        "--show-secrets",
    ]);
    let file = dir.path().join("proxy.pcap");
    let dump = Tcpdump::start_filter(
        "lo",
        &format!("tcp port {} or tcp port {}", p.port, srv.port),
        &file,
    );
    let via = client(p.port);
    dump.stop();
    assert_eq!(via, direct);
    assert!(!via.is_empty());
    let proxy_port = p.port;
    let shown = stop_proxy(p);
    let (esme_side, smsc_side) = both_sides(&file, proxy_port, srv.port);
    assert_eq!(esme_side.len(), 8, "bind, 2 submits, unbind and responses");
    check_byte_exact(&shown, &esme_side, &smsc_side);
    // The dump lists every PDU in order, with response latency on the responses.
    let rows = pdu_rows(&shown, None);
    assert_eq!(rows.len(), 8);
    let lat = shown.iter().filter_map(|l| match l {
        Line::Pdu(p) if p.direction == Some(Direction::SmscToEsme) => Some(p.rtt_ms.is_some()),
        _ => None,
    });
    assert!(lat.into_iter().all(|x| x), "every response has its rtt");
    drop(srv);
}

/// A certificate for localhost, written as PEM files.
fn cert(dir: &Path) -> (String, String) {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.key_pair.serialize_pem()).unwrap();
    (
        cert.to_str().unwrap().to_string(),
        key.to_str().unwrap().to_string(),
    )
}

#[test]
fn tls_on_both_sides_and_a_plaintext_pcap() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = cert(dir.path());
    let srv = serve_raw(&[
        "--listen-tls",
        "127.0.0.1:0",
        "--tls-cert",
        &cert,
        "--tls-key",
        &key,
        "--accept-any",
        "--no-dlr",
        "--quiet",
    ]);
    let pcap = dir.path().join("plain.pcap");
    let p = proxy(&[
        "--listen-tls",
        "127.0.0.1:0",
        "--tls-cert",
        &cert,
        "--tls-key",
        &key,
        "--upstream",
        &format!("localhost:{}", srv.port),
        "--ca",
        &cert,
        "--quiet",
        "--pcap-out",
        pcap.to_str().unwrap(),
    ]);
    let (code, out) = run_on(
        p.port,
        "send",
        &[
            "--host",
            "localhost",
            "--tls",
            "--ca",
            &cert,
            "--system-id",
            "acme",
            "--password",
            "pw",
            "--to",
            "15551234567",
            "--text",
            "over TLS",
            "-q",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("accepted 1"), "{out}");
    let (lines, _) = p.interrupt();
    let text = lines.join("\n");
    assert!(text.contains("session 1 summary"), "{text}");
    assert!(text.contains("submit_sm 1"), "{text}");
    // The recording is plaintext SMPP: decode --pcap reads bind, submit, unbind and answers.
    let out = smppdiag(&[
        "decode",
        "--pcap",
        pcap.to_str().unwrap(),
        "--port",
        &srv.port.to_string(),
        "--json",
    ])
    .output()
    .unwrap();
    let lines = parse_lines("decode --pcap", &String::from_utf8_lossy(&out.stdout));
    let names: Vec<String> = lines
        .iter()
        .filter_map(|l| match l {
            Line::Pdu(p) => p.pdu.command_name.clone(),
            _ => None,
        })
        .collect();
    assert_eq!(
        names,
        [
            "bind_transmitter",
            "bind_transmitter_resp",
            "submit_sm",
            "submit_sm_resp",
            "unbind",
            "unbind_resp"
        ]
    );
    // A wrong CA: the upstream handshake fails, the ESME is disconnected, exit 5 (TLS).
    let p = proxy(&[
        "--listen",
        "127.0.0.1:0",
        "--upstream",
        &format!("localhost:{}", srv.port),
        "--upstream-tls",
        "--quiet",
    ]);
    let (code, _) = run_on(p.port, "bind", &["--system-id", "acme", "--password", "pw"]);
    assert_eq!(code, 4, "the ESME sees the connection closed");
    let (lines, status) = p.interrupt();
    assert_eq!(status.code(), Some(5), "{lines:?}");
    assert!(
        lines.join("\n").contains("cannot reach the SMSC"),
        "{lines:?}"
    );
}

/// Bind through the proxy with a raw socket; returns the socket after bind_resp.
fn raw_bind(port: u16) -> TcpStream {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(T)).unwrap();
    // bind_transceiver "acme"/"pw", encoded by the library's codec.
    let mut bind = BindParams {
        mode: BindMode::Trx,
        system_id: "acme".into(),
        password: "pw".into(),
        system_type: String::new(),
        interface_version: 0x34,
        addr_ton: 0,
        addr_npi: 0,
        address_range: String::new(),
    }
    .pdu();
    bind.sequence_number = 1;
    s.write_all(&bind.encode().unwrap()).unwrap();
    let mut resp = [0u8; 16];
    s.read_exact(&mut resp).unwrap();
    assert_eq!(&resp[4..8], &[0x80, 0, 0, 9], "bind_transceiver_resp");
    let mut rest = vec![0u8; u32::from_be_bytes(resp[..4].try_into().unwrap()) as usize - 16];
    s.read_exact(&mut rest).unwrap();
    s
}

#[test]
fn a_close_on_either_side_closes_the_other_and_is_reported() {
    // The ESME hangs up: the SMSC side is closed too.
    let mut srv = serve(&["--json", "--accept-any", "--no-dlr"]);
    let p = proxy(&[
        "--listen",
        "127.0.0.1:0",
        "--upstream",
        &format!("127.0.0.1:{}", srv.port),
        "--json",
    ]);
    drop(raw_bind(p.port));
    srv.wait_json("the SMSC side closed", |e| {
        e["event"] == "session_end" && e["reason"] == "peer closed the connection"
    });
    let shown = stop_proxy(p);
    let end = shown.iter().find_map(|l| match l {
        Line::SessionEnd(e) => Some(e.reason.clone()),
        _ => None,
    });
    assert_eq!(end.as_deref(), Some("the ESME closed the connection"));

    // The SMSC hangs up (serve --drop-after 0 closes on the first submit): the ESME sees EOF.
    let srv = serve(&["--json", "--accept-any", "--no-dlr", "--drop-after", "0"]);
    let p = proxy(&[
        "--listen",
        "127.0.0.1:0",
        "--upstream",
        &format!("127.0.0.1:{}", srv.port),
        "--json",
    ]);
    let mut s = raw_bind(p.port);
    let submit = Pdu::new(cmd::SUBMIT_SM, 2)
        .with_str("destination_addr", "15551234567")
        .with("short_message", Field::Octets(b"hi".to_vec()));
    s.write_all(&submit.encode().unwrap()).unwrap();
    let mut buf = [0u8; 64];
    assert_eq!(
        s.read(&mut buf).unwrap(),
        0,
        "the ESME's connection is closed"
    );
    let shown = stop_proxy(p);
    let end = shown.iter().find_map(|l| match l {
        Line::SessionEnd(e) => Some(e.reason.clone()),
        _ => None,
    });
    assert_eq!(end.as_deref(), Some("the SMSC closed the connection"));
    drop(srv);
}

#[test]
fn dropped_responses_reach_the_esme_as_a_timeout() {
    let srv = serve(&["--accept-any", "--no-dlr", "--quiet"]);
    let p = proxy(&[
        "--listen",
        "127.0.0.1:0",
        "--upstream",
        &format!("127.0.0.1:{}", srv.port),
        "--drop-responses",
        "1",
        "--json",
    ]);
    let (code, out) = run_on(
        p.port,
        "bind",
        &[
            "--system-id",
            "acme",
            "--password",
            "pw",
            "--response-timeout",
            "1",
        ],
    );
    assert_eq!(code, 4, "{out}");
    assert!(out.contains("no bind_transceiver_resp"), "{out}");
    let shown = stop_proxy(p);
    let swallowed = pdu_rows(&shown, None)
        .into_iter()
        .filter(|r| r.2.contains("swallowed"))
        .count();
    assert_eq!(swallowed, 1);
}
