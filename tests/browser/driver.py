"""Drive one notebook in a Playwright page: JupyterLab run-all, Voila render, panels, controls.

A panel (see ``clonaedu/panels/_base.py``) is a VBox with the DOM class ``clonaedu-panel``:
an HBox of controls, an ``img`` (the figure as PNG, replaced on every change) and a message.
Nothing here knows a particular panel: controls are found by kind (slider handle, select,
toggle buttons, checkbox, number box) so notebooks and panels added later are covered as is.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import nbformat

PANEL = ".clonaedu-panel"
FIGURE = ":scope > img"  # the panel's own figure, not an image inside a nested widget
CONTROLS = ":scope > .widget-box"  # the first child box holds the controls
STDERR = ('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
          ".jp-OutputArea-output.jp-mod-error, .jp-RenderedText.jp-mod-error")

#: JupyterLab is driven through its own command registry (``--LabApp.expose_app_in_browser``).
_LAB_NOTEBOOK_READY = """() => {
    const app = window.jupyterapp;
    const w = app && app.shell && app.shell.currentWidget;
    return !!(w && w.content && w.sessionContext && w.context && w.context.isReady
              && w.sessionContext.session && w.sessionContext.session.kernel);
}"""

_LAB_RUN_ALL = """async (timeoutMs) => {
    const app = window.jupyterapp;
    const panel = app.shell.currentWidget;
    const timeout = new Promise((_, reject) => setTimeout(
        () => reject(new Error(`run-all did not finish within ${timeoutMs} ms`)), timeoutMs));
    const work = (async () => {
        await app.restored;
        await panel.sessionContext.ready;
        const ok = await app.commands.execute('notebook:run-all-cells');
        // outputs (and widget comm messages) arrive before the kernel goes back to idle
        while (panel.sessionContext.session.kernel.status !== 'idle') {
            await new Promise(r => setTimeout(r, 50));
        }
        return ok;
    })();
    return await Promise.race([work, timeout]);
}"""

_LAB_ERRORS = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const found = [];
    const cells = panel.content.model.cells;
    for (let i = 0; i < cells.length; i++) {
        const cell = cells.get(i);
        if (cell.type !== 'code') continue;
        const outputs = cell.outputs;
        for (let j = 0; j < outputs.length; j++) {
            const out = outputs.get(j).toJSON();
            if (out.output_type === 'error') {
                found.push(`cell ${i}: ${out.ename}: ${out.evalue}`);
            } else if (out.output_type === 'stream' && out.name === 'stderr') {
                found.push(`cell ${i}: stderr: ${String(out.text).slice(0, 300)}`);
            }
        }
        if (cell.executionCount === null) found.push(`cell ${i}: not executed`);
    }
    return found;
}"""

_KERNEL_ID = """() => {
    const app = window.jupyterapp;
    if (app) {  // JupyterLab
        const w = app.shell.currentWidget;
        const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
        return k ? k.id : null;
    }
    const el = document.getElementById('jupyter-config-data');  // Voila
    return el ? JSON.parse(el.textContent).kernelId || null : null;
}"""

_FIGURES_LOADED = """([selector, expected]) => {
    const panels = document.querySelectorAll(selector);
    if (panels.length < expected) return false;
    return Array.from(panels).every(p => {
        const img = p.querySelector(':scope > img');
        return img && img.complete && img.naturalWidth > 0;
    });
}"""

_SRC_CHANGED = """([el, before]) =>
    el.getAttribute('src') !== before && el.complete && el.naturalWidth > 0"""


def expected_panels(path: Path) -> int:
    """Panels the committed notebook shows: widget outputs that carry a static PNG fallback.

    DESIGN section 5: every panel puts a figure of its initial state into the saved notebook
    (``FigurePanel._repr_mimebundle_``), next to the widget view. Other widgets (quizzes)
    carry no PNG and are not panels.
    """
    nb = nbformat.read(path, as_version=4)
    count = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "application/vnd.jupyter.widget-view+json" in data and "image/png" in data:
                count += 1
    return count


class Phases:
    """Wall time per step of a test; printed, so a failure's captured output shows where it was."""

    def __init__(self, name: str):
        self.name, self.times, self._t = name, [], time.perf_counter()

    def mark(self, step: str) -> None:
        now = time.perf_counter()
        self.times.append((step, now - self._t))
        self._t = now

    def __str__(self) -> str:
        total = sum(t for _, t in self.times)
        return f"{self.name}: {total:.1f} s (" + ", ".join(f"{s} {t:.1f}" for s, t in self.times) + ")"


