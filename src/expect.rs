//! CI expectations: `--expect STATUS` (bind, send), `--expect-dlr STATE` (send), and the JUnit
//! test cases they become. An unmet expectation is one line, "expected X, got Y", so a negative
//! test is one command whose exit code says it all.

use std::time::Duration;

use crate::codec::receipt::{self, StatInfo};
use crate::render::junit::{Outcome, TestCase};
use crate::spec::status;

/// A value that cannot be an expectation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpectError {
    /// Not a status name or number.
    #[error("unknown command_status {given:?}{}", did_you_mean(.suggestions))]
    Status {
        /// What was given.
        given: String,
        /// Close names.
        suggestions: Vec<&'static str>,
    },
    /// Not a receipt state.
    #[error("unknown receipt state {0:?}: one of DELIVRD, EXPIRED, DELETED, UNDELIV, ACCEPTD, UNKNOWN, REJECTD, ENROUTE, SKIPPED")]
    DlrState(String),
}

fn did_you_mean(s: &[&str]) -> String {
    if s.is_empty() {
        " (a name such as ESME_RTHROTTLED, or a number such as 0x58)".into()
    } else {
        format!("; did you mean {}?", s.join(", "))
    }
}

/// Parse `--expect`: a status name (`ESME_RINVPASWD`, `RINVPASWD`, `invpaswd`) or number.
pub fn parse_status(s: &str) -> Result<u32, ExpectError> {
    status::parse_query(s).ok_or_else(|| ExpectError::Status {
        given: s.into(),
        suggestions: status::suggest(s),
    })
}

/// Parse `--expect-dlr`: a receipt `stat:` value (DELIVRD, UNDELIV ...).
pub fn parse_dlr_state(s: &str) -> Result<&'static StatInfo, ExpectError> {
    receipt::stat_info(s).ok_or_else(|| ExpectError::DlrState(s.into()))
}

/// The name a status is shown with: `ESME_RTHROTTLED (0x00000058)`, or the name alone for 0.
pub fn status_label(code: u32) -> String {
    match code {
        0 => status::name_of(0).into_owned(),
        c => format!("{} (0x{c:08X})", status::name_of(c)),
    }
}

/// One checked expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was checked, e.g. "bind_transceiver" or "submit_sm 2/3".
    pub subject: String,
    /// What was expected, as shown.
    pub expected: String,
    /// What came, as shown ("no response within 10 s" when nothing came).
    pub got: String,
    /// Whether it matched.
    pub met: bool,
    /// The evidence (the PDU dump of the answer), for a failure's text.
    pub detail: String,
    /// How long the check took.
    pub time: Duration,
}

impl Check {
    /// A status expectation: `got` is the answer's command_status, or why there was none.
    pub fn status(
        subject: impl Into<String>,
        expected: u32,
        got: Result<u32, String>,
        detail: String,
        time: Duration,
    ) -> Check {
        let (met, got) = match got {
            Ok(g) => (g == expected, status_label(g)),
            Err(why) => (false, why),
        };
        Check {
            subject: subject.into(),
            expected: status_label(expected),
            got,
            met,
            detail,
            time,
        }
    }

    /// A receipt expectation: `got` is the receipt's `stat:` (or TLV message_state name), or why
    /// there was none.
    pub fn dlr(
        subject: impl Into<String>,
        expected: &StatInfo,
        got: Result<String, String>,
        detail: String,
        time: Duration,
    ) -> Check {
        let (met, got) = match got {
            Ok(g) => (
                receipt::stat_info(&g).is_some_and(|i| i.code == expected.code),
                g,
            ),
            Err(why) => (false, why),
        };
        Check {
            subject: subject.into(),
            expected: expected.code.into(),
            got,
            met,
            detail,
            time,
        }
    }

    /// The one line printed for an unmet expectation.
    pub fn line(&self) -> String {
        format!(
            "{}: expected {}, got {}",
            self.subject, self.expected, self.got
        )
    }

    /// The JUnit test case of this check (`classname` e.g. "smppdiag.send").
    pub fn test_case(&self, classname: &str) -> TestCase {
        TestCase {
            name: format!("{} answers {}", self.subject, self.expected),
            classname: classname.into(),
            time: self.time,
            outcome: if self.met {
                Outcome::Passed
            } else {
                Outcome::Failure {
                    message: format!("expected {}, got {}", self.expected, self.got),
                    kind: self.got.clone(),
                    detail: self.detail.clone(),
                }
            },
            system_out: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_by_name_or_number() {
        assert_eq!(parse_status("ESME_RINVPASWD"), Ok(0x0E));
        assert_eq!(parse_status("throttled"), Ok(0x58));
        assert_eq!(parse_status("0x58"), Ok(0x58));
        assert_eq!(parse_status("0"), Ok(0));
        let e = parse_status("ESME_RTHROTLED").unwrap_err().to_string();
        assert!(e.contains("did you mean ESME_RTHROTTLED"), "{e}");
        assert_eq!(parse_dlr_state("delivrd").unwrap().code, "DELIVRD");
        assert!(parse_dlr_state("DONE").is_err());
    }

    #[test]
    fn unmet_line_and_case() {
        let c = Check::status("submit_sm 1/1", 0, Ok(0x58), "dump".into(), Duration::ZERO);
        assert!(!c.met);
        assert_eq!(
            c.line(),
            "submit_sm 1/1: expected ESME_ROK, got ESME_RTHROTTLED (0x00000058)"
        );
        let t = c.test_case("smppdiag.send");
        assert!(matches!(t.outcome, Outcome::Failure { ref detail, .. } if detail == "dump"));
        let ok = Check::status(
            "bind_transceiver",
            0x0E,
            Ok(0x0E),
            String::new(),
            Duration::ZERO,
        );
        assert!(ok.met);
        let none = Check::status(
            "bind",
            0,
            Err("no response within 10 s".into()),
            String::new(),
            Duration::ZERO,
        );
        assert_eq!(
            none.line(),
            "bind: expected ESME_ROK, got no response within 10 s"
        );
    }
}
