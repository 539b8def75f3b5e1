"""The ``adr`` command (SPEC 5): migrate, seed, serve, token, api-key create."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import uuid
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from app.db.privileges import grant_runtime_privileges
from app.db.session import create_database, transaction
from app.domain.auth.actor import SYSTEM_ACTOR
from app.domain.auth.api_keys import create_api_key
from app.domain.auth.tokens import mint_token
from app.domain.common.enums import Role
from app.domain.reference.seed import seed_reference_data
from app.settings import get_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    return config


def migrate(database_url: str | None = None, *, runtime_url: str | None = None) -> None:
    """Migrations to head as the owner, then, on PostgreSQL, row privileges for the runtime
    role (the user of ``runtime_url``) when it is not the owner. Without arguments: the owner
    is ``ADR_MIGRATION_DATABASE_URL`` (default ``ADR_DATABASE_URL``) and the runtime role is
    ``ADR_DATABASE_URL``'s user."""
    if database_url is None:
        settings = get_settings()
        database_url = settings.migration_url
        runtime_url = runtime_url or settings.database_url
    command.upgrade(alembic_config(database_url), "head")
    owner = make_url(database_url)
    runtime_role = make_url(runtime_url).username if runtime_url else None
    if owner.get_backend_name() == "postgresql" and runtime_role not in (None, owner.username):
        asyncio.run(_grant(database_url, str(runtime_role)))


async def _grant(owner_url: str, runtime_role: str) -> None:
    engine = create_async_engine(owner_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await grant_runtime_privileges(connection, runtime_role)
    finally:
        await engine.dispose()


async def _seed() -> None:
    database = create_database(get_settings())
    try:
        async with transaction(database.sessionmaker) as session:
            report = await seed_reference_data(session)
    finally:
        await database.engine.dispose()
    print(
        f"business systems: {report.business_systems_added} added, "
        f"{report.business_systems_updated} updated; agencies: {report.agencies_added} added; "
        f"policy version: {'added' if report.policy_version_added else 'present'}"
    )


async def _create_key(name: str, role: Role, agency_id: uuid.UUID | None) -> str:
    database = create_database(get_settings())
    try:
        async with transaction(database.sessionmaker) as session:
            _key, plaintext = await create_api_key(
                session, actor=SYSTEM_ACTOR, name=name, role=role, agency_id=agency_id
            )
    finally:
        await database.engine.dispose()
    return plaintext


def serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Each worker writes its metrics here so that /metrics reports all of them.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="adr-metrics-")
    uvicorn.run(
        "app.main:app",
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_config=None,
        proxy_headers=True,
    )


def _parser() -> argparse.ArgumentParser:
    roles = [r.value for r in Role]
    parser = argparse.ArgumentParser(
        prog="adr", description="Administrative Dispute Resolution Service"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "migrate",
        help="apply migrations to head as the owner (ADR_MIGRATION_DATABASE_URL, default "
        "ADR_DATABASE_URL) and grant ADR_DATABASE_URL's role row privileges",
    )
    sub.add_parser("seed", help="load reference data (idempotent)")
    serve_p = sub.add_parser("serve", help="run the HTTP server")
    serve_p.add_argument("--host", default="127.0.0.1")
    serve_p.add_argument("--port", type=int, default=8000)
    serve_p.add_argument("--workers", type=int, default=1)
    token_p = sub.add_parser("token", help="print a development JWT")
    token_p.add_argument("--role", required=True, choices=roles)
    token_p.add_argument("--sub", default=None, help="subject (default: dev-<role>)")
    token_p.add_argument("--agency-id", type=uuid.UUID)
    token_p.add_argument("--lawyer-id", type=uuid.UUID)
    token_p.add_argument("--ttl", type=int, default=8 * 3600, help="lifetime in seconds")
    key_p = sub.add_parser("api-key", help="manage API keys")
    key_sub = key_p.add_subparsers(dest="key_command", required=True)
    create_p = key_sub.add_parser("create", help="create a key and print it once")
    create_p.add_argument("--role", required=True, choices=roles)
    create_p.add_argument("--agency-id", type=uuid.UUID)
    create_p.add_argument("--name", required=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "migrate":
        migrate()
    elif args.command == "seed":
        asyncio.run(_seed())
    elif args.command == "serve":
        serve(args.host, args.port, args.workers)
    elif args.command == "token":
        print(
            mint_token(
                get_settings(),
                sub=args.sub or f"dev-{args.role}",
                role=Role(args.role),
                agency_id=args.agency_id,
                lawyer_id=args.lawyer_id,
                ttl=timedelta(seconds=args.ttl),
            )
        )
    elif args.command == "api-key":
        print(asyncio.run(_create_key(args.name, Role(args.role), args.agency_id)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
