//! Real SMPP sessions over TCP and TLS (tokio): bind, submit, unbind, enquire_link, windowing,
//! rate limiting and retry. Every PDU goes through the shared codec.
//!
//! - [`conn`] opens the byte stream (TCP, or TLS with rustls).
//! - [`Session`] runs the protocol over any `AsyncRead + AsyncWrite` stream (tests use
//!   `tokio::io::duplex`): sequence numbers, a window of requests matched by sequence number,
//!   timeouts, and the answers SMPP requires at any time (enquire_link, deliver_sm, unbind).
//! - [`send`] is the submission engine behind `smppdiag send` (count, window, rate, retry,
//!   receipts); [`rate`] its token bucket; [`stats`] its latency histogram and summary.
//!
//! Nothing here prints: every PDU that crosses the wire, and every decision worth showing, is
//! handed to an [`Observer`], which the command line renders.

use std::time::Duration;

use crate::codec::{DecodeError, EncodeError};
use crate::exit::Exit;

pub mod conn;
mod proto;
pub mod rate;
pub mod raw;
pub mod retry;
pub mod send;
pub mod seq;
pub mod stats;

pub use self::proto::{BindMode, BindParams, Coalesce, Event, Pending, Session, UnbindReport};

/// Which way a PDU went (the client is the ESME: what it writes goes ESME→SMSC).
pub use crate::wire::Direction;

/// Something the session or the send engine decided, worth a line of output.
#[derive(Debug, Clone, PartialEq)]
pub enum Note {
    /// A rejected message will be sent again.
    Retry {
        /// Message number (0-based) and part number (1-based).
        message: u64,
        /// Part number, 1-based.
        part: u32,
        /// The status that failed it.
        status: u32,
        /// Failures so far.
        failures: u32,
        /// Wait before the next attempt.
        delay: Duration,
    },
    /// A rejected message will not be sent again.
    GiveUp {
        /// Message number (0-based).
        message: u64,
        /// Part number, 1-based.
        part: u32,
        /// The last status.
        status: u32,
        /// Why (retry policy words, or "no --retry").
        reason: String,
    },
    /// The send rate was lowered after a throttling answer.
    SlowDown {
        /// The new rate, messages per second.
        rate: f64,
    },
    /// A delivery receipt arrived.
    Receipt {
        /// The message id it is for.
        message_id: String,
        /// Its final state word (DELIVRD, UNDELIV ...).
        state: String,
        /// True when the id was one of ours.
        ours: bool,
    },
    /// No response came within the response timeout: the request left the window and counts
    /// as unanswered; the run goes on.
    Unanswered {
        /// The request.
        request: Pending,
        /// The response timeout.
        after: Duration,
    },
    /// A PDU from the peer could not be decoded strictly (the dump shows why).
    Malformed(String),
    /// A generic_nack or a response that matched no request.
    Unmatched(String),
    /// Free text (interrupt, peer unbind ...).
    Info(String),
}

/// Receives every PDU as it crossed the wire, and every [`Note`]. The command line renders them;
/// tests record them.
pub trait Observer: Send {
    /// A PDU: its exact bytes, time since the session started, and for a response the
    /// round-trip time of its request.
    fn pdu(&mut self, dir: Direction, bytes: &[u8], at: Duration, rtt: Option<Duration>);
    /// A decision or event worth a line.
    fn note(&mut self, at: Duration, note: &Note);
}

/// An observer that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Observer for Silent {
    fn pdu(&mut self, _: Direction, _: &[u8], _: Duration, _: Option<Duration>) {}
    fn note(&mut self, _: Duration, _: &Note) {}
}

