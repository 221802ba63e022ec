//! `smppdiag decode`: find and explain every PDU in pasted text, a log, a pipe or a capture.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{IsTerminal, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;

use crate::capture::run::{gathered, system_id_of, Filter, Output};
use crate::capture::summary::StreamSummary;
use crate::capture::PduEvent as StreamPdu;
use crate::codec::{self, DecodeOptions, Header};
use crate::exit::Exit;
use crate::input::{Finder, Found, Item, Stopped, CHUNK};
use crate::render::Role;
use crate::spec::commands;
use crate::spec::ids::cmd;
use crate::wire::sink::{Layout, Sink};
use crate::wire::{Direction, Event, PduEvent, Source};

/// Arguments of `decode`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = format!("Examples:\n  smppdiag decode 00000010800000040000005800000001\n  smppdiag decode '0000001C (Length) 00000002 (Command ID) ...'\n  xxd capture.bin | smppdiag decode\n  smppdiag decode --file bearerbox.log --command submit_sm+ --status error\n  tail -f app.log | smppdiag decode -\n  smppdiag decode --follow /var/log/kannel/bearerbox.log\n  smppdiag decode --pcap capture.pcapng --summary\n\n{}", crate::exit::Exit::help_text())
)]
pub struct DecodeArgs {
    /// Text holding PDUs (all arguments are joined); `-` or nothing reads standard input. Any
    /// paste works: hex in any spacing, log lines, xxd/hexdump/tcpdump/tshark dumps, byte
    /// arrays, base64, Kannel dumps.
    pub hex: Vec<String>,
    /// Read the text from a file (a log, a paste, one PDU per line).
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: Vec<PathBuf>,
    /// Follow a growing log like `tail -F` (also across rotation and truncation), decoding
    /// each PDU as soon as its line is written.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["hex", "file", "pcap", "summary"])]
    pub follow: Option<PathBuf>,
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
    pub pcap: super::pcap_args::PcapArgs,
}

/// Run `decode`.
pub fn run(args: DecodeArgs, ctx: &super::Ctx) -> anyhow::Result<Exit> {
    let opts = crate::capture::run::RunOptions {
        json: args.json,
        show_secrets: args.show_secrets,
        full: args.full,
        style: ctx.style,
    };
    if args.pcap.pcap.is_some() {
        let mut out = std::io::stdout().lock();
        return Ok(crate::capture::run::run(
            &args.pcap.config(),
            opts,
            &mut out,
            &mut std::io::stderr(),
        )?);
    }
    if !args.pcap.port.is_empty() || args.pcap.system_id.is_some() {
        anyhow::bail!(UsageError(
            "--port and --system-id select streams of a capture: they need --pcap FILE".into()
        ));
    }
    let filter = Filter::parse(&args.pcap.config()).map_err(|e| UsageError(e.to_string()))?;
    let mut out = gathered(std::io::stdout().lock());
    let mut output = Output::new(&mut out, &opts, Layout::Paste);
    let mut p = Paste::new(&args, ctx, filter);
    let r = feed_sources(&args, &mut p, output.sink());
    output.writer().flush()?;
    r?;
    if p.count == 0 && p.problems == 0 {
        anyhow::bail!(UsageError(format!("no SMPP PDU found: {}", p.nothing)));
    }
    Ok(p.exit())
}

/// Read every input of `decode` (or follow the one file) into the sink.
fn feed_sources(args: &DecodeArgs, p: &mut Paste<'_>, out: &mut dyn Sink) -> anyhow::Result<()> {
    if let Some(path) = &args.follow {
        return follow(path, p, out);
    }
    let stdin_wanted =
        args.hex.iter().any(|h| h == "-") || (args.hex.is_empty() && args.file.is_empty());
    if stdin_wanted && args.hex.is_empty() && std::io::stdin().is_terminal() {
        anyhow::bail!("no input: give hex as arguments, --file FILE, or pipe it on standard input");
    }
    for f in &args.file {
        let file = std::fs::File::open(f).with_context(|| format!("reading {}", f.display()))?;
        p.source(&f.display().to_string(), file, out)?;
    }
    if stdin_wanted {
        p.source("<stdin>", std::io::stdin(), out)?;
    }
    let joined: Vec<&str> = args
        .hex
        .iter()
        .filter(|h| *h != "-")
        .map(String::as_str)
        .collect();
    if !joined.is_empty() {
        p.text("<arguments>", joined.join(" ").as_bytes(), out)?;
    }
    p.summary(out)
}

/// Reading pasted text: filters, output, summary.
struct Paste<'a> {
    args: &'a DecodeArgs,
    ctx: &'a super::Ctx,
    filter: Filter,
    /// PDUs found (before filtering).
    count: usize,
    problems: usize,
    malformed: bool,
    /// A well-formed response carried an error command_status.
    error_status: bool,
    /// `--summary`: one stream per source (and per TCP endpoint pair).
    streams: BTreeMap<(String, Option<(SocketAddr, SocketAddr)>), StreamSummary>,
    errors: BTreeSet<u32>,
    /// What the last source without PDUs looked like.
    nothing: String,
    /// The previous PDU's decode, whose buffers the next decode reuses.
    spare: Option<codec::Decoded>,
}

