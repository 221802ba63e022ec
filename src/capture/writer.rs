//! Record a session as a pcap file with synthetic but consistent TCP/IP framing.
//!
//! API: [`PcapRecorder::create`] (a file) or [`PcapRecorder::new`] (any writer) writes the pcap
//! header and a three-way handshake; [`PcapRecorder::record`] writes one write's octets as
//! segments of the given direction (client = the side that connected) with sequence and
//! acknowledgement numbers that add up and the given time; [`PcapRecorder::finish`] writes a
//! FIN exchange and flushes. Ethernet II with IPv4 or IPv6 (from the addresses), checksums
//! filled in, microsecond timestamps, so Wireshark and tshark open it without complaint.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use etherparse::PacketBuilder;
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::DataLink;

use super::{CaptureError, Direction};

/// Largest payload per segment.
pub const SEGMENT_MAX: usize = 32 * 1024;
const SNAPLEN: u32 = 65535;
const CLIENT_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
const SERVER_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];
const CLIENT_ISN: u32 = 0x1000_0000;
const SERVER_ISN: u32 = 0x2000_0000;
const WINDOW: u16 = 65535;

/// One synthetic TCP connection: its endpoints, sequence numbers and clock.
#[derive(Debug, Clone)]
struct Conn {
    client: SocketAddr,
    server: SocketAddr,
    /// Next sequence number of each side (index: [`Direction::index`] of its sending direction).
    seq: [u32; 2],
    last_time: Duration,
}

/// Writes one TCP connection's traffic as a pcap.
pub struct PcapRecorder<W: Write = BufWriter<File>> {
    writer: PcapWriter<W>,
    conn: Conn,
    packet: Vec<u8>,
}

impl<W: Write> std::fmt::Debug for PcapRecorder<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PcapRecorder")
            .field("client", &self.conn.client)
            .field("server", &self.conn.server)
            .finish_non_exhaustive()
    }
}

fn since_epoch(t: SystemTime) -> Duration {
    t.duration_since(UNIX_EPOCH).unwrap_or_default()
}

fn pcap_err(e: pcap_file::PcapError) -> CaptureError {
    match e {
        pcap_file::PcapError::IoError(io) => CaptureError::Io(io),
        other => CaptureError::Build(other.to_string()),
    }
}

impl PcapRecorder<BufWriter<File>> {
    /// Create `path` and write the pcap header and the handshake (timed now).
    pub fn create(
        path: impl AsRef<Path>,
        client: SocketAddr,
        server: SocketAddr,
    ) -> Result<Self, CaptureError> {
        let path = path.as_ref();
        let file = File::create(path).map_err(|source| CaptureError::Open {
            path: path.display().to_string(),
            source,
        })?;
        PcapRecorder::new(BufWriter::new(file), client, server, SystemTime::now())
    }
}

impl<W: Write> PcapRecorder<W> {
    /// Start a recording into `out`: pcap header, then SYN, SYN-ACK, ACK at `time`.
    pub fn new(
        out: W,
        client: SocketAddr,
        server: SocketAddr,
        time: SystemTime,
    ) -> Result<Self, CaptureError> {
        let mut writer = pcap_writer(out)?;
        let mut packet = Vec::new();
        let conn = Conn::open(&mut writer, &mut packet, client, server, time)?;
        Ok(PcapRecorder {
            writer,
            conn,
            packet,
        })
    }

    /// Record `bytes` sent in `direction` at `time` (one segment per 32 KiB, PSH on the last).
    /// Times earlier than the previous record are raised to it, so the file stays in order.
    pub fn record(
        &mut self,
        direction: Direction,
        bytes: &[u8],
        time: SystemTime,
    ) -> Result<(), CaptureError> {
        self.conn
            .record(&mut self.writer, &mut self.packet, direction, bytes, time)
    }

    /// Close the connection (FIN from the client, FIN from the server, final ACK), flush, and
    /// give back the writer.
    pub fn finish(mut self) -> Result<W, CaptureError> {
        self.conn.close(&mut self.writer, &mut self.packet)?;
        let mut w = self.writer.into_writer();
        w.flush()?;
        Ok(w)
    }
}

