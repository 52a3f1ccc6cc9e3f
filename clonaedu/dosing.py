"""Label dosing landmarks: where a daily total falls, per-dose arithmetic, tablets, mg/kg.

All numbers come from ``data/dose_landmarks.csv`` and ``data/dosage_forms.csv`` (US Klonopin
label and the clonazepam ODT label). Doses above a labelled maximum are *returned flagged*,
never silently accepted; impossible input raises ``ValueError`` naming the argument.

Educational material, not medical advice.
"""

from __future__ import annotations

import functools
import math
import numbers
from dataclasses import dataclass, field

import pandas as pd

from . import data

__all__ = [
    "INDICATIONS", "POPULATIONS", "Zone", "Placement", "Tablets", "PediatricRange",
    "landmarks", "landmark_table", "place", "daily_total", "per_dose", "tablets_for",
    "describe_tablets", "pediatric_range",
]

INDICATIONS = {"panic_disorder": "panic disorder", "seizure_disorders": "seizure disorders"}
POPULATIONS = {"adult": "adults", "pediatric": "children"}

# Input sanity bounds. These are not clinical thresholds (those live in data/); they only
# stop absurd input from producing a confident-looking answer.
MAX_PLAUSIBLE_MG_PER_DAY = 100.0
WEIGHT_KG_BOUNDS = (0.5, 250.0)
_TOL = 1e-9


def _number(value, name: str) -> float:
    """``value`` as a finite float, or ``ValueError`` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if math.isnan(value):
        raise ValueError(f"{name} is NaN (not a number)")
    if math.isinf(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def _dose(value, name: str, *, allow_zero: bool = False, clonazepam: bool = True) -> float:
    """A finite, non-negative dose (mg). ``clonazepam=False`` skips the clonazepam plausibility
    cap, for callers that check another drug's dose against their own limit."""
    value = _number(value, name)
    if value < 0:
        raise ValueError(f"{name} cannot be negative, got {value:g}")
    if value == 0 and not allow_zero:
        raise ValueError(f"{name} must be greater than 0, got 0")
    if clonazepam and value > MAX_PLAUSIBLE_MG_PER_DAY:
        raise ValueError(
            f"{name}={value:g} mg is not a plausible clonazepam dose (input check: at most "
            f"{MAX_PLAUSIBLE_MG_PER_DAY:g} mg); check the units"
        )
    return value


def _weight(value) -> float:
    value = _number(value, "weight_kg")
    low, high = WEIGHT_KG_BOUNDS
    if value <= 0:
        raise ValueError(f"weight_kg must be greater than 0, got {value:g}")
    if not low <= value <= high:
        raise ValueError(f"weight_kg={value:g} is not a plausible body weight ({low:g} to {high:g} kg)")
    return value


def _doses_per_day(value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"doses_per_day must be a whole number, got {value!r}")
    if not 1 <= value <= 6:
        raise ValueError(f"doses_per_day must be between 1 and 6, got {value}")
    return int(value)


def _check_context(indication: str, population: str) -> None:
    if indication not in INDICATIONS:
        raise ValueError(f"unknown indication {indication!r}; choose one of {sorted(INDICATIONS)}")
    if population not in POPULATIONS:
        raise ValueError(f"unknown population {population!r}; choose one of {sorted(POPULATIONS)}")


def landmarks(indication: str = "panic_disorder", population: str = "adult") -> pd.DataFrame:
    """The label landmarks for one indication and population, indexed by landmark name."""
    _check_context(indication, population)
    table = data.table("dose_landmarks")
    rows = table[(table.indication == indication) & (table.population == population)]
    return rows.set_index("landmark")


@functools.lru_cache(maxsize=None)
def _values(indication: str, population: str) -> dict[str, tuple[float, float]]:
    """{landmark: (low, high)} for fast repeated look-ups (a panel places a dose on every
    slider move); read-only use only."""
    lm = landmarks(indication, population)
    return {name: (float(lo), float(hi)) for name, lo, hi in zip(lm.index, lm.low, lm.high)}


def landmark_table(indication: str = "panic_disorder", population: str = "adult"):
    """The landmarks as a readable table (landmark, value with unit, what the label says, source)."""
    from .display import table

    lm = landmarks(indication, population).reset_index()
    lm["value"] = [f"{lo:g} {u}" if lo == hi else f"{lo:g} to {hi:g} {u}"
                   for lo, hi, u in zip(lm.low, lm.high, lm.unit)]
    lm["landmark"] = lm.landmark.str.replace("_", " ")
    return table(lm, {"landmark": "landmark", "value": "value", "label_wording": "what the label says",
                      "source_id": "source"})


