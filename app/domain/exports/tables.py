"""A report as tables: what both the workbook and the CSV are written from, so that an
export shows the very figures of the JSON it was made from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

ColumnKind = Literal["text", "int", "number", "rate"]
Cell = str | int | float | None


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    kind: ColumnKind = "int"
    title: str | None = None  # the header; the key when not given

    @property
    def header(self) -> str:
        return self.title or self.key


@dataclass(frozen=True, slots=True)
class Chart:
    """A native column chart of some columns of a table over its rows (e.g. per month)."""

    title: str
    category: str  # the column whose values name the rows
    series: Sequence[str]  # the columns drawn
    row_count: int | None = None  # the first rows only (e.g. the months, not the total)


@dataclass(frozen=True, slots=True)
class Table:
    name: str  # the sheet's name (at most 31 characters)
    columns: Sequence[Column]
    rows: Sequence[Mapping[str, Cell]]
    charts: Sequence[Chart] = field(default_factory=tuple)

    def cells(self) -> list[list[Cell]]:
        return [[row.get(c.key) for c in self.columns] for row in self.rows]


def flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Cell]:
    """{"a": {"b": 1}} → {"a.b": 1}: nested figures (by channel, by outcome) as columns."""
    flat: dict[str, Cell] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, list):
            continue
        else:
            flat[name] = value if value is None or isinstance(value, int | float) else str(value)
    return flat
