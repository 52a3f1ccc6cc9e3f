"""Learning design (issue 14): the outline holds, times are computed, code is out of the way, no
answer shows before its question, provenance stays out of the student's reading path, and every
link between notebooks, in the README and in the instructor guide resolves."""

import html
import re
from pathlib import Path
from urllib.parse import urlparse, parse_qs

import nbformat
import pytest

from clonaedu import course

ROOT = Path(__file__).resolve().parent.parent
NB_DIR = ROOT / "notebooks"
NOTEBOOKS = [NB_DIR / nb.filename for nb in course.OUTLINE]
IDS = [p.name for p in NOTEBOOKS]


def _read(path):
    return nbformat.read(path, as_version=4)


# --------------------------------------------------------------------------------------------
# The outline
# --------------------------------------------------------------------------------------------
def test_the_files_on_disk_are_the_outline():
    on_disk = sorted(p.name for p in NB_DIR.glob("[0-9][0-9]_*.ipynb"))
    assert on_disk == [nb.filename for nb in course.OUTLINE]


def test_number_accepts_the_usual_spellings_and_refuses_others():
    assert course.number(2) == course.number("2") == course.number("02") == "02"
    with pytest.raises(ValueError, match="unknown notebook '11'"):
        course.number("11")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_title_matches_the_outline(path):
    entry = course.by_number(path.name[:2])
    assert _read(path).cells[0].source.startswith(f"# {entry.link_text}")


# --------------------------------------------------------------------------------------------
# Time estimates and length
# --------------------------------------------------------------------------------------------
def _cell(source, kind="markdown", outputs=()):
    return {"cell_type": kind, "source": source, "outputs": list(outputs), "metadata": {}}


