"""Statistics of the question bank, for instructors and the fairness checks in the tests.

* where the correct option sits (in the file, and as shown with a seed),
* how often the correct option of a single-choice question is the longest (a test-wise cue),
* kinds and cognitive levels,
* which questions the notebooks ask (:func:`asked_in_notebooks`), and so the share of the bank
  that reaches a student.

``clonaedu questions --stats`` prints them.
"""

from __future__ import annotations

import ast
import json
import re
from collections import Counter
from pathlib import Path

from .model import LEVELS, Bank, Question, draw

__all__ = ["correct_is_longest", "bank_stats", "asked_in_notebooks", "format_stats"]


def correct_is_longest(q: Question) -> bool:
    """True if the correct option of a single-choice question is at least as long as every other
    option (ties count: a student guessing "the longest" would not be put off)."""
    right = q.answers[0]
    return all(len(right) >= len(c) for c in q.choices if c != right)


def _positions(questions, order) -> Counter:
    counts: Counter = Counter()
    for q in questions:
        shown = order(q)
        counts[shown.index(q.answers[0]) + 1] += 1
    return counts


def bank_stats(qbank: Bank, seed: int = 0) -> dict:
    """Numbers that describe the bank (see the module docstring)."""
    single = [q for q in qbank if q.kind == "single"]
    multiple = [q for q in qbank if q.kind == "multiple"]
    levels = Counter(q.level for q in qbank)
    longest = sum(correct_is_longest(q) for q in single)
    multi_patterns = Counter(
        tuple(i + 1 for i, c in enumerate(q.options(seed)) if c in q.answers) for q in multiple)
    higher = levels.get("analyse", 0) + levels.get("evaluate", 0)
    return {
        "questions": len(qbank),
        "kinds": dict(Counter(q.kind for q in qbank)),
        "single_choice": len(single),
        "answer_position_in_file": dict(sorted(_positions(single, lambda q: q.choices).items())),
        "answer_position_shown": dict(sorted(_positions(single, lambda q: q.options(seed)).items())),
        "correct_longest": longest,
        "correct_longest_share": longest / len(single) if single else 0.0,
        "multiple_answer_positions_shown": {"+".join(map(str, k)): v for k, v in sorted(multi_patterns.items())},
        "levels": {lv: levels.get(lv, 0) for lv in LEVELS},
        "analyse_or_evaluate_share": higher / len(qbank) if len(qbank) else 0.0,
        "seed": seed,
    }


_ID = re.compile(r"""["'](q\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*)["']""")
_UNFOLD = re.compile(r"""unfold\(\s*["']([A-Za-z0-9_\-]+)["']""")
_NOTEBOOK_ARG = re.compile(r"""ask\(\s*notebook\s*=\s*["']?(\d{1,2})["']?""")


def asked_in_notebooks(qbank: Bank, notebook_dir: str | Path, *, self_checks: bool = True) -> dict[str, list[str]]:
    """question id -> the notebooks whose code cells ask it: by id (``ask``, ``question``, case
    data aside), all of a notebook with ``ask(notebook=...)``, and, with ``self_checks``, the
    questions a seeded ``self_check(...)`` call draws (the same ones on every run)."""
    known = set(qbank.ids)
    out: dict[str, list[str]] = {}

    def add(qid, where):
        out.setdefault(qid, [])
        if where not in out[qid]:
            out[qid].append(where)

    for path in sorted(Path(notebook_dir).glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            source = "".join(cell.get("source", []))
            if "quiz" not in source and "cases" not in source:
                continue
            for qid in (m for m in _ID.findall(source) if m in known):
                add(qid, path.stem)
            for nb in _NOTEBOOK_ARG.findall(source):
                for q in qbank.for_notebook(nb):
                    add(q.question_id, path.stem)
            for case_id in _UNFOLD.findall(source):
                for qid in _case_questions(case_id):
                    if qid in known:
                        add(qid, path.stem)
            if self_checks and "self_check" in source:
                for q in _drawn(qbank, source):
                    add(q.question_id, f"{path.stem} (self-check)")
    return out


def _case_questions(case_id: str) -> list[str]:
    """The bank questions an unfolding case (clonaedu.cases.unfold) asks, stage by stage."""
    from .. import casebook  # the case data (model layer); imported here, only when a notebook unfolds a case

    try:
        case = casebook.get(case_id)
    except ValueError:
        return []
    return [s.question_id for s in case.stages if getattr(s, "question_id", None)]


def _drawn(qbank: Bank, source: str) -> list[Question]:
    """The questions of each ``self_check(...)`` call in a cell whose arguments are literals."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    out: list[Question] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name != "self_check":
            continue
        args = {}
        for kw in node.keywords:
            if kw.arg in ("notebooks", "per_notebook", "seed"):
                try:
                    args[kw.arg] = ast.literal_eval(kw.value)
                except ValueError:
                    return out
        try:
            out += draw(qbank, **args)
        except ValueError:
            continue
    return out


def format_stats(stats: dict, asked: dict[str, list[str]] | None = None, total: int | None = None) -> str:
    """The statistics as a few lines of text."""
    pct = lambda x: f"{100 * x:.0f}%"  # noqa: E731
    lines = [
        f"questions: {stats['questions']} ({', '.join(f'{k} {v}' for k, v in stats['kinds'].items())})",
        f"single choice: correct option at position (file order) {stats['answer_position_in_file']}; "
        f"as shown (seed {stats['seed']}) {stats['answer_position_shown']}",
        f"single choice: correct option is the longest in {stats['correct_longest']} of {stats['single_choice']} "
        f"({pct(stats['correct_longest_share'])})",
        f"multiple answer: right options at positions (as shown) {stats['multiple_answer_positions_shown']}",
        f"levels: {stats['levels']}; analyse or evaluate {pct(stats['analyse_or_evaluate_share'])}",
    ]
    if asked is not None and total:
        placed = sum(any(not w.endswith("(self-check)") for w in where) for where in asked.values())
        lines.append(f"asked in the notebooks: {len(asked)} of {total} ({pct(len(asked) / total)}); placed by id or "
                     f"notebook {placed}, drawn only by a seeded self-check {len(asked) - placed}")
    return "\n".join(lines)
