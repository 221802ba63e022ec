//! What the simulator reports: one line per PDU, the annotated dump (`--verbose`) or JSON Lines
//! (`--json`), and the counts behind the exit summary. Lines are handed to a channel; the caller
//! decides where they are written.

use std::net::SocketAddr as PcapAddr;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use crate::capture::writer::MultiRecorder;
use crate::capture::Direction as CaptureDirection;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::mpsc::Sender;

use serde_json::{json, Value as J};

use crate::codec::{decode, Header};
use crate::render::dump::{dump, DumpOptions};
use crate::render::json::{pdu_json, JsonOptions};
use crate::render::{Role, Style};
use crate::spec::{commands, status};

use super::config::OutputMode;

/// Direction of a PDU, seen from the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dir {
    /// Received from the client.
    In,
    /// Sent to the client.
    Out,
}

impl Dir {
    fn arrow(self) -> &'static str {
        match self {
            Dir::In => "<-",
            Dir::Out => "->",
        }
    }
    fn word(self) -> &'static str {
        match self {
            Dir::In => "in",
            Dir::Out => "out",
        }
    }
}

/// Where events go, formatted for the chosen mode.
#[derive(Debug, Clone)]
pub struct Log {
    mode: OutputMode,
    style: Style,
    show_secrets: bool,
    tx: Sender<String>,
    pcap: Option<Arc<Mutex<MultiRecorder>>>,
}

impl Log {
    /// A log writing formatted lines (without trailing newline) to `tx`.
    pub fn new(mode: OutputMode, style: Style, show_secrets: bool, tx: Sender<String>) -> Self {
        Log {
            mode,
            style,
            show_secrets,
            tx,
            pcap: None,
        }
    }

    /// Also record every session into this pcap (`--pcap-out`).
    pub fn with_pcap(mut self, pcap: Option<Arc<Mutex<MultiRecorder>>>) -> Self {
        self.pcap = pcap;
        self
    }

    fn recorder(&self, f: impl FnOnce(&mut MultiRecorder)) {
        if let Some(p) = &self.pcap {
            f(&mut p.lock().unwrap_or_else(|e| e.into_inner()));
        }
    }

    /// A connection opened: start its recording (client = the peer).
    pub fn pcap_open(&self, session: u64, peer: PcapAddr, local: PcapAddr) {
        self.recorder(|r| {
            let _ = r.open(session, peer, local, SystemTime::now());
        });
    }

    /// A connection closed: end its recording.
    pub fn pcap_close(&self, session: u64) {
        self.recorder(|r| {
            let _ = r.close(session);
        });
    }

    /// True unless `--quiet`.
    pub fn enabled(&self) -> bool {
        self.mode != OutputMode::Quiet
    }

    /// True for `--json`.
    pub fn json(&self) -> bool {
        self.mode == OutputMode::Json
    }

    fn send(&self, s: String) {
        let _ = self.tx.send(s);
    }

    /// Always printed (even with `--quiet`): a listener is ready.
    pub fn listening(&self, addr: std::net::SocketAddr, tls: bool) {
        if self.json() {
            self.send(
                json!({"event": "listening", "addr": addr.to_string(), "port": addr.port(), "tls": tls})
                    .to_string(),
            );
        } else {
            let t = if tls { " (TLS)" } else { "" };
            self.send(format!("listening on {addr}{t}"));
        }
    }

    /// A session event: `text` for humans, `fields` merged into the JSON object.
    pub fn event(&self, session: u64, kind: &str, text: &str, fields: J) {
        if !self.enabled() {
            return;
        }
        if self.json() {
            let mut o = json!({"event": kind, "session": session});
            if let (Some(m), J::Object(f)) = (o.as_object_mut(), fields) {
                m.extend(f);
            }
            self.send(o.to_string());
        } else {
            self.send(format!(
                "{} {}",
                self.style.paint(Role::Dim, &format!("#{session}")),
                text
            ));
        }
    }

