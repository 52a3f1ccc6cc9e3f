"""Check-your-understanding questions: the question bank, answer checking, quiz widgets and
the instructor answer key.

The bank is ``data/questions.csv`` (schema ``data/schemas/questions.json``), one row per
question, loaded and validated like every other table by :mod:`clonaedu.data`, then checked
again here for what a JSON Schema cannot express (see :func:`bank`):

``question_id``  ``qNN-words`` where NN is the notebook (``q02-plasma-peak``).
``notebook``     ``"01"`` to ``"09"`` (content notebooks) or ``"10"`` (the case studies); see clonaedu.course.
``kind``         ``single`` (one choice), ``multiple`` (all that apply) or ``numeric``.
``skill``        ``recall``, ``calculation`` or ``interpretation`` (of a figure or a case).
``panel``        the panel a question needs beside it ("single-dose panel"), or empty.
``prompt``       the question. ``choices``: ``;``-separated (choice kinds only).
``answer``       the correct choice (``single``), the correct choices ``;``-separated
                 (``multiple``), or a plain number (``numeric``).
``tolerance``, ``unit``  numeric only: answers within ``tolerance`` (same unit) are right.
``explanation``  why, in plain words. ``source_id``: a row of ``data/sources.csv``.

Numeric answers (:func:`parse_answer`, :meth:`Question.check`)
    * Numbers: ``0.5``, ``.5``, ``0.50``, ``+0.5``, ``12`` and ``12.0`` are the same number.
      Simple fractions are read as numbers (``1/2`` and ``½`` are 0.5, ``1½`` is 1.5), because
      "half a tablet" is how nurses talk. ``about``/``approx.``/``~`` in front is ignored.
      A decimal comma (``0,5``), two numbers (``0.2 to 0.6``) or scientific notation are not
      read: the student is told how to write the answer, and it does not count as an attempt.
    * Units are optional. When one is given it must match the question's: ``0.5 mg/kg`` for a
      question in mg/day is *wrong* (and the feedback says the unit is the problem), ``0.5 mg``
      for a daily total is wrong too (one dose is not a day's total). Spellings are normalised:
      ``mg/day``, ``mg/d``, ``mg per day``, ``mg a day``, ``mg daily`` are all mg/day.
      Times convert (``120 h`` is ``5 days``); nothing else converts (``500 mcg`` is not read as
      0.5 mg: unit slips are exactly what the course teaches students to catch).
    * Percent questions say so: ``0.25`` for 25% is not accepted, with a hint.

Widgets (ipywidgets only; no server extension, so they work in JupyterLab, Voila and Binder)
    :func:`question` places one question (beside a panel), :func:`ask` several (or a whole
    notebook's), :func:`self_check` a seeded mixed quiz, and :class:`ScoreSummary` counts what
    the student got right. Answers and scores live only in the running notebook's memory:
    nothing is recorded, written to a file or sent anywhere. Saved without a kernel (GitHub,
    nbviewer) every widget shows its prompt and choices as text, never the answer.

Answer key: :func:`answer_key_html` (and ``clonaedu answers --out key.html`` on the command
line) renders every question with its answer, explanation and source, grouped by notebook.

Educational material, not medical advice.
"""

from __future__ import annotations

import difflib
import functools
import html
import math
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ipywidgets as widgets
import pandas as pd
import traitlets

from . import NOTICE, __version__, course, data
from .data import DataError, Dataset

__all__ = [
    "KINDS", "SKILLS", "NOTEBOOK_TITLES", "CONTENT_NOTEBOOKS", "UNITS",
    "QuestionError", "Question", "Result", "Bank", "bank", "parse_answer", "normalise_unit",
    "QuestionWidget", "Quiz", "ScoreSummary", "question", "ask", "self_check", "answer_key_html",
]

KINDS = ("single", "multiple", "numeric")
SKILLS = ("recall", "calculation", "interpretation")
#: Course structure (DESIGN.md section 4), used for headings in the answer key and the score.
NOTEBOOK_TITLES = {nb.number: nb.title for nb in course.OUTLINE[1:]}
CONTENT_NOTEBOOKS = course.CONTENT
_TABLE = "questions"
_WHERE = f"data/{_TABLE}.csv"
_EPS = 1e-9

# Okabe-Ito colours (the same palette as clonaedu.plots; kept here so the quiz and the CLI
# do not import matplotlib). Right and wrong are also said in words, never by colour alone.
_GREEN, _VERMILLION, _BLUE, _GREY = "#009E73", "#D55E00", "#0072B2", "#666666"


