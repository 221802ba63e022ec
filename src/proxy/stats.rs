//! Per-session statistics of the proxy: the `decode --pcap --summary` counters
//! ([`StreamSummary`]: bind, counts by command and status, latency, throttling episodes,
//! unanswered requests) fed live, plus what only a proxy knows: injected answers, swallowed
//! responses, malformed PDUs, and delivery receipts matched to the submits of the session.

use std::collections::HashSet;
use std::fmt::Write;
use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{json, Value as J};

use crate::capture::summary::{labelled, Seen, StreamSummary, INDENT, THROTTLING_SHOWN};
use crate::codec::{decode_pdu_fast, Header};
use crate::exit::Exit;
use crate::session::send::receipt_of;
use crate::spec::ids::cmd;
use crate::wire::Direction;

/// Message ids remembered per session for receipt matching (oldest dropped beyond this).
const MAX_IDS: usize = 1_000_000;

/// One session's counters.
#[derive(Debug)]
pub struct SessionStats {
    summary: StreamSummary,
    pdus: u64,
    /// The bind's system_id.
    pub system_id: Option<String>,
    /// True once a bind was answered ESME_ROK.
    pub bound: bool,
    /// Hashes of the message ids the SMSC gave ([`id_hash`]).
    message_ids: HashSet<u64>,
    receipts_matched: u64,
    receipts_unmatched: u64,
    injected: u64,
    dropped: u64,
    malformed: u64,
}

impl SessionStats {
    /// Nothing counted yet.
    pub fn new(session: u64, esme: SocketAddr, smsc: SocketAddr, now: Duration) -> Self {
        SessionStats {
            summary: StreamSummary::new(
                u32::try_from(session).unwrap_or(u32::MAX),
                esme,
                smsc,
                0,
                now,
            ),
            pdus: 0,
            system_id: None,
            bound: false,
            message_ids: HashSet::new(),
            receipts_matched: 0,
            receipts_unmatched: 0,
            injected: 0,
            dropped: 0,
            malformed: 0,
        }
    }

    /// Count a PDU that went `dir` at `now`; the response latency when it answers a request.
    pub fn observe(&mut self, dir: Direction, bytes: &[u8], now: Duration) -> Option<Duration> {
        let h = Header::parse(bytes)?;
        self.pdus += 1;
        let sid = if cmd::BINDS.contains(&h.command_id) && self.system_id.is_none() {
            let s = crate::capture::run::system_id_of(bytes);
            self.system_id.clone_from(&s);
            s
        } else {
            None
        };
        let seen = Seen {
            frame: self.pdus,
            time: now,
            direction: dir,
        };
        let rtt = self.summary.observe_at(seen, &h, sid.as_deref());
        if h.command_status == 0 && cmd::BINDS.iter().any(|b| cmd::resp(*b) == h.command_id) {
            self.bound = true;
        }
        self.receipts(dir, &h, bytes);
        rtt
    }

    /// Remember the message ids the SMSC gave, and match receipts against them.
    fn receipts(&mut self, dir: Direction, h: &Header, bytes: &[u8]) {
        if dir != Direction::SmscToEsme {
            return;
        }
        match h.command_id {
            cmd::SUBMIT_SM_RESP | cmd::DATA_SM_RESP if h.command_status == 0 => {
                let body = bytes.get(crate::codec::HEADER_LEN..).unwrap_or_default();
                let id = body.split(|b| *b == 0).next().unwrap_or_default();
                if !id.is_empty() && self.message_ids.len() < MAX_IDS {
                    self.message_ids.insert(id_hash(id));
                }
            }
            cmd::DELIVER_SM | cmd::DATA_SM => {
                let Ok(p) = decode_pdu_fast(bytes) else {
                    return;
                };
                if let Some((id, _state)) = receipt_of(&p) {
                    if self.message_ids.contains(&id_hash(id.as_bytes())) {
                        self.receipts_matched += 1;
                    } else {
                        self.receipts_unmatched += 1;
                    }
                }
            }
            _ => {}
        }
    }

    /// Count an answer smppdiag made up.
    pub fn injected(&mut self) {
        self.injected += 1;
    }

    /// Count a response swallowed.
    pub fn dropped(&mut self) {
        self.dropped += 1;
    }

    /// Count a malformed PDU.
    pub fn malformed(&mut self) {
        self.malformed += 1;
    }