@dataclass(frozen=True)
class Zone:
    """A stretch of the mg/day axis between two landmarks (``high`` None = open-ended)."""

    key: str
    low: float
    high: float | None
    label: str
    tone: str  # below | start | usual | high | over (colour role in the figure)


@dataclass(frozen=True)
class Placement:
    """Where a total daily dose falls against the label landmarks.

    ``category`` is one of the keys of :data:`CATEGORY_TEXT`; ``flags`` holds plain-language
    warnings (for example "above the labelled maximum"); ``flagged`` is True when there is any.
    ``landmarks_mg_per_day`` maps landmark name to its value in mg/day (ranges as (low, high)).
    """

    total_mg_per_day: float
    indication: str
    population: str
    category: str
    description: str
    landmarks_mg_per_day: dict
    zones: tuple[Zone, ...]
    landmark_lines: tuple[tuple[str, float], ...]
    flags: tuple[str, ...] = ()
    weight_kg: float | None = None
    source_ids: tuple[str, ...] = ("fda_klonopin_2023",)
    axis_max_mg_per_day: float = field(default=0.0, repr=False)

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    @property
    def above_maximum(self) -> bool:
        """Above a labelled maximum (the paediatric schedule states a maintenance range, not a
        maximum: a dose above it is flagged but is not 'above the maximum')."""
        return self.category == "above_maximum"

    @property
    def context_label(self) -> str:
        who = POPULATIONS[self.population]
        if self.weight_kg is not None:
            who += f", {self.weight_kg:g} kg"
        return f"{INDICATIONS[self.indication]} ({who})"

    def schedule_note(self, doses_per_day: int | None) -> str:
        """A sentence when ``doses_per_day`` is not the label's schedule for this indication and
        population (empty when it is, or when no schedule is given)."""
        if not doses_per_day:
            return ""
        low, high = _values(self.indication, self.population)["doses_per_day"]
        if low <= doses_per_day <= high:
            return ""
        times = _TIMES.get(doses_per_day, f"{doses_per_day} times daily")
        return f"Not the label's schedule: {_LABEL_SCHEDULE[(self.indication, self.population)]}, not {times}."

    def message(self, doses_per_day: int | None = None) -> str:
        """One or two plain-language sentences for students."""
        total = f"{self.total_mg_per_day:g} mg/day"
        if doses_per_day:
            each = per_dose(self.total_mg_per_day, doses_per_day)
            total += f" ({each:g} mg {_TIMES.get(doses_per_day, f'{doses_per_day} times daily')})"
        description = self.description
        note = self.schedule_note(doses_per_day)
        if note and self.category in ("start", "target"):
            description = "the same daily total as " + description
        text = f"{total}: {description}."
        if note:
            text += " " + note
        if self.flags:
            text += " " + " ".join(f"⚠ {flag}." for flag in self.flags)
        return text


_TIMES = {1: "once daily", 2: "twice daily", 3: "three times daily", 4: "four times daily"}

#: What the label says about the schedule, for a note when the chosen one differs from it.
_LABEL_SCHEDULE = {
    ("panic_disorder", "adult"): "the label gives panic-disorder doses twice daily, from 0.25 mg twice daily "
                                 "at the start (one of the two doses may be taken at bedtime)",
    ("seizure_disorders", "adult"): "the label divides the adult starting dose into three doses",
    ("seizure_disorders", "pediatric"): "the label gives children's doses in two or three divided doses",
}

CATEGORY_TEXT = {
    "below_start": "below the label's starting dose",
    "start": "the label's starting dose",
    "start_to_target": "between the starting dose and the usual target",
    "target": "the label's target dose for most patients",
    "above_target": "above the usual target, within the labelled maximum (reached only in small steps)",
    "maximum": "the labelled maximum",
    "above_maximum": "above the labelled maximum",
    "initial_range": "within the labelled initial dose",
    "initial_maximum": "the labelled maximum initial dose",
    "titration": "above the initial dose, reached by step-wise increases",
    "below_initial": "below the labelled initial range",
    "initial_to_maintenance": "between the initial and the maintenance range",
    "maintenance": "within the labelled maintenance range",
    "above_maintenance": "above the labelled maintenance range",
}


def _between(x: float, low: float, high: float) -> bool:
    return low - _TOL <= x <= high + _TOL


def _equals(x: float, value: float) -> bool:
    return abs(x - value) <= _TOL * max(1.0, value)