    /// One PDU received or sent. `note` is appended to the line (e.g. why a status was chosen).
    pub fn pdu(&self, session: u64, dir: Dir, bytes: &[u8], note: Option<&str>) {
        self.recorder(|r| {
            let d = match dir {
                Dir::In => CaptureDirection::ClientToServer,
                Dir::Out => CaptureDirection::ServerToClient,
            };
            let _ = r.record(session, d, bytes, SystemTime::now());
        });
        if !self.enabled() {
            return;
        }
        let Some(h) = Header::parse(bytes) else {
            self.event(
                session,
                "garbage",
                &format!("{} {} octets that are not a PDU", dir.arrow(), bytes.len()),
                json!({"dir": dir.word(), "hex": hex::encode(bytes)}),
            );
            return;
        };
        let name = commands::name_of(h.command_id);
        let st = status::name_of(h.command_status);
        let shows_status = commands::is_response(h.command_id) || h.command_status != 0;
        match self.mode {
            OutputMode::Json => {
                let mut o = json!({
                    "event": "pdu", "session": session, "dir": dir.word(), "command": name,
                    "command_id": h.command_id, "command_status": h.command_status,
                    "status": st, "seq": h.sequence_number, "length": bytes.len(),
                });
                if let Some(n) = note {
                    o["note"] = json!(n);
                }
                self.send(o.to_string());
            }
            OutputMode::Verbose => {
                let d = decode(bytes);
                let opts = DumpOptions {
                    show_secrets: self.show_secrets,
                    ..DumpOptions::default()
                };
                let mut s = format!(
                    "{} {} {}\n{}",
                    self.style.paint(Role::Dim, &format!("#{session}")),
                    dir.arrow(),
                    note.unwrap_or(""),
                    dump(&d, &self.style, &opts)
                );
                if dir == Dir::Out && h.command_status != 0 {
                    s.push_str(&crate::render::explain::explanation_block(
                        &status::explain(h.command_status),
                        &self.style,
                    ));
                }
                self.send(s.trim_end().to_string());
            }
            _ => {
                let mut s = format!(
                    "{} {} {} seq {}",
                    self.style.paint(Role::Dim, &format!("#{session}")),
                    dir.arrow(),
                    self.style.paint(Role::Heading, &name),
                    h.sequence_number
                );
                if shows_status {
                    let role = if h.command_status == 0 {
                        Role::Good
                    } else {
                        Role::Error
                    };
                    let _ = write!(s, " {}", self.style.paint(role, &st));
                    if h.command_status != 0 {
                        let _ = write!(s, " (0x{:08X})", h.command_status);
                    }
                }
                if let Some(n) = note {
                    let _ = write!(s, "  {}", self.style.paint(Role::Note, n));
                }
                self.send(s);
            }
        }
    }

    /// A malformed PDU received: always shown with its dump (JSON: with the decoded object).
    pub fn malformed(&self, session: u64, bytes: &[u8], answer: u32) {
        if !self.enabled() {
            return;
        }
        let d = decode(bytes);
        if self.json() {
            let o = json!({
                "event": "malformed", "session": session, "answer": status::name_of(answer),
                "diagnostics": d.diagnostics.iter().map(|x| json!({"offset": x.offset, "severity": x.severity.label(), "message": x.message})).collect::<Vec<_>>(),
                "decoded": pdu_json(&d, 0, &JsonOptions { show_secrets: self.show_secrets }),
            });
            self.send(o.to_string());
        } else {
            let opts = DumpOptions {
                show_secrets: self.show_secrets,
                ..DumpOptions::default()
            };
            self.send(format!(
                "{} malformed {}, answering {}:\n{}",
                self.style.paint(Role::Dim, &format!("#{session}")),
                d.command_name(),
                self.style.paint(Role::Error, &status::name_of(answer)),
                dump(&d, &self.style, &opts).trim_end()
            ));
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
            "{}: {} sessions, {} binds ({} refused), {} messages accepted ({} long), {} receipts sent",
            style.paint(Role::Heading, "summary"),
            self.sessions,
            self.binds,
            self.binds_refused,
            self.messages,
            self.long_messages,
            self.receipts
        );
        if self.framing_errors > 0 {
            let _ = writeln!(
                s,
                "  {} connections closed after a bad command_length",
                self.framing_errors
            );
        }
        for ((dir, id, st), n) in &self.pdus {
            let _ = writeln!(
                s,
                "  {:>3} {:<24} {:<24} {n}",
                dir.word(),
                commands::name_of(*id),
                status::name_of(*st)
            );
        }
        s
    }

    /// The summary as one JSON object.
    pub fn json(&self) -> J {
        let pdus: Vec<J> = self
            .pdus
            .iter()
            .map(|((dir, id, st), n)| {
                json!({"dir": dir.word(), "command": commands::name_of(*id), "status": status::name_of(*st), "count": n})
            })
            .collect();
        json!({
            "event": "summary", "sessions": self.sessions, "binds": self.binds,
            "binds_refused": self.binds_refused, "messages": self.messages,
            "long_messages": self.long_messages, "receipts": self.receipts,
            "framing_errors": self.framing_errors, "pdus": pdus,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Pdu;

    fn collect(mode: OutputMode, f: impl FnOnce(&Log)) -> Vec<String> {
        let (tx, rx) = std::sync::mpsc::channel();
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
            l.pdu(3, Dir::Out, &resp, Some("--fail every=3"));
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
            collect(OutputMode::Quiet, |l| l.pdu(3, Dir::Out, &resp, None)),
            Vec::<String>::new()
        );
    }

    #[test]
    fn json_mode() {
        let req = Pdu::new(0x15, 9).encode().unwrap();
        let out = collect(OutputMode::Json, |l| l.pdu(1, Dir::In, &req, None));
        let v: J = serde_json::from_str(&out[0]).unwrap();
        assert_eq!(v["command"], "enquire_link");
        assert_eq!(v["dir"], "in");
        assert_eq!(v["seq"], 9);
        assert_eq!(v["session"], 1);
    }

    #[test]
    fn summary() {
        let mut s = Summary {
            sessions: 2,
            ..Default::default()
        };
        let mut c = Counts::new();
        c.insert((Dir::Out, 0x8000_0004, 0x58), 3);
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
