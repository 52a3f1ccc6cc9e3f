"""Retired wording (issue 12) must not come back.

A clinical review found statements that contradict the course's own sources. Each phrase below
was corrected; this test reads everything a student or instructor reads (notebook markdown and
saved outputs, including the saved widget state that holds panel messages; the data tables; the
library's strings, which become panel messages, figure text and alt text; and the answer key that
``clonaedu answers`` writes) and fails if a retired phrase appears again.

To retire more wording, append to ``RETIRED`` (phrase, why). Matching is case-insensitive and
ignores line breaks and repeated spaces. ``PENDING`` lists occurrences that a named helper is still
fixing: a pending entry that no longer matches anything fails too, so delete it when you fix it.
"""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: (phrase, why it is retired). Append freely.
RETIRED = [
    ("Memory problems are not in the course's sources",
     "the label lists amnesia among adverse reactions and warns about cognitive and motor performance"),
    ("long before the drug is gone",
     "the 8 to 12 h window is the anticonvulsant effect of a single dose in epilepsy, not a general rule; "
     "with regular doses impairment can last into the next day (label)"),
    ("effect has usually worn off",
     "same finding: the 8 to 12 h window is not a general duration of effect"),
    ("direction not verified",
     "the label states the direction of the interactions it lists"),
    ("undescribed",
     "the label says one dose at bedtime may be desirable"),
    ("does not describe once-daily",
     "the label says one dose at bedtime may be desirable"),
    ("Ashton-derived",
     "no schedule carries the Ashton Manual's name unless it follows the Manual (issue 12, finding 2)"),
    ("Ashton Manual (via NICE CKS)",
     "the course draws no schedule under the Ashton Manual's name (issue 12, finding 2)"),
    ("guideline about 8 weeks",
     "the guideline schedule keeps at most 25% per 2 weeks: 11 weeks from 1 mg/day with tablets (issue 12, finding 3)"),
    ("a bedtime dose is in the label",
     "the label starts at 0.25 mg twice daily and gives every step twice daily; its bedtime sentence is about "
     "timing one dose, not a once-daily regimen (pharmacist review of 00-04, item 3)"),
    ("how long one dose's effect lasts",
     "the 8 to 12 h window is the anticonvulsant effect of a single dose in epilepsy (pharmacist review, item 1)"),
    ("how long a single dose acts",
     "same finding: say 'the anticonvulsant effect of a single dose in epilepsy'"),
    ("as one dose acts for only",
     "same finding, in a panic-disorder regimen question"),
    ("impairment can last into the next day",
     "the label warns about drowsiness, ataxia, driving and machinery but not about next-day effects: next-day "
     "carry-over is the course's reasoning from the half-life and accumulation (pharmacist review, item 2)"),
    ("adverse effects grew with dose",
     "the trial found more somnolence and ataxia at 3 and 4 mg/day, not all adverse effects (pharmacist review, item 9)"),
    ("never gives more than either table",
     "the lower diazepam equivalent is not 'the safe end': by the other table it is a large cut, and under-conversion "
     "risks withdrawal as over-conversion risks sedation (review of notebook 07)"),
    ("2025 guideline: stops day",
     "the averaged-pace schedule is the course's construction, labelled 'guideline pace, averaged (course model)', never "
     "the guideline's schedule (review of notebook 07)"),
    ("every option keeps the pace",
     "single 33% and 50% steps are larger than the guideline's 25% every 2 weeks; only their average fits (review of 07)"),
]

#: phrase -> {file pattern: owner}. Occurrences another helper is fixing right now; remove the
#: entry when the file is fixed (the test fails on stale entries).
PENDING: dict[str, dict[str, str]] = {
}


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).lower()


def _notebook_text(path: Path) -> str:
    """Markdown, code outputs (text, HTML, streams; not images) and saved widget state."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    parts = []
    for cell in nb.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if cell.get("cell_type") == "markdown":
            parts.append(source)
        for out in cell.get("outputs", []):
            if "text" in out:
                text = out["text"]
                parts.append("".join(text) if isinstance(text, list) else text)
            for mime, value in out.get("data", {}).items():
                if mime.startswith("image/"):
                    continue
                parts.append(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    widgets = nb.get("metadata", {}).get("widgets")
    if widgets:
        parts.append(json.dumps(widgets, ensure_ascii=False))
    return "\n".join(parts)


def _answer_key(tmp_path_factory) -> str:
    from clonaedu import cli

    out = tmp_path_factory.mktemp("answers") / "answer_key.html"
    assert cli.main(["answers", "--out", str(out)]) == 0
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def course_text(tmp_path_factory) -> dict[str, str]:
    """Every text a reader sees, by the file it comes from (normalised)."""
    texts = {}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        texts[path.relative_to(ROOT).as_posix()] = _notebook_text(path)
    for path in sorted((ROOT / "data").glob("*.csv")):
        texts[path.relative_to(ROOT).as_posix()] = path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "clonaedu").rglob("*.py")):
        texts[path.relative_to(ROOT).as_posix()] = path.read_text(encoding="utf-8")
    texts["clonaedu answers (answer key)"] = _answer_key(tmp_path_factory)
    return {name: _normalise(text) for name, text in texts.items()}


def test_the_reader_scans_markdown_outputs_and_widget_state(tmp_path):
    nb = {"cells": [{"cell_type": "markdown", "source": ["The effect ends long\n", "before the drug is gone."]},
                    {"cell_type": "code", "source": "x", "outputs": [
                        {"output_type": "stream", "text": "direction not\nverified"},
                        {"output_type": "display_data", "data": {"image/png": "undescribed",
                                                                 "text/html": "<b>worn off</b>"}}]}],
          "metadata": {"widgets": {"state": {"m": {"value": "Memory problems are not in the course's sources"}}}}}
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    text = _normalise(_notebook_text(path))
    assert "long before the drug is gone" in text
    assert "direction not verified" in text
    assert "memory problems are not in the course's sources" in text
    assert "undescribed" not in text  # images are skipped
    assert "worn off" in text


@pytest.mark.parametrize("phrase, why", RETIRED, ids=[p for p, _ in RETIRED])
def test_retired_wording_does_not_come_back(course_text, phrase, why):
    needle = _normalise(phrase)
    pending = PENDING.get(phrase, {})
    found = sorted(name for name, text in course_text.items() if needle in text)
    unexpected = [name for name in found if not any(fnmatch.fnmatch(name, pat) for pat in pending)]
    assert not unexpected, f"retired wording {phrase!r} ({why}) found in: {', '.join(unexpected)}"
    stale = [pat for pat in pending if not any(fnmatch.fnmatch(name, pat) for name in found)]
    assert not stale, (f"PENDING lists {phrase!r} in {', '.join(stale)}, which no longer contain it: "
                       "delete the entry")
