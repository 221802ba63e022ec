#!/usr/bin/env bash
# Proxy benchmark (issue 9; figures, not pass/fail): `smppdiag send --count N --window 100`
# against `smppdiag serve --quiet --no-dlr`, directly and through `smppdiag proxy --quiet`,
# run alternately (direct, proxy, direct, proxy ...) so both see the same machine load.
#
# Reported per run: throughput (summary `throughput`, messages/s) and the submit latency p50 and
# p99 (summary `latency_ms`); then
#  - added p50 latency per request = p50(proxy) - p50(direct), medians over the runs,
#    with window 100 and (a clean per-request figure) with window 1;
#  - throughput through the proxy as a share of the direct one;
#  - proxy CPU per PDU: the proxy's user+system time (/proc/PID/stat) during the proxied runs
#    divided by the PDUs it forwarded (every submit and its response, bind, unbind).
#
# Usage: benches/proxy.sh [COUNT] [RUNS]      (default 100000 3)
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-100000}
RUNS=${2:-3}
W1_COUNT=${W1_COUNT:-5000}
cargo build --release --quiet
BIN=target/release/smppdiag
T=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill -INT "$p" 2>/dev/null || true; done
    sleep 0.5
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$T"
}
trap cleanup EXIT

# start NAME ARGS...: run in the background, wait for its `listening` line, set PORT and PID.
start() {
    local name=$1
    shift
    "$@" > "$T/$name.out" 2>"$T/$name.err" &
    PID=$!
    PIDS+=("$PID")
    for _ in $(seq 1 200); do
        if [ -s "$T/$name.out" ]; then break; fi
        sleep 0.05
    done
    PORT=$(head -n 1 "$T/$name.out" | sed -E 's/.*:([0-9]+).*/\1/')
}

start serve "$BIN" --color never serve --listen 127.0.0.1:0 --accept-any --no-dlr --quiet
SERVE_PORT=$PORT
start proxy "$BIN" --color never proxy --listen 127.0.0.1:0 --upstream "127.0.0.1:$SERVE_PORT" --quiet
PROXY_PORT=$PORT
PROXY_PID=$PID
TICKS=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run PORT COUNT WINDOW: one send; prints "throughput p50 p99".
run() {
    "$BIN" --color never send --port "$1" --system-id bench --password pw --to 15551234567 \
        --text "benchmark message" --count "$2" --window "$3" --quiet --json 2>/dev/null |
        tail -n 1 |
        python3 -c 'import json,sys; s=json.loads(sys.stdin.read()); l=s["latency_ms"]; print("%.0f %s %s" % (s["throughput"], l["p50"], l["p99"]))'
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "send --count $COUNT --window 100, $RUNS runs each, alternating (serve port $SERVE_PORT, proxy port $PROXY_PORT)"
: > "$T/direct"
: > "$T/proxied"
proxy_ticks=0
for i in $(seq 1 "$RUNS"); do
    d=$(run "$SERVE_PORT" "$COUNT" 100)
    echo "$d" >> "$T/direct"
    before=$(cpu_ticks "$PROXY_PID")
    p=$(run "$PROXY_PORT" "$COUNT" 100)
    after=$(cpu_ticks "$PROXY_PID")
    proxy_ticks=$((proxy_ticks + after - before))
    echo "$p" >> "$T/proxied"
    read -r dt_ d50_ d99_ <<< "$d"
    read -r pt_ p50_ p99_ <<< "$p"
    echo "  run $i: direct $dt_ msg/s, p50 $d50_ ms, p99 $d99_ ms | proxy $pt_ msg/s, p50 $p50_ ms, p99 $p99_ ms"
done
dt=$(cut -d' ' -f1 "$T/direct" | median)
pt=$(cut -d' ' -f1 "$T/proxied" | median)
d50=$(cut -d' ' -f2 "$T/direct" | median)
p50=$(cut -d' ' -f2 "$T/proxied" | median)
pdus=$(( (COUNT * 2 + 4) * RUNS ))
python3 - "$dt" "$pt" "$d50" "$p50" "$proxy_ticks" "$TICKS" "$pdus" <<'EOF'
import sys
dt, pt, d50, p50 = map(float, sys.argv[1:5])
ticks, hz, pdus = int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
print(f"window 100: throughput direct {dt:.0f} msg/s, through the proxy {pt:.0f} msg/s = {100 * pt / dt:.0f} % (goal >= 70 %)")
print(f"window 100: p50 direct {d50:.3f} ms, proxy {p50:.3f} ms: added {1000 * (p50 - d50):.0f} µs per request")
print(f"proxy CPU: {ticks / hz:.2f} s for {pdus} PDUs = {1e9 * ticks / hz / pdus:.0f} ns per PDU")
EOF

echo "send --count $W1_COUNT --window 1 (one request at a time), $RUNS runs each, alternating"
: > "$T/d1"
: > "$T/p1"
for i in $(seq 1 "$RUNS"); do
    run "$SERVE_PORT" "$W1_COUNT" 1 >> "$T/d1"
    run "$PROXY_PORT" "$W1_COUNT" 1 >> "$T/p1"
done
d1=$(cut -d' ' -f2 "$T/d1" | median)
p1=$(cut -d' ' -f2 "$T/p1" | median)
python3 -c "import sys; d, p = float(sys.argv[1]), float(sys.argv[2]); print(f'window 1: p50 direct {d:.3f} ms, proxy {p:.3f} ms: added {1000 * (p - d):.0f} µs per request (goal <= 100 µs)')" "$d1" "$p1"
