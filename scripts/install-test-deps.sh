#!/usr/bin/env bash
# Install the third-party peers the integration tests run against:
#   - Debian's tshark (and text2pcap), the reference SMPP decoder, and tcpdump;
#   - node-smpp (npm package `smpp`, pinned in tests/peers/package-lock.json);
#   - smpplib and junitparser (PyPI, pinned in tests/peers/requirements.txt) in tests/peers/.venv.
# Idempotent: a step whose result is already there is skipped, so reruns are quick.
# Needs root (or sudo) for apt-get when tshark or node is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEERS="$ROOT/tests/peers"
export DEBIAN_FRONTEND=noninteractive

say() { printf '[install-test-deps] %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

APT_UPDATED=0
apt_install() {
    if [ "$APT_UPDATED" -eq 0 ]; then
        say "apt-get update"
        $SUDO apt-get update -qq
        APT_UPDATED=1
    fi
    say "apt-get install $*"
    $SUDO apt-get install -y -qq --no-install-recommends "$@" </dev/null
}

# --- tshark / text2pcap -------------------------------------------------------
if command -v tshark >/dev/null 2>&1 && command -v text2pcap >/dev/null 2>&1; then
    say "tshark present: $(tshark --version 2>/dev/null | head -n 1)"
else
    # Answer the "should non-superusers capture packets?" question up front.
    echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
    apt_install tshark
fi

# --- tcpdump (capture tests record real sessions on loopback) ----------------------
if command -v tcpdump >/dev/null 2>&1; then
    say "tcpdump present: $(tcpdump --version 2>&1 | head -n 1)"
else
    apt_install tcpdump
fi

# --- man and groff (the man page test renders every page) ----------------------------
if command -v man >/dev/null 2>&1 && command -v groff >/dev/null 2>&1; then
    say "man present: $(man --version 2>&1 | head -n 1)"
else
    apt_install man-db groff-base
fi

# --- jq (the README's examples pipe decode --json through it) ---------------------------
if command -v jq >/dev/null 2>&1; then
    say "jq present: $(jq --version 2>&1)"
else
    apt_install jq
fi

# --- node and npm ---------------------------------------------------------------
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    say "node present: $(node --version)"
else
    apt_install nodejs npm
fi

# --- node-smpp ------------------------------------------------------------------
# npm ci reinstalls from scratch, so run it only when the installed tree does not
# match the lock file (npm records what it installed in node_modules/.package-lock.json).
if [ -f "$PEERS/node_modules/.package-lock.json" ] \
    && [ "$PEERS/node_modules/.package-lock.json" -nt "$PEERS/package-lock.json" ] \
    && [ -f "$PEERS/node_modules/smpp/package.json" ]; then
    say "node-smpp present: $(node -p "require('$PEERS/node_modules/smpp/package.json').version")"
else
    say "npm ci in tests/peers"
    (cd "$PEERS" && npm ci --no-audit --no-fund --loglevel=error)
fi

# --- smpplib in a virtualenv --------------------------------------------------------
VENV="$PEERS/.venv"
STAMP="$VENV/.requirements.installed"
if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && cmp -s "$STAMP" "$PEERS/requirements.txt"; then
    say "smpplib present: $("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("smpplib"))')"
else
    if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
        apt_install python3 python3-venv
    fi
    say "python3 -m venv tests/peers/.venv; pip install -r tests/peers/requirements.txt"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$PEERS/requirements.txt"
    cp "$PEERS/requirements.txt" "$STAMP"
fi

say "ready"
