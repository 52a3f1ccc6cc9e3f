"""A fair question bank (issue 15): shuffled options, per-option feedback, first-try score,
objectives and levels, ordered-response and true/false-matrix items, and the results receipt.

The content checks of the bank (every answer recomputed from the library) are in test_quiz.py.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import html
import json
import re
from collections import Counter
from html.parser import HTMLParser

import pytest

from clonaedu import __version__, quiz
from clonaedu.data import DataError, Dataset
from clonaedu.quiz import receipt, stats

BANK = quiz.bank()
WHEN = dt.datetime(2026, 3, 4, 9, 30, tzinfo=dt.timezone.utc)


def first(kind):
    return next(q for q in BANK if q.kind == kind)


def wrong_option(q):
    return next(c for c in q.choices if c not in q.answers)


def rewrite(path, transform):
    """Rewrite a CSV in a data copy: transform(rows) -> rows (header included)."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(transform(rows))


# --------------------------------------------------------------------------------------------
# Option order
# --------------------------------------------------------------------------------------------
def test_option_order_is_deterministic_per_question_and_seed():
    for q in BANK:
        if q.kind == "numeric":
            assert q.options() == () and q.options(5) == ()
            continue
        assert q.options() == q.options(0) == quiz.bank(Dataset()).get(q.question_id).options(0)
        assert sorted(q.options(3)) == sorted(q.choices)
    orders = {q.options(seed) for q in [BANK.get("q02-plasma-peak")] for seed in range(12)}
    assert len(orders) > 4, "another seed gives another order (one per class section)"


def test_shuffling_moves_the_correct_option_away_from_first():
    single = [q for q in BANK if q.kind == "single"]
    in_file = Counter(q.choices.index(q.answers[0]) for q in single)
    shown = Counter(q.options().index(q.answers[0]) for q in single)
    assert in_file[0] / len(single) > 0.8, "the file still lists most answers first (the educator's finding)"
    assert shown[0] / len(single) < 0.4, f"as shown, the answer is first in {shown[0]} of {len(single)}"
    assert all(shown[i] / len(single) <= 0.45 for i in range(4)), shown
    # over many seeds every single-choice question puts its answer in each position
    q = BANK.get("q02-plasma-peak")
    assert {q.options(s).index(q.answers[0]) for s in range(40)} == set(range(len(q.choices)))


def test_ordered_response_never_starts_in_its_correct_order():
    q = first("order")
    assert all(q.options(seed) != q.answers for seed in range(200))


def test_widget_key_and_static_text_show_the_same_order():
    for qid in ("q02-plasma-peak", "q06-risk-factors"):
        w = quiz.question(qid)
        q = w.question
        shown = list(q.options())
        if q.kind == "single":
            assert list(w.control.options) == shown
        else:
            assert [b.description for b in w.boxes] == shown
        plain = w._repr_mimebundle_()["text/plain"]
        assert [plain.index(c) for c in shown] == sorted(plain.index(c) for c in shown)
        key = html.unescape(quiz.answer_key_html(notebooks=[q.notebook]))
        block = key[key.index(f"{qid}</code>"):]
        assert [block.index(c) for c in shown] == sorted(block.index(c) for c in shown)


# --------------------------------------------------------------------------------------------
# Feedback: a reason per option, the explanation only after a right answer or Show answer
# --------------------------------------------------------------------------------------------
def test_a_wrong_choice_gets_its_own_reason_not_the_explanation():
    w = quiz.question("q02-plasma-peak")
    q = w.question
    for option in (c for c in q.options() if c not in q.answers):
        w.respond(option)
        w.check_button.click()
        text = html.unescape(w.feedback.value)
        assert q.feedback_for(option) in text
        others = [q.feedback_for(c) for c in q.choices if c not in (option, *q.answers)]
        assert not any(o in text for o in others), "only the reason for the option chosen"
        assert q.explanation not in text and q.source_id not in text
    assert w.attempts == 3 and not w.solved
    w.show_button.click()
    assert q.explanation in html.unescape(w.feedback.value)


