"""Tests of clonaedu.pk: calibration targets, model properties, presets and validation.

Target values are recomputed here by brute force from the public functions (fine grids,
long simulations, eigenvalues of the rate matrix) rather than trusted from
``pk.check_targets``; the bounds are read from ``data/pk_targets.csv``.
"""

import dataclasses
import functools
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from clonaedu import pk
from clonaedu.regimens import Regimen

DEFAULT = pk.Params.default()
EXPECTED_TARGETS = {
    "single_dose_tmax",
    "single_dose_cmax_2mg",
    "distribution_half_life",
    "terminal_half_life",
    "bioavailability",
    "accumulation_ratio_once_daily",
    "accumulation_ratio_twice_daily",
    "time_to_90pct_steady_state",
    "volume_of_distribution_per_kg",
}
FINE = np.linspace(0, 24, 240_001)  # 0.1 min steps over the first day


# -- brute-force helpers (independent of pk.summary) ---------------------------------------
def auc(t, c):
    return float(np.trapezoid(c, t))


def disposition_rates(p):
    """(alpha, beta) as eigenvalues of the two-compartment rate matrix."""
    k10, k12, k21 = p.cl_l_per_h / p.v1_l, p.q_l_per_h / p.v1_l, p.q_l_per_h / p.v2_l
    rates = np.sort(-np.linalg.eigvals(np.array([[-(k10 + k12), k21], [k12, -k21]])).real)
    return rates[1], rates[0]


def simulate(pattern, period, n_periods, p, per_period=1200):
    """Brute-force curve of ``pattern`` repeated ``n_periods`` times on a fine grid:
    (t, c, ss) with ss the last period's values tiled over the whole grid."""
    offsets, doses = pattern
    times = (np.arange(n_periods)[:, None] * period + np.asarray(offsets)).ravel()
    reg = Regimen(times, np.tile(doses, n_periods))
    t = np.linspace(0, n_periods * period, n_periods * per_period + 1)
    c = pk.concentration(reg, t, p)
    last = c[-per_period - 1 : -1]
    return t, c, np.concatenate([np.tile(last, n_periods), last[:1]])


@functools.cache
def brute_force_metrics(offsets, doses, period, p):
    """Steady-state metrics of the pattern (offsets_h, doses_mg) repeated every
    ``period`` hours, read off a long simulation (25 half-lives)."""
    n_periods = int(math.ceil(25 * p.terminal_half_life_h / period))
    t, c, ss = simulate((offsets, doses), period, n_periods, p)
    m = t.size // n_periods
    last_t, last_c = t[-m - 1 :], c[-m - 1 :]
    cavg = auc(last_t, last_c) / period
    below = np.nonzero(c < 0.9 * ss)[0]
    return {
        "cmax_ss_ng_ml": last_c.max(),
        "trough_ss_ng_ml": last_c.min(),
        "cavg_ss_ng_ml": cavg,
        "fluctuation_ss": (last_c.max() - last_c.min()) / cavg,
        "accumulation_ratio": auc(last_t, last_c) / auc(t[: m + 1], c[: m + 1]),
        "time_to_90pct_steady_state_h": t[below[-1] + 1],
    }


