//! One client connection: framing, the session state machine, and the answers.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use serde_json::json;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use crate::codec::text::decode_text;
use crate::codec::{decode_pdu, Header, Pdu, Value, MAX_PDU_LEN};
use crate::spec::commands;
use crate::spec::values::data_coding;
use crate::wire::framed::{sleep_until, write_by, FrameBuf, FrameError};

use super::output::{Counts, Dir};
use super::store::{part_info, Stored};
use super::{lock, next_seq, validate, BoundSession, FailedBind, Mode, Out, Shared, UNBIND_GRACE};

use crate::spec::ids::status::{
    ESME_RALYBND as RALYBND, ESME_RCANCELFAIL as RCANCELFAIL, ESME_RINVBNDSTS as RINVBNDSTS,
    ESME_RINVCMDID as RINVCMDID, ESME_RINVCMDLEN as RINVCMDLEN, ESME_RINVPASWD as RINVPASWD,
    ESME_RINVSYSID as RINVSYSID, ESME_ROK as ROK, ESME_RQUERYFAIL as RQUERYFAIL,
    ESME_RREPLACEFAIL as RREPLACEFAIL, ESME_RSYSERR as RSYSERR, ESME_RTHROTTLED as RTHROTTLED,
};
use crate::spec::ids::{cmd, tag};

/// What the reader does after a PDU.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    Continue,
    /// Close the connection (the writer writes what it holds first).
    Close,
    /// The writer was already told to close.
    Closed,
}

struct Session {
    id: u64,
    shared: Arc<Shared>,
    tx: mpsc::Sender<Out>,
    seq: Arc<AtomicU32>,
    bound: Option<(String, Mode)>,
    counts: Counts,
    answered_submits: u64,
    silent: bool,
    unbinding: Option<Instant>,
}

/// Requests that only a bound session may send (answered ESME_RINVBNDSTS before a bind, however
/// malformed).
fn needs_bind(command_id: u32) -> bool {
    matches!(
        command_id,
        cmd::SUBMIT_SM
            | cmd::DATA_SM
            | cmd::SUBMIT_MULTI
            | cmd::QUERY_SM
            | cmd::REPLACE_SM
            | cmd::CANCEL_SM
    )
}

/// What a session's timer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Timer {
    /// The client has not answered the server's unbind.
    Unbinding,
    /// The connection has not bound within `--bind-timeout`.
    Bind,
    /// Quiet for `--enquire-link`: send one.
    EnquireLink,
    /// Quiet for `--idle-timeout`: send enquire_link, close unless something comes back.
    Idle,
    /// Nothing came back after the idle enquire_link.
    Probe,
}

/// The deadlines of one connection: bind timeout, enquire_link interval, idle timeout.
struct Clock {
    opened: Instant,
    last_read: Instant,
    last_el: Instant,
    probing: Option<Instant>,
    bind_timeout: Duration,
    enquire_link: Option<Duration>,
    idle_timeout: Option<Duration>,
}

impl Clock {
    fn new(cfg: &super::Config) -> Clock {
        let now = Instant::now();
        Clock {
            opened: now,
            last_read: now,
            last_el: now,
            probing: None,
            bind_timeout: cfg.bind_timeout,
            enquire_link: cfg.enquire_link,
            idle_timeout: cfg.idle_timeout,
        }
    }

    /// Something was read.
    fn activity(&mut self) {
        self.last_read = Instant::now();
        self.probing = None;
    }

    /// The interval enquire_link was sent.
    fn activity_sent(&mut self) {
        self.last_el = Instant::now();
    }

    /// The idle enquire_link was sent.
    fn probe(&mut self) {
        let grace = self.idle_timeout.map_or(super::config::IDLE_PROBE, |i| {
            i.min(super::config::IDLE_PROBE)
        });
        self.probing = Some(Instant::now() + grace);
    }

