//! `decode --pcap` against real captures: tcpdump records a session between the node-smpp SMSC
//! and an smpplib client on loopback, and smppdiag must list the PDUs tshark lists, frame for
//! frame. Also: PcapRecorder round trips, pcapng and Linux cooked (SLL2) captures, truncated and
//! damaged files, filters and the summary.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;
use smppdiag::capture::{Direction, PcapRecorder};
use smppdiag::codec::Pdu;

use crate::peers::{node_smsc, require_smpplib, require_tshark, smppdiag_bin, INSTALL};

/// (frame, command_id, sequence_number, command_status) of one PDU.
type Row = (u64, u32, u32, u32);

fn parse_num(s: &str) -> u32 {
    let s = s.trim();
    match s.strip_prefix("0x") {
        Some(h) => u32::from_str_radix(h, 16).unwrap_or_else(|_| panic!("bad hex {s}")),
        None => s.parse().unwrap_or_else(|_| panic!("bad number {s}")),
    }
}

/// What tshark shows, PDU for PDU.
fn tshark_rows(file: &Path, port: u16) -> Vec<Row> {
    require_tshark();
    let out = Command::new("tshark")
        .args(["-r"])
        .arg(file)
        .args(["-d", &format!("tcp.port=={port},smpp"), "-Y", "smpp"])
        .args(["-T", "fields", "-E", "occurrence=a", "-E", "aggregator=;"])
        .args(["-e", "frame.number", "-e", "smpp.command_id"])
        .args(["-e", "smpp.sequence_number", "-e", "smpp.command_status"])
        .output()
        .expect("run tshark");
    assert!(out.status.success(), "tshark failed: {:?}", out);
    let text = String::from_utf8_lossy(&out.stdout);
    let mut rows = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let frame: u64 = cols[0].trim().parse().expect("frame number");
        let ids: Vec<&str> = cols[1].split(';').collect();
        let seqs: Vec<&str> = cols[2].split(';').collect();
        let stats: Vec<&str> = cols[3].split(';').collect();
        assert_eq!(ids.len(), seqs.len(), "tshark line {line}");
        for i in 0..ids.len() {
            rows.push((
                frame,
                parse_num(ids[i]),
                parse_num(seqs[i]),
                // tshark leaves command_status out of requests.
                stats
                    .get(i)
                    .filter(|s| !s.trim().is_empty())
                    .map_or(0, |s| parse_num(s)),
            ));
        }
    }
    rows
}

fn smppdiag(args: &[&str]) -> Output {
    Command::new(smppdiag_bin())
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("run smppdiag")
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON {l}: {e}")))
        .collect()
}

/// What `decode --pcap --json` shows, PDU for PDU.
fn our_rows(file: &Path, extra: &[&str]) -> (Vec<Row>, Output) {
    let f = file.to_str().unwrap();
    let mut args = vec!["decode", "--pcap", f, "--json"];
    args.extend_from_slice(extra);
    let out = smppdiag(&args);
    let rows = json_lines(&out)
        .into_iter()
        .filter(|j| j["event"] == "pdu")
        .map(|j| {
            let p = &j["pdu"];
            (
                j["frame"].as_u64().unwrap(),
                p["command_id"].as_u64().unwrap() as u32,
                p["sequence_number"].as_u64().unwrap() as u32,
                p["command_status"].as_u64().unwrap() as u32,
            )
        })
        .collect();
    (rows, out)
}

fn fixtures() -> PathBuf {
    let d = crate::peers::repo_root().join("tests/fixtures/captures");
    std::fs::create_dir_all(&d).unwrap();
    d
}

// ------------------------------------------------------------------ tcpdump

fn require_tcpdump() {
    let ok = Command::new("tcpdump")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(ok, "tcpdump missing: install the test peers with {INSTALL}");
}

pub(crate) struct Tcpdump {
    child: Child,
    file: PathBuf,
}

impl Tcpdump {
    /// Start tcpdump on `iface` for TCP port `port`, writing `file`; wait until it listens.
    fn start(iface: &str, port: u16, file: &Path) -> Tcpdump {
        Tcpdump::start_filter(iface, &format!("tcp port {port}"), file)
    }

