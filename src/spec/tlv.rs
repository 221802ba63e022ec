//! TLV (optional parameter) tags of SMPP 3.4 (section 5.3.2) and 5.0 (section 4.8.4), one row per
//! tag with its value type, plus the value tables their meanings come from.
//!
//! Vendor tags (0x1400-0x3FFF) and unknown tags are not in the table: the decoder keeps them and
//! shows them raw, labelled by [`range_label`]. Integer values are explained by
//! [`value_meaning`], which also knows the few tags whose meaning is a range or a bit field.
//!
//! Sizes follow the specs; real peers sometimes send other lengths (a 1-octet broadcast_rep_num,
//! a 4-octet 5.0 ms_validity, a 1-octet 5.0 alert_on_message_delivery). The decoder reads the
//! length actually present and notes a mismatch; the `doc` of those rows says what to expect.

use std::borrow::Cow;

use super::values::Interp;
use super::{table_name, Since};

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
    /// network_error_code: network type octet ([`NETWORK_TYPES`]) + 2-octet error code.
    NetworkErrorCode,
    /// source/dest_subaddress: type octet ([`SUBADDRESS_TYPES`]) + subaddress octets.
    Subaddress,
    /// callback_num: digit mode ([`CALLBACK_DIGIT_MODES`]), TON, NPI, digits.
    CallbackNum,
    /// broadcast_area_identifier: format octet ([`BROADCAST_AREA_FORMATS`]) + area data.
    BroadcastArea,
    /// broadcast_content_type: network type octet ([`BROADCAST_CONTENT_NETWORKS`]) + 2-octet
    /// content type ([`BROADCAST_CONTENT_TYPES`]).
    BroadcastContentType,
    /// broadcast_frequency_interval: unit octet ([`TIME_UNITS`]) + 2-octet number.
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

// ---------------------------------------------------------------------------------------------
// Value tables
// ---------------------------------------------------------------------------------------------

/// source/dest_addr_subunit (3.4 5.3.2.1).
pub const ADDR_SUBUNIT: &[(u32, &str)] = &[
    (0, "unknown (default)"),
    (1, "MS display"),
    (2, "mobile equipment"),
    (3, "smart card 1 (the SIM when there is one)"),
    (4, "external unit 1"),
];

/// source/dest_network_type (3.4 5.3.2.3).
pub const ADDR_NETWORK_TYPES: &[(u32, &str)] = &[
    (0, "unknown"),
    (1, "GSM"),
    (2, "ANSI-136 / TDMA"),
    (3, "IS-95 / CDMA"),
    (4, "PDC"),
    (5, "PHS"),
    (6, "iDEN"),
    (7, "AMPS"),
    (8, "paging network"),
];

/// source/dest_bearer_type (3.4 5.3.2.5).
pub const BEARER_TYPES: &[(u32, &str)] = &[
    (0, "unknown"),
    (1, "SMS"),
    (2, "circuit switched data (CSD)"),
    (3, "packet data"),
    (4, "USSD"),
    (5, "CDPD"),
    (6, "DataTAC"),
    (7, "FLEX / ReFLEX"),
    (8, "cell broadcast"),
];

/// payload_type (3.4 5.3.2.10).
pub const PAYLOAD_TYPES: &[(u32, &str)] =
    &[(0, "default (WDP message for WAP)"), (1, "WCMP message")];

/// ms_msg_wait_facilities (3.4 5.3.2.13): bit 7 = indicator active, bits 1-0 = message type.
pub const MS_MSG_WAIT_FACILITIES: &[(u32, &str)] = &[
    (0x00, "indication inactive: voicemail"),
    (0x01, "indication inactive: fax"),
    (0x02, "indication inactive: e-mail"),
    (0x03, "indication inactive: other"),
    (0x80, "indication active: voicemail waiting"),
    (0x81, "indication active: fax waiting"),
    (0x82, "indication active: e-mail waiting"),
    (0x83, "indication active: other message waiting"),
];

/// privacy_indicator (3.4 5.3.2.14).
pub const PRIVACY_INDICATOR: &[(u32, &str)] = &[
    (0, "not restricted (default)"),
    (1, "restricted"),
    (2, "confidential"),
    (3, "secret"),
];

/// language_indicator (3.4 5.3.2.19).
pub const LANGUAGE_INDICATOR: &[(u32, &str)] = &[
    (0, "unspecified (default)"),
    (1, "English"),
    (2, "French"),
    (3, "Spanish"),
    (4, "German"),
    (5, "Portuguese"),
];

