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
#: the band's percentiles, virtual patients and seed (fixed: the same band every time)
BAND_PERCENTILES, BAND_N, BAND_SEED = (5, 50, 95), 200, 0


def band_text(ranges, what: str = "this dose") -> str:
    """What the population band is and is not, in two plain sentences (``ranges``: the varied
    quantities and their ranges, from :attr:`clonaedu.pk.Band.varied`)."""
    names = {"terminal_half_life": ("half-life", "h"), "volume_of_distribution_per_kg": ("body volume", "L/kg")}
    parts = [f"{names[q][0]} {low:g} to {high:g} {names[q][1]}" for q, (low, high) in ranges.items()]
    return (f"Shaded band: 90 of 100 virtual adults taking {what} fall inside it at each moment; their "
            f"{' and '.join(parts)} are drawn from the ranges measured in healthy volunteers. It shows how "
            f"much people differ in this model; it is not a safe range or a prediction for anyone, and it leaves "
            f"out age, illness and other medicines.")


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
    curve: peak, time of peak, and how much is still in the blood at the end of the 8 to 12 h
    window, the anticonvulsant effect of a single dose in epilepsy (European product information).
    """

    title = "Single-dose panel"

    def __init__(self, dose_mg: float = 1.0, params: pk.Params | None = None, *, reveal_on_move: bool = False):
        """``reveal_on_move``: start with a message that gives no numbers, so a student can
        predict before reading them; the full message appears once a slider moves."""
        self.base = params or pk.Params.default()
        self._reveal_on_move = self._hold = reveal_on_move
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
        self.show_band = widgets.Checkbox(description="Show how people differ (5th to 95th percentile band)",
                                          value=False, indent=False, layout=widgets.Layout(width="auto"))
        self.pin = widgets.Button(description="Pin this curve", icon="thumb-tack",
                                  tooltip="Keep the current curve as a faint dashed reference to compare with")
        self.unpin = widgets.Button(description="Clear pin", icon="times", disabled=True,
                                    tooltip="Remove the pinned reference curve")
        self.pinned: dict | None = None  #: what the pinned curve shows (dose, half-life ...) or None
        self._bands: dict[float, tuple[pk.Band, pk.Band]] = {}
        self.windows = _window_rows()
        self.t_short = np.linspace(0, _SHORT_H, 400)
        self.t_long = np.linspace(0, _LONG_H, 600)
        with plots.house_style():
            fig, (left, right) = plots.new_figure(11.0, 4.8, ncols=2, width_ratios=[1, 1.25])
            self.axes = (left, right)
            pkplots.concentration_axes(left)
            pkplots.concentration_axes(right)
            labels = {row.window: {"onset": "anticonvulsant onset",
                                   "plasma_peak": "plasma peak",
                                   "duration": "anticonvulsant effect,\none dose (epilepsy, adults)"}[row.window]
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
            # ... and the band's top at the typical absorption (faster absorption may clip it)
            band_top = float(self._unit_band(self.base.absorption_half_life_h)[0].high.max()) * self.dose.max * 1.05
            top = max(top, band_top)
            left.set_ylim(0, top)
            right.set_ylim(0, top)
            (self.short_line,) = left.plot([], [], color=plots.COLORS["blue"])
            (self.long_line,) = right.plot([], [], color=plots.COLORS["blue"])
            (self.peak_marker,) = left.plot([], [], "o", color=plots.COLORS["blue"], ms=8)
            self.peak_label = left.text(0, 0, "", fontsize=11, ha="left", va="bottom")
            self.bands = (pkplots.band_patch(left, plots.COLORS["blue"]), pkplots.band_patch(right, plots.COLORS["blue"]))
            self.pinned_lines = (pkplots.pinned_line(left), pkplots.pinned_line(right))
            self.bracket = pkplots.half_life_bracket(right)
            pkplots.illustrative_note(right)
        sources = list(dict.fromkeys([*self.windows.source_id, "fda_klonopin_2023", "crevoisier2003"]))
        plots.add_footer(fig, sources, note="Model parameters fitted to published averages.")
        animated = [*self.bands, *self.pinned_lines, self.short_line, self.long_line, self.peak_marker,
                    self.peak_label, *self.bracket.values()]
        self._start = (self.half_life.value, self.absorption.value)
        controls = [self.dose, self.half_life, self.absorption, self.show_band, self.pin, self.unpin]
        super().__init__(fig, controls, animated=animated)
        self.observe_controls(self._on_change, self.dose, self.half_life, self.absorption, self.show_band)
        self.pin.on_click(lambda _button: self.pin_curve())
        self.unpin.on_click(lambda _button: self.clear_pin())
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

    def _unit_band(self, absorption_h: float) -> tuple[pk.Band, pk.Band]:
        """The band for 1 mg on both time grids, at absorption half-life ``absorption_h``
        (cached; other doses scale it, the model being linear in dose)."""
        if absorption_h not in self._bands:
            base = self.base if absorption_h == self.base.absorption_half_life_h \
                else self.base.with_absorption_half_life(absorption_h)
            one = Regimen.single(1.0)
            self._bands[absorption_h] = tuple(
                pk.population_band(one, t, base, n=BAND_N, seed=BAND_SEED, percentiles=BAND_PERCENTILES)
                for t in (self.t_short, self.t_long))
        return self._bands[absorption_h]

    # -- pin ------------------------------------------------------------------------------
    def pin_curve(self) -> None:
        """Keep the current curve as a faint dashed reference (replacing an earlier pin)."""
        p = self.params
        self.pinned = {"dose_mg": self.dose.value, "half_life_h": p.terminal_half_life_h,
                       "absorption_min": p.absorption_half_life_h * 60, "cmax_ng_ml": self.summary.cmax_ng_ml,
                       "tmax_h": self.summary.tmax_h}
        for pinned, line in zip(self.pinned_lines, (self.short_line, self.long_line)):
            pinned.set_data(*line.get_data())
        self.unpin.disabled = False
        self._update()
        self.render(full=False)

    def clear_pin(self) -> None:
        """Remove the pinned reference curve."""
        self._reset_state()
        self.unpin.disabled = True
        self._update()
        self.render(full=False)

    def refresh(self) -> None:
        """Nothing static in this figure ever changes (fixed axes): a reset only redraws the curves."""
        self._update()
        self.render(full=False)

    def _reset_state(self) -> None:
        self.pinned = None
        for line in self.pinned_lines:
            line.set_data([], [])

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
        if self.show_band.value:
            absorption = self.base.absorption_half_life_h if p is self.base else self.absorption.value / 60
            bands = [b.scaled(self.dose.value) for b in self._unit_band(absorption)]
            for patch, t, band in zip(self.bands, (self.t_short, self.t_long), bands):
                pkplots.update_band(patch, t, band.low, band.high)
            band_note = " " + band_text(bands[0].varied, f"{self.dose.value:g} mg")
            if p.absorption_half_life_h != self.base.absorption_half_life_h:
                band_note += " Absorption speed is not varied: the band uses the absorption chosen here."
        else:
            for patch in self.bands:
                pkplots.update_band(patch, self.t_short, None)
            band_note = ""
        pin_note = ""
        if self.pinned is not None:
            q = self.pinned
            pin_note = (f" Pinned (grey dashed): {q['dose_mg']:g} mg, half-life {q['half_life_h']:.0f} h, absorption "
                        f"half-life {q['absorption_min']:.0f} min, peak {q['cmax_ng_ml']:.1f} ng/mL at "
                        f"{q['tmax_h']:.1f} h.")
        if self._hold:
            self.set_message("Illustrative model, not a prediction for any patient. Make your prediction first, then "
                             "move any slider: this message will then read the curve for you (the peak, and how much "
                             "is left at 12 h and after four days).")
            return
        self.set_message(
            f"Illustrative model, not a prediction for any patient. Peak {s.cmax_ng_ml:.1f} ng/mL at "
            f"{s.tmax_h:.1f} h (label: plasma peak within {peak.low_h:g} to {peak.high_h:g} h). "
            f"At {duration.high_h:g} h, the end of the {duration.low_h:g} to {duration.high_h:g} h anticonvulsant "
            f"effect of a single dose in adults with epilepsy (European product information), the "
            f"level is still {100 * at_end / s.cmax_ng_ml:.0f}% of the peak; after four days it is "
            f"{100 * at_4d / s.cmax_ng_ml:.0f}%. Terminal half-life {p.terminal_half_life_h:.0f} h: "
            f"the drug stays for days, and with a dose every day it builds up. The label warns that "
            f"clonazepam can cause drowsiness and unsteadiness and impair driving. Because so much is "
            f"left after a day and regular doses add up, those effects can carry into the next day "
            f"(the course's reasoning from the half-life, not a label statement).{pin_note}{band_note}"
        )

    def reset(self) -> None:
        """As :meth:`FigurePanel.reset`; with ``reveal_on_move`` the numbers are hidden again."""
        self._hold = self._reveal_on_move
        super().reset()

    def _on_change(self, change) -> None:
        self._hold = False
        self._update()
        self.render(full=False)
