//! `smppdiag completions SHELL` and `smppdiag man`: generated from the clap definitions.

use std::io::Write;

use clap::CommandFactory;

use crate::exit::Exit;

/// Arguments of `completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Print a completion script for the shell.
pub fn run(args: CompletionsArgs) -> anyhow::Result<Exit> {
    let mut cmd = super::Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut cmd, "smppdiag", &mut out);
    out.flush()?;
    Ok(Exit::Success)
}

/// Print the man page (roff) for smppdiag and its subcommands.
pub fn man() -> anyhow::Result<Exit> {
    let cmd = super::Cli::command();
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(cmd.clone()).render(&mut out)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("smppdiag-{}", sub.get_name());
        let sub = sub.clone().name(name);
        clap_mangen::Man::new(sub).render(&mut out)?;
    }
    out.flush()?;
    Ok(Exit::Success)
}
