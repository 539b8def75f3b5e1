"""The ``adr`` command (SPEC 5): migrate, seed, serve, token, api-key create, audit."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from app.db.privileges import grant_runtime_privileges
from app.db.session import create_database, transaction
from app.domain.audit import verification
from app.domain.auth.actor import SYSTEM_ACTOR
from app.domain.auth.api_keys import create_api_key
from app.domain.auth.tokens import mint_token
from app.domain.cases.deadline_refresh import recompute_open_cases
from app.domain.reference.seed import seed_reference_data
from app.errors import DomainError
from app.settings import get_settings
from app.states.codes import Role

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
        f"policy version: {'added' if report.policy_version_added else 'present'}; "
        f"calendar years: {report.calendar_years_added} added"
    )


async def _create_key(
    name: str, role: Role, agency_id: uuid.UUID | None, expires_on: date | None
) -> str:
    database = create_database(get_settings())
    try:
        async with transaction(database.sessionmaker) as session:
            _key, plaintext = await create_api_key(
                session,
                actor=SYSTEM_ACTOR,
                name=name,
                role=role,
                agency_id=agency_id,
                expires_on=expires_on,
            )
    finally:
        await database.engine.dispose()
    return plaintext


async def _audit_verify(checkpoint: dict[str, Any] | None) -> verification.ChainReport:
    settings = get_settings()
    database = create_database(settings)
    try:
        return await verification.verify(
            database.sessionmaker, key=settings.audit_key_bytes, checkpoint=checkpoint
        )
    finally:
        await database.engine.dispose()


async def _audit_checkpoint() -> dict[str, Any]:
    settings = get_settings()
    database = create_database(settings)
    try:
        return await verification.make_checkpoint(
            database.sessionmaker, key=settings.audit_key_bytes
        )
    finally:
        await database.engine.dispose()


def audit_verify(checkpoint_file: Path | None) -> int:
    """Exit status 0 only when the chain, and the checkpoint if given, hold."""
    checkpoint = None
    if checkpoint_file is not None:
        try:
            loaded = json.loads(checkpoint_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"cannot read the checkpoint {checkpoint_file}: {exc}", file=sys.stderr)
            return 2
        checkpoint = loaded if isinstance(loaded, dict) else {}
    report = asyncio.run(_audit_verify(checkpoint))
    if report.valid:
        held = f", checkpoint at record {report.checkpoint_seq} holds" if checkpoint else ""
        print(
            f"audit chain valid: {report.records_checked} records, last {report.last_seq}"
            f" ({report.legacy_records} legacy unkeyed){held}"
        )
        return 0
    print(
        f"audit chain BROKEN at record {report.first_broken_seq}: {report.problem}",
        file=sys.stderr,
    )
    return 1


def audit_checkpoint(out: Path) -> int:
    try:
        checkpoint = asyncio.run(_audit_checkpoint())
    except DomainError as exc:
        print(f"no checkpoint written: {exc.detail}", file=sys.stderr)
        return 1
    out.write_text(json.dumps(checkpoint, indent=2) + "\n", encoding="utf-8")
    print(f"checkpoint of record {checkpoint['seq']} written to {out}")
    return 0


def _refuse(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    if workers > 1 and not get_settings().prometheus_multiproc_dir:
        # Each worker writes its metrics here so that /metrics reports all of them. Exported,
        # not only set: the workers are new processes, and prometheus_client reads the
        # variable itself when they start.
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


async def _recompute_deadlines() -> int:
    database = create_database(get_settings())
    try:
        return await recompute_open_cases(database.sessionmaker)
    finally:
        await database.engine.dispose()


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
    sub.add_parser(
        "migrate",
        help="apply migrations to head as the owner (ADR_MIGRATION_DATABASE_URL, default "
        "ADR_DATABASE_URL) and grant ADR_DATABASE_URL's role row privileges",
    )
    sub.add_parser("seed", help="load reference data (idempotent)")
    sub.add_parser(
        "recompute-deadlines",
        help="recount the stored due dates of every open case (done after each calendar load)",
    )
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
    create_p.add_argument(
        "--expires-on",
        type=date.fromisoformat,
        help="last day (YYYY-MM-DD, Asia/Shanghai) the key works",
    )
    audit_p = sub.add_parser("audit", help="check the audit chain")
    audit_sub = audit_p.add_subparsers(dest="audit_command", required=True)
    verify_p = audit_sub.add_parser("verify", help="exit 0 only when the chain holds")
    verify_p.add_argument("--checkpoint", type=Path, help="a file from `adr audit checkpoint`")
    checkpoint_p = audit_sub.add_parser("checkpoint", help="write a signed checkpoint")
    checkpoint_p.add_argument("--out", type=Path, required=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except ValidationError as exc:
        # Settings that refuse to start (development secrets off their sandbox, SQLite in
        # production…): the message names the settings to set; no traceback.
        problems = "; ".join(
            str(error["msg"]).removeprefix("Value error, ") for error in exc.errors()
        )
        return _refuse(f"refusing to start: {problems}")


def _run(args: argparse.Namespace) -> int:
    if args.command == "migrate":
        migrate()
    elif args.command == "seed":
        asyncio.run(_seed())
    elif args.command == "recompute-deadlines":
        print(f"open cases whose due dates changed: {asyncio.run(_recompute_deadlines())}")
    elif args.command == "serve":
        refused = get_settings().unsafe_for_host(args.host)
        if refused is not None:
            return _refuse(f"refusing to start: {refused}")
        serve(args.host, args.port, args.workers)
    elif args.command == "token":
        if get_settings().env != "development":
            return _refuse("adr token mints development tokens: only with ADR_ENV=development")
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
        try:
            key = asyncio.run(
                _create_key(args.name, Role(args.role), args.agency_id, args.expires_on)
            )
        except DomainError as exc:
            return _refuse(f"no key created: {exc.detail}")
        print(key)
    elif args.command == "audit":
        if args.audit_command == "verify":
            return audit_verify(args.checkpoint)
        return audit_checkpoint(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
