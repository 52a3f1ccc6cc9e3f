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
    assert df.hold_days.tolist() == [3, 3, 3, 3, 0]
    assert df.drug.tolist() == ["clonazepam"] * 5
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
    # landmarks and tablet strengths, both from the 1/2023 label; the days are the course's arithmetic
    assert a["source_ids"] == ["fda_klonopin_2023", "clonaedu_model"]
    assert "not a plan for any person" in a["notice"]
    # the label's own advice if withdrawal appears travels with its rule (issue 12, finding 8)
    assert "pausing the taper" in a["if_withdrawal"] and "more slowly" in a["if_withdrawal"]
    # tablets cannot take 0.125 mg off each dose: said in a flag, the daily total still falls 0.25 mg
    assert len(a["flags"]) == 1 and "cannot lower each dose by exactly 0.125 mg" in a["flags"][0]


def test_label_rule_with_odt_keeps_equal_twice_daily_doses():
    df = taper.schedule(1, form="odt")
    assert totals(df) == [1.0, 0.75, 0.5, 0.25, 0.0]
    assert df.morning_mg.tolist() == df.evening_mg.tolist() == [0.5, 0.375, 0.25, 0.125, 0.0]
    assert df.evening_tablets[1] == "1 × 0.25 mg ODT + 1 × 0.125 mg ODT"
    assert df.attrs["flags"] == []
    assert df.attrs["source_ids"] == ["fda_klonopin_2023", "clonaedu_model", "fda_clonazepam_odt"]


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
    # no schedule under the Ashton Manual's name: the course could not read its schedules (issue 12, finding 2)
    assert taper.rule_names() == ["joint_guideline_2025", "label_panic"]
    assert not any("ashton" in str(t).lower() for t in r.title)
    j = r.loc["joint_guideline_2025"]
    assert (j.percent_min, j.percent_max, j.interval_days_min, j.interval_days_max) == (5, 10, 14, 28)
    assert (j.cap_percent, j.cap_window_days) == (25, 14) and j.source_id == "joint_taper_2025"
    assert "pausing or slowing" in j.if_withdrawal
    assert set(r.source_id) <= set(data.sources().index)
    # each row says which text it was checked against
    assert "cfa0d79a" in r.loc["label_panic"].verification
    assert "eguideline" in j.verification


# --------------------------------------------------------------------------------------
# Percent rules
# --------------------------------------------------------------------------------------
def test_guideline_rule_from_1_mg_per_day_holds_larger_cuts_longer():
    df = taper.schedule(1, rule="joint_guideline_2025")
    assert totals(df) == [1.0, 0.75, 0.5, 0.25, 0.0]  # tablets cannot remove less than 0.25 mg
    # 25% after 14 days; 33% after 21 days; 50% after 28 days (= 25% per 14 days); then the flagged stop
    assert df.hold_days.tolist() == [14, 21, 28, 14, 0]
    assert df.day.tolist() == [0, 14, 35, 63, 77]
    assert taper.pace(df).round(2).tolist()[1:] == [25.0, 22.22, 25.0, 100.0]
    assert df.larger_than_rule.tolist() == [False, True, True, True, True]
    a = df.attrs
    assert a["duration_days"] == 77 and a["percent"] == 10 and a["interval_days"] == 14
    assert a["largest_pace_before_stop"] == 25.0 and a["held_for_pace"] == [1, 2]
    flags = " | ".join(a["flags"])
    assert "10% of the dose is less than the smallest reduction tablets can make (0.25 mg/day)" in flags
    # the course's construction, said as such: the average pace fits, the single cuts do not
    assert ("The course's construction: to keep the guideline's pace of 25% per 14 days on average, 2 doses "
            "before a larger cut are held longer, up to 28 days. Each of those single cuts (up to 50%) is still "
            "larger than the guideline's \"generally not more than 25% every 2 weeks\"") in flags
    assert "smaller dose units (ODTs) or a switch to a longer-acting benzodiazepine keep single steps smaller" in flags
    assert "clonaedu_model" in a["source_ids"] and "joint_taper_2025" in a["source_ids"]
    assert ("The last step stops from 0.25 mg/day, the smallest daily dose tablets can make: a 100% cut, "
            "more than the guideline's 25% per 14 days") in flags
    assert "ODTs (steps of 0.125 mg), a longer hold at the lowest dose, a switch to diazepam" in flags
    # the slowest allowed interval, and the finer ODT steps, stretch it to months
    assert taper.schedule(1, rule="joint_guideline_2025", interval_days=28).attrs["duration_days"] == 112
    odt = taper.schedule(1, rule="joint_guideline_2025", form="odt")
    assert totals(odt) == [1.0, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125, 0.0]
    assert odt.hold_days.tolist() == [14, 14, 14, 14, 14, 21, 28, 14, 0]
    assert odt.attrs["duration_days"] == 133 and odt.attrs["first_step_percent"] == 12.5


