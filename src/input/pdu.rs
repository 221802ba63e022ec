//! When bytes are an SMPP PDU: the header checks the finder relies on, validated against the
//! command and status tables of [`crate::spec`].

use crate::codec::header::be32;
use crate::codec::{HEADER_LEN, MAX_PDU_LEN};
use crate::spec::{commands, status};

/// The vendor-specific command_id range of SMPP 3.4/5.0 (without the response bit).
pub const VENDOR_COMMANDS: std::ops::RangeInclusive<u32> = 0x0001_0200..=0x0001_02FF;

/// Highest command_status a response may plausibly carry: the spec's codes, the reserved range
/// and the vendor range 0x400-0x4FF all fit below it.
pub const MAX_PLAUSIBLE_STATUS: u32 = 0x0000_04FF;

/// A command_id from the tables or the vendor-specific range.
pub fn known_command(id: u32) -> bool {
    commands::lookup(id).is_some() || VENDOR_COMMANDS.contains(&(id & 0x7FFF_FFFF))
}

/// A command_status that fits the command: 0 on requests; on responses a code of the table or
/// of the reserved/vendor ranges.
pub fn plausible_status(id: u32, st: u32) -> bool {
    if commands::is_response(id) {
        st <= MAX_PLAUSIBLE_STATUS || status::lookup(st).is_some()
    } else {
        st == 0
    }
}

/// A command_length from 16 to the maximum.
pub fn plausible_length(len: u32) -> bool {
    (HEADER_LEN..=MAX_PDU_LEN).contains(&(len as usize))
}

/// A command_length that fits the command exactly: also 16 for a command whose body is always
/// empty (enquire_link, unbind, generic_nack and their responses).
pub fn fitting_length(id: u32, len: u32) -> bool {
    plausible_length(len)
        && match commands::lookup(id) {
            Some(d) if d.body.is_empty() && !d.tlvs => len as usize == HEADER_LEN,
            _ => true,
        }
}

/// `b` starts with a whole plausible header: length, command and status all fit. Used where a
/// run of bytes starts (the PDU may still be malformed: the decoder says how).
pub fn plausible_header(b: &[u8]) -> bool {
    let (Some(len), Some(id), Some(st), Some(_)) = (
        be32(b, 0..4),
        be32(b, 4..8),
        be32(b, 8..12),
        be32(b, 12..16),
    ) else {
        return false;
    };
    known_command(id) && plausible_status(id, st) && plausible_length(len)
}

/// A plausible header whose length also fits its command and the bytes that follow: used to
/// find a PDU inside a run of bytes, where a chance match must be ruled out.
pub fn fitting_header(b: &[u8]) -> bool {
    plausible_header(b)
        && be32(b, 4..8)
            .zip(be32(b, 0..4))
            .is_some_and(|(id, len)| fitting_length(id, len) && len as usize <= b.len())
}

/// `b` (fewer than 16 octets, at least 4) could be the start of a header: each complete field
/// present fits. Used for a partial header at the end of a paste.
pub fn plausible_partial_header(b: &[u8]) -> bool {
    let Some(len) = be32(b, 0..4) else {
        return false;
    };
    if !(HEADER_LEN..=MAX_PDU_LEN).contains(&(len as usize)) {
        return false;
    }
    match (be32(b, 4..8), be32(b, 8..12)) {
        (None, _) => true,
        (Some(id), None) => known_command(id),
        (Some(id), Some(st)) => known_command(id) && plausible_status(id, st),
    }
}

/// The declared command_length of a header start (at least 4 octets).
pub fn declared_len(b: &[u8]) -> Option<usize> {
    be32(b, 0..4).map(|l| l as usize)
}

/// `b` is a header without its command_length (command_id, command_status, sequence_number and
/// the body), as Kannel dumps it on an error path: the length that was dropped is put back and
/// the result returned when it is a plausible header.
pub fn restore_length(b: &[u8]) -> Option<Vec<u8>> {
    let id = be32(b, 0..4)?;
    let st = be32(b, 4..8)?;
    be32(b, 8..12)?;
    let len = u32::try_from(b.len() + 4).ok()?;
    if !(commands::lookup(id).is_some() && plausible_status(id, st) && fitting_length(id, len)) {
        return None;
    }
    let mut out = Vec::with_capacity(b.len() + 4);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(b);
    Some(out)
}
