"""The question bank, answer checking, the quiz widgets, and the instructor answer key.

Every calculation answer in data/questions.csv is recomputed here from the library and the
data (RECOMPUTE), so a change to a model or a table that makes an answer wrong fails a test.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import html
import re
from html.parser import HTMLParser

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clonaedu import compare, data, dosing, pk, quiz, regimens, taper
from clonaedu.data import DataError, Dataset
from clonaedu.regimens import Regimen

BANK = quiz.bank()


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------
def edit_question(root, qid, /, **changes):
    """Change cells of one row of questions.csv in a data copy."""
    path = root / "questions.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    for row in rows[1:]:
        if row[0] == qid:
            for column, value in changes.items():
                row[header.index(column)] = value
            break
    else:  # pragma: no cover - a typo in a test
        raise KeyError(qid)
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def row_number(question_id):
    return BANK.ids.index(question_id) + 1


@functools.cache
def ss(regimen_id, preset="typical_adult"):
    return pk.summary(regimens.example(regimen_id, days=2), pk.Params.preset(preset))


def choice(question_id, index):
    return BANK.get(question_id).choices[index]


# --------------------------------------------------------------------------------------------
# The bank: loading, coverage, validation
# --------------------------------------------------------------------------------------------
def test_bank_loads_with_at_least_six_questions_per_content_notebook():
    counts = BANK.counts()
    for nb in quiz.CONTENT_NOTEBOOKS:
        assert counts.get(nb, 0) >= 6, f"notebook {nb} has {counts.get(nb, 0)} questions"
    assert len(BANK) == sum(counts.values()) == len(set(BANK.ids))


@pytest.mark.parametrize("nb", quiz.CONTENT_NOTEBOOKS)
def test_each_content_notebook_mixes_recall_calculation_and_interpretation(nb):
    skills = {q.skill for q in BANK.for_notebook(nb)}
    assert skills == set(quiz.SKILLS), f"notebook {nb} has only {sorted(skills)}"


def test_every_question_cites_a_known_source_and_is_well_formed():
    known = set(data.sources().index)
    for q in BANK:
        assert q.source_id in known
        assert q.citation == data.cite(q.source_id)
        assert q.question_id.startswith(f"q{q.notebook}-")
        if q.kind == "numeric":
            assert q.unit in quiz.UNITS and q.tolerance >= 0 and q.value is not None and not q.choices
        else:
            assert len(q.choices) >= 2 and set(q.answers) <= set(q.choices)
            assert len(q.answers) == 1 if q.kind == "single" else len(q.answers) >= 1
            assert q.unit is None and q.tolerance is None


def test_prompts_ask_for_the_unit_of_numeric_answers():
    for q in BANK:
        if q.kind == "numeric" and q.unit not in ("×", "%", "tablets", "days", "weeks", "h"):
            assert q.unit in q.prompt, f"{q.question_id}: the prompt should say the answer is in {q.unit}"


def test_panel_questions_name_a_panel_and_predict_first():
    for q in BANK:
        if q.panel and q.notebook != "10" and q.skill == "interpretation":
            assert q.prompt.startswith(("Predict", "In the", "The benefit")), q.question_id


def test_answer_not_among_choices_is_refused_naming_row_and_column(data_copy):
    edit_question(data_copy, "q02-plasma-peak", answer="Within 2 to 5 hours")
    with pytest.raises(quiz.QuestionError, match=(
            rf"data/questions.csv, row {row_number('q02-plasma-peak')} \(line \d+\), column 'answer': "
            r"answer 'Within 2 to 5 hours' is not among the choices")):
        quiz.bank(Dataset(data_copy))


def test_one_of_several_answers_not_among_choices_is_refused(data_copy):
    edit_question(data_copy, "q06-risk-factors", answer="A longer duration of treatment;Being tall")
    with pytest.raises(quiz.QuestionError, match=r"column 'answer': answer 'Being tall' is not among"):
        quiz.bank(Dataset(data_copy))


def test_numeric_question_without_unit_is_refused(data_copy):
    edit_question(data_copy, "q01-each-dose", unit="")
    with pytest.raises(quiz.QuestionError, match=(
            rf"row {row_number('q01-each-dose')} \(line \d+\), column 'unit': a numeric question needs a unit")):
        quiz.bank(Dataset(data_copy))


def test_negative_tolerance_is_refused_by_the_schema_naming_row_and_column(data_copy):
    edit_question(data_copy, "q02-time-to-quarter", tolerance="-2")
    with pytest.raises(DataError, match=(
            rf"data/questions.csv, row {row_number('q02-time-to-quarter')} \(line \d+\), column 'tolerance': "
            r"-2.0 is less than the minimum of 0")):
        quiz.bank(Dataset(data_copy))


@pytest.mark.parametrize("question_id, changes, column, reason", [
    ("q01-each-dose", {"tolerance": ""}, "tolerance", "needs a tolerance"),
    ("q01-each-dose", {"unit": "milligram per dose"}, "unit", "unknown unit"),
    ("q01-starting-daily-total", {"unit": "mg per day"}, "unit", "write the unit as 'mg/day'"),
    ("q01-each-dose", {"answer": "0.5 mg"}, "answer", "plain number"),
    ("q01-each-dose", {"choices": "0.5;1"}, "choices", "has no choices"),
    ("q02-plasma-peak", {"unit": "h"}, "unit", "has no unit"),
    ("q02-plasma-peak", {"tolerance": "1"}, "tolerance", "has no tolerance"),
    ("q02-plasma-peak", {"answer": "Within 1 to 4 hours;After 8 to 12 hours"}, "answer", "exactly one answer"),
    ("q02-plasma-peak", {"choices": "Within 1 to 4 hours"}, "choices", "at least two"),
    ("q02-plasma-peak", {"choices": "Within 1 to 4 hours;Within 1 to 4 hours;x"}, "choices", "more than once"),
    ("q02-plasma-peak", {"notebook": "03"}, "notebook", "starts with q02"),
])
def test_other_broken_rows_are_refused_with_a_clear_reason(data_copy, question_id, changes, column, reason):
    edit_question(data_copy, question_id, **changes)
    with pytest.raises(quiz.QuestionError, match=rf"row {row_number(question_id)} .*column '{column}': .*{re.escape(reason)}"):
        quiz.bank(Dataset(data_copy))


@pytest.mark.parametrize("changes, column", [
    ({"source_id": "drugs_com"}, "source_id"),  # not a primary source in sources.csv
    ({"kind": "essay"}, "kind"),
    ({"skill": "guessing"}, "skill"),
    ({"question_id": "Q2 plasma peak"}, "question_id"),
])
def test_schema_errors_from_the_data_layer(data_copy, changes, column):
    edit_question(data_copy, "q02-plasma-peak", **changes)
    with pytest.raises(DataError, match=rf"data/questions.csv, row \d+ \(line \d+\), column '{column}'"):
        quiz.bank(Dataset(data_copy))


def test_the_data_layer_knows_the_table():
    assert "questions" in data.table_names()
    frame = data.table("questions")
    assert list(frame.question_id) == BANK.ids


# --------------------------------------------------------------------------------------------
# Reading numeric answers
# --------------------------------------------------------------------------------------------
DAILY = BANK.get("q01-starting-daily-total")  # 0.5 mg/day, exact
DAYS = BANK.get("q03-steady-state-days")  # 5 days +- 0.25
PERCENT = BANK.get("q07-first-step-percent")  # 25 % +- 0.5


@pytest.mark.parametrize("text", [
    "0.5", ".5", "0.50", "+0.5", " 0.5 ", "1/2", "1 / 2", "½", "0.5 mg/day", ".5 mg/day", "0.50mg/day",
    "0.5 mg per day", "0.5 mg a day", "0.5 mg daily", "0.5 mg/d", "0.5 MG/DAY", "0.5 mg each day",
    "0.5 milligrams per day", "about 0.5 mg/day", "~0.5", "0.5 mg/day.",
])
def test_equivalent_forms_of_a_daily_total_are_right(text):
    assert DAILY.check(text).status == "right", text


@pytest.mark.parametrize("text, words", [
    ("0.5 mg/kg", "mg/kg (per kilogram"),
    ("0.5 mg/kg/day", "mg/kg/day"),
    ("0.5 mg", "mg (one amount, such as one dose)"),
    ("0.5 ng/mL", "ng/mL"),
    ("0.5 h", "hours"),
    ("0.5 tablets", "tablets"),
])
def test_a_wrong_unit_is_rejected_even_with_the_right_number(text, words):
    result = DAILY.check(text)
    assert result.status == "wrong_unit" and result.counts and not result.correct
    assert "the question asks for mg/day (a daily total)" in result.message
    assert words in result.message


@pytest.mark.parametrize("text, status, message", [
    ("", "empty", "Type a number"),
    ("0,5", "unreadable", "decimal point"),
    ("0.2 to 0.6", "unreadable", "one number only"),
    ("5e-1", "unreadable", "in full"),
    ("half", "unreadable", "Type one number"),
    ("1/0", "unreadable", "0 below the line"),
    ("0.5 bananas", "unreadable", "not one this quiz can read"),
])
def test_unreadable_answers_say_how_to_write_them_and_do_not_count(text, status, message):
    result = DAILY.check(text)
    assert result.status == status and not result.counts
    assert message in result.message


def test_wrong_number_is_wrong():
    assert DAILY.check("0.25").status == "wrong"
    assert DAILY.check("1 mg/day").status == "wrong"


def test_tolerance_is_inclusive_and_in_the_question_unit():
    assert DAYS.check("4.75").correct and DAYS.check("5.25 days").correct
    assert not DAYS.check("5.3").correct
    assert DAYS.check("120 h").correct and DAYS.check("120 hours").correct  # time units convert
    assert DAYS.check("0.7 weeks").correct  # 4.9 days
    assert DAYS.check("5 mg/day").status == "wrong_unit"


def test_percent_questions_take_percent_and_hint_at_fractions():
    for text in ("25", "25%", "25 %", "25 percent", "25.4", "25 per cent"):
        assert PERCENT.check(text).correct, text
    hint = PERCENT.check("0.25")
    assert hint.status == "unreadable" and "percentage" in hint.message


def test_ratio_answers_accept_times_spellings():
    q = BANK.get("q05-clearance-halved")
    for text in ("2", "2x", "2 ×", "2 times", "2-fold", "2.0"):
        assert q.check(text).correct, text


@pytest.mark.parametrize("text, unit", [
    ("mg/day", "mg/day"), ("mg per day", "mg/day"), ("mg a day", "mg/day"), ("mg daily", "mg/day"),
    ("mg/24 h", "mg/day"), ("mg/kg/day", "mg/kg/day"), ("mg per kg per day", "mg/kg/day"),
    ("mg/kg a day", "mg/kg/day"), ("mg/kg", "mg/kg"), ("ng/ml", "ng/mL"), ("hours", "h"), ("d", "days"),
    ("weeks", "weeks"), ("percent", "%"), ("tabs", "tablets"), ("fold", "×"), ("mcg", None), ("per day", None),
    ("kg/day", None), ("", None),
])
def test_unit_normalisation(text, unit):
    assert quiz.normalise_unit(text) == unit


@given(st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False, allow_infinity=False),
       st.sampled_from(["", " mg/day", "mg/day", " mg per day", " mg a day"]),
       st.sampled_from(["{}", "{}0", "about {}"]))
def test_any_decimal_written_any_way_reads_back_as_the_same_number(number, unit, template):
    text = template.format(f"{number:f}") + unit
    value, read_unit = quiz.parse_answer(text)
    assert value == pytest.approx(float(number), abs=1e-12)
    assert (read_unit is None) == (unit == "")
    if unit:
        assert quiz.normalise_unit(read_unit) == "mg/day"


def test_choice_checks():
    single = BANK.get("q02-plasma-peak")
    assert single.check("Within 1 to 4 hours").correct
    assert single.check("Within 30 to 60 minutes").status == "wrong"
    assert single.check(None).status == "empty"
    multi = BANK.get("q06-risk-factors")
    assert multi.check(["A higher daily dose", "A longer duration of treatment"]).correct
    partial = multi.check(["A higher daily dose"])
    assert partial.status == "wrong" and partial.message == "You chose 1 of the 2 right options."
    extra = multi.check(["A higher daily dose", "Taking the dose with food"])
    assert extra.message == "You chose 1 of the 2 right options and 1 that is not right."
    assert multi.check([]).status == "empty"


# --------------------------------------------------------------------------------------------
# Every answer agrees with the library and the data
# --------------------------------------------------------------------------------------------
def _place_choice(total):
    return {"below_start": "Below the starting dose",
            "start_to_target": "Between the starting dose and the usual target",
            "target": "At the usual target", "above_target": "Above the usual target"}[dosing.place(total).category]


def _tablets_for_two_weeks():
    pieces = dosing.tablets_for(0.25).pieces
    assert pieces == ((0.5, 0.5),)  # half of the scored 0.5 mg tablet
    return sum(count for _, count in pieces) * 2 * 14


def _child_mg_per_kg():
    low, high = dosing.pediatric_range(25).maintenance_mg_per_day
    assert (low, high) == (2.5, 5.0) and low <= 3 <= high  # quoted in the explanation
    return 3 / 25


def _splittable():
    forms = data.table("dosage_forms")
    scored = forms[forms.scored]
    assert list(scored.form) == ["tablet"]
    return f"The {scored.strength_mg.iloc[0]:g} mg tablet"


def _lay_claims():
    claims = data.table("lay_claims").set_index("claim_id")
    by_choice = dict(zip(BANK.get("q01-lay-claims").choices, "dbcg"))
    assert claims.loc["d", "lay_claim"].startswith("Low 0.25-0.5 mg") and "4 mg" in claims.loc["g", "lay_claim"]
    return [c for c, cid in by_choice.items() if claims.loc[cid, "verdict"] == "disagrees"]


def _window(name, population="not_stated"):
    w = pk.effect_windows()
    return w[(w.window == name) & (w.population == population)].iloc[0]


def _plasma_peak():
    row = _window("plasma_peak")
    return f"Within {row.low_h:g} to {row.high_h:g} hours"


def _onset_source():
    assert _window("onset").source_id == "at_rivotril_smpc"
    return "European product information, for a single dose in epilepsy"


def _half_life_vs_effect():
    duration = _window("duration", "adult")
    t_half = pk.targets().set_index("target").loc["terminal_half_life"]
    assert duration.high_h < t_half.low  # 12 h < 30 h
    one = Regimen.single(1)
    left = pk.concentration(one, [duration.high_h])[0] / pk.summary(one).cmax_ng_ml
    assert left > 0.3
    return choice("q02-half-life-vs-effect", 0)


def _double_dose():
    one, two = pk.summary(Regimen.single(1)), pk.summary(Regimen.single(2))
    assert two.cmax_ng_ml / one.cmax_ng_ml == pytest.approx(2, rel=1e-9)
    assert two.tmax_h == pytest.approx(one.tmax_h, abs=1e-6)
    return "It about doubles, at about the same time"


def _half_life_slider():
    base = pk.Params.default()
    low, high = base.with_half_life(30), base.with_half_life(50)
    dose = Regimen.single(1)
    assert 1 < pk.summary(dose, high).cmax_ng_ml / pk.summary(dose, low).cmax_ng_ml < 1.05
    assert pk.concentration(dose, [72], high)[0] / pk.concentration(dose, [72], low)[0] > 1.5
    hl_low, hl_high = pk.published_range("terminal_half_life")
    assert hl_low <= 30 and 50 <= hl_high
    return "The peak barely changes, but much more is left on days 2 to 4"


def _absorption_slider():
    base = pk.Params.default()
    fast, usual = pk.summary(Regimen.single(1), base.with_absorption_half_life(0.25)), pk.summary(Regimen.single(1), base)
    assert fast.cmax_ng_ml > usual.cmax_ng_ml and fast.tmax_h < usual.tmax_h
    assert base.absorption_half_life_h * 60 == pytest.approx(44, abs=0.5)
    return "Higher and earlier"


def _first_increase():
    params = pk.Params.default().with_half_life(38)
    reg = Regimen.every(0.5, 12, days=4)
    before = 72 - 1e-6
    fraction = pk.concentration(reg, [before], params)[0] / pk.steady_state(reg, [12 - 1e-6], params)[0]
    assert 0.6 < fraction < 0.85
    assert 1 - 0.5 ** (72 / 38) == pytest.approx(0.73, abs=0.01)
    return choice("q03-first-increase", 0)


def _accumulation_twice_daily():
    band = pk.targets().set_index("target").loc["accumulation_ratio_twice_daily"]
    assert abs(ss("bid_0_5mg").accumulation_ratio - 5) < 0.5
    return (band.low + band.high) / 2


def _which_fluctuates_more():
    labels = regimens.examples()["label"]
    ids = ["bedtime_1mg", "bid_0_5mg", "qid_0_25mg"]
    worst = max(ids, key=lambda rid: ss(rid).fluctuation_ss)
    assert 1.7 < ss("bedtime_1mg").fluctuation_ss / ss("bid_0_5mg").fluctuation_ss < 2.5  # "about twice"
    return labels[worst]


def _same_average():
    values = [ss(rid).cavg_ss_ng_ml for rid in ("bedtime_1mg", "bid_0_5mg", "qid_0_25mg")]
    assert max(values) - min(values) < 1e-9
    return choice("q03-same-average", 0)


def _missed_dose():
    reg = regimens.example("bid_0_5mg", days=10)
    index = int(np.searchsorted(reg.times_h, 4 * 24.0))  # first dose on day 5, as the panel does it
    t = np.linspace(0, 240, 4801)
    after = t > 96
    usual = pk.concentration(reg, t)[after].min()
    skipped = pk.concentration(reg.skip(index), t)
    assert 0.5 * usual < skipped[after].min() < usual
    assert abs(skipped[-1] - pk.concentration(reg, t)[-1]) / usual < 0.15  # recovered by day 10
    return choice("q03-missed-dose", 0)


def _accumulation_bedtime():
    assert round(ss("bid_0_5mg").accumulation_ratio, 1) == pytest.approx(4.7)  # quoted in the explanation
    return round(ss("bedtime_1mg").accumulation_ratio, 1)


def _trial_finding():
    trial = data.table("fixed_dose_trial").set_index("finding_id")
    arms = trial[trial.aspect == "arm"]
    assert sorted(arms.dose_low_mg_per_day[arms.dose_low_mg_per_day > 0]) == [0.5, 1, 2, 3, 4]
    plateau, adverse = trial.loc["efficacy_plateau"], trial.loc["adverse_dose_related"]
    assert (plateau.dose_low_mg_per_day, plateau.dose_high_mg_per_day) == (1, 4) and "no benefit" in plateau.statement
    assert adverse.dose_low_mg_per_day > 1 and "somnolence" in adverse.statement.lower()
    assert "less effective than 1 mg/day" in trial.loc["label_higher_doses", "statement"]
    assert "1 to 2 mg/day" in trial.loc["conclusion_authors", "statement"]
    return "No extra benefit, and more adverse effects"


def _cavg_ratio(total_a, total_b, preset_a="typical_adult", preset_b="typical_adult"):
    a = pk.summary(Regimen.every(total_a, 24), pk.Params.preset(preset_a)).cavg_ss_ng_ml
    b = pk.summary(Regimen.every(total_b, 24), pk.Params.preset(preset_b)).cavg_ss_ng_ml
    return a / b


def _max_over_start():
    lm = dosing.landmarks("panic_disorder", "adult")
    return lm.loc["maximum", "high"] / lm.loc["initial", "high"]


def _compare_curves():
    one, two = Regimen.every(1, 24, days=10), Regimen.every(2, 24, days=10)
    t = np.linspace(0, 240, 500)
    np.testing.assert_allclose(pk.concentration(two, t), 2 * pk.concentration(one, t), rtol=1e-9)
    s1, s2 = pk.summary(one), pk.summary(two)
    assert s1.time_to_90pct_steady_state_h == pytest.approx(s2.time_to_90pct_steady_state_h, rel=1e-6)
    assert s1.fluctuation_ss == pytest.approx(s2.fluctuation_ss, rel=1e-9)
    return list(BANK.get("q04-compare-curves").choices[:2])


def _order_above_maximum():
    assert dosing.place(dosing.daily_total(2.5, 2)).category == "above_maximum"
    return choice("q04-order-above-maximum", 0)


def _older_preset():
    typical, older = ss("bedtime_1mg"), ss("bedtime_1mg", "older_adult")
    assert older.cavg_ss_ng_ml > typical.cavg_ss_ng_ml and older.trough_ss_ng_ml > typical.trough_ss_ng_ml
    assert older.time_to_90pct_steady_state_h > typical.time_to_90pct_steady_state_h
    return "Higher, and steady state takes longer to reach"



def _clearance_quarter():
    presets = data.table("pk_parameters").set_index(["preset", "parameter"])["value"]
    assert 1 - presets["older_adult", "cl_l_per_h"] / presets["typical_adult", "cl_l_per_h"] == pytest.approx(0.25, abs=0.01)
    assert 1 / 0.75 == pytest.approx(1.33, abs=0.01)
    return _cavg_ratio(1, 1, "older_adult", "typical_adult")


def _phenytoin():
    assert "46 to 58%" in data.sources().loc["khoo1980", "note"]
    induced, typical = pk.Params.preset("induced_clearance"), pk.Params.default()
    assert induced.terminal_half_life_h < typical.terminal_half_life_h
    assert _cavg_ratio(1, 1, "induced_clearance") < 1
    return "Lower clonazepam levels and a shorter half-life"


def _uk_elderly_start():
    match = re.search(r"elderly initial dose not above ([\d.]+) mg/day", data.sources().loc["uk_clonazepam_smpc", "note"])
    return float(match.group(1))


def _label_rule():
    return taper.rules().loc["label_panic"]


def _guideline_pace():
    r = taper.rules().loc["joint_guideline_2025"]
    return (f"Cut {r.percent_min:g} to {r.percent_max:g}% of the dose every "
            f"{r.interval_days_min // 7} to {r.interval_days_max // 7} weeks")


def _ten_percent_target():
    r = taper.rules().loc["joint_guideline_2025"]
    assert r.percent_default == 10
    return round(2 * (1 - r.percent_default / 100), 9)


def _makeable_step():
    s = taper.schedule(2, "joint_guideline_2025", percent=10, interval_days=14)
    step = s.iloc[1]
    assert bool(step.larger_than_rule)
    return f"{step.daily_total_mg:g} mg/day, the nearest makeable dose below: a {step.cut_percent:g}% cut"


def _rules_compared():
    c = taper.compare(3)  # a start the notebook does not show, so the planner answers it
    label, guideline = c.loc["label_panic"], c.loc["joint_guideline_2025"]
    assert guideline.steps == label.steps == 12
    assert guideline.largest_pace_before_stop <= 25  # the average pace fits ...
    assert guideline.largest_step_percent_before_stop == 50  # ... a single step does not
    assert taper.compare(3, form="odt").loc["joint_guideline_2025", "duration_days"] > guideline.duration_days
    assert (label.duration_days, guideline.duration_days) == (36, 189)  # the days the explanation gives
    return (f"Label about {round(label.duration_days / 7)} weeks, averaged guideline pace "
            f"about {round(guideline.duration_days / 7)} weeks")


def _single_cuts_above_cap():
    """q07-final-stop: the single cuts before the stop above 25% in the averaged schedule from 3 mg/day."""
    df = taper.schedule(3, "joint_guideline_2025")
    before = df.iloc[1:-1]
    above = before[before.cut_percent > 25]
    assert df.daily_total_mg.loc[above.index - 1].tolist() == [0.75, 0.5]
    assert above.cut_percent.round().tolist() == [33, 50]
    assert (taper.pace(df).iloc[1:-1] <= 25).all()  # each waits long enough for the average pace
    return (f"The cuts from {df.daily_total_mg.loc[above.index[0] - 1]:g} and from {df.daily_total_mg.loc[above.index[1] - 1]:g}"
            f" mg/day ({above.cut_percent.iloc[0]:.0f}% and {above.cut_percent.iloc[1]:.0f}%), each after a longer hold")


def _diazepam_range():
    """q07-diazepam-range: the tables' range from 2 mg/day, and what the lower end is by the other table."""
    eq = taper.diazepam_equivalent(2)
    assert (eq["low_mg"], eq["high_mg"]) == (20, 40)
    flags = " | ".join(taper.schedule(2, "joint_guideline_2025", switch="diazepam").attrs["flags"])
    assert f"that is a {eq['cut_by_high_percent']:g}% cut" in flags and "Too little diazepam risks withdrawal" in flags
    return (f"It is a range: {eq['low_mg']:g} mg/day is a {eq['cut_by_high_percent']:g}% cut by the other table, "
            f"{eq['high_mg']:g} mg/day double by the first, and too little risks withdrawal, too much sedation")


