#!/usr/bin/env bash
# Run every test of the project: install the third-party peers the integration
# tests need (scripts/install-test-deps.sh), then `cargo test --all-targets`.
# Extra arguments go to cargo test (e.g. scripts/test.sh interop).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/install-test-deps.sh
cargo test --all-targets "$@"
