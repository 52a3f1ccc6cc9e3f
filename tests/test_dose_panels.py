"""Widget behaviour of the dose-comparison and who-needs-less panels (notebooks 04 and 05):
set a control, check the model, the curves, the table, the message and the PNG changed."""

import base64

import numpy as np
import pytest

from clonaedu import pk, plots, populations
from clonaedu.panels import DoseComparisonPanel, WhoNeedsLessPanel
from clonaedu.plots import doses as doseplots


# -- dose comparison ---------------------------------------------------------------------------------
@pytest.fixture
def comparison():
    return DoseComparisonPanel()


def _visible_curves(panel):
    return [line for line in panel.curves["lines"] if line.get_visible()]


def test_initial_state_draws_one_curve_per_dose(comparison):
    assert comparison.selected == (0.5, 1.0, 2.0)
    lines = _visible_curves(comparison)
    assert len(lines) == 3
    unit = populations.steady_state_curve(1.0, 2, comparison.t_h)
    for line, dose in zip(lines, (0.5, 1.0, 2.0)):
        assert np.allclose(line.get_ydata(), dose * unit)
    assert [lab.get_text().strip() for lab in comparison.curves["labels"] if lab.get_visible()] == ["0.5", "1", "2"]
    assert comparison.curves["unit"].get_text().strip() == "mg/day"
    assert comparison.png.startswith(b"\x89PNG") and comparison.renders == 1
    assert comparison.message_text.startswith("Illustrative model, not a prediction for any patient.")
    assert "no more benefit above 1 mg/day" in comparison.message_text
    # the message states what the trial reported, not the drawn shape ("kept rising")
    assert "somnolence and ataxia were reported more often at 3 and 4 mg/day" in comparison.message_text
    assert "kept rising" not in comparison.message_text


def test_toggling_a_dose_adds_its_curve_row_and_marker(comparison):
    before, renders = comparison.png, comparison.renders
    comparison.dose_buttons[4.0].value = True
    assert comparison.selected == (0.5, 1.0, 2.0, 4.0)
    assert comparison.selection.value == (0.5, 1.0, 2.0, 4.0)
    assert len(_visible_curves(comparison)) == 4
    assert comparison.comparison.total_mg_per_day.tolist() == [0.5, 1.0, 2.0, 4.0]
    assert "4 mg/day" in comparison.table.value and "the labelled maximum" in comparison.table.value
    stems = comparison.markers["benefit_stems"].get_segments()
    assert [seg[0][0] for seg in stems] == [0.5, 1.0, 2.0, 4.0]
    dots = comparison.markers["adverse_dots"].get_offsets()
    _, adverse = doseplots.schematic_shape([0.5, 1.0, 2.0, 4.0])
    assert np.allclose(dots[:, 1], adverse)
    assert comparison.png != before and comparison.renders == renders + 1


def test_table_holds_metrics_and_the_trials_finding(comparison):
    comparison.set_doses([0.25, 1, 3])
    table = comparison.table.value
    row = comparison.comparison.set_index("total_mg_per_day").loc[3.0]
    assert f"{row.peak_ss_ng_ml:.1f}" in table and f"{row.trough_ss_ng_ml:.1f}" in table
    assert "more somnolence and ataxia" in table
    assert "not studied (the lowest dose was 0.5 mg/day)" in table
    assert "3×" in table  # average relative to the 1 mg/day target


def test_above_maximum_is_flagged_dashed_and_has_no_schematic_dot(comparison):
    comparison.set_doses([1, 2, 5])
    assert "⚠ 5 mg/day is above the labelled maximum for panic disorder (4 mg/day)" in comparison.message_text
    assert "color:#B24000" in comparison.message.value
    line = _visible_curves(comparison)[2]
    assert line.get_linestyle() == "--"
    assert comparison.curves["labels"][2].get_text().strip() == "5 ⚠"
    assert len(comparison.markers["benefit_dots"].get_offsets()) == 2  # 1 and 2 only
    assert len(comparison.markers["benefit_stems"].get_segments()) == 3
    assert comparison.dose_buttons[5.0].button_style == "danger"


