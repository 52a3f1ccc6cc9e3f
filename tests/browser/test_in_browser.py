"""Every notebook, in a real browser, in JupyterLab and in Voila.

JupyterLab: open the notebook, Run All, wait for the kernel to go idle; no error or stderr
output; every panel shows its controls and a loaded figure; changing one control of each panel
changes the figure on screen. Voila: the rendered notebook shows the same panels, reacting the
same way.

The items run notebook by notebook (JupyterLab, then Voila). While JupyterLab works on a
notebook, Voila already renders the same notebook in a second page: the two kernels and the
browser then share the two cores instead of taking turns.

Screenshots (full page, artifacts/screenshots/): every notebook in JupyterLab after Run All,
and Voila's rendering when a Voila check fails.
"""

from __future__ import annotations

import pytest

from . import driver
from .servers import NOTEBOOK_DIR, notebooks

FRONTENDS = ("jupyterlab", "voila")
CASES = [pytest.param(path, frontend, id=f"{frontend}-{path.stem}")
         for path in notebooks() for frontend in FRONTENDS]


def _rel(path) -> str:
    return path.relative_to(NOTEBOOK_DIR.parent).as_posix()


def _check_panels(page, path, panels, expected, problems, where, phases):
    shown = page.locator(driver.STDERR).all_inner_texts()
    assert not shown, f"{path.name}: error output in {where}: {shown[0][:500]}"
    assert len(panels) == expected, (
        f"{path.name}: {len(panels)} panels in {where}, the saved notebook shows {expected}")
    failures = []
    for i, panel in enumerate(panels):
        if not driver.panel_controls(panel):
            failures.append(f"panel {i}: no visible controls")
            continue
        try:
            driver.check_panel_reacts(page, panel)
        except AssertionError as exc:
            failures.append(f"panel {i}: {exc}")
    phases.mark(f"{len(panels)} panels react")
    assert not failures, f"{path.name} in {where}:\n  " + "\n  ".join(failures) + f"\n{problems}"
    assert not problems.outside, (f"{path.name} in {where}: requests left 127.0.0.1 (nothing may be "
                                  f"loaded from outside the serving machine):\n  " + "\n  ".join(problems.outside[:10]))


def open_lab(path, server):
    """How a notebook is opened in JupyterLab (shared with test_accessibility: see
    conftest.SharedPages): a fresh workspace, Run All; returns the errors found."""
    def opener(page):
        driver.open_in_lab(page, server, _rel(path), workspace=f"test-{driver.safe_name(path)}")
        return driver.run_all_in_lab(page)
    return opener


def _run_lab(path, page, server, problems, shot, expected, phases, errors):
    phases.mark("open, run all")
    assert not errors, f"{path.name}: error or stderr output after Run All:\n  " + "\n  ".join(errors)
    panels = driver.wait_for_panels(page, expected)
    phases.mark("figures")
    driver.full_screenshot(page, shot)
    phases.mark("screenshot")
    _check_panels(page, path, panels, expected, problems, "JupyterLab", phases)


def _run_voila(path, page, server, problems, shot, expected, phases, errors):
    phases.mark("load")
    panels = driver.wait_for_panels(page, expected)
    phases.mark("figures")
    # no screenshot when all is well: a tall one costs 1 to 4 s, and it looks like JupyterLab's
    _check_panels(page, path, panels, expected, problems, "Voila", phases)


@pytest.mark.slow
@pytest.mark.parametrize(("path", "frontend"), CASES)
def test_notebook_in_browser(path, frontend, request, server_root, screenshots, voila_prefetch, shared_pages):
    # count panels in the copy being served (notebooks in the work tree may change meanwhile)
    expected = driver.expected_panels(server_root / _rel(path))
    phases = driver.Phases(f"{frontend} {path.stem}")
    shot = screenshots / f"{frontend}-{driver.safe_name(path)}.png"
    shot.unlink(missing_ok=True)
    if frontend == "jupyterlab":
        server = request.getfixturevalue("lab_server")
        voila_prefetch.start(path, request)  # Voila renders it meanwhile (see module doc)

        def new_page():
            page = request.getfixturevalue("lab_context").new_page()
            return page, driver.BrowserProblems(page)
        opener, run = open_lab(path, server), _run_lab
    else:
        server = request.getfixturevalue("voila_server")

        def new_page():
            return voila_prefetch.take(path, request)
        opener, run = open_voila, _run_voila
    phases.mark("setup")
    page = None
    try:
        page, state = shared_pages.open(frontend, path, new_page, opener)
        problems, errors = state["extra"], state["opened"]
        run(path, page, server, problems, shot, expected, phases, errors)
    except Exception as exc:
        if page is not None and not shot.exists():
            try:
                driver.full_screenshot(page, shot)
            except Exception:
                pass
        if isinstance(exc, AssertionError):
            raise
        raise AssertionError(f"{path.name} in {frontend}: {type(exc).__name__}: {exc}\n"
                             f"--- {server.kind} log (tail) ---\n{server.log_tail(2000)}") from exc
    finally:
        shared_pages.release(frontend, path, server)  # the next test of this notebook reuses the page
        phases.mark("close")
        print(phases)


def open_voila(page):
    """How a notebook is opened in Voila (already requested: see VoilaPrefetch): its load ends."""
    driver.finish_voila_load(page)
