//! Framing: where one PDU ends and the next begins, for pasted byte streams (lenient: resynchronise
//! on the next plausible header) and for live sessions (strict: complete / need more / invalid).

use std::ops::Range;

use crate::spec::commands;

use super::header::{be32, Header, HEADER_LEN, MAX_PDU_LEN};

/// True when `b` starts with a header that looks like real SMPP: a sane command_length, a known
/// command_id, and status 0 on requests.
pub fn plausible_header(b: &[u8]) -> bool {
    let Some(h) = Header::parse(b) else {
        return false;
    };
    let len = h.command_length as usize;
    (HEADER_LEN..=MAX_PDU_LEN).contains(&len)
        && commands::lookup(h.command_id).is_some()
        && (commands::is_response(h.command_id) || h.command_status == 0)
}

/// True when `b` starts with a header whose command_length is sane (16 up to the maximum). Used to
/// trust a command_length that lands exactly on the next header, even when that PDU is unusual
/// (unknown command_id, request with a status): it is still a PDU of its own.
fn sane_header(b: &[u8]) -> bool {
    Header::parse(b)
        .is_some_and(|h| (HEADER_LEN..=MAX_PDU_LEN).contains(&(h.command_length as usize)))
}

/// Split a pasted stream into PDUs by their command_length. When a length is wrong, the PDU runs
/// to the next plausible header (or the end), so one bad length does not derail the rest.
pub fn split_stream(bytes: &[u8]) -> Vec<Range<usize>> {
    let n = bytes.len();
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < n {
        let rest = &bytes[pos..];
        if rest.len() < HEADER_LEN {
            out.push(pos..n);
            break;
        }
        let len = be32(rest, 0..4).unwrap_or(0) as usize;
        if (HEADER_LEN..=rest.len()).contains(&len) {
            let next = pos + len;
            if next == n || sane_header(&bytes[next..]) {
                out.push(pos..next);
                pos = next;
                continue;
            }
        }
        let resync = (pos + HEADER_LEN..n).find(|&q| plausible_header(&bytes[q..]));
        match resync {
            Some(q) => {
                out.push(pos..q);
                pos = q;
            }
            None => {
                out.push(pos..n);
                break;
            }
        }
    }
    out
}

/// What a session's read buffer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    /// A whole PDU of this many octets is at the start of the buffer.
    Complete(usize),
    /// More octets are needed (at least this many in total).
    Partial(usize),
    /// The stream cannot be framed: command_length is below 16 or above the maximum.
    Invalid(u32),
}

/// Frame the start of a session's read buffer (strict, for live streams).
pub fn check_frame(buf: &[u8], max_len: usize) -> Frame {
    let Some(len) = be32(buf, 0..4) else {
        return Frame::Partial(4);
    };
    let l = len as usize;
    if l < HEADER_LEN || l > max_len {
        return Frame::Invalid(len);
    }
    if buf.len() >= l {
        Frame::Complete(l)
    } else {
        Frame::Partial(l)
    }
}
