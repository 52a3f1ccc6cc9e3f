"""Taper schedules: how published rules lower a clonazepam dose to zero, step by step, and the
illustrative plasma level through them.

**Teaching material about how tapers are designed, never a plan for a person.** A real taper
is set, slowed or paused by a prescriber with the patient; these tables only show what each
published rule implies when followed with the marketed tablet strengths.

The rules are rows of ``data/taper_rules.csv`` (each with its source and what that source says
to do when withdrawal appears, ``if_withdrawal``):

``label_panic``
    US label, panic disorder: lower each of the two daily doses by 0.125 mg (0.25 mg/day)
    every 3 days until stopped (fda_klonopin_2023). The step and interval must agree with
    ``data/dose_landmarks.csv`` (``taper_step``, ``taper_interval``); loading refuses a
    mismatch. No percent can be chosen. The label itself says to pause, or go back a step,
    and then go more slowly if withdrawal reactions appear.
``joint_guideline_2025``
    **The course's construction** (clonaedu_model) from the 2025 Joint Clinical Practice
    Guideline's pace (joint_taper_2025): cut 5 to 10% of the dose every 14 to 28 days, and keep
    the *average* pace within 25% per 2 weeks by holding a dose longer before any cut the
    tablets force to be larger. It is not a schedule the guideline gives: the guideline says
    reductions are generally not more than 25% every 2 weeks, so a single 33% or 50% step is
    larger than it advises, which is why smaller dose units (ODTs) or a switch to a
    longer-acting benzodiazepine are the guideline-consistent options. Default 10% every 14
    days, the fastest pace inside the recommended range.

No schedule carries the Ashton Manual's name: its withdrawal schedules could not be read in
the stored text, so the course does not draw one (see ``data/sources.csv``, ``ashton2002``).

Conventions (the same for every rule):

* **Days.** Step 0 is the starting dose, on day 0. Each row lasts ``hold_days``: the rule's
  interval, or longer where the schedule holds a dose (see *Pace* and *Options*). The last row
  (daily total 0) is the first day without any dose; its day is the schedule's duration.
  From 1 mg/day the label rule gives 1 → 0.75 → 0.5 → 0.25 → 0 mg/day on days 0, 3, 6, 9, 12.
* **Doses.** Two doses a day, morning and bedtime (``evening_mg``). A daily total is split
  as evenly as the strengths allow; when the two doses differ, the larger is at bedtime
  (0.75 mg/day with tablets = 0.25 mg morning + 0.5 mg bedtime). A daily total that is the
  smallest makeable dose is one bedtime dose (0.25 mg/day with tablets = bedtime only).
* **Makeable doses.** Every dose is made from the marketed strengths of the chosen form
  (``data/dosage_forms.csv``) by :func:`clonaedu.dosing.tablets_for`: tablets 0.5 mg
  (scored: halves allowed), 1 and 2 mg, so doses go in steps of 0.25 mg; orally
  disintegrating tablets (ODT) 0.125 to 2 mg, never split, so steps of 0.125 mg. A dose the
  form cannot make never appears. A starting dose that cannot be made is refused.
* **Rounding (percent rules).** Each step aims at ``percent`` of the *current* daily total
  and is rounded **up** to the nearest makeable total that is still below the current one,
  so a cut never exceeds the chosen percent when the strengths allow it. When the chosen
  percent is smaller than the smallest possible reduction (10% of 1 mg is 0.1 mg, less than
  the 0.25 mg a tablet step can remove), the step takes the next makeable lower dose instead,
  marked ``larger_than_rule``. The schedule never stalls and always ends with the smallest
  makeable dose, then stop (a 100% step).
* **Pace (rules with a cap; the course's construction).** The guideline's pace is generally
  not more than ``cap_percent`` per ``cap_window_days`` (25% per 14 days). Where the strengths
  force a larger single cut, the course holds the dose before it longer, in whole weeks, until
  the cut *averaged over the hold* fits: a 33% cut after 21 days, a 50% cut after 28 days (25%
  per 14 days on average). The single cut is still larger than 25%, and is flagged; so is the
  final stop from the smallest makeable dose, which cannot fit at all.
* **Options.** ``holds`` keeps chosen steps for extra days (a pause); ``slow_last_steps`` and
  ``slow_interval_days`` space the last steps further apart (slowing near the end);
  ``switch="diazepam"`` (guideline rule) changes to a diazepam dose first, one dose at a
  time over the guideline's gradual switching period, and tapers diazepam at the same pace
  (:func:`diazepam_equivalent`; equivalence is a range).

Public surface: :func:`schedule`, :func:`summary` (:class:`TaperSummary`), :func:`compare`,
:func:`guideline_options`, :func:`diazepam_equivalent`, :func:`pace`, :func:`rules`,
:func:`rule_names`, :func:`split_daily`, :func:`makeable_totals`,
:func:`concentration_through_taper` (:class:`TaperCurve`), :func:`step_xy`,
:func:`dose_clock_times`, :data:`NOTICE`, :data:`NO_DIAZEPAM_LEVEL`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from . import compare as _compare
from . import data, pk, regimens
from .data import DataError, Dataset
from .dosing import _dose, _number, tablets_for

__all__ = [
    "NOTICE", "NO_DIAZEPAM_LEVEL", "MIXED_DRUG", "TaperSummary", "TaperCurve", "schedule", "summary", "compare",
    "guideline_options", "diazepam_equivalent", "pace", "rules", "rule_names", "split_daily",
    "makeable_totals", "concentration_through_taper", "schedule_curve", "clonazepam_equivalent_totals",
    "step_xy", "dose_clock_times",
]

NOTICE = (
    "Teaching material about how tapers are designed, not a plan for any person: a real taper "
    "is set, slowed or paused by a prescriber together with the patient."
)

#: why the planner draws no level after a switch to diazepam
NO_DIAZEPAM_LEVEL = (
    "No level is drawn for the diazepam switch: the course's illustrative model is built from "
    "clonazepam data only, and diazepam and its long-lived active metabolite would need their own "
    "cited parameters."
)

COLUMNS = [
    "step", "day", "drug", "morning_mg", "evening_mg", "daily_total_mg", "cut_percent", "hold_days",
    "larger_than_rule", "morning_tablets", "evening_tablets",
]

_LABEL_RULE = "label_panic"
_EPS = 1e-9
#: internal form key for diazepam tablets (data/diazepam_tablets.csv); never a user-facing form
_DIAZEPAM = "diazepam"
SWITCHES = ("diazepam",)
#: internal marker of the switch row taken one dose at a time (diazepam morning, clonazepam bedtime)
_MIXED = "mixed"
#: the ``drug`` value of that row
MIXED_DRUG = "diazepam morning, clonazepam bedtime"
#: input check, not a clinical number: the longest extra hold or slowed interval accepted (12 weeks)
MAX_HOLD_DAYS = 84

# --------------------------------------------------------------------------------------
# Rules (data/taper_rules.csv), cross-checked against the label landmarks
# --------------------------------------------------------------------------------------
def _rule_table(ds: Dataset | None = None) -> pd.DataFrame:
    """The taper rules indexed by rule name, after the cross-table checks.

    Raises :class:`clonaedu.data.DataError` when the label rule disagrees with the
    ``taper_step`` / ``taper_interval`` / ``doses_per_day`` landmarks of
    ``data/dose_landmarks.csv``, when a fixed-step rule is not twice daily, or when a rule's
    pace cap spans more days than its shortest interval (the cap is checked step by step).
    """
    ds = ds if ds is not None else data.default_dataset()
    table = ds.table("taper_rules").set_index("rule", drop=False)
    where = "data/taper_rules.csv"
    lm = ds.table("dose_landmarks")
    lm = lm[(lm.indication == "panic_disorder") & (lm.population == "adult")].set_index("landmark")
    for name, row in table.iterrows():
        if row.kind == "fixed_step" and int(row.doses_per_day) != 2:
            raise DataError(f"{where}, rule {name!r}, column 'doses_per_day': schedules are twice "
                            f"daily (morning and bedtime), got {row.doses_per_day}")
        if not pd.isna(row.cap_percent) and int(row.cap_window_days) > int(row.interval_days_min):
            raise DataError(f"{where}, rule {name!r}, column 'cap_window_days': {row.cap_window_days} "
                            f"days is longer than the shortest interval ({row.interval_days_min} days)")
    if _LABEL_RULE not in table.index:
        raise DataError(f"{where}: the rule {_LABEL_RULE!r} is missing")
    row = table.loc[_LABEL_RULE]
    checks = [
        ("step_mg_per_dose", row.step_mg_per_dose, "taper_step"),
        ("interval_days_min", row.interval_days_min, "taper_interval"),
        ("interval_days_default", row.interval_days_default, "taper_interval"),
        ("interval_days_max", row.interval_days_max, "taper_interval"),
        ("doses_per_day", row.doses_per_day, "doses_per_day"),
    ]
    for column, value, landmark in checks:
        if landmark not in lm.index:
            raise DataError(f"data/dose_landmarks.csv: the panic-disorder landmark {landmark!r} is missing "
                            f"(the rule {_LABEL_RULE!r} of {where} is checked against it)")
        expected = lm.loc[landmark]
        if pd.isna(value) or not (abs(float(value) - expected.low) < _EPS and abs(float(value) - expected.high) < _EPS):
            raise DataError(
                f"{where}, rule {_LABEL_RULE!r}, column {column!r}: {value} disagrees with "
                f"data/dose_landmarks.csv ({landmark} = {expected.low:g} {expected.unit})"
            )
    return table


def rules() -> pd.DataFrame:
    """The taper rules of ``data/taper_rules.csv``, indexed by rule name.

    Columns: kind (``fixed_step`` or ``percent``), title, step_mg_per_dose (fixed-step
    rules), doses_per_day, percent_min / percent_default / percent_max (percent of the
    current daily dose per step), interval_days_min / _default / _max (days between steps),
    cap_percent per cap_window_days (a pace the source says should typically not be
    exceeded), source_id, wording (a paraphrase of the source) and verification (how the
    numbers were checked), if_withdrawal (what the same source says to do when withdrawal
    appears). Sources: fda_klonopin_2023, joint_taper_2025.
    Teaching material about how tapers are designed, never a plan for a person.
    """
    return _rule_table()


def rule_names() -> list[str]:
    """Names of the taper rules (``data/taper_rules.csv``), for a dropdown or an error message.
    Teaching material about how tapers are designed, never a plan for a person."""
    return sorted(_rules_by_name(data.default_dataset()))


@dataclass(frozen=True)
class _Rule:
    """One validated row of taper_rules.csv (None where the table is empty)."""

    rule: str
    kind: str
    title: str
    step_mg_per_dose: float | None
    doses_per_day: int | None
    percent_min: float | None
    percent_default: float | None
    percent_max: float | None
    interval_days_min: int
    interval_days_default: int
    interval_days_max: int
    cap_percent: float | None
    cap_window_days: int | None
    source_id: str


@functools.lru_cache(maxsize=8)
def _rules_by_name(ds: Dataset) -> dict[str, _Rule]:
    """Validated rules of one dataset, cached per dataset (its tables are cached too)."""
    table = _rule_table(ds)
    fields = _Rule.__dataclass_fields__
    out = {}
    for name, row in table.iterrows():
        values = {}
        for f in fields:
            v = row[f]
            values[f] = None if pd.isna(v) else (int(v) if fields[f].type.startswith("int") else
                                                 float(v) if "float" in fields[f].type else v)
        out[name] = _Rule(**values)
    return out


@functools.lru_cache(maxsize=8)
def _panic_maximum(ds: Dataset) -> float:
    """The label's panic-disorder maximum (mg/day) from data/dose_landmarks.csv."""
    lm = ds.table("dose_landmarks")
    row = lm[(lm.indication == "panic_disorder") & (lm.population == "adult") & (lm.landmark == "maximum")]
    return float(row.low.iloc[0])


