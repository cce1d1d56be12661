#!/usr/bin/env bash
# Installs the campus facilities monitor on a Debian server (bookworm, Node 20) as systemd services.
#   sudo deploy/install.sh           all parts in one process: campus@app.service
#   sudo deploy/install.sh --split   broker, ingest, dashboard as three services: campus.target
# Idempotent: run it again after `git pull` to upgrade (README "Deploy": back up first).
set -euo pipefail

PREFIX=/opt/campus
ETC=/etc/campus
DATA=/var/lib/campus
SRC="$(cd "$(dirname "$0")/.." && pwd)"
SPLIT=0
[ "${1:-}" = "--split" ] && SPLIT=1

[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root (sudo)" >&2; exit 1; }
# the minimum is package.json's engines (20.15: node:zlib crc32); Debian bookworm's own nodejs package is 18
need=$(sed -n 's/.*"node": ">=\([0-9.]*\)".*/\1/p' "$SRC/package.json" | head -n1)
command -v node >/dev/null || { echo "install.sh: Node.js $need or later is missing (Debian bookworm's nodejs is 18: install Node.js 20 from NodeSource or nodejs.org)" >&2; exit 1; }
node -e 'const [a,b,c]=process.argv[1].split(".").map(Number),[x,y,z]=process.versions.node.split(".").map(Number);process.exit(x>a||(x===a&&(y>b||(y===b&&z>=c)))?0:1)' "$need" ||
  { echo "install.sh: Node.js $(node -v) found, $need or later needed (Debian bookworm's nodejs is 18: install Node.js 20 from NodeSource or nodejs.org)" >&2; exit 1; }
[ -x /usr/bin/node ] || { echo "install.sh: the units run /usr/bin/node; link it there (ln -s $(command -v node) /usr/bin/node)" >&2; exit 1; }

# a system user that owns the data and nothing else
id campus >/dev/null 2>&1 || useradd --system --home-dir "$DATA" --no-create-home --shell /usr/sbin/nologin campus
install -d -m 0700 -o campus -g campus "$DATA"
install -d -m 0750 -o root -g campus "$ETC"

# the code: a copy owned by root (the service cannot change its own code)
install -d -m 0755 "$PREFIX"
tar -C "$SRC" --exclude=./node_modules --exclude='./*/node_modules' --exclude=./data --exclude=./.git --exclude=./dist --exclude='./*/dist' -cf - . | tar -C "$PREFIX" -xf -
# production packages only (no test tools), then the bundles the units run: dist/<part>/main.js
(cd "$PREFIX" && npm ci --omit=dev --no-audit --no-fund && npm run build)

# knobs and the campus file: kept when present (an upgrade never overwrites them)
[ -e "$ETC/campus.env" ] || install -m 0640 -o root -g campus "$SRC/deploy/campus.env" "$ETC/campus.env"
if [ ! -e "$ETC/campus.yaml" ]; then
  install -m 0640 -o root -g campus "$SRC/site/demo/dongnan.yaml" "$ETC/campus.yaml"
  echo "install.sh: $ETC/campus.yaml is the demo campus: replace it with your school's ledger, then"
  echo "            check it: sudo -u campus env \$(cat $ETC/campus.env | xargs) node $PREFIX/dist/app/cli.js check"
fi

install -m 0644 "$SRC/deploy/systemd/campus@.service" "$SRC/deploy/systemd/campus.target" /etc/systemd/system/
systemctl daemon-reload
if [ "$SPLIT" -eq 1 ]; then
  systemctl disable --now campus@app.service 2>/dev/null || true
  systemctl enable --now campus.target
  systemctl restart campus@broker.service campus@ingest.service campus@dashboard.service
else
  systemctl disable --now campus.target campus@broker.service campus@ingest.service campus@dashboard.service 2>/dev/null || true
  systemctl enable campus@app.service
  systemctl restart campus@app.service
fi
echo "install.sh: done. Logs: journalctl -u 'campus@*' -f. The first staff password: $DATA/secrets/initial-admin-password"
