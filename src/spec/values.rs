//! Value tables for one-octet (and small integer) fields: TON, NPI, esm_class, registered_delivery,
//! priority_flag, data_coding, interface_version, message_state ... Each [`Interp`] turns a raw
//! value into a human meaning; TLV rows reuse them or bring a table of their own.

use std::borrow::Cow;
use std::sync::OnceLock;

use super::table_name;

/// Type of Number (SMPP 3.4 5.2.5).
pub const TON: &[(u32, &str)] = &[
    (0, "unknown"),
    (1, "international"),
    (2, "national"),
    (3, "network specific"),
    (4, "subscriber number"),
    (5, "alphanumeric"),
    (6, "abbreviated"),
];

/// Numbering Plan Indicator (SMPP 3.4 5.2.6).
pub const NPI: &[(u32, &str)] = &[
    (0, "unknown"),
    (1, "ISDN (E.163/E.164)"),
    (3, "data (X.121)"),
    (4, "telex (F.69)"),
    (6, "land mobile (E.212)"),
    (8, "national"),
    (9, "private"),
    (10, "ERMES"),
    (14, "Internet (IP)"),
    (18, "WAP client id"),
];

/// interface_version (SMPP 3.4 5.2.4).
pub const INTERFACE_VERSION: &[(u32, &str)] =
    &[(0x33, "SMPP 3.3"), (0x34, "SMPP 3.4"), (0x50, "SMPP 5.0")];

/// message_state (SMPP 3.4 5.2.28, 5.0 4.7.15).
pub const MESSAGE_STATE: &[(u32, &str)] = &[
    (0, "SCHEDULED"),
    (1, "ENROUTE"),
    (2, "DELIVERED"),
    (3, "EXPIRED"),
    (4, "DELETED"),
    (5, "UNDELIVERABLE"),
    (6, "ACCEPTED"),
    (7, "UNKNOWN"),
    (8, "REJECTED"),
    (9, "SKIPPED"),
];

/// priority_flag (SMPP 3.4 5.2.14).
pub const PRIORITY: &[(u32, &str)] = &[
    (0, "level 0 (lowest)"),
    (1, "level 1"),
    (2, "level 2"),
    (3, "level 3 (highest)"),
    (4, "level 4 (ANSI-136 emergency)"),
];

/// replace_if_present_flag (SMPP 3.4 5.2.18).
pub const REPLACE_IF_PRESENT: &[(u32, &str)] = &[(0, "don't replace"), (1, "replace")];

/// dest_flag in submit_multi (SMPP 3.4 5.2.25).
pub const DEST_FLAG: &[(u32, &str)] = &[(1, "SME address"), (2, "distribution list name")];

/// Plain data_coding values (SMPP 3.4 5.2.19).
pub const DATA_CODING: &[(u32, &str)] = &[
    (0x00, "SMSC default alphabet (usually GSM 03.38)"),
    (0x01, "IA5 (CCITT T.50) / ASCII"),
    (0x02, "8-bit binary"),
    (0x03, "Latin-1 (ISO-8859-1)"),
    (0x04, "8-bit binary"),
    (0x05, "JIS (X 0208-1990)"),
    (0x06, "Cyrillic (ISO-8859-5)"),
    (0x07, "Latin/Hebrew (ISO-8859-8)"),
    (0x08, "UCS2 (ISO/IEC-10646)"),
    (0x09, "pictogram encoding"),
    (0x0A, "ISO-2022-JP (music codes)"),
    (0x0D, "extended Kanji JIS (X 0212-1990)"),
    (0x0E, "KS C 5601"),
];

/// How a raw integer field is turned into a human meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interp {
    /// Just a number; no meaning beyond the value.
    Plain,
    /// A length or count.
    Count,
    /// Type of Number.
    Ton,
    /// Numbering Plan Indicator.
    Npi,
    /// esm_class bit fields.
    EsmClass,
    /// registered_delivery bit fields.
    RegisteredDelivery,
    /// priority_flag.
    Priority,
    /// data_coding, including the GSM DCS groups.
    DataCoding,
    /// protocol_id (GSM TP-PID).
    ProtocolId,
    /// interface_version.
    InterfaceVersion,
    /// message_state.
    MessageState,
    /// replace_if_present_flag.
    ReplaceIfPresent,
    /// dest_flag in submit_multi.
    DestFlag,
    /// A command_status value (error_status_code in submit_multi_resp).
    CommandStatus,
    /// A network-specific error code (query_sm_resp error_code).
    NetworkError,
    /// Any `(value, name)` table.
    Table(&'static [(u32, &'static str)]),
}

