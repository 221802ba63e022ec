//! command_status codes of SMPP 3.4 and 5.0: one row per code with its meaning, likely causes,
//! suggested fix and how a sender should treat it (retry class). Used by decode, explain, the
//! sessions and the generated `docs/status-codes.md`.
//!
//! Values that have no row are still explained: [`explain`] labels them as reserved (and says in
//! which range and version) or as vendor-specific (0x400-0x4FF), never as garbage.
//!
//! Retry classes follow the NowSMS model: ESME_RINVSRCADR, ESME_RINVDSTADR and ESME_RX_R_APPN are
//! permanent; ESME_RTHROTTLED and ESME_RMSGQFUL are throttling; the rest is transient. On top of
//! that model, codes where resending the very same PDU can never succeed (a malformed or invalid
//! field, wrong credentials, an operation the account may not use) are classed permanent too; the
//! meaning and fix of each such row say why.

use std::borrow::Cow;
use std::fmt::Write as _;

use super::Since;

/// How a sender should treat a status (the NowSMS-style model, see [`super::retry`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RetryClass {
    /// Not an error (ESME_ROK).
    Success,
    /// Do not retry: the same request will fail again.
    Permanent,
    /// Retry on the delayed schedule, up to the attempt limit.
    Transient,
    /// Throttling or queue full: back off, slow down, retry past the attempt limit until the maximum age.
    Throttling,
}

impl RetryClass {
    /// Short label used in output.
    pub fn label(self) -> &'static str {
        match self {
            RetryClass::Success => "success",
            RetryClass::Permanent => "permanent",
            RetryClass::Transient => "transient",
            RetryClass::Throttling => "throttling",
        }
    }

    /// One sentence telling a sender what to do with a response in this class.
    pub fn advice(self) -> &'static str {
        match self {
            RetryClass::Success => "Nothing to do: the request was accepted.",
            RetryClass::Permanent => {
                "Do not retry: sending the same request again will fail the same way; \
                 fix the cause first."
            }
            RetryClass::Transient => {
                "Retry on the delayed schedule (by default immediately, then after 30 s, 60 s, \
                 90 s ...) and give up after the attempt limit (20 by default)."
            }
            RetryClass::Throttling => {
                "Slow down, then retry with growing delays; keep retrying past the attempt \
                 limit until the maximum age (24 h by default)."
            }
        }
    }
}

/// One command_status code.
#[derive(Debug)]
pub struct StatusDef {
    /// The value.
    pub value: u32,
    /// The spec name (5.0 name where 3.4 and 5.0 differ).
    pub name: &'static str,
    /// Other names users search for (3.4 names of 0xC0-0xC4, common misspellings).
    pub aliases: &'static [&'static str],
    /// Version that defines it.
    pub since: Since,
    /// A few words (at most 28 characters) for tables.
    pub short: &'static str,
    /// What it means.
    pub meaning: &'static str,
    /// Likely causes.
    pub causes: &'static [&'static str],
    /// Suggested fix.
    pub fix: &'static str,
    /// How a sender should treat it.
    pub retry: RetryClass,
}

use RetryClass::{Permanent, Success, Throttling, Transient};
use Since::{V34, V50};

