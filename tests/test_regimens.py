"""Tests of clonaedu.regimens: constructors, edits, properties and input validation."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clonaedu.regimens import Regimen

# -- constructors ------------------------------------------------------------------------


def test_every_places_doses_at_the_interval():
    reg = Regimen.every(0.5, 12, days=7)
    assert len(reg) == 14
    np.testing.assert_array_equal(reg.times_h, np.arange(0, 168, 12))
    np.testing.assert_array_equal(reg.doses_mg, np.full(14, 0.5))
    assert reg.total_mg == pytest.approx(7.0)
    assert reg.interval_h == 12
    assert reg.period_h == 12
    assert reg.daily_total_mg == pytest.approx(1.0)


def test_every_with_start_and_uneven_day_split():
    reg = Regimen.every(1, 5, days=1, start_h=8)
    np.testing.assert_array_equal(reg.times_h, [8, 13, 18, 23, 28])
    assert reg.daily_total_mg == pytest.approx(24 / 5)


def test_every_interval_longer_than_a_day():
    reg = Regimen.every(1, 36, days=3)
    np.testing.assert_array_equal(reg.times_h, [0, 36])
    assert reg.daily_total_mg == pytest.approx(2 / 3)


def test_daily_at_clock_strings_twice_daily():
    reg = Regimen.daily_at(["08:00", "20:00"], 0.5, days=2)
    np.testing.assert_array_equal(reg.times_h, [8, 20, 32, 44])
    assert reg.interval_h == 12
    assert reg.period_h == 12
    assert reg.daily_total_mg == pytest.approx(1.0)


def test_daily_at_unequal_doses_uses_a_24_h_period():
    reg = Regimen.daily_at(["22:00", "08:00"], [0.75, 0.25], days=3)  # given out of order
    np.testing.assert_array_equal(reg.times_h, [8, 22, 32, 46, 56, 70])
    np.testing.assert_array_equal(reg.doses_mg, [0.25, 0.75] * 3)
    assert reg.interval_h is None
    assert reg.period_h == 24
    assert reg.daily_total_mg == pytest.approx(1.0)
    offsets, doses = reg.first_period()
    np.testing.assert_array_equal(offsets, [0, 14])
    np.testing.assert_array_equal(doses, [0.25, 0.75])


def test_even_times_but_unequal_doses_repeat_daily():
    reg = Regimen.daily_at(["08:00", "20:00"], [0.25, 0.75], days=2)
    assert reg.interval_h == 12  # the gaps are even
    assert reg.period_h == 24  # but the doses repeat only every day
    assert reg.daily_total_mg == pytest.approx(1.0)


def test_daily_at_accepts_hours_and_minutes():
    reg = Regimen.daily_at([7.5, "21:30"], [0.25, 0.5], days=1)
    np.testing.assert_allclose(reg.times_h, [7.5, 21.5])


def test_single_dose():
    reg = Regimen.single(2, t_h=3)
    assert len(reg) == 1
    assert list(reg) == [(3.0, 2.0)]
    assert reg.interval_h is None
    assert reg.period_h is None
    assert reg.daily_total_mg == 2


def test_direct_construction_copies_its_input():
    times = np.array([0.0, 12.0])
    reg = Regimen(times, [1, 1])
    times[0] = 99
    assert reg.times_h[0] == 0


# -- edits ---------------------------------------------------------------------------------


def test_skip_removes_one_dose_and_keeps_the_original():
    reg = Regimen.every(0.5, 12, days=2)
    skipped = reg.skip(1)
    np.testing.assert_array_equal(skipped.times_h, [0, 24, 36])
    assert skipped.total_mg == pytest.approx(1.5)
    assert skipped.interval_h is None
    assert len(reg) == 4  # unchanged
    np.testing.assert_array_equal(reg.skip(-1).times_h, [0, 12, 24])


def test_delay_moves_one_dose_later():
    reg = Regimen.every(0.5, 12, days=2)
    late = reg.delay(1, 4)
    np.testing.assert_array_equal(late.times_h, [0, 16, 24, 36])
    np.testing.assert_array_equal(late.doses_mg, reg.doses_mg)
    assert reg.delay(3, 100).times_h[-1] == 136  # the last dose has no next dose
    assert reg.delay(0, 0) == reg


def test_scaled_and_merge():
    reg = Regimen.every(0.5, 24, days=2)
    np.testing.assert_array_equal(reg.scaled(2).doses_mg, [1, 1])
    both = reg + Regimen.every(0.25, 24, days=2, start_h=12)
    np.testing.assert_array_equal(both.times_h, [0, 12, 24, 36])
    np.testing.assert_array_equal(both.doses_mg, [0.5, 0.25, 0.5, 0.25])
    assert both.total_mg == pytest.approx(1.5)


def test_regimen_is_immutable_and_hashable():
    reg = Regimen.every(1, 24, days=2)
    with pytest.raises(ValueError, match="read-only"):
        reg.times_h[0] = 5
    with pytest.raises(AttributeError):
        reg.doses_mg = np.array([2, 2])
    assert reg == Regimen([0, 24], [1, 1])
    assert hash(reg) == hash(Regimen([0, 24], [1, 1]))
    assert reg != Regimen([0, 24], [1, 2])


def test_repr_is_readable():
    assert repr(Regimen.every(0.5, 12, days=2)) == "Regimen(0.5 mg every 12 h, 4 doses from 0 h to 36 h; total 2 mg)"
    assert repr(Regimen.single(2)) == "Regimen(1 dose: 2 mg at 0 h; total 2 mg)"
    long = repr(Regimen.daily_at(["08:00", "22:00"], [0.25, 0.75], days=7))
    assert long.startswith("Regimen(14 doses: 0.25 mg at 8 h, 0.75 mg at 22 h, 0.25 mg at 32 h, ..., ")
    assert "0x" not in long


# -- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "times, doses, match",
    [
        ([], [], "at least one dose; times_h is empty"),
        ([0, 12], [1], "same length"),
        ([0, 12], [1, -0.5], "doses_mg must not be negative"),
        ([-1, 12], [1, 1], "times_h must not be negative"),
        ([0, 12], [1, float("nan")], "doses_mg must be finite"),
        ([0, float("inf")], [1, 1], "times_h must be finite"),
        ([12, 0], [1, 1], "times_h must be sorted"),
        ([0, 12, 12], [1, 1, 1], "duplicate time 12 h"),
        ([0], [500], "doses_mg must be at most 100"),
        (["noon"], [1], "times_h must be numbers"),
    ],
)
def test_regimen_rejects_bad_doses_and_times(times, doses, match):
    with pytest.raises(ValueError, match=match):
        Regimen(times, doses)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(dose_mg=1, interval_h=0), r"interval_h must be in \(0, 168\]"),
        (dict(dose_mg=1, interval_h=-12), r"interval_h must be in \(0, 168\]"),
        (dict(dose_mg=1, interval_h=200), r"interval_h must be in \(0, 168\]"),
        (dict(dose_mg=1, interval_h=float("nan")), "interval_h must be finite"),
        (dict(dose_mg=-1, interval_h=12), r"dose_mg must be in \[0, 100\]"),
        (dict(dose_mg=1, interval_h=12, days=400), r"days must be in \(0, 365\]"),
        (dict(dose_mg=1, interval_h=12, days=0), r"days must be in \(0, 365\]"),
        (dict(dose_mg=1, interval_h=12, start_h=-3), "start_h must be in"),
    ],
)
def test_every_rejects_absurd_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Regimen.every(**kwargs)


@pytest.mark.parametrize(
    "times, doses, days, match",
    [
        (["25:00"], 1, 1, "not a clock time between 00:00 and 23:59"),
        (["8am"], 1, 1, "'8am' is not a clock time like '08:00'"),
        ([24], 1, 1, r"not a time of day in \[0, 24\)"),
        ([], 1, 1, "times is empty"),
        (["08:00", "8:00"], [1, 1], 1, "same clock time twice"),
        (["08:00", "20:00"], [1, 1, 1], 1, "one dose or one per time"),
        (["08:00"], 1, 2.5, "days must be a whole number"),
        (["08:00"], 1, 366, r"days must be in \[1, 365\]"),
    ],
)
def test_daily_at_rejects_bad_arguments(times, doses, days, match):
    with pytest.raises(ValueError, match=match):
        Regimen.daily_at(times, doses, days=days)


def test_edits_reject_bad_arguments():
    reg = Regimen.every(0.5, 12, days=2)
    with pytest.raises(ValueError, match="at or past the next dose at 24 h"):
        reg.delay(1, 12)
    with pytest.raises(ValueError, match="hours must not be negative"):
        reg.delay(1, -1)
    with pytest.raises(ValueError, match="index 4 is out of range for a regimen of 4 doses"):
        reg.skip(4)
    with pytest.raises(ValueError, match="index must be a whole number"):
        reg.skip(1.5)
    with pytest.raises(ValueError, match="cannot skip the only dose"):
        Regimen.single(1).skip(0)
    with pytest.raises(ValueError, match="factor must be positive"):
        reg.scaled(0)
    with pytest.raises(ValueError, match="both have a dose at 12 h"):
        reg + Regimen.single(1, t_h=12)
    with pytest.raises(ValueError, match="single dose has no repeating period"):
        Regimen.single(1).first_period()


# -- properties --------------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(
    dose=st.floats(0.01, 10),
    interval=st.floats(0.5, 168),
    days=st.integers(1, 60),
    start=st.floats(0, 48),
)
def test_every_is_evenly_spaced_and_spans_the_days(dose, interval, days, start):
    reg = Regimen.every(dose, interval, days=days, start_h=start)
    assert reg.times_h[0] == start
    assert reg.times_h[-1] < start + 24 * days
    assert reg.times_h[-1] + interval >= start + 24 * days * (1 - 1e-9)
    if len(reg) > 1:
        assert reg.interval_h == pytest.approx(interval)
        assert reg.period_h == pytest.approx(interval)
    assert reg.total_mg == pytest.approx(dose * len(reg))
    assert math.isclose(reg.daily_total_mg, dose * 24 / interval) or len(reg) == 1


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 1000, allow_nan=False), min_size=2, max_size=20, unique=True), st.data())
def test_merge_of_disjoint_regimens_keeps_every_dose(times, data):
    split = data.draw(st.integers(1, len(times) - 1))
    a, b = sorted(times[:split]), sorted(times[split:])
    merged = Regimen(a, np.ones(len(a))) + Regimen(b, 2 * np.ones(len(b)))
    np.testing.assert_array_equal(merged.times_h, sorted(times))
    assert merged.total_mg == pytest.approx(len(a) + 2 * len(b))
