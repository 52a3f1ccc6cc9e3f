"""Comparing doses and who needs less (clonaedu.populations): the trial table, the population
and interaction statements, their presets, and dose-set validation."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clonaedu import data, pk, populations
from clonaedu.populations import MAX_DOSES, MIN_DOSES


# -- the fixed-dose trial ------------------------------------------------------------------------
def test_doses_studied_are_the_trials_five_fixed_doses():
    assert populations.doses_studied() == (0.5, 1.0, 2.0, 3.0, 4.0)
    arms = populations.trial().query("aspect == 'arm'")
    assert sorted(arms.dose_low_mg_per_day) == [0.0, 0.5, 1.0, 2.0, 3.0, 4.0]  # placebo is 0
    assert (arms.dose_low_mg_per_day == arms.dose_high_mg_per_day).all()


def test_trial_rows_cite_the_trial_or_the_label_and_say_how_they_were_read():
    table = populations.trial(include_unverified=True)
    assert set(table.source_id) <= {"rosenbaum1997", "fda_klonopin_2023"}
    assert (table.verification.str.len() > 20).all()
    label_rows = table[table.source_id == "fda_klonopin_2023"]
    assert (label_rows.see_also.map(lambda ids: "rosenbaum1997" in ids)).all()
    design = table.set_index("finding_id").loc["design_trial", "statement"]
    assert "413 patients" in design and "placebo" in design


def test_the_findings_follow_the_label_and_the_abstract():
    assert populations.benefit_plateau_mg_per_day() == (1.0, 4.0)
    assert populations.adverse_rise_mg_per_day() == (3.0, 4.0)
    one = set(populations.trial_findings(1.0).finding_id)
    assert {"efficacy_minimum", "efficacy_plateau", "label_optimal"} <= one
    assert "label_higher_doses" not in one
    for dose in (2.0, 3.0, 4.0):
        ids = set(populations.trial_findings(dose).finding_id)
        assert {"efficacy_plateau", "label_higher_doses"} <= ids
    assert "adverse_dose_related" in set(populations.trial_findings(3).finding_id)
    assert "adverse_dose_related" not in set(populations.trial_findings(2).finding_id)
    assert set(populations.trial_findings(0.5).finding_id) >= {"efficacy_low_dose"}


def test_unverified_trial_rows_are_left_out_unless_asked_for():
    verified = set(populations.trial().finding_id)
    everything = set(populations.trial(include_unverified=True).finding_id)
    assert everything - verified == {"label_clinical_trials"}
    assert "label_clinical_trials" not in set(populations.trial_findings(1).finding_id)
    assert "label_clinical_trials" in set(populations.trial_findings(1, include_unverified=True).finding_id)


@pytest.mark.parametrize("dose, expected", [
    (0.25, "not studied (the lowest dose was 0.5 mg/day)"),
    (0.75, "not studied (between the 0.5 and 1 mg/day groups)"),
    (1.5, "not studied (between the 1 and 2 mg/day groups)"),
    (5, "not studied (the trial stopped at 4 mg/day)"),
    (0.5, "not shown to be effective"),
])
def test_trial_summary_never_extends_a_finding_to_a_dose_nobody_took(dose, expected):
    assert populations.trial_summary(dose) == expected
    if "not studied" in expected:
        assert populations.trial_findings(dose).empty


def test_trial_summary_at_3_mg_names_the_plateau_and_the_adverse_effects():
    text = populations.trial_summary(3)
    assert "1 to 4 mg/day equally effective" in text
    assert "more somnolence and ataxia" in text
    assert "label: less effective than 1 mg/day" in text


@pytest.mark.parametrize("bad, message", [(0, "greater than 0"), (-1, "greater than 0"), (math.nan, "finite"),
                                          (math.inf, "finite"), ("1", "must be a number"), (1000, "not a plausible")])
def test_trial_findings_reject_bad_doses(bad, message):
    with pytest.raises(ValueError, match=f"dose_mg_per_day.*{message}|{message}.*dose_mg_per_day"):
        populations.trial_findings(bad)


# -- populations and interactions ------------------------------------------------------------------
def test_every_factor_has_a_verified_statement_with_a_known_source():
    known = set(data.sources().index)
    for f in populations.factors():
        rows = populations.statements(f.factor_id)
        assert len(rows) >= 1, f.factor_id
        assert set(rows.source_id) <= known
        assert rows.status.isin(populations.COURSE_STATUSES).all()
        assert f.source_id in f.source_ids


def test_every_statement_says_which_text_it_was_checked_against():
    rows = data.table("population_statements")
    texts = ("DailyMed", "SrLC", "label", "reproduction", "abstract", "summar", "memory", "fact sheet", "copy", "SmPC", "index")
    for row in rows.itertuples():
        assert any(t in row.verification for t in texts), row.statement_id
    # a row read only in a reproduction or a summary is not called plainly verified
    plain = rows[rows.status == "verified"]
    assert not plain.verification.str.contains("not re-read|only in|from memory", regex=True).any()


def test_statements_carry_what_each_source_says():
    older = populations.statements("older_adults").set_index("statement_id")
    beers = older.loc["beers_avoid"]
    assert beers.says.startswith("Avoid")
    assert "moderate" in beers.statement and "strong" in beers.statement
    assert "secondary" in beers.verification and "10.1111/jgs.18372" in beers.verification
    liver = populations.statements("liver_disease").set_index("statement_id")
    assert liver.loc["contraindication", "says"] == "Contraindicated"
    assert populations.statements("renal_impairment").set_index("statement_id").loc["renal_caution", "says"] == "Caution"
    assert populations.statements("opioids").says.tolist() == ["Boxed warning", "Avoid the combination"]
    phenytoin = populations.statements("phenytoin").set_index("statement_id")
    assert "46 to 58%" in phenytoin.loc["khoo_phenytoin", "statement"]
    others = populations.statements("enzyme_inducers").set_index("statement_id")
    assert "19 to 37%" in others.loc["lai_carbamazepine", "statement"]
    assert "lamotrigine" in others.loc["label_inducers", "statement"] and "lower" in others.loc["label_inducers", "statement"]
    assert "azole antifungals" in populations.statements("cyp3a_inhibitors").set_index("statement_id").loc[
        "label_caution", "statement"]
    assert "absence status" in populations.statements("valproate").statement[0]
    assert "three or more CNS-active" in populations.statements("three_cns_drugs").statement[0]


def test_beers_rows_once_from_memory_are_now_checked_and_shown():
    rows = data.table("population_statements").set_index("statement_id")
    assert not (rows.status == "unverified").any()
    for sid in ("beers_opioid", "beers_exceptions"):  # read in a formulary copy of Beers 2023 Tables 5 and 2
        assert rows.loc[sid, "status"] == "verified_secondary" and "formulary" in rows.loc[sid, "verification"]
    assert "seizure disorders" in rows.loc["beers_exceptions", "statement"]
    assert "overdose" in rows.loc["beers_opioid", "statement"]
    assert "beers_exceptions" in set(populations.statements("older_adults").statement_id)


def test_the_2023_label_changes_and_the_beers_framing_are_stated():
    preg = populations.statements("pregnancy").set_index("statement_id")
    assert preg.loc["label_neonatal", "source_id"] == "fda_klonopin_2023"
    assert "SrLC" in preg.loc["label_neonatal", "verification"]
    assert "monitored for sedation" in preg.loc["label_neonatal", "statement"]
    assert "NAAED" in preg.loc["label_counsel_pregnancy", "statement"]
    assert "poor weight gain" in populations.statements("lactation").set_index("statement_id").loc[
        "label_monitor_infant", "statement"]
    older = populations.statements("older_adults").set_index("statement_id")
    assert "shared clinical decision-making" in older.loc["beers_scope", "statement"]
    assert "kidneys" in older.loc["label_liver_kidney_reason", "statement"]


@pytest.mark.parametrize("name, factor_id", [
    ("older_adults", "older_adults"), ("Elderly", "older_adults"), ("  older adults (65 and over) ", "older_adults"),
    ("PHENYTOIN", "phenytoin"), ("carbamazepine", "enzyme_inducers"), ("lamotrigine", "enzyme_inducers"),
    ("fluconazole", "cyp3a_inhibitors"), ("valproic acid", "valproate"), ("alcohol", "cns_depressants"),
    ("hepatic impairment", "liver_disease"), ("breast-feeding", "lactation"), ("opioid", "opioids"),
])
def test_factor_lookup_by_id_label_or_alias(name, factor_id):
    assert populations.factor(name).factor_id == factor_id


@pytest.mark.parametrize("bad", ["warfarin", "grapefruit", "", "   ", None, 3, ["opioids"]])
def test_unknown_or_malformed_names_raise(bad):
    with pytest.raises(ValueError, match="unknown population or medicine|must be a population or medicine name"):
        populations.factor(bad)
    with pytest.raises(ValueError):
        populations.statements(bad)
    with pytest.raises(ValueError):
        populations.params_for(bad)
    with pytest.raises(ValueError):
        populations.compare_with_typical(bad)


def test_unknown_name_message_lists_the_known_ones():
    with pytest.raises(ValueError, match="known: older_adults, liver_disease"):
        populations.factor("warfarin")


def test_factors_by_kind():
    assert {f.kind for f in populations.factors("population")} == {"population"}
    assert "enzyme_inducers" in [f.factor_id for f in populations.factors("medicine")]
    assert len(populations.factors()) == len(data.table("populations"))
    with pytest.raises(ValueError, match="kind must be"):
        populations.factors("drug")


EXPECTED_PRESETS = {
    "older_adults": ("older_adult", "lower"),
    "liver_disease": ("reduced_clearance", "lower"),
    "phenytoin": ("induced_clearance", "higher"),
}


def test_presets_change_clearance_only_in_the_sourced_direction():
    typical = pk.Params.default()
    drawn = {f.factor_id for f in populations.factors() if f.changes_curve}
    assert drawn == set(EXPECTED_PRESETS)
    for factor_id, (preset, direction) in EXPECTED_PRESETS.items():
        p = populations.params_for(factor_id)
        assert p.name == preset
        for field in ("F", "ka_per_h", "v1_l", "q_l_per_h", "v2_l"):
            assert getattr(p, field) == getattr(typical, field)
        assert (p.cl_l_per_h < typical.cl_l_per_h) == (direction == "lower")
        rows = data.table("pk_parameters").query("preset == @preset and parameter == 'cl_l_per_h'")
        assert rows.status.tolist() == ["illustrative"]


def test_no_curve_where_no_source_gives_a_direction():
    for name in ("opioids", "cns_depressants", "three_cns_drugs", "renal_impairment", "pregnancy", "lactation",
                 "cyp3a_inhibitors", "enzyme_inducers", "valproate"):
        f = populations.factor(name)
        assert f.preset is None and populations.params_for(name) is None
        c = populations.compare_with_typical(name, 1.0, 2)
        assert c.other is None and c.average_ratio is None and c.clearance_change is None
        assert "no curve changes" in c.describe()
    assert populations.factor("cyp3a_inhibitors").status == "verified_secondary"
    assert populations.factor("opioids").direction == "added_effect"


def test_the_induced_preset_stands_for_phenytoin_only():
    """khoo1980 studied phenytoin: the other inducers get the label's statement, not its curve."""
    users = [f.factor_id for f in populations.factors() if f.preset == "induced_clearance"]
    assert users == ["phenytoin"]
    others = populations.factor("enzyme_inducers")
    assert others.direction == "higher_clearance" and others.preset is None
    assert "lower" in others.no_curve_reason and "no curve" in others.no_curve_reason
    assert "higher" in populations.factor("cyp3a_inhibitors").no_curve_reason
    assert populations.factor("phenytoin").no_curve_reason is None
    assert "added effect" in populations.factor("opioids").no_curve_reason.lower()
    assert "no curve" in populations._curve_text(others)


