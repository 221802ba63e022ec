//! The `decode --pcap` driver: read the capture, track streams, filter, and write each PDU (or
//! the per-stream summary) into the given writers. Nothing is printed directly.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::Write;
use std::net::SocketAddr;

use serde_json::json;

use crate::codec::{self, DecodeOptions, Header, Value};
use crate::exit::Exit;
use crate::render::dump::DumpOptions;
use crate::render::json::JsonOptions;
use crate::render::{Role, Style};
use crate::spec::ids::cmd;
use crate::spec::{commands, status};
use crate::wire::sink::{DumpSink, JsonSink, Layout, Sink};
use crate::wire::{Direction, Event as WireEvent, PduEvent as WirePdu, Tone};

use super::reassembly::Tag;
use super::stream::{Event, Notice, NoticeKind, PduEvent, Tracker, TrackerConfig};
use super::summary::StreamSummary;
use super::{CaptureError, CaptureReader, PcapConfig};

/// Output options shared with hex decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RunOptions {
    /// JSON Lines instead of the annotated dump.
    pub json: bool,
    /// Show passwords.
    pub show_secrets: bool,
    /// Show every byte of long fields.
    pub full: bool,
    /// Colour.
    pub style: Style,
}

/// Why `decode --pcap` could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A bad option value.
    #[error("{0}")]
    Usage(String),
    /// The capture could not be opened or is not a capture.
    #[error("{path}: {source}")]
    Capture {
        /// The file.
        path: String,
        /// The cause.
        source: CaptureError,
    },
    /// Writing the output failed.
    #[error("writing output: {0}")]
    Output(#[from] std::io::Error),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusFilter {
    Any,
    Error,
    Ok,
    Code(u32),
}

/// The PDU filters of `decode --pcap`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    commands: Option<HashSet<u32>>,
    status: StatusFilter,
    sequence: Option<u32>,
    system_id: Option<String>,
}

impl Filter {
    /// Parse the filter options.
    pub fn parse(args: &PcapConfig) -> Result<Filter, RunError> {
        let commands = if args.command.is_empty() {
            None
        } else {
            let mut set = HashSet::new();
            for raw in &args.command {
                let name = raw.trim();
                let (name, with_resp) = match name.strip_suffix('+') {
                    Some(n) => (n, true),
                    None => (name, false),
                };
                let def = commands::by_name(name).ok_or_else(|| {
                    let known: Vec<&str> = commands::COMMANDS.iter().map(|d| d.name).collect();
                    RunError::Usage(format!(
                        "--command: unknown command `{name}`; known: {}",
                        known.join(", ")
                    ))
                })?;
                set.insert(def.id);
                if with_resp {
                    set.insert(cmd::resp(def.id));
                }
            }
            Some(set)
        };
        let status = match args.status.as_deref().map(str::trim) {
            None => StatusFilter::Any,
            Some(s) if s.eq_ignore_ascii_case("error") => StatusFilter::Error,
            Some(s) if s.eq_ignore_ascii_case("ok") => StatusFilter::Ok,
            Some(s) => StatusFilter::Code(status::parse_query(s).ok_or_else(|| {
                RunError::Usage(format!(
                    "--status: `{s}` is not `error`, `ok`, a status name or a number"
                ))
            })?),
        };
        Ok(Filter {
            commands,
            status,
            sequence: args.sequence,
            system_id: args.system_id.clone(),
        })
    }

    /// Whether a PDU with this header passes the command, status and sequence filters.
    pub fn pdu(&self, h: &Header) -> bool {
        let status_ok = match self.status {
            StatusFilter::Any => true,
            StatusFilter::Error => h.command_status != 0,
            StatusFilter::Ok => h.command_status == 0,
            StatusFilter::Code(c) => h.command_status == c,
        };
        status_ok
            && self
                .commands
                .as_ref()
                .is_none_or(|c| c.contains(&h.command_id))
            && self.sequence.is_none_or(|s| s == h.sequence_number)
    }

    /// True when a stream (session) bound with this system_id is shown.
    pub fn stream(&self, system_id: Option<&str>) -> bool {
        match &self.system_id {
            None => true,
            Some(want) => system_id == Some(want.as_str()),
        }
    }

