"""Illustrative oral pharmacokinetic model of clonazepam (pure functions, no plotting).

The model: first-order absorption from the gut (rate ``ka``, bioavailability ``F``) into
a central compartment (volume ``V1``, clearance ``CL``) that exchanges with one peripheral
compartment (volume ``V2``, inter-compartmental clearance ``Q``). One oral dose then gives
a sum of three exponentials (absorption, distribution ``alpha``, terminal ``beta``);
a regimen's curve is the sum of its doses' curves (superposition, because the model is
linear in dose, as the Swiss product information states for clonazepam). Steady state is
the sum of a geometric series per exponential, computed in closed form.

Why two compartments: a one-compartment model with the literature clearance and volume
(CL about 3.3 L/h, V about 186 L) predicts a peak of about 9 ng/mL after 2 mg, while
studies measured 14.9 to 19.8 ng/mL (crevoisier2003, chauhan2000); the product
information also describes an early distribution phase of 0.5 to 1 h (ch_clonazepam_fi).
The default parameters (``typical_adult`` in ``data/pk_parameters.csv``) were fitted so
that every calibration target in ``data/pk_targets.csv`` is met: see :func:`check_targets`.

Everything here is an illustrative model for teaching, never a prediction for a patient.
Units travel in names: hours (``_h``), mg, litres, ng/mL (1 mg/L = 1000 ng/mL).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from . import data
from .regimens import Regimen, example, examples
from .regimens import _finite_number as _number

__all__ = [
    "Params",
    "Summary",
    "presets",
    "concentration",
    "steady_state",
    "summary",
    "targets",
    "check_targets",
    "effect_windows",
    "DEFAULT_PRESET",
    "ILLUSTRATIVE_NOTE",
    "REFERENCE_WEIGHT_KG",
    "published_range",
    "parameter_table",
    "summary_table",
    "example_summary",
    "SUMMARY_COLUMNS",
    "PARAMETER_MEANINGS",
    "Band",
    "population_band",
    "BAND_QUANTITIES",
]

#: The caption every figure drawn from this model must carry (DESIGN.md section 3).
ILLUSTRATIVE_NOTE = "Illustrative model, not a prediction for any patient."
LN2 = math.log(2)
NG_ML_PER_MG_L = 1000.0
#: The preset used when ``params`` is omitted.
DEFAULT_PRESET = "typical_adult"
#: Body weight the presets describe (kg); per-kg literature values are scaled to it.
REFERENCE_WEIGHT_KG = 70.0
#: Published range of the elimination half-life (h), berlin1975 (19 to 60 h).
#: Absorption half-lives accepted by :meth:`Params.with_absorption_half_life` (h).
ABSORPTION_HALF_LIFE_RANGE_H = (1 / 60, 8.0)  # input sanity bounds, not clinical

# parameter -> (unit, lowest, highest); the low end is exclusive. The upper ends are
# generous sanity limits that catch unit slips (mL typed as L), not physiology.
_PARAMETERS: Mapping[str, tuple[str, float, float]] = MappingProxyType(
    {
        "F": ("fraction", 0.0, 1.0),
        "ka_per_h": ("1/h", 0.0, 100.0),
        "cl_l_per_h": ("L/h", 0.0, 1000.0),
        "v1_l": ("L", 0.0, 10000.0),
        "q_l_per_h": ("L/h", 0.0, 1000.0),
        "v2_l": ("L", 0.0, 10000.0),
    }
)
_GAP = 1e-6  # smallest relative gap kept between ka and alpha/beta (see _exponents)
_T90_FRACTION = 0.9


@dataclass(frozen=True)
class Params:
    """Parameters of the oral two-compartment model for one (illustrative) adult.

    ``F`` bioavailability (fraction, in (0, 1]); ``ka_per_h`` absorption rate constant;
    ``cl_l_per_h`` clearance from the central compartment; ``v1_l`` central volume;
    ``q_l_per_h`` inter-compartmental clearance; ``v2_l`` peripheral volume. ``name``,
    ``basis`` (where the values come from) and ``illustrative`` (True when any value is an
    assumption rather than cited or fitted to cited targets) describe the set.

    Raises ``ValueError`` naming the parameter if a value is not a finite number in its
    physical range. Use :meth:`preset` for the course's cited presets.
    """

    F: float
    ka_per_h: float
    cl_l_per_h: float
    v1_l: float
    q_l_per_h: float
    v2_l: float
    name: str = "custom"
    basis: str = "values supplied by the user"
    illustrative: bool = True

    def __post_init__(self):
        for field, (unit, low, high) in _PARAMETERS.items():
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
                raise ValueError(f"{field} must be a number ({unit}); got {value!r}")
            if not math.isfinite(value):
                raise ValueError(f"{field} must be finite ({unit}); got {value!r}")
            if not low < value <= high:
                raise ValueError(f"{field} must be in ({low:g}, {high:g}] {unit}; got {value:g}")
            object.__setattr__(self, field, float(value))

    # -- rate constants (1/h) -----------------------------------------------------------
    @property
    def k10_per_h(self) -> float:
        """Elimination rate constant from the central compartment, CL/V1 (1/h)."""
        return self.cl_l_per_h / self.v1_l

    @property
    def k12_per_h(self) -> float:
        """Central-to-peripheral rate constant, Q/V1 (1/h)."""
        return self.q_l_per_h / self.v1_l

    @property
    def k21_per_h(self) -> float:
        """Peripheral-to-central rate constant, Q/V2 (1/h)."""
        return self.q_l_per_h / self.v2_l

    @property
    def alpha_per_h(self) -> float:
        """Distribution (fast) disposition rate constant (1/h)."""
        total = self.k10_per_h + self.k12_per_h + self.k21_per_h
        disc = math.sqrt(total * total - 4 * self.k10_per_h * self.k21_per_h)
        return (total + disc) / 2

    @property
    def beta_per_h(self) -> float:
        """Terminal (slow) disposition rate constant (1/h); alpha * beta = k10 * k21."""
        return self.k10_per_h * self.k21_per_h / self.alpha_per_h

    @property
    def distribution_half_life_h(self) -> float:
        """Half-life of the early distribution phase, ln2/alpha (h)."""
        return LN2 / self.alpha_per_h

    @property
    def terminal_half_life_h(self) -> float:
        """Terminal elimination half-life, ln2/beta (h): the label's "half-life". (Were
        absorption slower than elimination, ka < beta, the curve's last slope would be ka.)"""
        return LN2 / self.beta_per_h

    @property
    def absorption_half_life_h(self) -> float:
        """Absorption half-life, ln2/ka (h)."""
        return LN2 / self.ka_per_h

    @property
    def vz_l(self) -> float:
        """Volume of distribution in the terminal phase, CL/beta (L)."""
        return self.cl_l_per_h / self.beta_per_h

    @property
    def vss_l(self) -> float:
        """Volume of distribution at steady state, V1 + V2 (L)."""
        return self.v1_l + self.v2_l

    # -- presets and adjusted copies ----------------------------------------------------
    @classmethod
    def preset(cls, name: str = DEFAULT_PRESET) -> Params:
        """The named preset from ``data/pk_parameters.csv``; ``ValueError`` listing the
        known presets if ``name`` is unknown. See :func:`presets`."""
        rows = data.table("pk_parameters")
        known = list(dict.fromkeys(rows["preset"]))
        if name not in known:
            raise ValueError(f"unknown preset {name!r}; known presets: {', '.join(known)}")
        return _params_from_rows(name, rows[rows["preset"] == name])

    @classmethod
    def default(cls) -> Params:
        """The ``typical_adult`` preset (fitted to every target in ``data/pk_targets.csv``)."""
        return cls.preset(DEFAULT_PRESET)

    def with_half_life(self, half_life_h: float) -> Params:
        """A copy whose terminal half-life is ``half_life_h`` hours (for a slider).

        The volumes and Q are kept and clearance is solved in closed form: beta is a root
        of beta^2 - (k10 + k12 + k21) beta + k10 k21 = 0, so
        k10 = beta (k12 + k21 - beta) / (k21 - beta). The half-life must lie in the
        published range (``published_range("terminal_half_life")``: 19 to 60 h, berlin1975),
        else ``ValueError``.
        """
        h = _number(half_life_h, "half_life_h")
        low, high = published_range("terminal_half_life")
        if not low <= h <= high:
            raise ValueError(f"half_life_h must be in the published range {low:g} to {high:g} h; got {h:g}")
        beta, k12, k21 = LN2 / h, self.k12_per_h, self.k21_per_h
        if beta >= k21:
            raise ValueError(
                f"half_life_h {h:g} h is not reachable: the terminal rate must stay below k21 = {k21:.3g}/h"
            )
        cl = self.v1_l * beta * (k12 + k21 - beta) / (k21 - beta)
        return dataclasses.replace(
            self,
            cl_l_per_h=cl,
            name=f"{self.name}, half-life {h:g} h",
            basis=f"{self.basis} || clearance changed to {cl:.3g} L/h for a terminal half-life of {h:g} h (illustrative)",
            illustrative=True,
        )

    def with_absorption_half_life(self, half_life_h: float) -> Params:
        """A copy with absorption half-life ``half_life_h`` hours (ka = ln2 / half-life),
        between 1 min and 8 h, else ``ValueError``."""
        h = _number(half_life_h, "half_life_h")
        low, high = ABSORPTION_HALF_LIFE_RANGE_H
        if not low <= h <= high:
            raise ValueError(f"absorption half_life_h must be in {low:.3g} to {high:g} h; got {h:g}")
        return dataclasses.replace(
            self,
            ka_per_h=LN2 / h,
            name=f"{self.name}, absorption half-life {h:g} h",
            basis=f"{self.basis} || absorption half-life set to {h:g} h (illustrative)",
            illustrative=True,
        )