fn pcap_writer<W: Write>(out: W) -> Result<PcapWriter<W>, CaptureError> {
    let header = PcapHeader {
        datalink: DataLink::ETHERNET,
        snaplen: SNAPLEN,
        endianness: pcap_file::Endianness::Little,
        ..PcapHeader::default()
    };
    PcapWriter::with_header(out, header).map_err(pcap_err)
}

impl Conn {
    /// A new connection: SYN, SYN-ACK, ACK at `time`.
    fn open<W: Write>(
        writer: &mut PcapWriter<W>,
        packet: &mut Vec<u8>,
        client: SocketAddr,
        server: SocketAddr,
        time: SystemTime,
    ) -> Result<Self, CaptureError> {
        if client.is_ipv4() != server.is_ipv4() {
            return Err(CaptureError::MixedFamilies { client, server });
        }
        let mut c = Conn {
            client,
            server,
            seq: [CLIENT_ISN, SERVER_ISN],
            last_time: since_epoch(time),
        };
        let t = c.last_time;
        let c2s = Direction::EsmeToSmsc;
        let s2c = Direction::SmscToEsme;
        c.segment(writer, packet, c2s, Flags::SYN, &[], t)?;
        c.seq[0] = c.seq[0].wrapping_add(1);
        c.segment(writer, packet, s2c, Flags::SYN_ACK, &[], t)?;
        c.seq[1] = c.seq[1].wrapping_add(1);
        c.segment(writer, packet, c2s, Flags::ACK, &[], t)?;
        Ok(c)
    }

    fn record<W: Write>(
        &mut self,
        writer: &mut PcapWriter<W>,
        packet: &mut Vec<u8>,
        direction: Direction,
        bytes: &[u8],
        time: SystemTime,
    ) -> Result<(), CaptureError> {
        let t = since_epoch(time).max(self.last_time);
        self.last_time = t;
        let mut chunks = bytes.chunks(SEGMENT_MAX).peekable();
        while let Some(chunk) = chunks.next() {
            let flags = if chunks.peek().is_none() {
                Flags::PSH_ACK
            } else {
                Flags::ACK
            };
            self.segment(writer, packet, direction, flags, chunk, t)?;
            let i = direction.index();
            self.seq[i] = self.seq[i].wrapping_add(chunk.len() as u32);
        }
        Ok(())
    }

    /// FIN from the client, FIN from the server, final ACK.
    fn close<W: Write>(
        &mut self,
        writer: &mut PcapWriter<W>,
        packet: &mut Vec<u8>,
    ) -> Result<(), CaptureError> {
        let t = self.last_time;
        let c2s = Direction::EsmeToSmsc;
        let s2c = Direction::SmscToEsme;
        self.segment(writer, packet, c2s, Flags::FIN_ACK, &[], t)?;
        self.seq[0] = self.seq[0].wrapping_add(1);
        self.segment(writer, packet, s2c, Flags::FIN_ACK, &[], t)?;
        self.seq[1] = self.seq[1].wrapping_add(1);
        self.segment(writer, packet, c2s, Flags::ACK, &[], t)
    }

    fn segment<W: Write>(
        &mut self,
        writer: &mut PcapWriter<W>,
        packet: &mut Vec<u8>,
        dir: Direction,
        flags: Flags,
        payload: &[u8],
        time: Duration,
    ) -> Result<(), CaptureError> {
        let (src, dst, smac, dmac) = match dir {
            Direction::EsmeToSmsc => (self.client, self.server, CLIENT_MAC, SERVER_MAC),
            Direction::SmscToEsme => (self.server, self.client, SERVER_MAC, CLIENT_MAC),
        };
        let seq = self.seq[dir.index()];
        let ack = self.seq[dir.reverse().index()];
        let eth = PacketBuilder::ethernet2(smac, dmac);
        let ip = match (src.ip(), dst.ip()) {
            (IpAddr::V4(s), IpAddr::V4(d)) => eth.ipv4(s.octets(), d.octets(), 64),
            (IpAddr::V6(s), IpAddr::V6(d)) => eth.ipv6(s.octets(), d.octets(), 64),
            _ => {
                return Err(CaptureError::MixedFamilies {
                    client: self.client,
                    server: self.server,
                })
            }
        };
        let mut tcp = ip.tcp(src.port(), dst.port(), seq, WINDOW);
        if flags.syn {
            tcp = tcp.syn();
        }
        if flags.ack {
            tcp = tcp.ack(ack);
        }
        if flags.psh {
            tcp = tcp.psh();
        }
        if flags.fin {
            tcp = tcp.fin();
        }
        packet.clear();
        tcp.write(packet, payload)
            .map_err(|e| CaptureError::Build(e.to_string()))?;
        let len = packet.len() as u32;
        writer
            .write_packet(&PcapPacket::new(time, len, packet))
            .map_err(pcap_err)?;
        Ok(())
    }
}

