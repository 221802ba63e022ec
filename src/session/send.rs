//! The submission engine behind `smppdiag send`: repeats a message `count` times with at most
//! `window` requests in flight, paced by a token bucket, retrying rejected parts through a
//! [`Retry`] policy, slowing down when the SMSC throttles, and collecting delivery receipts.
//!
//! Each message is given as its parts already encoded (sequence numbers are patched in by the
//! session), so the hot path copies bytes instead of encoding. Memory does not grow with the
//! count, except for the message ids kept while waiting for receipts.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::Instant;

use crate::codec::Pdu;

use super::proto::id;
use super::rate::RateControl;
use super::retry::{Retry, RetryDecision};
use super::stats::Summary;
use super::{Coalesce, Event, Note, Session, SessionError};
use crate::spec::ids::status::ESME_RTHROTTLED;

/// What to send and how.
pub struct SendPlan {
    /// The parts of one message, encoded (submit_sm, data_sm or submit_multi).
    pub parts: Vec<Vec<u8>>,
    /// How many times to send the message.
    pub count: u64,
    /// Requests in flight at most (at least 1).
    pub window: usize,
    /// Messages (parts) per second at most.
    pub rate: Option<f64>,
    /// What to do with rejections.
    pub retry: Box<dyn Retry>,
    /// Wait this long after the last response for the receipts of every accepted part.
    pub wait_receipts: Option<Duration>,
    /// Per part: where its concatenation reference sits in the encoded PDU, so that each
    /// repetition of a long message gets its own reference (empty: nothing to patch).
    pub refs: Vec<Option<RefPatch>>,
    /// The whole run ends by this instant (`--timeout`), with [`SessionError::Timeout`] naming
    /// the limit given (the second member) and the counts so far.
    pub deadline: Option<(Instant, Duration)>,
}

/// [`SessionError::Timeout`] once the plan's deadline has passed.
fn past_deadline(plan: &SendPlan, now: Instant) -> Result<(), SessionError> {
    match plan.deadline {
        Some((at, limit)) if at <= now => Err(SessionError::Timeout {
            what: "send".into(),
            after: limit,
        }),
        _ => Ok(()),
    }
}

/// The earlier of `wake` and the plan's deadline.
fn until_deadline(plan: &SendPlan, wake: Option<Instant>) -> Option<Instant> {
    match (plan.deadline, wake) {
        (Some((d, _)), Some(w)) => Some(d.min(w)),
        (Some((d, _)), None) => Some(d),
        (None, w) => w,
    }
}

/// Where a part's concatenation reference sits in its encoded PDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefPatch {
    /// Octet offset in the PDU.
    pub offset: usize,
    /// 1 (8-bit UDH reference) or 2 (16-bit UDH or sar_msg_ref_num).
    pub width: u8,
    /// The reference of the first message.
    pub base: u16,
}

impl RefPatch {
    /// The reference octets of message number `message`.
    pub fn octets(&self, message: u64) -> ([u8; 2], usize) {
        let r = self.base.wrapping_add(message as u16);
        if self.width == 1 {
            ([r as u8, 0], 1)
        } else {
            (r.to_be_bytes(), 2)
        }
    }
}

/// One receipt outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptOutcome {
    /// The message id from submit_sm_resp.
    pub message_id: String,
    /// The final state word, or `None` when no receipt came in time.
    pub state: Option<String>,
    /// Where its answers are kept in [`SendOutcome::answers`].
    pub slot: usize,
}

/// Runs of at most this many message parts (count × parts per round) keep their answers per
/// message part; longer ones per part of the round, across messages.
pub const ITEMIZE_MAX: u64 = 100;

