//! Per-stream statistics for `decode --pcap --summary`: bind result, counts by command and
//! status, request/response latency (matched by sequence number), unanswered requests,
//! throttling episodes. Memory per stream is fixed except for requests still awaiting an answer.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::time::Duration;

use serde::Serialize;

use crate::codec::Header;
use crate::spec::commands;
use crate::spec::status::{self, RetryClass};

use super::stream::PduEvent;
use super::Direction;

use crate::spec::ids::cmd::{BINDS as BIND_IDS, GENERIC_NACK};

/// Latency histogram with logarithmic buckets (10 % wide, from 1 µs): fixed memory.
#[derive(Debug, Clone)]
pub struct Histogram {
    buckets: Vec<u64>,
    count: u64,
    min: Duration,
    max: Duration,
    sum: Duration,
}

const BUCKETS: usize = 260;
const GROWTH: f64 = 1.1;

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            buckets: vec![0; BUCKETS],
            count: 0,
            min: Duration::MAX,
            max: Duration::ZERO,
            sum: Duration::ZERO,
        }
    }
}

impl Histogram {
    fn bucket(d: Duration) -> usize {
        let us = d.as_secs_f64() * 1e6;
        if us <= 1.0 {
            return 0;
        }
        ((us.ln() / GROWTH.ln()).ceil() as usize).min(BUCKETS - 1)
    }

    /// Add one value.
    pub fn add(&mut self, d: Duration) {
        if let Some(b) = self.buckets.get_mut(Self::bucket(d)) {
            *b += 1;
        }
        self.count += 1;
        self.min = self.min.min(d);
        self.max = self.max.max(d);
        self.sum += d;
    }

    /// The value below which a fraction `q` of the values lie (bucket precision, 10 %).
    pub fn quantile(&self, q: f64) -> Option<Duration> {
        if self.count == 0 {
            return None;
        }
        let want = ((self.count as f64) * q).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= want {
                let upper = Duration::from_secs_f64(GROWTH.powi(i as i32) * 1e-6);
                return Some(upper.clamp(self.min, self.max));
            }
        }
        Some(self.max)
    }

    /// The figures for output.
    pub fn report(&self) -> Option<LatencyReport> {
        if self.count == 0 {
            return None;
        }
        Some(LatencyReport {
            pairs: self.count,
            min_ms: ms(self.min),
            median_ms: ms(self.quantile(0.5)?),
            p99_ms: ms(self.quantile(0.99)?),
            max_ms: ms(self.max),
            mean_ms: ms(self.sum / u32::try_from(self.count).unwrap_or(u32::MAX)),
        })
    }
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// Latency figures in milliseconds (median and p99 to 10 %).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LatencyReport {
    /// Request/response pairs matched.
    pub pairs: u64,
    /// Smallest.
    pub min_ms: f64,
    /// Median.
    pub median_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Largest.
    pub max_ms: f64,
    /// Mean.
    pub mean_ms: f64,
}

/// A request seen without its response (yet).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Pending {
    /// Command name (filled in by [`StreamSummary::unanswered`]: no allocation per request).
    pub command: String,
    #[serde(skip)]
    command_id: u32,
    /// sequence_number.
    pub sequence: u32,
    /// Frame of the request.
    pub frame: u64,
    /// Which way the request went.
    pub direction: Direction,
    #[serde(skip)]
    time: Duration,
}

/// The bind of a stream and its outcome.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Bind {
    /// bind_transmitter / bind_receiver / bind_transceiver.
    pub command: String,
    /// system_id of the request.
    pub system_id: String,
    /// Frame of the request.
    pub frame: u64,
    /// sequence_number of the request.
    pub sequence: u32,
    /// Status of the response (none when unanswered).
    pub status: Option<String>,
    /// Numeric status of the response.
    pub status_code: Option<u32>,
    /// Frame of the response.
    pub response_frame: Option<u64>,
    /// Request to response, in ms.
    pub latency_ms: Option<f64>,
}

/// A run of throttling responses (ESME_RTHROTTLED, ESME_RMSGQFUL ...) not broken by a success.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Episode {
    /// First throttled response.
    pub first_frame: u64,
    /// Last throttled response.
    pub last_frame: u64,
    /// Throttled responses in the run.
    pub responses: u64,
    /// Statuses seen in the run.
    pub statuses: Vec<String>,
    /// First to last, in ms.
    pub duration_ms: f64,
    #[serde(skip)]
    command: u32,
    #[serde(skip)]
    start: Duration,
}

