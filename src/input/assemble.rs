//! From runs of bytes to PDUs: find where a PDU starts, keep a PDU open while the next lines
//! continue it, split back-to-back PDUs by command_length, and take network frames down to their
//! TCP payload. One [`Assembler`] per byte stream (two for a Follow TCP Stream dump).

use std::net::SocketAddr;

use pcap_file::DataLink;

use super::describe::Stats;
use super::pdu::{
    declared_len, fitting_header, plausible_header, plausible_partial_header, restore_length,
};
use super::read::CHUNK;
use super::{Found, Item, Problem, Shape, Source, FRAME_LIMIT};
use crate::codec::{HEADER_LEN, MAX_PDU_LEN};

/// What the assembler holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum State {
    /// Nothing open.
    #[default]
    Idle,
    /// `buf` starts with a PDU (or a plausible part of its header) still being read.
    Pdu,
    /// `buf` holds a dump whose first bytes are not a PDU header (a network frame, a Kannel
    /// dump without command_length): read to the dump's end before deciding.
    Frame,
    /// A dump too large to be a frame: its bytes are dropped.
    Skip,
}

/// Where the bytes being assembled came from.
#[derive(Debug, Clone, Default)]
pub(super) struct Origin {
    pub line: usize,
    pub shape: Option<Shape>,
    pub note: Option<String>,
    /// Why the last PDU is cut short, when the text says so (node's `N more bytes`).
    pub cut_note: Option<String>,
    pub endpoints: Option<(SocketAddr, SocketAddr)>,
}

/// One byte stream being cut into PDUs.
#[derive(Debug, Default)]
pub(super) struct Assembler {
    buf: Vec<u8>,
    state: State,
    origin: Origin,
    /// The bytes in `buf` follow a PDU found in the same run (a partial header there is a
    /// truncated next PDU, not noise).
    after_pdu: bool,
    /// Lines of a dump: (offset from the dump's first octet, line), so that each PDU gets the
    /// line of its first octet. Pruned as PDUs are cut off.
    map: Vec<(usize, usize)>,
    /// Offset of `buf[0]` from the dump's first octet: `base` (where a TCP payload starts)
    /// plus what was already cut off.
    base: usize,
}

/// What the assembler needs from its owner.
pub(super) struct Sink<'a> {
    pub out: &'a mut Vec<Item>,
    pub stats: &'a mut Stats,
    pub spare: &'a mut Spare,
    /// The line being read.
    pub line: usize,
}

/// Byte buffers of PDUs already handed out and given back ([`super::Finder::recycle`]): the
/// bytes of the next PDUs are copied into them instead of into a new allocation each. They hold
/// at most [`CHUNK`] octets in all.
#[derive(Debug, Default)]
pub(super) struct Spare {
    bufs: Vec<Vec<u8>>,
    /// Their capacity in all.
    held: usize,
}

impl Spare {
    /// A buffer holding a copy of `bytes`. New buffers get a power-of-two capacity, so that a
    /// spare one mostly fits the next PDU without growing.
    fn copy_of(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut b = match self.bufs.pop() {
            Some(b) => {
                self.held -= b.capacity();
                b
            }
            None => Vec::new(),
        };
        if b.capacity() < bytes.len() {
            b = Vec::with_capacity(bytes.len().next_power_of_two());
        }
        b.clear();
        b.extend_from_slice(bytes);
        b
    }

    /// Keep a buffer for reuse, unless the spares are full.
    pub fn keep(&mut self, b: Vec<u8>) {
        if self.held + b.capacity() <= CHUNK {
            self.held += b.capacity();
            self.bufs.push(b);
        }
    }
}

impl Sink<'_> {
    fn emit(&mut self, bytes: &[u8], origin: &Origin, shape: Shape, extra: Option<String>) {
        let note = match (&origin.note, extra) {
            (Some(a), Some(b)) => Some(format!("{a}; {b}")),
            (Some(a), None) => Some(a.clone()),
            (None, b) => b,
        };
        self.stats.found += 1;
        self.out.push(Item::Pdu(Found {
            bytes: self.spare.copy_of(bytes),
            source: Source {
                line: origin.line,
                shape,
                note,
            },
            endpoints: origin.endpoints,
        }));
    }
}

impl Assembler {
    /// A PDU (or dump) is open.
    pub fn is_open(&self) -> bool {
        self.state != State::Idle
    }

