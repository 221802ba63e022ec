#!/usr/bin/env bash
# Hostile-peer benchmarks (issue 10).
#  1. Peak RSS (VmHWM) of `smppdiag serve` in each abuse case, driven by tests/peers/abuse_client.py:
#     2,000 sessions; 5,000 idle sockets under `ulimit -n 1024` (and how long a legitimate bind
#     then takes); a client that never reads (under --latency 50); stdout a pipe nobody reads
#     (--verbose); many system_ids with receipts for transmitter-only binds. The last three at
#     two run lengths (N and 2N): the figure should stay flat. Goal: <= 100 MB each.
#  2. `send --rate 500 --retry` when 10 % of submits fail with ESME_RMSGQFUL: the achieved send
#     rate (goal: within 2 % of 500).
#  3. `send --rate 500 --retry` against `serve --max-tps 300` for about 60 s: accepted messages per
#     second (goal: >= 95 % of 300, no collapse).
# Usage: benches/hostile.sh [SCALE]   (SCALE multiplies the run lengths; default 1)
#        ONLY="rss" or ONLY="rate" to run one part.
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${1:-1}
ONLY=${ONLY:-rss rate}
cargo build --release --quiet
BIN=$PWD/target/release/smppdiag
CLIENT="python3 tests/peers/abuse_client.py"
T=$(mktemp -d)
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$T"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_server OUT ARGS...: serve on a free port, stdout to OUT (a file, or a fifo nobody reads).
start_server() {
    local out=$1; shift
    PORT=$(free_port)
    "$BIN" --color never serve --listen "127.0.0.1:$PORT" "$@" > "$out" 2>"$T/server.err" &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        if python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 0.2).close()" 2>/dev/null; then return; fi
        sleep 0.05
    done
    echo "serve did not start" >&2; exit 1
}

hwm_mb() { awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$SERVER_PID/status"; }

# stop_server: SIGINT, and how long serve took to exit (STOPPED_S; it must not hang on a
# blocked stdout).
stop_server() {
    local t0
    t0=$(date +%s.%N)
    kill -INT "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    STOPPED_S=$(echo "$(date +%s.%N) - $t0" | bc)
    SERVER_PID=""
}

case_rss() {
    local name=$1 out=$2 client=$3; shift 3
    start_server "$out" "$@"
    local res
    res=$($CLIENT $client --port "$PORT")
    local hwm
    hwm=$(hwm_mb)
    stop_server
    printf '%-44s peak RSS %7s MB   exit %5.2f s after SIGINT   %s\n' "$name" "$hwm" "$STOPPED_S" "$res"
}

if [[ " $ONLY " == *" rss "* ]]; then
    echo "== serve peak RSS under abuse (scale $SCALE)"
    case_rss "2000 sessions x 10 submit_sm" "$T/o" "sessions --n 2000 --submits 10" --accept-any --quiet --no-dlr
    # 5,000 idle sockets against a server limited to 1,024 descriptors.
    PORT=$(free_port)
    ( ulimit -n 1024; exec "$BIN" --color never serve --listen "127.0.0.1:$PORT" --accept-any --quiet --bind-timeout 2 > "$T/o" 2>"$T/server.err" ) &
    SERVER_PID=$!
    sleep 0.5
    res=$($CLIENT idle --port "$PORT" --n 5000 --hold 1)
    printf '%-44s peak RSS %7s MB   %s\n' "5000 idle sockets, ulimit -n 1024" "$(hwm_mb)" "$res"
    stop_server
    for mult in 1 2; do
        n=$((500000 * SCALE * mult))
        case_rss "never-reading client, $n submits, --latency 50" "$T/o" "noread --submits $n --hold 3" --accept-any --quiet --no-dlr --latency 50
    done
    for mult in 1 2; do
        n=$((200 * SCALE * mult))
        mkfifo "$T/fifo$mult"
        exec 3<>"$T/fifo$mult"   # held open, never read
        case_rss "stdout blocked (-v), 200 sessions x $n" "$T/fifo$mult" "sessions --n 200 --submits $n" --accept-any --verbose --no-dlr
        exec 3>&-
    done
    for mult in 1 2; do
        n=$((300 * SCALE * mult))
        # --bind-timeout 60: the Python client, busy with 1,000 sessions, may send some binds
        # more than serve's default 10 s after connecting.
        case_rss "1000 system_ids x $n submits with receipts, tx" "$T/o" "receipts --ids 1000 --submits $n" --accept-any --quiet --dlr-delay 0 --bind-timeout 60
    done
fi

if [[ " $ONLY " == *" rate "* ]]; then
    echo "== send rate control"
    start_server "$T/o" --account acme:secret --quiet --no-dlr --fail ESME_RMSGQFUL:every=10
    count=$((15000 * SCALE))
    "$BIN" send --port "$PORT" --system-id acme --password secret --to 15551234567 --text hi \
        --count "$count" --window 20 --rate 500 --retry --retry-delay 0.2 --json --quiet > "$T/s1"
    python3 - "$T/s1" <<'PY'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if '"summary"' in l][-1]
print("send --rate 500, 10 %% ESME_RMSGQFUL: sent %d (retries %d), accepted %d, send rate %.1f/s (%.2f %% of 500), exit %d"
      % (s["sent"], s["retries"], s["accepted"], s["send_rate"], 100 * s["send_rate"] / 500, s["exit_code"]))
PY
    stop_server
    start_server "$T/o" --account acme:secret --quiet --no-dlr --max-tps 300
    count=$((18000 * SCALE))
    "$BIN" send --port "$PORT" --system-id acme --password secret --to 15551234567 --text hi \
        --count "$count" --window 20 --rate 500 --retry --retry-delay 0.2 --json --quiet > "$T/s2"
    python3 - "$T/s2" <<'PY'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if '"summary"' in l][-1]
print("send --rate 500 vs serve --max-tps 300: accepted %d in %.1f s = %.1f/s (%.1f %% of 300), throttled %d, exit %d"
      % (s["accepted"], s["elapsed_s"], s["throughput"], 100 * s["throughput"] / 300,
         s["rejected"].get("ESME_RTHROTTLED", 0), s["exit_code"]))
PY
    stop_server
fi
