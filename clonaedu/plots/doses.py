"""Figures for comparing doses and for who needs less (notebooks 04 and 05).

- Steady-state curves of several daily totals side by side (illustrative model).
- A SCHEMATIC of benefit and adverse effects against the daily dose whose *shape* follows the
  fixed-dose trial (rosenbaum1997): benefit levels off from the lowest effective dose, adverse
  effects rise (the trial reported more somnolence and ataxia at its two highest doses). The
  smooth shape between the studied doses is drawn, not measured. Its vertical axes carry no numbers: nothing on them is data. The dose
  axis is real: the trial's doses and the labelled maximum come from ``data/``.
- A population's or medicine's preset drawn against the typical adult (illustrative).

Functions draw on given Axes and return their artists; ``*_figure()`` return a
:class:`StaticFigure` with alt text built from the data.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from .. import dosing, populations
from . import pk as pkplots
from ._style import COLORS, ILLUSTRATIVE, StaticFigure, add_footer, house_style

__all__ = [
    "DOSE_COLORS", "SS_WINDOW_H", "dose_figure_layout", "steady_state_axes", "dose_curves", "update_dose_curves",
    "schematic_shape", "tradeoff_schematic", "schematic_markers", "update_schematic_markers", "tradeoff_figure",
    "population_axes", "population_curves", "update_population_curves", "nice_limit",
]

#: One colour per compared dose, lowest dose first (Okabe-Ito; no yellow, it fades on white).
DOSE_COLORS = (COLORS["sky"], COLORS["blue"], COLORS["green"], COLORS["orange"], COLORS["vermillion"])
#: Steady-state curves are shown over two days.
SS_WINDOW_H = 48.0
#: Fixed y-axis tops (ng/mL): the axis only changes when the curves outgrow one.
_LIMITS = (5, 10, 15, 20, 30, 40, 60, 80, 100, 150, 200, 300)
_SCHEMATIC_TOP = 1.45
#: Height of the stem (schematic units) for a dose beyond the doses studied, which has no dot.
_UNSTUDIED_STEM = 0.3


def nice_limit(top: float, current: float | None = None) -> float:
    """An axis top (ng/mL) from a fixed ladder that leaves 10% headroom above ``top``.

    With ``current`` (the axis top now), keep it while the curves still fit and fill more
    than 40% of it: a panel then redraws its axes only when the curves outgrow the axis or
    shrink far into it, not on every change."""
    if current is not None and top * 1.1 <= current and top * 1.1 >= 0.4 * current:
        return float(current)
    for limit in _LIMITS:
        if top * 1.1 <= limit:
            return float(limit)
    return float(np.ceil(top * 1.1 / 100) * 100)


# -- layout ----------------------------------------------------------------------------------
def dose_figure_layout(width_in: float = 10.4, height_in: float = 4.8) -> tuple[Figure, dict]:
    """A figure with steady-state curves on the left and the two schematic axes (benefit on
    top, adverse effects below, sharing the dose axis) on the right. Returns (figure,
    {"curves": Axes, "benefit": Axes, "adverse": Axes})."""
    with house_style():
        fig = Figure(figsize=(width_in, height_in), layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplot_mosaic([["curves", "benefit"], ["curves", "adverse"]], width_ratios=[1.3, 1],
                                  gridspec_kw={"wspace": 0.06})
        axes["benefit"].sharex(axes["adverse"])
    return fig, axes


# -- steady-state curves ---------------------------------------------------------------------
def steady_state_axes(ax: Axes, doses_per_day: int) -> None:
    """Label an axis for two days at steady state, with a tick at every dose time."""
    with house_style():
        pkplots.concentration_axes(ax, "Hours after a dose, once at steady state (h)")
        ax.set_xlim(0, SS_WINDOW_H * 1.2)
        ax.set_xticks(np.arange(0, SS_WINDOW_H + 1, 24 / doses_per_day if doses_per_day > 1 else 12))
        ax.set_title("Steady state: levels over two days")


def dose_curves(ax: Axes, n: int = populations.MAX_DOSES) -> dict:
    """Empty lines and end-of-line labels for up to ``n`` doses, under a static "mg/day"
    heading for the label column (labels carry only the number: a panel redraws them on
    every change, and each glyph costs time). Fill with :func:`update_dose_curves`.
    Returns {"lines": [...], "labels": [...], "unit": Text}."""
    lines, labels = [], []
    with house_style():
        for color in DOSE_COLORS[:n]:
            (line,) = ax.plot([], [], color=color, lw=2.4)
            lines.append(line)
            labels.append(pkplots.direct_label(ax, 0, 0, "", color))
        unit = ax.text(SS_WINDOW_H, 1.01, " mg/day", transform=ax.get_xaxis_transform(), ha="left", va="bottom",
                       fontsize=11.5, fontweight="bold", color="#444444")
    return {"lines": lines, "labels": labels, "unit": unit}


def update_dose_curves(artists: dict, t_h: np.ndarray, curves: list[np.ndarray], doses: list[float],
                       above_maximum: list[bool], y_top: float) -> None:
    """Show one curve per dose (ascending, coloured by rank), labelled with its daily total
    (the "mg/day" heading is static); hide the unused lines. Doses above the labelled
    maximum are dashed and marked ⚠. Labels are spread at least 7% of the
    axis apart so none hides another."""
    placed: list[float] = []
    for i, (line, label) in enumerate(zip(artists["lines"], artists["labels"])):
        line.set_visible(i < len(doses))
        label.set_visible(i < len(doses))
        if i >= len(doses):
            continue
        line.set_data(t_h, curves[i])
        line.set_linestyle((0, (5, 2.5)) if above_maximum[i] else "-")
        y = float(curves[i][-1])
        if placed and y < placed[-1] + 0.07 * y_top:
            y = placed[-1] + 0.07 * y_top
        placed.append(y)
        text = f"{doses[i]:g}" + (" ⚠" if above_maximum[i] else "")
        pkplots.move_label(label, float(t_h[-1]), y, text)


# -- the schematic ---------------------------------------------------------------------------
def schematic_shape(x_mg_per_day) -> tuple[np.ndarray, np.ndarray]:
    """(benefit, adverse) on an arbitrary 0-to-1 scale at daily doses ``x`` (mg/day), NaN
    outside the doses the trial covered (placebo to its highest dose). SCHEMATIC: only the
    shape means anything. Benefit rises smoothly to a plateau at the lowest dose the trial
    found fully effective (:func:`populations.benefit_plateau_mg_per_day`) and stays flat;
    adverse effects rise steadily, steepest at the top doses."""
    x = np.asarray(x_mg_per_day, dtype=float)
    plateau_from, _ = populations.benefit_plateau_mg_per_day()
    top = populations.doses_studied()[-1]
    u = np.clip(x / plateau_from, 0, 1)
    benefit = 0.85 * (3 * u**2 - 2 * u**3)
    w = np.clip(x, 0, None) / top
    adverse = 0.08 * w + 0.77 * w**2  # above placebo at every dose, rising faster at the top
    outside = (x < 0) | (x > top + 1e-9)
    return np.where(outside, np.nan, benefit), np.where(outside, np.nan, adverse)


def _schematic_x_max() -> float:
    maximum = dosing.landmarks("panic_disorder", "adult").loc["maximum", "high"]
    return float(maximum) + 1.4


def tradeoff_schematic(ax_benefit: Axes, ax_adverse: Axes) -> dict:
    """Draw the SCHEMATIC benefit (top) and adverse-effect (bottom) curves against the daily
    dose, with the trial's doses as ticks, the label target (dotted line, tick label) and the
    zone above the labelled maximum (not studied). Vertical axes have no ticks or numbers.

    Returns {"benefit": Line2D, "adverse": Line2D, "title": Text (starts with SCHEMATIC),
    "notes": [Text], "zone": [Polygon], "x_max": float}."""
    studied = populations.doses_studied()
    plateau_from, _ = populations.benefit_plateau_mg_per_day()
    rise_from, rise_to = populations.adverse_rise_mg_per_day()
    lm = dosing.landmarks("panic_disorder", "adult")
    target, maximum = float(lm.loc["target", "low"]), float(lm.loc["maximum", "high"])
    x_max = _schematic_x_max()
    x = np.linspace(0, studied[-1], 400)
    benefit, adverse = schematic_shape(x)
    out: dict = {"notes": [], "zone": [], "x_max": x_max}
    with house_style():
        for ax, y, name in ((ax_benefit, benefit, "benefit"), (ax_adverse, adverse, "adverse")):
            (out[name],) = ax.plot(x, y, color="#333333", lw=3, zorder=4)
            ax.set_xlim(0, x_max)
            ax.set_ylim(0, _SCHEMATIC_TOP)
            ax.yaxis.set_major_locator(NullLocator())
            ax.yaxis.set_minor_locator(NullLocator())
            ax.grid(False)
            out["zone"].append(ax.axvspan(maximum, x_max, color=COLORS["vermillion"], alpha=0.10, lw=0, zorder=0))
            ax.axvline(target, color="#555555", lw=1.2, ls=":", zorder=1)
        ax_benefit.set_ylabel("Benefit\n(no scale)")
        ax_adverse.set_ylabel("Adverse effects\n(no scale)")
        ax_adverse.set_xlabel("Daily dose (mg/day; 0 = placebo)")
        ax_adverse.set_xticks([0, *studied], ["0", *(f"{d:g}\ntarget" if d == target else f"{d:g}" for d in studied)])
        ax_benefit.tick_params(labelbottom=False)
        out["title"] = ax_benefit.set_title("SCHEMATIC: the dose tradeoff", pad=8)
        n = ax_benefit.text(plateau_from + 0.12, 0.85 + 0.05, f"levels off from {plateau_from:g} mg/day:\n"
                            "higher doses no more effective", fontsize=10.5, va="bottom", ha="left")
        a = ax_adverse.text(0.12, _SCHEMATIC_TOP - 0.05, f"rises: more somnolence and\nataxia reported at "
                            f"{rise_from:g} and {rise_to:g} mg/day", fontsize=10.5, va="top", ha="left")
        z = ax_adverse.text((maximum + x_max) / 2, _UNSTUDIED_STEM + 0.12, "above\nlabelled\nmaximum:\nnot studied",
                            fontsize=9.5, ha="center", va="bottom", color="#8A3B00")
        note = ax_benefit.text(0.99, 0.985, "SCHEMATIC: shape only, no data on the vertical axes",
                               transform=ax_benefit.transAxes, ha="right", va="top", fontsize=9.5,
                               style="italic", color="#444444",
                               bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 2})
        out["notes"] = [n, a, z, note]
    return out


def schematic_markers(ax_benefit: Axes, ax_adverse: Axes) -> dict:
    """Markers for the compared doses: on each schematic axis, stems from the dose axis up to
    the curve (a LineCollection) and dots on the curve (a scatter). Place them with
    :func:`update_schematic_markers`. Returns {"benefit_stems", "benefit_dots",
    "adverse_stems", "adverse_dots"}."""
    out = {}
    with house_style():
        for key, ax in (("benefit", ax_benefit), ("adverse", ax_adverse)):
            out[f"{key}_stems"] = ax.vlines([], [], [], lw=2.4, zorder=3)
            out[f"{key}_dots"] = ax.scatter([], [], s=100, edgecolors="white", linewidths=1.5, zorder=6)
    return out


def update_schematic_markers(markers: dict, doses: list[float]) -> None:
    """Move the markers to ``doses`` (ascending; colours by rank, as :data:`DOSE_COLORS`). A
    dose beyond the trial's range gets a short dashed stem but no dot: the schematic does
    not extend past what was studied."""
    x = np.asarray(doses, dtype=float)
    colors = list(DOSE_COLORS[: len(x)])
    curves = schematic_shape(x)
    for key, values in zip(("benefit", "adverse"), curves):
        studied = ~np.isnan(values)
        tops = np.where(studied, values, _UNSTUDIED_STEM)
        stems = markers[f"{key}_stems"]
        stems.set_segments([[(d, 0.0), (d, y)] for d, y in zip(x, tops)])
        stems.set_colors(colors)
        stems.set_linestyles(["solid" if ok else (0, (3, 2)) for ok in studied])
        dots = markers[f"{key}_dots"]
        dots.set_offsets(np.column_stack([x[studied], values[studied]]) if studied.any() else np.empty((0, 2)))
        dots.set_facecolors([c for c, ok in zip(colors, studied) if ok])


def tradeoff_figure() -> StaticFigure:
    """The schematic on its own (notebook 04), with the trial's doses and the label target."""
    with house_style():
        fig = Figure(figsize=(10.0, 5.6), layout="constrained")
        FigureCanvasAgg(fig)
        ax_b, ax_a = fig.subplots(2, 1, sharex=True)
    artists = tradeoff_schematic(ax_b, ax_a)
    add_footer(fig, ["rosenbaum1997", "fda_klonopin_2023"], note="SCHEMATIC: shape only.")
    studied = populations.doses_studied()
    plateau_from, _ = populations.benefit_plateau_mg_per_day()
    rise_from, rise_to = populations.adverse_rise_mg_per_day()
    alt = (f"{artists['title'].get_text()}. Two stacked curves against daily dose from placebo to "
           f"{studied[-1]:g} mg/day, with no numbers on the vertical axes. Top: benefit rises and levels off "
           f"from {plateau_from:g} mg/day. Bottom: adverse effects rise; the trial reported more somnolence and ataxia at "
           f"{rise_from:g} and {rise_to:g} mg/day. The shape between the studied doses is drawn, not measured. The trial studied {', '.join(f'{d:g}' for d in studied)} mg/day; the zone above "
           f"the labelled maximum is shaded and was not studied.")
    return StaticFigure(fig, alt)


