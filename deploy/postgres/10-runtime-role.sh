#!/bin/sh
# Runs once, when the PostgreSQL container initialises its data directory (as the owner,
# adr_owner): the API's runtime role. It may log in and nothing else; `adr migrate` grants it
# row privileges on the tables after each migration (app/db/privileges.py).
set -eu
psql -v ON_ERROR_STOP=1 -v app_password="$(cat "$ADR_APP_PASSWORD_FILE")" \
  --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE adr_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'app_password';
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
