#!/usr/bin/env python3
"""Run SMPP PDUs through Debian's tshark and print the fields it shows.

Input (a file argument or stdin): one PDU per line, either plain hex or a JSON
object with a "hex" key (the output of encode_smpplib.py / encode_node.js).
Blank lines and lines starting with '#' are skipped.

Each PDU becomes one TCP segment to port 2775 in a single capture made by
text2pcap; tshark dissects it as SMPP and its PDML is read back. Output: one JSON
object per input PDU, in input order:

    {"frame": 1, "name": "...", "hex": "...", "smpp_frames": 1,
     "errors": ["what tshark flagged: malformed, bound errors"], "fields": [
        {"name": "smpp.source_addr", "show": "...", "value": "hex",
         "pos": 16, "size": 5, "type": "FT_STRINGZ", ...}, ...]}

`pos` is relative to the first byte of the SMPP PDU (not of the frame). Every
field under the smpp protocol element is listed in document order, nested ones
(TLVs, bit fields of esm_class / registered_delivery, ...) included; a field carries
its tshark type ("type", e.g. FT_UINT8); a bit field also carries "bitmask" (hex) and, when PDML gives it,
"unmaskedvalue". Field elements without a name (text lines) are left out.

Only the standard library is used; tshark and text2pcap must be on PATH
(scripts/install-test-deps.sh installs them).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SMPP_PORT = 2775


def read_pdus(stream):
    """Return a list of (name, bytes) from hex or JSON lines."""
    pdus = []
    for lineno, raw in enumerate(stream, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name = None
        if line.startswith("{"):
            obj = json.loads(line)
            name = obj.get("name")
            line = obj["hex"]
        cleaned = "".join(ch for ch in line if ch not in " \t:")
        try:
            data = bytes.fromhex(cleaned)
        except ValueError as err:
            raise SystemExit("line %d: not hex: %s" % (lineno, err))
        pdus.append((name, data))
    return pdus


def write_text2pcap_input(pdus, path):
    """Write a text2pcap hexdump: one packet per PDU, offsets restart at 0."""
    with open(path, "w", encoding="ascii") as out:
        for _, data in pdus:
            for off in range(0, len(data), 16):
                chunk = data[off:off + 16]
                out.write("%06x %s\n" % (off, " ".join("%02x" % b for b in chunk)))
            out.write("\n")


def require(tool):
    if shutil.which(tool) is None:
        raise SystemExit(
            "%s not found: install the test peers with scripts/install-test-deps.sh" % tool
        )


def run_tshark(pcap):
    """Return the PDML text tshark prints for the capture."""
    cmd = [
        "tshark",
        "-r", pcap,
        "-n",
        # Each segment holds exactly one PDU: keep TCP from stitching segments.
        "-o", "tcp.desegment_tcp_streams:FALSE",
        "-o", "tcp.analyze_sequence_numbers:FALSE",
        "-d", "tcp.port==%d,smpp" % SMPP_PORT,
        "-T", "pdml",
    ]
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if res.returncode != 0:
        raise SystemExit("tshark failed (%d): %s" % (res.returncode, res.stderr.decode(errors="replace")))
    return res.stdout


def pdml_text(raw):
    """Decode tshark's PDML bytes into text the XML parser accepts.

    tshark writes UCS2 text with each UTF-16 surrogate encoded on its own (CESU-8
    style), which is not valid UTF-8. Decode those surrogates, then join pairs into
    the characters they stand for; a lone surrogate becomes U+FFFD.
    """
    text = raw.decode("utf-8", "surrogatepass")
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def field_record(elem, base):
    rec = {
        "name": elem.get("name"),
        "show": elem.get("show"),
        "value": elem.get("value"),
        "pos": int(elem.get("pos", "0")) - base,
        "size": int(elem.get("size", "0")),
    }
    if elem.get("showname") is not None:
        rec["showname"] = elem.get("showname")
    if elem.get("unmaskedvalue") is not None:
        rec["unmaskedvalue"] = elem.get("unmaskedvalue")
    if elem.get("hide") == "yes":
        rec["hidden"] = True
    return rec


def collect_fields(elem, base, out, info):
    for child in elem:
        if child.tag != "field":
            continue
        name = child.get("name")
        if name:
            rec = field_record(child, base)
            ftype, mask = info.get(name, (None, None))
            if ftype:
                rec["type"] = ftype
            if mask:
                rec["bitmask"] = mask
            out.append(rec)
        collect_fields(child, base, out, info)


def load_field_info():
    """Map field name -> (tshark type such as FT_UINT8, bitmask or None)."""
    res = subprocess.run(
        ["tshark", "-G", "fields"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False
    )
    masks = {}
    for line in res.stdout.decode(errors="replace").splitlines():
        cols = line.split("\t")
        # F <descr> <abbrev> <type> <parent> <base> <bitmask> <blurb>
        if len(cols) >= 7 and cols[0] == "F" and cols[2].startswith(("smpp.", "gsm_sms")):
            mask = cols[6].strip()
            masks[cols[2]] = (cols[3], mask if mask not in ("", "0x0", "0") else None)
    return masks


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input", nargs="?", help="file of hex or JSON lines (default: stdin)")
    parser.add_argument("--keep", help="also write the capture to this path")
    args = parser.parse_args()

    require("tshark")
    require("text2pcap")

    if args.input and args.input != "-":
        with open(args.input, encoding="utf-8") as f:
            pdus = read_pdus(f)
    else:
        pdus = read_pdus(sys.stdin)
    if not pdus:
        return

    with tempfile.TemporaryDirectory(prefix="smppdiag-tshark-") as tmp:
        txt = os.path.join(tmp, "pdus.txt")
        pcap = os.path.join(tmp, "pdus.pcap")
        write_text2pcap_input(pdus, txt)
        res = subprocess.run(
            ["text2pcap", "-q", "-T", "40000,%d" % SMPP_PORT, txt, pcap],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False,
        )
        if res.returncode != 0:
            raise SystemExit("text2pcap failed: %s" % res.stderr.decode(errors="replace"))
        if args.keep:
            shutil.copyfile(pcap, args.keep)
        pdml = run_tshark(pcap)

    info = load_field_info()
    root = ET.fromstring(pdml_text(pdml))
    packets = root.findall("packet")
    if len(packets) != len(pdus):
        raise SystemExit("tshark returned %d frames for %d PDUs" % (len(packets), len(pdus)))

    out = sys.stdout
    for n, (packet, (name, data)) in enumerate(zip(packets, pdus), start=1):
        fields = []
        protos = packet.findall("proto")
        smpp_protos = [p for p in protos if p.get("name") == "smpp"]
        base = int(smpp_protos[0].get("pos", "0")) if smpp_protos else 0
        for proto in protos:
            # The SMPP tree, and the GSM user-data tree tshark builds from a
            # short_message with a UDH (its positions lie inside the PDU too).
            if proto.get("name") in ("smpp", "gsm_sms_ud"):
                collect_fields(proto, base, fields, info)
        errors = sorted({
            e.get("showname") or e.get("show") or ""
            for e in packet.iter("field")
            if e.get("name") in ("_ws.malformed", "_ws.expert.message")
        } | {
            p.get("showname") for p in protos if p.get("name") in ("_ws.malformed", "_ws.unreassembled")
        })
        record = {
            "frame": n,
            "name": name,
            "hex": data.hex(),
            "smpp_frames": len(smpp_protos),
            "errors": errors,
            "fields": fields,
        }
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
