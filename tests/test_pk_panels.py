"""The single-dose and regimen panels: controls change the model, the figure and the text."""

import numpy as np
import pytest

from clonaedu import pk, regimens
from clonaedu.panels import RegimenPanel, SingleDosePanel
from clonaedu.plots import ILLUSTRATIVE


@pytest.fixture
def single():
    return SingleDosePanel()


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [t.get_text() for t in fig.texts]


def test_single_dose_initial_curve_matches_the_model(single):
    t, c = single.short_line.get_data()
    expected = pk.concentration(regimens.Regimen.single(1.0), t, pk.Params.default())
    assert np.allclose(c, expected)
    assert single.summary.cmax_ng_ml == pytest.approx(pk.summary(regimens.Regimen.single(1.0)).cmax_ng_ml)
    assert any(ILLUSTRATIVE in text for text in _texts(single.figure))
    assert "Illustrative model, not a prediction for any patient." in single.message_text


def test_single_dose_windows_come_from_the_data(single):
    texts = " ".join(_texts(single.figure))
    assert "anticonvulsant onset" in texts and "30 to 60 min" in texts
    assert "plasma peak" in texts and "1 to 4 h" in texts
    assert "8 to 12 h" in texts


def test_doubling_the_dose_doubles_the_curve_and_redraws(single):
    _, before = single.long_line.get_data()
    png = single.png
    single.dose.value = 2.0
    _, after = single.long_line.get_data()
    assert np.allclose(after, 2 * before)
    assert single.png != png
    assert "Peak 14." in single.message_text  # 2 mg single dose: within the published 13 to 20 ng/mL


def test_half_life_slider_moves_the_bracket_not_the_effect_windows(single):
    single.half_life.value = 20
    pts_short = single.bracket["points"].get_xdata()
    assert pts_short[1] - pts_short[0] == pytest.approx(20)
    short_tail = single.long_line.get_data()[1][-1]
    single.half_life.value = 60
    pts_long = single.bracket["points"].get_xdata()
    assert pts_long[1] - pts_long[0] == pytest.approx(60)
    assert single.long_line.get_data()[1][-1] > 3 * short_tail
    assert "Terminal half-life 60 h" in single.message_text
    assert "one half-life (60 h)" in single.bracket["caption"].get_text()


def test_faster_absorption_gives_an_earlier_higher_peak(single):
    tmax, cmax = single.summary.tmax_h, single.summary.cmax_ng_ml
    single.absorption.value = single.absorption.min
    assert single.summary.tmax_h < tmax and single.summary.cmax_ng_ml > cmax


def test_single_dose_bounds_come_from_the_data(single):
    assert (single.half_life.min, single.half_life.max) == pk.published_range("terminal_half_life")
    assert single.dose.max == 2.0  # the largest marketed strength
    assert single.dose.min > 0


@pytest.fixture
def regimen_panel():
    return RegimenPanel(days=7)


def test_regimen_panel_draws_each_chosen_regimen(regimen_panel):
    p = regimen_panel
    assert p.chosen() == ["bedtime_1mg", "bid_0_5mg", "qid_0_25mg"]
    t = np.linspace(0, 7 * 24, 1200)
    x, c = p.lines[1].get_data()
    assert np.allclose(x, t / 24)
    assert np.allclose(c, pk.concentration(regimens.example("bid_0_5mg", days=8), t))
    assert [label.get_text().strip() for label in p.labels] == ["A", "B", "C"]
    assert p.table.value.count("<tr") == 4  # header + three regimens


def test_regimen_table_holds_the_model_metrics(regimen_panel):
    s = pk.summary(regimens.example("bid_0_5mg", days=2))
    assert f"<td>{s.cmax_ss_ng_ml:.1f}</td>" in regimen_panel.table.value
    metrics = regimen_panel.metrics
    assert list(metrics.index) == ["A", "B", "C"]
    assert metrics.loc["B", "accumulation_ratio"] == pytest.approx(s.accumulation_ratio, abs=0.05)
    assert metrics.loc["B", "mg_per_day"] == 1.0
    # divided dosing: smaller swings than one bedtime dose with the same daily total
    assert metrics.loc["B", "fluctuation_pct"] < metrics.loc["A", "fluctuation_pct"]
    # same daily total, same average
    assert metrics.loc["A", "average_ss_ng_ml"] == metrics.loc["B", "average_ss_ng_ml"]


