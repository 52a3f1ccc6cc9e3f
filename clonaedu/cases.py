"""Unfolding cases, the widget half: ``case_ids()`` and ``unfold(case_id)``.

``unfold("older_adult_opioid")`` returns a :class:`CaseWidget` that reveals a case stage by
stage. Each stage adds information (history, vital signs, a sedation score, a new medicine, a
symptom on a taper day) with its sources, and asks one question from the question bank, drawn
by :func:`clonaedu.quiz.question`. Only after the student has answered (checked an answer,
or asked to see the answer after a wrong try) does the stage show what happened next and reveal
the next stage: a wrong first try only says "try again", since the consequence would give the
answer away. The last stage asks for an SBAR handoff or a counselling script in the student's own
words (at least :data:`MIN_WORDS` words), then shows a model answer to compare with. It is not
graded, and nothing typed is saved. A score passed to :func:`unfold` counts every question of the
case from the start, not only the stages revealed so far.

The data, their validation and the gating state live in :mod:`clonaedu.casebook`; this module
only draws them. Saved without a kernel (GitHub, nbviewer), a case shows its introduction and
its first stage with the question's prompt and choices, never an answer or a later stage.

Educational material, not medical advice. The people in the cases are invented.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from . import casebook, data, quiz
from .casebook import Case, Progress, Stage
from .data import Dataset

__all__ = ["case_ids", "unfold", "CaseWidget", "StageView", "MIN_WORDS"]

#: words a written answer needs before its model answer is shown (a real attempt, not one letter)
MIN_WORDS = 20

_BLUE, _GREEN, _GREY, _ORANGE = "#0072B2", "#009E73", "#555555", "#E69F00"
_FULL = widgets.Layout(width="auto", max_width="900px")
_RUN_HINT = "Run the notebook (JupyterLab, Voila or Binder) to answer and unfold the rest of the case."
NOT_GRADED = ("Not graded: compare your answer with the model answer yourself. What you type stays in this "
              "notebook while it runs; it is not saved or sent anywhere.")


def case_ids(dataset: Dataset | None = None) -> list[str]:
    """The ids of the unfolding cases, in course order."""
    return casebook.case_ids(dataset)


def unfold(case_id: str, *, score: quiz.ScoreSummary | None = None, dataset: Dataset | None = None) -> "CaseWidget":
    """A widget that unfolds case ``case_id`` stage by stage (see the module docstring).

    ``score``: a :class:`clonaedu.quiz.ScoreSummary` that also counts the case's questions.
    Raises ``ValueError`` for an unknown case id (naming close matches).
    """
    return CaseWidget(casebook.get(case_id, dataset), score=score, dataset=dataset)


def _sources_html(stage: Stage, ds: Dataset) -> str:
    items = "; ".join(f"{html.escape(ds.cite(sid))} [{html.escape(sid)}]" for sid in stage.source_ids)
    return f"<div style='color:{_GREY}; font-size:0.9em; margin-top:4px'>Sources: {items}</div>"


def _box(color: str, inner: str) -> str:
    return (f"<div style='border-left:4px solid {color}; padding:4px 10px; margin:6px 0; line-height:1.45; "
            f"font-size:1.02em'>{inner}</div>")


class StageView(widgets.VBox):
    """One stage on screen: its information, then the question (``question``, a quiz question
    widget) or the written task (``answer_box``, ``compare_button``), then ``outcome``, which
    stays empty until the stage is answered."""

    def __init__(self, owner: "CaseWidget", stage: Stage):
        self.owner = owner
        self.stage = stage
        ds = owner.dataset
        n = len(owner.case.stages)
        self.header = widgets.HTML(
            f"<h4 style='margin:10px 0 4px 0'>Stage {stage.number} of {n} · {html.escape(stage.title)}</h4>"
            + _box(_BLUE, html.escape(stage.information)) + _sources_html(stage, ds), layout=_FULL)
        self.outcome = widgets.HTML(value="", layout=_FULL)
        self.question: quiz.QuestionWidget | None = None
        self.answer_box: widgets.Textarea | None = None
        self.compare_button: widgets.Button | None = None
        if stage.kind == "question":
            self.question = quiz.question(stage.question_id, score=owner.score, dataset=owner.dataset_arg)
            self.question.observe(self._on_question, names=["solved", "revealed"])
            middle: list[widgets.Widget] = [self.question]
        else:
            self.answer_box = widgets.Textarea(
                value="", placeholder="Write your answer here, in your own words.",
                description="Your answer", style={"description_width": "initial"},
                layout=widgets.Layout(width="100%", max_width="900px", height="160px"))
            self.compare_button = widgets.Button(
                description="Compare with a model answer", button_style="primary", disabled=True,
                tooltip=f"Write at least {MIN_WORDS} words first; then compare with a model answer (not graded)",
                layout=widgets.Layout(width="auto"))
            self.answer_box.observe(self._on_text, names="value")
            self.compare_button.on_click(lambda _: self.submit())
            task = widgets.HTML(_box(_ORANGE, f"<b>Your turn.</b> {html.escape(stage.task)}<br><small>{NOT_GRADED}"
                                             "</small>"), layout=_FULL)
            self.word_count = widgets.HTML(self._count_text(""), layout=_FULL)
            middle = [task, self.answer_box, self.word_count, self.compare_button]
        super().__init__(children=[self.header, *middle, self.outcome],
                         layout=widgets.Layout(margin="4px 0 12px 0"))
        self.add_class("clonaedu-case-stage")

    # -- answering ------------------------------------------------------------------------
    def _on_question(self, _change=None) -> None:
        q = self.question
        if q is not None and (q.solved or q.revealed):
            self.owner._answered(self.stage.number)

    @staticmethod
    def _words(text: str) -> int:
        return len(text.split())

    @classmethod
    def _count_text(cls, text: str) -> str:
        n = cls._words(text)
        if n >= MIN_WORDS:
            return f"<small style='color:{_GREY}'>{n} words.</small>"
        return f"<small style='color:{_GREY}'>{n} of at least {MIN_WORDS} words before you can compare.</small>"

    def _on_text(self, change) -> None:
        self.compare_button.disabled = self._words(change["new"]) < MIN_WORDS
        self.word_count.value = self._count_text(change["new"])

    def submit(self) -> None:
        """Show the model answer (the written task only, and only once at least ``MIN_WORDS``
        words are written)."""
        if self.answer_box is None or self._words(self.answer_box.value) < MIN_WORDS:
            return
        self.owner._answered(self.stage.number)

    def show_outcome(self) -> None:
        s = self.stage
        if s.kind == "question":
            self.outcome.value = _box(_GREEN, f"<b>What happens next.</b> {html.escape(s.consequence)}")
        else:
            self.outcome.value = _box(_GREEN, f"<b>A model answer to compare with</b> (one good answer, not the only "
                                              f"one; not graded).<br>{html.escape(s.model_answer)}")

    def reset(self) -> None:
        self.outcome.value = ""
        if self.question is not None:
            self.question.reset()
        if self.answer_box is not None:
            self.answer_box.value = ""


class CaseWidget(widgets.VBox):
    """An unfolding case. ``progress`` (a :class:`clonaedu.casebook.Progress`) says which
    stages are revealed and answered; ``views`` holds a :class:`StageView` for each revealed
    stage, and only those are on screen. ``reset()`` starts the case again."""

    def __init__(self, case: Case, *, score: quiz.ScoreSummary | None = None, dataset: Dataset | None = None):
        if score is not None and not isinstance(score, quiz.ScoreSummary):
            raise ValueError(f"score must be a clonaedu.quiz.ScoreSummary, got {score!r}")
        self.case = case
        self.score = score
        self.dataset_arg = dataset
        self.dataset = dataset if dataset is not None else data.default_dataset()
        self.progress = Progress(case)
        self.intro = widgets.HTML(
            f"<h3 style='margin:6px 0'>{html.escape(case.title)}</h3>"
            f"<p style='margin:2px 0; color:{_GREY}'>{html.escape(case.setting)}</p>"
            f"<p style='font-size:1.05em'>{html.escape(case.introduction)}</p>"
            f"<p style='color:{_GREY}; font-size:0.9em'>The case unfolds as you answer: each stage shows what "
            f"happened next, then the next stage. {len(case.stages)} stages; the last asks you to write.</p>",
            layout=_FULL)
        self.reset_button = widgets.Button(description="Start the case again", icon="refresh",
                                           tooltip="Hide every stage after the first and clear your answers")
        self.reset_button.on_click(lambda _: self.reset())
        self.views: list[StageView] = []
        self._made: dict[int, StageView] = {}  # one view per stage, reused after a reset
        if score is not None:
            # build every stage now (hidden) so the score counts all the case's questions from the start
            for stage in case.stages:
                self._made[stage.number] = StageView(self, stage)
        super().__init__(layout=widgets.Layout(margin="6px 0 16px 0"))
        self.add_class("clonaedu-case")
        self._sync()

    @property
    def revealed(self) -> list[int]:
        """Stage numbers on screen."""
        return [v.stage.number for v in self.views]

    def view(self, number: int) -> StageView:
        """The view of a revealed stage (``ValueError`` if it is still hidden)."""
        for v in self.views:
            if v.stage.number == number:
                return v
        raise ValueError(f"stage {number} of case {self.case.case_id!r} is not revealed yet")

    def _answered(self, number: int) -> None:
        self.progress.answer(number)
        self._sync()

    def _sync(self) -> None:
        for number in self.progress.revealed:
            if number not in self.revealed:
                if number not in self._made:
                    self._made[number] = StageView(self, self.case.stage(number))
                self.views.append(self._made[number])
        for v in self.views:
            if self.progress.is_answered(v.stage.number) and not v.outcome.value:
                v.show_outcome()
        self.children = [self.intro, *self.views, self.reset_button]

    def reset(self) -> None:
        """Back to stage 1 with nothing answered."""
        for v in self._made.values():
            v.reset()
        self.progress.reset()
        self.views = self.views[:1]
        self._sync()

    # -- static rendering (a saved notebook): the introduction and stage 1, no answers ----------
    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        c, s = self.case, self.case.stages[0]
        q = quiz.bank(self.dataset_arg).get(s.question_id)
        lines = [c.title, c.introduction, f"Stage 1 of {len(c.stages)} · {s.title}", s.information, q.prompt]
        lines += [f"  ( ) {choice}" for choice in q.options()] if q.choices else ["  Your answer: ________"]
        lines.append(_RUN_HINT)
        bundle["text/plain"] = "\n".join(lines)
        choices = "".join(f"<li>{html.escape(choice)}</li>" for choice in q.options())
        bundle["text/html"] = (
            f"<div class='clonaedu-case-static'><h3>{html.escape(c.title)}</h3><p>{html.escape(c.introduction)}</p>"
            f"<h4>Stage 1 of {len(c.stages)} · {html.escape(s.title)}</h4><p>{html.escape(s.information)}</p>"
            f"<p><b>{html.escape(q.prompt)}</b></p><ul>{choices}</ul><p><i>{_RUN_HINT}</i></p></div>")
        return bundle