@pytest.mark.parametrize("clicks, message", [
    ([(0.5, False), (1.0, False)], "Keep at least 2 doses selected."),
    ([(0.25, True), (3.0, True), (4.0, True)], "At most 5 doses at a time"),
])
def test_clicks_never_leave_the_valid_range(comparison, clicks, message):
    for dose, value in clicks:
        comparison.dose_buttons[dose].value = value
    assert populations.MIN_DOSES <= len(comparison.selected) <= populations.MAX_DOSES
    assert comparison.selected == tuple(c for c, b in comparison.dose_buttons.items() if b.value)
    assert message in comparison.message_text
    assert "color:#B24000" in comparison.message.value


def test_setting_the_selection_directly_is_validated_too(comparison):
    renders = comparison.renders
    comparison.selection.value = (1.0,)
    assert comparison.selected == (0.5, 1.0, 2.0) and comparison.renders == renders
    comparison.selection.value = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
    assert comparison.selected == (0.5, 1.0, 2.0)
    comparison.selection.value = (0.75, 1.5)
    assert comparison.selected == (0.75, 1.5)
    assert [c for c, b in comparison.dose_buttons.items() if b.value] == [0.75, 1.5]
    with pytest.raises(ValueError, match="lists 1 mg/day twice"):
        comparison.set_doses([1, 1])
    with pytest.raises(ValueError, match="not one of the panel's choices"):
        comparison.set_doses([1, 2.5])
    assert comparison.selected == (0.75, 1.5)


def test_schedule_changes_the_curves_and_ticks(comparison):
    twice = _visible_curves(comparison)[1].get_ydata().copy()
    before = comparison.png
    comparison.doses_per_day.value = 1
    once = _visible_curves(comparison)[1].get_ydata()
    assert once.max() > twice.max() and once.min() < twice.min()
    assert np.mean(once) == pytest.approx(np.mean(twice), rel=0.01)
    assert "1 mg once daily" in comparison.table.value
    assert list(comparison.axes["curves"].get_xticks()) == [0, 12, 24, 36, 48]
    assert comparison.png != before


def test_the_schematic_says_so_and_has_no_numbers_on_its_vertical_axes(comparison):
    for key in ("benefit", "adverse"):
        ax = comparison.axes[key]
        assert list(ax.get_yticks()) == []
        assert [t.get_text() for t in ax.get_yticklabels()] == []
        assert "no scale" in ax.get_ylabel()
    assert comparison.schematic["title"].get_text().startswith("SCHEMATIC")
    texts = " ".join(t.get_text() for t in comparison.schematic["notes"])
    assert "SCHEMATIC: shape only, no data on the vertical axes" in texts
    assert [t.get_text() for t in comparison.axes["adverse"].get_xticklabels()] == ["0", "0.5", "1\ntarget", "2", "3", "4"]


def test_schematic_shape_follows_the_trial():
    x = np.array([0, 0.5, 1, 2, 3, 4])
    benefit, adverse = doseplots.schematic_shape(x)
    assert benefit[0] == 0 and benefit[1] < benefit[2]
    assert benefit[2] == benefit[3] == benefit[4] == benefit[5]  # flat from 1 mg/day
    assert np.all(np.diff(adverse) > 0)  # keeps rising
    assert np.diff(adverse)[-1] > np.diff(adverse)[2]  # steepest at the top doses
    assert np.isnan(doseplots.schematic_shape([4.5])[0][0])  # nothing drawn past what was studied


def test_tradeoff_figure_is_schematic_with_alt_text():
    fig = plots.tradeoff_figure()
    assert repr(fig).startswith("[Figure: SCHEMATIC")
    assert "no numbers on the vertical axes" in fig.alt and "0.5, 1, 2, 3, 4 mg/day" in fig.alt
    for ax in fig.figure.axes:
        assert list(ax.get_yticks()) == []
    assert fig._repr_png_().startswith(b"\x89PNG")


def test_bad_initial_values_raise():
    with pytest.raises(ValueError, match="is empty"):
        DoseComparisonPanel(doses_mg_per_day=[])
    with pytest.raises(ValueError, match="lists 2 mg/day twice"):
        DoseComparisonPanel(doses_mg_per_day=[1, 2, 2])
    with pytest.raises(ValueError, match="compare at most 5"):
        DoseComparisonPanel(doses_mg_per_day=[0.25, 0.5, 1, 2, 3, 4])
    with pytest.raises(ValueError, match="doses_per_day must be 1 or 2"):
        DoseComparisonPanel(doses_per_day=3)


