"""The labelled classification corpus (data/classification/*.jsonl), read and checked.

Each line is one text written for the purpose, with the labels a coordinator would record:
``id``, ``register`` (colloquial | formal | company), ``traits`` (typos, dialect,
names_other_agency, no_agency_named), the four text fields, ``respondent`` (the business system
of the agency the applicant named, or null when unknown), ``applicant_count``, and the labels
``business_system``, ``act_type`` and ``priority``. ``train.jsonl`` is for building the model and
tuning the lexicon; ``held_out.jsonl`` is never used for either (see docs/classification.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.domain.classification.lexicon import TEXT_FIELDS
from app.states.codes import ActType, Priority

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "classification"
SPLITS = ("train", "held_out")
REGISTERS = frozenset({"colloquial", "formal", "company"})
TRAITS = frozenset({"typos", "dialect", "names_other_agency", "no_agency_named"})


@dataclass(frozen=True)
class Text:
    id: str
    fields: dict[str, str]
    respondent: str | None
    applicant_count: int
    business_system: str
    act_type: str
    priority: str
    register: str
    traits: frozenset[str]


def load(split: str, data_dir: Path = DATA_DIR) -> list[Text]:
    """The texts of one split, checked: unknown codes or a malformed line raise ValueError."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {SPLITS}")
    path = data_dir / f"{split}.jsonl"
    seed = json.loads(
        (Path(__file__).resolve().parents[2] / "app/db/seed_data/business_systems.json").read_text(
            encoding="utf-8"
        )
    )
    systems = {entry["code"] for entry in seed}
    texts: list[Text] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row: dict[str, Any] = json.loads(line)
        where = f"{path.name}:{number} ({row.get('id')})"
        if row["business_system"] not in systems or (
            row["respondent"] is not None and row["respondent"] not in systems
        ):
            raise ValueError(f"{where}: unknown business system")
        if row["act_type"] not in ActType.codes() or row["priority"] not in Priority.codes():
            raise ValueError(f"{where}: unknown act type or priority")
        if row["register"] not in REGISTERS or not set(row["traits"]) <= TRAITS:
            raise ValueError(f"{where}: unknown register or trait")
        texts.append(
            Text(
                id=row["id"],
                fields={name: row.get(name) or "" for name in TEXT_FIELDS},
                respondent=row["respondent"],
                applicant_count=row["applicant_count"],
                business_system=row["business_system"],
                act_type=row["act_type"],
                priority=row["priority"],
                register=row["register"],
                traits=frozenset(row["traits"]),
            )
        )
    ids = [t.id for t in texts]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path.name}: duplicate ids")
    return texts
