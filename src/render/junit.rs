//! JUnit XML reports (`--junit FILE`), the format every CI system renders: one `<testsuite>` per
//! command run, one `<testcase>` per expectation or message group; a failure carries a one-line
//! message ("expected ESME_ROK, got ESME_RTHROTTLED") and the PDU dump as its text.
//!
//! Written with quick-xml, which escapes markup; characters XML 1.0 cannot hold at all (NUL, ESC
//! and the other C0 controls but tab and newline) are replaced by `\u{..}` notation first, so a
//! dump of hostile bytes still gives a well-formed report.

use std::time::Duration;

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

/// How one test case ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The expectation was met.
    Passed,
    /// The expectation was not met (`<failure>`).
    Failure {
        /// One line: what was expected and what came.
        message: String,
        /// A short kind, e.g. the status name that came.
        kind: String,
        /// Details: the PDU dump.
        detail: String,
    },
    /// The check could not be made (`<error>`: network failure, timeout ...).
    Error {
        /// One line.
        message: String,
        /// A short kind, e.g. "network".
        kind: String,
        /// Details.
        detail: String,
    },
    /// Not run.
    Skipped {
        /// Why.
        message: String,
    },
}

/// One test case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestCase {
    /// What was checked, e.g. "submit_sm 1/3 answered ESME_ROK".
    pub name: String,
    /// The group, e.g. "smppdiag.send".
    pub classname: String,
    /// How long it took.
    pub time: Duration,
    /// The result.
    pub outcome: Outcome,
    /// Extra output for the CI page (`<system-out>`), e.g. the session's dumps.
    pub system_out: Option<String>,
}

/// One test suite (one smppdiag command run).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TestSuite {
    /// Name, e.g. "smppdiag send 127.0.0.1:2775".
    pub name: String,
    /// ISO 8601 start time, if known.
    pub timestamp: Option<String>,
    /// Host name, if known.
    pub hostname: Option<String>,
    /// The cases in order.
    pub cases: Vec<TestCase>,
}

/// Counts over cases: (tests, failures, errors, skipped, seconds).
fn counts(cases: &[TestCase]) -> (usize, usize, usize, usize, f64) {
    let n = |f: fn(&Outcome) -> bool| cases.iter().filter(|c| f(&c.outcome)).count();
    (
        cases.len(),
        n(|o| matches!(o, Outcome::Failure { .. })),
        n(|o| matches!(o, Outcome::Error { .. })),
        n(|o| matches!(o, Outcome::Skipped { .. })),
        cases.iter().map(|c| c.time.as_secs_f64()).sum(),
    )
}

/// Text XML 1.0 can carry: C0 controls other than tab, newline and CR become `\u{XX}`.
pub fn xml_safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.push_str(&format!("\\u{{{:02X}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

type W = Writer<Vec<u8>>;
type R = std::io::Result<()>;

fn element<'a>(name: &'a str, attrs: &[(&str, String)]) -> BytesStart<'a> {
    let mut e = BytesStart::new(name);
    for (k, v) in attrs {
        e.push_attribute((*k, xml_safe(v).as_str()));
    }
    e
}

fn start(w: &mut W, name: &str, attrs: &[(&str, String)]) -> R {
    w.write_event(Event::Start(element(name, attrs)))
}

fn end(w: &mut W, name: &str) -> R {
    w.write_event(Event::End(BytesEnd::new(name)))
}

fn text(w: &mut W, t: &str) -> R {
    w.write_event(Event::Text(BytesText::new(&xml_safe(t))))
}

fn secs(s: f64) -> String {
    format!("{s:.3}")
}

/// The report as an XML document.
pub fn to_xml(suites: &[TestSuite]) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into a Vec cannot fail.
    let _ = write_report(&mut w, suites);
    let mut xml = String::from_utf8_lossy(&w.into_inner()).into_owned();
    xml.push('\n');
    xml
}

