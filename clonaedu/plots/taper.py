"""Taper figures (notebook 07): the step schedule of each published rule and the illustrative
plasma level through it, plus the schedule table.

**Teaching material about how tapers are designed, never a plan for a person**
(:data:`clonaedu.taper.NOTICE` is on every figure and table made here).

Two stacked axes share one time axis (days from the start of the taper):

* top: the daily total (mg/day) of each rule, drawn as steps, with a direct label at the day
  the rule stops; a dashed line marks the labelled maximum for panic disorder;
* bottom: the illustrative plasma concentration (ng/mL) of the two-compartment model
  (:mod:`clonaedu.pk`, ``typical_adult`` preset unless given) for the schedule's morning and
  bedtime doses, starting from steady state on the starting dose: a line for each day's mean
  level and a shaded band from the day's lowest to its highest level (the swing between
  doses). Drawn per day so a taper of 12 days and one of three years read the same way. The
  long half-life turns every step down into a slow glide over several days, and the level
  keeps falling for days after the last dose.

The curve is computed by :func:`clonaedu.taper.concentration_through_taper` (model code lives in
the model layer; the name is re-exported here for older callers).
"""

from __future__ import annotations

import functools
import html
import math
import textwrap

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from matplotlib.text import Text
from matplotlib.ticker import FormatStrFormatter, MaxNLocator

from .. import data, dosing, pk, taper
from . import pk as pkplots
from ._style import COLORS, ILLUSTRATIVE, StaticFigure, add_footer, house_style

__all__ = [
    "BEFORE_DAYS",
    "LABEL_ROWS",
    "PK_SOURCES",
    "RULE_COLORS",
    "ScheduleTable",
    "StampedText",
    "TaperCurve",
    "about_duration",
    "concentration_through_taper",
    "dose_clock_times",
    "rule_color",
    "rule_label",
    "rule_short_name",
    "schedule_card_html",
    "schedule_table",
    "set_taper_limits",
    "step_xy",
    "taper_axes",
    "taper_canvas",
    "taper_figure",
    "taper_limits",
    "update_taper_axes",
]

#: one colour per rule, the same in every taper figure (Okabe-Ito)
RULE_COLORS = {
    "label_panic": COLORS["vermillion"],
    "joint_guideline_2025": COLORS["blue"],
    "diazepam_switch": COLORS["green"],
}
_SPARE_COLORS = (COLORS["purple"], COLORS["orange"], COLORS["sky"], COLORS["black"])
#: axis ends (days) the time axis snaps to, so small changes keep the axes (and blitting)
NICE_DAYS = (14, 21, 28, 42, 56, 84, 112, 168, 224, 336, 448, 672, 896, 1344, 1792)
_TICK_STEPS = (1, 2, 7, 14, 28, 56, 84, 112, 168, 224)
#: schedule axis ends (mg/day): the starting dose stays below two thirds, leaving the labels room
_NICE_MG = (0.75, 1.5, 3.0, 6.0, 7.5, 9.0)
_NICE_NG_ML = (5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 100)


# -- names and colours --------------------------------------------------------------------------
def rule_color(rule: str) -> str:
    """The colour of ``rule`` in every taper figure (Okabe-Ito)."""
    if rule in RULE_COLORS:
        return RULE_COLORS[rule]
    names = [n for n in taper.rule_names() if n not in RULE_COLORS]
    return _SPARE_COLORS[names.index(rule) % len(_SPARE_COLORS)] if rule in names else COLORS["grey"]


def rule_short_name(rule: str) -> str:
    """The rule's title up to its colon (``data/taper_rules.csv``): "US label, panic disorder",
    "2025 Joint Clinical Practice Guideline"."""
    titles = _titles()
    if rule not in titles:
        raise ValueError(f"unknown rule {rule!r}; known rules: {', '.join(sorted(titles))}")
    return titles[rule].split(":")[0].strip()


@functools.lru_cache(maxsize=1)
def _titles() -> dict[str, str]:
    """Rule -> title (data/taper_rules.csv), read once: taper.rules() re-validates the table."""
    return {str(k): str(v) for k, v in taper.rules()["title"].items()}


# -- the model curve lives in clonaedu.taper (model code never lives in plots) -----------------
# re-exported here so existing callers keep working
TaperCurve = taper.TaperCurve
concentration_through_taper = taper.concentration_through_taper
step_xy = taper.step_xy
dose_clock_times = taper.dose_clock_times
BEFORE_DAYS = taper.BEFORE_DAYS
_FAR_DAY = taper._FAR_DAY