    /// The next deadline and what it is for.
    fn next(&self, bound: bool, unbinding: Option<Instant>) -> (Instant, Timer) {
        if let Some(t) = unbinding {
            return (t, Timer::Unbinding);
        }
        let far = Instant::now() + Duration::from_secs(3600);
        let mut best = (far, Timer::EnquireLink);
        let mut consider = |at: Option<Instant>, why: Timer| {
            if let Some(at) = at {
                if at < best.0 {
                    best = (at, why);
                }
            }
        };
        if !bound {
            consider(Some(self.opened + self.bind_timeout), Timer::Bind);
        }
        let quiet_since = self.last_read.max(self.last_el);
        consider(
            self.enquire_link.map(|e| quiet_since + e),
            Timer::EnquireLink,
        );
        if bound {
            match self.probing {
                Some(p) => consider(Some(p), Timer::Probe),
                None => consider(self.idle_timeout.map(|i| self.last_read + i), Timer::Idle),
            }
        }
        best
    }
}

/// Serve one connection until it closes or the server stops.
pub(crate) async fn serve<S>(shared: Arc<Shared>, stream: S, peer: SocketAddr, local: SocketAddr)
where
    S: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    let id = shared.next_session.fetch_add(1, Ordering::Relaxed) + 1;
    shared.counters.sessions.fetch_add(1, Ordering::Relaxed);
    shared.log.session_start(id, peer, local);
    let (rd, wr) = tokio::io::split(stream);
    let (tx, rx) = mpsc::channel(shared.cfg.out_queue.max(1));
    let writer = {
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let counts = write_loop(wr, rx, shared.log.clone(), id, shared.cfg.idle_timeout).await;
            merge_counts(&shared, &counts);
        })
    };
    let mut s = Session {
        id,
        shared: Arc::clone(&shared),
        tx,
        seq: Arc::new(AtomicU32::new(0)),
        bound: None,
        counts: Counts::new(),
        answered_submits: 0,
        silent: false,
        unbinding: None,
    };
    let why = s.read_loop(rd).await;
    lock(&shared.bound).remove(&id);
    let counts = std::mem::take(&mut s.counts);
    drop(s);
    merge_counts(&shared, &counts);
    // The writer ends once every sender (this session's, pending receipts and delayed answers)
    // is gone and it wrote what it holds (it counts what it wrote itself); do not wait forever.
    let _ = tokio::time::timeout(Duration::from_secs(5), writer).await;
    shared.log.session_end(id, why);
}

/// Add one side of a session's PDU counts to the summary's.
fn merge_counts(shared: &Shared, counts: &Counts) {
    let mut g = lock(&shared.pdus);
    for (k, n) in counts {
        *g.entry(*k).or_default() += n;
    }
}

/// Delayed answers a session's writer holds at most (`--latency`); past that it stops taking
/// from the queue, the reader waits, and the client's own sends are held back by TCP.
const MAX_DELAYED: usize = 4096;

/// The writer writes at most about this many octets at once.
const WRITE_BATCH: usize = 16 * 1024;
/// A writer with nothing queued keeps at most this much buffer.
const IDLE_BUFFER: usize = 4 * 1024;

/// An answer waiting for its `--latency` delay: (due, arrival order, bytes, note).
type Delayed = Reverse<(tokio::time::Instant, u64, Vec<u8>, Option<String>)>;