def _equivalent_choice(question_id, predicate):
    options = [c for c in BANK.get(question_id).choices if predicate(c.lower())]
    assert len(options) == 1
    return options[0]


def _range_1mg():
    e = compare.equivalent("clonazepam", 1)
    assert not e.tables_agree
    return f"{e.low_mg:g} to {e.high_mg:g} mg: the tables disagree"


def _tables_agree():
    table = compare.equivalence_table().set_index("drug")
    return _equivalent_choice("q09-tables-agree", lambda drug: bool(table.loc[drug, "tables_agree"]))


def _shortest_half_life():
    hl = compare.half_lives().set_index("drug")
    names = [c.lower() for c in BANK.get("q09-shortest-half-life").choices]
    shortest = min(names, key=lambda d: (hl.loc[d, "half_life_high_h"], hl.loc[d, "half_life_low_h"]))
    assert all(hl.loc[shortest, "half_life_low_h"] <= hl.loc[d, "half_life_low_h"] for d in names)
    return shortest.capitalize()









def _anticonvulsant_tolerance():
    facts = data.table("dependence_facts").set_index("fact_id")
    assert facts.loc["anticonvulsant_tolerance", "numbers"].startswith("up to 30%")
    return 30


def _high_dose_threshold():
    facts = data.table("dependence_facts").set_index("fact_id")
    assert "more than 1.5 mg" in facts.loc["dose_bands", "statement"]
    both = compare.equivalent("diazepam", 15, to="clonazepam").per_table
    assert both["ashton_2002"] == 0.75  # the explanation's contrast
    return both["va_dod_2021"]


