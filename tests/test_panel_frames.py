"""The speed caches never change a pixel: a panel that shows frames from its frame cache,
reuses the backgrounds it drew before and draws text from the glyph cache gives, after every
change, exactly the PNG bytes of a panel that draws every frame afresh (issue 17: "the PNG must
be identical to what a fresh render would give")."""

import ipywidgets as widgets
import matplotlib
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from clonaedu.panels import (DoseComparisonPanel, DoseExplorer, EquivalenceExplorer, RegimenPanel,
                             SingleDosePanel, TaperPlanner, WhoNeedsLessPanel)
from clonaedu.plots import _style, png_bytes

matplotlib.use("Agg")

# panel -> changes (control attribute, value; None clicks a button), chosen so axes, schedules,
# the number of curves and pinned curves change, and states come back (frame cache hits)
WALKS = {
    "regimen": (RegimenPanel, [("days", 3), ("days", 14), ("days", 3), ("regimen_b", "bid_1mg"), ("show_band", True),
                               ("days", 21), ("edit", "take one dose late"), ("late_h", 8), ("days", 3),
                               ("regimen_b", "bid_0_5mg"), ("late_h", 4), ("show_band", False), ("days", 14)]),
    "dose_comparison": (DoseComparisonPanel, [("doses_per_day", 1), ("doses_per_day", 2), ("doses_per_day", 1),
                                              ("selection", (0.5, 1.0, 4.0)), ("doses_per_day", 2),
                                              ("selection", (0.5, 1.0, 2.0)), ("doses_per_day", 1)]),
    "single_dose": (SingleDosePanel, [("dose", 2.0), ("pin", None), ("dose", 0.5), ("dose", 2.0), ("show_band", True),
                                      ("half_life", 40), ("reset_button", None), ("dose", 2.0)]),
    "who_needs_less": (WhoNeedsLessPanel, [("days", 28), ("days", 7), ("days", 28), ("factor", "opioids"),
                                           ("dose", 2.0), ("dose", 1.0), ("pin", None), ("dose", 2.0),
                                           ("factor", "older_adults"), ("days", 7), ("also", "opioids")]),
    "dose_explorer": (DoseExplorer, [("total", 4.0), ("total", 1.0), ("total", 4.0),
                                     ("indication", "seizure_disorders"), ("total", 1.0),
                                     ("indication", "panic_disorder"), ("total", 4.0),
                                     ("indication", "seizure_disorders"), ("population", "pediatric"),
                                     ("weight", 35.0), ("population", "adult"), ("indication", "panic_disorder")]),
    "equivalence": (EquivalenceExplorer, [("dose", 2.0), ("dose", 0.5), ("dose", 2.0), ("to", "lorazepam"),
                                          ("dose", 0.5), ("to", "diazepam"), ("dose", 2.0), ("to", "lorazepam"),
                                          ("drug", "lorazepam"), ("to", "clonazepam"), ("drug", "clonazepam")]),
    "taper": (TaperPlanner, [("compare_all", True), ("start", 2.0), ("start", 1.0), ("start", 2.0),
                             ("rule", "joint_guideline_2025"), ("switch", True), ("switch", False)]),
}


def _apply(panel, attr, value):
    control = getattr(panel, attr)
    if isinstance(control, widgets.Button):
        control.click()
    else:
        control.value = value


@pytest.mark.parametrize("name", sorted(WALKS))
def test_cached_frames_are_the_fresh_frames(name):
    factory, walk = WALKS[name]
    cached, fresh = factory(), factory()
    fresh.FRAMES_KEPT = 0  # draws every frame
    assert cached.png == fresh.png
    hits = 0
    for step, (attr, value) in enumerate(walk):
        before = len(cached._frames)
        _apply(cached, attr, value)
        fresh._backgrounds.clear()  # no background drawn before is reused: every full render draws
        _apply(fresh, attr, value)
        hits += len(cached._frames) == before  # a state shown before: nothing new kept
        assert cached.png == fresh.png, f"{name}: step {step} ({attr}={value!r}) differs from a fresh render"
        assert cached.message.value == fresh.message.value
    cached.reset()
    fresh._backgrounds.clear()
    fresh.reset()
    assert cached.png == fresh.png
    assert hits, f"{name}: the walk never came back to a state, so it did not test the frame cache"


def test_glyph_cache_draws_the_same_pixels():
    """Text drawn from remembered glyph bitmaps is byte for byte what matplotlib draws."""
    panel = RegimenPanel()
    figure = panel.figure
    assert isinstance(figure.canvas, _style.GlyphCachingCanvas)
    first, again = png_bytes(figure), png_bytes(figure)  # the second from the glyph cache
    FigureCanvasAgg(figure)  # matplotlib's own canvas
    assert first == again == png_bytes(figure)