/// callback_num_pres_ind (3.4 5.3.2.37): bits 3-2 presentation, bits 1-0 screening.
pub const CALLBACK_NUM_PRES_IND: &[(u32, &str)] = &[
    (0x00, "presentation allowed, user provided (not screened)"),
    (
        0x01,
        "presentation allowed, user provided (verified and passed)",
    ),
    (
        0x02,
        "presentation allowed, user provided (verified and failed)",
    ),
    (0x03, "presentation allowed, network provided"),
    (
        0x04,
        "presentation restricted, user provided (not screened)",
    ),
    (
        0x05,
        "presentation restricted, user provided (verified and passed)",
    ),
    (
        0x06,
        "presentation restricted, user provided (verified and failed)",
    ),
    (0x07, "presentation restricted, network provided"),
    (0x08, "number not available, user provided (not screened)"),
    (
        0x09,
        "number not available, user provided (verified and passed)",
    ),
    (
        0x0A,
        "number not available, user provided (verified and failed)",
    ),
    (0x0B, "number not available, network provided"),
    (0x0C, "reserved presentation, user provided (not screened)"),
    (
        0x0D,
        "reserved presentation, user provided (verified and passed)",
    ),
    (
        0x0E,
        "reserved presentation, user provided (verified and failed)",
    ),
    (0x0F, "reserved presentation, network provided"),
];

/// Digit mode octet of callback_num (3.4 5.3.2.36).
pub const CALLBACK_DIGIT_MODES: &[(u32, &str)] = &[(0, "TBCD digits"), (1, "ASCII digits")];

/// Type octet of source/dest_subaddress (3.4 5.3.2.15).
pub const SUBADDRESS_TYPES: &[(u32, &str)] = &[
    (0x80, "NSAP (even number of address signals)"),
    (0x88, "NSAP (odd number of address signals)"),
    (0xA0, "user specified"),
];

/// dpf_result (3.4 5.3.2.28).
pub const DPF_RESULT: &[(u32, &str)] = &[(0, "DPF not set"), (1, "DPF set")];

/// set_dpf (3.4 5.3.2.29).
pub const SET_DPF: &[(u32, &str)] = &[
    (0, "not requested: no delivery pending flag on failure"),
    (
        1,
        "requested: set delivery pending flag on failure (default)",
    ),
];

/// ms_availability_status (3.4 5.3.2.30).
pub const MS_AVAILABILITY_STATUS: &[(u32, &str)] = &[
    (0, "available (default)"),
    (1, "denied (suspended, no SMS capability, ...)"),
    (2, "unavailable"),
];

/// Type octet of network_error_code (3.4 5.3.2.31, 5.0). Values 4-8 exist only in 5.0.
pub const NETWORK_TYPES: &[(u32, &str)] = &[
    (1, "ANSI-136 access denied reason"),
    (2, "IS-95 access denied reason"),
    (3, "GSM"),
    (4, "ANSI-136 cause code (5.0; reserved in 3.4)"),
    (5, "IS-95 cause code (5.0; reserved in 3.4)"),
    (6, "ANSI-41 error (5.0; reserved in 3.4)"),
    (7, "SMPP error (5.0; reserved in 3.4)"),
    (8, "message center specific (5.0; reserved in 3.4)"),
];

/// delivery_failure_reason (3.4 5.3.2.33).
pub const DELIVERY_FAILURE_REASON: &[(u32, &str)] = &[
    (0, "destination unavailable"),
    (
        1,
        "destination address invalid (suspended, no SMS capability, ...)",
    ),
    (2, "permanent network error"),
    (3, "temporary network error"),
];

/// more_messages_to_send (3.4 5.3.2.34).
pub const MORE_MESSAGES_TO_SEND: &[(u32, &str)] = &[
    (0, "no more messages to follow"),
    (1, "more messages to follow (default)"),
];

/// congestion_state (5.0): inclusive ranges of the load percentage.
pub const CONGESTION_STATE: &[(u32, u32, &str)] = &[
    (0, 0, "idle"),
    (1, 29, "low load"),
    (30, 49, "medium load"),
    (50, 79, "high load"),
    (80, 89, "optimum load"),
    (90, 99, "nearing congestion"),
    (100, 100, "congested (maximum load)"),
];

/// ussd_service_op (3.4 5.3.2.44). 32-255 are vendor specific (see [`value_meaning`]).
pub const USSD_SERVICE_OP: &[(u32, &str)] = &[
    (0, "PSSD indication"),
    (1, "PSSR indication"),
    (2, "USSR request"),
    (3, "USSN request"),
    (16, "PSSD response"),
    (17, "PSSR response"),
    (18, "USSR confirm"),
    (19, "USSN confirm"),
];

/// broadcast_channel_indicator (5.0 4.8.4.7).
pub const BROADCAST_CHANNEL_INDICATOR: &[(u32, &str)] = &[
    (0, "basic broadcast channel (default)"),
    (1, "extended broadcast channel"),
];