def test_choosing_none_removes_a_curve(regimen_panel):
    regimen_panel.regimen_c.value = "(none)"
    assert len(regimen_panel.lines[2].get_xdata()) == 0
    assert regimen_panel.table.value.count("<tr") == 3


def test_skipping_a_dose_lowers_the_curve_and_says_by_how_much(regimen_panel):
    p = regimen_panel
    _, usual = p.lines[0].get_data()
    p.edit.value = "skip one dose"
    p.edit_day.value = 4
    _, edited = p.lines[0].get_data()
    assert (edited <= usual + 1e-9).all() and (edited < usual - 0.5).any()
    assert len(p.usual.get_xdata()) > 0  # dotted 'as prescribed' line
    assert "the first dose on day 4 is skipped" in p.message_text
    assert p.late_h.disabled


def test_a_late_dose_is_capped_before_the_next_one(regimen_panel):
    p = regimen_panel
    p.regimen_a.value = "qid_0_25mg"
    p.edit.value = "take one dose late"
    p.late_h.value = 12
    assert not p.late_h.disabled
    assert "capped at 3.5 h" in p.message_text


def test_days_slider_changes_the_axis(regimen_panel):
    regimen_panel.days.value = 21
    assert regimen_panel.ax.get_xlim()[1] >= 21
    assert regimen_panel.edit_day.max == 21


def test_unknown_regimen_is_refused():
    with pytest.raises(ValueError, match="unknown regimen_id 'tid_5mg'"):
        RegimenPanel(a="tid_5mg")


# -- variability band and pin (single-dose panel) -------------------------------------------------
def test_single_dose_band_is_hidden_at_first_and_shows_the_population(single):
    assert not single.show_band.value
    assert not any(b.get_visible() for b in single.bands)
    assert "Shaded band" not in single.message_text
    png = single.png
    single.show_band.value = True
    assert all(b.get_visible() for b in single.bands)
    expected = pk.population_band(regimens.Regimen.single(1.0), single.t_long, n=200, seed=0)
    xy = single.bands[1].get_xy()
    n = len(single.t_long)
    assert np.allclose(xy[:n, 1], expected.high) and np.allclose(xy[n:2 * n, 1], expected.low[::-1])
    assert single.png != png
    assert "Shaded band: 90 of 100 virtual adults taking 1 mg" in single.message_text
    assert "half-life 19 to 60 h" in single.message_text and "not a safe range or a prediction" in single.message_text
    single.dose.value = 2.0  # linear in dose: the band doubles with the dose
    assert np.allclose(single.bands[1].get_xy()[:n, 1], 2 * expected.high)
    single.show_band.value = False
    assert not any(b.get_visible() for b in single.bands)
    assert "Shaded band" not in single.message_text


def test_single_dose_band_holds_the_typical_curve_and_follows_absorption(single):
    single.show_band.value = True
    n = len(single.t_short)
    high = single.bands[0].get_xy()[:n, 1]
    _, line = single.short_line.get_data()
    assert (line[1:] < high[1:]).all()
    single.absorption.value = single.absorption.min
    assert not np.allclose(single.bands[0].get_xy()[:n, 1], high)
    assert "Absorption speed is not varied" in single.message_text


