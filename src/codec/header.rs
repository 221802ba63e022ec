//! The 16-octet PDU header: field ranges as constants (smoltcp style) and a typed view.

use std::ops::Range;

/// Byte ranges of the header fields.
pub mod field {
    use std::ops::Range;
    /// command_length: the whole PDU size, header included.
    pub const COMMAND_LENGTH: Range<usize> = 0..4;
    /// command_id.
    pub const COMMAND_ID: Range<usize> = 4..8;
    /// command_status.
    pub const COMMAND_STATUS: Range<usize> = 8..12;
    /// sequence_number.
    pub const SEQUENCE_NUMBER: Range<usize> = 12..16;
}

/// Header size in octets.
pub const HEADER_LEN: usize = 16;

/// Largest command_length accepted before a value is called absurd: a maximal message_payload
/// (64 KiB) plus the largest mandatory body, header and room for other TLVs.
pub const MAX_PDU_LEN: usize = 16 + 64 * 1024 + 4096;

/// The four header fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Header {
    /// command_length.
    pub command_length: u32,
    /// command_id.
    pub command_id: u32,
    /// command_status.
    pub command_status: u32,
    /// sequence_number.
    pub sequence_number: u32,
}

/// Read a big-endian u32 at `r` if the bytes are there.
pub fn be32(buf: &[u8], r: Range<usize>) -> Option<u32> {
    let b = buf.get(r)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

impl Header {
    /// Parse the header from the first 16 bytes, if present.
    pub fn parse(buf: &[u8]) -> Option<Header> {
        Some(Header {
            command_length: be32(buf, field::COMMAND_LENGTH)?,
            command_id: be32(buf, field::COMMAND_ID)?,
            command_status: be32(buf, field::COMMAND_STATUS)?,
            sequence_number: be32(buf, field::SEQUENCE_NUMBER)?,
        })
    }

    /// Write the header into 16 bytes.
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.command_length.to_be_bytes());
        out.extend_from_slice(&self.command_id.to_be_bytes());
        out.extend_from_slice(&self.command_status.to_be_bytes());
        out.extend_from_slice(&self.sequence_number.to_be_bytes());
    }
}