# -- axes ---------------------------------------------------------------------------------------
def _snap(value: float, choices) -> float:
    for c in choices:
        if value <= c + 1e-9:
            return c
    return float(math.ceil(value / choices[-1]) * choices[-1])


def taper_limits(curves: list[TaperCurve]) -> tuple[float, float, float]:
    """``(x_max_days, y_max_mg_per_day, y_max_ng_ml)`` for the curves drawn together: axis ends
    snapped to a few round values, so a panel keeps its axes (and can blit) while a change
    stays inside them. The time axis leaves room after the longest stop for the level's fall
    and the stop label; the dose axis leaves the top third for the labels; the concentration
    axis follows the dose axis (the model is linear in dose), so it changes only with it."""
    x_max = _snap(max(c.stop_day for c in curves) * 1.2 + 5, NICE_DAYS)
    start = max(c.start_mg_per_day for c in curves)
    y_mg = _snap(start * 1.5, _NICE_MG)
    per_mg = max(c.peak_ng_ml / c.start_mg_per_day for c in curves)
    y_ng = _snap(per_mg * y_mg / 1.5 * 1.08, _NICE_NG_ML)
    return x_max, y_mg, y_ng


def about_duration(days: float) -> str:
    """The duration in words, for labels: " (~8 weeks)", " (~7 months)", " (~3.0 years)" for
    4 weeks or more, "" below (days say it well enough)."""
    if days < 28:
        return ""
    if days < 7 * 13:
        return f" (~{days / 7:.0f} weeks)"
    if days < 2 * 365:
        return f" (~{days / 30.44:.0f} months)"
    return f" (~{days / 365.25:.1f} years)"


def _tick_step(x_max: float) -> int:
    return next((s for s in _TICK_STEPS if x_max / s <= 9), _TICK_STEPS[-1])


class StampedText(Text):
    """A :class:`~matplotlib.text.Text` that reuses a bitmap of itself once drawn.

    Matplotlib 3.11 rasterises text glyph by glyph in Python, about 5 to 9 ms for one label,
    which is too slow for three direct labels redrawn on every blitted frame of a panel. The
    first time a label is drawn with a given text, style and sub-pixel offset it is rendered
    normally into a scratch buffer; the pixels it covers are kept, and later draws paste them
    (about 0.1 ms). The pixels are the text's own rendering, so the figure looks the same.
    Other renderers (PDF, SVG) draw the text as usual.
    """

    STAMPS_KEPT = 64

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._stamps: dict[tuple, tuple[np.ndarray, int, int]] = {}

    def draw(self, renderer):
        if not self.get_visible() or not self.get_text() or type(renderer) is not RendererAgg:
            return super().draw(renderer)
        x, y = self.get_transform().transform(self.get_unitless_position())
        ix, iy = math.floor(x), math.floor(y)
        key = (self.get_text(), self.get_color(), self.get_fontweight(), self.get_fontsize(), self.get_ha(),
               self.get_va(), self.get_rotation(), renderer.dpi, round((x - ix) * 4), round((y - iy) * 4))
        stamp = self._stamps.get(key)
        if stamp is None:
            scratch = RendererAgg(int(renderer.width), int(renderer.height), renderer.dpi)
            super().draw(scratch)
            pixels = np.asarray(scratch.buffer_rgba())
            rows, cols = np.nonzero(pixels[..., 3])
            if rows.size == 0:
                return None
            top, bottom, left, right = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
            # buffer rows run top to bottom; draw_image wants them bottom to top
            stamp = (pixels[top:bottom, left:right][::-1].copy(), left - ix, int(renderer.height) - bottom - iy)
            if len(self._stamps) >= self.STAMPS_KEPT:
                self._stamps.pop(next(iter(self._stamps)))
            self._stamps[key] = stamp
        image, dx, dy = stamp
        gc = renderer.new_gc()
        renderer.draw_image(gc, ix + dx, iy + dy, image)
        gc.restore()
        self.stale = False
        return None