fn write_report(w: &mut W, suites: &[TestSuite]) -> R {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let all: Vec<TestCase> = suites.iter().flat_map(|s| s.cases.clone()).collect();
    let (tests, failures, errors, skipped, time) = counts(&all);
    start(
        w,
        "testsuites",
        &[
            ("name", "smppdiag".into()),
            ("tests", tests.to_string()),
            ("failures", failures.to_string()),
            ("errors", errors.to_string()),
            ("skipped", skipped.to_string()),
            ("time", secs(time)),
        ],
    )?;
    for s in suites {
        write_suite(w, s)?;
    }
    end(w, "testsuites")
}

fn write_suite(w: &mut W, s: &TestSuite) -> R {
    let (tests, failures, errors, skipped, time) = counts(&s.cases);
    let mut attrs = vec![
        ("name", s.name.clone()),
        ("tests", tests.to_string()),
        ("failures", failures.to_string()),
        ("errors", errors.to_string()),
        ("skipped", skipped.to_string()),
        ("time", secs(time)),
    ];
    if let Some(t) = &s.timestamp {
        attrs.push(("timestamp", t.clone()));
    }
    if let Some(h) = &s.hostname {
        attrs.push(("hostname", h.clone()));
    }
    start(w, "testsuite", &attrs)?;
    for c in &s.cases {
        write_case(w, c)?;
    }
    end(w, "testsuite")
}

fn write_case(w: &mut W, c: &TestCase) -> R {
    let attrs = [
        ("name", c.name.clone()),
        ("classname", c.classname.clone()),
        ("time", secs(c.time.as_secs_f64())),
    ];
    if c.outcome == Outcome::Passed && c.system_out.is_none() {
        return w.write_event(Event::Empty(element("testcase", &attrs)));
    }
    start(w, "testcase", &attrs)?;
    match &c.outcome {
        Outcome::Passed => {}
        Outcome::Failure {
            message,
            kind,
            detail,
        } => write_problem(w, "failure", message, kind, detail)?,
        Outcome::Error {
            message,
            kind,
            detail,
        } => write_problem(w, "error", message, kind, detail)?,
        Outcome::Skipped { message } => {
            let e = element("skipped", &[("message", message.clone())]);
            w.write_event(Event::Empty(e))?;
        }
    }
    if let Some(out) = &c.system_out {
        start(w, "system-out", &[])?;
        text(w, out)?;
        end(w, "system-out")?;
    }
    end(w, "testcase")
}

fn write_problem(w: &mut W, tag: &str, message: &str, kind: &str, detail: &str) -> R {
    start(
        w,
        tag,
        &[("message", message.to_string()), ("type", kind.to_string())],
    )?;
    text(w, detail)?;
    end(w, tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_escapes_and_controls() {
        let suite = TestSuite {
            name: "smppdiag send <x> & \"y\"".into(),
            cases: vec![
                TestCase {
                    name: "bind answered ESME_ROK".into(),
                    classname: "smppdiag.send".into(),
                    time: Duration::from_millis(1500),
                    outcome: Outcome::Passed,
                    system_out: None,
                },
                TestCase {
                    name: "submit_sm".into(),
                    classname: "smppdiag.send".into(),
                    time: Duration::ZERO,
                    outcome: Outcome::Failure {
                        message: "expected ESME_ROK, got ESME_RTHROTTLED".into(),
                        kind: "ESME_RTHROTTLED".into(),
                        detail: "\u{1b}[31m00 00\u{0} </failure>".into(),
                    },
                    system_out: None,
                },
            ],
            ..Default::default()
        };
        let x = to_xml(&[suite]);
        assert!(x.contains(r#"<testsuites name="smppdiag" tests="2" failures="1" errors="0" skipped="0" time="1.500">"#), "{x}");
        assert!(x.contains("&lt;x&gt; &amp; &quot;y&quot;"), "{x}");
        assert!(x.contains(r"\u{1B}[31m00 00\u{00} &lt;/failure&gt;"), "{x}");
        assert!(!x.contains('\u{1b}') && !x.contains('\u{0}'), "{x}");
    }
}
