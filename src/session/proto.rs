//! The session proper: one task owns the stream, writes requests into a buffer, reads and frames
//! what comes back, matches responses to requests by sequence number, answers the requests SMPP
//! lets the SMSC send at any time, and enforces the response timeout.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::watch;
use tokio::time::Instant;

use std::ops::Range;

use crate::codec::{decode_pdu_fast, Header, Pdu, MAX_PDU_LEN};
use crate::spec::commands;
use crate::wire::framed::{sleep_until, write_by, FrameBuf, FrameError};

use super::conn::TcpHandle;
use super::seq::SeqGen;
use super::{Direction, Note, Observer, SessionError};

/// command_id values the session itself uses: the spec's named constants.
pub(crate) mod id {
    pub use crate::spec::ids::cmd::*;
    /// The response bit.
    pub const RESP: u32 = RESPONSE_BIT;
}

use crate::spec::ids::status::ESME_RINVCMDID;

/// How the session answers a request from the peer: one row per command.
/// `(command_id, answer with this response id (0 = no answer), ends the session)`.
const PEER_REQUESTS: &[(u32, u32, bool)] = &[
    (id::ENQUIRE_LINK, id::ENQUIRE_LINK | id::RESP, false),
    (id::DELIVER_SM, id::DELIVER_SM | id::RESP, false),
    (id::DATA_SM, id::DATA_SM | id::RESP, false),
    (id::ALERT_NOTIFICATION, 0, false),
    (id::UNBIND, id::UNBIND | id::RESP, true),
];

/// Bind mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindMode {
    /// bind_transmitter: send only.
    Tx,
    /// bind_receiver: receive only.
    Rx,
    /// bind_transceiver: both.
    Trx,
}

impl BindMode {
    /// The bind command_id.
    pub fn command_id(self) -> u32 {
        match self {
            BindMode::Tx => id::BIND_TRANSMITTER,
            BindMode::Rx => id::BIND_RECEIVER,
            BindMode::Trx => id::BIND_TRANSCEIVER,
        }
    }
}

/// What goes into the bind PDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindParams {
    /// Bind mode.
    pub mode: BindMode,
    /// system_id.
    pub system_id: String,
    /// password.
    pub password: String,
    /// system_type.
    pub system_type: String,
    /// interface_version (0x34, 0x50).
    pub interface_version: u8,
    /// addr_ton.
    pub addr_ton: u8,
    /// addr_npi.
    pub addr_npi: u8,
    /// address_range.
    pub address_range: String,
}

impl BindParams {
    /// The bind PDU (sequence number 0: the session assigns it).
    pub fn pdu(&self) -> Pdu {
        Pdu::new(self.mode.command_id(), 0)
            .with_str("system_id", &self.system_id)
            .with_str("password", &self.password)
            .with_str("system_type", &self.system_type)
            .with_int("interface_version", u32::from(self.interface_version))
            .with_int("addr_ton", u32::from(self.addr_ton))
            .with_int("addr_npi", u32::from(self.addr_npi))
            .with_str("address_range", &self.address_range)
    }
}

/// A request in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pending {
    /// Its command_id.
    pub command_id: u32,
    /// Its sequence number.
    pub sequence: u32,
    /// When it was written.
    pub sent_at: Instant,
    /// The caller's tag (the send engine's message and part).
    pub tag: u64,
}

/// What [`Session::next_event`] returns.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The response to a request in flight (a generic_nack with its sequence number included).
    Response {
        /// The response (header fields only when its body was malformed).
        pdu: Pdu,
        /// The request it answers.
        request: Pending,
        /// Round-trip time.
        rtt: Duration,
    },
    /// A request from the peer, already answered when SMPP wants an answer.
    Request(Pdu),
    /// The peer sent unbind; we answered, the session is over.
    PeerUnbound,
    /// The caller's deadline passed with nothing to report.
    Idle,
    /// With [`Session::set_expire_overdue`]: no response came within the response timeout; the
    /// request left the window (its slot is free) and counts as unanswered.
    Unanswered(Pending),
    /// With [`Session::set_expire_overdue`]: the response to a request that had already been
    /// given up as [`Event::Unanswered`] (it is not counted again).
    Late {
        /// The response.
        pdu: Pdu,
        /// The request it answers.
        request: Pending,
    },
}

