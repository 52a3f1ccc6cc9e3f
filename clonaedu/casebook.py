"""Unfolding cases, the model half: parsing, validation and stage gating (no widgets).

The cases are data like everything else in the course: ``data/cases.csv`` (one row per case)
and ``data/case_stages.csv`` (one row per stage), each with a JSON Schema in
``data/schemas/``. :mod:`clonaedu.data` checks types, keys and sources; :func:`casebook`
then refuses, with a :class:`CaseError` naming the file, row and column, what a schema
cannot express:

* a stage whose ``case_id`` is not in ``cases.csv``, or a case without stages;
* stages not numbered 1, 2, 3 ... within a case, or a case with fewer than three stages;
* a question stage (every stage but the last) without a question id or a consequence, or
  with a task or model answer;
* a question id that is not in the question bank (``data/questions.csv``);
* a last stage that asks a question, or lacks its written task or model answer.

:class:`Progress` is the gating state of one case: stage 1 is shown first, a stage's
consequence appears only once it has been answered, and the next stage only then.
:mod:`clonaedu.cases` draws it with ipywidgets.

Educational material, not medical advice. The people in the cases are invented.
"""

from __future__ import annotations

import difflib
import functools
import math
from dataclasses import dataclass

from . import data
from .data import DataError, Dataset

__all__ = ["CaseError", "Stage", "Case", "Progress", "casebook", "case_ids", "get", "MIN_STAGES"]

#: Every case has at least this many stages (issue 13).
MIN_STAGES = 3
_STAGES = "data/case_stages.csv"
_CASES = "data/cases.csv"


class CaseError(DataError):
    """Case data that break a rule of the casebook; the message names the file, row and column."""


@dataclass(frozen=True)
class Stage:
    """One stage of a case. A question stage has ``question_id`` and ``consequence``; the last
    stage has ``task`` (what to write) and ``model_answer`` instead."""

    case_id: str
    number: int
    title: str
    information: str
    question_id: str | None
    consequence: str | None
    task: str | None
    model_answer: str | None
    source_ids: tuple[str, ...]

    @property
    def kind(self) -> str:
        """``"question"`` or ``"task"`` (the written handoff or counselling script)."""
        return "question" if self.question_id else "task"


@dataclass(frozen=True)
class Case:
    """A case: its title, setting, introduction and stages in order."""

    case_id: str
    order: int
    title: str
    setting: str
    introduction: str
    stages: tuple[Stage, ...]

    @property
    def question_ids(self) -> list[str]:
        return [s.question_id for s in self.stages if s.question_id]

    @property
    def source_ids(self) -> list[str]:
        """Every source the stages cite, in order of first use."""
        return list(dict.fromkeys(sid for s in self.stages for sid in s.source_ids))

    def stage(self, number: int) -> Stage:
        for s in self.stages:
            if s.number == number:
                return s
        raise ValueError(f"case {self.case_id!r} has stages 1 to {len(self.stages)}, not {number!r}")


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def casebook(dataset: Dataset | None = None) -> dict[str, Case]:
    """Every case, validated, keyed by case id in the order of ``cases.csv``'s ``order`` column.

    ``dataset`` defaults to the course's own data (cached); tests pass a
    :class:`clonaedu.data.Dataset` over a broken copy to see the errors.
    """
    if dataset is None:
        return _default_casebook()
    return _load(dataset)


@functools.lru_cache(maxsize=1)
def _default_casebook() -> dict[str, Case]:
    return _load(data.default_dataset())