def test_holds_pause_a_step_and_move_every_later_day():
    base = taper.schedule(1, rule="joint_guideline_2025")
    held = taper.schedule(1, rule="joint_guideline_2025", holds={3: 28})
    assert totals(held) == totals(base)  # the doses do not change, only how long each lasts
    assert held.hold_days.tolist() == [14, 21, 28, 42, 0]
    assert held.attrs["duration_days"] == base.attrs["duration_days"] + 28
    assert held.day.tolist()[:4] == base.day.tolist()[:4]
    assert "Held longer by choice: step 3 (0.25 mg/day) +28 days" in held.attrs["flags"]
    label = taper.schedule(1, holds={0: 7, 2: 3})  # the label's own advice: pause, then go on
    assert label.hold_days.tolist() == [10, 3, 6, 3, 0] and label.attrs["duration_days"] == 22


def test_slow_down_near_the_end_spaces_the_last_steps():
    df = taper.schedule(2, rule="joint_guideline_2025", slow_last_steps=2, slow_interval_days=28)
    base = taper.schedule(2, rule="joint_guideline_2025")
    assert totals(df) == totals(base)
    assert df.hold_days.tolist()[-3:] == [28, 28, 0]
    assert df.hold_days.tolist()[:-3] == base.hold_days.tolist()[:-3]
    assert df.attrs["duration_days"] > base.attrs["duration_days"]
    assert "the last 2 steps come 28 days apart" in " | ".join(df.attrs["flags"])
    label = taper.schedule(1, slow_last_steps=2, slow_interval_days=7)
    assert label.hold_days.tolist() == [3, 3, 7, 7, 0]


