"""The question bank: questions, answer checking, deterministic option order, and loading.

No widgets here (the model half of the quiz; :mod:`clonaedu.quiz.widgets` draws it). The bank
is three tables, joined on ``question_id`` and validated on load:

``data/questions.csv`` (schema ``questions.json``), one row per question:
    ``question_id`` ``qNN-words`` (NN the notebook); ``notebook``; ``kind``; ``skill``; ``panel``
    (the panel a question needs beside it, or empty); ``prompt``; ``choices`` (``;``-separated);
    ``answer``; ``tolerance`` and ``unit`` (numeric only); ``explanation``; ``source_id``.
    Kinds and what ``answer`` holds:

    * ``single``: the one correct choice.
    * ``multiple``: the correct choices, ``;``-separated ("choose all that apply").
    * ``numeric``: a plain number in ``unit``; answers within ``tolerance`` are right.
    * ``order`` (ordered response): ``choices`` are the items; ``answer`` lists the same items
      in the correct order.
    * ``matrix`` (each statement true or false): ``choices`` are the statements; ``answer`` is
      ``true`` or ``false`` for each statement, in the same order (``true;false;true``).

``data/question_meta.csv`` (``question_meta.json``): ``question_id``, ``objective`` (the
learning objective the question tests, "Tell the plasma peak from the onset of effect") and
``level`` (``remember``, ``apply``, ``analyse`` or ``evaluate``). Exactly one row per question.

``data/question_feedback.csv`` (``question_feedback.json``): ``question_id``, ``option``,
``feedback``: a short reason specific to one option, shown when a student picks it. Required for
every wrong option of ``single`` and ``multiple`` questions, every statement of a ``matrix`` and
every item of an ``order`` question; allowed for the correct option (used in the answer key and the
LMS exports). For a ``numeric`` question ``option`` is an anticipated wrong number in the
question's unit ("0.25" for a per-dose figure given as a daily total); those rows are optional.

A question missing its objective, level or per-option feedback, or feedback for an option the
question does not have, is refused with a :class:`QuestionError` naming the file, row and column.

Option order: :meth:`Question.options` shuffles the choices with a seed made of ``seed`` and the
question id, so a question shows the same order on every run, the answer key and the LMS exports
(same seed) list the options in the order the student saw, and another seed gives another order
(one per class section). An ordered-response question never starts in its correct order.

Educational material, not medical advice.
"""

from __future__ import annotations

import difflib
import functools
import math
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from .. import course, data
from ..data import DataError, Dataset
from .answers import UNITS, UnreadableAnswer, fmt, normalise_unit, parse_answer, with_unit

__all__ = [
    "KINDS", "CHOICE_KINDS", "SKILLS", "LEVELS", "NOTEBOOK_TITLES", "CONTENT_NOTEBOOKS",
    "QuestionError", "Result", "Question", "Bank", "bank", "notebook_number", "draw",
]

KINDS = ("single", "multiple", "numeric", "order", "matrix")
#: kinds whose ``choices`` are options shown to the student
CHOICE_KINDS = ("single", "multiple", "order", "matrix")
SKILLS = ("recall", "calculation", "interpretation")
#: cognitive levels (a reduced Bloom's taxonomy): what the question asks the student to do
LEVELS = ("remember", "apply", "analyse", "evaluate")
#: Course structure (clonaedu.course), used for headings in the answer key and the score.
NOTEBOOK_TITLES = {nb.number: nb.title for nb in course.OUTLINE[1:]}
CONTENT_NOTEBOOKS = course.CONTENT
_EPS = 1e-9
_TRUE, _FALSE = "true", "false"


class QuestionError(DataError):
    """A question that breaks a rule of the bank; the message names the file, row and column."""


