#!/usr/bin/env bash
# A nightly backup of a systemd install (README "Deploy"): campus.db (SQLite online backup, taken
# while the service runs), the secrets, the photos and the campus file, into DEST (default /var/backups/campus),
# keeping the newest 14. From cron or a systemd timer:
#   0 2 * * *  root  /opt/campus/deploy/backup.sh /var/backups/campus
set -euo pipefail
DEST="${1:-/var/backups/campus}"
KEEP="${KEEP:-14}"
set -a
# shellcheck disable=SC1091
. /etc/campus/campus.env
set +a
install -d -m 0700 "$DEST"
cd /opt/campus
exec node --enable-source-maps dist/app/cli.js backup "$DEST" --keep "$KEEP"
