"""Dose schedules: an immutable list of (time in hours, dose in mg).

A :class:`Regimen` is what a person takes, not what it does: the PK model in
:mod:`clonaedu.pk` turns it into a concentration curve. Time 0 is midnight at the start
of day 1, so a dose "at 08:00 on day 1" is at ``t_h = 8``.

>>> Regimen.every(0.5, 12, days=2)
Regimen(0.5 mg every 12 h, 4 doses from 0 h to 36 h; total 2 mg)
>>> Regimen.daily_at(["08:00", "22:00"], [0.25, 0.75], days=1)
Regimen(2 doses: 0.25 mg at 8 h, 0.75 mg at 22 h; total 1 mg)
>>> Regimen.every(0.5, 12, days=2).skip(1).doses_mg.tolist()
[0.5, 0.5, 0.5]

Every constructor and edit validates its arguments and raises ``ValueError`` naming the
argument and the problem. Nothing here is dosing advice: the schedules are for exploring
an illustrative model.
"""

from __future__ import annotations

import functools
import math
import operator
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import data

__all__ = ["Regimen", "examples", "example", "MAX_DOSE_MG", "MAX_INTERVAL_H", "MAX_DAYS", "MAX_TIME_H"]

#: A single dose above this is refused as a likely unit slip (µg typed as mg). The US
#: label's highest daily dose is 20 mg/day (seizure disorders), so real doses are far below.
MAX_DOSE_MG = 100.0
#: Longest interval between doses accepted by :meth:`Regimen.every` (one week).
MAX_INTERVAL_H = 168.0
#: Longest schedule the constructors build (one year).
MAX_DAYS = 365
#: Latest dose time accepted anywhere (two years), so delays near the end still fit.
MAX_TIME_H = 2 * 365 * 24.0

_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_REL_TOL = 1e-9  # relative tolerance for "the gaps are all equal"


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def _vector(values, name: str) -> np.ndarray:
    """A 1-D float copy of ``values`` or a ValueError naming ``name``."""
    try:
        arr = np.array(values, dtype=float, ndmin=1)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers; got {values!r}") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a flat list of numbers; got shape {arr.shape}")
    return arr


