"""Compare clonazepam with other benzodiazepines and with the alternatives (teaching material).

Educational material for nursing and pharmacy students, not medical advice. Nothing here is a
prescribing conversion: never use it to choose, change, switch or stop anyone's medicine.

Pure functions over three cited tables in ``data/`` (no plotting, no widgets):

``benzo_equivalence.csv``
    oral dose (mg) approximately equivalent to diazepam 10 mg in two published tables, the
    Ashton Manual (2002) and the VA/DoD SUD guideline (2021), both as reproduced in Table 7 of
    the 2025 Joint Clinical Practice Guideline on Benzodiazepine Tapering (``joint_taper_2025``).
    The tables disagree for most drugs (clonazepam 0.5 vs 1 mg, alprazolam 0.5 vs 1, lorazepam 1 vs 2,
    oxazepam 20 vs 30, temazepam 20 vs 15), so :func:`equivalent` returns a *range*, never one number.
``benzodiazepines.csv``
    elimination half-life, active-metabolite half-life and time to peak, in hours.
``alternatives.csv``
    SSRIs/SNRIs, buspirone, pregabalin, gabapentin, hydroxyzine and CBT: onset of benefit,
    dependence or withdrawal potential, controlled-drug status and NICE CG113 position (panic
    disorder and GAD as separate aspects).
``switching_guidance.csv``
    the period over which a switch between benzodiazepines may be more successful (1 to 2 weeks
    rather than 1 to 2 days, ``joint_taper_2025``); :data:`CAVEAT` is built from it.

Every row carries a ``source_id`` (see :func:`clonaedu.data.cite`) and a ``status``. Rows marked
``unverified`` (seen only on secondary pages, or from a source without a confirmed primary
identifier) stay in the data but are left out unless you pass ``include_unverified=True``.

Public surface: :func:`equivalent` (-> :class:`Equivalence`), :func:`drugs`,
:func:`equivalence_table`, :func:`half_lives`, :func:`label_half_lives`, :func:`times_to_peak`,
:func:`alternatives`, :func:`switching_period`, :func:`caveat` and the :data:`CAVEAT` text (the
caveat for the course's own data). Each function takes an optional ``dataset`` (a
:class:`clonaedu.data.Dataset`; tests use it) and reads the course's ``data/`` by default.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from . import data
from .dosing import _dose

__all__ = [
    "ASPECT_LABELS",
    "CAVEAT",
    "CAVEAT_SOURCES",
    "CLASS_PLURAL",
    "MAX_PLAUSIBLE_DIAZEPAM_EQUIVALENT_MG",
    "TABLES",
    "TABLE_LABELS",
    "Equivalence",
    "SwitchingPeriod",
    "alternatives",
    "caveat",
    "drugs",
    "equivalence_table",
    "equivalent",
    "half_lives",
    "label_half_lives",
    "switching_period",
    "times_to_peak",
]

#: The two published equivalence tables, in the order results list them.
TABLES = ("ashton_2002", "va_dod_2021")
TABLE_LABELS = {"ashton_2002": "Ashton Manual 2002", "va_dod_2021": "VA/DoD 2021"}

#: Sources of the fixed wording of :func:`caveat`: scot_bz_quality_2024 (equivalents vary between
#: authors and are based on clinical experience) and joint_taper_2025 (Table 7's footnote:
#: conversion depends on patient factors such as age, metabolism and other medications). The
#: switching period's own source comes from ``switching_guidance.csv``.
_CAVEAT_TEXT_SOURCES = ("joint_taper_2025", "scot_bz_quality_2024")

#: Input check, not a clinical threshold: a dose whose diazepam equivalent exceeds this in
#: either table is refused as a probable typo or unit error (e.g. 50 typed for 0.5).
MAX_PLAUSIBLE_DIAZEPAM_EQUIVALENT_MG = 500.0

_STATUS_OK = ("verified",)
_STATUS_ALL = ("verified", "unverified")
_UNIT_SINGULAR = {"days": "day", "weeks": "week"}


# -- loading -----------------------------------------------------------------------------------
def _table(name: str, dataset: data.Dataset | None) -> pd.DataFrame:
    return dataset.table(name) if dataset is not None else data.table(name)


def _filter(frame: pd.DataFrame, include_unverified: bool) -> pd.DataFrame:
    if not isinstance(include_unverified, bool):
        raise ValueError(f"include_unverified must be True or False, got {include_unverified!r}")
    keep = _STATUS_ALL if include_unverified else _STATUS_OK
    return frame[frame["status"].isin(keep)].reset_index(drop=True)


def _equivalence_rows(dataset, include_unverified) -> pd.DataFrame:
    return _filter(_table("benzo_equivalence", dataset), include_unverified)


# -- switching guidance and the caveat ---------------------------------------------------------
@dataclass(frozen=True)
class SwitchingPeriod:
    """A period from ``data/switching_guidance.csv``: ``low`` to ``high`` ``unit`` (days or weeks)."""

    topic: str
    low: float
    high: float
    unit: str
    source_id: str

    def __str__(self) -> str:
        unit = _UNIT_SINGULAR[self.unit] if self.low == self.high == 1 else self.unit
        span = f"{self.low:g}" if self.low == self.high else f"{self.low:g} to {self.high:g}"
        return f"{span} {unit}"


def switching_period(
    topic: str = "gradual_switch", *, dataset: data.Dataset | None = None
) -> SwitchingPeriod:
    """The period for ``topic`` in ``data/switching_guidance.csv`` (verified rows only).

    ``gradual_switch``: a switch between benzodiazepines may be more successful if the doses are
    changed slowly over this period (1 to 2 weeks, ``joint_taper_2025`` Table 7 footnote);
    ``rapid_switch``: the faster transition it is compared with (1 to 2 days). Teaching only.

    Raises:
        ValueError: ``topic`` is not a verified row of the table (the message lists those that are).
    """
    rows = _filter(_table("switching_guidance", dataset), False)
    known = list(rows["topic"])
    if not isinstance(topic, str) or topic not in known:
        raise ValueError(f"topic: no verified switching-guidance row {topic!r}; known: {', '.join(known)}")
    row = rows[rows["topic"] == topic].iloc[0]
    return SwitchingPeriod(topic=topic, low=float(row["low"]), high=float(row["high"]),
                           unit=str(row["unit"]), source_id=str(row["source_id"]))


def caveat(*, dataset: data.Dataset | None = None) -> str:
    """The caution printed with every conversion, its switching period read from the data.

    The period comes from :func:`switching_period` (``gradual_switch``, compared with
    ``rapid_switch``), so no clinical number lives in this text. :data:`CAVEAT` is this text
    for the course's own data. Sources: :func:`caveat_sources`.
    """
    gradual = switching_period("gradual_switch", dataset=dataset)
    rapid = switching_period("rapid_switch", dataset=dataset)
    return (
        "CAUTION - APPROXIMATE, FOR TEACHING ONLY. Benzodiazepine 'equivalent' doses are based on "
        "clinical experience; published tables disagree (this range spans two of them) and "
        "individual variation is large (conversion depends on factors such as age, metabolism and "
        "other medicines). When a prescriber does switch one benzodiazepine for another, guidance "
        f"suggests the switch may be more successful if made gradually over {gradual} rather than "
        f"{rapid}. This is never a prescribing conversion: do not use it to choose, change, "
        "switch or stop anyone's dose."
    )


def caveat_sources(*, dataset: data.Dataset | None = None) -> tuple[str, ...]:
    """Source ids behind :func:`caveat` (its fixed wording and its switching periods)."""
    ids = [*_CAVEAT_TEXT_SOURCES,
           *(switching_period(t, dataset=dataset).source_id for t in ("gradual_switch", "rapid_switch"))]
    return tuple(dict.fromkeys(ids))


#: The caveat for the course's own data (see :func:`caveat`), read once at import.
CAVEAT = caveat()
CAVEAT_SOURCES = caveat_sources()


# -- input checks ------------------------------------------------------------------------------
def drugs(*, dataset: data.Dataset | None = None) -> list[str]:
    """The benzodiazepines in the equivalence table (generic names, lower case, data order)."""
    return list(dict.fromkeys(_table("benzo_equivalence", dataset)["drug"]))


def _drug(value, name: str, known: list[str]) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a drug name (str), got {value!r}; known: {', '.join(known)}")
    key = value.strip().lower()
    if key not in known:
        raise ValueError(
            f"{name}: unknown benzodiazepine {value!r}; known (generic names): {', '.join(known)}"
        )
    return key


# -- equivalence -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Equivalence:
    """An approximate equivalent-dose range across the published tables (teaching only).

    Attributes (doses in mg, same unit as the input: a single dose or a daily total):
        drug, dose_mg: what was converted.
        to: the drug converted to.
        low_mg, high_mg: the lowest and highest equivalent across the tables.
        per_table: ``{table: equivalent mg}`` for each table holding both drugs
            (``ashton_2002``, ``va_dod_2021``).
        sources: source ids of the rows used (see :func:`clonaedu.data.cite`).
        caveat: :func:`caveat` for the data used (:data:`CAVEAT` for the course's own),
            to be shown with the numbers, always.
    """

    drug: str
    dose_mg: float
    to: str
    low_mg: float
    high_mg: float
    per_table: dict[str, float]
    sources: tuple[str, ...]
    caveat: str = field(default=CAVEAT, repr=False)

    @property
    def tables_agree(self) -> bool:
        """True when every table gives the same equivalent (so the range is one number)."""
        return math.isclose(self.low_mg, self.high_mg, rel_tol=1e-9)

    def __str__(self) -> str:
        span = f"{self.low_mg:g} mg" if self.tables_agree else f"{self.low_mg:g} to {self.high_mg:g} mg"
        tables = "; ".join(f"{TABLE_LABELS.get(t, t)}: {mg:g} mg" for t, mg in self.per_table.items())
        return f"{self.drug} {self.dose_mg:g} mg ~ {self.to} {span} ({tables}).\n{self.caveat}"


def equivalent(
    drug: str,
    dose_mg: float,
    to: str = "diazepam",
    *,
    include_unverified: bool = False,
    dataset: data.Dataset | None = None,
) -> Equivalence:
    """Approximate equivalent of ``dose_mg`` of ``drug`` as a dose of ``to``, across both tables.

    Each table states the oral dose (mg) of each drug taken as roughly equal to diazepam 10 mg
    (``data/benzo_equivalence.csv``; source ``joint_taper_2025``, Table 7, which reproduces the
    Ashton Manual 2002 and VA/DoD 2021 columns). Within one table the conversion goes through
    diazepam: ``dose_mg * to_per_diazepam10 / drug_per_diazepam10``. The result keeps every
    table's answer and the range they span, with the caveat (:func:`caveat`).

    Args:
        drug, to: generic names (case-insensitive), e.g. ``"clonazepam"``; see :func:`drugs`.
        dose_mg: a dose or daily total in mg (> 0); the answer is in the same unit.
        include_unverified: also use rows marked ``unverified`` (none are, today).

    Raises:
        ValueError: unknown ``drug`` or ``to`` (the message lists the known names); ``dose_mg``
            not a finite number above 0, or above the equivalent of diazepam
            :data:`MAX_PLAUSIBLE_DIAZEPAM_EQUIVALENT_MG` mg in either table (input check).

    >>> r = equivalent("clonazepam", 0.5)
    >>> (r.low_mg, r.high_mg, r.per_table)
    (5.0, 10.0, {'ashton_2002': 10.0, 'va_dod_2021': 5.0})
    """
    rows = _equivalence_rows(dataset, include_unverified)
    known = list(dict.fromkeys(rows["drug"]))
    drug = _drug(drug, "drug", known)
    to = _drug(to, "to", known)
    dose = _dose(dose_mg, "dose_mg", clonazepam=False)  # the per-drug limit is checked below

    per_drug: dict[str, dict[str, float]] = {}
    source_of: dict[tuple[str, str], str] = {}
    for d, t, mg, sid in zip(rows["drug"], rows["table"], rows["dose_mg"], rows["source_id"]):
        per_drug.setdefault(d, {})[t] = float(mg)
        source_of[d, t] = sid
    tables = [t for t in TABLES if t in per_drug[drug] and t in per_drug[to]]
    if not tables:
        raise ValueError(f"no equivalence table lists both {drug!r} and {to!r}")

    diazepam_eq = [dose * per_drug["diazepam"][t] / per_drug[drug][t]
                   for t in tables if "diazepam" in per_drug and t in per_drug["diazepam"]]
    if diazepam_eq and max(diazepam_eq) > MAX_PLAUSIBLE_DIAZEPAM_EQUIVALENT_MG:
        limit = min(MAX_PLAUSIBLE_DIAZEPAM_EQUIVALENT_MG * per_drug[drug][t] / per_drug["diazepam"][t]
                    for t in tables if t in per_drug["diazepam"])
        raise ValueError(
            f"dose_mg={dose:g} mg of {drug} is not a plausible dose (input check: at most {limit:g} mg, "
            f"the equivalent of diazepam {MAX_PLAUSIBLE_DIAZEPAM_EQUIVALENT_MG:g} mg); check the units"
        )

    per_table = {t: _tidy(dose * per_drug[to][t] / per_drug[drug][t]) for t in tables}
    sources = tuple(dict.fromkeys(source_of[d, t] for t in tables for d in (drug, to)))
    return Equivalence(
        drug=drug, dose_mg=dose, to=to,
        low_mg=min(per_table.values()), high_mg=max(per_table.values()),
        per_table=per_table, sources=sources,
        caveat=CAVEAT if dataset is None else caveat(dataset=dataset),
    )


def _tidy(value: float) -> float:
    """Drop floating-point noise (0.1 * 3 -> 0.3) without changing any meaningful digit."""
    return float(f"{value:.12g}")


def equivalence_table(
    *, include_unverified: bool = False, dataset: data.Dataset | None = None
) -> pd.DataFrame:
    """Dose (mg) taken as equivalent to diazepam 10 mg, one row per drug, one column per table.

    Columns: ``drug``, ``ashton_2002``, ``va_dod_2021`` (mg), ``tables_agree`` (bool) and
    ``source_id``. Source: ``joint_taper_2025`` Table 7. Approximate; see :data:`CAVEAT`.
    """
    rows = _equivalence_rows(dataset, include_unverified)
    wide = rows.pivot(index="drug", columns="table", values="dose_mg")
    wide = wide.reindex(index=list(dict.fromkeys(rows["drug"])),
                        columns=[t for t in TABLES if t in wide.columns])
    wide.columns.name = None
    out = wide.reset_index()
    values = out[[t for t in TABLES if t in out.columns]]
    out["tables_agree"] = values.nunique(axis=1, dropna=False).eq(1)
    srcs = rows.groupby("drug", sort=False)["source_id"].agg(lambda s: ";".join(dict.fromkeys(s)))
    out["source_id"] = out["drug"].map(srcs)
    return out


# -- half-lives and time to peak ---------------------------------------------------------------
def half_lives(
    *, include_unverified: bool = False, dataset: data.Dataset | None = None
) -> pd.DataFrame:
    """Elimination half-life ranges in hours, one row per benzodiazepine (data order).

    Columns: ``drug``, ``half_life_low_h``, ``half_life_high_h``, ``metabolite_low_h``,
    ``metabolite_high_h`` (active metabolite; NaN where the source gives none), ``note``,
    ``source_id`` (``;``-joined if the two rows differ) and ``status``. From
    ``data/benzodiazepines.csv`` (mostly ``scot_bz_quality_2024``, adapted from the Ashton
    Manual). A drug whose half-life row is unverified (today: alprazolam) is left out unless
    ``include_unverified=True``. Half-life is not the duration of effect.
    """
    rows = _filter(_table("benzodiazepines", dataset), include_unverified)
    records = []
    for drug, group in rows.groupby("drug", sort=False):
        by_q = {r.quantity: r for r in group.itertuples(index=False)}
        parent = by_q.get("half_life")
        if parent is None:
            continue
        meta = by_q.get("active_metabolite_half_life")
        used = [r for r in (parent, meta) if r is not None]
        records.append({
            "drug": drug,
            "half_life_low_h": parent.low_h,
            "half_life_high_h": parent.high_h,
            "metabolite_low_h": meta.low_h if meta is not None else math.nan,
            "metabolite_high_h": meta.high_h if meta is not None else math.nan,
            "note": parent.note,
            "source_id": ";".join(dict.fromkeys(r.source_id for r in used)),
            "status": "unverified" if any(r.status != "verified" for r in used) else "verified",
        })
    columns = ["drug", "half_life_low_h", "half_life_high_h", "metabolite_low_h",
               "metabolite_high_h", "note", "source_id", "status"]
    return pd.DataFrame(records, columns=columns)


def label_half_lives(
    *, include_unverified: bool = False, dataset: data.Dataset | None = None
) -> pd.DataFrame:
    """Elimination half-life as a drug's US label gives it, in hours, where the data hold it.

    Columns: ``drug``, ``low_h``, ``high_h``, ``note``, ``source_id``, ``status``. Today only
    clonazepam: typically 30 to 40 h (``fda_klonopin_2023``). Half-life ranges differ by source:
    :func:`half_lives` gives the comparison table's range (clonazepam 18 to 50 h), which the
    figures use so that every drug comes from one table.
    """
    rows = _filter(_table("benzodiazepines", dataset), include_unverified)
    rows = rows[rows["quantity"] == "label_half_life"]
    return rows.drop(columns="quantity").reset_index(drop=True)


def times_to_peak(
    *, include_unverified: bool = False, dataset: data.Dataset | None = None
) -> pd.DataFrame:
    """Time to peak plasma concentration after an oral dose, in hours, where sourced.

    Columns: ``drug``, ``low_h``, ``high_h``, ``note``, ``source_id``, ``status``. Today only
    clonazepam is verified (1 to 4 h, US label ``fda_klonopin_2023``); alprazolam and
    lorazepam rows are unverified. Plasma peak is not the same as onset of effect.
    """
    rows = _filter(_table("benzodiazepines", dataset), include_unverified)
    rows = rows[rows["quantity"] == "time_to_peak"]
    return rows.drop(columns="quantity").reset_index(drop=True)


# -- alternatives ------------------------------------------------------------------------------
_ASPECTS = ("onset", "dependence", "controlled_status", "nice_panic", "nice_gad")
#: Classes whose options share class-level rows (:func:`alternatives` with ``by_class=True``).
CLASS_PLURAL = {"SSRI": "SSRIs", "SNRI": "SNRIs"}
#: Plain-English names of the aspects, for tables shown to students.
ASPECT_LABELS = {"onset": "onset of benefit", "dependence": "dependence or withdrawal",
                 "controlled_status": "controlled-drug status", "nice_panic": "NICE: panic disorder",
                 "nice_gad": "NICE: GAD"}


def alternatives(
    *,
    include_unverified: bool = False,
    wide: bool = False,
    by_class: bool = False,
    dataset: data.Dataset | None = None,
) -> pd.DataFrame:
    """Alternatives to benzodiazepines: onset, dependence, controlled status, NICE position.

    Long form (default): the rows of ``data/alternatives.csv`` (``option``, ``class``,
    ``aspect``, ``summary``, ``low_weeks``, ``high_weeks``, ``source_id``, ``see_also``,
    ``status``, ``note``). ``aspect`` is one of ``onset`` (weeks only where the source gives
    numbers), ``dependence``, ``controlled_status`` (UK, where sourced), ``nice_panic`` and
    ``nice_gad`` (NICE CG113 for panic disorder and for generalised anxiety disorder).

    ``by_class=True`` (long form only): rows that several options of one class share word for
    word (same aspect, summary, sources and status: a class-level finding such as the SSRI
    onset) become one row whose ``option`` reads ``"SSRIs (class): sertraline, escitalopram"``,
    and a column ``aspect_label`` gives the aspect in words (:data:`ASPECT_LABELS`), for display.

    ``wide=True``: one row per option with a text column per aspect (NaN where nothing is
    sourced), ``onset_low_weeks``, ``onset_high_weeks`` and ``sources`` (every id used, ``;``).

    Sources include ``nice_cg113``, ``mendez2024``, ``jakubovski2019``, ``murphy1989``,
    ``pregabalin_gad2014`` and ``nice_cg173``. Rows marked unverified (today NICE's GAD drug
    sequence, read only in reproductions of the recommendation text) are left out unless
    ``include_unverified=True``. Facts without a citable primary source, such as hydroxyzine's
    label wording, are not in the table at all.
    """
    rows = _filter(_table("alternatives", dataset), include_unverified)
    if not isinstance(wide, bool):
        raise ValueError(f"wide must be True or False, got {wide!r}")
    if not isinstance(by_class, bool):
        raise ValueError(f"by_class must be True or False, got {by_class!r}")
    if wide and by_class:
        raise ValueError("by_class applies to the long form only: pass wide=False with by_class=True")
    if by_class:
        return _collapse_classes(rows)
    if not wide:
        return rows
    records = []
    for option, group in rows.groupby("option", sort=False):
        rec = {"option": option, "class": group["class"].iloc[0]}
        by_aspect = {r.aspect: r for r in group.itertuples(index=False)}
        for aspect in _ASPECTS:
            r = by_aspect.get(aspect)
            rec[aspect] = r.summary if r is not None else math.nan
        onset = by_aspect.get("onset")
        rec["onset_low_weeks"] = onset.low_weeks if onset is not None else math.nan
        rec["onset_high_weeks"] = onset.high_weeks if onset is not None else math.nan
        ids = []
        for r in group.itertuples(index=False):
            ids += [r.source_id, *r.see_also]
        rec["sources"] = ";".join(dict.fromkeys(ids))
        records.append(rec)
    columns = ["option", "class", *_ASPECTS, "onset_low_weeks", "onset_high_weeks", "sources"]
    return pd.DataFrame(records, columns=columns)


def _collapse_classes(rows: pd.DataFrame) -> pd.DataFrame:
    """Merge rows of one class that are identical apart from the option (class-level rows)."""
    if rows.empty:
        out = rows.copy()
        out.insert(out.columns.get_loc("aspect") + 1, "aspect_label", pd.Series(dtype=object))
        return out
    same = ["class", "aspect", "summary", "source_id", "status"]
    key = rows[same].astype(str).agg("\x1f".join, axis=1) + "\x1f" + rows["see_also"].map(";".join)
    keep, labels = [], []
    for _, group in rows.groupby(key, sort=False):
        first = group.index[0]
        keep.append(first)
        options = list(dict.fromkeys(group["option"]))
        cls = group["class"].iloc[0]
        if len(options) > 1 and cls in CLASS_PLURAL:
            labels.append(f"{CLASS_PLURAL[cls]} (class): {', '.join(options)}")
        else:
            labels.append(", ".join(options))
    out = rows.loc[keep].copy()
    out["option"] = labels
    out.insert(out.columns.get_loc("aspect") + 1, "aspect_label", out["aspect"].map(ASPECT_LABELS))
    return out.sort_index().reset_index(drop=True)
