//! `smppdiag explain`. SKELETON: being written (see issue 2).

use crate::exit::Exit;

/// Arguments of `explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The code: 0x58, 88, ESME_RTHROTTLED or RTHROTTLED.
    pub code: Option<String>,
}

/// Run `explain`.
pub fn run(_args: ExplainArgs, _ctx: &super::Ctx) -> anyhow::Result<Exit> {
    Ok(Exit::Success)
}