def test_pin_keeps_the_curve_as_a_faint_reference(single):
    assert single.unpin.disabled
    assert len(single.pinned_lines[0].get_xdata()) == 0
    single.pin.click()
    _, pinned = single.pinned_lines[1].get_data()
    _, current = single.long_line.get_data()
    assert np.array_equal(pinned, current)
    assert single.pinned_lines[1].get_linestyle() == "--"
    assert not single.unpin.disabled
    png = single.png
    single.dose.value = 2.0
    assert np.array_equal(single.pinned_lines[1].get_data()[1], pinned)  # the pin stays put
    assert np.allclose(single.long_line.get_data()[1], 2 * pinned)
    assert "Pinned (grey dashed): 1 mg, half-life 38 h" in single.message_text
    assert single.png != png
    single.unpin.click()
    assert len(single.pinned_lines[1].get_xdata()) == 0 and single.pinned is None
    assert "Pinned" not in single.message_text and single.unpin.disabled


def test_reset_clears_the_pin_and_the_band(single):
    first_png, first_message = single.png, single.message.value
    single.pin.click()
    single.show_band.value = True
    single.half_life.value = 20
    single.reset()
    assert single.pinned is None and not single.show_band.value and single.unpin.disabled
    assert single.png == first_png and single.message.value == first_message


# -- custom regimen, edits on any regimen, band, no therapeutic window (regimen panel) -------------
def _all_descriptions(panel):
    from clonaedu.panels._base import _value_controls
    return [c.description for c in _value_controls(panel._controls, buttons=True)] + [panel.reset_button.description]


def test_regimen_controls_have_distinct_names(regimen_panel):
    names = _all_descriptions(regimen_panel)
    assert len(names) == len(set(names)), names
    assert regimen_panel.edit.description == "Missed or late dose"


def test_initial_message_is_unchanged_and_the_no_window_note_is_visible(regimen_panel):
    assert regimen_panel.message_text == "Illustrative model, not a prediction for any patient."
    assert regimen_panel.note in regimen_panel.children
    note = regimen_panel.note.value
    assert "No therapeutic range is drawn." in note and "gives a range of blood levels" in note and "response and side effects" in note
    assert "every 3 days until seizures are controlled" in note  # the label's wording, from the data


def test_custom_regimen_starts_three_times_daily_as_the_label_gives_seizure_dosing(regimen_panel):
    p = regimen_panel
    assert (p.custom_times.value, p.custom_doses.value) == ("08:00, 14:00, 20:00", "0.5")
    p.regimen_a.value = "custom"
    t = np.linspace(0, 7 * 24, 1200)
    expected = regimens.Regimen.daily_at(["08:00", "14:00", "20:00"], 0.5, days=8)
    assert np.allclose(p.lines[0].get_data()[1], pk.concentration(expected, t))
    assert "Custom regimen: 0.5 mg at 08:00, 14:00, 20:00 (1.5 mg/day)." in p.message_text
    assert p.metrics.loc["A", "mg_per_day"] == 1.5
    assert p.metrics.loc["A", "regimen"] == "custom: 0.5 mg at 08:00, 14:00, 20:00"


def test_custom_regimen_with_unequal_doses_and_clock_times(regimen_panel):
    p = regimen_panel
    p.regimen_c.value = "custom"
    p.custom_times.value = "22:00, 07:30"
    p.custom_doses.value = "0.75, 0.25"
    expected = regimens.Regimen.daily_at(["22:00", "07:30"], [0.75, 0.25], days=8)
    t = np.linspace(0, 7 * 24, 1200)
    assert np.allclose(p.lines[2].get_data()[1], pk.concentration(expected, t))
    assert "0.25 mg at 07:30, 0.75 mg at 22:00 (1 mg/day)" in p.message_text


def test_custom_regimen_above_the_labelled_maximum_is_flagged(regimen_panel):
    p = regimen_panel
    p.regimen_a.value = "custom"
    p.custom_doses.value = "2"
    assert "⚠ 6 mg/day is above the labelled maximum for panic disorder (4 mg/day)" in p.message_text
    assert "color:#B24000" in p.message.value
    p.custom_doses.value = "8"
    assert "⚠ 24 mg/day is above every labelled maximum" in p.message_text


