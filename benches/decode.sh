#!/usr/bin/env bash
# Decode benchmarks (issues 2 and 12): smppdiag against tshark (Wireshark's SMPP dissector) on the
# same N PDUs (default 100,000; benches/gen_pdus.py: submit_sm, deliver_sm receipts with TLVs,
# responses, enquire_link, a throttled response), side by side in one run:
#  1. one PDU, whole process (hyperfine, many runs);
#  2. layout "frames": one TCP frame per PDU (text2pcap), `decode --pcap` (text and --json)
#     against `tshark -O smpp` (SMPP layer in detail, the other layers one line each);
#  3. layout "stream": the PDUs back to back in one TCP stream cut into 1,400-octet segments
#     (examples/capture_gen.rs --stream), `decode --pcap` (text and --json) against `tshark -V`;
#  4. the same PDUs pasted one per line, `decode --file` (text and --json), against `tshark -V` on
#     the stream.
# Every timed command writes to a file; each is run R times (default 3) in turn and its fastest
# run counts. The load average is printed before and after: on a shared machine compare the
# ratios, which are measured side by side, not the absolute times. CPU time (user + system) of
# the same runs is printed too, with the same ratios on CPU time: on a busy machine they are the
# steadier figure.
# Usage: benches/decode.sh [N] [R]   Needs: tshark, text2pcap (Debian: tshark), hyperfine,
# /usr/bin/time (Debian: time).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
R=${2:-3}
command -v hyperfine >/dev/null || apt-get install -y hyperfine >/dev/null
command -v /usr/bin/time >/dev/null || apt-get install -y time >/dev/null
cargo build --release --quiet --bin smppdiag --example capture_gen
BIN=target/release/smppdiag
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

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
print("one PDU: smppdiag %.2f ms, tshark -V %.2f ms, ratio %.1fx"
      % (r[0]["mean"]*1e3, r[1]["mean"]*1e3, r[1]["mean"]/r[0]["mean"]))
PY

python3 benches/gen_pdus.py "$N" "$T/many.hex" "$T/many.txt"
text2pcap -q -T 40000,2775 "$T/many.txt" "$T/frames.pcap"
target/release/examples/capture_gen "$T/stream.pcap" --stream "$T/many.hex" 1400
echo "== $N PDUs: frames.pcap $(stat -c %s "$T/frames.pcap") octets, stream.pcap $(stat -c %s "$T/stream.pcap") octets =="

# label, command...: the fastest of R runs (seconds) and its peak RSS (KiB) into $T/label.
declare -a LABELS=()
declare -A CMDS=()
bench() { local label=$1; shift; LABELS+=("$label"); CMDS[$label]="$*"; }
bench frames-text     "$BIN" decode --color never --pcap "$T/frames.pcap"
bench frames-json     "$BIN" decode --json --pcap "$T/frames.pcap"
bench frames-tshark-O tshark -r "$T/frames.pcap" -d tcp.port==2775,smpp -O smpp
bench stream-text     "$BIN" decode --color never --pcap "$T/stream.pcap"
bench stream-json     "$BIN" decode --json --pcap "$T/stream.pcap"
bench stream-tshark-V tshark -r "$T/stream.pcap" -d tcp.port==2775,smpp -V
bench file-text       "$BIN" decode --color never --file "$T/many.hex"
bench file-json       "$BIN" decode --json --file "$T/many.hex"
for ((r = 0; r < R; r++)); do
  for label in "${LABELS[@]}"; do
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e %M %U %S" -o "$T/time" ${CMDS[$label]} >"$T/out" 2>/dev/null || true
    # The last line: /usr/bin/time puts "Command exited with non-zero status N" first.
    read -r secs kb user sys < <(tail -n 1 "$T/time")
    if [[ ! -f "$T/$label" ]] || python3 -c "import sys; sys.exit(not float(sys.argv[1]) < float(sys.argv[2]))" "$secs" "$(cut -d' ' -f1 "$T/$label")"; then
      echo "$secs $kb" >"$T/$label"
    fi
    cpu=$(python3 -c "import sys; print(float(sys.argv[1]) + float(sys.argv[2]))" "$user" "$sys")
    if [[ ! -f "$T/$label.cpu" ]] || python3 -c "import sys; sys.exit(not float(sys.argv[1]) < float(sys.argv[2]))" "$cpu" "$(cat "$T/$label.cpu")"; then
      echo "$cpu" >"$T/$label.cpu"
    fi
  done
done
for label in "${LABELS[@]}"; do
  read -r secs kb <"$T/$label"
  printf '%-16s %7.2f s  %8.0f PDU/s  %7d KiB peak RSS  %6.2f s CPU\n' "$label" "$secs" \
    "$(python3 -c "print($N / max($secs, 1e-3))")" "$kb" "$(cat "$T/$label.cpu")"
done
ratio() { # label, comparator, smppdiag run: wall-time ratio, then CPU-time ratio
  python3 -c "import sys; a=float(open(sys.argv[1]).read().split()[0]); b=float(open(sys.argv[2]).read().split()[0]); c=float(open(sys.argv[1]+'.cpu').read()); d=float(open(sys.argv[2]+'.cpu').read()); print('%-44s %6.1fx wall %6.1fx CPU' % (sys.argv[3], a/max(b,1e-3), c/max(d,1e-3)))" \
    "$T/$2" "$T/$3" "$1"
}
echo "== ratios (comparator time / smppdiag time; targets: tshark ratios >= 5x, json/text >= 1x) =="
ratio "frames: tshark -O smpp / decode --pcap"        frames-tshark-O frames-text
ratio "frames: tshark -O smpp / decode --pcap --json" frames-tshark-O frames-json
ratio "stream: tshark -V / decode --pcap"             stream-tshark-V stream-text
ratio "stream: tshark -V / decode --pcap --json"      stream-tshark-V stream-json
ratio "stream: tshark -V / decode --file"             stream-tshark-V file-text
ratio "stream: tshark -V / decode --file --json"      stream-tshark-V file-json
ratio "frames: text / --json"                         frames-text frames-json
ratio "stream: text / --json"                         stream-text stream-json
ratio "file: text / --json"                           file-text file-json
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
