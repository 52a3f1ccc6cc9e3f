"""Dose placement, per-dose arithmetic, tablets and mg/kg against the label landmarks."""

import math

import pytest
from hypothesis import given, strategies as st

from clonaedu import dosing


@pytest.mark.parametrize("total, category", [
    (0.25, "below_start"), (0.5, "start"), (0.75, "start_to_target"), (1, "target"),
    (2, "above_target"), (4, "maximum"), (4.5, "above_maximum"), (8, "above_maximum"),
])
def test_panic_disorder_categories(total, category):
    p = dosing.place(total)
    assert p.category == category
    assert p.landmarks_mg_per_day == {"start": 0.5, "target": 1.0, "maximum": 4.0}
    assert p.flagged is (category == "above_maximum")
    assert p.source_ids == ("fda_klonopin_2023",)


def test_above_maximum_is_flagged_not_refused():
    p = dosing.place(6)
    assert p.above_maximum and p.flagged
    assert p.flags == ("Above the labelled maximum of 4 mg/day for panic disorder",)
    assert "⚠ Above the labelled maximum of 4 mg/day" in p.message(2)
    assert "3 mg twice daily" in p.message(2)


def test_the_lay_articles_starting_dose_is_half_the_labelled_daily_start():
    assert dosing.place(0.25).category == "below_start"
    assert dosing.daily_total(0.25, 2) == 0.5
    assert dosing.place(dosing.daily_total(0.25, 2)).category == "start"


@pytest.mark.parametrize("total, category, flagged", [
    (1, "initial_range", False), (1.5, "initial_maximum", False), (10, "titration", False),
    (20, "maximum", False), (21, "above_maximum", True),
])
def test_seizure_disorders_adult(total, category, flagged):
    p = dosing.place(total, "seizure_disorders", "adult")
    assert (p.category, p.flagged) == (category, flagged)


def test_pediatric_range_scales_with_weight():
    r = dosing.pediatric_range(20)
    assert r.initial_mg_per_day == (0.2, 0.6)
    assert r.initial_max_mg_per_day == 1.0
    assert r.maintenance_mg_per_day == (2.0, 4.0)
    assert r.flags == ()
    assert dosing.pediatric_range(35).flags and "30 kg" in dosing.pediatric_range(35).flags[0]


@pytest.mark.parametrize("total, category", [
    (0.1, "below_initial"), (0.4, "initial_range"), (1, "initial_to_maintenance"),
    (3, "maintenance"), (5, "above_maintenance"),
])
def test_pediatric_placement_at_20_kg(total, category):
    p = dosing.place(total, "seizure_disorders", "pediatric", weight_kg=20)
    assert p.category == category
    assert p.flagged is (category == "above_maintenance")
    assert p.context_label == "seizure disorders (children, 20 kg)"


def test_pediatric_needs_weight_and_panic_has_no_pediatric_dosing():
    with pytest.raises(ValueError, match="weight_kg is required"):
        dosing.place(1, "seizure_disorders", "pediatric")
    with pytest.raises(ValueError, match="below 18 years have not been established"):
        dosing.place(1, "panic_disorder", "pediatric")


BAD_DOSES = [
    (-1, "total_mg_per_day cannot be negative"), (0, "total_mg_per_day must be greater than 0"),
    (float("nan"), "total_mg_per_day is NaN"), (float("inf"), "total_mg_per_day must be finite"),
    ("1", "total_mg_per_day must be a number, got '1'"), (None, "must be a number, got None"),
    (True, "must be a number, got True"), (500, "not a plausible clonazepam dose"),
]


@pytest.mark.parametrize("dose, message", BAD_DOSES)
def test_bad_doses_raise_value_error_naming_the_argument(dose, message):
    with pytest.raises(ValueError, match=message):
        dosing.place(dose)


@pytest.mark.parametrize("kwargs, message", [
    ({"indication": "anxiety"}, "unknown indication 'anxiety'"),
    ({"population": "elderly"}, "unknown population 'elderly'"),
    ({"indication": "seizure_disorders", "population": "pediatric", "weight_kg": 0}, "weight_kg must be greater than 0"),
    ({"indication": "seizure_disorders", "population": "pediatric", "weight_kg": 500}, "weight_kg=500 is not a plausible"),
    ({"indication": "seizure_disorders", "population": "pediatric", "weight_kg": float("nan")}, "weight_kg is NaN"),
    ({"indication": "seizure_disorders", "population": "pediatric", "weight_kg": "20"}, "weight_kg must be a number"),
])
def test_bad_context_raises(kwargs, message):
    with pytest.raises(ValueError, match=message):
        dosing.place(1, **kwargs)


