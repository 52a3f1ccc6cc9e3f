"""The course outline (DESIGN.md section 4): one place for notebook numbers, file names and titles.

Everything that names a notebook (the question bank, the answer key, the CLI, the course map in
notebook 00, the README and the instructor guide, the Previous/Next links) reads it from here, so a
renumbering is one edit. ``minutes()`` computes a notebook's time estimate from its content.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

__all__ = ["Notebook", "OUTLINE", "CONTENT", "CASES", "by_number", "number", "words", "minutes",
           "student_prose", "count_panels", "count_questions",
           "READING_WPM", "MINUTES_PER_PANEL", "MINUTES_PER_QUESTION", "WORD_LIMIT"]


@dataclass(frozen=True)
class Notebook:
    number: str   #: "00" ... "10"
    slug: str     #: file stem after the number
    title: str
    topic: str    #: one line for the course map

    @property
    def filename(self) -> str:
        return f"{self.number}_{self.slug}.ipynb"

    @property
    def link_text(self) -> str:
        return f"{self.number} · {self.title}"


OUTLINE: tuple[Notebook, ...] = (
    Notebook("00", "start_here", "Start here",
             "using the notebooks and the app view, reading figures, glossary, course map"),
    Notebook("01", "where_a_dose_falls", "Where a dose falls",
             "label landmarks by indication, per dose vs per day, tablets and ODTs, mg/kg for children; appraising the lay article"),
    Notebook("02", "one_dose_over_time", "One dose over time",
             "absorption, distribution, elimination; onset and peak windows; half-life vs duration of effect; next-day impairment; variability"),
    Notebook("03", "single_vs_divided", "Single vs divided dosing",
             "once nightly, twice and three times daily; accumulation; steady state; fluctuation; a missed or late dose"),
    Notebook("04", "comparing_doses", "Comparing doses",
             "0.25 to 4 mg/day side by side; what the fixed-dose trial found; benefit vs adverse effects"),
    Notebook("05", "who_needs_less", "Who needs less",
             "older adults (Beers), liver and kidney, interactions, opioids and other CNS depressants, pregnancy and lactation"),
    Notebook("06", "tolerance_dependence_withdrawal", "Tolerance, dependence and withdrawal",
             "tolerance vs dependence; withdrawal signs and severe reactions; protracted withdrawal"),
    Notebook("07", "tapering", "Tapering",
             "the label's taper, guideline percent tapers, holds and slowing, the diazepam switch; the taper planner"),
    Notebook("08", "safety_monitoring_counselling", "Safety, monitoring and counselling",
             "the boxed warning, warnings and precautions, monitoring, counselling, overdose, Schedule IV"),
    Notebook("09", "alternatives", "Alternatives",
             "SSRIs/SNRIs, buspirone, gabapentinoids, hydroxyzine, CBT; benzodiazepine equivalence and half-lives"),
    Notebook("10", "cases_and_self_check", "Cases and self-check",
             "unfolding cases and a mixed self-check with a results receipt"),
)
#: notebooks that teach content and own questions (01 to 09); 10 holds the cases
CONTENT = tuple(nb.number for nb in OUTLINE[1:-1])
CASES = OUTLINE[-1].number

READING_WPM = 150
MINUTES_PER_PANEL = 5
MINUTES_PER_QUESTION = 2
WORD_LIMIT = 2500


def number(value) -> str:
    """A notebook number as two digits ("2", 2 and "02" all give "02"); ValueError if unknown."""
    text = str(value).strip()
    if text.isdigit() and f"{int(text):02d}" in _BY_NUMBER:
        return f"{int(text):02d}"
    raise ValueError(f"unknown notebook {value!r}; choose one of {', '.join(_BY_NUMBER)}")


_BY_NUMBER = {nb.number: nb for nb in OUTLINE}


def by_number(value) -> Notebook:
    return _BY_NUMBER[number(value)]


# --------------------------------------------------------------------------------------------
# Computed time estimates (issue 14): reading at 150 words a minute, plus 5 minutes per panel and
# 2 minutes per question, rounded up to a multiple of 5.
# --------------------------------------------------------------------------------------------
_DETAILS = re.compile(r"<details>.*?</details>", re.S)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\-]*")
_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_QUESTION_LINE = re.compile(r"^\s*(?:\d+\.|[-*])\s+\S", re.M)
_ASKED = re.compile(r"""quiz\.(?:ask|question)\(([^)]*)\)""")
#: markdown cues of a cell that asks the student something (each list item in it is one task)
_ASKING = ("**Predict", "Check your understanding", "**Now try it", "**Now check", "**Explore", "**Try it")
_CASE = re.compile(r"""cases\.unfold\(\s*["']([a-z0-9_]+)["']""")
_SELF_CHECK = re.compile(r"""self_check\(([^)]*)\)""")
_PER_NOTEBOOK = re.compile(r"per_notebook\s*=\s*(\d+)")
_QID = re.compile(r"""["'](q\d\d-[a-z0-9-]+)["']""")


def _source(cell) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def student_prose(nb) -> str:
    """The markdown a student reads: every markdown cell, without folded ``<details>`` blocks
    (answers, "About the sources") and without the References heading's cell from
    ``## References`` on."""
    parts = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = _source(cell).split("## References")[0]
        parts.append(_DETAILS.sub(" ", text))
    return "\n".join(parts)


def words(nb) -> int:
    return len(_WORD.findall(student_prose(nb)))


_PANEL_FALLBACK = re.compile(r"^\[[^\]]+: run the notebook to use it\]")


def count_panels(nb) -> int:
    """Code cells whose output is a panel: a widget whose static fallback is the panels'
    "[Title: run the notebook to use it]" (question, case and score widgets are counted as
    questions, not panels)."""
    def is_panel(out):
        data = out.get("data", {})
        text = data.get("text/plain", "")
        text = "".join(text) if isinstance(text, list) else text
        return _WIDGET_VIEW in data and bool(_PANEL_FALLBACK.match(text))
    return sum(1 for c in nb["cells"] if c["cell_type"] == "code" and any(map(is_panel, c.get("outputs", []))))


def count_questions(nb) -> int:
    """Questions a student answers: each numbered or bulleted item in a markdown cell that asks
    ("Predict", "Check your understanding", "Now try it", "Now check", "Explore"; outside its folded
    answer), plus each bank question
    placed with ``quiz.ask(...)``/``quiz.question(...)`` (a call naming no id counts as one), each
    stage of an unfolding case (``cases.unfold("id")``: a question or the written handoff), and
    each question of a mixed self-check (``per_notebook`` from every content notebook)."""
    n = 0
    for cell in nb["cells"]:
        src = _source(cell)
        if cell["cell_type"] == "markdown":
            if any(cue in src for cue in _ASKING):
                asked = _DETAILS.sub(" ", src)
                items = len(_QUESTION_LINE.findall(asked))
                n += max(items, 1)
        elif cell["cell_type"] == "code":
            for call in _ASKED.findall(src):
                n += max(len(_QID.findall(call)), 1)
            for case_id in _CASE.findall(src):
                from . import casebook  # lazy: only notebooks with cases need the case data
                n += len(casebook.get(case_id).stages)
            for call in _SELF_CHECK.findall(src):
                per = _PER_NOTEBOOK.search(call)
                n += (int(per.group(1)) if per else 2) * len(CONTENT)
    return n


def minutes(nb) -> int:
    """About how long a notebook takes, in minutes, rounded up to a multiple of 5."""
    raw = (words(nb) / READING_WPM + MINUTES_PER_PANEL * count_panels(nb)
           + MINUTES_PER_QUESTION * count_questions(nb))
    return max(5, 5 * math.ceil(raw / 5 - 1e-9))


# --------------------------------------------------------------------------------------------
# The course map (notebook 00, README, instructor guide), generated between markers so the three
# always agree with the outline and with the computed times.
# --------------------------------------------------------------------------------------------
MAP_START = "<!-- course-map: generated by clonaedu.execute from clonaedu/course.py -->"
MAP_END = "<!-- /course-map -->"
_MINUTES = re.compile(r"\*About (\d+) minutes\.\*")


def stated_minutes(nb) -> int | None:
    """The "*About N minutes.*" a notebook's first cell states (None if it states none)."""
    match = _MINUTES.search(_source(nb["cells"][0]))
    return int(match.group(1)) if match else None


def set_minutes(nb, value: int) -> None:
    """Write the computed time into the first cell's "*About N minutes.*" (in place)."""
    cell = nb["cells"][0]
    text = _source(cell)
    if not _MINUTES.search(text):
        raise ValueError("the first cell has no '*About N minutes.*' to update")
    cell["source"] = _MINUTES.sub(f"*About {value} minutes.*", text, count=1)


def map_table(minutes_by_number: dict[str, int], prefix: str = "", this: str | None = None) -> str:
    """The course map as a markdown table; ``prefix`` is the path from the page to notebooks/."""
    rows = ["| notebook | minutes | you will learn |", "|---|---|---|"]
    for nb in OUTLINE:
        name = (f"**{nb.link_text}** (this one)" if nb.number == this
                else f"[{nb.link_text}]({prefix}{nb.filename})")
        rows.append(f"| {name} | {minutes_by_number.get(nb.number, '')} | {nb.topic} |")
    return "\n".join(rows)


def replace_map(text: str, table: str) -> str:
    """``text`` with the part between the course-map markers replaced by ``table``."""
    start, end = text.find(MAP_START), text.find(MAP_END)
    if start < 0 or end < start:
        raise ValueError("no course-map markers in the text")
    return text[:start] + MAP_START + "\n" + table + "\n" + text[end:]


# --------------------------------------------------------------------------------------------
# Version and review status in every notebook's header (issue 20), from data/review.csv
# --------------------------------------------------------------------------------------------
CONTENT_LICENCE = "CC BY 4.0"
CODE_LICENCE = "MIT"
ERROR_REPORTS = "https://github.com/clonaedu/clonaedu/blob/main/CONTRIBUTING.md#report-a-clinical-error"
_STATUS = re.compile(r"^\*clonaedu \d[^\n]*\*$", re.M)
_MONTHS = ("January February March April May June July August September October November "
           "December").split()


def review(value) -> dict:
    """The review record of a notebook: label source, its revision, date and scope."""
    from . import data  # lazy: the outline itself needs no data
    rows = data.table("review")
    nb = number(value)
    match = rows[rows.notebook == nb]
    if match.empty:
        raise ValueError(f"data/review.csv has no row for notebook {nb}")
    row = match.iloc[0]
    source = data.sources().loc[row.source_id]
    return {"notebook": nb, "source_id": row.source_id,
            "label_revision": str(source.revision), "reviewed_on": row.reviewed_on,
            "scope": row.scope}


def status_line(value) -> str:
    """The header line: version, label revision checked against, date of the last review."""
    from . import __version__
    rec = review(value)
    year, month, day = (int(x) for x in rec["reviewed_on"].split("-"))
    revision = rec["label_revision"].replace("Revised ", "revised ")
    return (f"*clonaedu {__version__} · checked against the US label ({revision}) · last clinical "
            f"review {day} {_MONTHS[month - 1]} {year} · content {CONTENT_LICENCE} · "
            f"[report an error]({ERROR_REPORTS})*")


def set_status(nb, value) -> None:
    """Write (or refresh) the status line in the first cell, after the time-estimate line."""
    cell = nb["cells"][0]
    text = _source(cell)
    line = status_line(value)
    if _STATUS.search(text):
        text = _STATUS.sub(line.replace("\\", "\\\\"), text, count=1)
    else:
        lines = text.split("\n")
        at = next((i for i, ln in enumerate(lines) if _MINUTES.search(ln)), 0)
        lines[at + 1:at + 1] = ["", line]
        text = "\n".join(lines)
    cell["source"] = text
