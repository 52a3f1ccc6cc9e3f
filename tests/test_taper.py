"""Taper schedules (clonaedu.taper): exact label values, guideline contrasts, properties, bad input.

Teaching material about how tapers are designed; these tests pin what each published rule
implies with the marketed strengths, never a plan for a person.
"""

import functools
import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clonaedu import data, taper
from clonaedu.data import DataError, Dataset
from clonaedu.dosing import tablets_for

GRID_MG = {"tablet": 0.25, "odt": 0.125}  # tablets: half of a scored 0.5 mg; ODT: 0.125 mg
RULES = taper.rules()
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def totals(df):
    return df.daily_total_mg.tolist()


# --------------------------------------------------------------------------------------
# The label's panic-disorder taper
# --------------------------------------------------------------------------------------
def test_label_rule_from_1_mg_per_day_with_tablets():
    df = taper.schedule(1)
    assert list(df.columns) == taper.COLUMNS
    assert totals(df) == [1.0, 0.75, 0.5, 0.25, 0.0]
    assert df.day.tolist() == [0, 3, 6, 9, 12]
    assert df.step.tolist() == [0, 1, 2, 3, 4]
    assert df.morning_mg.tolist() == [0.5, 0.25, 0.25, 0.0, 0.0]
    assert df.evening_mg.tolist() == [0.5, 0.5, 0.25, 0.25, 0.0]
    assert math.isnan(df.cut_percent[0])
    assert df.cut_percent[1:].tolist() == [25.0, 33.33, 50.0, 100.0]
    assert not df.larger_than_rule.any()
    assert df.morning_tablets[1] == "half of a 0.5 mg scored tablet"
    assert df.evening_tablets[1] == "1 × 0.5 mg tablet"
    assert df.morning_tablets[3] == "none" and df.evening_tablets[4] == "none"
    a = df.attrs
    assert a["rule"] == "label_panic" and a["duration_days"] == 12 and a["steps"] == 4
    assert a["first_step_percent"] == 25.0
    assert a["largest_step_percent"] == 100.0 and a["largest_step_percent_before_stop"] == 50.0
    assert a["percent"] is None and a["interval_days"] == 3 and a["step_mg_per_dose"] == 0.125
    assert a["source_ids"] == ["fda_klonopin_2023"]  # landmarks and tablet strengths, both from the 1/2023 label
    assert "not a plan for any person" in a["notice"]
    # tablets cannot take 0.125 mg off each dose: said in a flag, the daily total still falls 0.25 mg
    assert len(a["flags"]) == 1 and "cannot lower each dose by exactly 0.125 mg" in a["flags"][0]


def test_label_rule_with_odt_keeps_equal_twice_daily_doses():
    df = taper.schedule(1, form="odt")
    assert totals(df) == [1.0, 0.75, 0.5, 0.25, 0.0]
    assert df.morning_mg.tolist() == df.evening_mg.tolist() == [0.5, 0.375, 0.25, 0.125, 0.0]
    assert df.evening_tablets[1] == "1 × 0.25 mg ODT + 1 × 0.125 mg ODT"
    assert df.attrs["flags"] == []
    assert df.attrs["source_ids"] == ["fda_klonopin_2023", "fda_clonazepam_odt"]


def test_label_rule_from_4_mg_per_day_takes_48_days():
    df = taper.schedule(4)
    assert df.attrs["duration_days"] == 48 and df.attrs["steps"] == 16
    assert df.attrs["first_step_percent"] == 6.25
    assert [round(p - n, 6) for p, n in zip(totals(df), totals(df)[1:])] == [0.25] * 16
    assert (df.morning_mg.iloc[0], df.evening_mg.iloc[0]) == (2.0, 2.0)
    assert df.morning_tablets.iloc[0] == "1 × 2 mg tablet"
    assert not any("above the labelled maximum" in f for f in df.attrs["flags"])  # 4 is the maximum


def test_label_step_and_interval_are_the_data_values():
    lm = data.table("dose_landmarks").set_index("landmark")
    rule = taper.rules().loc["label_panic"]
    assert rule.step_mg_per_dose == lm.loc["taper_step", "low"] == 0.125
    assert rule.interval_days_default == lm.loc["taper_interval", "low"] == 3
    assert rule.source_id == "fda_klonopin_2023"


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_label_schedule_follows_the_data_not_literals(data_copy, monkeypatch):
    root = data_copy
    _edit(root / "dose_landmarks.csv", "taper_step,0.125,0.125", "taper_step,0.25,0.25")
    _edit(root / "dose_landmarks.csv", "taper_interval,3,3", "taper_interval,4,4")
    _edit(root / "taper_rules.csv", "every 3 days\",0.125,2,,,,3,3,3,", "every 3 days\",0.25,2,,,,4,4,4,")
    ds = Dataset(root)
    monkeypatch.setattr(data, "default_dataset", lambda: ds)
    df = taper.schedule(1)
    assert totals(df) == [1.0, 0.5, 0.0]
    assert df.day.tolist() == [0, 4, 8]


