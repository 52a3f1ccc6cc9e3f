"""The results receipt: what a student downloads from a score (JSON and a printable HTML page).

Pure functions on plain records (no widgets): :class:`clonaedu.quiz.ScoreSummary` builds the
records from its questions and offers the files as download links when the student clicks
**Download my results**. A receipt holds the name the student typed, the course version, the date
and time (UTC), and per question the last answer, the number of attempts, whether the first try
was right and whether the answer was shown. It is self-reported: the student's own browser made
it, nothing checks it, so it suits formative credit only.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import json
import re
from collections.abc import Iterable, Mapping

from .. import NOTICE, __version__

__all__ = ["SELF_REPORTED", "FORMAT", "build", "to_json", "to_html", "data_uri", "file_stem"]

FORMAT = "clonaedu-results/1"
SELF_REPORTED = ("Self-reported results: this file was made on the student's own computer and nothing "
                 "checks it. It suits formative credit only (practice, participation), never a graded exam.")

_FIELDS = ("question_id", "notebook", "kind", "prompt", "first_answer", "answer", "attempts", "first_try_right",
           "solved", "answer_shown")


def build(records: Iterable[Mapping], *, name: str = "", when: _dt.datetime | None = None) -> dict:
    """The receipt as a dictionary (what :func:`to_json` writes).

    ``records``: one mapping per question with the keys ``question_id``, ``notebook``, ``kind``,
    ``prompt``, ``first_answer`` and ``answer`` (the first and the last checked answer, as text; empty
    if unanswered), ``attempts``, ``first_try_right``, ``solved`` and ``answer_shown``. ``when`` defaults to now (UTC).
    """
    rows = []
    for record in records:
        missing = [f for f in _FIELDS if f not in record]
        if missing:
            raise ValueError(f"a receipt record needs {', '.join(missing)}")
        rows.append({f: record[f] for f in _FIELDS})
    when = (when or _dt.datetime.now(_dt.timezone.utc)).astimezone(_dt.timezone.utc)
    totals = {
        "questions": len(rows),
        "answered": sum(r["attempts"] > 0 for r in rows),
        "first_try_right": sum(bool(r["first_try_right"]) for r in rows),
        "solved": sum(bool(r["solved"]) for r in rows),
        "answers_shown": sum(bool(r["answer_shown"]) and not r["solved"] for r in rows),
    }
    return {
        "format": FORMAT,
        "course": "clonaedu",
        "course_version": __version__,
        "name": " ".join(str(name or "").split()),
        "date": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "self_reported": True,
        "note": SELF_REPORTED,
        "score": {"first_try_right": totals["first_try_right"], "questions": totals["questions"]},
        "totals": totals,
        "questions": rows,
    }


def to_json(receipt: Mapping) -> str:
    """The receipt as indented JSON (UTF-8 text)."""
    return json.dumps(receipt, ensure_ascii=False, indent=2) + "\n"


_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; font-size: 11pt;
       line-height: 1.4; max-width: 56em; margin: 2em auto; padding: 0 1em; color: #111; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
.note { border-left: 4px solid #D55E00; padding: 0.3em 0.8em; background: #fbf3ee; }
table { border-collapse: collapse; width: 100%; } th, td { border-bottom: 1px solid #ccc; padding: 4px 6px;
        text-align: left; vertical-align: top; } th { background: #f2f2f2; }
@media print { body { margin: 0; max-width: none; font-size: 9.5pt; } }
"""


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def to_html(receipt: Mapping) -> str:
    """The receipt as one printable HTML page (all text escaped)."""
    e = html.escape
    t = receipt["totals"]
    rows = "".join(
        f"<tr><td><code>{e(r['question_id'])}</code></td><td>{e(r['notebook'])}</td><td>{e(r['prompt'])}</td>"
        f"<td>{e(str(r['first_answer']) or '(not answered)')}</td><td>{e(str(r['answer']) or '(not answered)')}</td>"
        f"<td>{int(r['attempts'])}</td>"
        f"<td>{_yes(r['first_try_right'])}</td><td>{_yes(r['solved'])}</td><td>{_yes(r['answer_shown'])}</td></tr>"
        for r in receipt["questions"])
    name = receipt["name"] or "(no name given)"
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f"<title>clonaedu results: {e(name)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
        "<h1>clonaedu: my results</h1>",
        f"<p><b>Name:</b> {e(name)}<br><b>Date:</b> {e(receipt['date'])} (UTC)<br>"
        f"<b>Course version:</b> clonaedu {e(receipt['course_version'])}</p>",
        f'<p class="note"><b>{e(SELF_REPORTED)}</b></p>',
        f"<p><b>Score: {t['first_try_right']} of {t['questions']} right at the first try.</b> "
        f"Answered {t['answered']}; right in the end {t['solved']}; answers shown before solving "
        f"{t['answers_shown']}.</p>",
        "<table><tr><th>question</th><th>notebook</th><th>prompt</th><th>first answer</th><th>last answer</th><th>attempts</th>"
        f"<th>right at first try</th><th>solved</th><th>answer shown</th></tr>{rows}</table>",
        f"<p><small>{e(NOTICE)}</small></p>", "</body>", "</html>", ""])


def data_uri(text: str, mime: str) -> str:
    """``data:`` URI (base64) for a download link that needs no server."""
    return f"data:{mime};charset=utf-8;base64," + base64.b64encode(text.encode("utf-8")).decode("ascii")


def file_stem(receipt: Mapping) -> str:
    """``clonaedu-results-ada-lovelace-2026-11-27``: safe in every file system."""
    slug = re.sub(r"[^a-z0-9]+", "-", receipt["name"].lower()).strip("-")[:40]
    return "-".join(p for p in ("clonaedu-results", slug, receipt["date"][:10]) if p)
