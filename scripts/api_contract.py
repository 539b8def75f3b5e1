"""The API's published contract: the OpenAPI document committed as clients/openapi.json and
the TypeScript types generated from it (clients/typescript/src/schema.d.ts).

    python -m scripts.api_contract write   # `make client`: regenerate both
    python -m scripts.api_contract check   # `make lint`: fail when either is stale, or on a
                                           # breaking change not acknowledged

A breaking change is one a client built against the committed document would trip over: a
path or operation removed, an operationId changed, a required request field or parameter
added, an enum value removed, a schema or one of its properties removed. Each is named by a
line such as ``removed operation: DELETE /api/v1/webhooks/{webhook_id}``; writing that line
into docs/api-changelog.md acknowledges it (both commands then let it through).
"""

from __future__ import annotations

import argparse
import difflib
import json
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COMMITTED = ROOT / "clients" / "openapi.json"
TYPESCRIPT = ROOT / "clients" / "typescript"
TYPES = TYPESCRIPT / "src" / "schema.d.ts"
CHANGELOG = ROOT / "docs" / "api-changelog.md"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


# The examples in the served document carry dates relative to today (app.api.openapi_guide);
# the committed contract is built as of one fixed day, so that it does not go stale overnight.
CONTRACT_DAY = date(2026, 12, 1)


def current_document() -> dict[str, Any]:
    from app.api import openapi_guide
    from app.main import create_app
    from app.settings import Settings

    with mock.patch.object(openapi_guide, "today_shanghai", return_value=CONTRACT_DAY):
        document: dict[str, Any] = create_app(Settings(env="development")).openapi()
    return document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": operation
        for path, item in document.get("paths", {}).items()
        for method, operation in item.items()
        if method in METHODS
    }


def _body_schema(operation: dict[str, Any]) -> dict[str, Any]:
    content = operation.get("requestBody", {}).get("content", {})
    schema: dict[str, Any] = content.get("application/json", {}).get("schema", {})
    return schema


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        resolved: dict[str, Any] = document["components"]["schemas"].get(ref.rsplit("/", 1)[1], {})
        return resolved
    return schema


def _enums(node: Any, where: str, found: dict[str, set[Any]]) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("enum"), list):
            found[where] = set(map(json.dumps, node["enum"]))
        for key, value in node.items():
            if key not in ("example", "examples", "default"):
                _enums(value, f"{where}/{key}", found)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _enums(value, f"{where}/{i}", found)


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    changes: list[str] = []
    old_ops, new_ops = _operations(old), _operations(new)
    for key, operation in old_ops.items():
        if key not in new_ops:
            changes.append(f"removed operation: {key}")
            continue
        now = new_ops[key]
        if operation.get("operationId") != now.get("operationId"):
            changes.append(f"changed operationId: {key} ({operation.get('operationId')})")
        before = {(p["in"], p["name"]) for p in operation.get("parameters", [])}
        for parameter in now.get("parameters", []):
            if parameter.get("required") and (parameter["in"], parameter["name"]) not in before:
                changes.append(f"added required parameter: {key} {parameter['name']}")
        old_body = _resolve(old, _body_schema(operation))
        new_body = _resolve(new, _body_schema(now))
        if new_body and not old_body and now.get("requestBody", {}).get("required"):
            changes.append(f"added required request body: {key}")
        for name in set(new_body.get("required", [])) - set(old_body.get("required", [])):
            changes.append(f"added required field: {key} {name}")
    old_schemas = old.get("components", {}).get("schemas", {})
    new_schemas = new.get("components", {}).get("schemas", {})
    for name, schema in old_schemas.items():
        if name not in new_schemas:
            changes.append(f"removed schema: {name}")
            continue
        for prop in set(schema.get("properties", {})) - set(
            new_schemas[name].get("properties", {})
        ):
            changes.append(f"removed property: {name}.{prop}")
    old_enums: dict[str, set[Any]] = {}
    new_enums: dict[str, set[Any]] = {}
    _enums(old, "", old_enums)
    _enums(new, "", new_enums)
    for where, values in old_enums.items():
        if where in new_enums:
            for value in sorted(values - new_enums[where]):
                changes.append(f"removed enum value: {where} {value}")
    return sorted(changes)


def unacknowledged(changes: list[str]) -> list[str]:
    text = CHANGELOG.read_text(encoding="utf-8") if CHANGELOG.exists() else ""
    return [change for change in changes if change not in text]


def generate_types(document_path: Path, output: Path) -> None:
    binary = TYPESCRIPT / "node_modules" / ".bin" / "openapi-typescript"
    if not binary.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=TYPESCRIPT, check=True)
    subprocess.run(
        [
            str(binary),
            str(document_path),
            "--default-non-nullable",
            "false",
            "--output",
            str(output),
        ],
        cwd=TYPESCRIPT,
        check=True,
        capture_output=True,
    )


def typecheck() -> None:
    subprocess.run(
        [str(TYPESCRIPT / "node_modules" / ".bin" / "tsc"), "--noEmit"], cwd=TYPESCRIPT, check=True
    )


def refuse_breaking(old: dict[str, Any], new: dict[str, Any]) -> bool:
    missing = unacknowledged(breaking_changes(old, new))
    if missing:
        print(
            "Breaking changes to the API, not acknowledged in docs/api-changelog.md "
            "(add each line there, with what clients must do):",
            file=sys.stderr,
        )
        for line in missing:
            print(f"  {line}", file=sys.stderr)
    return bool(missing)


def write() -> int:
    new = current_document()
    old = json.loads(COMMITTED.read_text(encoding="utf-8")) if COMMITTED.exists() else new
    if refuse_breaking(old, new):
        return 1
    COMMITTED.write_text(render(new), encoding="utf-8")
    generate_types(COMMITTED, TYPES)
    typecheck()
    print(f"wrote {COMMITTED.relative_to(ROOT)} and {TYPES.relative_to(ROOT)}")
    return 0


def check() -> int:
    new = current_document()
    committed_text = COMMITTED.read_text(encoding="utf-8")
    failed = refuse_breaking(json.loads(committed_text), new)
    if render(new) != committed_text:
        diff = difflib.unified_diff(
            committed_text.splitlines(), render(new).splitlines(), "committed", "current", n=1
        )
        print("\n".join(list(diff)[:40]), file=sys.stderr)
        print("clients/openapi.json is stale: run `make client`", file=sys.stderr)
        failed = True
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "schema.d.ts"
        generate_types(COMMITTED, fresh)
        if fresh.read_text(encoding="utf-8") != TYPES.read_text(encoding="utf-8"):
            print("clients/typescript/src/schema.d.ts is stale: run `make client`", file=sys.stderr)
            failed = True
    typecheck()
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=("write", "check"))
    return write() if parser.parse_args().command == "write" else check()


if __name__ == "__main__":
    sys.exit(main())