def _orders_true_false():
    """matrix: the statements that are true, from dosing.place on each daily total."""
    claims = {"the label's starting daily total": {"start"}, "the usual target dose": {"target"},
              "above the labelled maximum": {"above_maximum"}}
    true = []
    for statement in BANK.get("q01-orders-true-false").choices:
        dose = float(statement.split(" mg")[0])
        claim = next(v for k, v in claims.items() if statement.endswith(k))
        if dosing.place(dosing.daily_total(dose, 2)).category in claim:
            true.append(statement)
    return true


RECOMPUTE = {
    "q01-panic-maximum": lambda: f"{dosing.landmarks().loc['maximum', 'high']:g} mg/day",
    "q01-starting-daily-total": lambda: dosing.daily_total(0.25, 2),
    "q01-each-dose": lambda: dosing.per_dose(1.5, 3),
    "q01-tablets-for-two-weeks": _tablets_for_two_weeks,
    "q01-child-initial-maximum": lambda: dosing.pediatric_range(18).initial_max_mg_per_day,
    "q01-child-mg-per-kg": _child_mg_per_kg,
    "q01-which-can-be-split": _splittable,
    "q01-explorer-0-75": lambda: _place_choice(0.75),
    "q01-lay-claims": _lay_claims,
    "q01-orders-true-false": lambda: _orders_true_false(),
    "q02-plasma-peak": _plasma_peak,
    "q02-onset-source": _onset_source,
    "q02-half-life-vs-effect": _half_life_vs_effect,
    "q02-double-dose": _double_dose,
    "q02-half-life-slider": _half_life_slider,
    "q02-absorption-slider": _absorption_slider,
    "q02-three-half-lives": lambda: 100 * 0.5 ** 3,
    "q02-time-to-quarter": lambda: 2 * 40,
    "q03-steady-state-days": lambda: np.log2(10) * 36 / 24,
    "q03-first-increase": _first_increase,
    "q03-accumulation-twice-daily": _accumulation_twice_daily,
    "q03-which-fluctuates-more": _which_fluctuates_more,
    "q03-same-average": _same_average,
    "q03-missed-dose": _missed_dose,
    "q03-accumulation-bedtime": _accumulation_bedtime,
    "q04-trial-finding": _trial_finding,
    "q04-three-times-dose": lambda: _cavg_ratio(3, 1),
    "q04-max-over-start": _max_over_start,
    "q04-compare-curves": _compare_curves,
    "q04-order-above-maximum": _order_above_maximum,
    "q05-older-preset": _older_preset,
    "q05-clearance-halved": lambda: _cavg_ratio(1, 1, "reduced_clearance"),
    "q05-clearance-quarter": _clearance_quarter,
    "q05-phenytoin": _phenytoin,
    "q05-uk-elderly-start": _uk_elderly_start,
    "q06-anticonvulsant-tolerance": _anticonvulsant_tolerance,
    "q06-high-dose-threshold": _high_dose_threshold,
    "q07-label-step-daily": lambda: _label_rule().step_mg_per_dose * _label_rule().doses_per_day,
    "q07-label-days-from-1mg": lambda: taper.schedule(1).attrs["duration_days"],
    "q07-first-step-percent": lambda: taper.schedule(1).attrs["first_step_percent"],
    "q07-guideline-pace": _guideline_pace,
    "q07-ten-percent-target": _ten_percent_target,
    "q07-makeable-step": _makeable_step,
    "q07-rules-compared": _rules_compared,
    "q07-final-stop": _single_cuts_above_cap,
    "q07-diazepam-range": _diazepam_range,
    "q07-pace-fifty-percent": lambda: taper.pace(taper.schedule(1, "joint_guideline_2025")).iloc[3],
    "q09-ashton-clonazepam": lambda: compare.equivalent("clonazepam", 0.5).per_table["ashton_2002"],
    "q09-range-1mg": _range_1mg,
    "q09-daily-equivalent": lambda: compare.equivalent("clonazepam", dosing.daily_total(0.5, 2)).per_table["va_dod_2021"],
    "q09-tid-range": lambda: (lambda e: f"{e.low_mg:g} to {e.high_mg:g} mg")(
        compare.equivalent("clonazepam", dosing.daily_total(0.5, 3))),
    "q09-lorazepam-daily": lambda: (lambda e: f"{e.low_mg:g} mg by both tables" if e.tables_agree else None)(
        compare.equivalent("clonazepam", dosing.daily_total(0.5, 2), "lorazepam")),
    "q09-tables-agree": _tables_agree,
    "q09-shortest-half-life": _shortest_half_life,
    "q08-order-above-maximum": lambda: dosing.daily_total(2.5, 2) - dosing.landmarks().loc["maximum", "high"],
    "q10-sam-mg-per-kg": lambda: dosing.daily_total(0.5, 3) / 20,
}


