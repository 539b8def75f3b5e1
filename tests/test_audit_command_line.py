"""``adr audit verify [--checkpoint FILE]`` and ``adr audit checkpoint --out FILE`` (SPEC
4.4, 5): exit 0 only when the keyed chain, and the checkpoint if given, hold. Someone with
database access alone can edit, delete or truncate; each is found."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from app import cli
from app.db.session import create_engine
from app.settings import get_settings
from tests.support.databases import is_postgres, owner_url
from tests.support.databases import test_settings as settings_for
from tests.support.scratch import scratch_database
from tests.test_command_line import _use_environment


@pytest.fixture
async def trail(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """A committed database whose trail holds five records (keys made by the CLI)."""
    async with scratch_database("auditcli") as url:
        _use_environment(monkeypatch, url)
        get_settings.cache_clear()
        for n in range(5):
            assert await _adr("api-key", "create", "--role", "supervisor", "--name", f"k{n}") == 0
        # Verifying seals what is pending: the five records have their places in the chain.
        assert await _adr("audit", "verify") == 0
        yield url
        get_settings.cache_clear()


async def _adr(*argv: str) -> int:
    return await asyncio.to_thread(cli.main, list(argv))


async def _tamper(url: str, sql: str) -> None:
    """Change the trail behind the service's back, as a database superuser could (the
    append-only trigger switched off for the session on PostgreSQL)."""
    engine = create_engine(settings_for(url), url=owner_url(url))
    try:
        async with engine.begin() as conn:
            if is_postgres():
                await conn.execute(text("SET LOCAL session_replication_role = replica"))
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


async def test_an_intact_trail_verifies_and_its_checkpoint_holds(trail, tmp_path, capsys):
    assert await _adr("audit", "verify") == 0
    assert "audit chain valid: 5 records, last 5" in capsys.readouterr().out
    checkpoint = tmp_path / "checkpoint.json"
    assert await _adr("audit", "checkpoint", "--out", str(checkpoint)) == 0
    written = json.loads(checkpoint.read_text())
    assert written["seq"] == 5
    assert len(written["mac"]) == 64
    assert len(written["signature"]) == 64
    # Writes after the checkpoint extend the chain; the checkpoint still holds.
    assert await _adr("api-key", "create", "--role", "supervisor", "--name", "later") == 0
    capsys.readouterr()
    assert await _adr("audit", "verify", "--checkpoint", str(checkpoint)) == 0
    assert "checkpoint at record 5 holds" in capsys.readouterr().out


async def test_a_tampered_record_fails(trail, capsys):
    await _tamper(trail, "UPDATE audit_records SET actor_sub = 'someone-else' WHERE seq = 3")
    assert await _adr("audit", "verify") == 1
    assert "BROKEN at record 3" in capsys.readouterr().err


async def test_a_deleted_middle_record_fails(trail, capsys):
    await _tamper(trail, "DELETE FROM audit_records WHERE seq = 2")
    assert await _adr("audit", "verify") == 1
    assert "record 2 is missing" in capsys.readouterr().err


async def test_a_truncated_tail_fails_against_a_checkpoint(trail, tmp_path, capsys):
    checkpoint = tmp_path / "checkpoint.json"
    assert await _adr("audit", "checkpoint", "--out", str(checkpoint)) == 0
    await _tamper(trail, "DELETE FROM audit_records WHERE seq >= 4")
    # The chain alone cannot tell a shortened trail from a short one…
    assert await _adr("audit", "verify") == 0
    capsys.readouterr()
    # …the checkpoint can.
    assert await _adr("audit", "verify", "--checkpoint", str(checkpoint)) == 1
    assert "records were removed from the end" in capsys.readouterr().err


async def test_a_forged_checkpoint_fails(trail, tmp_path, capsys):
    checkpoint = tmp_path / "checkpoint.json"
    assert await _adr("audit", "checkpoint", "--out", str(checkpoint)) == 0
    forged = {**json.loads(checkpoint.read_text()), "seq": 3}
    checkpoint.write_text(json.dumps(forged))
    assert await _adr("audit", "verify", "--checkpoint", str(checkpoint)) == 1
    assert "signature does not match" in capsys.readouterr().err


async def test_a_record_rehashed_without_the_key_fails(trail, capsys):
    # Recomputing the plain SHA-256 of an edited record (all one can do without the key) and
    # relabelling it as a legacy record does not pass: unkeyed records only precede the
    # keyed chain.
    await _tamper(trail, "UPDATE audit_records SET chain_version = 1 WHERE seq = 5")
    assert await _adr("audit", "verify") == 1
    assert "BROKEN at record 5" in capsys.readouterr().err


async def test_an_unreadable_checkpoint_is_refused(trail, tmp_path: Path, capsys):
    missing = tmp_path / "nowhere.json"
    assert await _adr("audit", "verify", "--checkpoint", str(missing)) == 2
    assert "cannot read the checkpoint" in capsys.readouterr().err


async def test_a_broken_trail_is_never_checkpointed(trail, tmp_path, capsys):
    await _tamper(trail, "UPDATE audit_records SET action = 'x' WHERE seq = 1")
    checkpoint = tmp_path / "checkpoint.json"
    assert await _adr("audit", "checkpoint", "--out", str(checkpoint)) == 1
    assert not checkpoint.exists()
    assert "does not verify" in capsys.readouterr().err