# --------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------
#: canonical unit -> (dimension, factor to the dimension's base unit, words for feedback)
UNITS = {
    "mg": ("mass", 1.0, "mg (one amount, such as one dose)"),
    "mg/day": ("mass_per_day", 1.0, "mg/day (a daily total)"),
    "mg/kg/day": ("mass_per_kg_per_day", 1.0, "mg/kg/day (per kilogram of body weight per day)"),
    "mg/kg": ("mass_per_kg", 1.0, "mg/kg (per kilogram of body weight)"),
    "ng/mL": ("concentration", 1.0, "ng/mL (a concentration in blood)"),
    "min": ("time", 1 / 60, "minutes"),
    "h": ("time", 1.0, "hours"),
    "days": ("time", 24.0, "days"),
    "weeks": ("time", 168.0, "weeks"),
    "%": ("percent", 1.0, "% (a percentage)"),
    "×": ("ratio", 1.0, "× (times as much)"),
    "tablets": ("tablets", 1.0, "tablets"),
}
_SIMPLE_ALIASES = {
    "mg": "mg", "milligram": "mg", "milligrams": "mg",
    "ng/ml": "ng/mL", "ng per ml": "ng/mL", "nanograms per ml": "ng/mL",
    "min": "min", "mins": "min", "minute": "min", "minutes": "min",
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
    "d": "days", "day": "days", "days": "days",
    "wk": "weeks", "wks": "weeks", "week": "weeks", "weeks": "weeks",
    "%": "%", "percent": "%", "per cent": "%", "pct": "%",
    "x": "×", "×": "×", "times": "×", "fold": "×", "-fold": "×", "times as much": "×",
    "tablet": "tablets", "tablets": "tablets", "tab": "tablets", "tabs": "tablets",
}
# parts of a rate such as "mg / kg / day"
_RATE_PARTS = {
    "mg": "mg", "milligram": "mg", "milligrams": "mg", "kg": "kg", "kilogram": "kg",
    "day": "day", "days": "day", "d": "day", "24h": "day", "24 h": "day", "24 hours": "day",
}
_RATES = {("mg", "day"): "mg/day", ("mg", "kg", "day"): "mg/kg/day", ("mg", "kg"): "mg/kg"}


def normalise_unit(text: str) -> str | None:
    """The canonical spelling of a unit (a key of :data:`UNITS`), or ``None`` if unknown.

    >>> [normalise_unit(u) for u in ("mg/day", "mg per day", "MG a day", "mg daily", "mg/kg/d")]
    ['mg/day', 'mg/day', 'mg/day', 'mg/day', 'mg/kg/day']
    """
    s = " ".join(str(text).strip().lower().rstrip(".").split())
    if s in ("", "/"):
        return None
    if s in _SIMPLE_ALIASES:
        return _SIMPLE_ALIASES[s]
    s = re.sub(r"\s*\b(?:daily|a day|per day|each day|every day)\b", "/day", s)
    s = re.sub(r"\s*(?:/|\bper\b|\ba\b|\beach\b)\s*", "/", s)
    parts = tuple(_RATE_PARTS.get(p.strip()) for p in s.split("/"))
    return _RATES.get(parts) if all(parts) else None


# --------------------------------------------------------------------------------------------
# Reading a numeric answer
# --------------------------------------------------------------------------------------------
class UnreadableAnswer(ValueError):
    """An answer that cannot be read as one number with an optional unit (the message says
    how to write it). It does not count as an attempt."""


_VULGAR = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅛": 0.125, "⅓": 1 / 3, "⅔": 2 / 3}
_ANSWER = re.compile(
    r"^(?:about|approx\.?|approximately|around|roughly|~|≈)?\s*"
    r"(?P<number>[+-]?(?:\d+\s*/\s*\d+|\d*[½¼¾⅛⅓⅔]|\d+(?:\.\d*)?|\.\d+))"
    r"\s*(?P<unit>.*?)\s*$",
    re.IGNORECASE,
)


def parse_answer(text: str) -> tuple[float, str | None]:
    """Read a typed answer as ``(number, unit)``; the unit is as typed (``None`` if absent).

    Raises :class:`UnreadableAnswer` (a ``ValueError``) with a message for the student.

    >>> parse_answer(".5"), parse_answer("1/2 mg"), parse_answer("12.0 mg per day")
    ((0.5, None), (0.5, 'mg'), (12.0, 'mg per day'))
    """
    s = str(text).strip()
    if not s:
        raise UnreadableAnswer("Type a number first.")
    if re.match(r"^[+-]?\d+,\d+", s):
        raise UnreadableAnswer("Write decimals with a decimal point (0.5), not a comma (0,5).")
    match = _ANSWER.match(s)
    if match is None:
        raise UnreadableAnswer("Type one number, for example 0.5 or 0.5 mg/day.")
    number, unit = match.group("number"), match.group("unit")
    if re.match(r"^[eE][+-]?\d", unit):
        raise UnreadableAnswer("Write the number out in full, for example 0.5.")
    if re.search(r"\d", unit):
        raise UnreadableAnswer("Type one number only (not a range or a calculation), for example 0.5.")
    compact = number.replace(" ", "")
    sign = -1.0 if compact.startswith("-") else 1.0
    compact = compact.lstrip("+-")
    if "/" in compact:
        top, bottom = (float(x) for x in compact.split("/"))
        if bottom == 0:
            raise UnreadableAnswer("A fraction cannot have 0 below the line.")
        value = top / bottom
    elif compact and compact[-1] in _VULGAR:
        value = float(compact[:-1] or 0) + _VULGAR[compact[-1]]
    else:
        value = float(compact)
    unit = unit.strip()
    return sign * value, (unit or None)


# --------------------------------------------------------------------------------------------
# Questions and results
# --------------------------------------------------------------------------------------------
class QuestionError(DataError):
    """A question that breaks a rule of the bank; the message names the row and column."""


@dataclass(frozen=True)
class Result:
    """The outcome of checking one response.

    ``status``: ``right``, ``wrong``, ``wrong_unit`` (a unit that does not fit the question),
    ``unreadable`` (could not be read as an answer; say how) or ``empty`` (nothing chosen).
    Only right and wrong answers count as attempts (:attr:`counts`).
    """

    status: str
    message: str

    @property
    def correct(self) -> bool:
        return self.status == "right"

    @property
    def counts(self) -> bool:
        """True if this was an attempt (right, wrong or wrong unit)."""
        return self.status in ("right", "wrong", "wrong_unit")