def test_multiple_answer_feedback_names_the_wrong_choices_but_not_the_missed_right_ones():
    w = quiz.question("q06-risk-factors")
    q = w.question
    wrong = wrong_option(q)
    w.respond([q.answers[0], wrong])
    w.check_button.click()
    text = html.unescape(w.feedback.value)
    assert "You chose 1 of the 2 right options and 1 that is not right." in text
    assert q.feedback_for(wrong) in text and q.answers[1] not in text and q.explanation not in text


def test_numeric_anticipated_wrong_answer_gets_its_reason():
    w = quiz.question("q01-starting-daily-total")
    q = w.question
    w.respond("0.25")
    w.check_button.click()
    text = html.unescape(w.feedback.value)
    assert q.feedback_for("0.25") in text and "one dose" in text and q.explanation not in text
    w.respond("0.7")
    w.check_button.click()
    assert "Not quite" in html.unescape(w.feedback.value) and q.explanation not in html.unescape(w.feedback.value)
    w.respond("0.5 mg/day")
    w.check_button.click()
    assert q.explanation in html.unescape(w.feedback.value) and w.solved and w.solved_at == 3


def test_score_counts_first_tries():
    score = quiz.ScoreSummary()
    a = quiz.question("q02-plasma-peak", score=score)
    b = quiz.question("q01-starting-daily-total", score=score)
    a.respond("Within 1 to 4 hours")
    a.check_button.click()
    b.respond("0.25")
    b.check_button.click()
    b.respond("0.5")
    b.check_button.click()
    assert score.totals["first_try"] == 1 and score.totals["right"] == 2
    assert "1 of 2 right at the first try" in html.unescape(score.table.value)


# --------------------------------------------------------------------------------------------
# New item types
# --------------------------------------------------------------------------------------------
def test_ordered_response_widget_moves_items_and_checks_the_order():
    w = quiz.question("q02-timeline-order")
    q = w.question
    assert q.kind == "order" and w.order_items == list(q.options()) != list(q.answers)
    assert len(w.control.children) == len(q.choices)
    up = w.control.children[0].children[0]
    assert up.disabled and "Move" in w.control.children[1].children[0].tooltip
    before = list(w.order_items)
    w.control.children[1].children[0].click()  # move the second item up
    assert w.order_items == [before[1], before[0], *before[2:]]
    w.check_button.click()
    text = html.unescape(w.feedback.value)
    assert "Not quite" in text and "items are in the right place" in text and q.explanation not in text
    misplaced = [i for i, a in zip(w.order_items, q.answers) if i != a]
    assert all(q.feedback_for(i) in text for i in misplaced)
    w.respond(q.answers)
    w.check_button.click()
    assert "✔ Right." in html.unescape(w.feedback.value) and w.solved and w.solved_at == 2
    assert w.record()["answer"] == " → ".join(q.answers)
    w.reset()
    assert w.order_items == list(q.options()) and w.attempts == 0


def test_matrix_widget_needs_every_statement_and_explains_the_wrong_ones():
    w = quiz.question("q01-orders-true-false")
    q = w.question
    assert q.kind == "matrix" and len(w.toggles) == len(q.choices)
    assert all(t.value is None for t in w.toggles)
    w.toggles[0].value = "True"
    w.check_button.click()
    assert "Mark every statement" in w.feedback.value and w.attempts == 0
    judged = {c: not t for c, t in q.truths.items()}  # all wrong but one
    judged[q.choices[0]] = q.truths[q.choices[0]]
    w.respond(judged)
    w.check_button.click()
    text = html.unescape(w.feedback.value)
    assert f"You judged 1 of the {len(q.choices)} statements correctly." in text
    assert q.feedback_for(q.choices[0]) not in text
    assert all(q.feedback_for(c) in text for c in q.choices[1:]) and q.explanation not in text
    w.respond(q.truths)
    w.check_button.click()
    assert "✔ Right." in html.unescape(w.feedback.value) and w.solved