def test_label_rule_that_disagrees_with_the_landmarks_is_refused(data_copy):
    root = data_copy
    _edit(root / "taper_rules.csv", "every 3 days\",0.125,2,", "every 3 days\",0.25,2,")
    with pytest.raises(DataError, match=r"step_mg_per_dose.*disagrees with data/dose_landmarks.csv"):
        taper._rule_table(Dataset(root))


def test_schema_requires_a_step_for_a_fixed_step_rule(data_copy):
    root = data_copy
    _edit(root / "taper_rules.csv", "every 3 days\",0.125,2,", "every 3 days\",,2,")
    with pytest.raises(DataError, match=r"taper_rules.csv, row 1 .*'step_mg_per_dose'"):
        Dataset(root).table("taper_rules")


def test_rules_table_carries_bounds_and_sources():
    r = taper.rules()
    assert taper.rule_names() == ["ashton", "joint_guideline_2025", "label_panic"]
    j = r.loc["joint_guideline_2025"]
    assert (j.percent_min, j.percent_max, j.interval_days_min, j.interval_days_max) == (5, 10, 14, 28)
    assert (j.cap_percent, j.cap_window_days) == (25, 14) and j.source_id == "joint_taper_2025"
    a = r.loc["ashton"]
    assert (a.percent_min, a.percent_max, a.interval_days_min, a.interval_days_max) == (5, 10, 7, 14)
    assert a.source_id == "ashton2002" and "NICE CKS" in a.verification
    assert set(r.source_id) <= set(data.sources().index)


# --------------------------------------------------------------------------------------
# Percent rules
# --------------------------------------------------------------------------------------
def test_guideline_rule_from_1_mg_per_day_takes_months():
    df = taper.schedule(1, rule="joint_guideline_2025")
    assert totals(df) == [1.0, 0.75, 0.5, 0.25, 0.0]  # tablets cannot remove less than 0.25 mg
    assert df.day.tolist() == [0, 14, 28, 42, 56]
    assert df.larger_than_rule.tolist() == [False, True, True, True, True]
    a = df.attrs
    assert a["duration_days"] == 56 and a["percent"] == 10 and a["interval_days"] == 14
    assert a["duration_days"] >= 4 * taper.schedule(1).attrs["duration_days"]
    flags = " | ".join(a["flags"])
    assert "10% of the dose is less than the smallest reduction tablets can make (0.25 mg/day)" in flags
    assert "The last step stops from 0.25 mg/day" in flags
    assert "3 step(s) cut more than the typical limit of 25% every 14 days" in flags
    # the slowest allowed pace, and the finer ODT steps, stretch it to about four months
    assert taper.schedule(1, rule="joint_guideline_2025", interval_days=28).attrs["duration_days"] == 112
    odt = taper.schedule(1, rule="joint_guideline_2025", form="odt")
    assert totals(odt) == [1.0, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125, 0.0]
    assert odt.attrs["duration_days"] == 112 and odt.attrs["first_step_percent"] == 12.5


def test_ashton_rule_from_1_mg_per_day():
    df = taper.schedule(1, rule="ashton")
    assert df.day.tolist() == [0, 7, 14, 21, 28]
    assert df.attrs["duration_days"] == 28 and df.attrs["source_ids"][0] == "ashton2002"
    assert taper.schedule(1, rule="ashton", percent=5, interval_days=14).attrs["duration_days"] == 56


def test_percent_is_a_ceiling_rounding_up_to_a_makeable_dose():
    # 10% of 4 mg aims at 3.6 mg: rounded up to 3.75 (6.25%), never down to 3.5 (12.5%)
    df = taper.schedule(4, rule="joint_guideline_2025")
    assert totals(df)[:3] == [4.0, 3.75, 3.5]
    assert df.attrs["duration_days"] == 16 * 14
    # from 8 mg/day: 7.2 -> 7.25, 6.525 -> 6.75, 6.075 -> 6.25, 5.625 -> 5.75
    big = taper.schedule(8, rule="joint_guideline_2025")
    assert totals(big)[:5] == [8.0, 7.25, 6.75, 6.25, 5.75]
    assert not big.larger_than_rule[:5].any()
    assert (big.morning_mg[1], big.evening_mg[1]) == (3.5, 3.75)
    assert big.morning_tablets[1] == "1 × 2 mg tablet + 1 × 1 mg tablet + 1 × 0.5 mg tablet"
    assert big.evening_tablets[1] == "1 × 2 mg tablet + 1 × 1 mg tablet + 1 × 0.5 mg tablet + half of a 0.5 mg scored tablet"


