#!/usr/bin/env bash
# A streaming replica of the local primary (127.0.0.1:5432) on 127.0.0.1:${REPLICA_PORT:-5433},
# for the replica tests (SPEC 5: statistics read from ADR_DATABASE_REPLICA_URL). Idempotent:
# a replica that runs already is left as it is. Needs root and Debian's postgresql-common.
set -euo pipefail
port="${REPLICA_PORT:-5433}"
version="$(ls /etc/postgresql | sort -V | tail -n1)"
psql_primary() { psql -h 127.0.0.1 -p 5432 -U postgres -Atq "$@"; }

# The primary: a role that may replicate, and pg_hba letting it in from 127.0.0.1 (first, so
# that no broader line with another method matches before it).
psql_primary -c "DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'adr_replicator') THEN
    CREATE ROLE adr_replicator WITH LOGIN REPLICATION;
  END IF; END \$\$;"
hba="$(psql_primary -c 'SHOW hba_file')"
line="host replication adr_replicator 127.0.0.1/32 trust"
if ! grep -qxF "$line" "$hba"; then
  sed -i "1i $line" "$hba"
  psql_primary -c "SELECT pg_reload_conf()" >/dev/null
fi

create_replica() {
  echo "== creating the replica cluster on port $port"
  pg_createcluster "$version" replica -p "$port" >/dev/null
  data="/var/lib/postgresql/$version/replica"
  rm -rf "${data:?}"/*
  # -R: standby.signal and primary_conninfo; -X stream: the WAL of the copy comes along.
  runuser -u postgres -- pg_basebackup -h 127.0.0.1 -p 5432 -U adr_replicator -D "$data" \
    -R -X stream -c fast
}

start_replica() {
  # The replica lets in whom the primary lets in (the tests connect as the primary's users).
  cp "$hba" "/etc/postgresql/$version/replica/pg_hba.conf"
  pg_ctlcluster --skip-systemctl-redirect "$version" replica start 2>/dev/null \
    || pg_ctlcluster --skip-systemctl-redirect "$version" replica reload
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 1; done
  pg_isready -h 127.0.0.1 -p "$port"
}

# Streaming, not merely up: a replica that was stopped while the primary recycled the WAL it
# still needs (there is no replication slot) retries forever and never catches up again.
streaming() {
  for _ in $(seq 1 20); do
    status="$(psql -h 127.0.0.1 -p "$port" -U postgres -Atc \
      'SELECT status FROM pg_stat_wal_receiver' 2>/dev/null || true)"
    [ "$status" = "streaming" ] && return 0
    sleep 0.5
  done
  return 1
}

if ! pg_lsclusters -h | awk '{print $2}' | grep -qx replica; then
  create_replica
fi
start_replica
if ! streaming; then
  echo "== the replica on port $port does not stream (WAL it needs is gone?): creating it anew"
  pg_dropcluster --stop "$version" replica
  create_replica
  start_replica
  streaming || { echo "the replica on port $port does not stream" >&2; exit 1; }
fi
recovery="$(psql -h 127.0.0.1 -p "$port" -U postgres -Atc 'SELECT pg_is_in_recovery()')"
[ "$recovery" = "t" ] || { echo "the cluster on port $port is not a standby" >&2; exit 1; }
echo "replica streaming on 127.0.0.1:$port"