def test_a_preset_in_the_wrong_direction_is_refused(data_copy, monkeypatch):
    path = data_copy / "populations.csv"
    text = path.read_text()
    path.write_text(text.replace("pharmacokinetic,higher_clearance,induced_clearance",
                                 "pharmacokinetic,lower_clearance,induced_clearance"))
    dataset = data.Dataset(data_copy)
    monkeypatch.setattr(data, "table", dataset.table)
    populations._factor_table.cache_clear()
    try:
        with pytest.raises(ValueError, match="moves clearance up, but 'phenytoin' says lower_clearance"):
            populations.factors()
    finally:
        monkeypatch.undo()
        populations._factor_table.cache_clear()


def test_compare_with_typical_values():
    c = populations.compare_with_typical("older_adults", 1.0, 2)
    assert c.clearance_change == pytest.approx(2.5 / 3.3 - 1)
    # average steady-state level is F * dose / (CL * period): inverse to clearance
    assert c.average_ratio == pytest.approx(3.3 / 2.5, rel=1e-9)
    assert c.typical_summary.cavg_ss_ng_ml == pytest.approx(0.9 * 1000 / 3.3 / 24, rel=1e-9)
    assert c.other_summary.time_to_90pct_steady_state_h > c.typical_summary.time_to_90pct_steady_state_h
    text = c.describe()
    assert "24% lower" in text and "32% higher" in text and "illustrative curve, not a prediction" in text
    inducer = populations.compare_with_typical("phenytoin", 2.0, 1)
    assert inducer.average_ratio == pytest.approx(3.3 / 4.95)
    assert "lower" in inducer.describe().split("Average")[1]
    doubled = populations.compare_with_typical("older_adults", 2.0, 2)
    assert doubled.other_summary.cmax_ss_ng_ml == pytest.approx(2 * c.other_summary.cmax_ss_ng_ml)