def place(total_mg_per_day, indication: str = "panic_disorder", population: str = "adult",
          weight_kg=None) -> Placement:
    """Place a total daily dose (mg/day) against the US label landmarks.

    Panic disorder (adults): below starting dose, starting (0.5 mg/day), between start and
    target, target (1 mg/day), above target, maximum (4 mg/day), above labelled maximum.
    Seizure disorders (adults): initial (up to 1.5 mg/day), titration, maximum (20 mg/day),
    above labelled maximum. Seizure disorders (children up to 10 years or 30 kg): needs
    ``weight_kg``; landmarks are the label's mg/kg/day ranges times the weight.

    Doses above a labelled maximum are returned with ``flags`` set, never refused.
    Raises ``ValueError`` for negative, zero, NaN, infinite or non-numeric doses or weights,
    absurd values, and unknown indications or populations. Source: fda_klonopin_2023.
    """
    total = _dose(total_mg_per_day, "total_mg_per_day")
    _check_context(indication, population)
    lm = _values(indication, population)
    flags: list[str] = []
    if indication == "panic_disorder":
        if population == "pediatric":
            age = lm["minimum_age"][0]
            raise ValueError(
                f"the label gives no panic-disorder dosing for children: safety and effectiveness "
                f"below {age:g} years have not been established"
            )
        if weight_kg is not None:
            _weight(weight_kg)
        return _place_panic(total, lm, flags)
    if population == "adult":
        if weight_kg is not None:
            _weight(weight_kg)
        return _place_seizure_adult(total, lm, flags)
    if weight_kg is None:
        raise ValueError("weight_kg is required for paediatric seizure dosing (the label doses in mg/kg/day)")
    return _place_seizure_child(total, _weight(weight_kg), lm, flags)


def _place_panic(total: float, lm: dict, flags: list[str]) -> Placement:
    start, target, maximum = (float(lm[k][0]) for k in ("initial", "target", "maximum"))
    if total < start - _TOL:
        category = "below_start"
    elif _equals(total, start):
        category = "start"
    elif total < target - _TOL:
        category = "start_to_target"
    elif _equals(total, target):
        category = "target"
    elif total < maximum - _TOL:
        category = "above_target"
    elif _equals(total, maximum):
        category = "maximum"
    else:
        category = "above_maximum"
        flags.append(f"Above the labelled maximum of {maximum:g} mg/day for panic disorder")
    zones = (
        Zone("below_start", 0, start, "below\nstart", "below"),
        Zone("start_to_target", start, target, "start\n→ target", "start"),
        Zone("above_target", target, maximum, "above target: small steps,\nonly if needed", "high"),
        Zone("above_maximum", maximum, None, "above\nlabelled\nmaximum", "over"),
    )
    return Placement(
        total, "panic_disorder", "adult", category, CATEGORY_TEXT[category],
        {"start": start, "target": target, "maximum": maximum}, zones,
        (("start", start), ("target", target), ("maximum", maximum)), tuple(flags),
        axis_max_mg_per_day=maximum * 1.25,
    )


def _place_seizure_adult(total: float, lm: dict, flags: list[str]) -> Placement:
    initial_max, maximum = float(lm["initial_maximum"][0]), float(lm["maximum"][0])
    if total < initial_max - _TOL:
        category = "initial_range"
    elif _equals(total, initial_max):
        category = "initial_maximum"
    elif total < maximum - _TOL:
        category = "titration"
    elif _equals(total, maximum):
        category = "maximum"
    else:
        category = "above_maximum"
        flags.append(f"Above the labelled maximum of {maximum:g} mg/day for seizure disorders")
    zones = (
        Zone("initial_range", 0, initial_max, "initial", "start"),
        Zone("titration", initial_max, maximum, "step-wise increases every 3 days\nuntil seizures are controlled", "usual"),
        Zone("above_maximum", maximum, None, "above\nlabelled\nmaximum", "over"),
    )
    return Placement(
        total, "seizure_disorders", "adult", category, CATEGORY_TEXT[category],
        {"initial_maximum": initial_max, "maximum": maximum}, zones,
        (("initial max", initial_max), ("maximum", maximum)), tuple(flags),
        axis_max_mg_per_day=maximum * 1.2,
    )