def test_switch_to_diazepam_is_gradual_one_dose_at_a_time_and_the_equivalent_is_a_range():
    eq = taper.diazepam_equivalent(1)
    assert (eq["low_mg"], eq["high_mg"], eq["chosen_mg"]) == (10.0, 20.0, 10.0)  # a range; the example's dose
    assert eq["cut_by_high_percent"] == 50.0  # by the other table, 10 mg/day is a 50% cut: not "the safe end"
    assert taper.diazepam_equivalent(0.75)["chosen_mg"] == 7.0  # 7.5 rounded down to whole tablets
    assert taper.diazepam_equivalent(0.25)["chosen_mg"] == 2.0
    df = taper.schedule(1, rule="joint_guideline_2025", switch="diazepam")
    assert df.drug.tolist() == ["clonazepam", taper.MIXED_DRUG] + ["diazepam"] * 9
    # never overnight: the morning dose changes first (diazepam 5 mg, clonazepam 0.5 mg at bedtime),
    # the bedtime dose 7 days later, within the guideline's 1 to 2 weeks
    assert (df.morning_mg.iloc[1], df.evening_mg.iloc[1]) == (5.0, 0.5)
    assert df.morning_tablets.iloc[1] == "1 × 5 mg diazepam tablet" and df.evening_tablets.iloc[1] == "1 × 0.5 mg tablet"
    assert math.isnan(df.daily_total_mg.iloc[1])  # two drugs: no single daily total
    assert df.day.tolist()[:4] == [0, 14, 21, 35] and df.hold_days.tolist()[:3] == [14, 7, 14]
    assert totals(df)[2:] == [10.0, 9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 2.0, 0.0]
    assert list(taper.clonazepam_equivalent_totals(df)[:4]) == [1.0, 1.0, 1.0, 0.9]
    assert math.isnan(df.cut_percent.iloc[1]) and math.isnan(df.cut_percent.iloc[2])
    assert df.evening_tablets.iloc[2] == "1 × 5 mg diazepam tablet"
    assert df.morning_tablets.iloc[5] == "1 × 2 mg diazepam tablet" and df.evening_tablets.iloc[5] == "1 × 5 mg diazepam tablet"
    assert df.attrs["switch"] == "diazepam" and "fda_valium" in df.attrs["source_ids"]
    assert df.attrs["largest_pace_before_stop"] <= 25
    flags = " | ".join(df.attrs["flags"])
    assert "changed to diazepam 10 mg/day one dose at a time: the morning dose first, the bedtime dose 7 days later" in flags
    assert "the two published tables give diazepam 10 to 20 mg/day" in flags
    assert "measured by the other table that is a 50% cut" in flags
    assert "Too little diazepam risks withdrawal and too much risks sedation" in flags
    assert "never gives more" not in flags and "lower end" not in flags
    # every start with two clonazepam doses changes over one dose at a time, never both at once
    for start in (0.5, 0.75, 1.25, 2, 3.5):
        sw = taper.schedule(start, rule="joint_guideline_2025", switch="diazepam")
        assert sw.drug.iloc[1] == taper.MIXED_DRUG and sw.evening_mg.iloc[1] == sw.evening_mg.iloc[0], start
        assert taper.clonazepam_equivalent_totals(sw)[1] <= start + 1e-9  # the half-switched day adds nothing
    one = taper.schedule(0.25, rule="joint_guideline_2025", switch="diazepam")  # one bedtime dose: swapped as one
    assert one.drug.tolist() == ["clonazepam", "diazepam", "diazepam"] and "as its one bedtime dose" in one.attrs["flags"][0]
    assert "The last step stops from 2 mg/day, the smallest daily dose diazepam tablets can make" in flags
    assert any("No level is drawn for the diazepam switch" in n for n in df.attrs["notes"])
    with pytest.raises(ValueError, match="No level is drawn for the diazepam switch"):
        taper.concentration_through_taper(df)
    with pytest.raises(ValueError, match=r"switch='diazepam' applies to the guideline rule"):
        taper.schedule(1, switch="diazepam")
    with pytest.raises(ValueError, match=r"unknown switch 'lorazepam'"):
        taper.schedule(1, rule="joint_guideline_2025", switch="lorazepam")


def test_guideline_options_show_what_makes_concordant_steps_possible():
    o = taper.guideline_options(1)
    assert list(o.index) == ["tablets", "ODT (0.125 mg steps)", "tablets, lowest dose held 4 weeks longer",
                             "switch to diazepam"]
    assert (o.largest_pace_before_stop <= 25).all()
    assert o.duration_days.tolist() == [77, 133, 105, 147]
    # honest about single steps: each option still has one cut of 50% before the stop, but smaller
    # units push the first cut above 25% to a lower dose (clonazepam 0.75, ODT 0.375, diazepam 4 mg/day)
    assert o.largest_single_cut_before_stop.tolist() == [50.0, 50.0, 50.0, 50.0]
    assert o.first_dose_cut_above_cap_mg_per_day.tolist() == [0.75, 0.375, 0.75, 4.0]
    assert o.last_dose_mg_per_day.tolist() == [0.25, 0.125, 0.25, 2.0]
    assert (o.duration_weeks >= 11).all()  # months, not days: why tapers in practice take months


