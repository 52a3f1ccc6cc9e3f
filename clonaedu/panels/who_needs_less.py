"""Who-needs-less panel: a population or interacting medicine against the typical adult on
the same regimen, with what each source says about it (notebook 05).

Where a source supports a direction (slower or faster elimination), the preset's illustrative
curve is drawn against the typical adult's; the size of the change is illustrative and says
so. Where the concern is not the blood level (opioids, alcohol: the effects add up; pregnancy,
breastfeeding: the baby), no curve changes and the figure says why.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from .. import dosing, pk, plots, populations
from ..plots import doses as doseplots
from ..plots import pk as pkplots
from ._base import FigurePanel

_STYLE = {"description_width": "initial"}
_POINTS_PER_DAY = 60
_SCHEDULE_OPTIONS = [("once daily", 1), ("twice daily", 2)]
NONE = "(nothing else)"


def _no_curve_caption(f: populations.Factor) -> str:
    """Why a factor draws no curve (the figure's caption when it is the only one chosen)."""
    if f.direction == "added_effect":
        return "Same level, added effect: the danger is not a\nhigher level, so the curves do not differ."
    if f.status == "unverified":
        return "No curve drawn: no verified source gives the\ndirection or size of this change."
    if f.direction in ("lower_clearance", "higher_clearance"):  # the label gives a direction, no size
        way = "higher" if f.direction == "lower_clearance" else "lower"
        return f"Level expected to be {way} (label), but no source\ngives a size the course can draw: no curve."
    return "No sourced change in clearance to draw:\nthe concern is not this curve (see below)."


def _no_curve_reason(f: populations.Factor) -> str:
    """Why a factor draws no curve, in a few words (the caption when factors are combined)."""
    if f.direction == "added_effect":
        return "added effect, same level"
    if f.status == "unverified":
        return "no verified size or direction"
    if f.direction in ("lower_clearance", "higher_clearance"):
        return f"level expected {'higher' if f.direction == 'lower_clearance' else 'lower'}, no size to draw"
    return "no sourced change in clearance"


def _preset_sources() -> list[str]:
    """The model's main source and the source of each drawn preset's direction (the
    statements under the figure name their own sources)."""
    ids = ["clonaedu_model", "crevoisier2003"] + [f.source_id for f in populations.factors() if f.changes_curve]
    return list(dict.fromkeys(ids))


class WhoNeedsLessPanel(FigurePanel):
    """Controls: ``factor`` (population or medicine), ``also`` (a second one together with it,
    or nothing else), ``dose`` (daily total, mg/day), ``doses_per_day`` (once or twice daily),
    ``days`` shown (7 to 28), ``pin`` and ``unpin`` (keep the current curve as a faint
    reference) and the base class's reset button.

    Together, only factors with a pharmacokinetic basis change the curve (both changes applied
    together when two do, an assumption the message states); the others say why not.

    ``comparison`` is the current :class:`clonaedu.populations.PresetComparison`; the
    statements of the sources appear under the figure (``statements``), unverified ones left
    out and counted.
    """

    title = "Who-needs-less panel"

    def __init__(self, factor: str = "older_adults", total_mg_per_day: float = 1.0, doses_per_day: int = 2,
                 days: int = 14, typical: pk.Params | None = None, also: str | None = None):
        chosen = populations.factor(factor)
        also_id = NONE if also is None else populations.factor(also).factor_id
        populations.compare_with_typical(chosen.factor_id, total_mg_per_day, doses_per_day)  # validate early
        if isinstance(doses_per_day, bool) or doses_per_day not in (1, 2):
            raise ValueError(f"doses_per_day must be 1 or 2 in this panel; got {doses_per_day!r}")
        maximum = float(dosing.landmarks("panic_disorder", "adult").loc["maximum", "high"])
        if not 0.25 <= total_mg_per_day <= maximum:
            raise ValueError(f"total_mg_per_day must be between 0.25 and {maximum:g} mg/day in this panel; "
                             f"got {total_mg_per_day!r}")
        if isinstance(days, bool) or not isinstance(days, int) or not 7 <= days <= 28:
            raise ValueError(f"days must be a whole number from 7 to 28; got {days!r}")
        self.typical = typical or pk.Params.default()
        groups = [("Populations", populations.factors("population")), ("Medicines", populations.factors("medicine"))]
        options = [(f"{'Group' if kind == 'Populations' else 'Taken with'}: {f.label}", f.factor_id)
                   for kind, items in groups for f in items]
        self.factor = widgets.Dropdown(description="Who", options=options, value=chosen.factor_id, style=_STYLE,
                                       layout=widgets.Layout(width="560px"))
        self.also = widgets.Dropdown(description="Together with", options=[(NONE, NONE), *options], value=also_id,
                                     style=_STYLE, layout=widgets.Layout(width="560px"))
        self.pin = widgets.Button(description="Pin this curve", icon="thumb-tack",
                                  tooltip="Keep the current curve as a faint dashed reference to compare with")
        self.unpin = widgets.Button(description="Clear pin", icon="times", disabled=True,
                                    tooltip="Remove the pinned reference curve")
        self.pinned: str | None = None  #: what the pinned curve shows, or None
        self.dose = widgets.FloatSlider(description="Daily total (mg/day)", value=total_mg_per_day, min=0.25,
                                        max=maximum, step=0.25, readout_format=".3g", style=_STYLE,
                                        layout=widgets.Layout(width="380px"))
        self.doses_per_day = widgets.Dropdown(description="Schedule", options=_SCHEDULE_OPTIONS, value=doses_per_day,
                                              style=_STYLE, layout=widgets.Layout(width="220px"))
        self.days = widgets.IntSlider(description="Days shown", value=days, min=7, max=28, style=_STYLE)
        self.statements = widgets.HTML()
        self._curves: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self._statement_html: dict[str, str] = {}
        fig, ax = plots.new_figure(9.4, 4.4)
        self.ax = ax
        doseplots.population_axes(ax)
        self.artists = doseplots.population_curves(ax)
        self.pinned_line = pkplots.pinned_line(ax)
        plots.add_footer(fig, _preset_sources(), note="Illustrative model, parameters fitted to published averages.")
        controls = [self.factor, self.also, self.dose, self.doses_per_day, self.days]
        animated = [self.pinned_line, *(self.artists[k] for k in ("typical", "other", "typical_label", "other_label",
                                                                  "caption"))]
        super().__init__(fig, [*controls, self.pin, self.unpin], below=[self.statements], animated=animated)
        self.observe_controls(self._on_change, *controls)
        self.pin.on_click(lambda _button: self.pin_curve())
        self.unpin.on_click(lambda _button: self.clear_pin())
        self._limits = self._applied = None  # limits remembered (for stability) and on the axes
        self._update()
        self.render(key=self._applied)
        fig.set_layout_engine("none")  # keep the first layout: later full redraws skip the solver

    # -- model ----------------------------------------------------------------------------
    def _unit_curves(self, f, n: int, days: int) -> tuple[np.ndarray, np.ndarray]:
        """(t_h, concentration for 1 mg/day) from the first dose for the typical adult (``f``
        None), the preset of a factor ``f``, or a tuple of factors together, cached: the model
        is linear in dose, so the panel scales these instead of recomputing on a dose change."""
        group = f if isinstance(f, tuple) else (() if f is None else (f,))
        presets = tuple(sorted(g.preset for g in group if g.preset is not None))
        key = (presets, n, days)
        if key not in self._curves:
            params = (self.typical if not presets
                      else populations.combined_params([g.factor_id for g in group], self.typical))
            t_h = np.linspace(0, days * 24.0, days * _POINTS_PER_DAY + 1)
            reg = populations.regimen_for(1.0, n, days=days + 1)
            self._curves[key] = (t_h, pk.concentration(reg, t_h, params))
        return self._curves[key]

    def factors(self) -> tuple[populations.Factor, ...]:
        """The population or medicine chosen, and the one together with it (if any, and not the same)."""
        first = populations.factor(self.factor.value)
        if self.also.value == NONE or self.also.value == first.factor_id:
            return (first,)
        return (first, populations.factor(self.also.value))

    def _top(self, n: int, days: int) -> float:
        """Highest level for 1 mg/day over every single group (cached per schedule and span)."""
        key = ("top", n, days)
        if key not in self._curves:
            self._curves[key] = max(float(self._unit_curves(q, n, days)[1].max()) for q in populations.factors())
        return self._curves[key]

    def _update(self) -> None:
        group = self.factors()
        dose, n, days = self.dose.value, self.doses_per_day.value, self.days.value
        if len(group) == 1:
            self.comparison = c = populations.compare_with_typical(group[0].factor_id, dose, n, self.typical)
        else:
            c = populations.compare_combined([g.factor_id for g in group], dose, n, self.typical)
            self.comparison = c
        t_h, typical = self._unit_curves(None, n, days)
        typical = typical * dose
        curve = [g for g in group if g.changes_curve]
        other = None if not curve else self._unit_curves(group, n, days)[1] * dose
        # One y range for every single group at this dose, schedule and span, so switching groups
        # compares sizes by eye (and redraws only the curves); a combination above it widens it.
        top = max(self._top(n, days) * dose, 0.0 if other is None else float(other.max()))
        y_top = doseplots.nice_limit(top, None if self._limits is None or self._limits[0] != days
                                     else self._limits[1])
        limits = (days, y_top)
        self._full = limits != self._applied  # after a reset the axes may already show them
        self._limits = limits
        if self._full:
            self.ax.set_xlim(0, days * 1.34)
            self.ax.set_ylim(0, y_top)
            self.ax.set_xticks(range(0, days + 1, 1 if days <= 14 else 2))
            self._applied = limits
        other_text = " + ".join(g.short_label for g in curve)
        rest = [g for g in group if not g.changes_curve]
        caption = ""
        if other is not None and rest:
            caption = "\n".join(f"{g.short_label}: {_no_curve_reason(g)}" for g in rest)
        elif other is None and len(rest) == 1:
            caption = _no_curve_caption(rest[0])
        elif other is None:
            caption = "\n".join(f"{g.short_label}: {_no_curve_reason(g)}" for g in rest)
        doseplots.update_population_curves(self.artists, t_h / 24.0, typical, other, other_text, caption, y_top)
        message = c.describe()
        if self.pinned is not None:
            message += f" Pinned (grey dashed): {self.pinned}."
        self.set_message(message)
        self._fill_statements(group)

    # -- pin ------------------------------------------------------------------------------
    def pin_curve(self) -> None:
        """Keep the current curve (the group's, or the typical adult's when no curve changes) as
        a faint dashed reference."""
        group = self.factors()
        drawn = self.artists["other"] if len(self.artists["other"].get_xdata()) else self.artists["typical"]
        who = " + ".join(g.short_label for g in group if g.changes_curve) or "typical adult"
        schedule = dict((v, k) for k, v in _SCHEDULE_OPTIONS)[self.doses_per_day.value]
        self.pinned = f"{who}, {self.dose.value:g} mg/day {schedule}"
        self.pinned_line.set_data(*drawn.get_data())
        self.unpin.disabled = False
        self._update()
        self.render(full=False)

    def clear_pin(self) -> None:
        """Remove the pinned reference curve."""
        self.pinned = None
        self.pinned_line.set_data([], [])
        self.unpin.disabled = True
        self._update()
        self.render(full=False)

    def _fill_statements(self, group) -> None:
        for f in group:
            if f.factor_id not in self._statement_html:
                self._statement_html[f.factor_id] = self._statement_block(f)
        self.statements.value = "".join(self._statement_html[f.factor_id] for f in group)

    @staticmethod
    def _statement_block(f: populations.Factor) -> str:
        """HTML list of the course's statements for ``f`` and their sources (rows from memory,
        marked unverified in the data, are left out without comment: provenance is not in the
        student's reading path)."""
        rows = populations.statements(f.factor_id)  # the course's statements (unverified rows stay in data/)
        items = "".join(
            f"<li><b>{html.escape(r.says)}</b> ({html.escape(populations.source_name(r.source_id))}): "
            f"{html.escape(r.statement)}</li>"
            for r in rows.itertuples(index=False)
        )
        note = ""  # provenance (what was left out and why) is for maintainers: data/ and "About the sources"
        return (
            f'<div style="font-size:1.02em; line-height:1.4"><b>What the sources say: {html.escape(f.label)}</b>'
            f"<ul style=\"margin-top:4px\">{items}</ul>{note}"
            f"<div><i>Why the curve looks like this: {html.escape(f.basis)}</i></div></div>"
        )

    def _reset_state(self) -> None:
        self._limits = None
        self.pinned = None
        self.pinned_line.set_data([], [])

    def refresh(self) -> None:
        self._update()
        self.render(full=self._full, key=self._applied)

    def _on_change(self, change) -> None:
        self._update()
        self.render(full=self._full, key=self._applied)