def taper_axes(fig: Figure, n_lines: int = 3) -> dict:
    """Two stacked axes sharing the time axis, with ``n_lines`` empty step lines, curves, stop
    markers and direct labels to fill with :func:`update_taper_axes`. Returns the artists:
    ``ax_steps``, ``ax_conc``, ``steps``, ``curves`` (each day's mean level), ``bands`` (each
    day's lowest to highest level), ``stops_top``, ``stops_bottom``, ``labels`` (lists of
    ``n_lines``), ``no_level`` (the reason no level is drawn for a diazepam switch, hidden
    until one is shown), ``maximum`` and ``maximum_label`` (the labelled maximum
    for panic disorder, data/dose_landmarks.csv), ``illustrative``, ``notice`` (the figure's
    first line, :data:`clonaedu.taper.NOTICE`)."""
    maximum = float(dosing.landmarks("panic_disorder", "adult").loc["maximum", "high"])
    with house_style():
        ax_steps, ax_conc = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1, 1]})
        ax_steps.set_ylabel("Daily total (mg/day)")
        ax_steps.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax_steps.set_title("Taper schedule: daily total under each rule")
        pkplots.concentration_axes(ax_conc, "Days from the start of the taper (day 0 = first day at the starting dose)")
        ax_conc.set_title("Illustrative plasma level through the taper")
        # whole-number ticks (at most 3 characters) on every range the panel uses: the panel
        # freezes its layout, so tick labels must never get wider than at the first draw
        ax_conc.yaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 5, 10]))
        for ax in (ax_steps, ax_conc):
            ax.axvline(0, color="#555555", lw=1, ls=":", zorder=1)
        max_line = ax_steps.axhline(maximum, color=COLORS["black"], lw=1.3, ls="--", zorder=1)
        max_label = ax_steps.text(0.995, maximum, f"labelled maximum, panic disorder: {maximum:g} mg/day",
                                  transform=ax_steps.get_yaxis_transform(), ha="right", va="top",
                                  fontsize=10.5, color=COLORS["black"], clip_on=True)
        artists: dict = {"ax_steps": ax_steps, "ax_conc": ax_conc, "steps": [], "curves": [], "bands": [],
                         "stops_top": [], "stops_bottom": [], "labels": [],
                         "maximum": max_line, "maximum_label": max_label}
        for _ in range(n_lines):
            (s,) = ax_steps.plot([], [], drawstyle="steps-post", lw=3.0, zorder=4)
            (c,) = ax_conc.plot([], [], lw=2.2, zorder=4)
            band = ax_conc.add_patch(Polygon(np.zeros((0, 2)), closed=True, lw=0, alpha=0.22, zorder=3))
            (st,) = ax_steps.plot([], [], ls=":", lw=1.4, zorder=3)
            (sb,) = ax_conc.plot([], [], ls=":", lw=1.4, zorder=3)
            label = ax_steps.add_artist(StampedText(
                0, 0, "", fontsize=11.5, fontweight="bold", ha="left", va="center", zorder=6, clip_on=False,
                transform=ax_steps.get_xaxis_transform(),
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1}))
            for key, artist in (("steps", s), ("curves", c), ("bands", band), ("stops_top", st),
                                ("stops_bottom", sb), ("labels", label)):
                artists[key].append(artist)
        artists["no_level"] = ax_conc.text(0.5, 0.5, _wrap(taper.NO_DIAZEPAM_LEVEL, 70), transform=ax_conc.transAxes,
                                           ha="center", va="center", fontsize=11, color="#333333", visible=False,
                                           zorder=6, bbox={"facecolor": "white", "edgecolor": "#999999", "pad": 4})
        artists["illustrative"] = pkplots.illustrative_note(ax_conc)
        artists["illustrative"].set_zorder(2)  # static, under the animated curves
        artists["notice"] = fig.suptitle(_wrap(taper.NOTICE, 105), x=0.01, ha="left", fontsize=11.5,
                                         fontweight="normal", style="italic", color="#333333")
    return artists


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width))


def set_taper_limits(artists: dict, limits: tuple[float, float, float]) -> None:
    """Apply :func:`taper_limits` to the two axes (ticks every few days, weeks or months)."""
    x_max, y_mg, y_ng = limits
    ax_steps, ax_conc = artists["ax_steps"], artists["ax_conc"]
    ax_conc.set_xlim(-BEFORE_DAYS if x_max <= 84 else -max(BEFORE_DAYS, 0.02 * x_max), x_max)
    step = _tick_step(x_max)
    ax_conc.set_xticks(np.arange(0, x_max - step / 2, step))  # none at the very end: it could overhang
    ax_steps.set_ylim(0, y_mg)
    mg_step = 0.25 if y_mg <= 1.5 else 0.5 if y_mg <= 3 else 1.0  # never finer: labels stay <= 4 characters
    ax_steps.set_yticks(np.arange(0, 0.7 * y_mg + 1e-9, mg_step))  # none in the labels' headroom
    ax_conc.set_ylim(0, y_ng)
    visible = artists["maximum"].get_ydata()[0] < y_mg
    artists["maximum"].set_visible(visible)
    artists["maximum_label"].set_visible(visible)