def target_value(name, p):
    """The model's value for one calibration target, by brute force."""
    single2 = pk.concentration(Regimen.single(2), FINE, p)
    alpha, beta = disposition_rates(p)
    if name == "single_dose_tmax":
        return FINE[np.argmax(single2)]
    if name == "single_dose_cmax_2mg":
        return single2.max()
    if name == "distribution_half_life":
        return math.log(2) / alpha
    if name == "terminal_half_life":
        late = pk.concentration(Regimen.single(1), [300.0, 400.0], p)  # log-linear phase
        return 100 * math.log(2) / math.log(late[0] / late[1])
    if name == "bioavailability":  # AUC * CL / dose, back in the fraction
        t = np.concatenate([[0], np.geomspace(1e-4, 40 * p.terminal_half_life_h, 40_000)])
        return auc(t, pk.concentration(Regimen.single(1), t, p)) * p.cl_l_per_h / 1000
    if name == "accumulation_ratio_once_daily":
        return brute_force_metrics((0.0,), (1.0,), 24.0, p)["accumulation_ratio"]
    if name == "accumulation_ratio_twice_daily":
        return brute_force_metrics((0.0,), (0.5,), 12.0, p)["accumulation_ratio"]
    if name == "time_to_90pct_steady_state":
        return brute_force_metrics((0.0,), (1.0,), 24.0, p)["time_to_90pct_steady_state_h"] / 24
    if name == "volume_of_distribution_per_kg":
        return p.cl_l_per_h / beta / 70
    raise AssertionError(f"no brute-force value for target {name}")


@functools.cache
def default_target_value(name):
    return target_value(name, DEFAULT)


# -- calibration -----------------------------------------------------------------------------
def test_targets_table_holds_the_expected_targets():
    table = pk.targets()
    assert set(table["target"]) == EXPECTED_TARGETS
    assert (table["low"] < table["high"]).all()
    row = table.set_index("target").loc["terminal_half_life"]
    assert (row.low, row.high, row.unit, row.source_id) == (30, 40, "h", ["fda_klonopin_2023"])


@pytest.mark.parametrize("name", sorted(EXPECTED_TARGETS))
def test_default_parameters_meet_target(name):
    row = pk.targets().set_index("target").loc[name]
    value = default_target_value(name)
    assert row.low <= value <= row.high, f"{name}: model {value:.4g} outside {row.low}..{row.high} {row.unit}"


def test_check_targets_reports_every_target_met_and_agrees_with_brute_force():
    table = pk.check_targets()
    assert list(table.columns) == ["target", "low", "high", "unit", "model_value", "met", "source_id"]
    assert table["met"].all()
    for row in table.itertuples():
        assert row.model_value == pytest.approx(default_target_value(row.target), rel=0.01), row.target


def test_check_targets_flags_a_missed_target():
    fast = DEFAULT.with_half_life(20)
    table = pk.check_targets(fast).set_index("target")
    assert not table.loc["terminal_half_life", "met"]
    assert table.loc["terminal_half_life", "model_value"] == pytest.approx(20)


def test_one_compartment_style_peak_would_miss_cmax():
    """Why two compartments: one compartment with literature CL and V under-predicts Cmax."""
    lumped = dataclasses.replace(DEFAULT, v1_l=186.0, v2_l=1e-3, q_l_per_h=1e-3, ka_per_h=math.log(2) / 0.4)
    low = pk.targets().set_index("target").loc["single_dose_cmax_2mg", "low"]
    cmax = pk.summary(Regimen.single(2), lumped).cmax_ng_ml
    assert cmax == pytest.approx(9.2, abs=0.3)  # about 9 ng/mL (reference sheet, section 2)
    assert cmax < low


# -- model properties ------------------------------------------------------------------------
params_strategy = st.builds(
    pk.Params,
    F=st.floats(0.3, 1.0),
    ka_per_h=st.floats(0.2, 5.0),
    cl_l_per_h=st.floats(1.0, 10.0),
    v1_l=st.floats(20, 200),
    q_l_per_h=st.floats(5, 100),
    v2_l=st.floats(20, 300),
)
dose_lists = st.lists(st.floats(0.05, 4), min_size=1, max_size=5)


def regimen_from(gaps, doses):
    return Regimen(np.cumsum(gaps), doses)


@settings(max_examples=25, deadline=None)
@given(p=params_strategy, doses=dose_lists, factor=st.floats(0.1, 10), data=st.data())
def test_concentration_is_linear_in_dose(p, doses, factor, data):
    gaps = data.draw(st.lists(st.floats(0.5, 48), min_size=len(doses), max_size=len(doses)))
    reg = regimen_from(gaps, doses)
    t = np.linspace(0, 200, 801)
    np.testing.assert_allclose(
        pk.concentration(reg.scaled(factor), t, p), factor * pk.concentration(reg, t, p), rtol=1e-9, atol=1e-12
    )