/// Every defined code, in value order.
pub static STATUSES: &[StatusDef] = &[
    StatusDef {
        value: 0x00,
        name: "ESME_ROK",
        aliases: &[],
        since: V34,
        short: "No error",
        meaning: "The request was processed successfully.",
        causes: &[
        ],
        fix: "Nothing to fix.",
        retry: Success,
    },
    StatusDef {
        value: 0x01,
        name: "ESME_RINVMSGLEN",
        aliases: &[],
        since: V34,
        short: "Message length invalid",
        meaning: "The SMSC does not accept the length of the message: sm_length disagrees with the short_message octets, or the text is longer than the SMSC allows. Resending the same PDU cannot help, so it is treated as permanent.",
        causes: &[
            "sm_length does not match the number of short_message octets that follow it.",
            "The text exceeds 254 octets (3.4), or the SMSC's own lower limit (often 140 octets, 160 GSM characters, 70 UCS2 characters).",
            "short_message and message_payload are both present, or message_payload is longer than the SMSC accepts.",
        ],
        fix: "Decode the submit with `smppdiag decode` and compare sm_length with the octets after it. Split long text into concatenated parts (UDH or the SAR TLVs) of at most 140 octets each, or put it in message_payload with sm_length 0 if the provider supports that.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x02,
        name: "ESME_RINVCMDLEN",
        aliases: &[],
        since: V34,
        short: "Command length invalid",
        meaning: "The command_length in the header does not match the PDU the peer read, or is outside the sizes it accepts. The bytes on the wire are wrong, so resending them cannot help.",
        causes: &[
            "command_length was computed before the body was complete, or not updated after a field changed.",
            "A field has an unexpected size (a C-Octet string without its NUL, sm_length written on two octets), so the body is longer or shorter than declared.",
            "Two writers interleaved PDUs on one socket and broke the framing.",
        ],
        fix: "Capture the bytes actually sent and run `smppdiag decode` on them: it shows the declared and the real length and the field where they part. command_length must equal the whole PDU size, 16-octet header included.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x03,
        name: "ESME_RINVCMDID",
        aliases: &[],
        since: V34,
        short: "Invalid command_id",
        meaning: "The peer does not know or does not support the command_id of the request. The same request will be refused again.",
        causes: &[
            "The SMSC does not implement the operation (submit_multi, data_sm, replace_sm, broadcast_sm or another 5.0 PDU on a 3.4 SMSC).",
            "The stream is out of step, so the peer read the header at the wrong offset.",
            "A response id (bit 31 set) was sent where a request was expected.",
        ],
        fix: "Check which operations and which interface_version the provider supports; plain messages need only submit_sm. If the command_id looks random, the framing is broken: decode the previous PDU and check its command_length.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x04,
        name: "ESME_RINVBNDSTS",
        aliases: &[],
        since: V34,
        short: "Wrong bind state",
        meaning: "The request is not allowed in the session's current bind state: for example submit_sm on a receiver bind, or any request before the bind completed.",
        causes: &[
            "Bound with bind_receiver but submitting messages (that needs bind_transmitter or bind_transceiver).",
            "Requests sent before bind_resp arrived, or after unbind.",
            "The SMSC dropped the bind on its side (idle timeout) while the TCP connection stayed open.",
        ],
        fix: "Bind as transmitter or transceiver to submit, and send nothing before a bind_resp with status 0. If it appears mid-session, unbind, reconnect and bind again; the message itself can then be retried.",
        retry: Transient,
    },
    StatusDef {
        value: 0x05,
        name: "ESME_RALYBND",
        aliases: &[],
        since: V34,
        short: "Already bound",
        meaning: "The SMSC refused a bind because it considers this ESME already bound: either this very connection is bound, or (at many SMSCs) another session with the same system_id is still open and the account allows only one.",
        causes: &[
            "A second bind on the same connection, e.g. a reconnect routine that reuses the socket, or a bind retried after a slow bind_resp although the first one succeeded.",
            "A previous session was not closed cleanly (no unbind, or the TCP connection dropped) and the SMSC still holds it until its own timeout.",
            "A second instance of the application (a deploy overlap, a test run, another host) is bound with the same system_id.",
            "The account allows fewer concurrent binds than the client opens (e.g. one transmitter and one receiver instead of a transceiver).",
        ],
        fix: "Bind once per TCP connection. Before reconnecting, send unbind and wait for unbind_resp (smppdiag unbind shows whether the SMSC releases the session). Make sure only one instance uses the system_id, or ask the provider how many binds it allows. When a stale session is the cause, rebinding succeeds once the SMSC times it out: retry the bind after a delay, not in a tight loop.",
        retry: Transient,
    },
    StatusDef {
        value: 0x06,
        name: "ESME_RINVPRTFLG",
        aliases: &[],
        since: V34,
        short: "Invalid priority_flag",
        meaning: "priority_flag has a value the SMSC does not accept for this network or account. The same value will be refused again.",
        causes: &[
            "A priority above 3 (or above 4 where 5.0 levels are supported).",
            "The account is not allowed to send priority messages.",
        ],
        fix: "Send priority_flag 0 unless the provider agreed to priorities, and ask them which levels the account may use.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x07,
        name: "ESME_RINVREGDLVFLG",
        aliases: &[],
        since: V34,
        short: "Invalid registered_delivery",
        meaning: "registered_delivery has bits set that are reserved or that the SMSC does not support. The same value will be refused again.",
        causes: &[
            "Reserved bits 5-7 set (a value of 0x20 or more), e.g. a boolean written as 0xFF.",
            "SME acknowledgement (bits 2-3) or intermediate notification (bit 4) requested from an SMSC that offers neither.",
        ],
        fix: "Send 0x01 to ask for a delivery receipt on success or failure, 0x00 for none; set other bits only after the provider confirms them.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x08,
        name: "ESME_RSYSERR",
        aliases: &[],
        since: V34,
        short: "SMSC system error",
        meaning: "A generic internal error in the SMSC (or the ESME) while processing the request; the PDU itself is not necessarily wrong.",
        causes: &[
            "A database, routing, billing or downstream network (SS7/HLR) failure inside the SMSC.",
            "The SMSC is overloaded or one of its components is restarting.",
            "A field value that trips the SMSC's handler (then it repeats for the same message only).",
        ],
        fix: "Retry on the delayed schedule. If one message always gets it while others pass, keep that PDU's hex and send it to the provider with the time and sequence_number.",
        retry: Transient,
    },
    StatusDef {
        value: 0x0A,
        name: "ESME_RINVSRCADR",
        aliases: &["ESME_RINVSRCADDR"],
        since: V34,
        short: "Invalid source address",
        meaning: "The source address (sender ID) is invalid or not allowed for this account. The same sender will be refused again.",
        causes: &[
            "An alphanumeric sender ID that is not registered with the provider or not allowed in the destination country.",
            "source_addr_ton/npi do not fit the address (TON 1 with a short code, TON 5 with digits only).",
            "A number with '+', '00' or spaces, or longer than the field allows (alphanumeric IDs: 11 characters).",
        ],
        fix: "Use a sender ID the provider registered for you, with matching TON/NPI: alphanumeric TON 5 NPI 0, international number TON 1 NPI 1 without '+', short code TON 3 NPI 0 (or what the provider documents). Do not retry until the source is fixed.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x0B,
        name: "ESME_RINVDSTADR",
        aliases: &["ESME_RINVDSTADDR"],
        since: V34,
        short: "Invalid destination address",
        meaning: "The destination address is invalid, unknown or not routable for this account. The same destination will be refused again.",
        causes: &[
            "The number is not in the format the SMSC expects (missing country code, leading 0, '+' or spaces).",
            "dest_addr_ton/npi do not fit the number.",
            "The account has no route to that network or country, or the provider blocks the number range.",
            "destination_addr is empty.",
        ],
        fix: "Send E.164 digits without '+' with dest_addr_ton 1 and dest_addr_npi 1 (or the format the provider documents), and validate numbers before submitting. If the format is right, ask the provider whether the destination network is enabled for the account. Do not retry.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x0C,
        name: "ESME_RINVMSGID",
        aliases: &[],
        since: V34,
        short: "Invalid message_id",
        meaning: "The message_id in query_sm, cancel_sm or replace_sm is unknown to the SMSC or badly formed. Asking again with the same id gives the same answer.",
        causes: &[
            "The id was altered on the way: hex turned into decimal, case changed, truncated or padded.",
            "The message reached a final state and the SMSC has already purged it.",
            "The query went to another SMSC node or account than the one that accepted the message.",
        ],
        fix: "Use the message_id exactly as returned in submit_sm_resp (as a string), on the same account and the same SMSC. Rely on delivery receipts for old messages.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x0D,
        name: "ESME_RBINDFAIL",
        aliases: &[],
        since: V34,
        short: "Bind failed",
        meaning: "The SMSC refused the bind without saying why. It can be temporary (too many sessions) or a configuration problem.",
        causes: &[
            "The account already has its maximum number of simultaneous binds (often stale sessions not yet timed out).",
            "The client's IP address is not whitelisted for the account.",
            "system_type, address_range or interface_version not accepted for this account.",
            "The account is disabled or expired.",
        ],
        fix: "Close stale sessions and rebind with a back-off, never in a tight loop (some SMSCs lock accounts that do). If it persists, check IP whitelisting and the bind parameters with the provider.",
        retry: Transient,
    },
    StatusDef {
        value: 0x0E,
        name: "ESME_RINVPASWD",
        aliases: &[],
        since: V34,
        short: "Invalid password",
        meaning: "The password in the bind is wrong for this system_id. Binding again with the same password cannot succeed, so it is treated as permanent.",
        causes: &[
            "Wrong password, or the password of another environment (test instead of production).",
            "A password longer than 8 characters: 3.4 allows 8 plus the NUL, and libraries truncate it silently (or the SMSC expects the truncated form).",
            "Trailing spaces or a newline copied from a configuration file.",
        ],
        fix: "Check the credentials with the provider and look at the bytes actually sent (`smppdiag decode --show-secrets`). Do not rebind in a loop: many SMSCs lock the account after a few failures.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x0F,
        name: "ESME_RINVSYSID",
        aliases: &[],
        since: V34,
        short: "Invalid system_id",
        meaning: "The SMSC does not know the system_id (user name) of the bind. Binding again with it cannot succeed.",
        causes: &[
            "A typo or a case difference in system_id, or an account not yet provisioned on this SMSC.",
            "A system_id longer than 15 characters, truncated by the client.",
            "Binding to the wrong host or port (another environment or another provider).",
        ],
        fix: "Confirm system_id, host and port with the provider and compare them with the decoded bind. Fix the configuration before reconnecting.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x11,
        name: "ESME_RCANCELFAIL",
        aliases: &[],
        since: V34,
        short: "cancel_sm failed",
        meaning: "The SMSC could not cancel the message.",
        causes: &[
            "The message is already delivered, expired or otherwise final.",
            "message_id, source address or service_type in cancel_sm differ from the original submit.",
            "The SMSC does not support cancelling on this route.",
        ],
        fix: "Query the state first (query_sm) and cancel only pending messages, with the source_addr (TON/NPI) and service_type used when submitting. Retrying makes sense only while the message is still pending.",
        retry: Transient,
    },
    StatusDef {
        value: 0x13,
        name: "ESME_RREPLACEFAIL",
        aliases: &[],
        since: V34,
        short: "replace_sm failed",
        meaning: "The SMSC could not replace the message.",
        causes: &[
            "The message is already delivered, expired or otherwise final.",
            "message_id or source address in replace_sm differ from the original submit.",
            "The new short_message or the schedule/validity times are not acceptable, or replacing is not supported.",
        ],
        fix: "Replace only pending messages, with the same source address as the original; check the new fields with `smppdiag decode`. Retrying helps only while the message is still pending.",
        retry: Transient,
    },
    StatusDef {
        value: 0x14,
        name: "ESME_RMSGQFUL",
        aliases: &[],
        since: V34,
        short: "Message queue full",
        meaning: "The SMSC's queue for this destination or for this account is full; it cannot take the message now.",
        causes: &[
            "The handset has too many messages waiting (switched off for long, memory full).",
            "The account exceeded its queue quota at the SMSC.",
            "Congestion in the SMSC or the network behind it.",
        ],
        fix: "Back off and retry with growing delays, and lower the rate towards the affected destination. If one number always gets it, the handset is the likely cause: stop at the maximum age, or add 14 to --reject-codes to fail such messages at once.",
        retry: Throttling,
    },
    StatusDef {
        value: 0x15,
        name: "ESME_RINVSERTYP",
        aliases: &[],
        since: V34,
        short: "Invalid service_type",
        meaning: "The service_type is unknown or not allowed. The same value will be refused again.",
        causes: &[
            "A service_type the provider did not configure (most expect an empty string).",
            "A service_type longer than 5 characters.",
        ],
        fix: "Send an empty service_type (a single NUL octet) unless the provider gave you a value.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x33,
        name: "ESME_RINVNUMDESTS",
        aliases: &[],
        since: V34,
        short: "Invalid number of dests",
        meaning: "number_of_dests in submit_multi is 0, above the limit (255 in the spec, often lower at the SMSC) or does not match the list.",
        causes: &[
            "number_of_dests differs from the dest_address entries actually encoded.",
            "More destinations than the SMSC accepts in one submit_multi.",
            "An empty destination list.",
        ],
        fix: "Set number_of_dests to the number of entries sent, and split large lists into several submit_multi (or submit_sm) requests within the provider's limit.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x34,
        name: "ESME_RINVDLNAME",
        aliases: &[],
        since: V34,
        short: "Invalid distribution list",
        meaning: "A distribution list named in submit_multi is unknown to the SMSC or badly formed.",
        causes: &[
            "The list is not defined on the SMSC for this account.",
            "dest_flag 2 (list name) used where an address (dest_flag 1) was meant.",
        ],
        fix: "Use only lists the provider defined for you, or send individual addresses with dest_flag 1.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x40,
        name: "ESME_RINVDESTFLAG",
        aliases: &[],
        since: V34,
        short: "Invalid dest_flag",
        meaning: "A dest_flag in the submit_multi destination list is neither 1 (SME address) nor 2 (distribution list).",
        causes: &[
            "A dest_flag left out before an address, shifting every field after it.",
            "A value other than 1 or 2.",
        ],
        fix: "Start every destination entry with dest_flag 1 followed by TON, NPI and the address; `smppdiag decode` shows where the list goes out of step.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x42,
        name: "ESME_RINVSUBREP",
        aliases: &[],
        since: V34,
        short: "Invalid submit with replace",
        meaning: "submit_sm asked to replace a pending message (replace_if_present_flag 1) and the SMSC cannot or will not do it.",
        causes: &[
            "replace_if_present_flag 1 sent to an SMSC that does not support replacing.",
            "A flag value other than 0 or 1.",
        ],
        fix: "Send replace_if_present_flag 0 unless the provider supports replacing; use replace_sm for an explicit replacement.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x43,
        name: "ESME_RINVESMCLASS",
        aliases: &[],
        since: V34,
        short: "Invalid esm_class",
        meaning: "esm_class holds a combination of bits the SMSC does not accept for this operation. The same value will be refused again.",
        causes: &[
            "Message-type bits meant for receipts or acknowledgements (0x04, 0x08, 0x10, 0x20) set in submit_sm.",
            "A messaging mode (bits 0-1) the account does not support, such as transaction mode.",
            "UDHI (0x40) or reply path (0x80) not allowed on the route.",
        ],
        fix: "Send esm_class 0x00 for ordinary messages and 0x40 when the short_message starts with a UDH; use other modes only where the provider documents them.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x44,
        name: "ESME_RCNTSUBDL",
        aliases: &[],
        since: V34,
        short: "Cannot submit to DL",
        meaning: "The SMSC refuses to submit to a distribution list for this account or this operation.",
        causes: &[
            "Distribution lists are not enabled for the account.",
            "A list used in an operation that does not accept one.",
        ],
        fix: "Expand the list on your side and submit to the individual addresses.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x45,
        name: "ESME_RSUBMITFAIL",
        aliases: &[],
        since: V34,
        short: "submit failed",
        meaning: "The SMSC could not accept submit_sm or submit_multi and gives no more specific reason.",
        causes: &[
            "An internal routing, charging or storage failure (prepaid credit used up is common).",
            "A content or spam filter refused the message.",
            "A field value the SMSC's checks dislike without a more specific code.",
        ],
        fix: "Retry on the delayed schedule and check the account balance. If it persists for some messages only, compare them (sender, destination network, content, data_coding) and ask the provider for their log entry, quoting the time and sequence_number.",
        retry: Transient,
    },
    StatusDef {
        value: 0x48,
        name: "ESME_RINVSRCTON",
        aliases: &[],
        since: V34,
        short: "Invalid source TON",
        meaning: "source_addr_ton has a value the SMSC does not accept, or one that does not fit the source address.",
        causes: &[
            "TON 1 (international) with an alphanumeric sender, or TON 5 (alphanumeric) with a number.",
            "A reserved TON value (7 or more).",
            "The provider requires one fixed TON for this account.",
        ],
        fix: "Use TON 5 for alphanumeric senders, 1 for international numbers, 3 for short codes, or the value the provider documents.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x49,
        name: "ESME_RINVSRCNPI",
        aliases: &[],
        since: V34,
        short: "Invalid source NPI",
        meaning: "source_addr_npi has a value the SMSC does not accept for this source address.",
        causes: &[
            "NPI 1 (E.164) with an alphanumeric sender, where 0 is expected.",
            "A reserved NPI value.",
        ],
        fix: "Use NPI 1 for phone numbers and NPI 0 for alphanumeric senders, unless the provider documents otherwise.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x50,
        name: "ESME_RINVDSTTON",
        aliases: &[],
        since: V34,
        short: "Invalid destination TON",
        meaning: "dest_addr_ton has a value the SMSC does not accept, or one that does not fit the destination.",
        causes: &[
            "TON 2 (national) or 0 (unknown) where the SMSC wants 1 (international), or the reverse.",
            "A reserved TON value (7 or more).",
        ],
        fix: "Send mobile numbers in international format with dest_addr_ton 1, or the TON the provider requires.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x51,
        name: "ESME_RINVDSTNPI",
        aliases: &[],
        since: V34,
        short: "Invalid destination NPI",
        meaning: "dest_addr_npi has a value the SMSC does not accept for this destination.",
        causes: &[
            "NPI 0 (unknown) where the SMSC wants 1 (E.164), or a reserved value.",
            "NPI copied from the source address settings.",
        ],
        fix: "Send dest_addr_npi 1 for mobile numbers unless the provider documents otherwise.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x53,
        name: "ESME_RINVSYSTYP",
        aliases: &[],
        since: V34,
        short: "Invalid system_type",
        meaning: "The system_type in the bind is not accepted for this account. Binding again with it cannot succeed.",
        causes: &[
            "A value the provider did not configure (many expect it empty, some a fixed string).",
            "A system_type longer than 12 characters, or differing in case.",
        ],
        fix: "Bind with exactly the system_type the provider gave you, or an empty one.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x54,
        name: "ESME_RINVREPFLAG",
        aliases: &[],
        since: V34,
        short: "Invalid replace_if_present",
        meaning: "replace_if_present_flag is neither 0 nor 1, or replacing is not supported.",
        causes: &[
            "A value other than 0 or 1, often from a misaligned field before it.",
            "Replacing is not offered on this account.",
        ],
        fix: "Send replace_if_present_flag 0; decode the PDU to check that the fields before it are aligned.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x55,
        name: "ESME_RINVNUMMSGS",
        aliases: &[],
        since: V34,
        short: "Invalid number of messages",
        meaning: "A message count in the request is out of range, typically the number_of_messages TLV (message waiting indication).",
        causes: &[
            "number_of_messages outside 0-99.",
            "A count in a vendor or 5.0 extension TLV outside its range.",
        ],
        fix: "Check the count fields of the decoded PDU against their ranges; leave out number_of_messages unless you set a message-waiting indication on purpose.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x58,
        name: "ESME_RTHROTTLED",
        aliases: &[],
        since: V34,
        short: "Throttled: too fast",
        meaning: "The SMSC refused the request because the ESME exceeds its allowed rate (messages per second) or its number of outstanding requests.",
        causes: &[
            "Submitting faster than the throughput agreed for the account.",
            "Too many requests in flight without a response (window too large).",
            "Several sessions or application instances sharing one account's limit.",
            "Congestion at the SMSC temporarily lowering the allowed rate.",
        ],
        fix: "Cap the rate at the agreed TPS across all sessions of the account, keep the window within the provider's limit, and on this code pause briefly, then retry with growing delays. Retrying is safe: the message was not accepted.",
        retry: Throttling,
    },
    StatusDef {
        value: 0x61,
        name: "ESME_RINVSCHED",
        aliases: &[],
        since: V34,
        short: "Invalid schedule time",
        meaning: "schedule_delivery_time is badly formed or not acceptable. The same value will be refused again.",
        causes: &[
            "Neither empty nor a 16-character SMPP time (YYMMDDhhmmsstnnp), e.g. four zero octets for 'none'.",
            "A time in the past, or too far ahead.",
            "A wrong UTC offset: nn counts quarter hours, and p must be '+', '-' or 'R' (relative).",
        ],
        fix: "Send an empty field (one NUL octet) for immediate delivery, or a valid 16-character time; `smppdiag decode` parses the value and shows what is wrong.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x62,
        name: "ESME_RINVEXPIRY",
        aliases: &[],
        since: V34,
        short: "Invalid validity period",
        meaning: "validity_period is badly formed or not acceptable. The same value will be refused again.",
        causes: &[
            "Neither empty nor a 16-character SMPP time (YYMMDDhhmmsstnnp).",
            "An expiry in the past, before the scheduled time, or beyond the SMSC's maximum.",
            "A wrong UTC offset or relative-time format.",
        ],
        fix: "Send an empty field for the SMSC default validity, or a valid 16-character time (e.g. relative '000001000000000R' for one day).",
        retry: Permanent,
    },
    StatusDef {
        value: 0x63,
        name: "ESME_RINVDFTMSGID",
        aliases: &[],
        since: V34,
        short: "Invalid predefined message",
        meaning: "sm_default_msg_id points to a predefined (canned) message that does not exist.",
        causes: &[
            "A non-zero sm_default_msg_id where the SMSC has no canned messages.",
            "Misaligned fields put a byte of another field into sm_default_msg_id.",
        ],
        fix: "Send sm_default_msg_id 0 unless the provider configured canned messages for you.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x64,
        name: "ESME_RX_T_APPN",
        aliases: &[],
        since: V34,
        short: "Receiver temporary error",
        meaning: "The receiving application reported a temporary error for a deliver_sm or data_sm: it should be sent again later.",
        causes: &[
            "The application's back end (database, queue) is briefly unavailable.",
            "The application is overloaded.",
        ],
        fix: "As the SMSC or sender: retry later on the schedule. As the application: return this only when a redelivery can succeed, and ESME_ROK once the message is safely stored.",
        retry: Transient,
    },
    StatusDef {
        value: 0x65,
        name: "ESME_RX_P_APPN",
        aliases: &[],
        since: V34,
        short: "Receiver permanent error",
        meaning: "The receiving application reported a permanent error for a deliver_sm or data_sm: it will never accept this message, so redelivering it cannot help.",
        causes: &[
            "The message is not for this application (unknown keyword, service or destination).",
            "The content cannot be processed (unsupported data_coding, broken UDH).",
        ],
        fix: "Do not redeliver the same message. As the application, log why it was refused so that routing or formatting can be corrected.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x66,
        name: "ESME_RX_R_APPN",
        aliases: &[],
        since: V34,
        short: "Receiver rejected message",
        meaning: "The receiving side rejected the message, for example because it refuses this sender or this content.",
        causes: &[
            "The recipient (application or subscriber) blocks the sender.",
            "Content refused by policy: spam filter, opt-out list, barred service.",
        ],
        fix: "Do not retry. Check opt-out and block lists for the recipient and the sender ID, and the content rules of the provider.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x67,
        name: "ESME_RQUERYFAIL",
        aliases: &[],
        since: V34,
        short: "query_sm failed",
        meaning: "The SMSC could not answer query_sm.",
        causes: &[
            "The message is too old and purged, or unknown on this SMSC node.",
            "The provider does not support query_sm (many rely on delivery receipts only).",
            "An internal SMSC error.",
        ],
        fix: "Ask for delivery receipts (registered_delivery 1) to learn the final state; query only recent messages, with the exact message_id and source address.",
        retry: Transient,
    },
    StatusDef {
        value: 0xC0,
        name: "ESME_RINVTLVSTREAM",
        aliases: &["ESME_RINVOPTPARSTREAM"],
        since: V34,
        short: "Malformed TLV stream",
        meaning: "The optional parameters (TLVs) after the mandatory fields cannot be parsed: a TLV is cut short or the lengths do not add up. The same bytes will fail again.",
        causes: &[
            "A TLV length that runs past the end of the PDU.",
            "Mandatory fields mis-encoded (a C-Octet string missing its NUL), so the TLV section starts at the wrong offset.",
            "Stray bytes after the last TLV.",
        ],
        fix: "Decode the PDU with `smppdiag decode`: it marks where the TLV section breaks. Each TLV is tag (2 octets), length (2 octets, counting the value only) and value.",
        retry: Permanent,
    },
    StatusDef {
        value: 0xC1,
        name: "ESME_RTLVNOTALLWD",
        aliases: &["ESME_ROPTPARNOTALLWD"],
        since: V34,
        short: "TLV not allowed",
        meaning: "A TLV in the request is not allowed for this operation or this account. The same request will be refused again.",
        causes: &[
            "A TLV meant for another PDU (e.g. a deliver_sm-only TLV in submit_sm).",
            "A 5.0 TLV sent to a 3.4 SMSC.",
            "A vendor TLV the SMSC does not accept.",
        ],
        fix: "Remove the TLV (`smppdiag decode` lists them by name), or ask the provider which TLVs they accept per operation.",
        retry: Permanent,
    },
    StatusDef {
        value: 0xC2,
        name: "ESME_RINVTLVLEN",
        aliases: &["ESME_RINVPARLEN"],
        since: V34,
        short: "Invalid TLV length",
        meaning: "A TLV's length does not suit its tag, e.g. a one-octet TLV given length 2.",
        causes: &[
            "A fixed-size TLV written with the wrong width (sar_msg_ref_num is 2 octets, sar_total_segments 1).",
            "A length that counts the 4-octet tag and length header, which it must not.",
            "A C-Octet string TLV without its NUL, or longer than its maximum.",
        ],
        fix: "Check each TLV's length against the spec; `smppdiag decode` names the offending tag.",
        retry: Permanent,
    },
    StatusDef {
        value: 0xC3,
        name: "ESME_RMISSINGTLV",
        aliases: &["ESME_RMISSINGOPTPARAM"],
        since: V34,
        short: "Expected TLV missing",
        meaning: "The operation needs a TLV the request does not contain.",
        causes: &[
            "message_payload missing while sm_length is 0 and there is no short_message.",
            "A TLV the provider requires for a route or for broadcast_sm (e.g. broadcast_area_identifier) is absent.",
            "An incomplete SAR set: sar_msg_ref_num without sar_total_segments or sar_segment_seqnum.",
        ],
        fix: "Add the missing TLV; if the decode does not make it obvious, ask the provider which TLVs are mandatory for them.",
        retry: Permanent,
    },
    StatusDef {
        value: 0xC4,
        name: "ESME_RINVTLVVAL",
        aliases: &["ESME_RINVOPTPARAMVAL"],
        since: V34,
        short: "Invalid TLV value",
        meaning: "A TLV holds a value outside its allowed range or one the SMSC does not support.",
        causes: &[
            "An enumerated TLV (payload_type, ms_validity, user_message_reference ...) with an undefined value.",
            "sar_segment_seqnum of 0 or greater than sar_total_segments.",
            "A port or reference number the route does not support.",
        ],
        fix: "Find the TLV in the decoded PDU and compare its value with the spec's range.",
        retry: Permanent,
    },
    StatusDef {
        value: 0xFE,
        name: "ESME_RDELIVERYFAILURE",
        aliases: &[],
        since: V34,
        short: "Delivery failure",
        meaning: "Delivery of a data_sm (transaction or forward mode) failed; TLVs in data_sm_resp may say why. Some providers also use it for failed submits.",
        causes: &[
            "The handset was unreachable or refused the message (see the delivery_failure_reason and network_error_code TLVs).",
            "A network failure while delivering in transaction mode.",
        ],
        fix: "Read delivery_failure_reason and network_error_code in the response. Retry later if the reason is temporary; if your provider uses 0xFE for final failures, add FE to --reject-codes.",
        retry: Transient,
    },
    StatusDef {
        value: 0xFF,
        name: "ESME_RUNKNOWNERR",
        aliases: &[],
        since: V34,
        short: "Unknown error",
        meaning: "The SMSC reports an error it does not classify further.",
        causes: &[
            "An internal error path without a specific code.",
            "A vendor-specific failure mapped to the catch-all code.",
        ],
        fix: "Retry on the delayed schedule; if it persists, send the provider the time, sequence_number and the PDU hex.",
        retry: Transient,
    },
    StatusDef {
        value: 0x100,
        name: "ESME_RSERTYPUNAUTH",
        aliases: &[],
        since: V50,
        short: "service_type not authorised",
        meaning: "The account is not authorised to use the requested service_type. The same request will be refused until the provider changes that.",
        causes: &[
            "service_type set to a value not provisioned for the account.",
            "The account is not enabled for a premium or special service.",
        ],
        fix: "Send an empty service_type, or one the provider enabled for you.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x101,
        name: "ESME_RPROHIBITED",
        aliases: &[],
        since: V50,
        short: "Operation prohibited",
        meaning: "The account may not use this operation. Resending it cannot help.",
        causes: &[
            "The operation (replace_sm, submit_multi, broadcast_sm ...) is disabled for the account.",
            "The account is barred from sending, e.g. for billing or abuse reasons.",
        ],
        fix: "Ask the provider to enable the operation, or use one the account may use (submit_sm instead of submit_multi).",
        retry: Permanent,
    },
    StatusDef {
        value: 0x102,
        name: "ESME_RSERTYPUNAVAIL",
        aliases: &[],
        since: V50,
        short: "service_type unavailable",
        meaning: "The requested service_type is temporarily unavailable because of an outage in the SMSC.",
        causes: &[
            "A planned or unplanned outage of the service at the SMSC.",
        ],
        fix: "Retry later on the delayed schedule; ask the provider about the outage if it lasts.",
        retry: Transient,
    },
    StatusDef {
        value: 0x103,
        name: "ESME_RSERTYPDENIED",
        aliases: &[],
        since: V50,
        short: "service_type denied",
        meaning: "The SMSC denied the service_type because the content is not appropriate for it. The same message will be denied again.",
        causes: &[
            "Content not allowed for the selected service type (marketing over a transactional service).",
            "A content filter matched.",
        ],
        fix: "Change the content, or use the service_type agreed for this kind of traffic.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x104,
        name: "ESME_RINVDCS",
        aliases: &[],
        since: V50,
        short: "Invalid data_coding",
        meaning: "The data_coding value is invalid or not supported by the SMSC. The same value will be refused again.",
        causes: &[
            "A data_coding the route does not support (0x04 binary, 0x03 Latin-1 or 0x01 IA5 on some networks).",
            "A reserved data_coding value.",
            "data_coding disagrees with the content the SMSC checks (UCS2 with an odd octet count).",
        ],
        fix: "Use 0x00 (GSM default alphabet) or 0x08 (UCS2) for text, and 0x04 only where binary messages are supported.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x105,
        name: "ESME_RINVSRCADDRSUBUNIT",
        aliases: &["ESME_RINVSRVADDRSUBUNIT"],
        since: V50,
        short: "Invalid source subunit",
        meaning: "The source_addr_subunit TLV has an invalid or unsupported value.",
        causes: &[
            "A value outside 0-4 (unknown, MS display, mobile equipment, smart card, external unit).",
            "The SMSC does not support the TLV at all.",
        ],
        fix: "Leave out source_addr_subunit unless the provider supports it.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x106,
        name: "ESME_RINVDSTADDRSUBUNIT",
        aliases: &[],
        since: V50,
        short: "Invalid destination subunit",
        meaning: "The dest_addr_subunit TLV has an invalid or unsupported value.",
        causes: &[
            "A value outside 0-4 (unknown, MS display, mobile equipment, smart card, external unit).",
            "The SMSC does not support the TLV at all.",
        ],
        fix: "Leave out dest_addr_subunit unless you need a specific target (e.g. 3 for SIM data) and the provider supports it.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x107,
        name: "ESME_RINVBCASTFREQINT",
        aliases: &[],
        since: V50,
        short: "Invalid broadcast interval",
        meaning: "The broadcast_frequency_interval TLV of broadcast_sm is invalid or not supported.",
        causes: &[
            "An interval unit or value the broadcast centre does not support.",
            "The TLV encoded with the wrong length (it is 3 octets: unit, then a 2-octet count).",
        ],
        fix: "Use an interval the provider supports and check the TLV layout in the decoded PDU.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x108,
        name: "ESME_RINVBCASTALIAS_NAME",
        aliases: &[],
        since: V50,
        short: "Invalid broadcast alias",
        meaning: "A broadcast area given by alias name is invalid: unknown, too long or with unsupported characters.",
        causes: &[
            "The alias is not defined at the broadcast centre.",
            "Wrong length or characters in the alias.",
        ],
        fix: "Use an area alias the provider defined, spelled exactly as they gave it.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x109,
        name: "ESME_RINVBCASTAREAFMT",
        aliases: &[],
        since: V50,
        short: "Invalid broadcast area fmt",
        meaning: "The format of a broadcast_area_identifier is invalid or not supported.",
        causes: &[
            "A format octet other than alias (0), ellipsoid arc (1) or polygon (2), or one the centre does not support.",
            "Area data that does not match the declared format.",
        ],
        fix: "Use an area format the provider supports and encode the area data for that format.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x10A,
        name: "ESME_RINVNUMBCAST_AREAS",
        aliases: &[],
        since: V50,
        short: "Invalid number of areas",
        meaning: "The number of broadcast_area_identifier TLVs is invalid or not supported.",
        causes: &[
            "No area given, or more areas than the broadcast centre accepts in one request.",
        ],
        fix: "Send at least one area and stay within the provider's limit; split large campaigns into several broadcast_sm.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x10B,
        name: "ESME_RINVBCASTCNTTYPE",
        aliases: &[],
        since: V50,
        short: "Invalid broadcast content",
        meaning: "The broadcast_content_type TLV is invalid or not supported.",
        causes: &[
            "A network type or content type value the centre does not support.",
            "The TLV encoded with the wrong length (it is 3 octets).",
        ],
        fix: "Use a content type the provider supports (e.g. the one agreed for your channel).",
        retry: Permanent,
    },
    StatusDef {
        value: 0x10C,
        name: "ESME_RINVBCASTMSGCLASS",
        aliases: &[],
        since: V50,
        short: "Invalid broadcast class",
        meaning: "The broadcast message class is invalid or not supported.",
        causes: &[
            "A message class value the broadcast centre does not support.",
        ],
        fix: "Leave the class out or use one the provider supports.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x10D,
        name: "ESME_RBCASTFAIL",
        aliases: &[],
        since: V50,
        short: "broadcast_sm failed",
        meaning: "The broadcast centre could not accept the broadcast_sm and gives no more specific reason.",
        causes: &[
            "An internal failure at the broadcast centre.",
            "The target cells or network are unavailable.",
        ],
        fix: "Retry on the delayed schedule; if it persists, ask the provider for their log entry.",
        retry: Transient,
    },
    StatusDef {
        value: 0x10E,
        name: "ESME_RBCASTQUERYFAIL",
        aliases: &[],
        since: V50,
        short: "query_broadcast_sm failed",
        meaning: "The broadcast centre could not answer query_broadcast_sm.",
        causes: &[
            "The message_id is unknown or the broadcast has ended and been purged.",
            "An internal failure at the broadcast centre.",
        ],
        fix: "Query with the exact message_id from broadcast_sm_resp; retry later if the broadcast should still exist.",
        retry: Transient,
    },
    StatusDef {
        value: 0x10F,
        name: "ESME_RBCASTCANCELFAIL",
        aliases: &[],
        since: V50,
        short: "cancel_broadcast_sm failed",
        meaning: "The broadcast centre could not cancel the broadcast.",
        causes: &[
            "The broadcast has already finished or the message_id is unknown.",
            "An internal failure at the broadcast centre.",
        ],
        fix: "Check the broadcast's state with query_broadcast_sm; retry only while it is still active.",
        retry: Transient,
    },
    StatusDef {
        value: 0x110,
        name: "ESME_RINVBCAST_REP",
        aliases: &[],
        since: V50,
        short: "Invalid broadcast repeats",
        meaning: "The number of repeated broadcasts (broadcast_rep_num) is invalid or not supported.",
        causes: &[
            "A repeat count above what the broadcast centre allows.",
        ],
        fix: "Use a repeat count within the provider's limit.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x111,
        name: "ESME_RINVBCASTSRVGRP",
        aliases: &[],
        since: V50,
        short: "Invalid broadcast group",
        meaning: "The broadcast_service_group TLV is invalid or not supported.",
        causes: &[
            "A service group the broadcast centre does not know or the account may not use.",
        ],
        fix: "Use a service group the provider configured for you, or leave the TLV out.",
        retry: Permanent,
    },
    StatusDef {
        value: 0x112,
        name: "ESME_RINVBCASTCHANIND",
        aliases: &[],
        since: V50,
        short: "Invalid channel indicator",
        meaning: "The broadcast_channel_indicator TLV is invalid or not supported.",
        causes: &[
            "A channel value other than basic (0) or extended (1), or one the centre does not support.",
        ],
        fix: "Send broadcast_channel_indicator 0 (basic channel) unless the provider supports the extended one.",
        retry: Permanent,
    },
];