_SHORT_NAMES = {"label_panic": "US label", "joint_guideline_2025": "Guideline pace, averaged (course model)"}
#: heights (fraction of the schedule axes) of the stop labels: the longest taper lowest
LABEL_ROWS = (0.75, 0.85, 0.95)


def rule_label(rule: str) -> str:
    """A short name for direct labels ("US label", "Guideline pace, averaged (course model)")."""
    return _SHORT_NAMES.get(rule, rule_short_name(rule))


def update_taper_axes(artists: dict, curves: list[TaperCurve], *, highlight: str | None = None) -> None:
    """Fill the lines of :func:`taper_axes` with ``curves`` (:func:`concentration_through_taper`)
    in order (the last is drawn on top); unused lines are emptied. The ``highlight`` rule is
    drawn thicker. Each rule's stop day gets a dotted line and a direct label ("US label: stops
    day 12") in the headroom above the steps, one row per rule (the longest taper lowest), so
    labels never cross the steps. Call after :func:`set_taper_limits` (labels are placed
    against the time axis)."""
    ax_steps, ax_conc = artists["ax_steps"], artists["ax_conc"]
    if "no_level" in artists:
        artists["no_level"].set_visible(any(not c.has_level for c in curves))
    order = sorted(range(len(curves)), key=lambda i: -curves[i].stop_day)
    rows = {i: LABEL_ROWS[min(rank, len(LABEL_ROWS) - 1)] for rank, i in enumerate(order)}
    x_lo, x_hi = ax_steps.get_xlim()
    axes_in = 0.86 * ax_steps.figure.get_figwidth()  # about the axes' width (inches)
    for i, step_line in enumerate(artists["steps"]):
        curve_line, stop_top, stop_bottom, label = (
            artists[k][i] for k in ("curves", "stops_top", "stops_bottom", "labels"))
        band = artists["bands"][i]
        if i >= len(curves):
            for line in (step_line, curve_line, stop_top, stop_bottom):
                line.set_data([], [])
            band.set_xy(np.zeros((0, 2)))
            label.set_text("")
            continue
        c = curves[i]
        color = rule_color(c.rule)
        main = highlight is None or c.rule == highlight
        step_line.set_data(c.step_x, c.step_y)
        if c.has_level:
            x_day = np.r_[c.day_mid_days, _FAR_DAY]
            curve_line.set_data(x_day, np.r_[c.day_mean_ng_ml, 0.0])
            band.set_xy(np.r_[np.c_[x_day, np.r_[c.day_max_ng_ml, 0.0]],
                              np.c_[x_day, np.r_[c.day_min_ng_ml, 0.0]][::-1]])
        else:  # a switch to diazepam: no level (taper.NO_DIAZEPAM_LEVEL)
            curve_line.set_data([], [])
            band.set_xy(np.zeros((0, 2)))
        band.set_facecolor(color)
        stop, row = c.stop_day, rows[i]
        stop_top.set_transform(ax_steps.get_xaxis_transform())
        stop_bottom.set_transform(ax_conc.get_xaxis_transform())
        stop_top.set_data([stop, stop], [0, row])
        stop_bottom.set_data(*(([stop, stop], [0, 0.9]) if c.has_level else ([], [])))  # below the note
        for line in (step_line, curve_line, stop_top, stop_bottom):
            line.set_color(color)
        # the chosen rule stands out by opacity and drawing order, not width: widths stay as built,
        # so the projector look (plots._style.apply_look) can scale them once
        step_line.set_alpha(1.0 if main else 0.55)
        curve_line.set_alpha(1.0 if main else 0.55)
        band.set_alpha(0.25 if main else 0.12)
        via = "" if c.has_level else " via diazepam"
        text = f"{rule_label(c.rule)}{via}: stops day {stop:g}{about_duration(stop)}"
        label.set_text(text)
        label.set_color(color)
        label.set_fontweight("bold" if main else "normal")
        width = len(text) * 0.074 / axes_in * (x_hi - x_lo)  # about 0.074 inch a character, in days
        pad = 0.006 * (x_hi - x_lo)
        fits_right = stop + pad + width <= x_hi
        label.set_ha("left" if fits_right else "right")
        label.set_position((stop + pad if fits_right else stop - pad, row))