@settings(max_examples=25, deadline=None)
@given(p=params_strategy, a=st.lists(st.floats(0, 96).map(lambda x: round(x, 3)), min_size=1, max_size=4, unique=True), b_shift=st.floats(0.1, 5))
def test_superposition_two_regimens_add(p, a, b_shift):
    times_a = np.sort(a)
    times_b = times_a + b_shift
    assume(not np.isin(times_b, times_a).any())
    reg_a, reg_b = Regimen(times_a, np.ones(times_a.size)), Regimen(times_b, np.full(times_b.size, 0.5))
    t = np.linspace(-5, 150, 621)
    np.testing.assert_allclose(
        pk.concentration(reg_a + reg_b, t, p),
        pk.concentration(reg_a, t, p) + pk.concentration(reg_b, t, p),
        rtol=1e-9,
        atol=1e-12,
    )


@settings(max_examples=25, deadline=None)
@given(p=params_strategy, doses=dose_lists, data=st.data())
def test_concentration_never_negative_and_zero_before_first_dose(p, doses, data):
    gaps = data.draw(st.lists(st.floats(0.01, 48), min_size=len(doses), max_size=len(doses)))
    reg = regimen_from(gaps, doses)
    t = np.concatenate([reg.times_h, reg.times_h + 1e-12, np.linspace(-10, 400, 1001)])
    c = pk.concentration(reg, t, p)
    assert (c >= 0).all()
    assert (c[t < reg.times_h[0]] == 0).all()
    assert pk.concentration(reg, reg.times_h[0], p) == 0


@settings(max_examples=15, deadline=None)
@given(p=params_strategy, dose=st.floats(0.1, 4))
def test_auc_of_one_dose_equals_f_dose_over_cl(p, dose):
    t = np.concatenate([[0], np.geomspace(1e-4, 40 * p.terminal_half_life_h, 40_000)])
    area = auc(t, pk.concentration(Regimen.single(dose), t, p))
    assert area == pytest.approx(p.F * dose / p.cl_l_per_h * 1000, rel=0.01)


@settings(max_examples=10, deadline=None)
@given(p=params_strategy, dose=st.floats(0.1, 4), interval=st.sampled_from([6, 8, 12, 24]))
def test_average_steady_state_concentration_is_f_dose_over_cl_tau(p, dose, interval):
    assume(p.terminal_half_life_h < 60)
    n = int(math.ceil(20 * p.terminal_half_life_h / interval))
    reg = Regimen(interval * np.arange(n), np.full(n, dose))
    last = np.linspace((n - 1) * interval, n * interval, 4001)
    cavg = auc(last, pk.concentration(reg, last, p)) / interval
    expected = p.F * dose / (p.cl_l_per_h * interval) * 1000
    assert cavg == pytest.approx(expected, rel=0.01)
    assert pk.summary(reg, p).cavg_ss_ng_ml == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(
    "regimen",
    [Regimen.every(1, 24), Regimen.every(0.5, 12), Regimen.daily_at(["08:00", "22:00"], [0.25, 0.75])],
    ids=["once_daily", "twice_daily", "uneven_daily"],
)
def test_summary_steady_state_matches_long_simulation(regimen):
    s = pk.summary(regimen)
    offsets, doses = regimen.first_period()
    brute = brute_force_metrics(tuple(offsets), tuple(doses), s.period_h, DEFAULT)
    for key, value in brute.items():
        assert getattr(s, key) == pytest.approx(value, rel=0.01), key


