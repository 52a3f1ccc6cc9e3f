"""Regimen panel: up to three dosing patterns overlaid over 1 to 21 days, with steady-state
metrics in a table that updates with the figure (notebook 03). A regimen can be one of the
examples or a custom one (doses at chosen clock times, three times daily to start with, as
the label gives the adult seizure dose); a missed or late dose can be put on any of them."""

from __future__ import annotations

import html
import re

import ipywidgets as widgets
import numpy as np
import pandas as pd

from .. import dosing, pk, plots, regimens
from ..plots import pk as pkplots
from ._base import FigurePanel
from .single_dose import BAND_N, BAND_PERCENTILES, BAND_SEED, band_text

_STYLE = {"description_width": "initial"}
NONE = "(none)"
CUSTOM = "custom"
LETTERS = ("A", "B", "C")
EDITS = {"as prescribed": None, "skip one dose": "skip", "take one dose late": "late"}
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")
#: at most this many clock times in a custom regimen
MAX_CUSTOM_TIMES = len(_ORDINALS)


def seizure_start() -> tuple[float, int]:
    """(daily total mg/day, doses a day) of the label's adult seizure starting dose
    (``data/dose_landmarks.csv``: at most 1.5 mg/day divided into three doses): the custom
    regimen starts there."""
    lm = dosing.landmarks("seizure_disorders", "adult")
    return float(lm.loc["initial_maximum", "high"]), int(lm.loc["doses_per_day", "high"])


def no_window_note() -> str:
    """Why no therapeutic range is drawn (HTML, shown beside the figure). The label's own
    wording on how the dose is adjusted comes from ``data/dose_landmarks.csv``."""
    wording = dosing.landmarks("seizure_disorders", "adult").loc["titration_step", "label_wording"]
    return (
        '<div class="clonaedu-note" role="note" style="border-left:4px solid #E69F00; padding:4px 10px; '
        'margin:6px 0; font-size:1.02em; line-height:1.4"><b>No therapeutic range is drawn.</b> None of the '
        "course's sources gives a range of blood levels that marks where clonazepam works or where it becomes "
        "harmful, so the figure shows no target band. The label does not adjust the dose by a level; it adjusts by response and side "
        f"effects (seizures, adults: &ldquo;{html.escape(wording.rstrip('.'))}&rdquo;). "
        "Watch the person, not a number: drowsiness, unsteadiness, slowed breathing.</div>"
    )