@pytest.mark.parametrize("kwargs, message", [
    ({"total_mg_per_day": -1}, "total_mg_per_day must be greater than 0"),
    ({"total_mg_per_day": math.nan}, "total_mg_per_day must be finite"),
    ({"doses_per_day": 5}, "doses_per_day must be one of"),
    ({"doses_per_day": 1.5}, "doses_per_day must be one of"),
])
def test_compare_with_typical_rejects_bad_regimens(kwargs, message):
    with pytest.raises(ValueError, match=message):
        populations.compare_with_typical("older_adults", **kwargs)


# -- the lay article's factors and comparisons --------------------------------------------------------
def test_lay_factors_cover_the_articles_list_and_link_to_known_factors():
    lay = data.table("lay_factors").set_index("factor")
    assert list(lay.index) == ["severity", "prior_exposure", "weight_metabolism", "age", "other_medicines"]
    known = {f.factor_id for f in populations.factors()}
    for related in lay.related_factors:
        assert set(related) <= known
    assert "not dosed by body weight" in lay.loc["weight_metabolism", "what_the_sources_say"]
    assert lay.loc["age", "verdict"] == "agrees"


def test_lay_dose_comparisons_are_the_articles_doses_against_1_mg():
    rows = data.table("lay_dose_comparisons")
    assert sorted(rows.dose_mg) == [0.25, 0.5, 2, 4]
    assert set(rows.compared_with_mg) == {1}
    assert rows.set_index("dose_mg").loc[4, "verdict"] == "disagrees"
    # 0.5 mg: 'not shown to be effective' is not 'shown ineffective', and the article's step up to
    # 1 mg matches the trial's direction, so the verdict is 'oversimplifies', not 'disagrees'.
    assert rows.set_index("dose_mg").loc[0.5, "verdict"] == "oversimplifies"
    two = rows.set_index("dose_mg").loc[2, "what_the_sources_say"]
    # Memory and cognition come from the label (amnesia; interference with cognitive and motor performance).
    assert "3 and 4 mg/day" in two and "amnesia" in two and "driving" in two
    assert "fda_clonazepam_generic" in rows.set_index("dose_mg").loc[2, "see_also"]