def test_steady_state_profile_matches_long_simulation_and_is_periodic():
    reg = Regimen.daily_at(["08:00", "22:00"], [0.25, 0.75])
    t, c, ss = simulate(reg.first_period(), 24, 40, DEFAULT)
    phase = np.linspace(0, 24, 97)
    late = pk.concentration(Regimen((np.arange(40)[:, None] * 24 + [0, 14]).ravel(), [0.25, 0.75] * 40), 39 * 24 + phase)
    np.testing.assert_allclose(pk.steady_state(reg, phase), late, rtol=1e-6)
    np.testing.assert_allclose(pk.steady_state(reg, phase + 48), pk.steady_state(reg, phase), rtol=1e-12)


def test_summary_of_a_single_dose():
    s = pk.summary(Regimen.single(2, t_h=5))
    assert s.period_h is None
    assert s.tmax_h == pytest.approx(default_target_value("single_dose_tmax"), abs=0.01)
    assert s.cmax_ng_ml == pytest.approx(default_target_value("single_dose_cmax_2mg"), rel=1e-6)
    assert math.isnan(s.trough_ss_ng_ml) and math.isnan(s.accumulation_ratio)
    repeated = pk.summary(Regimen.single(1), period_h=24)
    assert repeated.accumulation_ratio == pytest.approx(pk.summary(Regimen.every(1, 24)).accumulation_ratio)
    d = s.as_dict()
    assert set(d) >= {"cmax_ng_ml", "tmax_h", "trough_ss_ng_ml", "fluctuation_ss", "accumulation_ratio"}


def test_summary_of_a_zero_dose_pattern_has_no_exposure():
    s = pk.summary(Regimen.every(0, 24))
    assert (s.cmax_ng_ml, s.cmax_ss_ng_ml, s.cavg_ss_ng_ml) == (0, 0, 0)
    assert math.isnan(s.accumulation_ratio) and math.isnan(s.time_to_90pct_steady_state_h)


def test_dividing_the_dose_lowers_fluctuation_not_average():
    once, twice = pk.summary(Regimen.every(1, 24)), pk.summary(Regimen.every(0.5, 12))
    assert twice.cavg_ss_ng_ml == pytest.approx(once.cavg_ss_ng_ml)
    assert twice.fluctuation_ss < once.fluctuation_ss
    assert twice.accumulation_ratio > once.accumulation_ratio


def test_terminal_half_life_and_rates_agree_with_eigenvalues():
    alpha, beta = disposition_rates(DEFAULT)
    assert DEFAULT.alpha_per_h == pytest.approx(alpha, rel=1e-12)
    assert DEFAULT.beta_per_h == pytest.approx(beta, rel=1e-12)
    assert DEFAULT.absorption_half_life_h == pytest.approx(math.log(2) / DEFAULT.ka_per_h)


def test_ka_equal_to_a_disposition_rate_stays_finite():
    p = dataclasses.replace(DEFAULT, ka_per_h=DEFAULT.beta_per_h)
    c = pk.concentration(Regimen.single(1), np.linspace(0, 500, 501), p)
    assert np.isfinite(c).all() and c.max() > 0
    t = np.concatenate([[0], np.geomspace(1e-4, 40 * p.terminal_half_life_h, 40_000)])
    assert auc(t, pk.concentration(Regimen.single(1), t, p)) == pytest.approx(
        p.F / p.cl_l_per_h * 1000, rel=0.01
    )


def test_concentration_keeps_the_shape_of_t():
    reg = Regimen.every(1, 24, days=2)
    assert pk.concentration(reg, 5.0).shape == ()
    assert pk.concentration(reg, np.zeros((3, 4))).shape == (3, 4)


# -- presets and adjusted copies ---------------------------------------------------------------
def test_presets_load_and_default_is_typical_adult():
    presets = pk.presets()
    assert {"typical_adult", "older_adult", "reduced_clearance", "induced_clearance"} <= set(presets)
    assert presets["typical_adult"] == DEFAULT == pk.Params.preset()
    assert not DEFAULT.illustrative  # cited or fitted to cited targets
    assert "fitted" in DEFAULT.basis and "crevoisier2003" in DEFAULT.basis
    for name, p in presets.items():
        assert p.name == name
        assert pk.Params.preset(name) == p


