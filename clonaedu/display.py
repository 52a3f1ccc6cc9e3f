"""Small display helpers for notebooks: tables that read well as Markdown in JupyterLab and on
GitHub, and as plain text wherever Markdown does not render (terminals, nbval comparisons)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

__all__ = ["Folded", "Table", "folded", "table"]


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


class Folded:
    """Content shown inside a closed ``<details>`` block, so an answer printed by a code cell
    stays folded until the student opens it (JupyterLab, the app view and GitHub)."""

    def __init__(self, content, summary: str):
        if not str(summary).strip():
            raise ValueError("folded: the summary (the line a student clicks to open it) must not be empty")
        self.content = content
        self.summary = str(summary)

    def _inner(self) -> str:
        md = getattr(self.content, "_repr_markdown_", None)
        if md:
            return md()
        bundle = getattr(self.content, "_repr_mimebundle_", None)
        if bundle:  # a course figure: its <img> with alt text, inside the fold
            html_text = bundle().get("text/html")
            if html_text:
                return html_text
        return str(self.content)

    def _repr_markdown_(self) -> str:
        return f"<details><summary>{self.summary}</summary>\n\n{self._inner()}\n\n</details>"

    def __repr__(self) -> str:
        return f"[{self.summary}: folded] " + repr(self.content)


def folded(content, summary: str = "Check your answer") -> Folded:
    """Show ``content`` (a :func:`table`, or text) folded under ``summary``."""
    return Folded(content, summary)
