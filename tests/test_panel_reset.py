"""Reset: every panel has a reset button, and reset() restores the first render exactly
(the same PNG bytes, the same message, the same controls) after every control has moved."""

import ipywidgets as widgets
import pytest

from clonaedu.panels import (DoseComparisonPanel, DoseExplorer, EquivalenceExplorer, RegimenPanel,
                             SingleDosePanel, TaperPlanner, WhoNeedsLessPanel)
from clonaedu.panels._base import _value_controls

PANELS = {
    "dose_explorer": DoseExplorer,
    "single_dose": lambda: SingleDosePanel(dose_mg=1.0),
    "regimen": RegimenPanel,
    "equivalence": EquivalenceExplorer,
    "dose_comparison": DoseComparisonPanel,
    "who_needs_less": WhoNeedsLessPanel,
    "taper": TaperPlanner,
}


def _other_value(control):
    """A value different from the control's current one (the far end of a slider, another
    option, the opposite of a toggle)."""
    if isinstance(control, (widgets.ToggleButton, widgets.Checkbox)):
        return not control.value
    if isinstance(control, widgets.Text):  # custom regimen fields: another valid entry
        return {"08:00": "07:00, 23:00", "0.5": "0.25, 0.75"}.get(control.value.split(",")[0], "08:00")
    if control.has_trait("options"):
        values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        others = [v for v in values if v != control.value]
        return others[-1] if others else control.value
    if control.has_trait("max"):
        return control.max if control.value != control.max else control.min
    raise AssertionError(f"no other value for {control!r}")


def _move_everything(panel):
    for control in _value_controls(panel._controls):
        if control.disabled:
            continue
        try:
            control.value = _other_value(control)
        except Exception as error:  # noqa: BLE001 - a control may refuse a value; that is fine here
            raise AssertionError(f"{control.description}: {error}") from error


@pytest.mark.parametrize("name", list(PANELS))
def test_reset_restores_the_first_render_exactly(name):
    panel = PANELS[name]()
    first_png, first_message = panel.png, panel.message.value
    start = [(c, c.value) for c in _value_controls(panel._controls)]
    _move_everything(panel)
    _move_everything(panel)  # twice: controls enabled by the first pass move too
    assert panel.png != first_png or panel.message.value != first_message, "moving every control changed nothing"
    panel.reset_button.click()
    assert panel.message.value == first_message
    assert panel.png == first_png
    assert [(c, c.value) for c, _ in start] == start


def test_reset_button_is_named_and_in_the_controls_row():
    panel = SingleDosePanel(dose_mg=1.0)
    row = panel.children[0]
    assert panel.reset_button in row.children
    assert panel.reset_button.description == "Reset"
    assert panel.reset_button.tooltip


def test_reset_redraws_once_for_a_panel_with_guarded_observers():
    panel = RegimenPanel()
    panel.days.value = 4
    panel.regimen_b.value = "(none)"
    renders = panel.renders
    panel.reset()
    assert panel.renders == renders + 1
    assert panel.days.value == 10 and panel.regimen_b.value == "bid_0_5mg"


def test_reset_restores_slider_bounds_changed_by_another_control():
    panel = RegimenPanel(days=10)
    panel.edit.value = "skip one dose"
    panel.edit_day.value = 9
    panel.days.value = 3  # edit_day's maximum follows the days shown
    assert panel.edit_day.max == 3
    panel.reset()
    assert (panel.edit_day.max, panel.edit_day.value, panel.edit.value) == (10, 5, "as prescribed")


@pytest.mark.parametrize("make, control, other", [
    (RegimenPanel, "days", 21),
    (WhoNeedsLessPanel, "days", 28),
])
def test_returning_to_earlier_axis_limits_reuses_their_background(make, control, other):
    panel = make()
    first = panel.png
    draws = []
    original = panel.figure.canvas.draw
    panel.figure.canvas.draw = lambda: (draws.append(1), original())[1]
    start = getattr(panel, control).value
    getattr(panel, control).value = other
    assert len(draws) == 1 and panel.png != first  # new limits: drawn once
    getattr(panel, control).value = start
    assert len(draws) == 1  # limits seen before: their background is reused, not redrawn
    assert panel.png == first