/// The final answers of one message part, or of one part of the round across every message
/// (see [`SendOutcome::itemized`]): counts, and the first PDU of each kind as evidence.
#[derive(Debug, Clone, Default)]
pub struct PartAnswers {
    /// Final answers by command_status (accepted, or rejected for good), with the first
    /// response of each status.
    pub statuses: BTreeMap<u32, (u64, Pdu)>,
    /// Requests given up for want of a response.
    pub unanswered: u64,
    /// Final receipts by state word, with the first receipt of each state.
    pub receipts: BTreeMap<String, (u64, Pdu)>,
}

impl PartAnswers {
    fn status(&mut self, pdu: &Pdu) {
        self.statuses
            .entry(pdu.command_status)
            .or_insert_with(|| (0, pdu.clone()))
            .0 += 1;
    }

    /// Final answers recorded (responses and silences).
    pub fn answered(&self) -> u64 {
        self.statuses.values().map(|(n, _)| n).sum::<u64>() + self.unanswered
    }
}

/// What a send run produced.
#[derive(Debug, Clone, Default)]
pub struct SendOutcome {
    /// Counters and latencies.
    pub summary: Summary,
    /// Message ids of accepted parts (only kept when waiting for receipts, else the first 16).
    pub message_ids: Vec<String>,
    /// Receipts by message id, in submission order (when waiting for receipts).
    pub receipts: Vec<ReceiptOutcome>,
    /// The first request given up for want of a response (see [`Summary::timed_out`]).
    pub first_unanswered: Option<super::Pending>,
    /// True when [`SendOutcome::answers`] has one entry per message part (message-major:
    /// message × parts per round + part); false when one per part of the round.
    pub itemized: bool,
    /// The final answers, per message part or per part of the round.
    pub answers: Vec<PartAnswers>,
}

/// Where the answers of the request tagged `tag` are kept in [`SendOutcome::answers`].
fn slot_of(itemized: bool, parts: usize, tag: u64) -> usize {
    let (message, part) = untag(tag);
    if itemized {
        message as usize * parts + part
    } else {
        part
    }
}

/// The answers kept for `plan`: one per message part when there are at most [`ITEMIZE_MAX`],
/// else one per part of the round.
fn answer_slots(plan: &SendPlan) -> (bool, Vec<PartAnswers>) {
    let parts = plan.parts.len().min(255);
    let total = plan.count.saturating_mul(parts as u64);
    let itemized = total <= ITEMIZE_MAX;
    let n = if itemized { total as usize } else { parts };
    (itemized, vec![PartAnswers::default(); n])
}

impl SendOutcome {
    /// True when every awaited receipt came with DELIVRD.
    pub fn all_delivered(&self) -> bool {
        self.receipts
            .iter()
            .all(|r| r.state.as_deref() == Some("DELIVRD"))
    }
}

/// message_state TLV values (SMPP 3.4 5.2.28) and the receipt words for them.
const MESSAGE_STATES: &[(u8, &str)] = &[
    (1, "ENROUTE"),
    (2, "DELIVRD"),
    (3, "EXPIRED"),
    (4, "DELETED"),
    (5, "UNDELIV"),
    (6, "ACCEPTD"),
    (7, "UNKNOWN"),
    (8, "REJECTD"),
    (9, "SKIPPED"),
];

/// receipted_message_id and message_state TLV tags.
use crate::spec::ids::tag::{
    MESSAGE_STATE as TAG_MESSAGE_STATE, RECEIPTED_MESSAGE_ID as TAG_RECEIPTED_MESSAGE_ID,
};