def published_range(quantity: str) -> tuple[float, float]:
    """(low, high) of a quantity in ``data/pk_ranges.csv``, in the table's unit: hours for
    ``terminal_half_life`` and ``absorption_half_life``, L/kg for
    ``volume_of_distribution_per_kg`` (the half-life and volume ranges are published,
    berlin1975; the absorption range is illustrative, marked so in the table). Sliders stay
    inside these ranges."""
    table = data.table("pk_ranges").set_index("quantity")
    if quantity not in table.index:
        raise ValueError(f"unknown quantity {quantity!r}; known: {', '.join(table.index)}")
    return float(table.loc[quantity, "low"]), float(table.loc[quantity, "high"])


def _params_from_rows(name: str, rows: pd.DataFrame) -> Params:
    """Build one preset from its rows of ``pk_parameters`` (one row per parameter)."""
    values, notes = {}, []
    for row in rows.itertuples(index=False):
        unit = _PARAMETERS[row.parameter][0]
        if row.unit != unit:
            raise ValueError(f"pk_parameters: preset {name!r}, {row.parameter} has unit {row.unit!r}, expected {unit!r}")
        values[row.parameter] = row.value
        notes.append(f"{row.parameter} {row.value:g} {unit} ({row.status}; {', '.join(row.source_id)}): {row.basis}")
    missing = [p for p in _PARAMETERS if p not in values]
    if missing:
        raise ValueError(f"pk_parameters: preset {name!r} is missing {', '.join(missing)}")
    return Params(
        **values,
        name=name,
        basis=" | ".join(notes),
        illustrative=bool((rows["status"] == "illustrative").any()),
    )