/// Network type octet of broadcast_content_type (5.0 4.8.4.8).
pub const BROADCAST_CONTENT_NETWORKS: &[(u32, &str)] = &[
    (0, "generic"),
    (1, "GSM (3GPP TS 23.041)"),
    (2, "TDMA (IS-824, ANSI-41)"),
    (3, "CDMA (IS-824, IS-637)"),
];

/// Content type (2 octets) of broadcast_content_type (5.0 4.8.4.8).
pub const BROADCAST_CONTENT_TYPES: &[(u32, &str)] = &[
    (0x0000, "system service: index"),
    (0x0001, "system service: emergency broadcasts"),
    (0x0002, "system service: IRDB download"),
    (0x0010, "news service: news flashes"),
    (0x0011, "news service: general news (local)"),
    (0x0012, "news service: general news (regional)"),
    (0x0013, "news service: general news (national)"),
    (0x0014, "news service: general news (international)"),
    (0x0015, "news service: business/financial news (local)"),
    (0x0016, "news service: business/financial news (regional)"),
    (0x0017, "news service: business/financial news (national)"),
    (
        0x0018,
        "news service: business/financial news (international)",
    ),
    (0x0019, "news service: sports news (local)"),
    (0x001A, "news service: sports news (regional)"),
    (0x001B, "news service: sports news (national)"),
    (0x001C, "news service: sports news (international)"),
    (0x001D, "news service: entertainment news (local)"),
    (0x001E, "news service: entertainment news (regional)"),
    (0x001F, "news service: entertainment news (national)"),
    (0x0020, "news service: entertainment news (international)"),
    (
        0x0021,
        "subscriber information: medical / health / hospitals",
    ),
    (0x0022, "subscriber information: doctors"),
    (0x0023, "subscriber information: pharmacy"),
    (
        0x0030,
        "subscriber information: local traffic / road reports",
    ),
    (
        0x0031,
        "subscriber information: long distance traffic / road reports",
    ),
    (0x0032, "subscriber information: taxis"),
    (0x0033, "subscriber information: weather"),
    (
        0x0034,
        "subscriber information: local airport flight schedules",
    ),
    (0x0035, "subscriber information: restaurants"),
    (0x0036, "subscriber information: lodgings"),
    (0x0037, "subscriber information: retail directory"),
    (0x0038, "subscriber information: advertisements"),
    (0x0039, "subscriber information: stock quotes"),
    (0x0040, "subscriber information: employment opportunities"),
    (0x0041, "subscriber information: technology news"),
    (0x0070, "carrier information: district (base station info)"),
    (0x0071, "carrier information: network information"),
    (0x0080, "subscriber care: operator services"),
    (0x0081, "subscriber care: directory enquiries (national)"),
    (
        0x0082,
        "subscriber care: directory enquiries (international)",
    ),
    (0x0083, "subscriber care: customer care (national)"),
    (0x0084, "subscriber care: customer care (international)"),
    (0x0085, "subscriber care: local date / time / time zone"),
    (0x0100, "multi category services"),
];

/// broadcast_message_class (5.0).
pub const BROADCAST_MESSAGE_CLASS: &[(u32, &str)] = &[
    (0, "no class specified (default)"),
    (1, "class 1 (user defined)"),
    (2, "class 2 (user defined)"),
    (3, "class 3 (terminal equipment)"),
];

/// Unit octet of broadcast_frequency_interval (5.0). (The 5.0 ms_validity unit octet is coded
/// differently and is not covered here.)
pub const TIME_UNITS: &[(u32, &str)] = &[
    (0x00, "as frequently as possible"),
    (0x08, "seconds"),
    (0x09, "minutes"),
    (0x0A, "hours"),
    (0x0B, "days"),
    (0x0C, "weeks"),
    (0x0D, "months"),
    (0x0E, "years"),
];

/// Format octet of broadcast_area_identifier (5.0 4.8.4.4).
pub const BROADCAST_AREA_FORMATS: &[(u32, &str)] =
    &[(0, "alias / name"), (1, "ellipsoid arc"), (2, "polygon")];

/// broadcast_area_success (5.0 4.8.4.5): inclusive ranges.
pub const BROADCAST_AREA_SUCCESS: &[(u32, u32, &str)] = &[
    (0, 100, "success rate"),
    (101, 254, "reserved"),
    (255, 255, "information not available"),
];

/// First octet of billing_identification (5.0 4.8.4.3): inclusive ranges.
pub const BILLING_FORMATS: &[(u32, u32, &str)] = &[
    (0, 0, "reserved"),
    (1, 1, "internal format"),
    (2, 0x7F, "reserved"),
    (0x80, 0xFF, "vendor specific format"),
];

/// dest_addr_np_resolution (5.0).
pub const DEST_ADDR_NP_RESOLUTION: &[(u32, &str)] = &[
    (0, "number portability query not performed (default)"),
    (1, "query performed, number not ported"),
    (2, "query performed, number ported"),
];