def test_per_dose_and_daily_total():
    assert dosing.daily_total(0.25, 2) == 0.5
    assert dosing.per_dose(1, 2) == 0.5
    assert dosing.per_dose(1, 4) == 0.25
    assert dosing.per_dose(1.5, 3) == 0.5
    with pytest.raises(ValueError, match="doses_per_day must be between 1 and 6"):
        dosing.per_dose(1, 0)
    with pytest.raises(ValueError, match="doses_per_day must be a whole number"):
        dosing.daily_total(0.5, 1.5)
    with pytest.raises(ValueError, match="dose_mg cannot be negative"):
        dosing.daily_total(-0.5, 2)


@given(st.integers(min_value=1, max_value=160), st.integers(min_value=1, max_value=6))
def test_per_dose_times_doses_is_the_total(eighths, n):
    total = eighths / 8
    assert math.isclose(dosing.daily_total(dosing.per_dose(total, n), n), total, rel_tol=1e-8)


@pytest.mark.parametrize("dose, form, text", [
    (0.25, "tablet", "half of a 0.5 mg scored tablet"),
    (0.5, "tablet", "1 × 0.5 mg tablet"),
    (0.75, "tablet", "1 × 0.5 mg tablet + half of a 0.5 mg scored tablet"),
    (1.5, "tablet", "1 × 1 mg tablet + 1 × 0.5 mg tablet"),
    (4, "tablet", "2 × 2 mg tablet"),
    (0.125, "odt", "1 × 0.125 mg ODT"),
    (0.375, "odt", "1 × 0.25 mg ODT + 1 × 0.125 mg ODT"),
])
def test_tablets_for(dose, form, text):
    assert str(dosing.tablets_for(dose, form)) == text


def test_tablets_refuse_to_split_unscored():
    with pytest.raises(ValueError, match="0.125 mg cannot be made from tablets.*ODT\\) can make it"):
        dosing.tablets_for(0.125, "tablet")
    with pytest.raises(ValueError, match="0.5 mg cannot be made from tablets of 1 mg: unscored"):
        dosing.tablets_for(0.5, "tablet", strengths_mg=[1])
    with pytest.raises(ValueError, match="0.25 mg cannot be made from odts"):
        dosing.tablets_for(0.25, "odt", strengths_mg=[0.5])
    with pytest.raises(ValueError, match="not a multiple of 0.125 mg"):
        dosing.tablets_for(0.3, "tablet")
    with pytest.raises(ValueError, match="unknown form 'capsule'"):
        dosing.tablets_for(1, "capsule")
    with pytest.raises(ValueError, match="no tablet of strength 0.75 mg"):
        dosing.tablets_for(1, "tablet", strengths_mg=[0.75])


@given(st.integers(min_value=2, max_value=64))
def test_tablets_add_up_to_the_dose(quarters):
    dose = quarters / 4
    result = dosing.tablets_for(dose, "tablet")
    assert math.isclose(sum(s * c for s, c in result.pieces), dose)
    halves = [(s, c) for s, c in result.pieces if c != int(c)]
    assert all(s == 0.5 for s, _ in halves)  # only the scored 0.5 mg tablet is ever split
    assert len(halves) <= 1


def test_a_schedule_other_than_the_label_s_is_named_in_the_message():
    """The label gives panic-disorder doses twice daily: 0.5 mg once daily is the same daily total as
    the starting dose, not 'the label's starting dose' (pharmacist review, item 3)."""
    once = dosing.place(0.5).message(1)
    assert "the same daily total as the label's starting dose" in once
    assert "Not the label's schedule" in once and "not once daily" in once
    twice = dosing.place(0.5).message(2)
    assert twice.endswith("the label's starting dose.") and "Not the label's schedule" not in twice
    assert "Not the label's schedule" in dosing.place(0.75).message(3)
    assert "Not the label's schedule" not in dosing.place(0.5, "seizure_disorders", "pediatric", weight_kg=20).message(3)
