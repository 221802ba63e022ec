//! What the simulator reports: one line per PDU, the annotated dump (`--verbose`) or JSON Lines
//! (`--json`), and the counts behind the exit summary. Every event goes through the wire sinks
//! ([`crate::wire::sink`]); human and JSON lines are handed to a channel and the caller decides
//! where they are written; `--pcap-out` records every session.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::net::SocketAddr;

use serde_json::{json, Value as J};

use crate::render::dump::DumpOptions;
use crate::render::json::JsonOptions;
use crate::render::{Role, Style};
use crate::spec::{commands, status};
use crate::wire::sink::{ChannelLines, DumpSink, JsonSink, Layout, LineQueue, PcapSink, Sink};
use crate::wire::{Event, PduEvent, Tone};

use super::config::OutputMode;

/// Direction of a PDU: received from the client is ESME→SMSC, sent to it SMSC→ESME.
pub use crate::wire::Direction as Dir;

/// The short word of the summary table: `in` (from the ESME) or `out` (to it).
fn short(d: Dir) -> &'static str {
    match d {
        Dir::EsmeToSmsc => "in",
        Dir::SmscToEsme => "out",
    }
}

/// Where events go, formatted for the chosen mode.
#[derive(Debug, Clone)]
pub struct Log {
    mode: OutputMode,
    style: Style,
    show_secrets: bool,
    tx: LineQueue,
    pcap: Option<PcapSink>,
}

impl Log {
    /// A log writing formatted lines (without trailing newline) to `tx` (lines that do not fit
    /// are dropped and counted there).
    pub fn new(mode: OutputMode, style: Style, show_secrets: bool, tx: LineQueue) -> Self {
        Log {
            mode,
            style,
            show_secrets,
            tx,
            pcap: None,
        }
    }

    /// Also record every session into this pcap (`--pcap-out`).
    pub fn with_pcap(mut self, pcap: Option<PcapSink>) -> Self {
        self.pcap = pcap;
        self
    }

    /// True unless `--quiet`.
    pub fn enabled(&self) -> bool {
        self.mode != OutputMode::Quiet
    }

    /// True for `--json`.
    pub fn json(&self) -> bool {
        self.mode == OutputMode::Json
    }

    /// Hand `f` the sink of the output mode (a fresh one per call: sessions run in parallel
    /// and each line goes whole to the channel).
    fn emit(&self, f: impl FnOnce(&mut dyn Sink) -> std::io::Result<()>) {
        let w = ChannelLines::new(self.tx.clone());
        let _ = match self.mode {
            OutputMode::Json => f(&mut JsonSink::new(
                w,
                JsonOptions {
                    show_secrets: self.show_secrets,
                },
            )),
            mode => {
                let layout = if mode == OutputMode::Verbose {
                    Layout::ServerDump
                } else {
                    Layout::ServerLines
                };
                let opts = DumpOptions {
                    show_secrets: self.show_secrets,
                    ..DumpOptions::default()
                };
                f(&mut DumpSink::new(w, self.style, opts, layout))
            }
        };
    }

    /// Always printed (even with `--quiet`): a listener is ready.
    pub fn listening(&self, addr: SocketAddr, tls: bool) {
        self.emit(|s| s.event(&Event::Listening { addr, tls }));
    }

    /// A connection opened (`peer` is the ESME); starts its pcap recording.
    pub fn session_start(&self, session: u64, peer: SocketAddr, local: SocketAddr) {
        let ev = Event::SessionStart {
            session,
            esme: Some(peer),
            smsc: Some(local),
            text: &format!("connected from {peer} on {local}"),
        };
        if let Some(p) = &self.pcap {
            let _ = p.clone().event(&ev);
        }
        if self.enabled() {
            self.emit(|s| s.event(&ev));
        }
    }

    /// A connection closed; ends its pcap recording.
    pub fn session_end(&self, session: u64, reason: &str) {
        let ev = Event::SessionEnd {
            session,
            reason,
            text: &format!("closed ({reason})"),
        };
        if let Some(p) = &self.pcap {
            let _ = p.clone().event(&ev);
        }
        if self.enabled() {
            self.emit(|s| s.event(&ev));
        }
    }

    /// A session event: `text` for humans, `fields` merged into the JSON note.
    pub fn event(&self, session: u64, kind: &str, text: &str, fields: J) {
        if !self.enabled() {
            return;
        }
        self.emit(|s| {
            s.event(&Event::Note {
                session: Some(session),
                kind,
                text,
                elapsed: None,
                tone: Tone::Info,
                fields,
            })
        });
    }

