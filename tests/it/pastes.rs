//! The real-world paste corpus (`tests/fixtures/pastes/`, described in its README.md): every
//! sample is decoded with `decode --json --file` and `decode --file`, and what comes out is
//! checked against the sample's `.expect` file: the PDUs found (command, sequence, status,
//! malformed or not, source line and shape, key fields, what smppdiag must say about them), or,
//! for text without a PDU, exit 2 with a message naming what the text looks like.
//!
//! The samples come from real software run here (smpplib, node-smpp, tcpdump, tshark, hexdump,
//! xxd, Kannel; `make/run.sh`) or from the log format strings of software that does not run here
//! (cloudhopper-smpp, jsmpp, Jasmin, SMPPSim, Wireshark's copy menu); each `.expect` says which.
//! All mismatches of all samples are collected and reported together.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::run;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pastes")
}

/// Every sample (`<source>/<name>.txt`), sorted.
fn samples() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in fs::read_dir(corpus_dir()).expect("tests/fixtures/pastes") {
        let dir = dir.expect("dir entry").path();
        if !dir.is_dir() || dir.file_name().is_some_and(|n| n == "make") {
            continue;
        }
        for f in fs::read_dir(&dir).expect("source dir") {
            let f = f.expect("file entry").path();
            if f.extension().is_some_and(|e| e == "txt") {
                out.push(f);
            }
        }
    }
    out.sort();
    out
}

/// One `key=value` or `key~=value` token of an expectation line.
#[derive(Debug, Clone, PartialEq)]
struct Token {
    key: String,
    /// `~=`: a case-insensitive substring; `=`: exact (alternatives separated by `|`).
    contains: bool,
    value: String,
}

/// Split an expectation line into its tokens; a value may be "quoted" to hold spaces.
fn tokens(line: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut rest = line.trim();
    while !rest.is_empty() {
        let key_end = rest.find(['=', ' ']).unwrap_or(rest.len());
        let (mut key, after) = rest.split_at(key_end);
        let mut contains = false;
        if let Some(k) = key.strip_suffix('~') {
            key = k;
            contains = true;
        }
        let Some(after) = after.strip_prefix('=') else {
            out.push(Token {
                key: key.to_string(),
                contains,
                value: String::new(),
            });
            rest = after.trim_start();
            continue;
        };
        let (value, next) = if let Some(q) = after.strip_prefix('"') {
            let end = q.find('"').unwrap_or(q.len());
            (&q[..end], q.get(end + 1..).unwrap_or(""))
        } else {
            let end = after.find(' ').unwrap_or(after.len());
            after.split_at(end)
        };
        out.push(Token {
            key: key.to_string(),
            contains,
            value: value.to_string(),
        });
        rest = next.trim_start();
    }
    out
}

/// What a sample must yield.
#[derive(Debug, Default)]
struct Expect {
    exit: Option<i32>,
    pdus: Vec<Vec<Token>>,
    none: Option<Vec<Token>>,
    text: Vec<String>,
}

fn parse_expect(text: &str) -> Expect {
    let mut e = Expect::default();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let t = tokens(line);
        match t[0].key.as_str() {
            "exit" => e.exit = Some(t[0].value.parse().expect("exit=N")),
            "pdu" => e.pdus.push(t[1..].to_vec()),
            "none" => e.none = Some(t[1..].to_vec()),
            "text" => e.text.push(t[0].value.clone()),
            other => panic!("unknown expectation `{other}` in line `{line}`"),
        }
    }
    e
}

/// A JSON value as the text an expectation compares with.
fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn value_matches(t: &Token, actual: &str) -> bool {
    if t.contains {
        actual.to_lowercase().contains(&t.value.to_lowercase())
    } else {
        t.value.split('|').any(|alt| alt == actual)
    }
}

/// Everything smppdiag says about one PDU: its source note and every diagnostic.
fn what_it_says(pdu: &Value) -> String {
    let mut s = as_text(&pdu["source"]["note"]);
    for d in pdu["diagnostics"].as_array().into_iter().flatten() {
        s.push('\n');
        s.push_str(&as_text(&d["message"]));
        s.push('\n');
        s.push_str(&as_text(&d["hint"]));
    }
    s
}

/// The value of field `name` (body fields, then TLVs).
fn field(pdu: &Value, name: &str) -> Option<String> {
    ["fields", "tlvs"].iter().find_map(|list| {
        pdu[list]
            .as_array()?
            .iter()
            .find(|f| f["name"] == name)
            .map(|f| as_text(&f["value"]))
    })
}

/// Mismatches between one decoded PDU and its expectation line.
fn check_pdu(pdu: &Value, want: &[Token]) -> Vec<String> {
    let mut bad = Vec::new();
    for t in want {
        let actual = match t.key.as_str() {
            "line" => as_text(&pdu["source"]["line"]),
            "shape" => as_text(&pdu["source"]["shape"]),
            "command" => as_text(&pdu["command_name"]),
            "seq" => as_text(&pdu["sequence_number"]),
            "status" => as_text(&pdu["status_name"]),
            "malformed" => match pdu["malformed"].as_bool() {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => "?".into(),
            },
            "say" => what_it_says(pdu),
            k if k.starts_with("field:") => field(pdu, &k["field:".len()..]).unwrap_or_default(),
            other => {
                bad.push(format!("unknown key `{other}`"));
                continue;
            }
        };
        if !value_matches(t, &actual) {
            let op = if t.contains { "~=" } else { "=" };
            bad.push(format!("{}{op}{:?} but got {:?}", t.key, t.value, actual));
        }
    }
    bad
}

