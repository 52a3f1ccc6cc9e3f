"""Quiz widgets: one question, a set of questions, and the score with its results receipt.

ipywidgets only (no server extension), so everything works in JupyterLab, Voila and Binder.

* Options are shown in the order :meth:`Question.options` gives for the widget's ``seed`` (0 by
  default), the same order the answer key and the LMS exports list.
* A wrong attempt shows the reason for the option(s) chosen wrongly, never the full explanation;
  the explanation and source appear after a right answer or **Show answer** (offered after the
  first attempt). The score counts questions right at the first try.
* **Download my results** (under every score) makes a JSON file and a printable HTML page with
  the name the student typed, the course version, the date and, per question, the answer, the
  attempts and the first-try result, offered as download links (``data:`` URIs, no server). Until
  the student clicks, nothing with a date is shown, so saved notebooks stay deterministic.

Saved without a kernel (GitHub, nbviewer) every widget shows its prompt and options as text,
never the answer.
"""

from __future__ import annotations

import html
import random
from collections.abc import Iterable, Sequence

import ipywidgets as widgets
import traitlets

from ..data import Dataset
from . import receipt as _receipt
from .model import CONTENT_NOTEBOOKS, NOTEBOOK_TITLES, Question, Result, bank, draw, notebook_number

__all__ = ["QuestionWidget", "Quiz", "ScoreSummary", "question", "ask", "self_check"]

# Okabe-Ito colours (the same palette as clonaedu.plots; kept here so the quiz does not import
# matplotlib). Right and wrong are also said in words, never by colour alone.
_GREEN, _VERMILLION, _BLUE, _GREY = "#009E73", "#D55E00", "#0072B2", "#666666"
_RUN_HINT = "Run the notebook (JupyterLab, Voila or Binder) to check your answer."
_FULL = widgets.Layout(width="auto", max_width="900px")
_TRUE, _FALSE = "True", "False"


# --------------------------------------------------------------------------------------------
# Static text (what a saved notebook shows without a kernel): prompt and options, no answer
# --------------------------------------------------------------------------------------------
def _static_text(q: Question, label: str, seed: int = 0) -> str:
    lines = [f"{label} [{q.question_id}]", q.prompt]
    shown = q.options(seed)
    if q.kind == "single":
        lines += [f"  ( ) {c}" for c in shown]
    elif q.kind == "multiple":
        lines += [f"  [ ] {c}" for c in shown]
    elif q.kind == "order":
        lines += [f"  {i}. {c}" for i, c in enumerate(shown, start=1)]
    elif q.kind == "matrix":
        lines += [f"  true / false: {c}" for c in shown]
    else:
        lines.append(f"  Your answer: ________ {q.unit}")
    return "\n".join(lines)


def _static_html(q: Question, label: str, seed: int = 0) -> str:
    e = html.escape
    shown = q.options(seed)
    if q.kind == "numeric":
        body = f"<p>Your answer: ________ {e(q.unit)}</p>"
    elif q.kind == "order":
        body = "<ol>" + "".join(f"<li>{e(c)}</li>" for c in shown) + "</ol>"
    elif q.kind == "matrix":
        body = ('<ul style="list-style:none; padding-left:1em; margin:0.3em 0">'
                + "".join(f"<li>&#9675; true &#9675; false: {e(c)}</li>" for c in shown) + "</ul>")
    else:
        mark = "&#9675;" if q.kind == "single" else "&#9744;"  # ○ or ☐
        items = "".join(f"<li>{mark} {e(c)}</li>" for c in shown)
        body = f'<ul style="list-style:none; padding-left:1em; margin:0.3em 0">{items}</ul>'
    return (f'<div class="clonaedu-quiz-static" style="border-left:4px solid {_BLUE}; padding:2px 10px; '
            f'margin:6px 0"><p><b>{e(label)}</b> <small style="color:{_GREY}">[{e(q.question_id)}]</small>'
            f"</p><p>{e(q.prompt)}</p>{body}</div>")


def _box(color: str, inner: str) -> str:
    return (f'<div style="border-left:4px solid {color}; padding:4px 10px; margin-top:4px; '
            f'line-height:1.45; font-size:1.02em">{inner}</div>')