@pytest.mark.parametrize(
    "name, direction",
    [("older_adult", "slower"), ("reduced_clearance", "slower"), ("induced_clearance", "faster")],
)
def test_preset_changes_only_clearance_in_the_documented_direction(name, direction):
    p = pk.Params.preset(name)
    assert p.illustrative and "illustrative" in p.basis
    for field in ("F", "ka_per_h", "v1_l", "q_l_per_h", "v2_l"):
        assert getattr(p, field) == getattr(DEFAULT, field), field
    reg = Regimen.every(1, 24)
    exposure, typical = pk.summary(reg, p).cavg_ss_ng_ml, pk.summary(reg, DEFAULT).cavg_ss_ng_ml
    if direction == "slower":
        assert p.cl_l_per_h < DEFAULT.cl_l_per_h
        assert p.terminal_half_life_h > DEFAULT.terminal_half_life_h
        assert exposure > typical
    else:
        assert p.cl_l_per_h > DEFAULT.cl_l_per_h
        assert p.terminal_half_life_h < DEFAULT.terminal_half_life_h
        assert exposure < typical


def test_reduced_clearance_is_slower_than_older_adult():
    assert pk.Params.preset("reduced_clearance").cl_l_per_h < pk.Params.preset("older_adult").cl_l_per_h


@pytest.mark.parametrize("half_life", [19, 25, 38.5, 60])
def test_with_half_life_hits_the_half_life_and_keeps_volumes(half_life):
    p = DEFAULT.with_half_life(half_life)
    assert p.terminal_half_life_h == pytest.approx(half_life, rel=1e-10)
    assert (p.v1_l, p.v2_l, p.q_l_per_h, p.F, p.ka_per_h) == (
        DEFAULT.v1_l, DEFAULT.v2_l, DEFAULT.q_l_per_h, DEFAULT.F, DEFAULT.ka_per_h
    )
    assert p.illustrative
    longer = half_life > DEFAULT.terminal_half_life_h
    assert (p.cl_l_per_h < DEFAULT.cl_l_per_h) == longer


def test_with_absorption_half_life():
    p = DEFAULT.with_absorption_half_life(0.4)
    assert p.absorption_half_life_h == pytest.approx(0.4)
    assert pk.summary(Regimen.single(1), p).tmax_h < pk.summary(Regimen.single(1)).tmax_h


# -- validation -----------------------------------------------------------------------------------
GOOD = dict(F=0.9, ka_per_h=1.0, cl_l_per_h=3.3, v1_l=60.0, q_l_per_h=34.0, v2_l=114.0)


@pytest.mark.parametrize(
    "field, value, match",
    [
        ("F", 0.0, r"F must be in \(0, 1\] fraction; got 0"),
        ("F", 1.2, r"F must be in \(0, 1\]"),
        ("ka_per_h", -1.0, r"ka_per_h must be in \(0, 100\] 1/h"),
        ("cl_l_per_h", 0.0, r"cl_l_per_h must be in \(0"),
        ("v1_l", float("inf"), "v1_l must be finite"),
        ("q_l_per_h", float("nan"), "q_l_per_h must be finite"),
        ("v2_l", 1e6, r"v2_l must be in \(0, 10000\] L"),
        ("v2_l", "114", "v2_l must be a number"),
    ],
)
def test_params_reject_values_outside_physical_ranges(field, value, match):
    with pytest.raises(ValueError, match=match):
        pk.Params(**{**GOOD, field: value})


