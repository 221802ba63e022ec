//! The one SMPP codec shared by every subcommand.
//!
//! Contract:
//! - [`decode()`] reads one PDU leniently: it never panics, decodes as far as the bytes allow, puts
//!   every byte in a [`Span`] (name, range, value, meaning; depth-0 spans tile the PDU, children
//!   tile their parent) and reports everything wrong as a [`Diagnostic`] at its byte offset.
//! - [`decode_pdu`] is the strict form for sessions: a [`Pdu`] or the first error.
//! - [`Pdu::encode`] writes a PDU from the same layout tables; derived lengths are computed.
//! - [`frame`] splits byte streams into PDUs.
//!
//! No I/O and no printing here.

pub mod craft;
pub mod decode;
pub mod frame;
pub mod header;
mod message;
pub mod pdu;
mod pool;
pub mod receipt;
mod repair;
pub mod span;
pub mod split;
pub mod text;
pub mod time;
mod tlv;
pub mod udh;

pub use decode::{
    decode, decode_pdu, decode_pdu_fast, decode_reusing, decode_with, DecodeError, DecodeOptions,
    Decoded,
};
pub use header::{Header, HEADER_LEN, MAX_PDU_LEN};
pub use pdu::{Dest, EncodeError, Fields, Pdu, Tlv, UnsuccessSme, Value};
pub use span::{Diagnostic, Severity, Span, SpanKind, Val};

/// Decode every PDU in a byte stream (split by command_length, resynchronising on bad lengths).
/// Each result's spans and diagnostics are relative to its own PDU; the second element is the
/// PDU's offset in `bytes`.
pub fn decode_stream(bytes: &[u8]) -> Vec<(usize, Decoded)> {
    frame::split_stream(bytes)
        .into_iter()
        .map(|r| (r.start, decode(&bytes[r])))
        .collect()
}
