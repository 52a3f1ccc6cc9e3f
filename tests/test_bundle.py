"""The instructor bundle (clonaedu bundle / make bundle): built offline, every item in it, nothing
loaded from outside its folder, and slide decks short enough to project."""

from __future__ import annotations

import html
import importlib.util
import ipaddress
import re
import socket
import statistics
import zipfile
from pathlib import Path

import nbformat
import pytest

from clonaedu import bundle, cli, export, quiz, slides

NOTEBOOKS = export.notebook_paths()
#: one kernel-free page is enough to show the bundle carries them (all of them take ~30 s more)
PAGE = "02_single_dose" if importlib.util.find_spec("clonaedu.pages") else None


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One bundle, built with every connection off the machine refused (PDFs are covered by the
    handout tests; here they are skipped to keep the suite quick)."""
    real_connect = socket.socket.connect
    attempts = []

    def guarded(sock, address):
        host = address[0] if isinstance(address, tuple) else None
        if host is not None:
            try:
                local = ipaddress.ip_address(host).is_loopback
            except ValueError:
                local = host == "localhost"
            if not local:
                attempts.append(address)
                raise OSError(f"network access during the bundle build: {address}")
        return real_connect(sock, address)

    mp = pytest.MonkeyPatch()
    mp.setattr(socket.socket, "connect", guarded)
    try:
        made = bundle.build_bundle(tmp_path_factory.mktemp("b") / "clonaedu-instructor", pdf=False,
                                   pages=[PAGE], log=lambda _: None)
    finally:
        mp.undo()
    assert attempts == []
    return made


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


pytestmark = pytest.mark.slow


def test_the_answer_key_has_every_bank_question_and_every_folded_check(built):
    bank = _text(built.folder / "answer_key" / "question_bank.html")
    for q in quiz.bank():
        assert f'id="{q.question_id}"' in bank
    page = _text(built.folder / "answer_key" / "notebook_answers.html")
    total = 0
    for path in NOTEBOOKS:
        nb = slides.parts(path)
        assert html.escape(nb.title) in page
        for objective in nb.objectives:
            assert html.escape(objective) in page
        total += len(nb.checks)
    # a folded check is a markdown cell's <details> whose summary starts "Check your answer"
    # (test_course's rule: "Check your answers to the planner tasks" is one too); a folded table a
    # code cell shows under a check is part of that check's answer, not a check of its own
    folded, tables = 0, []
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown":
                folded += len(re.findall(r"<summary>\s*Check your answers?\b[^<]*</summary>", cell.source))
            for out in cell.get("outputs", []):
                shown = out.get("data", {}).get("text/markdown", "")
                if re.match(r"<details><summary>Check your answer", shown):
                    tables.append(re.findall(r"^\| ([^|]{20,}?) \|", shown, re.M)[-1])
    assert page.count('<div class="answer"><b>Answer</b>') == total == folded > 20
    for row in tables:  # the folded answer tables are in the key, with the check they belong to
        assert html.escape(row.strip(), quote=False) in page, row


def _figures_in(output) -> int:
    """Figures a saved output shows: one for a PNG output (its HTML twin is the same figure);
    for an HTML or Markdown output (a figure folded into a <details>), each <img> in it, except the
    accessibility script's invisible trigger image (src="data:,")."""
    data = output.get("data", {})
    if "image/png" in data:
        return 1
    shown = "text/html" if "text/html" in data else "text/markdown"
    html = "".join(data.get(shown, ""))
    return len([img for img in re.findall(r"<img\b[^>]*>", html) if 'src="data:,"' not in img])


def test_handouts_for_every_notebook_with_alt_text_on_every_figure(built):
    for path in NOTEBOOKS:
        page = _text(built.folder / "handouts" / f"{path.stem}.html")
        images = re.findall(r"<img\b[^>]*>", page)
        saved = sum(_figures_in(o) for c in nbformat.read(path, as_version=4).cells
                    for o in c.get("outputs", []))
        assert len(images) == saved, path.name
        for img in images:
            alt = re.search(r'alt="([^"]*)"', img).group(1)
            assert len(alt) > 20 and "No description" not in alt, (path.name, alt[:80])