def _rule(name) -> _Rule:
    known = _rules_by_name(data.default_dataset())
    if not isinstance(name, str) or name not in known:
        raise ValueError(f"unknown rule {name!r}; known rules: {', '.join(sorted(known))}")
    return known[name]


# --------------------------------------------------------------------------------------
# Makeable doses, in whole units of the form's grid
# --------------------------------------------------------------------------------------
def _check_form(form) -> str:
    forms = sorted(set(data.table("dosage_forms").form))
    if not isinstance(form, str) or form not in forms:
        raise ValueError(f"unknown form {form!r}; choose one of {forms}")
    return form


@functools.lru_cache(maxsize=None)
def _grid_mg(form: str) -> float:
    """Largest amount that divides every piece of ``form`` (whole tablets, halves of scored
    ones): every makeable dose is a whole multiple of it (tablets 0.25 mg, ODT 0.125 mg)."""
    rows = _form_rows(form)
    pieces = []
    for strength, scored in zip(rows.strength_mg, rows.scored):
        size = Fraction(str(float(strength)))
        pieces.append(size)
        if scored:
            pieces.append(size / 2)
    denominator = math.lcm(*(p.denominator for p in pieces))
    return float(Fraction(math.gcd(*(int(p * denominator) for p in pieces)), denominator))


def _form_rows(form: str) -> pd.DataFrame:
    """strength_mg, scored and source_id of each piece of ``form`` (clonazepam forms from
    data/dosage_forms.csv; the internal diazepam form from data/diazepam_tablets.csv)."""
    if form == _DIAZEPAM:
        return data.table("diazepam_tablets")
    rows = data.table("dosage_forms")
    return rows[rows.form == form]


@functools.lru_cache(maxsize=None)
def _form_sources(form: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_form_rows(form).source_id))


def _whole_tablets(units: int, form: str) -> str | None:
    """Fewest whole tablets of ``form`` that make ``units`` grid steps (diazepam: never split)."""
    grid = _grid_mg(form)
    sizes = sorted({round(float(s) / grid) for s in _form_rows(form).strength_mg}, reverse=True)
    best: list[tuple | None] = [()] + [None] * units
    for amount in range(1, units + 1):
        for size in sizes:
            prev = best[amount - size] if size <= amount else None
            if prev is not None and (best[amount] is None or len(prev) + 1 < len(best[amount])):
                best[amount] = prev + (size,)
    if best[units] is None:
        return None
    counts = {size: best[units].count(size) for size in sizes if size in best[units]}
    return " + ".join(f"{n} × {size * grid:g} mg diazepam tablet" for size, n in counts.items())


@functools.lru_cache(maxsize=None)
def _dose_text(form: str, units: int) -> str | None:
    """Text of the pieces that make ``units`` grid steps as one dose, or None if unmakeable."""
    if units == 0:
        return "none"
    if form == _DIAZEPAM:
        return _whole_tablets(units, form)
    try:
        return str(tablets_for(units * _grid_mg(form), form))
    except ValueError:
        return None