/// Where and when a PDU was seen: its frame (or number), time and direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// Capture frame, or the PDU's number on a live connection.
    pub frame: u64,
    /// Time since the Unix epoch.
    pub time: Duration,
    /// Which way.
    pub direction: Direction,
}

/// Statistics of one SMPP stream.
#[derive(Debug, Clone)]
pub struct StreamSummary {
    /// Stream number.
    pub stream: u32,
    /// Connecting side.
    pub client: SocketAddr,
    /// Listening side.
    pub server: SocketAddr,
    /// First frame with SMPP (or the SYN).
    pub first_frame: u64,
    /// Last frame with a PDU.
    pub last_frame: u64,
    first_time: Duration,
    last_time: Duration,
    /// The bind, if one was seen.
    pub bind: Option<Bind>,
    /// PDUs by command_id.
    pub by_command: BTreeMap<u32, u64>,
    /// Responses by command_status.
    pub by_status: BTreeMap<u32, u64>,
    /// Request/response latency.
    pub latency: Histogram,
    outstanding: HashMap<(Direction, u32), Pending>,
    /// Throttling episodes, in order.
    pub throttling: Vec<Episode>,
    /// Octets skipped to resynchronise.
    pub skipped: u64,
    /// Octets missing from the capture.
    pub missing: u64,
    /// PDUs cut off by a gap or the end of the capture.
    pub incomplete: u64,
    /// Octets retransmitted.
    pub retransmitted: u64,
    /// True once the stream ended (FIN/RST) inside the capture.
    pub closed: bool,
    /// For PDUs found in pasted text: what the text was (frame numbers are then line numbers).
    pub pasted: Option<String>,
}

impl StreamSummary {
    /// A stream with nothing counted yet.
    pub fn new(
        stream: u32,
        client: SocketAddr,
        server: SocketAddr,
        frame: u64,
        time: Duration,
    ) -> Self {
        StreamSummary {
            stream,
            client,
            server,
            first_frame: frame,
            last_frame: frame,
            first_time: time,
            last_time: time,
            bind: None,
            by_command: BTreeMap::new(),
            by_status: BTreeMap::new(),
            latency: Histogram::default(),
            outstanding: HashMap::new(),
            throttling: Vec::new(),
            skipped: 0,
            missing: 0,
            incomplete: 0,
            retransmitted: 0,
            closed: false,
            pasted: None,
        }
    }

    /// Count one PDU. `system_id` is the system_id of a bind request.
    pub fn observe(&mut self, ev: &PduEvent, h: &Header, system_id: Option<&str>) {
        let at = Seen {
            frame: ev.frame,
            time: ev.time,
            direction: ev.direction,
        };
        self.observe_at(at, h, system_id);
    }

    /// Count one PDU seen at `ev` (a capture frame, or a live PDU numbered by the caller);
    /// for a response matched to its request, the request-to-response time.
    pub fn observe_at(
        &mut self,
        ev: Seen,
        h: &Header,
        system_id: Option<&str>,
    ) -> Option<Duration> {
        self.last_frame = ev.frame;
        self.last_time = ev.time;
        *self.by_command.entry(h.command_id).or_default() += 1;
        let seq = h.sequence_number;
        if commands::is_response(h.command_id) {
            *self.by_status.entry(h.command_status).or_default() += 1;
            let req = self.outstanding.remove(&(ev.direction.reverse(), seq));
            let latency = req.as_ref().map(|r| ev.time.saturating_sub(r.time));
            if let Some(l) = latency {
                self.latency.add(l);
            }
            if let Some(b) = self.bind.as_mut() {
                let answers = h.command_id == (bind_id(&b.command) | GENERIC_NACK)
                    || h.command_id == GENERIC_NACK;
                if answers && b.sequence == seq && b.status.is_none() {
                    b.status = Some(status::name_of(h.command_status).into_owned());
                    b.status_code = Some(h.command_status);
                    b.response_frame = Some(ev.frame);
                    b.latency_ms = latency.map(ms);
                }
            }
            self.throttle(&ev, h);
            latency
        } else {
            if BIND_IDS.contains(&h.command_id) && self.bind.is_none() {
                self.bind = Some(Bind {
                    command: commands::name_of(h.command_id),
                    system_id: system_id.unwrap_or_default().to_string(),
                    frame: ev.frame,
                    sequence: seq,
                    status: None,
                    status_code: None,
                    response_frame: None,
                    latency_ms: None,
                });
            }
            self.outstanding.insert(
                (ev.direction, seq),
                Pending {
                    command: String::new(),
                    command_id: h.command_id,
                    sequence: seq,
                    frame: ev.frame,
                    direction: ev.direction,
                    time: ev.time,
                },
            );
            None
        }
    }

