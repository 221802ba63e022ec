//! Stream a pcap or pcapng file frame by frame (`pcap-file`'s parsers do the file format). The
//! file is read through our own buffer, never loaded whole: it holds one record at a time and
//! grows to the record's declared length (up to [`MAX_RECORD`]), so a record larger than any
//! fixed buffer is read whole rather than taken for the end of the file.

use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::Path;
use std::time::Duration;

use pcap_file::pcap::PcapParser;
use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption;
use pcap_file::pcapng::{Block, PcapNgParser};
use pcap_file::{DataLink, Endianness, PcapError, TsResolution};

use super::CaptureError;

/// One captured frame.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    /// Frame number, from 1, as Wireshark counts them.
    pub number: u64,
    /// Capture time since the Unix epoch.
    pub time: Duration,
    /// Link-layer type of the frame's interface.
    pub linktype: DataLink,
    /// The captured bytes (maybe fewer than were on the wire).
    pub data: &'a [u8],
}

/// Per-interface facts of a pcapng section.
#[derive(Debug, Clone, Copy)]
struct Interface {
    linktype: DataLink,
    /// Timestamp units per second.
    units_per_sec: u128,
}

enum Inner {
    Pcap(PcapParser),
    Ng {
        parser: PcapNgParser,
        interfaces: Vec<Interface>,
    },
}

/// The largest record (pcap packet record or pcapng block) read; a larger declared length is
/// reported as damage instead of being allocated.
pub const MAX_RECORD: usize = 256 << 20;

/// Octets asked of the file per read.
const READ_CHUNK: usize = 1 << 16;

/// The file's octets not yet parsed: `buf[pos..]`.
struct Input<R> {
    reader: R,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
}

impl<R: Read> Input<R> {
    /// The unparsed octets.
    fn rest(&self) -> &[u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }

    /// Read until at least `n` unparsed octets are held; false when the file ends first.
    fn want(&mut self, n: usize) -> std::io::Result<bool> {
        while self.rest().len() < n {
            if self.eof {
                return Ok(false);
            }
            if self.pos > 0 {
                self.buf.drain(..self.pos);
                self.pos = 0;
            }
            let have = self.buf.len();
            let grow = (n - have).max(READ_CHUNK);
            self.buf.resize(have + grow, 0);
            let got = loop {
                match self.reader.read(&mut self.buf[have..]) {
                    Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                    r => break r,
                }
            };
            self.buf.truncate(have + *got.as_ref().unwrap_or(&0));
            if got? == 0 {
                self.eof = true;
            }
        }
        Ok(true)
    }
}

/// A pcap or pcapng reader that yields [`Frame`]s in file order.
pub struct CaptureReader<R: Read> {
    input: Input<R>,
    inner: Inner,
    frames: u64,
    done: bool,
    /// The current frame's bytes.
    scratch: Vec<u8>,
}

impl<R: Read> std::fmt::Debug for CaptureReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureReader")
            .field("frames", &self.frames)
            .finish_non_exhaustive()
    }
}

const PCAP_MAGICS: [[u8; 4]; 4] = [
    [0xA1, 0xB2, 0xC3, 0xD4],
    [0xD4, 0xC3, 0xB2, 0xA1],
    [0xA1, 0xB2, 0x3C, 0x4D],
    [0x4D, 0x3C, 0xB2, 0xA1],
];
const PCAPNG_MAGIC: [u8; 4] = [0x0A, 0x0D, 0x0D, 0x0A];

fn header_error(e: PcapError) -> CaptureError {
    match e {
        PcapError::IoError(io) if io.kind() == ErrorKind::UnexpectedEof => {
            CaptureError::Truncated {
                what: "the file header".into(),
            }
        }
        PcapError::IoError(io) => CaptureError::Io(io),
        other => CaptureError::Damaged {
            what: "the file header".into(),
            reason: other.to_string(),
        },
    }
}

fn frame_error(e: PcapError, frame: u64) -> CaptureError {
    let what = format!("frame {frame}");
    match e {
        PcapError::IoError(io) if io.kind() == ErrorKind::UnexpectedEof => {
            CaptureError::Truncated { what }
        }
        PcapError::IoError(io) => CaptureError::Io(io),
        other => CaptureError::Damaged {
            what,
            reason: other.to_string(),
        },
    }
}

impl CaptureReader<File> {
    /// Open a capture file (pcap or pcapng, told apart by the magic number).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, CaptureError> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|source| CaptureError::Open {
            path: path.display().to_string(),
            source,
        })?;
        Self::new(file)
    }
}