    /// One PDU received or sent. `note` is appended to the line (e.g. why a status was chosen).
    pub fn pdu(&self, session: u64, dir: Dir, bytes: &[u8], note: Option<&str>) {
        if self.pcap.is_none() && !self.enabled() {
            return;
        }
        let ev = PduEvent {
            session: Some(session),
            direction: Some(dir),
            time: Some(crate::wire::now()),
            bytes,
            note,
            ..PduEvent::default()
        };
        if let Some(p) = &self.pcap {
            let _ = p.clone().pdu(&ev);
        }
        if self.enabled() {
            self.emit(|s| s.pdu(&ev));
        }
    }

    /// A malformed PDU received: always shown with its dump (JSON: a PDU event whose note says
    /// what is answered).
    pub fn malformed(&self, session: u64, bytes: &[u8], answer: u32) {
        if !self.enabled() {
            return;
        }
        let answer = status::name_of(answer);
        if self.json() {
            let note = format!("malformed, answering {answer}");
            self.emit(|s| {
                s.pdu(&PduEvent {
                    session: Some(session),
                    direction: Some(Dir::EsmeToSmsc),
                    time: Some(crate::wire::now()),
                    bytes,
                    note: Some(&note),
                    ..PduEvent::default()
                })
            });
        } else {
            let d = crate::codec::decode(bytes);
            let opts = DumpOptions {
                show_secrets: self.show_secrets,
                ..DumpOptions::default()
            };
            let text = format!(
                "malformed {}, answering {}:\n{}",
                d.command_name(),
                self.style.paint(Role::Error, &answer),
                crate::render::dump::dump(&d, &self.style, &opts).trim_end()
            );
            self.event(session, "malformed", &text, json!({}));
        }
    }
}

/// PDU counts: (direction, command_id, command_status) → number.
pub type Counts = BTreeMap<(Dir, u32, u32), u64>;

/// What the summary reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Connections accepted.
    pub sessions: u64,
    /// Binds accepted.
    pub binds: u64,
    /// Binds refused.
    pub binds_refused: u64,
    /// Messages accepted (submit_sm, data_sm, submit_multi answered ESME_ROK).
    pub messages: u64,
    /// Receipts sent.
    pub receipts: u64,
    /// Long messages reassembled.
    pub long_messages: u64,
    /// PDUs by direction, command and status.
    pub pdus: Counts,
    /// Connections closed by the server because framing was lost.
    pub framing_errors: u64,
    /// Connections closed at once because `--max-connections` were open.
    pub refused_connections: u64,
    /// Log lines dropped because standard output did not keep up.
    pub log_dropped: u64,
    /// Receipts dropped because the receiver did not read them (its queue was full).
    pub receipts_unread: u64,
    /// Receipts dropped because no receiver of their system_id was bound and too many waited.
    pub receipts_no_receiver: u64,
    /// The system_ids with the most receipts dropped for want of a receiver, most first.
    pub receipts_no_receiver_by_id: Vec<(String, u64)>,
    /// Receipts still waiting for a receiver at the end (never delivered).
    pub receipts_waiting: u64,
    /// Receipts not made: too many messages were waiting for `--dlr-delay`.
    pub receipts_unscheduled: u64,
}

impl Summary {
    /// Add one session's PDU counts.
    pub fn merge(&mut self, c: &Counts) {
        for (k, n) in c {
            *self.pdus.entry(*k).or_default() += n;
        }
    }

    /// The summary as text lines.
    pub fn render(&self, style: &Style) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{}: {} sessions, {} binds ({} refused)\n  {} messages accepted ({} long), {} receipts sent",
            style.paint(Role::Heading, "summary"),
            self.sessions,
            self.binds,
            self.binds_refused,
            self.messages,
            self.long_messages,
            self.receipts
        );
        for (n, what) in self.problems() {
            if n > 0 {
                let _ = writeln!(s, "  {n} {what}");
            }
            if n > 0 && what == NO_RECEIVER {
                let named = &self.receipts_no_receiver_by_id;
                let _ = writeln!(s, "    {}", named_counts(named, n));
            }
        }
        for ((dir, id, st), n) in &self.pdus {
            let _ = writeln!(
                s,
                "  {:>3} {:<24} {:<24} {n}",
                short(*dir),
                commands::name_of(*id),
                status::name_of(*st)
            );
        }
        s
    }

    /// What went wrong, with its count (shown when not 0).
    fn problems(&self) -> [(u64, &'static str); 7] {
        [
            (
                self.framing_errors,
                "connections closed after a bad command_length",
            ),
            (self.log_dropped, "log lines dropped: stdout blocked"),
            (self.receipts_no_receiver, NO_RECEIVER),
            (
                self.receipts_unread,
                "receipts dropped: the receiver did not read them",
            ),
            (
                self.receipts_unscheduled,
                "receipts not made: too many messages waited for --dlr-delay",
            ),
            (
                self.receipts_waiting,
                "receipts never delivered: still waiting for a receiver",
            ),
            (
                self.refused_connections,
                "connections closed at once: --max-connections reached",
            ),
        ]
    }

    /// The summary as one JSON object.
    pub fn json(&self) -> J {
        let pdus: Vec<J> = self
            .pdus
            .iter()
            .map(|((dir, id, st), n)| {
                json!({"direction": dir.word(), "command": commands::name_of(*id), "status": status::name_of(*st), "count": n})
            })
            .collect();
        json!({
            "schema": crate::wire::SCHEMA, "event": "summary", "command": "serve", "sessions": self.sessions, "binds": self.binds,
            "binds_refused": self.binds_refused, "messages": self.messages,
            "long_messages": self.long_messages, "receipts": self.receipts,
            "framing_errors": self.framing_errors,
            "refused_connections": self.refused_connections,
            "log_dropped": self.log_dropped,
            "receipts_dropped": self.receipts_unread + self.receipts_no_receiver,
            "receipts_unread": self.receipts_unread,
            "receipts_no_receiver": self.receipts_no_receiver,
            "receipts_no_receiver_by_system_id": self.receipts_no_receiver_by_id.iter()
                .map(|(k, n)| json!({"system_id": k, "count": n})).collect::<Vec<J>>(),
            "receipts_waiting": self.receipts_waiting,
            "receipts_unscheduled": self.receipts_unscheduled,
            "pdus": pdus,
        })
    }
}