# -- the table ----------------------------------------------------------------------------------
_HEADERS = ("day", "days at this dose", "drug", "morning (mg)", "bedtime (mg)", "daily total (mg/day)",
            "cut from previous step", "morning: tablets", "bedtime: tablets")
#: the card's own line under the notice (issue 16: "illustrative, not a plan for a patient")
CARD_LINE = "Illustrative schedule for teaching, not a plan for a patient."


class ScheduleTable:
    """A schedule as a table with its notice: HTML in notebooks and panels, plain text
    elsewhere. Rows where the strengths forced a cut larger than the rule's are marked *."""

    def __init__(self, schedule: pd.DataFrame):
        if not isinstance(schedule, pd.DataFrame) or "rule" not in schedule.attrs:
            raise ValueError("schedule must be a table returned by clonaedu.taper.schedule()")
        self.schedule = schedule

    @property
    def caption(self) -> str:
        a = self.schedule.attrs
        pace = (f"{a['percent']:g}% of the current dose every {a['interval_days']} days" if a["percent"] is not None
                else f"{a['step_mg_per_dose']:g} mg off each dose every {a['interval_days']} days")
        form = "tablets (0.5 mg scored, 1 mg, 2 mg)" if a["form"] == "tablet" else "ODTs (never split)"
        switch = (f", switched to diazepam {a['equivalence']['chosen_mg']:g} mg/day" if a.get("switch") else "")
        return (f"{rule_short_name(a['rule'])}: {pace}, from {a['start_mg_per_day']:g} mg/day with {form}{switch}; "
                f"{a['steps']} steps, no dose from day {a['duration_days']}.")

    def rows(self) -> list[tuple[str, ...]]:
        """The table's cells as text, one tuple per schedule row (in order)."""
        out = []
        for r in self.schedule.itertuples():
            if pd.isna(r.cut_percent):
                cut = "switch" if r.step > 0 else ""
            else:
                cut = f"{r.cut_percent:g}%" + (" *" if r.larger_than_rule else "")
            held = "" if r.daily_total_mg == 0 else f"{r.hold_days:g}"
            # the switch row taken one dose at a time has no single daily total: name both drugs
            total = (f"diazepam {r.morning_mg:g} + clonazepam {r.evening_mg:g}" if pd.isna(r.daily_total_mg)
                     else f"{r.daily_total_mg:g}")
            out.append((f"{r.day:g}", held, r.drug, f"{r.morning_mg:g}", f"{r.evening_mg:g}", total,
                        cut, r.morning_tablets, r.evening_tablets))
        return out

    @property
    def html(self) -> str:
        cell = 'style="padding:2px 8px; text-align:left"'
        head = "".join(f"<th {cell}>{html.escape(h)}</th>" for h in _HEADERS)
        body = "".join("<tr>" + "".join(f"<td {cell}>{html.escape(v)}</td>" for v in row) + "</tr>"
                       for row in self.rows())
        star = ("<div>* the strengths cannot make a smaller cut at this dose, so the step is larger than "
                "the rule asks.</div>") if self.schedule.larger_than_rule.any() else ""
        return (f'<div class="clonaedu-taper-table"><div><b>{html.escape(self.caption)}</b></div>'
                f'<div><i>{html.escape(taper.NOTICE)}</i></div>'
                f'<table style="border-collapse:collapse; font-size:1em">'
                f"<tr>{head}</tr>{body}</table>{star}</div>")

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        lines = [self.caption, taper.NOTICE, " · ".join(_HEADERS)]
        lines += [" · ".join(row) for row in self.rows()]
        return "\n".join(lines)


def schedule_table(schedule: pd.DataFrame) -> ScheduleTable:
    """The schedule table (day, days at the dose, drug, morning, bedtime, daily total, cut %,
    tablets) with its notice."""
    return ScheduleTable(schedule)


