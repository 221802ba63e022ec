#!/usr/bin/env bash
# Capture benchmark (issue 5): `smppdiag decode --pcap` on an N-PDU capture (default 1,000,000),
# with --summary and fully (annotated dump, and --json), against tshark reading the same file
# (`-d tcp.port==2775,smpp`, default one-line output, and -V for the full dissection).
# Reports wall time, ratios and peak RSS (/usr/bin/time -f %M).
# The capture is written by PcapRecorder (examples/capture_gen.rs): one session, bind, N-4
# submit_sm/submit_sm_resp (every 50th throttled), unbind; one PDU per TCP segment.
# Usage: benches/capture.sh [N]      Needs: tshark, /usr/bin/time (Debian: time).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
command -v /usr/bin/time >/dev/null || apt-get install -y time >/dev/null
cargo build --release --quiet --bin smppdiag --example capture_gen
BIN=target/release/smppdiag
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CAP="$T/bench.pcap"
target/release/examples/capture_gen "$CAP" "$N"
echo "capture: $N PDUs, $(stat -c %s "$CAP") octets, $(capinfos -c -M "$CAP" 2>/dev/null | awk '/Number of packets/ {print $NF}') frames"

run() { # label, command...
    local label=$1; shift
    /usr/bin/time -f "%e %M" -o "$T/time" "$@" >/dev/null 2>"$T/err" || true
    read -r secs kb <"$T/time"
    printf '%-34s %8.2f s  %8d KiB peak RSS\n' "$label" "$secs" "$kb"
    echo "$secs" >"$T/$label.s"
}

run summary  "$BIN" decode --pcap "$CAP" --summary --color never
run full     "$BIN" decode --pcap "$CAP" --color never
run json     "$BIN" decode --pcap "$CAP" --json
run tshark   tshark -r "$CAP" -d tcp.port==2775,smpp
run tshark-V tshark -r "$CAP" -d tcp.port==2775,smpp -V

ratio() { python3 -c "import sys; a,b=float(open(sys.argv[1]).read()),float(open(sys.argv[2]).read()); print('%-34s %6.1fx' % (sys.argv[3], a/max(b,1e-3)))" "$T/$1.s" "$T/$2.s" "$3"; }
echo "== ratios (tshark time / smppdiag time) =="
ratio tshark summary "tshark vs --summary"
ratio tshark full "tshark vs full annotated"
ratio tshark-V full "tshark -V vs full annotated"
ratio tshark-V json "tshark -V vs --json"