def test_minutes_counts_reading_panels_and_questions():
    panel = {"output_type": "display_data", "data": {"application/vnd.jupyter.widget-view+json": {},
                                                      "text/plain": "[Taper planner: run the notebook to use it] 1 mg"}}
    question = {"output_type": "display_data", "data": {"application/vnd.jupyter.widget-view+json": {},
                                                         "text/plain": "Question [q01-a]"}}
    nb = {"cells": [
        _cell("# T\n\n*About 5 minutes.*\n\n" + "word " * 300),                 # 2 min reading
        _cell("**Predict**\n1. a?\n2. b?\n<details>1. **x**\n2. y</details>"),    # 2 questions
        _cell("P()", "code", [panel]),                                           # 1 panel
        _cell("quiz.ask('q01-a', 'q01-b')", "code", [question]),                # 2 questions, no panel
        _cell("## References\n" + "word " * 5000),                              # not counted
    ]}
    assert course.words(nb) == 304 + 5  # the first cell, then "Predict 1 a 2 b" outside the fold
    assert course.count_panels(nb) == 1
    assert course.count_questions(nb) == 4
    # 309/150 + 5 + 8 = 15.06 -> rounded up to 20
    assert course.minutes(nb) == 20
    # a case counts each stage; a self-check counts per_notebook questions of every content notebook
    from clonaedu import casebook
    stages = len(casebook.get("panic_stop").stages)
    nb["cells"].append(_cell('cases.unfold("panic_stop", score=s)\nquiz.self_check(per_notebook=1, seed=8)', "code"))
    assert course.count_questions(nb) == 4 + stages + len(course.CONTENT)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stated_time_is_the_computed_time(path):
    nb = _read(path)
    assert course.stated_minutes(nb) == course.minutes(nb), (
        f"{path.name}: run `make notebooks` (clonaedu.execute writes the computed time)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_student_prose_is_at_most_the_word_limit(path):
    n = course.words(_read(path))
    assert n <= course.WORD_LIMIT, f"{path.name}: {n} words of student prose"


def test_course_map_agrees_everywhere():
    minutes = {nb.number: course.stated_minutes(_read(NB_DIR / nb.filename)) for nb in course.OUTLINE}
    start = "\n".join(c.source for c in _read(NOTEBOOKS[0]).cells if c.cell_type == "markdown")
    assert course.map_table(minutes, this="00") in start
    assert course.map_table(minutes, "notebooks/") in (ROOT / "README.md").read_text()
    assert course.map_table(minutes, "../notebooks/") in (ROOT / "docs" / "instructor.md").read_text()


# --------------------------------------------------------------------------------------------
# Code out of the way, navigation that leads on
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_code_cells_are_hidden_unless_a_student_edits_them(path):
    for i, cell in enumerate(_read(path).cells):
        if cell.cell_type != "code":
            continue
        hidden = cell.metadata.get("jupyter", {}).get("source_hidden", False)
        editable = "student-edit" in cell.metadata.get("tags", [])
        assert hidden != editable, f"{path.name} cell {i}: hidden={hidden}, student-edit={editable}"


def _link(entry, prefix=""):
    return f"[{entry.link_text}]({prefix}{entry.filename})"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_previous_and_next_links(path):
    nb = _read(path)
    i = [e.filename for e in course.OUTLINE].index(path.name)
    head = nb.cells[0].source.split("## Learning objectives")[0]
    takeaways = [c.source for c in nb.cells if c.cell_type == "markdown" and "## Takeaways" in c.source]
    assert takeaways, f"{path.name}: no Takeaways"
    end = takeaways[-1].split("## References")[0].rstrip()
    if i > 0:
        assert f"Previous: {_link(course.OUTLINE[i - 1])}" in head, f"{path.name}: Previous link"
    if i + 1 < len(course.OUTLINE):
        nxt = _link(course.OUTLINE[i + 1])
        assert f"Next: {nxt}" in head, f"{path.name}: Next link at the top"
        assert end.splitlines()[-1].startswith("Next:") and nxt in end.splitlines()[-1], (
            f"{path.name}: the Takeaways must end with a Next link")
    else:
        assert _link(course.OUTLINE[0]) in end.splitlines()[-1], f"{path.name}: end links back to 00"


_MD_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _local_targets(text):
    for target in _MD_LINK.findall(text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        yield target.split("#")[0]


@pytest.mark.parametrize("page", ["README.md", "docs/instructor.md"] + [f"notebooks/{n}" for n in IDS])
def test_every_local_link_resolves(page):
    path = ROOT / page
    if path.suffix == ".ipynb":
        text = "\n".join(c.source for c in _read(path).cells if c.cell_type == "markdown")
    else:
        text = path.read_text()
    missing = [t for t in _local_targets(text) if t and not (path.parent / t).exists()]
    assert not missing, f"{page}: links to missing files {missing}"


def test_binder_addresses_open_existing_notebooks():
    text = (ROOT / "README.md").read_text()
    urls = re.findall(r"https://mybinder\.org/v2/gh/[^\s)\]]+", text)
    assert urls
    for url in urls:
        target = parse_qs(urlparse(url).query)["urlpath"][0]
        nb = re.sub(r"^(lab/tree|voila/render)/", "", target)
        assert (ROOT / nb).exists(), f"{url} opens {nb}, which does not exist"


# --------------------------------------------------------------------------------------------
# No answer on screen before the student acts
# --------------------------------------------------------------------------------------------
_DETAILS = re.compile(r"<details>\s*<summary>\s*Check your answers?[^<]*</summary>(.*?)</details>", re.S)
_BOLD = re.compile(r"\*\*([^*]+)\*\*")


def _visible_text(cell):
    """What a student sees of a code cell's outputs, as text (images have no text; a widget's
    text fallback is what the saved notebook shows in its place)."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        data = out.get("data", {})
        if "text/html" in data:
            parts.append(html.unescape(re.sub(r"<[^>]+>", " ", "".join(data["text/html"]))))
        elif "text/markdown" in data:
            parts.append("".join(data["text/markdown"]))
        elif "text/plain" in data:
            parts.append("".join(data["text/plain"]))
    return "\n".join(parts)


def spoilers(nb):
    """(cell index, answer value) for every bold answer value with a digit in a folded "Check
    your answer" that a code cell's output already shows on screen with it: above it in the same
    section (since the last ``#``/``##`` heading: a table, a printed line or a panel's starting
    message), or right below it (the code cells after the question, up to the next text cell: an
    output there is not folded, whatever the details block above it says)."""
    found = []
    shown = []  # visible output text since the last heading
    cells = nb.cells
    for i, cell in enumerate(cells):
        if cell.cell_type == "code":
            shown.append(_visible_text(cell))
            continue
        if re.match(r"\s*##?\s", cell.source):
            shown = []
        below = []
        for after in cells[i + 1:]:
            if after.cell_type != "code":
                break
            below.append(_visible_text(after))
        screen = "\n".join(shown + below)
        for answer in _DETAILS.findall(cell.source):
            for value in _BOLD.findall(answer):
                value = value.strip()
                if re.search(r"\d", value) and re.search(
                        r"(?<![\d.])" + re.escape(value) + r"(?![\d])", screen):
                    found.append((i, value))
    return found


def test_the_spoiler_check_finds_an_answer_printed_above_its_question():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("## 1. A"),
        nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output("stream", text="peak at 12 h\n")]),
        nbformat.v4.new_markdown_cell("**Predict** when?\n<details><summary>Check your answer</summary>\n\n**12 h**</details>"),
    ])
    assert spoilers(nb) == [(2, "12 h")]
    nb.cells.insert(2, nbformat.v4.new_markdown_cell("## 2. B"))  # a new section: not on screen together
    assert spoilers(nb) == []
    # an output right after the folded answer is not folded: it answers the question too
    nb.cells.append(nbformat.v4.new_code_cell("t", outputs=[nbformat.v4.new_output("stream", text="12 h\n")]))
    assert spoilers(nb) == [(3, "12 h")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_answer_shows_before_its_question(path):
    found = spoilers(_read(path))
    assert not found, f"{path.name}: answers on screen before the check (cell, value): {found}"


# --------------------------------------------------------------------------------------------
# Provenance stays out of the student's reading path
# --------------------------------------------------------------------------------------------
_PROVENANCE = re.compile(r"verified_secondary|verbatim reproduction|data/[a-z_]+\.csv|\bverification\b"
                         r"|<th[^>]*>\s*status\s*</th>|unverified", re.I)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_provenance_language_in_student_text(path):
    nb = _read(path)
    prose = course.student_prose(nb)
    outputs = "\n".join("".join(o.get("data", {}).get("text/html", "")) + o.get("text", "")
                        for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    hits = _PROVENANCE.findall(prose) + _PROVENANCE.findall(outputs)
    assert not hits, f"{path.name}: maintainer language in the student's reading path: {sorted(set(hits))}"