    /// Start tcpdump on `iface` with a capture filter, writing `file`; wait until it listens.
    pub(crate) fn start_filter(iface: &str, filter: &str, file: &Path) -> Tcpdump {
        require_tcpdump();
        let mut child = Command::new("tcpdump")
            .args(["-i", iface, "--immediate-mode", "-U", "-s", "0", "-w"])
            .arg(file)
            .args(filter.split_whitespace())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start tcpdump");
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        for line in lines.by_ref() {
            let line = line.unwrap_or_default();
            if line.contains("listening on") {
                break;
            }
        }
        std::thread::spawn(move || for _ in lines {});
        Tcpdump {
            child,
            file: file.to_path_buf(),
        }
    }

    /// Stop with SIGINT (tcpdump flushes and exits), once the capture file has stopped growing
    /// for half a second (at most 5 s): on a loaded machine tcpdump may write the last packets
    /// well after the peers are done.
    pub(crate) fn stop(mut self) {
        let size = |f: &Path| std::fs::metadata(f).map_or(0, |m| m.len());
        let give_up = Instant::now() + Duration::from_secs(5);
        let (mut last, mut since) = (size(&self.file), Instant::now());
        while Instant::now() < give_up && since.elapsed() < Duration::from_millis(500) {
            std::thread::sleep(Duration::from_millis(50));
            let now = size(&self.file);
            if now != last {
                (last, since) = (now, Instant::now());
            }
        }
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Tcpdump {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// An smpplib client session: bind_transceiver, 7 submit_sm (the SMSC throttles every 3rd),
/// an enquire_link, unbind.
const CLIENT: &str = r#"
import sys, smpplib.client, smpplib.consts
c = smpplib.client.Client('127.0.0.1', int(sys.argv[1]), allow_unknown_opt_params=True)
c.connect()
c.bind_transceiver(system_id='pcapuser', password='pw123')
for i in range(7):
    c.send_message(source_addr_ton=5, source_addr='PCAP', dest_addr_ton=1, dest_addr_npi=1,
                   destination_addr='4477009001%02d' % i, short_message=('hello %d' % i).encode())
    r = c.read_pdu()
    print(r.command, r.sequence, r.status)
p = smpplib.smpp.make_pdu('enquire_link', client=c)
c.send_pdu(p)
print(c.read_pdu().command)
c.unbind()
c.disconnect()
"#;

/// Record a real session; returns (lo capture, any-interface capture, port).
fn real_session(name: &str) -> (PathBuf, PathBuf, u16) {
    let python = require_smpplib();
    let smsc = node_smsc(&["--throttle-every", "3"]);
    let port = smsc.port;
    let lo = fixtures().join(format!("{name}-lo.pcap"));
    let any = fixtures().join(format!("{name}-any.pcap"));
    let d1 = Tcpdump::start("lo", port, &lo);
    let d2 = Tcpdump::start("any", port, &any);
    let out = Command::new(python)
        .args(["-c", CLIENT, &port.to_string()])
        .output()
        .expect("run smpplib client");
    assert!(out.status.success(), "smpplib client failed: {out:?}");
    d1.stop();
    d2.stop();
    drop(smsc);
    (lo, any, port)
}

#[test]
fn tcpdump_capture_of_real_session_matches_tshark_pdu_for_pdu() {
    let (lo, any, port) = real_session("session");
    for file in [&lo, &any] {
        let theirs = tshark_rows(file, port);
        // bind + resp, 7 submits + resps, enquire_link + resp, unbind + resp.
        assert_eq!(
            theirs.len(),
            20,
            "tshark rows of {}: {theirs:?}",
            file.display()
        );
        // Default port selection (2775 + looks like SMPP) finds the stream on its own.
        let (ours, out) = our_rows(file, &[]);
        assert_eq!(ours, theirs, "{}", String::from_utf8_lossy(&out.stderr));
        // The SMSC throttles every third submit: well-formed error responses, exit 1.
        assert_eq!(out.status.code(), Some(1));
        let (ours, _) = our_rows(file, &["--port", &port.to_string()]);
        assert_eq!(ours, theirs);
    }

    // pcapng (converted by Wireshark's editcap) reads the same.
    let ng = fixtures().join("session-lo.pcapng");
    let st = Command::new("editcap")
        .args(["-F", "pcapng"])
        .arg(&lo)
        .arg(&ng)
        .status()
        .expect("editcap");
    assert!(st.success());
    let (ours, _) = our_rows(&ng, &[]);
    assert_eq!(ours, tshark_rows(&lo, port));

    // The annotated form carries frame, time, endpoints and direction.
    let out = smppdiag(&["decode", "--pcap", lo.to_str().unwrap(), "--color", "never"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("127.0.0.1:{port}  ESME→SMSC  stream 1")),
        "{text}"
    );
    assert!(
        text.contains("bind_transceiver_resp  ESME_ROK  seq 2"),
        "{text}"
    );
    assert!(text.contains("ESME_RTHROTTLED"), "{text}");

    // Filters.
    let (rows, _) = our_rows(&lo, &["--status", "error"]);
    assert_eq!(
        rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        vec![0x58, 0x58]
    );
    let (rows, _) = our_rows(&lo, &["--command", "submit_sm"]);
    assert_eq!(rows.len(), 7);
    assert!(rows.iter().all(|r| r.1 == 4));
    let (rows, _) = our_rows(&lo, &["--command", "submit_sm+", "--sequence", "4"]);
    assert_eq!(
        rows.iter().map(|r| (r.1, r.2)).collect::<Vec<_>>(),
        vec![(4, 4), (0x8000_0004, 4)]
    );
    let (rows, _) = our_rows(&lo, &["--system-id", "pcapuser"]);
    assert_eq!(rows.len(), 20);
    let (rows, _) = our_rows(&lo, &["--system-id", "someone_else"]);
    assert!(rows.is_empty());

    // Summary.
    let out = smppdiag(&[
        "decode",
        "--pcap",
        lo.to_str().unwrap(),
        "--summary",
        "--color",
        "never",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("bind_transceiver system_id \"pcapuser\""),
        "{text}"
    );
    assert!(text.contains("→ ESME_ROK in"), "{text}");
    assert!(text.contains("submit_sm 7, submit_sm_resp 7"), "{text}");
    assert!(
        text.contains("ESME_ROK 8, ESME_RTHROTTLED 2")
            || text.contains("ESME_ROK 9, ESME_RTHROTTLED 2"),
        "{text}"
    );
    assert!(text.contains("latency     10 pairs"), "{text}");
    assert!(text.contains("unanswered  none"), "{text}");
    assert!(text.contains("throttling  2 episode(s)"), "{text}");
    // The explanation of each error comes once.
    assert_eq!(
        text.matches("ESME_RTHROTTLED  0x00000058").count(),
        1,
        "{text}"
    );
}

// ------------------------------------------------------------------ recorder

fn bind(seq: u32) -> Vec<u8> {
    Pdu::new(0x0000_0002, seq)
        .with_str("system_id", "recorder")
        .with_str("password", "pw")
        .with_int("interface_version", 0x34)
        .encode()
        .unwrap()
}

fn record_session(path: &Path, client: SocketAddr, server: SocketAddr) -> Vec<(u32, u32, u32)> {
    let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut rec = PcapRecorder::new(file, client, server, t0).unwrap();
    let big = Pdu::new(0x0000_0103, 3)
        .with_str("source_addr", "X")
        .with_str("destination_addr", "447700900999")
        .with_tlv(0x0424, vec![b'A'; 40_000])
        .encode()
        .unwrap();
    let pdus: Vec<(Direction, Vec<u8>)> = vec![
        (Direction::EsmeToSmsc, bind(1)),
        (
            Direction::SmscToEsme,
            Pdu::new(0x8000_0002, 1)
                .with_str("system_id", "SMSC")
                .encode()
                .unwrap(),
        ),
        // Two PDUs in one write, then one PDU larger than a segment.
        (
            Direction::EsmeToSmsc,
            [Pdu::new(0x15, 2).encode().unwrap(), big].concat(),
        ),
        (
            Direction::SmscToEsme,
            Pdu::new(0x8000_0015, 2).encode().unwrap(),
        ),
        (
            Direction::SmscToEsme,
            Pdu::new(0x8000_0103, 3)
                .with_str("message_id", "")
                .encode()
                .map(|mut b| {
                    b[8..12].copy_from_slice(&0x58u32.to_be_bytes());
                    b
                })
                .unwrap(),
        ),
    ];
    for (i, (dir, bytes)) in pdus.iter().enumerate() {
        rec.record(*dir, bytes, t0 + Duration::from_millis(10 * i as u64))
            .unwrap();
    }
    rec.finish().unwrap();
    vec![
        (2, 1, 0),
        (0x8000_0002, 1, 0),
        (0x15, 2, 0),
        (0x103, 3, 0),
        (0x8000_0015, 2, 0),
        (0x8000_0103, 3, 0x58),
    ]
}

#[test]
fn recorder_round_trip_is_valid_for_tshark_and_decode() {
    for (name, client, server) in [
        ("recorded-v4.pcap", "192.0.2.10:51000", "192.0.2.20:2775"),
        (
            "recorded-v6.pcap",
            "[2001:db8::10]:51000",
            "[2001:db8::20]:2775",
        ),
    ] {
        let path = fixtures().join(name);
        let want = record_session(&path, client.parse().unwrap(), server.parse().unwrap());
        let theirs = tshark_rows(&path, 2775);
        let strip = |rows: &[Row]| rows.iter().map(|r| (r.1, r.2, r.3)).collect::<Vec<_>>();
        assert_eq!(strip(&theirs), want, "tshark on {name}");
        let (ours, out) = our_rows(&path, &[]);
        assert_eq!(ours, theirs, "{}", String::from_utf8_lossy(&out.stderr));
        // tshark finds no TCP problems (bad checksums, lost segments, bad ACKs).
        let expert = Command::new("tshark")
            .arg("-r")
            .arg(&path)
            .args([
                "-o",
                "tcp.check_checksum:TRUE",
                "-Y",
                "tcp.analysis.flags || tcp.checksum.status == 0 || ip.checksum.status == 0",
            ])
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&expert.stdout).trim().is_empty(),
            "{}",
            String::from_utf8_lossy(&expert.stdout)
        );
        let j = json_lines(&our_rows(&path, &[]).1);
        assert_eq!(j[0]["esme"], client);
        assert_eq!(j[0]["smsc"], server);
        assert_eq!(j[0]["direction"], "esme_to_smsc");
        assert_eq!(j[1]["direction"], "smsc_to_esme");
        assert_eq!(j[1]["esme"], client);
        assert_eq!(j[1]["time"], "2023-11-14 22:13:20.010000");
    }
}

// ------------------------------------------------------------------ damage

#[test]
fn truncated_and_damaged_files_give_an_error_and_what_was_read() {
    let path = fixtures().join("recorded-trunc-src.pcap");
    record_session(
        &path,
        "192.0.2.10:51000".parse().unwrap(),
        "192.0.2.20:2775".parse().unwrap(),
    );
    let full = std::fs::read(&path).unwrap();

    // Cut inside the last data frame: the first PDUs are shown, then a clear error.
    let cut = fixtures().join("truncated.pcap");
    std::fs::write(&cut, &full[..full.len() - 200]).unwrap();
    let (rows, out) = our_rows(&cut, &[]);
    assert_eq!(out.status.code(), Some(3), "exit Malformed");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("truncated capture: the file ends inside frame"),
        "{err}"
    );
    assert!(rows.len() >= 4, "{rows:?}");

    // Damaged packet header (incl_len absurd) in the middle.
    let mut bad = full.clone();
    // Frame 1 header is at 24; frame 1 is 54 octets of SYN: frame 2 header at 24+16+54.
    let h2 = 24 + 16 + 54 + 8;
    bad[h2..h2 + 4].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    let dmg = fixtures().join("damaged.pcap");
    std::fs::write(&dmg, &bad).unwrap();
    let (_, out) = our_rows(&dmg, &[]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("frame 2"), "{err}");

    // Not a capture at all: usage error.
    let txt = fixtures().join("not-a-capture.pcap");
    std::fs::write(&txt, b"hello, this is text").unwrap();
    let out = smppdiag(&["decode", "--pcap", txt.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a pcap or pcapng file"));

    // Only the file header survived.
    let hdr = fixtures().join("header-only.pcap");
    std::fs::write(&hdr, &full[..10]).unwrap();
    let out = smppdiag(&["decode", "--pcap", hdr.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the file header"));
}

#[test]
fn mid_stream_capture_says_it_resynchronised() {
    // Drop the handshake and the first 2 data frames' start: rebuild a pcap from the recorded
    // one without frames 1-4 and with frame 5 (bind_resp) cut... simpler: keep frames 6.. only.
    let src = fixtures().join("recorded-mid-src.pcap");
    record_session(
        &src,
        "192.0.2.10:51000".parse().unwrap(),
        "192.0.2.20:2775".parse().unwrap(),
    );
    let mid = fixtures().join("mid-stream.pcap");
    let st = Command::new("editcap")
        .arg("-r")
        .arg(&src)
        .arg(&mid)
        .arg("7-100")
        .status()
        .unwrap();
    assert!(st.success());
    let out = smppdiag(&[
        "decode",
        "--pcap",
        mid.to_str().unwrap(),
        "--color",
        "never",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    // Frame 7 holds the second half of the 40 kB data_sm: skipped, then resynchronised.
    assert!(text.contains("note: skipped"), "{text}");
    assert!(
        text.contains("the capture starts in the middle of the stream"),
        "{text}"
    );
    assert!(
        text.contains("enquire_link_resp  ESME_ROK  seq 2"),
        "{text}"
    );
    assert!(
        text.contains("data_sm_resp  ESME_RTHROTTLED  seq 3"),
        "{text}"
    );
}

// ------------------------------------------------------------------ --pcap-out

/// `send --pcap-out` against the node-smpp SMSC: the recording is valid for tshark, and
/// `decode --pcap` gives back the PDUs the session printed (same commands, sequence numbers and
/// statuses), in the same order.
#[test]
fn send_pcap_out_records_the_session() {
    let smsc = node_smsc(&["--account", "acme:secret", "--throttle-every", "3"]);
    let file = fixtures().join("send-pcap-out.pcap");
    let _ = std::fs::remove_file(&file);
    let port = smsc.port.to_string();
    let out = smppdiag(&[
        "--color",
        "never",
        "send",
        "--port",
        &port,
        "--system-id",
        "acme",
        "--password",
        "secret",
        "--to",
        "447700900123",
        "--text",
        "recorded",
        "--count",
        "4",
        "--json",
        "--pcap-out",
        file.to_str().unwrap(),
    ]);
    // Message 3 is throttled: exit 1, but the session and its recording are complete.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Vec<(u32, u32, u32)> = json_lines(&out)
        .into_iter()
        .filter(|j| j["event"] == "pdu")
        .map(|j| {
            let p = &j["pdu"];
            (
                p["command_id"].as_u64().unwrap() as u32,
                p["sequence_number"].as_u64().unwrap() as u32,
                p["command_status"].as_u64().unwrap() as u32,
            )
        })
        .collect();
    assert!(
        printed.len() >= 10,
        "bind, 4 submits, unbind and their responses: {printed:?}"
    );
    let (ours, dec) = our_rows(&file, &["--port", &port]);
    // The recording holds the throttled submit_sm_resp: exit 1 (well-formed, error status).
    assert_eq!(
        dec.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&dec.stderr)
    );
    let ours: Vec<(u32, u32, u32)> = ours.iter().map(|r| (r.1, r.2, r.3)).collect();
    assert_eq!(ours, printed);
    let theirs: Vec<(u32, u32, u32)> = tshark_rows(&file, smsc.port)
        .iter()
        .map(|r| (r.1, r.2, r.3))
        .collect();
    assert_eq!(theirs, printed);
    assert!(
        printed.iter().any(|r| r.2 == 0x58),
        "the throttled answer is recorded too"
    );
}

/// `serve --pcap-out`: two sessions (our own client, twice) recorded into one pcap; tshark and
/// `decode --pcap` agree PDU for PDU, and the summary shows two streams.
#[test]
fn serve_pcap_out_records_every_session() {
    let file = fixtures().join("serve-pcap-out.pcap");
    let _ = std::fs::remove_file(&file);
    let f = file.to_str().unwrap().to_string();
    let srv = crate::util::serve(&["--accept-any", "--pcap-out", &f, "--quiet"]);
    let port = srv.port;
    for text in ["first session", "second session"] {
        let (code, out) = crate::util::run_on(
            port,
            "send",
            &[
                "--system-id",
                "acme",
                "--password",
                "pw",
                "--to",
                "447700900123",
                "--text",
                text,
                "--quiet",
            ],
        );
        assert_eq!(code, 0, "{out}");
    }
    let (_, status) = srv.interrupt();
    assert!(status.success(), "serve exits cleanly on Ctrl-C");
    let (ours, dec) = our_rows(&file, &["--port", &port.to_string()]);
    assert!(
        dec.status.success(),
        "{}",
        String::from_utf8_lossy(&dec.stderr)
    );
    // bind, submit, unbind and their responses, twice.
    assert_eq!(ours.len(), 12, "{ours:?}");
    let theirs = tshark_rows(&file, port);
    assert_eq!(ours, theirs);
    let sum = smppdiag(&["--color", "never", "decode", "--pcap", &f, "--summary"]);
    let text = String::from_utf8_lossy(&sum.stdout);
    assert_eq!(
        text.matches("\nstream ").count() + usize::from(text.starts_with("stream ")),
        2,
        "{text}"
    );
}

// ------------------------------------------------------------------ records larger than a buffer

/// A recorded session (bind, bind_resp, enquire_link) whose packets carrying SMPP are padded with
/// an Ethernet trailer to `size` octets: the IPv4 total length still ends the segment, so the
/// PDUs are unchanged, but each of those records is `size` octets long.
fn padded_session(path: &Path, size: usize) -> Vec<Row> {
    use pcap_file::pcap::{PcapPacket, PcapReader, PcapWriter};
    let client: SocketAddr = "192.0.2.10:51000".parse().unwrap();
    let server: SocketAddr = "192.0.2.20:2775".parse().unwrap();
    let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let mut rec = PcapRecorder::new(Vec::new(), client, server, t0).unwrap();
    let pdus = [
        (
            Direction::EsmeToSmsc,
            Pdu::new(0x2, 1).with_str("system_id", "big"),
        ),
        (
            Direction::SmscToEsme,
            Pdu::new(0x8000_0002, 1).with_str("system_id", "SMSC"),
        ),
        (Direction::EsmeToSmsc, Pdu::new(0x15, 2)),
    ];
    for (i, (dir, p)) in pdus.iter().enumerate() {
        let t = t0 + Duration::from_millis(10 * i as u64);
        rec.record(*dir, &p.encode().unwrap(), t).unwrap();
    }
    let small = rec.finish().unwrap();
    let mut reader = PcapReader::new(&small[..]).unwrap();
    let mut header = reader.header();
    header.snaplen = u32::MAX;
    let mut writer = PcapWriter::with_header(std::fs::File::create(path).unwrap(), header).unwrap();
    let mut rows = Vec::new();
    let mut frame = 0u64;
    while let Some(p) = reader.next_packet() {
        let p = p.unwrap();
        frame += 1;
        // Ethernet + IPv4 + TCP headers are 54 octets: anything longer carries SMPP.
        let mut data = p.data.to_vec();
        if data.len() > 54 {
            let (_, pdu) = &pdus[rows.len()];
            rows.push((frame, pdu.command_id, pdu.sequence_number, 0));
            data.resize(size, 0);
        }
        let len = data.len() as u32;
        writer
            .write_packet(&PcapPacket::new(p.timestamp, len, &data))
            .unwrap();
    }
    rows
}

#[test]
fn a_sixteen_mib_record_is_read_whole() {
    // tshark reads records up to 262,144 octets and refuses larger ones on Ethernet ("pcap: File
    // has 16777216-byte packet, bigger than maximum of 262144", tshark 4.0.17 here): it confirms
    // the file at its limit, and smppdiag must list the same PDUs there and at 16 MiB, where it
    // once said "file ends inside frame 1" (pcap-file's reader buffer is 8 MiB).
    let dir = tempfile::tempdir().unwrap();
    let limit = dir.path().join("padded-256k.pcap");
    let want = padded_session(&limit, 262_144);
    assert_eq!(want.len(), 3);
    assert_eq!(tshark_rows(&limit, 2775), want);
    assert_eq!(our_rows(&limit, &[]).0, want);
    let big = dir.path().join("padded-16m.pcap");
    assert_eq!(padded_session(&big, 16 << 20), want);
    let (ours, out) = our_rows(&big, &[]);
    assert_eq!(ours, want, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{out:?}");
}