/// A block of values without a row of its own, and how to explain any value inside it.
#[derive(Debug)]
struct RangeDef {
    /// First value of the block.
    lo: u32,
    /// Last value of the block (inclusive).
    hi: u32,
    /// Label put before the value in the synthesized name, e.g. "reserved".
    label: &'static str,
    /// What a value in this block means.
    meaning: &'static str,
    /// Likely causes.
    causes: &'static [&'static str],
    /// Suggested fix.
    fix: &'static str,
}

/// The blocks of the command_status space, as SMPP 3.4 and 5.0 allocate them.
static RANGES: &[RangeDef] = &[
    RangeDef {
        lo: 0x0000_0000,
        hi: 0x0000_00FF,
        label: "reserved",
        meaning: "Reserved: this value lies in the block of standard errors \
                  (0x00000000-0x000000FF) but neither SMPP 3.4 nor SMPP 5.0 assigns it.",
        causes: &[
            "The SMSC uses an unassigned value for a proprietary error.",
            "The header was read at the wrong offset or the SMSC has a bug.",
        ],
        fix: "Ask the provider what this value means on their platform and check their \
              documentation. It is retried as transient; if they say it is final, add it to \
              --reject-codes.",
    },
    RangeDef {
        lo: 0x0000_0100,
        hi: 0x0000_03FF,
        label: "reserved",
        meaning: "Reserved for SMPP extensions (0x00000100-0x000003FF): SMPP 5.0 assigns \
                  0x00000100-0x00000112 and leaves the rest unassigned; SMPP 3.4 assigns \
                  none of this block.",
        causes: &[
            "The SMSC uses an unassigned value for a proprietary error.",
            "An implementation of a later or draft SMPP revision.",
        ],
        fix: "Ask the provider what this value means on their platform and check their \
              documentation. It is retried as transient; if they say it is final, add it to \
              --reject-codes.",
    },
    RangeDef {
        lo: 0x0000_0400,
        hi: 0x0000_04FF,
        label: "vendor-specific",
        meaning: "Vendor-specific: SMPP 3.4 and 5.0 leave 0x00000400-0x000004FF to SMSC \
                  vendors, so only the SMSC vendor or your provider can say what it means.",
        causes: &[
            "A provider-defined error; common ones are no credit, a blocked or ported number, \
             a routing failure or a content filter.",
            "The same value can mean different things at different providers.",
        ],
        fix: "Ask the provider for their error code list or check their documentation. It is \
              retried as transient; if the provider says it is final, list it in \
              --reject-codes (hex, e.g. --reject-codes 401).",
    },
    RangeDef {
        lo: 0x0000_0500,
        hi: 0xFFFF_FFFF,
        label: "reserved",
        meaning: "Reserved: SMPP 3.4 and 5.0 allocate nothing at 0x00000500 or above. Some \
                  SMSCs still put their own errors here.",
        causes: &[
            "A proprietary error code outside the vendor block.",
            "A corrupted header, or command_status written in the wrong byte order.",
        ],
        fix: "Ask the provider what this value means on their platform; if it looks random, \
              decode the raw PDU to check the framing. It is retried as transient; if the \
              provider says it is final, add it to --reject-codes.",
    },
];

