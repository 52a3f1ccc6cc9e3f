"""The instructor answer key: every question with its options (in the order students see them),
answer, learning objective, cognitive level, per-option feedback, explanation and source, as one
printable HTML page (``clonaedu answers --out key.html``)."""

from __future__ import annotations

import html
from collections.abc import Iterable

from .. import NOTICE, __version__
from .model import Bank, NOTEBOOK_TITLES, bank, notebook_number

__all__ = ["answer_key_html"]

_KEY_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; font-size: 11pt;
       line-height: 1.45; max-width: 52em; margin: 2em auto; padding: 0 1em; color: #111; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.25em; border-bottom: 2px solid #0072B2;
     padding-bottom: 0.15em; margin-top: 1.8em; }
.notice { border-left: 4px solid #D55E00; padding: 0.3em 0.8em; background: #fbf3ee; }
.q { border: 1px solid #ccc; border-radius: 4px; padding: 0.5em 0.9em; margin: 0.8em 0;
     page-break-inside: avoid; break-inside: avoid; }
.meta { color: #555; font-size: 0.9em; } .prompt { font-weight: 600; } .objective { font-size: 0.95em; }
ul.choices { list-style: none; padding-left: 0.6em; margin: 0.3em 0; }
.right { font-weight: 700; } .mark { display: inline-block; width: 1.4em; }
.fb { display: block; margin-left: 1.4em; font-weight: 400; color: #333; font-size: 0.93em; }
.answer { margin: 0.3em 0; } .source { color: #444; font-size: 0.9em; }
table.counts { border-collapse: collapse; } table.counts td, table.counts th { padding: 2px 10px;
     border-bottom: 1px solid #ddd; text-align: left; }
@media print { body { margin: 0; max-width: none; font-size: 10pt; } h2 { page-break-after: avoid; }
     a { color: inherit; text-decoration: none; } }
"""


def _feedback(text: str | None) -> str:
    return f'<span class="fb">Feedback: {html.escape(text)}</span>' if text else ""


def answer_key_html(qbank: Bank | None = None, notebooks: Iterable | None = None, seed: int = 0) -> str:
    """The instructor answer key as one printable HTML page (all text escaped): every question
    with its objective and level, its options in the order students see them with ``seed`` (0 in
    the notebooks), each with its feedback, the answer (and accepted range), the explanation and
    the source citation, grouped by notebook. ``notebooks`` limits it to some notebooks."""
    qbank = bank() if qbank is None else qbank
    wanted = qbank.notebooks if notebooks is None else [notebook_number(n) for n in notebooks]
    e = html.escape
    counts = qbank.counts()
    rows = "".join(f"<tr><td>{nb} · {e(NOTEBOOK_TITLES.get(nb, ''))}</td><td>{counts.get(nb, 0)}</td></tr>"
                   for nb in wanted)
    total = sum(counts.get(nb, 0) for nb in wanted)
    order = "the order students see" if seed == 0 else f"the order of option seed {seed}"
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>clonaedu: instructor answer key</title>", f"<style>{_KEY_CSS}</style>", "</head>", "<body>",
        "<h1>clonaedu: instructor answer key</h1>",
        (f'<p class="meta">Question bank data/questions.csv · {total} questions · clonaedu {e(__version__)}. '
         f"For instructors: students see the same questions without the answers. Options are listed in {order}; "
         "each wrong option's feedback is what a student sees after choosing it.</p>"),
        f'<p class="notice">{e(NOTICE)}</p>',
        f'<table class="counts"><tr><th>notebook</th><th>questions</th></tr>{rows}</table>',
    ]
    for nb in wanted:
        qs = qbank.for_notebook(nb)
        parts.append(f'<section id="notebook-{nb}"><h2>{nb} · {e(NOTEBOOK_TITLES.get(nb, ""))}</h2>')
        if not qs:
            parts.append("<p>No questions.</p>")
        for i, q in enumerate(qs, start=1):
            beside = f" · beside the {e(q.panel)}" if q.panel else ""
            parts.append(f'<div class="q" id="{e(q.question_id)}">')
            parts.append(f'<div class="meta">{nb}.{i} · <code>{e(q.question_id)}</code> · {e(q.kind)} · '
                         f"{e(q.skill)} · level: {e(q.level)}{beside}</div>")
            parts.append(f'<p class="objective"><b>Objective:</b> {e(q.objective)}</p>')
            parts.append(f'<p class="prompt">{e(q.prompt)}</p>')
            if q.kind == "numeric":
                extra = f" ({e(q.tolerance_text)})" if q.tolerance_text else " (exact)"
                parts.append(f'<p class="answer"><span class="right">Answer: {e(q.answer_text)}</span>{extra}</p>')
                if q.feedback:
                    items = "".join(f"<li>{e(n)} {e(q.unit)}: {e(text)}</li>" for n, text in q.feedback)
                    parts.append(f"<p>Anticipated wrong answers:</p><ul>{items}</ul>")
            elif q.kind == "order":
                items = "".join(f"<li>{e(c)}{_feedback(q.feedback_for(c))}</li>" for c in q.answers)
                shown = " · ".join(q.options(seed))
                parts.append(f'<p class="meta">Shown as: {e(shown)}</p><p class="right">Correct order:</p>'
                             f"<ol>{items}</ol>")
            elif q.kind == "matrix":
                items = "".join(
                    f'<li><span class="mark">{"T" if q.truths[c] else "F"}</span><span class="right">'
                    f'{"True" if q.truths[c] else "False"}:</span> {e(c)}{_feedback(q.feedback_for(c))}</li>'
                    for c in q.options(seed))
                parts.append(f'<ul class="choices">{items}</ul>')
            else:
                items = []
                for c in q.options(seed):
                    if c in q.answers:
                        items.append(f'<li class="right"><span class="mark">✔</span>{e(c)} (correct)'
                                     f"{_feedback(q.feedback_for(c))}</li>")
                    else:
                        items.append(f'<li><span class="mark">·</span>{e(c)}{_feedback(q.feedback_for(c))}</li>')
                parts.append(f'<ul class="choices">{"".join(items)}</ul>')
            parts.append(f"<p><b>Why:</b> {e(q.explanation)}</p>")
            parts.append(f'<p class="source">Source: {e(q.citation)} [{e(q.source_id)}]</p>')
            parts.append("</div>")
        parts.append("</section>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