def test_every_calculation_and_numeric_answer_is_recomputed():
    missing = [q.question_id for q in BANK if (q.kind == "numeric" or q.skill == "calculation")
               and q.question_id not in RECOMPUTE]
    assert not missing, f"add a recomputation for {missing}"
    assert set(RECOMPUTE) <= set(BANK.ids)


@pytest.mark.parametrize("question_id", sorted(RECOMPUTE))
def test_answer_agrees_with_the_library(question_id):
    q = BANK.get(question_id)
    expected = RECOMPUTE[question_id]()
    if q.kind == "numeric":
        assert abs(float(expected) - q.value) <= q.tolerance + 1e-9, f"{question_id}: library gives {expected}"
    elif q.kind == "single":
        assert expected == q.answers[0]
    else:
        assert set(expected) == set(q.answers)


# --------------------------------------------------------------------------------------------
# The question widget
# --------------------------------------------------------------------------------------------
def test_single_choice_widget_wrong_then_right():
    w = quiz.question("q02-plasma-peak")
    q = w.question
    assert isinstance(w.control, __import__("ipywidgets").RadioButtons)
    assert list(w.control.options) == list(q.options()) and w.control.value is None
    assert w.show_button.disabled, "Show answer is only offered after an attempt"
    w.check_button.click()  # nothing chosen: a nudge, not an attempt
    assert "Choose an answer first" in w.feedback.value and w.attempts == 0 and w.show_button.disabled

    w.control.value = "Within 30 to 60 minutes"
    w.check_button.click()
    text = html.unescape(w.feedback.value)
    assert "Not quite" in text and "Right" not in text
    # the reason for this choice, not the full explanation (that would make the next try copying)
    assert q.feedback_for("Within 30 to 60 minutes") in text
    assert q.explanation not in text and q.citation not in text
    assert w.attempts == 1 and not w.solved and not w.show_button.disabled

    w.control.value = "Within 1 to 4 hours"
    w.check_button.click()
    assert "✔ Right." in html.unescape(w.feedback.value) and q.explanation in html.unescape(w.feedback.value)
    assert w.solved and w.solved_at == 2 and w.attempts == 2


