"""clonaedu.compare and its three cited tables: real values, symmetry, sources, bad input."""

from __future__ import annotations

import ast
import inspect
import itertools
import math
import re
import shutil
from pathlib import Path

import pytest

from clonaedu import compare, data

DATA = Path(__file__).resolve().parent.parent / "data"
DRUGS = ["clonazepam", "alprazolam", "lorazepam", "diazepam", "chlordiazepoxide", "oxazepam", "temazepam"]
OPTIONS = ["sertraline", "escitalopram", "venlafaxine", "duloxetine", "buspirone", "pregabalin",
           "gabapentin", "hydroxyzine", "cbt"]
# NICE CG113's GAD drug sequence (recommendations 1.2.23 to 1.2.25) was read only in reproductions:
# the fact sheet rates it "partial", so these rows are unverified.
GAD_SEQUENCE = {("sertraline", "nice_gad"), ("escitalopram", "nice_gad"), ("venlafaxine", "nice_gad"),
                ("duloxetine", "nice_gad"), ("pregabalin", "nice_gad")}
# Table 7 of the 2025 Joint CPG: mg equivalent to diazepam 10 mg.
ASHTON = {"clonazepam": 0.5, "alprazolam": 0.5, "lorazepam": 1, "diazepam": 10,
          "chlordiazepoxide": 25, "oxazepam": 20, "temazepam": 20}
VA_DOD = {"clonazepam": 1, "alprazolam": 1, "lorazepam": 2, "diazepam": 10,
          "chlordiazepoxide": 25, "oxazepam": 30, "temazepam": 15}


@pytest.fixture(scope="module")
def ds() -> data.Dataset:
    return data.Dataset(DATA)


# -- equivalence values ------------------------------------------------------------------------
def test_equivalence_table_is_table_7_for_every_drug(ds):
    table = compare.equivalence_table(dataset=ds)
    assert table["drug"].tolist() == DRUGS
    assert dict(zip(table["drug"], table["ashton_2002"])) == ASHTON
    assert dict(zip(table["drug"], table["va_dod_2021"])) == VA_DOD
    assert dict(zip(table["drug"], table["tables_agree"])) == {
        d: ASHTON[d] == VA_DOD[d] for d in DRUGS}
    assert set(table["source_id"]) == {"joint_taper_2025"}


def test_both_tables_present_for_every_drug(ds):
    rows = ds.table("benzo_equivalence")
    for drug in DRUGS:
        assert sorted(rows.loc[rows["drug"] == drug, "table"]) == ["ashton_2002", "va_dod_2021"], drug
    diazepam = rows[rows["drug"] == "diazepam"]
    assert diazepam["dose_mg"].tolist() == [10.0, 10.0]


def test_clonazepam_half_mg_is_diazepam_5_to_10_mg():
    # Uses the course's own data/: the equivalence rows cite only already-merged sources.
    r = compare.equivalent("clonazepam", 0.5)
    assert (r.drug, r.dose_mg, r.to) == ("clonazepam", 0.5, "diazepam")
    assert (r.low_mg, r.high_mg) == (5.0, 10.0)
    assert r.per_table == {"ashton_2002": 10.0, "va_dod_2021": 5.0}
    assert r.sources == ("joint_taper_2025",)
    assert not r.tables_agree


