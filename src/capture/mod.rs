//! Captures: read SMPP out of pcap / pcapng files, and record sessions as pcap files.
//!
//! Reading ([`source`], [`link`], [`reassembly`], [`stream`]):
//! - [`source::CaptureReader`] streams a pcap or pcapng file frame by frame (the file is never
//!   loaded whole) with the `pcap-file` crate;
//! - [`link::tcp_segment`] takes a frame of any supported link type (Ethernet with VLAN tags,
//!   Linux cooked SLL and SLL2, raw IP, BSD loopback) down to its TCP segment with `etherparse`;
//! - [`reassembly::HalfStream`] puts one direction of a TCP stream back in order (out-of-order
//!   segments, retransmissions, gaps) and [`reassembly::Framer`] cuts the bytes into PDUs,
//!   resynchronising on the next plausible header when a capture starts mid-PDU;
//! - [`stream::Tracker`] keeps one entry per open TCP stream and turns frames into
//!   [`stream::Event`]s: PDUs with frame number, time, endpoints and direction, and notices.
//!   Memory is bounded by the open streams, not by the file size.
//! - [`summary`] aggregates per-stream statistics; [`run`] is the `decode --pcap` driver.
//!
//! Recording ([`writer::PcapRecorder`]): write a session's bytes, both ways, as a pcap file
//! with synthetic but consistent Ethernet / IPv4 (or IPv6) / TCP framing: a three-way
//! handshake, sequence and acknowledgement numbers that add up, one segment per write (split at
//! 32 KiB), a FIN exchange at the end, checksums, and the given timestamps. Wireshark and
//! `smppdiag decode --pcap` read it back as the same PDUs.
//!
//! ```no_run
//! use smppdiag::capture::{writer::PcapRecorder, Direction};
//! # fn main() -> Result<(), smppdiag::capture::CaptureError> {
//! let client = "127.0.0.1:40000".parse().unwrap();
//! let server = "127.0.0.1:2775".parse().unwrap();
//! let mut rec = PcapRecorder::create("session.pcap", client, server)?;
//! let enquire_link = [0, 0, 0, 16, 0, 0, 0, 21, 0, 0, 0, 0, 0, 0, 0, 1];
//! rec.record(Direction::EsmeToSmsc, &enquire_link, std::time::SystemTime::now())?;
//! rec.finish()?;
//! # Ok(()) }
//! ```
//!
//! Nothing here prints: [`run`] writes into the writers it is given.

use std::net::SocketAddr;

pub mod args;
pub mod link;
pub mod reassembly;
pub mod run;
pub mod source;
pub mod stream;
pub mod summary;
pub mod writer;

pub use args::PcapConfig;
pub use source::{CaptureReader, Frame};
pub use stream::{Event, Notice, NoticeKind, PduEvent, Tracker};
pub use writer::PcapRecorder;

/// Which way bytes travel: the one direction type of every subcommand.
pub use crate::wire::Direction;

/// Everything that can go wrong reading or writing a capture.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The file cannot be opened or created.
    #[error("cannot open {path}: {source}")]
    Open {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file does not start with a pcap or pcapng magic number.
    #[error("not a pcap or pcapng file (it starts with {magic}); give a capture written by tcpdump, dumpcap or Wireshark")]
    NotCapture {
        /// The first bytes, in hex.
        magic: String,
    },
    /// The file ends in the middle of a header or a frame.
    #[error("truncated capture: the file ends inside {what}")]
    Truncated {
        /// Where: "the file header" or "frame N".
        what: String,
    },
    /// A header or block of the file is invalid.
    #[error("damaged capture at {what}: {reason}")]
    Damaged {
        /// Where: "the file header" or "frame N".
        what: String,
        /// What is wrong.
        reason: String,
    },
    /// An I/O error while reading or writing.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A packet could not be built (writer).
    #[error("cannot build a packet: {0}")]
    Build(String),
    /// Client and server addresses of a recording are of different IP versions.
    #[error("client {client} and server {server} are not the same IP version")]
    MixedFamilies {
        /// Client address.
        client: SocketAddr,
        /// Server address.
        server: SocketAddr,
    },
}