/// The summary's line about receipts dropped for want of a receiver (followed by the system_ids).
const NO_RECEIVER: &str = "receipts dropped: no receiver bound for their system_id";

/// Width the summary's lines keep within.
const SUMMARY_WIDTH: usize = 80;

/// `system_id "a": 120, "b": 80, others: 998`, cut to fit [`SUMMARY_WIDTH`] (indented by 4).
fn named_counts(named: &[(String, u64)], total: u64) -> String {
    let mut out = String::from("system_id");
    let mut shown = 0u64;
    for (i, (id, n)) in named.iter().enumerate() {
        let item = format!("{}{id:?}: {n}", if i == 0 { " " } else { ", " });
        let rest = total.saturating_sub(shown + n);
        let tail = if rest > 0 {
            format!(", others: {rest}")
        } else {
            String::new()
        };
        if i > 0 && 4 + out.len() + item.len() + tail.len() > SUMMARY_WIDTH {
            break;
        }
        out.push_str(&item);
        shown += n;
    }
    let rest = total.saturating_sub(shown);
    if rest > 0 {
        let _ = write!(out, ", others: {rest}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Pdu;

    fn collect(mode: OutputMode, f: impl FnOnce(&Log)) -> Vec<String> {
        let (tx, rx) = LineQueue::new(1000);
        let log = Log::new(mode, Style::PLAIN, false, tx);
        f(&log);
        drop(log);
        rx.iter().collect()
    }

    #[test]
    fn line_mode() {
        let resp = Pdu {
            command_status: 0x58,
            ..Pdu::new(0x8000_0004, 7)
        }
        .encode()
        .unwrap();
        let out = collect(OutputMode::Lines, |l| {
            l.pdu(3, Dir::SmscToEsme, &resp, Some("--fail every=3"));
            l.listening("127.0.0.1:2775".parse().unwrap(), false);
        });
        assert_eq!(
            out,
            [
                "#3 -> submit_sm_resp seq 7 ESME_RTHROTTLED (0x00000058)  --fail every=3",
                "listening on 127.0.0.1:2775"
            ]
        );
        assert_eq!(
            collect(OutputMode::Quiet, |l| l.pdu(
                3,
                Dir::SmscToEsme,
                &resp,
                None
            )),
            Vec::<String>::new()
        );
    }

    #[test]
    fn json_mode() {
        let req = Pdu::new(0x15, 9).encode().unwrap();
        let out = collect(OutputMode::Json, |l| l.pdu(1, Dir::EsmeToSmsc, &req, None));
        let v: J = serde_json::from_str(&out[0]).unwrap();
        assert_eq!(v["schema"], 1);
        assert_eq!(v["pdu"]["command_name"], "enquire_link");
        assert_eq!(v["direction"], "esme_to_smsc");
        assert_eq!(v["pdu"]["sequence_number"], 9);
        assert_eq!(v["session"], 1);
    }

    #[test]
    fn summary() {
        let mut s = Summary {
            sessions: 2,
            ..Default::default()
        };
        let mut c = Counts::new();
        c.insert((Dir::SmscToEsme, 0x8000_0004, 0x58), 3);
        s.merge(&c);
        s.merge(&c);
        let t = s.render(&Style::PLAIN);
        assert!(t.contains("2 sessions"), "{t}");
        assert!(
            t.contains("out submit_sm_resp           ESME_RTHROTTLED          6"),
            "{t}"
        );
        assert_eq!(s.json()["pdus"][0]["count"], 6);
    }
}