impl<'a> Paste<'a> {
    fn new(args: &'a DecodeArgs, ctx: &'a super::Ctx, filter: Filter) -> Self {
        Paste {
            args,
            ctx,
            filter,
            count: 0,
            problems: 0,
            malformed: false,
            error_status: false,
            streams: BTreeMap::new(),
            errors: BTreeSet::new(),
            nothing: String::new(),
            spare: None,
        }
    }

    fn exit(&self) -> Exit {
        Exit::of_decode(self.malformed || self.problems > 0, self.error_status)
    }

    /// Read one source to its end, printing each PDU as soon as the chunk holding its last line
    /// has been read (a pipe delivers each line as it is written).
    fn source(
        &mut self,
        name: &str,
        r: impl Read + Send,
        out: &mut dyn Sink,
    ) -> anyhow::Result<()> {
        let mut finder = Finder::new();
        match finder.feed_from(r, |items| self.items(name, items, out)) {
            Ok(()) => {}
            Err(Stopped::Read(e)) => return Err(e).with_context(|| format!("reading {name}")),
            Err(Stopped::Each(e)) => return Err(e),
        }
        self.finish(name, finder, Vec::new(), out)
    }

    /// Text already in memory (the command line's arguments): found on this thread, with no
    /// reader thread to start for a few hundred octets.
    fn text(&mut self, name: &str, text: &[u8], out: &mut dyn Sink) -> anyhow::Result<()> {
        let mut finder = Finder::new();
        let mut items = Vec::new();
        finder.feed(text, &mut items);
        self.items(name, &items, out)?;
        finder.recycle(&mut items);
        self.finish(name, finder, items, out)
    }

    /// The items the finder holds back until the end of the text, and what to say when the
    /// text held no PDU.
    fn finish(
        &mut self,
        name: &str,
        mut finder: Finder,
        mut items: Vec<Item>,
        out: &mut dyn Sink,
    ) -> anyhow::Result<()> {
        finder.finish(&mut items);
        self.items(name, &items, out)?;
        if finder.found() == 0 {
            self.nothing = format!("{name}: {}", finder.describe());
        }
        Ok(())
    }

    /// Show the items found (left in `items` for the finder to take back: [`Finder::recycle`]).
    fn items(&mut self, name: &str, items: &[Item], out: &mut dyn Sink) -> anyhow::Result<()> {
        for item in items {
            match item {
                Item::Pdu(f) => self.pdu(name, f, out)?,
                Item::Note(n) => {
                    let msg = format!("note: {name}: {n}");
                    #[allow(clippy::print_stderr)]
                    {
                        eprintln!("{}", self.ctx.style.paint(Role::Note, &msg));
                    }
                }
                Item::Problem(p) => {
                    self.problems += 1;
                    let msg = format!("warning: {name}: {p}");
                    #[allow(clippy::print_stderr)]
                    {
                        eprintln!("{}", self.ctx.style.paint(Role::Warn, &msg));
                    }
                }
            }
        }
        if !self.args.pcap.summary {
            // Each PDU is out as soon as the chunk holding its line is read.
            out.flush()?;
        }
        Ok(())
    }

    fn pdu(&mut self, name: &str, f: &Found, out: &mut dyn Sink) -> anyhow::Result<()> {
        self.count += 1;
        let Some(h) = Header::parse(&f.bytes) else {
            // A partial header: nothing to filter or count on, shown unless filtering.
            if !self.filter.narrows() && !self.args.pcap.summary {
                self.malformed = true;
                self.show(f, out)?;
            }
            return Ok(());
        };
        if self.args.pcap.summary {
            self.observe(name, f, &h);
            return Ok(());
        }
        if !self.filter.pdu(&h) {
            return Ok(());
        }
        self.show(f, out)
    }

    fn show(&mut self, f: &Found, out: &mut dyn Sink) -> anyhow::Result<()> {
        let d = codec::decode_reusing(&f.bytes, DecodeOptions::default(), self.spare.take());
        self.malformed |= d.is_malformed();
        self.error_status |= d.carries_error_status();
        let (esme, smsc) = match f.endpoints {
            Some((src, dst)) if commands::is_response(d.header.map_or(0, |h| h.command_id)) => {
                (Some(dst), Some(src))
            }
            Some((src, dst)) => (Some(src), Some(dst)),
            None => (None, None),
        };
        out.pdu(&PduEvent {
            bytes: &d.bytes,
            decoded: Some(&d),
            esme,
            smsc,
            source: Some(Source {
                line: f.source.line,
                shape: Some(f.source.shape.name()),
                note: f.source.note.as_deref(),
            }),
            ..PduEvent::default()
        })?;
        self.spare = Some(d);
        Ok(())
    }

