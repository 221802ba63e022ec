//! The wire-event layer every subcommand shares.
//!
//! - [`PduEvent`]: one PDU that crossed a wire (client, server, proxy), or was read from a
//!   capture or a paste: session or stream id, endpoints, [`Direction`], time, the exact bytes,
//!   and the decode (done by the sink that needs it, or handed in when the caller has it).
//! - [`Event`]: everything else worth a line: session start and end, notes, errors, summaries.
//! - [`json`]: the one JSON Lines schema for both (`"schema": 1` on every line; documented in
//!   `docs/json.md`). The decode object of `decode --json` is written whole under `"pdu"`.
//! - [`sink`]: the [`sink::Sink`] interface and its three implementations: the human dump, JSON
//!   Lines and pcap.
//! - [`framed`]: the framed PDU connection (read with a deadline, write with a deadline,
//!   command_length limits) under the client, the server and the proxy.
//!
//! Nothing here decides what to print: commands pick sinks and hand events to them.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::codec::Decoded;

pub mod framed;
pub mod json;
pub mod sink;

/// The version of the JSON Lines schema, written as `"schema"` on every line. Changing a key is
/// a breaking change and bumps it.
pub const SCHEMA: u32 = 1;

/// Which way a PDU went, in SMPP roles: the same words in every output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From the ESME (the side that opened the connection) to the SMSC.
    EsmeToSmsc,
    /// From the SMSC (the listening side) to the ESME.
    SmscToEsme,
}

impl Direction {
    /// Index 0 for ESME→SMSC, 1 for SMSC→ESME.
    pub fn index(self) -> usize {
        match self {
            Direction::EsmeToSmsc => 0,
            Direction::SmscToEsme => 1,
        }
    }

    /// The other way.
    pub fn reverse(self) -> Direction {
        match self {
            Direction::EsmeToSmsc => Direction::SmscToEsme,
            Direction::SmscToEsme => Direction::EsmeToSmsc,
        }
    }

    /// Short label: `ESME→SMSC` or `SMSC→ESME`.
    pub fn label(self) -> &'static str {
        match self {
            Direction::EsmeToSmsc => "ESME→SMSC",
            Direction::SmscToEsme => "SMSC→ESME",
        }
    }

    /// The JSON word: `esme_to_smsc` or `smsc_to_esme`.
    pub fn word(self) -> &'static str {
        match self {
            Direction::EsmeToSmsc => "esme_to_smsc",
            Direction::SmscToEsme => "smsc_to_esme",
        }
    }
}

/// Where a pasted PDU came from: its line in the input and the hex shape recognised there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Source<'a> {
    /// 1-based line of the input where the PDU starts.
    pub line: usize,
    /// The shape it was read as (`hex`, `xxd`, `cloudhopper-log` ...: [`crate::input::Shape`]).
    pub shape: Option<&'a str>,
    /// What was done to get it (rebuilt from a field dump, length put back, truncated, taken out
    /// of a TCP segment).
    pub note: Option<&'a str>,
}

impl Source<'_> {
    /// Append the heading of the PDU in the text output: `line 3  cloudhopper-log  (note)`.
    pub fn heading_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"line ");
        out.extend_from_slice(itoa::Buffer::new().format(self.line).as_bytes());
        if let Some(shape) = self.shape {
            out.extend_from_slice(b"  ");
            out.extend_from_slice(shape.as_bytes());
        }
        if let Some(n) = self.note {
            out.extend_from_slice(b"  (");
            out.extend_from_slice(n.as_bytes());
            out.push(b')');
        }
    }
}

/// One PDU that crossed a wire or was read from a capture or a paste.
#[derive(Debug, Clone, Copy, Default)]
pub struct PduEvent<'a> {
    /// Session (live) or stream (capture) number.
    pub session: Option<u64>,
    /// Which way it went (none for a paste).
    pub direction: Option<Direction>,
    /// The ESME's address, when known.
    pub esme: Option<SocketAddr>,
    /// The SMSC's address, when known.
    pub smsc: Option<SocketAddr>,
    /// Wall-clock time (since the Unix epoch), when known.
    pub time: Option<Duration>,
    /// Time since the session started.
    pub elapsed: Option<Duration>,
    /// The exact bytes.
    pub bytes: &'a [u8],
    /// The decode, when the caller already has it (sinks decode otherwise).
    pub decoded: Option<&'a Decoded>,
    /// For a response: the time since its request.
    pub rtt: Option<Duration>,
    /// Why this PDU (a server's reason for a status, a proxy's rule ...).
    pub note: Option<&'a str>,
    /// True when smppdiag made it up (a proxy's injected answer), not a peer.
    pub injected: bool,
    /// Capture frame number.
    pub frame: Option<u64>,
    /// Offset in the TCP stream (captures).
    pub stream_offset: Option<u64>,
    /// Offset in the pasted input.
    pub input_offset: Option<usize>,
    /// Where in a paste it came from.
    pub source: Option<Source<'a>>,
}

/// Time since the Unix epoch, now.
pub fn now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// Human style of a note line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Something normal worth a line.
    Info,
    /// Something to look at.
    Warn,
    /// Something wrong.
    Bad,
}

/// Everything besides PDUs.
#[derive(Debug, Clone)]
pub enum Event<'a> {
    /// A listener is ready (always shown).
    Listening {
        /// The address.
        addr: SocketAddr,
        /// TLS listener.
        tls: bool,
    },
    /// A connection opened.
    SessionStart {
        /// Session number.
        session: u64,
        /// The ESME's address.
        esme: Option<SocketAddr>,
        /// The SMSC's address.
        smsc: Option<SocketAddr>,
        /// Human line.
        text: &'a str,
    },
    /// A connection closed.
    SessionEnd {
        /// Session number.
        session: u64,
        /// Why.
        reason: &'a str,
        /// Human line.
        text: &'a str,
    },
    /// A decision or happening worth a line (`kind` names it: bind, retry, receipt ...).
    Note {
        /// Session number, when there is one.
        session: Option<u64>,
        /// The kind of note.
        kind: &'a str,
        /// Human text.
        text: &'a str,
        /// Time since the session started.
        elapsed: Option<Duration>,
        /// Human tone.
        tone: Tone,
        /// Extra JSON keys.
        fields: serde_json::Value,
    },
    /// A failure that ends the command.
    Error {
        /// The cause.
        cause: &'a str,
        /// Its exit code.
        exit_code: u8,
        /// The bytes received that explain it.
        received: Option<&'a [u8]>,
    },
    /// A summary: JSON keys and human text (already rendered).
    Summary {
        /// Session or stream number, for a per-session summary.
        session: Option<u64>,
        /// The JSON keys.
        fields: serde_json::Value,
        /// The human text.
        text: &'a str,
    },
    /// The explanation of a command_status, once per run after a summary.
    Explanation {
        /// The status.
        status: u32,
    },
}