/// The explanation of any u32 status: a table row, or a synthesized one for reserved and vendor ranges.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Explanation {
    /// The value.
    pub value: u32,
    /// Spec name, or a label like "reserved (0x00000009)" / "vendor-specific (0x00000401)".
    pub name: Cow<'static, str>,
    /// Alternative names.
    pub aliases: Vec<&'static str>,
    /// The SMPP version that defines the code (none for reserved and vendor values).
    #[serde(serialize_with = "ser_since")]
    pub since: Option<Since>,
    /// What it means.
    pub meaning: Cow<'static, str>,
    /// Likely causes.
    pub causes: Vec<Cow<'static, str>>,
    /// Suggested fix.
    pub fix: Cow<'static, str>,
    /// How a sender should treat it.
    pub retry: RetryClass,
}

fn ser_since<S: serde::Serializer>(s: &Option<Since>, ser: S) -> Result<S::Ok, S::Error> {
    match s {
        Some(v) => ser.serialize_str(v.label()),
        None => ser.serialize_none(),
    }
}

/// Find the row of a value.
pub fn lookup(value: u32) -> Option<&'static StatusDef> {
    STATUSES
        .binary_search_by_key(&value, |d| d.value)
        .ok()
        .and_then(|i| STATUSES.get(i))
}