/// A pcap file header's length.
const PCAP_HEADER_LEN: usize = 24;
/// A pcap packet record header's length (incl_len at octets 8..12).
const PCAP_RECORD_HEADER_LEN: usize = 16;
/// A pcapng block's type and total length, and a section header block's byte-order magic.
const PCAPNG_BLOCK_HEAD_LEN: usize = 8;
const PCAPNG_SHB_HEAD_LEN: usize = 12;
/// The pcapng section header block type (the same in either byte order).
const PCAPNG_SHB: u32 = 0x0A0D_0D0A;
/// The pcapng byte-order magic.
const PCAPNG_BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;

/// The u32 at `at` in byte order `e`.
fn u32_at(b: &[u8], at: usize, e: Endianness) -> Option<u32> {
    let a: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
    Some(match e {
        Endianness::Big => u32::from_be_bytes(a),
        Endianness::Little => u32::from_le_bytes(a),
    })
}

/// The byte order of a pcapng section starting at `b` (its byte-order magic).
fn section_order(b: &[u8]) -> Endianness {
    if u32_at(b, 8, Endianness::Big) == Some(PCAPNG_BYTE_ORDER_MAGIC) {
        Endianness::Big
    } else {
        Endianness::Little
    }
}

/// The length of the pcapng block at `b` (`order`: the current section's byte order).
fn block_len(b: &[u8], order: Endianness) -> usize {
    let order = if u32_at(b, 0, Endianness::Big) == Some(PCAPNG_SHB) {
        section_order(b)
    } else {
        order
    };
    u32_at(b, 4, order).map_or(0, |n| n as usize)
}

/// The length of the pcap packet record at `b`.
fn record_len(b: &[u8], order: Endianness) -> usize {
    PCAP_RECORD_HEADER_LEN + u32_at(b, 8, order).map_or(0, |n| n as usize)
}

impl<R: Read> CaptureReader<R> {
    /// Read a capture from `reader` (pcap or pcapng, told apart by the magic number).
    pub fn new(reader: R) -> Result<Self, CaptureError> {
        let mut input = Input {
            reader,
            buf: Vec::new(),
            pos: 0,
            eof: false,
        };
        let header = "the file header";
        if !input.want(4)? {
            let rest = input.rest();
            if rest.is_empty() {
                return Err(CaptureError::Truncated {
                    what: "the file header (the file is empty)".into(),
                });
            }
            return Err(CaptureError::NotCapture {
                magic: hex::encode_upper(rest),
            });
        }
        let mut magic = [0u8; 4];
        magic.copy_from_slice(input.rest().get(..4).unwrap_or(&[0; 4]));
        let inner = if PCAP_MAGICS.contains(&magic) {
            let len = take(&mut input, header, PCAP_HEADER_LEN, |_| PCAP_HEADER_LEN)?;
            let (_, parser) = PcapParser::new(record(&input, len)).map_err(header_error)?;
            input.pos += len;
            Inner::Pcap(parser)
        } else if magic == PCAPNG_MAGIC {
            let len = take(&mut input, header, PCAPNG_SHB_HEAD_LEN, |b| {
                block_len(b, Endianness::Big)
            })?;
            let (_, parser) = PcapNgParser::new(record(&input, len)).map_err(header_error)?;
            input.pos += len;
            Inner::Ng {
                parser,
                interfaces: Vec::new(),
            }
        } else {
            return Err(CaptureError::NotCapture {
                magic: hex::encode_upper(magic),
            });
        };
        Ok(CaptureReader {
            input,
            inner,
            frames: 0,
            done: false,
            scratch: Vec::new(),
        })
    }
}

/// The `len` octets of the record at the start of the unparsed input.
fn record<R: Read>(input: &Input<R>, len: usize) -> &[u8] {
    input.rest().get(..len).unwrap_or_default()
}

/// Read the whole of the next record (`what`, for errors): its first `head` octets, then as many
/// as `len_of` says they declare (at most [`MAX_RECORD`]). Its length.
fn take<R: Read>(
    input: &mut Input<R>,
    what: &str,
    head: usize,
    len_of: impl Fn(&[u8]) -> usize,
) -> Result<usize, CaptureError> {
    let truncated = || CaptureError::Truncated { what: what.into() };
    if !input.want(head)? {
        return Err(truncated());
    }
    let len = len_of(input.rest()).max(head);
    if len > MAX_RECORD {
        return Err(CaptureError::Damaged {
            what: what.into(),
            reason: format!(
                "it declares {len} octets, more than the {} MiB a record may have here",
                MAX_RECORD >> 20
            ),
        });
    }
    if !input.want(len)? {
        return Err(truncated());
    }
    Ok(len)
}

