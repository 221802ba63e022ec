//! `serve` against abusive clients (issue 10): pipelined requests before an unbind under
//! `--latency`, connections that never bind or go idle, too many connections, password
//! guessing, submit_sm before bind. Raw TCP clients built from the library's encoder.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use smppdiag::codec::{Header, Pdu};

use crate::util::serve;

const BIND_TRX: u32 = 0x0000_0009;
const SUBMIT_SM: u32 = 0x0000_0004;
const UNBIND: u32 = 0x0000_0006;
const RESP: u32 = 0x8000_0000;

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

fn bind_pdu(seq: u32, sid: &str, pw: &str) -> Vec<u8> {
    Pdu::new(BIND_TRX, seq)
        .with_str("system_id", sid)
        .with_str("password", pw)
        .with_int("interface_version", 0x34)
        .encode()
        .unwrap()
}

fn submit_pdu(seq: u32) -> Vec<u8> {
    Pdu::new(SUBMIT_SM, seq)
        .with_str("destination_addr", "1555")
        .with(
            "short_message",
            smppdiag::codec::Value::Octets(b"hi".to_vec()),
        )
        .encode()
        .unwrap()
}

/// Read PDU headers until the peer closes (or the read timeout): (command_id, status, seq).
fn read_all(s: &mut TcpStream) -> Vec<(u32, u32, u32)> {
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(h) = buf.get(at..).and_then(Header::parse) {
        out.push((h.command_id, h.command_status, h.sequence_number));
        at += h.command_length as usize;
    }
    out
}

#[test]
fn every_request_before_unbind_is_answered_before_unbind_resp_under_latency() {
    let _s = serve(&["--accept-any", "--no-dlr", "--latency", "50:40", "--quiet"]);
    let mut c = connect(_s.port);
    let mut all = bind_pdu(1, "a", "b");
    for seq in 2..=101 {
        all.extend(submit_pdu(seq));
    }
    all.extend(Pdu::new(UNBIND, 102).encode().unwrap());
    c.write_all(&all).unwrap();
    let got = read_all(&mut c);
    let submits: Vec<_> = got.iter().filter(|p| p.0 == SUBMIT_SM | RESP).collect();
    assert_eq!(submits.len(), 100, "{got:?}");
    let mut seqs: Vec<u32> = submits.iter().map(|p| p.2).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (2..=101).collect::<Vec<_>>());
    assert_eq!(got.last(), Some(&(UNBIND | RESP, 0, 102)), "{got:?}");
}

#[test]
fn submit_before_bind_is_invalid_bind_status() {
    let _s = serve(&["--accept-any", "--no-dlr", "--quiet"]);
    let mut c = connect(_s.port);
    c.write_all(&submit_pdu(7)).unwrap();
    // A submit_sm cut short (no destination_addr and beyond): still "not bound" first.
    let mut short = Pdu::new(SUBMIT_SM, 9).encode().unwrap();
    short.truncate(20);
    short[..4].copy_from_slice(&20u32.to_be_bytes());
    c.write_all(&short).unwrap();
    c.write_all(&Pdu::new(UNBIND, 8).encode().unwrap()).unwrap();
    c.shutdown(std::net::Shutdown::Write).unwrap();
    let got = read_all(&mut c);
    // ESME_RINVBNDSTS = 0x04 (SMPP 3.4 5.1.3).
    assert_eq!(got.first(), Some(&(SUBMIT_SM | RESP, 0x04, 7)), "{got:?}");
    assert_eq!(got.get(1), Some(&(SUBMIT_SM | RESP, 0x04, 9)), "{got:?}");
}

#[test]
fn a_connection_that_never_binds_is_closed_after_the_bind_timeout() {
    let mut s = serve(&["--accept-any", "--bind-timeout", "1"]);
    let mut c = connect(s.port);
    let t0 = Instant::now();
    let got = read_all(&mut c);
    assert!(got.is_empty(), "{got:?}");
    let took = t0.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(4),
        "{took:?}"
    );
    s.wait_line("bind timeout", |l| l.contains("no bind within 1 s"));
}

#[test]
fn an_idle_bound_session_is_probed_then_closed() {
    let mut s = serve(&["--accept-any", "--idle-timeout", "1", "--enquire-link", "0"]);
    let mut c = connect(s.port);
    c.write_all(&bind_pdu(1, "a", "b")).unwrap();
    let t0 = Instant::now();
    let got = read_all(&mut c);
    let ids: Vec<u32> = got.iter().map(|p| p.0).collect();
    // bind_transceiver_resp, then the server's enquire_link (0x15), never answered: closed.
    assert_eq!(ids, [BIND_TRX | RESP, 0x15], "{got:?}");
    assert!(t0.elapsed() < Duration::from_secs(4), "{:?}", t0.elapsed());
    s.wait_line("idle close", |l| l.contains("idle"));
}