@pytest.mark.parametrize("drug, dose, to, low, high, ashton, va", [
    ("lorazepam", 1, "diazepam", 5, 10, 10, 5),
    ("diazepam", 10, "clonazepam", 0.5, 1, 0.5, 1),
    ("diazepam", 20, "oxazepam", 40, 60, 40, 60),
    ("clonazepam", 1, "lorazepam", 2, 2, 2, 2),          # the tables agree on this pair
    ("clonazepam", 2, "alprazolam", 2, 2, 2, 2),
    ("oxazepam", 30, "temazepam", 15, 30, 30, 15),
    ("temazepam", 20, "diazepam", 10, 13.3333333333, 10, 13.3333333333),
    ("chlordiazepoxide", 25, "diazepam", 10, 10, 10, 10),
    ("clonazepam", 0.25, "chlordiazepoxide", 6.25, 12.5, 12.5, 6.25),
    ("alprazolam", 0.5, "clonazepam", 0.5, 0.5, 0.5, 0.5),
])
def test_conversion_values(ds, drug, dose, to, low, high, ashton, va):
    r = compare.equivalent(drug, dose, to, dataset=ds)
    assert r.low_mg == pytest.approx(low, rel=1e-9)
    assert r.high_mg == pytest.approx(high, rel=1e-9)
    assert r.per_table["ashton_2002"] == pytest.approx(ashton, rel=1e-9)
    assert r.per_table["va_dod_2021"] == pytest.approx(va, rel=1e-9)
    assert r.tables_agree == (low == high)


def test_names_are_case_and_space_insensitive(ds):
    r = compare.equivalent("  Clonazepam ", 1, to="DIAZEPAM", dataset=ds)
    assert (r.drug, r.to, r.low_mg, r.high_mg) == ("clonazepam", "diazepam", 10.0, 20.0)


def test_no_floating_point_noise(ds):
    # 0.1 mg lorazepam -> Ashton 0.1 * 10 / 1 = 1.0 exactly, VA 0.1 * 10 / 2 = 0.5 exactly
    r = compare.equivalent("lorazepam", 0.1, dataset=ds)
    assert r.per_table == {"ashton_2002": 1.0, "va_dod_2021": 0.5}
    assert compare.equivalent("alprazolam", 0.3, "clonazepam", dataset=ds).per_table == {
        "ashton_2002": 0.3, "va_dod_2021": 0.3}


# -- symmetry ---------------------------------------------------------------------------------
@pytest.mark.parametrize("a, b", list(itertools.permutations(DRUGS, 2)))
def test_round_trip_returns_the_input(ds, a, b):
    dose = 10 * ASHTON[a] / 10  # a typical dose of a, equal to diazepam 10 mg in Ashton
    there = compare.equivalent(a, dose, b, dataset=ds)
    # per table, A -> B -> A gives the input back exactly
    for table, mg in there.per_table.items():
        back = compare.equivalent(b, mg, a, dataset=ds).per_table[table]
        assert back == pytest.approx(dose, rel=1e-9)
    # converting either bound of the range back gives a range that contains the input
    for bound in (there.low_mg, there.high_mg):
        back = compare.equivalent(b, bound, a, dataset=ds)
        assert back.low_mg * (1 - 1e-9) <= dose <= back.high_mg * (1 + 1e-9)
    # and B -> A is the mirror image: low/high swap roles through the reciprocal ratios
    reverse = compare.equivalent(b, dose, a, dataset=ds)
    assert there.low_mg * reverse.high_mg == pytest.approx(dose * dose, rel=1e-9)
    assert there.high_mg * reverse.low_mg == pytest.approx(dose * dose, rel=1e-9)


def test_identity_conversion(ds):
    r = compare.equivalent("clonazepam", 0.5, "clonazepam", dataset=ds)
    assert (r.low_mg, r.high_mg) == (0.5, 0.5)


# -- caveat -----------------------------------------------------------------------------------
def test_caveat_is_loud_and_always_attached(ds):
    r = compare.equivalent("clonazepam", 0.5, dataset=ds)
    assert r.caveat == compare.CAVEAT
    text = compare.CAVEAT.lower()
    for phrase in ("approximate", "clinical experience", "individual variation",
                   "may be more successful if made gradually over 1 to 2 weeks rather than 1 to 2 days",
                   "never a prescribing conversion", "teaching"):
        assert phrase in text, phrase
    assert "with review" not in text  # the source does not say it
    shown = str(r)
    assert shown.startswith("clonazepam 0.5 mg ~ diazepam 5 to 10 mg (Ashton Manual 2002: 10 mg; VA/DoD 2021: 5 mg).")
    assert compare.CAVEAT in shown
    sources = ds.sources().index
    assert all(s in sources for s in compare.CAVEAT_SOURCES)