    /// Read a run that does not continue anything: find a PDU start at one of its token
    /// boundaries (or take it down from a network frame) and cut it into PDUs. `to_end`: the
    /// run ends its line, so a PDU it leaves incomplete may continue on the next line.
    pub fn fresh(
        &mut self,
        bytes: &[u8],
        bounds: &[u32],
        origin: Origin,
        to_end: bool,
        sink: &mut Sink<'_>,
    ) {
        self.close(sink);
        self.map.clear();
        sink.stats.run(bytes, origin.shape);
        let start = bounds.iter().map(|&k| k as usize).find(|&k| {
            let rest = &bytes[k..];
            if k == 0 {
                plausible_header(rest)
            } else {
                fitting_header(rest)
            }
        });
        if let Some(k) = start {
            self.open(&bytes[k..], origin);
            self.drain(to_end, sink);
            return;
        }
        if bytes.len() < HEADER_LEN && to_end && bytes.len() >= 4 && plausible_partial_header(bytes)
        {
            // One field per line (`0000002F (Length)` then `00000004 (Command ID)` ...).
            self.open(bytes, origin);
            return;
        }
        self.not_a_pdu(bytes, origin, sink);
    }

    /// Bytes that start with no plausible header: a network frame, a PDU whose command_length
    /// was dropped, or nothing.
    fn not_a_pdu(&mut self, bytes: &[u8], origin: Origin, sink: &mut Sink<'_>) -> bool {
        if let Some((payload, src, dst)) = tcp_payload(bytes, sink.stats) {
            if payload.is_empty() {
                return true;
            }
            let base = payload.as_ptr() as usize - bytes.as_ptr() as usize;
            let note = format!("TCP payload {src} → {dst}");
            let o = Origin {
                note: Some(match &origin.note {
                    Some(n) => format!("{n}; {note}"),
                    None => note,
                }),
                endpoints: Some((src, dst)),
                ..origin
            };
            let payload = payload.to_vec();
            if plausible_header(&payload) {
                self.open(&payload, o);
                self.base = base;
                self.origin.line = self.line_at(base).unwrap_or(self.origin.line);
                self.drain(false, sink);
            } else {
                sink.stats.frames_without_smpp += 1;
            }
            return true;
        }
        if origin.shape != Some(Shape::KannelOctstrDump) {
            return false;
        }
        let Some(fixed) = restore_length(bytes) else {
            return false;
        };
        let note = "command_length was missing and was put back".to_string();
        sink.emit(&fixed, &origin, Shape::KannelOctstrDump, Some(note));
        true
    }

    /// The line holding the octet at `off` from the dump's start.
    fn line_at(&self, off: usize) -> Option<usize> {
        self.map
            .iter()
            .rev()
            .find(|(o, _)| *o <= off)
            .map(|(_, l)| *l)
    }

    fn open(&mut self, bytes: &[u8], origin: Origin) {
        self.buf.clear();
        self.buf.extend_from_slice(bytes);
        self.state = State::Pdu;
        self.origin = origin;
        self.after_pdu = false;
        self.base = 0;
    }

    /// Append the bytes of a line that continues the open PDU. False when nothing is open (the
    /// caller then reads the run fresh).
    pub fn continue_with(&mut self, bytes: &[u8], to_end: bool, sink: &mut Sink<'_>) -> bool {
        if self.state != State::Pdu {
            return false;
        }
        // A line that starts a whole new PDU of its own does not continue a PDU left open.
        if fitting_header(bytes) {
            return false;
        }
        self.buf.extend_from_slice(bytes);
        self.drain(to_end, sink);
        true
    }

    /// Bytes of one dump line.
    pub fn dump_bytes(
        &mut self,
        bytes: &[u8],
        origin: impl FnOnce() -> Origin,
        sink: &mut Sink<'_>,
    ) {
        if self.state == State::Idle {
            self.map.clear();
            self.base = 0;
        }
        self.map.push((self.base + self.buf.len(), sink.line));
        match self.state {
            State::Idle => {
                self.buf.clear();
                self.buf.extend_from_slice(bytes);
                self.origin = origin();
                self.after_pdu = false;
                self.state = State::Frame;
            }
            State::Frame => {
                if self.buf.len() + bytes.len() > FRAME_LIMIT {
                    self.buf.clear();
                    self.state = State::Skip;
                    return;
                }
                self.buf.extend_from_slice(bytes);
            }
            State::Pdu => {
                self.buf.extend_from_slice(bytes);
                self.drain(true, sink);
                return;
            }
            State::Skip => return,
        }
        if self.buf.len() >= HEADER_LEN && plausible_header(&self.buf) {
            self.state = State::Pdu;
            self.drain(true, sink);
        }
    }

    /// The open stream ends here (a line that does not continue it, the end of a dump, the end of
    /// the text): what is open is emitted as it is (a truncated PDU) or read as a frame.
    pub fn close(&mut self, sink: &mut Sink<'_>) {
        match std::mem::take(&mut self.state) {
            State::Idle | State::Skip => {}
            State::Pdu => {
                self.state = State::Pdu;
                self.drain(false, sink);
                self.state = State::Idle;
            }
            State::Frame => {
                let bytes = std::mem::take(&mut self.buf);
                let origin = std::mem::take(&mut self.origin);
                sink.stats.run(&bytes, origin.shape);
                self.not_a_pdu(&bytes, origin, sink);
                self.buf = bytes;
                self.buf.clear();
            }
        }
        self.buf.clear();
    }

