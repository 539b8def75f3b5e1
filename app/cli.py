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


def migrate(database_url: str | None = None) -> None:
    command.upgrade(alembic_config(database_url or get_settings().database_url), "head")


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


async def _worker(*, once: bool) -> None:
    """Deliver webhooks (and number new events) until SIGTERM or SIGINT; with ``once``, one
    round. Any number of workers and API processes may run together (docs/decisions.md)."""
    import signal

    from app.domain.common.crypto import FieldCipher
    from app.domain.events.delivery import run_forever, webhook_deliverer

    settings = get_settings()
    database = create_database(settings)
    cipher = FieldCipher.from_encoded(
        {key_id: key.get_secret_value() for key_id, key in settings.pii_keys.items()},
        settings.pii_active_key_id,
        settings.pii_hash_key.get_secret_value(),
    )
    deliverer = webhook_deliverer(settings, database, cipher)
    try:
        if once:
            await deliverer.run_once()
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await run_forever(deliverer, interval_s=settings.webhook_interval_s or 1.0, stop=stop)
    finally:
        await database.engine.dispose()


def _parser() -> argparse.ArgumentParser:
    roles = [r.value for r in Role]
    parser = argparse.ArgumentParser(
        prog="adr", description="Administrative Dispute Resolution Service"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply migrations to head on ADR_DATABASE_URL")
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
    worker_p = sub.add_parser("worker", help="deliver webhooks (runs until stopped)")
    worker_p.add_argument("--once", action="store_true", help="one round, then exit")
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
    elif args.command == "worker":
        asyncio.run(_worker(once=args.once))
    elif args.command == "api-key":
        print(asyncio.run(_create_key(args.name, Role(args.role), args.agency_id)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
