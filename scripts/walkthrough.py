"""docs/walkthrough.md, executed and exported (issue 17).

``python -m scripts.walkthrough run [--database-url URL]``
    Migrates and seeds a fresh database (a temporary SQLite file, or a new database on the
    PostgreSQL server of URL, dropped afterwards), starts ``adr serve`` on a free loopback
    port, and runs the ``sh`` blocks of the walkthrough, in order, as one
    ``bash -euo pipefail`` script against it. Fails when any command fails.

``python -m scripts.walkthrough collection [--check]``
    Writes docs/walkthrough.postman_collection.json (Postman v2.1, which Bruno imports too)
    from the same ``sh`` blocks, or with ``--check`` fails when the committed file differs.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.bench.common import connect, recreate_database  # noqa: E402

WALKTHROUGH = ROOT / "docs" / "walkthrough.md"
COLLECTION = ROOT / "docs" / "walkthrough.postman_collection.json"
BIN = Path(sys.executable).parent
Json = dict[str, Any]


# --- the document ---------------------------------------------------------------------------


@dataclass
class Block:
    heading: str
    text: str


def sh_blocks(markdown: str) -> list[Block]:
    """The ```sh blocks of the document, each with the ``##`` heading above it."""
    blocks: list[Block] = []
    heading = ""
    lines = iter(markdown.splitlines())
    for line in lines:
        if line.startswith("## "):
            heading = line[3:].strip()
        elif line.strip() == "```sh":
            body = []
            for inner in lines:
                if inner.strip() == "```":
                    break
                body.append(inner)
            blocks.append(Block(heading, "\n".join(body) + "\n"))
    return blocks


def script(markdown: str) -> str:
    return "".join(block.text for block in sh_blocks(markdown))


# --- running it against a service -----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def fresh_database(server_url: str | None) -> Iterator[str]:
    """A database URL of a new, empty database, removed afterwards."""
    if server_url is None:
        with tempfile.TemporaryDirectory(prefix="adr-walkthrough-") as directory:
            yield f"sqlite+aiosqlite:///{directory}/adr.db"
        return
    name = f"adr_walkthrough_{uuid.uuid4().hex[:10]}"
    asyncio.run(recreate_database(server_url, name))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_drop(server_url, name))