    /// `--summary`: count the PDU in its stream, with the capture summary's code (a line number
    /// stands for the frame number; pasted text has no times).
    fn observe(&mut self, name: &str, f: &Found, h: &Header) {
        let unspecified = SocketAddr::from(([0, 0, 0, 0], 0));
        let key = (name.to_string(), f.endpoints);
        let n = self.streams.len() as u32 + 1;
        let line = f.source.line as u64;
        let s = self.streams.entry(key).or_insert_with(|| {
            let (client, server) = f.endpoints.unwrap_or((unspecified, unspecified));
            let mut s = StreamSummary::new(n, client, server, line, Duration::ZERO);
            s.pasted = Some(match f.endpoints {
                Some((a, b)) => format!("{name}  {a} ⇄ {b}"),
                None => name.to_string(),
            });
            s
        });
        let direction = if commands::is_response(h.command_id) {
            Direction::SmscToEsme
        } else {
            Direction::EsmeToSmsc
        };
        // Only a bind's system_id is kept (decoding every submit_sm for it costs an eighth of
        // the time of a `--summary` over a log).
        let system_id = (cmd::BINDS.contains(&h.command_id) && s.bind.is_none())
            .then(|| system_id_of(&f.bytes))
            .flatten();
        let ev = StreamPdu {
            frame: line,
            time: Duration::ZERO,
            stream: s.stream,
            src: unspecified,
            dst: unspecified,
            direction,
            offset: 0,
            bytes: Vec::new(),
        };
        s.observe(&ev, h, system_id.as_deref());
        if h.command_status != 0 && commands::is_response(h.command_id) {
            self.errors.insert(h.command_status);
            self.error_status |= self.filter.pdu(h);
        }
        if self.filter.pdu(h) {
            let len = h.command_length as usize;
            self.malformed |=
                !(codec::HEADER_LEN..=codec::MAX_PDU_LEN).contains(&len) || len != f.bytes.len();
        }
    }

    fn summary(&mut self, out: &mut dyn Sink) -> anyhow::Result<()> {
        if !self.args.pcap.summary {
            return Ok(());
        }
        let mut first = true;
        for s in self.streams.values() {
            let r = s.report();
            let text = format!(
                "{}{}",
                if first { "" } else { "\n" },
                crate::capture::summary::render(&r)
            );
            first = false;
            let mut fields = serde_json::to_value(&r)?;
            fields["command"] = serde_json::json!("decode");
            out.event(&Event::Summary {
                session: Some(u64::from(r.stream)),
                fields,
                text: &text,
            })?;
        }
        for code in &self.errors {
            out.event(&Event::Explanation { status: *code })?;
        }
        Ok(())
    }
}

/// How often `--follow` looks for new lines.
const FOLLOW_POLL: Duration = Duration::from_millis(100);

/// `--follow`: read the file as it grows; start again from the top when it is truncated or
/// replaced (rotation), like `tail -F`. Runs until interrupted.
fn follow(path: &Path, p: &mut Paste<'_>, out: &mut dyn Sink) -> anyhow::Result<()> {
    let name = path.display().to_string();
    let mut finder = Finder::new();
    let mut items = Vec::new();
    let mut buf = vec![0u8; CHUNK];
    let mut file: Option<(std::fs::File, u64, Option<u64>)> = None;
    loop {
        if file.is_none() {
            if let Ok(f) = std::fs::File::open(path) {
                let id = file_id(&f);
                file = Some((f, 0, id));
                finder = Finder::new();
            }
        }
        let mut progressed = false;
        if let Some((f, pos, _)) = file.as_mut() {
            match f.read(&mut buf) {
                Ok(0) => {}
                Ok(n) => {
                    *pos += n as u64;
                    finder.feed(&buf[..n], &mut items);
                    p.items(&name, &items, out)?;
                    finder.recycle(&mut items);
                    progressed = true;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e).with_context(|| format!("reading {name}")),
            }
        }
        if progressed {
            continue;
        }
        // At the end: a rotated or truncated file starts over.
        if let Some((_, pos, id)) = &file {
            let meta = std::fs::metadata(path).ok();
            let replaced = meta.as_ref().is_none_or(|m| meta_id(m) != *id);
            let truncated = meta.as_ref().is_some_and(|m| m.len() < *pos);
            if replaced || truncated {
                finder.finish(&mut items);
                p.items(&name, &items, out)?;
                items.clear();
                file = None;
                continue;
            }
        }
        std::thread::sleep(FOLLOW_POLL);
    }
}

#[cfg(unix)]
fn meta_id(m: &std::fs::Metadata) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    Some(m.ino())
}

#[cfg(not(unix))]
fn meta_id(_: &std::fs::Metadata) -> Option<u64> {
    None
}

fn file_id(f: &std::fs::File) -> Option<u64> {
    f.metadata().ok().as_ref().and_then(meta_id)
}

/// An error that maps to the usage exit code.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);
