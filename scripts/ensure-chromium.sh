#!/usr/bin/env bash
# Install Debian's chromium (headless browser for report PDF export and browser tests) when
# missing. Idempotent; needs root (or sudo) and the Debian package archive. Playwright's own
# browser download is never used: tests launch /usr/bin/chromium.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && [ -x /usr/bin/chromium ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "ensure-chromium: chromium is missing and this user cannot install it (need root)" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
# flock: several engineers/CI steps may call this at once on one machine
(
  flock 9
  if [ ! -x /usr/bin/chromium ]; then
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
  fi
) 9>/tmp/cocontrol-ensure-chromium.lock
/usr/bin/chromium --version
