//! Command ids and the layout of every PDU body: one row per command id. The codec decodes and
//! encodes bodies by walking these field lists; render and docs read the same rows.

use super::values::Interp;
use super::Since;

/// How one mandatory body field is laid out on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// One octet.
    U8(Interp),
    /// Four octets, big-endian.
    U32(Interp),
    /// C-Octet string, at most `max` octets including the NUL.
    CStr {
        /// Maximum size including the NUL.
        max: usize,
        /// What the string holds.
        what: StrKind,
    },
    /// sm_length: one octet giving the size of the following short_message.
    SmLength,
    /// short_message: `sm_length` octets of text/data in the PDU's data_coding.
    ShortMessage,
    /// submit_multi: number_of_dests then that many dest_address entries.
    DestList,
    /// submit_multi_resp: no_unsuccess then that many unsuccess_sme entries.
    UnsuccessList,
}

/// What a C-Octet string holds (for validation and rendering).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrKind {
    /// Free text / identifier.
    Text,
    /// A secret: redacted unless asked for.
    Secret,
    /// An SMPP time: empty or 16 characters (YYMMDDhhmmsstnnp).
    Time,
    /// An address (digits, or alphanumeric with TON 5).
    Address,
}

/// One mandatory field of a PDU body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    /// The spec's field name.
    pub name: &'static str,
    /// Its wire layout.
    pub kind: FieldKind,
}

/// One command id.
#[derive(Debug)]
pub struct CommandDef {
    /// command_id value.
    pub id: u32,
    /// Spec name, e.g. "submit_sm".
    pub name: &'static str,
    /// Mandatory body fields in wire order.
    pub body: &'static [FieldDef],
    /// Whether TLVs may follow the mandatory fields.
    pub tlvs: bool,
    /// Version that defines it.
    pub since: Since,
    /// One line on what it does.
    pub doc: &'static str,
}

impl CommandDef {
    /// True for responses (bit 31 set).
    pub fn is_response(&self) -> bool {
        is_response(self.id)
    }
}

/// True when a command_id is a response (bit 31 set).
pub fn is_response(id: u32) -> bool {
    id & 0x8000_0000 != 0
}

const fn f(name: &'static str, kind: FieldKind) -> FieldDef {
    FieldDef { name, kind }
}
const fn u8f(name: &'static str, i: Interp) -> FieldDef {
    f(name, FieldKind::U8(i))
}
const fn s(name: &'static str, max: usize) -> FieldDef {
    f(
        name,
        FieldKind::CStr {
            max,
            what: StrKind::Text,
        },
    )
}
const fn addr(name: &'static str, max: usize) -> FieldDef {
    f(
        name,
        FieldKind::CStr {
            max,
            what: StrKind::Address,
        },
    )
}
const fn time(name: &'static str) -> FieldDef {
    f(
        name,
        FieldKind::CStr {
            max: 17,
            what: StrKind::Time,
        },
    )
}