# -- who needs less --------------------------------------------------------------------------
def population_axes(ax: Axes) -> None:
    """Label an axis for concentration against days since the first dose."""
    with house_style():
        pkplots.concentration_axes(ax, "Days since the first dose")
        ax.set_title("Same regimen: typical adult vs the chosen group")


def population_curves(ax: Axes) -> dict:
    """Artists for the typical adult's curve and the chosen preset's curve, their direct
    labels, and a caption shown when no curve changes. Fill with
    :func:`update_population_curves`."""
    with house_style():
        (typical,) = ax.plot([], [], color=COLORS["black"], lw=2.2, zorder=4)
        (other,) = ax.plot([], [], color=COLORS["vermillion"], lw=2.6, zorder=5)
        typical_label = pkplots.direct_label(ax, 0, 0, "typical adult", COLORS["black"])
        other_label = pkplots.direct_label(ax, 0, 0, "", COLORS["vermillion"])
        caption = ax.text(0.97, 0.06, "", transform=ax.transAxes, ha="right", va="bottom", fontsize=11.5,
                          multialignment="left",
                          zorder=8, bbox={"facecolor": "#FFF6E5", "edgecolor": COLORS["orange"], "pad": 6})
        note = pkplots.illustrative_note(
            ax, ILLUSTRATIVE + "\nA preset changes clearance only; the size is illustrative.")
        note.set_position((0.01, 0.98))  # top left: the curves start low, so it never hides them
        note.set_horizontalalignment("left")
    return {"typical": typical, "other": other, "typical_label": typical_label, "other_label": other_label,
            "caption": caption, "note": note}


