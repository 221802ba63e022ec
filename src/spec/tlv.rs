//! TLV (optional parameter) tags of SMPP 3.4 and 5.0, one row per tag with its value type.
//! Vendor tags (0x1400-0x3FFF) and unknown tags are not in the table: they are shown raw.
//!
//! SKELETON: the full table is being written (see issue 2).

use super::values::Interp;
use super::Since;

/// How a TLV value is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlvKind {
    /// Unsigned big-endian integer of `width` octets (1, 2 or 4) with an interpretation.
    Int {
        /// Octets.
        width: u8,
        /// Meaning of the value.
        interp: Interp,
    },
    /// C-Octet string (NUL terminated), at most `max` octets including the NUL.
    CStr {
        /// Maximum size including the NUL.
        max: u16,
    },
    /// Octet string of at most `max` octets, shown as hex (and as text when printable).
    Octets {
        /// Maximum size.
        max: u16,
    },
    /// message_payload: text in the PDU's data_coding (UDH parsed when esm_class says so).
    Payload,
    /// No value: presence is the information (alert_on_message_delivery in 3.4).
    Flag,
    /// network_error_code: network type octet + 2-octet error code.
    NetworkErrorCode,
    /// source/dest_subaddress: type octet + subaddress octets.
    Subaddress,
    /// callback_num: digit mode, TON, NPI, digits.
    CallbackNum,
    /// broadcast_area_identifier: format octet + area data.
    BroadcastArea,
    /// broadcast_content_type: network type octet + 2-octet content type.
    BroadcastContentType,
    /// broadcast_frequency_interval / broadcast_rep_num style: unit octet + 2-octet number.
    UnitAndNumber,
}

/// One TLV tag.
#[derive(Debug)]
pub struct TlvDef {
    /// The tag.
    pub tag: u16,
    /// Spec name, e.g. "message_payload".
    pub name: &'static str,
    /// Value type.
    pub kind: TlvKind,
    /// Version that defines it.
    pub since: Since,
    /// One line on what it carries.
    pub doc: &'static str,
}

/// Every standard TLV tag, in tag order.
pub static TLVS: &[TlvDef] = &[
    TlvDef {
        tag: 0x001E,
        name: "receipted_message_id",
        kind: TlvKind::CStr { max: 65 },
        since: Since::V34,
        doc: "SMSC message id of the message a receipt refers to.",
    },
    TlvDef {
        tag: 0x0424,
        name: "message_payload",
        kind: TlvKind::Payload,
        since: Since::V34,
        doc: "Message text or data, used instead of short_message (up to 64 KiB).",
    },
    TlvDef {
        tag: 0x0427,
        name: "message_state",
        kind: TlvKind::Int {
            width: 1,
            interp: Interp::MessageState,
        },
        since: Since::V34,
        doc: "Final state of the message in a delivery receipt.",
    },
];

/// Find the row of a tag.
pub fn lookup(tag: u16) -> Option<&'static TlvDef> {
    TLVS.iter().find(|d| d.tag == tag)
}

/// Find a tag by its name.
pub fn by_name(name: &str) -> Option<&'static TlvDef> {
    TLVS.iter().find(|d| d.name.eq_ignore_ascii_case(name))
}

/// The range label of a tag absent from the table.
pub fn range_label(tag: u16) -> &'static str {
    match tag {
        0x1400..=0x3FFF => "vendor-specific tag",
        _ => "unknown / reserved tag",
    }
}

/// Network type octet (network_error_code, broadcast_content_type ...).
pub const NETWORK_TYPES: &[(u32, &str)] = &[(1, "ANSI-136"), (2, "IS-95"), (3, "GSM")];
