#!/usr/bin/env bash
# supervise.sh NAME COMMAND [ARG...]: run COMMAND, and start it again whenever it ends by itself (a crash, a kill, an
# exit), after a pause that doubles from 1 s up to 30 s while it keeps failing quickly and is back to 1 s once it has
# run for a minute. INT, TERM or HUP stop it: the signal reaches COMMAND too when it is sent to the process group, as
# scripts/run_local.sh does; supervise.sh then waits for COMMAND to end and exits with its status, without a restart.
#
# `make run` runs the Celery worker and beat under it (scripts/run_local.sh); docker-compose.yml uses Docker's restart
# policy instead.
#
# Environment: SUPERVISE_MAX_DELAY (seconds, default 30), SUPERVISE_STABLE_AFTER (seconds, default 60).
set -uo pipefail

if [ "$#" -lt 2 ]; then
    echo "usage: $0 NAME COMMAND [ARG...]" >&2
    exit 2
fi
name=$1
shift
max_delay=${SUPERVISE_MAX_DELAY:-30}
stable_after=${SUPERVISE_STABLE_AFTER:-60}

stopping=0
# While COMMAND runs in the foreground, bash runs these traps once it has ended, so it is never restarted after them.
trap 'stopping=1' INT TERM HUP

say() { printf '[supervise] %s\n' "$*" >&2; }

delay=1
restarts=0
while :; do
    started=$SECONDS
    "$@"
    status=$?
    [ "$stopping" = 1 ] && exit "$status"
    if [ $((SECONDS - started)) -ge "$stable_after" ]; then
        delay=1
    fi
    restarts=$((restarts + 1))
    if [ "$status" -gt 128 ]; then
        how="was killed by signal $((status - 128))"
    else
        how="exited with status $status"
    fi
    say "$name $how; starting it again in ${delay} s (restart ${restarts})"
    # In the background, so that a signal ends the pause at once.
    sleep "$delay" &
    wait "$!" 2>/dev/null
    if [ "$stopping" = 1 ]; then
        kill "$!" 2>/dev/null
        exit "$status"
    fi
    delay=$((delay * 2 > max_delay ? max_delay : delay * 2))
done