@functools.lru_cache(maxsize=None)
def _split_units(form: str, units: int) -> tuple[int, int] | None:
    """(morning, bedtime) in grid units for a daily total, as even as the form allows with
    the larger dose at bedtime; None when no split of two makeable doses exists."""
    if units == 0:
        return (0, 0)
    for morning in range(units // 2, -1, -1):
        evening = units - morning
        if _dose_text(form, evening) is not None and (morning == 0 or _dose_text(form, morning) is not None):
            return (morning, evening)
    return None


def _units(total_mg: float, form: str) -> int | None:
    """``total_mg`` in whole grid units, or None when it is not a whole multiple."""
    ratio = total_mg / _grid_mg(form)
    return round(ratio) if abs(ratio - round(ratio)) < 1e-6 else None


def split_daily(total_mg_per_day, form: str = "tablet") -> tuple[float, float]:
    """(morning_mg, bedtime_mg) for a daily total (mg/day), as used in every taper schedule.

    The two doses are as equal as the form's strengths allow; when they differ the larger is
    at bedtime (label: one dose at bedtime may reduce daytime somnolence). With tablets
    (0.5 mg scored, 1 mg, 2 mg): 1 -> (0.5, 0.5), 0.75 -> (0.25, 0.5), 0.25 -> (0, 0.25).
    With ODT (0.125 to 2 mg): 0.75 -> (0.375, 0.375). Raises ``ValueError`` naming
    ``total_mg_per_day`` when the form cannot make it. Sources: fda_klonopin_pk_label,
    fda_clonazepam_odt (strengths); fda_klonopin_2023 (twice daily, bedtime).
    Teaching material about how tapers are designed, never a plan for a person.
    """
    form = _check_form(form)
    total = _dose(total_mg_per_day, "total_mg_per_day", allow_zero=True)
    units = _units(total, form)
    split = _split_units(form, units) if units is not None else None
    if split is None:
        raise ValueError(_unmakeable_message("total_mg_per_day", total, form))
    grid = _grid_mg(form)
    return (round(split[0] * grid, 6), round(split[1] * grid, 6))


def makeable_totals(form: str = "tablet", up_to_mg_per_day=4.0) -> list[float]:
    """Every daily total (mg/day) from the smallest up to ``up_to_mg_per_day`` that the form
    can make as a morning and a bedtime dose: tablets 0.25, 0.5, 0.75, ...; ODT 0.125,
    0.25, ... Useful for the steps of a starting-dose slider. Sources: fda_klonopin_pk_label,
    fda_clonazepam_odt. Teaching material, never a plan for a person.
    """
    form = _check_form(form)
    top = _dose(up_to_mg_per_day, "up_to_mg_per_day")
    grid = _grid_mg(form)
    return [round(u * grid, 6) for u in range(1, int(top / grid + _EPS) + 1) if _split_units(form, u)]


def _unmakeable_message(name: str, total: float, form: str) -> str:
    grid = _grid_mg(form)
    below = above = None
    u = math.floor(total / grid + _EPS)
    while u > 0 and below is None:
        below = u * grid if _split_units(form, u) else None
        u -= 1
    u = math.ceil(total / grid - _EPS)
    while above is None and u * grid <= 100:
        above = u * grid if _split_units(form, u) and u * grid > total else None
        u += 1
    forms = _form_rows(form)
    pieces = ", ".join(f"{s:g} mg{' (scored)' if sc else ''}" for s, sc in zip(forms.strength_mg, forms.scored))
    near = " or ".join(f"{v:g}" for v in (below, above) if v is not None)
    others = [f for f in sorted(set(data.table("dosage_forms").form)) if f != form
              and (u := _units(total, f)) is not None and _split_units(f, u) is not None]
    hint = f"; {' and '.join(_plural(f) for f in others)} can make it (form=\"{others[0]}\")" if others else ""
    return (f"{name}={total:g} mg/day cannot be made as a morning and a bedtime dose from {_plural(form)} of "
            f"{pieces} (daily totals go in steps of {grid:g} mg); nearest makeable: {near} mg/day{hint}")


# --------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------
def _check_percent(percent, rule: _Rule) -> float | None:
    if rule.kind == "fixed_step":
        if percent is not None:
            others = ", ".join(n for n in rule_names() if n != rule.rule)
            raise ValueError(
                f"percent does not apply to rule {rule.rule!r}: it lowers each dose by a fixed "
                f"{rule.step_mg_per_dose:g} mg; choose a percent rule ({others}) to set a percent"
            )
        return None
    if percent is None:
        return rule.percent_default
    value = _number(percent, "percent")
    low, high = rule.percent_min, rule.percent_max
    if value <= 0:
        raise ValueError(f"percent must be greater than 0, got {value:g}")
    if not low - _EPS <= value <= high + _EPS:
        raise ValueError(f"percent={value:g} is outside the bounds of rule {rule.rule!r}: "
                         f"{low:g} to {high:g}% per step ({rule.source_id})")
    return value


def _whole_days(value, name: str, low: int = 1) -> int:
    value = _number(value, name)
    if value != int(value):
        raise ValueError(f"{name} must be a whole number of days, got {value:g}")
    if value < low:
        raise ValueError(f"{name} must be at least {low}, got {value:g}" if low else
                         f"{name} cannot be negative, got {value:g}")
    return int(value)


def _check_interval(interval_days, rule: _Rule) -> int:
    if interval_days is None:
        return rule.interval_days_default
    value = _number(interval_days, "interval_days")
    if value <= 0:
        raise ValueError(f"interval_days must be greater than 0, got {value:g}")
    if value != int(value):
        raise ValueError(f"interval_days must be a whole number of days, got {value:g}")
    low, high = rule.interval_days_min, rule.interval_days_max
    if not low <= value <= high:
        bounds = f"{low} days" if low == high else f"{low} to {high} days"
        raise ValueError(f"interval_days={value:g} is outside the bounds of rule {rule.rule!r}: "
                         f"{bounds} between steps ({rule.source_id})")
    return int(value)


def _check_switch(switch, rule: _Rule) -> str | None:
    if switch is None:
        return None
    if switch not in SWITCHES:
        raise ValueError(f"unknown switch {switch!r}; the only switch is 'diazepam' (or None)")
    if rule.kind != "percent" or rule.cap_percent is None:
        raise ValueError(f"switch={switch!r} applies to the guideline rule (joint_guideline_2025), which names a "
                         f"switch to a longer-acting benzodiazepine; rule {rule.rule!r} does not")
    return switch


def _check_slow(slow_last_steps, slow_interval_days, interval: int) -> tuple[int, int | None]:
    if slow_last_steps is None or slow_last_steps == 0:
        if slow_interval_days is not None and slow_last_steps is None:
            raise ValueError("slow_interval_days needs slow_last_steps (how many of the last steps to slow)")
        return 0, None
    n = _number(slow_last_steps, "slow_last_steps")
    if n != int(n) or n < 0:
        raise ValueError(f"slow_last_steps must be a whole number of steps (0 or more), got {n:g}")
    if slow_interval_days is None:
        raise ValueError("slow_last_steps needs slow_interval_days (the days between those last steps)")
    days = _whole_days(slow_interval_days, "slow_interval_days")
    if not interval <= days <= MAX_HOLD_DAYS:
        raise ValueError(f"slow_interval_days={days} must be from the rule's interval ({interval} days) to "
                         f"{MAX_HOLD_DAYS} days: slowing never makes steps closer together")
    return int(n), days


def _check_holds(holds, n_rows: int) -> dict[int, int]:
    if holds is None:
        return {}
    if not isinstance(holds, Mapping):
        raise ValueError(f"holds must map a step number to extra days, e.g. {{2: 14}}; got {holds!r}")
    out = {}
    for step, extra in holds.items():
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)):
            raise ValueError(f"holds: step {step!r} must be a whole step number")
        if not 0 <= int(step) < n_rows:
            raise ValueError(f"holds: step {step} does not exist; this schedule has steps 0 to {n_rows - 1} "
                             f"before the stop")
        days = _whole_days(extra, f"holds[{step}]", low=0)
        if days > MAX_HOLD_DAYS:
            raise ValueError(f"holds[{step}]={days} days is longer than {MAX_HOLD_DAYS} days (input check)")
        if days:
            out[int(step)] = days
    return out


# --------------------------------------------------------------------------------------
# The schedule
# --------------------------------------------------------------------------------------
def _next_units(form: str, current: int, target_mg: float) -> tuple[int, bool]:
    """The next daily total (grid units) below ``current`` for a rule that aims at
    ``target_mg``: the smallest makeable total at or above the target (so the cut is never
    larger than the rule asks), or, when none is below ``current``, the next makeable total
    below it; the flag says whether the cut had to be larger than the rule's."""
    grid = _grid_mg(form)
    low = max(0, math.ceil(target_mg / grid - 1e-6))
    for units in range(low, current):
        if _split_units(form, units) is not None:
            return units, False
    for units in range(min(low, current) - 1, 0, -1):
        if _split_units(form, units) is not None:
            return units, True
    return 0, True