/// Writes many TCP connections' traffic into one pcap (for `serve --pcap-out`): each connection
/// is opened with [`MultiRecorder::open`], recorded by its id, and closed with a FIN exchange.
pub struct MultiRecorder<W: Write = BufWriter<File>> {
    writer: PcapWriter<W>,
    conns: std::collections::HashMap<u64, Conn>,
    packet: Vec<u8>,
}

impl<W: Write> std::fmt::Debug for MultiRecorder<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultiRecorder")
            .field("open", &self.conns.len())
            .finish_non_exhaustive()
    }
}

impl MultiRecorder<BufWriter<File>> {
    /// Create `path` and write the pcap header.
    pub fn create(path: impl AsRef<Path>) -> Result<Self, CaptureError> {
        let path = path.as_ref();
        let file = File::create(path).map_err(|source| CaptureError::Open {
            path: path.display().to_string(),
            source,
        })?;
        MultiRecorder::new(BufWriter::new(file))
    }
}

impl<W: Write> MultiRecorder<W> {
    /// Start a recording into `out` (pcap header only).
    pub fn new(out: W) -> Result<Self, CaptureError> {
        Ok(MultiRecorder {
            writer: pcap_writer(out)?,
            conns: Default::default(),
            packet: Vec::new(),
        })
    }

    /// A new connection `id` (handshake at `time`).
    pub fn open(
        &mut self,
        id: u64,
        client: SocketAddr,
        server: SocketAddr,
        time: SystemTime,
    ) -> Result<(), CaptureError> {
        let c = Conn::open(&mut self.writer, &mut self.packet, client, server, time)?;
        self.conns.insert(id, c);
        Ok(())
    }

    /// Record `bytes` of connection `id` (ignored for an unknown id).
    pub fn record(
        &mut self,
        id: u64,
        direction: Direction,
        bytes: &[u8],
        time: SystemTime,
    ) -> Result<(), CaptureError> {
        match self.conns.get_mut(&id) {
            Some(c) => c.record(&mut self.writer, &mut self.packet, direction, bytes, time),
            None => Ok(()),
        }
    }

    /// Close connection `id` (FIN exchange).
    pub fn close(&mut self, id: u64) -> Result<(), CaptureError> {
        match self.conns.remove(&id) {
            Some(mut c) => c.close(&mut self.writer, &mut self.packet),
            None => Ok(()),
        }
    }

    /// Close every open connection, flush, and give back the writer.
    pub fn finish(mut self) -> Result<W, CaptureError> {
        let mut ids: Vec<u64> = self.conns.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            self.close(id)?;
        }
        let mut w = self.writer.into_writer();
        w.flush()?;
        Ok(w)
    }
}

#[derive(Debug, Clone, Copy)]
struct Flags {
    syn: bool,
    ack: bool,
    psh: bool,
    fin: bool,
}

impl Flags {
    const SYN: Flags = Flags {
        syn: true,
        ack: false,
        psh: false,
        fin: false,
    };
    const SYN_ACK: Flags = Flags {
        ack: true,
        ..Flags::SYN
    };
    const ACK: Flags = Flags {
        syn: false,
        ack: true,
        psh: false,
        fin: false,
    };
    const PSH_ACK: Flags = Flags {
        psh: true,
        ..Flags::ACK
    };
    const FIN_ACK: Flags = Flags {
        fin: true,
        ..Flags::ACK
    };
}