/// display_time (3.4 5.3.2.26).
pub const DISPLAY_TIME: &[(u32, &str)] = &[(0, "temporary"), (1, "default"), (2, "invoke")];

/// ms_validity behaviour octet (3.4 5.3.2.27; value 4 is 5.0 only).
pub const MS_VALIDITY: &[(u32, &str)] = &[
    (0, "store indefinitely (default)"),
    (1, "power down"),
    (2, "valid until the registration area changes (SID based)"),
    (3, "display only"),
    (4, "relative time period (5.0; a unit and a number follow)"),
];

/// alert_on_message_delivery value octet (5.0 4.8.4.2; in 3.4 the TLV has no value).
pub const ALERT_ON_MESSAGE_DELIVERY: &[(u32, &str)] = &[
    (0, "use mobile default alert (default)"),
    (1, "use low-priority alert"),
    (2, "use medium-priority alert"),
    (3, "use high-priority alert"),
];

/// its_reply_type (3.4 5.3.2.42).
pub const ITS_REPLY_TYPE: &[(u32, &str)] = &[
    (0, "digit"),
    (1, "number"),
    (2, "telephone number"),
    (3, "password"),
    (4, "character line"),
    (5, "menu"),
    (6, "date"),
    (7, "time"),
    (8, "continue"),
];

/// Tags whose integer value has a ranged meaning: (tag, first, last, meaning), checked by
/// [`value_meaning`] before the row's [`Interp`].
pub const RANGED_MEANINGS: &[(u16, u32, u32, &str)] = &[
    (0x0304, 0, 99, "number of messages"),
    (0x0304, 100, 255, "reserved (0-99 allowed)"),
    (0x0501, 4, 15, "reserved"),
    (0x0501, 20, 31, "reserved"),
    (0x0501, 32, 255, "vendor specific USSD operation"),
];

// ---------------------------------------------------------------------------------------------
// The tag table
// ---------------------------------------------------------------------------------------------

const fn int(width: u8, interp: Interp) -> TlvKind {
    TlvKind::Int { width, interp }
}

const fn def(
    tag: u16,
    name: &'static str,
    kind: TlvKind,
    since: Since,
    doc: &'static str,
) -> TlvDef {
    TlvDef {
        tag,
        name,
        kind,
        since,
        doc,
    }
}

use Interp::{Count, Plain, Table};
use Since::{V34, V50};