def _descend(form: str, start_units: int, rule: _Rule, pct: float | None) -> tuple[list[int], list[bool]]:
    """Daily totals (grid units of ``form``) from ``start_units`` down to 0 under the rule."""
    grid = _grid_mg(form)
    fixed = rule.kind == "fixed_step"
    step_mg_per_day = rule.step_mg_per_dose * rule.doses_per_day if fixed else None
    units, forced = [start_units], [False]
    while units[-1] > 0:
        current_mg = units[-1] * grid
        target = current_mg - step_mg_per_day if fixed else current_mg * (1 - pct / 100)
        nxt, larger = _next_units(form, units[-1], target)
        units.append(nxt)
        forced.append(larger)
    return units, forced


@functools.lru_cache(maxsize=1)
def _gradual_switch_days() -> int:
    """Days given to the switch itself: the upper end of the guideline's 'gradual' switching
    period (data/switching_guidance.csv, joint_taper_2025), in days."""
    period = _compare.switching_period("gradual_switch")
    per = {"days": 1, "weeks": 7}[period.unit]
    return int(round(period.high * per))


def diazepam_equivalent(clonazepam_mg_per_day) -> dict:
    """The diazepam daily dose the course uses when a schedule switches from clonazepam.

    Equivalence is a **range**, not one number: the two published tables reproduced in the
    2025 Joint guideline's Table 7 (``data/benzo_equivalence.csv``) put clonazepam 1 mg at
    diazepam 10 mg (VA/DoD 2021) or 20 mg (Ashton Manual 2002 column). The course takes the
    lower equivalent for its example and rounds it **down** to a daily dose whole diazepam
    tablets can make (2, 5 and 10 mg; ``data/diazepam_tablets.csv``). That is not "the safe
    end": measured by the other table it is a large cut (``cut_by_high_percent``: 50% from
    clonazepam 1 mg/day), and under-conversion risks withdrawal just as over-conversion risks
    sedation. Returns ``low_mg``, ``high_mg`` (the range), ``chosen_mg`` (mg/day),
    ``cut_by_high_percent``, ``per_table`` and ``source_ids``. Raises ``ValueError`` for
    a bad dose (as :func:`clonaedu.compare.equivalent`) or one too small to make with diazepam
    tablets. Teaching material about how tapers are designed, never a plan for a person.
    """
    eq = _compare.equivalent("clonazepam", clonazepam_mg_per_day, "diazepam")
    units = math.floor(eq.low_mg / _grid_mg(_DIAZEPAM) + 1e-9)
    while units > 0 and _split_units(_DIAZEPAM, units) is None:
        units -= 1
    if units == 0:
        raise ValueError(f"clonazepam_mg_per_day={eq.dose_mg:g}: its lower diazepam equivalent ({eq.low_mg:g} mg/day) "
                         f"is below the smallest diazepam tablet")
    chosen = round(units * _grid_mg(_DIAZEPAM), 6)
    return {"low_mg": eq.low_mg, "high_mg": eq.high_mg, "chosen_mg": chosen,
            "cut_by_high_percent": round(100 * (eq.high_mg - chosen) / eq.high_mg, 1),
            "per_table": dict(eq.per_table), "source_ids": [*eq.sources, *_form_sources(_DIAZEPAM)],
            "caveat": eq.caveat}


def _ceil_weeks(days: float) -> int:
    return int(math.ceil(days / 7 - 1e-9) * 7)


