#!/usr/bin/env python3
"""Abusive ESMEs against `smppdiag serve`, for the load tests and benches/hostile.sh (issue 10).

Standard library only (asyncio). Prints one JSON object with what it saw. Modes:

  sessions  --n N --submits K       N sessions at once: bind_transceiver, K submit_sm, unbind;
                                    counts every response by sequence number
  idle      --n N --hold S          N sockets that never send anything, held S seconds; then one
                                    legitimate bind, retried until it is answered
  noread    --submits K             bind, then K submit_sm written without ever reading
  receipts  --ids I --submits K     I system_ids bound as transmitters (no receiver anywhere),
                                    K submit_sm each with registered_delivery 1

PDU layouts follow SMPP 3.4 section 4 (header: command_length, command_id, command_status,
sequence_number; bind 4.1.1; submit_sm 4.4.1).
"""

import argparse
import asyncio
import json
import resource
import struct
import time

RESP = 0x80000000
BIND_TRANSMITTER = 0x00000002
BIND_TRANSCEIVER = 0x00000009
SUBMIT_SM = 0x00000004
UNBIND = 0x00000006
ENQUIRE_LINK = 0x00000015


def pdu(cid, seq, body=b"", status=0):
    return struct.pack(">IIII", 16 + len(body), cid, status, seq) + body


def cstr(s):
    return s.encode() + b"\0"


def bind(cid, seq, sid):
    return pdu(cid, seq, cstr(sid) + cstr("pw") + cstr("") + bytes([0x34, 0, 0]) + cstr(""))


def submit(seq, rd=0):
    text = b"hello"
    body = (cstr("") + bytes([0, 0]) + cstr("1000") + bytes([1, 1]) + cstr("15551234567")
            + bytes([0, 0, 0]) + cstr("") + cstr("") + bytes([rd, 0, 0, 0, len(text)]) + text)
    return pdu(SUBMIT_SM, seq, body)


async def read_pdu(reader):
    head = await reader.readexactly(16)
    length, cid, status, seq = struct.unpack(">IIII", head)
    if length > 16:
        await reader.readexactly(length - 16)
    return cid, status, seq


async def answered_session(port, sid, submits, rd, bind_id, out):
    """Bind, submit, unbind; tally responses to our requests by sequence number."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    want = {1: BIND_TRANSCEIVER if bind_id == BIND_TRANSCEIVER else bind_id}
    data = bind(bind_id, 1, sid)
    for i in range(submits):
        data += submit(2 + i, rd)
        want[2 + i] = SUBMIT_SM
    useq = 2 + submits
    data += pdu(UNBIND, useq)
    want[useq] = UNBIND
    writer.write(data)
    await writer.drain()
    seen = {}
    try:
        while True:
            cid, _status, seq = await asyncio.wait_for(read_pdu(reader), 60)
            if cid & RESP:
                if want.get(seq) == cid & ~RESP:
                    seen[seq] = seen.get(seq, 0) + 1
                if cid == UNBIND | RESP:
                    break
            elif cid == ENQUIRE_LINK or cid == 0x00000005:
                writer.write(pdu(cid | RESP, seq, b"\0" if cid == 5 else b""))
    except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError):
        pass
    writer.close()
    out["requests"] += len(want)
    out["answered"] += len(seen)
    out["duplicates"] += sum(n - 1 for n in seen.values())
    out["missing"] += len(want) - len(seen)


async def sessions(a):
    out = {"sessions": a.n, "requests": 0, "answered": 0, "duplicates": 0, "missing": 0}
    await asyncio.gather(*(answered_session(a.port, "s%d" % i, a.submits, 0, BIND_TRANSCEIVER, out)
                           for i in range(a.n)))
    return out


async def receipts(a):
    out = {"ids": a.ids, "requests": 0, "answered": 0, "duplicates": 0, "missing": 0}
    await asyncio.gather(*(answered_session(a.port, "id%d" % i, a.submits, 1, BIND_TRANSMITTER, out)
                           for i in range(a.ids)))
    return out


async def idle(a):
    socks = []
    refused = 0
    for _ in range(a.n):
        try:
            socks.append(await asyncio.open_connection("127.0.0.1", a.port))
        except OSError:
            refused += 1
    await asyncio.sleep(a.hold)
    t0 = time.monotonic()
    bound_after = None
    while time.monotonic() - t0 < 30:
        try:
            r, w = await asyncio.open_connection("127.0.0.1", a.port)
            w.write(bind(BIND_TRANSCEIVER, 1, "legit"))
            await w.drain()
            cid, status, _ = await asyncio.wait_for(read_pdu(r), 5)
            w.close()
            if cid == BIND_TRANSCEIVER | RESP and status == 0:
                bound_after = time.monotonic() - t0
                break
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError):
            pass
        await asyncio.sleep(0.2)
    for _, w in socks:
        w.close()
    return {"opened": len(socks), "refused": refused, "legit_bound_after_s": bound_after}


async def noread(a):
    reader, writer = await asyncio.open_connection("127.0.0.1", a.port)
    writer.write(bind(BIND_TRANSCEIVER, 1, "noread"))
    written = 0
    try:
        for i in range(a.submits):
            writer.write(submit(2 + i))
            written += 1
            if written % 1000 == 0:
                await asyncio.wait_for(writer.drain(), a.hold)
    except (asyncio.TimeoutError, ConnectionError):
        pass
    await asyncio.sleep(a.hold)
    writer.close()
    return {"written": written}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["sessions", "idle", "noread", "receipts"])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--ids", type=int, default=100)
    ap.add_argument("--submits", type=int, default=10)
    ap.add_argument("--hold", type=float, default=2.0)
    a = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    out = asyncio.run({"sessions": sessions, "idle": idle, "noread": noread,
                       "receipts": receipts}[a.mode](a))
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