@dataclass(frozen=True)
class Question:
    """One question of the bank (see the module docstring for the fields)."""

    question_id: str
    notebook: str
    kind: str
    skill: str
    panel: str | None
    prompt: str
    choices: tuple[str, ...]
    answers: tuple[str, ...]  #: the correct choices (choice kinds); empty for numeric
    value: float | None  #: the correct number (numeric)
    tolerance: float | None  #: accepted distance from ``value`` (numeric, same unit)
    unit: str | None  #: canonical unit (numeric)
    explanation: str
    source_id: str
    citation: str  #: :func:`clonaedu.data.cite` of ``source_id``

    @property
    def answer_text(self) -> str:
        """The answer as a student would write it (``0.5 mg/day``; choices joined by ``;``)."""
        if self.kind == "numeric":
            return _with_unit(self.value, self.unit)
        return "; ".join(self.answers)

    @property
    def tolerance_text(self) -> str:
        """``""`` for an exact answer, else ``"answers from 4.75 to 5.25 days are accepted"``."""
        if self.kind != "numeric" or not self.tolerance:
            return ""
        low, high = self.value - self.tolerance, self.value + self.tolerance
        return f"answers from {_fmt(low)} to {_with_unit(high, self.unit)} are accepted"

    def check(self, response) -> Result:
        """Check a response: a choice (``single``), an iterable of choices (``multiple``) or
        the typed text (``numeric``). Never raises for a student's input."""
        if self.kind == "single":
            if response is None or response == "":
                return Result("empty", "Choose an answer first.")
            if response not in self.choices:
                return Result("unreadable", "Choose one of the options.")
            if response == self.answers[0]:
                return Result("right", "")
            return Result("wrong", "")
        if self.kind == "multiple":
            chosen = set([response] if isinstance(response, str) else (response or ()))
            if not chosen:
                return Result("empty", "Choose at least one option first.")
            if not chosen <= set(self.choices):
                return Result("unreadable", "Choose from the options shown.")
            right = set(self.answers)
            if chosen == right:
                return Result("right", "")
            hits, extra = len(chosen & right), len(chosen - right)
            detail = f"You chose {hits} of the {len(right)} right options"
            detail += f" and {extra} that {'is' if extra == 1 else 'are'} not right." if extra else "."
            return Result("wrong", detail)
        return self._check_number(response)

    def _check_number(self, response) -> Result:
        try:
            value, unit_text = parse_answer("" if response is None else str(response))
        except UnreadableAnswer as exc:
            status = "empty" if not str(response or "").strip() else "unreadable"
            return Result(status, str(exc))
        if unit_text is not None:
            unit = normalise_unit(unit_text)
            if unit is None:
                return Result("unreadable", f"The unit {unit_text!r} is not one this quiz can read: write "
                                            f"{self.unit}, or leave the unit out.")
            want_dim, want_factor, want_words = UNITS[self.unit]
            dim, factor, words = UNITS[unit]
            if dim != want_dim:
                return Result("wrong_unit", f"Check the unit: the question asks for {want_words}, and you "
                                            f"wrote {words}.")
            value = value * factor / want_factor
        if abs(value - self.value) <= self.tolerance + _EPS * max(1.0, abs(self.value)):
            return Result("right", "")
        if (self.unit == "%" and unit_text is None
                and abs(100 * value - self.value) <= self.tolerance + _EPS * max(1.0, abs(self.value))):
            return Result("unreadable", "Give the answer as a percentage (for example 25 for 25%), not a "
                                        "fraction of 1.")
        return Result("wrong", "")


def _fmt(x: float) -> str:
    return f"{round(x, 6):g}"


def _with_unit(x: float, unit: str) -> str:
    return f"{_fmt(x)}{unit}" if unit in ("%", "×") else f"{_fmt(x)} {unit}"


# --------------------------------------------------------------------------------------------
# The bank
# --------------------------------------------------------------------------------------------
class Bank(Sequence):
    """The validated questions in file order. ``bank[i]``, ``len(bank)``, ``bank.get(id)``,
    ``bank.for_notebook("02")``, ``bank.counts()``."""

    def __init__(self, questions: Iterable[Question]):
        self.questions = tuple(questions)
        self._by_id = {q.question_id: q for q in self.questions}

    def __getitem__(self, index):
        return self.questions[index]

    def __len__(self) -> int:
        return len(self.questions)

    @property
    def ids(self) -> list[str]:
        return [q.question_id for q in self.questions]

    @property
    def notebooks(self) -> list[str]:
        """The notebooks that have questions, in order."""
        return sorted({q.notebook for q in self.questions})

    def get(self, question_id: str) -> Question:
        """The question with this id; ``ValueError`` naming close matches if there is none."""
        if not isinstance(question_id, str):
            raise ValueError(f"question_id must be a string such as 'q02-plasma-peak', got {question_id!r}")
        if question_id in self._by_id:
            return self._by_id[question_id]
        if re.fullmatch(r"\d{1,2}", question_id.strip()):
            raise ValueError(f"{question_id!r} looks like a notebook number: use ask(notebook={question_id!r})")
        close = difflib.get_close_matches(question_id, self.ids, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; ids look like {self.ids[0]!r}"
        raise ValueError(f"unknown question_id {question_id!r}{hint}")

    def for_notebook(self, notebook) -> list[Question]:
        """The questions of one notebook (``"02"``, ``"2"`` or ``2``), in file order."""
        nb = _notebook(notebook)
        return [q for q in self.questions if q.notebook == nb]

    def counts(self) -> dict[str, int]:
        """Number of questions per notebook."""
        out: dict[str, int] = {}
        for q in self.questions:
            out[q.notebook] = out.get(q.notebook, 0) + 1
        return dict(sorted(out.items()))


def _notebook(value) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"notebook must be a number such as '02', got {value!r}")
    text = str(value).strip()
    if text.isdigit() and f"{int(text):02d}" in NOTEBOOK_TITLES:
        return f"{int(text):02d}"
    raise ValueError(f"unknown notebook {value!r}; choose one of {', '.join(NOTEBOOK_TITLES)}")


