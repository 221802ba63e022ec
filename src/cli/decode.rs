//! `smppdiag decode`: explain PDUs pasted in any common hex shape.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

use anyhow::Context;

use crate::codec;
use crate::exit::Exit;
use crate::input;
use crate::render::dump::{dump_into, DumpOptions};
use crate::render::json::{pdu_json_head, write_pdu_json, JsonOptions};

/// Arguments of `decode`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = format!("Examples:\n  smppdiag decode 00000010800000040000005800000001\n  smppdiag decode '0000001C (Length) 00000002 (Command ID) ...'\n  xxd capture.bin | smppdiag decode\n  smppdiag decode --file pdus.txt --json\n  smppdiag decode --pcap capture.pcapng --summary\n\n{}", crate::exit::Exit::help_text())
)]
pub struct DecodeArgs {
    /// Hex to decode (all arguments are joined); `-` or nothing reads standard input.
    pub hex: Vec<String>,
    /// Read the hex from a file (one or more PDUs per line, or one long paste).
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: Vec<PathBuf>,
    /// JSON Lines: one object per PDU.
    #[arg(long)]
    pub json: bool,
    /// Show passwords instead of redacting them.
    #[arg(long)]
    pub show_secrets: bool,
    /// Show every byte of long fields.
    #[arg(long)]
    pub full: bool,
    /// Capture input (`--pcap FILE`) and its filters.
    #[command(flatten)]
    pub pcap: crate::capture::PcapArgs,
}

/// Run `decode`.
pub fn run(args: DecodeArgs, ctx: &super::Ctx) -> anyhow::Result<Exit> {
    if args.pcap.pcap.is_some() {
        let opts = crate::capture::run::RunOptions {
            json: args.json,
            show_secrets: args.show_secrets,
            full: args.full,
            style: ctx.style,
        };
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        return Ok(crate::capture::run::run(
            &args.pcap,
            opts,
            &mut out,
            &mut std::io::stderr(),
        )?);
    }
    let mut texts: Vec<(String, String)> = Vec::new();
    for f in &args.file {
        let t = std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
        texts.push((f.display().to_string(), t));
    }
    let stdin_wanted =
        args.hex.iter().any(|h| h == "-") || (args.hex.is_empty() && args.file.is_empty());
    if stdin_wanted {
        if args.hex.is_empty() && std::io::stdin().is_terminal() {
            anyhow::bail!(
                "no input: give hex as arguments, --file FILE, or pipe it on standard input"
            );
        }
        let mut t = String::new();
        std::io::stdin()
            .read_to_string(&mut t)
            .context("reading standard input")?;
        texts.push(("<stdin>".into(), t));
    }
    let joined: Vec<&str> = args
        .hex
        .iter()
        .filter(|h| *h != "-")
        .map(String::as_str)
        .collect();
    if !joined.is_empty() {
        texts.push(("<arguments>".into(), joined.join(" ")));
    }

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let dopts = DumpOptions {
        show_secrets: args.show_secrets,
        full: args.full,
        ..DumpOptions::default()
    };
    let jopts = JsonOptions {
        show_secrets: args.show_secrets,
    };
    let mut any_malformed = false;
    let mut count = 0usize;
    let mut blocks: std::collections::HashMap<u32, String> = std::collections::HashMap::new();
    let mut rendered = String::new();
    for (source, text) in &texts {
        let records = match input::parse(text) {
            Ok(r) => r,
            Err(e) => {
                out.flush()?;
                anyhow::bail!(UsageError(format!("{source}: {e}")));
            }
        };
        for rec in records {
            for (off, d) in codec::decode_stream(&rec.bytes) {
                any_malformed |= d.is_malformed();
                if args.json {
                    let mut o = pdu_json_head(&d, off, &jopts);
                    o.insert("line".into(), serde_json::json!(rec.line));
                    write_pdu_json(&mut out, &o, &d, &jopts)?;
                    writeln!(out)?;
                } else {
                    if count > 0 {
                        writeln!(out)?;
                    }
                    rendered.clear();
                    dump_into(&mut rendered, &d, &ctx.style, &dopts);
                    out.write_all(rendered.as_bytes())?;
                    if let Some(h) = d.header {
                        if h.command_status != 0 {
                            writeln!(out)?;
                            // The block depends only on the status: render each one once.
                            let block = blocks.entry(h.command_status).or_insert_with(|| {
                                super::status_block(h.command_status, &ctx.style)
                            });
                            out.write_all(block.as_bytes())?;
                        }
                    }
                }
                count += 1;
            }
        }
    }
    out.flush()?;
    Ok(if any_malformed {
        Exit::Malformed
    } else {
        Exit::Success
    })
}

/// An error that maps to the usage exit code.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);