def test_static_fallback_of_new_kinds_shows_items_not_the_answer():
    for qid in ("q02-timeline-order", "q01-orders-true-false"):
        w = quiz.question(qid)
        plain = w._repr_mimebundle_()["text/plain"]
        assert all(c in plain for c in w.question.choices)
        assert w.question.answer_text not in plain and ": true" not in plain and ": false" not in plain
    plain = quiz.question("q02-timeline-order")._repr_mimebundle_()["text/plain"]
    listed = re.findall(r"^\s+\d\. (.+)$", plain, flags=re.M)
    assert tuple(listed) == BANK.get("q02-timeline-order").options() != BANK.get("q02-timeline-order").answers


# --------------------------------------------------------------------------------------------
# Objectives and levels; a bank row without them is refused
# --------------------------------------------------------------------------------------------
def test_every_question_has_an_objective_a_level_and_feedback_for_every_wrong_option():
    for q in BANK:
        assert len(q.objective) >= 10 and q.level in quiz.LEVELS, q.question_id
        if q.kind in ("single", "multiple"):
            assert all(q.feedback_for(c) for c in q.choices if c not in q.answers), q.question_id
        elif q.kind in ("order", "matrix"):
            assert all(q.feedback_for(c) for c in q.choices), q.question_id
    levels = Counter(q.level for q in BANK)
    assert (levels["analyse"] + levels["evaluate"]) / len(BANK) >= 0.25, levels


def test_feedback_never_just_repeats_the_explanation():
    for q in BANK:
        for _, text in q.feedback:
            assert text != q.explanation and len(text) < len(q.explanation) + 60, q.question_id


@pytest.mark.parametrize("table, transform, where, reason", [
    ("question_meta", lambda rows: [r for r in rows if r[0] != "q02-plasma-peak"],
     r"data/questions.csv, row \d+ \(line \d+\), column 'question_id'",
     "question 'q02-plasma-peak' has no row in data/question_meta.csv"),
    ("question_meta", lambda rows: [r[:2] + [""] if r[0] == "q02-plasma-peak" else r for r in rows],
     r"data/question_meta.csv, row \d+ \(line \d+\), column 'level'", "is empty but a value is required"),
    ("question_meta", lambda rows: [[r[0], "", r[2]] if r[0] == "q02-plasma-peak" else r for r in rows],
     r"data/question_meta.csv, row \d+ \(line \d+\), column 'objective'", "is empty but a value is required"),
    ("question_meta", lambda rows: [r[:2] + ["understand"] if r[0] == "q02-plasma-peak" else r for r in rows],
     r"data/question_meta.csv, row \d+ \(line \d+\), column 'level'", "'understand' is not one of"),
    ("question_meta", lambda rows: rows + [["q02-no-such", "An objective for nothing", "apply"]],
     r"data/question_meta.csv, row \d+ \(line \d+\), column 'question_id'", "'q02-no-such' is not a question"),
    ("question_feedback", lambda rows: [r for r in rows if r[:2] != ["q02-plasma-peak", "After 8 to 12 hours"]],
     r"data/questions.csv, row \d+ \(line \d+\), column 'choices'",
     "question 'q02-plasma-peak' has no per-option feedback for the wrong option 'After 8 to 12 hours'"),
    ("question_feedback", lambda rows: rows + [["q02-plasma-peak", "After 9 to 12 hours", "A reason for a typo."]],
     r"data/question_feedback.csv, row \d+ \(line \d+\), column 'option'",
     "'After 9 to 12 hours' is not an option of 'q02-plasma-peak'; did you mean 'After 8 to 12 hours'"),
    ("question_feedback", lambda rows: [r for r in rows if r[0] != "q02-timeline-order" or r[1] != "The anticonvulsant effect begins"],
     r"data/questions.csv, row \d+ \(line \d+\), column 'choices'", "no per-option feedback for the item 'The anticonvulsant effect begins'"),
    ("question_feedback", lambda rows: rows + [["q01-starting-daily-total", "0.5", "This is the right answer."]],
     r"data/question_feedback.csv, row \d+ \(line \d+\), column 'option'", "'0.5' is an accepted answer"),
    ("question_feedback", lambda rows: rows + [["q01-starting-daily-total", "half", "Not a number at all."]],
     r"data/question_feedback.csv, row \d+ \(line \d+\), column 'option'", "keyed by a plain number"),
])
def test_a_question_without_objective_level_or_feedback_is_refused(data_copy, table, transform, where, reason):
    rewrite(data_copy / f"{table}.csv", transform)
    with pytest.raises(DataError, match=where + ".*" + re.escape(reason)):
        quiz.bank(Dataset(data_copy))


