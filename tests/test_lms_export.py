"""LMS exports of the question bank: Canvas QTI (via text2qti) and Moodle XML.

Each export is parsed back here with the standard library's XML parser, independently of the
code that wrote it, and compared with the bank: the same questions, options in the same order,
the same right answers and tolerances, and every option's feedback.
"""

from __future__ import annotations

import html
import io
import random
import re
import xml.etree.ElementTree as ET
import zipfile

import pytest

from clonaedu import cli, quiz
from clonaedu.quiz import lms

pytest.importorskip("text2qti")

BANK = quiz.bank()
QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
_SMART = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def plain(markup: str | None) -> str:
    """Text of an HTML fragment (tags dropped, entities and smart quotes undone)."""
    text = html.unescape(re.sub(r"<[^>]+>", "", markup or ""))
    return " ".join(text.translate(_SMART).split())


# --------------------------------------------------------------------------------------------
# Reading the exports back
# --------------------------------------------------------------------------------------------
def read_qti(package: bytes) -> list[dict]:
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        names = z.namelist()
        assert "imsmanifest.xml" in names
        manifest = ET.fromstring(z.read("imsmanifest.xml"))
        main = [n for n in names if n.endswith(".xml") and n != "imsmanifest.xml" and not n.endswith("assessment_meta.xml")]
        assert len(main) == 1 and any(main[0] in (r.get("href") or "") for r in manifest.iter()
                                      if r.tag.endswith("file")), "the manifest lists the assessment"
        root = ET.fromstring(z.read(main[0]))
    out = []
    for item in root.iter(f"{QTI}item"):
        meta = {f.findtext(f"{QTI}fieldlabel"): f.findtext(f"{QTI}fieldentry") for f in item.iter(f"{QTI}qtimetadatafield")}
        labels = {lab.get("ident"): plain(lab.findtext(f".//{QTI}mattext")) for lab in item.iter(f"{QTI}response_label")}
        feedback = {fb.get("ident"): plain(fb.findtext(f".//{QTI}mattext")) for fb in item.iter(f"{QTI}itemfeedback")}
        scoring = [c for c in item.iter(f"{QTI}respcondition") if c.find(f"{QTI}setvar") is not None
                   and c.findtext(f"{QTI}setvar") == "100"]
        assert len(scoring) == 1
        cond = scoring[0].find(f"{QTI}conditionvar")
        record = {"id": item.get("title"), "type": meta["question_type"], "prompt": plain(item.findtext(f"{QTI}presentation/{QTI}material/{QTI}mattext")),
                  "general": feedback.get("general_fb", "")}
        if record["type"] == "numerical_question":
            record["low"] = float(cond.findtext(f".//{QTI}vargte"))
            record["high"] = float(cond.findtext(f".//{QTI}varlte"))
            record["wrong_feedback"] = feedback.get("general_incorrect_fb", "")
        else:
            record["options"] = list(labels.values())
            right_ids = [v.text for v in cond.iter(f"{QTI}varequal")
                         if v not in {n for x in cond.iter(f"{QTI}not") for n in x.iter(f"{QTI}varequal")}]
            record["right"] = [labels[i] for i in right_ids]
            record["option_feedback"] = {labels[i]: feedback.get(f"{i}_fb", "") for i in labels}
        out.append(record)
    return out


def read_moodle(text: str) -> list[dict]:
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "quiz"
    out = []
    for node in root.findall("question"):
        if node.get("type") == "category":
            continue
        answers = node.findall("answer")
        record = {"id": node.findtext("name/text"), "type": node.get("type"),
                  "prompt": plain(node.findtext("questiontext/text")),
                  "general": plain(node.findtext("generalfeedback/text"))}
        if record["type"] == "numerical":
            right = [a for a in answers if float(a.get("fraction")) == 100]
            assert len(right) == 1
            record["value"] = float(right[0].findtext("text"))
            record["tolerance"] = float(right[0].findtext("tolerance"))
            record["wrong"] = {a.findtext("text"): plain(a.findtext("feedback/text")) for a in answers
                               if float(a.get("fraction")) == 0}
        else:
            record["single"] = node.findtext("single") == "true"
            record["options"] = [plain(a.findtext("text")) for a in answers]
            record["right"] = [plain(a.findtext("text")) for a in answers if float(a.get("fraction")) > 0]
            record["fractions"] = [float(a.get("fraction")) for a in answers]
            record["option_feedback"] = {plain(a.findtext("text")): plain(a.findtext("feedback/text")) for a in answers}
        out.append(record)
    return out


