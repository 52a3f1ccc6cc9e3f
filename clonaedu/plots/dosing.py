"""Dose figures: the dose spectrum (notebook 01 panel) and the lay article's bands vs the label."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from .. import data
from ._style import COLORS, StaticFigure, add_footer, house_style, new_figure

__all__ = ["dose_spectrum", "update_dose_marker", "lay_bands_vs_label", "lay_bands_figure"]


_ZONE_COLORS = {"below": "#E8E8E8", "start": COLORS["sky"], "usual": COLORS["green"],
                "high": COLORS["yellow"], "over": COLORS["vermillion"]}


def dose_spectrum(ax: Axes, placement) -> dict:
    """Draw the label landmarks for ``placement``'s indication as a number line of mg/day.

    ``placement`` is a :class:`clonaedu.dosing.Placement`. Zones between landmarks are
    shaded and labelled directly; the chosen daily total is a marker with its value.
    Returns a dict of the artists, so a panel can move the marker in place with
    :func:`update_dose_marker`.
    """
    ax.clear()
    zones = placement.zones
    x_max = max(placement.axis_max_mg_per_day, placement.total_mg_per_day * 1.08)
    artists: dict = {"zones": [], "landmarks": []}
    band = (0.36, 0.74)
    with house_style():
        for zone in zones:
            hi = zone.high if zone.high is not None else x_max
            patch = ax.axvspan(zone.low, hi, ymin=band[0], ymax=band[1], color=_ZONE_COLORS[zone.tone],
                               alpha=0.35 if zone.tone != "over" else 0.25, lw=0,
                               hatch="//" if zone.tone == "over" else None)
            label = ax.text((zone.low + hi) / 2, sum(band) / 2, zone.label, ha="center", va="center",
                            fontsize=11.5, transform=ax.get_xaxis_transform())
            artists["zones"].append((patch, label))
        for i, (name, value) in enumerate(placement.landmark_lines):
            line = ax.axvline(value, ymin=band[0] - 0.04, ymax=band[1] + 0.04, color=COLORS["black"],
                              lw=1.5, ls="--")
            text = ax.text(value, band[1] + 0.06 + 0.12 * (i % 2), f"{name} {value:g}", ha="center",
                           va="bottom", fontsize=11, transform=ax.get_xaxis_transform())
            artists["landmarks"].append((line, text))
        (marker,) = ax.plot([placement.total_mg_per_day], [band[0] - 0.02], marker="^", ms=16,
                            color=COLORS["black"], transform=ax.get_xaxis_transform(),
                            clip_on=False, zorder=5, lw=0)
        callout = ax.text(placement.total_mg_per_day, band[0] - 0.12, "", ha="center", va="top",
                          fontsize=12.5, fontweight="bold", transform=ax.get_xaxis_transform(), zorder=6)
        ax.set_xlim(0, x_max)
        ax.set_ylim(0, 1)
        ax.set_yticks([])
        ax.grid(False)
        ax.spines["left"].set_visible(False)
        ax.set_xlabel("Total daily dose (mg/day)")
        title = ax.set_title(f"Where a daily dose falls: {placement.context_label}")
    artists.update(marker=marker, callout=callout, title=title)
    update_dose_marker(artists, placement)
    return artists


def update_dose_marker(artists: dict, placement) -> None:
    """Move the marker and its callout to ``placement`` (the zones and title stay as drawn)."""
    x = placement.total_mg_per_day
    artists["marker"].set_xdata([x])
    artists["marker"].set_color(COLORS["vermillion"] if placement.flagged else COLORS["black"])
    artists["callout"].set_x(x)
    artists["callout"].set_text(f"{x:g} mg/day")
    artists["callout"].set_color(COLORS["vermillion"] if placement.flagged else COLORS["black"])


def lay_bands_vs_label(ax: Axes) -> dict:
    """The lay article's dose 'bands' (top row) against the label's panic-disorder landmarks
    (bottom row) on one mg/day axis. Sources: lay_article (read critically), fda_klonopin_2023."""
    bands = data.table("lay_bands")
    lm = data.table("dose_landmarks").set_index(["indication", "population", "landmark"])
    start, target, maximum = (float(lm.loc[("panic_disorder", "adult", k), "low"])
                              for k in ("initial", "target", "maximum"))
    x_max = maximum * 1.4
    tones = {"low": COLORS["sky"], "moderate": COLORS["green"], "higher": COLORS["yellow"],
             "maximum": COLORS["vermillion"]}
    artists: dict = {"bands": [], "landmarks": []}
    with house_style():
        for row in bands.itertuples():
            high = x_max if pd.isna(row.high_mg_per_day) else row.high_mg_per_day
            patch = ax.barh(1, high - row.low_mg_per_day, left=row.low_mg_per_day, height=0.5,
                            color=tones[row.band], alpha=0.55, edgecolor="white",
                            hatch="//" if row.band == "maximum" else None)
            name = f'"{row.band}"' + (f"\n(above {row.low_mg_per_day:g})" if pd.isna(row.high_mg_per_day) else "")
            ax.text((row.low_mg_per_day + high) / 2, 1, name, ha="center", va="center", fontsize=11)
            artists["bands"].append(patch)
        for name, value in (("start", start), ("target", target), ("labelled maximum", maximum)):
            (line,) = ax.plot([value, value], [-0.25, 0.3], color=COLORS["black"], lw=2)
            ax.text(value, -0.35, f"{name}\n{value:g}", ha="center", va="top", fontsize=11)
            artists["landmarks"].append(line)
        ax.axvspan(maximum, x_max, ymin=0.0, ymax=0.45, color=COLORS["vermillion"], alpha=0.15, lw=0)
        ax.text((maximum + x_max) / 2, 0.1, "above the\nlabelled maximum", ha="center", va="center",
                fontsize=11, color="#8A3000")
        ax.set_yticks([0, 1], ["US label\n(panic disorder)", "lay article\n'bands'"])
        ax.set_ylim(-1.0, 1.5)
        ax.set_xlim(0, x_max)
        ax.grid(False, axis="y")
        ax.set_xlabel("Total daily dose (mg/day)")
        ax.set_title("The article's bands are not in the label")
    return artists



def lay_bands_figure() -> StaticFigure:
    """The lay article's bands against the label, ready to show in a notebook."""
    fig, ax = new_figure(9.0, 3.8)
    lay_bands_vs_label(ax)
    add_footer(fig, ["lay_article", "fda_klonopin_2023"])
    lm = data.table("dose_landmarks").set_index(["indication", "population", "landmark"])
    start, target, maximum = (float(lm.loc[("panic_disorder", "adult", k), "low"])
                              for k in ("initial", "target", "maximum"))
    top = data.table("lay_bands").set_index("band").loc["maximum", "low_mg_per_day"]
    return StaticFigure(fig, f"The lay article's dose bands (low, moderate, higher, and a 'maximum' band above "
                             f"{top:g} mg/day) drawn above the US label's panic-disorder landmarks: start "
                             f"{start:g}, target {target:g} and labelled maximum {maximum:g} mg/day. The article's "
                             f"top band lies entirely above the labelled maximum.")
