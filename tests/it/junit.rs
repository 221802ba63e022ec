//! The JUnit XML writer (src/render/junit.rs), read back by a real JUnit parser: PyPI
//! `junitparser` (pinned in tests/peers/requirements.txt, run through tests/peers/junit_read.py).

use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use smppdiag::render::dump::{dump, DumpOptions};
use smppdiag::render::junit::{to_xml, Outcome, TestCase, TestSuite};
use smppdiag::render::Style;

use crate::peers::{peers_dir, require_python_module};

/// What junitparser understood of the report at `path`.
pub fn junitparser_reads_file(path: &std::path::Path) -> Value {
    let python = require_python_module("junitparser");
    let out = Command::new(python)
        .arg(peers_dir().join("junit_read.py"))
        .arg(path)
        .output()
        .expect("run junit_read.py");
    assert!(
        out.status.success(),
        "junitparser rejected the report: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(path).unwrap_or_default()
    );
    serde_json::from_slice(&out.stdout).expect("junit_read.py prints JSON")
}

/// What junitparser understood of `xml`.
fn junitparser_reads(xml: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xml");
    std::fs::write(&path, xml).unwrap();
    junitparser_reads_file(&path)
}

fn case(name: &str, outcome: Outcome) -> TestCase {
    TestCase {
        name: name.into(),
        classname: "smppdiag.send".into(),
        time: Duration::from_millis(250),
        outcome,
        system_out: None,
    }
}

#[test]
fn junitparser_reads_every_outcome_and_the_failure_dump() {
    // A throttled submit_sm_resp, dumped by our renderer as a failure's text.
    let resp = hex::decode("00000010800000040000005800000001").unwrap();
    let text = dump(
        &smppdiag::codec::decode(&resp),
        &Style { color: false },
        &DumpOptions::default(),
    );
    let suites = [
        TestSuite {
            name: "smppdiag send 127.0.0.1:2775".into(),
            timestamp: Some("2026-11-30T08:00:00Z".into()),
            hostname: Some("ci".into()),
            cases: vec![
                case("bind_transmitter answered ESME_ROK", Outcome::Passed),
                case(
                    "submit_sm 1/1 answered ESME_ROK",
                    Outcome::Failure {
                        message: "expected ESME_ROK, got ESME_RTHROTTLED".into(),
                        kind: "ESME_RTHROTTLED".into(),
                        detail: text.clone(),
                    },
                ),
                case(
                    "receipt DELIVRD",
                    Outcome::Error {
                        message: "no receipt within 5 s".into(),
                        kind: "timeout".into(),
                        detail: "waited 5 s\u{1b}[0m for deliver_sm <esm_class 0x04>".into(),
                    },
                ),
                case(
                    "unbind",
                    Outcome::Skipped {
                        message: "not bound".into(),
                    },
                ),
            ],
        },
        TestSuite {
            name: "smppdiag bind".into(),
            cases: vec![TestCase {
                system_out: Some("Привет 👋 & <ok>".into()),
                ..case("bind answered ESME_RINVPASWD", Outcome::Passed)
            }],
            ..Default::default()
        },
    ];
    let got = junitparser_reads(&to_xml(&suites));
    assert_eq!(got["tests"], 5);
    assert_eq!(got["failures"], 1);
    assert_eq!(got["errors"], 1);
    let s = &got["suites"][0];
    assert_eq!(s["name"], "smppdiag send 127.0.0.1:2775");
    assert_eq!(
        (s["tests"].as_u64(), s["skipped"].as_u64()),
        (Some(4), Some(1))
    );
    assert_eq!(s["time"].as_f64(), Some(1.0));
    let f = &s["cases"][1]["result"];
    assert_eq!(f["kind"], "failure");
    assert_eq!(f["message"], "expected ESME_ROK, got ESME_RTHROTTLED");
    assert_eq!(f["type"], "ESME_RTHROTTLED");
    assert_eq!(f["text"].as_str().unwrap().trim_end(), text.trim_end());
    let e = &s["cases"][2]["result"];
    assert_eq!(e["kind"], "error");
    assert_eq!(
        e["text"],
        "waited 5 s\\u{1B}[0m for deliver_sm <esm_class 0x04>"
    );
    assert_eq!(s["cases"][3]["result"]["kind"], "skipped");
    assert_eq!(s["cases"][0]["result"], Value::Null);
    assert_eq!(
        got["suites"][1]["cases"][0]["system_out"],
        "Привет 👋 & <ok>"
    );
}

