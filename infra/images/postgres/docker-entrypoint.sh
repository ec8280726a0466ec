#!/bin/bash
# Mirrors the official image: initdb, create the user and database on a temporary server,
# then run the server in the foreground (so "ready to accept connections" is logged twice).
set -euo pipefail
user=${POSTGRES_USER:-postgres}
password=${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}
db=${POSTGRES_DB:-$user}
as_postgres() { runuser -u postgres -- "$@"; }
if [ "${1:-postgres}" = postgres ]; then shift || true; fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=$(mktemp) && printf '%s' "$password" >"$pwfile" && chown postgres "$pwfile"
  as_postgres initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" -A scram-sha-256 --auth-local=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  as_postgres pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start
  if [ "$db" != postgres ]; then
    as_postgres psql -q -v ON_ERROR_STOP=1 -U "$user" -d postgres -c "CREATE DATABASE \"$db\""
  fi
  as_postgres pg_ctl -D "$PGDATA" -m fast -w stop
fi
exec runuser -u postgres -- postgres -D "$PGDATA" "$@"