def test_show_answer_reveals_answer_explanation_and_source():
    w = quiz.question("q02-plasma-peak")
    w.show_button.click()  # disabled: does nothing before an attempt
    assert w.feedback.value == "" and not w.revealed
    w.respond("After 8 to 12 hours")
    w.check_button.click()
    w.show_button.click()
    text = html.unescape(w.feedback.value)
    assert "Answer: Within 1 to 4 hours" in text and w.question.explanation in text and w.question.citation in text
    assert w.revealed and not w.solved
    w.respond("Within 1 to 4 hours")
    w.check_button.click()  # right, but after the answer was shown: not counted
    assert "does not count" in html.unescape(w.feedback.value) and not w.solved


def test_multiple_choice_widget_uses_checkboxes():
    w = quiz.question("q06-risk-factors")
    assert [b.description for b in w.boxes] == list(w.question.options())
    w.respond(["A higher daily dose"])
    w.check_button.click()
    assert "You chose 1 of the 2 right options." in html.unescape(w.feedback.value)
    w.respond(["A higher daily dose", "A longer duration of treatment"])
    w.check_button.click()
    assert "✔ Right." in html.unescape(w.feedback.value) and w.solved
    with pytest.raises(ValueError, match="not a choice"):
        w.respond(["Being tall"])