/// Every standard TLV tag of SMPP 3.4 and 5.0, in tag order.
pub static TLVS: &[TlvDef] = &[
    def(0x0005, "dest_addr_subunit", int(1, Table(ADDR_SUBUNIT)), V34,
        "Part of the destination device the message is meant for (display, SIM, external unit)."),
    def(0x0006, "dest_network_type", int(1, Table(ADDR_NETWORK_TYPES)), V34,
        "Network type of the destination address."),
    def(0x0007, "dest_bearer_type", int(1, Table(BEARER_TYPES)), V34,
        "Bearer the message should be delivered over."),
    def(0x0008, "dest_telematics_id", int(2, Plain), V34,
        "Telematics interworking of the destination (GSM TP-PID style value)."),
    def(0x000D, "source_addr_subunit", int(1, Table(ADDR_SUBUNIT)), V34,
        "Part of the originating device the message came from."),
    def(0x000E, "source_network_type", int(1, Table(ADDR_NETWORK_TYPES)), V34,
        "Network type of the source address."),
    def(0x000F, "source_bearer_type", int(1, Table(BEARER_TYPES)), V34,
        "Bearer the message was received over."),
    def(0x0010, "source_telematics_id", int(2, Plain), V34,
        "Telematics interworking of the source."),
    def(0x0017, "qos_time_to_live", int(4, Plain), V34,
        "Seconds the message may stay in the SMSC before it expires."),
    def(0x0019, "payload_type", int(1, Table(PAYLOAD_TYPES)), V34,
        "Higher-layer PDU type carried in the message (WAP WDP or WCMP)."),
    def(0x001D, "additional_status_info_text", TlvKind::CStr { max: 256 }, V34,
        "Free text explaining a response status (at most 255 characters)."),
    def(0x001E, "receipted_message_id", TlvKind::CStr { max: 65 }, V34,
        "SMSC message id of the message a receipt or acknowledgement refers to."),
    def(0x0030, "ms_msg_wait_facilities", int(1, Table(MS_MSG_WAIT_FACILITIES)), V34,
        "Message waiting indication on the handset: bit 7 active, bits 1-0 kind."),
    def(0x0201, "privacy_indicator", int(1, Table(PRIVACY_INDICATOR)), V34,
        "Privacy level of the message."),
    def(0x0202, "source_subaddress", TlvKind::Subaddress, V34,
        "Subaddress of the originator: type octet then 1-22 octets (2-23 in all)."),
    def(0x0203, "dest_subaddress", TlvKind::Subaddress, V34,
        "Subaddress of the recipient: type octet then 1-22 octets (2-23 in all)."),
    def(0x0204, "user_message_reference", int(2, Plain), V34,
        "Reference the originating SME assigned to the message."),
    def(0x0205, "user_response_code", int(1, Plain), V34,
        "Application-specific response code set by the user (CDMA/TDMA)."),
    def(0x020A, "source_port", int(2, Plain), V34,
        "Application port of the originator (WAP / port addressing)."),
    def(0x020B, "destination_port", int(2, Plain), V34,
        "Application port of the recipient (WAP / port addressing); tshark calls it dest_port."),
    def(0x020C, "sar_msg_ref_num", int(2, Plain), V34,
        "SAR: reference number shared by every segment of one long message."),
    def(0x020D, "language_indicator", int(1, Table(LANGUAGE_INDICATOR)), V34,
        "Language of the short message (CDMA/TDMA)."),
    def(0x020E, "sar_total_segments", int(1, Count), V34,
        "SAR: number of segments of the long message (1-255)."),
    def(0x020F, "sar_segment_seqnum", int(1, Count), V34,
        "SAR: sequence number of this segment, from 1."),
    def(0x0210, "sc_interface_version", int(1, Interp::InterfaceVersion), V34,
        "SMPP version the SMSC supports, sent in bind responses (3.4 spells it SC_interface_version)."),
    def(0x0302, "callback_num_pres_ind", int(1, Table(CALLBACK_NUM_PRES_IND)), V34,
        "Presentation (bits 3-2) and screening (bits 1-0) of the callback number."),
    def(0x0303, "callback_num_atag", TlvKind::Octets { max: 65 }, V34,
        "Display label for the callback number: data coding octet then the characters."),
    def(0x0304, "number_of_messages", int(1, Count), V34,
        "Number of messages stored in a mailbox (0-99)."),
    def(0x0381, "callback_num", TlvKind::CallbackNum, V34,
        "Callback number: digit mode, TON and NPI octets, then the digits (4-19 octets)."),
    def(0x0420, "dpf_result", int(1, Table(DPF_RESULT)), V34,
        "Whether the delivery pending flag was set after a failed data_sm delivery."),
    def(0x0421, "set_dpf", int(1, Table(SET_DPF)), V34,
        "Asks the SMSC to set the delivery pending flag if delivery fails."),
    def(0x0422, "ms_availability_status", int(1, Table(MS_AVAILABILITY_STATUS)), V34,
        "Availability of the mobile, in alert_notification."),
    def(0x0423, "network_error_code", TlvKind::NetworkErrorCode, V34,
        "Network error behind a failure: network type octet then a 2-octet error code."),
    def(0x0424, "message_payload", TlvKind::Payload, V34,
        "Message text or data, used instead of short_message (up to 64 KiB)."),
    def(0x0425, "delivery_failure_reason", int(1, Table(DELIVERY_FAILURE_REASON)), V34,
        "Why a data_sm could not be delivered (in data_sm_resp)."),
    def(0x0426, "more_messages_to_send", int(1, Table(MORE_MESSAGES_TO_SEND)), V34,
        "Tells the SMSC that more messages for the same destination follow."),
    def(0x0427, "message_state", int(1, Interp::MessageState), V34,
        "Final state of the message, in a delivery receipt."),
    def(0x0428, "congestion_state", int(1, Plain), V50,
        "Load of the sender as a percentage (0 idle ... 100 congested), for flow control."),
    def(0x0501, "ussd_service_op", int(1, Table(USSD_SERVICE_OP)), V34,
        "USSD operation carried by the message (32-255 vendor specific)."),
    def(0x0600, "broadcast_channel_indicator", int(1, Table(BROADCAST_CHANNEL_INDICATOR)), V50,
        "Cell broadcast channel to use."),
    def(0x0601, "broadcast_content_type", TlvKind::BroadcastContentType, V50,
        "Broadcast content: network type octet then a 2-octet content type."),
    def(0x0602, "broadcast_content_type_info", TlvKind::Octets { max: 255 }, V50,
        "Extra information for the content type (CDMA/TDMA)."),
    def(0x0603, "broadcast_message_class", int(1, Table(BROADCAST_MESSAGE_CLASS)), V50,
        "Class of the broadcast message."),
    def(0x0604, "broadcast_rep_num", int(2, Count), V50,
        "Number of repeated broadcasts requested (2 octets; some peers send 1)."),
    def(0x0605, "broadcast_frequency_interval", TlvKind::UnitAndNumber, V50,
        "Interval between repeated broadcasts: time unit octet then a 2-octet number."),
    def(0x0606, "broadcast_area_identifier", TlvKind::BroadcastArea, V50,
        "Target broadcast area: format octet then the area (name, ellipsoid arc, polygon)."),
    def(0x0607, "broadcast_error_status", int(4, Interp::CommandStatus), V50,
        "command_status explaining why a broadcast area failed."),
    def(0x0608, "broadcast_area_success", int(1, Plain), V50,
        "Share of base stations that accepted the broadcast, in percent (255: unknown)."),
    def(0x0609, "broadcast_end_time", TlvKind::CStr { max: 17 }, V50,
        "When the broadcast ended or will end: an SMPP time string (16 characters + NUL)."),
    def(0x060A, "broadcast_service_group", TlvKind::Octets { max: 255 }, V50,
        "Group of subscribers the broadcast is meant for."),
    def(0x060B, "billing_identification", TlvKind::Octets { max: 1024 }, V50,
        "Billing data: format octet (1 internal, 0x80-0xFF vendor) then the data."),
    def(0x060D, "source_network_id", TlvKind::CStr { max: 65 }, V50,
        "Identifier of the network the message came from."),
    def(0x060E, "dest_network_id", TlvKind::CStr { max: 65 }, V50,
        "Identifier of the network the message goes to."),
    def(0x060F, "source_node_id", TlvKind::Octets { max: 6 }, V50,
        "Node the message came from: 6 decimal digits."),
    def(0x0610, "dest_node_id", TlvKind::Octets { max: 6 }, V50,
        "Node the message goes to: 6 decimal digits."),
    def(0x0611, "dest_addr_np_resolution", int(1, Table(DEST_ADDR_NP_RESOLUTION)), V50,
        "Whether a number portability query was done, and its outcome."),
    def(0x0612, "dest_addr_np_information", TlvKind::Octets { max: 10 }, V50,
        "Number portability data for the destination (e.g. an LRN)."),
    def(0x0613, "dest_addr_np_country", TlvKind::Octets { max: 5 }, V50,
        "E.164 country code of the destination, as a big-endian integer of up to 5 octets."),
    def(0x1201, "display_time", int(1, Table(DISPLAY_TIME)), V34,
        "How the handset displays the message (CDMA/TDMA)."),
    def(0x1203, "sms_signal", int(2, Plain), V34,
        "Alerting signal for the message, TIA/EIA-136-710 coded (TDMA)."),
    def(0x1204, "ms_validity", int(1, Table(MS_VALIDITY)), V34,
        "How long the handset keeps the message. 3.4: 1 octet. 5.0 value 4 adds a time unit \
         octet and a 2-octet number (4 octets): decode the first octet, then unit and number."),
    def(0x130C, "alert_on_message_delivery", TlvKind::Flag, V34,
        "Asks the handset to alert the user on arrival. 3.4: no value (length 0), presence is \
         the request. 5.0: 1 octet, see ALERT_ON_MESSAGE_DELIVERY. Decode by the actual length."),
    def(0x1380, "its_reply_type", int(1, Table(ITS_REPLY_TYPE)), V34,
        "Kind of reply the handset should offer (CDMA interactive teleservice)."),
    def(0x1383, "its_session_info", int(2, Plain), V34,
        "Interactive session: session number octet, then sequence (bits 7-1) and end flag (bit 0)."),
];

