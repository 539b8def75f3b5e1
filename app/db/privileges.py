"""Least privilege on PostgreSQL (SPEC 4.4, 5): the service's runtime role reads and writes
rows, and nothing else.

Migrations run as the owner of the tables (``ADR_MIGRATION_DATABASE_URL``); after them,
``adr migrate`` grants the runtime role (the user of ``ADR_DATABASE_URL``, when it is another
role) exactly what the service does with rows and sequences. Since the runtime role owns no
table, it can neither create, alter, drop nor truncate one, nor switch its triggers off
(``ALTER TABLE … DISABLE TRIGGER`` needs ownership; ``session_replication_role`` a
superuser). The audit trail is append-only for it: no DELETE, no TRUNCATE, and UPDATE only of
the chain columns that the sealer writes once (the trigger checks the "once").

The grants are idempotent and cover every table and sequence in the schema, so a new table of
a later migration is covered by the next ``adr migrate``; default privileges cover tables the
owner creates by other means in between.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

AUDIT_TABLE = "audit_records"
# The columns the audit sealer writes when it chains a record (app/db/repositories/audit.py).
AUDIT_SEALER_COLUMNS = ("seq", "prev_hash", "hash", "chain_version")
# Read to answer /readyz (migrations at head); never written by the service.
READ_ONLY_TABLES = ("alembic_version",)


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def grant_runtime_privileges(connection: AsyncConnection, runtime_role: str) -> None:
    """Give ``runtime_role`` row privileges on every table and sequence of the current schema,
    as the owner that just migrated it. The caller commits."""
    role = quote_identifier(runtime_role)
    database = await connection.scalar(text("SELECT current_database()"))
    schema = await connection.scalar(text("SELECT current_schema()"))
    schema_q = quote_identifier(str(schema))
    statements = [
        f"GRANT CONNECT ON DATABASE {quote_identifier(str(database))} TO {role}",
        f"REVOKE CREATE ON SCHEMA {schema_q} FROM {role}",
        f"GRANT USAGE ON SCHEMA {schema_q} TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema_q} TO {role}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {schema_q} FROM {role}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema_q} TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema_q} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema_q} "
        f"GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}",
    ]
    for table in READ_ONLY_TABLES:
        statements.append(f"REVOKE INSERT, UPDATE, DELETE ON {quote_identifier(table)} FROM {role}")
    audit = quote_identifier(AUDIT_TABLE)
    statements.append(f"REVOKE UPDATE, DELETE, TRUNCATE ON {audit} FROM {role}")
    columns = await _existing_columns(connection, AUDIT_TABLE, AUDIT_SEALER_COLUMNS)
    if columns:
        statements.append(
            f"GRANT UPDATE ({', '.join(map(quote_identifier, columns))}) ON {audit} TO {role}"
        )
    for statement in statements:
        await connection.execute(text(statement))


async def _existing_columns(
    connection: AsyncConnection, table: str, wanted: tuple[str, ...]
) -> list[str]:
    rows = await connection.execute(
        text(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = :table"
        ),
        {"table": table},
    )
    present = {row[0] for row in rows}
    return [column for column in wanted if column in present]
