#!/bin/sh
# Run once by the postgres image when it creates the primary's database
# (compose.yaml): lets a standby connect for streaming replication, with the
# same password authentication as every other connection.
set -e
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
