"""Fixtures for the real-browser tests: one Chromium, one JupyterLab and one Voila per session.

CLONAEDU_BROWSER_TESTS:
  unset     run when Playwright and Chromium are there, otherwise skip with the reason
  required  a missing Playwright, Chromium or Voila is a failure, never a skip (CI sets this)
  off       skip on purpose (for a quick local run)
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

from . import driver, servers

# nbval collects *.ipynb wherever pytest looks; nothing in here is a course notebook.
collect_ignore_glob = ["*.ipynb"]

MODE = os.environ.get("CLONAEDU_BROWSER_TESTS", "").strip().lower()
REQUIRED = MODE in ("required", "require", "1", "yes", "true")
ARTIFACTS = Path(os.environ.get("CLONAEDU_ARTIFACTS", servers.ROOT / "artifacts"))
_STATUS = pytest.StashKey[str]()


def _missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if MODE in ("off", "0", "no", "false", "skip"):
        return "CLONAEDU_BROWSER_TESTS=off"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed; install the test extras with pip install -e '.[test]'"
    if servers.find_chromium() is None:
        return f"chromium not found; {servers.INSTALL_HINT}"
    return None


def _skip_or_fail(config, reason: str):
    if REQUIRED:
        message = f"browser tests FAILED: CLONAEDU_BROWSER_TESTS=required but {reason}"
        config.stash[_STATUS] = message
        pytest.fail(message, pytrace=False)
    config.stash[_STATUS] = f"browser tests skipped: {reason}"
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def browser_workdir(request):
    reason = _missing()
    if reason:
        _skip_or_fail(request.config, reason)
    workdir = servers.temp_workdir()
    try:
        yield workdir
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def server_root(browser_workdir):
    """A temporary copy of notebooks/: the committed notebooks are never served, run or saved."""
    return servers.make_server_root(browser_workdir)


@pytest.fixture(scope="session")
def chromium(browser_workdir, request):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            browser = servers.launch_chromium(playwright)
        except Exception as exc:  # a broken Chromium install is never a silent skip
            pytest.fail(f"could not launch Chromium ({servers.find_chromium()}): {exc}", pytrace=False)
        request.config.stash[_STATUS] = f"browser tests ran in Chromium {browser.version} (headless)"
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def lab_server(browser_workdir, server_root):
    server = servers.start_jupyterlab(browser_workdir, server_root)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def voila_server(browser_workdir, server_root, request):
    if importlib.util.find_spec("voila") is None:
        _skip_or_fail(request.config, "voila is not installed; install the test extras with pip install -e '.[test]'")
    server = servers.start_voila(browser_workdir, server_root)
    try:
        yield server
    finally:
        server.stop()


def _context(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1,
                                   reduced_motion="reduce")
    context.set_default_timeout(30_000)
    return context


@pytest.fixture(scope="session")
def lab_context(chromium):
    """One context per server kind: pages share the HTTP cache (JupyterLab's bundles load once)."""
    context = _context(chromium)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture(scope="session")
def voila_context(chromium):
    context = _context(chromium)
    try:
        yield context
    finally:
        context.close()


class VoilaPrefetch:
    """Voila pages requested ahead of their test (see test_in_browser.py's module doc)."""

    def __init__(self, session):
        self._session = session
        self._pages: dict = {}

    def _wanted(self, path) -> bool:
        return any(item.nodeid.endswith(f"[voila-{path.stem}]") for item in self._session.items)

    def _open(self, path, request):
        server = request.getfixturevalue("voila_server")
        page = request.getfixturevalue("voila_context").new_page()
        problems = driver.BrowserProblems(page)
        try:
            driver.start_voila_load(page, server, path.relative_to(servers.ROOT).as_posix())
        except BaseException:
            page.close()
            raise
        return page, problems, server

    def start(self, path, request) -> None:
        """Best effort: any problem here is left for the Voila test itself to report."""
        if path in self._pages or not self._wanted(path):
            return
        try:
            self._pages[path] = self._open(path, request)
        except (Exception, pytest.skip.Exception, pytest.fail.Exception):
            return

    def take(self, path, request):
        """The page (already loading, or opened now) and its console-error collector."""
        page, problems, _ = self._pages.pop(path) if path in self._pages else self._open(path, request)
        return page, problems

    def close(self) -> None:
        for page, _, server in self._pages.values():
            try:
                driver.stop_kernel(page, server)
                page.close()
            except Exception:
                pass
        self._pages.clear()


@pytest.fixture(scope="session")
def voila_prefetch(request, browser_workdir):
    prefetch = VoilaPrefetch(request.session)
    try:
        yield prefetch
    finally:
        prefetch.close()


@pytest.fixture(scope="session")
def screenshots():
    """artifacts/screenshots (git-ignored): a full-page PNG of every notebook in JupyterLab
    after Run All, and of any Voila rendering whose checks failed."""
    path = ARTIFACTS / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob("*.png"):  # the folder shows the last run only
        old.unlink()
    return path


def pytest_terminal_summary(terminalreporter, config):
    status = config.stash.get(_STATUS, None)
    if status:
        terminalreporter.write_sep("-", "browser tests (tests/browser)")
        terminalreporter.write_line(status)
        if " ran " in status:
            terminalreporter.write_line(f"screenshots: {ARTIFACTS / 'screenshots'}")


# -- one run of each notebook per frontend, shared by the tests that check it ----------------------
#: test modules whose items open a course notebook (frontend, notebook) with an "opener" and hand
#: the page on: test_in_browser (panels react) and test_accessibility (axe-core), in that order
_SHARING = ("test_in_browser.py", "test_accessibility.py")


def _shared_key(item):
    """(frontend, notebook stem) for an item that opens a course notebook, else None."""
    if not item.nodeid.split("::")[0].endswith(_SHARING) or not hasattr(item, "callspec"):
        return None
    params = item.callspec.params
    if "path" not in params or "frontend" not in params:
        return None
    return params["frontend"], params["path"].stem


def pytest_collection_modifyitems(session, config, items):
    """Put the tests of one notebook in one frontend next to each other (JupyterLab, then Voila;
    the panel checks, then axe-core), so the notebook is opened and run once for all of them
    (see :class:`SharedPages`). Other items keep their places."""
    keyed = [(i, _shared_key(item)) for i, item in enumerate(items)]
    shared = [(i, key) for i, key in keyed if key is not None]
    if not shared:
        return
    stems = list(dict.fromkeys(key[1] for _, key in shared))

    def rank(entry):
        i, (frontend, stem) = entry
        module = 0 if items[i].nodeid.split("::")[0].endswith(_SHARING[0]) else 1
        return stems.index(stem), 0 if frontend == "jupyterlab" else 1, module

    ordered = [items[i] for i, _ in sorted(shared, key=rank)]
    first = shared[0][0]
    rest = [item for item, key in zip(items, (k for _, k in keyed)) if key is None]
    items[:] = rest[:first] + ordered + rest[first:]


class SharedPages:
    """A course notebook opened once per frontend and handed from test to test.

    ``open(request, frontend, path, opener)`` returns ``(page, state)``: the page the first
    test of that notebook opened with ``opener(page)`` (whatever ``opener`` returned is kept as
    ``state["opened"]``, e.g. the errors found after Run All), or that same page again for the
    next test. ``release`` stops the kernel and closes the page after its last test. Each test
    still asserts everything it asserted on a page of its own."""

    def __init__(self, session):
        self._users: dict = {}
        for item in session.items:
            key = _shared_key(item)
            if key is not None:
                self._users[key] = self._users.get(key, 0) + 1
        self._pages: dict = {}

    def open(self, frontend, path, new_page, opener):
        key = (frontend, path.stem)
        if key not in self._pages:
            page, extra = new_page()
            state = {"opened": None, "extra": extra, "error": None}
            self._pages[key] = (page, state)
            try:
                state["opened"] = opener(page)
            except BaseException as exc:
                state["error"] = exc
                raise
        page, state = self._pages[key]
        if state["error"] is not None:
            raise AssertionError(f"{path.name} in {frontend}: opening it failed in an earlier test: "
                                 f"{type(state['error']).__name__}: {state['error']}")
        return page, state

    def release(self, frontend, path, server) -> None:
        key = (frontend, path.stem)
        self._users[key] = self._users.get(key, 1) - 1
        if self._users[key] <= 0 and key in self._pages:
            page, _ = self._pages.pop(key)
            driver.stop_kernel(page, server)
            page.close()

    def close(self, servers_by_kind) -> None:
        for (frontend, _), (page, _) in list(self._pages.items()):
            try:
                driver.stop_kernel(page, servers_by_kind.get(frontend))
                page.close()
            except Exception:
                pass
        self._pages.clear()


@pytest.fixture(scope="session")
def shared_pages(request, browser_workdir):
    pages = SharedPages(request.session)
    try:
        yield pages
    finally:
        pages.close({})