@dataclass(frozen=True)
class Result:
    """The outcome of checking one response.

    ``status``: ``right``, ``wrong``, ``wrong_unit`` (a unit that does not fit the question),
    ``unreadable`` (could not be read as an answer; say how) or ``empty`` (nothing chosen).
    Only right and wrong answers count as attempts (:attr:`counts`). ``message`` is a general
    remark ("You chose 1 of the 2 right options."); ``feedback`` holds the per-option reasons for
    what the student got wrong (never the full explanation).
    """

    status: str
    message: str
    feedback: tuple[str, ...] = ()

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
    choices: tuple[str, ...]  #: options (items, statements) in file order
    answers: tuple[str, ...]  #: correct choices (single, multiple); items in order (order); true statements (matrix)
    value: float | None  #: the correct number (numeric)
    tolerance: float | None  #: accepted distance from ``value`` (numeric, same unit)
    unit: str | None  #: canonical unit (numeric)
    explanation: str
    source_id: str
    citation: str  #: :func:`clonaedu.data.cite` of ``source_id``
    objective: str = ""
    level: str = ""
    #: (option, feedback) pairs: per option (choice kinds) or per anticipated wrong number (numeric)
    feedback: tuple[tuple[str, str], ...] = field(default=())

    # -- what is right ------------------------------------------------------------------------
    @property
    def truths(self) -> dict[str, bool]:
        """matrix: statement -> whether it is true (empty for other kinds)."""
        if self.kind != "matrix":
            return {}
        return {c: c in self.answers for c in self.choices}

    @property
    def answer_text(self) -> str:
        """The answer as a student would write it (``0.5 mg/day``; choices joined by ``;``;
        items joined by ``→``; matrix statements marked true or false)."""
        if self.kind == "numeric":
            return with_unit(self.value, self.unit)
        if self.kind == "order":
            return " → ".join(self.answers)
        if self.kind == "matrix":
            return "; ".join(f"{c}: {'true' if t else 'false'}" for c, t in self.truths.items())
        return "; ".join(self.answers)

    @property
    def tolerance_text(self) -> str:
        """``""`` for an exact answer, else ``"answers from 4.75 to 5.25 days are accepted"``."""
        if self.kind != "numeric" or not self.tolerance:
            return ""
        low, high = self.value - self.tolerance, self.value + self.tolerance
        return f"answers from {fmt(low)} to {with_unit(high, self.unit)} are accepted"

    def feedback_for(self, option: str) -> str | None:
        """The per-option feedback for ``option`` (a choice, or a number for numeric questions)."""
        for key, text in self.feedback:
            if key == option:
                return text
        return None

    # -- the order the student sees -------------------------------------------------------------
    def options(self, seed: int = 0) -> tuple[str, ...]:
        """The choices in the order shown with ``seed`` (deterministic per question and seed).

        An ``order`` question is never shown in its correct order. Numeric questions have none.
        """
        if self.kind not in CHOICE_KINDS:
            return ()
        rng = random.Random(f"clonaedu:{seed}:{self.question_id}")
        shown = list(self.choices)
        rng.shuffle(shown)
        if self.kind == "order":
            while tuple(shown) == self.answers:
                rng.shuffle(shown)
        return tuple(shown)

    # -- checking --------------------------------------------------------------------------------
    def check(self, response) -> Result:
        """Check a response, never raising for a student's input: a choice (``single``), an
        iterable of choices (``multiple``), the typed text (``numeric``), the items in the
        student's order (``order``), or a mapping statement -> True/False (``matrix``)."""
        if self.kind == "single":
            return self._check_single(response)
        if self.kind == "multiple":
            return self._check_multiple(response)
        if self.kind == "order":
            return self._check_order(response)
        if self.kind == "matrix":
            return self._check_matrix(response)
        return self._check_number(response)

    def _reasons(self, options: Iterable[str]) -> tuple[str, ...]:
        return tuple(text for text in (self.feedback_for(o) for o in options) if text)

    def _check_single(self, response) -> Result:
        if response is None or response == "":
            return Result("empty", "Choose an answer first.")
        if response not in self.choices:
            return Result("unreadable", "Choose one of the options.")
        if response == self.answers[0]:
            return Result("right", "")
        return Result("wrong", "", self._reasons([response]))

    def _check_multiple(self, response) -> Result:
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
        wrong = [c for c in self.choices if c in chosen - right]
        return Result("wrong", detail, self._reasons(wrong))

    def _check_order(self, response) -> Result:
        items = tuple(response or ())
        if sorted(items) != sorted(self.choices):
            return Result("unreadable", "Put every item in order, each once.")
        if items == self.answers:
            return Result("right", "")
        placed = sum(a == b for a, b in zip(items, self.answers))
        misplaced = [i for i, a in zip(items, self.answers) if i != a]
        detail = f"{placed} of the {len(items)} items are in the right place."
        return Result("wrong", detail, self._reasons(misplaced))

    def _check_matrix(self, response) -> Result:
        judged = dict(response or {})
        if set(judged) - set(self.choices):
            return Result("unreadable", "Judge the statements shown.")
        if any(judged.get(c) is None for c in self.choices):
            return Result("empty", "Mark every statement true or false first.")
        truths = self.truths
        wrong = [c for c in self.choices if bool(judged[c]) != truths[c]]
        if not wrong:
            return Result("right", "")
        detail = f"You judged {len(self.choices) - len(wrong)} of the {len(self.choices)} statements correctly."
        return Result("wrong", detail, self._reasons(wrong))

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
        slack = self.tolerance + _EPS * max(1.0, abs(self.value))
        if abs(value - self.value) <= slack:
            return Result("right", "")
        if (self.unit == "%" and unit_text is None
                and abs(100 * value - self.value) <= slack):
            return Result("unreadable", "Give the answer as a percentage (for example 25 for 25%), not a "
                                        "fraction of 1.")
        reasons = tuple(text for number, text in self.feedback
                        if abs(value - float(number)) <= slack)
        return Result("wrong", "", reasons[:1])


