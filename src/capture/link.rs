//! From a captured frame to its TCP segment. `etherparse` parses Ethernet (VLAN tags included),
//! Linux cooked SLL, IPv4, IPv6 and TCP; only the fixed-size SLL2 and BSD loopback link headers,
//! which it does not know, are stepped over here.

use std::net::SocketAddr;

use etherparse::{EtherType, NetSlice, SlicedPacket, TransportSlice};
use pcap_file::DataLink;

/// A TCP segment: addresses, sequence number, flags and payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment<'a> {
    /// Sender.
    pub src: SocketAddr,
    /// Receiver.
    pub dst: SocketAddr,
    /// Sequence number of the first payload byte (of the SYN when `syn`).
    pub seq: u32,
    /// SYN flag.
    pub syn: bool,
    /// ACK flag.
    pub ack: bool,
    /// Acknowledgement number (meaningful when `ack`).
    pub ack_no: u32,
    /// FIN flag.
    pub fin: bool,
    /// RST flag.
    pub rst: bool,
    /// The TCP payload.
    pub payload: &'a [u8],
}

/// Length of the Linux cooked capture v2 header; its first two octets are the EtherType.
const SLL2_LEN: usize = 20;
/// Length of the BSD loopback header (address family).
const NULL_LEN: usize = 4;

/// The TCP segment in a frame of link type `linktype`, or `None` when the frame is not TCP over
/// IP, is cut short, or uses an unsupported link type.
pub fn tcp_segment(linktype: DataLink, data: &[u8]) -> Option<Segment<'_>> {
    let sliced = match linktype {
        DataLink::ETHERNET => SlicedPacket::from_ethernet(data).ok()?,
        DataLink::LINUX_SLL => SlicedPacket::from_linux_sll(data).ok()?,
        DataLink::LINUX_SLL2 => {
            let et = u16::from_be_bytes([*data.first()?, *data.get(1)?]);
            SlicedPacket::from_ether_type(EtherType(et), data.get(SLL2_LEN..)?).ok()?
        }
        DataLink::RAW | DataLink::IPV4 | DataLink::IPV6 => SlicedPacket::from_ip(data).ok()?,
        DataLink::NULL | DataLink::LOOP => SlicedPacket::from_ip(data.get(NULL_LEN..)?).ok()?,
        _ => return None,
    };
    let (src_ip, dst_ip) = match sliced.net.as_ref()? {
        NetSlice::Ipv4(v4) => (
            v4.header().source_addr().into(),
            v4.header().destination_addr().into(),
        ),
        NetSlice::Ipv6(v6) => (
            v6.header().source_addr().into(),
            v6.header().destination_addr().into(),
        ),
        _ => return None,
    };
    let TransportSlice::Tcp(tcp) = sliced.transport.as_ref()? else {
        return None;
    };
    Some(Segment {
        src: SocketAddr::new(src_ip, tcp.source_port()),
        dst: SocketAddr::new(dst_ip, tcp.destination_port()),
        seq: tcp.sequence_number(),
        syn: tcp.syn(),
        ack: tcp.ack(),
        ack_no: tcp.acknowledgment_number(),
        fin: tcp.fin(),
        rst: tcp.rst(),
        payload: tcp.payload(),
    })
}
