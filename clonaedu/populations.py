"""Comparing doses and who needs less: the fixed-dose trial, population and interaction
statements, their illustrative presets, and validated dose sets (notebooks 04 and 05).

Pure functions on the cited tables, no plotting:

``data/fixed_dose_trial.csv``
    Rosenbaum et al. 1997 (rosenbaum1997, PMID 9315990), the fixed-dose panic-disorder trial
    behind the label's 1 mg/day target, and the label's summary of it: the doses studied and
    what was found, one row per finding. :func:`trial`, :func:`doses_studied`,
    :func:`trial_findings`, :func:`benefit_plateau_mg_per_day`, :func:`adverse_rise_mg_per_day`.
``data/populations.csv`` and ``data/population_statements.csv``
    Populations and interacting medicines, the statement each source makes (label, Beers 2023,
    interaction studies), and the preset of ``data/pk_parameters.csv`` that moves clearance in
    the direction a source supports. :func:`factors`, :func:`factor`, :func:`statements`,
    :func:`params_for`, :func:`compare_with_typical`. Only clearance differs between presets,
    and the *size* of every change is illustrative; only its direction is sourced.
``data/lay_factors.csv``, ``data/lay_dose_comparisons.csv``
    The consumer article's factor list and dose comparisons, checked against the sources
    (read with :func:`clonaedu.data.table`).

Dose sets for side-by-side comparison: :func:`validate_doses` (two to five distinct daily
totals; above a labelled maximum is flagged, never refused), :func:`dose_comparison` (steady-
state metrics per daily total) and :func:`steady_state_curve`.

Rows marked ``unverified`` (wording from memory, not seen in any stored copy of the source)
stay in the tables but are left out of what these functions return unless asked for;
``verified`` and ``verified_secondary`` rows (read in the source, or in a reproduction or summary
of it: the ``verification`` column says which text) are the course's statements. A preset stands
only for what its source studied: ``induced_clearance`` is phenytoin's (khoo1980); the label's
other inducers and the CYP3A inhibitors get the label's statement and no curve.
Everything from the PK model is illustrative, never a prediction for a patient.
Educational material, not medical advice.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import data, dosing, pk
from .regimens import Regimen

__all__ = [
    "MIN_DOSES", "MAX_DOSES", "SCHEDULES", "COURSE_STATUSES",
    "trial", "doses_studied", "trial_findings", "trial_summary", "benefit_plateau_mg_per_day",
    "adverse_rise_mg_per_day",
    "Factor", "factors", "factor", "statements", "params_for", "PresetComparison", "compare_with_typical",
    "combined_params", "Combination", "compare_combined",
    "DoseSet", "validate_doses", "dose_comparison", "steady_state_curve", "regimen_for",
    "trial_table", "overview_table", "statement_table",
]

#: Statuses whose rows are the course's statements (``unverified`` rows stay in the data only).
COURSE_STATUSES = ("verified", "verified_secondary")
#: A dose comparison shows at least two and at most five daily totals side by side.
MIN_DOSES, MAX_DOSES = 2, 5
#: Doses per day offered for comparisons, with their words (the label gives panic-disorder
#: doses twice daily, or partly at bedtime; seizure doses in up to three divided doses).
SCHEDULES = {1: "once daily", 2: "twice daily", 3: "three times daily"}
_TOL = 1e-9


# -- small input checks ----------------------------------------------------------------------
def _positive_dose(value, name: str) -> float:
    """A finite, positive, plausible daily total (mg/day), else ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number (mg/day); got {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite (mg/day); got {value!r}")
    if x <= 0:
        raise ValueError(f"{name} must be greater than 0 mg/day; got {x:g}")
    if x > dosing.MAX_PLAUSIBLE_MG_PER_DAY:
        raise ValueError(f"{name}={x:g} mg/day is not a plausible clonazepam dose (input check: at most "
                         f"{dosing.MAX_PLAUSIBLE_MG_PER_DAY:g} mg/day); check the units")
    return x


def _schedule(doses_per_day) -> int:
    if isinstance(doses_per_day, bool) or not isinstance(doses_per_day, numbers.Integral) \
            or int(doses_per_day) not in SCHEDULES:
        raise ValueError(f"doses_per_day must be one of {sorted(SCHEDULES)}; got {doses_per_day!r}")
    return int(doses_per_day)


def _params(params: pk.Params | None) -> pk.Params:
    if params is None:
        return pk.Params.default()
    if not isinstance(params, pk.Params):
        raise ValueError(f"params must be a clonaedu.pk.Params or None; got {type(params).__name__}")
    return params


# -- the fixed-dose trial --------------------------------------------------------------------
def trial(include_unverified: bool = False) -> pd.DataFrame:
    """The fixed-dose trial table (``data/fixed_dose_trial.csv``): finding_id, aspect,
    dose_low/high_mg_per_day, short, statement, source_id, see_also, status, verification.
    Unverified rows are left out unless ``include_unverified``."""
    table = data.table("fixed_dose_trial")
    if not include_unverified:
        table = table[table.status == "verified"].reset_index(drop=True)
    return table


@functools.lru_cache(maxsize=1)
def doses_studied() -> tuple[float, ...]:
    """The fixed daily doses the trial compared with placebo (mg/day, ascending):
    (0.5, 1, 2, 3, 4) from the ``arm`` rows of rosenbaum1997."""
    arms = trial()
    arms = arms[(arms.aspect == "arm") & (arms.dose_low_mg_per_day > 0)]
    return tuple(sorted(float(d) for d in arms.dose_low_mg_per_day))


def _is_studied(dose: float) -> bool:
    return any(abs(dose - d) <= _TOL for d in doses_studied())


def trial_findings(dose_mg_per_day, include_unverified: bool = False) -> pd.DataFrame:
    """The trial's findings (not the ``arm`` rows) that apply to one of the doses it studied:
    rows whose dose range covers ``dose_mg_per_day``. Empty for a dose the trial did not
    study (0.25, 0.75, 1.5 mg/day ...): a finding for "1 mg/day and higher" says nothing
    about a dose nobody took. Raises ``ValueError`` for a non-positive or absurd dose."""
    dose = _positive_dose(dose_mg_per_day, "dose_mg_per_day")
    table = trial(include_unverified)
    if not _is_studied(dose):
        return table.iloc[0:0]
    low, high = table.dose_low_mg_per_day, table.dose_high_mg_per_day
    covers = (table.aspect != "arm") & (low - _TOL <= dose) & (dose <= high + _TOL)
    return table[covers.fillna(False)].reset_index(drop=True)


def trial_summary(dose_mg_per_day) -> str:
    """A few words on what the trial (and the label's reading of it) found at this daily
    dose, for a table cell; says so when the trial did not study the dose."""
    return _trial_summary(_positive_dose(dose_mg_per_day, "dose_mg_per_day"))


@functools.lru_cache(maxsize=256)
def _trial_summary(dose: float) -> str:
    rows = trial_findings(dose)
    shorts = [s for s in rows["short"] if isinstance(s, str) and s]
    if shorts:
        return "; ".join(shorts)
    studied = doses_studied()
    if dose > studied[-1] + _TOL:
        return f"not studied (the trial stopped at {studied[-1]:g} mg/day)"
    if dose < studied[0] - _TOL:
        return f"not studied (the lowest dose was {studied[0]:g} mg/day)"
    below = max(d for d in studied if d < dose)
    above = min(d for d in studied if d > dose)
    return f"not studied (between the {below:g} and {above:g} mg/day groups)"


@functools.cache
def _finding_range(finding_id: str) -> tuple[float, float]:
    row = data.table("fixed_dose_trial").set_index("finding_id").loc[finding_id]
    return float(row.dose_low_mg_per_day), float(row.dose_high_mg_per_day)


def benefit_plateau_mg_per_day() -> tuple[float, float]:
    """(from, to) mg/day over which the trial found doses equally effective on panic attacks:
    (1, 4) (finding ``efficacy_plateau``, rosenbaum1997). A schematic's benefit curve levels
    off from the first value."""
    return _finding_range("efficacy_plateau")


def adverse_rise_mg_per_day() -> tuple[float, float]:
    """(from, to) mg/day where somnolence and ataxia were reported more often: (3, 4)
    (finding ``adverse_dose_related``, rosenbaum1997)."""
    return _finding_range("adverse_dose_related")


# -- populations and interacting medicines ---------------------------------------------------
@dataclass(frozen=True)
class Factor:
    """A population or interacting medicine (one row of ``data/populations.csv``).

    ``direction`` is lower_clearance, higher_clearance, added_effect (same level, stronger
    effect) or not_modelled; ``preset`` names the ``pk_parameters`` preset drawn for it (None
    when no curve changes); ``source_id`` supports the direction. ``basis`` explains the
    mapping in plain words. The size of a preset's change is illustrative.
    """

    factor_id: str
    short_label: str
    kind: str
    label: str
    aliases: tuple[str, ...]
    mechanism: str
    direction: str
    preset: str | None
    source_id: str
    see_also: tuple[str, ...]
    status: str
    basis: str

    @property
    def changes_curve(self) -> bool:
        """True when a preset is drawn against the typical adult."""
        return self.preset is not None

    @property
    def verified(self) -> bool:
        """True when the direction was read in its source or a copy of it (not from memory)."""
        return self.status in COURSE_STATUSES

    @property
    def no_curve_reason(self) -> str | None:
        """Why no second curve is drawn, in a few plain words (None when one is drawn): the
        panel's caption. A sourced direction without a sourced size (other inducers, CYP3A
        inhibitors) says which way the level is expected to move."""
        if self.preset is not None:
            return None
        if self.direction == "added_effect":
            return "Same level, added effect: the danger is not a higher level, so the curves do not differ."
        if self.direction in ("lower_clearance", "higher_clearance"):
            if not self.verified:
                return "No curve drawn: no verified source gives the direction or size of this change."
            way = "higher" if self.direction == "lower_clearance" else "lower"
            return (f"Level expected to be {way} (label), but no source gives a size the course can draw: "
                    f"no curve.")
        return "No sourced change in clearance to draw: the concern is not this curve (see below)."

    @property
    def source_ids(self) -> tuple[str, ...]:
        """Every source behind the factor and its verified statements, first the direction's."""
        ids = [self.source_id, *self.see_also, *statements(self.factor_id).source_id]
        return tuple(dict.fromkeys(ids))


@functools.lru_cache(maxsize=1)
def _factor_table() -> tuple[Factor, ...]:
    """Factors from the table, checked against the PK presets (once)."""
    table = data.table("populations")
    presets = pk.presets()
    typical = presets[pk.DEFAULT_PRESET]
    out = []
    for row in table.itertuples(index=False):
        preset = None if pd.isna(row.preset) else str(row.preset)
        if preset is not None:
            if preset not in presets:
                raise ValueError(f"data/populations.csv: factor {row.factor_id!r} names unknown preset {preset!r}; "
                                 f"known: {', '.join(presets)}")
            _check_direction(row.factor_id, row.direction, presets[preset], typical)
        out.append(Factor(str(row.factor_id), str(row.short_label), str(row.kind), str(row.label), tuple(row.aliases),
                          str(row.mechanism), str(row.direction), preset, str(row.source_id),
                          tuple(row.see_also), str(row.status), str(row.basis)))
    return tuple(out)


_MODEL_FIELDS = ("F", "ka_per_h", "cl_l_per_h", "v1_l", "q_l_per_h", "v2_l")


def _check_direction(factor_id: str, direction: str, preset: pk.Params, typical: pk.Params) -> None:
    """A preset may differ from the typical adult only in clearance, in the sourced direction."""
    changed = [f for f in _MODEL_FIELDS if getattr(preset, f) != getattr(typical, f)]
    if changed != ["cl_l_per_h"]:
        raise ValueError(f"data/populations.csv: preset {preset.name!r} for {factor_id!r} must differ from "
                         f"{typical.name!r} in clearance only; differs in {changed or 'nothing'}")
    lower = preset.cl_l_per_h < typical.cl_l_per_h
    if (direction == "lower_clearance") != lower:
        raise ValueError(f"data/populations.csv: preset {preset.name!r} moves clearance "
                         f"{'down' if lower else 'up'}, but {factor_id!r} says {direction}")


def factors(kind: str | None = None) -> list[Factor]:
    """Every population and interacting medicine, in table order; ``kind`` 'population' or
    'medicine' keeps one kind. Raises ``ValueError`` for another kind."""
    if kind not in (None, "population", "medicine"):
        raise ValueError(f"kind must be 'population', 'medicine' or None; got {kind!r}")
    return [f for f in _factor_table() if kind is None or f.kind == kind]


def _normal(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").split())


def factor(name) -> Factor:
    """Look up a population or medicine by id (``older_adults``), label or alias
    (``"phenytoin"``, ``"elderly"``), ignoring case. Raises ``ValueError`` listing the known
    ids for an unknown name or a non-string."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"name must be a population or medicine name (a non-empty string); got {name!r}")
    key = _normal(name)
    for f in _factor_table():
        if key in {_normal(f.factor_id), _normal(f.label), *(_normal(a) for a in f.aliases)}:
            return f
    known = ", ".join(f.factor_id for f in _factor_table())
    raise ValueError(f"unknown population or medicine {name!r}; known: {known} "
                     f"(or a name such as 'elderly' or 'phenytoin')")


def statements(name, include_unverified: bool = False) -> pd.DataFrame:
    """What each source says about a population or medicine (``data/population_statements.csv``):
    columns statement_id, source_id, says, statement, status, verification. Unverified rows
    (wording from memory) are left out unless ``include_unverified``; verified and
    verified_secondary rows are kept (the status column says which)."""
    f = factor(name)
    table = data.table("population_statements")
    rows = table[table.factor_id == f.factor_id]
    if not include_unverified:
        rows = rows[rows.status.isin(COURSE_STATUSES)]
    return rows.drop(columns="factor_id").reset_index(drop=True)


def params_for(name) -> pk.Params | None:
    """The illustrative PK preset for a population or medicine, or None when no sourced
    direction changes the curve (pharmacodynamic interactions, renal impairment, pregnancy,
    unverified directions)."""
    f = factor(name)
    return None if f.preset is None else _preset(f.preset)


@functools.cache
def _preset(name: str) -> pk.Params:
    """Presets are immutable: build each once (a panel switches between them often)."""
    return pk.Params.preset(name)


def regimen_for(total_mg_per_day, doses_per_day: int = 2, days: float = 1) -> Regimen:
    """Equal doses ``doses_per_day`` times a day, evenly spaced from t = 0, for ``days`` days."""
    total = _positive_dose(total_mg_per_day, "total_mg_per_day")
    n = _schedule(doses_per_day)
    return Regimen.every(total / n, 24.0 / n, days=days)


@functools.lru_cache(maxsize=64)
def _unit_summary(params: pk.Params, doses_per_day: int) -> pk.Summary:
    """Summary for 1 mg/day: the model is linear in dose, so other totals scale it."""
    return pk.summary(regimen_for(1.0, doses_per_day, days=2), params)


class _AgainstTypical:
    """What a comparison with the typical adult derives from its fields (``typical``, ``other``
    and their summaries): shared by one factor (:class:`PresetComparison`) and several
    (:class:`Combination`)."""

    @property
    def clearance_change(self) -> float | None:
        """Relative change in clearance, e.g. -0.24 for 24% lower (illustrative size)."""
        if self.other is None:
            return None
        return self.other.cl_l_per_h / self.typical.cl_l_per_h - 1

    @property
    def average_ratio(self) -> float | None:
        """Average steady-state level relative to the typical adult (1.32 = 32% higher)."""
        if self.other_summary is None:
            return None
        return self.other_summary.cavg_ss_ng_ml / self.typical_summary.cavg_ss_ng_ml


def _summaries(typical: pk.Params, other: pk.Params | None, doses_per_day: int,
               total_mg_per_day: float) -> tuple[pk.Summary, pk.Summary | None]:
    """The typical adult's and the other curve's summaries for ``total_mg_per_day``."""
    return (_scaled(_unit_summary(typical, doses_per_day), total_mg_per_day),
            None if other is None else _scaled(_unit_summary(other, doses_per_day), total_mg_per_day))


@dataclass(frozen=True)
class PresetComparison(_AgainstTypical):
    """A population's or medicine's preset against the typical adult, same regimen.

    ``other`` and ``other_summary`` are None when no curve changes. Concentrations in the
    summaries are for ``total_mg_per_day``. Illustrative model, not a prediction."""

    factor: Factor
    total_mg_per_day: float
    doses_per_day: int
    typical: pk.Params
    other: pk.Params | None
    typical_summary: pk.Summary
    other_summary: pk.Summary | None

    def describe(self) -> str:
        """The comparison in one or two plain sentences, with the numbers it rests on."""
        f, t = self.factor, self.typical_summary
        if self.other is None:
            return f"{f.label}: no curve changes. {f.basis}"
        o, p = self.other_summary, self.other
        change = self.clearance_change
        ratio = self.average_ratio
        return (
            f"{f.label}: illustrative curve, not a prediction (the direction is from the sources, the size is the "
            f"course's assumption). Clearance "
            f"{p.cl_l_per_h:.3g} L/h instead of {self.typical.cl_l_per_h:.3g} L/h ({abs(change) * 100:.0f}% "
            f"{'lower' if change < 0 else 'higher'}); half-life about {p.terminal_half_life_h:.0f} h instead of "
            f"{self.typical.terminal_half_life_h:.0f} h. Average steady-state level "
            f"{o.cavg_ss_ng_ml:.1f} instead of {t.cavg_ss_ng_ml:.1f} ng/mL ({abs(ratio - 1) * 100:.0f}% "
            f"{'higher' if ratio > 1 else 'lower'}); 90% of steady state after about "
            f"{o.time_to_90pct_steady_state_h / 24:.1f} instead of {t.time_to_90pct_steady_state_h / 24:.1f} days."
        )


def _scaled(s: pk.Summary, factor_: float) -> pk.Summary:
    fields = {k: (v * factor_ if k.endswith("_ng_ml") else v) for k, v in s.as_dict().items()}
    return pk.Summary(**fields)


def compare_with_typical(name, total_mg_per_day=1.0, doses_per_day: int = 2,
                         typical: pk.Params | None = None) -> PresetComparison:
    """The preset for ``name`` against the typical adult (``typical``, default the
    ``typical_adult`` preset) on the same regimen: ``total_mg_per_day`` in ``doses_per_day``
    equal doses. Raises ``ValueError`` for an unknown name or bad dose."""
    f = factor(name)
    total = _positive_dose(total_mg_per_day, "total_mg_per_day")
    n = _schedule(doses_per_day)
    base = _params(typical)
    other = params_for(f.factor_id)
    return PresetComparison(f, total, n, base, other, *_summaries(base, other, n, total))


# -- factors together ------------------------------------------------------------------------
def _distinct_factors(names) -> tuple[Factor, ...]:
    if isinstance(names, str) or not isinstance(names, Iterable):
        raise ValueError(f"names must be a list of population or medicine names; got {names!r}")
    out = []
    for name in names:
        f = factor(name)
        if f not in out:
            out.append(f)
    if not out:
        raise ValueError("names is empty: give at least one population or medicine")
    return tuple(out)


def combined_params(names, typical: pk.Params | None = None) -> pk.Params | None:
    """The illustrative parameters for several populations or medicines together, or None when
    none of them has a pharmacokinetic preset (only factors with a sourced direction change
    the curve). One factor: its preset (as :func:`params_for`). Several: ``typical`` (default
    the ``typical_adult`` preset) with every preset's relative change in clearance applied
    together (multiplied). Multiplying is the course's assumption: no source measured the
    combination, and the sizes themselves are illustrative."""
    curve = [f for f in _distinct_factors(names) if f.changes_curve]
    if not curve:
        return None
    if len(curve) == 1:
        return _preset(curve[0].preset)
    base = _params(typical)
    reference = _preset(pk.DEFAULT_PRESET)
    ratio = math.prod(_preset(f.preset).cl_l_per_h / reference.cl_l_per_h for f in curve)
    return dataclasses.replace(
        base, cl_l_per_h=base.cl_l_per_h * ratio, name=" + ".join(f.preset for f in curve),
        basis=(f"{base.name} with the clearance changes of {', '.join(f.preset for f in curve)} multiplied "
               f"(x{ratio:.3g}): the course's assumption, no source measured the combination"),
        illustrative=True)


@dataclass(frozen=True)
class Combination(_AgainstTypical):
    """Several populations or medicines together against the typical adult, same regimen.

    ``curve_factors`` change the curve (a sourced pharmacokinetic direction); ``other_factors``
    do not, each for the reason in its ``basis``. ``other`` is None when no curve changes.
    Illustrative model, not a prediction."""

    factors: tuple[Factor, ...]
    total_mg_per_day: float
    doses_per_day: int
    typical: pk.Params
    other: pk.Params | None
    typical_summary: pk.Summary
    other_summary: pk.Summary | None

    @property
    def curve_factors(self) -> tuple[Factor, ...]:
        return tuple(f for f in self.factors if f.changes_curve)

    @property
    def other_factors(self) -> tuple[Factor, ...]:
        return tuple(f for f in self.factors if not f.changes_curve)

    def describe(self) -> str:
        """What is drawn, why, and what is not, in plain sentences with the numbers."""
        if len(self.factors) == 1:
            single = compare_with_typical(self.factors[0].factor_id, self.total_mg_per_day, self.doses_per_day,
                                          self.typical)
            return single.describe()
        head = " + ".join(f.label for f in self.factors) + "."
        parts = [head]
        curve, rest = self.curve_factors, self.other_factors
        if self.other is not None:
            o, t, p = self.other_summary, self.typical_summary, self.other
            change, ratio = self.clearance_change, self.average_ratio
            if len(curve) > 1:
                parts.append(f"The curve applies both clearance changes together ({' and '.join(f.short_label for f in curve)}); "
                             "multiplying them is the course's assumption, no source measured the combination, and the "
                             "effects are not known to net out in a real person. Illustrative, not a prediction.")
            else:
                parts.append(f"The curve is the {curve[0].short_label} preset: illustrative, not a prediction.")
            parts.append(
                f"Clearance {p.cl_l_per_h:.3g} L/h instead of {self.typical.cl_l_per_h:.3g} L/h "
                f"({abs(change) * 100:.0f}% {'lower' if change < 0 else 'higher'}, illustrative size); half-life about "
                f"{p.terminal_half_life_h:.0f} h instead of {self.typical.terminal_half_life_h:.0f} h. Average "
                f"steady-state level {o.cavg_ss_ng_ml:.1f} instead of {t.cavg_ss_ng_ml:.1f} ng/mL "
                f"({abs(ratio - 1) * 100:.0f}% {'higher' if ratio > 1 else 'lower'}).")
        else:
            parts.append("No curve changes: none of these has a sourced change in clearance to draw.")
        for f in rest:
            parts.append(f"{f.label}: no curve of its own. {f.basis}")
        return " ".join(parts)


def compare_combined(names, total_mg_per_day=1.0, doses_per_day: int = 2,
                     typical: pk.Params | None = None) -> Combination:
    """Several populations or medicines together (see :func:`combined_params`) against the
    typical adult on ``total_mg_per_day`` in ``doses_per_day`` equal doses. A name given twice
    counts once. Raises ``ValueError`` for an unknown name or bad dose."""
    fs = _distinct_factors(names)
    total = _positive_dose(total_mg_per_day, "total_mg_per_day")
    n = _schedule(doses_per_day)
    base = _params(typical)
    other = combined_params([f.factor_id for f in fs], base)
    return Combination(fs, total, n, base, other, *_summaries(base, other, n, total))


# -- dose sets -------------------------------------------------------------------------------
@dataclass(frozen=True)
class DoseSet:
    """Two to five distinct daily totals (mg/day, ascending) with their label placements.
    Doses above a labelled maximum are kept and flagged (``flags``)."""

    doses_mg_per_day: tuple[float, ...]
    placements: tuple[dosing.Placement, ...]

    @property
    def above_maximum(self) -> tuple[float, ...]:
        """The doses above the labelled maximum for the indication."""
        return tuple(d for d, p in zip(self.doses_mg_per_day, self.placements) if p.above_maximum)

    @property
    def flags(self) -> tuple[str, ...]:
        """One warning per dose above a labelled maximum."""
        return tuple(f"{p.total_mg_per_day:g} mg/day: {flag}" for p in self.placements for flag in p.flags)

    def __len__(self) -> int:
        return len(self.doses_mg_per_day)

    def __iter__(self):
        return iter(self.doses_mg_per_day)


def validate_doses(doses_mg_per_day, indication: str = "panic_disorder") -> DoseSet:
    """Check a selection of daily totals for side-by-side comparison and place each on the
    label landmarks of ``indication`` (adults).

    Raises ``ValueError`` for: not a list of numbers; an empty selection; fewer than
    :data:`MIN_DOSES` or more than :data:`MAX_DOSES` doses; a duplicate dose; a dose that is
    not a finite positive number, or absurd; an unknown indication. Doses above the labelled
    maximum are returned flagged, never refused. Source of the landmarks: fda_klonopin_2023.
    """
    if isinstance(doses_mg_per_day, (str, bytes)) or not isinstance(doses_mg_per_day, Iterable):
        raise ValueError(f"doses_mg_per_day must be a list of daily totals (mg/day); got {doses_mg_per_day!r}")
    values = list(doses_mg_per_day)
    if not values:
        raise ValueError(f"doses_mg_per_day is empty: choose {MIN_DOSES} to {MAX_DOSES} daily totals to compare")
    doses = [_positive_dose(v, f"doses_mg_per_day[{i}]") for i, v in enumerate(values)]
    if len(doses) > MAX_DOSES:
        raise ValueError(f"doses_mg_per_day has {len(doses)} doses; compare at most {MAX_DOSES} at a time")
    if len(doses) < MIN_DOSES:
        raise ValueError(f"doses_mg_per_day has {len(doses)} dose; choose at least {MIN_DOSES} to compare")
    ordered = sorted(doses)
    for a, b in itertools.pairwise(ordered):
        if abs(a - b) <= _TOL * max(1.0, b):
            raise ValueError(f"doses_mg_per_day lists {a:g} mg/day twice; each dose may appear once")
    placements = tuple(dosing.place(d, indication, "adult") for d in ordered)
    return DoseSet(tuple(ordered), placements)


def steady_state_curve(total_mg_per_day, doses_per_day: int, t_h, params: pk.Params | None = None) -> np.ndarray:
    """Illustrative steady-state plasma concentration (ng/mL) at ``t_h`` hours after a dose,
    for ``total_mg_per_day`` taken as ``doses_per_day`` equal, evenly spaced doses (closed form,
    :func:`clonaedu.pk.steady_state`; periodic in ``t_h``)."""
    reg = regimen_for(total_mg_per_day, doses_per_day, days=1)
    return pk.steady_state(reg, t_h, _params(params), period_h=24.0)


def dose_comparison(doses_mg_per_day, doses_per_day: int = 2, params: pk.Params | None = None,
                    indication: str = "panic_disorder") -> pd.DataFrame:
    """Side-by-side metrics of two to five daily totals (see :func:`validate_doses`), each
    taken as ``doses_per_day`` equal doses, under the illustrative model.

    One row per dose, ascending: total_mg_per_day, per_dose_mg, schedule, where (label
    placement), above_maximum, peak_ss_ng_ml, trough_ss_ng_ml, average_ss_ng_ml,
    relative_to_target (average level over that at the label's target for ``indication``;
    the model is linear in dose, so this is the dose ratio), studied_in_trial, trial (what
    the fixed-dose trial found at that dose, or that it did not study it; panic disorder).
    """
    dose_set = validate_doses(doses_mg_per_day, indication)
    n = _schedule(doses_per_day)
    unit = _unit_summary(_params(params), n)
    landmarks = dose_set.placements[0].landmarks_mg_per_day
    reference = landmarks.get("target", landmarks.get("initial_maximum"))
    rows = []
    for dose, placement in zip(dose_set.doses_mg_per_day, dose_set.placements):
        rows.append({
            "total_mg_per_day": dose,
            "per_dose_mg": dosing.per_dose(dose, n),
            "schedule": f"{dosing.per_dose(dose, n):g} mg {SCHEDULES[n]}",
            "where": placement.description,
            "above_maximum": placement.above_maximum,
            "peak_ss_ng_ml": unit.cmax_ss_ng_ml * dose,
            "trough_ss_ng_ml": unit.trough_ss_ng_ml * dose,
            "average_ss_ng_ml": unit.cavg_ss_ng_ml * dose,
            "relative_to_target": dose / reference,
            "studied_in_trial": _is_studied(dose),
            "trial": trial_summary(dose) if indication == "panic_disorder" else "",
        })
    return pd.DataFrame(rows)


# -- readable tables for notebooks ---------------------------------------------------------------
def _doses_text(low, high) -> str:
    if pd.isna(low):
        return "whole trial"
    return f"{low:g} mg/day" if low == high else f"{low:g} to {high:g} mg/day"


def trial_table():
    """The trial's verified findings (not the list of groups) as a readable table: doses,
    finding, source."""
    from .display import table

    rows = trial()
    rows = rows[rows.aspect != "arm"].copy()
    rows["doses"] = [_doses_text(lo, hi) for lo, hi in zip(rows.dose_low_mg_per_day, rows.dose_high_mg_per_day)]
    rows["aspect"] = rows.aspect.str.replace("_", " ")
    return table(rows, {"doses": "doses", "aspect": "about", "statement": "finding", "source_id": "source"})


_CURVE_TEXT = {
    "lower_clearance": "slower elimination: curve drawn higher (size illustrative)",
    "higher_clearance": "faster elimination: curve drawn lower (size illustrative)",
    "added_effect": "same level, added effect: no curve change",
    "not_modelled": "no curve change",
}


def _curve_text(f: Factor) -> str:
    if f.preset is None and f.direction in ("lower_clearance", "higher_clearance"):
        if not f.verified:
            return "direction not checked: no curve drawn"
        way = "higher" if f.direction == "lower_clearance" else "lower"
        return f"level expected {way} (label); no size to draw, so no curve"
    return _CURVE_TEXT[f.direction]


#: Short names students read for the sources of the population statements (the full
#: references, with their ids, are at the end of each notebook).
SOURCE_NAMES = {
    "fda_klonopin_2023": "US label 2023",
    "fda_clonazepam_generic": "US generic label",
    "fda_klonopin_pk_label": "US label, older edition",
    "beers2023": "Beers 2023",
    "uk_clonazepam_smpc": "UK product information",
    "khoo1980": "Khoo 1980 study",
    "lai1978": "Lai 1978 study",
}


def source_name(source_id: str) -> str:
    """A short name for ``source_id`` that a student can read (the id itself if none is set)."""
    return SOURCE_NAMES.get(source_id, source_id)


def overview_table(kind: str | None = None):
    """Every population and medicine with what each source says in a few words (verified
    statements only) and what the who-needs-less panel draws for it."""
    from .display import table

    rows = []
    for f in factors(kind):
        says = "; ".join(f"{r.says}: {source_name(r.source_id)}" for r in statements(f.factor_id).itertuples(index=False))
        rows.append({"who": f.label, "says": says, "curve": _curve_text(f)})
    return table(pd.DataFrame(rows), {"who": "who", "says": "what the sources say", "curve": "in the panel"})


def statement_table(name):
    """What each source says about one population or medicine (verified statements only)."""
    from .display import table

    return table(statements(name), {"says": "in brief", "statement": "what the source says", "source_id": "source"})