/// The message id and state word of a delivery receipt (deliver_sm or data_sm with esm_class
/// 0x04 or 0x08-type receipt bits), from the TLVs when present, else from the receipt text.
pub fn receipt_of(pdu: &Pdu) -> Option<(String, String)> {
    if pdu.command_id != id::DELIVER_SM && pdu.command_id != id::DATA_SM {
        return None;
    }
    let esm = pdu.int("esm_class").unwrap_or(0);
    let is_receipt = matches!(esm & 0x3C, 0x04 | 0x08 | 0x10 | 0x20);
    let tlv_id = pdu.tlv(TAG_RECEIPTED_MESSAGE_ID).map(|t| {
        let v = t.value.split(|b| *b == 0).next().unwrap_or_default();
        String::from_utf8_lossy(v).into_owned()
    });
    let tlv_state = pdu
        .tlv(TAG_MESSAGE_STATE)
        .and_then(|t| t.value.first().copied())
        .map(|s| {
            MESSAGE_STATES
                .iter()
                .find(|(v, _)| *v == s)
                .map_or_else(|| format!("state {s}"), |(_, w)| (*w).to_string())
        });
    if !is_receipt && tlv_id.is_none() {
        return None;
    }
    let text = pdu.string("short_message").unwrap_or_default();
    let (text_id, text_stat) = text_receipt(&text);
    let id = tlv_id.or(text_id)?;
    let state = tlv_state.or(text_stat).unwrap_or_else(|| "UNKNOWN".into());
    Some((id, state))
}

/// `id:` and `stat:` of a text receipt (appendix B style).
fn text_receipt(text: &str) -> (Option<String>, Option<String>) {
    let field = |key: &str| {
        let lower = text.to_ascii_lowercase();
        let at = lower
            .match_indices(key)
            .find(|(i, _)| *i == 0 || lower.as_bytes().get(i - 1) == Some(&b' '))?
            .0;
        let rest = text.get(at + key.len()..)?;
        let v: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
        (!v.is_empty()).then_some(v)
    };
    (field("id:"), field("stat:"))
}

/// Two message ids denote the same message (case and leading zeros ignored).
fn same_id(a: &str, b: &str) -> bool {
    let ka = a.trim_start_matches('0');
    let kb = b.trim_start_matches('0');
    ka.eq_ignore_ascii_case(kb)
}

const PART_BITS: u32 = 8;

fn tag_of(message: u64, part: usize) -> u64 {
    (message << PART_BITS) | part as u64
}

fn untag(tag: u64) -> (u64, usize) {
    (tag >> PART_BITS, (tag & 0xFF) as usize)
}

/// Failure history of a part that was rejected at least once.
#[derive(Debug, Clone, Copy)]
struct Failing {
    failures: u32,
    first: Instant,
}

/// A run that failed partway: the cause, and what was done until then (the summary's counts,
/// with [`Summary::unanswered`] the requests written and never answered).
#[derive(Debug)]
pub struct SendFailure {
    /// Why the run stopped.
    pub error: SessionError,
    /// The counts up to the failure.
    pub outcome: SendOutcome,
}

/// Run the plan on a bound session. `progress` is called after each response.
pub async fn run<S: AsyncRead + AsyncWrite + Unpin>(
    session: &mut Session<S>,
    plan: &SendPlan,
    progress: &mut dyn FnMut(&Summary),
) -> Result<SendOutcome, Box<SendFailure>> {
    let mut out = SendOutcome::default();
    match run_into(session, plan, progress, &mut out).await {
        Ok(()) => Ok(out),
        Err(error) => {
            session.set_read_coalescing(None);
            session.set_expire_overdue(false);
            out.summary.malformed = session.malformed;
            Err(Box::new(SendFailure {
                error,
                outcome: out,
            }))
        }
    }
}