def bank(dataset: Dataset | None = None) -> Bank:
    """Load and validate the question bank (``data/questions.csv``).

    The data layer checks the schema (types, allowed values, unique ids, known source ids,
    tolerance not negative); this function then refuses, with a :class:`QuestionError`
    naming the row and column: an id whose ``qNN`` does not match ``notebook``; a choice
    question with fewer than two choices, duplicate choices, an answer that is not among its
    choices, more than one answer for ``single``, or a unit or tolerance; a numeric question
    with choices, without a unit, with a unit this module cannot read or not written in its
    canonical form, without a tolerance, or whose answer is not a plain number.

    ``dataset`` defaults to the course's own data (cached); tests pass a
    :class:`clonaedu.data.Dataset` over a broken copy.
    """
    if dataset is None:
        return _default_bank()
    return _load(dataset)


@functools.lru_cache(maxsize=1)
def _default_bank() -> Bank:
    return _load(data.default_dataset())


def _load(ds: Dataset) -> Bank:
    frame = ds.table(_TABLE)
    questions = [_question(ds, number, row) for number, row in enumerate(frame.itertuples(index=False), start=1)]
    return Bank(questions)


def _text(value) -> str | None:
    """A text cell, or None for an empty one (pandas may hold it as None or NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def _question(ds: Dataset, number: int, row) -> Question:
    def fail(column: str, reason: str):
        raise QuestionError(f"{_WHERE}, row {number} (line {number + 1}), column {column!r}: {reason}")

    qid = row.question_id
    if qid[1:3] != row.notebook:
        fail("notebook", f"question {qid!r} starts with q{qid[1:3]} but its notebook is {row.notebook!r}")
    choices = tuple(row.choices)
    tolerance = None if pd.isna(row.tolerance) else float(row.tolerance)
    unit, panel = _text(row.unit), _text(row.panel)
    answers: tuple[str, ...] = ()
    value = None
    if row.kind in ("single", "multiple"):
        if len(choices) < 2:
            fail("choices", f"a {row.kind}-choice question needs at least two ';'-separated choices, "
                            f"got {len(choices)}")
        duplicates = sorted({c for c in choices if choices.count(c) > 1})
        if duplicates:
            fail("choices", f"choice {duplicates[0]!r} appears more than once")
        answers = tuple(a.strip() for a in row.answer.split(";") if a.strip())
        for answer in answers:
            if answer not in choices:
                fail("answer", f"answer {answer!r} is not among the choices ({'; '.join(choices)})")
        if len(set(answers)) != len(answers):
            fail("answer", "the same choice is listed twice in the answer")
        if row.kind == "single" and len(answers) != 1:
            fail("answer", f"a single-choice question has exactly one answer, got {len(answers)}")
        if unit is not None:
            fail("unit", f"a {row.kind}-choice question has no unit (got {unit!r}); leave the cell empty")
        if tolerance is not None:
            fail("tolerance", f"a {row.kind}-choice question has no tolerance; leave the cell empty")
    else:
        if choices:
            fail("choices", "a numeric question has no choices; leave the cell empty")
        if unit is None:
            fail("unit", f"a numeric question needs a unit (one of {', '.join(UNITS)})")
        canonical = normalise_unit(unit) if unit not in UNITS else unit
        if canonical is None:
            fail("unit", f"unknown unit {unit!r}; use one of {', '.join(UNITS)}")
        if canonical != unit:
            fail("unit", f"write the unit as {canonical!r}, not {unit!r}")
        if tolerance is None:
            fail("tolerance", "a numeric question needs a tolerance (0 for an exact answer)")
        if tolerance < 0:
            fail("tolerance", f"tolerance cannot be negative, got {tolerance:g}")
        if not re.fullmatch(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", row.answer.strip()):
            fail("answer", f"a numeric answer is a plain number such as 0.5, got {row.answer!r}")
        value = float(row.answer)
    return Question(
        question_id=qid, notebook=row.notebook, kind=row.kind, skill=row.skill, panel=panel,
        prompt=row.prompt, choices=choices, answers=answers, value=value, tolerance=tolerance, unit=unit,
        explanation=row.explanation, source_id=row.source_id, citation=ds.cite(row.source_id),
    )


# --------------------------------------------------------------------------------------------
# Static text (what a saved notebook shows without a kernel): prompt and choices, no answer
# --------------------------------------------------------------------------------------------
_RUN_HINT = "Run the notebook (JupyterLab, Voila or Binder) to check your answer."


def _static_text(q: Question, label: str) -> str:
    lines = [f"{label} [{q.question_id}]", q.prompt]
    if q.kind == "single":
        lines += [f"  ( ) {c}" for c in q.choices]
    elif q.kind == "multiple":
        lines += [f"  [ ] {c}" for c in q.choices]
    else:
        lines.append(f"  Your answer: ________ {q.unit}")
    return "\n".join(lines)


def _static_html(q: Question, label: str) -> str:
    e = html.escape
    if q.kind == "numeric":
        body = f"<p>Your answer: ________ {e(q.unit)}</p>"
    else:
        mark = "&#9675;" if q.kind == "single" else "&#9744;"  # ○ or ☐
        items = "".join(f"<li>{mark} {e(c)}</li>" for c in q.choices)
        body = f'<ul style="list-style:none; padding-left:1em; margin:0.3em 0">{items}</ul>'
    return (f'<div class="clonaedu-quiz-static" style="border-left:4px solid {_BLUE}; padding:2px 10px; '
            f'margin:6px 0"><p><b>{e(label)}</b> <small style="color:{_GREY}">[{e(q.question_id)}]</small>'
            f"</p><p>{e(q.prompt)}</p>{body}</div>")


# --------------------------------------------------------------------------------------------
# Widgets
# --------------------------------------------------------------------------------------------
_FULL = widgets.Layout(width="auto", max_width="900px")


class QuestionWidget(widgets.VBox):
    """One question: prompt, answer control, **Check**, **Show answer** and feedback.

    ``control`` is a ``RadioButtons`` (single), a ``VBox`` of ``Checkbox`` (multiple, also in
    ``boxes``) or a ``Text`` (numeric; Enter checks). ``check_button.click()`` checks the current
    response; ``show_button`` is disabled until the first attempt. State for the score:
    ``attempts`` (right or wrong checks), ``solved`` (right before the answer was shown),
    ``solved_at`` (attempt that solved it) and ``revealed``. ``last_result`` is the last
    :class:`Result`. Nothing is stored outside this object.
    """

    attempts = traitlets.Int(0)
    solved = traitlets.Bool(False)
    solved_at = traitlets.Int(0)
    revealed = traitlets.Bool(False)

    def __init__(self, q: Question, *, label: str = "Question", show_origin: bool = False):
        self.question = q
        self.label = label
        self.last_result: Result | None = None
        origin = f" · from notebook {q.notebook}" if show_origin else ""
        self.header = widgets.HTML(
            f'<div style="font-size:1.05em; line-height:1.45"><b>{html.escape(label)}</b> '
            f'<small style="color:{_GREY}">[{html.escape(q.question_id)}]{html.escape(origin)}</small><br>'
            f"{html.escape(q.prompt)}</div>", layout=_FULL)
        self.boxes: list[widgets.Checkbox] = []
        unit_words = ""
        if q.kind == "single":
            self.control = widgets.RadioButtons(options=list(q.choices), value=None, layout=_FULL)
        elif q.kind == "multiple":
            self.boxes = [widgets.Checkbox(value=False, description=c, indent=False, layout=_FULL)
                          for c in q.choices]
            self.control = widgets.VBox(self.boxes)
        else:
            unit_words = "times" if q.unit == "×" else q.unit
            self.control = widgets.Text(value="", placeholder=f"a number, in {unit_words}", description="Your answer",
                                        continuous_update=True, style={"description_width": "initial"},
                                        layout=widgets.Layout(width="320px"))
            self.control.on_msg(self._on_text_msg)  # Enter in the box sends a 'submit' event
        self.check_button = widgets.Button(description="Check", button_style="primary",
                                           tooltip="Check your answer" + (" (or press Enter)" if q.kind == "numeric" else ""))
        self.show_button = widgets.Button(description="Show answer", disabled=True,
                                          tooltip="Available after your first attempt")
        self.feedback = widgets.HTML(layout=_FULL)
        self.check_button.on_click(lambda _: self.check())
        self.show_button.on_click(lambda _: self.reveal())
        buttons = widgets.HBox([self.check_button, self.show_button])
        unit_hint = [widgets.HTML(f"<span style='color:{_GREY}'>({html.escape(unit_words)}; the unit is optional)"
                                  "</span>")] if q.kind == "numeric" else []
        answer_row = widgets.HBox([self.control, *unit_hint]) if unit_hint else self.control
        super().__init__(children=[self.header, answer_row, buttons, self.feedback],
                         layout=widgets.Layout(margin="10px 0 14px 0"))
        self.add_class("clonaedu-quiz")

    # -- the response --------------------------------------------------------------------
    @property
    def response(self):
        """What the student has entered: a choice or None, a tuple of choices, or the text."""
        if self.question.kind == "multiple":
            return tuple(b.description for b in self.boxes if b.value)
        return self.control.value

    def respond(self, value) -> None:
        """Set the answer control (a choice, an iterable of choices, or text), as a student would."""
        if self.question.kind == "multiple":
            wanted = {value} if isinstance(value, str) else set(value)
            unknown = wanted - set(self.question.choices)
            if unknown:
                raise ValueError(f"not a choice of {self.question.question_id}: {sorted(unknown)}")
            for box in self.boxes:
                box.value = box.description in wanted
        else:
            self.control.value = value

    def _on_text_msg(self, _widget, content, _buffers) -> None:
        if content.get("event") == "submit":
            self.check()

    # -- actions ---------------------------------------------------------------------------
    def check(self) -> Result:
        """Check the current response, show feedback, update the score state."""
        q = self.question
        result = q.check(self.response)
        self.last_result = result
        if not result.counts:
            self.feedback.value = _box(_BLUE, f"<b>{html.escape(result.message)}</b>")
            return result
        self.attempts += 1
        if result.correct and not self.revealed and not self.solved:
            self.solved_at = self.attempts
            self.solved = True
        if result.correct:
            head = "✔ Right."
            if self.revealed and not self.solved:
                head += " (After the answer was shown, so it does not count in your score.)"
            color = _GREEN
        else:
            head = "✘ Not quite."
            if result.message:
                head += " " + result.message
            color = _VERMILLION
        self.show_button.disabled = False
        self.show_button.tooltip = "Show the answer"
        self.feedback.value = _box(color, f"<b>{html.escape(head)}</b> {self._why()}")
        return result

    def reveal(self) -> None:
        """Show the answer, the explanation and the source (only after an attempt)."""
        if self.attempts == 0:
            return
        q = self.question
        self.revealed = True
        answer = html.escape(q.answer_text if q.kind != "multiple" else " · ".join(q.answers))
        extra = f" ({html.escape(q.tolerance_text)})" if q.tolerance_text else ""
        self.feedback.value = _box(_BLUE, f"<b>Answer: {answer}</b>{extra}. {self._why()}")

    def _why(self) -> str:
        q = self.question
        return (f"{html.escape(q.explanation)}<br><small style='color:{_GREY}'>Source: "
                f"{html.escape(q.citation)} [{html.escape(q.source_id)}]</small>")

    def reset(self) -> None:
        """Clear the response, feedback and score state (the student starts again)."""
        if self.question.kind == "multiple":
            for box in self.boxes:
                box.value = False
        else:
            self.control.value = None if self.question.kind == "single" else ""
        self.feedback.value = ""
        self.last_result = None
        self.show_button.disabled = True
        self.show_button.tooltip = "Available after your first attempt"
        self.solved = False
        self.solved_at = 0
        self.revealed = False
        self.attempts = 0

    # -- static rendering -------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = _static_text(self.question, self.label) + "\n" + _RUN_HINT
        bundle["text/html"] = _static_html(self.question, self.label) + f"<p><i>{_RUN_HINT}</i></p>"
        return bundle


def _box(color: str, inner: str) -> str:
    return (f'<div style="border-left:4px solid {color}; padding:4px 10px; margin-top:4px; '
            f'line-height:1.45; font-size:1.02em">{inner}</div>')


class ScoreSummary(widgets.VBox):
    """A live score for the questions it tracks: answered, right (and right at the first
    try), answers shown, per notebook, with the notebooks worth revisiting. In memory only:
    nothing is recorded, saved to a file or sent anywhere. **Start again** clears every answer.
    """

    def __init__(self, questions: Iterable[QuestionWidget] = ()):
        self.questions: list[QuestionWidget] = []
        self.table = widgets.HTML(layout=_FULL)
        self.reset_button = widgets.Button(description="Start again", icon="refresh",
                                           tooltip="Clear every answer and the score (nothing is saved anywhere)")
        self.reset_button.on_click(lambda _: self.reset())
        note = widgets.HTML(f"<small style='color:{_GREY}'>Your answers and this score exist only while the "
                            "notebook runs: nothing is recorded, saved to a file or sent to anyone.</small>")
        super().__init__(children=[self.table, self.reset_button, note], layout=widgets.Layout(margin="8px 0"))
        self.add_class("clonaedu-score")
        self.track(*questions)

    def track(self, *questions: QuestionWidget) -> None:
        """Count these question widgets too (each once)."""
        for w in questions:
            if not isinstance(w, QuestionWidget):
                raise ValueError(f"ScoreSummary tracks question widgets, got {type(w).__name__}")
            if any(w is t for t in self.questions):
                continue
            self.questions.append(w)
            w.observe(self._refresh, names=["attempts", "solved", "revealed"])
        self._refresh()

    @property
    def totals(self) -> dict[str, int]:
        """questions, answered (at least one attempt), right (solved before the answer was
        shown), first_try, shown (answer shown without solving)."""
        qs = self.questions
        return {
            "questions": len(qs),
            "answered": sum(w.attempts > 0 for w in qs),
            "right": sum(w.solved for w in qs),
            "first_try": sum(w.solved and w.solved_at == 1 for w in qs),
            "shown": sum(w.revealed and not w.solved for w in qs),
        }

    def by_notebook(self) -> dict[str, tuple[int, int, int]]:
        """notebook -> (questions, answered, right)."""
        out: dict[str, list[int]] = {}
        for w in self.questions:
            row = out.setdefault(w.question.notebook, [0, 0, 0])
            row[0] += 1
            row[1] += w.attempts > 0
            row[2] += w.solved
        return {nb: tuple(v) for nb, v in sorted(out.items())}

    @property
    def text(self) -> str:
        """The score in one line."""
        t = self.totals
        return (f"Answered {t['answered']} of {t['questions']} · right {t['right']} "
                f"({t['first_try']} at the first try) · answers shown {t['shown']}")

    def revisit(self) -> list[str]:
        """Content notebooks (01 to 07) with a question answered wrongly or shown before it was
        solved (the case questions of 08 build on all of them, so 08 is never suggested)."""
        out = []
        for w in self.questions:
            missed = (w.attempts > 0 or w.revealed) and not w.solved
            if missed and w.question.notebook in CONTENT_NOTEBOOKS and w.question.notebook not in out:
                out.append(w.question.notebook)
        return sorted(out)

    def _refresh(self, _change=None) -> None:
        e = html.escape
        rows = "".join(
            f"<tr><td style='padding:2px 10px'>{nb} · {e(NOTEBOOK_TITLES[nb])}</td>"
            f"<td style='padding:2px 10px; text-align:right'>{n}</td>"
            f"<td style='padding:2px 10px; text-align:right'>{answered}</td>"
            f"<td style='padding:2px 10px; text-align:right'>{right}</td></tr>"
            for nb, (n, answered, right) in self.by_notebook().items())
        revisit = self.revisit()
        advice = ("" if not revisit else "<p>Worth revisiting: " + ", ".join(
            f"{nb} · {e(NOTEBOOK_TITLES[nb])}" for nb in revisit) + ".</p>")
        self.table.value = (
            f"<div style='font-size:1.05em'><p><b>Your score.</b> {e(self.text)}.</p>"
            "<table style='border-collapse:collapse'><tr><th style='text-align:left; padding:2px 10px'>notebook</th>"
            "<th style='padding:2px 10px'>questions</th><th style='padding:2px 10px'>answered</th>"
            f"<th style='padding:2px 10px'>right</th></tr>{rows}</table>{advice}</div>")

    def reset(self) -> None:
        """Clear every tracked question (and so the score)."""
        for w in self.questions:
            w.reset()
        self._refresh()

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        text = (f"Your score: run the notebook to answer the {len(self.questions)} questions; the score "
                "updates here as you check your answers. Nothing is recorded, saved or sent.")
        bundle["text/plain"] = text
        bundle["text/html"] = f"<p><i>{html.escape(text)}</i></p>"
        return bundle


class Quiz(widgets.VBox):
    """Several questions in a column (``questions``), numbered "Question 1 of N" when there
    is more than one, with an optional :class:`ScoreSummary` below (``summary``)."""

    def __init__(self, questions: Sequence[Question], *, title: str | None = None,
                 score: ScoreSummary | bool | None = None, show_origin: bool = False):
        if not questions:
            raise ValueError("a quiz needs at least one question")
        n = len(questions)
        self.questions = [QuestionWidget(q, label=f"Question {i} of {n}" if n > 1 else "Question",
                                         show_origin=show_origin)
                          for i, q in enumerate(questions, start=1)]
        self.title = title
        children: list[widgets.Widget] = []
        if title:
            children.append(widgets.HTML(f"<h3 style='margin:4px 0'>{html.escape(title)}</h3>"))
        children += self.questions
        self.summary: ScoreSummary | None = None
        if score is True:
            self.summary = ScoreSummary(self.questions)
            children.append(self.summary)
        elif isinstance(score, ScoreSummary):
            score.track(*self.questions)
            self.summary = score  # shown wherever the notebook displays it, not here
        elif score not in (None, False):
            raise ValueError(f"score must be a ScoreSummary, True or None, got {score!r}")
        super().__init__(children=children)
        self.add_class("clonaedu-quiz-set")

    def __getitem__(self, index) -> QuestionWidget:
        return self.questions[index]

    def __len__(self) -> int:
        return len(self.questions)

    @property
    def ids(self) -> list[str]:
        return [w.question.question_id for w in self.questions]

    @property
    def source_ids(self) -> list[str]:
        """The sources the questions cite, in order of first use (for a reference list)."""
        return list(dict.fromkeys(w.question.source_id for w in self.questions))

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        texts = [_static_text(w.question, w.label) for w in self.questions]
        htmls = [_static_html(w.question, w.label) for w in self.questions]
        if self.title:
            texts.insert(0, self.title)
            htmls.insert(0, f"<h3>{html.escape(self.title)}</h3>")
        texts.append(_RUN_HINT)
        htmls.append(f"<p><i>{_RUN_HINT}</i></p>")
        bundle["text/plain"] = "\n\n".join(texts)
        bundle["text/html"] = "".join(htmls)
        return bundle


# --------------------------------------------------------------------------------------------
# Placing questions in a notebook
# --------------------------------------------------------------------------------------------
def question(question_id: str, *, score: ScoreSummary | None = None, dataset: Dataset | None = None) -> QuestionWidget:
    """One question widget, to place beside the panel it refers to."""
    widget = QuestionWidget(bank(dataset).get(question_id))
    if score is not None:
        if not isinstance(score, ScoreSummary):
            raise ValueError(f"score must be a ScoreSummary, got {score!r}")
        score.track(widget)
    return widget


def ask(*question_ids: str, notebook=None, shuffle: bool = False, seed: int = 0, title: str | None = None,
        score: ScoreSummary | bool | None = None, dataset: Dataset | None = None) -> Quiz:
    """A :class:`Quiz` of the given questions, or of every question of ``notebook``.

    ``ask("q02-plasma-peak")``, ``ask("q03-same-average", "q03-missed-dose")`` or
    ``ask(notebook="02")`` (file order). ``shuffle=True`` orders them with ``random.Random(seed)``,
    so the order is the same on every run. ``score``: a :class:`ScoreSummary` to count them in,
    or ``True`` for one shown under the questions.
    """
    qbank = bank(dataset)
    if question_ids and notebook is not None:
        raise ValueError("give question ids or notebook=..., not both")
    if notebook is not None:
        chosen = qbank.for_notebook(notebook)
        if not chosen:
            raise ValueError(f"notebook {_notebook(notebook)} has no questions in the bank")
    elif question_ids:
        chosen = [qbank.get(qid) for qid in question_ids]
        if len(set(question_ids)) != len(question_ids):
            raise ValueError("the same question id is given twice")
    else:
        raise ValueError("ask() needs question ids, such as ask('q02-plasma-peak'), or notebook='02'")
    if shuffle:
        chosen = list(chosen)
        random.Random(seed).shuffle(chosen)
    return Quiz(chosen, title=title, score=score)


def self_check(notebooks: Iterable = CONTENT_NOTEBOOKS, per_notebook: int = 2, seed: int = 0,
               score: ScoreSummary | bool | None = True, title: str | None = None,
               dataset: Dataset | None = None) -> Quiz:
    """A mixed quiz: ``per_notebook`` questions drawn from each notebook, then shuffled, all
    with ``random.Random(seed)`` (the same questions in the same order on every run).

    Only questions that need no panel beside them are drawn. ``score=True`` (default) puts a
    :class:`ScoreSummary` under the quiz; pass your own to count these with other questions.
    """
    if isinstance(per_notebook, bool) or not isinstance(per_notebook, int) or per_notebook < 1:
        raise ValueError(f"per_notebook must be a whole number of at least 1, got {per_notebook!r}")
    qbank = bank(dataset)
    rng = random.Random(seed)
    chosen: list[Question] = []
    for nb in [_notebook(n) for n in notebooks]:
        pool = [q for q in qbank.for_notebook(nb) if not q.panel]
        if len(pool) < per_notebook:
            raise ValueError(f"notebook {nb} has {len(pool)} questions without a panel; asked for {per_notebook}")
        chosen += rng.sample(pool, per_notebook)
    if not chosen:
        raise ValueError("self_check() needs at least one notebook")
    rng.shuffle(chosen)
    return Quiz(chosen, title=title, score=score, show_origin=True)


# --------------------------------------------------------------------------------------------
# Instructor answer key
# --------------------------------------------------------------------------------------------
_KEY_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; font-size: 11pt;
       line-height: 1.45; max-width: 52em; margin: 2em auto; padding: 0 1em; color: #111; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.25em; border-bottom: 2px solid #0072B2;
     padding-bottom: 0.15em; margin-top: 1.8em; }
.notice { border-left: 4px solid #D55E00; padding: 0.3em 0.8em; background: #fbf3ee; }
.q { border: 1px solid #ccc; border-radius: 4px; padding: 0.5em 0.9em; margin: 0.8em 0;
     page-break-inside: avoid; break-inside: avoid; }
.meta { color: #555; font-size: 0.9em; } .prompt { font-weight: 600; }
ul.choices { list-style: none; padding-left: 0.6em; margin: 0.3em 0; }
.right { font-weight: 700; } .mark { display: inline-block; width: 1.4em; }
.answer { margin: 0.3em 0; } .source { color: #444; font-size: 0.9em; }
table.counts { border-collapse: collapse; } table.counts td, table.counts th { padding: 2px 10px;
     border-bottom: 1px solid #ddd; text-align: left; }
@media print { body { margin: 0; max-width: none; font-size: 10pt; } h2 { page-break-after: avoid; }
     a { color: inherit; text-decoration: none; } }
"""


