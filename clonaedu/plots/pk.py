"""Figures of the illustrative pharmacokinetic model: plasma concentration over time.

Every figure here carries :data:`ILLUSTRATIVE` inside the axes and in the footer: the curves
show the typical shape described by published averages, never a prediction for a patient.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Polygon

from ._style import COLORS, ILLUSTRATIVE, house_style

__all__ = [
    "WINDOW_COLORS", "REGIMEN_COLORS", "concentration_axes", "illustrative_note", "window_spans",
    "direct_label", "move_label", "half_life_bracket", "update_half_life_bracket",
    "band_patch", "update_band", "pinned_line", "BAND_ALPHA",
]

#: opacity of a population band (light enough that the curves over it stay readable)
BAND_ALPHA = 0.16

#: effect windows (onset, duration) are orange; the plasma peak window is sky blue
WINDOW_COLORS = {"effect": COLORS["orange"], "plasma": COLORS["sky"]}
#: up to three regimens compared on one axis
REGIMEN_COLORS = (COLORS["blue"], COLORS["vermillion"], COLORS["green"])


def concentration_axes(ax: Axes, xlabel: str = "Time after the dose (h)") -> None:
    """Label an axis pair for plasma concentration (ng/mL) against time."""
    with house_style():
        ax.set_xlabel(xlabel)
        ax.set_ylabel("Plasma concentration (ng/mL)")


def illustrative_note(ax: Axes, text: str = ILLUSTRATIVE):
    """The illustrative-model notice inside the axes (top right), so a cropped figure keeps it."""
    with house_style():
        return ax.text(0.99, 0.98, text, transform=ax.transAxes, ha="right", va="top", fontsize=10,
                       style="italic", color="#444444", zorder=10,
                       bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 2})


def window_spans(ax: Axes, windows: pd.DataFrame, labels: dict[str, str]) -> list:
    """Shade sourced time windows (rows with window, kind, low_h, high_h) and label each one
    directly at the top of the axes. ``labels`` maps a window name to its label text."""
    artists = []
    with house_style():
        for i, row in enumerate(windows.itertuples()):
            color = WINDOW_COLORS[row.kind]
            span = ax.axvspan(row.low_h, row.high_h, color=color, alpha=0.22, lw=0, zorder=0)
            text = ax.text(row.low_h, 0.97 - 0.13 * (i % 2), " " + labels.get(row.window, row.window),
                           transform=ax.get_xaxis_transform(), ha="left", va="top", fontsize=10.5,
                           color="#222222", zorder=3)
            artists.append((span, text))
    return artists


def direct_label(ax: Axes, x: float, y: float, text: str, color: str):
    """A label written next to a curve (instead of a legend)."""
    with house_style():
        return ax.text(x, y, " " + text, color=color, fontsize=11.5, fontweight="bold", ha="left",
                       va="center", zorder=6, clip_on=False)


def move_label(label, x: float, y: float, text: str | None = None) -> None:
    """Move a direct label (and change its text)."""
    label.set_position((x, y))
    if text is not None:
        label.set_text(" " + text)


def half_life_bracket(ax: Axes) -> dict:
    """Artists for showing one terminal half-life on a curve: two points, an arrow, a caption.
    Place them with :func:`update_half_life_bracket`."""
    with house_style():
        (points,) = ax.plot([], [], "o", color=COLORS["black"], ms=7, zorder=7)
        arrow = ax.annotate("", xy=(0, 0), xytext=(0, 0),
                            arrowprops={"arrowstyle": "<->", "color": COLORS["black"], "lw": 1.5}, zorder=7)
        caption = ax.text(0, 0, "", ha="center", va="bottom", fontsize=11, zorder=7)
    return {"points": points, "arrow": arrow, "caption": caption}


def update_half_life_bracket(artists: dict, t_h: np.ndarray, conc: np.ndarray, start_h: float,
                             half_life_h: float) -> None:
    """Mark the concentration at ``start_h`` and one half-life later, where it has halved."""
    c0 = float(np.interp(start_h, t_h, conc))
    c1 = float(np.interp(start_h + half_life_h, t_h, conc))
    artists["points"].set_data([start_h, start_h + half_life_h], [c0, c1])
    y = max(c0, c1) * 1.18
    artists["arrow"].xy = (start_h + half_life_h, y)
    artists["arrow"].set_position((start_h, y))
    artists["caption"].set_position((start_h + half_life_h / 2, y * 1.04))
    artists["caption"].set_text(f"one half-life ({half_life_h:.0f} h): level halves")


def band_patch(ax: Axes, color: str) -> Polygon:
    """An empty shaded band (hidden until :func:`update_band` fills it), under the curves."""
    patch = Polygon(np.zeros((0, 2)), closed=True, facecolor=color, edgecolor="none", alpha=BAND_ALPHA,
                    zorder=1.5, visible=False)
    ax.add_patch(patch)
    return patch


def update_band(patch: Polygon, x: np.ndarray, low: np.ndarray | None, high: np.ndarray | None = None) -> None:
    """Fill ``patch`` between ``low`` and ``high`` over ``x`` (in place); ``low`` None hides it."""
    if low is None:
        patch.set_visible(False)
        return
    xy = np.empty((2 * len(x), 2))
    xy[: len(x), 0], xy[: len(x), 1] = x, high
    xy[len(x):, 0], xy[len(x):, 1] = x[::-1], low[::-1]
    patch.set_xy(xy)
    patch.set_visible(True)


def pinned_line(ax: Axes):
    """An empty faint reference line for a pinned curve (fill it with ``set_data``)."""
    with house_style():
        (line,) = ax.plot([], [], color="#555555", lw=1.8, ls="--", alpha=0.75, zorder=2)
    return line