/// Other spellings of tag names: `(alias, tag)`. Wireshark/tshark and node-smpp say dest_port.
pub const NAME_ALIASES: &[(&str, u16)] =
    &[("dest_port", 0x020B), ("alert_on_msg_delivery", 0x130C)];

/// Find the row of a tag.
pub fn lookup(tag: u16) -> Option<&'static TlvDef> {
    TLVS.binary_search_by_key(&tag, |d| d.tag)
        .ok()
        .and_then(|i| TLVS.get(i))
}

/// Find a tag by its name (case-insensitive; also accepts the [`NAME_ALIASES`]).
pub fn by_name(name: &str) -> Option<&'static TlvDef> {
    TLVS.iter()
        .find(|d| d.name.eq_ignore_ascii_case(name))
        .or_else(|| {
            NAME_ALIASES
                .iter()
                .find(|(a, _)| a.eq_ignore_ascii_case(name))
                .and_then(|(_, tag)| lookup(*tag))
        })
}

/// The range label of a tag absent from the table.
pub fn range_label(tag: u16) -> &'static str {
    match tag {
        0x1400..=0x3FFF => "vendor-specific tag",
        _ => "unknown / reserved tag",
    }
}

fn in_ranges(ranges: &[(u32, u32, &'static str)], v: u32) -> Option<&'static str> {
    ranges
        .iter()
        .find(|(lo, hi, _)| (*lo..=*hi).contains(&v))
        .map(|(_, _, m)| *m)
}

/// The meaning of an integer TLV value, or `None` when the number says it all.
///
/// Covers the ranged tags (congestion_state, broadcast_area_success, number_of_messages,
/// vendor ussd_service_op values), its_session_info's bit fields, and otherwise the row's
/// [`Interp`]. For a [`TlvKind::Flag`] row given a value (5.0 alert_on_message_delivery) it
/// uses [`ALERT_ON_MESSAGE_DELIVERY`].
pub fn value_meaning(def: &TlvDef, value: u32) -> Option<Cow<'static, str>> {
    if let Some(m) = RANGED_MEANINGS
        .iter()
        .find(|(tag, lo, hi, _)| *tag == def.tag && (*lo..=*hi).contains(&value))
        .map(|(_, _, _, m)| *m)
    {
        return Some(Cow::Borrowed(m));
    }
    match def.tag {
        0x0428 => Some(Cow::Borrowed(
            in_ranges(CONGESTION_STATE, value).unwrap_or("reserved (above 100)"),
        )),
        0x0608 => Some(match in_ranges(BROADCAST_AREA_SUCCESS, value) {
            Some(m) if value <= 100 => Cow::Owned(format!("{value}% {m}")),
            Some(m) => Cow::Borrowed(m),
            None => Cow::Borrowed("reserved"),
        }),
        0x1383 => Some(Cow::Owned(its_session_info(value))),
        _ => match def.kind {
            TlvKind::Int { interp, .. } => interp.meaning(value),
            TlvKind::Flag => Some(Cow::Borrowed(
                table_name(ALERT_ON_MESSAGE_DELIVERY, value).unwrap_or("reserved / unknown value"),
            )),
            _ => None,
        },
    }
}

/// its_session_info as `session N, sequence M[, end of session]` from its 2-octet value.
fn its_session_info(v: u32) -> String {
    let session = (v >> 8) & 0xFF;
    let low = v & 0xFF;
    let mut s = format!("session {session}, sequence {}", low >> 1);
    if low & 1 != 0 {
        s.push_str(", end of session");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_sorted_and_unique() {
        for w in TLVS.windows(2) {
            assert!(
                w[0].tag < w[1].tag,
                "{:#06x} before {:#06x}",
                w[0].tag,
                w[1].tag
            );
        }
        assert_eq!(TLVS.len(), 64);
        assert_eq!(TLVS.iter().filter(|d| d.since == Since::V50).count(), 20);
    }

    #[test]
    fn names_are_unique_snake_case() {
        for d in TLVS {
            assert!(
                d.name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{}",
                d.name
            );
            assert_eq!(
                TLVS.iter().filter(|e| e.name == d.name).count(),
                1,
                "{}",
                d.name
            );
            assert!(!d.doc.is_empty());
        }
    }

    #[test]
    fn int_widths_are_1_2_or_4() {
        for d in TLVS {
            if let TlvKind::Int { width, .. } = d.kind {
                assert!(matches!(width, 1 | 2 | 4), "{} has width {width}", d.name);
            }
        }
    }

    #[test]
    fn no_tag_in_vendor_range() {
        assert!(TLVS.iter().all(|d| !(0x1400..=0x3FFF).contains(&d.tag)));
    }

    #[test]
    fn lookups_give_exact_names() {
        let cases: &[(u16, &str)] = &[
            (0x0005, "dest_addr_subunit"),
            (0x000D, "source_addr_subunit"),
            (0x0017, "qos_time_to_live"),
            (0x001E, "receipted_message_id"),
            (0x0030, "ms_msg_wait_facilities"),
            (0x020B, "destination_port"),
            (0x020C, "sar_msg_ref_num"),
            (0x020E, "sar_total_segments"),
            (0x020F, "sar_segment_seqnum"),
            (0x0210, "sc_interface_version"),
            (0x0381, "callback_num"),
            (0x0423, "network_error_code"),
            (0x0424, "message_payload"),
            (0x0427, "message_state"),
            (0x0428, "congestion_state"),
            (0x0501, "ussd_service_op"),
            (0x060B, "billing_identification"),
            (0x0613, "dest_addr_np_country"),
            (0x130C, "alert_on_message_delivery"),
            (0x1383, "its_session_info"),
        ];
        for (tag, name) in cases {
            assert_eq!(lookup(*tag).map(|d| d.name), Some(*name), "{tag:#06x}");
        }
        assert!(lookup(0x060C).is_none());
        assert!(lookup(0x2001).is_none());
        assert!(lookup(0x0000).is_none());
    }

    #[test]
    fn kinds_of_key_tags() {
        assert_eq!(lookup(0x0424).map(|d| d.kind), Some(TlvKind::Payload));
        assert_eq!(
            lookup(0x0423).map(|d| d.kind),
            Some(TlvKind::NetworkErrorCode)
        );
        assert_eq!(
            lookup(0x0609).map(|d| d.kind),
            Some(TlvKind::CStr { max: 17 })
        );
        assert_eq!(lookup(0x130C).map(|d| d.kind), Some(TlvKind::Flag));
        assert_eq!(
            lookup(0x0607).map(|d| d.kind),
            Some(int(4, Interp::CommandStatus))
        );
        assert_eq!(lookup(0x0428).map(|d| d.since), Some(Since::V50));
        assert_eq!(lookup(0x0427).map(|d| d.since), Some(Since::V34));
    }

    #[test]
    fn by_name_and_aliases() {
        assert_eq!(by_name("message_payload").map(|d| d.tag), Some(0x0424));
        assert_eq!(by_name("SC_interface_version").map(|d| d.tag), Some(0x0210));
        assert_eq!(by_name("dest_port").map(|d| d.tag), Some(0x020B));
        assert_eq!(
            by_name("alert_on_msg_delivery").map(|d| d.tag),
            Some(0x130C)
        );
        assert!(by_name("no_such_tlv").is_none());
    }

    #[test]
    fn range_labels() {
        assert_eq!(range_label(0x1400), "vendor-specific tag");
        assert_eq!(range_label(0x2001), "vendor-specific tag");
        assert_eq!(range_label(0x3177), "vendor-specific tag");
        assert_eq!(range_label(0x3FFF), "vendor-specific tag");
        assert_eq!(range_label(0x13FF), "unknown / reserved tag");
        assert_eq!(range_label(0x4000), "unknown / reserved tag");
        assert_eq!(range_label(0x060C), "unknown / reserved tag");
    }

    fn meaning(tag: u16, v: u32) -> Option<String> {
        value_meaning(lookup(tag).expect("tag in table"), v).map(Cow::into_owned)
    }

    #[test]
    fn value_meanings() {
        assert_eq!(meaning(0x0006, 1).as_deref(), Some("GSM"));
        assert_eq!(meaning(0x0007, 4).as_deref(), Some("USSD"));
        assert_eq!(
            meaning(0x0425, 3).as_deref(),
            Some("temporary network error")
        );
        assert_eq!(meaning(0x0427, 2).as_deref(), Some("DELIVERED"));
        assert_eq!(
            meaning(0x0030, 0x81).as_deref(),
            Some("indication active: fax waiting")
        );
        assert_eq!(
            meaning(0x0302, 0x07).as_deref(),
            Some("presentation restricted, network provided")
        );
        assert_eq!(meaning(0x0501, 18).as_deref(), Some("USSR confirm"));
        assert_eq!(
            meaning(0x0501, 40).as_deref(),
            Some("vendor specific USSD operation")
        );
        assert_eq!(meaning(0x0501, 5).as_deref(), Some("reserved"));
        assert_eq!(meaning(0x0428, 0).as_deref(), Some("idle"));
        assert_eq!(meaning(0x0428, 85).as_deref(), Some("optimum load"));
        assert_eq!(
            meaning(0x0428, 100).as_deref(),
            Some("congested (maximum load)")
        );
        assert_eq!(
            meaning(0x0428, 101).as_deref(),
            Some("reserved (above 100)")
        );
        assert_eq!(meaning(0x0608, 42).as_deref(), Some("42% success rate"));
        assert_eq!(
            meaning(0x0608, 255).as_deref(),
            Some("information not available")
        );
        assert_eq!(
            meaning(0x0304, 120).as_deref(),
            Some("reserved (0-99 allowed)")
        );
        assert_eq!(
            meaning(0x130C, 3).as_deref(),
            Some("use high-priority alert")
        );
        assert_eq!(
            meaning(0x1383, 0x0503).as_deref(),
            Some("session 5, sequence 1, end of session")
        );
        assert_eq!(
            meaning(0x0006, 99).as_deref(),
            Some("reserved / unknown value")
        );
        assert_eq!(meaning(0x0204, 7), None);
        assert_eq!(meaning(0x0424, 7), None);
    }

    #[test]
    fn table_values_are_unique() {
        let tables: &[&[(u32, &str)]] = &[
            ADDR_SUBUNIT,
            ADDR_NETWORK_TYPES,
            BEARER_TYPES,
            MS_MSG_WAIT_FACILITIES,
            CALLBACK_NUM_PRES_IND,
            NETWORK_TYPES,
            USSD_SERVICE_OP,
            BROADCAST_CONTENT_TYPES,
            TIME_UNITS,
            MS_VALIDITY,
            ITS_REPLY_TYPE,
        ];
        for t in tables {
            for w in t.windows(2) {
                assert!(w[0].0 < w[1].0, "{} / {}", w[0].1, w[1].1);
            }
        }
        assert_eq!(table_name(NETWORK_TYPES, 3), Some("GSM"));
    }
}
