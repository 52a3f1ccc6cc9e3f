"""Small display helpers for notebooks: tables that read well as Markdown in JupyterLab and on
GitHub, and as plain text wherever Markdown does not render (terminals, nbval comparisons)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

__all__ = ["Table", "table"]


def _cell(value) -> str:
    if isinstance(value, (list, tuple)):
        value = ", ".join(map(str, value))
    elif value is None or pd.isna(value):
        value = ""
    elif isinstance(value, float):
        value = f"{value:.4g}"
    return str(value).replace("|", "\\|").replace("\n", " ")


class Table:
    """A table shown as Markdown (no truncated cells, unlike a wide DataFrame)."""

    def __init__(self, frame: pd.DataFrame, headers: Sequence[str]):
        self.frame = frame
        self.headers = list(headers)

    def _rows(self) -> list[list[str]]:
        return [[_cell(v) for v in row] for row in self.frame.itertuples(index=False)]

    def _repr_markdown_(self) -> str:
        lines = ["| " + " | ".join(self.headers) + " |", "|" + "---|" * len(self.headers)]
        lines += ["| " + " | ".join(row) + " |" for row in self._rows()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return "\n".join(" · ".join(row) for row in [self.headers, *self._rows()])


def table(frame: pd.DataFrame, columns: dict[str, str] | Sequence[str] | None = None) -> Table:
    """Show ``frame`` as a Markdown table. ``columns`` picks and renames: ``{"column": "Header"}``
    or a list of column names (shown as they are)."""
    if columns is None:
        columns = list(frame.columns)
    if not isinstance(columns, dict):
        columns = {c: c for c in columns}
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"no column(s) {missing} in the table; it has {list(frame.columns)}")
    return Table(frame[list(columns)], list(columns.values()))
