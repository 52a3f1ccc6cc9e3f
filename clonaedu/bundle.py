"""The instructor bundle: everything an instructor hands out or projects, built offline into one
folder and one zip, so nobody needs Python to use it (``clonaedu bundle --out DIR``, ``make bundle``).

    DIR/index.html                     what is where (open this first)
    DIR/answer_key/question_bank.html  every bank question: answer, explanation, source, objective
    DIR/answer_key/notebook_answers.html  per notebook: objectives and every folded "Check your
                                       answer" with the prompt it answers
    DIR/handouts/                      each notebook as HTML (code hidden, alt text on figures), PDF too
                                       where Chromium is installed
    DIR/figures/house/, projector/     every course figure as PNG, SVG and alt text, in both styles
    DIR/slides/NN_name.html            a short reveal.js deck per notebook (reveal.js in slides/reveal/,
                                       speaker notes: press S)
    DIR/worksheets/NN_name.html        printable predict worksheets: predict (sketch or write), then check
    DIR/facilitator/cases.html         the cases: timings, discussion prompts and expected answers
    DIR/pages/                         every panel as a kernel-free HTML page (clonaedu.pages), for an
                                       LMS or a room without a network
    DIR/manifest.json                  every file, and how long the build took
    DIR.zip                            the same folder, zipped (attach it to a release or a course page)

Built from the notebooks as saved (their outputs) and the course's data; nothing is fetched from the
network, and nothing in the bundle loads anything from outside its folder.

Hook for later parts: :data:`EXTRA_PARTS` holds further ``(folder, title, builder)`` entries; each
``builder(folder_path)`` writes into its own folder and is linked from the index. The case facilitator guide reads the case data
(:mod:`clonaedu.casebook`: stages, questions from the bank, consequences, final task and model
answer) and, where that module is absent, the case sections of the cases notebook.
"""

from __future__ import annotations

import html
import importlib.util
import json
import os
import re
import shutil
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import NOTICE, export, slides

__all__ = ["build_bundle", "Bundle", "EXTRA_PARTS", "answers_html", "worksheet_html", "facilitator_html"]

#: further parts of the bundle: (folder, title shown in the index, builder(folder) -> files written)
EXTRA_PARTS: list[tuple[str, str, Callable[[Path], list[Path]]]] = []

_CSS = """body { font-family: system-ui, "Segoe UI", Arial, sans-serif; max-width: 50em; margin: 2em auto; padding: 0 1em;
  line-height: 1.5; color: #1a1a1a; }
h1 { font-size: 1.7em; } h2 { font-size: 1.35em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
h3 { font-size: 1.1em; margin-top: 1.2em; }
.notice { border-left: 4px solid #B24000; padding: 0.4em 0.8em; background: #fff6f0; }
.answer { border-left: 4px solid #0072B2; padding: 0.2em 0.8em; background: #f2f8fc; }
.box { border: 1.5px solid #555; min-height: 9em; margin: 0.5em 0 1em; position: relative; }
.box span { position: absolute; left: 0.5em; top: 0.3em; color: #555; font-size: 0.85em; }
.sketch { min-height: 14em; background-image: linear-gradient(#555, #555), linear-gradient(#555, #555);
  background-size: 2px 80%, 85% 2px; background-position: 8% 10%, 8% 90%; background-repeat: no-repeat; }
.lines { border-bottom: 1px solid #999; height: 1.8em; }
@media print { .page { page-break-after: always; } a { color: inherit; } }
"""