def schedule(start_mg_per_day, rule: str = _LABEL_RULE, percent=None, interval_days=None,
             form: str = "tablet", *, holds=None, slow_last_steps=None, slow_interval_days=None,
             switch=None) -> pd.DataFrame:
    """A taper schedule from ``start_mg_per_day`` (mg/day) to zero under a published rule.

    **Teaching material about how tapers are designed, never a plan for a person.**

    Parameters
    ----------
    start_mg_per_day
        Daily total at the start (mg/day of clonazepam); must be makeable by ``form`` as two
        doses (tablets: a multiple of 0.25 mg; ODT: of 0.125 mg). Above the label's
        panic-disorder maximum (4 mg/day, ``data/dose_landmarks.csv``) is allowed but flagged.
    rule
        ``"label_panic"`` (fda_klonopin_2023) or ``"joint_guideline_2025"``
        (joint_taper_2025); see :func:`rules`.
    percent
        Percent of the current daily total cut at each step (percent rules only), within the
        rule's bounds (5 to 10%); default from the data (10%).
    interval_days
        Whole days between steps, within the rule's bounds (label 3; joint guideline 14 to
        28, default 14). Rules with a pace cap hold a dose longer where a cut would break it.
    form
        ``"tablet"`` (0.5 mg scored, 1, 2 mg) or ``"odt"`` (0.125 to 2 mg, never split).
    holds
        ``{step: extra_days}``: stay at those steps longer (a pause), 0 to 84 extra days each.
    slow_last_steps, slow_interval_days
        Slow down near the end: the last ``slow_last_steps`` steps (the stop included) come
        ``slow_interval_days`` apart (from the rule's interval up to 84 days).
    switch
        ``"diazepam"`` (guideline rule only): first change to the diazepam dose of
        :func:`diazepam_equivalent` one dose at a time (morning first, bedtime half the
        guideline's gradual switching period later: 7 of 14 days), then taper diazepam at the
        rule's pace with whole 2, 5 and 10 mg tablets. The switch row has ``drug``
        :data:`MIXED_DRUG` and no single daily total (NaN).

    Returns
    -------
    pandas.DataFrame, one row per step: ``step`` (0 = starting dose), ``day`` (the day the
    step starts; day 0 = first day at the starting dose; the row with daily total 0 is the
    first day without a dose), ``drug`` (clonazepam or diazepam), ``morning_mg``,
    ``evening_mg`` (bedtime dose), ``daily_total_mg``, ``cut_percent`` (cut from the previous
    step, % of the previous total; NaN on step 0 and at a switch of drug), ``hold_days`` (days
    at this step; 0 on the last row), ``larger_than_rule`` (True where the strengths forced a
    bigger cut than the rule's), ``morning_tablets`` and ``evening_tablets`` (what makes each
    dose, ``"none"`` for no dose). ``attrs``: rule, title, kind, form, switch,
    start_mg_per_day, percent, interval_days, step_mg_per_dose, steps, duration_days,
    largest_step_percent (always 100: the last step stops), largest_step_percent_before_stop,
    first_step_percent, largest_pace_before_stop (the largest cut, in % per ``pace_window_days``
    of the guideline, before the stop), pace_window_days, held_for_pace (steps held longer to
    keep the pace), equivalence (for a switch), source_ids, flags, notes, if_withdrawal
    (what the rule's source says to do when withdrawal appears), notice.

    Raises
    ------
    ValueError
        naming the argument: start dose <= 0, NaN, infinite, non-numeric, implausible or not
        makeable by the form; unknown rule (lists the known ones) or form; percent given for
        the label rule; percent or interval outside the rule's bounds; interval <= 0 or not a
        whole number of days; a hold on a step that does not exist or longer than 84 days;
        slowing without both of its arguments; a switch on a rule that does not name one.

    Examples
    --------
    >>> schedule(1)["daily_total_mg"].tolist()
    [1.0, 0.75, 0.5, 0.25, 0.0]
    >>> schedule(1).attrs["duration_days"]
    12
    >>> schedule(1, rule="joint_guideline_2025")["hold_days"].tolist()
    [14, 21, 28, 14, 0]
    """
    start = _dose(start_mg_per_day, "start_mg_per_day")
    rule_row = _rule(rule)
    form = _check_form(form)
    pct = _check_percent(percent, rule_row)
    interval = _check_interval(interval_days, rule_row)
    switch = _check_switch(switch, rule_row)
    n_slow, slow_days = _check_slow(slow_last_steps, slow_interval_days, interval)
    start_units = _units(start, form)
    if start_units is None or _split_units(form, start_units) is None:
        raise ValueError(_unmakeable_message("start_mg_per_day", start, form))
    fixed = rule_row.kind == "fixed_step"

    # the dose sequence, as (form, grid units) per row
    equivalence = None
    mixed_at = None  # the row where one dose is diazepam and the other still clonazepam
    mixed_split = None
    if switch == "diazepam":
        equivalence = diazepam_equivalent(start)
        d_start = _units(equivalence["chosen_mg"], _DIAZEPAM)
        d_units, d_forced = _descend(_DIAZEPAM, d_start, rule_row, pct)
        c_split = _split_units(form, start_units)
        # the morning clonazepam dose as diazepam, by the same conversion, rounded down to whole tablets
        morning_d = math.floor(c_split[0] * _grid_mg(form) * equivalence["chosen_mg"] / start
                               / _grid_mg(_DIAZEPAM) + 1e-9)
        while morning_d > 0 and _dose_text(_DIAZEPAM, morning_d) is None:
            morning_d -= 1
        seq, forced = [(form, start_units)], [False]
        if c_split[0] and morning_d:  # two doses a day: change over one dose at a time, morning first
            mixed_at, mixed_split = 1, (morning_d, c_split[1])
            seq.append((_MIXED, 0))
            forced.append(False)
        seq += [(_DIAZEPAM, u) for u in d_units]
        forced += [False] + d_forced[1:]
    else:
        units, forced = _descend(form, start_units, rule_row, pct)
        seq = [(form, u) for u in units]
    n_rows = len(seq)
    steps = n_rows - 1
    mg = [math.nan if f == _MIXED else u * _grid_mg(f) for f, u in seq]
    switch_at = [k for k in range(1, n_rows) if seq[k][0] != seq[k - 1][0]]
    cuts = [math.nan] + [math.nan if k in switch_at else round(100 * (mg[k - 1] - mg[k]) / mg[k - 1], 2)
                         for k in range(1, n_rows)]

    # how long each row lasts
    extra = _check_holds(holds, steps)
    window = _pace_window()
    hold, held_for_pace = [], []
    for k in range(steps):
        base = interval
        if n_slow and k >= steps - n_slow:
            base = max(base, slow_days)
        if k == mixed_at:  # the half-switched day lasts half the gradual switching period
            base = _gradual_switch_days() // 2 if not n_slow or k < steps - n_slow else max(
                _gradual_switch_days() // 2, slow_days)
        days_k = base
        nxt_cut = cuts[k + 1]
        final = k + 1 == steps
        if rule_row.cap_percent is not None and not final and not math.isnan(nxt_cut):
            needed = rule_row.cap_window_days * nxt_cut / rule_row.cap_percent
            if days_k < needed - 1e-9:
                days_k = _ceil_weeks(needed)
                held_for_pace.append(k)
        hold.append(days_k + extra.get(k, 0))
    hold.append(0)
    days = [0]
    for h in hold[:-1]:
        days.append(days[-1] + h)

    splits = [mixed_split if f == _MIXED else _split_units(f, u) for f, u in seq]
    # the form of each dose: (morning, bedtime); the switch row is diazepam in the morning only
    dose_forms = [(_DIAZEPAM, form) if f == _MIXED else (f, f) for f, _ in seq]
    frame = pd.DataFrame({
        "step": range(n_rows),
        "day": days,
        "drug": [MIXED_DRUG if f == _MIXED else "diazepam" if f == _DIAZEPAM else "clonazepam" for f, _ in seq],
        "morning_mg": [round(s[0] * _grid_mg(fm), 6) for s, (fm, _) in zip(splits, dose_forms)],
        "evening_mg": [round(s[1] * _grid_mg(fe), 6) for s, (_, fe) in zip(splits, dose_forms)],
        "daily_total_mg": [round(x, 6) for x in mg],
        "cut_percent": cuts,
        "hold_days": hold,
        "larger_than_rule": forced,
        "morning_tablets": [_dose_text(fm, s[0]) for s, (fm, _) in zip(splits, dose_forms)],
        "evening_tablets": [_dose_text(fe, s[1]) for s, (_, fe) in zip(splits, dose_forms)],
    }, columns=COLUMNS)
    maximum = _panic_maximum(data.default_dataset())
    paces = _paces(cuts, hold, window)
    before_stop = [p for k, p in enumerate(paces) if k < steps and not math.isnan(p)]
    flags = _flags(seq, splits, cuts, forced, rule_row, form, start, pct, maximum, held_for_pace, hold, extra,
                   n_slow, slow_days, equivalence, mixed_at is not None)
    # the days, holds and paces are the course's arithmetic on the rule: cited as its model too
    sources = [rule_row.source_id, "clonaedu_model", *_form_sources(form)]
    if equivalence:
        sources += equivalence["source_ids"]
    if start > maximum + _EPS:
        sources.append("fda_klonopin_2023")
    real_cuts = [c for c in cuts[1:] if not math.isnan(c)]
    frame.attrs.update({
        "rule": rule_row.rule, "title": rule_row.title, "kind": rule_row.kind, "form": form, "switch": switch,
        "start_mg_per_day": start, "percent": pct, "interval_days": interval,
        "step_mg_per_dose": rule_row.step_mg_per_dose if fixed else None,
        "steps": steps, "duration_days": days[-1],
        "largest_step_percent": max(real_cuts),
        "largest_step_percent_before_stop": max(real_cuts[:-1]) if len(real_cuts) > 1 else math.nan,
        "first_step_percent": real_cuts[0],
        "largest_pace_before_stop": max(before_stop) if before_stop else math.nan,
        "pace_window_days": window,
        "held_for_pace": held_for_pace,
        "holds": extra, "slow_last_steps": n_slow, "slow_interval_days": slow_days,
        "equivalence": equivalence,
        "source_ids": list(dict.fromkeys(sources)),
        "flags": flags,
        "notes": _notes(form, interval, switch, mixed_at is not None),
        "if_withdrawal": _if_withdrawal(rule_row.rule),
        "notice": NOTICE,
    })
    return frame


@functools.lru_cache(maxsize=None)
def _if_withdrawal(rule: str) -> str:
    return str(rules().loc[rule, "if_withdrawal"])


@functools.lru_cache(maxsize=1)
def _pace_window() -> int:
    """Days over which a cut is compared with the guideline's pace cap (its cap_window_days)."""
    table = rules()
    capped = table[table.cap_window_days.notna()]
    return int(capped.cap_window_days.iloc[0]) if len(capped) else 14


def _paces(cuts: list[float], hold: list[int], window: int) -> list[float]:
    """For each row k >= 1: the cut into it, as % per ``window`` days of the hold before it."""
    return [math.nan] + [math.nan if math.isnan(cuts[k]) else round(cuts[k] * window / hold[k - 1], 2)
                         for k in range(1, len(cuts))]


def pace(schedule_df: pd.DataFrame, window_days: int | None = None) -> pd.Series:
    """Each cut of a :func:`schedule` as a pace: % of the previous daily total per
    ``window_days`` (default the guideline's window, 14 days), over the days the previous dose
    was held. A 50% cut after 28 days is 25% per 14 days. NaN on step 0 and at a switch of
    drug. Teaching material about how tapers are designed, never a plan for a person.
    """
    if not isinstance(schedule_df, pd.DataFrame) or "rule" not in schedule_df.attrs:
        raise ValueError("pace() needs a table returned by clonaedu.taper.schedule()")
    window = _pace_window() if window_days is None else _whole_days(window_days, "window_days")
    values = _paces(schedule_df.cut_percent.tolist(), schedule_df.hold_days.tolist(), window)
    return pd.Series(values, index=schedule_df.index, name=f"percent_per_{window}_days")