/// Explain any status value: its row, or a labelled synthesized entry for reserved and
/// vendor-specific values.
pub fn explain(value: u32) -> Explanation {
    if let Some(d) = lookup(value) {
        return Explanation {
            value,
            name: Cow::Borrowed(d.name),
            aliases: d.aliases.to_vec(),
            since: Some(d.since),
            meaning: Cow::Borrowed(d.meaning),
            causes: d.causes.iter().map(|c| Cow::Borrowed(*c)).collect(),
            fix: Cow::Borrowed(d.fix),
            retry: d.retry,
        };
    }
    // RANGES covers 0..=u32::MAX, so the fallback is never used; it keeps this panic-free.
    let r = RANGES
        .iter()
        .find(|r| (r.lo..=r.hi).contains(&value))
        .unwrap_or(&RANGES[RANGES.len() - 1]);
    let mut causes: Vec<Cow<'static, str>> = r.causes.iter().map(|c| Cow::Borrowed(*c)).collect();
    let swapped = value.swap_bytes();
    if let Some(d) = lookup(swapped).filter(|_| swapped != 0 && value > 0xFFFF) {
        causes.push(Cow::Owned(format!(
            "With its bytes reversed it reads 0x{swapped:08X} ({}): the sender may write \
             command_status in little-endian order.",
            d.name
        )));
    }
    Explanation {
        value,
        name: Cow::Owned(format!("{} (0x{value:08X})", r.label)),
        aliases: vec![],
        since: None,
        meaning: Cow::Borrowed(r.meaning),
        causes,
        fix: Cow::Borrowed(r.fix),
        retry: RetryClass::Transient,
    }
}