# --------------------------------------------------------------------------------------------
# One question
# --------------------------------------------------------------------------------------------
class QuestionWidget(widgets.VBox):
    """One question: prompt, answer control, **Check**, **Show answer** and feedback.

    ``control`` is a ``RadioButtons`` (single), a ``VBox`` of ``Checkbox`` (multiple, also in
    ``boxes``), a ``Text`` (numeric; Enter checks), a ``VBox`` of rows with move-up/move-down
    buttons (order; the current order is ``order_items``) or a ``VBox`` of True/False
    ``ToggleButtons`` (matrix, also in ``toggles``). Options appear in ``question.options(seed)``
    order (``shown``). ``check_button.click()`` checks the current response; ``show_button`` is
    disabled until the first attempt. State for the score: ``attempts`` (right or wrong checks),
    ``solved`` (right before the answer was shown), ``solved_at`` (the attempt that solved it),
    ``revealed``, and ``first_response`` (the answer given at the first attempt). ``last_result``
    is the last :class:`Result`. Nothing is stored outside this object.
    """

    attempts = traitlets.Int(0)
    solved = traitlets.Bool(False)
    solved_at = traitlets.Int(0)
    revealed = traitlets.Bool(False)

    def __init__(self, q: Question, *, label: str = "Question", show_origin: bool = False, seed: int = 0):
        self.question = q
        self.label = label
        self.seed = seed
        self.shown = q.options(seed)
        self.last_result: Result | None = None
        self.first_response = None
        self.last_response = None
        origin = f" · from notebook {q.notebook}" if show_origin else ""
        self.header = widgets.HTML(
            f'<div style="font-size:1.05em; line-height:1.45"><b>{html.escape(label)}</b> '
            f'<small style="color:{_GREY}">[{html.escape(q.question_id)}]{html.escape(origin)}</small><br>'
            f"{html.escape(q.prompt)}</div>", layout=_FULL)
        self.boxes: list[widgets.Checkbox] = []
        self.toggles: list[widgets.ToggleButtons] = []
        self.order_items: list[str] = []
        unit_words = ""
        if q.kind == "single":
            self.control = widgets.RadioButtons(options=list(self.shown), value=None, layout=_FULL)
        elif q.kind == "multiple":
            self.boxes = [widgets.Checkbox(value=False, description=c, indent=False, layout=_FULL)
                          for c in self.shown]
            self.control = widgets.VBox(self.boxes)
        elif q.kind == "order":
            self.order_items = list(self.shown)
            self.control = widgets.VBox(layout=_FULL)
            self._draw_order()
        elif q.kind == "matrix":
            self.toggles = [widgets.ToggleButtons(options=[_TRUE, _FALSE], value=None, tooltips=[
                f"{c}: true", f"{c}: false"], style={"button_width": "70px"}) for c in self.shown]
            rows = [widgets.HBox([t, widgets.HTML(f"<span style='line-height:1.4'>{html.escape(c)}</span>",
                                                  layout=_FULL)])
                    for t, c in zip(self.toggles, self.shown)]
            self.control = widgets.VBox(rows, layout=_FULL)
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
        hint = {
            "numeric": f"({html.escape(unit_words)}; the unit is optional)",
            "order": "Put the items in order with the arrow buttons, first at the top.",
            "matrix": "Mark each statement true or false.",
        }.get(q.kind)
        parts = [self.header]
        if q.kind == "numeric":
            parts.append(widgets.HBox([self.control, widgets.HTML(f"<span style='color:{_GREY}'>{hint}</span>")]))
        else:
            if hint:
                parts.append(widgets.HTML(f"<span style='color:{_GREY}'>{html.escape(hint)}</span>"))
            parts.append(self.control)
        super().__init__(children=[*parts, buttons, self.feedback], layout=widgets.Layout(margin="10px 0 14px 0"))
        self.add_class("clonaedu-quiz")

    # -- ordered response ------------------------------------------------------------------
    def _draw_order(self) -> None:
        rows = []
        n = len(self.order_items)
        for i, item in enumerate(self.order_items):
            up = widgets.Button(icon="arrow-up", description="", disabled=i == 0,
                                tooltip=f"Move '{item}' up", layout=widgets.Layout(width="36px"))
            down = widgets.Button(icon="arrow-down", description="", disabled=i == n - 1,
                                  tooltip=f"Move '{item}' down", layout=widgets.Layout(width="36px"))
            up.on_click(lambda _, i=i: self.move(i, -1))
            down.on_click(lambda _, i=i: self.move(i, +1))
            text = widgets.HTML(f"<span style='line-height:1.4'><b>{i + 1}.</b> {html.escape(item)}</span>",
                                layout=_FULL)
            rows.append(widgets.HBox([up, down, text]))
        self.control.children = rows

    def move(self, index: int, step: int) -> None:
        """Move the item at ``index`` up (``step=-1``) or down (``+1``) one place."""
        j = index + step
        if not (0 <= index < len(self.order_items) and 0 <= j < len(self.order_items)):
            return
        items = self.order_items
        items[index], items[j] = items[j], items[index]
        self._draw_order()

    # -- the response --------------------------------------------------------------------
    @property
    def response(self):
        """What the student has entered: a choice or None, a tuple of choices, the text, the items
        in order (order) or a dict statement -> True/False/None (matrix)."""
        kind = self.question.kind
        if kind == "multiple":
            return tuple(b.description for b in self.boxes if b.value)
        if kind == "order":
            return tuple(self.order_items)
        if kind == "matrix":
            return {c: None if t.value is None else t.value == _TRUE for c, t in zip(self.shown, self.toggles)}
        return self.control.value

    def respond(self, value) -> None:
        """Set the answer control as a student would: a choice, an iterable of choices, text, the
        items in order, or a mapping statement -> True/False."""
        q = self.question
        if q.kind == "multiple":
            wanted = {value} if isinstance(value, str) else set(value)
            unknown = wanted - set(q.choices)
            if unknown:
                raise ValueError(f"not a choice of {q.question_id}: {sorted(unknown)}")
            for box in self.boxes:
                box.value = box.description in wanted
        elif q.kind == "order":
            items = list(value)
            if sorted(items) != sorted(q.choices):
                raise ValueError(f"give every item of {q.question_id} once, in your order")
            self.order_items = items
            self._draw_order()
        elif q.kind == "matrix":
            judged = dict(value)
            unknown = set(judged) - set(q.choices)
            if unknown:
                raise ValueError(f"not a statement of {q.question_id}: {sorted(unknown)}")
            for c, t in zip(self.shown, self.toggles):
                v = judged.get(c)
                t.value = None if v is None else (_TRUE if v else _FALSE)
        else:
            self.control.value = value

    def _on_text_msg(self, _widget, content, _buffers) -> None:
        if content.get("event") == "submit":
            self.check()

    @property
    def response_text(self) -> str:
        """The last checked answer as text (for the receipt); empty before the first attempt."""
        return _as_text(self.question, self.last_response)

    # -- actions ---------------------------------------------------------------------------
    def check(self) -> Result:
        """Check the current response, show feedback, update the score state."""
        q = self.question
        response = self.response
        result = q.check(response)
        self.last_result = result
        if not result.counts:
            self.feedback.value = _box(_BLUE, f"<b>{html.escape(result.message)}</b>")
            return result
        self.last_response = response
        if self.attempts == 0:
            self.first_response = response
        self.attempts += 1
        if result.correct and not self.revealed and not self.solved:
            self.solved_at = self.attempts
            self.solved = True
        self.show_button.disabled = False
        self.show_button.tooltip = "Show the answer"
        if result.correct:
            head = "✔ Right."
            if self.revealed and self.solved_at == 0:
                head += " (After the answer was shown, so it does not count in your score.)"
            self.feedback.value = _box(_GREEN, f"<b>{html.escape(head)}</b> {self._why()}")
            return result
        head = "✘ Not quite."
        if result.message:
            head += " " + result.message
        reasons = "".join(f"<li>{html.escape(r)}</li>" for r in result.feedback)
        reasons = f"<ul style='margin:4px 0'>{reasons}</ul>" if reasons else ""
        self.feedback.value = _box(_VERMILLION, f"<b>{html.escape(head)}</b>{reasons}"
                                   f"<span style='color:{_GREY}'>Try again, or use Show answer.</span>")
        return result

    def reveal(self) -> None:
        """Show the answer, the explanation and the source (only after an attempt)."""
        if self.attempts == 0:
            return
        q = self.question
        self.revealed = True
        if q.kind == "multiple":
            answer = " · ".join(c for c in self.shown if c in q.answers)
        elif q.kind == "matrix":
            answer = "; ".join(f"{c}: {'true' if q.truths[c] else 'false'}" for c in self.shown)
        else:
            answer = q.answer_text
        extra = f" ({html.escape(q.tolerance_text)})" if q.tolerance_text else ""
        self.feedback.value = _box(_BLUE, f"<b>Answer: {html.escape(answer)}</b>{extra}. {self._why()}")

    def _why(self) -> str:
        q = self.question
        return (f"{html.escape(q.explanation)}<br><small style='color:{_GREY}'>Source: "
                f"{html.escape(q.citation)} [{html.escape(q.source_id)}]</small>")

    def reset(self) -> None:
        """Clear the response, feedback and score state (the student starts again)."""
        kind = self.question.kind
        if kind == "multiple":
            for box in self.boxes:
                box.value = False
        elif kind == "order":
            self.order_items = list(self.shown)
            self._draw_order()
        elif kind == "matrix":
            for t in self.toggles:
                t.value = None
        else:
            self.control.value = None if kind == "single" else ""
        self.feedback.value = ""
        self.last_result = None
        self.first_response = None
        self.last_response = None
        self.show_button.disabled = True
        self.show_button.tooltip = "Available after your first attempt"
        self.solved = False
        self.solved_at = 0
        self.revealed = False
        self.attempts = 0

    def record(self) -> dict:
        """This question's line of the results receipt."""
        q = self.question
        return {
            "question_id": q.question_id, "notebook": q.notebook, "kind": q.kind, "prompt": q.prompt,
            "answer": self.response_text, "first_answer": _as_text(q, self.first_response),
            "attempts": self.attempts, "first_try_right": bool(self.solved and self.solved_at == 1),
            "solved": bool(self.solved), "answer_shown": bool(self.revealed),
        }

    # -- static rendering -------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = _static_text(self.question, self.label, self.seed) + "\n" + _RUN_HINT
        bundle["text/html"] = _static_html(self.question, self.label, self.seed) + f"<p><i>{_RUN_HINT}</i></p>"
        return bundle


