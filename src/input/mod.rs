//! The PDU finder: takes every SMPP PDU out of whatever text people paste — logs, network dumps,
//! byte arrays, base64 — as the text streams in.
//!
//! # How it works
//!
//! [`Finder`] is fed text in chunks of any size and cuts it into lines (a line longer than
//! [`LINE_WINDOW`] is read in window-sized pieces, so one 200 MB line stays flat). Each line is
//! read for byte-bearing tokens, never by trusting a prefix:
//! - dump lines with an offset column (xxd, `hexdump -C` with its `*` repeats, `tcpdump -x/-X/-XX`
//!   `0x0010:`, `tshark -x`, Wireshark hex dumps, Wireshark "Follow TCP Stream" whose reply side
//!   is indented), SMPPSim word lines (`0000002A:00000004:...`) and Kannel `octstr_dump` `data:`
//!   lines; offsets must follow on, ASCII columns are dropped;
//! - runs of hex tokens separated by spaces, tabs, commas, colons, semicolons and dashes between
//!   two-digit bytes, with `0x` prefixes and `\x` escapes, Python `b'..'` literals, and
//!   parenthesised annotations skipped (`0000001C (Length) ...`, `(60 bytes)`);
//! - bracketed lists of decimals (`[0, 0, 0, 25, -128, ...]`: a list of decimals is decimal even
//!   when every value has two digits), node `<Buffer 00 00 ...>` and `{"type":"Buffer",...}`;
//! - base64 tokens (bare or as a JSON field);
//! - Kannel's field dump (`SMPP PDU 0x... dump:` / `type_name:` / `command_id: 4 = 0x00000004` /
//!   field lines), rebuilt into the PDU it describes.
//!
//! Timestamps (`12:00:01.123`, ISO dates), levels, thread and logger names carry no bytes and
//! simply separate runs.
//!
//! A run becomes a PDU only from a token boundary where a plausible header starts (see
//! [`pdu::plausible_header`]); runs of a network frame (Ethernet, Linux SLL, IPv4 or IPv6, then
//! TCP) are taken down to the TCP payload first. A PDU whose bytes continue on the next lines
//! (wrapped hex, one field per line, dumps) stays open while the following lines end in bytes;
//! it is emitted as soon as the line completing it is read. What cannot be a PDU is never
//! decoded as one; when nothing is found, [`Finder::describe`] says what the text looks like.
//!
//! # Bounds
//!
//! Memory: the current line (at most [`LINE_WINDOW`]), one open PDU (at most
//! [`crate::codec::MAX_PDU_LEN`] plus a line), one open dump frame (at most [`FRAME_LIMIT`]);
//! reading with [`Finder::feed_from`], four buffers of at most twice [`CHUNK`]; the byte buffers
//! of PDUs given back for reuse ([`Finder::recycle`]), at most [`CHUNK`] octets.
//! Every pass over a line is linear; a line with no header mark costs one pass of word
//! operations (eight octets at a time) and is then skipped. [`Finder::feed_from`] does the reads,
//! the line cuts and that pass on a second thread ([`MarkedChunk`]), one chunk ahead.

mod assemble;
mod describe;
mod dump;
mod finder;
mod kannel;
mod line;
pub mod pdu;
mod read;
#[cfg(test)]
mod tests;

pub use finder::{find_all, Finder, MarkedChunk};
pub use read::{Stopped, CHUNK};

/// Longest piece of a line read at once; longer lines are read in pieces of this size.
pub const LINE_WINDOW: usize = 1 << 20;

/// Largest dump (a network frame or a hexdump of a PDU) kept whole while waiting for its end.
pub const FRAME_LIMIT: usize = 256 * 1024;