def is_local(url: str) -> bool:
    """True for a request that stays on the serving machine (127.0.0.1, localhost, ::1) or never
    leaves the browser (data:, blob:, about:)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome", "chrome-extension", "devtools"):
        return True
    return parts.hostname in ("127.0.0.1", "localhost", "::1")


class BrowserProblems:
    """Console errors and uncaught page errors, attached to failure messages; and every request
    the page makes that leaves 127.0.0.1 (``outside``: DESIGN section 11, nothing is loaded from
    outside the serving machine; the tests assert it is empty)."""

    def __init__(self, page):
        self.messages: list[str] = []
        self.outside: list[str] = []
        page.on("console", lambda msg: msg.type == "error" and self.messages.append(f"console: {msg.text}"))
        page.on("pageerror", lambda exc: self.messages.append(f"pageerror: {exc}"))
        page.on("request", lambda req: is_local(req.url) or self.outside.append(req.url))

    def __str__(self) -> str:
        if not self.messages:
            return "(no browser console errors)"
        return "browser console errors:\n  " + "\n  ".join(m[:300] for m in self.messages[-10:])


# -- JupyterLab -------------------------------------------------------------------------
def open_in_lab(page, server, rel_path: str, workspace: str, timeout_s: float = 90) -> None:
    """Open a notebook in a fresh workspace (so no other document is restored) with a kernel."""
    page.goto(server.url(f"/lab/workspaces/{workspace}/tree/{rel_path}?reset"),
              wait_until="domcontentloaded", timeout=timeout_s * 1000)
    page.wait_for_function(_LAB_NOTEBOOK_READY, timeout=timeout_s * 1000, polling=100)


def run_all_in_lab(page, timeout_s: float = 150) -> list[str]:
    """Run every cell; wait until the kernel is idle. Returns the error/stderr outputs found."""
    page.evaluate(_LAB_RUN_ALL, timeout_s * 1000)
    return page.evaluate(_LAB_ERRORS)


def stop_kernel(page, server) -> None:
    """Stop the page's kernel in the background (JupyterLab or Voila).

    For Voila this replaces its own beforeunload beacon, which is refused when a token is used
    (403 "'_xsrf' argument missing", voila 0.5.13): its kernels would pile up until the server
    stops. Token-authenticated API calls need no XSRF cookie."""
    try:
        kernel_id = page.evaluate(_KERNEL_ID)
    except Exception:  # a page that failed to load may have no kernel; the server stops the rest
        return
    if kernel_id:
        server.shutdown_kernel_soon(kernel_id)


_GROW_TO_CONTENT = """() => {
    // The page does not scroll: JupyterLab (and Voila's lab template) scroll inside an element.
    // Find the element with the most hidden content, scroll it to the top, say how much is hidden.
    let best = null, extra = 0;
    for (const el of document.querySelectorAll('*')) {
        if (!/(auto|scroll)/.test(getComputedStyle(el).overflowY)) continue;
        const hidden = el.scrollHeight - el.clientHeight;
        if (hidden > extra) { extra = hidden; best = el; }
    }
    if (best) best.scrollTop = 0;
    window.scrollTo(0, 0);
    return Math.max(extra, document.documentElement.scrollHeight - window.innerHeight, 0);
}"""


def full_screenshot(page, path: Path, max_height: int = 20000) -> None:
    """The whole notebook, not just the viewport: grow the viewport by the hidden height."""
    size = page.viewport_size
    try:
        extra = page.evaluate(_GROW_TO_CONTENT)
        if extra:
            height = int(min(size["height"] + extra, max_height))
            page.set_viewport_size({"width": size["width"], "height": height})
            page.wait_for_timeout(200)  # let the layout settle at the new size
            page.evaluate(_GROW_TO_CONTENT)
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)


# -- Voila --------------------------------------------------------------------------------
def start_voila_load(page, server, rel_path: str) -> None:
    """Ask Voila for the notebook and return at once: Voila streams the page while its kernel
    runs the cells, and the browser goes on without us (see ``finish_voila_load``)."""
    page.evaluate("url => { window.location.href = url; }", server.url(f"/voila/render/{rel_path}"))


def finish_voila_load(page, timeout_s: float = 150) -> None:
    page.wait_for_url("**/voila/render/**", wait_until="load", timeout=timeout_s * 1000)


# -- panels -------------------------------------------------------------------------------
def wait_for_panels(page, expected: int, timeout_s: float = 60) -> list:
    """Wait until ``expected`` panels show a loaded figure; return their locators."""
    if expected:
        page.wait_for_function(_FIGURES_LOADED, arg=[PANEL, expected], timeout=timeout_s * 1000, polling=100)
    panels = page.locator(PANEL)
    return [panels.nth(i) for i in range(panels.count())]


def panel_figure(panel):
    return panel.locator(FIGURE).first


def panel_controls(panel) -> list[str]:
    """Kinds of the visible controls in the panel's control row (for messages and asserts)."""
    return panel.evaluate("""(p) => {
        const box = p.querySelector(':scope > .widget-box');
        if (!box) return [];
        const kinds = [];
        const visible = el => el.offsetParent !== null;
        box.querySelectorAll('.noUi-handle').forEach(el => visible(el) && kinds.push('slider'));
        box.querySelectorAll('select').forEach(el => visible(el) && kinds.push('select'));
        box.querySelectorAll('input[type=checkbox]').forEach(el => visible(el) && kinds.push('checkbox'));
        box.querySelectorAll('input[type=number], input[type=text]').forEach(el => visible(el) && kinds.push('text'));
        box.querySelectorAll('button').forEach(el => visible(el) && kinds.push('button'));
        return kinds;
    }""")