/// The writer: writes what the reader queues, holding `--latency` answers until they are due.
/// At [`Out::Close`] / [`Out::Final`] it first writes every answer still held (so every request
/// read before an unbind is answered before unbind_resp), then closes.
async fn write_loop<W: AsyncWrite + Unpin>(
    mut w: W,
    mut rx: mpsc::Receiver<Out>,
    log: super::Log,
    id: u64,
    write_timeout: Option<Duration>,
) -> Counts {
    let mut counts = Counts::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut held: BinaryHeap<Delayed> = BinaryHeap::new();
    let mut order = 0u64;
    let mut last: Option<(Vec<u8>, Option<String>)> = None;
    let mut closing = false;
    let mut queue_open = true;
    let mut put = |buf: &mut Vec<u8>, b: &[u8], note: Option<&str>| {
        if let Some(h) = Header::parse(b) {
            *counts
                .entry((Dir::SmscToEsme, h.command_id, h.command_status))
                .or_default() += 1;
        }
        log.pdu(id, Dir::SmscToEsme, b, note);
        buf.extend_from_slice(b);
    };
    loop {
        if closing && held.is_empty() {
            break;
        }
        let next_due = held.peek().map(|Reverse((t, ..))| *t);
        let room = held.len() < MAX_DELAYED && !closing && queue_open;
        let item = tokio::select! {
            o = rx.recv(), if room => o,
            _ = sleep_until(next_due) => None,
        };
        match item {
            Some(o) => {
                let mut item = Some(o);
                while let Some(o) = item.take() {
                    match o {
                        Out::Pdu(b, note) => put(&mut buf, &b, note.as_deref()),
                        Out::Later(due, b, note) => {
                            order += 1;
                            held.push(Reverse((due, order, b, note)));
                        }
                        Out::Final(b, note) => {
                            last = Some((b, note));
                            closing = true;
                        }
                        Out::Close => closing = true,
                    }
                    if closing || buf.len() >= WRITE_BATCH || held.len() >= MAX_DELAYED {
                        break;
                    }
                    item = rx.try_recv().ok();
                }
            }
            None if next_due.is_none() => queue_open = false,
            None => {}
        }
        if !queue_open && held.is_empty() && buf.is_empty() {
            break;
        }
        // Everything due now (all of it when closing: the client is waiting for unbind_resp).
        let now = tokio::time::Instant::now();
        while let Some(Reverse((due, ..))) = held.peek() {
            if *due > now && !closing {
                break;
            }
            if *due > now {
                tokio::time::sleep_until(*due).await;
            }
            if let Some(Reverse((_, _, b, note))) = held.pop() {
                put(&mut buf, &b, note.as_deref());
            }
        }
        if closing {
            if let Some((b, note)) = last.take() {
                put(&mut buf, &b, note.as_deref());
            }
        }
        if !buf.is_empty() {
            let deadline = write_timeout.map(|t| tokio::time::Instant::now() + t);
            if let Err(e) = write_by(&mut w, &buf, deadline).await {
                if matches!(e, FrameError::Timeout) {
                    log.event(
                        id,
                        "write_timeout",
                        "the client reads nothing we write (--idle-timeout); closing the connection",
                        json!({}),
                    );
                }
                break;
            }
            buf.clear();
            if rx.is_empty() && buf.capacity() > IDLE_BUFFER {
                // Thousands of quiet connections must not each keep a batch's worth.
                buf = Vec::new();
            }
        }
    }
    let _ = w.shutdown().await;
    counts
}

