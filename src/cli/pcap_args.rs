//! The `decode --pcap` options (flattened into `decode`'s arguments).

use std::path::PathBuf;

/// Options of `smppdiag decode --pcap FILE`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PcapArgs {
    /// Read a pcap or pcapng capture: reassemble every SMPP TCP stream and decode each PDU with
    /// its frame number, time, endpoints and direction.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["hex", "file"])]
    pub pcap: Option<PathBuf>,
    /// SMPP port(s), comma-separated or repeated [default: 2775, plus any stream that looks like
    /// SMPP]. Given explicitly, only streams on these ports are decoded.
    #[arg(long, value_name = "PORT", value_delimiter = ',', requires = "pcap")]
    pub port: Vec<u16>,
    /// Only these commands, e.g. `submit_sm,deliver_sm` (a name also selects its _resp with `+`:
    /// `submit_sm+`).
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub command: Vec<String>,
    /// Only PDUs with this command_status: `error` (any non-zero), `ok`, or a name or number
    /// such as `ESME_RTHROTTLED` or `0x58`.
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,
    /// Only PDUs with this sequence_number.
    #[arg(long, value_name = "N")]
    pub sequence: Option<u32>,
    /// Only streams whose bind carried this system_id (captures only).
    #[arg(long, value_name = "ID", requires = "pcap")]
    pub system_id: Option<String>,
    /// Instead of every PDU: per stream, the bind result, counts by command and status,
    /// request/response latency, unanswered requests, throttling episodes, and each error's
    /// explanation once.
    #[arg(long)]
    pub summary: bool,
}

impl PcapArgs {
    /// The typed configuration the capture reader takes.
    pub fn config(&self) -> crate::capture::PcapConfig {
        crate::capture::PcapConfig {
            pcap: self.pcap.clone(),
            port: self.port.clone(),
            command: self.command.clone(),
            status: self.status.clone(),
            sequence: self.sequence,
            system_id: self.system_id.clone(),
            summary: self.summary,
        }
    }
}