/// Requests given up as unanswered, remembered so that their late responses are recognised
/// (bounded: the oldest are forgotten first).
#[derive(Debug, Default)]
struct Expired {
    order: VecDeque<u32>,
    by_seq: HashMap<u32, Pending>,
}

impl Expired {
    /// How many expired requests are remembered at most.
    const CAPACITY: usize = 1 << 16;

    fn insert(&mut self, p: Pending) {
        if self.order.len() >= Self::CAPACITY {
            if let Some(old) = self.order.pop_front() {
                self.by_seq.remove(&old);
            }
        }
        self.order.push_back(p.sequence);
        self.by_seq.insert(p.sequence, p);
    }

    fn take(&mut self, seq: u32) -> Option<Pending> {
        self.by_seq.remove(&seq)
    }
}

/// Why [`Session::read_frame`] returned.
enum Wake {
    /// A whole PDU is buffered at this range.
    Frame(Range<usize>),
    /// The caller's deadline passed.
    Deadline,
    /// A request's response is overdue (only with [`Session::set_expire_overdue`]).
    Overdue,
}

/// The result of [`Session::unbind`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnbindReport {
    /// unbind_resp command_status.
    pub status: u32,
    /// Sequence number of our unbind (unbind_resp was matched to it).
    pub sequence: u32,
    /// Round-trip time.
    pub rtt: Duration,
    /// True when the peer closed the connection after unbind_resp; false when we had to.
    pub closed_by_peer: bool,
    /// The unbind_resp (`None` when the peer sent its own unbind instead).
    pub response: Option<Pdu>,
}

/// Read coalescing, for load runs (see [`Session::set_read_coalescing`]).
///
/// Many SMSCs write each response on its own, so a client that reads as soon as anything
/// arrives wakes up once or twice per response: a system call or three and a context switch
/// per message, for both sides. When the peer has plenty of requests queued, letting responses
/// gather for a moment before reading costs no throughput (the peer keeps working meanwhile)
/// and lets one read, and the one write of new requests that follows it, carry many PDUs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coalesce {
    /// Gather only while at least this many requests are in flight.
    pub min_in_flight: usize,
    /// Gather only when the previous read brought fewer than this many responses.
    pub small_read: usize,
    /// How long to let responses gather (rounded up to the timer's millisecond).
    pub delay: Duration,
}

impl Coalesce {
    /// The setting for a window of `window` requests: gather while at least half of it is in
    /// flight and the previous read brought fewer than an eighth of it; `None` for windows below
    /// 8 (nothing to gather).
    pub fn for_window(window: usize) -> Option<Coalesce> {
        (window >= 8).then(|| Coalesce {
            min_in_flight: window / 2,
            small_read: window / 8,
            delay: Duration::from_micros(500),
        })
    }
}

