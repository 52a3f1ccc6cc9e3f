"""Equivalence explorer: a benzodiazepine dose as an approximate range of another (notebook 09).

Teaching only: the two published tables disagree, so the panel always shows both and the range
between them, with :data:`clonaedu.compare.CAVEAT` in the message. It is never a prescribing
conversion.
"""

from __future__ import annotations

import math

import ipywidgets as widgets

from .. import compare, dosing, plots
from ..plots import compare as compare_plots
from ..plots.compare import format_mg
from ._base import FigurePanel

__all__ = ["EquivalenceExplorer", "dose_bounds", "reference_dose_mg"]

_STYLE = {"description_width": "initial"}
_NICE_STEPS = (1.0, 1.25, 2.0, 2.5, 5.0)  # slider steps: these multiples of a power of ten


def _nice_step(value: float) -> float:
    """The largest 1, 1.25, 2, 2.5 or 5 times a power of ten that is at most ``value``."""
    power = 10.0 ** math.floor(math.log10(value))
    return max(m * power for m in _NICE_STEPS if m * power <= value + 1e-12)


def dose_bounds(drug: str) -> tuple[float, float, float]:
    """``(min_mg, max_mg, step_mg)`` for the dose slider of ``drug``, all from ``data/``.

    * step: a round number at most a quarter of the smallest dose either table lists as
      equivalent to diazepam 10 mg (clonazepam 0.5 mg -> 0.125 mg);
    * max: the largest equivalent, across both tables, of clonazepam's labelled maximum for
      panic disorder (``dose_landmarks``, ``fda_klonopin_2023``), rounded up to a step. The
      labelled maximum is inside the range; doses far beyond it (unit errors such as 50 typed
      for 0.5) are not;
    * min: one step (a dose of 0 is not a dose).

    Raises ``ValueError`` for an unknown drug (from :func:`clonaedu.compare.equivalent`).
    """
    table = compare.equivalence_table().set_index("drug")
    if not isinstance(drug, str) or drug.strip().lower() not in table.index:
        compare.equivalent(drug, 1.0)  # raises the model's ValueError with the known names
    drug = drug.strip().lower()
    listed = [float(table.loc[drug, t]) for t in compare.TABLES if t in table.columns]
    step = _nice_step(min(listed) / 4)
    cap = float(dosing.landmarks("panic_disorder", "adult").loc["maximum", "high"])
    top = compare.equivalent("clonazepam", cap, drug).high_mg
    return step, math.ceil(top / step - 1e-9) * step, step


def reference_dose_mg(drug: str) -> float:
    """The smaller of the two doses of ``drug`` the tables list as equivalent to diazepam 10 mg
    (clonazepam 0.5 mg): where the dose slider starts when a drug is chosen."""
    table = compare.equivalence_table().set_index("drug")
    return min(float(table.loc[drug, t]) for t in compare.TABLES if t in table.columns)


