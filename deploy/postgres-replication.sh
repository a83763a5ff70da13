#!/bin/sh
# docker-entrypoint-initdb.d: let postgres-replica stream from this server, with the same password check.
set -e
echo "host replication plazabanten all scram-sha-256" >> "$PGDATA/pg_hba.conf"