def test_numeric_widget_checks_on_enter_and_explains_a_wrong_unit():
    w = quiz.question("q01-starting-daily-total")
    assert w.control.placeholder == "a number, in mg/day"
    w.control.value = "0.5 mg/kg"
    w.control._handle_custom_msg({"event": "submit"}, [])  # what the browser sends on Enter
    text = html.unescape(w.feedback.value)
    assert "Not quite. Check the unit: the question asks for mg/day" in text and w.attempts == 1
    w.control.value = "0,5"
    w.check_button.click()
    assert "decimal point" in w.feedback.value and w.attempts == 1  # unreadable: not an attempt
    w.control.value = ".5"
    w.control._handle_custom_msg({"event": "submit"}, [])
    assert "✔ Right." in html.unescape(w.feedback.value) and w.solved


def _fallback(widget):
    bundle = widget._repr_mimebundle_()
    return bundle["text/plain"], bundle["text/html"], bundle


@pytest.mark.parametrize("question_id", ["q02-plasma-peak", "q06-risk-factors", "q01-starting-daily-total"])
def test_static_fallback_shows_prompt_and_choices_but_not_the_answer(question_id):
    w = quiz.question(question_id)
    q = w.question
    plain, rich, bundle = _fallback(w)
    assert "application/vnd.jupyter.widget-view+json" in bundle
    for text in (plain, html.unescape(rich)):
        assert q.prompt in text
        for c in q.choices:
            assert c in text
        assert q.explanation not in text and "correct" not in text.lower() and "✔" not in text
        assert "Run the notebook" in text
    if q.kind == "numeric":
        assert q.answer_text not in plain and q.unit in plain
    # The fallback cannot depend on the answer: another answer gives the very same text.
    other = dataclasses.replace(q, answers=tuple(reversed(q.choices))[:1], value=(q.value or 0) + 1)
    assert _fallback(quiz.QuestionWidget(other))[:2] == (plain, rich)


