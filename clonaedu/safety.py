"""Safety, monitoring and counselling facts for notebook 08, from ``data/safety_facts.csv``.

:func:`facts` returns the rows of one or more topics; :func:`table` shows them to students with
only what a student needs (what the source says, what you do, the kind of action, the source):
the ``status`` and ``verification`` columns are for maintainers and stay in the data file and
the instructor guide.

Topics: boxed_warning, warning, precaution, indication, monitoring, counselling, overdose,
controlled_substance. Actions: monitor, counsel, escalate, know.

Educational material, not medical advice.
"""

from __future__ import annotations

import html

import pandas as pd

from . import data
from .display import Table
from .display import table as _show

__all__ = ["TOPICS", "ACTIONS", "facts", "table", "fact", "FoldedTable"]

TOPICS = ("boxed_warning", "warning", "precaution", "indication", "monitoring", "counselling", "overdose",
          "controlled_substance")
ACTIONS = ("monitor", "counsel", "escalate", "know")
_STUDENT = {"statement": "What the source says", "what_to_do": "What you do", "action": "Action",
            "source_id": "Source"}


def facts(*topics: str, action: str | None = None) -> pd.DataFrame:
    """The rows of ``data/safety_facts.csv`` for the given topics (all when none), in file
    order, optionally only one ``action``. ``ValueError`` names an unknown topic or action."""
    unknown = [t for t in topics if t not in TOPICS]
    if unknown:
        raise ValueError(f"unknown topic(s) {unknown}; choose from {', '.join(TOPICS)}")
    if action is not None and action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; choose from {', '.join(ACTIONS)}")
    frame = data.table("safety_facts")
    if topics:
        frame = frame[frame.topic.isin(topics)]
    if action is not None:
        frame = frame[frame.action == action]
    return frame.reset_index(drop=True)


def fact(fact_id: str) -> pd.Series:
    """One row by its ``fact_id`` (``ValueError`` if unknown)."""
    frame = data.table("safety_facts").set_index("fact_id", drop=False)
    if fact_id not in frame.index:
        raise ValueError(f"unknown fact_id {fact_id!r}")
    return frame.loc[fact_id]


class FoldedTable:
    """A student table folded under a summary line: closed until the student opens it, in
    JupyterLab, the app view and a saved notebook alike (an HTML ``<details>``). Used where an
    open table would answer a question on screen, and to keep a notebook's summary tables from
    repeating its prose at full length. ``table`` is the unfolded :class:`Table`."""

    def __init__(self, table: Table, summary: str):
        if not summary.strip():
            raise ValueError("a folded table needs a summary line to click on")
        self.table = table
        self.summary = summary

    def _repr_html_(self) -> str:
        head = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in self.table.headers)
        cell = "<td style='text-align:left; vertical-align:top'>{}</td>"
        body = "".join("<tr>" + "".join(cell.format(html.escape(c.replace("\\|", "|"))) for c in row) + "</tr>"
                       for row in self.table._rows())
        return (f"<details class='clonaedu-folded-table'><summary>{html.escape(self.summary)}</summary>"
                f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></details>")

    def __repr__(self) -> str:
        return f"[{self.summary}: a folded table of {len(self.table.frame)} rows; open it in the running notebook]"


def table(*topics: str, action: str | None = None, folded: str | None = None) -> Table | FoldedTable:
    """The facts of these topics as a student table: what the source says, what you do, the
    action and the source id (the reference list at the end of the notebook cites it).
    ``folded``: a summary line; the table is then shown closed under it (:class:`FoldedTable`)."""
    shown = _show(facts(*topics, action=action), _STUDENT)
    return shown if folded is None else FoldedTable(shown, folded)
