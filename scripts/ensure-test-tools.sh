#!/usr/bin/env bash
# Installs what the test suite needs beyond npm packages: Debian's prometheus (prometheus, promtool)
# and prometheus-alertmanager (amtool). Runs before `npm test`; does nothing when they are present.
set -euo pipefail

if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 && command -v amtool >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "promtool/prometheus/amtool are missing and apt-get is not available: install Prometheus 2.x and Alertmanager so that promtool, prometheus and amtool are on PATH" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "installing Debian packages prometheus and prometheus-alertmanager (needed by the tests)" >&2
$SUDO apt-get update -qq
# policy-rc.d 101 keeps the packages from starting their own daemons (they would take port 9090).
echo 'exit 101' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
$SUDO chmod +x /usr/sbin/policy-rc.d
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager >/dev/null
$SUDO rm -f /usr/sbin/policy-rc.d
promtool --version | head -1 >&2
