"""Kernel-free pages (issue 19): self-contained, the panels' own frames, budgets enforced."""

import base64
import json
import re
from dataclasses import replace

import pytest

from clonaedu import cli, pages
from clonaedu.panels import SingleDosePanel

SMALL = replace(pages.page_by_slug("02_single_dose"), grid={"dose": [0.5, 1.0, 2.0], "half_life": [19, 60]})


@pytest.fixture(scope="module")
def small():
    frames = pages.render_frames(SMALL)
    return frames, pages.page_html(SMALL, frames)


def _payload(text):
    return json.loads(re.search(r'<script type="application/json" id="frames">(.*?)</script>', text, re.S)
                      .group(1).replace("<\\/", "</"))


def test_every_combination_is_a_state_and_repeated_figures_are_stored_once(small):
    frames, _ = small
    assert len(frames.states) == 6 and frames.skipped == 0
    assert frames.frame_count == 6  # every dose and half-life draws a different figure
    assert [c.labels for c in frames.controls] == [["0.5", "1", "2"], ["19", "60"]]
    # a grid that repeats a setting reuses the frame
    twice = pages.render_frames(replace(SMALL, grid={"dose": [1.0, 1.0]}))
    assert len(twice.states) == 2 and twice.frame_count == 1


@pytest.mark.parametrize("dose, half_life", [(0.5, 19), (2.0, 60), (1.0, 60)])
def test_a_frame_is_the_live_panels_render_byte_for_byte(small, dose, half_life):
    frames, _ = small
    panel = SingleDosePanel(dose_mg=1.0)
    panel.dose.value = dose
    panel.half_life.value = half_life
    key = f"{[0.5, 1.0, 2.0].index(dose)},{[19, 60].index(half_life)}"
    image, alt, message = frames.states[key]
    assert base64.b64decode(frames.images[image]) == panel.png
    assert message == panel.message.value
    assert alt == pages._alt(panel)


def test_the_page_is_self_contained_and_says_what_it_is(small):
    _, text = small
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', text), "a page loads nothing from elsewhere"
    assert "<link" not in text and "@import" not in text
    assert "not medical advice" in text and pages.ILLUSTRATIVE in text
    assert "What this page offers." in text and "clonaedu " in text
    assert '<label for="ctl-0">Dose (mg)</label>' in text and 'aria-live="polite"' in text
    assert 'alt=""' not in text
    payload = _payload(text)
    assert len(payload["images"]) == 6 and set(payload["states"]) == {f"{i},{j}" for i in range(3) for j in range(2)}
    assert "Crevoisier" in text or "crevoisier2003" in text  # the figure's sources are listed


def test_the_page_starts_where_the_notebook_starts(small):
    _, text = small
    panel = SingleDosePanel(dose_mg=1.0)  # the notebook's panel: 1 mg, half-life 38 h
    # 38 h is not offered by SMALL, so the page starts at the first value of that control
    assert 'id="ctl-0" min="0" max="2" step="1" value="1"' in text
    assert base64.b64encode(panel.png).decode() not in text  # the 38 h figure is not in the page


def test_over_budget_and_unknown_controls_are_refused_clearly():
    with pytest.raises(pages.PageError, match=r"8 combinations is over the budget of 4 frames"):
        pages.render_frames(replace(SMALL, grid={"dose": [0.5, 1.0], "half_life": [19, 30, 40, 60]}), max_frames=4)
    with pytest.raises(pages.PageError, match=r"the panel has no control 'colour'"):
        pages.render_frames(replace(SMALL, grid={"colour": [1]}))
    with pytest.raises(pages.PageError, match=r"no values offered for 'dose'"):
        pages.render_frames(replace(SMALL, grid={"dose": []}))
    with pytest.raises(pages.PageError, match=r"unknown page 'nope'"):
        pages.page_by_slug("nope")


def test_a_value_the_panel_refuses_is_skipped_not_drawn():
    frames = pages.render_frames(replace(SMALL, grid={"dose": [1.0, 9.0]}))  # 9 mg is beyond the slider
    assert frames.skipped == 1 and list(frames.states) == ["0"]


def test_every_course_page_fits_the_budget_on_paper():
    for page in pages.PAGES:
        panel = page.build()
        controls = pages._describe_controls(panel, page)
        n = 1
        for c in controls:
            n *= len(c.values)
        assert n <= pages.MAX_FRAMES, page.slug
        assert page.note, f"{page.slug}: say what the page offers"


def test_cli_writes_pages_and_an_index(tmp_path, capsys):
    assert cli.main(["pages", "--out", str(tmp_path), "--page", "04_dose_comparison"]) == 0
    assert (tmp_path / "04_dose_comparison.html").exists()
    index = (tmp_path / "index.html").read_text()
    assert 'href="04_dose_comparison.html"' in index
    assert "1 pages in" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        cli.main(["pages", "--out", str(tmp_path), "--page", "nope"])
    assert exit_.value.code == 2


def test_building_a_page_leaves_other_widgets_open():
    from clonaedu import quiz
    other = quiz.question("q01-panic-maximum")
    pages.render_frames(replace(SMALL, grid={"dose": [1.0]}))
    assert other.comm is not None, "building a page closed a widget it does not own"