    /// Cut complete PDUs off the front of `buf`. With `to_end` an incomplete one stays open for
    /// the next line; otherwise it is emitted as it is.
    fn drain(&mut self, to_end: bool, sink: &mut Sink<'_>) {
        let shape = self.origin.shape.unwrap_or(Shape::Hex);
        let mut pos = 0;
        loop {
            let rest = &self.buf[pos..];
            if rest.is_empty() {
                break;
            }
            // A header completed by the following lines must still be plausible.
            let plausible = if rest.len() >= HEADER_LEN {
                plausible_header(rest)
            } else {
                plausible_partial_header(rest)
            };
            if !plausible {
                sink.stats.fragments += 1;
                pos = self.buf.len();
                break;
            }
            let len = declared_len(rest).unwrap_or(usize::MAX);
            if len <= rest.len() && len >= HEADER_LEN {
                let after = &rest[len..];
                if after.is_empty()
                    || plausible_header(after)
                    || (after.len() < HEADER_LEN && plausible_partial_header(after))
                {
                    sink.emit(&rest[..len], &self.origin, shape, None);
                    pos += len;
                    self.origin.line = self.line_at(self.base + pos).unwrap_or(sink.line);
                    self.after_pdu = true;
                    continue;
                }
                // Bytes after the PDU that start no PDU: up to the next header that does, they
                // belong to it (the decoder names the extra octets).
                let next = (len + 1..rest.len()).find(|&q| fitting_header(&rest[q..]));
                let end = next.unwrap_or(rest.len());
                sink.emit(&rest[..end], &self.origin, shape, None);
                pos += end;
                self.origin.line = self.line_at(self.base + pos).unwrap_or(sink.line);
                self.after_pdu = true;
                continue;
            }
            // Incomplete.
            if to_end && len <= MAX_PDU_LEN {
                break;
            }
            let standalone_fragment = rest.len() < HEADER_LEN && !self.after_pdu;
            if !standalone_fragment && (rest.len() >= HEADER_LEN || plausible_partial_header(rest))
            {
                let note = self
                    .origin
                    .cut_note
                    .clone()
                    .unwrap_or_else(|| truncation_note(rest));
                sink.emit(rest, &self.origin, shape, Some(note));
            } else {
                sink.stats.fragments += 1;
            }
            pos = self.buf.len();
        }
        self.buf.drain(..pos);
        self.base += pos;
        let keep = self
            .map
            .iter()
            .rposition(|(o, _)| *o <= self.base)
            .unwrap_or(0);
        self.map.drain(..keep);
        if self.buf.is_empty() {
            self.state = State::Idle;
            self.after_pdu = false;
        }
    }
}

fn truncation_note(b: &[u8]) -> String {
    match declared_len(b) {
        Some(l) if b.len() < HEADER_LEN => format!(
            "truncated: the text ends inside the header ({} of 16 octets; command_length says {l})",
            b.len()
        ),
        Some(l) => format!("truncated: {} of {l} octets in the text", b.len()),
        None => "truncated".into(),
    }
}

/// A network frame (Ethernet, Linux SLL, raw IPv4/IPv6) down to its TCP payload, with the
/// endpoints; the link parsing is the capture reader's.
fn tcp_payload<'a>(b: &'a [u8], stats: &mut Stats) -> Option<(&'a [u8], SocketAddr, SocketAddr)> {
    if b.len() < 40 {
        return None;
    }
    let first = b[0] >> 4;
    let order: &[DataLink] = if first == 4 || first == 6 {
        &[
            DataLink::RAW,
            DataLink::ETHERNET,
            DataLink::LINUX_SLL,
            DataLink::LINUX_SLL2,
        ]
    } else {
        &[
            DataLink::ETHERNET,
            DataLink::LINUX_SLL,
            DataLink::LINUX_SLL2,
            DataLink::RAW,
        ]
    };
    for &dl in order {
        if let Some(seg) = crate::capture::link::tcp_segment(dl, b) {
            stats.frames += 1;
            return Some((seg.payload, seg.src, seg.dst));
        }
    }
    if first == 4 || first == 6 {
        stats.ip_headers += 1;
    }
    None
}

impl Sink<'_> {
    /// Something worth knowing about the text at the current line (not an error).
    pub fn note(&mut self, message: String) {
        self.out.push(Item::Note(Problem {
            line: self.line,
            message,
        }));
    }

    /// A problem with the text at the current line.
    pub fn problem(&mut self, message: String) {
        self.out.push(Item::Problem(Problem {
            line: self.line,
            message,
        }));
    }
}
