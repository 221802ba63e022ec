#!/usr/bin/env python3
"""Print SMPP PDUs encoded by the PyPI package `smpplib`, one JSON object per line.

Each line is {"name": "...", "hex": "..."}. Every PDU is built with smpplib's own
command classes and serialised by its own `generate()`; nothing here writes PDU
bytes by hand, and nothing touches the network. Sequence numbers are fixed so the
output is the same on every run.

smpplib has no encoder for cancel_sm, replace_sm, submit_multi or outbind, so those
are absent here (the node-smpp encoder covers them).

Run with the virtualenv made by scripts/install-test-deps.sh:
    tests/peers/.venv/bin/python tests/peers/encode_smpplib.py
"""

import json
import random
import sys

from smpplib import consts, gsm, smpp


def build(name, seq, **fields):
    """Build one PDU with smpplib and return (name, bytes)."""
    status = fields.pop("status", None)
    # A `sequence` keyword keeps smpplib from asking a client for the next number
    # (there is no client here); the constructor then leaves the attribute unset,
    # so it is assigned afterwards.
    pdu = smpp.make_pdu(name, sequence=seq, **fields)
    pdu.sequence = seq
    if status is not None:
        pdu.status = status
    return pdu.generate()


def cases():
    """Yield (label, bytes) for every PDU this script emits."""
    for i, mode in enumerate(("bind_transmitter", "bind_receiver", "bind_transceiver"), start=1):
        yield mode, build(
            mode,
            i,
            system_id="smppclient1",
            password="secret08",
            system_type="CMT",
            addr_ton=1,
            addr_npi=1,
            address_range="",
        )
        yield mode + "_resp", build(mode + "_resp", i, system_id="SMSC01")

    yield "bind_transmitter_resp_error", build(
        "bind_transmitter_resp", 4, system_id="", status=consts.SMPP_ESME_RINVPASWD
    )

    gsm_parts, gsm_coding, gsm_esm = gsm.make_parts("Hello from smpplib @ 100€ {ok}")
    yield "submit_sm_gsm", build(
        "submit_sm",
        10,
        service_type="",
        source_addr_ton=consts.SMPP_TON_ALNUM,
        source_addr_npi=consts.SMPP_NPI_UNK,
        source_addr="Shop",
        dest_addr_ton=consts.SMPP_TON_INTL,
        dest_addr_npi=consts.SMPP_NPI_ISDN,
        destination_addr="447700900123",
        esm_class=gsm_esm,
        registered_delivery=1,
        data_coding=gsm_coding,
        short_message=gsm_parts[0],
    )

    ucs_parts, ucs_coding, ucs_esm = gsm.make_parts(
        "Привет 👋 smpplib", encoding=consts.SMPP_ENCODING_ISO10646
    )
    yield "submit_sm_ucs2_emoji", build(
        "submit_sm",
        11,
        source_addr_ton=consts.SMPP_TON_INTL,
        source_addr_npi=consts.SMPP_NPI_ISDN,
        source_addr="4915112345678",
        dest_addr_ton=consts.SMPP_TON_INTL,
        dest_addr_npi=consts.SMPP_NPI_ISDN,
        destination_addr="4917612345678",
        esm_class=ucs_esm,
        data_coding=ucs_coding,
        short_message=ucs_parts[0],
    )

    yield "submit_sm_tlvs", build(
        "submit_sm",
        12,
        source_addr_ton=consts.SMPP_TON_INTL,
        source_addr_npi=consts.SMPP_NPI_ISDN,
        source_addr="15550001111",
        dest_addr_ton=consts.SMPP_TON_INTL,
        dest_addr_npi=consts.SMPP_NPI_ISDN,
        destination_addr="15550002222",
        esm_class=0,
        protocol_id=0,
        priority_flag=1,
        registered_delivery=1,
        data_coding=0,
        short_message=b"tlv test",
        user_message_reference=0x1234,
        source_port=0x0B84,
        destination_port=0x23F0,
        sar_msg_ref_num=0x0042,
        sar_total_segments=2,
        sar_segment_seqnum=1,
        payload_type=0,
    )

    long_text = "smpplib long message " * 12
    long_parts, long_coding, long_esm = gsm.make_parts(long_text)
    yield "submit_sm_udh_part1", build(
        "submit_sm",
        13,
        source_addr_ton=consts.SMPP_TON_INTL,
        source_addr_npi=consts.SMPP_NPI_ISDN,
        source_addr="15550001111",
        dest_addr_ton=consts.SMPP_TON_INTL,
        dest_addr_npi=consts.SMPP_NPI_ISDN,
        destination_addr="15550002222",
        esm_class=long_esm,
        data_coding=long_coding,
        short_message=long_parts[0],
    )

    yield "submit_sm_message_payload", build(
        "submit_sm",
        14,
        source_addr_ton=consts.SMPP_TON_INTL,
        source_addr_npi=consts.SMPP_NPI_ISDN,
        source_addr="15550001111",
        dest_addr_ton=consts.SMPP_TON_INTL,
        dest_addr_npi=consts.SMPP_NPI_ISDN,
        destination_addr="15550002222",
        data_coding=0,
        message_payload=b"payload carried in the message_payload TLV",
    )

    yield "submit_sm_resp", build("submit_sm_resp", 10, message_id="5f3a1c9e")
    yield "submit_sm_resp_throttled", build(
        "submit_sm_resp", 15, message_id="", status=consts.SMPP_ESME_RTHROTTLED
    )

    receipt = (
        b"id:5f3a1c9e sub:001 dlvrd:001 submit date:2401011200 "
        b"done date:2401011201 stat:DELIVRD err:000 text:Hello from smppl"
    )
    yield "deliver_sm_receipt", build(
        "deliver_sm",
        20,
        source_addr_ton=consts.SMPP_TON_INTL,
        source_addr_npi=consts.SMPP_NPI_ISDN,
        source_addr="447700900123",
        dest_addr_ton=consts.SMPP_TON_ALNUM,
        dest_addr_npi=consts.SMPP_NPI_UNK,
        destination_addr="Shop",
        esm_class=0x04,  # SMSC delivery receipt (smpplib has no constant for it)
        data_coding=0,
        short_message=receipt,
        receipted_message_id="5f3a1c9e",
        message_state=consts.SMPP_MESSAGE_STATE_DELIVERED,
        network_error_code=b"\x03\x00\x00",
    )
    yield "deliver_sm_resp", build("deliver_sm_resp", 20, message_id="")

    yield "enquire_link", build("enquire_link", 30)
    yield "enquire_link_resp", build("enquire_link_resp", 30)
    yield "unbind", build("unbind", 31)
    yield "unbind_resp", build("unbind_resp", 31)
    yield "generic_nack", build("generic_nack", 32, status=consts.SMPP_ESME_RINVCMDID)

    yield "data_sm", build(
        "data_sm",
        40,
        service_type="WAP",
        source_addr_ton=consts.SMPP_TON_INTL,
        source_addr_npi=consts.SMPP_NPI_ISDN,
        source_addr="15550001111",
        dest_addr_ton=consts.SMPP_TON_INTL,
        dest_addr_npi=consts.SMPP_NPI_ISDN,
        destination_addr="15550002222",
        esm_class=0,
        registered_delivery=1,
        data_coding=4,
        source_port=0x23F0,
        destination_port=0x0B84,
        message_payload=b"\x01\x02\x03\x04data_sm body",
    )
    yield "data_sm_resp", build("data_sm_resp", 40, message_id="ds-0001")

    yield "query_sm", build(
        "query_sm",
        50,
        message_id="5f3a1c9e",
        source_addr_ton=consts.SMPP_TON_ALNUM,
        source_addr_npi=consts.SMPP_NPI_UNK,
        source_addr="Shop",
    )
    yield "query_sm_resp", build(
        "query_sm_resp",
        50,
        message_id="5f3a1c9e",
        final_date="240101120100000+",
        message_state=consts.SMPP_MESSAGE_STATE_DELIVERED,
        error_code=0,
    )

    yield "alert_notification", build(
        "alert_notification",
        60,
        source_addr_ton=consts.SMPP_TON_INTL,
        source_addr_npi=consts.SMPP_NPI_ISDN,
        source_addr="447700900123",
        esme_addr_ton=consts.SMPP_TON_INTL,
        esme_addr_npi=consts.SMPP_NPI_ISDN,
        esme_addr="15550001111",
        ms_availability_status=0,
    )


def main():
    # smpplib draws the concatenation reference of a long message at random.
    random.seed(2775)
    out = sys.stdout
    for name, data in cases():
        out.write(json.dumps({"name": name, "hex": data.hex()}) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