def _label_of(el) -> str:
    return el.evaluate("""(el) => {
        const w = el.closest('.widget-inline-hbox, .widget-hslider, .widget-dropdown, .widget-checkbox,'
                             + ' .widget-toggle-buttons, .widget-text, .widget-box');
        const lab = w && w.querySelector('.widget-label');
        return (lab && lab.textContent.trim()) || el.getAttribute('aria-label') || el.tagName.toLowerCase();
    }""")


class Control:
    """The control of a panel that a test (or the benchmark) changes, the way a person would.

    The first visible control of the first kind found, in this order: a slider (arrow key on
    its handle: the slider's own step, walking right and then back left at the end of its
    range), a select (the next option; a multiple select gains or loses one option), a group
    of toggle buttons (a button not pressed), a single toggle button or a checkbox (a click),
    a number box (arrow up, then Enter).
    """

    #: what the latency benchmark types into a text box, by its label (the custom regimen's)
    TEXTS = {"Custom clock times": ("08:00, 20:00", "08:00, 14:00, 20:00"),
             "Custom dose at each time (mg)": ("0.25", "0.5")}

    def __init__(self, panel):
        box = panel.locator(CONTROLS).first
        self.kind, self.element = self._find(box)
        self.label = _label_of(self.element)
        self._key = "ArrowRight"

    @staticmethod
    def _find(box):
        def visible(locator, minimum_options=0):
            return [el for el in locator.all() if el.is_visible()
                    and (not minimum_options or el.locator("option, button").count() >= minimum_options)]

        candidates = [
            ("slider", visible(box.locator(".noUi-handle"))),
            ("select", visible(box.locator("select"), 2)),
            ("toggle buttons", visible(box.locator(".widget-toggle-buttons"), 2)),
            ("toggle", visible(box.locator("button.widget-toggle-button"))),
            ("checkbox", visible(box.locator("input[type=checkbox]"))),
            ("number", visible(box.locator("input[type=number]"))),
        ]
        for kind, found in candidates:
            if found:
                return kind, found[0]
        raise LookupError("panel has no visible control that can change")

    def __str__(self) -> str:
        return f"{self.kind} '{self.label}'"

    def change(self) -> str:
        """Change the control once; returns what was done (for messages)."""
        el = self.element
        if self.kind == "slider":
            now = float(el.get_attribute("aria-valuenow"))
            if self._key == "ArrowRight" and now >= float(el.get_attribute("aria-valuemax")):
                self._key = "ArrowLeft"
            elif self._key == "ArrowLeft" and now <= float(el.get_attribute("aria-valuemin")):
                self._key = "ArrowRight"
            el.press(self._key)
            return f"{self._key} from {now:g}"
        if self.kind == "select":
            values = el.evaluate("""s => {
                const opts = Array.from(s.options);
                if (!s.multiple) return [opts[(s.selectedIndex + 1) % opts.length].value];
                const chosen = opts.filter(o => o.selected).map(o => o.value);
                const other = opts.find(o => !o.selected);
                return other ? [...chosen, other.value] : chosen.slice(0, -1);
            }""")
            el.select_option(values)
            return f"select {values}"
        if self.kind == "toggle buttons":
            button = (el.locator("button:not(.mod-active)").first if hasattr(el, "locator")
                      else el.query_selector("button:not(.mod-active)"))  # all_controls gives handles
            text = button.inner_text().strip()
            button.click()
            return f"press '{text}'"
        if self.kind in ("toggle", "checkbox", "button"):
            el.click()
            return "click"
        if self.kind == "text":
            now = el.input_value()
            texts = [t for t in self.TEXTS.get(self.label, ()) if t != now] or [now + " "]
            el.fill(texts[0])
            el.press("Enter")
            return f"type {texts[0]!r}"
        el.press("ArrowUp")
        el.press("Enter")
        return "ArrowUp"