    fn throttle(&mut self, ev: &Seen, h: &Header) {
        let throttling = h.command_status != 0
            && status::lookup(h.command_status).is_some_and(|d| d.retry == RetryClass::Throttling);
        let current = self
            .throttling
            .last_mut()
            .filter(|e| e.command != 0 && e.command == h.command_id);
        match (throttling, current) {
            (true, Some(e)) => {
                e.last_frame = ev.frame;
                e.responses += 1;
                e.duration_ms = ms(ev.time.saturating_sub(e.start));
                let name = status::name_of(h.command_status).into_owned();
                if !e.statuses.contains(&name) {
                    e.statuses.push(name);
                }
            }
            (true, None) => self.throttling.push(Episode {
                first_frame: ev.frame,
                last_frame: ev.frame,
                responses: 1,
                statuses: vec![status::name_of(h.command_status).into_owned()],
                duration_ms: 0.0,
                command: h.command_id,
                start: ev.time,
            }),
            (false, Some(e)) if h.command_status == 0 => e.command = 0,
            (false, _) => {}
        }
    }

    /// Requests still waiting for a response, in frame order.
    pub fn unanswered(&self) -> Vec<Pending> {
        let mut v: Vec<Pending> = self
            .outstanding
            .values()
            .map(|p| Pending {
                command: commands::name_of(p.command_id),
                ..p.clone()
            })
            .collect();
        v.sort_by_key(|p| (p.frame, p.sequence));
        v
    }

    /// The serialisable report.
    pub fn report(&self) -> StreamReport {
        StreamReport {
            stream: self.stream,
            client: self.client.to_string(),
            server: self.server.to_string(),
            first_frame: self.first_frame,
            last_frame: self.last_frame,
            duration_ms: ms(self.last_time.saturating_sub(self.first_time)),
            closed: self.closed,
            bind: self.bind.clone(),
            commands: {
                let mut v: Vec<(u32, u64)> =
                    self.by_command.iter().map(|(k, n)| (*k, *n)).collect();
                v.sort_by_key(|(id, _)| (id & 0x7FFF_FFFF, *id));
                v.into_iter()
                    .map(|(id, n)| (commands::name_of(id), n))
                    .collect()
            },
            statuses: self
                .by_status
                .iter()
                .map(|(s, n)| (status::name_of(*s).into_owned(), *n))
                .collect(),
            latency: self.latency.report(),
            unanswered: self.unanswered(),
            throttling: self.throttling.clone(),
            skipped_octets: self.skipped,
            missing_octets: self.missing,
            incomplete_pdus: self.incomplete,
            retransmitted_octets: self.retransmitted,
            pasted: self.pasted.clone(),
        }
    }
}

fn bind_id(name: &str) -> u32 {
    commands::by_name(name).map_or(0, |d| d.id)
}

/// What `--summary` reports for one stream (also its JSON form).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StreamReport {
    /// Stream number.
    pub stream: u32,
    /// Connecting side.
    pub client: String,
    /// Listening side.
    pub server: String,
    /// First frame.
    pub first_frame: u64,
    /// Last frame with a PDU.
    pub last_frame: u64,
    /// First to last PDU, in ms.
    pub duration_ms: f64,
    /// Whether it ended inside the capture.
    pub closed: bool,
    /// The bind and its outcome.
    pub bind: Option<Bind>,
    /// PDU count by command name, in command_id order.
    pub commands: Vec<(String, u64)>,
    /// Response count by status name.
    pub statuses: Vec<(String, u64)>,
    /// Request/response latency.
    pub latency: Option<LatencyReport>,
    /// Requests without a response.
    pub unanswered: Vec<Pending>,
    /// Throttling episodes.
    pub throttling: Vec<Episode>,
    /// Octets skipped to resynchronise.
    pub skipped_octets: u64,
    /// Octets missing from the capture.
    pub missing_octets: u64,
    /// PDUs cut off.
    pub incomplete_pdus: u64,
    /// Octets retransmitted.
    pub retransmitted_octets: u64,
    /// For pasted text: its name (`first_frame`, `last_frame` and every `frame` are then lines).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pasted: Option<String>,
}

