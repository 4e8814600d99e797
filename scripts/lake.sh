#!/usr/bin/env bash
# A local DuckLake to try the store on: a PostgreSQL catalog server on 127.0.0.1 and a data
# folder, in one command, and stopping it in one command.
#
#   scripts/lake.sh start [DIR]   # PostgreSQL on 127.0.0.1, database `lake`, DIR/data/; prints the exports
#   scripts/lake.sh env [DIR]     # the two export lines again (the server must be running)
#   scripts/lake.sh stop [DIR]    # stop the server (the cluster and the data folder stay)
#   scripts/lake.sh status [DIR]
#
# DIR (default ./.lake, git-ignored) holds the cluster (DIR/pg, with its log DIR/pg/log), the
# port in use (DIR/port) and the lake's Parquet files (DIR/data/). `start` then prints
#
#   export CLAIMS_STORE="ducklake:postgres:dbname=lake host=127.0.0.1 port=P user=postgres"
#   export CLAIMS_LAKE_DATA_PATH=DIR/data/
#
# so that `eval "$(scripts/lake.sh env)"` points `claims` at the lake.
#
# The port: $LAKE_PORT if set; else the one this cluster used before; else 5433 when free,
# otherwise a free one. The server listens on 127.0.0.1 only (TCP, no Unix socket) and trusts
# local connections (authentication `trust`): it is for trying the lake on one machine, not
# a catalog to share; for workers on several machines, use a PostgreSQL server they all reach.
#
# On a shared server, give claims a catalog role of its own that owns the lake's database and
# reads nothing else (no superuser: pg_authid and other schemas stay closed to it), e.g.
#   CREATE ROLE claims_lake LOGIN PASSWORD '...'; CREATE DATABASE lake OWNER claims_lake;
# and its password in PGPASSWORD or ~/.pgpass, or in the store string: claims hands it to
# DuckDB as a secret, so no path or setting shows it. `claims query` reads the lake's tables
# and views only: a statement that names the catalog database (__ducklake_metadata_lake) or
# calls duckdb_databases(), duckdb_settings() or current_setting() is refused.
#
# PostgreSQL itself comes from Debian's `postgresql` package (`make postgres` installs it);
# the binaries are looked up in $PG_BIN, else the newest /usr/lib/postgresql/*/bin. PostgreSQL
# refuses to run as root: as root, the cluster folder is owned by the `postgres` user and the
# server runs as that user (runuser), so DIR must be reachable by it (not under a private
# home folder); as any other user the server runs as that user.
set -euo pipefail

case "${1:-}" in
    start|stop|env|status) ;;
    *) echo "usage: $0 start|stop|env|status [DIR]" >&2; exit 2 ;;
esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${2:-$ROOT/.lake}  # a relative DIR is relative to the caller's folder
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
PGDATA=$DIR/pg
DATA=$DIR/data
PORT_FILE=$DIR/port
DATABASE=lake
USER_NAME=postgres

die() { echo "Error: $*" >&2; exit 1; }

pg_bin() {
    if [[ -n ${PG_BIN:-} ]]; then
        [[ -x $PG_BIN/initdb ]] || die "PG_BIN=$PG_BIN has no initdb"
        echo "$PG_BIN"; return
    fi
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    [[ -n $found && -x $found/initdb ]] \
        || die "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run \`make postgres\` (apt-get install postgresql)"
    echo "$found"
}

as_pg() {  # as_pg COMMAND...: as the postgres user when root, else as ourselves
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

port_free() {
    python3 - "$1" <<'PY' 2>/dev/null
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

running() { [[ -f $PGDATA/postmaster.pid ]] && as_pg "$BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

print_env() {
    local port
    port=$(cat "$PORT_FILE")
    echo "export CLAIMS_STORE=\"ducklake:postgres:dbname=$DATABASE host=127.0.0.1 port=$port user=$USER_NAME\""
    echo "export CLAIMS_LAKE_DATA_PATH=$DATA/"
}

start() {
    mkdir -p "$DATA"
    if [[ ! -f $PGDATA/PG_VERSION ]]; then
        rm -rf "$PGDATA"
        mkdir -p "$PGDATA"
        if [[ $(id -u) -eq 0 ]]; then
            chown postgres: "$PGDATA"
            chmod 700 "$PGDATA"
            runuser -u postgres -- test -w "$PGDATA" \
                || die "the postgres user cannot reach $PGDATA (a parent folder is private): use a DIR it can traverse, e.g. under /tmp or /srv"
        fi
        as_pg "$BIN/initdb" -D "$PGDATA" -A trust -U "$USER_NAME" -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1 \
            || { cat "$DIR/initdb.log" >&2; die "initdb failed (log above, also in $DIR/initdb.log)"; }
    fi
    if running; then
        echo "PostgreSQL already running (port $(cat "$PORT_FILE"), cluster $PGDATA)" >&2
    else
        local port
        if [[ -n ${LAKE_PORT:-} ]]; then
            port=$LAKE_PORT
            port_free "$port" || die "port $port (LAKE_PORT) is in use on 127.0.0.1"
        elif [[ -f $PORT_FILE ]] && port_free "$(cat "$PORT_FILE")"; then
            port=$(cat "$PORT_FILE")
        elif port_free 5433; then
            port=5433
        else
            port=$(free_port)
        fi
        echo "$port" >"$PORT_FILE"
        # TCP on 127.0.0.1 only; no Unix socket (its path length limit would bind DIR)
        if ! as_pg "$BIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/log" -w -t 60 \
                -o "-p $port -h 127.0.0.1 -c unix_socket_directories=''" start >/dev/null; then
            tail -n 20 "$PGDATA/log" >&2 || true
            die "PostgreSQL did not start on 127.0.0.1:$port (log above, in $PGDATA/log)"
        fi
        echo "started PostgreSQL on 127.0.0.1:$port (cluster $PGDATA, log $PGDATA/log)" >&2
    fi
    local port
    port=$(cat "$PORT_FILE")
    if ! "$BIN/psql" -h 127.0.0.1 -p "$port" -U "$USER_NAME" -d postgres -Atqc \
            "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'" | grep -q 1; then
        "$BIN/createdb" -h 127.0.0.1 -p "$port" -U "$USER_NAME" "$DATABASE"
        echo "created database $DATABASE; the lake's files go to $DATA/" >&2
    fi
    print_env
}

stop() {
    if running; then
        as_pg "$BIN/pg_ctl" -D "$PGDATA" -m fast -w -t 60 stop >/dev/null
        echo "stopped PostgreSQL (cluster $PGDATA)" >&2
    else
        echo "PostgreSQL not running (cluster $PGDATA)" >&2
    fi
}

env_lines() {
    running || die "no PostgreSQL running for $DIR: run \`scripts/lake.sh start${2:+ $2}\` first"
    print_env
}

status() {
    if running; then
        echo "PostgreSQL: running on 127.0.0.1:$(cat "$PORT_FILE") (cluster $PGDATA)"
    else
        echo "PostgreSQL: stopped (cluster $PGDATA)"
        return 1
    fi
}

case "${1:-}" in
    start) BIN=$(pg_bin); start ;;
    stop) BIN=$(pg_bin); stop ;;
    env) BIN=$(pg_bin); env_lines "$@" ;;
    status) BIN=$(pg_bin); status ;;
    *) echo "usage: $0 start|stop|env|status [DIR]" >&2; exit 2 ;;
esac
