#!/usr/bin/env bash
# Local scheduling in one command, and stopping it in one command.
#
#   scripts/scheduler.sh start    # Prefect server on 127.0.0.1, work pool, deployments, worker
#   scripts/scheduler.sh stop     # stop the worker (and its flow runs), then the server
#   scripts/scheduler.sh status
#
# `start` runs `prefect server start` in the background with the project's PREFECT_HOME and
# telemetry off, waits until it answers, creates the process work pool `claims-pool` if it
# is missing, deploys everything in prefect.yaml (no prompts) and starts one process worker.
# Each piece runs in a session of its own; its pid and log are kept in $PREFECT_HOME
# (server.pid, worker.pid, server.log, worker.log), and `stop` ends each whole session.
# The UI: http://127.0.0.1:4200 (port: CLAIMS_PREFECT_PORT).
#
# Environment: PREFECT_HOME (default ./.prefect), CLAIMS_PREFECT_PORT (4200),
# CLAIMS_PREFECT_FILE (prefect.yaml), CLAIMS_VENV (./.venv). CLAIMS_* settings in this
# environment reach every flow run (the worker passes its environment on).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
export PWD=$ROOT
VENV=${CLAIMS_VENV:-$ROOT/.venv}
PREFECT="$VENV/bin/prefect"
PYTHON="$VENV/bin/python"
PORT=${CLAIMS_PREFECT_PORT:-4200}
POOL=claims-pool
PREFECT_FILE=${CLAIMS_PREFECT_FILE:-prefect.yaml}

export PREFECT_HOME=${PREFECT_HOME:-$ROOT/.prefect}
export PREFECT_API_URL="http://127.0.0.1:$PORT/api"
export PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1 PREFECT_CLI_PROMPT=false
export PREFECT_LOGGING_EXTRA_LOGGERS=${PREFECT_LOGGING_EXTRA_LOGGERS:-claims}  # library log lines in the UI
export HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
mkdir -p "$PREFECT_HOME"

alive() {  # alive NAME: the pid file names a live process
    local file="$PREFECT_HOME/$1.pid"
    [[ -f $file ]] && kill -0 "$(cat "$file")" 2>/dev/null
}

healthy() {
    "$PYTHON" - "$PREFECT_API_URL/health" <<'PY' >/dev/null 2>&1
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
    sys.exit(0 if r.status == 200 else 1)
PY
}

launch() {  # launch NAME COMMAND...: in the background in a new session, pid and log kept
    local name=$1; shift
    # A script's background job starts with SIGINT ignored, and Prefect's worker stops by
    # sending itself SIGINT; so restore the default, start a session, then exec the command.
    "$PYTHON" -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setsid()
os.execv(sys.argv[1], sys.argv[1:])' "$@" >"$PREFECT_HOME/$name.log" 2>&1 </dev/null &
    echo $! >"$PREFECT_HOME/$name.pid"
}

wait_gone() {  # wait_gone PID SECONDS
    local i
    for ((i = 0; i < $2 * 4; i++)); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.25; done
    return 1
}

halt() {  # halt NAME: TERM it (Prefect stops cleanly), then KILL whatever is left of its session
    local name=$1 file="$PREFECT_HOME/$1.pid" pid
    [[ -f $file ]] || return 0
    pid=$(cat "$file")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        if ! wait_gone "$pid" 20; then
            echo "$name did not stop within 20 s of TERM; killing it"
            kill -KILL "$pid" 2>/dev/null || true
            wait_gone "$pid" 5 || true
        fi
        echo "stopped $name (pid $pid)"
    fi
    # flow runs still going when a worker stops, or a server's child, end with it
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$file"
}

start() {
    if alive server; then
        echo "server already running (pid $(cat "$PREFECT_HOME/server.pid"))"
    else
        echo "starting Prefect server on 127.0.0.1:$PORT (PREFECT_HOME=$PREFECT_HOME)"
        launch server "$PREFECT" server start --host 127.0.0.1 --port "$PORT"
    fi
    for _ in $(seq 1 240); do
        healthy && break
        if ! alive server; then
            echo "Error: the Prefect server exited; its log ($PREFECT_HOME/server.log) ends:" >&2
            tail -n 20 "$PREFECT_HOME/server.log" >&2
            exit 1
        fi
        sleep 0.5
    done
    healthy || { echo "Error: the Prefect server did not answer within 120 s: see $PREFECT_HOME/server.log" >&2; exit 1; }

    "$PREFECT" work-pool inspect "$POOL" >/dev/null 2>&1 \
        || "$PREFECT" work-pool create "$POOL" --type process >/dev/null
    echo "deploying $PREFECT_FILE"
    "$PREFECT" --no-prompt deploy --all --prefect-file "$PREFECT_FILE" >"$PREFECT_HOME/deploy.log" 2>&1 \
        || { echo "Error: prefect deploy failed; its output:" >&2; cat "$PREFECT_HOME/deploy.log" >&2; exit 1; }

    if alive worker; then
        echo "worker already running (pid $(cat "$PREFECT_HOME/worker.pid"))"
    else
        launch worker "$PREFECT" worker start --pool "$POOL" --name "claims-worker-$(hostname)-$$"
        echo "started worker on pool $POOL (log: $PREFECT_HOME/worker.log)"
    fi
    echo "Prefect UI: http://127.0.0.1:$PORT"
}

stop() {
    halt worker
    halt server
}

status() {
    local code=0
    if alive server; then echo "server: running (pid $(cat "$PREFECT_HOME/server.pid"))"; else echo "server: stopped"; code=1; fi
    if alive worker; then echo "worker: running (pid $(cat "$PREFECT_HOME/worker.pid"))"; else echo "worker: stopped"; code=1; fi
    if healthy; then echo "API: $PREFECT_API_URL answers"; else echo "API: $PREFECT_API_URL does not answer"; code=1; fi
    return $code
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
