#!/usr/bin/env bash
# What `make run` does once the virtualenv is ready: prepare the database, load the demo data, then run the web
# server, a Celery worker and Celery beat together until Ctrl-C, which stops all three. The worker and beat run under
# scripts/supervise.sh, which starts them again if they die (a crash, a kill); if the web server stops, all stop.
#
# Environment: everything config/settings reads (see README.md), plus
#   REDRESS_PORT   port for the development server (default 8000; it always listens on 127.0.0.1); also the port of
#                  the links in messages unless REDRESS_PUBLIC_BASE_URL is set
#   VENV           virtualenv to use (default .venv)
set -euo pipefail

cd "$(dirname "$0")/.."
BIN="${VENV:-.venv}/bin"
PORT="${REDRESS_PORT:-8000}"
BASE_URL="http://127.0.0.1:${PORT}"
# Links in messages (status page, survey, the weekly report's email) point at this server unless told otherwise:
# the demo's month of messages is written while seeding, so without this they would all say port 8000.
export REDRESS_PUBLIC_BASE_URL="${REDRESS_PUBLIC_BASE_URL:-$BASE_URL}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.local}"
export PYTHONUNBUFFERED=1

say() { printf '\n==> %s\n' "$*"; }

# --- 1. Database and broker -----------------------------------------------------------------------------------------
say "Settings: ${DJANGO_SETTINGS_MODULE}"
# Prints where the data and the queue live; creates the PostgreSQL database named in DATABASE_URL if it is missing.
backends="$("$BIN/python" - <<'PY'
import sys

import django

django.setup()

from django.conf import settings
from django.db import connection
from django.db.utils import OperationalError
from kombu.utils.url import maybe_sanitize_url

db = settings.DATABASES["default"]
if connection.vendor == "postgresql":
    try:
        connection.ensure_connection()
    except OperationalError as error:
        if "does not exist" not in str(error):
            raise
        with connection._nodb_cursor() as cursor:
            cursor.execute('CREATE DATABASE "%s"' % db["NAME"].replace('"', '""'))
        print(f"Created the PostgreSQL database {db['NAME']}.", file=sys.stderr)
    where = f"PostgreSQL, database {db['NAME']} on {db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
else:
    where = f"{connection.vendor}, {db['NAME']}"
print(f"Database: {where}")
broker = settings.CELERY_BROKER_URL
if broker.startswith("filesystem"):
    print(f"Broker:   kombu filesystem transport, messages in {settings.BROKER_DIR / 'queue'}")
else:
    print(f"Broker:   {maybe_sanitize_url(broker)}")
PY
)"
printf '%s\n' "$backends"

say "Applying migrations (manage.py migrate)"
"$BIN/python" manage.py migrate --noinput

say "Loading the demo data (manage.py seed_demo; the first time it lives a month through, under a minute)"
# The address the server below listens on, whatever else (a REDRESS_PORT in .env) the settings read.
seed_output="$("$BIN/python" manage.py seed_demo --host 127.0.0.1 --port "$PORT")"
printf '%s\n' "$seed_output"

# --- 2. Web, worker and beat ----------------------------------------------------------------------------------------
# Each of the three runs in its own process group, so that stopping it stops everything it started (runserver's
# reloader child, the worker's pool processes), and Ctrl-C reaches this script, which then stops all three.
# The wrapper also restores SIGINT, which bash makes background commands ignore.
own_group='import os, signal, sys
os.setpgid(0, 0)
signal.signal(signal.SIGINT, signal.SIG_DFL)
signal.signal(signal.SIGQUIT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])'
names=()
pids=()
stopping=0

start() {
    local name=$1
    shift
    # Each line of output is prefixed with the process's name. The prefixer ignores INT/TERM so that the last lines
    # of a clean shutdown are still printed; it ends when the process closes its output.
    (
        exec > >(trap '' INT TERM; while IFS= read -r line; do printf '[%s] %s\n' "$name" "$line"; done) 2>&1
        exec "$BIN/python" -c "$own_group" "$@" </dev/null
    ) &
    names+=("$name")
    pids+=("$!")
}

signal_group() { kill "-$1" -- "-$2" 2>/dev/null || kill "-$1" "$2" 2>/dev/null || true; }

stop_all() {
    [ "$stopping" = 1 ] && return
    stopping=1
    [ "${#pids[@]}" -eq 0 ] && return
    say "Stopping web, worker and beat"
    local pid any
    # INT, as a Ctrl-C in their own terminal would: the worker finishes its running tasks (warm shutdown).
    for pid in "${pids[@]}"; do signal_group INT "$pid"; done
    for _ in $(seq 1 60); do  # up to 30 s
        any=0
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && any=1; done
        [ "$any" = 0 ] && break
        sleep 0.5
    done
    # Whatever is left in their groups (e.g. runserver's child, a stuck pool process) goes now.
    for pid in "${pids[@]}"; do signal_group KILL "$pid"; done
    wait 2>/dev/null || true
    echo "Stopped."
}

trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM HUP
trap 'stop_all' EXIT

check_running() {
    local i
    for i in "${!pids[@]}"; do
        if ! kill -0 "${pids[$i]}" 2>/dev/null; then
            say "${names[$i]} stopped; see its output above. Stopping the others."
            exit 1
        fi
    done
}

say "Starting web (runserver ${BASE_URL}), Celery worker (concurrency 2) and Celery beat"
start web "$BIN/python" manage.py runserver "127.0.0.1:${PORT}"
start worker scripts/supervise.sh worker "$BIN/celery" -A config.celery_app worker -l info --concurrency 2
start beat scripts/supervise.sh beat "$BIN/celery" -A config.celery_app beat -l info

# Wait until the site answers, then say where to log in (after the start-up noise, so that it is seen).
healthy=0
for _ in $(seq 1 60); do
    check_running
    if "$BIN/python" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" \
        "${BASE_URL}/healthz" 2>/dev/null; then
        healthy=1
        break
    fi
    sleep 1
done

cat <<EOF

================================================================================================
 Redress is running$([ "$healthy" = 1 ] || printf ' (but %s/healthz did not answer 200 yet)' "$BASE_URL")

 Log in:        ${BASE_URL}/admin/
 Health check:  ${BASE_URL}/healthz
$(printf '%s\n' "$backends" | sed 's/^/ /')

 Demo users (from manage.py seed_demo):
$(printf '%s\n' "$seed_output" | sed 's/^/   /')

 Press Ctrl-C to stop web, worker and beat.
================================================================================================

EOF

# Run until Ctrl-C, or until one of the three ends by itself (then stop the others too).
while :; do
    check_running
    sleep 1
done