def test_static_fallback(comparison):
    bundle = comparison._repr_mimebundle_()
    assert bundle["text/plain"].startswith("[Dose-comparison panel: run the notebook to use it] Illustrative")
    assert base64.b64decode(bundle["image/png"]) == comparison.png


# -- who needs less ----------------------------------------------------------------------------------
@pytest.fixture
def who():
    return WhoNeedsLessPanel()


def test_older_adult_curve_is_drawn_above_the_typical_adult(who):
    typical = who.artists["typical"].get_ydata()
    other = who.artists["other"].get_ydata()
    assert len(other) == len(typical) and other[-1] > typical[-1]
    assert np.all(other >= typical - 1e-9)
    reg = populations.regimen_for(1.0, 2, days=15)
    t_h = who.artists["typical"].get_xdata() * 24
    assert np.allclose(typical, pk.concentration(reg, t_h, pk.Params.default()))
    assert np.allclose(other, pk.concentration(reg, t_h, pk.Params.preset("older_adult")))
    assert who.artists["other_label"].get_text().strip() == "older adult"
    assert "24% lower" in who.message_text and "not a prediction" in who.message_text
    assert who.artists["other"].get_color() == plots.COLORS["vermillion"]
    assert not who.artists["caption"].get_visible()
    assert "A preset changes clearance only; the size is illustrative." in who.artists["note"].get_text()


def test_statements_show_the_source_and_hide_unverified_rows(who):
    html = who.statements.value
    assert "Beers 2023" in html and "beers2023" not in html and "moderate" in html and "strong" in html
    assert "UK product information" in html
    who.factor.value = "opioids"
    html = who.statements.value
    assert "Boxed warning" in html and "US label 2023" in html
    assert "unverified" not in html and "data/" not in html  # no maintainer language for students
    assert "beers_opioid" not in html and "lists an opioid together" in html  # Beers Table 5, checked in a formulary copy


def test_enzyme_inducer_is_drawn_below_in_blue(who):
    before = who.png
    who.factor.value = "phenytoin"
    typical, other = who.artists["typical"].get_ydata(), who.artists["other"].get_ydata()
    assert other[-1] < typical[-1] and np.all(other <= typical + 1e-9)
    assert who.artists["other"].get_color() == plots.COLORS["blue"]
    assert who.artists["other_label"].get_text().strip() == "with phenytoin"
    assert "50% higher" in who.message_text
    assert "not a prediction" in who.message_text and "khoo1980" not in who.message_text and "lower" in who.message_text
    assert "46 to 58%" in who.statements.value and "lamotrigine" not in who.statements.value
    who.factor.value = "enzyme_inducers"  # carbamazepine and the rest: the label's statement, no curve
    assert "19 to 37%" in who.statements.value and "lamotrigine" in who.statements.value
    assert who.png != before


NO_CURVE = {
    "opioids": "Same level, added effect",
    "cns_depressants": "Same level, added effect",
    "three_cns_drugs": "Same level, added effect",
    "cyp3a_inhibitors": "Level expected to be higher (label)",
    "enzyme_inducers": "Level expected to be lower (label)",
    "valproate": "the concern is not this curve",
    "pregnancy": "the concern is not this curve",
    "lactation": "the concern is not this curve",
    "renal_impairment": "the concern is not this curve",
}


def test_no_curve_changes_where_no_direction_is_sourced(who):
    for factor, caption in NO_CURVE.items():
        who.factor.value = factor
        assert len(who.artists["other"].get_ydata()) == 0, factor
        assert who.artists["other_label"].get_text() == ""
        assert who.artists["caption"].get_visible() and caption in who.artists["caption"].get_text(), factor
        assert "no curve changes" in who.message_text
    who.factor.value = "older_adults"
    assert not who.artists["caption"].get_visible() and len(who.artists["other"].get_ydata()) > 0