def update_population_curves(artists: dict, x_days: np.ndarray, typical: np.ndarray, other: np.ndarray | None,
                             other_text: str, caption: str, y_top: float) -> None:
    """Draw the typical adult and (if not None) the preset's curve; higher levels in
    vermillion, lower in blue. ``caption`` (shown only when non-empty) explains why no curve
    changes."""
    artists["typical"].set_data(x_days, typical)
    y_t = float(typical[-1])
    if other is None:
        artists["other"].set_data([], [])
        artists["other_label"].set_text("")
        pkplots.move_label(artists["typical_label"], float(x_days[-1]), y_t, "typical adult")
    else:
        color = COLORS["vermillion"] if other[-1] >= typical[-1] else COLORS["blue"]
        artists["other"].set_data(x_days, other)
        artists["other"].set_color(color)
        artists["other_label"].set_color(color)
        y_o = float(other[-1])
        gap = 0.08 * y_top
        if abs(y_o - y_t) < gap:  # keep the labels apart
            mid = (y_o + y_t) / 2
            y_o, y_t = (mid + gap / 2, mid - gap / 2) if y_o >= y_t else (mid - gap / 2, mid + gap / 2)
        pkplots.move_label(artists["typical_label"], float(x_days[-1]), y_t, "typical adult")
        pkplots.move_label(artists["other_label"], float(x_days[-1]), y_o, other_text)
    artists["caption"].set_text(caption)
    artists["caption"].set_visible(bool(caption))
