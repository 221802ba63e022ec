#!/usr/bin/env python3
"""Write N varied, well-formed SMPP PDUs as hex, one per line (for the decode benchmarks).

Usage: gen_pdus.py N OUT.hex [OUT.pcap-text]
The optional third file is the same PDUs in text2pcap's hexdump format, one frame per PDU.
"""
import struct
import sys


def cstr(s):
    return s.encode() + b"\0"


def pdu(cmd, seq, body, status=0):
    return struct.pack(">IIII", 16 + len(body), cmd, status, seq) + body


def submit(seq, text):
    t = text.encode()
    body = (cstr("") + bytes([1, 1]) + cstr("447700900%03d" % (seq % 1000)) + bytes([1, 1])
            + cstr("447700911%03d" % (seq % 997)) + bytes([0, 0, 0]) + cstr("") + cstr("")
            + bytes([1, 0, 0, 0, len(t)]) + t)
    return pdu(4, seq, body)


def receipt(seq):
    t = ("id:%010d sub:001 dlvrd:001 submit date:2611221430 done date:2611221431 "
         "stat:DELIVRD err:000 text:Hello" % seq).encode()
    body = (cstr("") + bytes([1, 1]) + cstr("447700900123") + bytes([5, 0]) + cstr("ACME")
            + bytes([4, 0, 0]) + cstr("") + cstr("") + bytes([0, 0, 0, 0, len(t)]) + t
            + struct.pack(">HH", 0x1E, 11) + b"%010d\0" % seq + struct.pack(">HHB", 0x427, 1, 2))
    return pdu(5, seq, body)


def main():
    n = int(sys.argv[1])
    kinds = [
        lambda s: submit(s, "Hello world, message number %d" % s),
        lambda s: pdu(0x80000004, s, cstr("%08X" % s)),
        receipt,
        lambda s: pdu(0x80000005, s, cstr("")),
        lambda s: pdu(0x15, s, b""),
        lambda s: pdu(0x80000004, s, b"", status=0x58),
    ]
    pdus = [kinds[i % len(kinds)](i + 1) for i in range(n)]
    with open(sys.argv[2], "w") as f:
        for p in pdus:
            f.write(p.hex() + "\n")
    if len(sys.argv) > 3:
        with open(sys.argv[3], "w") as f:
            for p in pdus:
                for off in range(0, len(p), 16):
                    f.write("%06x %s\n" % (off, " ".join("%02x" % b for b in p[off:off + 16])))
                f.write("\n")


if __name__ == "__main__":
    main()