def test_switching_period_is_the_sourced_row(ds):
    gradual = compare.switching_period(dataset=ds)
    assert (gradual.low, gradual.high, gradual.unit, gradual.source_id) == (1, 2, "weeks", "joint_taper_2025")
    assert str(gradual) == "1 to 2 weeks"
    assert str(compare.switching_period("rapid_switch", dataset=ds)) == "1 to 2 days"
    with pytest.raises(ValueError, match=r"topic: no verified switching-guidance row 'overnight'; known: gradual_switch"):
        compare.switching_period("overnight", dataset=ds)


def _code_string_literals(source: str) -> list[str]:
    """Every string constant in ``source`` except docstrings."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def _switching_copy(ds, tmp_path, old, new):
    root = tmp_path / "data"
    shutil.copytree(ds.root, root)
    path = root / "switching_guidance.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return data.Dataset(root)


def test_caveat_switching_period_comes_from_the_data(ds, tmp_path):
    assert compare.CAVEAT == compare.caveat() == compare.caveat(dataset=ds)
    # no switching period is written into the module's code (docstrings may describe the data)
    literals = _code_string_literals(inspect.getsource(compare))
    assert literals and not [s for s in literals if re.search(r"\d\s*(to|-|\u2013)\s*\d+\s*(weeks|days)", s)]
    copy = _switching_copy(ds, tmp_path, "gradual_switch,1,2,weeks", "gradual_switch,3,4,weeks")
    text = compare.caveat(dataset=copy)
    assert "gradually over 3 to 4 weeks rather than 1 to 2 days" in text
    assert "1 to 2 weeks" not in text
    r = compare.equivalent("clonazepam", 1, dataset=copy)
    assert r.caveat == text and text in str(r)
    assert compare.equivalent("clonazepam", 1, dataset=ds).caveat == compare.CAVEAT


def test_caveat_refuses_an_unverified_switching_row(ds, tmp_path):
    copy = _switching_copy(ds, tmp_path, "joint_taper_2025,verified,\"Checked", "joint_taper_2025,unverified,\"Checked")
    with pytest.raises(ValueError, match="no verified switching-guidance row 'gradual_switch'"):
        compare.caveat(dataset=copy)
    with pytest.raises(ValueError, match="gradual_switch"):
        compare.equivalent("clonazepam", 1, dataset=copy)


def test_caveat_sources_include_the_switching_row(ds, tmp_path):
    assert compare.CAVEAT_SOURCES == compare.caveat_sources(dataset=ds) == ("joint_taper_2025", "scot_bz_quality_2024")
    copy = _switching_copy(ds, tmp_path, "1,2,days,The faster transition the guideline compares against: changing over within this period.,joint_taper_2025",
                           "1,2,days,The faster transition the guideline compares against: changing over within this period.,ashton2002")
    assert compare.caveat_sources(dataset=copy) == ("joint_taper_2025", "scot_bz_quality_2024", "ashton2002")


# -- half-lives, time to peak ------------------------------------------------------------------
def test_half_lives_verified_by_default(ds):
    hl = compare.half_lives(dataset=ds)
    assert hl["drug"].tolist() == ["clonazepam", "lorazepam", "diazepam", "chlordiazepoxide",
                                   "oxazepam", "temazepam"]
    got = {r.drug: (r.half_life_low_h, r.half_life_high_h) for r in hl.itertuples()}
    assert got == {"clonazepam": (18, 50), "lorazepam": (10, 20), "diazepam": (20, 100),
                   "chlordiazepoxide": (5, 30), "oxazepam": (4, 15), "temazepam": (8, 22)}
    # the US label's clonazepam range is a separate row, never mixed into the comparison table
    assert 30 not in hl["half_life_low_h"].tolist()
    meta = hl.set_index("drug")[["metabolite_low_h", "metabolite_high_h"]]
    assert meta.loc["diazepam"].tolist() == [36, 200]
    assert meta.loc["chlordiazepoxide"].tolist() == [36, 200]
    assert meta.loc["clonazepam"].isna().all()
    assert set(hl["status"]) == {"verified"}
    assert set(hl["source_id"]) == {"scot_bz_quality_2024"}


def test_half_lives_include_unverified_on_request(ds):
    hl = compare.half_lives(include_unverified=True, dataset=ds)
    assert len(hl) == 7
    alp = hl.set_index("drug").loc["alprazolam"]
    assert (alp.half_life_low_h, alp.half_life_high_h, alp.status) == (6, 12, "unverified")
    assert alp.source_id == "ashton2002"


def test_label_half_life_is_the_us_label_range(ds):
    label = compare.label_half_lives(dataset=ds)
    assert label[["drug", "low_h", "high_h", "source_id", "status"]].values.tolist() == [
        ["clonazepam", 30, 40, "fda_klonopin_2023", "verified"]]
    assert "typically 30 to 40 h" in label.loc[0, "note"]


def test_times_to_peak(ds):
    verified = compare.times_to_peak(dataset=ds)
    assert verified[["drug", "low_h", "high_h", "source_id"]].values.tolist() == [
        ["clonazepam", 1, 4, "fda_klonopin_2023"]]
    everything = compare.times_to_peak(include_unverified=True, dataset=ds)
    assert dict(zip(everything["drug"], zip(everything["low_h"], everything["high_h"]))) == {
        "clonazepam": (1, 4), "alprazolam": (1, 2), "lorazepam": (2, 2)}
    assert set(everything.loc[everything["drug"] != "clonazepam", "status"]) == {"unverified"}


# -- alternatives ------------------------------------------------------------------------------
def test_alternatives_values(ds):
    alt = compare.alternatives(dataset=ds)
    assert set(alt["status"]) == {"verified"}
    assert list(dict.fromkeys(alt["option"])) == OPTIONS
    hyd = alt[alt["option"] == "hydroxyzine"]
    assert hyd["aspect"].tolist() == ["nice_panic"]  # label facts lack a citable set id
    assert "should not be prescribed" in hyd["summary"].iloc[0]
    assert not GAD_SEQUENCE & set(zip(alt["option"], alt["aspect"]))  # unverified: left out
    panic = alt[alt["aspect"] == "nice_panic"].set_index("option")["summary"]
    assert "SSRI licensed for panic disorder" in panic["sertraline"]
    for snri in ("venlafaxine", "duloxetine"):
        assert "first is an SSRI licensed for panic disorder" in panic[snri]
        assert "SNRIs among the antidepressant classes for longer-term treatment" in panic[snri]
    cbt_gad = alt[(alt["option"] == "cbt") & (alt["aspect"] == "nice_gad")]
    assert "high-intensity psychological intervention or drug treatment" in cbt_gad["summary"].iloc[0]
    pre = alt[(alt["option"] == "pregabalin") & (alt["aspect"] == "onset")].iloc[0]
    assert (math.isnan(pre.low_weeks), pre.high_weeks, pre.source_id) == (True, 1, "pregabalin_gad2014")
    for drug in ("sertraline", "escitalopram", "venlafaxine", "duloxetine"):
        onset = alt[(alt["option"] == drug) & (alt["aspect"] == "onset")].iloc[0]
        assert (onset.high_weeks, onset.source_id, onset.see_also) == (8, "mendez2024", ["jakubovski2019"])
    bus = alt[alt["option"] == "buspirone"]
    assert sorted(bus["aspect"]) == ["dependence", "onset"]
    assert set(bus["source_id"]) == {"murphy1989"}
    controlled = alt[alt["aspect"] == "controlled_status"]
    assert sorted(controlled["option"]) == ["gabapentin", "pregabalin"]
    assert all("Class C" in s and "1 April 2019" in s for s in controlled["summary"])


def test_gad_drug_sequence_is_unverified_and_says_how_it_was_checked(ds):
    everything = compare.alternatives(include_unverified=True, dataset=ds)
    flagged = everything[everything["status"] == "unverified"]
    assert set(zip(flagged["option"], flagged["aspect"])) == GAD_SEQUENCE
    for note in flagged["note"]:
        assert "reproductions" in note and "nice.org.uk" in note and "partial" in note
    gad = flagged.set_index("option")["summary"]
    assert "sertraline" in gad["sertraline"] and "cannot tolerate SSRIs or SNRIs" in gad["pregabalin"]
    # the venlafaxine withdrawal remark belongs to that same recommendation: not in a verified row
    verified = compare.alternatives(dataset=ds)
    assert not verified["summary"].str.contains("especially prone|paroxetine").any()


def test_alternatives_unverified_excluded_by_default_included_on_request(ds, tmp_path):
    # Mark one more row unverified in a copy of the data.
    root = tmp_path / "data"
    shutil.copytree(ds.root, root)
    path = root / "alternatives.csv"
    text = path.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("gabapentin,gabapentinoid,dependence,"))
    path.write_text(text.replace(row, row.replace(",verified,", ",unverified,")), encoding="utf-8")
    copy = data.Dataset(root)
    default = compare.alternatives(dataset=copy)
    assert ("gabapentin", "dependence") not in set(zip(default["option"], default["aspect"]))
    assert len(default) == len(compare.alternatives(dataset=ds)) - 1
    everything = compare.alternatives(include_unverified=True, dataset=copy)
    flagged = everything[everything["status"] == "unverified"]
    assert set(zip(flagged["option"], flagged["aspect"])) == GAD_SEQUENCE | {("gabapentin", "dependence")}
    wide = compare.alternatives(wide=True, dataset=copy).set_index("option")
    assert math.isnan(wide.loc["gabapentin", "dependence"])
    wide_all = compare.alternatives(wide=True, include_unverified=True, dataset=copy).set_index("option")
    assert "abuse and dependence" in wide_all.loc["gabapentin", "dependence"]


def test_alternatives_wide(ds):
    wide = compare.alternatives(wide=True, dataset=ds)
    assert wide["option"].tolist() == OPTIONS
    row = wide.set_index("option")
    assert row.loc["pregabalin", "onset_high_weeks"] == 1
    assert "SSRI licensed for panic disorder" in row.loc["sertraline", "nice_panic"]
    assert math.isnan(row.loc["sertraline", "nice_gad"])  # unverified GAD sequence left out
    assert math.isnan(row.loc["hydroxyzine", "onset"])
    assert math.isnan(row.loc["buspirone", "nice_panic"])
    every = compare.alternatives(wide=True, include_unverified=True, dataset=ds).set_index("option")
    assert "sertraline" in every.loc["sertraline", "nice_gad"]
    assert row.loc["sertraline", "sources"] == "mendez2024;jakubovski2019;nice_cg113"
    assert row.loc["pregabalin", "sources"] == "pregabalin_gad2014;nice_cg113;nice_cg173"


def test_alternatives_by_class_merges_class_level_rows(ds):
    by_class = compare.alternatives(by_class=True, dataset=ds)
    onset = by_class[by_class["aspect"] == "onset"].set_index("option")
    assert list(onset.index) == ["SSRIs (class): sertraline, escitalopram", "SNRIs (class): venlafaxine, duloxetine",
                                 "buspirone", "pregabalin", "cbt"]
    assert onset.loc["SSRIs (class): sertraline, escitalopram", "high_weeks"] == 8
    assert "no longer differed significantly" in onset.loc["SNRIs (class): venlafaxine, duloxetine", "summary"]
    # every long-form row is represented exactly once; nothing merges across classes or texts
    long = compare.alternatives(dataset=ds)
    assert len(by_class) == len(long) - 2 * 3  # SSRIs and SNRIs: onset, dependence, nice_panic
    controlled = by_class[by_class["aspect"] == "controlled_status"]
    assert controlled["option"].tolist() == ["pregabalin", "gabapentin"]  # different sources: kept apart
    assert set(by_class["aspect_label"]) == set(compare.ASPECT_LABELS.values())
    assert by_class.set_index("aspect")["aspect_label"].to_dict()["nice_panic"] == "NICE: panic disorder"
    # with the unverified GAD rows the SSRIs' GAD statements differ, so they stay apart
    gad = compare.alternatives(by_class=True, include_unverified=True, dataset=ds)
    assert {"sertraline", "escitalopram"} <= set(gad.loc[gad["aspect"] == "nice_gad", "option"])


def test_by_class_and_wide_arguments_are_checked(ds):
    with pytest.raises(ValueError, match="by_class must be True or False"):
        compare.alternatives(by_class="yes", dataset=ds)
    with pytest.raises(ValueError, match="by_class applies to the long form only"):
        compare.alternatives(by_class=True, wide=True, dataset=ds)


# -- sources ----------------------------------------------------------------------------------
def test_every_row_cites_a_known_source(ds):
    known = set(ds.sources().index)
    for name in ("benzodiazepines", "benzo_equivalence", "alternatives", "switching_guidance"):
        frame = ds.table(name)  # the loader itself refuses unknown ids; check again explicitly
        ids = set(frame["source_id"])
        if "see_also" in frame:
            ids |= {sid for lst in frame["see_also"] for sid in lst}
        assert ids <= known, (name, ids - known)


def test_verified_rows_do_not_rest_on_placeholder_sources(ds):
    # Sources without a confirmed primary identifier may back only unverified rows.
    placeholders = {"lorazepam_pk_review1978", "fda_alprazolam_tablets"}
    for name in ("benzodiazepines", "benzo_equivalence", "alternatives"):
        frame = ds.table(name)
        verified = frame[frame["status"] == "verified"]
        assert not set(verified["source_id"]) & placeholders, name


# -- bad input --------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, pattern", [
    ({"drug": "xanax", "dose_mg": 1}, r"drug: unknown benzodiazepine 'xanax'; known .*clonazepam.*temazepam"),
    ({"drug": "clonazepam", "dose_mg": 1, "to": "midazolam"}, r"^to: unknown benzodiazepine 'midazolam'"),
    ({"drug": None, "dose_mg": 1}, r"^drug must be a drug name"),
    ({"drug": "clonazepam", "dose_mg": -0.5}, r"dose_mg cannot be negative"),
    ({"drug": "clonazepam", "dose_mg": 0}, r"dose_mg must be greater than 0"),
    ({"drug": "clonazepam", "dose_mg": float("nan")}, r"dose_mg is NaN"),
    ({"drug": "clonazepam", "dose_mg": float("inf")}, r"dose_mg must be finite"),
    ({"drug": "clonazepam", "dose_mg": "0.5"}, r"dose_mg must be a number"),
    ({"drug": "clonazepam", "dose_mg": None}, r"dose_mg must be a number"),
    ({"drug": "clonazepam", "dose_mg": True}, r"dose_mg must be a number"),
    ({"drug": "clonazepam", "dose_mg": 50}, r"dose_mg=50 mg of clonazepam is not a plausible dose .*at most 25 mg"),
    ({"drug": "diazepam", "dose_mg": 1000}, r"dose_mg=1000 mg of diazepam is not a plausible dose .*at most 500 mg"),
])
def test_bad_input_raises_value_error(ds, kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        compare.equivalent(dataset=ds, **kwargs)


def test_plausibility_limit_is_inclusive(ds):
    assert compare.equivalent("clonazepam", 25, dataset=ds).high_mg == 500.0
    assert compare.equivalent("clonazepam", 20, dataset=ds).per_table == {
        "ashton_2002": 400.0, "va_dod_2021": 200.0}


def test_include_unverified_must_be_bool(ds):
    with pytest.raises(ValueError, match="include_unverified"):
        compare.half_lives(include_unverified="yes", dataset=ds)
    with pytest.raises(ValueError, match="wide"):
        compare.alternatives(wide=1, dataset=ds)
