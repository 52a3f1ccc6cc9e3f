"""Per-update cost of every panel, measured side by side with the naive way, in one run.

    .venv/bin/python benchmarks/panel_update.py [--changes 60]

For each panel: set one control through a sequence of values and time each change until the
new PNG is in the panel's Image widget (model + artists + render + encode). The naive way does
the same change by building a new panel for the value (a fresh figure, drawn and encoded). Prints median and
p95 per update and the ratio naive / in place. Goals (issue 3): median <= 20 ms per update and
>= 4x faster than the naive way.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402

from clonaedu.panels import DoseExplorer, EquivalenceExplorer, RegimenPanel, SingleDosePanel  # noqa: E402
from clonaedu.panels import DoseComparisonPanel, WhoNeedsLessPanel  # noqa: E402
from clonaedu.panels import TaperPlanner  # noqa: E402


# name -> (panel class, control attribute, values cycled through, constructor keyword for that value).
# The naive way builds a whole new panel for each value: a fresh figure, drawn and encoded.
CASES = {
    "DoseExplorer (dose slider)": (DoseExplorer, "total", [0.5, 0.75, 1.0, 2.0, 4.5, 3.0], "total_mg_per_day"),
    "SingleDosePanel (dose slider)": (SingleDosePanel, "dose", [0.5, 1.0, 1.5, 2.0, 0.25], "dose_mg"),
    # new controls: no constructor keyword (None), so the naive way builds a panel and sets the control;
    # a button's "values" are clicks
    "SingleDosePanel (band toggle)": (SingleDosePanel, "show_band", [True, False], None),
    "SingleDosePanel (pin this curve)": (SingleDosePanel, "pin", [None], None),
    "SingleDosePanel (reset)": (SingleDosePanel, "reset_button", [None], None),
    "RegimenPanel (regimen B)": (RegimenPanel, "regimen_b", ["bid_0_5mg", "morning_bedtime_1mg", "start_0_25mg_bid",
                                                             "bedtime_1mg"], "b"),
    # issue 16's regimen controls: a custom regimen, a missed dose on any regimen and dose, the band, reset
    "RegimenPanel (regimen A: custom)": (RegimenPanel, "regimen_a", ["custom", "bedtime_1mg"], "a"),
    "RegimenPanel (custom clock times)": (lambda: RegimenPanel(a="custom"), "custom_times",
                                          ["08:00, 14:00, 20:00", "07:00, 15:00, 23:00", "08:00, 20:00"], None),
    "RegimenPanel (custom doses)": (lambda: RegimenPanel(a="custom"), "custom_doses", ["0.5", "0.25, 0.5, 0.75", "1"],
                                    None),
    "RegimenPanel (missed dose: which regimen)": (lambda: _edited_regimens(), "edit_regimen", ["A", "B", "C"], None),
    "RegimenPanel (missed dose: dose of the day)": (lambda: _edited_regimens("C"), "edit_dose", [1, 2, 3, 4], None),
    "RegimenPanel (band toggle)": (RegimenPanel, "show_band", [True, False], None),
    "RegimenPanel (reset)": (RegimenPanel, "reset_button", [None], None),
    "EquivalenceExplorer (dose slider)": (EquivalenceExplorer, "dose", [0.5, 1.0, 1.5, 2.0, 0.25], "dose_mg"),
    "DoseComparisonPanel (dose selection)": (DoseComparisonPanel, "selection",
                                             [(0.5, 1.0, 2.0), (0.5, 1.0, 2.0, 3.0), (0.25, 1.0, 2.0),
                                              (0.5, 1.0, 2.0, 4.0), (0.25, 0.5, 1.0, 2.0)], "doses_mg_per_day"),
    "WhoNeedsLessPanel (population)": (WhoNeedsLessPanel, "factor", ["enzyme_inducers", "opioids", "liver_disease",
                                                                     "pregnancy", "older_adults"], "factor"),
    # issue 16's who-needs-less controls: a second factor together with the first, pin, reset
    "WhoNeedsLessPanel (together with)": (WhoNeedsLessPanel, "also",
                                          ["opioids", "liver_disease", "(nothing else)", "renal_impairment"], None),
    "WhoNeedsLessPanel (pin this curve)": (WhoNeedsLessPanel, "pin", [None], None),
    "WhoNeedsLessPanel (reset)": (WhoNeedsLessPanel, "reset_button", [None], None),
    # a student dragging the starting dose to and fro with every rule overlaid; some values change the axes
    "TaperPlanner (start dose, all rules)": (lambda **kw: TaperPlanner(compare_all=True, **kw), "start",
                                             [1.0, 1.25, 1.5, 1.75, 2.0, 1.75, 1.5, 1.25], "start_mg_per_day"),
    # issue 16's taper controls: a hold at one step, slowing near the end, the diazepam switch, reset
    "TaperPlanner (extra weeks at a step)": (lambda: _held_planner(), "hold_weeks", [0, 2, 4, 6, 8], None),
    "TaperPlanner (slow last steps)": (lambda: TaperPlanner(rule="joint_guideline_2025"), "slow_steps",
                                       [0, 1, 2, 3], None),
    "TaperPlanner (diazepam switch)": (lambda: TaperPlanner(rule="joint_guideline_2025"), "switch",
                                       [True, False], None),
    "TaperPlanner (reset)": (TaperPlanner, "reset_button", [None], None),
}


def _edited_regimens(letter="A"):
    """The regimen panel with one dose skipped, on regimen ``letter``."""
    panel = RegimenPanel()
    panel.edit.value = "skip one dose"
    panel.edit_regimen.value = letter
    return panel


def _held_planner():
    """The guideline taper from 1 mg/day with a hold placed on its lowest dose (step 3)."""
    panel = TaperPlanner(rule="joint_guideline_2025")
    panel.hold_step.value = 3
    return panel


def _set(panel, widget, value, first):
    """One change: click a button, else set the value."""
    if isinstance(widget, widgets.Button):
        widget.click()
        return
    widget.value = value if widget.value != value else first


def _nudge(panel):
    """Move the panel's first slider one step: between two clicks of a button (untimed), so
    a pin has a new curve to pin and a reset has something to undo."""
    slider = next(c for c in panel._controls if isinstance(c, (widgets.FloatSlider, widgets.IntSlider)))
    slider.value = slider.min if slider.value != slider.min else slider.max


def _times(fn, values, n, before=None):
    out = []
    for i in range(n):
        if before is not None:
            before()
        start = time.perf_counter()
        fn(values[i % len(values)])
        out.append((time.perf_counter() - start) * 1000)
    return out


def _stats(ms):
    ms = sorted(ms)
    return statistics.median(ms), ms[int(0.95 * (len(ms) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=60, help="control changes per panel (>= 50)")
    args = parser.parse_args()
    print(f"{'panel':38} {'in place ms (median/p95)':>26} {'naive ms (median/p95)':>24} {'naive/in place':>15}")
    for name, (factory, control, values, keyword) in CASES.items():
        panel = factory()

        def naive(value, factory=factory, keyword=keyword, control=control):
            if keyword is not None:
                factory(**{keyword: value})
                return
            fresh = factory()
            _set(fresh, getattr(fresh, control), value, values[0])

        widget = getattr(panel, control)

        def change(value, widget=widget, first=values[0], panel=panel):
            _set(panel, widget, value, first)

        before = (lambda panel=panel: _nudge(panel)) if isinstance(widget, widgets.Button) else None
        _times(change, values, 5, before)  # warm-up
        fast = _stats(_times(change, values, args.changes, before))
        _times(naive, values, 3)
        slow = _stats(_times(naive, values, args.changes))
        print(f"{name:38} {fast[0]:12.1f} / {fast[1]:<11.1f} {slow[0]:11.1f} / {slow[1]:<10.1f} {slow[0] / fast[0]:14.1f}x")
        # ipywidgets keeps every widget ever built in a registry: release this case's panels
        # (including the naive ones) so the next case is not measured on a bloated heap.
        widgets.Widget.close_all()
        gc.collect()


if __name__ == "__main__":
    main()
