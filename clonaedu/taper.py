"""Taper schedules: how published rules lower a clonazepam dose to zero, step by step.

**Teaching material about how tapers are designed, never a plan for a person.** A real taper
is set, slowed or paused by a prescriber with the patient; these tables only show what each
published rule implies when followed literally with the marketed tablet strengths.

The rules are rows of ``data/taper_rules.csv`` (each with its source):

``label_panic``
    US label, panic disorder: lower each of the two daily doses by 0.125 mg (0.25 mg/day)
    every 3 days until stopped (fda_klonopin_2023). The step and interval must agree with
    ``data/dose_landmarks.csv`` (``taper_step``, ``taper_interval``); loading refuses a
    mismatch. No percent can be chosen.
``joint_guideline_2025``
    2025 Joint Clinical Practice Guideline: cut 5 to 10% of the dose every 14 to 28 days,
    typically not more than 25% per 14 days (joint_taper_2025). Default 10% every 14 days.
``ashton``
    Ashton Manual rate as reproduced by NICE CKS-derived guidance: 5 to 10% every 7 to 14
    days (ashton2002; verified only via that secondary guidance). Default 10% every 7 days.

Defaults are the fastest pace inside each published range (see the ``verification`` column),
so a comparison with the label is conservative: every other allowed choice is slower.

Conventions (the same for every rule):

* **Days.** Step 0 is the starting dose, on day 0. Step *k* starts on day *k* × interval, so
  every row lasts exactly one interval; the last row (daily total 0) is the first day without
  any dose, and its day is the schedule's duration: duration_days = steps × interval_days.
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
  the 0.25 mg a tablet step can remove), the step takes the next makeable lower dose instead:
  a bigger cut than the rule asks, marked ``larger_than_rule`` and flagged. The schedule
  never stalls and always ends with the smallest makeable dose, then stop (a 100% step).
  The label rule aims at the current total minus 0.25 mg/day (0.125 mg per dose x 2) and
  is rounded the same way; tablets and ODTs make every such total exactly, but tablets
  cannot take 0.125 mg off *each* dose, so the two doses differ on some days (flagged).

Public surface: :func:`schedule`, :func:`summary` (:class:`TaperSummary`), :func:`compare`,
:func:`rules`, :func:`rule_names`, :func:`split_daily`, :func:`makeable_totals`, :data:`NOTICE`.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from . import data
from .data import DataError, Dataset
from .dosing import _dose, _number, tablets_for

__all__ = [
    "NOTICE", "TaperSummary", "schedule", "summary", "compare", "rules", "rule_names",
    "split_daily", "makeable_totals",
]

NOTICE = (
    "Teaching material about how tapers are designed, not a plan for any person: a real taper "
    "is set, slowed or paused by a prescriber together with the patient."
)

COLUMNS = [
    "step", "day", "morning_mg", "evening_mg", "daily_total_mg", "cut_percent",
    "larger_than_rule", "morning_tablets", "evening_tablets",
]

_LABEL_RULE = "label_panic"
_EPS = 1e-9


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
    numbers were checked). Sources: fda_klonopin_2023, joint_taper_2025, ashton2002.
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
    rows = data.table("dosage_forms")
    rows = rows[rows.form == form]
    pieces = []
    for strength, scored in zip(rows.strength_mg, rows.scored):
        size = Fraction(str(float(strength)))
        pieces.append(size)
        if scored:
            pieces.append(size / 2)
    denominator = math.lcm(*(p.denominator for p in pieces))
    return float(Fraction(math.gcd(*(int(p * denominator) for p in pieces)), denominator))


@functools.lru_cache(maxsize=None)
def _form_sources(form: str) -> tuple[str, ...]:
    rows = data.table("dosage_forms")
    return tuple(dict.fromkeys(rows[rows.form == form].source_id))


@functools.lru_cache(maxsize=None)
def _dose_text(form: str, units: int) -> str | None:
    """Text of the pieces that make ``units`` grid steps as one dose, or None if unmakeable."""
    if units == 0:
        return "none"
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
    forms = data.table("dosage_forms")
    forms = forms[forms.form == form]
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


def schedule(start_mg_per_day, rule: str = _LABEL_RULE, percent=None, interval_days=None,
             form: str = "tablet") -> pd.DataFrame:
    """A taper schedule from ``start_mg_per_day`` (mg/day) to zero under a published rule.

    **Teaching material about how tapers are designed, never a plan for a person.**

    Parameters
    ----------
    start_mg_per_day
        Daily total at the start (mg/day); must be makeable by ``form`` as two doses
        (tablets: a multiple of 0.25 mg; ODT: of 0.125 mg). Above the label's panic-disorder
        maximum (4 mg/day, ``data/dose_landmarks.csv``) is allowed but flagged.
    rule
        ``"label_panic"`` (fda_klonopin_2023), ``"joint_guideline_2025"`` (joint_taper_2025)
        or ``"ashton"`` (ashton2002); see :func:`rules`.
    percent
        Percent of the current daily total cut at each step (percent rules only), within the
        rule's bounds (5 to 10%); default from the data (10%).
    interval_days
        Whole days between steps, within the rule's bounds (label 3; joint guideline 14 to
        28, default 14; Ashton 7 to 14, default 7).
    form
        ``"tablet"`` (0.5 mg scored, 1, 2 mg) or ``"odt"`` (0.125 to 2 mg, never split).

    Returns
    -------
    pandas.DataFrame, one row per step: ``step`` (0 = starting dose), ``day`` (the day the
    step starts; day 0 = first day at the starting dose; the row with daily total 0 is the
    first day without a dose), ``morning_mg``, ``evening_mg`` (bedtime dose),
    ``daily_total_mg``, ``cut_percent`` (cut from the previous step, % of the previous
    total; NaN on step 0), ``larger_than_rule`` (True where the strengths forced a bigger cut
    than the rule's), ``morning_tablets`` and ``evening_tablets`` (what makes each dose,
    ``"none"`` for no dose). ``attrs``: rule, title, kind, form, start_mg_per_day, percent,
    interval_days, step_mg_per_dose, steps, duration_days (= steps × interval_days),
    largest_step_percent (always 100: the last step stops), largest_step_percent_before_stop,
    first_step_percent, source_ids, flags (warnings in plain words), notes, notice.

    Raises
    ------
    ValueError
        naming the argument: start dose <= 0, NaN, infinite, non-numeric, implausible or not
        makeable by the form; unknown rule (lists the known ones) or form; percent given for
        the label rule; percent or interval outside the rule's bounds; interval <= 0 or not a
        whole number of days.

    Examples
    --------
    >>> schedule(1)["daily_total_mg"].tolist()
    [1.0, 0.75, 0.5, 0.25, 0.0]
    >>> schedule(1).attrs["duration_days"]
    12
    """
    start = _dose(start_mg_per_day, "start_mg_per_day")
    rule_row = _rule(rule)
    form = _check_form(form)
    pct = _check_percent(percent, rule_row)
    interval = _check_interval(interval_days, rule_row)
    start_units = _units(start, form)
    if start_units is None or _split_units(form, start_units) is None:
        raise ValueError(_unmakeable_message("start_mg_per_day", start, form))
    grid = _grid_mg(form)
    fixed = rule_row.kind == "fixed_step"
    step_mg_per_day = rule_row.step_mg_per_dose * rule_row.doses_per_day if fixed else None

    units, forced = [start_units], [False]
    while units[-1] > 0:
        current_mg = units[-1] * grid
        target = current_mg - step_mg_per_day if fixed else current_mg * (1 - pct / 100)
        nxt, larger = _next_units(form, units[-1], target)
        units.append(nxt)
        forced.append(larger)

    splits = [_split_units(form, u) for u in units]
    cuts = [math.nan] + [round(100 * (p - n) / p, 2) for p, n in zip(units, units[1:])]
    frame = pd.DataFrame({
        "step": range(len(units)),
        "day": [k * interval for k in range(len(units))],
        "morning_mg": [round(m * grid, 6) for m, _ in splits],
        "evening_mg": [round(e * grid, 6) for _, e in splits],
        "daily_total_mg": [round(u * grid, 6) for u in units],
        "cut_percent": cuts,
        "larger_than_rule": forced,
        "morning_tablets": [_dose_text(form, m) for m, _ in splits],
        "evening_tablets": [_dose_text(form, e) for _, e in splits],
    }, columns=COLUMNS)
    steps = len(units) - 1
    maximum = _panic_maximum(data.default_dataset())
    flags = _flags(units, splits, cuts, forced, rule_row, form, start, pct, maximum)
    sources = [rule_row.source_id, *_form_sources(form)]
    if start > maximum + _EPS and "fda_klonopin_2023" not in sources:
        sources.append("fda_klonopin_2023")
    frame.attrs.update({
        "rule": rule_row.rule, "title": rule_row.title, "kind": rule_row.kind, "form": form,
        "start_mg_per_day": start, "percent": pct, "interval_days": interval,
        "step_mg_per_dose": rule_row.step_mg_per_dose if fixed else None,
        "steps": steps, "duration_days": steps * interval,
        "largest_step_percent": max(cuts[1:]),
        "largest_step_percent_before_stop": max(cuts[1:-1]) if steps > 1 else math.nan,
        "first_step_percent": cuts[1],
        "source_ids": list(dict.fromkeys(sources)),
        "flags": flags,
        "notes": _notes(form, interval),
        "notice": NOTICE,
    })
    return frame


def _flags(units: list[int], splits: list[tuple[int, int]], cuts: list[float], forced: list[bool],
           rule: _Rule, form: str, start: float, pct: float | None, maximum: float) -> list[str]:
    """Plain-language warnings for one schedule (lists indexed by step)."""
    flags = []
    grid = _grid_mg(form)
    steps = range(1, len(units))
    if start > maximum + _EPS:
        flags.append(f"The starting dose of {start:g} mg/day is above the labelled maximum of "
                     f"{maximum:g} mg/day for panic disorder (fda_klonopin_2023)")
    if rule.kind == "fixed_step":
        step = rule.step_mg_per_dose
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
    if pct is not None:
        before_stop = [k for k in steps if forced[k] and units[k] > 0]
        if before_stop:
            flags.append(
                f"From {max(units[k - 1] for k in before_stop) * grid:g} mg/day down, {pct:g}% of the dose "
                f"is less than the smallest reduction {_plural(form)} can make ({grid:g} mg/day): "
                f"{len(before_stop)} step(s) cut by that smallest amount instead, more than {pct:g}% "
                f"(up to {max(cuts[k] for k in before_stop):g}%), before the final stop"
            )
        last = units[-2] * grid
        what = (f"the smallest daily dose {_plural(form)} can make" if units[-2] == 1
                else "the lowest dose this schedule reaches")
        flags.append(f"The last step stops from {last:g} mg/day, {what}: a 100% cut, far above {pct:g}%")
    if rule.cap_percent is not None:
        over = [k for k in steps if cuts[k] > rule.cap_percent + _EPS]
        if over:
            why = (" because the strengths cannot make a smaller reduction at those doses"
                   if all(forced[k] for k in over) else "")
            flags.append(
                f"{len(over)} step(s) cut more than the typical limit of {rule.cap_percent:g}% every "
                f"{rule.cap_window_days} days ({rule.source_id}), the largest "
                f"{max(cuts[k] for k in over):g}%{why}"
            )
    return flags


def _plural(form: str) -> str:
    return {"tablet": "tablets", "odt": "ODTs"}.get(form, form + "s")


def _notes(form: str, interval: int) -> list[str]:
    grid = _grid_mg(form)
    return [
        f"Day 0 is the first day at the starting dose; each step lasts {interval} days; the row "
        f"with 0 mg/day is the first day without a dose.",
        f"Doses are made from marketed {_plural(form)} in steps of {grid:g} mg; when the two doses "
        f"of a day differ, the larger is at bedtime.",
        NOTICE,
    ]


# --------------------------------------------------------------------------------------
# Summaries
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TaperSummary:
    """The headline numbers of one taper schedule (teaching material, not a plan).

    ``steps`` counts reductions (the starting dose is not a step); ``duration_days`` is the
    first day without a dose (= steps × interval_days); percents are of the previous daily
    total; ``largest_step_percent`` includes the final stop (always 100%), and
    ``largest_step_percent_before_stop`` does not (NaN for a one-step schedule).
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
    steps_larger_than_rule: int
    flags: tuple[str, ...]
    source_ids: tuple[str, ...]

    @property
    def duration_weeks(self) -> float:
        return round(self.duration_days / 7, 1)

    def __str__(self) -> str:
        pace = (f"{self.percent:g}% every {self.interval_days} days" if self.percent is not None
                else f"every {self.interval_days} days")
        return (f"{self.rule} ({pace}, {_plural(self.form)}) from {self.start_mg_per_day:g} mg/day: "
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
    cuts = schedule_df.cut_percent.iloc[1:]
    steps = len(schedule_df) - 1
    return TaperSummary(
        rule=attrs["rule"], form=attrs["form"], start_mg_per_day=float(schedule_df.daily_total_mg.iloc[0]),
        percent=attrs.get("percent"), interval_days=int(attrs["interval_days"]), steps=steps,
        duration_days=int(schedule_df.day.iloc[-1]), first_step_percent=float(cuts.iloc[0]),
        largest_step_percent=float(cuts.max()),
        largest_step_percent_before_stop=float(cuts.iloc[:-1].max()) if steps > 1 else math.nan,
        steps_larger_than_rule=int(schedule_df.larger_than_rule.sum()),
        flags=tuple(attrs.get("flags", ())), source_ids=tuple(attrs.get("source_ids", ())),
    )


def compare(start_mg_per_day, form: str = "tablet", names=None) -> pd.DataFrame:
    """One row per rule (default parameters) from the same start (mg/day): steps,
    duration_days, duration_weeks, first and largest step (%), source_id. Shows that the
    label's panic taper takes days where the guideline rules take weeks to months.
    Sources: those of each rule (see :func:`rules`). Teaching material, never a plan for a person.
    """
    names = rule_names() if names is None else list(names)
    rows = []
    for name in names:
        s = summary(schedule(start_mg_per_day, rule=name, form=form))
        rows.append({
            "rule": s.rule, "percent": s.percent, "interval_days": s.interval_days, "steps": s.steps,
            "duration_days": s.duration_days, "duration_weeks": s.duration_weeks,
            "first_step_percent": s.first_step_percent,
            "largest_step_percent_before_stop": s.largest_step_percent_before_stop,
            "source_id": _rule(name).source_id,
        })
    frame = pd.DataFrame(rows).set_index("rule")
    frame.attrs["notice"] = NOTICE
    return frame