def _finite_number(value, name: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number; got {value!r}") from None
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite; got {value!r}")
    return x


def _check_range(x: float, name: str, low: float, high: float, *, low_open: bool = False) -> float:
    if (x <= low if low_open else x < low) or x > high:
        bracket = "(" if low_open else "["
        raise ValueError(f"{name} must be in {bracket}{_fmt(low)}, {_fmt(high)}]; got {_fmt(x)}")
    return x


def _clock_hours(value, name: str) -> float:
    """``"08:30"`` -> 8.5; a number of hours in [0, 24) passes through."""
    if isinstance(value, str):
        match = _CLOCK.match(value)
        if not match:
            raise ValueError(f"{name}: {value!r} is not a clock time like '08:00'")
        hours, minutes = int(match[1]), int(match[2])
        if hours > 23 or minutes > 59:
            raise ValueError(f"{name}: {value!r} is not a clock time between 00:00 and 23:59")
        return hours + minutes / 60
    x = _finite_number(value, name)
    if not 0 <= x < 24:
        raise ValueError(f"{name}: {_fmt(x)} h is not a time of day in [0, 24)")
    return x


@dataclass(frozen=True, eq=False, repr=False)
class Regimen:
    """Doses taken at given times: ``times_h`` (hours from midnight of day 1, increasing)
    and ``doses_mg`` (mg of clonazepam per dose), read-only numpy arrays of equal length.

    Build one with :meth:`every`, :meth:`daily_at` or :meth:`single`, or directly:
    ``Regimen(times_h=[8, 20], doses_mg=[0.5, 0.5])``. Edits (:meth:`skip`,
    :meth:`delay`, :meth:`scaled`, ``+``) return a new regimen.

    Raises ``ValueError`` for an empty regimen, mismatched lengths, negative, NaN or
    infinite times or doses, doses above ``MAX_DOSE_MG``, and unsorted or duplicate times.
    """

    times_h: np.ndarray
    doses_mg: np.ndarray

    def __post_init__(self):
        times = _vector(self.times_h, "times_h")
        doses = _vector(self.doses_mg, "doses_mg")
        if times.size == 0:
            raise ValueError("a Regimen needs at least one dose; times_h is empty")
        if times.size != doses.size:
            raise ValueError(
                f"times_h and doses_mg must have the same length; got {times.size} times and {doses.size} doses"
            )
        for arr, name, high in ((times, "times_h", MAX_TIME_H), (doses, "doses_mg", MAX_DOSE_MG)):
            bad = ~np.isfinite(arr)
            if bad.any():
                i = int(np.argmax(bad))
                raise ValueError(f"{name} must be finite; got {arr[i]} at index {i}")
            if (arr < 0).any():
                i = int(np.argmax(arr < 0))
                raise ValueError(f"{name} must not be negative; got {_fmt(arr[i])} at index {i}")
            if (arr > high).any():
                i = int(np.argmax(arr > high))
                raise ValueError(f"{name} must be at most {_fmt(high)}; got {_fmt(arr[i])} at index {i}")
        gaps = np.diff(times)
        if (gaps == 0).any():
            i = int(np.argmax(gaps == 0)) + 1
            raise ValueError(f"times_h has a duplicate time {_fmt(times[i])} h at index {i} (one dose per time)")
        if (gaps < 0).any():
            i = int(np.argmax(gaps < 0)) + 1
            raise ValueError(
                f"times_h must be sorted in increasing order; {_fmt(times[i])} h at index {i} "
                f"comes after {_fmt(times[i - 1])} h"
            )
        times.flags.writeable = False
        doses.flags.writeable = False
        object.__setattr__(self, "times_h", times)
        object.__setattr__(self, "doses_mg", doses)

    # -- constructors -------------------------------------------------------------------
    @classmethod
    def every(cls, dose_mg: float, interval_h: float, days: float = 7, start_h: float = 0) -> Regimen:
        """``dose_mg`` every ``interval_h`` hours for ``days`` days from ``start_h``.

        Doses fall at ``start_h + k * interval_h`` for every ``k`` with a time before
        ``start_h + 24 * days``. ``Regimen.every(0.5, 12, days=7)`` is 14 doses.
        ``interval_h`` must be in (0, 168] h, ``days`` in (0, 365], ``start_h`` >= 0.
        """
        dose = _check_range(_finite_number(dose_mg, "dose_mg"), "dose_mg", 0, MAX_DOSE_MG)
        interval = _check_range(_finite_number(interval_h, "interval_h"), "interval_h", 0, MAX_INTERVAL_H, low_open=True)
        span = _check_range(_finite_number(days, "days"), "days", 0, MAX_DAYS, low_open=True) * 24
        start = _check_range(_finite_number(start_h, "start_h"), "start_h", 0, MAX_TIME_H - span)
        n = math.ceil(span / interval - _REL_TOL)
        return cls(start + interval * np.arange(n), np.full(n, dose))

    @classmethod
    def daily_at(
        cls, times: Sequence[str | float] | str | float, doses_mg: Sequence[float] | float, days: int = 7
    ) -> Regimen:
        """The same clock times every day for ``days`` days (starting on day 1).

        ``times`` are clock strings (``"08:00"``) or hours in [0, 24); ``doses_mg`` is one
        dose for every time or one per time. ``Regimen.daily_at(["08:00", "20:00"], 0.5)``
        is 0.5 mg twice a day; ``Regimen.daily_at(["08:00", "22:00"], [0.25, 0.75])`` is
        0.25 mg in the morning and 0.75 mg at bedtime. ``days`` is a whole number in 1..365.
        """
        times_list = [times] if isinstance(times, (str, int, float)) else list(times)
        if not times_list:
            raise ValueError("times is empty: give at least one clock time such as '08:00'")
        hours = np.array([_clock_hours(t, f"times[{i}]") for i, t in enumerate(times_list)])
        doses = _vector(doses_mg, "doses_mg")
        if doses.size == 1:
            doses = np.full(hours.size, doses[0])
        elif doses.size != hours.size:
            raise ValueError(f"doses_mg must be one dose or one per time; got {doses.size} doses for {hours.size} times")
        if isinstance(days, bool) or not isinstance(days, (int, np.integer)):
            raise ValueError(f"days must be a whole number of days; got {days!r}")
        _check_range(days, "days", 1, MAX_DAYS)
        order = np.argsort(hours, kind="stable")
        hours, doses = hours[order], doses[order]
        if (np.diff(hours) == 0).any():
            raise ValueError("times has the same clock time twice; give each time once")
        day_starts = 24.0 * np.arange(days)
        return cls((day_starts[:, None] + hours).ravel(), np.tile(doses, days))

    @classmethod
    def single(cls, dose_mg: float, t_h: float = 0) -> Regimen:
        """One dose of ``dose_mg`` at ``t_h`` hours."""
        return cls([_finite_number(t_h, "t_h")], [_finite_number(dose_mg, "dose_mg")])

    # -- edits (each returns a new Regimen) ------------------------------------------------
    def _index(self, index) -> int:
        try:
            i = operator.index(index)
        except TypeError:
            raise ValueError(f"index must be a whole number; got {index!r}") from None
        n = len(self)
        if not -n <= i < n:
            raise ValueError(f"index {i} is out of range for a regimen of {n} doses")
        return i % n

    def skip(self, index: int) -> Regimen:
        """The same regimen without dose number ``index`` (0-based; -1 is the last dose)."""
        i = self._index(index)
        if len(self) == 1:
            raise ValueError("cannot skip the only dose: a Regimen needs at least one dose")
        return Regimen(np.delete(self.times_h, i), np.delete(self.doses_mg, i))

    def delay(self, index: int, hours: float) -> Regimen:
        """Dose number ``index`` taken ``hours`` late (``hours`` >= 0).

        The late dose must still come before the next scheduled dose: ``ValueError``
        otherwise (that would be a skipped dose or a double dose, not a late one).
        """
        i = self._index(index)
        late = _finite_number(hours, "hours")
        if late < 0:
            raise ValueError(f"hours must not be negative (a delay); got {_fmt(late)}")
        times = self.times_h.copy()
        times[i] += late
        if i + 1 < len(self) and times[i] >= self.times_h[i + 1]:
            raise ValueError(
                f"delaying dose {i} by {_fmt(late)} h would move it to {_fmt(times[i])} h, "
                f"at or past the next dose at {_fmt(self.times_h[i + 1])} h"
            )
        return Regimen(times, self.doses_mg)

    def scaled(self, factor: float) -> Regimen:
        """Every dose multiplied by ``factor`` (> 0)."""
        f = _finite_number(factor, "factor")
        if f <= 0:
            raise ValueError(f"factor must be positive; got {_fmt(f)}")
        return Regimen(self.times_h, self.doses_mg * f)

    def __add__(self, other: Regimen) -> Regimen:
        """Both regimens' doses together; ``ValueError`` if they share a dose time."""
        if not isinstance(other, Regimen):
            return NotImplemented
        shared = np.intersect1d(self.times_h, other.times_h)
        if shared.size:
            raise ValueError(f"cannot merge regimens: both have a dose at {_fmt(shared[0])} h")
        times = np.concatenate([self.times_h, other.times_h])
        order = np.argsort(times, kind="stable")
        return Regimen(times[order], np.concatenate([self.doses_mg, other.doses_mg])[order])

    # -- properties ------------------------------------------------------------------
    @property
    def total_mg(self) -> float:
        """Sum of all doses (mg)."""
        return float(self.doses_mg.sum())

    @property
    def interval_h(self) -> float | None:
        """The common gap between consecutive doses (h), or ``None`` if the gaps differ
        or there is only one dose."""
        if len(self) < 2:
            return None
        gaps = np.diff(self.times_h)
        return float(gaps[0]) if np.allclose(gaps, gaps[0], rtol=_REL_TOL, atol=0) else None

    @property
    def period_h(self) -> float | None:
        """How often the dosing pattern repeats (h), as used for steady state.

        ``interval_h`` when doses are evenly spaced and equal; otherwise 24 h (a daily
        pattern such as 0.25 mg at 08:00 and 0.75 mg at 22:00, or an edited regimen whose
        first day is taken as the pattern); ``None`` for a single dose.
        """
        if len(self) < 2:
            return None
        interval = self.interval_h
        if interval is not None and np.allclose(self.doses_mg, self.doses_mg[0], rtol=_REL_TOL, atol=0):
            return interval
        return 24.0

    def first_period(self, period_h: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(offsets_h, doses_mg) of the doses in the first ``period_h`` hours from the first
        dose (default :attr:`period_h`), offsets measured from the first dose."""
        period = self.period_h if period_h is None else _finite_number(period_h, "period_h")
        if period is None:
            raise ValueError("a single dose has no repeating period; pass period_h to repeat it")
        _check_range(period, "period_h", 0, MAX_INTERVAL_H, low_open=True)
        offsets = self.times_h - self.times_h[0]
        keep = offsets < period * (1 - _REL_TOL)
        return offsets[keep], self.doses_mg[keep]

    @property
    def daily_total_mg(self) -> float:
        """Dose per 24 h of the repeating pattern (mg/day): the first period's doses scaled
        to 24 h (``every(0.5, 12)`` gives 1.0). For a single dose, that dose."""
        if len(self) < 2:
            return float(self.doses_mg[0])
        _, doses = self.first_period()
        return float(doses.sum() * 24.0 / self.period_h)

    # -- container protocol and display ------------------------------------------------
    def __len__(self) -> int:
        return int(self.times_h.size)

    def __iter__(self) -> Iterator[tuple[float, float]]:
        """Iterate over (time_h, dose_mg) pairs."""
        return zip(self.times_h.tolist(), self.doses_mg.tolist())

    def __eq__(self, other) -> bool:
        if not isinstance(other, Regimen):
            return NotImplemented
        return np.array_equal(self.times_h, other.times_h) and np.array_equal(self.doses_mg, other.doses_mg)

    def __hash__(self) -> int:
        return hash((self.times_h.tobytes(), self.doses_mg.tobytes()))

    def __repr__(self) -> str:
        n, total = len(self), _fmt(self.total_mg)
        t, d = self.times_h, self.doses_mg
        if n > 1 and self.period_h == self.interval_h:
            return (
                f"Regimen({_fmt(d[0])} mg every {_fmt(self.interval_h)} h, {n} doses "
                f"from {_fmt(t[0])} h to {_fmt(t[-1])} h; total {total} mg)"
            )
        pairs = [f"{_fmt(dose)} mg at {_fmt(time)} h" for time, dose in self]
        if n > 7:
            pairs = [*pairs[:3], "...", *pairs[-3:]]
        noun = "dose" if n == 1 else "doses"
        return f"Regimen({n} {noun}: {', '.join(pairs)}; total {total} mg)"



def examples() -> pd.DataFrame:
    """The named example regimens of ``data/regimen_examples.csv`` (teaching examples, not
    recommendations), indexed by ``regimen_id``: label, clock_times, doses_mg, source_id, note."""
    table = data.table("regimen_examples").set_index("regimen_id", drop=False)
    for rid, row in table.iterrows():
        if len(row.clock_times) != len(row.doses_mg):
            raise data.DataError(
                f"data/regimen_examples.csv, regimen {rid!r}, column 'doses_mg': {len(row.doses_mg)} doses "
                f"for {len(row.clock_times)} clock times"
            )
    return table


@functools.lru_cache(maxsize=1)
def _patterns() -> dict[str, tuple[tuple[str, ...], tuple[float, ...]]]:
    """{regimen_id: (clock times, doses)} read once (a panel builds regimens on every change)."""
    return {rid: (tuple(row.clock_times), tuple(float(d) for d in row.doses_mg))
            for rid, row in examples().iterrows()}


def example(regimen_id: str, days: int = 7) -> Regimen:
    """The example regimen ``regimen_id`` repeated for ``days`` days (see :func:`examples`).
    ``ValueError`` for an unknown id, listing the known ones."""
    patterns = _patterns()
    if regimen_id not in patterns:
        raise ValueError(f"unknown regimen_id {regimen_id!r}; known: {', '.join(patterns)}")
    times, doses = patterns[regimen_id]
    return Regimen.daily_at(list(times), list(doses), days=days)