def _flags(seq, splits, cuts, forced, rule: _Rule, form: str, start: float, pct: float | None, maximum: float,
           held_for_pace: list[int], hold: list[int], extra: dict[int, int], n_slow: int, slow_days,
           equivalence, one_dose_at_a_time: bool = False) -> list[str]:
    """Plain-language warnings and remarks for one schedule (lists indexed by row)."""
    flags = []

    def dose_at(k: int) -> str:
        f, u = seq[k]
        if f == _MIXED:
            return "the switch, diazepam morning and clonazepam bedtime"
        return f"{u * _grid_mg(f):g} mg/day" + (" diazepam" if f == _DIAZEPAM else "")

    n_rows = len(seq)
    steps = range(1, n_rows)
    if start > maximum + _EPS:
        flags.append(f"The starting dose of {start:g} mg/day is above the labelled maximum of "
                     f"{maximum:g} mg/day for panic disorder (US label)")
    if rule.kind == "fixed_step":
        step = rule.step_mg_per_dose
        grid = _grid_mg(form)
        exact = all(
            abs(splits[k][i] * grid - max(0.0, splits[k - 1][i] * grid - step)) < _EPS
            for k in steps for i in (0, 1)
        )
        if not exact:
            flags.append(
                f"{_plural(form).capitalize() if form == 'tablet' else _plural(form)} cannot lower each dose "
                f"by exactly {step:g} mg (doses go in steps of {grid:g} mg): the daily total still falls by "
                f"{step * rule.doses_per_day:g} mg every {rule.interval_days_default} days, but on some days "
                f"the two doses differ (the larger at bedtime)"
            )
    if equivalence is not None:
        how = (f"one dose at a time: the morning dose first, the bedtime dose {_gradual_switch_days() // 2} days "
               f"later" if one_dose_at_a_time else "as its one bedtime dose")
        flags.append(
            f"Switch: clonazepam {start:g} mg/day is changed to diazepam {equivalence['chosen_mg']:g} mg/day {how} "
            f"(the 2025 joint guideline: change over gradually, across 1 to 2 weeks)")
        flags.append(
            f"Equivalence is a range, not one number: the two published tables give diazepam "
            f"{equivalence['low_mg']:g} to {equivalence['high_mg']:g} mg/day for clonazepam {start:g} mg/day. "
            f"This example uses {equivalence['chosen_mg']:g} mg/day; measured by the other table that is a "
            f"{equivalence['cut_by_high_percent']:g}% cut, more than 25% in one step. Too little diazepam risks "
            f"withdrawal and too much risks sedation: the prescriber chooses the dose and watches the person "
            f"through the switch")
    if pct is not None:
        before_stop = [k for k in steps if forced[k] and seq[k][1] > 0]
        if before_stop:
            f = seq[before_stop[0]][0]
            flags.append(
                f"From {max(seq[k - 1][1] * _grid_mg(f) for k in before_stop):g} mg/day down, {pct:g}% of the dose "
                f"is less than the smallest reduction {_plural(f)} can make ({_grid_mg(f):g} mg/day): "
                f"{_count(len(before_stop), 'step')} cut by that smallest amount instead, more than {pct:g}% "
                f"(up to {max(cuts[k] for k in before_stop):g}%), before the final stop"
            )
    if held_for_pace:
        longest = max(hold[k] for k in held_for_pace)
        big = [cuts[k + 1] for k in held_for_pace]
        flags.append(
            f"The course's construction: to keep the guideline's pace of {rule.cap_percent:g}% per "
            f"{rule.cap_window_days} days on average, {_count(len(held_for_pace), 'dose')} before a larger cut "
            f"{'is' if len(held_for_pace) == 1 else 'are'} held longer, up to {longest} days. Each of those single "
            f"cuts (up to {max(big):.0f}%) is still larger than the guideline's \"generally not more than "
            f"{rule.cap_percent:g}% every 2 weeks\"; smaller dose units (ODTs) or a switch to a longer-acting "
            f"benzodiazepine keep single steps smaller"
        )
    last_form, last_units = seq[-2]
    last = last_units * _grid_mg(last_form)
    smallest = last_units == min(u for u in range(1, last_units + 1) if _split_units(last_form, u))
    what = f"the smallest daily dose {_plural(last_form)} can make" if smallest else "the lowest dose this schedule reaches"
    if rule.cap_percent is not None:
        options = []
        if last_form == "tablet":
            options.append("ODTs (steps of 0.125 mg)")
        options.append("a longer hold at the lowest dose")
        if equivalence is None:
            options.append("a switch to diazepam")
        flags.append(
            f"The last step stops from {last:g} mg/day, {what}: a 100% cut, more than the guideline's "
            f"{rule.cap_percent:g}% per {rule.cap_window_days} days. No schedule can avoid this final stop; "
            f"options that make the steps before it smaller or slower: {', '.join(options)}")
    elif pct is not None:
        flags.append(f"The last step stops from {last:g} mg/day, {what}: a 100% cut, far above {pct:g}%")
    if extra:
        flags.append("Held longer by choice: " + ", ".join(
            f"step {k} ({dose_at(k)}) +{d} days" for k, d in sorted(extra.items())))
    if n_slow:
        flags.append(f"Slowed near the end: the last {_count(min(n_slow, n_rows - 1), 'step')} come {slow_days} "
                     f"days apart")
    return flags