/// One decoded PDU as a flat object (the decode object with `source` in it), from either JSON
/// layout: the decode object itself, or schema 1's `{"event": "pdu", "source": .., "pdu": {..}}`.
fn flat_pdu(v: Value) -> Option<Value> {
    if v.get("command_name").is_some() {
        return Some(v);
    }
    let mut pdu = v.get("pdu")?.clone();
    if let (Some(obj), Some(src)) = (pdu.as_object_mut(), v.get("source")) {
        obj.entry("source").or_insert_with(|| src.clone());
    }
    pdu.get("command_name").is_some().then_some(pdu)
}

/// Run both decodes of one sample; every mismatch, one per line.
fn check_sample(path: &Path) -> Vec<String> {
    let expect_path = path.with_extension("expect");
    let Ok(expect_text) = fs::read_to_string(&expect_path) else {
        return vec![format!("no {}", expect_path.display())];
    };
    let want = parse_expect(&expect_text);
    let file = path.to_str().expect("utf-8 path");
    let (json_code, json_out) = run(&["decode", "--json", "--file", file]);
    let (text_code, text_out) = run(&["decode", "--file", file]);
    let mut bad = Vec::new();
    let found: Vec<Value> = json_out
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(flat_pdu)
        .collect();
    if let Some(code) = want.exit {
        for (mode, got) in [("--json", json_code), ("text", text_code)] {
            if got != code {
                bad.push(format!("exit ({mode}) should be {code}, was {got}"));
            }
        }
    }
    if let Some(none) = &want.none {
        if !found.is_empty() {
            bad.push(format!("no PDU expected, {} decoded", found.len()));
        }
        for t in none {
            if t.key == "message" && !value_matches(t, &text_out) {
                bad.push(format!("message should contain {:?}", t.value));
            }
        }
    } else if found.len() != want.pdus.len() {
        let got: Vec<String> = found
            .iter()
            .map(|p| {
                format!(
                    "{}@{}",
                    as_text(&p["command_name"]),
                    as_text(&p["source"]["line"])
                )
            })
            .collect();
        bad.push(format!(
            "{} PDUs expected, {} decoded: {got:?}",
            want.pdus.len(),
            found.len()
        ));
    }
    for (i, (pdu, w)) in found.iter().zip(&want.pdus).enumerate() {
        for m in check_pdu(pdu, w) {
            bad.push(format!("PDU {}: {m}", i + 1));
        }
    }
    for t in &want.text {
        if !text_out.to_lowercase().contains(&t.to_lowercase()) {
            bad.push(format!("text output should contain {t:?}"));
        }
    }
    bad
}

#[test]
fn every_paste_sample_yields_what_its_expectation_says() {
    let all = samples();
    assert!(all.len() >= 40, "corpus too small: {} samples", all.len());
    let mut report = String::new();
    let mut failed = 0;
    for path in &all {
        let bad = check_sample(path);
        if !bad.is_empty() {
            failed += 1;
            let rel = path.strip_prefix(corpus_dir()).unwrap_or(path);
            let _ = writeln!(report, "{}:", rel.display());
            for b in bad {
                let _ = writeln!(report, "    {b}");
            }
        }
    }
    assert!(
        failed == 0,
        "{failed} of {} paste samples fail:\n{report}",
        all.len()
    );
}

#[test]
fn every_sample_has_an_expectation_saying_how_it_was_made() {
    for path in samples() {
        let e = fs::read_to_string(path.with_extension("expect"))
            .unwrap_or_else(|_| panic!("{} has no .expect", path.display()));
        assert!(
            e.lines().next().is_some_and(|l| l.starts_with("# ")),
            "{}.expect must start with a `# how it was made` line",
            path.display()
        );
        let parsed = parse_expect(&e);
        assert!(
            parsed.none.is_none() || parsed.pdus.is_empty(),
            "{}: expect PDUs or `none`, not both",
            path.display()
        );
    }
}

#[test]
fn expectation_lines_are_read_as_documented() {
    let t = tokens(r#"pdu line=3 shape=hex|tshark-x field:short_message="Hello world" say~=UTF-8"#);
    let keys: Vec<_> = t.iter().map(|t| (t.key.as_str(), t.contains)).collect();
    assert_eq!(
        keys,
        [
            ("pdu", false),
            ("line", false),
            ("shape", false),
            ("field:short_message", false),
            ("say", true)
        ]
    );
    assert_eq!(t[3].value, "Hello world");
    assert!(value_matches(&t[2], "tshark-x"));
    assert!(!value_matches(&t[2], "tcpdump-x"));
    assert!(value_matches(&t[4], "text looks like utf-8: ..."));
}