/// The name of a value for one-line output: the spec name, or the reserved / vendor label.
pub fn name_of(value: u32) -> Cow<'static, str> {
    match lookup(value) {
        Some(d) => Cow::Borrowed(d.name),
        None => explain(value).name,
    }
}

/// The forms a name can be typed in: `ESME_RTHROTTLED`, `RTHROTTLED`, `THROTTLED`.
fn name_forms(n: &'static str) -> [&'static str; 3] {
    let no_esme = n.strip_prefix("ESME_").unwrap_or(n);
    let stem = no_esme.strip_prefix('R').unwrap_or(no_esme);
    [n, no_esme, stem]
}

/// Every spec name and alias with the value it stands for.
fn all_names() -> impl Iterator<Item = (&'static str, u32)> {
    STATUSES.iter().flat_map(|d| {
        std::iter::once(d.name)
            .chain(d.aliases.iter().copied())
            .map(move |n| (n, d.value))
    })
}

/// Find a code by name (case-insensitive; with or without `ESME_` and the `R`; aliases too).
pub fn find_by_name(q: &str) -> Option<u32> {
    let up = q.trim().to_ascii_uppercase();
    if up.is_empty() {
        return None;
    }
    all_names()
        .find(|(n, _)| name_forms(n).contains(&up.as_str()))
        .map(|(_, v)| v)
}