def test_unusable_custom_text_is_explained_not_drawn(regimen_panel):
    p = regimen_panel
    p.regimen_a.value = "custom"
    p.custom_times.value = "8 o'clock"
    assert len(p.lines[0].get_xdata()) == 0
    assert "⚠ Custom regimen not drawn:" in p.message_text and "is not a clock time" in p.message_text
    assert list(p.metrics.index) == ["B", "C"]
    p.custom_times.value = "08:00"
    assert len(p.lines[0].get_xdata()) > 0 and "not drawn" not in p.message_text


def test_a_missed_dose_on_regimen_b_changes_only_b(regimen_panel):
    p = regimen_panel
    a_before, b_before = p.lines[0].get_data()[1].copy(), p.lines[1].get_data()[1].copy()
    p.edit.value = "skip one dose"
    p.edit_regimen.value = "B"
    p.edit_day.value = 3
    p.edit_dose.value = 2  # the 20:00 dose
    assert p.edit_dose.max == 2
    assert np.array_equal(p.lines[0].get_data()[1], a_before)
    reg = regimens.example("bid_0_5mg", days=8)
    index = int(np.searchsorted(reg.times_h, 2 * 24.0)) + 1
    t = np.linspace(0, 7 * 24, 1200)
    assert np.allclose(p.lines[1].get_data()[1], pk.concentration(reg.skip(index), t))
    assert np.allclose(p.usual.get_data()[1], b_before)
    assert p.usual.get_color() == p.lines[1].get_color()
    assert "Regimen B: the second dose on day 3 is skipped." in p.message_text


def test_edit_on_a_regimen_not_shown_says_so(regimen_panel):
    p = regimen_panel
    p.regimen_c.value = "(none)"
    p.edit.value = "take one dose late"
    p.edit_regimen.value = "C"
    assert "Regimen C is not shown, so no dose is edited." in p.message_text
    assert len(p.usual.get_xdata()) == 0


def test_late_dose_on_the_custom_regimen(regimen_panel):
    p = regimen_panel
    p.regimen_a.value = "custom"
    p.edit.value = "take one dose late"
    p.edit_dose.value = 3  # 20:00, next dose at 08:00 the day after
    p.late_h.value = 6
    assert p.edit_dose.max == 3
    assert "Regimen A: the third dose on day 5 is taken 6 h late." in p.message_text


def test_regimen_band_shows_how_people_differ_on_regimen_a(regimen_panel):
    p = regimen_panel
    assert not p.band.get_visible()
    p.show_band.value = True
    assert p.band.get_visible()
    t = np.linspace(0, 7 * 24, 1200)
    band = pk.population_band(regimens.example("bedtime_1mg", days=8), t, n=200, seed=0)
    assert np.allclose(p.band.get_xy()[:1200, 1], band.high)
    assert "Shaded band: 90 of 100 virtual adults taking regimen A" in p.message_text
    assert p.ax.get_ylim()[1] >= band.high.max()
    p.regimen_a.value = "bid_0_5mg"  # the band follows regimen A
    band_b = pk.population_band(regimens.example("bid_0_5mg", days=8), t, n=200, seed=0)
    assert np.allclose(p.band.get_xy()[:1200, 1], band_b.high)
    p.show_band.value = False
    assert not p.band.get_visible() and "Shaded band" not in p.message_text


def test_single_dose_panel_can_hold_its_numbers_until_the_student_moves_a_slider():
    """No answer on screen before the student acts (issue 14): with reveal_on_move the first
    message gives no numbers; moving a slider shows them; reset hides them again."""
    from clonaedu.panels import SingleDosePanel

    panel = SingleDosePanel(dose_mg=1.0, reveal_on_move=True)
    start = panel.message_text
    assert "Illustrative model, not a prediction for any patient." in start
    assert "%" not in start and not any(ch.isdigit() for ch in start.replace("12 h", ""))
    panel.dose.value = 2.0
    moved = panel.message_text
    assert "Peak 14." in moved and "% of the peak" in moved
    assert "anticonvulsant effect of a single dose" in moved and "next day" in moved
    panel.reset()
    assert panel.message_text == start
    # the default keeps the numbers visible from the start (notebook 10's case reads them)
    assert "% of the peak" in SingleDosePanel(dose_mg=1.0).message_text
