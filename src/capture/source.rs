//! Stream a pcap or pcapng file frame by frame (`pcap-file` does the file format; the file is
//! read through a bounded buffer, never loaded whole).

use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind, Read};
use std::path::Path;
use std::time::Duration;

use pcap_file::pcap::PcapReader;
use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption;
use pcap_file::pcapng::{Block, PcapNgReader};
use pcap_file::{DataLink, PcapError, TsResolution};

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

enum Inner<R: Read> {
    Pcap(PcapReader<R>),
    Ng {
        reader: PcapNgReader<R>,
        interfaces: Vec<Interface>,
    },
}

/// A pcap or pcapng reader that yields [`Frame`]s in file order.
pub struct CaptureReader<R: Read> {
    inner: Inner<R>,
    frames: u64,
    done: bool,
    /// pcapng packet bytes are copied here (the reader's buffer is reused block by block).
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

impl CaptureReader<BufReader<File>> {
    /// Open a capture file (pcap or pcapng, told apart by the magic number).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, CaptureError> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|source| CaptureError::Open {
            path: path.display().to_string(),
            source,
        })?;
        Self::new(BufReader::with_capacity(1 << 16, file))
    }
}

impl<R: BufRead> CaptureReader<R> {
    /// Read from any buffered reader (the magic number is peeked, not consumed).
    pub fn new(mut reader: R) -> Result<Self, CaptureError> {
        let head = reader.fill_buf()?;
        let mut magic = [0u8; 4];
        if head.len() < 4 {
            if head.is_empty() {
                return Err(CaptureError::Truncated {
                    what: "the file header (the file is empty)".into(),
                });
            }
            return Err(CaptureError::NotCapture {
                magic: hex::encode_upper(head),
            });
        }
        magic.copy_from_slice(&head[..4]);
        let inner = if PCAP_MAGICS.contains(&magic) {
            Inner::Pcap(PcapReader::new(reader).map_err(header_error)?)
        } else if magic == PCAPNG_MAGIC {
            Inner::Ng {
                reader: PcapNgReader::new(reader).map_err(header_error)?,
                interfaces: Vec::new(),
            }
        } else {
            return Err(CaptureError::NotCapture {
                magic: hex::encode_upper(magic),
            });
        };
        Ok(CaptureReader {
            inner,
            frames: 0,
            done: false,
            scratch: Vec::new(),
        })
    }
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
        match &mut self.inner {
            Inner::Pcap(reader) => {
                let header = reader.header();
                match reader.next_raw_packet() {
                    None => {
                        self.done = true;
                        None
                    }
                    Some(Err(e)) => {
                        self.done = true;
                        Some(Err(frame_error(e, number)))
                    }
                    Some(Ok(p)) => {
                        self.frames = number;
                        let per_sec = match header.ts_resolution {
                            TsResolution::MicroSecond => 1_000_000,
                            TsResolution::NanoSecond => 1_000_000_000,
                        };
                        let frac = u128::from(p.ts_frac).min(per_sec - 1);
                        let time = Duration::from_secs(u64::from(p.ts_sec)) + scale(frac, per_sec);
                        let data: &[u8] = match p.data {
                            std::borrow::Cow::Borrowed(b) => b,
                            std::borrow::Cow::Owned(o) => {
                                copy_into(&mut self.scratch, &o);
                                &self.scratch
                            }
                        };
                        Some(Ok(Frame {
                            number,
                            time,
                            linktype: header.datalink,
                            data,
                        }))
                    }
                }
            }
            Inner::Ng { reader, interfaces } => loop {
                let scratch = &mut self.scratch;
                let block = match reader.next_block() {
                    None => {
                        self.done = true;
                        return None;
                    }
                    Some(Err(e)) => {
                        self.done = true;
                        return Some(Err(frame_error(e, number)));
                    }
                    Some(Ok(b)) => b,
                };
                let (iface, units) = match block {
                    Block::SectionHeader(_) => {
                        interfaces.clear();
                        continue;
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
                        continue;
                    }
                    Block::EnhancedPacket(p) => {
                        copy_into(scratch, &p.data);
                        (p.interface_id as usize, p.timestamp.as_nanos())
                    }
                    Block::SimplePacket(p) => {
                        copy_into(scratch, &p.data);
                        (0, 0)
                    }
                    Block::Packet(p) => {
                        copy_into(scratch, &p.data);
                        (usize::from(p.interface_id), u128::from(p.timestamp))
                    }
                    _ => continue,
                };
                let Some(i) = interfaces.get(iface).copied() else {
                    self.done = true;
                    return Some(Err(CaptureError::Damaged {
                        what: format!("frame {number}"),
                        reason: format!("packet of undeclared interface {iface}"),
                    }));
                };
                self.frames = number;
                return Some(Ok(Frame {
                    number,
                    time: scale(units, i.units_per_sec),
                    linktype: i.linktype,
                    data: &self.scratch,
                }));
            },
        }
    }
}