def _place_seizure_child(total: float, weight: float, lm: dict, flags: list[str]) -> Placement:
    rng = pediatric_range(weight)
    i_low, i_high = rng.initial_mg_per_day
    m_low, m_high = rng.maintenance_mg_per_day
    flags.extend(rng.flags)
    if total < i_low - _TOL:
        category = "below_initial"
    elif _between(total, i_low, i_high):
        category = "initial_range"
    elif total < m_low - _TOL:
        category = "initial_to_maintenance"
    elif _between(total, m_low, m_high):
        category = "maintenance"
    else:
        category = "above_maintenance"
        flags.append(f"Above the labelled maintenance range of {m_low:g} to {m_high:g} mg/day at {weight:g} kg")
    zones = (
        Zone("below_initial", 0, i_low, "", "below"),
        Zone("initial_range", i_low, i_high, "initial", "start"),
        Zone("initial_to_maintenance", i_high, m_low, "step-wise\nincreases", "below"),
        Zone("maintenance", m_low, m_high, "maintenance", "usual"),
        Zone("above_maintenance", m_high, None, "above the\nmaintenance\nrange", "high"),
    )
    return Placement(
        total, "seizure_disorders", "pediatric", category, CATEGORY_TEXT[category],
        {"initial": rng.initial_mg_per_day, "initial_maximum": rng.initial_max_mg_per_day,
         "maintenance": rng.maintenance_mg_per_day},
        zones, (("initial max", rng.initial_max_mg_per_day), ("maint. low", m_low), ("maint. high", m_high)),
        tuple(flags), weight_kg=weight, axis_max_mg_per_day=m_high * 1.3,
    )


@dataclass(frozen=True)
class PediatricRange:
    """The label's paediatric seizure dosing converted to mg/day for one body weight."""

    weight_kg: float
    initial_mg_per_day: tuple[float, float]
    initial_max_mg_per_day: float
    maintenance_mg_per_day: tuple[float, float]
    flags: tuple[str, ...]
    doses_per_day: tuple[int, int] = (2, 3)
    source_id: str = "fda_klonopin_2023"

    def describe(self) -> str:
        """The ranges in words, for a student's worked example."""
        (i_low, i_high), (m_low, m_high) = self.initial_mg_per_day, self.maintenance_mg_per_day
        text = (f"At {self.weight_kg:g} kg: start with {i_low:g} to {i_high:g} mg/day (not more than "
                f"{self.initial_max_mg_per_day:g} mg/day), in {self.doses_per_day[0]} or {self.doses_per_day[1]} "
                f"divided doses; "
                f"maintenance {m_low:g} to {m_high:g} mg/day.")
        return text + "".join(f" ⚠ {flag}." for flag in self.flags)


def pediatric_range(weight_kg) -> PediatricRange:
    """mg/kg/day landmarks of the label (seizure disorders, children) times ``weight_kg``.

    The label's paediatric schedule covers children up to 10 years of age or 30 kg; heavier
    weights are computed but flagged. Source: fda_klonopin_2023 (dose_landmarks table).
    """
    w = _weight(weight_kg)
    lm = _values("seizure_disorders", "pediatric")
    flags = []
    weight_limit = lm["maximum_weight"][0]
    if w > weight_limit:
        flags.append(
            f"The label's paediatric schedule covers children up to {lm['maximum_age'][0]:g} years "
            f"or {weight_limit:g} kg; {w:g} kg is above that"
        )

    def scale(name: str) -> tuple[float, float]:
        return (round(float(lm[name][0]) * w, 6), round(float(lm[name][1]) * w, 6))

    split = (int(lm["doses_per_day"][0]), int(lm["doses_per_day"][1]))
    return PediatricRange(w, scale("initial"), scale("initial_maximum")[0], scale("maintenance"),
                          tuple(flags), split)


def daily_total(dose_mg, doses_per_day) -> float:
    """Total per day (mg/day) from one dose (mg) taken ``doses_per_day`` times: 0.25 x 2 = 0.5."""
    return round(_dose(dose_mg, "dose_mg") * _doses_per_day(doses_per_day), 12)


def per_dose(total_mg_per_day, doses_per_day) -> float:
    """Each dose (mg) when a daily total (mg/day) is split evenly: 1 mg/day twice daily = 0.5 mg."""
    return round(_dose(total_mg_per_day, "total_mg_per_day") / _doses_per_day(doses_per_day), 12)


@dataclass(frozen=True)
class Tablets:
    """The pieces that make one dose: ``pieces`` is a tuple of (strength_mg, count); a count
    of 0.5 means half of a scored tablet."""

    dose_mg: float
    form: str
    pieces: tuple[tuple[float, float], ...]

    def __str__(self) -> str:
        name = {"tablet": "tablet", "odt": "ODT"}[self.form]
        if not self.pieces:
            return "0 tablets"
        parts = []
        for strength, count in self.pieces:
            if count == 0.5:
                parts.append(f"half of a {strength:g} mg scored {name}")
            else:
                n = int(count)
                parts.append(f"{n} × {strength:g} mg {name}")
        return " + ".join(parts)