def presets() -> dict[str, Params]:
    """Every preset in ``data/pk_parameters.csv`` by name, in file order (a new dict each
    call). Values are cited, fitted to cited targets, or marked illustrative per parameter
    in the table's ``status`` column."""
    rows = data.table("pk_parameters")
    return {name: _params_from_rows(name, group) for name, group in rows.groupby("preset", sort=False)}


# -- the closed-form single-dose response ------------------------------------------------
def _params(params: Params | None) -> Params:
    if params is None:
        return Params.default()
    if not isinstance(params, Params):
        raise TypeError(f"params must be a clonaedu.pk.Params or None; got {type(params).__name__}")
    return params


def _regimen(regimen: Regimen) -> Regimen:
    if not isinstance(regimen, Regimen):
        raise TypeError(f"regimen must be a clonaedu.regimens.Regimen; got {type(regimen).__name__}")
    return regimen


def _exponents(p: Params) -> tuple[np.ndarray, np.ndarray]:
    """(rates, coefficients): the concentration after 1 mg taken at t = 0 is
    ``sum(coef * exp(-rate * t))`` ng/mL for t >= 0, rates (ka, alpha, beta) in 1/h.

    If ka comes within a relative 1e-6 of alpha or beta (where the closed form divides by
    zero) ka is nudged by that much; the curve changes by about 1e-6 relative.
    """
    alpha, beta, k21 = p.alpha_per_h, p.beta_per_h, p.k21_per_h
    ka = p.ka_per_h
    for rate in (alpha, beta):
        if abs(ka - rate) < _GAP * rate:
            ka = rate * (1 + 2 * _GAP) if ka >= rate else rate * (1 - 2 * _GAP)
    scale = ka * p.F / p.v1_l * NG_ML_PER_MG_L
    rates = np.array([ka, alpha, beta])
    coef = scale * np.array(
        [
            (k21 - ka) / ((alpha - ka) * (beta - ka)),
            (k21 - alpha) / ((ka - alpha) * (beta - alpha)),
            (k21 - beta) / ((ka - beta) * (alpha - beta)),
        ]
    )
    return rates, coef


