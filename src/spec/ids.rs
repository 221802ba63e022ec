//! Named protocol numbers for the code that builds and answers PDUs (client, server, proxy,
//! capture). Each constant repeats a row of the tables in [`super::commands`], [`super::status`]
//! and [`super::tlv`]; the test at the bottom checks every one against its row, so a typo here
//! fails the build's tests instead of putting a wrong number on the wire.

/// Declare constants and the `(value, table name)` list the test walks.
macro_rules! named {
    ($ty:ty; $( $(#[$m:meta])* $name:ident = $value:expr => $spec:literal ),* $(,)?) => {
        $( $(#[$m])* pub const $name: $ty = $value; )*
        /// Every constant of this module with the name its table row has.
        pub const ALL: &[($ty, &str)] = &[ $( ($value, $spec) ),* ];
    };
}

/// command_id values.
pub mod cmd {
    /// The bit that marks a response command_id.
    pub const RESPONSE_BIT: u32 = 0x8000_0000;

    named! { u32;
        /// generic_nack.
        GENERIC_NACK = 0x8000_0000 => "generic_nack",
        /// bind_receiver.
        BIND_RECEIVER = 0x0000_0001 => "bind_receiver",
        /// bind_transmitter.
        BIND_TRANSMITTER = 0x0000_0002 => "bind_transmitter",
        /// query_sm.
        QUERY_SM = 0x0000_0003 => "query_sm",
        /// submit_sm.
        SUBMIT_SM = 0x0000_0004 => "submit_sm",
        /// deliver_sm.
        DELIVER_SM = 0x0000_0005 => "deliver_sm",
        /// unbind.
        UNBIND = 0x0000_0006 => "unbind",
        /// replace_sm.
        REPLACE_SM = 0x0000_0007 => "replace_sm",
        /// cancel_sm.
        CANCEL_SM = 0x0000_0008 => "cancel_sm",
        /// bind_transceiver.
        BIND_TRANSCEIVER = 0x0000_0009 => "bind_transceiver",
        /// outbind.
        OUTBIND = 0x0000_000B => "outbind",
        /// enquire_link.
        ENQUIRE_LINK = 0x0000_0015 => "enquire_link",
        /// submit_multi.
        SUBMIT_MULTI = 0x0000_0021 => "submit_multi",
        /// alert_notification.
        ALERT_NOTIFICATION = 0x0000_0102 => "alert_notification",
        /// data_sm.
        DATA_SM = 0x0000_0103 => "data_sm",
        /// submit_sm_resp.
        SUBMIT_SM_RESP = 0x8000_0004 => "submit_sm_resp",
        /// deliver_sm_resp.
        DELIVER_SM_RESP = 0x8000_0005 => "deliver_sm_resp",
        /// unbind_resp.
        UNBIND_RESP = 0x8000_0006 => "unbind_resp",
        /// enquire_link_resp.
        ENQUIRE_LINK_RESP = 0x8000_0015 => "enquire_link_resp",
        /// submit_multi_resp.
        SUBMIT_MULTI_RESP = 0x8000_0021 => "submit_multi_resp",
        /// data_sm_resp.
        DATA_SM_RESP = 0x8000_0103 => "data_sm_resp",
    }

    /// The three bind requests.
    pub const BINDS: [u32; 3] = [BIND_RECEIVER, BIND_TRANSMITTER, BIND_TRANSCEIVER];

    /// The response command_id of a request.
    pub const fn resp(id: u32) -> u32 {
        id | RESPONSE_BIT
    }
}

/// command_status values.
pub mod status {
    named! { u32;
        /// No error.
        ESME_ROK = 0x0000_0000 => "ESME_ROK",
        /// Message length is invalid.
        ESME_RINVMSGLEN = 0x0000_0001 => "ESME_RINVMSGLEN",
        /// Command length is invalid.
        ESME_RINVCMDLEN = 0x0000_0002 => "ESME_RINVCMDLEN",
        /// Invalid command id.
        ESME_RINVCMDID = 0x0000_0003 => "ESME_RINVCMDID",
        /// Incorrect bind status for the command.
        ESME_RINVBNDSTS = 0x0000_0004 => "ESME_RINVBNDSTS",
        /// Already bound.
        ESME_RALYBND = 0x0000_0005 => "ESME_RALYBND",
        /// System error.
        ESME_RSYSERR = 0x0000_0008 => "ESME_RSYSERR",
        /// Invalid password.
        ESME_RINVPASWD = 0x0000_000E => "ESME_RINVPASWD",
        /// Invalid system_id.
        ESME_RINVSYSID = 0x0000_000F => "ESME_RINVSYSID",
        /// cancel_sm failed.
        ESME_RCANCELFAIL = 0x0000_0011 => "ESME_RCANCELFAIL",
        /// replace_sm failed.
        ESME_RREPLACEFAIL = 0x0000_0013 => "ESME_RREPLACEFAIL",
        /// Message queue full.
        ESME_RMSGQFUL = 0x0000_0014 => "ESME_RMSGQFUL",
        /// Throttling error: the ESME exceeded its allowed message rate.
        ESME_RTHROTTLED = 0x0000_0058 => "ESME_RTHROTTLED",
        /// query_sm failed.
        ESME_RQUERYFAIL = 0x0000_0067 => "ESME_RQUERYFAIL",
        /// Invalid priority_flag.
        ESME_RINVPRTFLG = 0x0000_0006 => "ESME_RINVPRTFLG",
        /// Invalid registered_delivery flag.
        ESME_RINVREGDLVFLG = 0x0000_0007 => "ESME_RINVREGDLVFLG",
        /// Invalid source address.
        ESME_RINVSRCADR = 0x0000_000A => "ESME_RINVSRCADR",
        /// Invalid destination address.
        ESME_RINVDSTADR = 0x0000_000B => "ESME_RINVDSTADR",
        /// Invalid message_id.
        ESME_RINVMSGID = 0x0000_000C => "ESME_RINVMSGID",
        /// Invalid service_type.
        ESME_RINVSERTYP = 0x0000_0015 => "ESME_RINVSERTYP",
        /// Invalid number of destinations.
        ESME_RINVNUMDESTS = 0x0000_0033 => "ESME_RINVNUMDESTS",
        /// Invalid distribution list name.
        ESME_RINVDLNAME = 0x0000_0034 => "ESME_RINVDLNAME",
        /// Invalid dest_flag.
        ESME_RINVDESTFLAG = 0x0000_0040 => "ESME_RINVDESTFLAG",
        /// Invalid esm_class.
        ESME_RINVESMCLASS = 0x0000_0043 => "ESME_RINVESMCLASS",
        /// Invalid source address TON.
        ESME_RINVSRCTON = 0x0000_0048 => "ESME_RINVSRCTON",
        /// Invalid source address NPI.
        ESME_RINVSRCNPI = 0x0000_0049 => "ESME_RINVSRCNPI",
        /// Invalid destination address TON.
        ESME_RINVDSTTON = 0x0000_0050 => "ESME_RINVDSTTON",
        /// Invalid destination address NPI.
        ESME_RINVDSTNPI = 0x0000_0051 => "ESME_RINVDSTNPI",
        /// Invalid system_type.
        ESME_RINVSYSTYP = 0x0000_0053 => "ESME_RINVSYSTYP",
        /// Invalid scheduled delivery time.
        ESME_RINVSCHED = 0x0000_0061 => "ESME_RINVSCHED",
        /// Invalid validity period.
        ESME_RINVEXPIRY = 0x0000_0062 => "ESME_RINVEXPIRY",
        /// Invalid sm_default_msg_id.
        ESME_RINVDFTMSGID = 0x0000_0063 => "ESME_RINVDFTMSGID",
        /// Invalid TLV stream.
        ESME_RINVTLVSTREAM = 0x0000_00C0 => "ESME_RINVTLVSTREAM",
        /// Invalid TLV value.
        ESME_RINVTLVVAL = 0x0000_00C4 => "ESME_RINVTLVVAL",
        /// Invalid TLV length.
        ESME_RINVTLVLEN = 0x0000_00C2 => "ESME_RINVTLVLEN",
        /// Invalid data_coding.
        ESME_RINVDCS = 0x0000_0104 => "ESME_RINVDCS",
    }
}

/// TLV tags.
pub mod tag {
    named! { u16;
        /// receipted_message_id.
        RECEIPTED_MESSAGE_ID = 0x001E => "receipted_message_id",
        /// user_message_reference.
        USER_MESSAGE_REFERENCE = 0x0204 => "user_message_reference",
        /// sar_msg_ref_num.
        SAR_MSG_REF_NUM = 0x020C => "sar_msg_ref_num",
        /// sar_total_segments.
        SAR_TOTAL_SEGMENTS = 0x020E => "sar_total_segments",
        /// sar_segment_seqnum.
        SAR_SEGMENT_SEQNUM = 0x020F => "sar_segment_seqnum",
        /// sc_interface_version.
        SC_INTERFACE_VERSION = 0x0210 => "sc_interface_version",
        /// network_error_code.
        NETWORK_ERROR_CODE = 0x0423 => "network_error_code",
        /// message_payload.
        MESSAGE_PAYLOAD = 0x0424 => "message_payload",
        /// message_state.
        MESSAGE_STATE = 0x0427 => "message_state",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_constants_match_their_table_rows() {
        for (v, name) in cmd::ALL {
            let row = crate::spec::commands::by_name(name).expect(name);
            assert_eq!(row.id, *v, "{name}");
        }
        assert!(crate::spec::commands::is_response(cmd::RESPONSE_BIT));
    }

    #[test]
    fn status_constants_match_their_table_rows() {
        for (v, name) in status::ALL {
            let row = crate::spec::status::lookup(*v).expect(name);
            assert_eq!(row.name, *name, "0x{v:08X}");
        }
    }

    #[test]
    fn tag_constants_match_their_table_rows() {
        for (v, name) in tag::ALL {
            let row = crate::spec::tlv::by_name(name).expect(name);
            assert_eq!(row.tag, *v, "{name}");
        }
    }
}