_QUANTUM_MG = 0.125  # every marketed strength, and half of a scored 0.5 mg tablet, is a multiple


def describe_tablets(dose_mg, strengths_mg=None) -> str:
    """One line on how a dose is made: from tablets if possible, otherwise from ODTs, or why not."""
    dose = _dose(dose_mg, "dose_mg")
    try:
        return f"{dose:g} mg: {tablets_for(dose, 'tablet', strengths_mg)}"
    except ValueError as tablet_error:
        if strengths_mg is not None:
            return f"{dose:g} mg: {tablet_error}"
        try:
            return f"{dose:g} mg: not from tablets; as ODTs: {tablets_for(dose, 'odt')}"
        except ValueError:
            return f"{dose:g} mg: cannot be made exactly from any marketed strength"


def tablets_for(dose_mg, form: str = "tablet", strengths_mg=None) -> Tablets:
    """The fewest tablets (or ODTs) that make exactly ``dose_mg``, from the marketed strengths.

    Scored tablets (0.5 mg) may be halved; unscored tablets and ODTs are never split. Scoring
    follows the Klonopin (brand) label; generic tablets differ by manufacturer, so a real
    product must be checked in hand.
    ``strengths_mg`` restricts the choice to the strengths on hand. Raises ``ValueError`` when
    the dose cannot be made exactly (say which form can), for an unknown form or strength.
    Sources: fda_klonopin_pk_label (tablets), fda_clonazepam_odt (ODT).
    """
    dose = _dose(dose_mg, "dose_mg")
    forms = data.table("dosage_forms")
    if form not in set(forms.form):
        raise ValueError(f"unknown form {form!r}; choose 'tablet' or 'odt'")
    rows = forms[forms.form == form]
    if strengths_mg is not None:
        wanted = [_dose(s, "strengths_mg") for s in strengths_mg]
        unknown = [s for s in wanted if not any(_equals(s, v) for v in rows.strength_mg)]
        if unknown:
            raise ValueError(f"no {form} of strength {unknown[0]:g} mg; marketed: {sorted(rows.strength_mg)}")
        rows = rows[[any(_equals(v, s) for s in wanted) for v in rows.strength_mg]]
    # Candidate pieces in quanta of 0.125 mg: whole tablets, and halves of scored ones.
    candidates = []
    for strength, scored in zip(rows.strength_mg, rows.scored):
        candidates.append((strength, 1.0))
        if scored:
            candidates.append((strength, 0.5))
    units = dose / _QUANTUM_MG
    if abs(units - round(units)) > 1e-6:
        raise ValueError(f"dose_mg={dose:g} is not a multiple of {_QUANTUM_MG} mg, so no tablet combination makes it")
    target = int(round(units))
    # Fewest pieces: unbounded coin change over the candidate piece sizes.
    sizes = [int(round(s * c / _QUANTUM_MG)) for s, c in candidates]
    best: list[tuple | None] = [()] + [None] * target
    for amount in range(1, target + 1):
        for i, size in enumerate(sizes):
            prev = best[amount - size] if size <= amount else None
            if prev is not None and (best[amount] is None or len(prev) + 1 < len(best[amount])):
                # at most one half tablet per dose: two halves are a whole tablet
                if candidates[i][1] == 0.5 and i in prev:
                    continue
                best[amount] = prev + (i,)
    if best[target] is None:
        hint = ""
        if form == "tablet":
            try:
                tablets_for(dose, "odt")
                hint = "; the orally disintegrating tablets (ODT) can make it"
            except ValueError:
                pass
        on_hand = ", ".join(f"{s:g} mg{' (scored)' if sc else ''}" for s, sc in zip(rows.strength_mg, rows.scored))
        raise ValueError(
            f"{dose:g} mg cannot be made from {form}s of {on_hand}: unscored tablets and ODTs must "
            f"not be split, and a scored tablet only into halves{hint}"
        )
    counts: dict[tuple[float, float], int] = {}
    for i in best[target]:
        counts[candidates[i]] = counts.get(candidates[i], 0) + 1
    pieces = tuple(sorted(((s, c * n) for (s, c), n in counts.items()), key=lambda p: (-p[0], -p[1])))
    return Tablets(dose, form, pieces)
