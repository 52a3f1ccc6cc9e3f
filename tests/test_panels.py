"""Widget behaviour: set a control, check the model, the message and the figure changed."""

import base64

import pytest

from clonaedu.panels import DoseExplorer


@pytest.fixture
def panel():
    return DoseExplorer()


def test_initial_state(panel):
    assert panel.placement.category == "target"
    assert panel.message_text.startswith("1 mg/day (0.5 mg twice daily): the label's target dose")
    assert "Each dose is 0.5 mg: 1 × 0.5 mg tablet." in panel.message_text
    assert panel.png.startswith(b"\x89PNG")
    assert panel.renders == 1


def test_moving_the_dose_moves_the_marker_and_redraws(panel):
    before = panel.png
    panel.total.value = 2.0
    assert panel.placement.category == "above_target"
    assert list(panel.artists["marker"].get_xdata()) == [2.0]
    assert panel.artists["callout"].get_text() == "2 mg/day"
    assert panel.png != before
    assert panel.renders == 2
    assert "Each dose is 1 mg: 1 × 1 mg tablet." in panel.message_text


def test_above_maximum_is_flagged_in_the_panel(panel):
    panel.total.value = 4.5
    assert panel.placement.flagged
    assert "⚠ Above the labelled maximum of 4 mg/day for panic disorder" in panel.message_text
    assert "color:#B24000" in panel.message.value


def test_doses_per_day_changes_per_dose_text(panel):
    panel.doses_per_day.value = 4
    assert panel.message_text.startswith("1 mg/day (0.25 mg four times daily)")
    assert "half of a 0.5 mg scored tablet" in panel.message_text
    panel.doses_per_day.value = 1
    assert "(1 mg once daily)" in panel.message_text


def test_slider_bounds_hold_the_maximum_but_not_absurd_values(panel):
    assert panel.total.min > 0
    assert panel.total.min <= 0.5 <= 4 <= panel.total.max <= 6
    panel.indication.value = "seizure_disorders"
    assert panel.total.max >= 20 and panel.total.max <= 30
    assert panel.placement.landmarks_mg_per_day["maximum"] == 20


def test_indication_change_redraws_landmarks_in_the_same_figure(panel):
    figure, before = panel.figure, panel.png
    assert [t.get_text() for _, t in panel.artists["landmarks"]] == ["start 0.5", "target 1", "maximum 4"]
    assert [o[1] for o in panel.population.options] == ["adult"]
    panel.indication.value = "seizure_disorders"
    assert panel.figure is figure
    assert [t.get_text() for _, t in panel.artists["landmarks"]] == ["initial max 1.5", "maximum 20"]
    assert "pediatric" in [o[1] for o in panel.population.options]
    assert panel.png != before
    assert "seizure disorders (adults)" in panel.artists["title"].get_text()


def test_child_weight_control_appears_and_scales_landmarks(panel):
    assert panel.weight.layout.display == "none"
    panel.indication.value = "seizure_disorders"
    panel.population.value = "pediatric"
    assert panel.weight.layout.display is None
    panel.weight.value = 20
    assert panel.placement.landmarks_mg_per_day["maintenance"] == (2.0, 4.0)
    panel.weight.value = 10
    assert panel.placement.landmarks_mg_per_day["maintenance"] == (1.0, 2.0)
    assert panel.total.max == pytest.approx(2.6, abs=0.05)
    panel.indication.value = "panic_disorder"
    assert panel.population.value == "adult"
    assert panel.weight.layout.display == "none"


def test_static_fallback_for_github_and_nbval(panel):
    bundle = panel._repr_mimebundle_()
    assert bundle["text/plain"].startswith("[Dose explorer: run the notebook to use it] 1 mg/day")
    assert "object at 0x" not in bundle["text/plain"]
    assert base64.b64decode(bundle["image/png"]) == panel.png
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_bad_initial_values_raise():
    with pytest.raises(ValueError, match="total_mg_per_day cannot be negative"):
        DoseExplorer(total_mg_per_day=-1)
    with pytest.raises(ValueError, match="unknown indication"):
        DoseExplorer(indication="insomnia")
