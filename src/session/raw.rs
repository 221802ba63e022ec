//! Exact bytes on a connection (`send --pdu`): write a PDU as given (malformed allowed; its
//! sequence number rewritten unless kept), then wait for what the peer answers. Built on the
//! shared framed connection ([`crate::wire::framed`]); every PDU both ways goes to the
//! [`Observer`] (dump, JSON Lines, pcap).

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::Instant;

use crate::codec::{Header, HEADER_LEN, MAX_PDU_LEN};
use crate::spec::commands;
use crate::spec::ids::cmd;
use crate::wire::framed::{FrameError, FramedConn};

use super::{Direction, Observer};

/// What came back for one PDU sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A response (any response: a generic_nack to a broken PDU need not carry its sequence).
    Response {
        /// Its exact bytes.
        bytes: Vec<u8>,
        /// Time since the PDU was written.
        rtt: Duration,
    },
    /// Nothing within the timeout.
    Silence(Duration),
    /// The peer closed the connection (`partial`: octets of an unfinished PDU it sent).
    Closed {
        /// Octets of an incomplete PDU received before the close.
        partial: Vec<u8>,
    },
    /// The peer sent a command_length that cannot be framed.
    Unframeable(u32),
    /// Writing or reading failed.
    Io(String),
}

impl Answer {
    /// The response's command_status, if a response came.
    pub fn status(&self) -> Option<u32> {
        match self {
            Answer::Response { bytes, .. } => Header::parse(bytes).map(|h| h.command_status),
            _ => None,
        }
    }

    /// One line on what came, for people: "ESME_RINVCMDLEN in 1.2 ms", "no answer within 10 s".
    pub fn describe(&self) -> String {
        match self {
            Answer::Response { bytes, rtt } => match Header::parse(bytes) {
                Some(h) => format!(
                    "{} {} in {}",
                    commands::name_of(h.command_id),
                    crate::spec::status::name_of(h.command_status),
                    super::fmt_dur(*rtt)
                ),
                None => "a response too short to read".into(),
            },
            Answer::Silence(d) => format!("no answer within {}", super::fmt_dur(*d)),
            Answer::Closed { partial } if partial.is_empty() => {
                "the peer closed the connection".into()
            }
            Answer::Closed { partial } => format!(
                "the peer closed the connection ({} octets of a PDU received)",
                partial.len()
            ),
            Answer::Unframeable(n) => format!("a command_length of {n}, which cannot be framed"),
            Answer::Io(e) => format!("connection error: {e}"),
        }
    }
}

/// Why a PDU may go unanswered, read from its own bytes: a command_length promising more octets
/// than were sent leaves the peer waiting for them.
pub fn silence_hint(sent: &[u8]) -> Option<String> {
    let h = Header::parse(sent)?;
    let promised = h.command_length as usize;
    (promised > sent.len()).then(|| {
        format!(
            "command_length says {promised} octets but {} were sent: the peer is most likely \
             still waiting for the other {}",
            sent.len(),
            promised - sent.len()
        )
    })
}