def _count(n: int, noun: str) -> str:
    """"1 step", "3 steps": plain English for a count."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _plural(form: str) -> str:
    return {"tablet": "tablets", "odt": "ODTs", _DIAZEPAM: "diazepam tablets"}.get(form, form + "s")


def _notes(form: str, interval: int, switch: str | None, one_dose_at_a_time: bool = False) -> list[str]:
    grid = _grid_mg(form)
    notes = [
        f"Day 0 is the first day at the starting dose; each step lasts its hold_days (the rule's {interval} days, "
        f"or longer where a dose is held); the row with 0 mg/day is the first day without a dose.",
        f"Doses are made from marketed {_plural(form)} in steps of {grid:g} mg; when the two doses "
        f"of a day differ, the larger is at bedtime.",
    ]
    if switch:
        over = (f"The switch replaces one dose at a time: for {_gradual_switch_days() // 2} days the morning dose is "
                f"diazepam and the bedtime dose still clonazepam. " if one_dose_at_a_time else "")
        notes.append("Diazepam doses are made from whole 2, 5 and 10 mg tablets. " + over + "The real conversion and "
                     "its pace are for the prescriber. " + NO_DIAZEPAM_LEVEL)
    notes.append(NOTICE)
    return notes


# --------------------------------------------------------------------------------------
# Summaries
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TaperSummary:
    """The headline numbers of one taper schedule (teaching material, not a plan).

    ``steps`` counts reductions and the switch of drug (the starting dose is not a step);
    ``duration_days`` is the first day without a dose; percents are of the previous daily
    total; ``largest_step_percent`` includes the final stop (always 100%), and
    ``largest_step_percent_before_stop`` does not (NaN for a one-step schedule);
    ``largest_pace_before_stop`` is the largest cut in % per ``pace_window_days`` (14).
    """

    rule: str
    form: str
    start_mg_per_day: float
    percent: float | None
    interval_days: int
    steps: int
    duration_days: int
    first_step_percent: float
    largest_step_percent: float
    largest_step_percent_before_stop: float
    largest_pace_before_stop: float
    pace_window_days: int
    steps_larger_than_rule: int
    switch: str | None
    flags: tuple[str, ...]
    source_ids: tuple[str, ...]

    @property
    def duration_weeks(self) -> float:
        return round(self.duration_days / 7, 1)

    def __str__(self) -> str:
        pace_ = (f"{self.percent:g}% every {self.interval_days} days" if self.percent is not None
                 else f"every {self.interval_days} days")
        switch = ", switched to diazepam" if self.switch else ""
        return (f"{self.rule} ({pace_}, {_plural(self.form)}{switch}) from {self.start_mg_per_day:g} mg/day: "
                f"{self.steps} steps over {self.duration_days} days (about {self.duration_weeks:g} weeks); "
                f"first step {self.first_step_percent:g}%, largest before the stop "
                f"{self.largest_step_percent_before_stop:g}%.")


def summary(schedule_df: pd.DataFrame) -> TaperSummary:
    """Duration (days), number of steps and largest step (%) of a :func:`schedule` table.

    Values are recomputed from the table's columns; rule, form and flags come from its
    ``attrs``. Raises ``ValueError`` for a table that :func:`schedule` did not make.
    Teaching material about how tapers are designed, never a plan for a person.
    """
    attrs = getattr(schedule_df, "attrs", {})
    missing = [c for c in COLUMNS if c not in getattr(schedule_df, "columns", [])]
    if missing or "rule" not in attrs or len(schedule_df) < 2:
        raise ValueError("summary() needs a table returned by clonaedu.taper.schedule()")
    cuts = schedule_df.cut_percent.iloc[1:].dropna()
    steps = len(schedule_df) - 1
    paces = pace(schedule_df).iloc[1:-1].dropna()
    return TaperSummary(
        rule=attrs["rule"], form=attrs["form"], start_mg_per_day=float(schedule_df.daily_total_mg.iloc[0]),
        percent=attrs.get("percent"), interval_days=int(attrs["interval_days"]), steps=steps,
        duration_days=int(schedule_df.day.iloc[-1]), first_step_percent=float(cuts.iloc[0]),
        largest_step_percent=float(cuts.max()),
        largest_step_percent_before_stop=float(cuts.iloc[:-1].max()) if len(cuts) > 1 else math.nan,
        largest_pace_before_stop=float(paces.max()) if len(paces) else math.nan,
        pace_window_days=int(attrs.get("pace_window_days", _pace_window())),
        steps_larger_than_rule=int(schedule_df.larger_than_rule.sum()), switch=attrs.get("switch"),
        flags=tuple(attrs.get("flags", ())), source_ids=tuple(attrs.get("source_ids", ())),
    )


def compare(start_mg_per_day, form: str = "tablet", names=None) -> pd.DataFrame:
    """One row per rule (default parameters) from the same start (mg/day): name (the rule's
    title up to its colon, for students), steps, duration_days, duration_weeks, first and
    largest step (%), the largest pace before the stop (% per 14 days, averaged over the hold),
    source_id. Shows that the label's panic taper takes days where the
    guideline takes weeks to months. Sources: those of each rule (see :func:`rules`).
    Teaching material, never a plan for a person.
    """
    names = rule_names() if names is None else list(names)
    rows = []
    for name in names:
        s = summary(schedule(start_mg_per_day, rule=name, form=form))
        rows.append({
            "rule": s.rule, "name": _rule(name).title.split(":")[0].strip(), "percent": s.percent, "interval_days": s.interval_days, "steps": s.steps,
            "duration_days": s.duration_days, "duration_weeks": s.duration_weeks,
            "first_step_percent": s.first_step_percent,
            "largest_step_percent_before_stop": s.largest_step_percent_before_stop,
            "largest_pace_before_stop": s.largest_pace_before_stop,
            "source_id": _rule(name).source_id,
        })
    frame = pd.DataFrame(rows).set_index("rule")
    frame.attrs["notice"] = NOTICE
    return frame


_GUIDELINE = "joint_guideline_2025"


def guideline_options(start_mg_per_day, percent=None, interval_days=None) -> pd.DataFrame:
    """The course's averaged-pace taper (guideline pace, averaged: clonaedu_model from
    joint_taper_2025) from one start (mg/day), made four ways: tablets, ODT (0.125 mg steps),
    tablets with the lowest dose held 4 weeks longer, and a switch to diazepam. One row per
    option: option, steps, duration_days, duration_weeks, largest_pace_before_stop (% per 14
    days averaged over the hold, never above 25), largest_single_cut_before_stop (%: a single
    step can be larger than 25%), first_dose_cut_above_cap_mg_per_day (the dose, in clonazepam
    mg/day or diazepam mg/day, from which a single cut is first larger than 25%; smaller units
    push it lower), last_dose_mg_per_day and last_drug (what the final stop is from),
    source_ids. Shows why guideline tapers take months, and what makes smaller steps possible.
    Teaching material about how tapers are designed, never a plan for a person.
    """
    base = dict(rule=_GUIDELINE, percent=percent, interval_days=interval_days)
    tablets = schedule(start_mg_per_day, **base)
    options = {
        "tablets": tablets,
        "ODT (0.125 mg steps)": schedule(start_mg_per_day, form="odt", **base),
        "tablets, lowest dose held 4 weeks longer": schedule(
            start_mg_per_day, holds={tablets.attrs["steps"] - 1: 28}, **base),
        "switch to diazepam": schedule(start_mg_per_day, switch="diazepam", **base),
    }
    rows = []
    for name, df in options.items():
        s = summary(df)
        cuts = df.cut_percent.iloc[1:-1]
        above = cuts[cuts > _rule(_GUIDELINE).cap_percent + _EPS]
        rows.append({"option": name, "steps": s.steps, "duration_days": s.duration_days,
                     "duration_weeks": s.duration_weeks, "largest_pace_before_stop": s.largest_pace_before_stop,
                     "largest_single_cut_before_stop": s.largest_step_percent_before_stop,
                     "first_dose_cut_above_cap_mg_per_day": (float(df.daily_total_mg.loc[above.index[0] - 1])
                                                             if len(above) else math.nan),
                     "last_dose_mg_per_day": float(df.daily_total_mg.iloc[-2]), "last_drug": df.drug.iloc[-2],
                     "source_ids": ", ".join(s.source_ids)})
    frame = pd.DataFrame(rows).set_index("option")
    frame.attrs["notice"] = NOTICE
    return frame


# --------------------------------------------------------------------------------------
# The illustrative level through a schedule (model code; drawn by clonaedu.plots.taper)
# --------------------------------------------------------------------------------------
#: days drawn before day 0, at steady state on the starting dose
BEFORE_DAYS = 4
#: contributions of a dose are dropped after this many terminal half-lives (2**-20 < 1e-6)
_TAIL_HALF_LIVES = 20
#: a point far to the right so a step or curve that has reached 0 runs to the axis end
_FAR_DAY = 1e5


def dose_clock_times() -> tuple[str, str]:
    """Clock times of the morning and the bedtime dose, from the course's example regimen with
    a larger bedtime dose (``morning_bedtime_1mg`` in ``data/regimen_examples.csv``).
    Teaching material, never a plan for a person."""
    times = regimens.examples().loc["morning_bedtime_1mg", "clock_times"]
    return str(times[0]), str(times[-1])


@dataclass(frozen=True)
class TaperCurve:
    """Illustrative plasma concentration through one taper schedule (never a prediction, never a plan).

    ``t_days`` (days from the start of the taper; negative = before it, at steady state) and
    ``conc_ng_ml`` (ng/mL, same length); ``step_means_ng_ml``: the mean level over the last
    day of each step (the starting dose first), showing where each step settles. The
    schedule's own numbers come along for drawing without touching the DataFrame again:
    ``rule``, ``start_mg_per_day``, ``stop_day`` (first day without a dose) and ``step_x`` /
    ``step_y`` (:func:`step_xy`). For drawing at any time scale, the curve is also summarised
    per day (midnight to midnight): ``day_mid_days`` (the middle of each day), ``day_min_ng_ml``,
    ``day_max_ng_ml`` (the lowest and highest level that day: the swing between doses) and
    ``day_mean_ng_ml`` (the day's average level).
    """

    t_days: np.ndarray
    conc_ng_ml: np.ndarray
    step_means_ng_ml: tuple[float, ...]
    params_name: str
    half_life_h: float
    rule: str
    start_mg_per_day: float
    stop_day: float
    step_x: np.ndarray
    step_y: np.ndarray
    day_mid_days: np.ndarray
    day_min_ng_ml: np.ndarray
    day_max_ng_ml: np.ndarray
    day_mean_ng_ml: np.ndarray
    #: False for an outline without a level (a switch to diazepam: :data:`NO_DIAZEPAM_LEVEL`)
    has_level: bool = True

    @property
    def peak_ng_ml(self) -> float:
        return float(self.conc_ng_ml.max()) if len(self.conc_ng_ml) else 0.0


def _resolution_h(span_days: float) -> float:
    """Sampling step (h): fine enough to show the twice-daily ripple on short tapers, coarser
    on tapers of many months (where one day is about a pixel)."""
    if span_days <= 100:
        return 0.5
    if span_days <= 250:
        return 1.0
    return 2.0


def concentration_through_taper(schedule: pd.DataFrame, params: pk.Params | None = None, *,
                                before_days: float = BEFORE_DAYS, after_days: float | None = None,
                                step_h: float | None = None) -> TaperCurve:
    """Illustrative plasma concentration (ng/mL) through a :func:`schedule` (clonazepam only).

    Each row of the schedule is taken for its ``hold_days`` as a morning and a bedtime dose
    (clock times from :func:`dose_clock_times`), each step as a
    :class:`~clonaedu.regimens.Regimen` whose curve (:func:`clonaedu.pk.concentration`) is added
    from the step's first day (the model is linear in dose, so the sum is the curve of the whole
    schedule). Before day 0 the starting dose has been taken for 20 terminal half-lives, so day 0
    starts at steady state; a dose's contribution is dropped 20 half-lives after it (less than a
    millionth of its peak).

    ``before_days`` / ``after_days``: days drawn before day 0 and after the day the schedule
    stops (default: 5 terminal half-lives, when the level is about 3% of where it was);
    ``step_h``: sampling step in hours, a divisor of 24 (default: 0.5 h for short tapers, up to
    2 h for long ones). Raises ``ValueError`` for a schedule that switches to diazepam
    (:data:`NO_DIAZEPAM_LEVEL`). Illustrative model, not a prediction for any patient;
    never a plan for a person. Sources: those of the parameters (``data/pk_parameters.csv``) and of
    the schedule's rule.
    """
    if not isinstance(schedule, pd.DataFrame) or "rule" not in schedule.attrs:
        raise ValueError("schedule must be a table returned by clonaedu.taper.schedule()")
    if schedule.attrs.get("switch"):
        raise ValueError(NO_DIAZEPAM_LEVEL)
    p = params if params is not None else pk.Params.default()
    half_life_d = p.terminal_half_life_h / 24.0
    tail_d = math.ceil(_TAIL_HALF_LIVES * half_life_d)
    # plain arrays once: every column access on a DataFrame with attrs copies the attrs
    days = schedule["day"].to_numpy(float)
    holds = schedule["hold_days"].to_numpy(int)
    mornings = schedule["morning_mg"].to_numpy(float)
    evenings = schedule["evening_mg"].to_numpy(float)
    duration = float(days[-1])
    after = 5 * half_life_d if after_days is None else float(after_days)
    if not (math.isfinite(before_days) and before_days >= 0 and math.isfinite(after) and after >= 0):
        raise ValueError("before_days and after_days must be finite and not negative")
    if before_days != int(before_days):
        raise ValueError(f"before_days must be a whole number of days, got {before_days!r}")
    end = duration + math.ceil(after)  # whole days, so the daily summary covers full days
    dt_h = _resolution_h(end + before_days) if step_h is None else float(step_h)
    if not (math.isfinite(dt_h) and dt_h > 0 and abs(24.0 / dt_h - round(24.0 / dt_h)) < 1e-9):
        raise ValueError(f"step_h must be a positive number of hours that divides a day (0.5, 1, 2, ...), "
                         f"got {step_h!r}")
    t_h = np.arange(-before_days * 24.0, end * 24.0 + dt_h / 2, dt_h)
    conc = np.zeros_like(t_h)
    clock = dose_clock_times()
    n_steps = len(days) - 1  # the last row (0 mg/day) takes no dose
    segments = [(-float(tail_d), tail_d, mornings[0], evenings[0])]
    segments += [(days[k], int(holds[k]), mornings[k], evenings[k]) for k in range(n_steps)]
    for start_d, n_days, morning, evening in segments:
        times = [c for c, d in zip(clock, (morning, evening)) if d > 0]
        doses = [d for d in (morning, evening) if d > 0]
        if not doses or n_days <= 0:
            continue
        lo = start_d * 24.0
        for chunk_start in range(0, int(n_days), 365):  # Regimen.daily_at takes at most 365 days
            chunk = min(365, int(n_days) - chunk_start)
            reg = regimens.Regimen.daily_at(times, doses, days=chunk)
            c_lo = lo + chunk_start * 24.0
            hi = c_lo + (chunk + tail_d) * 24.0
            i, j = np.searchsorted(t_h, [c_lo, hi])
            if j > i:
                conc[i:j] += pk.concentration(reg, t_h[i:j] - c_lo, p)
    t_days = t_h / 24.0
    means = []
    for k in range(n_steps):
        i, j = np.searchsorted(t_days, [days[k + 1] - 1, days[k + 1]])
        means.append(round(float(conc[i:j].mean()), 4) if j > i else math.nan)
    totals = schedule["daily_total_mg"].to_numpy(float)
    step_x, step_y = _step_xy(days, totals, BEFORE_DAYS)
    per_day = round(24.0 / dt_h)
    n_days_total = int(before_days + end)
    blocks = conc[: n_days_total * per_day].reshape(n_days_total, per_day)  # midnight to midnight
    mids = np.arange(n_days_total) - before_days + 0.5
    return TaperCurve(t_days, conc, tuple(means), p.name, p.terminal_half_life_h, str(schedule.attrs["rule"]),
                      float(totals[0]), duration, step_x, step_y, mids, blocks.min(axis=1), blocks.max(axis=1),
                      blocks.mean(axis=1))


def clonazepam_equivalent_totals(schedule: pd.DataFrame) -> np.ndarray:
    """Daily totals of a :func:`schedule` in clonazepam mg/day: clonazepam rows as they are,
    diazepam rows divided by the conversion the switch used (chosen diazepam mg/day per
    clonazepam mg/day at the start; :func:`diazepam_equivalent`), so a switch can be drawn on
    the same axis. Approximate, like every equivalence. Teaching material, never a plan."""
    if not isinstance(schedule, pd.DataFrame) or "rule" not in schedule.attrs:
        raise ValueError("schedule must be a table returned by clonaedu.taper.schedule()")
    totals = schedule["daily_total_mg"].to_numpy(float).copy()
    eq = schedule.attrs.get("equivalence")
    if eq:
        ratio = eq["chosen_mg"] / float(schedule.attrs["start_mg_per_day"])
        diazepam = (schedule["drug"] == "diazepam").to_numpy()
        totals[diazepam] = np.round(totals[diazepam] / ratio, 6)
        mixed = (schedule["drug"] == MIXED_DRUG).to_numpy()  # diazepam morning, clonazepam bedtime
        totals[mixed] = np.round(schedule["morning_mg"].to_numpy(float)[mixed] / ratio
                                 + schedule["evening_mg"].to_numpy(float)[mixed], 6)
    return totals


def schedule_curve(schedule: pd.DataFrame, params: pk.Params | None = None) -> TaperCurve:
    """What the planner draws for a schedule: :func:`concentration_through_taper` for a
    clonazepam schedule; for a switch to diazepam, an outline with no level (``has_level``
    False, :data:`NO_DIAZEPAM_LEVEL`) whose steps are :func:`clonazepam_equivalent_totals`.
    Illustrative model, not a prediction for any patient; never a plan for a person."""
    if not schedule.attrs.get("switch"):
        return concentration_through_taper(schedule, params)
    p = params if params is not None else pk.Params.default()
    days = schedule["day"].to_numpy(float)
    step_x, step_y = _step_xy(days, clonazepam_equivalent_totals(schedule), BEFORE_DAYS)
    empty = np.zeros(0)
    return TaperCurve(empty, empty, (), p.name, p.terminal_half_life_h, str(schedule.attrs["rule"]),
                      float(schedule.attrs["start_mg_per_day"]), float(days[-1]), step_x, step_y, empty, empty,
                      empty, empty, has_level=False)


def step_xy(schedule: pd.DataFrame, before_days: float = BEFORE_DAYS) -> tuple[np.ndarray, np.ndarray]:
    """x (days) and y (mg/day) to draw a schedule's daily total as steps (``steps-post``): the
    starting dose from ``-before_days``, each step from its day, 0 from the stop onwards.
    Teaching material, never a plan for a person."""
    return _step_xy(schedule["day"].to_numpy(float), schedule["daily_total_mg"].to_numpy(float), before_days)


def _step_xy(days: np.ndarray, totals: np.ndarray, before_days: float) -> tuple[np.ndarray, np.ndarray]:
    return np.r_[-before_days, days[1:], _FAR_DAY], np.r_[totals, 0.0]
