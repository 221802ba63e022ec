//! Rendering: annotated hex dump, explanation blocks and JSON, written into strings with an
//! explicit [`Style`]. Nothing here reads global colour state or prints.

pub mod dump;
pub mod explain;
pub mod json;
pub mod junit;
pub mod style;

pub use style::{Role, Style};

/// The two hex digits (from `digits`, lower- or upper-case) of every octet, so a renderer writes
/// each octet as one two-octet copy.
const fn hex_pairs(digits: &[u8; 16]) -> [[u8; 2]; 256] {
    let mut t = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = [digits[i >> 4], digits[i & 0xF]];
        i += 1;
    }
    t
}

/// Append `n` in decimal. Lengths and offsets are mostly one or two digits: those are written
/// directly, the rest through `itoa`. Inlined: most callers are in the per-field loop.
#[inline]
pub(crate) fn push_uint(buf: &mut Vec<u8>, n: u64) {
    match u8::try_from(n) {
        Ok(d @ 0..=9) => buf.push(b'0' + d),
        Ok(d @ 10..=99) => buf.extend_from_slice(&[b'0' + d / 10, b'0' + d % 10]),
        _ => buf.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
    }
}
