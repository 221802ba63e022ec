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