def _qti(notebooks=None, seed=0):
    export = lms.select(BANK, notebooks, seed=seed)
    return export, read_qti(lms.qti_package(export, notebooks))


def _moodle(notebooks=None, seed=0):
    export = lms.select(BANK, notebooks, seed=seed)
    return export, read_moodle(lms.moodle_xml(export, notebooks))


def _expected_feedback(q, option):
    return q.feedback_for(option) or ("Right." if option in q.answers else "")


# --------------------------------------------------------------------------------------------
# Canvas QTI
# --------------------------------------------------------------------------------------------
def test_qti_package_holds_every_exportable_question_with_answers_and_feedback():
    export, items = _qti()
    exportable = [q for q in BANK if q.kind in lms.EXPORTED_KINDS]
    assert [i["id"] for i in items] == [q.question_id for q in exportable]
    assert {q.kind for q in export.skipped} <= {"order", "matrix"} and len(export.skipped) + len(items) == len(BANK)
    types = {"single": "multiple_choice_question", "multiple": "multiple_answers_question", "numeric": "numerical_question"}
    for q, item in zip(exportable, items):
        assert item["type"] == types[q.kind], q.question_id
        assert item["prompt"].startswith(plain(html.escape(q.prompt))), q.question_id
        assert item["general"] == plain(html.escape(q.explanation)), q.question_id
        if q.kind == "numeric":
            assert item["low"] == pytest.approx(q.value - q.tolerance) and item["high"] == pytest.approx(q.value + q.tolerance)
            for number, text in q.feedback:
                assert plain(html.escape(text)) in item["wrong_feedback"]
        else:
            assert item["options"] == list(q.options()), q.question_id
            assert sorted(item["right"]) == sorted(q.answers), q.question_id
            for option in q.choices:
                assert item["option_feedback"][option] == _expected_feedback(q, option), (q.question_id, option)


def test_qti_markup_in_the_text_stays_text():
    q = BANK.get("q02-plasma-peak")
    tricky = quiz.Bank([q.__class__(**{**q.__dict__, "prompt": "Is 2*3 = $6$ <b>bold</b> [link](x) # not a heading?"})])
    item = read_qti(lms.qti_package(lms.select(tricky)))[0]
    assert item["prompt"] == "Is 2*3 = $6$ <b>bold</b> [link](x) # not a heading?"


# --------------------------------------------------------------------------------------------
# Moodle XML
# --------------------------------------------------------------------------------------------
def test_moodle_xml_holds_every_exportable_question_with_answers_and_feedback():
    export, items = _moodle()
    exportable = [q for q in BANK if q.kind in lms.EXPORTED_KINDS]
    assert [i["id"] for i in items] == [q.question_id for q in exportable]
    for q, item in zip(exportable, items):
        assert item["prompt"].startswith(q.prompt), q.question_id
        assert item["general"].startswith(q.explanation) and q.citation in item["general"]
        if q.kind == "numeric":
            assert item["type"] == "numerical"
            assert item["value"] == pytest.approx(q.value) and item["tolerance"] == pytest.approx(q.tolerance)
            for number, text in q.feedback:
                assert item["wrong"][number if "." in number else f"{float(number):g}"] == text
        else:
            assert item["type"] == "multichoice" and item["single"] == (q.kind == "single")
            assert item["options"] == list(q.options()) and sorted(item["right"]) == sorted(q.answers)
            assert sum(f for f in item["fractions"] if f > 0) == pytest.approx(100, abs=0.01)
            for option in q.choices:
                assert item["option_feedback"][option] == _expected_feedback(q, option)


