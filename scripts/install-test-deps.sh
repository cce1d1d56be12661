#!/usr/bin/env bash
# Installs the Debian packages the test suites need, only when they are missing.
# The suites start their own instances (on free ports, in temp dirs); apt starts no service.
set -euo pipefail

need=()
command -v mosquitto_pub >/dev/null 2>&1 || need+=(mosquitto-clients)
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v influxd >/dev/null 2>&1 || [ -x /usr/bin/influxd ] || need+=(influxdb)
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || need+=(redis-server)
# fonts so that Chinese text renders in screenshots instead of boxes
[ -d /usr/share/fonts/opentype/noto ] || [ -d /usr/share/fonts/truetype/wqy ] || need+=(fonts-noto-cjk)

if [ ${#need[@]} -eq 0 ]; then
  echo "[install-test-deps] all present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "[install-test-deps] installing: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
# no package may start its service (redis-server, mosquitto would otherwise take their default ports)
if [ ! -e /usr/sbin/policy-rc.d ]; then
  $SUDO sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "[install-test-deps] done"
