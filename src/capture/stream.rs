//! The table of open TCP streams: frames in, SMPP events out.
//!
//! A stream is SMPP when one of its ports is selected, or (with auto-detection) when its first
//! payload starts with a plausible SMPP header, or, for a stream first seen mid-session, holds a
//! plausible header whose command_length lands on the end of the segment or on another one.
//! Streams are forgotten when both sides have sent FIN, on RST, and at the end of the file, so
//! memory follows the number of open streams.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use crate::codec::frame::plausible_header;
use crate::codec::header::be32;

use super::link::{tcp_segment, Segment};
use super::reassembly::{HalfStream, Piece, SkipReason, Tag};
use super::source::Frame;
use super::Direction;

/// One SMPP PDU found in the capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PduEvent {
    /// The frame that carried its last octet (where Wireshark shows it).
    pub frame: u64,
    /// That frame's time since the Unix epoch.
    pub time: Duration,
    /// Stream number, from 1, in order of first SMPP traffic.
    pub stream: u32,
    /// Sender.
    pub src: SocketAddr,
    /// Receiver.
    pub dst: SocketAddr,
    /// Which way.
    pub direction: Direction,
    /// Offset of its first octet in this direction's byte stream.
    pub offset: u64,
    /// The PDU's octets.
    pub bytes: Vec<u8>,
}

/// Something about the byte stream that is not a PDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeKind {
    /// Octets skipped to resynchronise on the next plausible header.
    Skipped {
        /// How many.
        len: u64,
        /// Why.
        reason: SkipReason,
    },
    /// Octets missing from the capture.
    Missing {
        /// How many.
        len: u64,
    },
    /// The start of a PDU whose end is not in the capture.
    Incomplete {
        /// The captured octets.
        bytes: Vec<u8>,
    },
}

/// A notice with its place in the capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Frame number where it was noticed.
    pub frame: u64,
    /// That frame's time.
    pub time: Duration,
    /// Stream number.
    pub stream: u32,
    /// Sender.
    pub src: SocketAddr,
    /// Receiver.
    pub dst: SocketAddr,
    /// Which way.
    pub direction: Direction,
    /// Stream offset.
    pub offset: u64,
    /// What.
    pub kind: NoticeKind,
}

/// What the tracker reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A stream was recognised as SMPP.
    Opened {
        /// Stream number.
        stream: u32,
        /// The connecting side (ESME, normally).
        client: SocketAddr,
        /// The listening side (SMSC, normally).
        server: SocketAddr,
        /// First frame of SMPP data (or the SYN).
        frame: u64,
        /// Its time.
        time: Duration,
    },
    /// A PDU.
    Pdu(PduEvent),
    /// A notice.
    Notice(Notice),
    /// A stream ended (FIN both ways, RST, or end of file).
    Closed {
        /// Stream number.
        stream: u32,
        /// Frame of the end.
        frame: u64,
        /// Its time.
        time: Duration,
        /// Octets seen twice (retransmissions), both ways.
        retransmitted: u64,
    },
}

/// Which streams are SMPP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackerConfig {
    /// Ports whose streams are SMPP.
    pub ports: Vec<u16>,
    /// Also take any stream whose bytes look like SMPP.
    pub auto_detect: bool,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        TrackerConfig {
            ports: vec![2775],
            auto_detect: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Smpp,
    Unknown,
    Ignored,
}

#[derive(Debug)]
struct StreamState {
    id: u32,
    client: SocketAddr,
    server: SocketAddr,
    half: [HalfStream; 2],
    class: Class,
    fin: [bool; 2],
    syn_seen: bool,
}

type Key = (SocketAddr, SocketAddr);