/// A framed connection that sends exact bytes and reports the answers.
pub struct RawConn<S> {
    conn: FramedConn<S>,
    observer: Box<dyn Observer>,
    start: Instant,
    next_seq: u32,
    timeout: Duration,
    closed: bool,
    /// Sequence numbers of PDUs given up as [`Answer::Silence`].
    silent: Vec<u32>,
    /// Responses to those that came later: (sequence number, bytes).
    late: Vec<(u32, Vec<u8>)>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> RawConn<S> {
    /// Wrap `stream`; answers are awaited up to `timeout`.
    pub fn new(stream: S, observer: Box<dyn Observer>, timeout: Duration) -> Self {
        RawConn {
            conn: FramedConn::new(stream, MAX_PDU_LEN),
            observer,
            start: Instant::now(),
            next_seq: 1,
            timeout,
            closed: false,
            silent: Vec::new(),
            late: Vec::new(),
        }
    }

    /// Responses that came, while waiting for a later PDU's answer, to PDUs already given up as
    /// silent (sequence number, bytes); taken once.
    pub fn take_late(&mut self) -> Vec<(u32, Vec<u8>)> {
        std::mem::take(&mut self.late)
    }

    /// True once the peer closed the connection or it failed.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Send `pdu` (its sequence number replaced by the next one unless `keep_sequence`, when it
    /// has a whole header) and wait for the answer. Returns the bytes actually sent.
    pub async fn exchange(&mut self, pdu: &[u8], keep_sequence: bool) -> (Vec<u8>, Answer) {
        let mut bytes = pdu.to_vec();
        if !keep_sequence && bytes.len() >= HEADER_LEN {
            bytes[12..16].copy_from_slice(&self.next_seq.to_be_bytes());
            self.next_seq = self.next_seq.wrapping_add(1).max(1);
        }
        let sent_at = Instant::now();
        self.observer
            .pdu(Direction::EsmeToSmsc, &bytes, sent_at - self.start, None);
        if let Err(e) = self.conn.write(&bytes, Some(sent_at + self.timeout)).await {
            self.closed = true;
            return (bytes, Answer::Io(e.to_string()));
        }
        let seq = Header::parse(&bytes).map(|h| h.sequence_number);
        let answer = self.await_answer(sent_at, seq).await;
        if let (Answer::Silence(_), Some(seq)) = (&answer, seq) {
            self.silent.push(seq);
        }
        (bytes, answer)
    }

    /// Read until a response comes; answer the peer's enquire_link and deliver_sm meanwhile.
    /// A response carrying the sequence number of an earlier PDU given up as silent (and not
    /// that of `seq`, the PDU just sent) is kept as late, and the wait goes on.
    async fn await_answer(&mut self, sent_at: Instant, seq: Option<u32>) -> Answer {
        let deadline = sent_at + self.timeout;
        loop {
            let frame = match self.conn.read_frame(Some(deadline)).await {
                Ok(f) => f.to_vec(),
                Err(e) => return self.failed(e),
            };
            let now = Instant::now();
            let header = Header::parse(&frame).unwrap_or_default();
            let response = commands::is_response(header.command_id);
            let rtt = response.then(|| now - sent_at);
            self.observer
                .pdu(Direction::SmscToEsme, &frame, now - self.start, rtt);
            let earlier = self
                .silent
                .iter()
                .position(|s| *s == header.sequence_number);
            if let (true, Some(at)) = (response && seq != Some(header.sequence_number), earlier) {
                self.silent.swap_remove(at);
                self.late.push((header.sequence_number, frame));
                continue;
            }
            if response {
                return Answer::Response {
                    bytes: frame,
                    rtt: now - sent_at,
                };
            }
            self.answer_request(&header, deadline).await;
        }
    }

    fn failed(&mut self, e: FrameError) -> Answer {
        match e {
            FrameError::Timeout => Answer::Silence(self.timeout),
            FrameError::Closed { partial } => {
                self.closed = true;
                Answer::Closed { partial }
            }
            FrameError::BadLength { length, .. } => {
                self.closed = true;
                Answer::Unframeable(length)
            }
            FrameError::Io(e) => {
                self.closed = true;
                Answer::Io(e.to_string())
            }
        }
    }

    /// The ESME's part of the protocol while waiting: enquire_link and deliver_sm get their
    /// responses (status 0) so the peer does not drop the session.
    async fn answer_request(&mut self, h: &Header, deadline: Instant) {
        let resp = match h.command_id {
            cmd::ENQUIRE_LINK | cmd::DELIVER_SM => h.command_id | cmd::RESPONSE_BIT,
            _ => return,
        };
        let mut pdu = crate::codec::Pdu::new(resp, h.sequence_number);
        if resp == cmd::DELIVER_SM_RESP {
            pdu = pdu.with_str("message_id", "");
        }
        let Ok(bytes) = pdu.encode() else { return };
        self.observer
            .pdu(Direction::EsmeToSmsc, &bytes, self.start.elapsed(), None);
        let _ = self.conn.write(&bytes, Some(deadline)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn rewrites_the_sequence_and_reads_the_response() {
        let (a, mut b) = tokio::io::duplex(256);
        let mut raw = RawConn::new(a, Box::new(super::super::Silent), Duration::from_secs(5));
        let peer = tokio::spawn(async move {
            let mut req = [0u8; 16];
            b.read_exact(&mut req).await.unwrap();
            let mut resp = crate::codec::Pdu::new(
                0x8000_0015,
                u32::from_be_bytes([req[12], req[13], req[14], req[15]]),
            );
            resp.command_status = 0;
            b.write_all(&resp.encode().unwrap()).await.unwrap();
            req
        });
        let el = hex::decode("00000010000000150000000000000063").unwrap();
        let (sent, answer) = raw.exchange(&el, false).await;
        assert_eq!(&sent[12..16], &1u32.to_be_bytes());
        assert_eq!(peer.await.unwrap().to_vec(), sent);
        assert_eq!(answer.status(), Some(0));
        let (sent, _) = raw.exchange(&el, true).await;
        assert_eq!(&sent[12..16], &0x63u32.to_be_bytes());
    }

    #[tokio::test]
    async fn a_late_answer_is_not_taken_for_the_next_pdus() {
        let (a, mut b) = tokio::io::duplex(256);
        let mut raw = RawConn::new(a, Box::new(super::super::Silent), Duration::from_millis(50));
        let el = hex::decode("00000010000000150000000000000000").unwrap();
        let (_, first) = raw.exchange(&el, false).await;
        assert_eq!(first, Answer::Silence(Duration::from_millis(50)));
        let mut req = [0u8; 16];
        b.read_exact(&mut req).await.unwrap();
        // The answer to sequence 1 comes late, just before the one to sequence 2.
        for seq in [1, 2] {
            let r = crate::codec::Pdu::new(0x8000_0015, seq).encode().unwrap();
            b.write_all(&r).await.unwrap();
        }
        let (sent, second) = raw.exchange(&el, false).await;
        assert_eq!(&sent[12..16], &2u32.to_be_bytes());
        match second {
            Answer::Response { bytes, .. } => assert_eq!(&bytes[12..16], &2u32.to_be_bytes()),
            other => panic!("{other:?}"),
        }
        let late = raw.take_late();
        assert_eq!(late.len(), 1);
        assert_eq!(late[0].0, 1);
        assert!(raw.take_late().is_empty());
    }

    #[tokio::test]
    async fn silence_and_close_are_answers_too() {
        let (a, b) = tokio::io::duplex(256);
        let mut raw = RawConn::new(a, Box::new(super::super::Silent), Duration::from_millis(50));
        let cut = hex::decode("0000001C000000020000000000000001").unwrap();
        let (_, answer) = raw.exchange(&cut, false).await;
        assert_eq!(answer, Answer::Silence(Duration::from_millis(50)));
        assert!(silence_hint(&cut).unwrap().contains("other 12"));
        drop(b);
        let (_, answer) = raw.exchange(&cut, false).await;
        assert!(
            matches!(answer, Answer::Closed { .. } | Answer::Io(_)),
            "{answer:?}"
        );
        assert!(raw.is_closed());
    }
}