const BIND: &[FieldDef] = &[
    s("system_id", 16),
    f(
        "password",
        FieldKind::CStr {
            max: 9,
            what: StrKind::Secret,
        },
    ),
    s("system_type", 13),
    u8f("interface_version", Interp::InterfaceVersion),
    u8f("addr_ton", Interp::Ton),
    u8f("addr_npi", Interp::Npi),
    addr("address_range", 41),
];
const BIND_RESP: &[FieldDef] = &[s("system_id", 16)];
const OUTBIND: &[FieldDef] = &[
    s("system_id", 16),
    f(
        "password",
        FieldKind::CStr {
            max: 9,
            what: StrKind::Secret,
        },
    ),
];
const MESSAGE_ID: &[FieldDef] = &[s("message_id", 65)];
const SUBMIT_SM: &[FieldDef] = &[
    s("service_type", 6),
    u8f("source_addr_ton", Interp::Ton),
    u8f("source_addr_npi", Interp::Npi),
    addr("source_addr", 21),
    u8f("dest_addr_ton", Interp::Ton),
    u8f("dest_addr_npi", Interp::Npi),
    addr("destination_addr", 21),
    u8f("esm_class", Interp::EsmClass),
    u8f("protocol_id", Interp::ProtocolId),
    u8f("priority_flag", Interp::Priority),
    time("schedule_delivery_time"),
    time("validity_period"),
    u8f("registered_delivery", Interp::RegisteredDelivery),
    u8f("replace_if_present_flag", Interp::ReplaceIfPresent),
    u8f("data_coding", Interp::DataCoding),
    u8f("sm_default_msg_id", Interp::Plain),
    f("sm_length", FieldKind::SmLength),
    f("short_message", FieldKind::ShortMessage),
];
const QUERY_SM: &[FieldDef] = &[
    s("message_id", 65),
    u8f("source_addr_ton", Interp::Ton),
    u8f("source_addr_npi", Interp::Npi),
    addr("source_addr", 21),
];
const QUERY_SM_RESP: &[FieldDef] = &[
    s("message_id", 65),
    time("final_date"),
    u8f("message_state", Interp::MessageState),
    u8f("error_code", Interp::NetworkError),
];
const REPLACE_SM: &[FieldDef] = &[
    s("message_id", 65),
    u8f("source_addr_ton", Interp::Ton),
    u8f("source_addr_npi", Interp::Npi),
    addr("source_addr", 21),
    time("schedule_delivery_time"),
    time("validity_period"),
    u8f("registered_delivery", Interp::RegisteredDelivery),
    u8f("sm_default_msg_id", Interp::Plain),
    f("sm_length", FieldKind::SmLength),
    f("short_message", FieldKind::ShortMessage),
];
const CANCEL_SM: &[FieldDef] = &[
    s("service_type", 6),
    s("message_id", 65),
    u8f("source_addr_ton", Interp::Ton),
    u8f("source_addr_npi", Interp::Npi),
    addr("source_addr", 21),
    u8f("dest_addr_ton", Interp::Ton),
    u8f("dest_addr_npi", Interp::Npi),
    addr("destination_addr", 21),
];
const SUBMIT_MULTI: &[FieldDef] = &[
    s("service_type", 6),
    u8f("source_addr_ton", Interp::Ton),
    u8f("source_addr_npi", Interp::Npi),
    addr("source_addr", 21),
    f("dest_address", FieldKind::DestList),
    u8f("esm_class", Interp::EsmClass),
    u8f("protocol_id", Interp::ProtocolId),
    u8f("priority_flag", Interp::Priority),
    time("schedule_delivery_time"),
    time("validity_period"),
    u8f("registered_delivery", Interp::RegisteredDelivery),
    u8f("replace_if_present_flag", Interp::ReplaceIfPresent),
    u8f("data_coding", Interp::DataCoding),
    u8f("sm_default_msg_id", Interp::Plain),
    f("sm_length", FieldKind::SmLength),
    f("short_message", FieldKind::ShortMessage),
];
const SUBMIT_MULTI_RESP: &[FieldDef] = &[
    s("message_id", 65),
    f("unsuccess_sme", FieldKind::UnsuccessList),
];
const ALERT_NOTIFICATION: &[FieldDef] = &[
    u8f("source_addr_ton", Interp::Ton),
    u8f("source_addr_npi", Interp::Npi),
    addr("source_addr", 65),
    u8f("esme_addr_ton", Interp::Ton),
    u8f("esme_addr_npi", Interp::Npi),
    addr("esme_addr", 65),
];
const DATA_SM: &[FieldDef] = &[
    s("service_type", 6),
    u8f("source_addr_ton", Interp::Ton),
    u8f("source_addr_npi", Interp::Npi),
    addr("source_addr", 65),
    u8f("dest_addr_ton", Interp::Ton),
    u8f("dest_addr_npi", Interp::Npi),
    addr("destination_addr", 65),
    u8f("esm_class", Interp::EsmClass),
    u8f("registered_delivery", Interp::RegisteredDelivery),
    u8f("data_coding", Interp::DataCoding),
];
const BROADCAST_SM: &[FieldDef] = &[
    s("service_type", 6),
    u8f("source_addr_ton", Interp::Ton),
    u8f("source_addr_npi", Interp::Npi),
    addr("source_addr", 21),
    s("message_id", 65),
    u8f("priority_flag", Interp::Priority),
    time("schedule_delivery_time"),
    time("validity_period"),
    u8f("replace_if_present_flag", Interp::ReplaceIfPresent),
    u8f("data_coding", Interp::DataCoding),
    u8f("sm_default_msg_id", Interp::Plain),
];
const QUERY_BROADCAST_SM: &[FieldDef] = &[
    s("message_id", 65),
    u8f("source_addr_ton", Interp::Ton),
    u8f("source_addr_npi", Interp::Npi),
    addr("source_addr", 21),
];
const CANCEL_BROADCAST_SM: &[FieldDef] = &[
    s("service_type", 6),
    s("message_id", 65),
    u8f("source_addr_ton", Interp::Ton),
    u8f("source_addr_npi", Interp::Npi),
    addr("source_addr", 21),
];