def test_static_fallback_is_escaped():
    q = dataclasses.replace(BANK.get("q02-plasma-peak"), prompt="Is <b>this</b> & that?",
                            choices=("<script>x</script>", "b"), answers=("b",))
    _, rich, _ = _fallback(quiz.QuestionWidget(q))
    assert "<script>" not in rich and "&lt;script&gt;" in rich and "Is &lt;b&gt;this&lt;/b&gt; &amp; that?" in rich


def test_reset_clears_the_widget():
    w = quiz.question("q01-each-dose")
    w.respond("0.5")
    w.check_button.click()
    w.show_button.click()
    w.reset()
    assert (w.control.value, w.feedback.value, w.attempts, w.solved, w.revealed) == ("", "", 0, False, False)
    assert w.show_button.disabled


# --------------------------------------------------------------------------------------------
# Placing questions: ask(), question(), self_check()
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("nb", quiz.CONTENT_NOTEBOOKS)
def test_ask_places_a_notebooks_questions_in_file_order(nb):
    quiz_ = quiz.ask(notebook=nb)
    assert quiz_.ids == [q.question_id for q in BANK.for_notebook(nb)]
    assert [w.label for w in quiz_] == [f"Question {i} of {len(quiz_)}" for i in range(1, len(quiz_) + 1)]


def test_ask_by_ids_keeps_the_order_given_and_accepts_notebook_numbers():
    assert quiz.ask("q03-missed-dose", "q03-same-average").ids == ["q03-missed-dose", "q03-same-average"]
    assert quiz.ask(notebook=2).ids == quiz.ask(notebook="2").ids == quiz.ask(notebook="02").ids
    single = quiz.ask("q02-plasma-peak")
    assert len(single) == 1 and single[0].label == "Question"
    assert quiz.question("q02-plasma-peak").question is BANK.get("q02-plasma-peak")


def test_ask_shuffles_deterministically():
    a = quiz.ask(notebook="07", shuffle=True, seed=3).ids
    assert a == quiz.ask(notebook="07", shuffle=True, seed=3).ids
    assert sorted(a) == sorted(quiz.ask(notebook="07").ids)
    assert any(quiz.ask(notebook="07", shuffle=True, seed=s).ids != a for s in range(1, 5))


