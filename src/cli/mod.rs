//! Command-line interface (clap). Subcommands are thin: parse args, call the library, render.

use clap::{Parser, Subcommand, ValueEnum};

use std::time::Duration;

use crate::exit::Exit;
use crate::render::Style;

pub mod bind;
pub mod completions;
pub mod connect;
pub mod decode;
pub mod encode;
pub mod explain;
pub mod pcap_args;
pub mod profiles;
pub mod proxy;
pub mod report;
pub mod retry_args;
pub mod send;
pub mod send_pdu;
pub mod serve;
pub mod unbind;

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorWhen {
    /// Colour when stdout is a terminal and NO_COLOR is not set.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// smppdiag: makes SMPP problems obvious.
#[derive(Debug, Parser)]
#[command(name = "smppdiag", version, about, long_about = None, after_help = Exit::help_text())]
pub struct Cli {
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, global = true)]
    pub color: ColorWhen,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decode and explain PDUs pasted as hex (plain, spaced, 0x.., xxd, hexdump -C, Wireshark, annotated).
    Decode(decode::DecodeArgs),
    /// Build a PDU from `COMMAND FIELD=VALUE ...` or edited `decode --json`; print hex or the dump.
    Encode(encode::EncodeArgs),
    /// Explain a command_status code (meaning, causes, fix, retry class) and its retry schedule.
    Explain(explain::ExplainArgs),
    /// Run an SMSC simulator that reproduces SMPP errors on demand (faults, throttling, receipts).
    Serve(serve::ServeArgs),
    /// Connect and bind (tx, rx or trx), show both PDUs, then unbind; `--hold` keeps the session up.
    Bind(bind::BindArgs),
    /// Bind, submit messages (split, repeated, windowed, paced, retried), wait for receipts, unbind.
    Send(Box<send::SendArgs>),
    /// Sit between an ESME and its SMSC (TLS either side): forward every octet, show both
    /// directions with explanations and summaries, inject faults towards the ESME.
    Proxy(proxy::ProxyArgs),
    /// Bind, unbind and check the teardown (unbind_resp, connection close); `--rebind` to prove it.
    Unbind(unbind::UnbindArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(completions::CompletionsArgs),
    /// Print the man pages (roff) of smppdiag and its subcommands; `--dir DIR` installs them.
    Man(completions::ManArgs),
    /// List the connection profiles of the config file (no secrets).
    Profiles(profiles::ProfilesArgs),
}

impl Command {
    /// The connection options of the subcommands that connect as a client.
    pub fn conn_mut(&mut self) -> Option<&mut connect::ConnectArgs> {
        match self {
            Command::Bind(a) => Some(&mut a.conn),
            Command::Send(a) => Some(&mut a.conn),
            Command::Unbind(a) => Some(&mut a.conn),
            _ => None,
        }
    }
}

/// Parse the command line, noting which connection options were given (a profile fills in only
/// the others).
pub fn parse() -> Result<Cli, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    let m = Cli::command().try_get_matches()?;
    let mut cli = Cli::from_arg_matches(&m)?;
    if let (Some(conn), Some((_, sub))) = (cli.command.conn_mut(), m.subcommand()) {
        profiles::record_explicit(conn, sub);
    }
    Ok(cli)
}

/// What every subcommand gets besides its own arguments.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    /// The output style, decided once.
    pub style: Style,
}

/// Decide colour once: `--color`, then NO_COLOR / TERM=dumb, then whether stdout is a TTY.
pub fn decide_style(when: ColorWhen) -> Style {
    use std::io::IsTerminal;
    let color = match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
                && std::io::stdout().is_terminal()
        }
    };
    colored::control::set_override(color);
    Style { color }
}

/// Run the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    let ctx = Ctx {
        style: decide_style(cli.color),
    };
    let mut cli = cli;
    if let Some(conn) = cli.command.conn_mut() {
        profiles::apply(conn)?;
    }
    match cli.command {
        Command::Decode(a) => decode::run(a, &ctx),
        Command::Encode(a) => encode::run(a, &ctx),
        Command::Explain(a) => explain::run(a, &ctx),
        Command::Serve(a) => serve::run(a, &ctx),
        Command::Bind(a) => bind::run(a, &ctx),
        Command::Send(a) => send::run(*a, &ctx),
        Command::Unbind(a) => unbind::run(a, &ctx),
        Command::Proxy(a) => proxy::run(a, &ctx),
        Command::Completions(a) => completions::run(a),
        Command::Man(a) => completions::man(a),
        Command::Profiles(a) => profiles::run(a, &ctx),
    }
}

/// The explanation block of a non-zero command_status, as every subcommand prints it.
pub fn status_block(status: u32, style: &Style) -> String {
    crate::wire::sink::status_block(status, style)
}

/// The longest duration any option takes: one week.
pub(crate) const MAX_SECS: f64 = 7.0 * 86_400.0;

/// A number as given, or in exponent form when that is shorter (1e30, 1e-20).
pub(crate) fn show_number(v: f64) -> String {
    let plain = format!("{v}");
    let exp = format!("{v:e}");
    if exp.len() < plain.len() {
        exp
    } else {
        plain
    }
}

/// `v` seconds as a duration, when `min <= v <= MAX_SECS`; a usage error naming `what` otherwise.
pub(crate) fn secs_in(what: &str, v: f64, min: f64) -> anyhow::Result<Duration> {
    if !(v.is_finite() && v >= min && v <= MAX_SECS) {
        anyhow::bail!(
            "{what} must be between {min} and {MAX_SECS} seconds, got {}",
            show_number(v)
        );
    }
    Ok(Duration::from_secs_f64(v))
}

#[cfg(test)]
mod tests {
    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