def parse_custom(times_text: str, doses_text: str) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Clock times (``"08:00, 14:00, 20:00"``) and doses in mg (one for every time, or one per
    time) typed by a student, checked by :meth:`clonaedu.regimens.Regimen.daily_at`. Raises
    ``ValueError`` with a plain message for anything it cannot use."""
    times = tuple(t for t in re.split(r"[,;\s]+", times_text.strip()) if t)
    if not times:
        raise ValueError("type at least one clock time, such as 08:00")
    if len(times) > MAX_CUSTOM_TIMES:
        raise ValueError(f"at most {MAX_CUSTOM_TIMES} clock times a day; got {len(times)}")
    parts = [d for d in re.split(r"[,;\s]+", doses_text.strip()) if d]
    try:
        doses = tuple(float(d.removesuffix("mg")) for d in parts)
    except ValueError:
        raise ValueError(f"doses must be numbers in mg, such as 0.5; got {doses_text!r}") from None
    if not doses:
        raise ValueError("type a dose in mg, such as 0.5")
    if any(not np.isfinite(d) or d <= 0 for d in doses):
        raise ValueError("each dose must be more than 0 mg")
    reg = regimens.Regimen.daily_at(list(times), list(doses), days=1)  # validates times and counts
    hours = reg.times_h
    order_times = tuple(f"{int(h):02d}:{round((h % 1) * 60):02d}" for h in hours)
    return order_times, tuple(float(d) for d in reg.doses_mg)


def _describe(times, doses) -> str:
    if len(set(doses)) == 1:
        return f"{doses[0]:g} mg at {', '.join(times)}"
    return ", ".join(f"{d:g} mg at {t}" for t, d in zip(times, doses))


class RegimenPanel(FigurePanel):
    """Compare regimens A, B and C (example regimens from data/regimen_examples.csv, or a
    custom one) over ``days`` days; optionally skip or delay one dose of any of them.

    Controls: ``regimen_a``, ``regimen_b``, ``regimen_c`` (dropdowns; ``"custom"`` is the
    custom regimen), ``custom_times`` and ``custom_doses`` (text), ``days`` (1 to 21), ``edit``
    (as prescribed / skip / late), ``edit_regimen`` (A, B or C), ``edit_day``, ``edit_dose``
    (which dose of that day), ``late_h``, ``show_band`` (how people differ, for regimen A) and
    the base class's reset button. ``note`` explains why no therapeutic range is drawn.
    """

    title = "Regimen panel"

    def __init__(self, a: str = "bedtime_1mg", b: str = "bid_0_5mg", c: str = "qid_0_25mg", days: int = 10,
                 params: pk.Params | None = None, custom_times: str | None = None, custom_doses: str | None = None):
        self.params = params or pk.Params.default()
        self._rows: dict = {}
        self._bands: dict = {}
        self.examples = regimens.examples()
        options = [(row.label, rid) for rid, row in self.examples.iterrows()]
        options.append(("Custom: doses at the clock times below", CUSTOM))
        for value in (a, b, c):
            if value not in (NONE, CUSTOM) and value not in self.examples.index:
                raise ValueError(f"unknown regimen_id {value!r}; known: {', '.join(self.examples.index)}, {CUSTOM}")
        if a == NONE:
            raise ValueError("regimen A must be a regimen, not (none)")
        total, per_day = seizure_start()
        if custom_times is None:  # three times daily, the label's adult seizure dosing; the times are examples
            custom_times = ", ".join(f"{h:02d}:00" for h in (8, 14, 20)[:per_day]) if per_day == 3 else "08:00"
        if custom_doses is None:
            custom_doses = f"{total / per_day:g}"
        parse_custom(custom_times, custom_doses)  # validate early
        self.regimen_a = widgets.Dropdown(description="Regimen A", options=options, value=a, style=_STYLE)
        self.regimen_b = widgets.Dropdown(description="Regimen B", options=[(NONE, NONE), *options], value=b, style=_STYLE)
        self.regimen_c = widgets.Dropdown(description="Regimen C", options=[(NONE, NONE), *options], value=c, style=_STYLE)
        self.custom_times = widgets.Text(description="Custom clock times", value=custom_times, continuous_update=False,
                                         placeholder="08:00, 14:00, 20:00", style=_STYLE,
                                         layout=widgets.Layout(width="330px"))
        self.custom_doses = widgets.Text(description="Custom dose at each time (mg)", value=custom_doses,
                                         continuous_update=False, placeholder="0.5 (or one per time)", style=_STYLE,
                                         layout=widgets.Layout(width="330px"))
        self.days = widgets.IntSlider(description="Days shown", value=days, min=1, max=21, style=_STYLE)
        self.edit = widgets.Dropdown(description="Missed or late dose", options=list(EDITS), value="as prescribed",
                                     style=_STYLE)
        self.edit_regimen = widgets.Dropdown(description="in regimen", options=list(LETTERS), value="A", style=_STYLE,
                                             layout=widgets.Layout(width="150px"))
        self.edit_day = widgets.IntSlider(description="on day", value=min(5, days), min=1, max=days, style=_STYLE)
        self.edit_dose = widgets.IntSlider(description="dose of that day (1 = first)", value=1, min=1, max=1,
                                           style=_STYLE)
        self.late_h = widgets.FloatSlider(description="hours late", value=4, min=1, max=12, step=1, style=_STYLE)
        self.show_band = widgets.Checkbox(description="Show how people differ on regimen A (5th to 95th percentile)",
                                          value=False, indent=False, layout=widgets.Layout(width="auto"))
        self.table = widgets.HTML()
        #: why no therapeutic range is drawn (always visible beside the figure)
        self.note = widgets.HTML(no_window_note())
        with plots.house_style():
            fig, ax = plots.new_figure(10.0, 4.6)
            self.ax = ax
            pkplots.concentration_axes(ax, "Day (from midnight before the first dose)")
            self.band = pkplots.band_patch(ax, pkplots.REGIMEN_COLORS[0])
            self.lines, self.labels = [], []
            for color in pkplots.REGIMEN_COLORS:
                (line,) = ax.plot([], [], color=color, lw=2.2)
                self.lines.append(line)
                self.labels.append(pkplots.direct_label(ax, 0, 0, "", color))
            (self.usual,) = ax.plot([], [], color=pkplots.REGIMEN_COLORS[0], lw=1.5, ls=":", zorder=1)
            pkplots.illustrative_note(ax)
            ax.set_title("Plasma levels under each regimen")
        plots.add_footer(fig, ["fda_klonopin_2023", "ch_clonazepam_fi", "greenblatt2005", "lay_article"],
                         note="Model parameters fitted to published averages.")
        controls = [self.regimen_a, self.regimen_b, self.regimen_c, self.custom_times, self.custom_doses, self.days,
                    self.edit, self.edit_regimen, self.edit_day, self.edit_dose, self.late_h, self.show_band]
        super().__init__(fig, controls, below=[self.note, self.table],
                         animated=[self.band, *self.lines, *self.labels, self.usual])
        self.observe_controls(self._on_change, *controls)
        self._ylim = self._applied = None  # limits remembered (for stability) and on the axes
        self._update()
        self.render(key=self._applied)
        # keep the first layout: later full redraws skip the solver, and a background cached for
        # some axis limits (render's key) still lines up with the axes when it is reused
        fig.set_layout_engine("none")

    # -- model ------------------------------------------------------------------------------
    def chosen(self) -> list[str]:
        """The regimen ids currently compared, in order A, B, C (``"custom"`` for the custom one)."""
        return [v for v in (self.regimen_a.value, self.regimen_b.value, self.regimen_c.value) if v != NONE]

    def _slots(self) -> list[tuple[str, str]]:
        """(letter, regimen id) of each regimen shown; a letter keeps its colour."""
        values = (self.regimen_a.value, self.regimen_b.value, self.regimen_c.value)
        return [(letter, v) for letter, v in zip(LETTERS, values) if v != NONE]

    def custom(self) -> tuple[tuple[str, ...], tuple[float, ...]]:
        """The custom regimen's (clock times, doses in mg); ``ValueError`` if the text is unusable."""
        return parse_custom(self.custom_times.value, self.custom_doses.value)

    def _pattern(self, rid: str):
        if rid == CUSTOM:
            return self.custom()
        return tuple(self.examples.loc[rid, "clock_times"]), tuple(float(d) for d in self.examples.loc[rid, "doses_mg"])

    def _regimen(self, rid: str) -> regimens.Regimen:
        if rid == CUSTOM:
            times, doses = self.custom()
            return regimens.Regimen.daily_at(list(times), list(doses), days=self.days.value + 1)
        return regimens.example(rid, days=self.days.value + 1)

    def _metrics(self, rid: str) -> pd.Series:
        """Steady-state metrics of a regimen as prescribed (cached: they do not depend on the
        days shown or on edits)."""
        key = (rid, self._pattern(rid)) if rid == CUSTOM else rid
        if key not in self._rows:
            if rid == CUSTOM:
                times, doses = self.custom()
                name = f"custom: {_describe(times, doses)}"
                reg = regimens.Regimen.daily_at(list(times), list(doses), days=2)
                self._rows[key] = pk.summary_table({name: reg}, self.params).iloc[0]
            else:
                self._rows[key] = pk.example_summary(rid, params=self.params).iloc[0]
        return self._rows[key]

    def _edited(self, reg: regimens.Regimen, letter: str) -> tuple[regimens.Regimen, str]:
        """``reg`` with the chosen edit applied to the chosen dose on ``edit_day``."""
        kind = EDITS[self.edit.value]
        day, nth = self.edit_day.value, self.edit_dose.value
        index = int(np.searchsorted(reg.times_h, (day - 1) * 24.0)) + nth - 1
        which = f"Regimen {letter}: the {_ORDINALS[nth - 1]} dose on day {day}"
        if kind == "skip":
            return reg.skip(index), f"{which} is skipped."
        gap = reg.times_h[index + 1] - reg.times_h[index]
        hours = min(self.late_h.value, gap - 0.5)
        note = "" if hours == self.late_h.value else f" (capped at {hours:g} h: the next dose is {gap:g} h later)"
        return reg.delay(index, hours), f"{which} is taken {hours:g} h late{note}."

    def _update(self) -> None:
        kind = EDITS[self.edit.value]
        self.edit_day.max = self.days.value
        self.late_h.disabled = kind != "late"
        self.edit_day.disabled = self.edit_regimen.disabled = self.edit_dose.disabled = kind is None
        t_h = np.linspace(0, self.days.value * 24.0, 1200)
        x = t_h / 24.0
        notes, warning = [], False
        try:
            custom = self.custom()
            custom_error = None
        except ValueError as error:
            custom, custom_error = None, str(error)
        slots = [(letter, rid) for letter, rid in self._slots() if rid != CUSTOM or custom is not None]
        if custom_error and any(rid == CUSTOM for _, rid in self._slots()):
            notes.append(f"⚠ Custom regimen not drawn: {custom_error}.")
            warning = True
        shown = dict(slots)
        edit_letter = self.edit_regimen.value if kind is not None else None
        if edit_letter is not None and edit_letter in shown:
            per_day = len(self._pattern(shown[edit_letter])[0])
            self.edit_dose.max = per_day
        elif edit_letter is not None:
            notes.append(f"Regimen {edit_letter} is not shown, so no dose is edited.")
        rows, top = [], 0.0
        edit_note, usual, edited_reg = "", None, None
        curves = {}
        for i, (line, label) in enumerate(zip(self.lines, self.labels)):
            letter = LETTERS[i]
            if letter not in shown:
                line.set_data([], [])
                label.set_text("")
                continue
            rid = shown[letter]
            reg = self._regimen(rid)
            if letter == edit_letter:
                edited_reg, edit_note = self._edited(reg, letter)
                usual = pk.concentration(reg, t_h, self.params)
                self.usual.set_color(pkplots.REGIMEN_COLORS[i])
                reg = edited_reg
            conc = pk.concentration(reg, t_h, self.params)
            curves[letter] = (reg, conc)
            line.set_data(x, conc)
            pkplots.move_label(label, x[-1], conc[-1], letter)
            top = max(top, float(conc.max()))
            rows.append((letter, rid))
        if usual is not None:
            self.usual.set_data(x, usual)
        else:
            self.usual.set_data([], [])
        band_note = ""
        if self.show_band.value and "A" in curves:
            band = self._band(curves["A"][0], t_h)
            pkplots.update_band(self.band, x, band.low, band.high)
            top = max(top, float(band.high.max()))
            band_note = " " + band_text(band.varied, "regimen A")
        else:
            pkplots.update_band(self.band, x, None)
        self._full = self._set_limits(top)
        self._spread_labels()
        self._fill_table(rows)
        message = "Illustrative model, not a prediction for any patient."
        if edit_note:
            after = t_h > (self.edit_day.value - 1) * 24
            lowest = float(np.min(curves[edit_letter][1][after]))
            usual_low = float(np.min(usual[after]))
            message += (f" {edit_note} Lowest level afterwards {lowest:.1f} ng/mL instead of {usual_low:.1f} "
                        f"(dotted line: as prescribed).")
        if custom is not None and CUSTOM in shown.values():
            message += " " + self._custom_note(*custom)
            warning = warning or "⚠" in message
        if notes:
            message += " " + " ".join(notes)
        self.set_message(message + band_note, warning=warning)

    def _custom_note(self, times, doses) -> str:
        """The custom regimen in words, its daily total placed against the label (flagged when
        above a labelled maximum)."""
        total = float(sum(doses))
        text = f"Custom regimen: {_describe(times, doses)} ({total:g} mg/day)."
        try:
            panic = dosing.place(total, "panic_disorder", "adult")
            seizure = dosing.place(total, "seizure_disorders", "adult")
        except ValueError as error:  # absurd totals: say so rather than place them
            return text + f" ⚠ {error}"
        if seizure.flagged:
            text += (f" ⚠ {total:g} mg/day is above every labelled maximum (panic disorder "
                     f"{panic.landmarks_mg_per_day['maximum']:g}, seizure disorders "
                     f"{seizure.landmarks_mg_per_day['maximum']:g} mg/day).")
        elif panic.flagged:
            text += (f" ⚠ {total:g} mg/day is above the labelled maximum for panic disorder "
                     f"({panic.landmarks_mg_per_day['maximum']:g} mg/day); only the seizure dosing goes higher.")
        return text

    def _band(self, reg: regimens.Regimen, t_h: np.ndarray) -> pk.Band:
        """The population band of ``reg`` on ``t_h`` (cached by regimen and days)."""
        key = (reg, self.days.value)
        if key not in self._bands:
            if len(self._bands) > 32:
                self._bands.clear()
            self._bands[key] = pk.population_band(reg, t_h, self.params, n=BAND_N, seed=BAND_SEED,
                                                  percentiles=BAND_PERCENTILES)
        return self._bands[key]

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
        """Show the metrics of the chosen regimens (``rows``: (letter, regimen id)) under the figure
        (the table of a choice seen before is kept: pandas takes milliseconds to write one)."""
        key = tuple((letter, rid, self._pattern(rid) if rid == CUSTOM else None) for letter, rid in rows)
        tables = self.__dict__.setdefault("_tables", {})
        if key in tables:
            metrics, self.table.value = tables[key]
            self.metrics = metrics.copy()
            return
        table = pd.DataFrame([self._metrics(rid) for _, rid in rows])
        table.insert(0, "", [letter for letter, _ in rows])
        self.metrics = table.set_index("")
        shown = table.rename(columns={**pk.SUMMARY_COLUMNS, "": "Regimen"})  # no empty header cell
        self.table.value = (
            shown.to_html(index=False, border=0, classes="clonaedu-table", float_format=lambda x: f"{x:g}")
            + "<div><i>Steady-state metrics for each regimen as prescribed (illustrative model). "
              "Accumulation compares one steady-state dosing interval with the first one.</i></div>"
        )
        if len(tables) > 64:
            tables.clear()
        tables[key] = (self.metrics.copy(), self.table.value)

    def _reset_state(self) -> None:
        self._ylim = None

    def refresh(self) -> None:
        self._update()
        self.render(full=self._full, key=self._applied)

    def _on_change(self, change) -> None:
        self._update()
        self.render(full=self._full, key=self._applied)