def test_percent_is_a_ceiling_rounding_up_to_a_makeable_dose():
    # 10% of 4 mg aims at 3.6 mg: rounded up to 3.75 (6.25%), never down to 3.5 (12.5%)
    df = taper.schedule(4, rule="joint_guideline_2025")
    assert totals(df)[:3] == [4.0, 3.75, 3.5]
    assert len(df) == 17 and df.attrs["largest_pace_before_stop"] <= 25
    # from 8 mg/day: 7.2 -> 7.25, 6.525 -> 6.75, 6.075 -> 6.25, 5.625 -> 5.75
    big = taper.schedule(8, rule="joint_guideline_2025")
    assert totals(big)[:5] == [8.0, 7.25, 6.75, 6.25, 5.75]
    assert not big.larger_than_rule[:5].any()
    assert (big.morning_mg[1], big.evening_mg[1]) == (3.5, 3.75)
    assert big.morning_tablets[1] == "1 × 2 mg tablet + 1 × 1 mg tablet + 1 × 0.5 mg tablet"
    assert big.evening_tablets[1] == "1 × 2 mg tablet + 1 × 1 mg tablet + 1 × 0.5 mg tablet + half of a 0.5 mg scored tablet"


def test_compare_contrasts_the_rules():
    c = taper.compare(1)
    assert list(c.index) == ["joint_guideline_2025", "label_panic"]
    assert c.loc["label_panic", "duration_days"] == 12
    assert c.loc["joint_guideline_2025", "duration_days"] == 77
    assert (c.first_step_percent == 25.0).all()
    assert c.loc["joint_guideline_2025", "largest_pace_before_stop"] == 25.0
    assert c.loc["label_panic", "largest_pace_before_stop"] > 200  # 50% in 3 days
    assert c.loc["joint_guideline_2025", "source_id"] == "joint_taper_2025"


@st.composite
def percent_cases(draw):
    form = draw(st.sampled_from(["tablet", "odt"]))
    start = draw(st.integers(1, 48)) * GRID_MG[form]
    rule = draw(st.sampled_from(["joint_guideline_2025"]))
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
    holds = df.hold_days.tolist()
    assert holds[-1] == 0 and all(h >= interval for h in holds[:-1])
    assert df.day.tolist() == [sum(holds[:k]) for k in range(steps + 1)]
    s = taper.summary(df)
    assert s.steps == df.attrs["steps"] == steps
    assert s.duration_days == df.attrs["duration_days"] == sum(holds)
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
    # the guideline's pace: every cut but the final stop within 25% per 14 days
    assert (taper.pace(df).iloc[1:-1] <= 25 + 1e-9).all()


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
@pytest.mark.parametrize("rule", ["label_panic", "joint_guideline_2025"])
def test_start_above_the_labelled_maximum_is_allowed_but_flagged(rule):
    df = taper.schedule(5, rule=rule)
    assert totals(df)[0] == 5.0 and totals(df)[-1] == 0.0
    assert df.attrs["flags"][0] == (
        "The starting dose of 5 mg/day is above the labelled maximum of 4 mg/day for panic disorder "
        "(US label)"
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
    assert (s.steps, s.duration_days, s.first_step_percent, s.largest_step_percent) == (4, 77, 25.0, 100.0)
    assert s.largest_step_percent_before_stop == 50.0 and s.steps_larger_than_rule == 4
    assert s.largest_pace_before_stop == 25.0 and s.pace_window_days == 14
    assert s.duration_weeks == 11.0 and s.source_ids[0] == "joint_taper_2025"
    assert str(s).startswith("joint_guideline_2025 (10% every 14 days, tablets) from 1 mg/day: 4 steps over 77 days")
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
    (dict(rule="fast"), r"unknown rule 'fast'; known rules: joint_guideline_2025, label_panic"),
    (dict(rule=None), r"unknown rule None"),
    (dict(percent=10), r"percent does not apply to rule 'label_panic'.*0.125 mg"),
    (dict(interval_days=4), r"interval_days=4 is outside the bounds of rule 'label_panic': 3 days"),
    (dict(rule="joint_guideline_2025", percent=25), r"percent=25 is outside the bounds .* 5 to 10%"),
    (dict(rule="joint_guideline_2025", percent=4.9), r"percent=4.9 is outside the bounds"),
    (dict(rule="joint_guideline_2025", percent=0), r"percent must be greater than 0"),
    (dict(rule="joint_guideline_2025", percent=-5), r"percent must be greater than 0"),
    (dict(rule="joint_guideline_2025", percent=float("nan")), r"percent is NaN"),
    (dict(rule="joint_guideline_2025", percent="10"), r"percent must be a number"),
    (dict(rule="joint_guideline_2025", interval_days=0), r"interval_days must be greater than 0"),
    (dict(rule="joint_guideline_2025", interval_days=-14), r"interval_days must be greater than 0"),
    (dict(rule="joint_guideline_2025", interval_days=7), r"interval_days=7 is outside .* 14 to 28 days"),
    (dict(rule="joint_guideline_2025", interval_days=29), r"interval_days=29 is outside"),
    (dict(rule="joint_guideline_2025", interval_days=14.5), r"interval_days must be a whole number of days"),
    (dict(holds={9: 7}), r"holds: step 9 does not exist; this schedule has steps 0 to 3 before the stop"),
    (dict(holds={1: 85}), r"holds\[1\]=85 days is longer than 84 days"),
    (dict(holds={1: -1}), r"holds\[1\] cannot be negative"),
    (dict(holds={"1": 7}), r"holds: step '1' must be a whole step number"),
    (dict(holds=[7]), r"holds must map a step number to extra days"),
    (dict(slow_last_steps=2), r"slow_last_steps needs slow_interval_days"),
    (dict(slow_interval_days=7), r"slow_interval_days needs slow_last_steps"),
    (dict(slow_last_steps=2, slow_interval_days=2), r"slow_interval_days=2 must be from the rule's interval \(3 days\)"),
    (dict(slow_last_steps=1.5, slow_interval_days=7), r"slow_last_steps must be a whole number"),
    (dict(form="liquid"), r"unknown form 'liquid'; choose one of \['odt', 'tablet'\]"),
])
def test_bad_rule_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        taper.schedule(1, **kwargs)