impl Interp {
    /// The meaning of `v`, or `None` when there is nothing to say beyond the number.
    /// Values outside the table are described as reserved/unknown, never dropped.
    /// Borrowed from the tables (one-octet bit fields are described once per value).
    pub fn meaning(self, v: u32) -> Option<Cow<'static, str>> {
        let named = |t: &[(u32, &'static str)]| {
            Some(Cow::Borrowed(
                table_name(t, v).unwrap_or("reserved / unknown value"),
            ))
        };
        match self {
            Interp::Plain | Interp::Count | Interp::NetworkError => None,
            Interp::Ton => named(TON),
            Interp::Npi => named(NPI),
            Interp::Priority => named(PRIORITY),
            Interp::ReplaceIfPresent => named(REPLACE_IF_PRESENT),
            Interp::DestFlag => named(DEST_FLAG),
            Interp::MessageState => named(MESSAGE_STATE),
            Interp::Table(t) => named(t),
            Interp::InterfaceVersion => Some(Cow::Borrowed(interface_version(v))),
            Interp::EsmClass => Some(octet_meaning(&ESM_CLASS, v, esm_class)),
            Interp::RegisteredDelivery => {
                Some(octet_meaning(&REGISTERED_DELIVERY, v, registered_delivery))
            }
            Interp::DataCoding => Some(octet_meaning(&DATA_CODING_TEXT, v, |b| {
                data_coding(b).describe()
            })),
            Interp::ProtocolId => Some(octet_meaning(&PROTOCOL_ID, v, protocol_id)),
            Interp::CommandStatus => Some(crate::spec::status::name_of(v)),
        }
    }
}

/// Descriptions of the values of a one-octet field, each built the first time it is asked for
/// (a process decoding one PDU describes a handful of values, not all 256 of four fields).
type OctetTable = [OnceLock<String>; 256];

static ESM_CLASS: OctetTable = [const { OnceLock::new() }; 256];
static REGISTERED_DELIVERY: OctetTable = [const { OnceLock::new() }; 256];
static DATA_CODING_TEXT: OctetTable = [const { OnceLock::new() }; 256];
static PROTOCOL_ID: OctetTable = [const { OnceLock::new() }; 256];

/// The description of `v` from a one-octet table (`describe` for values above 255).
fn octet_meaning(
    table: &'static OctetTable,
    v: u32,
    describe: fn(u8) -> String,
) -> Cow<'static, str> {
    match u8::try_from(v) {
        Ok(b) => Cow::Borrowed(table[usize::from(b)].get_or_init(|| describe(b)).as_str()),
        Err(_) => Cow::Owned(describe(v as u8)),
    }
}

fn interface_version(v: u32) -> &'static str {
    match table_name(INTERFACE_VERSION, v) {
        Some(n) => n,
        None if v < 0x33 => "SMPP 3.3 or earlier",
        None => "not a defined version",
    }
}

/// esm_class broken into its bit fields (SMPP 3.4 5.2.12).
pub fn esm_class(v: u8) -> String {
    let mode = match v & 0x03 {
        0 => "default mode",
        1 => "datagram mode",
        2 => "forward (transaction) mode",
        _ => "store and forward mode",
    };
    let kind = match v & 0x3C {
        0x00 => "normal message",
        0x04 => "SMSC delivery receipt",
        0x08 => "SME delivery acknowledgement",
        0x10 => "SME manual/user acknowledgement",
        0x18 => "conversation abort",
        0x20 => "intermediate delivery notification",
        _ => "reserved message type",
    };
    let mut parts = vec![mode.to_string(), kind.to_string()];
    match v & 0xC0 {
        0x40 => parts.push("UDHI (UDH present)".into()),
        0x80 => parts.push("reply path".into()),
        0xC0 => parts.push("UDHI + reply path".into()),
        _ => {}
    }
    parts.join(", ")
}

/// registered_delivery broken into its bit fields (SMPP 3.4 5.2.17).
pub fn registered_delivery(v: u8) -> String {
    let receipt = match v & 0x03 {
        0 => "no SMSC receipt",
        1 => "SMSC receipt on final outcome",
        2 => "SMSC receipt on failure only",
        _ => "SMSC receipt on success only (5.0; reserved in 3.4)",
    };
    let ack = match v & 0x0C {
        0x00 => None,
        0x04 => Some("SME delivery ack"),
        0x08 => Some("SME manual/user ack"),
        _ => Some("SME delivery + manual ack"),
    };
    let mut parts = vec![receipt.to_string()];
    if let Some(a) = ack {
        parts.push(a.into());
    }
    if v & 0x10 != 0 {
        parts.push("intermediate notification".into());
    }
    if v & 0xE0 != 0 {
        parts.push("reserved bits set".into());
    }
    parts.join(", ")
}