def test_dose_and_schedule_scale_both_curves(who):
    typical = who.artists["typical"].get_ydata().copy()
    other = who.artists["other"].get_ydata().copy()
    who.dose.value = 2.0
    assert np.allclose(who.artists["typical"].get_ydata(), 2 * typical)
    assert np.allclose(who.artists["other"].get_ydata(), 2 * other)
    assert "Average steady-state level 30.0 instead of 22.7 ng/mL" in who.message_text
    before = who.png
    who.doses_per_day.value = 1
    assert who.comparison.doses_per_day == 1 and who.png != before


def test_days_control_changes_the_span(who):
    who.days.value = 28
    assert who.artists["typical"].get_xdata()[-1] == pytest.approx(28)
    assert who.ax.get_xlim()[1] > 28


def test_one_y_range_for_all_groups_at_a_dose(who):
    limits = set()
    for f in populations.factors():
        who.factor.value = f.factor_id
        limits.add(who.ax.get_ylim())
    assert len(limits) == 1


def test_controls_hold_the_labelled_maximum_and_no_absurd_values(who):
    assert who.dose.min == 0.25 and who.dose.max == 4
    assert who.days.min == 7 and who.days.max == 28
    assert [v for _, v in who.doses_per_day.options] == [1, 2]
    assert {v for _, v in who.factor.options} == {f.factor_id for f in populations.factors()}


@pytest.mark.parametrize("kwargs, message", [
    ({"factor": "warfarin"}, "unknown population or medicine"),
    ({"total_mg_per_day": 5}, "between 0.25 and 4 mg/day"),
    ({"total_mg_per_day": -1}, "greater than 0"),
    ({"days": 60}, "days must be a whole number from 7 to 28"),
    ({"doses_per_day": 3}, "doses_per_day must be 1 or 2"),
])
def test_who_bad_initial_values_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        WhoNeedsLessPanel(**kwargs)


def test_who_static_fallback(who):
    bundle = who._repr_mimebundle_()
    assert bundle["text/plain"].startswith("[Who-needs-less panel: run the notebook to use it] Older adults")
    assert base64.b64decode(bundle["image/png"]) == who.png


# -- combined factors and pin (who-needs-less panel); factors are chosen from the data by kind ------
def _curve_factors():
    return [f for f in populations.factors() if f.changes_curve]


def _no_curve_factor():
    return next(f for f in populations.factors() if not f.changes_curve and f.direction == "added_effect")


def test_combined_params_multiply_the_clearance_changes():
    a, b = _curve_factors()[:2]
    typical = pk.Params.default()
    both = populations.combined_params([a.factor_id, b.factor_id])
    ratio = (populations.params_for(a.factor_id).cl_l_per_h / typical.cl_l_per_h
             * populations.params_for(b.factor_id).cl_l_per_h / typical.cl_l_per_h)
    assert both.cl_l_per_h == pytest.approx(typical.cl_l_per_h * ratio)
    assert (both.v1_l, both.v2_l, both.q_l_per_h, both.ka_per_h, both.F) == \
        (typical.v1_l, typical.v2_l, typical.q_l_per_h, typical.ka_per_h, typical.F)
    assert both.illustrative and "no source measured the combination" in both.basis
    # a factor without a pharmacokinetic basis adds nothing to the curve
    c = _no_curve_factor()
    assert populations.combined_params([a.factor_id, c.factor_id]) == populations.params_for(a.factor_id)
    assert populations.combined_params([c.factor_id]) is None
    assert populations.combined_params([a.factor_id, a.factor_id]) == populations.params_for(a.factor_id)
    with pytest.raises(ValueError, match="unknown population or medicine"):
        populations.combined_params(["older_adults", "grapefruit"])
    with pytest.raises(ValueError, match="names must be a list"):
        populations.combined_params("older_adults")


def test_together_with_a_factor_without_a_curve_draws_only_the_pharmacokinetic_one(who):
    pk_factor, no_curve = _curve_factors()[0], _no_curve_factor()
    who.factor.value = pk_factor.factor_id
    _, alone = who.artists["other"].get_data()
    alone = alone.copy()
    who.also.value = no_curve.factor_id
    _, together = who.artists["other"].get_data()
    assert np.allclose(together, alone)  # no curve of its own
    assert who.artists["other_label"].get_text().strip() == pk_factor.short_label
    caption = who.artists["caption"]
    assert caption.get_visible() and no_curve.short_label in caption.get_text()
    assert f"{no_curve.label}: no curve of its own." in who.message_text
    assert no_curve.basis[:40] in who.message_text
    assert who.statements.value.count("What the sources say") == 2