async fn run_into<S: AsyncRead + AsyncWrite + Unpin>(
    session: &mut Session<S>,
    plan: &SendPlan,
    progress: &mut dyn FnMut(&Summary),
    out: &mut SendOutcome,
) -> Result<(), SessionError> {
    let window = plan.window.max(1);
    let parts = plan.parts.len().min(255);
    let mut pace = RateControl::new(plan.rate);
    let mut due: BinaryHeap<Reverse<(Instant, u64)>> = BinaryHeap::new();
    let mut failing: HashMap<u64, Failing> = HashMap::new();
    let mut awaiting: Vec<ReceiptOutcome> = Vec::new();
    let mut open_receipts = 0usize;
    let mut next_msg = 0u64;
    let mut next_part = 0usize;
    let mut first_sent: Option<Instant> = None;
    let mut last_sent = Instant::now();
    let mut last_response = Instant::now();
    let keep_ids = plan.wait_receipts.is_some();
    (out.itemized, out.answers) = answer_slots(plan);
    let itemized = out.itemized;
    session.set_read_coalescing(Coalesce::for_window(window));
    session.set_expire_overdue(true);

    loop {
        let now = Instant::now();
        past_deadline(plan, now)?;
        pace.tick(now);
        out.summary.rate = pace.rate();
        let new_left = next_msg < plan.count && parts > 0;
        if !new_left && due.is_empty() && session.in_flight() == 0 {
            break;
        }
        // Nothing more to send (retries aside): no request will carry our ACKs any more.
        session.set_ack_every_read(!new_left && due.is_empty());
        // Something to send now?
        let retry_ready = due.peek().is_some_and(|Reverse((t, _))| *t <= now);
        let window_free = session.in_flight() < window;
        // Wake for a retry only when it could be sent then: never for one already due (that
        // would spin), and not while the window is full (a response frees it and wakes us).
        let mut wake: Option<Instant> = due
            .peek()
            .map(|Reverse((t, _))| *t)
            .filter(|t| window_free && *t > now);
        // Refill the window as responses come (no batching: a peer with Nagle's algorithm on
        // would then wait for our delayed ACKs, about 40 ms per batch).
        if window_free && (retry_ready || new_left) {
            let wait = pace.limiter().map_or(Duration::ZERO, |l| l.wait_time(now));
            if wait.is_zero() {
                let tag = if retry_ready {
                    due.pop().map_or(0, |Reverse((_, t))| t)
                } else {
                    let t = tag_of(next_msg, next_part);
                    next_part += 1;
                    if next_part >= parts {
                        next_part = 0;
                        next_msg += 1;
                    }
                    t
                };
                let (message, part) = untag(tag);
                let bytes = plan.parts.get(part).map_or(&[][..], Vec::as_slice);
                match plan.refs.get(part).copied().flatten() {
                    Some(rp) if message > 0 => {
                        let (octets, n) = rp.octets(message);
                        session.send_patched(bytes, tag, Some((rp.offset, &octets[..n])))?;
                    }
                    _ => {
                        session.send_encoded(bytes, tag)?;
                    }
                }
                if let Some(l) = pace.limiter() {
                    l.consume(now);
                }
                let first = *first_sent.get_or_insert(now);
                last_sent = now;
                out.summary.sent += 1;
                out.summary.send_span = last_sent - first;
                continue;
            }
            let at = now + wait;
            wake = Some(wake.map_or(at, |w| w.min(at)));
        }
        match session.next_event(until_deadline(plan, wake)).await? {
            Event::Idle => {}
            Event::Unanswered(request) => {
                out.summary.timed_out += 1;
                out.first_unanswered.get_or_insert(request);
                failing.remove(&request.tag);
                if let Some(a) = out.answers.get_mut(slot_of(itemized, parts, request.tag)) {
                    a.unanswered += 1;
                }
                session.note(&Note::Unanswered {
                    request,
                    after: session.response_timeout(),
                });
                progress(&out.summary);
            }
            Event::Late { request, .. } => {
                out.summary.late += 1;
                session.note(&Note::Unmatched(format!(
                    "{} (sequence {}) answered after the response timeout: it stays counted \
                     as unanswered",
                    crate::spec::commands::name_of(request.command_id),
                    request.sequence
                )));
            }
            Event::Response { pdu, request, rtt } => {
                last_response = Instant::now();
                out.summary.elapsed = first_sent.map_or(Duration::ZERO, |t| last_response - t);
                out.summary.latency.record(rtt);
                let (message, part) = untag(request.tag);
                let status = pdu.command_status;
                let slot = slot_of(itemized, parts, request.tag);
                if status == 0 {
                    out.summary.accepted += 1;
                    failing.remove(&request.tag);
                    if let Some(a) = out.answers.get_mut(slot) {
                        a.status(&pdu);
                    }
                    if keep_ids || out.message_ids.len() < 16 {
                        let mid = pdu.string("message_id").unwrap_or_default();
                        if keep_ids {
                            awaiting.push(ReceiptOutcome {
                                message_id: mid.clone(),
                                state: None,
                                slot,
                            });
                            open_receipts += 1;
                        }
                        out.message_ids.push(mid);
                    }
                } else {
                    *out.summary.rejected.entry(status).or_insert(0) += 1;
                    let f = failing.entry(request.tag).or_insert(Failing {
                        failures: 0,
                        first: request.sent_at,
                    });
                    f.failures += 1;
                    let decision = plan.retry.decide(status, f.failures, f.first.elapsed());
                    // Only ESME_RTHROTTLED concerns the rate; ESME_RMSGQFUL and the rest concern
                    // one message, retried on the retry model's schedule.
                    if status == ESME_RTHROTTLED {
                        let secs = first_sent.map_or(1.0, |t| t.elapsed().as_secs_f64());
                        let observed = out.summary.sent as f64 / secs.max(0.001);
                        if let Some(rate) =
                            pace.throttled(Instant::now(), request.sent_at, observed)
                        {
                            session.note(&Note::SlowDown { rate });
                        }
                    }
                    match decision {
                        RetryDecision::RetryAfter(delay) => {
                            out.summary.retries += 1;
                            session.note(&Note::Retry {
                                message,
                                part: part as u32 + 1,
                                status,
                                failures: f.failures,
                                delay,
                            });
                            due.push(Reverse((Instant::now() + delay, request.tag)));
                        }
                        RetryDecision::GiveUp(reason) => {
                            out.summary.failed += 1;
                            failing.remove(&request.tag);
                            if let Some(a) = out.answers.get_mut(slot) {
                                a.status(&pdu);
                            }
                            session.note(&Note::GiveUp {
                                message,
                                part: part as u32 + 1,
                                status,
                                reason,
                            });
                        }
                    }
                }
                progress(&out.summary);
            }
            Event::Request(pdu) => {
                handle_request(session, &pdu, &mut awaiting, &mut open_receipts, out);
            }
            Event::PeerUnbound => {
                return Err(SessionError::Closed {
                    during: "(it sent unbind) while messages were still being sent".into(),
                    partial: vec![],
                })
            }
        }
    }
    session.set_read_coalescing(None);
    session.set_ack_every_read(false);
    session.set_expire_overdue(false);
    out.summary.elapsed = first_sent.map_or(Duration::ZERO, |t| last_response - t);
    out.summary.send_span = first_sent.map_or(Duration::ZERO, |t| last_sent - t);
    out.summary.malformed = session.malformed;

    if let Some(wait) = plan.wait_receipts {
        let until = Instant::now() + wait;
        while open_receipts > 0 {
            let event = session.next_event(until_deadline(plan, Some(until))).await;
            if let Err(e) = past_deadline(plan, Instant::now()) {
                out.summary.receipts_missing = open_receipts as u64;
                out.receipts = awaiting;
                return Err(e);
            }
            match event? {
                Event::Idle => break,
                Event::Request(pdu) => {
                    handle_request(session, &pdu, &mut awaiting, &mut open_receipts, out)
                }
                Event::PeerUnbound => {
                    return Err(SessionError::Closed {
                        during: "(it sent unbind) while we waited for receipts".into(),
                        partial: vec![],
                    })
                }
                Event::Response { .. } | Event::Unanswered(_) | Event::Late { .. } => {}
            }
        }
        out.summary.receipts_missing = open_receipts as u64;
        out.receipts = awaiting;
    }
    Ok(())
}

