#!/usr/bin/env bash
# Installs Debian's Chromium and ChromeDriver (/usr/bin/chromium, /usr/bin/chromedriver) for the
# real-browser tests. Idempotent: does nothing when both are already there. Needs root (apt-get);
# exits non-zero without changing anything when it cannot install, so callers can skip instead.
set -euo pipefail

if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
  echo "install-browser: chromium and chromedriver already installed"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: no apt-get here; install Chromium and a matching ChromeDriver yourself" >&2
  exit 2
fi
if [[ "$(id -u)" != "0" ]]; then
  echo "install-browser: not root; run: sudo apt-get install -y --no-install-recommends chromium chromium-driver" >&2
  exit 3
fi
export DEBIAN_FRONTEND=noninteractive
echo "install-browser: apt-get update"
apt-get update
echo "install-browser: apt-get install -y --no-install-recommends chromium chromium-driver"
apt-get install -y --no-install-recommends chromium chromium-driver
/usr/bin/chromium --version
/usr/bin/chromedriver --version