@pytest.mark.parametrize("call, message", [
    (lambda: quiz.ask(), "needs question ids"),
    (lambda: quiz.ask("q02-plasma-peak", notebook="02"), "not both"),
    (lambda: quiz.ask("q02-plasma-peek"), "did you mean q02-plasma-peak"),
    (lambda: quiz.ask("02"), r"use ask\(notebook='02'\)"),
    (lambda: quiz.ask(notebook="11"), "unknown notebook '11'"),
    (lambda: quiz.ask("q02-plasma-peak", "q02-plasma-peak"), "twice"),
    (lambda: quiz.question(2), "must be a string"),
    (lambda: quiz.self_check(per_notebook=0), "at least 1"),
    (lambda: quiz.self_check(per_notebook=50), "questions without a panel"),
])
def test_placing_errors_are_clear(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_self_check_is_seeded_mixed_and_panel_free():
    a = quiz.self_check(per_notebook=2, seed=8)
    assert a.ids == quiz.self_check(per_notebook=2, seed=8).ids
    assert a.ids != quiz.self_check(per_notebook=2, seed=9).ids
    notebooks = [w.question.notebook for w in a]
    assert sorted(notebooks) == sorted(list(quiz.CONTENT_NOTEBOOKS) * 2)
    assert notebooks != sorted(notebooks), "mixed, not grouped by notebook"
    assert all(not w.question.panel for w in a)
    assert isinstance(a.summary, quiz.ScoreSummary) and a.summary in a.children
    assert "from notebook" in a[0].header.value


def test_quiz_static_fallback_lists_every_question():
    q = quiz.ask(notebook="04")
    plain, rich, _ = _fallback(q)
    for w in q:
        assert w.question.prompt in plain and html.escape(w.question.prompt) in rich
        assert w.question.explanation not in plain


# --------------------------------------------------------------------------------------------
# The score summary
# --------------------------------------------------------------------------------------------
def test_score_summary_counts_and_suggests_what_to_revisit():
    score = quiz.ScoreSummary()
    first = quiz.ask("q01-each-dose", "q03-same-average", score=score)
    second = quiz.ask("q07-label-step-daily", score=score)
    assert score.totals == {"questions": 3, "answered": 0, "right": 0, "first_try": 0, "shown": 0}
    assert score not in first.children  # an outside summary is shown where the notebook puts it

    first[0].respond("0.5")
    first[0].check_button.click()  # right at the first try
    first[1].respond("Highest for four times daily, because the drug is topped up more often")
    first[1].check_button.click()
    first[1].show_button.click()  # wrong, then shown
    second[0].respond("0.125")
    second[0].check_button.click()
    second[0].respond("0.25 mg/day")
    second[0].check_button.click()  # right at the second try
    assert score.totals == {"questions": 3, "answered": 3, "right": 2, "first_try": 1, "shown": 1}
    assert score.by_notebook() == {"01": (1, 1, 1), "03": (1, 1, 0), "07": (1, 1, 0)}  # right at the first try
    assert score.revisit() == ["03"]
    text = html.unescape(score.table.value)
    assert "1 of 3 right at the first try · answered 3 · right in the end 2 · answers shown 1" in text
    assert "Worth revisiting: 03 · Single vs divided dosing" in text

    score.reset_button.click()
    assert score.totals == {"questions": 3, "answered": 0, "right": 0, "first_try": 0, "shown": 0}
    assert first[0].control.value == "" and first[1].control.value is None


def test_missed_case_questions_do_not_suggest_revisiting_the_cases_notebook():
    score = quiz.ScoreSummary()
    w = quiz.question("q10-sam-mg-per-kg", score=score)
    w.respond("1.5")  # the daily total in mg, not mg/kg/day
    w.check_button.click()
    assert score.totals["answered"] == 1 and score.totals["right"] == 0
    assert score.revisit() == [] and "Worth revisiting" not in score.table.value


def test_score_summary_tracks_each_question_once_and_has_a_static_text():
    score = quiz.ScoreSummary()
    w = quiz.question("q01-each-dose", score=score)
    score.track(w)
    assert score.totals["questions"] == 1
    plain, _, _ = _fallback(score)
    assert "run the notebook" in plain and "Nothing is recorded, saved or sent" in plain
    with pytest.raises(ValueError, match="tracks question widgets"):
        score.track("q01-each-dose")


# --------------------------------------------------------------------------------------------
# The instructor answer key
# --------------------------------------------------------------------------------------------
class _Checker(HTMLParser):
    """Collects tags and checks that every non-void element is closed in order."""

    VOID = frozenset({"meta", "br", "hr", "img", "link", "input"})

    def __init__(self):
        super().__init__()
        self.stack, self.problems, self.tags, self.ids = [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.ids += [v for k, v in attrs if k == "id"]
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(tag)


def test_answer_key_lists_every_question_with_answer_explanation_and_source():
    page = quiz.answer_key_html()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    checker = _Checker()
    checker.feed(page)
    assert not checker.problems and not checker.stack, "every element is closed, in order"
    assert {"html", "head", "title", "body", "h1", "h2", "section"} <= set(checker.tags)
    assert set(BANK.ids) <= set(checker.ids), "every question appears, as an anchor"
    text = html.unescape(page)
    for q in BANK:
        assert q.prompt in text and q.explanation in text and q.citation in text
        if q.kind == "numeric":
            assert f"Answer: {q.answer_text}" in text
        elif q.kind in ("single", "multiple"):
            for a in q.answers:
                assert f'<span class="mark">✔</span>{html.escape(a)} (correct)' in page
    for nb in BANK.notebooks:
        assert f'<h2>{nb} · {html.escape(quiz.NOTEBOOK_TITLES[nb])}</h2>' in page
    assert text.index("01 · Where a dose falls") < text.index("09 · Alternatives")


def test_answer_key_escapes_text_and_can_be_limited_to_notebooks():
    q = dataclasses.replace(BANK.get("q02-plasma-peak"), explanation="<script>alert(1)</script> & more")
    page = quiz.answer_key_html(quiz.Bank([q]))
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
    only = quiz.answer_key_html(notebooks=["03"])
    assert all(qid in only for qid in quiz.ask(notebook="03").ids)
    assert "q02-plasma-peak" not in only
