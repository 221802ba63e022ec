//! `smppdiag encode`: build a PDU from `COMMAND FIELD=VALUE ...` or from `decode --json` objects
//! on standard input, and print its hex (or the annotated dump with `--explain`).

use std::io::{IsTerminal, Read, Write};

use anyhow::Context;

use crate::codec::{self, craft};
use crate::exit::Exit;
use crate::render::dump::{dump, DumpOptions};

/// Arguments of `encode`.
#[derive(Debug, clap::Args)]
#[command(after_help = format!("Values:
  numbers     decimal or hex: esm_class=0x40 sequence_number=7
  strings     source_addr=ACME (C-Octet strings; hex:4142 for raw octets)
  messages    short_message=Hello (literal octets), short_message=hex:0102,
              short_message=@text:Привет (encoded in the data_coding set before it)
  TLVs        tlv:0x1403=0102 (raw value), tlv:message_payload=@text:..., tlv:sar_msg_ref_num=7
  lengths     command_length and sm_length are computed; giving them writes them as is

Examples:
  smppdiag encode submit_sm source_addr=ACME destination_addr=447700900123 short_message=Hello
  smppdiag encode submit_sm data_coding=0x08 short_message=@text:Привет --explain
  smppdiag encode enquire_link sequence_number=7 command_length=20
  smppdiag decode --json 00000010800000040000005800000001 | jq -c '.pdu.command_status = 0' | smppdiag encode

{}", Exit::help_text()))]
pub struct EncodeArgs {
    /// Command name (submit_sm, bind_transmitter, ...) or command_id; omit it to read
    /// `decode --json` objects from standard input.
    pub command: Option<String>,
    /// FIELD=VALUE and tlv:TAG=VALUE assignments, applied in order.
    pub fields: Vec<String>,
    /// Print the annotated dump instead of the hex.
    #[arg(long)]
    pub explain: bool,
    /// Show passwords in the dump instead of redacting them.
    #[arg(long)]
    pub show_secrets: bool,
}

/// Run `encode`.
pub fn run(args: EncodeArgs, ctx: &super::Ctx) -> anyhow::Result<Exit> {
    let crafted = match &args.command {
        Some(cmd) => vec![craft::from_assignments(cmd, &args.fields)?],
        None => from_stdin()?,
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let dopts = DumpOptions {
        show_secrets: args.show_secrets,
        ..DumpOptions::default()
    };
    for (i, c) in crafted.iter().enumerate() {
        let bytes = c.encode()?;
        let d = codec::decode(&bytes);
        if args.explain {
            if i > 0 {
                writeln!(out)?;
            }
            out.write_all(dump(&d, &ctx.style, &dopts).as_bytes())?;
        } else {
            writeln!(out, "{}", hex::encode_upper(&bytes))?;
            if let Some(e) = d.first_error() {
                out.flush()?;
                note_malformed(e);
            }
        }
    }
    out.flush()?;
    Ok(Exit::Success)
}

/// Say on stderr that the hex just printed is malformed (on purpose, presumably).
fn note_malformed(e: &codec::Diagnostic) {
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "note: this PDU is malformed (offset {}: {}); --explain shows where",
            e.offset, e.message
        );
    }
}

/// Every PDU of the JSON on standard input: JSON Lines of `decode`/`send`/`serve --json` (the
/// `pdu` events; other events are skipped), or bare decode objects, or an array of either.
fn from_stdin() -> anyhow::Result<Vec<craft::Crafted>> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        anyhow::bail!(
            "no input: give a command and FIELD=VALUE arguments, or pipe decode --json output"
        );
    }
    let mut text = String::new();
    stdin
        .lock()
        .read_to_string(&mut text)
        .context("reading standard input")?;
    let mut all = Vec::new();
    for v in serde_json::Deserializer::from_str(&text).into_iter::<serde_json::Value>() {
        let v = v.context("standard input is not JSON (decode --json output)")?;
        let objs = match v {
            serde_json::Value::Array(a) => a,
            o => vec![o],
        };
        for o in objs.iter().filter_map(craft::pdu_object) {
            all.push(craft::from_json(o)?);
        }
    }
    if all.is_empty() {
        anyhow::bail!("standard input holds no decode --json object");
    }
    Ok(all)
}
