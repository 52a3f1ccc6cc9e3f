"""Taper planner: how published taper rules lower a clonazepam dose, and what the illustrative
plasma level does meanwhile (notebook 07).

**Teaching material about how tapers are designed, never a plan for a person**
(:data:`clonaedu.taper.NOTICE` is on the figure, above the table and in the message).
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from types import SimpleNamespace

import ipywidgets as widgets
import pandas as pd

from .. import dosing, pk, taper
from ..plots import taper as taper_plots
from ..plots._style import apply_look
from ._base import FigurePanel

__all__ = ["TaperPlanner", "start_options"]

_STYLE = {"description_width": "initial"}
_NO_HOLD = "No extra hold"
#: panel bounds (input ranges, not clinical numbers): extra weeks at one step, weeks between slowed steps
MAX_EXTRA_WEEKS = taper.MAX_HOLD_DAYS // 7
#: how many of the last steps can be slowed
MAX_SLOW_STEPS = 6
_ALERT = "#B24000"
FORMS = {"tablet": "Tablets", "odt": "ODT"}


def start_options(form: str = "tablet") -> list[float]:
    """Starting doses (mg/day) the planner offers for ``form``: every total the form can make
    as a morning and a bedtime dose (:func:`clonaedu.taper.makeable_totals`), up to 1.25 x
    the labelled maximum for panic disorder (4 -> 5 mg/day, as in the dose explorer), so the
    maximum is inside the range and doses above it can be shown (and are flagged), while
    absurd values are not."""
    maximum = float(dosing.landmarks("panic_disorder", "adult").loc["maximum", "high"])
    return taper.makeable_totals(form, maximum * 1.25)


@dataclass(frozen=True)
class _Result:
    """Everything drawn or shown for one (rule, start, percent, interval, form), cached."""

    schedule: pd.DataFrame
    summary: taper.TaperSummary
    curve: taper_plots.TaperCurve
    table_html: str
    line: str
    card_link: str


class TaperPlanner(FigurePanel):
    """Starting dose, rule, percent and interval (percent rules), form, holds, slowing near the
    end, a switch to diazepam, and "compare all rules".

    Controls (attributes): ``start`` (mg/day, a selection slider of the doses the form can
    make, :func:`start_options`), ``rule`` (dropdown of :func:`clonaedu.taper.rule_names`),
    ``percent`` and ``interval`` (within the chosen rule's bounds from
    :func:`clonaedu.taper.rules`; disabled for the label's fixed-step rule; reset to the rule's
    defaults when the rule changes), ``form`` (tablets or ODT), ``hold_step`` and
    ``hold_weeks`` (stay longer at one step: a pause), ``slow_steps`` and ``slow_weeks`` (the
    last steps further apart), ``switch`` (guideline rule: change to diazepam first; no level
    is drawn for it, :data:`clonaedu.taper.NO_DIAZEPAM_LEVEL`), ``compare_all`` (overlay every
    rule: the chosen one with the controls' settings, the others at their default pace) and the
    inherited ``reset_button`` / :meth:`reset`.

    Shows the step schedule and the illustrative plasma level on one time axis, the chosen
    rule's schedule as an HTML table (``table``), a printable card (``card``: a link that
    saves a self-contained HTML page; :attr:`card_html`) and a message with each rule's
    duration and largest step. ``schedule`` is the chosen rule's
    :func:`clonaedu.taper.schedule` table, ``shown`` maps each drawn rule to its schedule.
    Results are cached per setting; the axes snap to round limits, so most changes redraw only
    the lines over a cached background.
    """

    title = "Taper planner"

    def __init__(self, start_mg_per_day: float = 1.0, rule: str = "label_panic", percent=None,
                 interval_days=None, form: str = "tablet", compare_all: bool = False,
                 params: pk.Params | None = None):
        first = taper.schedule(start_mg_per_day, rule=rule, percent=percent, interval_days=interval_days,
                               form=form)  # validates every argument (ValueError naming it)
        start = first.attrs["start_mg_per_day"]
        options = start_options(form)
        if not any(abs(start - v) < 1e-9 for v in options):
            raise ValueError(f"start_mg_per_day={start:g} is outside this panel's range "
                             f"({options[0]:g} to {options[-1]:g} mg/day)")
        self.params = params if params is not None else pk.Params.default()
        self._cache: dict[tuple, _Result] = {}
        self._syncing = False
        self._limits = None
        # plain rows (SimpleNamespace) once: indexing the DataFrame on every update is slow
        self._rules = {name: SimpleNamespace(**row) for name, row in taper.rules().to_dict("index").items()}
        names = taper.rule_names()
        self.start = widgets.SelectionSlider(
            description="Starting dose (mg/day)", options=self._start_choices(form),
            value=self._nearest(start, options), continuous_update=True, style=_STYLE,
            layout=widgets.Layout(width="460px"))
        self.rule = widgets.Dropdown(
            description="Rule", options=[(taper_plots.rule_short_name(n), n) for n in names], value=rule,
            style=_STYLE, layout=widgets.Layout(width="420px"))
        self.percent = widgets.FloatSlider(description="Cut per step (% of the current dose)", min=1, max=100,
                                           step=1, value=10, readout_format=".0f", style=_STYLE,
                                           layout=widgets.Layout(width="460px"))
        self.interval = widgets.IntSlider(description="Days between steps", min=1, max=365, value=14,
                                          style=_STYLE, layout=widgets.Layout(width="380px"))
        self.form = widgets.ToggleButtons(description="Form", options=[(v, k) for k, v in FORMS.items()],
                                          value=form, style={**_STYLE, "button_width": "80px"})
        self.compare_all = widgets.Checkbox(description="Compare all rules", value=bool(compare_all),
                                            indent=False)
        self.hold_step = widgets.Dropdown(description="Hold longer at", options=[(_NO_HOLD, -1)], value=-1,
                                          style=_STYLE, layout=widgets.Layout(width="330px"))
        self.hold_weeks = widgets.IntSlider(description="Extra weeks there", min=0, max=MAX_EXTRA_WEEKS, value=0,
                                            style=_STYLE, layout=widgets.Layout(width="330px"))
        self.slow_steps = widgets.IntSlider(description="Slow down: last steps", min=0, max=MAX_SLOW_STEPS, value=0,
                                            style=_STYLE, layout=widgets.Layout(width="330px"))
        self.slow_weeks = widgets.IntSlider(description="Weeks between those steps", min=1, max=MAX_EXTRA_WEEKS,
                                            value=4, style=_STYLE, layout=widgets.Layout(width="360px"))
        self.switch = widgets.Checkbox(description="Switch to diazepam first (guideline rule)", value=False,
                                       indent=False)
        self.table = widgets.HTML(layout=widgets.Layout(max_width="960px"))
        self.card = widgets.HTML(layout=widgets.Layout(max_width="960px"))
        self._apply_rule_bounds(first.attrs["percent"], first.attrs["interval_days"])

        sources = [sid for n in names for sid in taper.schedule(1, rule=n).attrs["source_ids"]]
        sources += ["fda_clonazepam_odt", "fda_klonopin_2023", "fda_valium"]
        fig, self.artists = taper_plots.taper_canvas(list(dict.fromkeys(sources)), self.params, n_lines=len(names))
        a = self.artists
        animated = [*a["stops_top"], *a["stops_bottom"], *a["bands"], *a["curves"], *a["steps"], *a["labels"],
                    a["no_level"]]
        controls = [self.start, self.rule, self.percent, self.interval, self.form, self.hold_step, self.hold_weeks,
                    self.slow_steps, self.slow_weeks, self.switch, self.compare_all]
        super().__init__(fig, controls, below=[self.table, self.card], animated=animated)
        self.observe_controls(self._on_change, *controls)
        self._backgrounds: dict[tuple, object] = {}
        self._freeze_layout()
        self._sync_options()
        self._update()
        self.render()

    # -- rendering --------------------------------------------------------------------------------
    #: how many backgrounds (one per set of axis limits) are kept for blitting
    BACKGROUNDS_KEPT = 8

    def _freeze_layout(self) -> None:
        """Lay the figure out once, with the widest tick labels any limits can give (0.25 mg/day
        steps, three-digit ng/mL), then switch the layout engine off: the axes never move, so a
        background cached for one set of limits stays valid when the limits come back. Also
        keeps the *frame*: the figure without its axes (the notice on top, the sources footer),
        which never changes."""
        taper_plots.set_taper_limits(self.artists, (84, 1.5, 100))
        apply_look(self.figure)  # the display mode's line widths, once (see plots._style)
        canvas = self.figure.canvas
        canvas.draw()
        self.figure.set_layout_engine("none")
        for ax in self.figure.axes:
            ax.set_visible(False)
        canvas.draw()
        self._frame = canvas.copy_from_bbox(self.figure.bbox)
        for ax in self.figure.axes:
            ax.set_visible(True)

    def render(self, *, full: bool = True) -> None:
        """As :meth:`FigurePanel.render`, with two shortcuts for a full redraw (new axis limits):
        limits seen before restore the background cached for them, and new limits redraw only
        the two axes over the cached frame (the long notice and footer texts are not redrawn).
        Either way only the lines are drawn on top, as in a blit."""
        key = self._limits
        if full:
            if key not in self._backgrounds:
                canvas = self.figure.canvas
                canvas.restore_region(self._frame)
                for ax in self.figure.axes:  # animated artists are left out, as in a full draw
                    self.figure.draw_artist(ax)
                self._backgrounds[key] = canvas.copy_from_bbox(self.figure.bbox)
                while len(self._backgrounds) > self.BACKGROUNDS_KEPT:
                    self._backgrounds.pop(next(iter(self._backgrounds)))
            self._background = self._backgrounds[key]
        super().render(full=False)

    # -- controls ---------------------------------------------------------------------------------
    @staticmethod
    def _start_choices(form: str) -> list[tuple[str, float]]:
        return [(f"{v:g}", v) for v in start_options(form)]

    @staticmethod
    def _nearest(value: float, options: list[float]) -> float:
        """The option closest to ``value`` (the lower one on a tie)."""
        return min(options, key=lambda v: (abs(v - value), v))

    def _rule_row(self, name: str | None = None):
        return self._rules[name or self.rule.value]

    @property
    def fixed_step(self) -> bool:
        """True when the chosen rule lowers each dose by a fixed amount (no percent to choose)."""
        return self._rule_row().kind == "fixed_step"

    @staticmethod
    def _set_bounds(slider, low, high, value, step) -> None:
        """New bounds in an order that keeps min <= max at every step (ipywidgets checks)."""
        if low > slider.max:
            slider.max = high
            slider.min = low
        else:
            slider.min = low
            slider.max = high
        slider.step = step
        slider.value = value

    def _apply_rule_bounds(self, percent=None, interval_days=None) -> None:
        """Percent and interval sliders take the rule's bounds (and its defaults unless given)."""
        row = self._rule_row()
        self._syncing = True
        try:
            if row.kind == "fixed_step":
                self.percent.disabled = True
                self.interval.disabled = True
                days = int(row.interval_days_default)
                self._set_bounds(self.interval, days, days, days, 1)
            else:
                self.percent.disabled = False
                self.interval.disabled = False
                lo, hi = float(row.percent_min), float(row.percent_max)
                self._set_bounds(self.percent, lo, hi, float(percent if percent is not None else row.percent_default),
                                 1)
                dlo, dhi = int(row.interval_days_min), int(row.interval_days_max)
                step = 7 if (dhi - dlo) % 7 == 0 and dhi > dlo else 1
                value = int(interval_days if interval_days is not None else row.interval_days_default)
                self._set_bounds(self.interval, dlo, dhi, value, step)
        finally:
            self._syncing = False

    def _apply_form(self) -> None:
        """Offer the starting doses the new form can make; keep the nearest to the current one."""
        options = start_options(self.form.value)
        value = self._nearest(self.start.value, options)
        self._syncing = True
        try:
            self.start.options = self._start_choices(self.form.value)
            self.start.value = value
        finally:
            self._syncing = False

    def _switch_allowed(self) -> bool:
        row = self._rule_row()
        return row.kind == "percent" and not pd.isna(row.cap_percent)

    def _sync_options(self) -> None:
        """Controls that depend on the schedule: the switch only for the guideline rule; the
        steps a hold can be placed on (those of the current schedule before the stop); the
        slowed interval only when some steps are slowed."""
        self._syncing = True
        try:
            allowed = self._switch_allowed()
            if not allowed and self.switch.value:
                self.switch.value = False
            self.switch.disabled = not allowed
            base = self.result(self.rule.value, with_options=False).schedule
            options = [(_NO_HOLD, -1)] + [
                (f"step {k}: {total:g} mg/day" + (" diazepam" if drug == "diazepam" else ""), k)
                for k, total, drug in zip(base.step[:-1], base.daily_total_mg[:-1], base.drug[:-1])]
            if tuple(self.hold_step.options) != tuple(options):
                keep = self.hold_step.value if self.hold_step.value < len(options) - 1 else -1
                self.hold_step.options = options
                self.hold_step.value = keep
            self.hold_weeks.disabled = self.hold_step.value == -1
            self.slow_weeks.disabled = self.slow_steps.value == 0
        finally:
            self._syncing = False

    # -- model (cached) ---------------------------------------------------------------------------
    def _options(self) -> tuple:
        """(holds, slow_last_steps, slow_interval_days, switch) from the controls."""
        holds = ((int(self.hold_step.value), 7 * int(self.hold_weeks.value)),) \
            if self.hold_step.value >= 0 and self.hold_weeks.value > 0 else ()
        slow = (int(self.slow_steps.value), 7 * int(self.slow_weeks.value)) if self.slow_steps.value else (0, None)
        switch = "diazepam" if self.switch.value and self._switch_allowed() else None
        return holds, *slow, switch

    def _key(self, rule: str, chosen: bool, with_options: bool = True) -> tuple:
        row = self._rule_row(rule)
        if row.kind == "fixed_step":
            pace = (None, None)
        elif chosen:
            pace = (float(self.percent.value), int(self.interval.value))
        else:
            pace = (float(row.percent_default), int(row.interval_days_default))
        options = self._options() if chosen and with_options else ((), 0, None, None)
        if chosen and not with_options:  # the schedule's steps depend on the switch, not on holds or slowing
            options = ((), 0, None, self._options()[3])
        return (rule, float(self.start.value), *pace, self.form.value, *options)

    def result(self, rule: str | None = None, *, with_options: bool = True) -> _Result:
        """The cached schedule, summary, curve, table and message line for ``rule`` (default:
        the chosen rule with the controls' settings; any other rule at its default pace)."""
        rule = rule or self.rule.value
        key = self._key(rule, chosen=rule == self.rule.value, with_options=with_options)
        if key not in self._cache:
            name, start, pct, interval, form, holds, slow_steps, slow_days, switch = key
            base_interval = interval if interval is not None else int(self._rule_row(name).interval_days_default)
            sched = taper.schedule(start, rule=name, percent=pct, interval_days=interval, form=form,
                                   holds=dict(holds) or None, slow_last_steps=slow_steps or None,
                                   slow_interval_days=max(slow_days, base_interval) if slow_steps else None,
                                   switch=switch)
            summary = taper.summary(sched)
            curve = taper.schedule_curve(sched, self.params)
            self._cache[key] = _Result(sched, summary, curve, taper_plots.schedule_table(sched).html,
                                       self._line(sched, summary), self._card_link(sched))
        return self._cache[key]

    @staticmethod
    def _line(sched: pd.DataFrame, s: taper.TaperSummary) -> str:
        a = sched.attrs
        pace = (f"{a['step_mg_per_dose']:g} mg off each dose every {a['interval_days']} days" if a["percent"] is None
                else f"{a['percent']:g}% every {a['interval_days']} days")
        if a.get("switch"):
            pace += f", switched to diazepam {a['equivalence']['chosen_mg']:g} mg/day"
        before = ("" if s.steps < 2 else
                  f"; largest step before the stop {s.largest_step_percent_before_stop:g}%")
        last = float(sched["daily_total_mg"].iloc[-2])
        unit = "mg/day diazepam" if sched["drug"].iloc[-2] == "diazepam" else "mg/day"
        steps = f"{s.steps} step" + ("" if s.steps == 1 else "s")
        return (f"{taper_plots.rule_short_name(s.rule)} ({pace}): {steps}, no dose from day "
                f"{s.duration_days}{taper_plots.about_duration(s.duration_days)}; first step {s.first_step_percent:g}%"
                f"{before}; the last step stops from {last:g} {unit} (a 100% cut).")

    # -- update -----------------------------------------------------------------------------------
    def _shown_rules(self) -> list[str]:
        """Rules drawn, the chosen one last (drawn on top)."""
        chosen = self.rule.value
        if not self.compare_all.value:
            return [chosen]
        return [n for n in taper.rule_names() if n != chosen] + [chosen]

    def _update(self) -> bool:
        """Recompute (from the cache), update the artists, table, card and message; True when
        the axis limits changed, so the figure needs a full redraw."""
        rules = self._shown_rules()
        results = [self.result(r) for r in rules]
        self.shown = {r: res.schedule for r, res in zip(rules, results)}
        chosen = results[-1]
        self.schedule = chosen.schedule
        self.summary = chosen.summary
        self.curves = {r: res.curve for r, res in zip(rules, results)}
        curves = [res.curve for res in results]
        limits = taper_plots.taper_limits(curves)
        full = limits != self._limits
        if full:
            taper_plots.set_taper_limits(self.artists, limits)
            self._limits = limits
        taper_plots.update_taper_axes(self.artists, curves, highlight=self.rule.value if len(results) > 1 else None)
        self.table.value = chosen.table_html
        self.card.value = chosen.card_link
        self._show_message(results)
        return full

    @property
    def card_html(self) -> str:
        """The printable schedule card of the chosen schedule (a complete HTML page)."""
        return taper_plots.schedule_card_html(self.schedule)

    def _card_link(self, sched: pd.DataFrame) -> str:
        page = base64.b64encode(taper_plots.schedule_card_html(sched).encode("utf-8")).decode("ascii")
        return (f'<a download="taper_schedule_card.html" href="data:text/html;base64,{page}" '
                f'style="font-weight:bold">Printable schedule card (HTML, opens in a browser for printing)</a>')

    def _show_message(self, results: list[_Result]) -> None:
        chosen = results[-1]
        warnings = [f for f in chosen.schedule.attrs["flags"] if "above the labelled maximum" in f]
        notes = [f for f in chosen.schedule.attrs["flags"] if f not in warnings]
        parts = [f'<b style="color:{_ALERT}">⚠ {html.escape(w)}.</b>' for w in warnings]
        ordered = [chosen] + [r for r in results[:-1]]
        parts += [("<b>" if r is chosen else "") + html.escape(r.line) + ("</b>" if r is chosen else "")
                  for r in ordered]
        row = self._rule_row()
        if self.fixed_step:
            parts.append(f"This rule removes a fixed {row.step_mg_per_dose:g} mg from each dose every "
                         f"{row.interval_days_default} days (US label): there is no percent or interval "
                         f"to choose.")
        parts += [html.escape(n) + "." for n in notes]
        if chosen.schedule.attrs.get("switch"):
            eq = chosen.schedule.attrs["equivalence"]
            ratio = eq["chosen_mg"] / chosen.schedule.attrs["start_mg_per_day"]
            parts.append(f"The diazepam steps are drawn as clonazepam-equivalent mg/day (diazepam mg/day ÷ "
                         f"{ratio:g}, the conversion used), so the two drugs share one axis. "
                         + html.escape(taper.NO_DIAZEPAM_LEVEL))
        who = "The US label" if row.source_id.startswith("fda_") else "The 2025 joint guideline"
        parts.append(f"{who} says, if withdrawal appears: {html.escape(row.if_withdrawal)}")
        parts.append(f"<i>{html.escape(taper.NOTICE)} {html.escape(taper_plots.ILLUSTRATIVE)}</i>")
        self.message.value = ('<div style="font-size:1.05em; line-height:1.4" aria-live="polite">'
                              + "\n".join(f"<div>{p}</div>" for p in parts) + "</div>")

    @property
    def flagged(self) -> bool:
        """True when the starting dose is above the labelled maximum (the message warns)."""
        return any("above the labelled maximum" in f for f in self.schedule.attrs["flags"])

    def _reset_state(self) -> None:
        """Nothing drawn depends on earlier changes except the axis limits: forget them."""
        self._limits = None

    def refresh(self) -> None:
        self._sync_options()
        full = self._update()
        self.render(full=full or True)

    def _on_change(self, change) -> None:
        if self._syncing:
            return
        owner = change["owner"]
        if owner is self.rule:
            self._apply_rule_bounds()
        elif owner is self.form:
            self._apply_form()
        self._sync_options()
        full = self._update()
        self.render(full=full)