def test_presets_and_adjustments_reject_bad_input():
    with pytest.raises(ValueError, match="unknown preset 'child'; known presets: typical_adult, older_adult"):
        pk.Params.preset("child")
    with pytest.raises(ValueError, match="published range 19 to 60 h; got 10"):
        DEFAULT.with_half_life(10)
    with pytest.raises(ValueError, match="published range 19 to 60 h; got 70"):
        DEFAULT.with_half_life(70)
    with pytest.raises(ValueError, match="half_life_h must be finite"):
        DEFAULT.with_half_life(float("nan"))
    with pytest.raises(ValueError, match="absorption half_life_h must be in"):
        DEFAULT.with_absorption_half_life(24)


def test_concentration_and_summary_reject_bad_input():
    reg = Regimen.every(1, 24, days=2)
    with pytest.raises(ValueError, match="t_h must be finite"):
        pk.concentration(reg, [0, float("nan")])
    with pytest.raises(ValueError, match="t_h must be finite"):
        pk.concentration(reg, np.inf)
    with pytest.raises(ValueError, match="t_h must be numbers"):
        pk.concentration(reg, ["noon"])
    with pytest.raises(TypeError, match="regimen must be a clonaedu.regimens.Regimen"):
        pk.concentration([(0, 1)], [1.0])
    with pytest.raises(TypeError, match="params must be a clonaedu.pk.Params"):
        pk.concentration(reg, [1.0], params="typical_adult")
    with pytest.raises(ValueError, match=r"period_h must be in \(0, 168\]"):
        pk.summary(reg, period_h=0)


# -- sourced windows --------------------------------------------------------------------------------
def test_effect_windows_are_sourced_and_separate_half_life_from_duration():
    windows = pk.effect_windows().set_index(["window", "population"])
    assert set(windows["kind"]) == {"effect", "plasma"}
    onset = windows.loc[("onset", "not_stated")]
    assert (onset.low_h, onset.high_h, onset.kind, onset.source_id) == (0.5, 1, "effect", "at_rivotril_smpc")
    peak = windows.loc[("plasma_peak", "not_stated")]
    assert (peak.low_h, peak.high_h, peak.kind, peak.source_id) == (1, 4, "plasma", "fda_klonopin_2023")
    adult, child = windows.loc[("duration", "adult")], windows.loc[("duration", "child")]
    assert (adult.low_h, adult.high_h, child.low_h, child.high_h) == (8, 12, 6, 8)
    # said exactly as the source says it: the anticonvulsant effect of a single dose, in epilepsy
    assert "anticonvulsant effect of a single dose" in adult.note and "epilepsy" in adult.note
    # the teaching point: a single dose acts for far less time than the half-life
    assert adult.high_h < DEFAULT.terminal_half_life_h / 2


# -- tables for notebooks ------------------------------------------------------------------
def test_parameter_table_explains_every_parameter():
    table = pk.parameter_table("typical_adult")
    assert list(table.parameter) == ["F", "ka_per_h", "cl_l_per_h", "v1_l", "q_l_per_h", "v2_l"]
    assert table.meaning.notna().all() and table.meaning.str.len().min() > 20
    assert table.set_index("parameter").loc["cl_l_per_h", "value"] == 3.3
    assert set(table.status) <= {"cited", "fitted", "illustrative"}
    with pytest.raises(ValueError, match="unknown preset 'child'"):
        pk.parameter_table("child")


def test_summary_table_matches_summary_and_shares_the_average():
    from clonaedu import regimens

    table = pk.example_summary("bedtime_1mg", "bid_0_5mg").set_index("regimen")
    once = pk.summary(regimens.example("bedtime_1mg", days=2))
    row = table.loc["1 mg at bedtime"]
    assert row.peak_ss_ng_ml == round(once.cmax_ss_ng_ml, 1)
    assert row.fluctuation_pct == round(100 * once.fluctuation_ss)
    assert table.average_ss_ng_ml.nunique() == 1  # same daily total, same average
    assert set(pk.SUMMARY_COLUMNS) == {"regimen", *table.columns}
    with pytest.raises(ValueError, match="at least one regimen"):
        pk.summary_table({})
