"""The app view (Voila, clonaedu's template): ?present=1 opens in the projector style, the page's
switch says so and links back, and nothing is requested from outside 127.0.0.1."""

from __future__ import annotations

import pytest

from . import driver
from .servers import NOTEBOOK_DIR

NOTEBOOK = "notebooks/02_one_dose_over_time.ipynb"


@pytest.mark.slow
@pytest.mark.parametrize("query, projector", [("?present=1", True), ("", False)], ids=["present", "house"])
def test_present_query_gives_the_projector_style(query, projector, voila_server, voila_context):
    if not (NOTEBOOK_DIR.parent / NOTEBOOK).exists():
        pytest.skip(f"{NOTEBOOK} is not in this checkout")
    page = voila_context.new_page()
    problems = driver.BrowserProblems(page)
    try:
        page.goto(voila_server.url(f"/voila/render/{NOTEBOOK}{query}"), wait_until="load", timeout=150_000)
        panels = driver.wait_for_panels(page, 1)
        classes = panels[0].get_attribute("class")
        assert ("clonaedu-projector" in classes) is projector, classes
        switch = page.locator("#clonaedu-projector-switch")
        assert switch.get_attribute("aria-pressed") == ("true" if projector else "false")
        assert switch.inner_text().strip() == f"Projector style: {'on' if projector else 'off'}"
        assert ("present=0" if projector else "present=1") in switch.get_attribute("href")
        assert page.evaluate("document.body.classList.contains('clonaedu-projector')") is projector
        assert not problems.outside, "requests left 127.0.0.1:\n  " + "\n  ".join(problems.outside)
    finally:
        driver.stop_kernel(page, voila_server)
        page.close()


def test_requests_are_judged_by_where_they_go():
    """The recorder behind every browser test's "nothing left 127.0.0.1" assertion."""
    for url in ("http://127.0.0.1:8866/voila/render/x.ipynb", "ws://127.0.0.1:9/api/kernels/1/channels",
                "http://localhost:8888/lab", "http://[::1]:8888/", "data:image/png;base64,AA", "blob:http://127.0.0.1/1",
                "about:blank"):
        assert driver.is_local(url), url
    for url in ("https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@^5/css/all.min.css",
                "https://cdnjs.cloudflare.com/ajax/libs/mathjax/3.2.2/es5/latest.min.js",
                "http://10.0.0.5:8888/", "https://unpkg.com/reveal.js@4.0.2/dist/reveal.js", "http://127.0.0.2.example.com/"):
        assert not driver.is_local(url), url