/// The shape a PDU was read from: a stable snake_case name for the text header and `--json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs)]
pub enum Shape {
    Hex,
    HexList,
    EscapedString,
    PythonBytes,
    DecimalList,
    JavaByteArray,
    Base64,
    JsonField,
    NodeBuffer,
    NodeBufferJson,
    Xxd,
    HexdumpC,
    TcpdumpX,
    TsharkX,
    FollowTcpStream,
    SmppsimHexDump,
    KannelOctstrDump,
    KannelFieldDump,
    CloudhopperLog,
    JsmppLog,
    JasminLog,
    SmpplibLog,
}

impl Shape {
    /// The stable name (kebab-case), as in the JSON.
    pub fn name(self) -> &'static str {
        match self {
            Shape::Hex => "hex",
            Shape::HexList => "hex-list",
            Shape::EscapedString => "escaped-string",
            Shape::PythonBytes => "python-bytes",
            Shape::DecimalList => "decimal-list",
            Shape::JavaByteArray => "java-byte-array",
            Shape::Base64 => "base64",
            Shape::JsonField => "json-field",
            Shape::NodeBuffer => "node-buffer",
            Shape::NodeBufferJson => "node-buffer-json",
            Shape::Xxd => "xxd",
            Shape::HexdumpC => "hexdump-c",
            Shape::TcpdumpX => "tcpdump-x",
            Shape::TsharkX => "tshark-x",
            Shape::FollowTcpStream => "follow-tcp-stream",
            Shape::SmppsimHexDump => "smppsim-hex-dump",
            Shape::KannelOctstrDump => "kannel-octstr-dump",
            Shape::KannelFieldDump => "kannel-field-dump",
            Shape::CloudhopperLog => "cloudhopper-log",
            Shape::JsmppLog => "jsmpp-log",
            Shape::JasminLog => "jasmin-log",
            Shape::SmpplibLog => "smpplib-log",
        }
    }
}

impl Shape {
    /// A log format known to print PDUs (so bytes there that are no PDU are worth a word).
    pub fn is_log(self) -> bool {
        matches!(
            self,
            Shape::CloudhopperLog | Shape::JsmppLog | Shape::JasminLog | Shape::SmpplibLog
        )
    }
}

impl std::fmt::Display for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a decoded PDU came from in the pasted text: carried with each PDU into the text header
/// and the JSON (`source: {line, shape, note}`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Source {
    /// 1-based line where the PDU starts.
    pub line: usize,
    /// The shape it was read as.
    pub shape: Shape,
    /// What was done to get it (rebuilt, repaired, truncated, taken out of a TCP segment).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Source {
    /// One line for the text output: `line 3  cloudhopper-log  (note)`.
    pub fn header(&self) -> String {
        match &self.note {
            Some(n) => format!("line {}  {}  ({n})", self.line, self.shape),
            None => format!("line {}  {}", self.line, self.shape),
        }
    }
}

/// One PDU found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Its octets (possibly truncated: the decoder says what is missing).
    pub bytes: Vec<u8>,
    /// Where it came from.
    pub source: Source,
    /// Sender and receiver when it was taken out of a TCP segment.
    pub endpoints: Option<(std::net::SocketAddr, std::net::SocketAddr)>,
}

/// What the finder reports as the text streams in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A PDU.
    Pdu(Found),
    /// Something in the text that cannot be read (the rest is still read).
    Problem(Problem),
    /// Something worth saying about the text that is not an error (a body without its header).
    Note(Problem),
}

/// A part of the text that cannot be read, with its line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct Problem {
    /// 1-based line.
    pub line: usize,
    /// What is wrong and what to do.
    pub message: String,
}

/// Every byte written in a short text, in order (for option values such as a TLV's hex): the
/// runs of each line joined. None when the text holds no bytes.
pub fn bytes_of(text: &str) -> Option<Vec<u8>> {
    let mut scan = line::LineScan::default();
    let mut all = Vec::new();
    for l in text.lines() {
        scan.scan(l.as_bytes(), 0);
        for r in &scan.runs {
            all.extend_from_slice(scan.run_bytes(r));
        }
    }
    (!all.is_empty()).then_some(all)
}
