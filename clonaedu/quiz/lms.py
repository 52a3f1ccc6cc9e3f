"""The question bank for a learning management system: Canvas QTI and Moodle XML.

``clonaedu questions --format qti --out bank.zip`` and ``--format moodle --out bank.xml``.

Kinds exported: ``single`` (multiple choice), ``multiple`` (multiple answers) and ``numeric``
(numerical, with its tolerance), each with feedback: the explanation as general feedback, every
option's own feedback, and for numeric questions the anticipated wrong answers. The course's
``order`` and ``matrix`` questions are left out (text2qti has no such kinds, and Moodle's
ordering question is an add-on); :func:`export` reports how many were skipped.

Options are listed in :meth:`Question.options` order for ``seed``; the default 0 is the order the
notebooks show. With another seed the questions are also shuffled (``random.Random(seed)``), so
each class section can get its own order. The LMS's own shuffling is turned off, so the exported
order, the answer key of the same seed and what the student sees agree.

Canvas QTI is written by text2qti (a maintained, pure-Python library: Canvas's own QTI 1.2
dialect, with its manifest and metadata), from text2qti's plain-text format built here with every
piece of text escaped. It is an optional dependency (``pip install 'clonaedu[lms]'``), so Binder,
which students use, does not install it. Moodle XML is written with the standard library's
ElementTree: the format is one documented XML file, and no maintained package on PyPI covers it
with few dependencies.
"""

from __future__ import annotations

import html
import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass

from .. import NOTICE, __version__
from .answers import fmt, with_unit
from .model import Bank, NOTEBOOK_TITLES, Question

__all__ = ["EXPORTED_KINDS", "Export", "select", "qti_package", "moodle_xml"]

#: kinds both formats support (others are skipped and counted)
EXPORTED_KINDS = ("single", "multiple", "numeric")


@dataclass(frozen=True)
class Export:
    """What an export holds: the questions written (in order) and those skipped, by id."""

    written: tuple[Question, ...]
    skipped: tuple[Question, ...]
    seed: int


def select(qbank: Bank, notebooks: Iterable | None = None, seed: int = 0) -> Export:
    """The questions to export: those of ``notebooks`` (all when ``None``) whose kind both formats
    support; in file order for seed 0, else shuffled with ``random.Random(seed)``."""
    chosen = qbank.select(notebooks)
    if not chosen:
        raise ValueError("no questions in the chosen notebooks")
    written = [q for q in chosen if q.kind in EXPORTED_KINDS]
    skipped = [q for q in chosen if q.kind not in EXPORTED_KINDS]
    if seed:
        random.Random(seed).shuffle(written)
    return Export(tuple(written), tuple(skipped), seed)


def _prompt(q: Question) -> str:
    if q.kind == "numeric":
        unit = "times (×)" if q.unit == "×" else q.unit
        return f"{q.prompt} (Give a number, in {unit}.)"
    return q.prompt


def _numeric_wrong(q: Question) -> list[tuple[float, str]]:
    return [(float(n), text) for n, text in q.feedback]


def _title(export: Export, notebooks: Iterable | None) -> str:
    which = "all notebooks" if notebooks is None else "notebooks " + ", ".join(sorted(
        {q.notebook for q in export.written}))
    order = "" if not export.seed else f", order {export.seed}"
    return f"clonaedu question bank ({which}{order})"


# --------------------------------------------------------------------------------------------
# Canvas QTI via text2qti
# --------------------------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!$|~^])")


def _md(text: str) -> str:
    """Plain text made safe for text2qti: HTML-escaped, then every character Markdown or
    text2qti's LaTeX/siunitx preprocessors would read as markup backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(" ".join(str(text).split()), quote=False))


def qti_text(export: Export, notebooks: Iterable | None = None) -> str:
    """The export in text2qti's plain-text quiz format (what :func:`qti_package` converts)."""
    lines = [f"Quiz title: {_title(export, notebooks)}",
             f"Quiz description: {_md(f'{NOTICE} Exported from clonaedu {__version__}.')}",
             "shuffle answers: false", "show correct answers: true", ""]
    for number, q in enumerate(export.written, start=1):
        lines.append(f"Title: {q.question_id}")
        lines.append("Points: 1")
        lines.append(f"{number}.  {_md(_prompt(q))}")
        lines.append(f"... {_md(q.explanation)}")
        if q.kind == "numeric":
            lines.append(f"+   {_md('Right: ' + q.answer_text + '.')}")
            wrong = " ".join(f"If you answered {with_unit(n, q.unit)}: {text}" for n, text in _numeric_wrong(q))
            lines.append(f"-   {_md(wrong or 'Not quite: check the unit, and whether the question asks per dose or per day.')}")
            lines.append(f"=   {fmt(q.value)} +- {fmt(q.tolerance)}")
        else:
            for option in q.options(export.seed):
                right = option in q.answers
                if q.kind == "single":
                    marker = "*a) " if right else "a)  "
                else:
                    marker = "[*] " if right else "[ ] "
                lines.append(f"{marker}{_md(option)}")
                reason = q.feedback_for(option) or ("Right." if right else "")
                if reason:
                    lines.append(f"... {_md(reason)}")
        lines.append("")
    return "\n".join(lines)


