#!/usr/bin/env bash
# Serve benchmarks (issue 4): submit_sm/s answered by `smppdiag serve --quiet --no-dlr` and by the
# node-smpp SMSC (tests/peers/smsc.js --quiet), both driven by the same clients:
#  - node:     tests/peers/client.js (bind_transmitter, COUNT submit_sm with at most 100 in
#              flight, unbind);
#  - smppdiag: `smppdiag send --count N --window 100 --quiet --json` (the same job).
# For each client and server:
#  1. one client session, window 100;
#  2. eight client sessions in parallel (COUNT/8 each), window 100 each.
# Reported: wall-clock submit_sm/s (slowest session decides; also from the start of the first
# client process to the end of the last, bind and process start included) and the server's CPU time per
# submit_sm (from /proc: the client, node, is often the bottleneck on a small machine).
# Usage: benches/serve.sh [COUNT]     (default 100000)   Needs: node, the peers installed.
#        CLIENTS="smppdiag" benches/serve.sh 20000   (CLIENTS: "node smppdiag" by default)
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-100000}
CLIENTS=${CLIENTS:-node smppdiag}
bash scripts/install-test-deps.sh >/dev/null
cargo build --release --quiet
BIN=target/release/smppdiag
T=$(mktemp -d)
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$T"
}
trap cleanup EXIT

# Start a server in the background; its first stdout line gives the port.
start_server() {
    "$@" > "$T/server.out" 2>"$T/server.err" &
    SERVER_PID=$!
    for _ in $(seq 1 200); do
        if [ -s "$T/server.out" ]; then break; fi
        sleep 0.05
    done
    PORT=$(head -n 1 "$T/server.out" | python3 -c '
import json, sys
l = sys.stdin.readline().strip()
try:
    print(json.loads(l)["port"])
except ValueError:
    print(l.rsplit(":", 1)[1])')
}

stop_server() {
    kill -INT "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# One client session of PER submits, window 100, writing one JSON object to stdout:
# {"ok": accepted, "sent": sent, "elapsed_ms": wall time of the run}.
client_node() {
    node tests/peers/client.js --port "$PORT" --count "$1" --window 100
}
client_smppdiag() {
    "$BIN" --color never send --port "$PORT" --system-id bench --password secret \
        --from 15550001111 --to 15550002222 --text "benchmark message" \
        --count "$1" --window 100 --quiet --json | tail -n 1 | python3 -c '
import json, sys
s = json.load(sys.stdin)
print(json.dumps({"ok": s["accepted"], "sent": s["sent"], "elapsed_ms": s["elapsed_s"] * 1000}))'
}

# run_clients NAME SESSIONS CLIENT: COUNT submits spread over SESSIONS parallel client processes.
run_clients() {
    local name=$1 sessions=$2 client=$3 per=$((COUNT / $2)) pids=()
    local c0; c0=$(cpu_ticks "$SERVER_PID")
    local w0; w0=$(date +%s%N)
    for i in $(seq 1 "$sessions"); do
        "client_$client" "$per" > "$T/client.$i.json" &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p"; done
    local c1; c1=$(cpu_ticks "$SERVER_PID")
    local w1; w1=$(date +%s%N)
    python3 - "$name" "$sessions" "$((c1 - c0))" "$(getconf CLK_TCK)" "$((w1 - w0))" "$T"/client.*.json <<'PY'
import json, sys
name, sessions, ticks, hz = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
outer = int(sys.argv[5]) / 1e9
rs = [json.load(open(f)) for f in sys.argv[6:6 + sessions]]
ok = sum(r["ok"] for r in rs); sent = sum(r["sent"] for r in rs)
wall = max(r["elapsed_ms"] for r in rs) / 1000
cpu = ticks / hz
print("%-44s %2d session(s): %7d/%7d ok in %6.2f s = %8.0f submit_sm/s (processes start to end: %6.2f s = %8.0f/s); server CPU %5.2f s = %5.1f us/submit"
      % (name, sessions, ok, sent, wall, ok / wall, outer, ok / outer, cpu, cpu * 1e6 / max(ok, 1)))
PY
    rm -f "$T"/client.*.json
}

echo "== submit_sm/s, $COUNT submits, window 100; load before: $(cut -d' ' -f1-3 /proc/loadavg) =="
start_server "$BIN" --color never serve --listen 127.0.0.1:0 --accept-any --quiet --no-dlr --enquire-link 0
for c in $CLIENTS; do
    run_clients "smppdiag serve --quiet --no-dlr <- $c" 1 "$c"
    run_clients "smppdiag serve --quiet --no-dlr <- $c" 8 "$c"
done
stop_server

start_server node tests/peers/smsc.js --quiet --ignore-stdin
for c in $CLIENTS; do
    run_clients "node-smpp smsc.js --quiet <- $c" 1 "$c"
    run_clients "node-smpp smsc.js --quiet <- $c" 8 "$c"
done
stop_server
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
