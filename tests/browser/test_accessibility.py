"""axe-core on every notebook, in JupyterLab (after Run All) and in the app view (Voila).

Fails on any critical or serious violation that the project can fix; violations caused by a
library the project does not control are allowed only when tests/browser/axe_allowlist.json
lists them with the upstream issue that tracks them (see axe.py).

In JupyterLab axe checks the notebook (``.jp-Notebook``: the course's cells, outputs and
panels); JupyterLab's own menus and side bars are not the course's. In Voila it checks the
whole page. Then, for every panel: the figure's alt text is its description, every slider
handle has a name, the message is a live region, and after a control is changed from the
keyboard the alt text describes the new state. Each run's counts by impact (all impacts, allowed or not) are written to
artifacts/axe/<frontend>-<notebook>.json.
"""

from __future__ import annotations

import json

import pytest

from . import axe, driver
from .conftest import ARTIFACTS, _skip_or_fail
from .servers import NOTEBOOK_DIR, notebooks

CASES = [pytest.param(path, frontend, id=f"axe-{frontend}-{path.stem}")
         for path in notebooks() for frontend in ("jupyterlab", "voila")]


def _rel(path) -> str:
    return path.relative_to(NOTEBOOK_DIR.parent).as_posix()


@pytest.fixture(scope="session")
def axe_artifacts(request, browser_workdir):
    try:
        axe.axe_source()
    except RuntimeError as exc:  # a missing axe-core is a skip locally, a failure in CI
        _skip_or_fail(request.config, str(exc))
    path = ARTIFACTS / "axe"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _open(path, frontend, request, server_root, shared_pages):
    """The notebook run in ``frontend``: the page test_in_browser already opened for it when it
    ran (conftest.SharedPages hands it on), else opened here the same way."""
    expected = driver.expected_panels(server_root / _rel(path))
    if frontend == "jupyterlab":
        server = request.getfixturevalue("lab_server")
        context_fixture = "lab_context"

        def opener(page):
            driver.open_in_lab(page, server, _rel(path), workspace=f"axe-{driver.safe_name(path)}")
            return driver.run_all_in_lab(page)
    else:
        server = request.getfixturevalue("voila_server")
        context_fixture = "voila_context"

        def opener(page):
            driver.start_voila_load(page, server, _rel(path))
            driver.finish_voila_load(page)

    def new_page():
        page = request.getfixturevalue(context_fixture).new_page()
        return page, driver.BrowserProblems(page)

    page, state = shared_pages.open(frontend, path, new_page, opener)
    if frontend == "jupyterlab":
        errors = state["opened"]
        assert not errors, f"{path.name}: errors after Run All:\n  " + "\n  ".join(errors)
        context = ".jp-Notebook"
    else:
        # Voila shows the cells (and removes its "Executing n of N" spinner) once all have run
        page.wait_for_function("() => !document.getElementById('loading')", timeout=120_000, polling=100)
        context = None
    panels = driver.wait_for_panels(page, expected)
    # every notebook ends with its references, which carry the page's accessibility CSS (outputs
    # render asynchronously, after Voila has removed its spinner)
    page.wait_for_function("""() => Array.from(document.querySelectorAll('style'))
                                  .some(s => s.textContent.includes('.clonaedu-sr-only'))""",
                           timeout=30_000, polling=100)
    # the page script (clonaedu/a11y.py) runs on the next animation frame after a change
    page.wait_for_function("""() => Array.from(document.querySelectorAll('.clonaedu-panel > img.clonaedu-figure'))
                                  .every(img => img.hasAttribute('alt'))""", timeout=20_000, polling=100)
    return server, page, panels, context


_PANEL_A11Y = """(panel) => {
    const img = panel.querySelector(':scope > img.clonaedu-figure');
    const alt = panel.querySelector(':scope > .clonaedu-alt');
    const message = panel.querySelector(':scope > .clonaedu-message');
    const handles = Array.from(panel.querySelectorAll('.noUi-handle')).filter(h => h.offsetParent !== null);
    const name = el => {
        const ids = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
        const text = ids.map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim();
        return text || (el.getAttribute('aria-label') || '').trim();
    };
    return {
        alt: img ? img.getAttribute('alt') : null,
        description: alt ? alt.textContent.trim() : null,
        live: message ? message.getAttribute('aria-live') : null,
        unnamed: handles.filter(h => !name(h)).length,
        handles: handles.length,
    };
}"""