def _as_text(q: Question, response) -> str:
    if response is None:
        return ""
    if q.kind == "multiple":
        return "; ".join(response)
    if q.kind == "order":
        return " → ".join(response)
    if q.kind == "matrix":
        return "; ".join(f"{c}: {'true' if v else 'false'}" for c, v in response.items())
    return str(response)


# --------------------------------------------------------------------------------------------
# The score and the results receipt
# --------------------------------------------------------------------------------------------
class ScoreSummary(widgets.VBox):
    """A live score for the questions it tracks: right at the first try (the score), answered,
    right in the end, answers shown, per notebook, with the notebooks worth revisiting.

    **Start again** clears every answer. **Download my results** offers the receipt (JSON and a
    printable HTML page, :mod:`clonaedu.quiz.receipt`) as download links, with the name typed in
    ``name``. Nothing is recorded, saved or sent anywhere unless the student downloads it.
    """

    def __init__(self, questions: Iterable[QuestionWidget] = ()):
        self.questions: list[QuestionWidget] = []
        self.table = widgets.HTML(layout=_FULL)
        self.reset_button = widgets.Button(description="Start again", icon="refresh",
                                           tooltip="Clear every answer and the score (nothing is saved anywhere)")
        self.reset_button.on_click(lambda _: self.reset())
        self.name = widgets.Text(value="", placeholder="your name", description="Name on the receipt",
                                 style={"description_width": "initial"}, layout=widgets.Layout(width="360px"))
        self.download_button = widgets.Button(description="Download my results", icon="download",
                                              tooltip="Make a file of your answers and score (self-reported)")
        self.download_button.on_click(lambda _: self.offer_download())
        self.download = widgets.HTML(layout=_FULL)
        note = widgets.HTML(f"<small style='color:{_GREY}'>Your answers and this score exist only while the "
                            "notebook runs: nothing is recorded or sent to anyone. <b>Download my results</b> "
                            "saves them to your computer; the file is self-reported and suits formative credit "
                            "only.</small>")
        super().__init__(children=[self.table, widgets.HBox([self.reset_button]),
                                   widgets.HBox([self.name, self.download_button]), self.download, note],
                         layout=widgets.Layout(margin="8px 0"))
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
        """questions, answered (at least one attempt), first_try (right at the first attempt:
        the score), right (solved before the answer was shown), shown (answer shown without
        solving)."""
        qs = self.questions
        return {
            "questions": len(qs),
            "answered": sum(w.attempts > 0 for w in qs),
            "right": sum(w.solved for w in qs),
            "first_try": sum(w.solved and w.solved_at == 1 for w in qs),
            "shown": sum(w.revealed and not w.solved for w in qs),
        }

    def by_notebook(self) -> dict[str, tuple[int, int, int]]:
        """notebook -> (questions, answered, right at the first try)."""
        out: dict[str, list[int]] = {}
        for w in self.questions:
            row = out.setdefault(w.question.notebook, [0, 0, 0])
            row[0] += 1
            row[1] += w.attempts > 0
            row[2] += w.solved and w.solved_at == 1
        return {nb: tuple(v) for nb, v in sorted(out.items())}

    @property
    def text(self) -> str:
        """The score in one line."""
        t = self.totals
        return (f"{t['first_try']} of {t['questions']} right at the first try · answered {t['answered']} · "
                f"right in the end {t['right']} · answers shown {t['shown']}")

    def revisit(self) -> list[str]:
        """Content notebooks with a question answered wrongly or shown before it was solved (the
        case questions build on all of them, so the cases notebook is never suggested)."""
        out = []
        for w in self.questions:
            missed = (w.attempts > 0 or w.revealed) and not w.solved
            if missed and w.question.notebook in CONTENT_NOTEBOOKS and w.question.notebook not in out:
                out.append(w.question.notebook)
        return sorted(out)

    def _refresh(self, _change=None) -> None:
        e = html.escape
        rows = "".join(
            f"<tr><td style='padding:2px 10px'>{nb} · {e(NOTEBOOK_TITLES.get(nb, ''))}</td>"
            f"<td style='padding:2px 10px; text-align:right'>{n}</td>"
            f"<td style='padding:2px 10px; text-align:right'>{answered}</td>"
            f"<td style='padding:2px 10px; text-align:right'>{first}</td></tr>"
            for nb, (n, answered, first) in self.by_notebook().items())
        revisit = self.revisit()
        advice = ("" if not revisit else "<p>Worth revisiting: " + ", ".join(
            f"{nb} · {e(NOTEBOOK_TITLES.get(nb, ''))}" for nb in revisit) + ".</p>")
        self.table.value = (
            f"<div style='font-size:1.05em'><p><b>Your score.</b> {e(self.text)}.</p>"
            "<table style='border-collapse:collapse'><tr><th style='text-align:left; padding:2px 10px'>notebook</th>"
            "<th style='padding:2px 10px'>questions</th><th style='padding:2px 10px'>answered</th>"
            f"<th style='padding:2px 10px'>right at first try</th></tr>{rows}</table>{advice}</div>")

    def reset(self) -> None:
        """Clear every tracked question (and so the score and any offered download)."""
        for w in self.questions:
            w.reset()
        self.download.value = ""
        self._refresh()

    # -- the receipt -----------------------------------------------------------------------------
    def receipt(self, when=None) -> dict:
        """The results receipt now (see :func:`clonaedu.quiz.receipt.build`)."""
        return _receipt.build([w.record() for w in self.questions], name=self.name.value, when=when)

    def offer_download(self, when=None) -> dict:
        """Build the receipt and show download links for it (JSON and printable HTML)."""
        r = self.receipt(when=when)
        stem = _receipt.file_stem(r)
        e = html.escape
        json_uri = _receipt.data_uri(_receipt.to_json(r), "application/json")
        html_uri = _receipt.data_uri(_receipt.to_html(r), "text/html")
        t = r["totals"]
        self.download.value = (
            f"<div class='clonaedu-receipt' style='border-left:4px solid {_BLUE}; padding:4px 10px'>"
            f"<p>Your results ({t['first_try_right']} of {t['questions']} right at the first try, {e(r['date'])} "
            f"UTC{', ' + e(r['name']) if r['name'] else ', no name given'}):</p><p>"
            f'<a download="{e(stem)}.html" href="{html_uri}" target="_blank" rel="noopener">'
            "Save the printable page (HTML)</a> · "
            f'<a download="{e(stem)}.json" href="{json_uri}">Save the data file (JSON)</a></p>'
            f"<p><small>{e(_receipt.SELF_REPORTED)}</small></p></div>")
        return r

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        text = (f"Your score: run the notebook to answer the {len(self.questions)} questions; the score "
                "updates here as you check your answers. Nothing is recorded, saved or sent.")
        bundle["text/plain"] = text
        bundle["text/html"] = f"<p><i>{html.escape(text)}</i></p>"
        return bundle


