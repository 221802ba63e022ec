//! TCP reassembly for one direction of a stream, and PDU framing of the reassembled bytes.
//!
//! [`HalfStream`] orders segments by sequence number: data already delivered (retransmissions,
//! overlaps) is dropped, data from the future waits in a bounded map until the hole is filled,
//! and a hole that never fills (a frame the capture lost) is reported as a gap. Everything in
//! order goes to a [`Framer`], which cuts PDUs by command_length and, when the stream does not
//! start on a PDU boundary (capture started mid-session, after a gap, or an absurd length),
//! skips to the next plausible header and says how many octets it skipped.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::codec::frame::{check_frame, plausible_header, Frame as Framing};
use crate::codec::{HEADER_LEN, MAX_PDU_LEN};

/// Where a piece of data came from: the frame that carried it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tag {
    /// Frame number.
    pub frame: u64,
    /// Capture time since the Unix epoch.
    pub time: Duration,
}

/// Why octets were skipped before a PDU boundary was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The capture starts in the middle of the stream (no SYN seen).
    MidStream,
    /// Octets after a gap in the capture.
    AfterGap,
    /// A header whose command_length cannot be right (below 16 or absurdly large).
    BadLength,
}

impl SkipReason {
    /// A phrase for output.
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::MidStream => "the capture starts in the middle of the stream",
            SkipReason::AfterGap => "octets after a gap in the capture",
            SkipReason::BadLength => "a command_length that cannot be right",
        }
    }
}

