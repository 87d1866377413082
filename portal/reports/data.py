"""What every report returns: tables of rows, totals and the definitions of its figures."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from portal.reports.errors import ReportNotFound
from portal.reports.filters import ReportFilter

Cell = str | int | float | bool | None
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    """One table: column keys and rows of cells in that order."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def records(self) -> list[dict[str, Cell]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Report:
    """A computed report: plain data, the same for the JSON API, the CSV and the pages."""

    name: str
    filter: ReportFilter
    tables: tuple[Table, ...]
    totals: Mapping[str, Cell] = field(default_factory=dict)
    definitions: Mapping[str, str] = field(default_factory=dict)

    def table(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise ReportNotFound(f"{self.name} has no table {name!r}")

    def as_json(self) -> dict[str, Any]:
        return {
            "report": self.name,
            "filters": self.filter.as_json(),
            "totals": dict(self.totals),
            "definitions": dict(self.definitions),
            "tables": {
                t.name: {"columns": list(t.columns), "rows": t.records()} for t in self.tables
            },
        }


def table(name: str, columns: Sequence[str], rows: Sequence[Sequence[Cell]]) -> Table:
    return Table(name, tuple(columns), tuple(tuple(row) for row in rows))


def safe_cell(value: Cell) -> str:
    """The cell as CSV text, a leading formula character defused with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def to_csv(found: Table) -> str:
    """The table as CSV (header row of column keys), safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(c) for c in found.columns])
    for row in found.rows:
        writer.writerow([safe_cell(c) for c in row])
    return out.getvalue()