/// Timestamp units per second from a pcapng `if_tsresol` option value.
fn units_per_sec(tsresol: u8) -> u128 {
    let exp = u32::from(tsresol & 0x7F);
    let base: u128 = if tsresol & 0x80 == 0 { 10 } else { 2 };
    base.checked_pow(exp).unwrap_or(1_000_000).max(1)
}

fn scale(units: u128, per_sec: u128) -> Duration {
    let secs = units / per_sec;
    let frac = units % per_sec;
    let nanos = frac * 1_000_000_000 / per_sec;
    Duration::new(
        u64::try_from(secs).unwrap_or(u64::MAX),
        u32::try_from(nanos).unwrap_or(0),
    )
}

fn copy_into(scratch: &mut Vec<u8>, data: &[u8]) {
    scratch.clear();
    scratch.extend_from_slice(data);
}

impl<R: Read> CaptureReader<R> {
    /// Number of frames returned so far.
    pub fn frames_read(&self) -> u64 {
        self.frames
    }

    /// The next frame, `None` at the end of the file; after an error, always `None`.
    pub fn next_frame(&mut self) -> Option<Result<Frame<'_>, CaptureError>> {
        if self.done {
            return None;
        }
        let number = self.frames + 1;
        match self.read_frame(number) {
            Ok(Some((time, linktype))) => {
                self.frames = number;
                Some(Ok(Frame {
                    number,
                    time,
                    linktype,
                    data: &self.scratch,
                }))
            }
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }

    /// Read frame `number` into `scratch`: its time and link type; `None` at the end of the
    /// file (pcapng blocks other than packets are taken in passing).
    fn read_frame(&mut self, number: u64) -> Result<Option<(Duration, DataLink)>, CaptureError> {
        let what = format!("frame {number}");
        loop {
            if !self.input.want(1)? {
                return Ok(None);
            }
            let input = &mut self.input;
            match &mut self.inner {
                Inner::Pcap(parser) => {
                    let h = parser.header();
                    let len = take(input, &what, PCAP_RECORD_HEADER_LEN, |b| {
                        record_len(b, h.endianness)
                    })?;
                    let (_, p) = parser
                        .next_raw_packet(record(input, len))
                        .map_err(|e| frame_error(e, number))?;
                    let per_sec = match h.ts_resolution {
                        TsResolution::MicroSecond => 1_000_000,
                        TsResolution::NanoSecond => 1_000_000_000,
                    };
                    let frac = u128::from(p.ts_frac).min(per_sec - 1);
                    let time = Duration::from_secs(u64::from(p.ts_sec)) + scale(frac, per_sec);
                    copy_into(&mut self.scratch, &p.data);
                    input.pos += len;
                    return Ok(Some((time, h.datalink)));
                }
                Inner::Ng { parser, interfaces } => {
                    let order = parser.section().endianness;
                    let len = take(input, &what, PCAPNG_BLOCK_HEAD_LEN, |b| block_len(b, order))?;
                    let (_, block) = parser
                        .next_block(record(input, len))
                        .map_err(|e| frame_error(e, number))?;
                    let packet = packet_of(block, interfaces, &mut self.scratch);
                    input.pos += len;
                    let Some((iface, units)) = packet else {
                        continue;
                    };
                    let Some(i) = interfaces.get(iface).copied() else {
                        return Err(CaptureError::Damaged {
                            what,
                            reason: format!("packet of undeclared interface {iface}"),
                        });
                    };
                    return Ok(Some((scale(units, i.units_per_sec), i.linktype)));
                }
            }
        }
    }
}

/// A pcapng block taken in: a packet's bytes go to `scratch` and its (interface, timestamp
/// units) come back; a section or interface description updates `interfaces`.
fn packet_of(
    block: Block<'_>,
    interfaces: &mut Vec<Interface>,
    scratch: &mut Vec<u8>,
) -> Option<(usize, u128)> {
    match block {
        Block::SectionHeader(_) => {
            interfaces.clear();
            None
        }
        Block::InterfaceDescription(idb) => {
            let tsresol = idb
                .options
                .iter()
                .find_map(|o| match o {
                    InterfaceDescriptionOption::IfTsResol(r) => Some(*r),
                    _ => None,
                })
                .unwrap_or(6);
            interfaces.push(Interface {
                linktype: idb.linktype,
                units_per_sec: units_per_sec(tsresol),
            });
            None
        }
        Block::EnhancedPacket(p) => {
            copy_into(scratch, &p.data);
            Some((p.interface_id as usize, p.timestamp.as_nanos()))
        }
        Block::SimplePacket(p) => {
            copy_into(scratch, &p.data);
            Some((0, 0))
        }
        Block::Packet(p) => {
            copy_into(scratch, &p.data);
            Some((usize::from(p.interface_id), u128::from(p.timestamp)))
        }
        _ => None,
    }
}