class EquivalenceExplorer(FigurePanel):
    """Drug, dose (mg) and target drug -> the equivalent in each published table, and the range.

    Controls (attributes): ``drug`` and ``to`` (dropdowns of :func:`clonaedu.compare.drugs`)
    and ``dose`` (slider in mg, bounds from :func:`dose_bounds`, so bad input never reaches the
    model). ``result`` is the current :class:`clonaedu.compare.Equivalence`. Moving the dose
    moves the bars in place over a cached background; changing a drug redraws the axes on the
    same figure (the x axis is fixed per pair so the bars, not the axis, move with the dose).
    """

    title = "Benzodiazepine equivalence explorer"

    def __init__(self, drug: str = "clonazepam", dose_mg: float = 1.0, to: str = "diazepam"):
        result = compare.equivalent(drug, dose_mg, to)  # validates names and dose (ValueError)
        lo, hi, step = dose_bounds(result.drug)
        if not lo <= result.dose_mg <= hi:
            raise ValueError(f"dose_mg={result.dose_mg:g} mg of {result.drug} is outside this panel's range "
                             f"({lo:g} to {hi:g} mg)")
        names = compare.drugs()
        options = [(n.capitalize(), n) for n in names]
        self.drug = widgets.Dropdown(description="From", options=options, value=result.drug, style=_STYLE,
                                     layout=widgets.Layout(width="240px"))
        self.dose = widgets.FloatSlider(description="Dose (mg)", min=lo, max=hi, step=step,
                                        value=result.dose_mg, readout_format=".4g", continuous_update=True,
                                        style=_STYLE, layout=widgets.Layout(width="420px"))
        self.to = widgets.Dropdown(description="Equivalent as", options=options, value=result.to,
                                   style=_STYLE, layout=widgets.Layout(width="260px"))
        fig, ax = plots.new_figure(9.0, 3.6)
        self.ax = ax
        self.result = result
        self.artists = compare_plots.equivalence_bars(ax, result, x_max_mg=self._x_max())
        plots.add_footer(fig, [*result.sources, *compare.CAVEAT_SOURCES],
                         note="Approximate, for teaching only: never a prescribing conversion.")
        super().__init__(fig, [self.drug, self.dose, self.to], animated=self._moving())
        self.drug.observe(self._on_drugs, "value")
        self.to.observe(self._on_drugs, "value")
        self.dose.observe(self._on_dose, "value")
        self._update_message()
        self.render()

    # -- helpers ----------------------------------------------------------------------------------
    def _moving(self) -> list:
        a = self.artists
        # drawn in this order over the background: the shaded range under the bars
        return [a["span"], *a["bars"].values(), *a["values"].values(), a["span_label"], a["headline"]]

    def _x_max(self) -> float:
        """The axis end: the largest equivalent of the slider's maximum, so no dose leaves the axes."""
        return compare.equivalent(self.drug.value, self.dose.max, self.to.value).high_mg

    def _compute(self) -> compare.Equivalence:
        return compare.equivalent(self.drug.value, self.dose.value, self.to.value)

    def _set_dose_bounds(self) -> None:
        """New bounds for the chosen drug, and the dose reset to its :func:`reference_dose_mg`
        (a milligram of one drug means something different for another, so it is not kept)."""
        lo, hi, step = dose_bounds(self.drug.value)
        value = reference_dose_mg(self.drug.value)
        self.dose.unobserve(self._on_dose, "value")
        try:
            # Order the changes so min <= max holds at every step (ipywidgets enforces it).
            if lo > self.dose.max:
                self.dose.max = hi
                self.dose.min = lo
            else:
                self.dose.min = lo
                self.dose.max = hi
            self.dose.step = step
            self.dose.value = value
        finally:
            self.dose.observe(self._on_dose, "value")

    # -- observers --------------------------------------------------------------------------------
    def _on_drugs(self, change) -> None:
        if change["owner"] is self.drug:
            self._set_dose_bounds()
        self.result = self._compute()
        self.artists = compare_plots.equivalence_bars(self.ax, self.result, x_max_mg=self._x_max())
        self.set_animated_artists(self._moving())
        self._update_message()
        # what the background shows: the pair's tables, axis labels and range
        ax = self.ax
        self.render(full=True, key=(self.drug.value, self.to.value, ax.get_xlim(), ax.get_ylim(), ax.get_xlabel(),
                                    tuple(t.get_text() for t in ax.get_yticklabels())))

    def refresh(self) -> None:
        self._on_drugs({"owner": None})

    def _on_dose(self, change) -> None:
        self.result = self._compute()
        compare_plots.update_equivalence_bars(self.artists, self.result)
        self._update_message()
        self.render(full=False)

    def _update_message(self) -> None:
        r = self.result
        if r.tables_agree:
            head = f"{r.drug} {r.dose_mg:g} mg ≈ {r.to} {format_mg(r.low_mg)} mg (both tables agree on this pair)"
        else:
            head = (f"{r.drug} {r.dose_mg:g} mg ≈ {r.to} {format_mg(r.low_mg)} to {format_mg(r.high_mg)} mg: "
                    "a range, not one number")
        tables = "; ".join(f"{compare.TABLE_LABELS.get(t, t)}: {format_mg(mg)} mg" for t, mg in r.per_table.items())
        same = " (the same drug: nothing to convert)" if r.drug == r.to else ""
        self.set_message(f"{head}{same} ({tables}). ⚠ {r.caveat}", warning=True)