# --------------------------------------------------------------------------------------
# Issue 12, finding 3: a schedule under the guideline's name keeps the guideline's pace
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("form", ["tablet", "odt"])
def test_guideline_schedule_never_exceeds_25_percent_per_14_days_except_the_final_stop(form):
    """Dense grid: every makeable start from 0.5 to 4 mg/day, both forms, every allowed percent
    (whole) and interval, with and without slowing near the end."""
    grid = GRID_MG[form]
    starts = [u * grid for u in range(round(0.5 / grid), round(4 / grid) + 1)]
    checked = 0
    for start in starts:
        for pct in (5, 7, 10):
            for interval in (14, 21, 28):
                for slow in (None, 2):
                    kw = dict(slow_last_steps=slow, slow_interval_days=28) if slow else {}
                    df = taper.schedule(start, rule="joint_guideline_2025", percent=pct, interval_days=interval,
                                        form=form, **kw)
                    holds, cuts = df.hold_days.tolist(), df.cut_percent.tolist()
                    for k in range(1, len(df) - 1):  # every cut but the last (the stop)
                        assert cuts[k] * 14 / holds[k - 1] <= 25 + 1e-9, (start, pct, interval, k)
                    # the final stop is from the smallest makeable dose, and flagged
                    assert df.daily_total_mg.iloc[-2] == grid
                    assert any("The last step stops from" in f and "more than the guideline's 25% per 14 days" in f
                               for f in df.attrs["flags"])
                    checked += 1
    assert checked == len(starts) * 18


@FAST
@given(st.sampled_from(["tablet", "odt", "diazepam"]), st.integers(4, 32), st.floats(5, 10),
       st.integers(14, 28), st.dictionaries(st.integers(0, 3), st.integers(0, 84), max_size=2))