def _page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n<style>\n{_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def _md(text: str) -> str:
    """Markdown to HTML (nbconvert's renderer, as the handouts use)."""
    from nbconvert.filters import markdown2html

    return markdown2html(text)


def _notice() -> str:
    return f'<p class="notice"><b>{html.escape(NOTICE)}</b></p>'


# -- the parts ----------------------------------------------------------------------------------
def answers_html(notebooks: list[slides.NotebookParts]) -> str:
    """Every notebook's objectives and every folded answer with its prompt (instructor copy)."""
    e = html.escape
    body = [f"<h1>clonaedu: answers to every check in the notebooks</h1>", _notice(),
            "<p>Instructor copy: do not post before the session. The question bank's own key, with each "
            "answer's explanation and source, is <a href=\"question_bank.html\">question_bank.html</a>.</p>"]
    for nb in notebooks:
        body.append(f'<h2 id="nb{nb.number}">{e(nb.title)}</h2>')
        if nb.objectives:
            body.append("<h3>Learning objectives</h3><ol>" + "".join(f"<li>{e(o)}</li>" for o in nb.objectives) + "</ol>")
        if not nb.checks:
            body.append("<p><i>No folded checks in this notebook.</i></p>")
        for i, check in enumerate(nb.checks, 1):
            body.append(f"<h3>{nb.number}.{i} · {e(check.section)}</h3>{_md(check.prompt)}"
                        f'<div class="answer"><b>Answer</b>{_md(check.answer)}</div>')
    return _page("clonaedu: answers to the notebook checks", "\n".join(body))


def worksheet_html(nb: slides.NotebookParts) -> str:
    """A printable predict worksheet: each prompt with room to sketch or write a prediction, then
    to note what the panel or the notes showed. No answers."""
    e = html.escape
    body = [f"<h1>{e(nb.title)}: predict, then check</h1>", _notice(),
            "<p>Name: ____________________ &nbsp; Date: __________</p>",
            "<p>For each question: <b>predict first</b> (sketch the curve or write your answer), then check it "
            "in the notebook or in class, and write what you saw.</p>"]
    if not nb.checks:
        body.append("<p><i>This notebook has no predict questions yet.</i></p>")
    for i, check in enumerate(nb.checks, 1):
        has_figure = any(s.heading == check.section and s.figures for s in nb.sections)
        box = ('<div class="box sketch"><span>Sketch your prediction (label the axes)</span></div>' if has_figure
               else '<div class="box"><span>Your prediction</span></div>')
        body.append(f'<div class="page"><h2>{i}. {e(check.section)}</h2>{_md(check.prompt)}{box}'
                    '<p><b>When I checked, I saw:</b></p><div class="lines"></div><div class="lines"></div>'
                    '<div class="lines"></div></div>')
    return _page(f"{nb.title}: predict worksheet", "\n".join(body))


#: suggested minutes for a question stage and for a case's final written task
STAGE_MINUTES = 4
TASK_MINUTES = 8


def _casebook():
    """The cases as data (:func:`clonaedu.casebook.casebook`), or None where that module is not
    in this version of the course (the guide then falls back to the cases notebook)."""
    if importlib.util.find_spec("clonaedu.casebook") is None:
        return None
    from . import casebook

    return casebook.casebook()


def _case_guide(cases: dict) -> list[str]:
    from . import quiz

    e = html.escape
    bank = quiz.bank()
    body = []
    for case in sorted(cases.values(), key=lambda c: c.order):
        questions = [s for s in case.stages if s.question_id]
        minutes = STAGE_MINUTES * len(questions) + TASK_MINUTES * (len(case.stages) - len(questions))
        body.append(f'<h2 id="{e(case.case_id)}">{e(case.title)} <small>(about {minutes} minutes)</small></h2>'
                    f"<p><i>{e(case.setting)}</i></p>{_md(case.introduction)}")
        for stage in case.stages:
            body.append(f"<h3>Stage {stage.number}: {e(stage.title)} "
                        f"<small>(about {STAGE_MINUTES if stage.question_id else TASK_MINUTES} minutes)</small></h3>"
                        f"{_md(stage.information)}")
            if stage.question_id:
                q = bank.get(stage.question_id)
                body.append(f"<p><b>Ask:</b> {e(q.prompt)}</p>"
                            f'<div class="answer"><b>Expected</b><p>{e(q.answer_text)}. {e(q.explanation)}</p>'
                            f"<p><b>Then reveal:</b> {e(stage.consequence or '')}</p></div>")
            else:
                body.append(f"<p><b>Task:</b> {e(stage.task or '')}</p>"
                            f'<div class="answer"><b>Expected</b>{_md(stage.model_answer or "")}</div>')
        body.append("<h3>Discussion prompts</h3><ul>"
                    "<li>What would you monitor, and what would you tell the patient or family?</li>"
                    "<li>When would you escalate, and to whom? What would you <i>not</i> do on your own?</li>"
                    "<li>Which source (a label section, a guideline) supports your answer?</li></ul>")
    return body


def facilitator_html(cases_nb: slides.NotebookParts | None) -> str:
    """The facilitator guide for the cases: per case, timing, what to ask, expected answers, and
    discussion prompts."""
    e = html.escape
    body = ["<h1>clonaedu: facilitator guide for the cases</h1>", _notice(),
            "<p>Run each case in small groups: read the stem aloud, give groups the time shown to commit to a "
            "prediction, then reveal the next stage or open the panel. Expected answers are for you; ask groups "
            "to justify theirs from the label or the figure before you share them.</p>"]
    cases = _casebook()
    if cases:
        body.append(f"<p>{len(cases)} cases, from the course's case data (the same cases as the cases notebook). "
                    f"Suggested time: about {STAGE_MINUTES} minutes a question stage and {TASK_MINUTES} for the "
                    "written task at the end.</p>")
        body += _case_guide(cases)
        return _page("clonaedu: facilitator guide for the cases", "\n".join(body))
    if cases_nb is None:
        body.append("<p><i>No cases notebook found.</i></p>")
        return _page("clonaedu: facilitator guide for the cases", "\n".join(body))
    cases = [s for s in cases_nb.sections if re.match(r"(?i)case\b", s.heading)] or cases_nb.sections
    total = int(cases_nb.minutes) if cases_nb.minutes else 40
    each = max(5, round(total * 0.7 / max(1, len(cases))))
    body.append(f"<p>From <b>{e(cases_nb.title)}</b> (about {total} minutes in all): about <b>{each} minutes a "
                f"case</b>, the rest for the self-check.</p>")
    for section in cases:
        body.append(f"<h2>{e(section.heading)} <small>(about {each} minutes)</small></h2>")
        if section.prose:
            body.append("<h3>The case</h3>" + _md(section.prose[0]))
        prompts = [c for c in section.checks]
        if prompts:
            body.append("<h3>Ask, then expect</h3>")
            for check in prompts:
                body.append(f"{_md(check.prompt)}<div class=\"answer\"><b>Expected</b>{_md(check.answer)}</div>")
        body.append("<h3>Discussion prompts</h3><ul><li>What would you monitor, and what would you tell the patient?</li>"
                    "<li>When would you escalate, and to whom?</li>"
                    "<li>Which source (label section, guideline) supports your answer?</li></ul>")
    return _page("clonaedu: facilitator guide for the cases", "\n".join(body))


# -- assembly -----------------------------------------------------------------------------------
@dataclass
class Bundle:
    folder: Path
    zip_path: Path
    seconds: float
    files: list[Path] = field(default_factory=list)
    decks: dict[str, list[slides.Slide]] = field(default_factory=dict)


def _index(out: Path, notebooks, handouts, extra) -> str:
    e = html.escape
    rows = []
    for nb in notebooks:
        stem = nb.path.stem
        pdf = next((h.pdf for h in handouts if h.notebook.stem == stem and h.pdf is not None), None)
        rows.append(f"<tr><td>{e(nb.title)}</td><td><a href=\"slides/{stem}.html\">slides</a></td>"
                    f"<td><a href=\"handouts/{stem}.html\">HTML</a>" + (f" · <a href=\"handouts/{pdf.name}\">PDF</a>" if pdf else "")
                    + f"</td><td><a href=\"worksheets/{stem}.html\">worksheet</a></td></tr>")
    extra_rows = "".join(f"<li><a href=\"{e(folder)}/index.html\">{e(title)}</a></li>" if (out / folder / "index.html").exists()
                         else f"<li><a href=\"{e(folder)}/\">{e(title)}</a></li>" for folder, title, _ in extra)
    body = f"""<h1>clonaedu: instructor bundle</h1>
{_notice()}
<p>Everything here opens in a browser with no network and no Python: copy the folder (or the zip) to a USB
stick, a shared drive or your course page.</p>
<ul>
<li><a href="answer_key/question_bank.html">Answer key: the question bank</a> (answers, explanations, sources, objectives)</li>
<li><a href="answer_key/notebook_answers.html">Answer key: every folded check in the notebooks</a>, with each notebook's objectives</li>
<li><a href="facilitator/cases.html">Facilitator guide for the cases</a> (timings, prompts, expected answers)</li>
<li>Figures for your own slides and the LMS: <a href="figures/house/figures.json">house style</a> and
<a href="figures/projector/figures.json">projector style</a> (PNG, SVG and alt text for each)</li>
{extra_rows}
</ul>
<p>Slides: arrow keys to move, <b>S</b> for the speaker notes (the longer text and the answers), <b>F</b> for full screen.</p>
<table border="1" cellpadding="6" style="border-collapse: collapse">
<tr><th>notebook</th><th>slides</th><th>handout</th><th>predict worksheet</th></tr>
{''.join(rows)}
</table>"""
    return _page("clonaedu: instructor bundle", body)


def build_bundle(out_dir: str | os.PathLike, *, pdf: bool | None = None, notebooks=None,
                 pages: bool | list[str] = True, log: Callable[[str], None] = print) -> Bundle:
    """Build the bundle into ``out_dir`` (emptied first if it is a previous bundle) and
    ``out_dir.zip``. ``pdf`` as for :func:`clonaedu.export.build_handouts` (None: PDFs when
    Chromium is found). ``notebooks`` limits the notebooks (paths; default: every one).
    ``pages``: the kernel-free panel pages (True: all, a list: those slugs, False: none)."""
    from . import quiz

    start = time.perf_counter()
    out = Path(out_dir)
    if out.exists():
        if not (out / "manifest.json").exists() and any(out.iterdir()):
            raise ValueError(f"{out} exists and is not a clonaedu bundle; give a new or empty folder")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    paths = [Path(p) for p in notebooks] if notebooks is not None else export.notebook_paths()
    if not paths:
        raise ValueError(f"no notebooks found in {export.NOTEBOOK_DIR} (run from a clone of the repository)")
    parsed = [slides.parts(p) for p in paths]

    (out / "answer_key").mkdir()
    (out / "answer_key" / "question_bank.html").write_text(quiz.answer_key_html(), encoding="utf-8")
    (out / "answer_key" / "notebook_answers.html").write_text(answers_html(parsed), encoding="utf-8")
    log("answer key written")

    handouts = export.build_handouts(out / "handouts", paths, pdf=pdf, log=lambda line: None)
    log(f"{len(handouts)} handouts written ({sum(h.pdf is not None for h in handouts)} PDF)")

    exported = {}
    for look in ("house", "projector"):
        done = export.export_figures(out / "figures" / look, projector=(look == "projector"))
        if look == "projector":
            exported = {f.name: (f"../figures/projector/{f.png.name}", f.alt) for f in done}
    log(f"{len(exported)} figures written in two styles")

    slide_dir = out / "slides"
    slides.copy_reveal(slide_dir)
    decks = {}
    for nb in parsed:
        deck = slides.build_slides(nb, exported)
        for k, slide in enumerate(deck):
            if slide.figure is not None and slide.figure_src is None:
                image = slide_dir / "img" / f"{nb.path.stem}_{k:02d}.png"
                image.parent.mkdir(exist_ok=True)
                image.write_bytes(slide.figure.png)
                slide.figure_src = f"img/{image.name}"
        (slide_dir / f"{nb.path.stem}.html").write_text(slides.deck_html(nb, deck), encoding="utf-8")
        decks[nb.number] = deck
    log(f"{len(decks)} slide decks written")

    (out / "worksheets").mkdir()
    for nb in parsed:
        (out / "worksheets" / f"{nb.path.stem}.html").write_text(worksheet_html(nb), encoding="utf-8")
    cases_nb = next((nb for nb in parsed if "case" in nb.path.stem), None)
    (out / "facilitator").mkdir()
    (out / "facilitator" / "cases.html").write_text(facilitator_html(cases_nb), encoding="utf-8")

    parts_list = list(EXTRA_PARTS)
    if pages and importlib.util.find_spec("clonaedu.pages") is not None:
        from . import pages as panel_pages

        slugs = None if pages is True else list(pages)
        parts_list.insert(0, ("pages", "Every panel as a page that needs no kernel (for the LMS, or no network)",
                              lambda folder: panel_pages.build(folder, slugs, log=None)))
    for folder, _title, builder in parts_list:
        (out / folder).mkdir(parents=True, exist_ok=True)
        builder(out / folder)

    (out / "index.html").write_text(_index(out, parsed, handouts, parts_list), encoding="utf-8")
    files = sorted(p for p in out.rglob("*") if p.is_file())
    seconds = time.perf_counter() - start
    manifest = {"notice": NOTICE, "build_seconds": round(seconds, 1),
                "files": [p.relative_to(out).as_posix() for p in files],
                "slides": {n: [slides.slide_words(s) for s in d] for n, d in decks.items()}}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    files.append(out / "manifest.json")
    zip_path = out.with_name(out.name + ".zip")
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            archive.write(path, Path(out.name) / path.relative_to(out))
    seconds = time.perf_counter() - start
    log(f"bundle: {out} and {zip_path} ({len(files)} files, {seconds:.0f} s)")
    return Bundle(out, zip_path, seconds, files, decks)