    /// True when only some PDUs are shown (notices are then left out).
    pub fn narrows(&self) -> bool {
        self.commands.is_some()
            || self.status != StatusFilter::Any
            || self.sequence.is_some()
            || self.system_id.is_some()
    }
}

pub use crate::wire::json::utc;

struct StreamInfo {
    client: SocketAddr,
    system_id: Option<String>,
    summary: Option<StreamSummary>,
}

/// The sink `decode --pcap` writes into: the dump or JSON Lines.
enum Output<'a> {
    Human(DumpSink<&'a mut dyn Write>),
    Json(JsonSink<&'a mut dyn Write>),
}

impl<'a> Output<'a> {
    fn sink(&mut self) -> &mut dyn Sink {
        match self {
            Output::Human(s) => s,
            Output::Json(s) => s,
        }
    }

    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Output::Human(s) => s.writer(),
            Output::Json(s) => s.writer(),
        }
    }
}

struct Runner<'a, 'w> {
    args: &'a PcapConfig,
    opts: RunOptions,
    out: Output<'w>,
    filter: Filter,
    streams: BTreeMap<u32, StreamInfo>,
    errors: BTreeSet<u32>,
    malformed: bool,
    /// A well-formed response carried an error command_status (shown, or counted).
    error_status: bool,
    shown: u64,
    pdus: u64,
    /// The previous PDU's decode, whose buffers the next decode reuses.
    spare: Option<codec::Decoded>,
}

pub(crate) fn system_id_of(bytes: &[u8]) -> Option<String> {
    let d = codec::decode_with(
        bytes,
        DecodeOptions {
            spans: false,
            repair: false,
        },
    );
    match d.pdu.fields.get("system_id") {
        Some(Value::Str(s)) => Some(String::from_utf8_lossy(s).into_owned()),
        _ => None,
    }
}

/// The framing faults the header shows: a command_length below the header size, absurdly large,
/// or different from the octets the PDU has.
fn header_malformed(h: &Header, len: usize) -> bool {
    let declared = h.command_length as usize;
    !(codec::HEADER_LEN..=codec::MAX_PDU_LEN).contains(&declared) || declared != len
}

impl Runner<'_, '_> {
    fn event(&mut self, ev: Event) -> std::io::Result<()> {
        match ev {
            Event::Opened {
                stream,
                client,
                server,
                frame,
                time,
            } => {
                let summary = self
                    .args
                    .summary
                    .then(|| StreamSummary::new(stream, client, server, frame, time));
                self.streams.insert(
                    stream,
                    StreamInfo {
                        client,
                        system_id: None,
                        summary,
                    },
                );
            }
            Event::Pdu(p) => self.pdu(p)?,
            Event::Notice(n) => self.notice(n)?,
            Event::Closed {
                stream,
                retransmitted,
                ..
            } => {
                if let Some(s) = self
                    .streams
                    .get_mut(&stream)
                    .and_then(|i| i.summary.as_mut())
                {
                    s.closed = true;
                    s.retransmitted = retransmitted;
                }
            }
        }
        Ok(())
    }

    fn pdu(&mut self, p: PduEvent) -> std::io::Result<()> {
        self.pdus += 1;
        let Some(h) = Header::parse(&p.bytes) else {
            return Ok(());
        };
        let Some(info) = self.streams.get_mut(&p.stream) else {
            return Ok(());
        };
        let mut sysid = None;
        if cmd::BINDS.contains(&h.command_id) && info.system_id.is_none() {
            sysid = system_id_of(&p.bytes);
            info.system_id.clone_from(&sysid);
        }
        if !self.filter.stream(info.system_id.as_deref()) {
            return Ok(());
        }
        if let Some(s) = info.summary.as_mut() {
            s.observe(&p, &h, sysid.as_deref());
            if h.command_status != 0 && commands::is_response(h.command_id) {
                self.errors.insert(h.command_status);
                self.error_status |= self.filter.pdu(&h);
            }
            // The summary only counts: a header-level check, no body decoding.
            if self.filter.pdu(&h) {
                self.malformed |= header_malformed(&h, p.bytes.len());
            }
            return Ok(());
        }
        if !self.filter.pdu(&h) {
            return Ok(());
        }
        let d = codec::decode_reusing(&p.bytes, DecodeOptions::default(), self.spare.take());
        self.malformed |= d.is_malformed();
        self.error_status |= d.carries_error_status();
        let (esme, smsc) = roles(p.direction, p.src, p.dst);
        self.out.sink().pdu(&WirePdu {
            session: Some(u64::from(p.stream)),
            direction: Some(p.direction),
            esme: Some(esme),
            smsc: Some(smsc),
            time: Some(p.time),
            bytes: &p.bytes,
            decoded: Some(&d),
            frame: Some(p.frame),
            stream_offset: Some(p.offset),
            ..WirePdu::default()
        })?;
        self.spare = Some(d);
        self.shown += 1;
        Ok(())
    }