/// Why a session failed.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// TCP connect failed.
    #[error("cannot connect to {addr}: {source}")]
    Connect {
        /// host:port.
        addr: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// TCP connect did not finish in time.
    #[error("no TCP connection to {addr} within {}", fmt_dur(*after))]
    ConnectTimeout {
        /// host:port.
        addr: String,
        /// The timeout.
        after: Duration,
    },
    /// TLS setup, handshake or certificate failure.
    #[error("TLS: {0}")]
    Tls(String),
    /// Reading or writing failed.
    #[error("connection error: {0}")]
    Io(#[from] std::io::Error),
    /// The peer closed the connection.
    #[error("the peer closed the connection {during}{}", if partial.is_empty() { String::new() } else { format!(" in the middle of a PDU ({} octets received)", partial.len()) })]
    Closed {
        /// What we were doing ("while waiting for bind_transmitter_resp").
        during: String,
        /// Octets of an incomplete PDU received before the close.
        partial: Vec<u8>,
    },
    /// No response in time.
    #[error("no {command} (sequence {sequence}) within {}", fmt_dur(*after))]
    ResponseTimeout {
        /// The response expected.
        command: String,
        /// Its sequence number.
        sequence: u32,
        /// The timeout.
        after: Duration,
    },
    /// The whole operation took too long.
    #[error("{what} did not finish within {}", fmt_dur(*after))]
    Timeout {
        /// What.
        what: String,
        /// The limit.
        after: Duration,
    },
    /// The byte stream cannot be split into PDUs.
    #[error("the peer sent a command_length of {length} (0x{length:08X}), {}; this is not an SMPP stream or the PDU is corrupt", if (*length as usize) < crate::codec::HEADER_LEN { "below the 16-octet header" } else { "beyond any legal PDU size" })]
    Frame {
        /// The command_length read.
        length: u32,
        /// What was received from that point.
        received: Vec<u8>,
    },
    /// A response whose sequence number matches no request in flight.
    #[error("the peer answered {command} with sequence number {sequence}, which matches no request in flight")]
    UnexpectedResponse {
        /// Its command name.
        command: String,
        /// Its sequence number.
        sequence: u32,
        /// The PDU.
        received: Vec<u8>,
    },
    /// A response whose sequence number matches a request in flight, but whose command_id
    /// answers another command.
    #[error("the peer answered {request} (sequence {sequence}) with {command}; expected {request}_resp or generic_nack")]
    WrongResponse {
        /// The request's command name.
        request: String,
        /// Their sequence number.
        sequence: u32,
        /// The response's command name.
        command: String,
        /// The PDU.
        received: Vec<u8>,
    },
    /// Writing did not finish in time: the peer stopped reading.
    #[error("the peer stopped reading: {octets} octets could not be written within {}", fmt_dur(*after))]
    WriteTimeout {
        /// Octets waiting to be written.
        octets: usize,
        /// The limit (the response timeout).
        after: Duration,
    },
    /// Our own PDU could not be encoded.
    #[error("cannot encode the PDU: {0}")]
    Encode(#[from] EncodeError),
    /// A PDU from the peer could not be decoded where the session needs its content.
    #[error("{0}")]
    Decode(#[from] DecodeError),
    /// Ctrl-C.
    #[error("interrupted")]
    Interrupted,
    /// A run that went to its end, but with requests that were never answered.
    #[error("{count} {command} unanswered: no {command}_resp within {} (first: sequence {first})", fmt_dur(*after))]
    Unanswered {
        /// How many requests got no response.
        count: u64,
        /// Their command name.
        command: String,
        /// The response timeout.
        after: Duration,
        /// The sequence number of the first of them.
        first: u32,
    },
}

impl SessionError {
    /// The exit code for this failure.
    pub fn exit(&self) -> Exit {
        match self {
            SessionError::Tls(_) => Exit::Tls,
            SessionError::Frame { .. }
            | SessionError::UnexpectedResponse { .. }
            | SessionError::WrongResponse { .. }
            | SessionError::Decode(_) => Exit::Malformed,
            SessionError::Encode(_) => Exit::Usage,
            SessionError::Interrupted => Exit::Interrupted,
            _ => Exit::Network,
        }
    }

    /// The bytes received that explain the failure, to be shown as a dump.
    pub fn received(&self) -> Option<&[u8]> {
        match self {
            SessionError::Closed { partial, .. } if !partial.is_empty() => Some(partial),
            SessionError::Frame { received, .. }
            | SessionError::UnexpectedResponse { received, .. }
            | SessionError::WrongResponse { received, .. } => Some(received),
            _ => None,
        }
    }
}

/// Short human duration: "250 ms", "1.5 s", "10 s".
pub fn fmt_dur(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 1.0 {
        format!("{:.0} µs", ms * 1000.0)
    } else if ms < 1000.0 {
        format!("{ms:.1} ms")
    } else {
        let s = d.as_secs_f64();
        if (s - s.round()).abs() < 1e-9 {
            format!("{s:.0} s")
        } else {
            format!("{s:.2} s")
        }
    }
}
