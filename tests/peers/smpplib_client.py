#!/usr/bin/env python3
"""An SMPP client built on PyPI `smpplib`, driven by flags, for the `smppdiag serve` interop
tests. Prints one JSON object per line for everything it sees:

  {"event": "bind", "status": N}
  {"event": "submit_resp", "seq": N, "status": N, "message_id": "..."}
  {"event": "deliver_sm", "esm_class": N, "text": "...", "data_coding": N, "decoded": "...",
   "source_addr": "...", "receipted_message_id": "...", "message_state": N}
  {"event": "query_resp", "status": N, "message_state": N}
  {"event": "generic_nack", "seq": N, "status": N}
  {"event": "unbind", "status": N}   or   {"event": "closed"} when the server hangs up
  {"event": "timeout"}               when --timeout passes with answers still missing

Flags:
  --host H (127.0.0.1) --port N --system-id ID (test) --password PW (secret)
  --mode tx|rx|trx (trx)   --submit N (0)   --text T   --long (split with smpplib.gsm.make_parts)
  --registered-delivery N (0)   --receipts N (wait for N deliver_sm after the submits)
  --query (query_sm the first message id)   --timeout SECS (5)   --no-unbind

Run with the virtualenv made by scripts/install-test-deps.sh.
"""

import argparse
import json
import socket
import sys
import time

import smpplib.client
import smpplib.consts
import smpplib.exceptions
import smpplib.gsm
from smpplib import smpp


def out(**kw):
    print(json.dumps(kw), flush=True)


def text_of(v):
    if v is None:
        return None
    if isinstance(v, bytes):
        return v.decode("latin-1")
    return str(v)


def decoded_text(pdu):
    """The message text as a receiver sees it: the UDH (esm_class 0x40) cut off, UCS2 as
    UTF-16BE, the default alphabet through smpplib's own GSM table (the reverse of
    smpplib.gsm.gsm_encode, escape 0x1B included)."""
    data = pdu.short_message or b""
    if pdu.esm_class & 0x40 and data:
        data = data[data[0] + 1:]
    if pdu.data_coding == 8:
        return data.decode("utf-16-be", errors="replace")
    table = smpplib.gsm.GSM_CHARACTER_TABLE
    out, escape = [], False
    for b in data:
        if escape:
            out.append(table[0x80 + b])
            escape = False
        elif b == 0x1B:
            escape = True
        else:
            out.append(table[b])
    return "".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--system-id", default="test")
    ap.add_argument("--password", default="secret")
    ap.add_argument("--mode", choices=["tx", "rx", "trx"], default="trx")
    ap.add_argument("--submit", type=int, default=0)
    ap.add_argument("--text", default="hello from smpplib")
    ap.add_argument("--long", action="store_true")
    ap.add_argument("--registered-delivery", type=int, default=0)
    ap.add_argument("--receipts", type=int, default=0)
    ap.add_argument("--query", action="store_true")
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--no-unbind", action="store_true")
    a = ap.parse_args()

    c = smpplib.client.Client(a.host, a.port, timeout=a.timeout)
    c.connect()
    bind = {"tx": c.bind_transmitter, "rx": c.bind_receiver, "trx": c.bind_transceiver}[a.mode]
    try:
        bind(system_id=a.system_id, password=a.password)
        out(event="bind", status=0)
    except smpplib.exceptions.PDUError as e:
        out(event="bind", status=e.args[1])
        c.disconnect()
        return

    pending = 0
    for _ in range(a.submit):
        if a.long:
            parts, coding, esm = smpplib.gsm.make_parts(a.text)
        else:
            parts, coding, esm = [a.text.encode("ascii")], 0, 0
        for part in parts:
            c.send_message(
                source_addr_ton=1, source_addr_npi=1, source_addr="15550001111",
                dest_addr_ton=1, dest_addr_npi=1, destination_addr="15550002222",
                short_message=part, data_coding=coding, esm_class=esm,
                registered_delivery=a.registered_delivery,
            )
            pending += 1

    receipts = 0
    first_id = None
    queried = False
    deadline = time.time() + a.timeout
    closed = False
    while pending > 0 or receipts < a.receipts or (a.query and not queried and first_id):
        if time.time() > deadline:
            out(event="timeout", pending=pending, receipts=receipts)
            break
        if a.query and first_id and not queried and pending == 0:
            q = smpp.make_pdu("query_sm", client=c, message_id=first_id,
                              source_addr_ton=1, source_addr_npi=1, source_addr="15550001111")
            c.send_pdu(q)
            queried = "sent"
        try:
            pdu = c.read_pdu()
        except socket.timeout:
            continue
        except smpplib.exceptions.ConnectionError:
            out(event="closed")
            closed = True
            break
        cmd = pdu.command
        if cmd == "submit_sm_resp":
            pending -= 1
            mid = text_of(getattr(pdu, "message_id", None))
            if mid and first_id is None and pdu.status == 0:
                first_id = mid
            out(event="submit_resp", seq=pdu.sequence, status=pdu.status, message_id=mid)
        elif cmd == "generic_nack":
            pending -= 1
            out(event="generic_nack", seq=pdu.sequence, status=pdu.status)
        elif cmd == "deliver_sm":
            receipts += 1
            out(event="deliver_sm", esm_class=pdu.esm_class, text=text_of(pdu.short_message),
                data_coding=pdu.data_coding, decoded=decoded_text(pdu),
                source_addr=text_of(pdu.source_addr),
                receipted_message_id=text_of(getattr(pdu, "receipted_message_id", None)),
                message_state=getattr(pdu, "message_state", None))
            resp = smpp.make_pdu("deliver_sm_resp", client=c, sequence=pdu.sequence)
            resp.sequence = pdu.sequence
            c.send_pdu(resp)
        elif cmd == "query_sm_resp":
            queried = True
            out(event="query_resp", status=pdu.status, message_state=getattr(pdu, "message_state", None))
        elif cmd == "enquire_link":
            resp = smpp.make_pdu("enquire_link_resp", client=c, sequence=pdu.sequence)
            resp.sequence = pdu.sequence
            c.send_pdu(resp)
        elif cmd == "unbind":
            out(event="server_unbind")
            resp = smpp.make_pdu("unbind_resp", client=c, sequence=pdu.sequence)
            resp.sequence = pdu.sequence
            c.send_pdu(resp)
            closed = True
            break
        else:
            out(event="other", command=cmd, status=pdu.status)

    if not closed and not a.no_unbind:
        try:
            r = c.unbind()
            out(event="unbind", status=r.status)
        except smpplib.exceptions.ConnectionError:
            out(event="closed")
    c.disconnect()


if __name__ == "__main__":
    main()