def schedule_card_html(schedule: pd.DataFrame) -> str:
    """A printable schedule card: a complete, self-contained HTML page (no outside files) with
    the teaching notice, "illustrative, not a plan for a patient", the schedule table, its
    remarks and the sources, for printing from a browser. Teaching material, never a plan."""
    table = ScheduleTable(schedule)
    a = schedule.attrs
    flags = "".join(f"<li>{html.escape(f)}.</li>" for f in a.get("flags", ()))
    sources = "".join(f"<li>{html.escape(data.cite(sid))}</li>" for sid in a.get("source_ids", ()))
    withdrawal = html.escape(a.get("if_withdrawal", ""))
    notice = html.escape(taper.NOTICE)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>Taper schedule card: {html.escape(rule_short_name(a['rule']))}</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:1.5em auto;color:#111}"
        ".notice{border:2px solid #B24000;padding:.6em;font-weight:bold}"
        "table{border-collapse:collapse}td,th{border:1px solid #999;padding:3px 8px;text-align:left}"
        "@media print{.notice{border-width:3px}}</style></head><body>"
        f'<p class="notice" role="note">{notice}<br>{html.escape(CARD_LINE)}</p>'
        f"<h1>Taper schedule card</h1>{table.html}"
        f"<h2>What the source says if withdrawal appears</h2><p>{withdrawal} (source: "
        f"{html.escape(data.cite(a['source_ids'][0])) if a.get('source_ids') else ''})</p>"
        f"<h2>Remarks</h2><ul>{flags}</ul><h2>Sources</h2><ul>{sources}</ul>"
        f'<p class="notice">{notice}<br>{html.escape(CARD_LINE)}</p></body></html>\n'
    )


# -- whole figures ------------------------------------------------------------------------------
#: sources of the illustrative PK model drawn under every taper (see data/pk_parameters.csv)
PK_SOURCES = ("fda_klonopin_pk_label", "crevoisier2003", "greenblatt2005")


def taper_canvas(source_ids, params: pk.Params | None = None, n_lines: int = 3) -> tuple[Figure, dict]:
    """A new figure with :func:`taper_axes` and a sources footer (taper sources, then those of
    the PK model) whose note names the model parameters. Returns ``(figure, artists)``."""
    p = params if params is not None else pk.Params.default()
    with house_style():
        fig = Figure(figsize=(10.0, 7.6), layout="constrained")
        FigureCanvasAgg(fig)
    artists = taper_axes(fig, n_lines=n_lines)
    note = (f"{ILLUSTRATIVE.rstrip('.')}: {p.name.replace('_', ' ')} parameters, terminal half-life "
            f"{p.terminal_half_life_h:.0f} h. Days and levels are the course's model (clonaedu_model).")
    artists["footer"] = add_footer(fig, [*source_ids, *PK_SOURCES, "clonaedu_model"], note=note)
    # the footer can wrap to three lines at this width: keep it clear of the x-axis label
    bottom = 0.5 / fig.get_figheight()
    fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom))
    return fig, artists


def taper_figure(start_mg_per_day: float = 1.0, rules=None, form: str = "tablet",
                 params: pk.Params | None = None) -> StaticFigure:
    """Every rule (default pace; ``rules`` to choose) from the same start (mg/day): the step
    schedules on top, the illustrative plasma level below, on one time axis, so the label's
    taper of days sits beside guideline tapers of weeks to months. Teaching material, never a
    plan for a person; illustrative model, not a prediction for any patient."""
    names = taper.rule_names() if rules is None else list(rules)
    schedules = [taper.schedule(start_mg_per_day, rule=n, form=form) for n in names]
    curves = [concentration_through_taper(s, params) for s in schedules]
    order = sorted(range(len(curves)), key=lambda i: -curves[i].stop_day)  # shortest drawn last, on top
    sources = list(dict.fromkeys(sid for s in schedules for sid in s.attrs["source_ids"]))
    fig, artists = taper_canvas(sources, params, n_lines=len(names))
    set_taper_limits(artists, taper_limits(curves))
    update_taper_axes(artists, [curves[i] for i in order])
    parts = []
    for s in schedules:
        a = s.attrs
        days = a["duration_days"]
        parts.append(f"{rule_short_name(a['rule'])} stops on day {days}{about_duration(days)} after {a['steps']} steps")
    level = curves[0].step_means_ng_ml[0]
    alt = (f"Taper schedules from {start_mg_per_day:g} mg/day ({'tablets' if form == 'tablet' else 'ODTs'}) drawn "
           f"as steps: " + "; ".join(parts) + f". Below, the illustrative plasma level starts near {level:.1f} "
           f"ng/mL (daily mean on the starting dose) and after each step down glides to its new level over "
           f"several days; after the last dose it falls towards zero over about a week. {ILLUSTRATIVE} "
           f"{taper.NOTICE}")
    return StaticFigure(fig, alt)