def test_each_curve_direction_is_sourced_to_the_statement_that_gives_it():
    liver = populations.factor("liver_disease")
    says = populations.statements("liver_disease").set_index("source_id").loc[[liver.source_id], "statement"]
    assert any("impair its elimination" in s for s in says)
    assert "illustrative curve, not a prediction" in populations.compare_with_typical("liver_disease").describe()
    assert "fda_klonopin_2023" not in populations.compare_with_typical("liver_disease").describe()  # no ids in student text


# -- dose sets ----------------------------------------------------------------------------------------
def test_validate_doses_sorts_places_and_flags():
    ds = populations.validate_doses([4, 0.5, 5, 1])
    assert ds.doses_mg_per_day == (0.5, 1.0, 4.0, 5.0)
    assert [p.category for p in ds.placements] == ["start", "target", "maximum", "above_maximum"]
    assert ds.above_maximum == (5.0,)
    assert ds.flags == ("5 mg/day: Above the labelled maximum of 4 mg/day for panic disorder",)
    assert len(ds) == 4 and list(ds) == [0.5, 1.0, 4.0, 5.0]
    seizure = populations.validate_doses([4, 5], indication="seizure_disorders")
    assert seizure.above_maximum == ()


@pytest.mark.parametrize("bad, message", [
    ([], "doses_mg_per_day is empty: choose 2 to 5"),
    ((), "is empty"),
    ([1], "choose at least 2"),
    ([0.25, 0.5, 1, 2, 3, 4], "has 6 doses; compare at most 5"),
    ([1, 2, 1], "lists 1 mg/day twice"),
    ([1, 1.0], "lists 1 mg/day twice"),
    ([1, -2], r"doses_mg_per_day\[1\] must be greater than 0"),
    ([1, math.nan], r"doses_mg_per_day\[1\] must be finite"),
    ([math.inf, 1], r"doses_mg_per_day\[0\] must be finite"),
    ([1, "2"], r"doses_mg_per_day\[1\] must be a number"),
    ([1, True], r"doses_mg_per_day\[1\] must be a number"),
    ([1, 500], "not a plausible clonazepam dose"),
    ("1, 2", "must be a list of daily totals"),
    (2.0, "must be a list of daily totals"),
    (None, "must be a list of daily totals"),
])
def test_validate_doses_rejects_bad_selections(bad, message):
    with pytest.raises(ValueError, match=message):
        populations.validate_doses(bad)
    with pytest.raises(ValueError, match=message):
        populations.dose_comparison(bad)