_CONTROLS = """(panel) => {
    const box = panel.querySelector(':scope > .widget-box');
    const all = box ? Array.from(box.querySelectorAll(
        '.noUi-handle, select, button, input, textarea, [tabindex]:not([tabindex="-1"])')) : [];
    const visible = all.filter(el => el.offsetParent !== null && !el.disabled);
    visible.forEach((el, i) => el.setAttribute('data-clonaedu-kb', String(i)));
    return visible.length;
}"""

_FOCUSED = """(panel) => {
    const el = document.activeElement;
    if (!el || !panel.contains(el)) return 'outside';
    return el.hasAttribute('data-clonaedu-kb') ? el.getAttribute('data-clonaedu-kb') : 'other';
}"""


def _check_keyboard(page, panel, where):
    """Tab from the first control reaches every visible control of the panel (slider readouts,
    which are editable, may come in between)."""
    count = panel.evaluate(_CONTROLS)
    if not count:
        return []
    panel.locator('[data-clonaedu-kb="0"]').focus()
    reached = {panel.evaluate(_FOCUSED)}
    for _ in range(3 * count + 5):
        page.keyboard.press("Tab")
        focused = panel.evaluate(_FOCUSED)
        if focused == "outside":
            break
        reached.add(focused)
    missing = sorted(set(map(str, range(count))) - reached, key=int)
    return [f"{where}: Tab does not reach controls {missing} of {count}"] if missing else []


def _panel_state(panel) -> dict:
    return panel.evaluate(_PANEL_A11Y)


def _check_panels(page, panels, where):
    problems = []
    for i, panel in enumerate(panels):
        state = _panel_state(panel)
        if not state["alt"] or state["alt"] != state["description"]:
            problems.append(f"panel {i}: figure alt {state['alt']!r} is not its description {state['description']!r}")
        if state["live"] != "polite":
            problems.append(f"panel {i}: message is not a live region (aria-live={state['live']!r})")
        if state["unnamed"]:
            problems.append(f"panel {i}: {state['unnamed']} of {state['handles']} slider handles have no name")
        problems += _check_keyboard(page, panel, f"panel {i}")
    if panels:  # alt text follows the state: change the first panel's control from the keyboard
        panel = panels[0]
        before = _panel_state(panel)["alt"]
        control = driver.check_panel_reacts(page, panel)
        try:
            page.wait_for_function("([p, before]) => { const img = p.querySelector(':scope > img.clonaedu-figure');"
                                   " return img && img.getAttribute('alt') && img.getAttribute('alt') !== before; }",
                                   arg=[panel.element_handle(), before], timeout=10_000, polling=100)
        except Exception:
            problems.append(f"panel 0: alt text unchanged after {control}: {before!r}")
    assert not problems, f"{where}:\n  " + "\n  ".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize(("path", "frontend"), CASES)
def test_axe(path, frontend, request, server_root, axe_artifacts, shared_pages):
    server = request.getfixturevalue("lab_server" if frontend == "jupyterlab" else "voila_server")
    try:
        server, page, panels, context = _open(path, frontend, request, server_root, shared_pages)
        report = axe.run(page, context)
        record = {"notebook": path.stem, "frontend": frontend, **report.as_json()}
        (axe_artifacts / f"{frontend}-{driver.safe_name(path)}.json").write_text(
            json.dumps(record, indent=1), encoding="utf-8")
        print(f"axe {frontend} {path.stem}: nodes {report.counts()} rules {report.rules()} "
              f"(allowed upstream: {len(report.upstream)})")
        assert not report.failing, (
            f"{path.name} in {frontend}: {len(report.failing)} critical/serious axe-core violations "
            f"the project must fix (or list with their upstream issue in axe_allowlist.json):\n  "
            + report.describe_failing())
        _check_panels(page, panels, f"{path.name} in {frontend}")
    finally:
        shared_pages.release(frontend, path, server)