/// protocol_id (GSM 03.40 TP-PID), the common values.
pub fn protocol_id(v: u8) -> String {
    match v {
        0x00 => "default (SME-to-SME)".into(),
        0x40 => "short message type 0 (silent)".into(),
        0x41..=0x47 => format!("replace short message type {}", v - 0x40),
        0x5F => "return call message".into(),
        0x7C => "ANSI-136 R-DATA".into(),
        0x7D => "ME data download".into(),
        0x7E => "ME de-personalisation".into(),
        0x7F => "(U)SIM data download".into(),
        0x20..=0x3F => "telematic interworking".into(),
        _ => "network/vendor specific".into(),
    }
}

/// The text encoding a data_coding value selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// GSM 03.38 default alphabet, one septet per octet.
    Gsm7,
    /// IA5 / ASCII.
    Ascii,
    /// ISO-8859-1.
    Latin1,
    /// UCS2 / UTF-16BE.
    Ucs2,
    /// 8-bit data: shown as hex.
    Binary,
    /// Something we do not decode as text (JIS, KS C 5601 ...): shown as hex.
    Other,
}

/// data_coding decoded: the charset and a description including GSM DCS groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataCoding {
    /// The raw octet.
    pub raw: u8,
    /// The alphabet used for the text.
    pub charset: Charset,
    /// Message class 0-3 when the DCS carries one.
    pub class: Option<u8>,
}

impl DataCoding {
    /// Human description, e.g. "UCS2 (ISO/IEC-10646)" or "GSM DCS: class 0 (flash), GSM 7-bit".
    pub fn describe(&self) -> String {
        let v = self.raw;
        if v < 0x10 {
            return table_name(DATA_CODING, v as u32)
                .unwrap_or("reserved")
                .to_string();
        }
        let alpha = match self.charset {
            Charset::Gsm7 => "GSM 7-bit",
            Charset::Ucs2 => "UCS2",
            Charset::Binary => "8-bit data",
            _ => "reserved alphabet",
        };
        let class = self
            .class
            .map(|c| {
                format!(
                    ", class {c} ({})",
                    [
                        "flash / immediate display",
                        "ME specific",
                        "SIM specific",
                        "TE specific"
                    ][c as usize & 3]
                )
            })
            .unwrap_or_default();
        match v {
            0x10..=0x3F => format!(
                "GSM DCS general group{}: {alpha}{class}",
                if v & 0x20 != 0 { ", compressed" } else { "" }
            ),
            0x40..=0x7F => format!("GSM DCS auto-deletion group: {alpha}{class}"),
            0x80..=0xBF => "reserved coding group".to_string(),
            0xC0..=0xCF => format!(
                "GSM DCS message waiting, discard message: {} indication {}",
                mwi_kind(v),
                if v & 0x08 != 0 { "on" } else { "off" }
            ),
            0xD0..=0xDF => format!(
                "GSM DCS message waiting, store message (GSM 7-bit): {} indication {}",
                mwi_kind(v),
                if v & 0x08 != 0 { "on" } else { "off" }
            ),
            0xE0..=0xEF => format!(
                "GSM DCS message waiting, store message (UCS2): {} indication {}",
                mwi_kind(v),
                if v & 0x08 != 0 { "on" } else { "off" }
            ),
            _ => format!("GSM DCS data coding/message class group: {alpha}{class}"),
        }
    }
}

fn mwi_kind(v: u8) -> &'static str {
    ["voicemail", "fax", "e-mail", "other"][(v & 0x03) as usize]
}

/// Decode a data_coding octet.
pub fn data_coding(v: u8) -> DataCoding {
    let (charset, class) = match v {
        0x00 => (Charset::Gsm7, None),
        0x01 => (Charset::Ascii, None),
        0x02 | 0x04 => (Charset::Binary, None),
        0x03 => (Charset::Latin1, None),
        0x08 => (Charset::Ucs2, None),
        0x05..=0x0F => (Charset::Other, None),
        0x10..=0x7F => {
            let class = if v & 0x10 != 0 { Some(v & 0x03) } else { None };
            let cs = if v & 0x20 != 0 {
                Charset::Binary // compressed: not decodable as text
            } else {
                match (v >> 2) & 0x03 {
                    0 => Charset::Gsm7,
                    1 => Charset::Binary,
                    2 => Charset::Ucs2,
                    _ => Charset::Other,
                }
            };
            (cs, class)
        }
        0x80..=0xBF => (Charset::Other, None),
        0xC0..=0xDF => (Charset::Gsm7, None),
        0xE0..=0xEF => (Charset::Ucs2, None),
        _ => {
            let cs = if v & 0x04 != 0 {
                Charset::Binary
            } else {
                Charset::Gsm7
            };
            (cs, Some(v & 0x03))
        }
    };
    DataCoding {
        raw: v,
        charset,
        class,
    }
}
