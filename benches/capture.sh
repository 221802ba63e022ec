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
    /usr/bin/time -f "%e %M %U %S" -o "$T/time" "$@" >/dev/null 2>"$T/err" || true
    # The last line: /usr/bin/time puts "Command exited with non-zero status N" first.
    read -r secs kb user sys < <(tail -n 1 "$T/time")
    cpu=$(python3 -c "import sys; print(float(sys.argv[1]) + float(sys.argv[2]))" "$user" "$sys")
    printf '%-34s %8.2f s  %8d KiB peak RSS  %7.2f s CPU\n' "$label" "$secs" "$kb" "$cpu"
    echo "$secs" >"$T/$label.s"
    echo "$cpu" >"$T/$label.cpu"
}

run summary  "$BIN" decode --pcap "$CAP" --summary --color never
run full     "$BIN" decode --pcap "$CAP" --color never
run json     "$BIN" decode --pcap "$CAP" --json
run tshark   tshark -r "$CAP" -d tcp.port==2775,smpp
run tshark-V tshark -r "$CAP" -d tcp.port==2775,smpp -V

ratio() { python3 -c "import sys; a,b=float(open(sys.argv[1]+'.s').read()),float(open(sys.argv[2]+'.s').read()); c,d=float(open(sys.argv[1]+'.cpu').read()),float(open(sys.argv[2]+'.cpu').read()); print('%-34s %6.1fx wall %6.1fx CPU' % (sys.argv[3], a/max(b,1e-3), c/max(d,1e-3)))" "$T/$1" "$T/$2" "$3"; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== ratios (tshark time / smppdiag time; targets >= 5x; full / --json >= 1x) =="
ratio tshark summary "tshark vs --summary"
ratio tshark full "tshark vs full annotated"
ratio tshark-V full "tshark -V vs full annotated"
ratio tshark-V json "tshark -V vs --json"
ratio full json "full annotated vs --json"