def answer_key_html(qbank: Bank | None = None, notebooks: Iterable | None = None) -> str:
    """The instructor answer key as one printable HTML page (all text escaped): every
    question with its choices, answer (and accepted range), explanation and source
    citation, grouped by notebook. ``notebooks`` limits it to some notebooks."""
    qbank = bank() if qbank is None else qbank
    wanted = qbank.notebooks if notebooks is None else [_notebook(n) for n in notebooks]
    e = html.escape
    counts = qbank.counts()
    rows = "".join(f"<tr><td>{nb} · {e(NOTEBOOK_TITLES[nb])}</td><td>{counts.get(nb, 0)}</td></tr>"
                   for nb in wanted)
    total = sum(counts.get(nb, 0) for nb in wanted)
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>clonaedu: instructor answer key</title>", f"<style>{_KEY_CSS}</style>", "</head>", "<body>",
        "<h1>clonaedu: instructor answer key</h1>",
        (f'<p class="meta">Question bank data/questions.csv · {total} questions · clonaedu {e(__version__)}. '
         "For instructors: students see the same questions without the answers.</p>"),
        f'<p class="notice">{e(NOTICE)}</p>',
        f'<table class="counts"><tr><th>notebook</th><th>questions</th></tr>{rows}</table>',
    ]
    for nb in wanted:
        qs = qbank.for_notebook(nb)
        parts.append(f'<section id="notebook-{nb}"><h2>{nb} · {e(NOTEBOOK_TITLES[nb])}</h2>')
        if not qs:
            parts.append("<p>No questions.</p>")
        for i, q in enumerate(qs, start=1):
            beside = f" · beside the {e(q.panel)}" if q.panel else ""
            parts.append(f'<div class="q" id="{e(q.question_id)}">')
            parts.append(f'<div class="meta">{nb}.{i} · <code>{e(q.question_id)}</code> · {e(q.kind)} · '
                         f"{e(q.skill)}{beside}</div>")
            parts.append(f'<p class="prompt">{e(q.prompt)}</p>')
            if q.kind == "numeric":
                extra = f" ({e(q.tolerance_text)})" if q.tolerance_text else " (exact)"
                parts.append(f'<p class="answer"><span class="right">Answer: {e(q.answer_text)}</span>{extra}</p>')
            else:
                items = []
                for c in q.choices:
                    if c in q.answers:
                        items.append(f'<li class="right"><span class="mark">✔</span>{e(c)} (correct)</li>')
                    else:
                        items.append(f'<li><span class="mark">·</span>{e(c)}</li>')
                parts.append(f'<ul class="choices">{"".join(items)}</ul>')
            parts.append(f"<p><b>Why:</b> {e(q.explanation)}</p>")
            parts.append(f'<p class="source">Source: {e(q.citation)} [{e(q.source_id)}]</p>')
            parts.append("</div>")
        parts.append("</section>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
