#!/usr/bin/env bash
# A project-local PostgreSQL server for tests and development.
#   pg.sh install  apt-get install postgresql when no server binaries are present
#   pg.sh start    initialise var/postgres (once) and start on localhost:${PGPORT:-5433}
#   pg.sh stop     stop it
#   pg.sh status   exit 0 when it accepts connections
#   pg.sh restart  stop (fast shutdown: open transactions are rolled back) and start
# The cluster trusts local connections (development only) and runs as the postgres system user
# when invoked as root, since PostgreSQL refuses to run as root. When the postgres user cannot
# reach var/postgres (a clone under /root or in a 0700 directory), the data directory lives under
# the postgres user's home instead, one per clone (named by a hash of the clone's path).
# PG_NAME=<name> (with PGPORT) runs another, private cluster in var/<name> (make chaos restarts
# one under load without touching the shared one).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
port="${PGPORT:-5433}"
name="${PG_NAME:-postgres}"

# As root, the cluster's files must be where the postgres user can enter every directory above.
place() {
  base="$root/var/$name"
  if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; then
    mkdir -p "$base"
    chown postgres: "$base"
    if ! runuser -u postgres -- test -w "$base" 2>/dev/null; then
      local home
      home="$(getent passwd postgres | cut -d: -f6)"
      base="${home:-/var/lib/postgresql}/bodemregie/$(printf '%s' "$root" | sha256sum | cut -c1-16)"
      [ "$name" = postgres ] || base="$base-$name"
      mkdir -p "$base"
      chown postgres: "$(dirname "$base")" "$base"
    fi
  fi
  data="$base/data"
  logfile="$base/postgres.log"
}

bindir() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

install() {
  if bindir >/dev/null; then return; fi
  echo "installing PostgreSQL from the Debian package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

status() {
  "$(bindir)/pg_isready" -q -h 127.0.0.1 -p "$port"
}

start() {
  install
  local bin; bin="$(bindir)"
  place
  if status; then
    # Only our own server counts as running: a test must never restart someone else's.
    if [ -f "$data/postmaster.pid" ]; then echo "postgres already running on localhost:$port"; return; fi
    echo "localhost:$port is taken by another PostgreSQL (not $data)" >&2
    return 1
  fi
  mkdir -p "$base"
  if [ ! -f "$data/PG_VERSION" ]; then
    as_owner "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  as_owner "$bin/pg_ctl" -D "$data" -l "$logfile" -w -t 60 \
    -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
  echo "postgres running on localhost:$port"
}

stop() {
  local bin; bin="$(bindir)" || return 0
  place
  if [ -f "$data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true
  fi
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  restart) stop; start ;;
  *) echo "usage: $0 install|start|stop|restart|status" >&2; exit 2 ;;
esac
