#!/usr/bin/env bash
# Before `npm test`: the browser tests drive Debian's Chromium (playwright-core never downloads a browser of its own).
# A no-op when it is installed, or when CHROMIUM_PATH points at a Chromium of the user's own.
set -euo pipefail
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$chromium" ]; then exit 0; fi
if [ -n "${CHROMIUM_PATH:-}" ]; then
  echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file (it should point at Chromium)" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "The browser tests need Chromium at /usr/bin/chromium: install it (on Debian: sudo apt-get install chromium)," >&2
  echo "or set CHROMIUM_PATH to a Chromium or Chrome of your own." >&2
  exit 1
fi
echo "Installing Debian's chromium for the browser tests (once)"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
echo "Chromium installed: $("$chromium" --version 2>/dev/null)"
