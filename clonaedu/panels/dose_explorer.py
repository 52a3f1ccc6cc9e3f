"""Dose explorer: where a daily total falls against the label landmarks (notebook 01)."""

from __future__ import annotations

import ipywidgets as widgets

from .. import dosing, plots
from ._base import FigurePanel

_STYLE = {"description_width": "initial"}


def _wide() -> widgets.Layout:
    """A Layout per slider: a shared one would hide the dose slider with the weight slider."""
    return widgets.Layout(width="420px")


class DoseExplorer(FigurePanel):
    """Indication, population, daily total (mg/day), doses per day and (for children) weight.

    Moving the dose moves the marker in place; changing indication, population or weight
    redraws the landmarks on the same figure. The message under the figure says where the
    dose falls, what each dose is, which tablets make it, and flags anything outside the label.
    """

    title = "Dose explorer"

    def __init__(self, total_mg_per_day: float = 1.0, indication: str = "panic_disorder",
                 population: str = "adult", doses_per_day: int = 2, weight_kg: float = 20.0):
        dosing.place(total_mg_per_day, indication, population,
                     weight_kg=weight_kg if population == "pediatric" else None)  # validate early
        self.indication = widgets.Dropdown(
            description="Indication", options=[(v.capitalize(), k) for k, v in dosing.INDICATIONS.items()],
            value=indication, style=_STYLE)
        self.population = widgets.Dropdown(description="Population", style=_STYLE,
                                           options=self._population_options(indication), value=population)
        self.total = widgets.FloatSlider(description="Total daily dose (mg/day)", value=total_mg_per_day,
                                         min=0.125, max=5, step=0.125, readout_format=".3g",
                                         continuous_update=True, style=_STYLE, layout=_wide())
        self.doses_per_day = widgets.Dropdown(description="Doses per day", options=[1, 2, 3, 4],
                                              value=doses_per_day, style=_STYLE, layout=widgets.Layout(width="160px"))
        self.weight = widgets.FloatSlider(description="Child's weight (kg)", value=weight_kg, min=3, max=40,
                                          step=0.5, style=_STYLE, layout=_wide())
        fig, ax = plots.new_figure(9.0, 3.6)
        self.ax = ax
        self.placement = self._place()
        self.artists = plots.dose_spectrum(ax, self.placement)
        plots.add_footer(fig, self.placement.source_ids)
        super().__init__(fig, [self.indication, self.population, self.total, self.doses_per_day, self.weight],
                         animated=[self.artists["marker"], self.artists["callout"]])
        self._set_ranges()
        self.indication.observe(self._on_context, "value")
        self.population.observe(self._on_context, "value")
        self.weight.observe(self._on_context, "value")
        self.total.observe(self._on_dose, "value")
        self.doses_per_day.observe(self._on_dose, "value")
        self._update_message()
        self.render()

    @staticmethod
    def _population_options(indication: str) -> list:
        if indication == "panic_disorder":  # the label gives no paediatric panic dosing
            return [("Adult", "adult")]
        return [("Adult", "adult"), ("Child (up to 10 years or 30 kg)", "pediatric")]

    def _place(self) -> dosing.Placement:
        weight = self.weight.value if self.population.value == "pediatric" else None
        return dosing.place(self.total.value, self.indication.value, self.population.value, weight_kg=weight)

    def _set_ranges(self) -> None:
        """Slider bounds follow the context: the labelled maximum is always inside, absurd values not."""
        child = self.population.value == "pediatric"
        self.weight.layout.display = None if child else "none"
        top = self.placement.axis_max_mg_per_day
        step = 0.05 if child else (0.125 if top <= 10 else 0.25)
        self.total.step = step
        self.total.min = step
        self.total.max = round(top / step) * step

    def _on_context(self, change) -> None:
        if change["owner"] is self.indication:
            options = self._population_options(self.indication.value)
            if self.population.value not in [v for _, v in options]:
                self.population.unobserve(self._on_context, "value")
                self.population.options = options
                self.population.value = "adult"
                self.population.observe(self._on_context, "value")
            else:
                self.population.options = options
        # Widen the slider before placing so the current value is never clipped by old bounds.
        self.total.unobserve(self._on_dose, "value")
        self.placement = self._place()
        self._set_ranges()
        self.placement = self._place()
        self.total.observe(self._on_dose, "value")
        self.artists = {**plots.dose_spectrum(self.ax, self.placement)}
        self.set_animated_artists([self.artists["marker"], self.artists["callout"]])
        self._update_message()
        # what the background shows: the context's zones and landmarks, and the axis range
        weight = self.weight.value if self.population.value == "pediatric" else None
        self.render(full=True, key=(self.indication.value, self.population.value, weight, self.ax.get_xlim()))

    def refresh(self) -> None:
        self._on_context({"owner": None})

    def _on_dose(self, change) -> None:
        self.placement = self._place()
        plots.update_dose_marker(self.artists, self.placement)
        self._update_message()
        self.render(full=False)

    def _update_message(self) -> None:
        p = self.placement
        text = p.message(self.doses_per_day.value)
        each = dosing.per_dose(p.total_mg_per_day, self.doses_per_day.value)
        text += f" Each dose is {dosing.describe_tablets(each)}."
        self.set_message(text, warning=p.flagged)
