#!/usr/bin/env python3
"""Write an application log of SIZE octets to PATH for benches/paste.sh.

The lines follow a logback pattern (`%d{yyyy-MM-dd HH:mm:ss.SSS} [%thread] %-5level %logger{36}
- %msg`) with the messages an SMPP client application logs: one line in 20 holds a PDU in
cloudhopper-smpp's `write bytes: [..]` / `read bytes: [..]` form (submit_sm, submit_sm_resp with
ESME_ROK or ESME_RTHROTTLED, enquire_link and its response), the others are prose with ids,
numbers and timestamps. A block of lines is built once and written repeatedly (sequence numbers
advance per block) so that generation is fast.
Usage: gen_log.py PATH SIZE
"""
import struct
import sys

path, size = sys.argv[1], int(sys.argv[2])


def pdu(cid, status, seq, body=b""):
    return struct.pack(">IIII", 16 + len(body), cid, status, seq) + body


def submit(seq):
    text = b"Your code is %06d" % (seq % 1000000)
    body = b"\0\x01\x01447700900123\0\x01\x01447700900%03d\0" % (seq % 1000)
    body += bytes([0, 0, 0]) + b"\0\0" + bytes([1, 0, 0, 0, len(text)]) + text
    return pdu(0x04, 0, seq, body)


PROSE = [
    "c.e.sms.gateway.MessageRouter - routing message id=8d1f2c44-5e1b-4a2e-9d3c-%06d to route eu-west-1 (priority 3)",
    "c.e.sms.gateway.RateLimiter - window 10/10 in flight, 423 queued, rate 96.4 msg/s",
    "c.e.sms.http.SendController - POST /v1/messages 202 Accepted in 12 ms (client 10.20.3.%d)",
    "c.c.smpp.impl.DefaultSmppSession - send PDU: (submit_sm: 0x0000003E 0x00000004 0x00000000 0x%08X)",
    "c.e.sms.dlr.ReceiptStore - stored receipt for message 0A1B2C%04X state DELIVRD err 000",
    "c.e.sms.gateway.Billing - account 4711 charged 0.0065 EUR, balance 1234.56 EUR",
    "o.h.e.jdbc.spi.SqlExceptionHelper - SQL Warning Code: 0, SQLState: 00000 (batch %d)",
    "c.e.sms.gateway.MessageRouter - message to +44 7700 900123 split into 2 parts (UDH ref %d)",
    "c.c.smpp.impl.DefaultSmppSession - received PDU: (submit_sm_resp: 0x00000019 0x80000004 0x00000000 0x%08X)",
    "c.e.sms.health.Probe - heartbeat ok, uptime 86400 s, heap 512/1024 MB, threads 42",
    "c.e.sms.gateway.MessageRouter - retry 2/5 for message id 3f2a9c1e in 4000 ms",
    "c.e.sms.config.Reloader - configuration unchanged (sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709)",
    "c.e.sms.gateway.Queue - drained 128 messages in 0.731 s from shard %d",
    "c.e.sms.gateway.MessageRouter - customer ref ORD-2024-%06d accepted",
    "c.e.sms.metrics.Reporter - submits=18234 resps=18230 throttled=12 p99=48.2ms",
    "c.e.sms.gateway.MessageRouter - sender id ACME verified for account 4711",
    "c.e.sms.gateway.Dlr - deliver_sm from SMSC for message 0A1B2C%04X queued",
    "c.e.sms.gateway.Session - session smsc-1 bound as transceiver, window 10",
    "c.e.sms.gateway.Session - enquire_link every 30 s, last answer 12 ms ago",
]
THREADS = ["main", "pool-1-thread-3", "nioEventLoopGroup-2-1", "smpp-session-1", "http-nio-8080-exec-7"]
LEVELS = ["INFO ", "DEBUG", "INFO ", "WARN ", "DEBUG"]


def block(b):
    lines = []
    seq = b * 1000 + 1
    for i in range(2000):
        ms = (i * 7) % 1000
        ts = "2026-11-30 %02d:%02d:%02d.%03d" % (8 + (b // 3600) % 12, (b // 60) % 60, b % 60, ms)
        th = THREADS[i % len(THREADS)]
        if i % 20 == 19:
            k = (i // 20) % 5
            if k == 0:
                p, verb = submit(seq), "write"
            elif k == 1:
                status = 0x58 if (seq // 2) % 25 == 0 else 0
                p, verb = pdu(0x80000004, status, seq, b"" if status else b"%08X\0" % seq), "read"
                seq += 1
            elif k == 2:
                p, verb = pdu(0x15, 0, seq), "write"
            elif k == 3:
                p, verb = pdu(0x80000015, 0, seq), "read"
                seq += 1
            else:
                p, verb = submit(seq), "write"
            msg = "c.c.smpp.channel.SmppSessionLogger - %s bytes: [%s]" % (verb, p.hex())
            lines.append("%s [%s] DEBUG %s" % (ts, th, msg))
        else:
            fmt = PROSE[i % len(PROSE)]
            msg = fmt % (i * 31 + b) if "%" in fmt else fmt
            lines.append("%s [%s] %s %s" % (ts, th, LEVELS[i % len(LEVELS)], msg))
    return ("\n".join(lines) + "\n").encode()


written = 0
b = 0
with open(path, "wb") as f:
    chunk = b"".join(block(b + k) for k in range(8))
    while written < size:
        part = chunk[: size - written]
        f.write(part)
        written += len(part)
        b += 8
        if b % 64 == 0:
            chunk = b"".join(block(b + k) for k in range(8))
    # end on a whole line
    f.write(b"\n")