@pytest.mark.parametrize("answer, reason", [
    ("true;false;true", "a matrix answer is 'true' or 'false' for each of its 4 statements"),
    ("true;false;maybe;false", "a matrix answer is 'true' or 'false'"),
])
def test_a_broken_matrix_answer_is_refused(data_copy, answer, reason):
    rewrite(data_copy / "questions.csv",
            lambda rows: [r[:7] + [answer] + r[8:] if r[0] == "q01-orders-true-false" else r for r in rows])
    with pytest.raises(DataError, match=r"data/questions.csv, row \d+ \(line \d+\), column 'answer'.*" + re.escape(reason)):
        quiz.bank(Dataset(data_copy))


def test_an_order_answer_that_is_not_its_items_is_refused(data_copy):
    rewrite(data_copy / "questions.csv",
            lambda rows: [r[:7] + ["The anticonvulsant effect begins;The plasma level peaks"] + r[8:]
                          if r[0] == "q02-timeline-order" else r for r in rows])
    with pytest.raises(DataError, match="an ordered-response answer lists every item once"):
        quiz.bank(Dataset(data_copy))


# --------------------------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------------------------
def test_the_right_answer_is_rarely_the_longest_option():
    """A test-wise student who picks the longest option gets at most 40% of single-choice items."""
    single = [q for q in BANK if q.kind == "single"]
    longest = [q.question_id for q in single if stats.correct_is_longest(q)]
    assert len(longest) <= 0.4 * len(single), f"the right answer is the longest in {len(longest)} of {len(single)}"


def test_a_test_wise_guess_scores_little():
    """Always picking the first option shown, or the longest, gets well under half the single-choice items."""
    single = [q for q in BANK if q.kind == "single"]
    first_shown = sum(q.options()[0] == q.answers[0] for q in single)
    longest = sum(max(q.options(), key=len) == q.answers[0] for q in single)
    assert first_shown / len(single) < 0.35 and longest / len(single) <= 0.4, (first_shown, longest, len(single))


def test_stats_measure_positions_length_cue_and_levels():
    s = stats.bank_stats(BANK)
    assert s["questions"] == len(BANK) and sum(s["levels"].values()) == len(BANK)
    assert sum(s["answer_position_shown"].values()) == s["single_choice"]
    longest = [q for q in BANK if q.kind == "single" and stats.correct_is_longest(q)]
    assert s["correct_longest"] == len(longest)
    assert "correct option is the longest" in stats.format_stats(s)


# --------------------------------------------------------------------------------------------
# The results receipt
# --------------------------------------------------------------------------------------------
class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs))


def _answered_score():
    score = quiz.ScoreSummary()
    a = quiz.question("q02-plasma-peak", score=score)
    b = quiz.question("q01-starting-daily-total", score=score)
    c = quiz.question("q06-risk-factors", score=score)
    a.respond("Within 30 to 60 minutes")
    a.check_button.click()
    a.respond("Within 1 to 4 hours")
    a.check_button.click()
    b.respond("0.5 mg/day")
    b.check_button.click()
    return score, (a, b, c)