def test_validate_doses_rejects_unknown_indication():
    with pytest.raises(ValueError, match="unknown indication"):
        populations.validate_doses([1, 2], indication="insomnia")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0]), min_size=0, max_size=8))
def test_validate_doses_accepts_exactly_two_to_five_distinct_doses(doses):
    ok = MIN_DOSES <= len(doses) <= MAX_DOSES and len(set(doses)) == len(doses)
    if ok:
        ds = populations.validate_doses(doses)
        assert ds.doses_mg_per_day == tuple(sorted(doses))
        assert ds.above_maximum == tuple(d for d in sorted(doses) if d > 4)
    else:
        with pytest.raises(ValueError):
            populations.validate_doses(doses)


def test_dose_comparison_metrics_scale_with_the_dose():
    table = populations.dose_comparison([0.5, 1, 2, 5], doses_per_day=2)
    one = pk.summary(populations.regimen_for(1.0, 2, days=2))
    row1 = table.set_index("total_mg_per_day").loc[1.0]
    assert row1.peak_ss_ng_ml == pytest.approx(one.cmax_ss_ng_ml)
    assert row1.trough_ss_ng_ml == pytest.approx(one.trough_ss_ng_ml)
    assert table.average_ss_ng_ml.tolist() == pytest.approx([one.cavg_ss_ng_ml * d for d in (0.5, 1, 2, 5)])
    assert table.relative_to_target.tolist() == [0.5, 1.0, 2.0, 5.0]
    assert table.schedule.tolist() == ["0.25 mg twice daily", "0.5 mg twice daily", "1 mg twice daily",
                                       "2.5 mg twice daily"]
    assert table.above_maximum.tolist() == [False, False, False, True]
    assert table.studied_in_trial.tolist() == [True, True, True, False]
    assert table.trial[3] == "not studied (the trial stopped at 4 mg/day)"


def test_once_daily_swings_more_than_twice_daily():
    once = populations.dose_comparison([1, 2], doses_per_day=1).iloc[0]
    twice = populations.dose_comparison([1, 2], doses_per_day=2).iloc[0]
    assert once.average_ss_ng_ml == pytest.approx(twice.average_ss_ng_ml)
    assert once.peak_ss_ng_ml > twice.peak_ss_ng_ml and once.trough_ss_ng_ml < twice.trough_ss_ng_ml


def test_steady_state_curve_matches_the_pk_model_and_is_periodic():
    t = np.linspace(0, 48, 97)
    curve = populations.steady_state_curve(2.0, 2, t)
    assert curve[:49] == pytest.approx(curve[48:])  # repeats every 24 h
    assert curve[:25] == pytest.approx(curve[24:49])  # and every 12 h for twice daily
    s = pk.summary(populations.regimen_for(2.0, 2, days=2))
    assert curve.max() == pytest.approx(s.cmax_ss_ng_ml, rel=2e-3)
    assert populations.steady_state_curve(4.0, 2, t) == pytest.approx(2 * curve)
    with pytest.raises(ValueError, match="doses_per_day must be one of"):
        populations.steady_state_curve(1.0, 0, t)
