//! One JSON schema for every subcommand (docs/json.md): every `--json` line of `decode` (paste
//! and `--pcap`), `send`, `bind`, `unbind` and `serve` is parsed with the one set of serde types
//! below, which refuse unknown keys — a key renamed in one subcommand fails here. The PDUs `send`
//! printed and the ones `decode --pcap` reads back from its `--pcap-out` recording are the same
//! events, key for key.

// The types mirror the schema; not every test reads every key.
#![allow(dead_code)]

use std::collections::BTreeSet;

use serde::Deserialize;
use serde_json::Value;

use crate::util::{serve, smppdiag};

#[derive(Debug, Deserialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Direction {
    EsmeToSmsc,
    SmscToEsme,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct Source {
    pub(crate) line: u64,
    pub(crate) shape: Option<String>,
}

/// The `decode --json` object.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct Decode {
    pub(crate) input_offset: Option<u64>,
    pub(crate) command_length: Option<u32>,
    pub(crate) command_id: Option<u32>,
    pub(crate) command_name: Option<String>,
    pub(crate) command_status: Option<u32>,
    pub(crate) status_name: Option<String>,
    pub(crate) sequence_number: Option<u32>,
    pub(crate) octets: u64,
    pub(crate) hex: String,
    pub(crate) malformed: bool,
    pub(crate) fields: Vec<Value>,
    pub(crate) tlvs: Vec<Value>,
    pub(crate) diagnostics: Vec<Value>,
    pub(crate) repaired_hex: Option<String>,
    pub(crate) explanation: Option<Value>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct Pdu {
    pub(crate) schema: u32,
    pub(crate) session: Option<u64>,
    pub(crate) direction: Option<Direction>,
    pub(crate) esme: Option<String>,
    pub(crate) smsc: Option<String>,
    pub(crate) time: Option<String>,
    pub(crate) time_epoch: Option<f64>,
    pub(crate) elapsed_s: Option<f64>,
    pub(crate) frame: Option<u64>,
    pub(crate) stream_offset: Option<u64>,
    pub(crate) source: Option<Source>,
    pub(crate) rtt_ms: Option<f64>,
    pub(crate) note: Option<String>,
    pub(crate) injected: bool,
    pub(crate) pdu: Decode,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SessionStart {
    pub(crate) schema: u32,
    pub(crate) session: u64,
    pub(crate) esme: Option<String>,
    pub(crate) smsc: Option<String>,
    pub(crate) time: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SessionEnd {
    pub(crate) schema: u32,
    pub(crate) session: u64,
    pub(crate) reason: String,
    pub(crate) time: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Note {
    pub(crate) schema: u32,
    pub(crate) kind: String,
    pub(crate) session: Option<u64>,
    pub(crate) text: String,
    #[serde(flatten)]
    pub(crate) _fields: serde_json::Map<String, Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Error {
    pub(crate) schema: u32,
    pub(crate) cause: String,
    pub(crate) exit_code: u8,
    pub(crate) received: Option<Decode>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Summary {
    pub(crate) schema: u32,
    #[serde(flatten)]
    pub(crate) _fields: serde_json::Map<String, Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Explanation {
    pub(crate) schema: u32,
    pub(crate) explanation: Value,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Listening {
    pub(crate) schema: u32,
    pub(crate) addr: String,
    pub(crate) port: u16,
    pub(crate) tls: bool,
}

/// One line of any subcommand's `--json` output.
#[derive(Debug, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub(crate) enum Line {
    Pdu(Pdu),
    SessionStart(SessionStart),
    SessionEnd(SessionEnd),
    Note(Note),
    Error(Error),
    Summary(Summary),
    Explanation(Explanation),
    Listening(Listening),
}

impl Line {
    fn kind(&self) -> &'static str {
        match self {
            Line::Pdu(_) => "pdu",
            Line::SessionStart(_) => "session_start",
            Line::SessionEnd(_) => "session_end",
            Line::Note(_) => "note",
            Line::Error(_) => "error",
            Line::Summary(_) => "summary",
            Line::Explanation(_) => "explanation",
            Line::Listening(_) => "listening",
        }
    }

    fn schema(&self) -> u32 {
        match self {
            Line::Pdu(x) => x.schema,
            Line::SessionStart(x) => x.schema,
            Line::SessionEnd(x) => x.schema,
            Line::Note(x) => x.schema,
            Line::Error(x) => x.schema,
            Line::Summary(x) => x.schema,
            Line::Explanation(x) => x.schema,
            Line::Listening(x) => x.schema,
        }
    }
}

/// Parse every line of `out` (stdout of a `--json` run) with the schema types.
pub(crate) fn parse_lines(what: &str, out: &str) -> Vec<Line> {
    out.lines()
        .map(|l| {
            let line: Line = serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("{what}: line does not fit the schema ({e}): {l}"));
            assert_eq!(line.schema(), 1, "{what}: {l}");
            line
        })
        .collect()
}

/// Stdout of `smppdiag ARGS` (exit code checked against `code`).
fn stdout_of(args: &[&str], code: i32) -> String {
    let out = smppdiag(args).output().expect("run smppdiag");
    assert_eq!(
        out.status.code(),
        Some(code),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn pdus(lines: &[Line]) -> Vec<&Pdu> {
    lines
        .iter()
        .filter_map(|l| match l {
            Line::Pdu(p) => Some(p),
            _ => None,
        })
        .collect()
}

#[test]
fn every_json_output_parses_with_one_set_of_types() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("send.pcap");
    let pcap = pcap.to_str().unwrap();
    let srv = serve(&[
        "--accept-any",
        "--json",
        "--no-dlr",
        "--fail",
        "ESME_RTHROTTLED:every=2",
    ]);
    let port = srv.port.to_string();
    let creds = ["--system-id", "acme", "--password", "pw"];
    let mut kinds = BTreeSet::new();
    let mut note = |lines: &[Line]| {
        for l in lines {
            kinds.insert(l.kind());
        }
    };

    // send: 3 messages, the second throttled (exit 1), recorded to a pcap.
    let mut args = vec!["send", "--port", &port, "--json", "--pcap-out", pcap];
    args.extend(creds);
    args.extend(["--to", "15551234567", "--text", "hi", "--count", "3"]);
    let send = parse_lines("send", &stdout_of(&args, 1));
    note(&send);
    for cmd in ["bind", "unbind"] {
        let mut args = vec![cmd, "--port", &port, "--json"];
        args.extend(creds);
        note(&parse_lines(cmd, &stdout_of(&args, 0)));
    }
    // A failure: nothing listens on this port.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port().to_string();
    drop(closed);
    let mut args = vec!["bind", "--port", &closed_port, "--json"];
    args.extend(creds);
    note(&parse_lines("bind (refused)", &stdout_of(&args, 4)));

    // decode --pcap of send's recording: the same PDUs, key for key.
    let decoded = parse_lines(
        "decode --pcap",
        // exit 1: the capture holds a response with ESME_RTHROTTLED (decode's documented exit code).
        &stdout_of(&["decode", "--pcap", pcap, "--port", &port, "--json"], 1),
    );
    note(&decoded);
    let sent = pdus(&send);
    let read = pdus(&decoded);
    assert_eq!(sent.len(), read.len());
    for (s, r) in sent.iter().zip(&read) {
        assert_eq!(s.direction, r.direction);
        assert_eq!(s.pdu.hex, r.pdu.hex);
        assert_eq!(s.pdu.fields, r.pdu.fields);
        assert_eq!(s.session, Some(1));
    }
    note(&parse_lines(
        "decode --pcap --summary",
        &stdout_of(
            &[
                "decode",
                "--pcap",
                pcap,
                "--port",
                &port,
                "--summary",
                "--json",
            ],
            1,
        ),
    ));

    // decode of a paste: the same envelope, with its source line.
    let paste = parse_lines(
        "decode",
        &stdout_of(&["decode", "--json", "00000010800000040000005800000001"], 1),
    );
    note(&paste);
    match paste.first() {
        Some(Line::Pdu(p)) => {
            assert_eq!(p.source.as_ref().map(|s| s.line), Some(1));
            assert_eq!(p.direction, None);
            assert_eq!(p.pdu.status_name.as_deref(), Some("ESME_RTHROTTLED"));
        }
        other => panic!("{other:?}"),
    }

    // serve: everything it printed, ending with its summary.
    let (lines, status) = srv.interrupt();
    assert!(status.success());
    let served = parse_lines("serve", &lines.join("\n"));
    note(&served);
    let throttled = pdus(&served)
        .into_iter()
        .filter(|p| p.pdu.status_name.as_deref() == Some("ESME_RTHROTTLED"))
        .count();
    assert!(throttled >= 1);
    assert!(matches!(served.last(), Some(Line::Summary(_))));

    for k in [
        "pdu",
        "session_start",
        "session_end",
        "note",
        "error",
        "summary",
        "explanation",
        "listening",
    ] {
        assert!(kinds.contains(k), "no `{k}` event in any output: {kinds:?}");
    }
}