/// Parse what a user typed: `0x58` (hex), `88` (decimal), `ESME_RTHROTTLED`, `RTHROTTLED`,
/// `throttled`, or an alias such as `ESME_RINVOPTPARSTREAM`.
pub fn parse_query(q: &str) -> Option<u32> {
    let q = q.trim();
    if let Some(h) = q.strip_prefix("0x").or_else(|| q.strip_prefix("0X")) {
        if h.is_empty() || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        return u32::from_str_radix(h, 16).ok();
    }
    if !q.is_empty() && q.bytes().all(|b| b.is_ascii_digit()) {
        return q.parse::<u32>().ok();
    }
    find_by_name(q)
}

/// Names close to what the user typed (for "did you mean"), best first, at most 3.
pub fn suggest(q: &str) -> Vec<&'static str> {
    let up = q.trim().to_ascii_uppercase();
    let up = up.strip_prefix("ESME_").unwrap_or(&up);
    if up.is_empty() {
        return vec![];
    }
    let mut scored: Vec<(usize, &'static str)> = all_names()
        .filter_map(|(n, _)| {
            let forms = name_forms(n);
            let best = forms
                .iter()
                .skip(1)
                .map(|f| {
                    if f.len() >= 4 && up.len() >= 4 && (f.contains(up) || up.contains(f)) {
                        1
                    } else {
                        levenshtein(up, f)
                    }
                })
                .min()
                .unwrap_or(usize::MAX);
            let limit = (up.len() / 4).max(2);
            (best <= limit).then_some((best, n))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// The status-code reference in Markdown, generated from [`STATUSES`] and the ranges.
/// `docs/status-codes.md` holds its output; a unit test fails when the file is out of date
/// (regenerate with `UPDATE_DOCS=1 cargo test --lib spec::status`).
pub fn markdown_reference() -> String {
    let mut s = String::new();
    s.push_str(
        "# SMPP command_status reference\n\n\
         <!-- Generated from src/spec/status.rs by `UPDATE_DOCS=1 cargo test --lib spec::status`. \
         Do not edit by hand. -->\n\n\
         Every command_status of SMPP 3.4 and 5.0, with what it means, its likely causes, a \
         fix, and how a sender should treat it. The same table drives `smppdiag decode`, \
         `smppdiag explain` and the retry policy of the sessions. \
         `smppdiag explain <code>` prints one entry, `smppdiag explain --all` the summary.\n\n\
         ## Retry classes\n\n\
         The classes follow the NowSMS model: ESME_RINVSRCADR, ESME_RINVDSTADR and \
         ESME_RX_R_APPN fail at once; ESME_RTHROTTLED and ESME_RMSGQFUL are retried past the \
         attempt limit until the maximum age; everything else is retried on the delayed \
         schedule up to the attempt limit. smppdiag also classes as permanent the codes where \
         resending the very same PDU can never succeed (invalid fields, wrong credentials, an \
         operation the account may not use). `--reject-codes` makes more codes permanent.\n\n\
         | class | what a sender should do |\n|---|---|\n",
    );
    for c in [Permanent, Transient, Throttling] {
        let _ = writeln!(s, "| {} | {} |", c.label(), md_cell(c.advice()));
    }
    s.push_str("\n## Ranges\n\n| values | what they are |\n|---|---|\n");
    for r in RANGES {
        let _ = writeln!(
            s,
            "| 0x{:08X}-0x{:08X} | {} |",
            r.lo,
            r.hi,
            md_cell(r.meaning)
        );
    }
    s.push_str(
        "\nValues without a row below are explained as `reserved (0x…)` or \
         `vendor-specific (0x…)` and retried as transient unless listed in `--reject-codes`.\n",
    );
    s.push_str("\n## Summary\n\n| value | name | retry | meaning |\n|---|---|---|---|\n");
    for d in STATUSES {
        let _ = writeln!(
            s,
            "| 0x{:08X} | [{}](#{}) | {} | {} |",
            d.value,
            d.name,
            d.name.to_ascii_lowercase(),
            d.retry.label(),
            md_cell(d.short)
        );
    }
    s.push_str("\n## Codes\n");
    for d in STATUSES {
        let _ = write!(
            s,
            "\n### {}\n\n`0x{:08X}` ({}), SMPP {}, retry: **{}**",
            d.name,
            d.value,
            d.value,
            d.since.label(),
            d.retry.label()
        );
        if !d.aliases.is_empty() {
            let _ = write!(s, ", also known as {}", d.aliases.join(", "));
        }
        let _ = writeln!(s, ".\n\n{}\n", d.meaning);
        if !d.causes.is_empty() {
            s.push_str("Likely causes:\n\n");
            for c in d.causes {
                let _ = writeln!(s, "- {c}");
            }
            s.push('\n');
        }
        let _ = writeln!(s, "Fix: {}", d.fix);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_values() {
        assert_eq!(parse_query("ESME_RALYBND"), Some(0x05));
        assert_eq!(lookup(0x05).map(|d| d.name), Some("ESME_RALYBND"));
        assert_eq!(lookup(0x0A).map(|d| d.name), Some("ESME_RINVSRCADR"));
        assert_eq!(lookup(0x0B).map(|d| d.name), Some("ESME_RINVDSTADR"));
        assert_eq!(lookup(0x14).map(|d| d.name), Some("ESME_RMSGQFUL"));
        assert_eq!(lookup(0x58).map(|d| d.name), Some("ESME_RTHROTTLED"));
        assert_eq!(lookup(0x66).map(|d| d.name), Some("ESME_RX_R_APPN"));
        assert_eq!(lookup(0xFE).map(|d| d.name), Some("ESME_RDELIVERYFAILURE"));
        assert_eq!(lookup(0x112).map(|d| d.name), Some("ESME_RINVBCASTCHANIND"));
    }

    #[test]
    fn every_spec_value_has_a_row() {
        let mut expected: Vec<u32> = vec![];
        expected.extend(0x00..=0x08);
        expected.extend(0x0A..=0x0F);
        expected.extend([0x11, 0x13, 0x14, 0x15, 0x33, 0x34, 0x40]);
        expected.extend(0x42..=0x45);
        expected.extend([0x48, 0x49, 0x50, 0x51, 0x53, 0x54, 0x55, 0x58]);
        expected.extend(0x61..=0x67);
        expected.extend(0xC0..=0xC4);
        expected.extend([0xFE, 0xFF]);
        expected.extend(0x100..=0x112);
        let have: Vec<u32> = STATUSES.iter().map(|d| d.value).collect();
        assert_eq!(have, expected);
    }

    #[test]
    fn table_sorted_unique_and_names_unique() {
        assert!(STATUSES.windows(2).all(|w| w[0].value < w[1].value));
        let mut names: Vec<&str> = all_names().map(|(n, _)| n).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "a name or alias is used twice");
    }

    #[test]
    fn every_row_is_complete() {
        for d in STATUSES {
            assert!(d.name.starts_with("ESME_R"), "{}", d.name);
            assert!(!d.meaning.is_empty() && !d.fix.is_empty(), "{}", d.name);
            assert!(d.short.len() <= 28, "{}", d.name);
            if d.value != 0 {
                assert!((1..=4).contains(&d.causes.len()), "{}", d.name);
                assert_ne!(d.retry, Success, "{}", d.name);
            }
        }
        assert_eq!(lookup(0).map(|d| d.retry), Some(Success));
    }

    #[test]
    fn retry_classes_follow_the_model() {
        for v in [0x0A, 0x0B, 0x66] {
            assert_eq!(explain(v).retry, Permanent, "0x{v:X}");
        }
        for v in [0x14, 0x58] {
            assert_eq!(explain(v).retry, Throttling, "0x{v:X}");
        }
        for v in [0x0E, 0x0F, 0xC0] {
            assert_eq!(explain(v).retry, Permanent, "0x{v:X}");
        }
        for v in [0x08, 0x45, 0x64, 0xFE, 0xFF] {
            assert_eq!(explain(v).retry, Transient, "0x{v:X}");
        }
        let throttling: Vec<u32> = STATUSES
            .iter()
            .filter(|d| d.retry == Throttling)
            .map(|d| d.value)
            .collect();
        assert_eq!(throttling, vec![0x14, 0x58]);
    }

    #[test]
    fn tlv_codes_carry_both_names() {
        let pairs = [
            (0xC0, "ESME_RINVTLVSTREAM", "ESME_RINVOPTPARSTREAM"),
            (0xC1, "ESME_RTLVNOTALLWD", "ESME_ROPTPARNOTALLWD"),
            (0xC2, "ESME_RINVTLVLEN", "ESME_RINVPARLEN"),
            (0xC3, "ESME_RMISSINGTLV", "ESME_RMISSINGOPTPARAM"),
            (0xC4, "ESME_RINVTLVVAL", "ESME_RINVOPTPARAMVAL"),
        ];
        for (v, name, alias) in pairs {
            let e = explain(v);
            assert_eq!(e.name, name);
            assert_eq!(e.aliases, vec![alias]);
            assert_eq!(parse_query(alias), Some(v));
            assert_eq!(parse_query(&alias.to_ascii_lowercase()), Some(v));
        }
    }

    #[test]
    fn parse_query_forms() {
        assert_eq!(parse_query("0x58"), Some(0x58));
        assert_eq!(parse_query("0X00000058"), Some(0x58));
        assert_eq!(parse_query("88"), Some(0x58));
        assert_eq!(parse_query(" ESME_RTHROTTLED "), Some(0x58));
        assert_eq!(parse_query("RTHROTTLED"), Some(0x58));
        assert_eq!(parse_query("throttled"), Some(0x58));
        assert_eq!(parse_query("esme_rinvdstaddr"), Some(0x0B));
        assert_eq!(parse_query("RX_R_APPN"), Some(0x66));
        assert_eq!(parse_query("58h"), None);
        assert_eq!(parse_query("0x"), None);
        assert_eq!(parse_query("0x1G"), None);
        assert_eq!(parse_query("0x100000000"), None);
        assert_eq!(parse_query(""), None);
        assert_eq!(parse_query("-1"), None);
        assert_eq!(parse_query("NOSUCHCODE"), None);
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("THROTLED").first(), Some(&"ESME_RTHROTTLED"));
        assert_eq!(suggest("ESME_RINVPASSWD").first(), Some(&"ESME_RINVPASWD"));
        assert!(suggest("THROTTLE").contains(&"ESME_RTHROTTLED"));
        assert!(suggest("completely-unrelated-words").is_empty());
    }

    #[test]
    fn reserved_and_vendor_labels() {
        let e = explain(0x09);
        assert_eq!(e.name, "reserved (0x00000009)");
        assert!(e.meaning.contains("0x00000000-0x000000FF"));
        assert_eq!(e.retry, Transient);
        assert_eq!(explain(0x10).name, "reserved (0x00000010)");
        assert_eq!(explain(0x12).name, "reserved (0x00000012)");
        assert_eq!(explain(0x46).name, "reserved (0x00000046)");
        let e = explain(0x113);
        assert_eq!(e.name, "reserved (0x00000113)");
        assert!(e.meaning.contains("5.0"));
        let e = explain(0x401);
        assert_eq!(e.name, "vendor-specific (0x00000401)");
        assert!(e.meaning.contains("vendor"));
        assert!(e.fix.contains("--reject-codes"));
        assert_eq!(e.retry, Transient);
        assert_eq!(explain(0x4FF).name, "vendor-specific (0x000004FF)");
        assert_eq!(explain(0x500).name, "reserved (0x00000500)");
        assert_eq!(explain(u32::MAX).name, "reserved (0xFFFFFFFF)");
        assert!(explain(0x5800_0000)
            .causes
            .iter()
            .any(|c| c.contains("ESME_RTHROTTLED")));
        assert_eq!(name_of(0x58), "ESME_RTHROTTLED");
        assert_eq!(name_of(0x3FF), "reserved (0x000003FF)");
    }

    #[test]
    fn ranges_tile_the_u32_space() {
        assert_eq!(RANGES.first().map(|r| r.lo), Some(0));
        assert_eq!(RANGES.last().map(|r| r.hi), Some(u32::MAX));
        assert!(RANGES.windows(2).all(|w| w[0].hi + 1 == w[1].lo));
    }

    #[test]
    fn json_has_the_documented_keys() {
        let v = serde_json::to_value(explain(0x58)).unwrap();
        assert_eq!(v["name"], "ESME_RTHROTTLED");
        assert_eq!(v["value"], 0x58);
        assert_eq!(v["retry"], "throttling");
        assert_eq!(v["since"], "3.4");
        assert!(v["meaning"].is_string() && v["fix"].is_string());
        assert!(v["causes"].as_array().is_some_and(|c| c.len() >= 2));
    }

    #[test]
    fn docs_status_codes_md_is_up_to_date() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/status-codes.md");
        let want = markdown_reference();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "docs/status-codes.md is out of date: run `UPDATE_DOCS=1 cargo test --lib spec::status`"
        );
    }
}