/// What framing produced, in stream order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// A whole PDU (by its command_length).
    Pdu {
        /// Offset of its first octet in the direction's byte stream.
        offset: u64,
        /// Its octets.
        bytes: Vec<u8>,
    },
    /// Octets skipped while looking for the next plausible header.
    Skipped {
        /// Offset of the first skipped octet.
        offset: u64,
        /// How many.
        len: u64,
        /// Why.
        reason: SkipReason,
    },
    /// Octets the capture does not have (a lost frame).
    Missing {
        /// Offset of the first missing octet.
        offset: u64,
        /// How many.
        len: u64,
    },
    /// The start of a PDU whose end is not in the capture (a gap or the end of the file).
    Incomplete {
        /// Offset of its first octet.
        offset: u64,
        /// The octets that were captured.
        bytes: Vec<u8>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sync {
    Synced,
    Searching(SkipReason),
}

/// Cuts an in-order byte stream into PDUs.
#[derive(Debug)]
pub struct Framer {
    buf: Vec<u8>,
    start: usize,
    /// Stream offset of `buf[0]`.
    base: u64,
    sync: Sync,
    /// Octets skipped in the current search, not yet reported.
    skipped: u64,
    skipped_from: u64,
}

impl Framer {
    /// A framer for a stream that starts on a PDU boundary (its SYN was seen).
    pub fn new() -> Self {
        Framer {
            buf: Vec::new(),
            start: 0,
            base: 0,
            sync: Sync::Synced,
            skipped: 0,
            skipped_from: 0,
        }
    }

    /// A framer for a stream first seen in the middle (resynchronise on the first plausible header).
    pub fn mid_stream() -> Self {
        Framer {
            sync: Sync::Searching(SkipReason::MidStream),
            ..Framer::new()
        }
    }

    /// Octets held waiting for the rest of a PDU.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// Append in-order data and emit every PDU it completes.
    pub fn feed(&mut self, data: &[u8], tag: Tag, out: &mut Vec<(Tag, Piece)>) {
        self.buf.extend_from_slice(data);
        self.scan(tag, out);
        if self.start == self.buf.len() {
            self.base += self.buf.len() as u64;
            self.buf.clear();
            self.start = 0;
        } else if self.start >= 1 << 16 {
            self.buf.drain(..self.start);
            self.base += self.start as u64;
            self.start = 0;
        }
    }

    fn offset(&self) -> u64 {
        self.base + self.start as u64
    }

    fn flush_skipped(&mut self, tag: Tag, reason: SkipReason, out: &mut Vec<(Tag, Piece)>) {
        if self.skipped > 0 {
            out.push((
                tag,
                Piece::Skipped {
                    offset: self.skipped_from,
                    len: self.skipped,
                    reason,
                },
            ));
            self.skipped = 0;
        }
    }

    fn skip(&mut self, n: usize) {
        if self.skipped == 0 {
            self.skipped_from = self.offset();
        }
        self.skipped += n as u64;
        self.start += n;
    }

    fn scan(&mut self, tag: Tag, out: &mut Vec<(Tag, Piece)>) {
        loop {
            let avail = &self.buf[self.start..];
            match self.sync {
                Sync::Synced => match check_frame(avail, MAX_PDU_LEN) {
                    Framing::Complete(l) => {
                        let bytes = avail[..l].to_vec();
                        out.push((
                            tag,
                            Piece::Pdu {
                                offset: self.offset(),
                                bytes,
                            },
                        ));
                        self.start += l;
                    }
                    Framing::Partial(_) => break,
                    Framing::Invalid(_) => {
                        self.sync = Sync::Searching(SkipReason::BadLength);
                        self.skip(1);
                    }
                },
                Sync::Searching(reason) => {
                    if avail.len() < HEADER_LEN {
                        break;
                    }
                    let last = avail.len() - HEADER_LEN;
                    match (0..=last).find(|&q| plausible_header(&avail[q..])) {
                        Some(q) => {
                            self.skip(q);
                            self.flush_skipped(tag, reason, out);
                            self.sync = Sync::Synced;
                        }
                        None => {
                            // Keep the last 15 octets: a header may start there.
                            self.skip(last + 1);
                            break;
                        }
                    }
                }
            }
        }
    }

    /// `len` octets are missing from the capture here: the PDU being assembled is incomplete and
    /// framing resumes at the next plausible header after the hole.
    pub fn gap(&mut self, len: u64, tag: Tag, out: &mut Vec<(Tag, Piece)>) {
        self.drop_rest(tag, out);
        out.push((
            tag,
            Piece::Missing {
                offset: self.base,
                len,
            },
        ));
        self.base += len;
        self.sync = Sync::Searching(SkipReason::AfterGap);
    }

    /// Report whatever is left at the end of the stream.
    pub fn finish(&mut self, tag: Tag, out: &mut Vec<(Tag, Piece)>) {
        self.drop_rest(tag, out);
    }

    fn drop_rest(&mut self, tag: Tag, out: &mut Vec<(Tag, Piece)>) {
        match self.sync {
            Sync::Synced => {
                if self.buffered() > 0 {
                    out.push((
                        tag,
                        Piece::Incomplete {
                            offset: self.offset(),
                            bytes: self.buf[self.start..].to_vec(),
                        },
                    ));
                }
            }
            Sync::Searching(reason) => {
                let rest = self.buffered();
                self.skip(rest);
                self.flush_skipped(tag, reason, out);
            }
        }
        self.base += self.buf.len() as u64;
        self.buf.clear();
        self.start = 0;
    }
}

impl Default for Framer {
    fn default() -> Self {
        Framer::new()
    }
}

/// Out-of-order data held at most this long (octets) before the hole is declared lost.
pub const MAX_PENDING: usize = 4 << 20;

/// One direction of a TCP stream: reorders segments and feeds a [`Framer`].
#[derive(Debug, Default)]
pub struct HalfStream {
    /// Next expected sequence number (none before the first SYN or data segment).
    next: Option<u32>,
    /// Stream offset of `next`.
    abs: u64,
    pending: BTreeMap<u64, (Vec<u8>, Tag)>,
    pending_bytes: usize,
    framer: Framer,
    /// Octets received again (retransmissions and overlaps).
    pub retransmitted: u64,
    /// Segments that arrived ahead of a hole.
    pub out_of_order: u64,
}

impl HalfStream {
    /// A direction not seen yet.
    pub fn new() -> Self {
        HalfStream::default()
    }

    /// True once a SYN or data has been seen this way.
    pub fn started(&self) -> bool {
        self.next.is_some()
    }

    /// One segment travelling this way.
    pub fn push(
        &mut self,
        seq: u32,
        syn: bool,
        payload: &[u8],
        tag: Tag,
        out: &mut Vec<(Tag, Piece)>,
    ) {
        if syn {
            if self.next.is_none() {
                self.next = Some(seq.wrapping_add(1));
                self.framer = Framer::new();
            }
            return;
        }
        if payload.is_empty() {
            return;
        }
        let next = match self.next {
            Some(n) => n,
            None => {
                self.next = Some(seq);
                self.framer = Framer::mid_stream();
                seq
            }
        };
        let d = i64::from(seq.wrapping_sub(next) as i32);
        if d < 0 {
            let old = d.unsigned_abs() as usize;
            if old >= payload.len() {
                self.retransmitted += payload.len() as u64;
                return;
            }
            self.retransmitted += old as u64;
            self.deliver(&payload[old..], tag, out);
        } else if d > 0 {
            self.out_of_order += 1;
            let key = self.abs + d as u64;
            let keep = match self.pending.get(&key) {
                Some((have, _)) => have.len() < payload.len(),
                None => true,
            };
            if keep {
                if let Some((old, _)) = self.pending.insert(key, (payload.to_vec(), tag)) {
                    self.pending_bytes -= old.len();
                }
                self.pending_bytes += payload.len();
            }
            while self.pending_bytes > MAX_PENDING {
                self.skip_hole(tag, out);
            }
            return;
        } else {
            self.deliver(payload, tag, out);
        }
        self.drain(out);
    }

    fn deliver(&mut self, data: &[u8], tag: Tag, out: &mut Vec<(Tag, Piece)>) {
        self.framer.feed(data, tag, out);
        self.advance(data.len() as u64);
    }

    fn advance(&mut self, n: u64) {
        self.abs += n;
        // Sequence numbers wrap at 2^32.
        self.next = self.next.map(|s| s.wrapping_add(n as u32));
    }

    fn drain(&mut self, out: &mut Vec<(Tag, Piece)>) {
        while let Some(entry) = self.pending.first_entry() {
            let key = *entry.key();
            if key > self.abs {
                break;
            }
            let (data, tag) = entry.remove();
            self.pending_bytes -= data.len();
            let overlap = (self.abs - key) as usize;
            if overlap >= data.len() {
                self.retransmitted += data.len() as u64;
                continue;
            }
            self.retransmitted += overlap as u64;
            self.deliver(&data[overlap..], tag, out);
        }
    }

    /// Give up on the first hole: report it and continue after it.
    fn skip_hole(&mut self, tag: Tag, out: &mut Vec<(Tag, Piece)>) {
        let Some((&key, (_, first_tag))) = self.pending.first_key_value() else {
            return;
        };
        let first_tag = *first_tag;
        if key > self.abs {
            let hole = key - self.abs;
            self.framer.gap(hole, first_tag.max_frame(tag), out);
            self.advance(hole);
        }
        self.drain(out);
    }

    /// The stream ended (FIN, RST or end of file): report holes and what is left.
    pub fn finish(&mut self, tag: Tag, out: &mut Vec<(Tag, Piece)>) {
        while !self.pending.is_empty() {
            self.skip_hole(tag, out);
        }
        self.framer.finish(tag, out);
    }
}

impl Tag {
    fn max_frame(self, other: Tag) -> Tag {
        if other.frame > self.frame {
            other
        } else {
            self
        }
    }
}