def test_nothing_dated_is_shown_until_the_student_asks_for_the_receipt():
    score, _ = _answered_score()
    assert score.download.value == "" and score.name.value == ""
    assert not re.search(r"\d{4}-\d{2}-\d{2}", score.table.value)
    assert "Download my results" == score.download_button.description


def test_receipt_holds_name_version_date_and_each_answer():
    score, (a, b, c) = _answered_score()
    score.name.value = "  Ada   Lovelace "
    r = score.receipt(when=WHEN)
    assert r["name"] == "Ada Lovelace" and r["course_version"] == __version__ and r["course"] == "clonaedu"
    assert r["date"] == "2026-03-04T09:30:00Z" and r["self_reported"] is True and "formative" in r["note"]
    rows = {row["question_id"]: row for row in r["questions"]}
    assert rows["q02-plasma-peak"] == {
        "question_id": "q02-plasma-peak", "notebook": "02", "kind": "single", "prompt": a.question.prompt,
        "first_answer": "Within 30 to 60 minutes", "answer": "Within 1 to 4 hours", "attempts": 2,
        "first_try_right": False, "solved": True, "answer_shown": False}
    assert rows["q01-starting-daily-total"]["first_try_right"] and rows["q01-starting-daily-total"]["answer"] == "0.5 mg/day"
    assert rows["q06-risk-factors"]["attempts"] == 0 and rows["q06-risk-factors"]["answer"] == ""
    assert r["score"] == {"first_try_right": 1, "questions": 3}
    assert r["totals"] == {"questions": 3, "answered": 2, "first_try_right": 1, "solved": 2, "answers_shown": 0}


def test_download_offers_json_and_printable_html_as_data_links():
    score, _ = _answered_score()
    score.name.value = "Ada Lovelace"
    r = score.offer_download(when=WHEN)
    parser = _Links()
    parser.feed(score.download.value)
    by_name = {link["download"]: link["href"] for link in parser.links}
    assert set(by_name) == {"clonaedu-results-ada-lovelace-2026-03-04.json", "clonaedu-results-ada-lovelace-2026-03-04.html"}
    raw = {name: base64.b64decode(href.split(",", 1)[1]).decode("utf-8") for name, href in by_name.items()}
    assert all(href.startswith("data:") and ";base64," in href for href in by_name.values())
    assert json.loads(raw["clonaedu-results-ada-lovelace-2026-03-04.json"]) == r
    page = html.unescape(raw["clonaedu-results-ada-lovelace-2026-03-04.html"])
    assert "Ada Lovelace" in page and "2026-03-04T09:30:00Z" in page and f"clonaedu {__version__}" in page
    assert receipt.SELF_REPORTED in page and "1 of 3 right at the first try" in page
    assert "q02-plasma-peak" in page and "Within 1 to 4 hours" in page
    assert "self-reported" in html.unescape(score.download.value).lower()
    score.reset_button.click()
    assert score.download.value == ""


def test_receipt_page_escapes_what_the_student_typed():
    score, _ = _answered_score()
    score.name.value = "<script>alert(1)</script>"
    r = score.receipt(when=WHEN)
    page = receipt.to_html(r)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert receipt.file_stem(r) == "clonaedu-results-script-alert-1-script-2026-03-04"
    with pytest.raises(ValueError, match="a receipt record needs"):
        receipt.build([{"question_id": "x"}])


# --------------------------------------------------------------------------------------------
# The answer key shows objective, level and per-option feedback
# --------------------------------------------------------------------------------------------
def test_answer_key_shows_objective_level_and_every_options_feedback(capsys):
    from clonaedu import cli

    assert cli.main(["answers", "--out", "-"]) == 0
    page = capsys.readouterr().out
    blocks = {part.split('"', 1)[0]: html.unescape(re.sub(r"<[^>]+>", "", part.split("</div>\n", 1)[1]))
              for part in page.split('<div class="q" id="')[1:]}
    assert set(blocks) == set(BANK.ids)
    for q in BANK:
        block = blocks[q.question_id]
        assert f"level: {q.level}" in page.split(f'id="{q.question_id}"')[1][:400], q.question_id
        assert f"Objective: {q.objective}" in block, q.question_id
        for option, feedback in q.feedback:
            assert option in block and feedback in block, (q.question_id, option)