def _times(t_h, name: str = "t_h") -> np.ndarray:
    try:
        t = np.asarray(t_h, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers (hours); got {t_h!r}") from None
    if not np.isfinite(t).all():
        raise ValueError(f"{name} must be finite (hours); it contains NaN or infinity")
    return t


def _unit_response(t: np.ndarray, rates: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """Concentration after 1 mg taken at t = 0 (ng/mL), for t >= 0.

    Written as sum(coef * (exp(-rate t) - 1)), which equals sum(coef * exp(-rate t)) because
    the coefficients sum to zero (nothing is in plasma at the moment of the dose); with
    ``expm1`` it is exactly 0 at t = 0 and accurate just after the dose.
    """
    return sum(c * np.expm1(-r * t) for r, c in zip(rates, coef))


def _superpose(dt: np.ndarray, doses: np.ndarray, rates: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """Sum over doses (axis 0 of ``dt``, hours since each dose) of dose x unit response;
    zero where ``dt < 0``."""
    active = dt >= 0
    unit = _unit_response(np.where(active, dt, 0.0), rates, coef)
    return doses @ np.where(active, unit, 0.0)


def concentration(regimen: Regimen, t_h, params: Params | None = None) -> np.ndarray:
    """Plasma concentration (ng/mL) of the illustrative model at times ``t_h`` (hours,
    any shape) for ``regimen``; ``params`` defaults to the ``typical_adult`` preset.

    Zero before the first dose and never negative. Superposes the closed-form
    single-dose response of every dose (numpy broadcasting over doses x times).
    Raises ``ValueError`` for NaN or infinite times.
    """
    p, reg = _params(params), _regimen(regimen)
    t = _times(t_h)
    rates, coef = _exponents(p)
    flat = t.ravel()
    out = np.zeros(flat.size)
    chunk = max(1, 2_000_000 // max(flat.size, 1))  # bound the doses x times temporaries
    for start in range(0, len(reg), chunk):
        times = reg.times_h[start : start + chunk]
        out += _superpose(flat[None, :] - times[:, None], reg.doses_mg[start : start + chunk], rates, coef)
    return np.maximum(out, 0.0).reshape(t.shape)


def _ss_profile(phase_h: np.ndarray, offsets: np.ndarray, doses: np.ndarray, period: float, rates, coef):
    """Steady-state concentration at ``phase_h`` hours into a period (closed form).

    Each exponential of each dose summed over all past periods is a geometric series:
    sum_m exp(-r (t + m T)) = exp(-r t) / (1 - exp(-r T)), with t = (phase - offset) mod T.
    """
    dt = np.mod(phase_h[None, :] - offsets[:, None], period)
    geometric = coef / -np.expm1(-rates * period)
    return np.maximum(doses @ sum(g * np.exp(-r * dt) for r, g in zip(rates, geometric)), 0.0)


def _pattern(regimen: Regimen, period_h: float | None) -> tuple[np.ndarray, np.ndarray, float]:
    offsets, doses = regimen.first_period(period_h)
    return offsets, doses, float(regimen.period_h if period_h is None else period_h)


def steady_state(regimen: Regimen, t_h, params: Params | None = None, period_h: float | None = None) -> np.ndarray:
    """Steady-state concentration (ng/mL) at ``t_h`` hours after the first dose of a
    period, once the regimen's pattern has repeated forever (closed form, periodic in
    ``t_h``). The pattern is the doses in the first ``period_h`` hours from the first dose
    (default :attr:`Regimen.period_h`: the dosing interval, or 24 h for an uneven daily
    pattern)."""
    p, reg = _params(params), _regimen(regimen)
    t = _times(t_h)
    offsets, doses, period = _pattern(reg, period_h)
    rates, coef = _exponents(p)
    return _ss_profile(t.ravel(), offsets, doses, period, rates, coef).reshape(t.shape)


# -- summary metrics ---------------------------------------------------------------------
@dataclass(frozen=True)
class Summary:
    """Metrics of a regimen under the illustrative model (see :func:`summary`)."""

    period_h: float | None  #: repeat period used for steady state (h); None for one dose
    cmax_ng_ml: float  #: peak after the first dose, taken alone (ng/mL)
    tmax_h: float  #: time of that peak after the first dose (h)
    cmax_ss_ng_ml: float  #: highest concentration of the steady-state cycle (ng/mL)
    trough_ss_ng_ml: float  #: lowest concentration of the steady-state cycle (ng/mL)
    cavg_ss_ng_ml: float  #: average over one steady-state period, F*dose/(CL*period) (ng/mL)
    fluctuation_ss: float  #: (Cmax,ss - trough,ss) / Cavg,ss (ratio)
    accumulation_ratio: float  #: AUC of a steady-state period / AUC of the first period
    time_to_90pct_steady_state_h: float  #: from the first dose until C(t) stays >= 90% of C_ss (h)

    def as_dict(self) -> dict:
        """The metrics as a plain dict (names carry units)."""
        return dataclasses.asdict(self)


def _refine_extreme(fun: Callable, grid: np.ndarray, pick: Callable) -> tuple[float, float]:
    """(t, value) of the extreme of ``fun`` found on ``grid`` then on a fine grid around it."""
    values = fun(grid)
    i = int(pick(values))
    fine = np.linspace(grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)], 401)
    fine_values = fun(fine)
    j = int(pick(fine_values))
    return float(fine[j]), float(fine_values[j])


def _time_to_fraction(offsets, doses, period, rates, coef, fraction: float = _T90_FRACTION) -> float:
    """Hours from the first dose until the curve stays at or above ``fraction`` of the
    steady-state curve at the same point of the cycle.

    What is still missing at time t is what all the periods before the first would have
    left behind: sum_{m>=1} exp(-r (t - offset + m T)), a geometric series per exponential.
    """
    beta = rates.min()
    horizon = 2 * period + 12 / beta
    t = np.linspace(0, horizon, int(min(200_000, max(4000, 400 * horizon / period))))
    dt = t[None, :] - offsets[:, None] + period
    missing = doses @ sum((c / -np.expm1(-r * period)) * np.exp(-r * dt) for r, c in zip(rates, coef))
    ratio = missing / np.maximum(_ss_profile(t, offsets, doses, period, rates, coef), 1e-300)
    above = np.nonzero(ratio > 1 - fraction)[0]
    i = int(above[-1])
    if i + 1 >= t.size:  # pragma: no cover - horizon is many half-lives long
        return float("nan")
    r0, r1 = ratio[i] - (1 - fraction), ratio[i + 1] - (1 - fraction)
    return float(t[i] + (t[i + 1] - t[i]) * r0 / (r0 - r1))


def summary(regimen: Regimen, params: Params | None = None, period_h: float | None = None) -> Summary:
    """Single-dose and steady-state metrics of ``regimen`` (see :class:`Summary`).

    ``cmax_ng_ml`` and ``tmax_h`` describe the first dose alone (plasma peak, label Tmax
    1 to 4 h). Steady-state metrics assume the pattern of the first period repeats forever
    (``period_h``, default :attr:`Regimen.period_h`: the dosing interval, or 24 h for an
    uneven daily pattern), computed in closed form (a geometric series per exponential);
    they are NaN for a single dose unless ``period_h`` is given. Accumulation ratio is the
    AUC over one steady-state period over the AUC over the first period; average
    concentration is F * dose per period / (CL * period). Time to 90% of steady state runs
    from the first dose until the curve stays at or above 90% of the steady-state curve at
    the same point of the cycle (so it lands just after a dose). Illustrative, not a
    prediction for any patient.
    """
    p, reg = _params(params), _regimen(regimen)
    rates, coef = _exponents(p)
    first_dose = float(reg.doses_mg[0])
    log_grid = np.concatenate([[0.0], np.geomspace(1e-4, 10 * p.terminal_half_life_h, 4000)])
    tmax, cmax_unit = _refine_extreme(lambda t: _unit_response(t, rates, coef), log_grid, np.argmax)
    nan = float("nan")
    if len(reg) < 2 and period_h is None:
        return Summary(None, cmax_unit * first_dose, tmax, nan, nan, nan, nan, nan, nan)

    offsets, doses, period = _pattern(reg, period_h)
    if not doses.any():  # a pattern of 0 mg doses: nothing accumulates, ratios are undefined
        return Summary(period, cmax_unit * first_dose, tmax, 0.0, 0.0, 0.0, nan, nan, nan)
    profile = lambda t: _ss_profile(t, offsets, doses, period, rates, coef)  # noqa: E731
    grid = np.union1d(np.linspace(0, period, 4001), offsets)  # dose times are the kinks
    _, cmax_ss = _refine_extreme(profile, grid, np.argmax)
    _, trough_ss = _refine_extreme(profile, grid, np.argmin)
    auc_ss = float(doses.sum() * (coef / rates).sum())  # = F * dose * 1000 / CL
    auc_first = float(doses @ ((coef / rates) * -np.expm1(-rates * (period - offsets[:, None]))).sum(axis=1))
    cavg = auc_ss / period
    return Summary(
        period_h=period,
        cmax_ng_ml=cmax_unit * first_dose,
        tmax_h=tmax,
        cmax_ss_ng_ml=cmax_ss,
        trough_ss_ng_ml=trough_ss,
        cavg_ss_ng_ml=cavg,
        fluctuation_ss=(cmax_ss - trough_ss) / cavg,
        accumulation_ratio=auc_ss / auc_first,
        time_to_90pct_steady_state_h=_time_to_fraction(offsets, doses, period, rates, coef),
    )


# -- calibration targets and sourced windows ---------------------------------------------
# target name -> the model's value for it, in the target table's unit
_TARGET_MODELS: Mapping[str, Callable[[Params], float]] = MappingProxyType(
    {
        "single_dose_tmax": lambda p: summary(Regimen.single(1.0), p).tmax_h,
        "single_dose_cmax_2mg": lambda p: summary(Regimen.single(2.0), p).cmax_ng_ml,
        "distribution_half_life": lambda p: p.distribution_half_life_h,
        "terminal_half_life": lambda p: p.terminal_half_life_h,
        "bioavailability": lambda p: p.F,
        "accumulation_ratio_once_daily": lambda p: summary(Regimen.every(1.0, 24), p).accumulation_ratio,
        "accumulation_ratio_twice_daily": lambda p: summary(Regimen.every(1.0, 12), p).accumulation_ratio,
        "time_to_90pct_steady_state": lambda p: summary(Regimen.every(1.0, 24), p).time_to_90pct_steady_state_h
        / 24,
        "volume_of_distribution_per_kg": lambda p: p.vz_l / REFERENCE_WEIGHT_KG,
    }
)


def targets() -> pd.DataFrame:
    """The calibration targets (``data/pk_targets.csv``): target, what it measures, low,
    high, unit, source ids and a note on how the band was set."""
    return data.table("pk_targets")


#: plain-English meaning of each model parameter, for tables students read
PARAMETER_MEANINGS = {
    "F": "bioavailability: the fraction of the dose that reaches the blood",
    "ka_per_h": "absorption rate: the fraction of what is left in the gut absorbed per hour",
    "cl_l_per_h": "clearance: litres of blood plasma cleared of drug per hour (by the liver)",
    "v1_l": "central volume: blood and organs with a rich blood supply",
    "q_l_per_h": "exchange rate between blood and the other tissues",
    "v2_l": "peripheral volume: the other body tissues the drug spreads into",
}


def parameter_table(preset: str = DEFAULT_PRESET) -> pd.DataFrame:
    """The parameters of one preset with their meaning in plain English, value, unit, status
    (cited, fitted or illustrative) and sources, from ``data/pk_parameters.csv``."""
    presets()  # validates the table and the preset names
    rows = data.table("pk_parameters")
    if preset not in set(rows["preset"]):
        raise ValueError(f"unknown preset {preset!r}; known: {', '.join(sorted(set(rows['preset'])))}")
    rows = rows[rows["preset"] == preset].copy()
    rows["meaning"] = rows["parameter"].map(PARAMETER_MEANINGS)
    rows["source_id"] = rows["source_id"].map(", ".join)
    return rows[["parameter", "meaning", "value", "unit", "status", "source_id"]].reset_index(drop=True)


def summary_table(regimens: Mapping[str, Regimen], params: Params | None = None) -> pd.DataFrame:
    """Steady-state metrics of several named regimens side by side (one row per name):
    daily total (mg/day), steady-state peak and trough (ng/mL), fluctuation (%), average
    (ng/mL), accumulation ratio and days to 90% of steady state. Illustrative model."""
    if not regimens:
        raise ValueError("summary_table needs at least one regimen")
    rows = []
    for name, reg in regimens.items():
        s = summary(reg, params)
        rows.append({
            "regimen": name,
            "mg_per_day": _regimen(reg).daily_total_mg,
            "peak_ss_ng_ml": round(s.cmax_ss_ng_ml, 1),
            "trough_ss_ng_ml": round(s.trough_ss_ng_ml, 1),
            "fluctuation_pct": round(100 * s.fluctuation_ss),
            "average_ss_ng_ml": round(s.cavg_ss_ng_ml, 1),
            "accumulation_ratio": round(s.accumulation_ratio, 1),
            "days_to_90pct_ss": round(s.time_to_90pct_steady_state_h / 24, 1),
        })
    return pd.DataFrame(rows)


#: readable headers for the columns of :func:`summary_table`
SUMMARY_COLUMNS = {
    "regimen": "regimen", "mg_per_day": "total (mg/day)", "peak_ss_ng_ml": "peak at steady state (ng/mL)",
    "trough_ss_ng_ml": "trough at steady state (ng/mL)", "fluctuation_pct": "peak-to-trough fluctuation (%)",
    "average_ss_ng_ml": "average at steady state (ng/mL)", "accumulation_ratio": "accumulation ratio",
    "days_to_90pct_ss": "days to 90% of steady state",
}


def example_summary(*regimen_ids: str, params: Params | None = None) -> pd.DataFrame:
    """:func:`summary_table` of example regimens (``data/regimen_examples.csv``) by id, each
    row named by the example's label. Illustrative model."""
    labels = examples()["label"]
    return summary_table({labels[rid]: example(rid, days=2) for rid in regimen_ids}, params)


def check_targets(params: Params | None = None) -> pd.DataFrame:
    """Each calibration target with the model's value for ``params`` (default
    ``typical_adult``): columns target, low, high, unit, model_value, met, source_id.

    Raises ``ValueError`` if the table names a target the model cannot compute.
    """
    p = _params(params)
    table = targets()
    unknown = sorted(set(table["target"]) - set(_TARGET_MODELS))
    if unknown:
        raise ValueError(f"pk_targets names target(s) the model cannot compute: {', '.join(unknown)}")
    values = [float(_TARGET_MODELS[name](p)) for name in table["target"]]
    out = table[["target", "low", "high", "unit"]].copy()
    out["model_value"] = values
    out["met"] = (out["low"] <= out["model_value"]) & (out["model_value"] <= out["high"])
    out["source_id"] = table["source_id"].map(", ".join)
    return out


def effect_windows() -> pd.DataFrame:
    """Sourced single-dose time windows (hours after the dose) for shading a plot:
    onset and duration of effect (``kind`` effect, European product information) and the
    plasma peak (``kind`` plasma, US label). Half-life and duration of effect differ:
    these windows are what the sources state, not model predictions."""
    return data.table("effect_windows")


# -- variability between people: a seeded population band ----------------------------------
#: Quantities :func:`population_band` knows how to vary (those of ``data/pk_ranges.csv`` with
#: status ``cited`` are varied by default). Absorption is not varied: its range in the table is
#: illustrative, not measured between people. Bioavailability is not varied: the course's
#: sources give one value (about 90%), no range.
BAND_QUANTITIES = ("terminal_half_life", "volume_of_distribution_per_kg")
_Z_975 = 1.959963984540054  # the published low and high sit at the 2.5th and 97.5th percentiles
_MAX_BAND_N = 5000


@dataclass(frozen=True, eq=False)
class Band:
    """Percentiles of the illustrative level across seeded virtual patients (see
    :func:`population_band`). ``conc_ng_ml[i]`` is percentile ``percentiles[i]`` at ``t_h``;
    ``varied`` maps each varied quantity to the (low, high) range it was drawn from."""

    t_h: np.ndarray
    percentiles: tuple[float, ...]
    conc_ng_ml: np.ndarray
    n: int
    seed: int
    varied: Mapping[str, tuple[float, float]]

    def at(self, percentile: float) -> np.ndarray:
        """The curve of one of :attr:`percentiles` (ng/mL); ``ValueError`` for another."""
        for p, curve in zip(self.percentiles, self.conc_ng_ml):
            if p == percentile:
                return curve
        raise ValueError(f"percentile {percentile!r} was not computed; computed: {self.percentiles}")

    @property
    def low(self) -> np.ndarray:
        """The lowest computed percentile (ng/mL), the band's lower edge."""
        return self.conc_ng_ml[0]

    @property
    def high(self) -> np.ndarray:
        """The highest computed percentile (ng/mL), the band's upper edge."""
        return self.conc_ng_ml[-1]

    @property
    def median(self) -> np.ndarray:
        """The 50th percentile (ng/mL)."""
        return self.at(50)

    def scaled(self, factor: float) -> Band:
        """The band for every dose multiplied by ``factor`` (the model is linear in dose, and a
        percentile of scaled curves is the scaled percentile)."""
        return dataclasses.replace(self, conc_ng_ml=self.conc_ng_ml * float(factor))


def _band_ranges(ranges) -> dict[str, tuple[float, float]]:
    table = data.table("pk_ranges").set_index("quantity")
    chosen = {q: (float(table.loc[q, "low"]), float(table.loc[q, "high"]))
              for q in BAND_QUANTITIES if q in table.index and table.loc[q, "status"] == "cited"}
    for quantity, value in dict(ranges or {}).items():
        if quantity not in BAND_QUANTITIES:
            raise ValueError(f"ranges: cannot vary {quantity!r}; known: {', '.join(BAND_QUANTITIES)}")
        if value is None:
            chosen.pop(quantity, None)
            continue
        try:
            low, high = (_number(v, f"ranges[{quantity!r}]") for v in value)
        except (TypeError, ValueError):
            raise ValueError(f"ranges[{quantity!r}] must be (low, high) positive numbers or None; got {value!r}") from None
        if not 0 < low <= high:
            raise ValueError(f"ranges[{quantity!r}] must have 0 < low <= high; got ({low:g}, {high:g})")
        chosen[quantity] = (low, high)
    return chosen


def _draw(rng: np.random.Generator, typical: float, low: float, high: float, n: int) -> np.ndarray:
    """``n`` values, log-normal around ``typical`` (the range's geometric middle if ``typical``
    is outside it) with the range's ends at the 2.5th and 97.5th percentiles, kept inside
    [low, high] by drawing again."""
    if low == high:
        return np.full(n, low)
    centre = typical if low <= typical <= high else math.sqrt(low * high)
    sigma = math.log(high / low) / (2 * _Z_975)
    out = np.empty(0)
    while out.size < n:
        draws = centre * np.exp(sigma * rng.standard_normal(2 * n))
        out = np.concatenate([out, draws[(draws >= low) & (draws <= high)]])
    return out[:n]


def _population_exponents(p: Params, half_life_h: np.ndarray, volume_scale: np.ndarray):
    """(rates, coefficients), each (n, 3), of the unit response of each virtual patient: the
    volumes and Q of ``p`` times ``volume_scale`` (so the distribution rate constants keep),
    clearance solved for ``half_life_h`` as in :meth:`Params.with_half_life`."""
    k12, k21 = p.k12_per_h, p.k21_per_h
    beta = LN2 / half_life_h
    if (beta >= k21).any():
        raise ValueError(f"a half-life in the range is not reachable: the terminal rate must stay below "
                         f"k21 = {k21:.3g}/h (half-life above {LN2 / k21:.3g} h)")
    v1 = p.v1_l * volume_scale
    k10 = beta * (k12 + k21 - beta) / (k21 - beta)
    total = k10 + k12 + k21
    alpha = (total + np.sqrt(total * total - 4 * k10 * k21)) / 2
    beta = k10 * k21 / alpha
    ka = np.full_like(alpha, p.ka_per_h)
    for rate in (alpha, beta):  # as in _exponents: keep ka off alpha and beta
        near = np.abs(ka - rate) < _GAP * rate
        ka = np.where(near, np.where(ka >= rate, rate * (1 + 2 * _GAP), rate * (1 - 2 * _GAP)), ka)
    scale = ka * p.F / v1 * NG_ML_PER_MG_L
    coef = scale[:, None] * np.stack([
        (k21 - ka) / ((alpha - ka) * (beta - ka)),
        (k21 - alpha) / ((ka - alpha) * (beta - alpha)),
        (k21 - beta) / ((ka - beta) * (alpha - beta)),
    ], axis=1)
    return np.stack([ka, alpha, beta], axis=1), coef


def _population_curves(reg: Regimen, t: np.ndarray, rates: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """Concentration (n patients x len(t)) by carrying each exponential's amplitude from dose
    to dose (one small step per dose) instead of summing every dose at every time."""
    times, doses = reg.times_h, reg.doses_mg
    amp = np.zeros((len(times),) + coef.shape)  # each exponential's amplitude just after dose k
    level = np.zeros((len(times), coef.shape[0]))  # the level at dose k (the new dose adds 0 at once)
    current = np.zeros_like(coef)
    for k in range(len(times)):
        if k:
            decay = np.expm1(-rates * (times[k] - times[k - 1]))
            level[k] = level[k - 1] + (current * decay).sum(axis=1)
            current = current * (decay + 1)
        current = current + doses[k] * coef
        amp[k] = current
    last = np.searchsorted(times, t, side="right") - 1
    after = last >= 0
    index = np.maximum(last, 0)
    dt = np.where(after, t - times[index], 0.0)
    # written as level + sum(amp * expm1(-r dt)), like _unit_response: exactly 0 at a first dose
    out = level[index].T + np.einsum("tpe,tpe->pt", amp[index], np.expm1(-rates[None, :, :] * dt[:, None, None]))
    out[:, ~after] = 0.0
    return np.maximum(out, 0.0)


def population_band(regimen: Regimen, t_h, params: Params | None = None, n: int = 200, seed: int = 0,
                    percentiles=(5, 50, 95), ranges=None) -> Band:
    """Percentiles of the illustrative level (ng/mL) at ``t_h`` hours across ``n`` virtual
    patients taking ``regimen``, drawn with ``numpy.random.default_rng(seed)`` (the same seed
    gives the same band).

    Each virtual patient is ``params`` (default ``typical_adult``) with two quantities drawn
    from the ranges published between healthy volunteers (``data/pk_ranges.csv``, status
    ``cited``, berlin1975): the terminal half-life (19 to 60 h) and the volume of distribution
    (1.5 to 4.4 L/kg). Each is drawn log-normally around the typical value with the published
    low and high at the 2.5th and 97.5th percentiles, kept inside the range, independently of
    the other; these shapes are assumptions (the sources give ranges, not distributions).
    Absorption speed and bioavailability are not varied (the course has no measured range
    between people for them). ``ranges`` overrides a range (``{"terminal_half_life": (30, 40)}``)
    or fixes a quantity at the typical value (``None``).

    The band shows how much people differ in the model; it is not a prediction interval for
    a patient, and it leaves out everything the model leaves out (age, illness, other
    medicines, adherence). Raises ``ValueError`` for ``n`` outside 20 to 5000, a seed that is
    not a whole number >= 0, percentiles outside 0 to 100 or a bad range.
    """
    p, reg = _params(params), _regimen(regimen)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 20 <= n <= _MAX_BAND_N:
        raise ValueError(f"n must be a whole number of virtual patients from 20 to {_MAX_BAND_N}; got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0 (the same seed gives the same band); got {seed!r}")
    qs = tuple(float(q) for q in _vector_of(percentiles, "percentiles"))
    if not qs or any(not 0 <= q <= 100 for q in qs) or list(qs) != sorted(set(qs)):
        raise ValueError(f"percentiles must be increasing numbers from 0 to 100; got {percentiles!r}")
    chosen = _band_ranges(ranges)
    t = _times(t_h)
    rng = np.random.default_rng(int(seed))
    typical_vd = p.vz_l / REFERENCE_WEIGHT_KG
    half_lives = (_draw(rng, p.terminal_half_life_h, *chosen["terminal_half_life"], int(n))
                  if "terminal_half_life" in chosen else np.full(int(n), p.terminal_half_life_h))
    vd = (_draw(rng, typical_vd, *chosen["volume_of_distribution_per_kg"], int(n))
          if "volume_of_distribution_per_kg" in chosen else np.full(int(n), typical_vd))
    # Vz = CL / beta; with the half-life fixed, scaling every volume (and Q) scales Vz alike.
    rates, coef = _population_exponents(p, half_lives, vd / typical_vd)
    curves = _population_curves(reg, t.ravel(), rates, coef)
    values = np.percentile(curves, qs, axis=0).reshape((len(qs),) + t.shape)
    return Band(t, qs, values, int(n), int(seed), MappingProxyType(dict(chosen)))


def _vector_of(values, name: str) -> np.ndarray:
    try:
        return np.array(values, dtype=float, ndmin=1)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers; got {values!r}") from None
