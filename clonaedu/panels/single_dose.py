"""Single-dose panel: one dose over time, with the sourced onset, peak and duration windows
(notebook 02). Makes visible that half-life and duration of effect are different things."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import dosing, pk, plots
from ..plots import pk as pkplots
from ..regimens import Regimen
from ._base import FigurePanel

_STYLE = {"description_width": "initial"}
_SHORT_H, _LONG_H, _BRACKET_START_H = 14.0, 96.0, 24.0


def _window_rows():
    """Onset, plasma peak and the adult single-dose duration, from data/effect_windows.csv."""
    w = pk.effect_windows()
    keep = (w.window.isin(["onset", "plasma_peak"])) | ((w.window == "duration") & (w.population == "adult"))
    return w[keep].reset_index(drop=True)


def _range(low: float, high: float, unit: str) -> str:
    if unit == "min":
        return f"{low * 60:g} to {high * 60:g} min"
    return f"{low:g} to {high:g} {unit}"


class SingleDosePanel(FigurePanel):
    """Dose (mg), terminal half-life (h) and absorption half-life (min) of one oral dose.

    Left: the first 14 hours with the onset, plasma-peak and duration windows shaded.
    Right: four days, with one terminal half-life marked on the curve. The message reads the
    curve: peak, time of peak, and how much is still in the blood when the effect is over.
    """

    title = "Single-dose panel"

    def __init__(self, dose_mg: float = 1.0, params: pk.Params | None = None):
        self.base = params or pk.Params.default()
        forms = dosing.data.table("dosage_forms")
        hl_low, hl_high = pk.published_range("terminal_half_life")
        ab_low, ab_high = pk.published_range("absorption_half_life")
        self.dose = widgets.FloatSlider(description="Dose (mg)", value=dose_mg, min=0.25,
                                        max=float(forms.strength_mg.max()), step=0.25, style=_STYLE)
        self.half_life = widgets.FloatSlider(description="Terminal half-life (h)", min=hl_low, max=hl_high, step=1,
                                             value=round(self.base.terminal_half_life_h), style=_STYLE)
        self.absorption = widgets.FloatSlider(description="Absorption half-life (min)", min=ab_low * 60,
                                              max=ab_high * 60, step=1,
                                              value=round(self.base.absorption_half_life_h * 60), style=_STYLE)
        self.windows = _window_rows()
        self.t_short = np.linspace(0, _SHORT_H, 400)
        self.t_long = np.linspace(0, _LONG_H, 600)
        with plots.house_style():
            fig, (left, right) = plots.new_figure(11.0, 4.8, ncols=2, width_ratios=[1, 1.25])
            self.axes = (left, right)
            pkplots.concentration_axes(left)
            pkplots.concentration_axes(right)
            labels = {row.window: {"onset": "onset of effect", "plasma_peak": "plasma peak",
                                   "duration": "anticonvulsant effect,\none dose (adults)"}[row.window]
                      + f"\n{_range(row.low_h, row.high_h, 'min' if row.high_h <= 1 else 'h')}"
                      for row in self.windows.itertuples()}
            pkplots.window_spans(left, self.windows, labels)
            duration = self.windows[self.windows.window == "duration"].iloc[0]
            pkplots.window_spans(right, duration.to_frame().T, {"duration": "one dose's\nanticonvulsant effect"})
            left.set_title("The first 14 hours")
            right.set_title("Four days")
            left.set_xlim(0, _SHORT_H)
            right.set_xlim(0, _LONG_H)
            right.set_xticks(np.arange(0, _LONG_H + 1, 24))
            # Fixed y range: the largest dose with the fastest absorption, so doses compare by eye.
            fastest = self.base.with_absorption_half_life(ab_low)
            top = float(pk.concentration(Regimen.single(self.dose.max), self.t_short, fastest).max()) * 1.12
            left.set_ylim(0, top)
            right.set_ylim(0, top)
            (self.short_line,) = left.plot([], [], color=plots.COLORS["blue"])
            (self.long_line,) = right.plot([], [], color=plots.COLORS["blue"])
            (self.peak_marker,) = left.plot([], [], "o", color=plots.COLORS["blue"], ms=8)
            self.peak_label = left.text(0, 0, "", fontsize=11, ha="left", va="bottom")
            self.bracket = pkplots.half_life_bracket(right)
            pkplots.illustrative_note(right)
        sources = list(dict.fromkeys([*self.windows.source_id, "fda_klonopin_2023", "crevoisier2003"]))
        plots.add_footer(fig, sources, note="Parameters: data/pk_parameters.csv (fitted to published averages).")
        animated = [self.short_line, self.long_line, self.peak_marker, self.peak_label, *self.bracket.values()]
        self._start = (self.half_life.value, self.absorption.value)
        super().__init__(fig, [self.dose, self.half_life, self.absorption], animated=animated)
        self.observe_controls(self._on_change, self.dose, self.half_life, self.absorption)
        self._update()
        self.render()

    @property
    def params(self) -> pk.Params:
        """The model parameters the sliders describe: the default parameters until a slider
        moves (the sliders start at their rounded values), then an illustrative variant."""
        if (self.half_life.value, self.absorption.value) == self._start:
            return self.base
        return (self.base.with_half_life(self.half_life.value)
                .with_absorption_half_life(self.absorption.value / 60))

    def _update(self) -> None:
        p, regimen = self.params, Regimen.single(self.dose.value)
        c_short = pk.concentration(regimen, self.t_short, p)
        c_long = pk.concentration(regimen, self.t_long, p)
        self.short_line.set_data(self.t_short, c_short)
        self.long_line.set_data(self.t_long, c_long)
        s = pk.summary(regimen, p)
        self.summary = s
        self.peak_marker.set_data([s.tmax_h], [s.cmax_ng_ml])
        self.peak_label.set_position((s.tmax_h + 0.3, s.cmax_ng_ml))
        self.peak_label.set_text(f"peak {s.cmax_ng_ml:.1f} ng/mL at {s.tmax_h:.1f} h")
        pkplots.update_half_life_bracket(self.bracket, self.t_long, c_long, _BRACKET_START_H, p.terminal_half_life_h)
        duration = self.windows[self.windows.window == "duration"].iloc[0]
        peak = self.windows[self.windows.window == "plasma_peak"].iloc[0]
        at_end = float(pk.concentration(regimen, [duration.high_h], p)[0])
        at_4d = float(c_long[-1])
        self.set_message(
            f"Illustrative model, not a prediction for any patient. Peak {s.cmax_ng_ml:.1f} ng/mL at "
            f"{s.tmax_h:.1f} h (label: plasma peak within {peak.low_h:g} to {peak.high_h:g} h). "
            f"At {duration.high_h:g} h, the end of the {duration.low_h:g} to {duration.high_h:g} h anticonvulsant "
            f"effect of a single dose in adults with epilepsy (European product information), the "
            f"level is still {100 * at_end / s.cmax_ng_ml:.0f}% of the peak; after four days it is "
            f"{100 * at_4d / s.cmax_ng_ml:.0f}%. Terminal half-life {p.terminal_half_life_h:.0f} h: "
            f"the drug stays for days, and with a dose every day it builds up. The label warns about "
            f"drowsiness, impaired coordination and driving: impairment can last into the next day, "
            f"especially in older adults."
        )

    def _on_change(self, change) -> None:
        self._update()
        self.render(full=False)
