"""Time from a control change to the new figure on screen, for EVERY control of every panel, in a real browser.

    .venv/bin/python benchmarks/browser_latency.py [--changes 8] [--frontend lab|voila|both]
                                                   [--notebook 01_where] [--preheat]

Starts JupyterLab and/or Voila and headless Debian Chromium with the browser tests' own code
(tests/browser), opens every notebook that has panels, runs it, and for each panel changes
every visible, enabled control (``driver.all_controls``: each slider handle, select, group of
toggle buttons, toggle, checkbox, text box and button) ``--changes`` times, the way a person
does (a slider gets an arrow key on its handle, walking right and then back left at the end of
its range; a select its next option; a text box a new entry and Enter; a button a click, with
the panel's first slider moved, untimed, before each click so it has something to do; "Clear
pin" gets "Pin this curve" first). Timing is done in the page with performance.now(): from the
timestamp of the change's first input event until the panel's <img> has a new ``src`` (seen by
a MutationObserver), that image has loaded, and the next animation frame has run. Prints
median and p90 per control. Goal (issue 17): median <= 80 ms for every control.

Voila also gets its time to usable per notebook: from the request until every panel shows
its figure ("drawn"), and until the first control change has drawn a new figure ("live").
Goal: live <= 3 s. ``--preheat`` starts Voila with preheated kernels (``--preheat_kernel=True``,
one kernel per notebook rendering it ahead of the request) and waits ``--preheat-wait`` s.

Controls disabled in the panel's starting state, or whose change draws nothing new there (a
custom regimen's text while no regimen is custom), are listed with why. The machine is shared:
the load average is printed beside the numbers.

Needs chromium (apt-get install chromium) and the test extras (pip install -e '.[test]').
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser import driver, servers  # noqa: E402  (tests/browser is the one place for this code)

GOAL_MS = 80.0

_INSTALL = """() => {
    window.__latency = {
        pending: null,
        arm(index, timeoutMs) {
            const panel = document.querySelectorAll('.clonaedu-panel')[index];
            const img = panel.querySelector(':scope > img');
            const box = panel.querySelector(':scope > .widget-box');
            const message = img.parentElement.querySelector(':scope > .clonaedu-message') || panel;
            const before = img.getAttribute('src');
            let tMsg = null;
            const msgObserver = new MutationObserver(() => {
                if (tMsg === null && t0 !== null) requestAnimationFrame(() => { tMsg = performance.now(); });
            });
            msgObserver.observe(message, {childList: true, subtree: true, characterData: true});
            let t0 = null, tSrc = null, settled = false, timer = null;
            // the first input event of the change: keydown (slider), pointerdown (button,
            // checkbox), input/change (select)
            const kinds = ['keydown', 'pointerdown', 'mousedown', 'input', 'change'];
            const onInput = e => { if (t0 === null) t0 = e.timeStamp; };
            kinds.forEach(k => box.addEventListener(k, onInput, true));
            let resolve;
            this.pending = new Promise(r => { resolve = r; });
            const done = (ok, tShown, what) => {
                if (settled) return;
                settled = true;
                clearTimeout(timer);
                observer.disconnect();
                msgObserver.disconnect();
                kinds.forEach(k => box.removeEventListener(k, onInput, true));
                resolve({ok, t0, tSrc, tShown, what: what || 'figure'});
            };
            const observer = new MutationObserver(() => {
                if (img.getAttribute('src') === before || tSrc !== null) return;
                tSrc = performance.now();
                const shown = () => requestAnimationFrame(() => done(true, performance.now()));
                if (img.complete && img.naturalWidth > 0) shown();
                else img.addEventListener('load', shown, {once: true});
            });
            observer.observe(img, {attributes: true, attributeFilter: ['src']});
            // no new figure: a control that changes only the message (timed to the message)
            timer = setTimeout(() => tMsg !== null ? done(true, tMsg, 'message') : done(false, null), timeoutMs);
        },
    };
}"""


def _arm_and_change(page, index, control, timeout_ms):
    page.evaluate("([i, t]) => window.__latency.arm(i, t)", [index, timeout_ms])
    control.change()
    return page.evaluate("() => window.__latency.pending")


def measure_control(page, index: int, controls, control, changes: int, warmup: int = 1, timeout_ms: int = 4000):
    """Time ``changes`` changes of one control; returns (samples, missed, note)."""
    first_slider = next((c for c in controls if c.kind == "slider" and not c.disabled), None)
    pin = next((c for c in controls if c.kind == "button" and c.label.startswith("Pin")), None)
    samples, missed, in_a_row = [], 0, 0
    measure_control.first_ok = None
    measure_control.what = "figure"
    for i in range(warmup + changes + (warmup + changes) % 2):  # an even count: a toggle ends as it began
        if control.kind == "button":  # untimed: give the click something to do
            if first_slider is not None and first_slider is not control:
                _arm_and_change(page, index, first_slider, timeout_ms)
            if control.label.startswith("Clear") and pin is not None:
                _arm_and_change(page, index, pin, timeout_ms)
        result = _arm_and_change(page, index, control, timeout_ms)
        if result["ok"] and result["what"] == "message":  # only the message changes: no need to wait long
            measure_control.what, timeout_ms = "message", min(timeout_ms, 800)
        if result["ok"] and result["t0"] is not None:
            if measure_control.first_ok is None:  # when the change was on screen (not when we heard)
                late_ms = page.evaluate("() => performance.now()") - result["tShown"]
                measure_control.first_ok = time.monotonic() - late_ms / 1000
            in_a_row = 0
            if i >= warmup:
                samples.append(result["tShown"] - result["t0"])
        else:
            in_a_row += 1
            missed += i >= warmup
            if in_a_row >= 2:
                return samples, missed, "no new figure after a change"
        page.wait_for_timeout(60)  # let the kernel go idle between changes
    return samples, missed, ""


def _stats(ms):
    ms = sorted(ms)
    return statistics.median(ms), ms[min(len(ms) - 1, round(0.9 * (len(ms) - 1)))]


def run(frontend: str, server, context, paths, changes: int, rows: list, usable: list) -> None:
    for path in paths:
        rel = path.relative_to(servers.ROOT).as_posix()
        expected = driver.expected_panels(server.root / rel)  # the copy being served
        if not expected:
            continue
        page = context.new_page()
        try:
            requested = time.monotonic()
            if frontend == "lab":
                driver.open_in_lab(page, server, rel, workspace=f"bench-{driver.safe_name(path)}")
                errors = driver.run_all_in_lab(page)
                if errors:
                    print(f"  {path.name}: errors after Run All: {errors[:3]}", file=sys.stderr)
            else:
                driver.start_voila_load(page, server, rel)
                driver.finish_voila_load(page)
            panels = driver.wait_for_panels(page, expected)
            drawn = time.monotonic() - requested
            page.evaluate(_INSTALL)
            live = None
            for index, panel in enumerate(panels):
                driver.panel_figure(panel).scroll_into_view_if_needed()
                controls = driver.all_controls(panel)
                for control in controls:
                    label = f"{control.kind}: {control.label}"
                    if control.disabled and not (control.kind == "button" and control.label.startswith("Clear")):
                        rows.append((frontend, path.stem, index, label, 0, None, None, 0, "disabled at the start"))
                        continue
                    samples, missed, note = measure_control(page, index, controls, control, changes)
                    if measure_control.what == "message" and not note:
                        note = "changes the message, not the figure: timed to the new message (+800 ms wait)"
                    if live is None and measure_control.first_ok is not None:
                        live = measure_control.first_ok - requested
                    med, p90 = _stats(samples) if samples else (None, None)
                    rows.append((frontend, path.stem, index, label, len(samples), med, p90, missed, note))
                    print(f"  {frontend} {path.stem} panel {index} {label}: {len(samples)} changes, "
                          f"median {med if med is None else round(med, 1)} ms {note}", file=sys.stderr)
            if frontend == "voila":
                usable.append((path.stem, expected, drawn, live))
        finally:
            driver.stop_kernel(page, server)
            page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=8, help="measured changes per control (>= 5)")
    parser.add_argument("--preheat", action="store_true", help="Voila with preheated kernels")
    parser.add_argument("--preheat-wait", type=float, default=90, help="seconds to let preheated kernels render")
    parser.add_argument("--frontend", choices=["lab", "voila", "both"], default="lab")
    parser.add_argument("--notebook", default="", help="only notebooks whose name contains this")
    args = parser.parse_args()
    if args.changes < 5:
        parser.error("--changes must be at least 5")
    if servers.find_chromium() is None:
        sys.exit(f"chromium not found; {servers.INSTALL_HINT}")
    from playwright.sync_api import sync_playwright

    paths = [p for p in servers.notebooks() if args.notebook in p.name]
    frontends = ["lab", "voila"] if args.frontend == "both" else [args.frontend]
    workdir = servers.temp_workdir("clonaedu-latency-")
    root = servers.make_server_root(workdir)
    rows: list = []
    usable: list = []
    started = time.monotonic()
    load = os.getloadavg()
    with sync_playwright() as playwright:
        browser = servers.launch_chromium(playwright)
        version = browser.version
        try:
            for frontend in frontends:
                if frontend == "lab":
                    server = servers.start_jupyterlab(workdir, root)
                else:
                    extra = ["--preheat_kernel=True"] if args.preheat else []
                    server = servers.start_voila(workdir, root, extra_args=extra)
                    if args.preheat:
                        print(f"  waiting {args.preheat_wait:g} s for the preheated kernels", file=sys.stderr)
                        time.sleep(args.preheat_wait)
                context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
                try:
                    run(frontend, server, context, paths, args.changes, rows, usable)
                finally:
                    context.close()
                    server.stop()
        finally:
            browser.close()
            shutil.rmtree(workdir, ignore_errors=True)

    print(f"\ncontrol change -> new figure shown, in Chromium {version} headless "
          f"({time.monotonic() - started:.0f} s in all; load average {load[0]:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end, 2 cores shared); goal: median <= {GOAL_MS:.0f} ms")
    print(f"{'where':6} {'notebook':26} {'panel':>5} {'control':42} {'n':>3} {'median ms':>10} "
          f"{'p90 ms':>8} {'missed':>6} {'goal':>5}")

    def fmt(value):
        return "-" if value is None else f"{value:.0f}"

    for frontend, stem, index, label, n, med, p90, missed, note in rows:
        goal = "-" if med is None else ("ok" if med <= GOAL_MS else "over")
        print(f"{frontend:6} {stem[:26]:26} {index:>5} {label[:42]:42} {n:>3} {fmt(med):>10} "
              f"{fmt(p90):>8} {missed:>6} {goal:>5} {note}")
    measured = [r for r in rows if r[5] is not None]
    print(f"goal met by {sum(r[5] <= GOAL_MS for r in measured)} of {len(measured)} controls measured")
    if usable:
        print(f"\nVoila time to usable{' (preheated kernels)' if args.preheat else ''}: from the request until "
              f"every panel shows its figure (drawn) and the first control change is drawn (live); goal: live <= 3 s")
        print(f"{'notebook':32} {'panels':>6} {'drawn s':>8} {'live s':>8} {'goal':>5}")
        for stem, count, drawn, live in usable:
            goal = "-" if live is None else ("ok" if live <= 3 else "over")
            print(f"{stem:32} {count:>6} {drawn:8.1f} {fmt(live) if live is None else f'{live:8.1f}':>8} {goal:>5}")


if __name__ == "__main__":
    main()
