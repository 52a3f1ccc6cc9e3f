"""Statistics of the question bank, for instructors and the fairness checks in the tests.

* where the correct option sits (in the file, and as shown with a seed),
* how often the correct option of a single-choice question is the longest (a test-wise cue),
* kinds and cognitive levels,
* which questions the notebooks ask (:func:`asked_in_notebooks`), and so the share of the bank
  that reaches a student.

``clonaedu questions --stats`` prints them.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from .bank import LEVELS, Bank, Question

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
_NOTEBOOK_ARG = re.compile(r"""ask\(\s*notebook\s*=\s*["']?(\d{1,2})["']?""")


def asked_in_notebooks(qbank: Bank, notebook_dir: str | Path) -> dict[str, list[str]]:
    """question id -> the notebooks whose code cells ask it (by id, or all of a notebook with
    ``ask(notebook=...)``). Questions drawn at random by ``self_check`` are not counted: a student
    meets each of them only by chance."""
    known = set(qbank.ids)
    out: dict[str, list[str]] = {}
    for path in sorted(Path(notebook_dir).glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            source = "".join(cell.get("source", []))
            if "quiz" not in source:
                continue
            found = {m for m in _ID.findall(source) if m in known}
            for nb in _NOTEBOOK_ARG.findall(source):
                found |= {q.question_id for q in qbank.for_notebook(nb)}
            for qid in found:
                out.setdefault(qid, [])
                if path.stem not in out[qid]:
                    out[qid].append(path.stem)
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
        lines.append(f"asked in the notebooks: {len(asked)} of {total} ({pct(len(asked) / total)})")
    return "\n".join(lines)
