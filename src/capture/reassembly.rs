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
    /// Highest acknowledgement number the other side sent: data below it was received, so a
    /// hole below it will never be filled from this capture.
    peer_ack: Option<u32>,
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
                self.skip_hole(out);
            }
            self.check_lost(out);
            return;
        } else {
            self.deliver(payload, tag, out);
        }
        self.drain(Some(tag), out);
    }

    /// The other side acknowledged everything below `ack_no`.
    pub fn acked(&mut self, ack_no: u32, out: &mut Vec<(Tag, Piece)>) {
        let newer = match self.peer_ack {
            Some(a) => (ack_no.wrapping_sub(a) as i32) > 0,
            None => true,
        };
        if newer {
            self.peer_ack = Some(ack_no);
            self.check_lost(out);
        }
    }

    /// Skip holes the receiver has already acknowledged: the capture lost those frames.
    fn check_lost(&mut self, out: &mut Vec<(Tag, Piece)>) {
        while let (Some(next), Some(ack)) = (self.next, self.peer_ack) {
            if self.pending.is_empty() || (ack.wrapping_sub(next) as i32) <= 0 {
                break;
            }
            self.skip_hole(out);
        }
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

    /// Deliver the pending segments that are now in order. PDUs they complete are credited to
    /// `now` (the frame that filled the hole, as Wireshark shows them), or to their own frame.
    fn drain(&mut self, now: Option<Tag>, out: &mut Vec<(Tag, Piece)>) {
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
            self.deliver(&data[overlap..], now.unwrap_or(tag), out);
        }
    }

    /// Give up on the first hole: report it and continue after it.
    fn skip_hole(&mut self, out: &mut Vec<(Tag, Piece)>) {
        let Some((&key, (_, first_tag))) = self.pending.first_key_value() else {
            return;
        };
        let first_tag = *first_tag;
        if key > self.abs {
            let hole = key - self.abs;
            self.framer.gap(hole, first_tag, out);
            self.advance(hole);
        }
        self.drain(None, out);
    }

    /// The stream ended (FIN, RST or end of file): report holes and what is left.
    pub fn finish(&mut self, tag: Tag, out: &mut Vec<(Tag, Piece)>) {
        while !self.pending.is_empty() {
            self.skip_hole(out);
        }
        self.framer.finish(tag, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Pdu;

    fn enquire(seq: u32) -> Vec<u8> {
        Pdu::new(0x0000_0015, seq).encode().unwrap()
    }

    fn submit(seq: u32) -> Vec<u8> {
        Pdu::new(0x0000_0004, seq)
            .with_str("source_addr", "123456789012345")
            .with_str("destination_addr", "447700900123")
            .encode()
            .unwrap()
    }

    /// Three PDUs back to back (submit_sm 60 octets, enquire_link 16, submit_sm 60).
    fn stream() -> Vec<u8> {
        [submit(1), enquire(2), submit(3)].concat()
    }

    fn tag(frame: u64) -> Tag {
        Tag {
            frame,
            time: Duration::from_millis(frame),
        }
    }

    const ISN: u32 = 0xFFFF_FF00; // wraps inside the stream

    /// Push (seq offset, range) segments after a SYN; return the pieces with their frames.
    fn run(data: &[u8], segs: &[(usize, usize)], syn: bool) -> (Vec<(u64, Piece)>, HalfStream) {
        let mut h = HalfStream::new();
        let mut out = Vec::new();
        if syn {
            h.push(ISN, true, &[], tag(1), &mut out);
        }
        let base = ISN.wrapping_add(1);
        for (i, &(a, b)) in segs.iter().enumerate() {
            let seq = base.wrapping_add(a as u32);
            h.push(seq, false, &data[a..b], tag(10 + i as u64), &mut out);
        }
        h.finish(tag(99), &mut out);
        (out.into_iter().map(|(t, p)| (t.frame, p)).collect(), h)
    }

    fn pdus(pieces: &[(u64, Piece)]) -> Vec<(u64, u32, usize)> {
        pieces
            .iter()
            .filter_map(|(f, p)| match p {
                Piece::Pdu { bytes, .. } => {
                    let h = crate::codec::Header::parse(bytes).unwrap();
                    Some((*f, h.sequence_number, bytes.len()))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn in_order_split_and_several_per_segment() {
        let d = stream();
        assert_eq!(d.len(), 136);
        // PDU 1 split over three segments; PDUs 2 and 3 start in the same segment.
        let (p, _) = run(&d, &[(0, 10), (10, 40), (40, 70), (70, 136)], true);
        assert_eq!(pdus(&p), vec![(12, 1, 60), (13, 2, 16), (13, 3, 60)]);
        assert_eq!(p.len(), 3, "{p:?}");
    }

    #[test]
    fn out_of_order_segments_are_put_back_in_order() {
        let d = stream();
        let (p, h) = run(&d, &[(70, 136), (10, 40), (0, 10), (40, 70)], true);
        // Frames: 10 = [70,136), 11 = [10,40), 12 = [0,10), 13 = [40,70): frame 13 fills the
        // last hole and completes all three.
        assert_eq!(pdus(&p), vec![(13, 1, 60), (13, 2, 16), (13, 3, 60)]);
        assert_eq!(h.out_of_order, 2);
        assert_eq!(h.retransmitted, 0);
    }

    #[test]
    fn retransmissions_and_overlaps_are_dropped() {
        let d = stream();
        let (p, h) = run(
            &d,
            &[(0, 40), (0, 40), (30, 80), (70, 100), (100, 136), (90, 136)],
            true,
        );
        assert_eq!(pdus(&p), vec![(12, 1, 60), (12, 2, 16), (14, 3, 60)]);
        assert_eq!(h.retransmitted, 40 + 10 + 10 + 46);
    }

    #[test]
    fn capture_starting_mid_pdu_resynchronises() {
        let d = stream();
        // No SYN; the first segment starts 7 octets into submit_sm seq 1.
        let (p, _) = run(&d, &[(7, 50), (50, 136)], false);
        assert_eq!(
            p[0],
            (
                11,
                Piece::Skipped {
                    offset: 0,
                    len: 53,
                    reason: SkipReason::MidStream
                }
            )
        );
        assert_eq!(pdus(&p), vec![(11, 2, 16), (11, 3, 60)]);
    }

    #[test]
    fn a_lost_segment_is_a_gap_then_resync() {
        let d = stream();
        // [40, 70) never arrives: PDU 1 whole, enquire_link (60..76) and the start of PDU 3 lost.
        let (p, _) = run(&d, &[(0, 40), (70, 100), (100, 136), (20, 40)], true);
        let kinds: Vec<String> = p
            .iter()
            .map(|(f, x)| match x {
                Piece::Pdu { bytes, .. } => format!("{f}:pdu{}", bytes.len()),
                Piece::Skipped { len, reason, .. } => format!("{f}:skip{len}:{reason:?}"),
                Piece::Missing { offset, len } => format!("{f}:missing{len}@{offset}"),
                Piece::Incomplete { bytes, .. } => format!("{f}:incomplete{}", bytes.len()),
            })
            .collect();
        // The hole is given up at the end (finish) and reported at the frame after it: PDU 1
        // is incomplete, 30 octets are missing, the rest of enquire_link is skipped, and
        // PDU 3 (76..136) is whole again.
        assert_eq!(
            kinds,
            vec![
                "11:incomplete40",
                "11:missing30@40",
                "11:skip6:AfterGap",
                "12:pdu60"
            ]
        );
    }

    #[test]
    fn absurd_length_skips_to_next_header() {
        let mut d = vec![0x00, 0x00, 0x00, 0x03, 0xAA, 0xBB];
        d.extend(enquire(7));
        let mut f = Framer::new();
        let mut out = Vec::new();
        f.feed(&d, tag(5), &mut out);
        assert_eq!(
            out[0].1,
            Piece::Skipped {
                offset: 0,
                len: 6,
                reason: SkipReason::BadLength
            }
        );
        assert!(matches!(&out[1].1, Piece::Pdu { offset: 6, bytes } if bytes.len() == 16));
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn pending_data_is_bounded() {
        let mut h = HalfStream::new();
        let mut out = Vec::new();
        h.push(0, true, &[], tag(1), &mut out);
        // A hole at 1..17, then far more out-of-order data than MAX_PENDING.
        let chunk = vec![0u8; 1 << 20];
        for i in 0..6u32 {
            h.push(
                17 + i * (1 << 20),
                false,
                &chunk,
                tag(2 + u64::from(i)),
                &mut out,
            );
        }
        assert!(h.pending_bytes <= MAX_PENDING);
        assert!(out
            .iter()
            .any(|(_, p)| matches!(p, Piece::Missing { len: 16, .. })));
    }
}

#[cfg(test)]
mod lost_tests {
    use super::*;

    #[test]
    fn a_hole_the_receiver_acknowledged_is_skipped_at_once() {
        let pdu = |seq: u32| crate::codec::Pdu::new(0x15, seq).encode().unwrap();
        let mut h = HalfStream::new();
        let mut out = Vec::new();
        let t = |frame| Tag {
            frame,
            time: Duration::ZERO,
        };
        h.push(99, true, &[], t(1), &mut out);
        h.push(100, false, &pdu(1), t(2), &mut out);
        // Frame with seq 2 lost; the receiver acknowledges it (frame 4), then seq 3 arrives.
        h.acked(132, &mut out);
        h.push(132, false, &pdu(3), t(5), &mut out);
        let got: Vec<String> = out
            .iter()
            .map(|(tag, p)| match p {
                Piece::Pdu { bytes, .. } => format!("{}:pdu{}", tag.frame, bytes[15]),
                Piece::Missing { len, .. } => format!("{}:missing{len}", tag.frame),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(got, vec!["2:pdu1", "5:missing16", "5:pdu3"]);
    }
}