def qti_package(export: Export, notebooks: Iterable | None = None) -> bytes:
    """A Canvas-importable QTI 1.2 package (zip bytes) of the export, made by text2qti."""
    try:
        from text2qti.config import Config
        from text2qti.qti import QTI
        from text2qti.quiz import Quiz
    except ImportError:  # pragma: no cover - depends on the environment
        raise RuntimeError("Canvas QTI export needs text2qti: pip install 'clonaedu[lms]' "
                           "(or pip install text2qti)") from None
    quiz = Quiz(qti_text(export, notebooks), config=Config(), source_name="clonaedu question bank")
    return QTI(quiz).zip_bytes()


# --------------------------------------------------------------------------------------------
# Moodle XML
# --------------------------------------------------------------------------------------------
def _html_text(parent: ET.Element, tag: str, text: str, **attrs) -> ET.Element:
    node = ET.SubElement(parent, tag, {"format": "html", **attrs})
    ET.SubElement(node, "text").text = f"<p>{html.escape(text)}</p>"
    return node


def _plain(parent: ET.Element, tag: str, text: str) -> ET.Element:
    node = ET.SubElement(parent, tag)
    ET.SubElement(node, "text").text = text
    return node


def _fraction(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def moodle_xml(export: Export, notebooks: Iterable | None = None) -> str:
    """A Moodle XML question bank of the export (one category per notebook)."""
    root = ET.Element("quiz")
    root.append(ET.Comment(f" {_title(export, notebooks)} · clonaedu {__version__} · {NOTICE} "))
    category = None
    for q in export.written:
        if q.notebook != category:
            category = q.notebook
            cat = ET.SubElement(root, "question", {"type": "category"})
            _plain(cat, "category", f"$course$/top/clonaedu/{q.notebook} {NOTEBOOK_TITLES.get(q.notebook, '')}".rstrip())
        kind = {"single": "multichoice", "multiple": "multichoice", "numeric": "numerical"}[q.kind]
        node = ET.SubElement(root, "question", {"type": kind})
        _plain(node, "name", q.question_id)
        _html_text(node, "questiontext", _prompt(q))
        _html_text(node, "generalfeedback", f"{q.explanation} Source: {q.citation}")
        ET.SubElement(node, "defaultgrade").text = "1"
        ET.SubElement(node, "penalty").text = "0.3333333"
        ET.SubElement(node, "hidden").text = "0"
        ET.SubElement(node, "idnumber").text = q.question_id
        if q.kind == "numeric":
            answer = ET.SubElement(node, "answer", {"fraction": "100", "format": "moodle_auto_format"})
            ET.SubElement(answer, "text").text = fmt(q.value)
            ET.SubElement(answer, "tolerance").text = fmt(q.tolerance)
            _html_text(answer, "feedback", f"Right: {q.answer_text}.")
            for value, text in _numeric_wrong(q):
                wrong = ET.SubElement(node, "answer", {"fraction": "0", "format": "moodle_auto_format"})
                ET.SubElement(wrong, "text").text = fmt(value)
                ET.SubElement(wrong, "tolerance").text = fmt(q.tolerance)
                _html_text(wrong, "feedback", text)
            catch_all = ET.SubElement(node, "answer", {"fraction": "0", "format": "moodle_auto_format"})
            ET.SubElement(catch_all, "text").text = "*"
            ET.SubElement(catch_all, "tolerance").text = "0"
            _html_text(catch_all, "feedback", "Not quite: check the unit, and whether the question asks per "
                                              "dose or per day.")
            ET.SubElement(node, "unitgradingtype").text = "0"
            ET.SubElement(node, "unitpenalty").text = "0"
            ET.SubElement(node, "showunits").text = "3"
            ET.SubElement(node, "unitsleft").text = "0"
            continue
        n_right = len(q.answers)
        ET.SubElement(node, "single").text = "true" if q.kind == "single" else "false"
        ET.SubElement(node, "shuffleanswers").text = "false"
        ET.SubElement(node, "answernumbering").text = "abc"
        ET.SubElement(node, "showstandardinstruction").text = "1"
        _html_text(node, "correctfeedback", "Right.")
        _html_text(node, "partiallycorrectfeedback", "Partly right: read the feedback on each option you chose.")
        _html_text(node, "incorrectfeedback", "Not quite: read the feedback on the option you chose.")
        for option in q.options(export.seed):
            right = option in q.answers
            if q.kind == "single":
                fraction = 100.0 if right else 0.0
            else:
                fraction = 100.0 / n_right if right else -100.0 / n_right
            answer = ET.SubElement(node, "answer", {"fraction": _fraction(fraction), "format": "html"})
            ET.SubElement(answer, "text").text = f"<p>{html.escape(option)}</p>"
            _html_text(answer, "feedback", q.feedback_for(option) or ("Right." if right else ""))
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