# --------------------------------------------------------------------------------------------
# Several questions
# --------------------------------------------------------------------------------------------
class Quiz(widgets.VBox):
    """Several questions in a column (``questions``), numbered "Question 1 of N" when there
    is more than one, with an optional :class:`ScoreSummary` below (``summary``)."""

    def __init__(self, questions: Sequence[Question], *, title: str | None = None,
                 score: ScoreSummary | bool | None = None, show_origin: bool = False, seed: int = 0):
        if not questions:
            raise ValueError("a quiz needs at least one question")
        n = len(questions)
        self.seed = seed
        self.questions = [QuestionWidget(q, label=f"Question {i} of {n}" if n > 1 else "Question",
                                         show_origin=show_origin, seed=seed)
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
        texts = [_static_text(w.question, w.label, w.seed) for w in self.questions]
        htmls = [_static_html(w.question, w.label, w.seed) for w in self.questions]
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
def question(question_id: str, *, score: ScoreSummary | None = None, dataset: Dataset | None = None,
             option_seed: int = 0) -> QuestionWidget:
    """One question widget, to place beside the panel it refers to (options in their
    ``option_seed`` order: keep the default 0 so the answer key matches)."""
    widget = QuestionWidget(bank(dataset).get(question_id), seed=option_seed)
    if score is not None:
        if not isinstance(score, ScoreSummary):
            raise ValueError(f"score must be a ScoreSummary, got {score!r}")
        score.track(widget)
    return widget


def ask(*question_ids: str, notebook=None, shuffle: bool = False, seed: int = 0, title: str | None = None,
        score: ScoreSummary | bool | None = None, dataset: Dataset | None = None, option_seed: int = 0) -> Quiz:
    """A :class:`Quiz` of the given questions, or of every question of ``notebook``.

    ``ask("q02-plasma-peak")``, ``ask("q03-same-average", "q03-missed-dose")`` or
    ``ask(notebook="02")`` (file order). ``shuffle=True`` orders the questions with
    ``random.Random(seed)``. The options of each question are in their ``option_seed`` order
    (:meth:`Question.options`; default 0, the order of the answer key and the LMS exports). ``score``: a
    :class:`ScoreSummary` to count them in, or ``True`` for one shown under the questions.
    """
    qbank = bank(dataset)
    if question_ids and notebook is not None:
        raise ValueError("give question ids or notebook=..., not both")
    if notebook is not None:
        chosen = qbank.for_notebook(notebook)
        if not chosen:
            raise ValueError(f"notebook {notebook_number(notebook)} has no questions in the bank")
    elif question_ids:
        chosen = [qbank.get(qid) for qid in question_ids]
        if len(set(question_ids)) != len(question_ids):
            raise ValueError("the same question id is given twice")
    else:
        raise ValueError("ask() needs question ids, such as ask('q02-plasma-peak'), or notebook='02'")
    if shuffle:
        chosen = list(chosen)
        random.Random(seed).shuffle(chosen)
    return Quiz(chosen, title=title, score=score, seed=option_seed)


def self_check(notebooks: Iterable = CONTENT_NOTEBOOKS, per_notebook: int = 2, seed: int = 0,
               score: ScoreSummary | bool | None = True, title: str | None = None,
               dataset: Dataset | None = None, option_seed: int = 0) -> Quiz:
    """A mixed quiz: ``per_notebook`` questions drawn from each notebook, then shuffled, all
    with ``random.Random(seed)`` (the same questions in the same order on every run).

    Only questions that need no panel beside them are drawn. ``score=True`` (default) puts a
    :class:`ScoreSummary` under the quiz; pass your own to count these with other questions.
    """
    chosen = draw(bank(dataset), notebooks, per_notebook=per_notebook, seed=seed)
    return Quiz(chosen, title=title, score=score, show_origin=True, seed=option_seed)