const fn c(
    id: u32,
    name: &'static str,
    body: &'static [FieldDef],
    tlvs: bool,
    since: Since,
    doc: &'static str,
) -> CommandDef {
    CommandDef {
        id,
        name,
        body,
        tlvs,
        since,
        doc,
    }
}

/// Every command id, requests and responses.
pub static COMMANDS: &[CommandDef] = &[
    c(
        0x8000_0000,
        "generic_nack",
        &[],
        false,
        Since::V34,
        "Negative acknowledgement of a PDU whose command_length or command_id was invalid.",
    ),
    c(
        0x0000_0001,
        "bind_receiver",
        BIND,
        false,
        Since::V34,
        "Bind as a receiver (the SMSC delivers messages to the ESME).",
    ),
    c(
        0x8000_0001,
        "bind_receiver_resp",
        BIND_RESP,
        true,
        Since::V34,
        "Answer to bind_receiver.",
    ),
    c(
        0x0000_0002,
        "bind_transmitter",
        BIND,
        false,
        Since::V34,
        "Bind as a transmitter (the ESME submits messages).",
    ),
    c(
        0x8000_0002,
        "bind_transmitter_resp",
        BIND_RESP,
        true,
        Since::V34,
        "Answer to bind_transmitter.",
    ),
    c(
        0x0000_0003,
        "query_sm",
        QUERY_SM,
        false,
        Since::V34,
        "Ask the state of a submitted message.",
    ),
    c(
        0x8000_0003,
        "query_sm_resp",
        QUERY_SM_RESP,
        false,
        Since::V34,
        "State of the queried message.",
    ),
    c(
        0x0000_0004,
        "submit_sm",
        SUBMIT_SM,
        true,
        Since::V34,
        "Submit a short message to one destination.",
    ),
    c(
        0x8000_0004,
        "submit_sm_resp",
        MESSAGE_ID,
        true,
        Since::V34,
        "Answer to submit_sm with the SMSC message id.",
    ),
    c(
        0x0000_0005,
        "deliver_sm",
        SUBMIT_SM,
        true,
        Since::V34,
        "SMSC delivers a message or a delivery receipt to the ESME.",
    ),
    c(
        0x8000_0005,
        "deliver_sm_resp",
        MESSAGE_ID,
        true,
        Since::V34,
        "Answer to deliver_sm (message_id unused, NULL).",
    ),
    c(
        0x0000_0006,
        "unbind",
        &[],
        false,
        Since::V34,
        "Close the session.",
    ),
    c(
        0x8000_0006,
        "unbind_resp",
        &[],
        false,
        Since::V34,
        "Answer to unbind.",
    ),
    c(
        0x0000_0007,
        "replace_sm",
        REPLACE_SM,
        true,
        Since::V34,
        "Replace a message still held by the SMSC.",
    ),
    c(
        0x8000_0007,
        "replace_sm_resp",
        &[],
        false,
        Since::V34,
        "Answer to replace_sm.",
    ),
    c(
        0x0000_0008,
        "cancel_sm",
        CANCEL_SM,
        false,
        Since::V34,
        "Cancel messages still held by the SMSC.",
    ),
    c(
        0x8000_0008,
        "cancel_sm_resp",
        &[],
        false,
        Since::V34,
        "Answer to cancel_sm.",
    ),
    c(
        0x0000_0009,
        "bind_transceiver",
        BIND,
        false,
        Since::V34,
        "Bind as a transceiver (submit and receive on one session).",
    ),
    c(
        0x8000_0009,
        "bind_transceiver_resp",
        BIND_RESP,
        true,
        Since::V34,
        "Answer to bind_transceiver.",
    ),
    c(
        0x0000_000B,
        "outbind",
        OUTBIND,
        false,
        Since::V34,
        "SMSC asks the ESME to bind as a receiver.",
    ),
    c(
        0x0000_0015,
        "enquire_link",
        &[],
        false,
        Since::V34,
        "Keep-alive / link check.",
    ),
    c(
        0x8000_0015,
        "enquire_link_resp",
        &[],
        false,
        Since::V34,
        "Answer to enquire_link.",
    ),
    c(
        0x0000_0021,
        "submit_multi",
        SUBMIT_MULTI,
        true,
        Since::V34,
        "Submit a message to several destinations or distribution lists.",
    ),
    c(
        0x8000_0021,
        "submit_multi_resp",
        SUBMIT_MULTI_RESP,
        true,
        Since::V34,
        "Answer to submit_multi, listing unsuccessful destinations.",
    ),
    c(
        0x0000_0102,
        "alert_notification",
        ALERT_NOTIFICATION,
        true,
        Since::V34,
        "SMSC tells the ESME that a mobile became available.",
    ),
    c(
        0x0000_0103,
        "data_sm",
        DATA_SM,
        true,
        Since::V34,
        "Transfer data (message in message_payload) in either direction.",
    ),
    c(
        0x8000_0103,
        "data_sm_resp",
        MESSAGE_ID,
        true,
        Since::V34,
        "Answer to data_sm.",
    ),
    c(
        0x0000_0111,
        "broadcast_sm",
        BROADCAST_SM,
        true,
        Since::V50,
        "Submit a cell broadcast message.",
    ),
    c(
        0x8000_0111,
        "broadcast_sm_resp",
        MESSAGE_ID,
        true,
        Since::V50,
        "Answer to broadcast_sm.",
    ),
    c(
        0x0000_0112,
        "query_broadcast_sm",
        QUERY_BROADCAST_SM,
        true,
        Since::V50,
        "Ask the state of a broadcast message.",
    ),
    c(
        0x8000_0112,
        "query_broadcast_sm_resp",
        MESSAGE_ID,
        true,
        Since::V50,
        "State of the broadcast message (in TLVs).",
    ),
    c(
        0x0000_0113,
        "cancel_broadcast_sm",
        CANCEL_BROADCAST_SM,
        true,
        Since::V50,
        "Cancel a broadcast message.",
    ),
    c(
        0x8000_0113,
        "cancel_broadcast_sm_resp",
        &[],
        false,
        Since::V50,
        "Answer to cancel_broadcast_sm.",
    ),
];

/// Find the row of a command id.
pub fn lookup(id: u32) -> Option<&'static CommandDef> {
    COMMANDS.iter().find(|d| d.id == id)
}

/// Find a command by name ("submit_sm").
pub fn by_name(name: &str) -> Option<&'static CommandDef> {
    COMMANDS.iter().find(|d| d.name.eq_ignore_ascii_case(name))
}

/// Name of any command id: the table name, a 3.3-only name, or a range label.
pub fn name_of(id: u32) -> String {
    if let Some(d) = lookup(id) {
        return d.name.to_string();
    }
    let base = id & 0x7FFF_FFFF;
    let old = match base {
        0x0C => Some("param_retrieve"),
        0x23 => Some("query_last_msgs"),
        0x24 => Some("query_msg_details"),
        _ => None,
    };
    if let Some(n) = old {
        return if is_response(id) {
            format!("{n}_resp (SMPP 3.3 only)")
        } else {
            format!("{n} (SMPP 3.3 only)")
        };
    }
    match base {
        0x0001_0200..=0x0001_02FF => format!("vendor-specific command 0x{id:08X}"),
        _ => format!("unknown command 0x{id:08X}"),
    }
}