/// Render one stream report as text (no colour).
pub fn render(r: &StreamReport) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let state = if r.closed {
        "closed"
    } else {
        "open at end of capture"
    };
    match &r.pasted {
        Some(name) => {
            let _ = writeln!(s, "{name}  lines {}–{}", r.first_frame, r.last_frame);
        }
        None => {
            let _ = writeln!(
                s,
                "stream {}  {} → {}  frames {}–{}  {:.3} s  ({state})",
                r.stream,
                r.client,
                r.server,
                r.first_frame,
                r.last_frame,
                r.duration_ms / 1e3
            );
        }
    }
    let unit = if r.pasted.is_some() { "line" } else { "frame" };
    match &r.bind {
        Some(b) => {
            let outcome = match (&b.status, b.response_frame, b.latency_ms) {
                (Some(st), Some(f), Some(l)) if r.pasted.is_none() => {
                    format!("{st} in {l:.3} ms ({unit} {f})")
                }
                (Some(st), Some(f), _) => format!("{st} ({unit} {f})"),
                _ => "no response".to_string(),
            };
            let _ = writeln!(
                s,
                "  bind        {} system_id \"{}\" ({unit} {}) → {outcome}",
                b.command, b.system_id, b.frame
            );
        }
        None => {
            let place = if r.pasted.is_some() {
                "text"
            } else {
                "capture"
            };
            let _ = writeln!(s, "  bind        none in the {place}");
        }
    }
    let list = |v: &[(String, u64)]| {
        v.iter()
            .map(|(n, c)| format!("{n} {c}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    labelled(&mut s, "commands", &list(&r.commands));
    if !r.statuses.is_empty() {
        labelled(&mut s, "statuses", &list(&r.statuses));
    }
    match &r.latency {
        // Pasted text has no times.
        _ if r.pasted.is_some() => {}
        Some(l) => {
            let _ = writeln!(
                s,
                "  latency     {} pairs: min {:.3} ms, median ≈{:.3} ms, p99 ≈{:.3} ms, max {:.3} ms",
                l.pairs, l.min_ms, l.median_ms, l.p99_ms, l.max_ms
            );
        }
        None => {
            let _ = writeln!(s, "  latency     no request/response pairs");
        }
    }
    if r.unanswered.is_empty() {
        let _ = writeln!(s, "  unanswered  none");
    } else {
        let shown: Vec<String> = r
            .unanswered
            .iter()
            .take(10)
            .map(|p| format!("{} seq {} ({unit} {})", p.command, p.sequence, p.frame))
            .collect();
        let more = r.unanswered.len().saturating_sub(shown.len());
        let tail = if more > 0 {
            format!(", and {more} more")
        } else {
            String::new()
        };
        let text = format!("{}: {}{tail}", r.unanswered.len(), shown.join(", "));
        labelled(&mut s, "unanswered", &text);
    }
    if r.throttling.is_empty() {
        let _ = writeln!(s, "  throttling  none");
    } else {
        let _ = writeln!(s, "  throttling  {} episode(s)", r.throttling.len());
        for e in r.throttling.iter().take(THROTTLING_SHOWN) {
            // Pasted text has no times.
            let over = match r.pasted {
                Some(_) => String::new(),
                None => format!(" over {:.3} ms", e.duration_ms),
            };
            let place = if e.first_frame == e.last_frame {
                format!("{unit} {}", e.first_frame)
            } else {
                format!("{unit}s {}–{}", e.first_frame, e.last_frame)
            };
            let _ = writeln!(
                s,
                "{INDENT}{place}: {} × {}{over}",
                e.responses,
                e.statuses.join("/"),
            );
        }
        let more = r.throttling.len().saturating_sub(THROTTLING_SHOWN);
        if more > 0 {
            let _ = writeln!(s, "{INDENT}and {more} more episode(s)");
        }
    }
    if r.skipped_octets + r.missing_octets + r.incomplete_pdus + r.retransmitted_octets > 0 {
        let _ = writeln!(
            s,
            "  capture     {} octets skipped to resynchronise, {} missing, {} incomplete PDU(s), {} retransmitted",
            r.skipped_octets, r.missing_octets, r.incomplete_pdus, r.retransmitted_octets
        );
    }
    s
}

/// Throttling episodes listed one per line in the text summary; the rest are counted.
pub(crate) const THROTTLING_SHOWN: usize = 20;
/// The text summary's value column: two spaces, a label of ten, two spaces.
pub(crate) const INDENT: &str = "              ";
/// The text summary fits this many display columns.
const SUMMARY_WIDTH: usize = 80;

/// One `  label       value` line of the text summary, the value wrapped under itself so the
/// line fits 80 display columns.
pub(crate) fn labelled(s: &mut String, label: &str, text: &str) {
    use std::fmt::Write as _;
    let lines = crate::render::dump::wrap(text, SUMMARY_WIDTH - INDENT.len());
    for (i, line) in lines.iter().enumerate() {
        if i == 0 {
            let _ = writeln!(s, "  {label:<10}  {line}");
        } else {
            let _ = writeln!(s, "{INDENT}{line}");
        }
    }
}
