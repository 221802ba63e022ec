#!/usr/bin/env bash
# Decode benchmarks (issue 2): smppdiag against tshark, Wireshark's SMPP dissector.
#  1. whole-process time of decoding one PDU (hyperfine, many runs);
#  2. annotated decoding of N PDUs (default 100,000): `smppdiag decode --file` (one PDU per line)
#     against `tshark -V` reading the same PDUs as a capture (one TCP frame per PDU, port 2775).
# Usage: benches/decode.sh [N]     Needs: tshark, text2pcap (Debian: tshark), hyperfine (apt).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
command -v hyperfine >/dev/null || apt-get install -y hyperfine >/dev/null
cargo build --release --quiet
BIN=target/release/smppdiag
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

python3 benches/gen_pdus.py 1 "$T/one.hex" "$T/one.txt"
text2pcap -q -T 40000,2775 "$T/one.txt" "$T/one.pcap"
ONE=$(cat "$T/one.hex")
echo "== one PDU, whole process =="
hyperfine -N --warmup 5 --runs 50 --export-json "$T/one.json" \
  "$BIN decode --color never $ONE" \
  "tshark -r $T/one.pcap -d tcp.port==2775,smpp -V" | grep -E "Time|±|faster" || true
python3 - "$T/one.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print("one PDU: smppdiag %.2f ms, tshark %.2f ms, ratio %.1fx" % (r[0]["mean"]*1e3, r[1]["mean"]*1e3, r[1]["mean"]/r[0]["mean"]))
PY

echo "== $N PDUs, annotated =="
python3 benches/gen_pdus.py "$N" "$T/many.hex" "$T/many.txt"
text2pcap -q -T 40000,2775 "$T/many.txt" "$T/many.pcap"
s0=$(date +%s.%N); $BIN decode --color never --file "$T/many.hex" > "$T/out.txt" || true; s1=$(date +%s.%N)
/usr/bin/env time -f "%M" -o "$T/rss" $BIN decode --color never --json --file "$T/many.hex" > /dev/null || true
t0=$(date +%s.%N); tshark -r "$T/many.pcap" -d tcp.port==2775,smpp -V > "$T/tshark.txt"; t1=$(date +%s.%N)
python3 - "$s0" "$s1" "$t0" "$t1" "$N" "$(cat "$T/rss")" <<'PY'
import sys
s0, s1, t0, t1, n, rss = map(float, sys.argv[1:7])
print("%d PDUs: smppdiag %.2f s (%.0f PDU/s), tshark -V %.2f s, ratio %.1fx; smppdiag --json peak RSS %.0f MB"
      % (n, s1 - s0, n / (s1 - s0), t1 - t0, (t1 - t0) / (s1 - s0), rss / 1024))
PY