def test_compare_contrasts_the_rules():
    c = taper.compare(1)
    assert c.loc["label_panic", "duration_days"] == 12
    assert c.loc["ashton", "duration_days"] == 28
    assert c.loc["joint_guideline_2025", "duration_days"] == 56
    assert (c.first_step_percent == 25.0).all()
    assert c.loc["joint_guideline_2025", "source_id"] == "joint_taper_2025"


@st.composite
def percent_cases(draw):
    form = draw(st.sampled_from(["tablet", "odt"]))
    start = draw(st.integers(1, 48)) * GRID_MG[form]
    rule = draw(st.sampled_from(["joint_guideline_2025", "ashton"]))
    row = RULES.loc[rule]
    pct = draw(st.floats(float(row.percent_min), float(row.percent_max)))
    interval = draw(st.integers(int(row.interval_days_min), int(row.interval_days_max)))
    return start, rule, pct, interval, form


@functools.lru_cache(maxsize=None)
def _pieces(dose_mg, form):
    return str(tablets_for(dose_mg, form))  # raises if the form cannot make the dose


def _check_makeable(df, form):
    for col in ("morning", "evening"):
        for dose, text in zip(df[f"{col}_mg"], df[f"{col}_tablets"]):
            if dose == 0:
                assert text == "none"
            else:
                assert text == _pieces(dose, form)
    assert (df.morning_mg <= df.evening_mg).all()  # the larger dose at bedtime
    assert ((df.morning_mg + df.evening_mg - df.daily_total_mg).abs() < 1e-9).all()


def _check_common(df, interval):
    t = totals(df)
    assert all(n < p for p, n in zip(t, t[1:]))  # never increases, never stalls
    assert t[-1] == 0 and all(x > 0 for x in t[:-1])  # reaches zero once, at the end
    steps = len(df) - 1
    assert df.day.tolist() == [k * interval for k in range(steps + 1)]
    s = taper.summary(df)
    assert s.steps == df.attrs["steps"] == steps
    assert s.duration_days == df.attrs["duration_days"] == steps * interval
    assert s.largest_step_percent == df.attrs["largest_step_percent"] == 100.0
    for p, n, cut in zip(t, t[1:], df.cut_percent[1:]):
        assert cut == pytest.approx(100 * (p - n) / p, abs=0.006)


@FAST
@given(percent_cases())
def test_percent_rule_properties(case):
    start, rule, pct, interval, form = case
    grid = GRID_MG[form]
    df = taper.schedule(start, rule=rule, percent=pct, interval_days=interval, form=form)
    _check_common(df, interval)
    _check_makeable(df, form)
    t = totals(df)
    for p, n, larger in zip(t, t[1:], df.larger_than_rule[1:]):
        target = p * (1 - pct / 100)
        if larger:  # the rule's cut is below one makeable step: take the next makeable lower dose
            assert p * pct / 100 < grid + 1e-9
            assert n == pytest.approx(p - grid)
        else:  # the smallest makeable dose at or above the target: cut <= percent, and as close as the strengths allow
            assert target - 1e-9 <= n < target + grid
    forced = df[df.larger_than_rule & (df.daily_total_mg > 0)]
    flags = " | ".join(df.attrs["flags"])
    assert ("less than the smallest reduction" in flags) == (len(forced) > 0)
    assert "The last step stops from" in flags and "not a plan" in df.attrs["notice"]


@FAST
@given(st.sampled_from(["tablet", "odt"]), st.integers(1, 48))
def test_label_rule_properties(form, units):
    start = units * GRID_MG[form]
    df = taper.schedule(start, form=form)
    _check_common(df, 3)
    _check_makeable(df, form)
    t = totals(df)
    assert [round(p - n, 6) for p, n in zip(t, t[1:])] == [round(min(p, 0.25), 6) for p in t[:-1]]
    assert df.attrs["duration_days"] == 3 * math.ceil(start / 0.25 - 1e-9)
    assert not df.larger_than_rule.any()
    if form == "odt":  # ODT can always take 0.125 mg off each dose, as the label says
        assert not any("cannot lower each dose" in f for f in df.attrs["flags"])


# --------------------------------------------------------------------------------------
# Flags, helpers, summary
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("rule", ["label_panic", "joint_guideline_2025", "ashton"])
def test_start_above_the_labelled_maximum_is_allowed_but_flagged(rule):
    df = taper.schedule(5, rule=rule)
    assert totals(df)[0] == 5.0 and totals(df)[-1] == 0.0
    assert df.attrs["flags"][0] == (
        "The starting dose of 5 mg/day is above the labelled maximum of 4 mg/day for panic disorder "
        "(fda_klonopin_2023)"
    )
    assert "fda_klonopin_2023" in df.attrs["source_ids"]
    assert not any("above the labelled maximum" in f for f in taper.schedule(4, rule=rule).attrs["flags"])


