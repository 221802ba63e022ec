//! `--expect STATUS` and `--junit FILE` on `bind`, `send` and `unbind`: the checks a command made
//! become an exit status (unmet → 1, with one line each saying what was expected and what came)
//! and a JUnit XML report.

use std::path::PathBuf;

use anyhow::Context;

use crate::exit::Exit;
use crate::expect::{self, Check};
use crate::render::junit::{to_xml, TestSuite};

/// The CI options.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReportArgs {
    /// Expect this command_status (name such as ESME_RINVPASWD, or a number) in the bind
    /// response (bind), every submission's or --pdu's answer (send) or the unbind_resp (unbind): exit 0
    /// when it comes, 1 with one line "expected X, got Y" when something else does (default
    /// ESME_ROK).
    #[arg(long, value_name = "STATUS", value_parser = parse_status, help_heading = "CI")]
    pub expect: Option<u32>,
    /// Write a JUnit XML report to FILE: one test case per expectation (send: per message
    /// part, or per destination and part past 100); a failure carries the PDU dump of the
    /// answer, receipt or request at fault.
    #[arg(long, value_name = "FILE", help_heading = "CI")]
    pub junit: Option<PathBuf>,
}

fn parse_status(s: &str) -> Result<u32, String> {
    expect::parse_status(s).map_err(|e| e.to_string())
}

impl ReportArgs {
    /// The status expected (ESME_ROK unless `--expect`).
    pub fn expected(&self) -> u32 {
        self.expect.unwrap_or(0)
    }

    /// After the command: write the report and, with `--expect` (or another expectation option
    /// of the command: `also_expecting`), print a line per unmet check and give the exit status
    /// the checks decide (0 all met, 1 otherwise). Without one the command's own exit status
    /// stands (`None`).
    pub fn finish(
        &self,
        suite: &str,
        classname: &str,
        checks: &[Check],
        also_expecting: bool,
    ) -> anyhow::Result<Option<Exit>> {
        if let Some(path) = &self.junit {
            let report = TestSuite {
                name: suite.into(),
                timestamp: None,
                hostname: None,
                cases: checks.iter().map(|c| c.test_case(classname)).collect(),
            };
            std::fs::write(path, to_xml(&[report]))
                .with_context(|| format!("writing --junit {}", path.display()))?;
        }
        if self.expect.is_none() && !also_expecting {
            return Ok(None);
        }
        for c in checks.iter().filter(|c| !c.met) {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("{}", c.line());
            }
        }
        Ok(Some(verdict(checks)))
    }

    /// The exit status the run will end with: the checks' verdict when expecting (see
    /// [`ReportArgs::finish`]), else `own`. For the JSON summary, written before the end.
    pub fn final_exit(&self, checks: &[Check], also_expecting: bool, own: Exit) -> Exit {
        if self.expect.is_some() || also_expecting {
            verdict(checks)
        } else {
            own
        }
    }
}

/// 0 when every check was met, 1 otherwise.
fn verdict(checks: &[Check]) -> Exit {
    if checks.iter().all(|c| c.met) {
        Exit::Success
    } else {
        Exit::SmppError
    }
}

/// The annotated dump of a PDU (for a failed check's JUnit text), colour off.
pub fn dump_of(pdu: &crate::codec::Pdu) -> String {
    match pdu.encode() {
        Ok(b) => dump_bytes(&b),
        Err(e) => e.to_string(),
    }
}

/// The annotated dump of a PDU's octets, colour off.
pub fn dump_bytes(bytes: &[u8]) -> String {
    crate::render::dump::dump(
        &crate::codec::decode(bytes),
        &crate::render::Style { color: false },
        &crate::render::dump::DumpOptions::default(),
    )
}
