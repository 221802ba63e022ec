//! The `decode --pcap` driver: read the capture, track streams, filter, and write each PDU (or
//! the per-stream summary) into the given writers. Nothing is printed directly.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use serde_json::json;

use crate::codec::{self, DecodeOptions, Header, Value};
use crate::exit::Exit;
use crate::render::dump::{dump_into, DumpOptions};
use crate::render::json::{pdu_json_head, write_pdu_json, JsonOptions};
use crate::render::{Role, Style};
use crate::spec::{commands, status};

use super::reassembly::Tag;
use super::stream::{Event, Notice, NoticeKind, PduEvent, Tracker, TrackerConfig};
use super::summary::StreamSummary;
use super::{CaptureError, CaptureReader, Direction, PcapArgs};

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
    pub fn parse(args: &PcapArgs) -> Result<Filter, RunError> {
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
                    set.insert(def.id | 0x8000_0000);
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

    fn pdu(&self, h: &Header) -> bool {
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

    fn stream(&self, system_id: Option<&str>) -> bool {
        match &self.system_id {
            None => true,
            Some(want) => system_id == Some(want.as_str()),
        }
    }

    /// True when only some PDUs are shown (notices are then left out).
    fn narrows(&self) -> bool {
        self.commands.is_some()
            || self.status != StatusFilter::Any
            || self.sequence.is_some()
            || self.system_id.is_some()
    }
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// `2024-05-01 12:00:00.123456` (UTC) for a time since the Unix epoch.
pub fn utc(t: Duration) -> String {
    let mut s = String::with_capacity(26);
    push_utc(&mut s, t);
    s
}

/// [`utc`], appended to `out`.
fn push_utc(out: &mut String, t: Duration) {
    let secs = t.as_secs() as i64;
    let (y, mo, d) = civil(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    if (0..=9999).contains(&y) {
        push_digits(out, y as u64, 4);
    } else {
        out.push_str(itoa::Buffer::new().format(y));
    }
    out.push('-');
    push_digits(out, u64::from(mo), 2);
    out.push('-');
    push_digits(out, u64::from(d), 2);
    out.push(' ');
    push_digits(out, (s / 3600) as u64, 2);
    out.push(':');
    push_digits(out, (s / 60 % 60) as u64, 2);
    out.push(':');
    push_digits(out, (s % 60) as u64, 2);
    out.push('.');
    push_digits(out, u64::from(t.subsec_micros()), 6);
}

/// `v` in exactly `n` decimal digits (`v` < 10^n).
fn push_digits(out: &mut String, v: u64, n: u32) {
    for k in (0..n).rev() {
        out.push(char::from(b'0' + (v / 10u64.pow(k) % 10) as u8));
    }
}

/// The line heading every PDU and notice: `frame N  time  src → dst  ESME→SMSC  stream S`.
/// Kept for the PDUs that follow in the same frame (a segment carries many).
#[derive(Default)]
struct FrameLine {
    key: Option<(u64, Duration, u32, SocketAddr, SocketAddr, Direction)>,
    text: String,
}

impl FrameLine {
    fn get(
        &mut self,
        frame: u64,
        time: Duration,
        src: SocketAddr,
        dst: SocketAddr,
        direction: Direction,
        stream: u32,
    ) -> &str {
        let key = (frame, time, stream, src, dst, direction);
        if self.key != Some(key) {
            use std::fmt::Write as _;
            self.text.clear();
            self.text.push_str("frame ");
            self.text.push_str(itoa::Buffer::new().format(frame));
            self.text.push_str("  ");
            push_utc(&mut self.text, time);
            let _ = write!(self.text, "  {src} → {dst}  ");
            self.text.push_str(direction.label());
            self.text.push_str("  stream ");
            self.text.push_str(itoa::Buffer::new().format(stream));
            self.key = Some(key);
        }
        &self.text
    }
}

struct StreamInfo {
    client: SocketAddr,
    system_id: Option<String>,
    summary: Option<StreamSummary>,
}

struct Runner<'a> {
    args: &'a PcapArgs,
    opts: RunOptions,
    filter: Filter,
    streams: BTreeMap<u32, StreamInfo>,
    errors: BTreeSet<u32>,
    malformed: bool,
    shown: u64,
    pdus: u64,
    /// Rendered explanation blocks by command_status.
    blocks: HashMap<u32, String>,
    /// The current frame's heading line.
    frame_line: FrameLine,
    /// One PDU's text, reused.
    text: String,
}

fn system_id_of(bytes: &[u8]) -> Option<String> {
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

const BIND_IDS: [u32; 3] = [0x0000_0001, 0x0000_0002, 0x0000_0009];

impl Runner<'_> {
    fn event(&mut self, ev: Event, out: &mut dyn Write) -> std::io::Result<()> {
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
            Event::Pdu(p) => self.pdu(p, out)?,
            Event::Notice(n) => self.notice(n, out)?,
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

    fn pdu(&mut self, p: PduEvent, out: &mut dyn Write) -> std::io::Result<()> {
        self.pdus += 1;
        let Some(h) = Header::parse(&p.bytes) else {
            return Ok(());
        };
        let Some(info) = self.streams.get_mut(&p.stream) else {
            return Ok(());
        };
        let mut sysid = None;
        if BIND_IDS.contains(&h.command_id) && info.system_id.is_none() {
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
        let d = codec::decode(&p.bytes);
        self.malformed |= d.is_malformed();
        let style = self.opts.style;
        if self.opts.json {
            let jopts = JsonOptions {
                show_secrets: self.opts.show_secrets,
            };
            let mut o = pdu_json_head(&d, 0, &jopts);
            o.remove("input_offset");
            o.insert("frame".into(), json!(p.frame));
            o.insert("time".into(), json!(utc(p.time)));
            o.insert("time_epoch".into(), json!(p.time.as_secs_f64()));
            o.insert("stream".into(), json!(p.stream));
            o.insert("src".into(), json!(p.src.to_string()));
            o.insert("dst".into(), json!(p.dst.to_string()));
            o.insert("direction".into(), json!(p.direction));
            o.insert("stream_offset".into(), json!(p.offset));
            write_pdu_json(&mut *out, &o, &d, &jopts)?;
            writeln!(out)?;
        } else {
            let text = &mut self.text;
            text.clear();
            if self.shown > 0 {
                text.push('\n');
            }
            let line = self
                .frame_line
                .get(p.frame, p.time, p.src, p.dst, p.direction, p.stream);
            style.paint_into(text, Role::Note, line);
            text.push('\n');
            let dopts = DumpOptions {
                show_secrets: self.opts.show_secrets,
                full: self.opts.full,
                ..DumpOptions::default()
            };
            dump_into(text, &d, &style, &dopts);
            if h.command_status != 0 {
                text.push('\n');
                // The block depends only on the status: render each one once.
                let block = self
                    .blocks
                    .entry(h.command_status)
                    .or_insert_with(|| crate::cli::status_block(h.command_status, &style));
                text.push_str(block);
            }
            out.write_all(text.as_bytes())?;
        }
        self.shown += 1;
        Ok(())
    }

    fn notice(&mut self, n: Notice, out: &mut dyn Write) -> std::io::Result<()> {
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
        if self.opts.json {
            let mut o = json!({
                "notice": kind,
                "message": text,
                "frame": n.frame,
                "time": utc(n.time),
                "time_epoch": n.time.as_secs_f64(),
                "stream": n.stream,
                "src": n.src.to_string(),
                "dst": n.dst.to_string(),
                "direction": n.direction,
                "stream_offset": n.offset,
            });
            if let (NoticeKind::Incomplete { bytes }, Some(m)) = (&n.kind, o.as_object_mut()) {
                m.insert("hex".into(), json!(hex::encode_upper(bytes)));
            }
            serde_json::to_writer(&mut *out, &o)?;
            writeln!(out)?;
        } else {
            if self.shown > 0 {
                writeln!(out)?;
            }
            let line = self
                .frame_line
                .get(n.frame, n.time, n.src, n.dst, n.direction, n.stream);
            let style = self.opts.style;
            writeln!(out, "{}", style.paint(Role::Note, line))?;
            let role = if bad { Role::Error } else { Role::Warn };
            writeln!(out, "{}", style.paint(role, &format!("note: {text}")))?;
            self.shown += 1;
        }
        Ok(())
    }

    fn summary(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let style = self.opts.style;
        let mut first = true;
        for info in self.streams.values() {
            if !self.filter.stream(info.system_id.as_deref()) {
                continue;
            }
            let Some(s) = &info.summary else { continue };
            let r = s.report();
            if self.opts.json {
                serde_json::to_writer(&mut *out, &json!({ "summary": r }))?;
                writeln!(out)?;
            } else {
                if !first {
                    writeln!(out)?;
                }
                first = false;
                out.write_all(super::summary::render(&r).as_bytes())?;
            }
        }
        if first && !self.opts.json {
            writeln!(out, "no SMPP streams found")?;
        }
        for code in &self.errors {
            if self.opts.json {
                let e = serde_json::to_value(status::explain(*code)).unwrap_or_default();
                serde_json::to_writer(&mut *out, &json!({ "explanation": e }))?;
                writeln!(out)?;
            } else {
                writeln!(out)?;
                out.write_all(crate::cli::status_block(*code, &style).as_bytes())?;
            }
        }
        Ok(())
    }
}

/// Run `decode --pcap`: every selected PDU (or the summary) to `out`, problems with the file to
/// `err`. A truncated or damaged file still gives everything read before the damage, then the
/// error, and exit [`Exit::Malformed`].
pub fn run(
    args: &PcapArgs,
    opts: RunOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, RunError> {
    let filter = Filter::parse(args)?;
    let Some(path) = args.pcap.as_ref() else {
        return Err(RunError::Usage("--pcap FILE is required".into()));
    };
    let shown_path = path.display().to_string();
    let mut runner = Runner {
        args,
        opts,
        filter,
        streams: BTreeMap::new(),
        errors: BTreeSet::new(),
        malformed: false,
        blocks: HashMap::new(),
        frame_line: FrameLine::default(),
        text: String::new(),
        shown: 0,
        pdus: 0,
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
                runner.event(ev, out)?;
            }
        }
    }
    tracker.finish(last);
    for ev in tracker.drain_events() {
        runner.event(ev, out)?;
    }
    if args.summary {
        runner.summary(out)?;
    } else if runner.streams.is_empty() && !opts.json {
        writeln!(
            out,
            "no SMPP streams found in {} frames ({} TCP); try --port PORT",
            tracker.frames, tracker.tcp_frames
        )?;
    }
    out.flush()?;
    if let Some(e) = damage {
        writeln!(
            err,
            "error: {shown_path}: {e}; shown: the {} frame(s) read before it ({} SMPP PDUs)",
            last.frame, runner.pdus
        )?;
        return Ok(Exit::Malformed);
    }
    Ok(if runner.malformed {
        Exit::Malformed
    } else {
        Exit::Success
    })
}
