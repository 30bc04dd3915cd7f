#!/usr/bin/env bash
# setup-system.sh — installs the Debian packages the real-VS-Code tests need:
#   chromium     the browser Playwright drives (test:host, test:ui)
#   libkrb5-dev  headers for code-server's kerberos addon, built by scripts/test-host/install.mjs
#   python3-torch, python3-onnx  PyTorch (with torchrun) and the ONNX checker, run by the export tests under /usr/bin/python3
# Idempotent: when every package is already installed it returns at once without touching apt.
# Runs as root without stdin (CI); otherwise it needs sudo.
set -euo pipefail

PACKAGES=(chromium libkrb5-dev python3-torch python3-onnx)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg -s "$pkg" 2>/dev/null | grep -q '^Status: install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup-system: all present (${PACKAGES[*]})"
  exit 0
fi

# Another apt/dpkg may be running (e.g. a background install); wait for its lock rather than fail.
wait_for_apt() {
  local waited=0
  while fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock >/dev/null 2>&1; do
    if [ "$waited" -eq 0 ]; then echo "setup-system: waiting for another apt/dpkg to finish..."; fi
    sleep 2
    waited=$((waited + 2))
    if [ "$waited" -ge 900 ]; then echo "setup-system: apt lock still held after 15 min" >&2; exit 1; fi
  done
}

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); else
    echo "setup-system: missing ${missing[*]}; run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

echo "setup-system: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if command -v fuser >/dev/null 2>&1; then wait_for_apt; fi
"${SUDO[@]}" apt-get update </dev/null
"${SUDO[@]}" apt-get install -y "${missing[@]}" </dev/null
echo "setup-system: done"
