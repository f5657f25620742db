#!/usr/bin/env bash
# Installs what the test suite needs beyond npm packages: Debian's prometheus (prometheus, promtool),
# prometheus-alertmanager (amtool) and postgresql (initdb, pg_ctl under /usr/lib/postgresql/*/bin,
# not on PATH). Runs before `npm test`; does nothing when they are present.
set -euo pipefail

packages=()
if ! command -v promtool >/dev/null 2>&1 || ! command -v prometheus >/dev/null 2>&1; then packages+=(prometheus); fi
if ! command -v amtool >/dev/null 2>&1; then packages+=(prometheus-alertmanager); fi
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || ! compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null; then
  packages+=(postgresql)
fi
if [ "${#packages[@]}" -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "missing: ${packages[*]} and apt-get is not available: install Prometheus 2.x and Alertmanager (promtool, prometheus, amtool on PATH) and PostgreSQL (initdb, pg_ctl under /usr/lib/postgresql/<major>/bin)" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "installing Debian packages ${packages[*]} (needed by the tests)" >&2
$SUDO apt-get update -qq
# policy-rc.d 101 keeps the packages from starting their own daemons (port 9090, the postgresql
# cluster on 5432): the tests start their own on free loopback ports.
echo 'exit 101' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
$SUDO chmod +x /usr/sbin/policy-rc.d
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
$SUDO rm -f /usr/sbin/policy-rc.d
promtool --version | head -1 >&2
ls -d /usr/lib/postgresql/*/bin >&2