fn handle_request<S: AsyncRead + AsyncWrite + Unpin>(
    session: &mut Session<S>,
    pdu: &Pdu,
    awaiting: &mut [ReceiptOutcome],
    open: &mut usize,
    out: &mut SendOutcome,
) {
    let Some((mid, state)) = receipt_of(pdu) else {
        return;
    };
    let slot = awaiting
        .iter_mut()
        .find(|r| r.state.is_none() && same_id(&r.message_id, &mid));
    let ours = slot.is_some();
    if state != "ENROUTE" {
        if let Some(r) = slot {
            r.state = Some(state.clone());
            *open = open.saturating_sub(1);
            if let Some(a) = out.answers.get_mut(r.slot) {
                a.receipts
                    .entry(state.clone())
                    .or_insert_with(|| (0, pdu.clone()))
                    .0 += 1;
            }
        }
        *out.summary.receipts.entry(state.clone()).or_insert(0) += 1;
    }
    session.note(&Note::Receipt {
        message_id: mid,
        state,
        ours,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Header;
    use crate::session::retry::NoRetry;
    use crate::session::Silent;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A plan of `count` messages of one part, `window` in flight, nothing else set.
    fn plan(count: u64, window: usize) -> SendPlan {
        SendPlan {
            parts: vec![submit()],
            count,
            window,
            rate: None,
            retry: Box::new(NoRetry),
            wait_receipts: None,
            refs: vec![],
            deadline: None,
        }
    }

    /// A fake SMSC: answers every submit_sm, with `status_of(n)` for the n-th (1-based).
    async fn fake_smsc(
        mut io: tokio::io::DuplexStream,
        status_of: impl Fn(u64) -> u32,
        receipts: bool,
    ) -> u64 {
        let mut n = 0u64;
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            while buf.len() >= 16 {
                let len = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
                if buf.len() < len {
                    break;
                }
                let pdu: Vec<u8> = buf.drain(..len).collect();
                let h = Header::parse(&pdu).unwrap();
                if h.command_id == id::SUBMIT_SM {
                    n += 1;
                    let mut r = Pdu::new(id::SUBMIT_SM | id::RESP, h.sequence_number);
                    r.command_status = status_of(n);
                    if r.command_status == 0 {
                        r = r.with_str("message_id", format!("{n:x}"));
                    }
                    io.write_all(&r.encode().unwrap()).await.unwrap();
                    if receipts && r.command_status == 0 {
                        let d = Pdu::new(id::DELIVER_SM, 1000 + n as u32)
                            .with_int("esm_class", 4)
                            .with(
                                "short_message",
                                crate::codec::Value::Octets(
                                    format!("id:{n:x} sub:001 dlvrd:001 stat:DELIVRD err:000")
                                        .into_bytes(),
                                ),
                            );
                        io.write_all(&d.encode().unwrap()).await.unwrap();
                    }
                }
            }
            match io.read(&mut chunk).await {
                Ok(0) | Err(_) => return n,
                Ok(k) => buf.extend_from_slice(&chunk[..k]),
            }
        }
    }

    fn submit() -> Vec<u8> {
        Pdu::new(id::SUBMIT_SM, 0)
            .with_str("destination_addr", "123")
            .with("short_message", crate::codec::Value::Octets(b"hi".to_vec()))
            .encode()
            .unwrap()
    }

    struct Always(Duration);
    impl Retry for Always {
        fn decide(&self, _: u32, f: u32, _: Duration) -> RetryDecision {
            if f < 5 {
                RetryDecision::RetryAfter(self.0)
            } else {
                RetryDecision::GiveUp("too many".into())
            }
        }
    }

    #[tokio::test]
    async fn sends_count_with_window() {
        let (a, b) = tokio::io::duplex(1 << 16);
        let peer = tokio::spawn(fake_smsc(b, |_| 0, false));
        let mut s = Session::new(a, Box::new(Silent));
        let plan = plan(500, 7);
        let out = run(&mut s, &plan, &mut |_| {}).await.unwrap();
        assert_eq!(out.summary.sent, 500);
        assert_eq!(out.summary.accepted, 500);
        assert_eq!(out.summary.latency.count(), 500);
        drop(s);
        assert_eq!(peer.await.unwrap(), 500);
    }

    #[tokio::test(start_paused = true)]
    async fn large_window_with_read_coalescing_completes() {
        let (a, b) = tokio::io::duplex(1 << 16);
        let peer = tokio::spawn(fake_smsc(b, |_| 0, false));
        let mut s = Session::new(a, Box::new(Silent));
        let plan = plan(3000, 64);
        let out = run(&mut s, &plan, &mut |_| {}).await.unwrap();
        assert_eq!(out.summary.accepted, 3000);
        assert_eq!(out.message_ids.len(), 16);
        assert_eq!(out.message_ids.first().map(String::as_str), Some("1"));
        assert_eq!(s.in_flight(), 0);
        drop(s);
        assert_eq!(peer.await.unwrap(), 3000);
    }

    #[tokio::test]
    async fn rejections_without_retry_are_counted() {
        let (a, b) = tokio::io::duplex(1 << 16);
        tokio::spawn(fake_smsc(b, |n| if n % 3 == 0 { 0x58 } else { 0 }, false));
        let mut s = Session::new(a, Box::new(Silent));
        let plan = plan(9, 1);
        let out = run(&mut s, &plan, &mut |_| {}).await.unwrap();
        assert_eq!(out.summary.accepted, 6);
        assert_eq!(out.summary.rejected.get(&0x58), Some(&3));
        assert_eq!(out.summary.failed, 3);
    }

    #[tokio::test]
    async fn retries_until_accepted() {
        let (a, b) = tokio::io::duplex(1 << 16);
        tokio::spawn(fake_smsc(b, |n| if n <= 2 { 0x14 } else { 0 }, false));
        let mut s = Session::new(a, Box::new(Silent));
        let plan = SendPlan {
            retry: Box::new(Always(Duration::from_millis(5))),
            ..plan(3, 1)
        };
        let out = run(&mut s, &plan, &mut |_| {}).await.unwrap();
        assert_eq!(out.summary.accepted, 3);
        assert_eq!(out.summary.sent, 5);
        assert_eq!(out.summary.retries, 2);
        assert_eq!(out.summary.failed, 0);
    }

    #[tokio::test]
    async fn waits_for_receipts() {
        let (a, b) = tokio::io::duplex(1 << 16);
        tokio::spawn(fake_smsc(b, |_| 0, true));
        let mut s = Session::new(a, Box::new(Silent));
        let plan = SendPlan {
            parts: vec![submit(), submit()],
            wait_receipts: Some(Duration::from_secs(5)),
            ..plan(2, 2)
        };
        let out = run(&mut s, &plan, &mut |_| {}).await.unwrap();
        assert_eq!(out.receipts.len(), 4);
        assert!(out.all_delivered(), "{:?}", out.receipts);
        assert_eq!(out.summary.receipts.get("DELIVRD"), Some(&4));
    }

    /// A response overdue is given up (its slot freed, the run goes on), and its late arrival
    /// is not counted as an answer.
    #[tokio::test(start_paused = true)]
    async fn overdue_requests_are_given_up_and_late_answers_not_counted() {
        let (a, mut b) = tokio::io::duplex(1 << 16);
        let peer = tokio::spawn(async move {
            // Window 1: the second submit comes only once the first was given up.
            let first = read_request(&mut b).await;
            let second = read_request(&mut b).await;
            for seq in [first, second] {
                let r = Pdu::new(id::SUBMIT_SM | id::RESP, seq)
                    .with_str("message_id", format!("m{seq}"))
                    .encode()
                    .unwrap();
                b.write_all(&r).await.unwrap();
            }
            tokio::time::sleep(Duration::from_secs(60)).await;
        });
        let mut s = Session::new(a, Box::new(Silent)).with_response_timeout(Duration::from_secs(1));
        let plan = plan(2, 1);
        let t0 = Instant::now();
        let out = run(&mut s, &plan, &mut |_| {}).await.unwrap();
        assert_eq!(t0.elapsed(), Duration::from_secs(1));
        let sum = &out.summary;
        assert_eq!(
            (sum.sent, sum.accepted, sum.timed_out, sum.late),
            (2, 1, 1, 1)
        );
        assert_eq!(sum.unanswered(), 1);
        assert_eq!(out.message_ids, ["m2"]);
        assert_eq!(out.first_unanswered.map(|p| p.sequence), Some(1));
        peer.abort();
    }

    async fn read_request(io: &mut tokio::io::DuplexStream) -> u32 {
        let mut h = [0u8; 16];
        io.read_exact(&mut h).await.unwrap();
        let len = u32::from_be_bytes([h[0], h[1], h[2], h[3]]) as usize;
        let mut rest = vec![0u8; len - 16];
        io.read_exact(&mut rest).await.unwrap();
        Header::parse(&h).unwrap().sequence_number
    }

    #[tokio::test(start_paused = true)]
    async fn deadline_ends_the_run_with_the_counts_so_far() {
        let (a, b) = tokio::io::duplex(1 << 16);
        tokio::spawn(fake_smsc(b, |_| 0, false));
        let mut s = Session::new(a, Box::new(Silent));
        let plan = SendPlan {
            rate: Some(10.0),
            deadline: Some((
                Instant::now() + Duration::from_secs(2),
                Duration::from_secs(2),
            )),
            ..plan(1000, 1)
        };
        let err = run(&mut s, &plan, &mut |_| {}).await.unwrap_err();
        assert!(
            matches!(err.error, SessionError::Timeout { .. }),
            "{}",
            err.error
        );
        let sum = &err.outcome.summary;
        assert!((20..=22).contains(&sum.sent), "{}", sum.sent);
        assert_eq!(sum.accepted + sum.unanswered(), sum.sent);
    }

    #[test]
    fn receipt_from_tlvs_wins_over_text() {
        let p = Pdu::new(id::DELIVER_SM, 1)
            .with_int("esm_class", 4)
            .with(
                "short_message",
                crate::codec::Value::Octets(b"id:zzz stat:UNDELIV".to_vec()),
            )
            .with_tlv(TAG_RECEIPTED_MESSAGE_ID, b"m0001\0".to_vec())
            .with_tlv(TAG_MESSAGE_STATE, vec![2]);
        assert_eq!(receipt_of(&p), Some(("m0001".into(), "DELIVRD".into())));
        let t = Pdu::new(id::DELIVER_SM, 1).with_int("esm_class", 4).with(
            "short_message",
            crate::codec::Value::Octets(
                b"id:0A1 sub:001 submit date:2601011200 stat:EXPIRED".to_vec(),
            ),
        );
        assert_eq!(receipt_of(&t), Some(("0A1".into(), "EXPIRED".into())));
        let not = Pdu::new(id::DELIVER_SM, 1).with_int("esm_class", 0);
        assert_eq!(receipt_of(&not), None);
        assert!(same_id("000a1", "A1"));
    }

    #[tokio::test(start_paused = true)]
    async fn rate_is_applied() {
        let (a, b) = tokio::io::duplex(1 << 16);
        tokio::spawn(fake_smsc(b, |_| 0, false));
        let mut s = Session::new(a, Box::new(Silent));
        let plan = SendPlan {
            rate: Some(100.0),
            ..plan(201, 10)
        };
        let t0 = Instant::now();
        let out = run(&mut s, &plan, &mut |_| {}).await.unwrap();
        assert_eq!(out.summary.accepted, 201);
        let took = t0.elapsed().as_secs_f64();
        assert!((1.98..=2.01).contains(&took), "{took}");
        // 201 submissions, 200 intervals of 10 ms from the first to the last.
        let rate = out.summary.send_rate();
        assert!((rate - 100.0).abs() < 1.0, "{rate}");
    }
}