def test_moodle_categories_follow_the_notebooks():
    text = lms.moodle_xml(lms.select(BANK, ["02", "03"]))
    categories = re.findall(r"<text>\$course\$/top/clonaedu/(\d\d) ", text)
    assert categories == ["02", "03"]


# --------------------------------------------------------------------------------------------
# Selection and per-section order
# --------------------------------------------------------------------------------------------
def test_notebooks_select_and_a_seed_reorders_questions_and_options():
    _, items = _moodle(["02", "03"])
    wanted = [q for q in BANK if q.notebook in ("02", "03") and q.kind in lms.EXPORTED_KINDS]
    assert [i["id"] for i in items] == [q.question_id for q in wanted]
    export, shuffled = _moodle(["02", "03"], seed=7)
    expected = list(wanted)
    random.Random(7).shuffle(expected)
    assert [i["id"] for i in shuffled] == [q.question_id for q in expected] != [q.question_id for q in wanted]
    for q, item in zip(expected, shuffled):
        if q.kind != "numeric":
            assert item["options"] == list(q.options(7))
    assert sum(item.get("options") != items_by.get("options") for item, items_by in
               zip(shuffled, [next(i for i in items if i["id"] == s["id"]) for s in shuffled])) > 0
    _, qti_items = _qti(["02", "03"], seed=7)
    assert [i["id"] for i in qti_items] == [i["id"] for i in shuffled]


def test_the_answer_key_of_a_seed_matches_that_seeds_export():
    _, items = _moodle(["02"], seed=7)
    key = html.unescape(quiz.answer_key_html(notebooks=["02"], seed=7))
    for item in items:
        if item["type"] == "multichoice":
            block = key[key.index(f"{item['id']}</code>"):]
            positions = [block.index(o) for o in item["options"]]
            assert positions == sorted(positions), item["id"]


# --------------------------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------------------------
def test_cli_writes_both_formats(tmp_path, capsys):
    assert cli.main(["questions", "--format", "qti", "--out", str(tmp_path / "bank.zip"), "--notebook", "2", "03"]) == 0
    items = read_qti((tmp_path / "bank.zip").read_bytes())
    assert {i["id"][:3] for i in items} == {"q02", "q03"}
    left_out = sum(q.kind not in lms.EXPORTED_KINDS for q in BANK.select(["02", "03"]))
    assert left_out >= 1 and f"left out {left_out} ordered-response" in capsys.readouterr().err
    assert cli.main(["questions", "--format", "moodle", "--out", str(tmp_path / "bank.xml"), "--shuffle-seed", "3"]) == 0
    assert len(read_moodle((tmp_path / "bank.xml").read_text(encoding="utf-8"))) == len(
        [q for q in BANK if q.kind in lms.EXPORTED_KINDS])


@pytest.mark.parametrize("argv, message", [
    (["questions", "--format", "qti"], "--format qti needs --out FILE"),
    (["questions", "--out", "x.zip"], "--out needs --format"),
    (["questions", "--format", "qti", "--out", "bank.xml"], "writes a .zip file"),
    (["questions", "--format", "moodle", "--out", "bank.zip"], "writes a .xml file"),
    (["questions", "--format", "moodle", "--out", "bank.xml", "--shuffle-seed", "-1"], "is negative"),
    (["questions", "--format", "moodle", "--out", "bank.xml", "--shuffle-seed", "two"], "is not a whole number"),
    (["questions", "--format", "csv", "--out", "bank.csv"], "invalid choice: 'csv'"),
])
def test_cli_export_arguments_are_checked(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2 and message in capsys.readouterr().err


def test_cli_stats_reports_positions_length_levels_and_use(capsys):
    assert cli.main(["questions", "--stats"]) == 0
    out = capsys.readouterr().out
    assert "correct option is the longest in" in out and "levels:" in out and "asked in the notebooks:" in out
