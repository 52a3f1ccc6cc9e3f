"""Kernel-free pages in a real browser (issue 19): every page opens from file://, loads nothing
from elsewhere, every control, moved from the keyboard, swaps the figure, alt text or message, and
axe-core (the installed copy, see axe.py) finds no critical or serious violation."""

from __future__ import annotations

import pytest

from clonaedu import pages

from . import axe, driver


@pytest.fixture(scope="module")
def built(tmp_path_factory, browser_workdir):
    out = tmp_path_factory.mktemp("pages")
    pages.build(out, log=None)
    return out


def _state(page):
    return page.evaluate("""() => { const f = document.getElementById('figure');
        return [f.src.length + ':' + f.src.slice(-64), f.alt, document.getElementById('message').innerText]; }""")


@pytest.mark.parametrize("slug", [p.slug for p in pages.PAGES])
def test_page_works_from_a_file_with_the_keyboard(slug, built, chromium):
    context = chromium.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    problems = driver.BrowserProblems(page)
    try:
        page.goto((built / f"{slug}.html").as_uri())
        page.wait_for_load_state("load")
        first = _state(page)
        assert first[1].strip(), f"{slug}: the figure has no alt text"
        assert first[2].strip(), f"{slug}: no message"
        n = page.locator(".controls select, .controls input").count()
        assert n == len(pages.page_by_slug(slug).grid)
        for i in range(n):
            control = page.locator(f"#ctl-{i}")
            name = page.locator(f'label[for="ctl-{i}"]').inner_text().strip()
            assert name, f"{slug}: control {i} has no label"
            before = _state(page)
            control.focus()
            kind = control.evaluate("el => el.tagName === 'SELECT' ? 'select' : el.type")
            if kind == "checkbox":
                page.keyboard.press("Space")
            elif kind == "range":
                at_end = control.evaluate("el => el.value === el.max")
                page.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
            else:
                at_end = control.evaluate("el => el.selectedIndex === el.options.length - 1")
                page.keyboard.press("ArrowUp" if at_end else "ArrowDown")
            after = _state(page)
            assert after != before, f"{slug}: moving {name!r} changed neither figure, alt text nor message"
            assert after[1].strip() and "does not offer" not in after[2], f"{slug}: {name!r} reached no frame"
        report = axe.run(page, allowed=[])  # a page is all ours: nothing upstream to allow
        assert not report.failing, f"{slug}: axe-core finds\n  {report.describe_failing()}"
        outside = [u for u in problems.outside if not u.startswith("file:")]
        assert not outside, f"{slug}: requests left the machine: {outside}"
        assert not problems.messages, str(problems)
    finally:
        context.close()