def test_the_figure_pack_in_both_styles(built):
    for look in ("house", "projector"):
        folder = built.folder / "figures" / look
        for entry in export.REGISTRY:
            for ext in ("png", "svg", "alt.txt"):
                assert (folder / f"{entry.name}.{ext}").stat().st_size > 0, (look, entry.name, ext)
        assert (folder / "figures.json").exists()
    house = (built.folder / "figures" / "house" / f"{export.REGISTRY[0].name}.png").read_bytes()
    projector = (built.folder / "figures" / "projector" / f"{export.REGISTRY[0].name}.png").read_bytes()
    assert house != projector


def test_slide_decks_are_short_have_figures_and_carry_notes(built):
    assert set(built.decks) == {p.name[:2] for p in NOTEBOOKS}
    all_slides = []
    for path in NOTEBOOKS:
        deck = built.decks[path.name[:2]]
        counts = [slides.slide_words(s) for s in deck]
        assert max(counts) <= slides.MAX_WORDS, (path.name, max(counts))
        assert statistics.median(counts) <= slides.TARGET_MEDIAN, (path.name, statistics.median(counts))
        page = _text(built.folder / "slides" / f"{path.stem}.html")
        assert page.count("<section") == len(deck)
        # what the page shows is what was counted: words outside the speaker notes
        shown = re.sub(r'<aside class="notes">.*?</aside>', "", page, flags=re.S)
        for section in re.findall(r"<section.*?</section>", shown, flags=re.S):
            assert slides.words(html.unescape(re.sub(r"<[^>]+>", " ", section))) <= slides.MAX_WORDS
        assert '<script src="reveal/reveal.js"></script>' in page and "RevealNotes" in page
        for src in re.findall(r'<img src="([^"]+)" alt="([^"]+)"', page):
            assert (built.folder / "slides" / src[0]).is_file() and len(src[1]) > 20
        all_slides += deck
    with_figure = sum(s.figure is not None for s in all_slides)
    assert with_figure > len(all_slides) / 2, f"{with_figure} of {len(all_slides)} slides have a figure"
    assert sum(bool(s.notes.strip()) for s in all_slides) >= 0.9 * len(all_slides)
    for name in slides.REVEAL_FILES:
        assert (built.folder / "slides" / "reveal" / name).stat().st_size > 0


def test_worksheets_ask_every_prompt_and_give_no_answers(built):
    for path in NOTEBOOKS:
        nb = slides.parts(path)
        page = _text(built.folder / "worksheets" / f"{path.stem}.html")
        assert page.count('<div class="page">') == len(nb.checks)
        assert "Sketch your prediction" in page or "Your prediction" in page or not nb.checks
        for check in nb.checks:
            answer = slides.plain(check.answer)
            if len(answer) > 40:
                assert answer[:40] not in html.unescape(re.sub(r"<[^>]+>", " ", page)), path.name


def test_the_facilitator_guide_has_the_cases_with_expected_answers_and_timings(built):
    from clonaedu import casebook

    page = _text(built.folder / "facilitator" / "cases.html")
    cases = casebook.casebook()
    assert cases
    for case in cases.values():
        assert f'id="{case.case_id}"' in page and html.escape(case.title) in page
        for stage in case.stages:
            assert html.escape(stage.title) in page
            if stage.model_answer:  # the written task's model answer, for the facilitator
                assert slides.plain(stage.model_answer)[:40] in slides.plain(page)
    stages = sum(len(c.stages) for c in cases.values())
    assert page.count("<b>Expected</b>") == stages
    assert page.count("minutes)</small>") == len(cases) + stages and "Discussion prompts" in page


def test_the_kernel_free_pages_are_in_the_bundle(built):
    if PAGE is None:
        pytest.skip("clonaedu.pages is not in this version of the course")
    assert (built.folder / "pages" / f"{PAGE}.html").stat().st_size > 10_000
    assert 'href="pages/index.html"' in _text(built.folder / "index.html")


