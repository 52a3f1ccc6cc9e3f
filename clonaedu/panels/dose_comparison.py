"""Dose-comparison panel: two to five daily totals side by side (notebook 04).

Left, their illustrative steady-state curves; right, a SCHEMATIC of benefit and adverse
effects against the daily dose whose shape follows the fixed-dose trial; below, a metrics
table with what the trial found at each dose.
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
#: The daily totals offered (mg/day): the lay article's comparisons (0.25, 0.5, 1, 2, 4), the
#: trial's doses (0.5 to 4), two in-between totals, and one example above the labelled maximum.
CHOICES_MG_PER_DAY = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0)
_T_POINTS = 289  # every 10 minutes over two days


class DoseComparisonPanel(FigurePanel):
    """Choose two to five daily totals (toggle buttons, mg/day) and a schedule (once or twice
    daily).

    Controls: ``dose_buttons`` (dict: mg/day -> ToggleButton, what students click),
    ``selection`` (a SelectMultiple holding the chosen totals; the buttons mirror it, and a
    test or script can set it directly) and ``doses_per_day``. A change that would leave fewer
    than two or more than five doses is undone, with a message: the controls never reach an
    invalid selection. ``comparison`` holds the metrics table
    (:func:`clonaedu.populations.dose_comparison`).
    """

    title = "Dose-comparison panel"

    def __init__(self, doses_mg_per_day=(0.5, 1.0, 2.0), doses_per_day: int = 2, params: pk.Params | None = None,
                 *, reveal_on_move: bool = False):
        """``reveal_on_move``: start with a message that gives no numbers and a table without
        the trial column, so a student can predict first; both appear once a control moves."""
        self._reveal_on_move = self._hold = reveal_on_move
        chosen = self._choices(doses_mg_per_day)
        if isinstance(doses_per_day, bool) or doses_per_day not in (1, 2):
            raise ValueError(f"doses_per_day must be 1 or 2 in this panel; got {doses_per_day!r}")
        self.params = params or pk.Params.default()
        landmarks = dosing.landmarks("panic_disorder", "adult")
        self.maximum = float(landmarks.loc["maximum", "high"])
        self.target = float(landmarks.loc["target", "low"])
        self.plateau_from = populations.benefit_plateau_mg_per_day()[0]
        self._rise = populations.adverse_rise_mg_per_day()
        self.selection = widgets.SelectMultiple(description="Daily totals (mg/day)", value=chosen,
                                                options=[(f"{c:g} mg/day", c) for c in CHOICES_MG_PER_DAY])
        self.dose_buttons = {
            c: widgets.ToggleButton(value=c in chosen, description=f"{c:g}",
                                    tooltip=f"{c:g} mg/day"
                                    + (" (above the labelled maximum)" if c > self.maximum else ""),
                                    layout=widgets.Layout(width="56px"))
            for c in CHOICES_MG_PER_DAY
        }
        self._style_buttons()
        label = widgets.HTML("<b>Daily totals to compare (mg/day), 2 to 5:</b>")
        self.dose_box = widgets.HBox([label, *self.dose_buttons.values()],
                                     layout=widgets.Layout(flex_flow="row wrap", align_items="center"))
        self.doses_per_day = widgets.ToggleButtons(description="Schedule",
                                                   options=[("once daily", 1), ("twice daily", 2)],
                                                   value=doses_per_day, style={**_STYLE, "button_width": "110px"})
        self.table = widgets.HTML()
        self.t_h = np.linspace(0, doseplots.SS_WINDOW_H, _T_POINTS)
        self._unit = {n: populations.steady_state_curve(1.0, n, self.t_h, self.params) for n in (1, 2)}
        fig, axes = doseplots.dose_figure_layout()
        self.axes = axes
        doseplots.steady_state_axes(axes["curves"], doses_per_day)
        self.curves = doseplots.dose_curves(axes["curves"])
        pkplots.illustrative_note(axes["curves"])
        self.schematic = doseplots.tradeoff_schematic(axes["benefit"], axes["adverse"])
        self.markers = doseplots.schematic_markers(axes["benefit"], axes["adverse"])
        plots.add_footer(fig, ["crevoisier2003", "rosenbaum1997", "fda_klonopin_2023"],
                         note="Left: illustrative model. Right: SCHEMATIC.")
        animated = [*self.curves["lines"], *self.curves["labels"], *self.markers.values()]
        super().__init__(fig, [self.dose_box, self.doses_per_day], below=[self.table], animated=animated)
        for button in self.dose_buttons.values():
            button.observe(self._on_toggle, "value")
        self.selection.observe(self._on_selection, "value")
        self.doses_per_day.observe(self._on_schedule, "value")
        self._ylim = None
        self._comparisons: dict = {}  # (doses, doses a day) -> (metrics table, its HTML)
        self._update()
        self.render(key=self._key())
        fig.set_layout_engine("none")  # keep the first layout: later full redraws skip the solver

    # -- selection ------------------------------------------------------------------------
    @staticmethod
    def _choices(doses_mg_per_day) -> tuple[float, ...]:
        """Validate like the library, then map each dose onto the panel's choices."""
        chosen = []
        for d in populations.validate_doses(doses_mg_per_day):
            match = [c for c in CHOICES_MG_PER_DAY if abs(c - d) < 1e-9]
            if not match:
                raise ValueError(f"doses_mg_per_day: {d:g} mg/day is not one of the panel's choices "
                                 f"{', '.join(f'{c:g}' for c in CHOICES_MG_PER_DAY)}")
            chosen.append(match[0])
        return tuple(chosen)

    @property
    def selected(self) -> tuple[float, ...]:
        """The daily totals currently compared (mg/day, ascending)."""
        return tuple(sorted(self.selection.value))

    def set_doses(self, doses_mg_per_day) -> None:
        """Select exactly these daily totals (validated like the library; each must be one of
        the panel's choices). Raises ``ValueError`` and changes nothing for a bad selection."""
        self.selection.value = self._choices(doses_mg_per_day)

    def _style_buttons(self) -> None:
        for c, b in self.dose_buttons.items():
            b.button_style = ("danger" if c > self.maximum else "info") if b.value else ""

    def _limit_message(self, count: int) -> str:
        if count < populations.MIN_DOSES:
            return f"Keep at least {populations.MIN_DOSES} doses selected."
        return f"At most {populations.MAX_DOSES} doses at a time: unselect one first."

    def _on_toggle(self, change) -> None:
        """A button click becomes a new selection, or is undone if it would be invalid."""
        self._hold = False
        wanted = tuple(c for c, b in self.dose_buttons.items() if b.value)
        if not populations.MIN_DOSES <= len(wanted) <= populations.MAX_DOSES:
            button = change["owner"]
            button.unobserve(self._on_toggle, "value")
            button.value = change["old"]
            button.observe(self._on_toggle, "value")
            self._message(extra=self._limit_message(len(wanted)), warning=True)
            return
        self.selection.value = wanted

    def _on_selection(self, change) -> None:
        self._hold = False
        count = len(change["new"])
        if not populations.MIN_DOSES <= count <= populations.MAX_DOSES:
            self.selection.unobserve(self._on_selection, "value")
            self.selection.value = change["old"]  # undo: the selection stays valid
            self.selection.observe(self._on_selection, "value")
            self._message(extra=self._limit_message(count), warning=True)
            return
        for c, b in self.dose_buttons.items():  # mirror the selection on the buttons
            if b.value != (c in change["new"]):
                b.unobserve(self._on_toggle, "value")
                b.value = c in change["new"]
                b.observe(self._on_toggle, "value")
        self._style_buttons()
        self._update()
        self.render(full=self._full, key=self._key())

    def _key(self) -> tuple:
        """What the figure's background shows (the schedule's axes and the y limit): a
        background drawn before for it is reused (see FigurePanel.render)."""
        return self.doses_per_day.value, self._ylim

    def _on_schedule(self, change) -> None:
        self._hold = False
        doseplots.steady_state_axes(self.axes["curves"], self.doses_per_day.value)
        self._update()
        self.render(full=True, key=self._key())

    def _reset_state(self) -> None:
        self._ylim = None
        self._hold = self._reveal_on_move  # a reset hides the numbers again (predict first)

    def refresh(self) -> None:
        doseplots.steady_state_axes(self.axes["curves"], self.doses_per_day.value)
        self._style_buttons()
        self._update()
        self.render(full=True, key=self._key())

    # -- model and figure -----------------------------------------------------------------
    def _update(self) -> None:
        doses = list(self.selected)
        n = self.doses_per_day.value
        key = (tuple(doses), n)
        if key not in self._comparisons:  # a selection seen before: its table is kept (pandas is slow)
            if len(self._comparisons) > 64:
                self._comparisons.clear()
            self._comparisons[key] = populations.dose_comparison(doses, n, self.params), None
        self.comparison, table = self._comparisons[key]
        above = list(self.comparison.above_maximum)
        curves = [d * self._unit[n] for d in doses]
        top = max(float(c.max()) for c in curves)
        y_top = doseplots.nice_limit(top, self._ylim)
        self._full = self._ylim != y_top
        if self._full:
            self.axes["curves"].set_ylim(0, y_top)
            self._ylim = y_top
        doseplots.update_dose_curves(self.curves, self.t_h, curves, doses, above, y_top)
        doseplots.update_schematic_markers(self.markers, doses)
        if table is None:
            self._fill_table()
            self._comparisons[key] = self.comparison, self.table.value
        else:
            self.table.value = table
        self._message()

    def _message(self, extra: str = "", warning: bool = False) -> None:
        c = self.comparison
        lo, hi = c.iloc[0], c.iloc[-1]
        if self._hold and not extra:
            self.set_message("Illustrative model, not a prediction for any patient. Make your prediction first, "
                             "then add or remove a dose or change the schedule: this message will then compare "
                             "the levels and say what the trial found.")
            return
        text = (f"Illustrative model, not a prediction for any patient. In the model levels are proportional to "
                f"the dose: {hi.total_mg_per_day:g} mg/day gives {hi.total_mg_per_day / lo.total_mg_per_day:.3g} "
                f"times the level of {lo.total_mg_per_day:g} mg/day. The trial found no more benefit above "
                f"{self.plateau_from:g} mg/day, "
                f"while somnolence and ataxia were reported more often at {self._rise[0]:g} and {self._rise[1]:g} "
                f"mg/day (right: schematic, shape only).")
        flags = [f"⚠ {d:g} mg/day is above the labelled maximum for panic disorder ({self.maximum:g} mg/day): "
                 f"not studied, not a dose to compare as normal." for d in c.total_mg_per_day[c.above_maximum]]
        if flags:
            text += " " + " ".join(flags)
        if extra:
            text = f"{extra} {text}"
        self.set_message(text, warning=warning or bool(flags))

    def _fill_table(self) -> None:
        head = ("daily total", "each dose", "where it falls (label)", "peak at steady state (ng/mL)",
                "trough (ng/mL)", "average (ng/mL)", f"average vs {self.target:g} mg/day (target)", "fixed-dose trial")
        trial = not self._hold  # the trial column appears once a control moves (predict first)
        if not trial:
            head = head[:-1]
        body = []
        for i, row in enumerate(self.comparison.itertuples(index=False)):
            swatch = (f'<span style="display:inline-block;width:14px;height:14px;background:{doseplots.DOSE_COLORS[i]};'
                      f'margin-right:6px;vertical-align:middle"></span>')
            where = html.escape(row.where) + (" ⚠" if row.above_maximum else "")
            body.append(
                f"<tr><td>{swatch}<b>{row.total_mg_per_day:g} mg/day</b></td><td>{html.escape(row.schedule)}</td>"
                f"<td>{where}</td><td>{row.peak_ss_ng_ml:.1f}</td><td>{row.trough_ss_ng_ml:.1f}</td>"
                f"<td>{row.average_ss_ng_ml:.1f}</td><td>{row.relative_to_target:.3g}×</td>"
                + (f"<td>{html.escape(row.trial)}</td>" if trial else "") + "</tr>"
            )
        cell = '<td style="padding:2px 8px; vertical-align:top">'
        self.table.value = (
            '<table class="clonaedu-table" style="border-collapse:collapse; font-size:1em">'
            + "<tr>" + "".join(f'<th style="text-align:left; padding:2px 8px">{h}</th>' for h in head) + "</tr>"
            + "".join(body).replace("<td>", cell)
            + "</table><div><i>Levels: illustrative model for a typical adult (sources: crevoisier2003, "
              "fda_klonopin_2023)."
            + (" Trial column: the fixed-dose trial (rosenbaum1997) and the label's summary of it." if trial else "")
            + "</i></div>"
        )