/// The names of a report's cases, and the failures' (name, message, text).
fn cases(j: &Value) -> (Vec<String>, Vec<(String, String, String)>) {
    let all = j["suites"][0]["cases"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let names = all
        .iter()
        .map(|c| c["name"].as_str().unwrap_or_default().to_string())
        .collect();
    let failed = all
        .iter()
        .filter(|c| c["result"]["kind"] == "failure")
        .map(|c| {
            let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
            (
                s(&c["name"]),
                s(&c["result"]["message"]),
                s(&c["result"]["text"]),
            )
        })
        .collect();
    (names, failed)
}

fn send_report(port: u16, extra: &[&str]) -> (i32, String, Value) {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("send.xml");
    let mut args = vec!["--password", "pw", "--to", "1555", "--text", "hi", "-q"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--junit", report.to_str().unwrap()]);
    let (code, out) = crate::util::run_on(port, "send", &args);
    let j = junitparser_reads_file(&report);
    (code, out, j)
}

#[test]
fn send_junit_has_a_case_per_message_and_the_dump_of_each_refusal() {
    let serve = crate::util::serve(&["--accept-any", "--fail", "ESME_RMSGQFUL:every=2"]);
    let (code, out, j) = send_report(serve.port, &["--count", "4"]);
    assert_eq!(code, 1, "{out}");
    let (names, failed) = cases(&j);
    assert_eq!(
        names,
        [
            "bind_transmitter answers ESME_ROK",
            "message 1: submit_sm to 1555 answers ESME_ROK",
            "message 2: submit_sm to 1555 answers ESME_ROK",
            "message 3: submit_sm to 1555 answers ESME_ROK",
            "message 4: submit_sm to 1555 answers ESME_ROK",
        ]
    );
    assert_eq!(failed.len(), 2, "{j}");
    let (name, message, text) = &failed[0];
    assert_eq!(name, "message 2: submit_sm to 1555 answers ESME_ROK");
    assert_eq!(message, "expected ESME_ROK, got ESME_RMSGQFUL (0x00000014)");
    // The answer's annotated dump, colour off: sequence 3 is the second submit_sm (the bind
    // was 1).
    assert!(
        text.starts_with(
            "the ESME_RMSGQFUL answer:\nsubmit_sm_resp  ESME_RMSGQFUL  seq 3  16 octets\n   \
             0  00 00 00 10        command_length          16  16 octets\n"
        ),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(failed[1].2.contains("seq 5"), "{j}");
}

#[test]
fn send_junit_groups_a_long_run_per_destination_and_part() {
    let serve = crate::util::serve(&["--accept-any", "--fail", "ESME_RMSGQFUL:every=2"]);
    let (code, out, j) = send_report(serve.port, &["--count", "150", "--window", "10"]);
    assert_eq!(code, 1, "{out}");
    let (names, failed) = cases(&j);
    assert_eq!(
        names,
        [
            "bind_transmitter answers ESME_ROK",
            "submit_sm to 1555 x150 answers ESME_ROK"
        ]
    );
    let (_, message, text) = &failed[0];
    assert_eq!(
        message,
        "expected ESME_ROK, got ESME_ROK x75, ESME_RMSGQFUL (0x00000014) x75"
    );
    assert!(
        text.starts_with("the first ESME_RMSGQFUL answer:\nsubmit_sm_resp  ESME_RMSGQFUL  seq "),
        "{text}"
    );
    // Expecting the refusal: the group passes only if every answer is one.
    let (code, out, j) = send_report(serve.port, &["--count", "150", "--expect", "RMSGQFUL"]);
    assert_eq!(code, 1, "{out}");
    let (_, failed) = cases(&j);
    assert_eq!(failed.len(), 1, "{j}");
    assert!(
        failed[0]
            .2
            .starts_with("the first ESME_ROK answer:\nsubmit_sm_resp  ESME_ROK  seq "),
        "{j}"
    );
}

#[test]
fn send_junit_receipt_failure_carries_the_receipt_dump() {
    let serve = crate::util::serve(&["--accept-any", "--dlr-state", "UNDELIV=100"]);
    let (code, out, j) = send_report(serve.port, &["--wait-dlr", "10", "--expect-dlr", "DELIVRD"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("message 1: receipt to 1555: expected DELIVRD, got UNDELIV"),
        "{out}"
    );
    let (names, failed) = cases(&j);
    assert_eq!(names.len(), 3, "{names:?}");
    let (name, message, text) = &failed[0];
    assert_eq!(name, "message 1: receipt to 1555 answers DELIVRD");
    assert_eq!(message, "expected DELIVRD, got UNDELIV");
    assert!(
        text.starts_with("the UNDELIV receipt:\ndeliver_sm  ESME_ROK  seq "),
        "{text}"
    );
    assert!(
        text.contains("message_state") && text.contains("stat:UNDELIV"),
        "{text}"
    );
}