def test_nothing_in_the_bundle_loads_from_outside_its_folder(built):
    loads = re.compile(r"<(?:script|img|link|iframe|source|video|audio)\b[^>]*(?:src|href)=\"(https?:)?//", re.I)
    for page in built.folder.rglob("*.html"):
        text = _text(page)
        assert not loads.search(text), page.name
        assert not re.search(r"@import\s+url\(\s*['\"]?(https?:)?//", text), page.name
    for sheet in built.folder.rglob("*.css"):
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", _text(sheet)), sheet.name


def test_the_zip_holds_the_folder_and_the_index_links_resolve(built):
    with zipfile.ZipFile(built.zip_path) as archive:
        names = set(archive.namelist())
    on_disk = {f"clonaedu-instructor/{p.relative_to(built.folder).as_posix()}" for p in built.folder.rglob("*") if p.is_file()}
    assert names == on_disk
    index = _text(built.folder / "index.html")
    for href in re.findall(r'href="([^"#]+)"', index):
        assert (built.folder / href).exists(), href
    assert built.seconds > 0


def test_clip_keeps_whole_sentences_and_never_exceeds_the_limit():
    text = "One two three. Four five six seven. Eight nine ten eleven twelve."
    assert slides.clip(text, 20) == text
    assert slides.clip(text, 8) == "One two three. Four five six seven."
    assert slides.clip("a b c d e f g h i j", 5) == "a b c d …"
    assert slides.words(slides.clip("word " * 300, 45)) <= 45


def test_a_long_section_is_clipped_on_the_slide_and_kept_in_the_notes(tmp_path):
    long = " ".join(f"Sentence number {i} has several words in it." for i in range(60))
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 99 · Test\n\n*About 10 minutes.*\n\n## Learning objectives\n1. one\n2. two"),
        nbformat.v4.new_markdown_cell("## A long section\n" + long),
        nbformat.v4.new_markdown_cell("**Predict** " + long + "\n\n<details><summary>Check your answer</summary>\n\n"
                                      "The **answer**.\n</details>"),
    ])
    path = tmp_path / "99_test.ipynb"
    nbformat.write(nb, path)
    parts = slides.parts(path)
    assert parts.objectives == ["one", "two"] and len(parts.checks) == 1
    deck = slides.build_slides(parts)
    assert all(slides.slide_words(s) <= 45 + 10 for s in deck)
    # a section with no figure: its question is its slide, the section's text and the answer in the notes
    assert len(deck) == 2 and deck[1].kind == "predict" and deck[1].heading == "A long section"
    assert "Sentence number 59" in deck[1].notes and "Sentence number 59" not in deck[1].shown()
    assert "Answer: The answer." in deck[1].notes


def test_bundle_refuses_a_folder_that_is_not_a_bundle(tmp_path, capsys):
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["bundle", "--out", str(tmp_path), "--no-pdf"])
    assert exit_info.value.code == 2 and "is not a clonaedu bundle" in capsys.readouterr().err
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_neighbouring_text_only_sections_share_a_slide_and_a_table_is_not_a_key_sentence(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 99 · Test\n\n*About 10 minutes.*\n\n## Learning objectives\n1. one"),
        nbformat.v4.new_markdown_cell("## Reading the figures\nUnits on every axis. Shaded windows mark ranges."),
        nbformat.v4.new_markdown_cell("## Glossary\n| term | meaning |\n|---|---|\n| **dose** (mg) | one intake |\n"),
        nbformat.v4.new_markdown_cell("## Takeaways\n- one thing\n\nNext: [00](00.ipynb)."),
    ])
    path = tmp_path / "99_test.ipynb"
    nbformat.write(nb, path)
    deck = slides.build_slides(slides.parts(path))
    assert [s.kind for s in deck] == ["title", "content", "takeaways"]
    assert deck[1].heading == "Reading the figures · Glossary"
    assert deck[1].bullets == ["Reading the figures: Units on every axis.", "Glossary: dose (mg): one intake; …"]
    assert "Shaded windows mark ranges." in deck[1].notes and "one intake" in deck[1].notes