def test_split_daily_and_makeable_totals():
    assert taper.split_daily(0.75) == (0.25, 0.5)
    assert taper.split_daily(1) == (0.5, 0.5)
    assert taper.split_daily(0.25) == (0.0, 0.25)
    assert taper.split_daily(0.75, form="odt") == (0.375, 0.375)
    assert taper.split_daily(0) == (0.0, 0.0)
    with pytest.raises(ValueError, match=r"total_mg_per_day=0.375 .* ODTs can make it"):
        taper.split_daily(0.375)
    assert taper.makeable_totals("tablet", 1) == [0.25, 0.5, 0.75, 1.0]
    assert taper.makeable_totals("odt", 0.5) == [0.125, 0.25, 0.375, 0.5]


def test_summary_matches_attrs_and_refuses_other_tables():
    s = taper.summary(taper.schedule(1, rule="joint_guideline_2025"))
    assert (s.steps, s.duration_days, s.first_step_percent, s.largest_step_percent) == (4, 56, 25.0, 100.0)
    assert s.largest_step_percent_before_stop == 50.0 and s.steps_larger_than_rule == 4
    assert s.duration_weeks == 8.0 and s.source_ids[0] == "joint_taper_2025"
    assert str(s).startswith("joint_guideline_2025 (10% every 14 days, tablets) from 1 mg/day: 4 steps over 56 days")
    with pytest.raises(ValueError, match="needs a table returned by clonaedu.taper.schedule"):
        taper.summary(pd.DataFrame({"day": [0, 3]}))


def test_every_public_function_says_it_is_teaching_material():
    for name in taper.__all__:
        obj = getattr(taper, name)
        if callable(obj):
            doc = obj.__doc__ or ""
            assert "not a plan" in doc or "never a plan" in doc, name


# --------------------------------------------------------------------------------------
# Bad input: a clear ValueError naming the problem
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("start, match", [
    (0, r"start_mg_per_day must be greater than 0"),
    (-1, r"start_mg_per_day cannot be negative"),
    (float("nan"), r"start_mg_per_day is NaN"),
    (float("inf"), r"start_mg_per_day must be finite"),
    ("1", r"start_mg_per_day must be a number"),
    (None, r"start_mg_per_day must be a number"),
    (True, r"start_mg_per_day must be a number"),
    (500, r"start_mg_per_day=500 mg is not a plausible"),
    (1.1, r"start_mg_per_day=1.1 mg/day cannot be made .* nearest makeable: 1 or 1.25 mg/day"),
    (0.125, r"start_mg_per_day=0.125 mg/day cannot be made .*tablets.* ODTs can make it"),
])
def test_bad_start_dose(start, match):
    with pytest.raises(ValueError, match=match):
        taper.schedule(start)


@pytest.mark.parametrize("kwargs, match", [
    (dict(rule="fast"), r"unknown rule 'fast'; known rules: ashton, joint_guideline_2025, label_panic"),
    (dict(rule=None), r"unknown rule None"),
    (dict(percent=10), r"percent does not apply to rule 'label_panic'.*0.125 mg"),
    (dict(interval_days=4), r"interval_days=4 is outside the bounds of rule 'label_panic': 3 days"),
    (dict(rule="joint_guideline_2025", percent=25), r"percent=25 is outside the bounds .* 5 to 10%"),
    (dict(rule="joint_guideline_2025", percent=4.9), r"percent=4.9 is outside the bounds"),
    (dict(rule="ashton", percent=0), r"percent must be greater than 0"),
    (dict(rule="ashton", percent=-5), r"percent must be greater than 0"),
    (dict(rule="ashton", percent=float("nan")), r"percent is NaN"),
    (dict(rule="ashton", percent="10"), r"percent must be a number"),
    (dict(rule="joint_guideline_2025", interval_days=0), r"interval_days must be greater than 0"),
    (dict(rule="joint_guideline_2025", interval_days=-14), r"interval_days must be greater than 0"),
    (dict(rule="joint_guideline_2025", interval_days=7), r"interval_days=7 is outside .* 14 to 28 days"),
    (dict(rule="joint_guideline_2025", interval_days=29), r"interval_days=29 is outside"),
    (dict(rule="ashton", interval_days=10.5), r"interval_days must be a whole number of days"),
    (dict(form="liquid"), r"unknown form 'liquid'; choose one of \['odt', 'tablet'\]"),
])
def test_bad_rule_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        taper.schedule(1, **kwargs)