fn key(a: SocketAddr, b: SocketAddr) -> Key {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

/// Frames in, [`Event`]s out.
#[derive(Debug)]
pub struct Tracker {
    cfg: TrackerConfig,
    streams: HashMap<Key, StreamState>,
    next_id: u32,
    pieces: Vec<(Tag, Piece)>,
    events: Vec<Event>,
    /// Frames given to [`Tracker::frame`].
    pub frames: u64,
    /// Of those, frames holding a TCP segment.
    pub tcp_frames: u64,
}

/// True when a payload seen first mid-stream holds a chain of plausible headers.
fn looks_like_smpp_mid(payload: &[u8]) -> bool {
    (0..payload.len()).any(|q| {
        let rest = &payload[q..];
        if !plausible_header(rest) {
            return false;
        }
        let len = be32(rest, 0..4).unwrap_or(0) as usize;
        len == rest.len() || rest.get(len..).is_some_and(plausible_header)
    })
}

impl Tracker {
    /// A tracker with no streams.
    pub fn new(cfg: TrackerConfig) -> Self {
        Tracker {
            cfg,
            streams: HashMap::new(),
            next_id: 0,
            pieces: Vec::new(),
            events: Vec::new(),
            frames: 0,
            tcp_frames: 0,
        }
    }

    /// Streams currently open (SMPP or not yet classified).
    pub fn open_streams(&self) -> usize {
        self.streams.len()
    }

    /// Take the events produced so far.
    pub fn drain_events(&mut self) -> std::vec::Drain<'_, Event> {
        self.events.drain(..)
    }

    /// Process one captured frame.
    pub fn frame(&mut self, f: &Frame<'_>) {
        self.frames += 1;
        let Some(seg) = tcp_segment(f.linktype, f.data) else {
            return;
        };
        self.tcp_frames += 1;
        let tag = Tag {
            frame: f.number,
            time: f.time,
        };
        self.segment(&seg, tag);
    }

    /// Process one TCP segment.
    pub fn segment(&mut self, seg: &Segment<'_>, tag: Tag) {
        let k = key(seg.src, seg.dst);
        let ports = &self.cfg.ports;
        let is_port = |a: SocketAddr| ports.contains(&a.port());
        // One hash lookup per segment: the stream, or a vacant slot for a new one.
        let st = match self.streams.entry(k) {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => {
                if seg.rst || seg.fin || (seg.payload.is_empty() && !seg.syn) {
                    return;
                }
                let client = if seg.syn {
                    if seg.ack {
                        seg.dst
                    } else {
                        seg.src
                    }
                } else if is_port(seg.dst) {
                    seg.src
                } else if is_port(seg.src) {
                    seg.dst
                } else if seg.src.port() > seg.dst.port() {
                    seg.src
                } else {
                    seg.dst
                };
                let server = if client == seg.src { seg.dst } else { seg.src };
                let class = if is_port(seg.src) || is_port(seg.dst) {
                    Class::Smpp
                } else if self.cfg.auto_detect {
                    Class::Unknown
                } else {
                    Class::Ignored
                };
                v.insert(StreamState {
                    id: 0,
                    client,
                    server,
                    half: [HalfStream::new(), HalfStream::new()],
                    class,
                    fin: [false; 2],
                    syn_seen: false,
                })
            }
        };
        let dir = if seg.src == st.client {
            Direction::EsmeToSmsc
        } else {
            Direction::SmscToEsme
        };
        st.syn_seen |= seg.syn;
        if st.class == Class::Unknown && !seg.payload.is_empty() {
            let mid = !st.half[dir.index()].started();
            st.class = if plausible_header(seg.payload)
                || (mid && !st.syn_seen && looks_like_smpp_mid(seg.payload))
            {
                Class::Smpp
            } else {
                Class::Ignored
            };
        }
        if st.class == Class::Smpp && st.id == 0 {
            self.next_id += 1;
            st.id = self.next_id;
            self.events.push(Event::Opened {
                stream: st.id,
                client: st.client,
                server: st.server,
                frame: tag.frame,
                time: tag.time,
            });
        }
        if st.class == Class::Smpp {
            st.half[dir.index()].push(seg.seq, seg.syn, seg.payload, tag, &mut self.pieces);
            convert(st, dir, &mut self.pieces, &mut self.events);
            if seg.ack {
                let back = dir.reverse();
                st.half[back.index()].acked(seg.ack_no, &mut self.pieces);
                convert(st, back, &mut self.pieces, &mut self.events);
            }
        }
        if seg.fin {
            st.fin[dir.index()] = true;
        }
        if seg.rst || st.fin == [true, true] {
            if let Some(mut st) = self.streams.remove(&k) {
                close(&mut st, tag, &mut self.pieces, &mut self.events);
            }
        }
    }

    /// End of the capture: close every open stream (in stream order).
    pub fn finish(&mut self, last: Tag) {
        let mut open: Vec<StreamState> = self.streams.drain().map(|(_, s)| s).collect();
        open.sort_by_key(|s| s.id);
        for mut st in open {
            close(&mut st, last, &mut self.pieces, &mut self.events);
        }
    }
}

fn close(st: &mut StreamState, tag: Tag, pieces: &mut Vec<(Tag, Piece)>, events: &mut Vec<Event>) {
    if st.class != Class::Smpp {
        return;
    }
    for dir in [Direction::EsmeToSmsc, Direction::SmscToEsme] {
        st.half[dir.index()].finish(tag, pieces);
        convert(st, dir, pieces, events);
    }
    events.push(Event::Closed {
        stream: st.id,
        frame: tag.frame,
        time: tag.time,
        retransmitted: st.half[0].retransmitted + st.half[1].retransmitted,
    });
}

fn convert(
    st: &StreamState,
    dir: Direction,
    pieces: &mut Vec<(Tag, Piece)>,
    events: &mut Vec<Event>,
) {
    let (src, dst) = match dir {
        Direction::EsmeToSmsc => (st.client, st.server),
        Direction::SmscToEsme => (st.server, st.client),
    };
    for (tag, piece) in pieces.drain(..) {
        let notice = |offset, kind| {
            Event::Notice(Notice {
                frame: tag.frame,
                time: tag.time,
                stream: st.id,
                src,
                dst,
                direction: dir,
                offset,
                kind,
            })
        };
        events.push(match piece {
            Piece::Pdu { offset, bytes } => Event::Pdu(PduEvent {
                frame: tag.frame,
                time: tag.time,
                stream: st.id,
                src,
                dst,
                direction: dir,
                offset,
                bytes,
            }),
            Piece::Skipped {
                offset,
                len,
                reason,
            } => notice(offset, NoticeKind::Skipped { len, reason }),
            Piece::Missing { offset, len } => notice(offset, NoticeKind::Missing { len }),
            Piece::Incomplete { offset, bytes } => notice(offset, NoticeKind::Incomplete { bytes }),
        });
    }
}