async def _drop(server_url: str, name: str) -> None:
    admin = await connect(server_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def wait_ready(base: str, server: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"adr serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("adr serve did not become ready")


def _throwaway_secrets() -> dict[str, str]:
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    return {
        "ADR_JWT_SECRET": secrets.token_urlsafe(48),
        "ADR_PII_KEYS": json.dumps({"w1": key}),
        "ADR_PII_ACTIVE_KEY_ID": "w1",
        "ADR_PII_HASH_KEY": secrets.token_urlsafe(32),
        "ADR_AUDIT_KEY": secrets.token_urlsafe(48),
    }


def run(server_url: str | None) -> int:
    commands = script(WALKTHROUGH.read_text(encoding="utf-8"))
    with fresh_database(server_url) as database_url:
        env = {
            **os.environ,
            "ADR_ENV": "development",
            "ADR_DATABASE_URL": database_url,
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        if not database_url.startswith("sqlite"):
            # The service refuses its development secrets anywhere but on the embedded
            # SQLite file (SPEC 4.1): a throwaway set for this one run.
            env |= _throwaway_secrets()
        for command in ("migrate", "seed"):
            subprocess.run([BIN / "adr", command], env=env, check=True, capture_output=True)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [BIN / "adr", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_ready(base, server)
            walk = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", commands],
                env={**env, "BASE": base, "ADR": str(BIN / "adr")},
                cwd=ROOT,
                check=False,
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    where = "SQLite" if server_url is None else "PostgreSQL"
    print(f"walkthrough on {where}: {'passed' if walk.returncode == 0 else 'FAILED'}")
    return walk.returncode


# --- the collection -------------------------------------------------------------------------

_VARIABLE = re.compile(r"\$\{?(\w+)\}?")
_ASSIGNMENT = re.compile(r"^(\w+)=(.*)$", re.S)
_JQ_CAPTURE = re.compile(r"^\$\(jq -r '?(\.[\w.\[\]-]+)'? (\w+\.json)\)$")
_CHECK = re.compile(r"""^test "\$\(jq -r '?(\.[\w.\[\]-]+)'? (\w+\.json)\)" = "([^"]*)"$""")
_TOKEN = re.compile(r'^\$\("\$ADR" token (.*)\)$')
# The shell's dates and clock as JavaScript, for the collection's pre-request script.
_DATES = {
    "$(date -u +%F)": "new Date().toISOString().slice(0, 10)",
    "$(date -u +%Y)": "String(new Date().getUTCFullYear())",
    "$(date -u +%s)": "String(Math.floor(Date.now() / 1000))",
}
_DAYS = re.compile(r'^\$\(date -u -d "(\d+) days( ago)?" \+%F\)$')


def _js_date(expression: str) -> str | None:
    if expression in _DATES:
        return _DATES[expression]
    days = _DAYS.match(expression)
    if days is None:
        return None
    sign = "-" if days.group(2) else "+"
    return f"new Date(Date.now() {sign} {days.group(1)} * 86400000).toISOString().slice(0, 10)"


def _postman(text: str) -> str:
    """``$BASE/api/v1/cases/$CASE_ID`` → ``{{BASE}}/api/v1/cases/{{CASE_ID}}``."""
    return _VARIABLE.sub(lambda m: "{{" + m.group(1) + "}}", text)


def logical_commands(text: str) -> Iterator[tuple[str, str | None]]:
    """(command, here-document or None) of a block: continuation lines joined, comments and
    blank lines dropped."""
    lines = iter(text.splitlines())
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        while line.endswith("\\"):
            line = line[:-1] + " " + next(lines).strip()
        heredoc = None
        marker = re.search(r"<<'?(\w+)'?$", line)
        if marker:
            body = []
            for inner in lines:
                if inner == marker.group(1):
                    break
                body.append(inner)
            heredoc = "\n".join(body)
            line = line[: marker.start()].strip()
        yield line, heredoc


@dataclass
class Request:
    name: str
    method: str
    url: str
    headers: list[tuple[str, str]]
    body: str | None
    output: str | None
    tests: list[str] = field(default_factory=list)

    def item(self) -> Json:
        request: Json = {
            "method": self.method,
            "header": [{"key": k, "value": _postman(v)} for k, v in self.headers],
            "url": _postman(self.url),
        }
        if self.body is not None:
            request["body"] = {
                "mode": "raw",
                "raw": _postman(self.body),
                "options": {"raw": {"language": "json"}},
            }
        item: Json = {"name": self.name, "request": request}
        if self.tests:
            item["event"] = [
                {"listen": "test", "script": {"type": "text/javascript", "exec": self.tests}}
            ]
        return item


def parse_curl(words: list[str], heredoc: str | None, name: str) -> Request:
    method, url, output = "GET", "", None
    headers: list[tuple[str, str]] = []
    rest = iter(words[1:])
    for word in rest:
        if word == "-X":
            method = next(rest)
        elif word == "-H":
            key, _, value = next(rest).partition(":")
            headers.append((key.strip(), value.strip()))
        elif word == ">":
            output = next(rest)
        elif word in ("-d", "--data-binary"):
            assert next(rest) == "@-", "bodies are here-documents (-d @- <<JSON)"
        elif not word.startswith("-"):
            url = word
    return Request(name, method, url, headers, heredoc, output)


def collection(markdown: str) -> Json:
    variables: dict[str, Json] = {}
    prerequest: list[str] = []
    by_output: dict[str, Request] = {}
    requests: list[Request] = []
    for block in sh_blocks(markdown):
        count = 0
        for command, heredoc in logical_commands(block.text):
            words = shlex.split(command, posix=True) if not command.startswith(("test ",)) else []
            assignment = _ASSIGNMENT.match(command)
            if command.startswith("curl "):
                count += 1
                name = block.heading if count == 1 else f"{block.heading} ({count})"
                request = parse_curl(words, heredoc, name)
                requests.append(request)
                if request.output:
                    by_output[request.output] = request
            elif command.startswith("test "):
                check = _CHECK.match(command)
                assert check, f"unsupported check: {command}"
                expression, output, value = check.groups()
                target = by_output[output]
                wanted = (
                    json.dumps(value)
                    if not value.startswith("$")
                    else (f'pm.collectionVariables.get("{value.strip("$")}")')
                )
                target.tests.append(
                    f"pm.test({json.dumps(f'{expression} is {value}')}, () => "
                    f"pm.expect(String(pm.response.json(){expression})).to.eql({wanted}));"
                )
            elif assignment:
                variable, value = assignment.groups()
                capture = _JQ_CAPTURE.match(value)
                token = _TOKEN.match(value)
                js = _js_date(value)
                if capture:
                    expression, output = capture.groups()
                    by_output[output].tests.append(
                        f'pm.collectionVariables.set("{variable}", pm.response.json(){expression});'
                    )
                    variables.setdefault(variable, {"key": variable, "value": ""})
                elif token:
                    variables[variable] = {
                        "key": variable,
                        "value": "",
                        "description": "paste the output of: adr token "
                        + _postman(token.group(1)).replace('"', ""),
                    }
                elif js is not None:
                    prerequest.append(f'pm.collectionVariables.set("{variable}", {js});')
                elif variable in ("BASE", "ADR"):
                    default = re.search(r":-([^}]*)\}", value)
                    if variable == "BASE" and default:
                        variables[variable] = {"key": variable, "value": default.group(1)}
                else:
                    variables[variable] = {"key": variable, "value": value}
            elif words and words[0] in ("jq", "cd", "echo"):
                continue
            else:
                raise SystemExit(f"the collection cannot say this walkthrough command: {command}")
    return {
        "info": {
            "name": "Administrative Dispute Resolution Service — walkthrough",
            "description": (
                "Generated from docs/walkthrough.md by `python -m scripts.walkthrough "
                "collection`; do not edit. Fill the token variables with `adr token` output."
            ),
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "event": [
            {"listen": "prerequest", "script": {"type": "text/javascript", "exec": prerequest}}
        ],
        "variable": list(variables.values()),
        "item": [r.item() for r in requests],
    }


def render_collection() -> str:
    document = collection(WALKTHROUGH.read_text(encoding="utf-8"))
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts.walkthrough")
    sub = parser.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser("run", help="run the walkthrough against a fresh service")
    run_p.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite)")
    col_p = sub.add_parser("collection", help="write (or --check) the Postman collection")
    col_p.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "run":
        return run(args.database_url)
    rendered = render_collection()
    if args.check:
        current = COLLECTION.read_text(encoding="utf-8") if COLLECTION.exists() else ""
        if current != rendered:
            print(
                f"{COLLECTION.relative_to(ROOT)} is out of date: run `make walkthrough-collection`"
            )
            return 1
        return 0
    COLLECTION.write_text(rendered, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
