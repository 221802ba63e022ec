//! Streaming decode of pasted and logged text: `decode -` prints each PDU as soon as the line
//! completing it is written (before the next line is), `--follow` keeps reading a growing log
//! across rotation and truncation, and the filters and `--summary` work on pasted input.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdout, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

use crate::util::{run, smppdiag};

/// How long a PDU may take to appear once its line is written (generous: a loaded machine).
const WAIT: Duration = Duration::from_secs(20);

/// cloudhopper-smpp's `write bytes: [..]` format with a logback prefix, for PDU `hex`.
fn log_line(n: usize, hex: &str) -> String {
    format!("2026-11-30 10:00:{n:02}.123 [pool-1-thread-1] DEBUG c.c.smpp.channel.SmppSessionLogger - write bytes: [{hex}]\n")
}

fn enquire_link(seq: u32) -> String {
    format!("0000001000000015000000000000{seq:04x}")
}

/// Lines printed by a child, read on a thread.
fn lines_of(out: ChildStdout) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for l in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    rx
}

/// Wait for a printed line containing `want`; panics with what was printed when it does not come.
fn expect_line(rx: &Receiver<String>, want: &str) {
    let mut seen = Vec::new();
    loop {
        match rx.recv_timeout(WAIT) {
            Ok(l) if l.contains(want) => return,
            Ok(l) => seen.push(l),
            Err(_) => panic!("{want:?} not printed within {WAIT:?}; printed: {seen:#?}"),
        }
    }
}

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn each_pdu_is_printed_before_the_next_line_is_written() {
    let mut child = smppdiag(&["decode", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run smppdiag decode -");
    let rx = lines_of(child.stdout.take().expect("stdout"));
    let mut stdin = child.stdin.take().expect("stdin");
    let mut child = Kill(child);
    for seq in 1..=4u32 {
        stdin
            .write_all(b"2026-11-30 10:00:00.000 [main] INFO c.e.App - nothing to see here\n")
            .expect("write prose");
        stdin
            .write_all(log_line(seq as usize, &enquire_link(seq)).as_bytes())
            .expect("write PDU line");
        stdin.flush().expect("flush");
        // The PDU must be out before the next line is written (stdin stays open).
        expect_line(
            &rx,
            &format!("enquire_link  ESME_ROK  seq {seq}  16 octets"),
        );
        thread::sleep(Duration::from_millis(50));
    }
    drop(stdin);
    let status = child.0.wait().expect("wait");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn follow_reads_a_growing_log_across_rotation_and_truncation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("app.log");
    std::fs::write(&log, log_line(1, &enquire_link(1))).expect("write log");
    let mut child = smppdiag(&["decode", "--follow", log.to_str().expect("utf-8 path")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run smppdiag decode --follow");
    let rx = lines_of(child.stdout.take().expect("stdout"));
    let _child = Kill(child);
    expect_line(&rx, "seq 1  16 octets");
    // The log grows.
    let append = |text: String| {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&log)
            .expect("open log");
        f.write_all(text.as_bytes()).expect("append");
    };
    append(log_line(2, &enquire_link(2)));
    expect_line(&rx, "seq 2  16 octets");
    // Rotation: the log is renamed and a new one is created in its place.
    std::fs::rename(&log, dir.path().join("app.log.1")).expect("rotate");
    std::fs::write(&log, log_line(3, &enquire_link(3))).expect("new log");
    expect_line(&rx, "seq 3  16 octets");
    // Truncation (copytruncate): the same file is emptied, then written again.
    thread::sleep(Duration::from_millis(300));
    std::fs::OpenOptions::new()
        .write(true)
        .open(&log)
        .and_then(|f| f.set_len(0))
        .expect("truncate");
    thread::sleep(Duration::from_millis(500));
    append(log_line(4, &enquire_link(4)));
    expect_line(&rx, "seq 4  16 octets");
}

/// The pcap filters and `--summary` apply to pasted text the same way.
#[test]
fn filters_and_summary_on_pasted_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("app.log");
    let mut text = String::new();
    text += &log_line(1, "0000001000000015000000000000000a");
    text += &log_line(2, "0000001080000015000000000000000a");
    text += &log_line(3, "00000010800000040000005800000007");
    std::fs::write(&log, text).expect("write log");
    let f = log.to_str().expect("utf-8 path");
    let (code, out) = run(&[
        "decode",
        "--file",
        f,
        "--command",
        "enquire_link+",
        "--json",
    ]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.lines().count(), 2, "{out}");
    let (_, out) = run(&[
        "decode",
        "--file",
        f,
        "--status",
        "ESME_RTHROTTLED",
        "--json",
    ]);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("\"sequence_number\":7"), "{out}");
    let (_, out) = run(&["decode", "--file", f, "--sequence", "10", "--json"]);
    assert_eq!(out.lines().count(), 2, "{out}");
    let (_, out) = run(&["decode", "--file", f, "--summary"]);
    assert!(
        out.contains("enquire_link 1, enquire_link_resp 1, submit_sm_resp 1")
            || out.contains("commands"),
        "{out}"
    );
    assert!(out.contains("ESME_RTHROTTLED"), "{out}");
    assert!(out.contains("lines 1–3"), "{out}");
    // An option that cannot apply to text is refused, not ignored.
    let (code, out) = run(&["decode", "--file", f, "--port", "2775"]);
    assert_eq!(code, 2, "{out}");
}

/// A long log's summary stays readable: long lists wrap under their label within 80 display
/// columns, a one-line throttling episode reads `line N`, and episodes past the twentieth are
/// counted, not listed.
#[test]
fn summary_of_a_long_log_fits_80_columns_and_counts_what_it_does_not_list() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("app.log");
    let mut text = String::new();
    for i in 0..30u32 {
        // A submit_sm answered with ESME_RTHROTTLED, one accepted (ending the episode), one
        // never answered; prose between.
        let seq = 3 * i + 1;
        text += &log_line(1, &format!("00000010000000040000000000{seq:06x}"));
        text +=
            "2026-11-30 10:00:01.200 [main] INFO  app.Sender - queue depth 12, retrying later\n";
        text += &log_line(2, &format!("00000010800000040000005800{seq:06x}"));
        text += &log_line(3, &format!("00000010000000040000000000{:06x}", seq + 1));
        text += &log_line(4, &format!("00000010800000040000000000{:06x}", seq + 1));
        text += &log_line(5, &format!("00000010000000040000000000{:06x}", seq + 2));
    }
    std::fs::write(&log, text).expect("write log");
    let (_, out) = run(&["decode", "--file", log.to_str().unwrap(), "--summary"]);
    for line in out.lines() {
        assert!(
            unicode_width::UnicodeWidthStr::width(line) <= 80,
            "wider than 80 columns: {line:?}\n{out}"
        );
    }
    assert!(out.contains("  throttling  30 episode(s)\n"), "{out}");
    assert!(
        out.contains("              line 3: 1 × ESME_RTHROTTLED\n"),
        "{out}"
    );
    assert!(
        out.contains("              and 10 more episode(s)\n"),
        "{out}"
    );
    assert!(
        out.contains("  unanswered  30: submit_sm seq 3 (line 6),"),
        "{out}"
    );
    assert!(out.contains("and 20 more\n"), "{out}");
}