def _load(ds: Dataset) -> dict[str, Case]:
    known_questions = set(ds.table("questions")["question_id"])  # the bank's ids (the data layer, no widgets)
    cases = ds.table("cases").sort_values("order", kind="stable")
    stages = ds.table("case_stages")
    case_rows = {row.case_id: row for row in cases.itertuples(index=False)}
    by_case: dict[str, list[tuple[int, Stage]]] = {cid: [] for cid in case_rows}
    for number, row in enumerate(stages.itertuples(index=False), start=1):
        def fail(column: str, reason: str, number=number):
            raise CaseError(f"{_STAGES}, row {number} (line {number + 1}), column {column!r}: {reason}")

        if row.case_id not in case_rows:
            close = difflib.get_close_matches(row.case_id, list(case_rows), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            fail("case_id", f"case {row.case_id!r} is not in {_CASES}{hint}")
        qid = _text(row.question_id)
        if qid is not None and qid not in known_questions:
            close = difflib.get_close_matches(qid, sorted(known_questions), n=2)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            fail("question_id", f"question {qid!r} is not in the question bank (data/questions.csv){hint}")
        stage = Stage(
            case_id=row.case_id, number=int(row.stage), title=row.title, information=row.information,
            question_id=qid, consequence=_text(row.consequence), task=_text(row.task),
            model_answer=_text(row.model_answer), source_ids=tuple(row.source_id),
        )
        by_case[row.case_id].append((number, stage))
    out: dict[str, Case] = {}
    for cid, crow in case_rows.items():
        rows = by_case[cid]
        if not rows:
            raise CaseError(f"{_CASES}: case {cid!r} has no stages in {_STAGES}")
        rows.sort(key=lambda item: item[1].number)
        numbers = [s.number for _, s in rows]
        if numbers != list(range(1, len(rows) + 1)):
            number = rows[-1][0]
            raise CaseError(f"{_STAGES}, row {number} (line {number + 1}), column 'stage': the stages of case "
                            f"{cid!r} are numbered {numbers}; number them 1, 2, 3 ... without gaps")
        if len(rows) < MIN_STAGES:
            raise CaseError(f"{_CASES}: case {cid!r} has {len(rows)} stage(s); every case needs at least "
                            f"{MIN_STAGES}")
        for i, (number, s) in enumerate(rows):
            def fail(column: str, reason: str, number=number):
                raise CaseError(f"{_STAGES}, row {number} (line {number + 1}), column {column!r}: {reason}")

            last = i == len(rows) - 1
            if last:
                if s.question_id:
                    fail("question_id", f"the last stage of case {cid!r} is the written task, not a question; "
                                        "leave question_id empty")
                if not s.task:
                    fail("task", f"the last stage of case {cid!r} needs a task (an SBAR handoff or a "
                                 "counselling script to write)")
                if not s.model_answer:
                    fail("model_answer", f"the last stage of case {cid!r} needs a model answer to compare with")
            else:
                if not s.question_id:
                    fail("question_id", f"stage {s.number} of case {cid!r} needs a question id from the bank "
                                        "(only the last stage is a written task)")
                if not s.consequence:
                    fail("consequence", f"stage {s.number} of case {cid!r} needs a consequence to show "
                                        "after the answer")
                if s.task or s.model_answer:
                    fail("task", f"stage {s.number} of case {cid!r} asks a question; only the last stage has "
                                 "a task and a model answer")
        out[cid] = Case(case_id=cid, order=int(crow.order), title=crow.title, setting=crow.setting,
                        introduction=crow.introduction, stages=tuple(s for _, s in rows))
    return out


def case_ids(dataset: Dataset | None = None) -> list[str]:
    """The case ids, in course order."""
    return list(casebook(dataset))


def get(case_id: str, dataset: Dataset | None = None) -> Case:
    """One case; ``ValueError`` naming close matches for an unknown id."""
    book = casebook(dataset)
    if not isinstance(case_id, str):
        raise ValueError(f"case_id must be a string such as {next(iter(book))!r}, got {case_id!r}")
    if case_id in book:
        return book[case_id]
    close = difflib.get_close_matches(case_id, list(book), n=2)
    hint = f"did you mean {', '.join(repr(c) for c in close)}?" if close else f"known cases: {', '.join(book)}"
    raise ValueError(f"unknown case {case_id!r}; {hint}")


class Progress:
    """Which stages of a case the student has reached and answered.

    Stage 1 is revealed at the start. :meth:`answer` records that the current stage was
    answered (a question attempted, or the written task submitted): its consequence or model
    answer is then shown, and the next stage is revealed. A stage cannot be answered before it
    is revealed, so nothing after the current stage can appear early.
    """

    def __init__(self, case: Case):
        self.case = case
        self.answered: set[int] = set()

    @property
    def revealed(self) -> list[int]:
        """Numbers of the stages on screen: every answered stage and the first unanswered one."""
        out = []
        for s in self.case.stages:
            out.append(s.number)
            if s.number not in self.answered:
                break
        return out

    @property
    def current(self) -> Stage:
        """The last revealed stage (the one waiting for an answer, or the last stage when done)."""
        return self.case.stage(self.revealed[-1])

    @property
    def complete(self) -> bool:
        return len(self.answered) == len(self.case.stages)

    def is_answered(self, number: int) -> bool:
        return number in self.answered

    def answer(self, number: int) -> list[int]:
        """Record an answer to stage ``number``; returns the stage numbers newly revealed.
        Answering a stage twice changes nothing; answering a hidden stage is a ``ValueError``."""
        self.case.stage(number)  # validates the number
        if number in self.answered:
            return []
        if number not in self.revealed:
            raise ValueError(f"stage {number} of case {self.case.case_id!r} is not revealed yet: answer stage "
                             f"{self.current.number} first")
        before = set(self.revealed)
        self.answered.add(number)
        return [n for n in self.revealed if n not in before]

    def reset(self) -> None:
        self.answered.clear()