def test_asked_in_notebooks_counts_ids_whole_notebooks_cases_and_seeded_self_checks(tmp_path):
    from clonaedu import casebook
    from clonaedu.quiz.model import draw

    def notebook(name, *sources):
        cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "source": s} for s in sources]
        cells.append({"cell_type": "markdown", "metadata": {}, "source": "quiz.ask('q02-double-dose')"})
        (tmp_path / f"{name}.ipynb").write_text(json.dumps({"cells": cells}), encoding="utf-8")

    case_id = casebook.case_ids()[0]
    case_questions = set(casebook.get(case_id).question_ids)
    notebook("a", "quiz.ask('q02-plasma-peak', 'q02-onset-source', score=score)", "quiz.ask(notebook='03')")
    notebook("b", f"cases.unfold({case_id!r}, score=score)",
             "check = quiz.self_check(per_notebook=1, seed=3, score=score)", "print('q04-schematic')")
    asked = stats.asked_in_notebooks(BANK, tmp_path)
    drawn = {q.question_id for q in draw(BANK, per_notebook=1, seed=3)}
    placed = {"q02-plasma-peak", "q02-onset-source"} | {q.question_id for q in BANK.for_notebook("03")}
    assert set(asked) == placed | case_questions | drawn
    assert asked["q02-plasma-peak"] == ["a"] and "q02-double-dose" not in asked  # markdown asks nothing
    assert "q04-schematic" not in asked or "q04-schematic" in drawn  # a cell without quiz or cases asks nothing
    assert all("b" in asked[qid] for qid in case_questions)
    assert all("b (self-check)" in asked[qid] for qid in drawn)
    assert set(stats.asked_in_notebooks(BANK, tmp_path, self_checks=False)) == placed | case_questions


def test_kernel_free_pages_carry_each_options_feedback_and_the_shown_order():
    from clonaedu import pages

    q = BANK.get("q02-plasma-peak")
    block = pages._questions_html([q.question_id])
    payload = json.loads(re.search(r'<script type="application/json">(.*?)</script>', block, re.S).group(1))
    assert payload["feedback"] == dict(q.feedback) and payload["answers"] == list(q.answers)
    values = re.findall(r'value="([^"]*)"', block)
    assert [html.unescape(v) for v in values] == list(q.options())
    assert "q.feedback[c]" in pages._SCRIPT  # a wrong choice shows its own reason, not the explanation


def test_split_matrix_agrees_with_the_model():
    """q03-split-matrix: every statement's truth and every number in its feedback, from pk.summary."""
    from clonaedu import pk, regimens

    once, twice = (pk.summary(regimens.example(r, days=2), pk.Params.preset("typical_adult"))
                   for r in ("bedtime_1mg", "bid_0_5mg"))
    q = BANK.get("q03-split-matrix")
    truths = list(q.truths.values())
    assert truths == [
        once.cavg_ss_ng_ml == pytest.approx(twice.cavg_ss_ng_ml, rel=1e-6),
        twice.time_to_90pct_steady_state_h < once.time_to_90pct_steady_state_h - 12,  # "sooner": by half a day or more
        once.fluctuation_ss > twice.fluctuation_ss,
        twice.accumulation_ratio > once.accumulation_ratio,
    ]
    assert round(once.time_to_90pct_steady_state_h / 24) == round(twice.time_to_90pct_steady_state_h / 24) == 5
    text = q.explanation + " ".join(f for _, f in q.feedback)
    for number in (round(100 * once.fluctuation_ss), round(100 * twice.fluctuation_ss)):
        assert f"{number}%" in text
    for ratio in (once.accumulation_ratio, twice.accumulation_ratio):
        assert f"{ratio:.1f}" in text
