#!/usr/bin/env bash
# Checks the deploy files as far as this machine allows (app/test/deploy.test.ts runs it):
#   - every systemd unit, instantiated for each part, with `systemd-analyze verify` (where present);
#   - the shell scripts parse (bash -n);
#   - campus.env holds only knobs the system accepts (readKnobs).
# Docker cannot run here: the Dockerfile and compose file are checked by the test itself.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
fail=0

if command -v systemd-analyze >/dev/null 2>&1; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  cp "$HERE"/systemd/* "$tmp"/
  units=("$tmp/campus.target")
  for part in app broker ingest dashboard; do
    ln -s "campus@.service" "$tmp/campus@$part.service"
    units+=("$tmp/campus@$part.service")
  done
  # systemd-analyze exits 0 on some problems: any line it prints is one
  out=$(systemd-analyze verify "${units[@]}" 2>&1 || true)
  if [ -n "$out" ]; then
    echo "systemd units: $out" >&2
    fail=1
  else
    echo "systemd units: ok (${#units[@]} checked with $(systemd-analyze --version | head -1))"
  fi
else
  echo "systemd units: not checked (systemd-analyze is not installed here)"
fi

for script in "$HERE"/*.sh; do
  bash -n "$script" || { echo "$(basename "$script"): does not parse" >&2; fail=1; }
done
echo "shell scripts: parsed"

if (set -a; . "$HERE/campus.env"; set +a; cd "$HERE/.." && node --import tsx -e "import('@campus/runtime').then((r) => r.readKnobs())") >/dev/null; then
  echo "campus.env: ok"
else
  echo "campus.env: rejected by readKnobs" >&2
  fail=1
fi
exit $fail