impl Session {
    async fn read_loop<R: AsyncRead + Unpin>(&mut self, mut rd: R) -> &'static str {
        let mut fb = FrameBuf::new(MAX_PDU_LEN);
        let mut stop = self.shared.stop.clone();
        let mut stopping = *stop.borrow();
        let mut clock = Clock::new(&self.shared.cfg);
        if stopping {
            return "server stopping";
        }
        loop {
            // Every whole PDU in the buffer.
            loop {
                match fb.next_frame() {
                    Ok(Some(r)) => match self.handle(fb.get(r)).await {
                        Next::Continue => {}
                        Next::Close => {
                            let _ = self.tx.send(Out::Close).await;
                            return "closed by the server";
                        }
                        Next::Closed => return "closed by the server",
                    },
                    Ok(None) => break,
                    Err(FrameError::BadLength { length, received }) => {
                        self.framing_lost(&received, length).await;
                        return "framing lost (bad command_length)";
                    }
                    Err(_) => return "read error",
                }
            }
            if self.tx.is_closed() {
                return "the client stopped reading";
            }
            let (wake, why) = clock.next(self.bound.is_some(), self.unbinding);
            tokio::select! {
                r = fb.fill(&mut rd) => match r {
                    Ok(0) => return "peer closed the connection",
                    Ok(_) => clock.activity(),
                    Err(_) => return "read error",
                },
                _ = stop.changed(), if !stopping => {
                    stopping = true;
                    if self.bound.is_none() {
                        let _ = self.tx.send(Out::Close).await;
                        return "server stopping";
                    }
                    self.send_request(Pdu::new(cmd::UNBIND, 0), Some("server stopping")).await;
                    self.unbinding = Some(Instant::now() + UNBIND_GRACE);
                }
                _ = tokio::time::sleep_until(wake.into()) => {
                    if let Some(reason) = self.on_timer(why, &mut clock).await {
                        let _ = self.tx.send(Out::Close).await;
                        return reason;
                    }
                }
            }
        }
    }

    /// A timer of [`Clock`] fired: the reason to close, or `None` to go on.
    async fn on_timer(&mut self, why: Timer, clock: &mut Clock) -> Option<&'static str> {
        let cfg = &self.shared.cfg;
        match why {
            Timer::Unbinding => Some("no unbind_resp in time"),
            Timer::Bind => {
                let t = super::super::session::fmt_dur(cfg.bind_timeout);
                self.shared.log.event(
                    self.id,
                    "bind_timeout",
                    &format!("no bind within {t}; closing the connection"),
                    json!({"bind_timeout_s": cfg.bind_timeout.as_secs_f64()}),
                );
                Some("no bind in time")
            }
            Timer::Probe => {
                self.shared.log.event(
                    self.id,
                    "idle_timeout",
                    "idle: no answer to enquire_link; closing the connection",
                    json!({}),
                );
                Some("idle timeout")
            }
            Timer::Idle => {
                clock.probe();
                self.send_request(
                    Pdu::new(cmd::ENQUIRE_LINK, 0),
                    Some("idle timeout: is the client still there?"),
                )
                .await;
                None
            }
            Timer::EnquireLink => {
                clock.activity_sent();
                self.send_request(Pdu::new(cmd::ENQUIRE_LINK, 0), Some("session idle"))
                    .await;
                None
            }
        }
    }

    /// The stream cannot be framed: generic_nack ESME_RINVCMDLEN, then close.
    async fn framing_lost(&mut self, rest: &[u8], len: u32) {
        self.shared
            .counters
            .framing_errors
            .fetch_add(1, Ordering::Relaxed);
        let seq = Header::parse(rest).map_or(0, |h| h.sequence_number);
        let shown = rest.get(..rest.len().min(64)).unwrap_or_default();
        self.shared.log.malformed(self.id, shown, RINVCMDLEN);
        let nack = Pdu {
            command_status: RINVCMDLEN,
            ..Pdu::new(cmd::GENERIC_NACK, seq)
        };
        self.send(
            nack,
            Some(format!(
                "command_length {len} cannot be framed; closing the connection"
            )),
        )
        .await;
        let _ = self.tx.send(Out::Close).await;
    }

    async fn send(&self, p: Pdu, note: Option<String>) {
        if let Ok(b) = p.encode() {
            let _ = self.tx.send(Out::Pdu(b, note)).await;
        }
    }

    /// Send a request from the server with the next sequence number.
    async fn send_request(&self, mut p: Pdu, note: Option<&str>) {
        p.sequence_number = next_seq(&self.seq);
        self.send(p, note.map(str::to_string)).await;
    }

    /// Answer `req` with `resp` (status set), after `--latency`.
    async fn answer(&self, resp: Pdu, note: Option<String>) {
        let lat = self.shared.cfg.latency;
        if lat.is_zero() {
            return self.send(resp, note).await;
        }
        let due = tokio::time::Instant::now() + lat.delay(self.shared.roll());
        if let Ok(b) = resp.encode() {
            let _ = self.tx.send(Out::Later(due, b, note)).await;
        }
    }

    /// The response PDU for a request (generic_nack when the command has no response).
    fn resp(req: &Header, status: u32) -> Pdu {
        let rid = cmd::resp(req.command_id);
        let id = if commands::lookup(rid).is_some() && !commands::is_response(req.command_id) {
            rid
        } else {
            cmd::GENERIC_NACK
        };
        Pdu {
            command_status: status,
            ..Pdu::new(id, req.sequence_number)
        }
    }

    async fn error(&self, req: &Header, status: u32, note: impl Into<String>) {
        self.answer(Self::resp(req, status), Some(note.into()))
            .await;
    }

    async fn handle(&mut self, bytes: &[u8]) -> Next {
        let Some(h) = Header::parse(bytes) else {
            return Next::Continue;
        };
        *self
            .counts
            .entry((Dir::EsmeToSmsc, h.command_id, h.command_status))
            .or_default() += 1;
        if self.silent {
            self.shared.log.pdu(
                self.id,
                Dir::EsmeToSmsc,
                bytes,
                Some("not answered (--no-response-after)"),
            );
            return Next::Continue;
        }
        if commands::lookup(h.command_id).is_none() {
            self.shared.log.pdu(self.id, Dir::EsmeToSmsc, bytes, None);
            let nack = Pdu {
                command_status: RINVCMDID,
                ..Pdu::new(cmd::GENERIC_NACK, h.sequence_number)
            };
            self.answer(
                nack,
                Some(format!("unknown command_id 0x{:08X}", h.command_id)),
            )
            .await;
            return Next::Continue;
        }
        let pdu = match decode_pdu(bytes) {
            Ok(p) => p,
            Err(_) if commands::is_response(h.command_id) => {
                self.shared.log.malformed(self.id, bytes, ROK);
                return Next::Continue;
            }
            Err(e) => {
                let st = if self.bound.is_none() && needs_bind(h.command_id) {
                    RINVBNDSTS
                } else {
                    validate::malformed_status(bytes).unwrap_or(RSYSERR)
                };
                self.shared.log.malformed(self.id, bytes, st);
                self.error(&h, st, e.message).await;
                return Next::Continue;
            }
        };
        self.shared.log.pdu(self.id, Dir::EsmeToSmsc, bytes, None);
        match h.command_id {
            cmd::BIND_RECEIVER | cmd::BIND_TRANSMITTER | cmd::BIND_TRANSCEIVER => {
                return self.bind(&h, &pdu).await
            }
            cmd::UNBIND => {
                if self.bound.is_none() {
                    self.error(&h, RINVBNDSTS, "unbind in an unbound session")
                        .await;
                    return Next::Continue;
                }
                lock(&self.shared.bound).remove(&self.id);
                self.bound = None;
                // unbind_resp goes last, after every answer still held by --latency; the writer
                // then closes the connection.
                let lat = self.shared.cfg.latency;
                if !lat.is_zero() {
                    tokio::time::sleep(lat.delay(self.shared.roll())).await;
                }
                if let Ok(b) = Self::resp(&h, ROK).encode() {
                    let _ = self.tx.send(Out::Final(b, None)).await;
                }
                return Next::Closed;
            }
            cmd::ENQUIRE_LINK => self.answer(Self::resp(&h, ROK), None).await,
            cmd::SUBMIT_SM | cmd::DATA_SM | cmd::SUBMIT_MULTI => {
                return self.submit(&h, &pdu).await
            }
            cmd::QUERY_SM | cmd::REPLACE_SM | cmd::CANCEL_SM => self.store_op(&h, &pdu).await,
            cmd::UNBIND_RESP => {
                if self.unbinding.is_some() {
                    lock(&self.shared.bound).remove(&self.id);
                    self.bound = None;
                    return Next::Close;
                }
            }
            id if commands::is_response(id) => {}
            _ => {
                self.error(
                    &h,
                    RINVCMDID,
                    "an SMSC does not accept this command from an ESME",
                )
                .await
            }
        }
        Next::Continue
    }

    async fn bind(&mut self, h: &Header, p: &Pdu) -> Next {
        let Some(mode) = Mode::of_bind(h.command_id) else {
            return Next::Continue;
        };
        let sid = p.string("system_id").unwrap_or_default();
        let pw = p.string("password").unwrap_or_default();
        let refuse = |st: u32, why: String| (st, why);
        let cfg = &self.shared.cfg;
        let verdict: Result<(), (u32, String)> = if self.bound.is_some() {
            Err(refuse(RALYBND, "this session is already bound".into()))
        } else if let Some(st) = cfg.reject_bind {
            Err(refuse(st, "--reject-bind".into()))
        } else if cfg.accept_any {
            Ok(())
        } else {
            match cfg.accounts.iter().find(|a| a.system_id == sid) {
                None => Err(refuse(RINVSYSID, format!("no account {sid:?}"))),
                Some(a) if a.password != pw => {
                    Err(refuse(RINVPASWD, format!("wrong password for {sid:?}")))
                }
                Some(_) => Ok(()),
            }
        };
        let verdict = verdict.and_then(|()| {
            let max = cfg
                .accounts
                .iter()
                .find(|a| a.system_id == sid)
                .and_then(|a| a.max_binds);
            let mut reg = lock(&self.shared.bound);
            let n = reg.values().filter(|b| b.system_id == sid).count();
            if max.is_some_and(|m| n >= m as usize) {
                return Err(refuse(
                    RALYBND,
                    format!("{sid:?} already has {n} bound session(s), the most allowed"),
                ));
            }
            reg.insert(
                self.id,
                BoundSession {
                    system_id: sid.clone(),
                    mode,
                    tx: self.tx.clone(),
                    seq: Arc::clone(&self.seq),
                },
            );
            Ok(())
        });
        let c = &self.shared.counters;
        match verdict {
            Err((st, why)) => {
                c.binds_refused.fetch_add(1, Ordering::Relaxed);
                self.error(h, st, why).await;
                if st == RINVSYSID || st == RINVPASWD {
                    return self.after_failed_bind().await;
                }
            }
            Ok(()) => {
                c.binds.fetch_add(1, Ordering::Relaxed);
                self.bound = Some((sid.clone(), mode));
                let mut resp =
                    Self::resp(h, ROK).with_str("system_id", self.shared.cfg.system_id.as_str());
                if p.int("interface_version").unwrap_or(0) >= 0x34 {
                    resp = resp.with_tlv(tag::SC_INTERFACE_VERSION, vec![0x34]);
                }
                self.shared.log.event(
                    self.id,
                    "bind",
                    &format!("bound as {} system_id {sid:?}", mode.name()),
                    json!({"mode": mode.name(), "system_id": sid}),
                );
                self.answer(resp, None).await;
                if mode.can_receive() {
                    let queued = lock(&self.shared.pending_dlr).take(&sid);
                    for mut d in queued {
                        super::receipt::set_seq(&mut d, next_seq(&self.seq));
                        let _ = self
                            .tx
                            .send(Out::Pdu(d.into_vec(), Some("queued receipt".into())))
                            .await;
                    }
                }
            }
        }
        Next::Continue
    }

    /// `--failed-bind`: close the connection, or read nothing more for a while (password
    /// guessing costs time).
    async fn after_failed_bind(&self) -> Next {
        match self.shared.cfg.failed_bind {
            FailedBind::Close => {
                self.shared.log.event(
                    self.id,
                    "failed_bind",
                    "closing the connection after a failed bind (--failed-bind close)",
                    json!({"policy": "close"}),
                );
                Next::Close
            }
            FailedBind::Delay(d) => {
                tokio::time::sleep(d).await;
                Next::Continue
            }
        }
    }

    async fn submit(&mut self, h: &Header, p: &Pdu) -> Next {
        let Some((sid, mode)) = self.bound.clone() else {
            self.error(h, RINVBNDSTS, "not bound").await;
            return Next::Continue;
        };
        if !mode.can_submit() {
            self.error(h, RINVBNDSTS, "a receiver may not submit").await;
            return Next::Continue;
        }
        let cfg = &self.shared.cfg;
        if cfg.drop_after.is_some_and(|n| self.answered_submits >= n) {
            self.shared.log.event(
                self.id,
                "drop",
                "closing the connection (--drop-after)",
                json!({}),
            );
            return Next::Close;
        }
        if cfg
            .no_response_after
            .is_some_and(|n| self.answered_submits >= n)
        {
            self.silent = true;
            self.shared.log.event(
                self.id,
                "silent",
                "not answering any more (--no-response-after)",
                json!({}),
            );
            return Next::Continue;
        }
        self.answered_submits += 1;
        let n = self.shared.submits.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(st) = validate::semantic_status(p) {
            self.error(h, st, "invalid field").await;
            return Next::Continue;
        }
        if !self.shared.take_token(&sid) {
            let tps = cfg.max_tps.unwrap_or(0);
            self.error(h, RTHROTTLED, format!("over --max-tps {tps}"))
                .await;
            return Next::Continue;
        }
        for rule in &cfg.fail {
            let roll = match rule.trigger {
                super::Trigger::Prob(_) => self.shared.roll(),
                _ => 0.0,
            };
            if rule.fires(n, roll) {
                self.error(h, rule.status, format!("--fail {} (#{n})", rule.trigger))
                    .await;
                return Next::Continue;
            }
        }
        self.accept(h, p, &sid).await;
        Next::Continue
    }

    async fn accept(&mut self, h: &Header, p: &Pdu, sid: &str) {
        let payload: Vec<u8> = match p.tlv(tag::MESSAGE_PAYLOAD) {
            Some(t) => t.value.clone(),
            None => p.bytes("short_message").unwrap_or_default().to_vec(),
        };
        let source = p.bytes("source_addr").unwrap_or_default().to_vec();
        let dest = match p.fields.get("dest_address") {
            Some(Value::Dests(d)) => match d.first() {
                Some(crate::codec::Dest::Sme { addr, .. }) => addr.clone(),
                Some(crate::codec::Dest::List(n)) => n.clone(),
                None => vec![],
            },
            _ => p.bytes("destination_addr").unwrap_or_default().to_vec(),
        };
        let dc = p.int("data_coding").unwrap_or(0) as u8;
        let part = part_info(p, &payload);
        let text_part = payload
            .get(part.map_or(0, |i| i.udh_len)..)
            .unwrap_or_default();
        let text: Vec<u8> = text_part.iter().take(160).copied().collect();
        let id = lock(&self.shared.store).insert(Stored::new(sid, &source, &dest, &text, dc));
        self.shared
            .counters
            .messages
            .fetch_add(1, Ordering::Relaxed);
        let mut resp = Self::resp(h, ROK).with_str("message_id", id.as_str());
        if h.command_id == cmd::SUBMIT_MULTI {
            resp = resp.with("unsuccess_sme", Value::Unsuccess(vec![]));
        }
        self.answer(resp, None).await;

        let log = &self.shared.log;
        let whole = match part {
            Some(info) => {
                lock(&self.shared.reassembly).add(sid, &source, &dest, info, &payload, &id)
            }
            // message_payload carries a long message in one PDU.
            None if p.tlv(tag::MESSAGE_PAYLOAD).is_some() && payload.len() > 160 => {
                Some(super::store::Whole {
                    data: payload.clone(),
                    parts: 1,
                    ids: vec![id.clone()],
                })
            }
            None => None,
        };
        {
            if let Some(w) = whole {
                self.shared
                    .counters
                    .long_messages
                    .fetch_add(1, Ordering::Relaxed);
                if log.enabled() {
                    let text = decode_text(&w.data, data_coding(dc).charset).text;
                    let shown = text.unwrap_or_else(|| hex::encode_upper(&w.data));
                    log.event(
                        self.id,
                        "message",
                        &format!(
                            "long message from {} to {} in {} part(s) ({} octets): {shown:?}",
                            String::from_utf8_lossy(&source),
                            String::from_utf8_lossy(&dest),
                            w.parts,
                            w.data.len()
                        ),
                        json!({"from": String::from_utf8_lossy(&source), "to": String::from_utf8_lossy(&dest),
                               "parts": w.parts, "octets": w.data.len(), "text": shown, "message_ids": w.ids}),
                    );
                }
            }
        }
        if !self.shared.cfg.no_dlr {
            let rd = p.int("registered_delivery").unwrap_or(0) & 0x03;
            super::receipt::schedule(&self.shared, self.id, id, rd);
        }
    }

    async fn store_op(&mut self, h: &Header, p: &Pdu) {
        let Some((sid, mode)) = self.bound.clone() else {
            self.error(h, RINVBNDSTS, "not bound").await;
            return;
        };
        if !mode.can_submit() {
            self.error(h, RINVBNDSTS, "a receiver may not do this")
                .await;
            return;
        }
        let id = p.string("message_id").unwrap_or_default();
        let (st, resp) = {
            let mut store = lock(&self.shared.store);
            let found = store.get_mut(&id).filter(|m| m.system_id() == sid);
            match (h.command_id, found) {
                (cmd::QUERY_SM, None) => (RQUERYFAIL, None),
                (cmd::QUERY_SM, Some(m)) => {
                    let fd = m
                        .done
                        .and_then(|t| crate::codec::time::format_absolute(t, 0).ok())
                        .unwrap_or_default();
                    (
                        ROK,
                        Some(
                            Self::resp(h, ROK)
                                .with_str("message_id", id.as_str())
                                .with_str("final_date", fd)
                                .with_int("message_state", u32::from(m.state))
                                .with_int("error_code", u32::from(m.error)),
                        ),
                    )
                }
                (cmd::CANCEL_SM, Some(m)) if m.state == 1 => {
                    m.state = 4;
                    m.done = Some(SystemTime::now());
                    (ROK, None)
                }
                (cmd::CANCEL_SM, _) => (RCANCELFAIL, None),
                (cmd::REPLACE_SM, Some(m)) if m.state == 1 => {
                    let text = p.bytes("short_message").unwrap_or_default();
                    m.set_text(text.get(..text.len().min(160)).unwrap_or_default());
                    (ROK, None)
                }
                _ => (RREPLACEFAIL, None),
            }
        };
        let note = (st != ROK).then(|| format!("message_id {id:?} unknown or already final"));
        let resp = resp.unwrap_or_else(|| Self::resp(h, st));
        self.answer(resp, note).await;
    }
}