    fn notice(&mut self, n: Notice) -> std::io::Result<()> {
        let Some(info) = self.streams.get_mut(&n.stream) else {
            return Ok(());
        };
        let (text, kind, bad) = match &n.kind {
            NoticeKind::Skipped { len, reason } => (
                format!(
                    "skipped {len} octets ({}); resynchronised on the next plausible SMPP header",
                    reason.describe()
                ),
                "skipped",
                *reason == super::reassembly::SkipReason::BadLength,
            ),
            NoticeKind::Missing { len } => (
                format!("{len} octets are missing from the capture (a lost frame)"),
                "missing",
                false,
            ),
            NoticeKind::Incomplete { bytes } => {
                let need = Header::parse(bytes).map_or(String::new(), |h| {
                    format!(
                        " of {} ({})",
                        h.command_length,
                        commands::name_of(h.command_id)
                    )
                });
                (
                    format!(
                        "incomplete PDU: {} octets{need}; the rest is not in the capture",
                        bytes.len()
                    ),
                    "incomplete",
                    true,
                )
            }
        };
        self.malformed |= bad;
        if let Some(s) = info.summary.as_mut() {
            match &n.kind {
                NoticeKind::Skipped { len, .. } => s.skipped += len,
                NoticeKind::Missing { len } => s.missing += len,
                NoticeKind::Incomplete { .. } => s.incomplete += 1,
            }
            return Ok(());
        }
        if self.filter.narrows() {
            return Ok(());
        }
        let _ = info.client;
        let human = if self.shown > 0 { "\n" } else { "" };
        let line = format!(
            "frame {}  {}  {} → {}  {}  stream {}",
            n.frame,
            utc(n.time),
            n.src,
            n.dst,
            n.direction.label(),
            n.stream
        );
        let style = self.opts.style;
        let role = if bad { Role::Error } else { Role::Warn };
        let human = format!(
            "{human}{}\n{}",
            style.paint(Role::Note, &line),
            style.paint(role, &format!("note: {text}"))
        );
        let (esme, smsc) = roles(n.direction, n.src, n.dst);
        let mut fields = json!({
            "frame": n.frame,
            "time": utc(n.time),
            "time_epoch": n.time.as_secs_f64(),
            "direction": n.direction,
            "esme": esme.to_string(),
            "smsc": smsc.to_string(),
            "stream_offset": n.offset,
        });
        if let (NoticeKind::Incomplete { bytes }, Some(m)) = (&n.kind, fields.as_object_mut()) {
            m.insert("hex".into(), json!(hex::encode_upper(bytes)));
        }
        let text = if self.opts.json { text } else { human };
        self.out.sink().event(&WireEvent::Note {
            session: Some(u64::from(n.stream)),
            kind,
            text: &text,
            elapsed: None,
            tone: if bad { Tone::Bad } else { Tone::Warn },
            fields,
        })?;
        self.shown += 1;
        Ok(())
    }

    fn summary(&mut self) -> std::io::Result<()> {
        let mut first = true;
        for info in self.streams.values() {
            if !self.filter.stream(info.system_id.as_deref()) {
                continue;
            }
            let Some(s) = &info.summary else { continue };
            let r = s.report();
            let text = format!(
                "{}{}",
                if first { "" } else { "\n" },
                super::summary::render(&r)
            );
            first = false;
            let mut fields = serde_json::to_value(&r).unwrap_or_default();
            fields["command"] = json!("decode");
            self.out.sink().event(&WireEvent::Summary {
                session: Some(u64::from(r.stream)),
                fields,
                text: &text,
            })?;
        }
        if first && !self.opts.json {
            writeln!(self.out.writer(), "no SMPP streams found")?;
        }
        for code in &self.errors {
            self.out
                .sink()
                .event(&WireEvent::Explanation { status: *code })?;
        }
        Ok(())
    }
}