# --------------------------------------------------------------------------------------------
# The bank
# --------------------------------------------------------------------------------------------
class Bank(Sequence):
    """The validated questions in file order. ``bank[i]``, ``len(bank)``, ``bank.get(id)``,
    ``bank.for_notebook("02")``, ``bank.counts()``, ``bank.select(["02", "03"])``."""

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
        nb = notebook_number(notebook)
        return [q for q in self.questions if q.notebook == nb]

    def select(self, notebooks: Iterable | None = None) -> list[Question]:
        """The questions of these notebooks (all when ``None``), in file order."""
        if notebooks is None:
            return list(self.questions)
        wanted = {notebook_number(n) for n in notebooks}
        return [q for q in self.questions if q.notebook in wanted]

    def counts(self) -> dict[str, int]:
        """Number of questions per notebook."""
        out: dict[str, int] = {}
        for q in self.questions:
            out[q.notebook] = out.get(q.notebook, 0) + 1
        return dict(sorted(out.items()))


def notebook_number(value) -> str:
    """``"02"`` for ``2``, ``"2"`` or ``"02"``; ``ValueError`` for a notebook the course lacks."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"notebook must be a number such as '02', got {value!r}")
    text = str(value).strip()
    if text.isdigit() and f"{int(text):02d}" in NOTEBOOK_TITLES:
        return f"{int(text):02d}"
    raise ValueError(f"unknown notebook {value!r}; choose one of {', '.join(NOTEBOOK_TITLES)}")


def draw(qbank: Bank, notebooks: Iterable = CONTENT_NOTEBOOKS, per_notebook: int = 2, seed: int = 0) -> list[Question]:
    """The questions of a mixed self-check: ``per_notebook`` drawn from each notebook among those
    that need no panel beside them, then shuffled, all with ``random.Random(seed)`` (the same
    questions in the same order on every run)."""
    if isinstance(per_notebook, bool) or not isinstance(per_notebook, int) or per_notebook < 1:
        raise ValueError(f"per_notebook must be a whole number of at least 1, got {per_notebook!r}")
    rng = random.Random(seed)
    chosen: list[Question] = []
    for nb in [notebook_number(n) for n in notebooks]:
        pool = [q for q in qbank.for_notebook(nb) if not q.panel]
        if len(pool) < per_notebook:
            raise ValueError(f"notebook {nb} has {len(pool)} questions without a panel; asked for {per_notebook}")
        chosen += rng.sample(pool, per_notebook)
    if not chosen:
        raise ValueError("self_check() needs at least one notebook")
    rng.shuffle(chosen)
    return chosen


def bank(dataset: Dataset | None = None) -> Bank:
    """Load and validate the question bank (questions, their metadata and per-option feedback).

    The data layer checks each table's schema (types, allowed values, unique keys, known source
    ids); this function then refuses, with a :class:`QuestionError` naming the file, row and
    column: an id whose ``qNN`` does not match ``notebook``; a choice question with fewer than two
    choices, duplicate choices, an answer that is not among its choices, more than one answer for
    ``single``, or a unit or tolerance; an ``order`` answer that is not its items in some order; a
    ``matrix`` answer that is not one ``true``/``false`` per statement; a numeric question with
    choices, without a unit, with a unit this module cannot read or not written in its canonical
    form, without a tolerance, or whose answer is not a plain number; a question without its row
    in ``question_meta.csv`` or without feedback for an option that needs it; and a metadata or
    feedback row for a question or option that does not exist.

    ``dataset`` defaults to the course's own data (cached); tests pass a
    :class:`clonaedu.data.Dataset` over a broken copy.
    """
    if dataset is None:
        return _default_bank()
    return _load(dataset)


@functools.lru_cache(maxsize=1)
def _default_bank() -> Bank:
    return _load(data.default_dataset())


def _where(table: str, number: int) -> str:
    return f"data/{table}.csv, row {number} (line {number + 1})"


def _load(ds: Dataset) -> Bank:
    frame = ds.table("questions")
    rows = list(frame.itertuples(index=False))
    ids = {row.question_id: number for number, row in enumerate(rows, start=1)}
    meta = _meta(ds, ids)
    feedback = _feedback(ds, ids)
    questions = [_question(ds, number, row, meta, feedback.get(row.question_id, []))
                 for number, row in enumerate(rows, start=1)]
    return Bank(questions)


def _meta(ds: Dataset, ids: Mapping[str, int]) -> dict[str, tuple[str, str]]:
    out = {}
    for number, row in enumerate(ds.table("question_meta").itertuples(index=False), start=1):
        if row.question_id not in ids:
            raise QuestionError(f"{_where('question_meta', number)}, column 'question_id': "
                                f"{row.question_id!r} is not a question in data/questions.csv")
        out[row.question_id] = (row.objective, row.level)
    return out


def _feedback(ds: Dataset, ids: Mapping[str, int]) -> dict[str, list[tuple[int, str, str]]]:
    out: dict[str, list[tuple[int, str, str]]] = {}
    for number, row in enumerate(ds.table("question_feedback").itertuples(index=False), start=1):
        if row.question_id not in ids:
            raise QuestionError(f"{_where('question_feedback', number)}, column 'question_id': "
                                f"{row.question_id!r} is not a question in data/questions.csv")
        out.setdefault(row.question_id, []).append((number, row.option, row.feedback))
    return out


def _text(value) -> str | None:
    """A text cell, or None for an empty one (pandas may hold it as None or NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def _question(ds: Dataset, number: int, row, meta: Mapping[str, tuple[str, str]],
              feedback_rows: list[tuple[int, str, str]]) -> Question:
    def fail(column: str, reason: str):
        raise QuestionError(f"{_where('questions', number)}, column {column!r}: {reason}")

    qid = row.question_id
    if qid[1:3] != row.notebook:
        fail("notebook", f"question {qid!r} starts with q{qid[1:3]} but its notebook is {row.notebook!r}")
    choices = tuple(row.choices)
    tolerance = None if pd.isna(row.tolerance) else float(row.tolerance)
    unit, panel = _text(row.unit), _text(row.panel)
    answers: tuple[str, ...] = ()
    value = None
    if row.kind in CHOICE_KINDS:
        if len(choices) < 2:
            fail("choices", f"a {row.kind} question needs at least two ';'-separated choices, got {len(choices)}")
        duplicates = sorted({c for c in choices if choices.count(c) > 1})
        if duplicates:
            fail("choices", f"choice {duplicates[0]!r} appears more than once")
        given = tuple(a.strip() for a in row.answer.split(";") if a.strip())
        if row.kind == "matrix":
            if len(given) != len(choices) or any(a.lower() not in (_TRUE, _FALSE) for a in given):
                fail("answer", f"a matrix answer is 'true' or 'false' for each of its {len(choices)} statements, "
                               f"';'-separated in the order of the choices, got {row.answer!r}")
            answers = tuple(c for c, a in zip(choices, given) if a.lower() == _TRUE)
        else:
            for answer in given:
                if answer not in choices:
                    fail("answer", f"answer {answer!r} is not among the choices ({'; '.join(choices)})")
            if len(set(given)) != len(given):
                fail("answer", "the same choice is listed twice in the answer")
            if row.kind == "single" and len(given) != 1:
                fail("answer", f"a single-choice question has exactly one answer, got {len(given)}")
            if row.kind == "order" and sorted(given) != sorted(choices):
                fail("answer", "an ordered-response answer lists every item once, in the correct order")
            answers = given
        if unit is not None:
            fail("unit", f"a {row.kind} question has no unit (got {unit!r}); leave the cell empty")
        if tolerance is not None:
            fail("tolerance", f"a {row.kind} question has no tolerance; leave the cell empty")
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
    if qid not in meta:
        fail("question_id", f"question {qid!r} has no row in data/question_meta.csv: add its learning "
                            f"objective and its level ({', '.join(LEVELS)})")
    objective, level = meta[qid]
    feedback = _question_feedback(qid, row.kind, choices, answers, value, unit, tolerance, feedback_rows, fail)
    return Question(
        question_id=qid, notebook=row.notebook, kind=row.kind, skill=row.skill, panel=panel,
        prompt=row.prompt, choices=choices, answers=answers, value=value, tolerance=tolerance, unit=unit,
        explanation=row.explanation, source_id=row.source_id, citation=ds.cite(row.source_id),
        objective=objective, level=level, feedback=feedback,
    )


def _question_feedback(qid, kind, choices, answers, value, unit, tolerance, rows, fail) -> tuple[tuple[str, str], ...]:
    out: dict[str, str] = {}
    for number, option, text in rows:
        where = f"{_where('question_feedback', number)}, column 'option'"
        if kind in CHOICE_KINDS:
            if option not in choices:
                close = difflib.get_close_matches(option, choices, n=1, cutoff=0.5)
                hint = f"; did you mean {close[0]!r}?" if close else f" (options: {'; '.join(choices)})"
                raise QuestionError(f"{where}: {option!r} is not an option of {qid!r}{hint}")
        else:
            try:
                number_value, unit_text = parse_answer(option)
            except UnreadableAnswer:
                number_value, unit_text = None, "?"
            if number_value is None or unit_text is not None:
                raise QuestionError(f"{where}: feedback for the numeric question {qid!r} is keyed by a plain "
                                    f"number in {unit} (an anticipated wrong answer), got {option!r}")
            if abs(number_value - value) <= (tolerance or 0) + _EPS * max(1.0, abs(value)):
                raise QuestionError(f"{where}: {option!r} is an accepted answer of {qid!r}; feedback rows "
                                    "for numeric questions are for wrong answers")
        if option in out:
            raise QuestionError(f"{where}: {qid!r} has feedback for {option!r} twice")
        out[option] = text
    if kind in ("single", "multiple"):
        needed = [c for c in choices if c not in answers]
        what = "wrong option"
    elif kind in ("order", "matrix"):
        needed = list(choices)
        what = "item" if kind == "order" else "statement"
    else:
        needed, what = [], ""
    missing = [c for c in needed if c not in out]
    if missing:
        fail("choices", f"question {qid!r} has no per-option feedback for the {what} {missing[0]!r}: add a row "
                        f"to data/question_feedback.csv with a short reason specific to that {what}")
    order = {c: i for i, c in enumerate(choices)}
    ranked = sorted(out.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    return tuple(ranked)
