#!/usr/bin/env python3
"""An SMSC that misbehaves on purpose, for the client's hostile-peer tests (issue 10).

Standard library only. Listens on 127.0.0.1 (port 0 unless --port), prints
`listening on 127.0.0.1:PORT` as its first line, then serves every connection in a thread
with the behaviour chosen by --mode:

  no-bind-resp      read everything, never answer anything (not even bind)
  bind-wrong-id     answer bind with submit_sm_resp (same sequence number)
  submit-wrong-id   bind OK; answer submit_sm with enquire_link_resp (same sequence number)
  flood             bind OK; then write deliver_sm without end and never read again
  drop-every        bind OK; answer submit_sm, but drop every Nth response (--n)
  close-mid-window  bind OK; after reading --n submit_sm (answering none), close
  trickle           answer bind one octet every --delay seconds
  giant-length      bind OK; then a PDU header whose command_length is 0xFFFFFFF0

Anything else is answered as an SMSC would (enquire_link, unbind). PDU layouts follow
SMPP 3.4 section 4 (header: command_length, command_id, command_status, sequence_number).
"""

import argparse
import socket
import struct
import sys
import threading
import time

RESP = 0x80000000
BIND_RECEIVER = 0x00000001
BIND_TRANSMITTER = 0x00000002
SUBMIT_SM = 0x00000004
DELIVER_SM = 0x00000005
UNBIND = 0x00000006
BIND_TRANSCEIVER = 0x00000009
ENQUIRE_LINK = 0x00000015
BINDS = (BIND_RECEIVER, BIND_TRANSMITTER, BIND_TRANSCEIVER)


def pdu(command_id, seq, body=b"", status=0):
    return struct.pack(">IIII", 16 + len(body), command_id, status, seq) + body


def cstr(s):
    return s.encode() + b"\0"


def deliver_sm(seq):
    """A deliver_sm (SMPP 3.4 4.6.1) carrying a 160-octet text."""
    text = b"x" * 160
    body = (
        cstr("")  # service_type
        + bytes([1, 1]) + cstr("15550001")  # source ton, npi, addr
        + bytes([1, 1]) + cstr("15550002")  # dest ton, npi, addr
        + bytes([0, 0, 0])  # esm_class, protocol_id, priority_flag
        + cstr("") + cstr("")  # schedule_delivery_time, validity_period
        + bytes([0, 0, 0, 0])  # registered_delivery, replace_if_present, data_coding, default id
        + bytes([len(text)]) + text
    )
    return pdu(DELIVER_SM, seq, body)


def read_pdus(conn):
    """Yield (command_id, sequence, whole pdu) until the peer closes."""
    buf = b""
    while True:
        while len(buf) >= 16:
            (length,) = struct.unpack(">I", buf[:4])
            if length < 16 or len(buf) < length:
                break
            p, buf = buf[:length], buf[length:]
            cid, _, seq = struct.unpack(">III", p[4:16])
            yield cid, seq, p
        try:
            chunk = conn.recv(65536)
        except OSError:
            return
        if not chunk:
            return
        buf += chunk


def bind_resp(cid, seq):
    return pdu(cid | RESP, seq, cstr("hostile"))


def flood(conn):
    seq = 1
    conn.settimeout(60)
    try:
        while True:
            conn.sendall(b"".join(deliver_sm(seq + i) for i in range(64)))
            seq += 64
    except OSError:
        pass


def serve_conn(conn, args):
    submits = 0
    try:
        for cid, seq, _ in read_pdus(conn):
            if args.mode == "no-bind-resp":
                continue
            if cid in BINDS:
                if args.mode == "bind-wrong-id":
                    conn.sendall(pdu(SUBMIT_SM | RESP, seq, cstr("1")))
                elif args.mode == "trickle":
                    for b in bind_resp(cid, seq):
                        conn.sendall(bytes([b]))
                        time.sleep(args.delay)
                else:
                    conn.sendall(bind_resp(cid, seq))
                    if args.mode == "flood":
                        flood(conn)
                        return
                    if args.mode == "giant-length":
                        conn.sendall(struct.pack(">IIII", 0xFFFFFFF0, DELIVER_SM, 0, 1))
            elif cid == SUBMIT_SM:
                submits += 1
                if args.mode == "submit-wrong-id":
                    conn.sendall(pdu(ENQUIRE_LINK | RESP, seq))
                elif args.mode == "close-mid-window":
                    if submits >= args.n:
                        conn.shutdown(socket.SHUT_RDWR)
                        return
                elif args.mode == "drop-every" and submits % args.n == 0:
                    pass
                else:
                    conn.sendall(pdu(SUBMIT_SM | RESP, seq, cstr("%x" % submits)))
            elif cid == ENQUIRE_LINK:
                conn.sendall(pdu(ENQUIRE_LINK | RESP, seq))
            elif cid == UNBIND:
                conn.sendall(pdu(UNBIND | RESP, seq))
                return
    except OSError:
        pass
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", required=True, choices=[
        "no-bind-resp", "bind-wrong-id", "submit-wrong-id", "flood", "drop-every",
        "close-mid-window", "trickle", "giant-length"])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--delay", type=float, default=0.05)
    args = ap.parse_args()
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", args.port))
    srv.listen(64)
    print("listening on 127.0.0.1:%d" % srv.getsockname()[1], flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve_conn, args=(conn, args), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