/// The ESME's and the SMSC's address of a PDU going `dir` from `src` to `dst`.
fn roles(dir: Direction, src: SocketAddr, dst: SocketAddr) -> (SocketAddr, SocketAddr) {
    match dir {
        Direction::EsmeToSmsc => (src, dst),
        Direction::SmscToEsme => (dst, src),
    }
}

/// Octets of output gathered before each write.
const OUTPUT_BUFFER: usize = 256 * 1024;

/// Run `decode --pcap`: every selected PDU (or the summary) to `out`, problems with the file to
/// `err`. A truncated or damaged file still gives everything read before the damage, then the
/// error, and exit [`Exit::Malformed`].
pub fn run(
    args: &PcapConfig,
    opts: RunOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, RunError> {
    let filter = Filter::parse(args)?;
    let Some(path) = args.pcap.as_ref() else {
        return Err(RunError::Usage("--pcap FILE is required".into()));
    };
    let shown_path = path.display().to_string();
    // Output leaves in large writes, whatever the caller's buffering.
    let mut buffered = std::io::BufWriter::with_capacity(OUTPUT_BUFFER, out);
    let out: &mut dyn Write = &mut buffered;
    let output = if opts.json {
        Output::Json(
            JsonSink::new(
                out,
                JsonOptions {
                    show_secrets: opts.show_secrets,
                },
            )
            .buffered(),
        )
    } else {
        let dopts = DumpOptions {
            show_secrets: opts.show_secrets,
            full: opts.full,
            ..DumpOptions::default()
        };
        Output::Human(DumpSink::new(out, opts.style, dopts, Layout::Capture))
    };
    let mut runner = Runner {
        args,
        opts,
        out: output,
        filter,
        streams: BTreeMap::new(),
        errors: BTreeSet::new(),
        malformed: false,
        error_status: false,
        shown: 0,
        pdus: 0,
        spare: None,
    };
    let mut damage = None;
    let mut reader = match CaptureReader::open(path) {
        Ok(r) => Some(r),
        Err(e @ (CaptureError::Truncated { .. } | CaptureError::Damaged { .. })) => {
            damage = Some(e);
            None
        }
        Err(source) => {
            return Err(RunError::Capture {
                path: shown_path,
                source,
            })
        }
    };
    let cfg = if args.port.is_empty() {
        TrackerConfig::default()
    } else {
        TrackerConfig {
            ports: args.port.clone(),
            auto_detect: false,
        }
    };
    let mut tracker = Tracker::new(cfg);
    let mut last = Tag::default();
    if let Some(reader) = reader.as_mut() {
        loop {
            match reader.next_frame() {
                None => break,
                Some(Ok(f)) => {
                    last = Tag {
                        frame: f.number,
                        time: f.time,
                    };
                    tracker.frame(&f);
                }
                Some(Err(e)) => {
                    damage = Some(e);
                    break;
                }
            }
            for ev in tracker.drain_events() {
                runner.event(ev)?;
            }
        }
    }
    tracker.finish(last);
    for ev in tracker.drain_events() {
        runner.event(ev)?;
    }
    if args.summary {
        runner.summary()?;
    } else if runner.streams.is_empty() && !opts.json {
        writeln!(
            runner.out.writer(),
            "no SMPP streams found in {} frames ({} TCP); try --port PORT",
            tracker.frames,
            tracker.tcp_frames
        )?;
    }
    runner.out.writer().flush()?;
    if let Some(e) = damage {
        writeln!(
            err,
            "error: {shown_path}: {e}; shown: the {} frame(s) read before it ({} SMPP PDUs)",
            last.frame, runner.pdus
        )?;
        return Ok(Exit::Malformed);
    }
    Ok(Exit::of_decode(runner.malformed, runner.error_status))
}