def check_panel_reacts(page, panel, timeout_s: float = 20) -> Control:
    """Change one control and assert the figure shown changes (new src, different pixels)."""
    figure = panel_figure(panel)
    figure.scroll_into_view_if_needed()
    src_before = figure.get_attribute("src")
    shot_before = figure.screenshot(animations="disabled")
    try:
        control = Control(panel)
    except LookupError as exc:
        raise AssertionError(str(exc)) from exc
    done = control.change()
    try:
        page.wait_for_function(_SRC_CHANGED, arg=[figure.element_handle(), src_before],
                               timeout=timeout_s * 1000, polling=50)
    except Exception as exc:
        raise AssertionError(f"figure src did not change within {timeout_s:g} s after {control} ({done})") from exc
    deadline = time.monotonic() + min(5, timeout_s)
    while True:  # the new src is set; give the compositor a frame or two to paint it
        shot_after = figure.screenshot(animations="disabled")
        if shot_after != shot_before or time.monotonic() > deadline:
            break
        page.wait_for_timeout(100)
    assert shot_after != shot_before, f"figure pixels unchanged after {control} ({done})"
    return control


def safe_name(path: Path) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", path.stem)


def all_controls(panel) -> list[Control]:
    """Every visible, enabled control of a panel, each as a :class:`Control` (the latency
    benchmark times them all): each slider handle, select, group of toggle buttons, single
    toggle button, checkbox, text box and button, in screen order. A text box gets the next of
    ``Control.TEXTS`` typed into it (then Enter); a button is clicked."""
    box = panel.locator(CONTROLS).first
    found = box.evaluate_handle("""(box) => {
        const out = [];
        const visible = el => el.offsetParent !== null;
        box.querySelectorAll('.noUi-handle, select, .widget-toggle-buttons, button, input').forEach(el => {
            if (!visible(el)) return;
            if (el.matches('button') && el.closest('.widget-toggle-buttons')) return;
            if (el.matches('input') && !['checkbox', 'text', 'number'].includes(el.type)) return;
            if (el.matches('select') && el.options.length < 2) return;
            out.push(el);
        });
        return out;
    }""")
    controls = []
    for i in range(found.evaluate("a => a.length")):
        handle = found.evaluate_handle("(a, i) => a[i]", i).as_element()
        kind = handle.evaluate("""el => el.matches('.noUi-handle') ? 'slider'
            : el.matches('select') ? 'select'
            : el.matches('.widget-toggle-buttons') ? 'toggle buttons'
            : el.matches('button.widget-toggle-button') ? 'toggle'
            : el.matches('button') ? 'button'
            : el.type === 'checkbox' ? 'checkbox'
            : el.type === 'text' ? 'text' : 'number'""")
        disabled = handle.evaluate("""el => el.disabled === true
            || !!el.closest('[disabled]') || !!el.closest('.noUi-target[disabled]')""")
        control = Control.__new__(Control)
        control.kind, control.element = kind, handle
        control.label = handle.evaluate("""el => {
            const w = el.closest('.widget-inline-hbox, .widget-hslider, .widget-dropdown, .widget-checkbox,'
                                 + ' .widget-toggle-buttons, .widget-text, .widget-box');
            const lab = w && w.querySelector('.widget-label');
            const clean = t => (t || '').replace(/\u200b/g, '').trim();
            return (el.matches('button') ? clean(el.textContent) : '')
                || clean(lab && lab.textContent) || clean(el.getAttribute('aria-label'))
                || clean(w && w.textContent) || el.tagName.toLowerCase();
        }""")
        control._key = "ArrowRight"
        control.disabled = disabled
        controls.append(control)
    return controls