def test_two_pharmacokinetic_factors_draw_one_combined_curve_and_say_it_is_assumed(who):
    a, b = _curve_factors()[:2]
    who.factor.value = a.factor_id
    who.also.value = b.factor_id
    t_h = np.linspace(0, who.days.value * 24.0, who.days.value * 60 + 1)
    reg = populations.regimen_for(who.dose.value, who.doses_per_day.value, days=who.days.value + 1)
    expected = pk.concentration(reg, t_h, populations.combined_params([a.factor_id, b.factor_id]))
    assert np.allclose(who.artists["other"].get_data()[1], expected)
    assert who.artists["other_label"].get_text().strip() == f"{a.short_label} + {b.short_label}"
    assert "multiplying them is the course's assumption" in who.message_text
    assert who.ax.get_ylim()[1] >= expected.max()
    assert not who.artists["caption"].get_visible()


def test_two_factors_without_a_curve_say_why_for_each(who):
    no_curve = [f for f in populations.factors() if not f.changes_curve][:2]
    who.factor.value = no_curve[0].factor_id
    who.also.value = no_curve[1].factor_id
    assert len(who.artists["other"].get_xdata()) == 0
    assert "No curve changes" in who.message_text
    for f in no_curve:
        assert f"{f.label}: no curve of its own." in who.message_text
        assert f.short_label in who.artists["caption"].get_text()


def test_the_same_factor_twice_counts_once(who):
    png, message = who.png, who.message_text
    who.also.value = who.factor.value
    assert who.message_text == message
    assert who.png == png


def test_who_pin_keeps_the_curve_as_a_reference(who):
    assert who.unpin.disabled and len(who.pinned_line.get_xdata()) == 0
    _, drawn = who.artists["other"].get_data()
    drawn = drawn.copy()
    who.pin.click()
    assert np.array_equal(who.pinned_line.get_data()[1], drawn)
    assert who.pinned_line.get_linestyle() == "--"
    who.dose.value = 2.0
    assert np.array_equal(who.pinned_line.get_data()[1], drawn)
    assert "Pinned (grey dashed): older adult, 1 mg/day twice daily." in who.message_text
    who.unpin.click()
    assert len(who.pinned_line.get_xdata()) == 0 and "Pinned" not in who.message_text


def test_who_reset_clears_pin_and_combination(who):
    png, message = who.png, who.message.value
    who.pin.click()
    who.also.value = _curve_factors()[1].factor_id
    who.days.value = 28
    who.reset_button.click()
    assert who.also.value == "(nothing else)" and who.pinned is None and who.unpin.disabled
    assert who.png == png and who.message.value == message


def test_who_also_can_be_given_when_built():
    panel = WhoNeedsLessPanel(factor="older_adults", also="opioids")
    assert panel.also.value == "opioids"
    assert "Opioids: no curve of its own." in panel.message_text
    with pytest.raises(ValueError, match="unknown population or medicine"):
        WhoNeedsLessPanel(also="grapefruit")


def test_dose_comparison_reveal_on_move_hides_numbers_and_trial_until_a_control_moves():
    """Predict first (educator review, item 1): no ratio, no trial finding and no trial column at
    the start; all appear after a click; a reset hides them again."""
    from clonaedu.panels import DoseComparisonPanel

    panel = DoseComparisonPanel([0.5, 1], 2, reveal_on_move=True)
    assert "times the level" not in panel.message_text and "no more benefit" not in panel.message_text
    assert "fixed-dose trial" not in panel.table.value and "data/" not in panel.table.value
    panel.dose_buttons[2.0].value = True
    assert "2 mg/day gives 4 times the level of 0.5 mg/day" in panel.message_text
    assert "fixed-dose trial" in panel.table.value
    panel.reset()
    assert panel.selected == (0.5, 1.0)
    assert "times the level" not in panel.message_text and "fixed-dose trial" not in panel.table.value
    plain = DoseComparisonPanel([0.5, 1], 2)
    assert "times the level" in plain.message_text and "fixed-dose trial" in plain.table.value