    /// The summary as JSON keys and human text; `closed` says how the session ended.
    pub fn report(&self, session: u64, closed: &str) -> (J, String) {
        let r = self.summary.report();
        let lat = r.latency.as_ref();
        let fields = json!({
            "command": "proxy",
            "esme": r.client,
            "smsc": r.server,
            "closed": closed,
            "system_id": self.system_id,
            "bind": r.bind,
            "pdus": self.pdus,
            "commands": r.commands,
            "statuses": r.statuses,
            "latency": r.latency,
            "throttling": r.throttling,
            "unanswered": r.unanswered,
            "receipts_matched": self.receipts_matched,
            "receipts_unmatched": self.receipts_unmatched,
            "injected": self.injected,
            "dropped_responses": self.dropped,
            "malformed": self.malformed,
        });
        let mut s = String::new();
        let _ = writeln!(
            s,
            "session {session} summary  {} → {}  {} PDUs  ({closed})",
            r.client, r.server, self.pdus
        );
        if let Some(b) = &r.bind {
            let _ = writeln!(
                s,
                "  bind        {} system_id \"{}\" → {}",
                b.command,
                b.system_id,
                b.status.as_deref().unwrap_or("no response")
            );
        }
        let list = |v: &[(String, u64)]| {
            v.iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(s, "  commands    {}", list(&r.commands));
        let _ = writeln!(s, "  statuses    {}", list(&r.statuses));
        if let Some(l) = lat {
            let _ = writeln!(
                s,
                "  latency     p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms ({} pairs)",
                l.median_ms, l.p99_ms, l.max_ms, l.pairs
            );
        }
        for e in r.throttling.iter().take(THROTTLING_SHOWN) {
            let _ = writeln!(
                s,
                "  throttling  {} × {} over {:.1} ms",
                e.responses,
                e.statuses.join("/"),
                e.duration_ms
            );
        }
        let more = r.throttling.len().saturating_sub(THROTTLING_SHOWN);
        if more > 0 {
            let _ = writeln!(s, "{INDENT}and {more} more throttling episode(s)");
        }
        if !r.unanswered.is_empty() {
            let names: Vec<String> = r
                .unanswered
                .iter()
                .take(10)
                .map(|p| format!("{} seq {}", p.command, p.sequence))
                .collect();
            let more = r.unanswered.len().saturating_sub(10);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            let text = format!("{}: {}{more}", r.unanswered.len(), names.join(", "));
            labelled(&mut s, "unanswered", &text);
        }
        if self.receipts_matched + self.receipts_unmatched > 0 {
            let _ = writeln!(
                s,
                "  receipts    {} matched to a submit of this session, {} not",
                self.receipts_matched, self.receipts_unmatched
            );
        }
        if self.injected + self.dropped + self.malformed > 0 {
            let _ = writeln!(
                s,
                "  shaping     {} answers injected, {} responses swallowed; {} malformed PDUs",
                self.injected, self.dropped, self.malformed
            );
        }
        (fields, s)
    }

    /// What this session adds to the totals.
    pub fn add_to(&self, t: &mut Totals) {
        t.sessions += 1;
        t.pdus += self.pdus;
        t.injected += self.injected;
        t.dropped += self.dropped;
        t.malformed += self.malformed;
    }
}

/// A message id's hash for matching: case and leading zeros ignored (SMSCs print ids in hex
/// or decimal, padded), without allocating (FNV-1a).
fn id_hash(id: &[u8]) -> u64 {
    let t = id.trim_ascii();
    let start = t.iter().position(|b| *b != b'0').unwrap_or(t.len());
    t.get(start..)
        .unwrap_or_default()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(0x0100_0000_01b3)
        })
}

/// Over every session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Sessions handled.
    pub sessions: u64,
    /// Sessions whose SMSC could not be reached.
    pub upstream_failures: u64,
    /// Of which TLS failures.
    pub tls_failures: u64,
    /// PDUs seen.
    pub pdus: u64,
    /// Answers injected.
    pub injected: u64,
    /// Responses swallowed.
    pub dropped: u64,
    /// Malformed PDUs.
    pub malformed: u64,
}

impl Totals {
    /// The exit code: TLS or network failures first, then malformed PDUs.
    pub fn exit(&self) -> Exit {
        if self.tls_failures > 0 {
            Exit::Tls
        } else if self.upstream_failures > 0 {
            Exit::Network
        } else if self.malformed > 0 {
            Exit::Malformed
        } else {
            Exit::Success
        }
    }

    /// JSON keys and human text of the final summary.
    pub fn report(&self) -> (J, String) {
        let fields = json!({
            "command": "proxy",
            "sessions": self.sessions,
            "upstream_failures": self.upstream_failures,
            "pdus": self.pdus,
            "injected": self.injected,
            "dropped_responses": self.dropped,
            "malformed": self.malformed,
            "exit_code": self.exit().code(),
        });
        let text = format!(
            "summary: {} sessions, {} PDUs, {} answers injected, {} responses swallowed, {} malformed, {} upstream connections failed\n",
            self.sessions, self.pdus, self.injected, self.dropped, self.malformed, self.upstream_failures
        );
        (fields, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Pdu;
    use crate::spec::ids::tag;

    #[test]
    fn receipts_are_matched_to_the_sessions_submits() {
        let a = "127.0.0.1:1".parse().unwrap();
        let mut st = SessionStats::new(1, a, a, Duration::ZERO);
        let submit = Pdu::new(cmd::SUBMIT_SM, 2).encode().unwrap();
        st.observe(Direction::EsmeToSmsc, &submit, Duration::ZERO);
        let resp = Pdu::new(cmd::SUBMIT_SM_RESP, 2)
            .with_str("message_id", "0000000A")
            .encode()
            .unwrap();
        let rtt = st.observe(Direction::SmscToEsme, &resp, Duration::from_millis(3));
        assert_eq!(rtt, Some(Duration::from_millis(3)));
        let receipt = |id: &str| {
            let mut rid = id.as_bytes().to_vec();
            rid.push(0);
            Pdu::new(cmd::DELIVER_SM, 7)
                .with_int("esm_class", 0x04)
                .with_tlv(tag::RECEIPTED_MESSAGE_ID, rid)
                .with_tlv(tag::MESSAGE_STATE, vec![2])
                .encode()
                .unwrap()
        };
        st.observe(Direction::SmscToEsme, &receipt("a"), Duration::ZERO);
        st.observe(Direction::SmscToEsme, &receipt("b"), Duration::ZERO);
        let (j, text) = st.report(1, "test");
        assert_eq!(j["receipts_matched"], 1);
        assert_eq!(j["receipts_unmatched"], 1);
        assert!(
            text.contains("1 matched to a submit of this session, 1 not"),
            "{text}"
        );
        // The submit was answered; the receipts (both sequence 7) were not.
        assert_eq!(j["unanswered"][0]["command"], "deliver_sm");
        assert_eq!(j["unanswered"].as_array().map(Vec::len), Some(1));
    }
}
