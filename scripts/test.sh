#!/usr/bin/env bash
# Run every test of the project: install the third-party peers the integration
# tests need (scripts/install-test-deps.sh), then `cargo test --all-targets`.
# Extra arguments go to cargo test (e.g. scripts/test.sh interop).
# Ends with one line totalling every test binary: "tests: N passed, N failed".
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/install-test-deps.sh
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
cargo test --all-targets "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
passed=$(grep -E '^test result:' "$log" | sed -E 's/.* ([0-9]+) passed.*/\1/' | awk '{s+=$1} END {print s+0}')
failed=$(grep -E '^test result:' "$log" | sed -E 's/.* ([0-9]+) failed.*/\1/' | awk '{s+=$1} END {print s+0}')
echo
echo "tests: ${passed} passed, ${failed} failed"
exit "$rc"