/// One SMPP session over a byte stream.
pub struct Session<S> {
    stream: S,
    rb: FrameBuf,
    wbuf: Vec<u8>,
    seq: SeqGen,
    pending: HashMap<u32, Pending>,
    deadlines: VecDeque<(u32, Instant)>,
    backlog: VecDeque<Event>,
    start: Instant,
    response_timeout: Duration,
    observer: Box<dyn Observer>,
    interrupt: Option<watch::Receiver<bool>>,
    coalesce: Option<Coalesce>,
    responses_since_read: usize,
    tcp: Option<TcpHandle>,
    ack_every_read: bool,
    expire_overdue: bool,
    expired: Expired,
    /// PDUs from the peer that failed strict decoding.
    pub malformed: u64,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Session<S> {
    /// A session over `stream`; every PDU is shown to `observer`.
    pub fn new(stream: S, observer: Box<dyn Observer>) -> Self {
        Session {
            stream,
            rb: FrameBuf::new(MAX_PDU_LEN),
            wbuf: Vec::with_capacity(16 * 1024),
            seq: SeqGen::default(),
            pending: HashMap::new(),
            deadlines: VecDeque::new(),
            backlog: VecDeque::new(),
            start: Instant::now(),
            response_timeout: Duration::from_secs(10),
            observer,
            interrupt: None,
            coalesce: None,
            responses_since_read: 0,
            tcp: None,
            ack_every_read: false,
            expire_overdue: false,
            expired: Expired::default(),
            malformed: 0,
        }
    }

    /// Set the response timeout (default 10 s).
    pub fn with_response_timeout(mut self, t: Duration) -> Self {
        self.response_timeout = t;
        self
    }

    /// Let responses gather before reading while the peer is busy (see [`Coalesce`]); `None`
    /// reads as soon as anything arrives (the default).
    pub fn set_read_coalescing(&mut self, c: Option<Coalesce>) {
        self.coalesce = c;
    }

    /// The TCP socket under the stream, for [`Session::set_ack_every_read`].
    pub fn with_tcp(mut self, tcp: Option<TcpHandle>) -> Self {
        self.tcp = tcp;
        self
    }

    /// Acknowledge what is read at once (see [`TcpHandle::quickack`]): for the tail of a run,
    /// when no more requests will carry our ACKs. Needs [`Session::with_tcp`]; one more system
    /// call per read.
    pub fn set_ack_every_read(&mut self, on: bool) {
        self.ack_every_read = on;
    }

    /// How an overdue response is treated: `false` (the default) fails the session with
    /// [`SessionError::ResponseTimeout`]; `true` gives the request up as [`Event::Unanswered`],
    /// frees its window slot and goes on (the send engine, so that a run reaches its end).
    pub fn set_expire_overdue(&mut self, on: bool) {
        self.expire_overdue = on;
    }

    /// Start sequence numbers at `first` (tests of the wrap-around).
    pub fn with_first_sequence(mut self, first: u32) -> Self {
        self.seq = SeqGen::starting_at(first);
        self
    }

    /// Stop waiting with [`SessionError::Interrupted`] once `rx` turns true (Ctrl-C).
    pub fn with_interrupt(mut self, rx: watch::Receiver<bool>) -> Self {
        self.interrupt = Some(rx);
        self
    }

    /// Stop listening for interrupts (during the unbind that follows one).
    pub fn clear_interrupt(&mut self) {
        self.interrupt = None;
    }

    /// Time since the session started.
    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// The response timeout.
    pub fn response_timeout(&self) -> Duration {
        self.response_timeout
    }

    /// Requests in flight.
    pub fn in_flight(&self) -> usize {
        self.pending.len()
    }

    /// Show a note to the observer.
    pub fn note(&mut self, note: &Note) {
        let at = self.start.elapsed();
        self.observer.note(at, note);
    }

    /// Queue a request (its sequence number is assigned here); returns the sequence number.
    /// It is written on the next [`Session::flush`] or when waiting for events.
    pub fn send(&mut self, pdu: &Pdu, tag: u64) -> Result<u32, SessionError> {
        let bytes = pdu.encode()?;
        self.send_encoded(&bytes, tag)
    }

    /// Queue an already encoded request; its sequence number field is overwritten.
    pub fn send_encoded(&mut self, template: &[u8], tag: u64) -> Result<u32, SessionError> {
        self.send_patched(template, tag, None)
    }

    /// Like [`Session::send_encoded`], also overwriting the octets at `patch.0` with `patch.1`
    /// (the send engine's per-message concatenation reference).
    pub fn send_patched(
        &mut self,
        template: &[u8],
        tag: u64,
        patch: Option<(usize, &[u8])>,
    ) -> Result<u32, SessionError> {
        let header = Header::parse(template).ok_or(SessionError::Encode(
            crate::codec::EncodeError::WrongType("header"),
        ))?;
        let seq = self.seq.next_seq();
        let at = self.wbuf.len();
        self.wbuf.extend_from_slice(template);
        if let Some(s) = self.wbuf.get_mut(at + 12..at + 16) {
            s.copy_from_slice(&seq.to_be_bytes());
        }
        if let Some((off, b)) = patch {
            if off >= 16 {
                if let Some(s) = self.wbuf.get_mut(at + off..at + off + b.len()) {
                    s.copy_from_slice(b);
                }
            }
        }
        let now = Instant::now();
        if let Some(bytes) = self.wbuf.get(at..) {
            self.observer
                .pdu(Direction::EsmeToSmsc, bytes, now - self.start, None);
        }
        let p = Pending {
            command_id: header.command_id,
            sequence: seq,
            sent_at: now,
            tag,
        };
        self.pending.insert(seq, p);
        self.deadlines.push_back((seq, now + self.response_timeout));
        Ok(seq)
    }

    /// Write everything queued, within the response timeout: a peer that stops reading (its
    /// receive window full) fails the session with [`SessionError::WriteTimeout`] instead of
    /// blocking it forever. Ctrl-C interrupts the write too.
    pub async fn flush(&mut self) -> Result<(), SessionError> {
        let deadline = Instant::now() + self.response_timeout;
        let interrupt = self.interrupt.clone();
        let written = tokio::select! {
            r = write_by(&mut self.stream, &self.wbuf, Some(deadline)) => r,
            _ = interrupted(interrupt) => return Err(SessionError::Interrupted),
        };
        match written {
            Ok(()) => {
                self.wbuf.clear();
                Ok(())
            }
            Err(FrameError::Timeout) => Err(SessionError::WriteTimeout {
                octets: self.wbuf.len(),
                after: self.response_timeout,
            }),
            Err(FrameError::Io(e)) => Err(SessionError::Io(e)),
            Err(e) => Err(SessionError::Io(std::io::Error::other(e.to_string()))),
        }
    }

    /// Queue a response to a peer request and write it at once.
    async fn answer(&mut self, pdu: &Pdu) -> Result<(), SessionError> {
        let bytes = pdu.encode()?;
        self.observer
            .pdu(Direction::EsmeToSmsc, &bytes, self.start.elapsed(), None);
        self.wbuf.extend_from_slice(&bytes);
        self.flush().await
    }

    /// Send a request and wait for its response; other events that arrive meanwhile are kept
    /// for [`Session::next_event`].
    pub async fn request(&mut self, pdu: &Pdu) -> Result<(Pdu, Duration), SessionError> {
        let seq = self.send(pdu, u64::MAX)?;
        loop {
            match self.wait_event(None).await? {
                Event::Response { pdu, request, rtt } if request.sequence == seq => {
                    return Ok((pdu, rtt))
                }
                Event::PeerUnbound => {
                    return Err(SessionError::Closed {
                        during: format!(
                            "(it sent unbind) while we waited for {}",
                            commands::name_of(pdu.command_id | id::RESP)
                        ),
                        partial: vec![],
                    })
                }
                other => self.backlog.push_back(other),
            }
        }
    }

    /// Bind. Returns the bind response (check its command_status).
    pub async fn bind(&mut self, params: &BindParams) -> Result<(Pdu, Duration), SessionError> {
        self.request(&params.pdu()).await
    }

    /// The next event: a response, a peer request (already answered), the peer's unbind, or
    /// [`Event::Idle`] when `deadline` passes. Fails when a request's response is overdue.
    pub async fn next_event(&mut self, deadline: Option<Instant>) -> Result<Event, SessionError> {
        if let Some(e) = self.backlog.pop_front() {
            return Ok(e);
        }
        self.wait_event(deadline).await
    }

    async fn wait_event(&mut self, deadline: Option<Instant>) -> Result<Event, SessionError> {
        loop {
            let range = match self.read_frame(deadline).await? {
                Wake::Frame(range) => range,
                Wake::Deadline => return Ok(Event::Idle),
                Wake::Overdue => match self.expire_first_overdue() {
                    Some(p) => return Ok(Event::Unanswered(p)),
                    None => continue,
                },
            };
            let now = Instant::now();
            let frame = self.rb.get(range);
            let header = Header::parse(frame).unwrap_or_default();
            let matched = if commands::is_response(header.command_id) {
                self.pending.remove(&header.sequence_number)
            } else {
                None
            };
            let rtt = matched.map(|p| now - p.sent_at);
            if matched.is_some() {
                self.responses_since_read += 1;
            }
            self.observer
                .pdu(Direction::SmscToEsme, frame, now - self.start, rtt);
            let pdu = match decode_pdu_fast(frame) {
                Ok(p) => p,
                Err(e) => {
                    self.malformed += 1;
                    let at = now - self.start;
                    self.observer.note(at, &Note::Malformed(e.to_string()));
                    let mut p = Pdu::new(header.command_id, header.sequence_number);
                    p.command_status = header.command_status;
                    p
                }
            };
            if commands::is_response(header.command_id) {
                match matched {
                    Some(request) if !answers(header.command_id, request.command_id) => {
                        return Err(SessionError::WrongResponse {
                            request: commands::name_of(request.command_id),
                            sequence: header.sequence_number,
                            command: commands::name_of(header.command_id),
                            received: frame.to_vec(),
                        })
                    }
                    Some(request) => {
                        return Ok(Event::Response {
                            pdu,
                            request,
                            rtt: rtt.unwrap_or_default(),
                        })
                    }
                    None if self.expire_overdue
                        && self.expired.by_seq.contains_key(&header.sequence_number) =>
                    {
                        if let Some(request) = self.expired.take(header.sequence_number) {
                            return Ok(Event::Late { pdu, request });
                        }
                        continue;
                    }
                    None if header.command_id == id::GENERIC_NACK => {
                        let at = now - self.start;
                        self.observer.note(
                            at,
                            &Note::Unmatched(format!(
                                "generic_nack with sequence number {} matches no request in flight",
                                header.sequence_number
                            )),
                        );
                        continue;
                    }
                    None => {
                        return Err(SessionError::UnexpectedResponse {
                            command: commands::name_of(header.command_id),
                            sequence: header.sequence_number,
                            received: frame.to_vec(),
                        })
                    }
                }
            }
            let row = PEER_REQUESTS.iter().find(|r| r.0 == header.command_id);
            let (answer_id, ends) = match row {
                Some(&(_, a, e)) => (a, e),
                None => (id::GENERIC_NACK, false),
            };
            if answer_id != 0 {
                let mut resp = Pdu::new(answer_id, header.sequence_number);
                if answer_id == id::GENERIC_NACK {
                    resp.command_status = ESME_RINVCMDID;
                }
                self.answer(&resp).await?;
            }
            if ends {
                return Ok(Event::PeerUnbound);
            }
            return Ok(Event::Request(pdu));
        }
    }

    /// Read until one whole PDU is buffered ([`Wake::Frame`]), `deadline` passes
    /// ([`Wake::Deadline`]) or, in expire mode, a response is overdue ([`Wake::Overdue`]).
    async fn read_frame(&mut self, deadline: Option<Instant>) -> Result<Wake, SessionError> {
        loop {
            match self.rb.next_frame() {
                Ok(Some(r)) => return Ok(Wake::Frame(r)),
                Ok(None) => {}
                Err(FrameError::BadLength { length, received }) => {
                    return Err(SessionError::Frame { length, received })
                }
                Err(e) => return Err(SessionError::Io(std::io::Error::other(e.to_string()))),
            }
            if self.rb.eof() {
                return Err(self.closed_error(self.rb.pending().to_vec()));
            }
            // Buffered frames first: a response that came in time is never counted overdue.
            if self.expire_overdue
                && self
                    .earliest_deadline()
                    .is_some_and(|(_, at)| at <= Instant::now())
            {
                return Ok(Wake::Overdue);
            }
            // About to block: write what is queued first.
            if !self.wbuf.is_empty() {
                self.flush().await?;
            }
            let overdue = self.earliest_deadline();
            let wake = match (overdue, deadline) {
                (Some((_, a)), Some(b)) => Some(a.min(b)),
                (Some((_, a)), None) => Some(a),
                (None, b) => b,
            };
            let small = std::mem::take(&mut self.responses_since_read);
            if let Some(c) = self.coalesce {
                if small < c.small_read && self.pending.len() >= c.min_in_flight {
                    let until = Instant::now() + c.delay;
                    tokio::time::sleep_until(wake.map_or(until, |w| w.min(until))).await;
                }
            }
            let interrupt = self.interrupt.clone();
            let read = tokio::select! {
                r = self.rb.fill(&mut self.stream) => Some(r),
                _ = sleep_until(wake) => None,
                _ = interrupted(interrupt) => return Err(SessionError::Interrupted),
            };
            match read {
                Some(Ok(0)) => {}
                Some(Ok(_)) => {
                    if self.ack_every_read {
                        if let Some(t) = &self.tcp {
                            t.quickack();
                        }
                    }
                }
                Some(Err(e)) => return Err(SessionError::Io(e)),
                None => {
                    let now = Instant::now();
                    if let Some((seq, at)) = self.earliest_deadline() {
                        if at <= now && self.expire_overdue {
                            return Ok(Wake::Overdue);
                        }
                        if at <= now {
                            let cmd = self.pending.get(&seq).map_or(0, |p| p.command_id);
                            return Err(SessionError::ResponseTimeout {
                                command: commands::name_of(cmd | id::RESP),
                                sequence: seq,
                                after: self.response_timeout,
                            });
                        }
                    }
                    if deadline.is_some_and(|d| d <= now) {
                        return Ok(Wake::Deadline);
                    }
                }
            }
        }
    }

    fn closed_error(&self, partial: Vec<u8>) -> SessionError {
        let during = match self.pending.values().min_by_key(|p| p.sent_at) {
            Some(p) => format!(
                "while we waited for {} (sequence {})",
                commands::name_of(p.command_id | id::RESP),
                p.sequence
            ),
            None => "while no request was in flight".into(),
        };
        SessionError::Closed { during, partial }
    }

    /// Give up the earliest request whose response is overdue: out of the window, remembered
    /// for its late response.
    fn expire_first_overdue(&mut self) -> Option<Pending> {
        let (seq, at) = self.earliest_deadline()?;
        if at > Instant::now() {
            return None;
        }
        self.deadlines.pop_front();
        let p = self.pending.remove(&seq)?;
        self.expired.insert(p);
        Some(p)
    }

    /// The earliest response deadline of a request still in flight.
    fn earliest_deadline(&mut self) -> Option<(u32, Instant)> {
        while let Some(&(seq, at)) = self.deadlines.front() {
            if self.pending.contains_key(&seq) {
                return Some((seq, at));
            }
            self.deadlines.pop_front();
        }
        None
    }

    /// Send unbind, wait for unbind_resp, then wait up to `linger` for the peer to close the
    /// connection (closing it ourselves otherwise).
    pub async fn unbind(&mut self, linger: Duration) -> Result<UnbindReport, SessionError> {
        let pdu = Pdu::new(id::UNBIND, 0);
        let seq = self.send(&pdu, u64::MAX)?;
        let (resp, rtt) = loop {
            match self.wait_event(None).await? {
                Event::Response { pdu, request, rtt } if request.sequence == seq => {
                    break (pdu, rtt)
                }
                Event::PeerUnbound => {
                    return Ok(UnbindReport {
                        status: 0,
                        sequence: seq,
                        rtt: Duration::ZERO,
                        closed_by_peer: false,
                        response: None,
                    })
                }
                other => self.backlog.push_back(other),
            }
        };
        let closed_by_peer = self.wait_close(linger).await;
        let _ = self.stream.shutdown().await;
        Ok(UnbindReport {
            status: resp.command_status,
            sequence: seq,
            rtt,
            closed_by_peer,
            response: Some(resp),
        })
    }

    /// Wait up to `linger` for the peer to close; true when it did.
    pub async fn wait_close(&mut self, linger: Duration) -> bool {
        if self.rb.eof() {
            return true;
        }
        let until = Instant::now() + linger;
        loop {
            let mut scratch = [0u8; 4096];
            match tokio::time::timeout_at(until, self.stream.read(&mut scratch)).await {
                Ok(Ok(0)) | Ok(Err(_)) => {
                    self.rb.set_eof();
                    return true;
                }
                Ok(Ok(n)) => {
                    let at = self.start.elapsed();
                    if let Some(b) = scratch.get(..n) {
                        self.observer.pdu(Direction::SmscToEsme, b, at, None);
                    }
                }
                Err(_) => return false,
            }
        }
    }

    /// Close our side of the connection.
    pub async fn shutdown(&mut self) {
        let _ = self.flush().await;
        let _ = self.stream.shutdown().await;
    }

    /// The underlying stream (for tests).
    pub fn into_inner(self) -> S {
        self.stream
    }
}

/// True when a response with `response_id` answers a request with `request_id`: its own
/// response, or generic_nack.
fn answers(response_id: u32, request_id: u32) -> bool {
    response_id == request_id | id::RESP || response_id == id::GENERIC_NACK
}

async fn interrupted(rx: Option<watch::Receiver<bool>>) {
    match rx {
        Some(mut rx) => {
            if rx.wait_for(|v| *v).await.is_err() {
                std::future::pending::<()>().await;
            }
        }
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    type Log = Arc<Mutex<Vec<(Direction, Vec<u8>)>>>;
    #[derive(Clone, Default)]
    struct Rec(Log);
    impl Observer for Rec {
        fn pdu(&mut self, d: Direction, b: &[u8], _: Duration, _: Option<Duration>) {
            self.0.lock().unwrap().push((d, b.to_vec()));
        }
        fn note(&mut self, _: Duration, _: &Note) {}
    }

    async fn read_pdu<R: AsyncRead + Unpin>(r: &mut R) -> Vec<u8> {
        let mut h = [0u8; 4];
        r.read_exact(&mut h).await.unwrap();
        let len = u32::from_be_bytes(h) as usize;
        let mut rest = vec![0u8; len - 4];
        r.read_exact(&mut rest).await.unwrap();
        let mut v = h.to_vec();
        v.extend(rest);
        v
    }

    fn resp_for(req: &[u8], status: u32) -> Vec<u8> {
        let h = Header::parse(req).unwrap();
        let mut p = Pdu::new(h.command_id | id::RESP, h.sequence_number);
        p.command_status = status;
        if h.command_id == id::SUBMIT_SM {
            p = p.with_str("message_id", "abc");
        }
        p.encode().unwrap()
    }

    #[tokio::test]
    async fn window_matches_out_of_order_responses() {
        let (a, mut b) = tokio::io::duplex(64 * 1024);
        let rec = Rec::default();
        let mut s = Session::new(a, Box::new(rec.clone()));
        let sm = Pdu::new(id::SUBMIT_SM, 0).with_str("destination_addr", "1");
        let s1 = s.send(&sm, 10).unwrap();
        let s2 = s.send(&sm, 20).unwrap();
        assert_eq!((s1, s2), (1, 2));
        assert_eq!(s.in_flight(), 2);
        s.flush().await.unwrap();
        let r1 = read_pdu(&mut b).await;
        let r2 = read_pdu(&mut b).await;
        b.write_all(&resp_for(&r2, 0)).await.unwrap();
        b.write_all(&resp_for(&r1, 0x58)).await.unwrap();
        match s.next_event(None).await.unwrap() {
            Event::Response { request, pdu, .. } => {
                assert_eq!(request.tag, 20);
                assert_eq!(pdu.string("message_id").as_deref(), Some("abc"));
            }
            e => panic!("{e:?}"),
        }
        match s.next_event(None).await.unwrap() {
            Event::Response { request, pdu, .. } => {
                assert_eq!(request.tag, 10);
                assert_eq!(pdu.command_status, 0x58);
            }
            e => panic!("{e:?}"),
        }
        assert_eq!(s.in_flight(), 0);
        assert_eq!(rec.0.lock().unwrap().len(), 4);
    }

    #[tokio::test]
    async fn enquire_link_from_peer_is_answered_while_waiting() {
        let (a, mut b) = tokio::io::duplex(64 * 1024);
        let mut s = Session::new(a, Box::new(super::super::Silent));
        let peer = tokio::spawn(async move {
            let el = Pdu::new(id::ENQUIRE_LINK, 77).encode().unwrap();
            b.write_all(&el).await.unwrap();
            let got = read_pdu(&mut b).await;
            let h = Header::parse(&got).unwrap();
            assert_eq!(h.command_id, id::ENQUIRE_LINK | id::RESP);
            assert_eq!(h.sequence_number, 77);
            // Then the bind request, answered.
            let bind = read_pdu(&mut b).await;
            b.write_all(&resp_for(&bind, 0)).await.unwrap();
            b
        });
        let ev = s.next_event(None).await.unwrap();
        assert!(matches!(ev, Event::Request(ref p) if p.command_id == id::ENQUIRE_LINK));
        let params = BindParams {
            mode: BindMode::Tx,
            system_id: "a".into(),
            password: "b".into(),
            system_type: String::new(),
            interface_version: 0x34,
            addr_ton: 0,
            addr_npi: 0,
            address_range: String::new(),
        };
        let (resp, _) = s.bind(&params).await.unwrap();
        assert_eq!(resp.command_id, id::BIND_TRANSMITTER | id::RESP);
        peer.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn silent_peer_times_out() {
        let (a, _b) = tokio::io::duplex(1024);
        let mut s = Session::new(a, Box::new(super::super::Silent))
            .with_response_timeout(Duration::from_secs(3));
        let t0 = Instant::now();
        let err = s.request(&Pdu::new(id::ENQUIRE_LINK, 0)).await.unwrap_err();
        assert!(
            matches!(err, SessionError::ResponseTimeout { sequence: 1, .. }),
            "{err}"
        );
        assert_eq!(t0.elapsed(), Duration::from_secs(3));
        assert_eq!(err.exit(), crate::exit::Exit::Network);
    }

    #[test]
    fn coalescing_only_for_windows_worth_it() {
        assert_eq!(Coalesce::for_window(1), None);
        assert_eq!(Coalesce::for_window(7), None);
        let c = Coalesce::for_window(100).unwrap();
        assert_eq!((c.min_in_flight, c.small_read), (50, 12));
    }

    #[tokio::test]
    async fn garbage_is_a_frame_error() {
        let (a, mut b) = tokio::io::duplex(1024);
        let mut s = Session::new(a, Box::new(super::super::Silent));
        b.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n")
            .await
            .unwrap();
        let err = s.next_event(None).await.unwrap_err();
        assert!(
            matches!(
                err,
                SessionError::Frame {
                    length: 0x4854_5450,
                    ..
                }
            ),
            "{err}"
        );
        assert_eq!(err.received().map(<[u8]>::len), Some(28));
        assert_eq!(err.exit(), crate::exit::Exit::Malformed);
    }

    #[tokio::test]
    async fn close_mid_pdu_reports_partial_bytes() {
        let (a, mut b) = tokio::io::duplex(1024);
        let mut s = Session::new(a, Box::new(super::super::Silent));
        b.write_all(&[0, 0, 0, 0x20, 0x80, 0, 0, 4]).await.unwrap();
        drop(b);
        let err = s.next_event(None).await.unwrap_err();
        match err {
            SessionError::Closed { partial, .. } => assert_eq!(partial.len(), 8),
            e => panic!("{e}"),
        }
    }

    #[tokio::test]
    async fn wrong_sequence_is_reported() {
        let (a, mut b) = tokio::io::duplex(1024);
        let mut s = Session::new(a, Box::new(super::super::Silent));
        s.send(&Pdu::new(id::ENQUIRE_LINK, 0), 0).unwrap();
        s.flush().await.unwrap();
        let _ = read_pdu(&mut b).await;
        let r = Pdu::new(id::ENQUIRE_LINK | id::RESP, 1001)
            .encode()
            .unwrap();
        b.write_all(&r).await.unwrap();
        let err = s.next_event(None).await.unwrap_err();
        assert!(
            matches!(err, SessionError::UnexpectedResponse { sequence: 1001, .. }),
            "{err}"
        );
    }

    #[tokio::test]
    async fn sequence_wraps_in_a_session() {
        let (a, _b) = tokio::io::duplex(4096);
        let mut s =
            Session::new(a, Box::new(super::super::Silent)).with_first_sequence(0x7FFF_FFFF);
        let p = Pdu::new(id::ENQUIRE_LINK, 0);
        assert_eq!(s.send(&p, 0).unwrap(), 0x7FFF_FFFF);
        assert_eq!(s.send(&p, 0).unwrap(), 1);
    }

    #[tokio::test]
    async fn unknown_request_gets_generic_nack() {
        let (a, mut b) = tokio::io::duplex(1024);
        let mut s = Session::new(a, Box::new(super::super::Silent));
        let weird = Pdu::new(0x0000_0104, 9).encode().unwrap();
        b.write_all(&weird).await.unwrap();
        let ev = s.next_event(None).await.unwrap();
        assert!(matches!(ev, Event::Request(_)));
        let got = read_pdu(&mut b).await;
        let h = Header::parse(&got).unwrap();
        assert_eq!(
            (h.command_id, h.command_status, h.sequence_number),
            (id::GENERIC_NACK, 3, 9)
        );
    }
}