#[test]
fn max_connections_closes_the_extra_one_with_a_log_line() {
    let mut s = serve(&["--accept-any", "--max-connections", "2"]);
    let _a = connect(s.port);
    let _b = connect(s.port);
    std::thread::sleep(Duration::from_millis(200));
    let mut c = connect(s.port);
    let t0 = Instant::now();
    let got = read_all(&mut c);
    assert!(got.is_empty(), "{got:?}");
    assert!(t0.elapsed() < Duration::from_secs(2));
    s.wait_line("refusal", |l| l.contains("--max-connections 2 reached"));
    drop(_a);
    std::thread::sleep(Duration::from_millis(200));
    let mut d = connect(s.port);
    d.write_all(&bind_pdu(1, "a", "b")).unwrap();
    let mut h = [0u8; 16];
    d.read_exact(&mut h).unwrap();
    assert_eq!(
        Header::parse(&h).map(|h| h.command_id),
        Some(BIND_TRX | RESP)
    );
}

#[test]
fn a_failed_bind_closes_the_connection_by_default() {
    let mut s = serve(&["--account", "acme:secret"]);
    let mut c = connect(s.port);
    let mut all = Vec::new();
    for seq in 1..=50 {
        all.extend(bind_pdu(seq, "acme", &format!("guess{seq}")));
    }
    let _ = c.write_all(&all);
    let got = read_all(&mut c);
    // One answer (ESME_RINVPASWD = 0x0E), then the connection is closed.
    assert_eq!(got, [(BIND_TRX | RESP, 0x0E, 1)]);
    s.wait_line("close", |l| l.contains("failed bind"));
}

#[test]
fn a_failed_bind_can_delay_the_next_attempt_instead() {
    let _s = serve(&["--account", "acme:secret", "--failed-bind", "delay:300"]);
    let mut c = connect(_s.port);
    let mut all = Vec::new();
    for seq in 1..=4 {
        all.extend(bind_pdu(seq, "acme", "wrong"));
    }
    all.extend(bind_pdu(5, "acme", "secret"));
    all.extend(Pdu::new(UNBIND, 6).encode().unwrap());
    let t0 = Instant::now();
    c.write_all(&all).unwrap();
    let got = read_all(&mut c);
    let statuses: Vec<u32> = got.iter().map(|p| p.1).collect();
    assert_eq!(statuses, [0x0E, 0x0E, 0x0E, 0x0E, 0, 0], "{got:?}");
    // Four failures, each delaying the next attempt by 300 ms.
    assert!(
        t0.elapsed() >= Duration::from_millis(1150),
        "{:?}",
        t0.elapsed()
    );
}

/// Issue 11: serve's one-line log keeps within 80 columns with the largest sequence numbers and
/// long notes (a note that does not fit goes below its PDU line, wrapped).
#[test]
fn log_lines_fit_80_columns_with_big_sequence_numbers_and_long_notes() {
    let s = serve(&["--accept-any", "--no-dlr", "--max-seconds", "3"]);
    let mut c = connect(s.port);
    let long_sid = "averyveryverylongsystemid".repeat(3);
    let mut out = bind_pdu(0x7FFF_FFFE, &long_sid, "pw");
    out.extend(Pdu::new(0x0000_1234, 0x7FFF_FFFD).encode().unwrap());
    out.extend(Pdu::new(UNBIND, 0x7FFF_FFFC).encode().unwrap());
    c.write_all(&out).unwrap();
    let _ = read_all(&mut c);
    let (lines, status) = s.finish();
    assert!(status.success(), "{status:?}");
    let pdu_lines: Vec<&str> = lines
        .iter()
        .map(String::as_str)
        .skip_while(|l| !l.starts_with("#1 -> "))
        .take_while(|l| !l.starts_with("#1 closed"))
        .collect();
    assert_eq!(
        pdu_lines.join("\n"),
        "\
#1 -> bind_transceiver_resp seq 2147483646 ESME_RINVSYSID (0x0000000F)
    system_id is 75 characters; the spec allows at most 15 (16 octets with the
    NUL)
#1 -> generic_nack seq 2147483645 ESME_RINVCMDID (0x00000003)
    unknown command_id 0x00001234
#1 -> unbind_resp seq 2147483644 ESME_RINVBNDSTS (0x00000004)
    unbind in an unbound session"
    );
    for l in &lines {
        assert!(smppdiag::render::dump::columns(l) <= 80, "{l}");
    }
}
