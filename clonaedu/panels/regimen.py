"""Regimen panel: up to three dosing patterns overlaid over 1 to 21 days, with steady-state
metrics in a table that updates with the figure (notebook 03)."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import pandas as pd

from .. import pk, plots, regimens
from ..plots import pk as pkplots
from ._base import FigurePanel

_STYLE = {"description_width": "initial"}
NONE = "(none)"
EDITS = {"as prescribed": None, "skip one dose": "skip", "take one dose late": "late"}


class RegimenPanel(FigurePanel):
    """Compare regimens A, B and C (example regimens from data/regimen_examples.csv) over
    ``days`` days; optionally skip or delay regimen A's first dose on a chosen day.

    Controls: ``regimen_a``, ``regimen_b``, ``regimen_c`` (dropdowns), ``days`` (1 to 21),
    ``edit`` (as prescribed / skip / late), ``edit_day`` and ``late_h``.
    """

    title = "Regimen panel"

    def __init__(self, a: str = "bedtime_1mg", b: str = "bid_0_5mg", c: str = "qid_0_25mg", days: int = 10,
                 params: pk.Params | None = None):
        self.params = params or pk.Params.default()
        self._rows: dict[str, pd.Series] = {}
        self.examples = regimens.examples()
        options = [(row.label, rid) for rid, row in self.examples.iterrows()]
        for value in (a, b, c):
            if value != NONE and value not in self.examples.index:
                raise ValueError(f"unknown regimen_id {value!r}; known: {', '.join(self.examples.index)}")
        self.regimen_a = widgets.Dropdown(description="Regimen A", options=options, value=a, style=_STYLE)
        self.regimen_b = widgets.Dropdown(description="Regimen B", options=[(NONE, NONE), *options], value=b, style=_STYLE)
        self.regimen_c = widgets.Dropdown(description="Regimen C", options=[(NONE, NONE), *options], value=c, style=_STYLE)
        self.days = widgets.IntSlider(description="Days shown", value=days, min=1, max=21, style=_STYLE)
        self.edit = widgets.Dropdown(description="Regimen A", options=list(EDITS), value="as prescribed", style=_STYLE)
        self.edit_day = widgets.IntSlider(description="on day", value=min(5, days), min=1, max=days, style=_STYLE)
        self.late_h = widgets.FloatSlider(description="hours late", value=4, min=1, max=12, step=1, style=_STYLE)
        self.table = widgets.HTML()
        with plots.house_style():
            fig, ax = plots.new_figure(10.0, 4.6)
            self.ax = ax
            pkplots.concentration_axes(ax, "Day (from midnight before the first dose)")
            self.lines, self.labels = [], []
            for color in pkplots.REGIMEN_COLORS:
                (line,) = ax.plot([], [], color=color, lw=2.2)
                self.lines.append(line)
                self.labels.append(pkplots.direct_label(ax, 0, 0, "", color))
            (self.usual,) = ax.plot([], [], color=pkplots.REGIMEN_COLORS[0], lw=1.5, ls=":", zorder=1)
            pkplots.illustrative_note(ax)
            ax.set_title("Plasma levels under each regimen")
        plots.add_footer(fig, ["fda_klonopin_2023", "ch_clonazepam_fi", "greenblatt2005", "lay_article"],
                         note="Parameters: data/pk_parameters.csv.")
        controls = [self.regimen_a, self.regimen_b, self.regimen_c, self.days, self.edit, self.edit_day, self.late_h]
        super().__init__(fig, controls, below=[self.table], animated=[*self.lines, *self.labels, self.usual])
        self.observe_controls(self._on_change, *controls)
        self._ylim = self._applied = None  # limits remembered (for stability) and on the axes
        self._update()
        self.render()

    # -- model ------------------------------------------------------------------------------
    def chosen(self) -> list[str]:
        """The regimen ids currently compared, in order A, B, C."""
        return [v for v in (self.regimen_a.value, self.regimen_b.value, self.regimen_c.value) if v != NONE]

    def _regimen(self, rid: str) -> regimens.Regimen:
        return regimens.example(rid, days=self.days.value + 1)

    def _metrics(self, rid: str) -> pd.Series:
        """Steady-state metrics of an example regimen (cached: they do not depend on the days
        shown or on edits)."""
        if rid not in self._rows:
            self._rows[rid] = pk.example_summary(rid, params=self.params).iloc[0]
        return self._rows[rid]

    def _edited_a(self) -> tuple[regimens.Regimen, str]:
        """Regimen A with the chosen edit applied to its first dose on ``edit_day``."""
        reg = self._regimen(self.regimen_a.value)
        kind = EDITS[self.edit.value]
        if kind is None:
            return reg, ""
        index = int(np.searchsorted(reg.times_h, (self.edit_day.value - 1) * 24.0))
        day = self.edit_day.value
        if kind == "skip":
            return reg.skip(index), f"Regimen A: the first dose on day {day} is skipped."
        gap = reg.times_h[index + 1] - reg.times_h[index]
        hours = min(self.late_h.value, gap - 0.5)
        note = "" if hours == self.late_h.value else f" (capped at {hours:g} h: the next dose is {gap:g} h later)"
        return reg.delay(index, hours), f"Regimen A: the first dose on day {day} is taken {hours:g} h late{note}."

    def _update(self) -> None:
        self.edit_day.max = self.days.value
        self.late_h.disabled = EDITS[self.edit.value] != "late"
        self.edit_day.disabled = EDITS[self.edit.value] is None
        t_h = np.linspace(0, self.days.value * 24.0, 1200)
        x = t_h / 24.0
        ids = self.chosen()
        rows, top = [], 0.0
        edited, edit_note = self._edited_a()
        for i, line in enumerate(self.lines):
            label = self.labels[i]
            if i >= len(ids):
                line.set_data([], [])
                label.set_text("")
                continue
            rid = ids[i]
            reg = edited if i == 0 else self._regimen(rid)
            conc = pk.concentration(reg, t_h, self.params)
            line.set_data(x, conc)
            pkplots.move_label(label, x[-1], conc[-1], chr(ord("A") + i))
            top = max(top, float(conc.max()))
            rows.append((chr(ord("A") + i), rid))
        if edit_note:
            usual = pk.concentration(self._regimen(ids[0]), t_h, self.params)
            self.usual.set_data(x, usual)
        else:
            self.usual.set_data([], [])
        self._full = self._set_limits(top)
        self._spread_labels()
        self._fill_table(rows)
        message = "Illustrative model, not a prediction for any patient."
        if edit_note:
            lowest = float(np.min(pk.concentration(edited, t_h, self.params)[t_h > (self.edit_day.value - 1) * 24]))
            usual_low = float(np.min(usual[t_h > (self.edit_day.value - 1) * 24]))
            message += (f" {edit_note} Lowest level afterwards {lowest:.1f} ng/mL instead of {usual_low:.1f} "
                        f"(dotted line: as prescribed).")
        self.set_message(message)

    def _spread_labels(self) -> None:
        """Keep the end-of-line labels at least 6% of the y range apart so none hides another."""
        used = [label for label in self.labels if label.get_text()]
        gap = 0.06 * self.ax.get_ylim()[1]
        placed: list[float] = []
        for label in sorted(used, key=lambda lab: lab.get_position()[1]):
            x, y = label.get_position()
            if placed and y < placed[-1] + gap:
                y = placed[-1] + gap
            label.set_position((x, y))
            placed.append(y)

    def _set_limits(self, top: float) -> bool:
        """Set axis limits; True when they changed (the figure then needs a full redraw)."""
        x_max = float(self.days.value)
        y_max = max(top * 1.15, 1.0)
        old = self._ylim
        if old is not None and old[0] == x_max and old[1] * 0.8 <= y_max * 1.0 <= old[1]:
            return False
        self._ylim = (x_max, y_max)
        if self._ylim == self._applied:  # after a reset: the axes already show these limits
            return False
        self.ax.set_xlim(0, x_max * 1.06)
        self.ax.set_ylim(0, y_max)
        self.ax.set_xticks(range(0, int(x_max) + 1, 1 if x_max <= 10 else 2))
        self._applied = self._ylim
        return True

    def _fill_table(self, rows) -> None:
        """Show the metrics of the chosen regimens (``rows``: (letter, regimen id)) under the figure."""
        table = pd.DataFrame([self._metrics(rid) for _, rid in rows])
        table.insert(0, "", [letter for letter, _ in rows])
        self.metrics = table.set_index("")
        shown = table.rename(columns=pk.SUMMARY_COLUMNS)
        self.table.value = (
            shown.to_html(index=False, border=0, classes="clonaedu-table", float_format=lambda x: f"{x:g}")
            + "<div><i>Steady-state metrics for each regimen as prescribed (illustrative model). "
              "Accumulation compares one steady-state dosing interval with the first one.</i></div>"
        )

    def _reset_state(self) -> None:
        self._ylim = None

    def refresh(self) -> None:
        self._update()
        self.render(full=self._full)

    def _on_change(self, change) -> None:
        self._update()
        self.render(full=self._full)
