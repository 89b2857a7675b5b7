#!/usr/bin/env bash
# Serve vcdesk: gunicorn on 127.0.0.1:8000, one background task worker and the scheduler
# that enqueues the SLA sweep.
# All stop together on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST=${VCDESK_HOST:-127.0.0.1}
PORT=${VCDESK_PORT:-8000}

$BIN/python manage.py db_worker &
worker=$!
$BIN/python manage.py run_scheduler --interval "${VCDESK_SCHEDULER_INTERVAL:-30}" &
scheduler=$!
trap 'kill $worker $scheduler 2>/dev/null || true' EXIT INT TERM

cat <<MSG

  vcdesk is running at http://$HOST:$PORT/
  API docs:       http://$HOST:$PORT/api/v1/docs
  Demo logins (password: ${VCDESK_DEMO_PASSWORD:-vcdesk-demo}):
$($BIN/python manage.py seed_demo --logins)

MSG
$BIN/gunicorn vcdesk.wsgi:application --bind "$HOST:$PORT" --workers "${VCDESK_WEB_WORKERS:-2}" \
  --access-logfile - --log-level warning
