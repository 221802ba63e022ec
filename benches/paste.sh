#!/usr/bin/env bash
# Paste/log benchmark (issue 8): `smppdiag decode --summary` and `decode --json` on an
# application log in which one line in 20 holds a PDU (cloudhopper-smpp `write bytes: [..]` /
# `read bytes: [..]` lines among logback prose; benches/gen_log.py). Reports wall time,
# throughput (MB/s of log) and peak RSS (/usr/bin/time -v) for a large log (default 1 GB) and a
# small one (default 100 MB), to show that memory stays flat in the input size. Then the
# memory bounds of awkward inputs: 200 MB of hex on one line, and a `hexdump -C` paste whose `*`
# stands for 15 MB (refused, not allocated), and 320 KB of `(")"` (linear).
# Each line says the load average when it ran: on a shared machine the wall clock measures the
# other processes too, so the CPU time (user + system, both threads: decode reads, cuts lines and
# finds header marks on a second thread) and, with INSTR=1, the instructions per octet counted by
# callgrind on a 20 MB slice (load-independent) are printed as well.
# Usage: [INSTR=1] benches/paste.sh [BIG_BYTES] [SMALL_BYTES]
# Needs: python3, /usr/bin/time (Debian: time); valgrind for INSTR=1.
set -euo pipefail
cd "$(dirname "$0")/.."
BIG=${1:-1000000000}
SMALL=${2:-100000000}
command -v /usr/bin/time >/dev/null || apt-get install -y time >/dev/null
cargo build --release --quiet --bin smppdiag
BIN=target/release/smppdiag
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
python3 benches/gen_log.py "$T/big.log" "$BIG"
python3 benches/gen_log.py "$T/small.log" "$SMALL"
echo "logs: $(stat -c %s "$T/big.log") and $(stat -c %s "$T/small.log") octets; nproc $(nproc); load $(cut -d' ' -f1-3 /proc/loadavg)"

run() { # label, input file, command...
    local label=$1 input=$2; shift 2
    cat "$input" >/dev/null # warm the page cache: measure the finder, not the disk
    /usr/bin/time -v -o "$T/time" "$@" >"$T/out" 2>"$T/err" || true
    local secs kb
    secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$T/time")
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$T/time")
    local user sys
    user=$(awk -F': ' '/User time/ {print $2}' "$T/time")
    sys=$(awk -F': ' '/System time/ {print $2}' "$T/time")
    local mb=$(( $(stat -c %s "$input") / 1000000 ))
    # MB/s of CPU time (user + system) too: on a shared machine the wall clock mostly measures
    # the other processes.
    printf '%-28s %7.2f s wall %6.2f s cpu %6.0f MB/s wall %6.0f MB/s cpu %7d KiB peak RSS (%s lines out; load %s)\n' \
        "$label" "$secs" "$(python3 -c "print($user+$sys)")" "$(python3 -c "print($mb/max($secs,1e-3))")" \
        "$(python3 -c "print($mb/max($user+$sys,1e-3))")" "$kb" "$(wc -l <"$T/out")" "$(cut -d' ' -f1 /proc/loadavg)"
}

echo "== application log, one line in 20 holds a PDU =="
run "summary ${BIG}"   "$T/big.log"   "$BIN" decode --summary --color never --file "$T/big.log"
run "summary ${SMALL}" "$T/small.log" "$BIN" decode --summary --color never --file "$T/small.log"
run "summary stdin ${BIG}" "$T/big.log" sh -c "$BIN decode --summary --color never - < $T/big.log"
run "json ${BIG}"      "$T/big.log"   "$BIN" decode --json --file "$T/big.log"
run "json ${SMALL}"    "$T/small.log" "$BIN" decode --json --file "$T/small.log"

if [ "${INSTR:-0}" = 1 ]; then
    echo "== instructions per octet (callgrind, all threads, 20 MB slice) =="
    head -c 20000000 "$T/big.log" >"$T/slice.log"
    for mode in --summary --json; do
        valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" decode $mode --color never \
            --file "$T/slice.log" >/dev/null 2>"$T/cg" || true
        refs=$(awk '/refs:/ {gsub(",", "", $4); print $4}' "$T/cg")
        printf 'decode %-10s %6.2f instructions/octet\n' "$mode" "$(python3 -c "print($refs/20000000)")"
    done
fi

echo "== awkward inputs (memory must stay flat, time linear) =="
python3 -c "
import sys
pdu = bytes.fromhex('0000001080000015000000000000000'+'1')
sys.stdout.write((pdu.hex() * (200_000_000 // 32)) + '\n')" >"$T/oneline.txt"
run "200 MB hex on one line" "$T/oneline.txt" "$BIN" decode --summary --color never --file "$T/oneline.txt"
printf '00000000  00 00 00 10 80 00 00 15  00 00 00 00 00 00 00 01  |................|\n00000010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n*\n00e4e1c0\n' >"$T/star.txt"
run "hexdump -C * of 15 MB" "$T/star.txt" "$BIN" decode --file "$T/star.txt"
grep -o "repeat line standing for [0-9]* octets" "$T/err" || true
python3 -c "import sys; sys.stdout.write('0000001080000015000000000000000' + '1 ' + '(\")\"' * 80000 + '\n')" >"$T/parens.txt"
run "320 KB of (\")\" annotations" "$T/parens.txt" "$BIN" decode --file "$T/parens.txt"
