//! What `decode --pcap` reads and which PDUs it shows (the command line fills it in).

use std::path::PathBuf;

/// The capture to read and its filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PcapConfig {
    /// Read a pcap or pcapng capture: reassemble every SMPP TCP stream and decode each PDU with
    /// its frame number, time, endpoints and direction.
    pub pcap: Option<PathBuf>,
    /// SMPP port(s), comma-separated or repeated [default: 2775, plus any stream that looks like
    /// SMPP]. Given explicitly, only streams on these ports are decoded.
    pub port: Vec<u16>,
    /// Only these commands, e.g. `submit_sm,deliver_sm` (a name also selects its _resp with `+`:
    /// `submit_sm+`).
    pub command: Vec<String>,
    /// Only PDUs with this command_status: `error` (any non-zero), `ok`, or a name or number
    /// such as `ESME_RTHROTTLED` or `0x58`.
    pub status: Option<String>,
    /// Only PDUs with this sequence_number.
    pub sequence: Option<u32>,
    /// Only streams whose bind carried this system_id.
    pub system_id: Option<String>,
    /// Instead of every PDU: per stream, the bind result, counts by command and status,
    /// request/response latency, unanswered requests, throttling episodes, and each error's
    /// explanation once.
    pub summary: bool,
}
