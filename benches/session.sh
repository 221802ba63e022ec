#!/usr/bin/env bash
# Session benchmarks (figures, not pass/fail): smppdiag send against the node-smpp SMSC
# (tests/peers/smsc.js), side by side with the node-smpp client (tests/peers/client.js).
#
#   benches/session.sh                 # full counts
#   COUNT=20000 BIG=200000 benches/session.sh   # reduced
#   BIG_SMSC=serve benches/session.sh           # RSS run against `smppdiag serve` (faster)
#
# Reports: client CPU per message and throughput for COUNT messages with window 100 (smppdiag
# and node-smpp); --rate accuracy at 100, 1000 and 5000 TPS; peak RSS of smppdiag for BIG
# messages; wall time of a whole bind -> submit -> unbind process.
# --rate accuracy is the summary's send_rate: submissions per second from the first submission
# to the last ((N-1) intervals), which is what the token bucket paces; the wait for the last
# response is the SMSC's and is left out.
# Needs: cargo, node (+ tests/peers/node_modules: scripts/install-test-deps.sh), /usr/bin/time, jq.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COUNT="${COUNT:-100000}"
BIG="${BIG:-1000000}"
RATE_SECS="${RATE_SECS:-10}"
BIG_SMSC="${BIG_SMSC:-node}"
WINDOW="${WINDOW:-100}"
BIN="$ROOT/target/release/smppdiag"
SMSC="$ROOT/tests/peers/smsc.js"
CLIENT="$ROOT/tests/peers/client.js"

(cd "$ROOT" && cargo build --release --quiet)

PORT_FILE="$(mktemp)"
node "$SMSC" --quiet --ignore-stdin --port 0 >"$PORT_FILE" 2>/dev/null &
SMSC_PID=$!
trap 'kill "$SMSC_PID" 2>/dev/null || true; rm -f "$PORT_FILE"' EXIT
for _ in $(seq 100); do
    grep -q listening "$PORT_FILE" 2>/dev/null && break
    sleep 0.1
done
PORT="$(grep listening "$PORT_FILE" | head -n1 | jq -r .port)"
echo "node-smpp SMSC on 127.0.0.1:$PORT (pid $SMSC_PID)"
echo "load: $(uptime)"
SEND=("$BIN" --color never send --port "$PORT" --system-id bench --password secret
      --from 15550001111 --to 15550002222 --text "benchmark message")

# /usr/bin/time -f '%U %S %M %e' -> user s, system s, max RSS KiB, wall s (on stderr, last line)
timed() { /usr/bin/time -f '%U %S %M %e' "$@" 2>&1 >/dev/null | tail -n1; }

echo
echo "== $COUNT messages, window $WINDOW (client CPU per message, throughput)"
read -r U S M E < <(timed "${SEND[@]}" --count "$COUNT" --window "$WINDOW" --quiet)
SUM="$("${SEND[@]}" --count "$COUNT" --window "$WINDOW" --quiet --json | tail -n1)"
TP="$(jq -r .throughput <<<"$SUM")"
awk -v u="$U" -v s="$S" -v m="$M" -v e="$E" -v n="$COUNT" -v tp="$TP" 'BEGIN {
    printf "smppdiag : cpu %.2f s (user %.2f + sys %.2f) = %.2f us/msg, wall %.2f s, %.0f msg/s (summary: %.0f msg/s), max RSS %.1f MiB\n",
        u+s, u, s, (u+s)*1e6/n, e, n/e, tp, m/1024 }'
read -r U2 S2 M2 E2 < <(timed node "$CLIENT" --port "$PORT" --count "$COUNT" --window "$WINDOW")
awk -v u="$U2" -v s="$S2" -v m="$M2" -v e="$E2" -v n="$COUNT" 'BEGIN {
    printf "node-smpp: cpu %.2f s (user %.2f + sys %.2f) = %.2f us/msg, wall %.2f s, %.0f msg/s, max RSS %.1f MiB\n",
        u+s, u, s, (u+s)*1e6/n, e, n/e, m/1024 }'
awk -v a="$U" -v b="$S" -v c="$U2" -v d="$S2" 'BEGIN { if (a+b > 0) printf "CPU ratio node-smpp / smppdiag: %.1fx\n", (c+d)/(a+b) }'

echo
echo "== --rate accuracy (${RATE_SECS}s per rate)"
for R in 100 1000 5000; do
    N=$((R * RATE_SECS + 1))
    J="$("${SEND[@]}" --count "$N" --window "$WINDOW" --rate "$R" --quiet --json | tail -n1)"
    jq -r --argjson r "$R" --argjson n "$N" \
        '"rate \($r): \($n) msgs, first to last submission \(.send_span_s * 1000 | floor) ms -> \(.send_rate * 100 | round / 100)/s, error \(((.send_rate / $r) - 1) * 10000 | round / 100) % (last response after \(.elapsed_s * 1000 | floor) ms)"' <<<"$J"
done

echo
echo "== peak RSS for $BIG messages (SMSC: $BIG_SMSC)"
BIG_SEND=("${SEND[@]}")
if [ "$BIG_SMSC" = serve ]; then
    SERVE_OUT="$(mktemp)"
    "$BIN" serve --listen 127.0.0.1:0 --quiet --no-dlr --accept-any >"$SERVE_OUT" 2>&1 &
    SERVE_PID=$!
    trap 'kill "$SMSC_PID" "$SERVE_PID" 2>/dev/null || true; rm -f "$PORT_FILE" "$SERVE_OUT"' EXIT
    for _ in $(seq 100); do
        grep -q listening "$SERVE_OUT" 2>/dev/null && break
        sleep 0.1
    done
    SPORT="$(grep -o 'listening on [0-9.]*:[0-9]*' "$SERVE_OUT" | head -n1 | sed 's/.*://')"
    BIG_SEND=("$BIN" --color never send --port "$SPORT" --system-id bench --password secret
              --from 15550001111 --to 15550002222 --text "benchmark message")
fi
read -r U S M E < <(timed "${BIG_SEND[@]}" --count "$BIG" --window "$WINDOW" --quiet)
awk -v m="$M" -v e="$E" -v n="$BIG" -v u="$U" -v s="$S" 'BEGIN {
    printf "smppdiag: max RSS %.1f MiB, wall %.1f s, %.0f msg/s, %.2f us CPU/msg\n", m/1024, e, n/e, (u+s)*1e6/n }'
read -r U S M E < <(timed "${SEND[@]}" --count 1000 --window "$WINDOW" --quiet)
awk -v m="$M" 'BEGIN { printf "(for comparison, 1000 messages: max RSS %.1f MiB)\n", m/1024 }'

echo
echo "== bind -> submit -> unbind, whole process wall time (20 runs)"
for _ in $(seq 20); do
    t0=$(date +%s%N)
    "${SEND[@]}" --quiet >/dev/null
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000))
done | sort -n | awk '{ a[NR] = $1 } END {
    printf "min %.1f ms, median %.1f ms, max %.1f ms\n", a[1]/1000, a[int((NR+1)/2)]/1000, a[NR]/1000 }'