def test_guideline_pace_property(form, eighths, pct, interval, holds):
    """Property (hypothesis): any start from 0.5 to 4 mg/day, any allowed pace, any holds, the
    switch to diazepam too: no cut but the final stop is faster than 25% per 14 days."""
    start = eighths * 0.125
    kw = {"switch": "diazepam", "form": "odt"} if form == "diazepam" else {"form": form}
    if form == "tablet" and eighths % 2:
        start += 0.125
    steps = taper.schedule(start, rule="joint_guideline_2025", **kw).attrs["steps"]
    holds = {k: v for k, v in holds.items() if k < steps}
    df = taper.schedule(start, rule="joint_guideline_2025", percent=pct, interval_days=interval, holds=holds, **kw)
    paces = taper.pace(df)
    assert (paces.iloc[1:-1].dropna() <= 25 + 1e-9).all()
    assert df.cut_percent.iloc[-1] == 100  # the stop (a long hold before it can bring even that within 25%/14 d)
    assert df.attrs["largest_pace_before_stop"] <= 25 + 1e-9


# --------------------------------------------------------------------------------------
# Notebook 07's folded answers agree with the model (educator and pharmacist reviews)
# --------------------------------------------------------------------------------------
def _nb07_text() -> str:
    import json
    from pathlib import Path
    nb = json.loads((Path(__file__).resolve().parents[1] / "notebooks" / "07_tapering.ipynb").read_text("utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def _schedule_md(df) -> str:
    lines = ["| day | daily total (mg/day) | cut | days at this dose |", "|---|---|---|---|"]
    for r in df.itertuples():
        cut = "" if r.step == 0 else ("100% (stop)" if r.daily_total_mg == 0 else f"{r.cut_percent:.0f}%")
        held = "" if r.daily_total_mg == 0 else f"{r.hold_days}"
        lines.append(f"| {r.day} | {r.daily_total_mg:g} | {cut} | {held} |")
    return "\n".join(lines)


def _options_md(o) -> str:
    lines = ["| option | weeks | steps | single cuts above 25% from | last dose before the stop |",
             "|---|---|---|---|---|"]
    for name, r in o.iterrows():
        unit = " diazepam" if r.last_drug == "diazepam" else ""
        lines.append(f"| {name} | {r.duration_weeks:g} | {r.steps} | {r.first_dose_cut_above_cap_mg_per_day:g} mg/day{unit} "
                     f"| {r.last_dose_mg_per_day:g} mg/day{unit} |")
    return "\n".join(lines)


def test_notebook_07_answer_keys_match_the_model():
    text = _nb07_text()
    # planner task 2: the label rule with the last 2 steps 1 week apart (0 -> 3 -> 6 -> 13 -> 20), not day 17
    slow = taper.schedule(1, slow_last_steps=2, slow_interval_days=7)
    assert slow.day.tolist() == [0, 3, 6, 13, 20]
    assert "The days go 0 → 3 → 6 → 13 → 20: no dose from **day 20** instead of day 12" in text
    assert "day 17" not in text and "three predictions" not in text
    # planner task 1: step 3 held 4 weeks longer
    held = taper.schedule(1, rule="joint_guideline_2025", holds={3: 28})
    assert f"no dose from **day {held.attrs['duration_days']}** instead of day 77" in text
    sw = taper.schedule(1, rule="joint_guideline_2025", switch="diazepam")
    assert (f"for {sw.hold_days.iloc[1]} days diazepam {sw.morning_mg.iloc[1]:g} mg in the morning with clonazepam "
            f"{sw.evening_mg.iloc[1]:g} mg at bedtime") in text
    # section 2's schedule and section 4's options, as the folded tables show them
    assert _schedule_md(taper.schedule(1, rule="joint_guideline_2025")) in text
    o = taper.guideline_options(1)
    assert _options_md(o) in text
    for option, words in [("tablets", "Tablets"), ("ODT (0.125 mg steps)", "ODTs"),
                          ("switch to diazepam", "the diazepam switch")]:
        assert f"{words} **{o.loc[option, 'duration_weeks']:g} weeks**" in text
    # section 1's aside from 2 mg/day
    g2 = taper.compare(2).loc["joint_guideline_2025"]
    assert f"no dose from day {g2.duration_days}, about {g2.duration_weeks:g} weeks" in text
    # the averaged pace is named as the course's, never the guideline's schedule
    assert "guideline pace, averaged (course model)" in text
    assert "never gives more than either table" not in text and "Every option keeps the pace" not in text
