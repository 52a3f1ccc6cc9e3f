"""Figures for notebook 08 (safety, monitoring and counselling)."""

from __future__ import annotations

import numpy as np

from .. import pk, regimens
from ._style import COLORS, ILLUSTRATIVE, StaticFigure, add_footer, house_style, new_figure
from .pk import concentration_axes, direct_label, illustrative_note

__all__ = ["next_day_figure", "MORNING_H"]

#: the clock time the figure reads each morning (08:00)
MORNING_H = 8.0
_PRESETS = (("typical_adult", "typical adult", COLORS["blue"]),
            ("older_adult", "older-adult preset (assumed lower clearance)", COLORS["vermillion"]))


def next_day_figure(days: int = 7, regimen_id: str = "bedtime_1mg") -> StaticFigure:
    """The illustrative level through ``days`` days of a nightly dose (default 1 mg at 22:00),
    for the typical-adult and older-adult presets, with the level at 08:00 each morning marked.

    Teaching point (label): drowsiness and poor coordination are frequent and nightly doses
    build up, so a bedtime dose can still affect the next morning. The curve is the course's
    illustrative model (clonaedu_model), never a prediction for a patient, and it shows levels,
    not effects.
    """
    if isinstance(days, bool) or not isinstance(days, int) or not 2 <= days <= 21:
        raise ValueError(f"days must be a whole number from 2 to 21, got {days!r}")
    regimen = regimens.example(regimen_id, days=days)
    end_h = days * 24 + 12  # to noon after the last night's dose
    t_h = np.linspace(0, end_h, int(end_h) * 6 + 1)
    mornings_h = np.arange(1, days + 1) * 24 + MORNING_H  # 08:00 after each night
    fig, ax = new_figure(9.5, 5.0)
    summary = []
    ends = []
    with house_style():
        for preset, label, color in _PRESETS:
            params = pk.Params.preset(preset)
            conc = pk.concentration(regimen, t_h, params)
            morning = pk.concentration(regimen, mornings_h, params)
            ax.plot(t_h / 24, conc, color=color, lw=2.4)
            ax.plot(mornings_h / 24, morning, "o", color=color, ms=7, mec="white", mew=1.2, zorder=5)
            ends.append((conc[-1], label, color))
            summary.append((label, morning[0], morning[-1]))
        top = max(c for c, _, _ in ends)
        for rank, (value, label, color) in enumerate(sorted(ends)):  # keep the two labels apart
            direct_label(ax, t_h[-1] / 24, value + 0.06 * top * (rank * 2 - 1), label.replace(" (", "\n("), color)
        concentration_axes(ax, xlabel="Days (first dose at 22:00 on day 0); dots mark 08:00 each morning")
        ax.set_xlim(0, t_h[-1] / 24 * 1.36)
        ax.set_ylim(0, ax.get_ylim()[1] * 1.2)
        ax.set_title("Nightly doses build up: the level at 08:00 rises morning after morning")
        illustrative_note(ax, ILLUSTRATIVE + " Levels, not effects.")
    add_footer(fig, ["clonaedu_model", "fda_klonopin_2023"],
               note="Model: label half-life 30 to 40 h; the older-adult preset's lower clearance is an assumption for teaching.")
    parts = [f"{label}: {first:.1f} ng/mL at 08:00 after the first dose and {last:.1f} ng/mL after {len(mornings_h)} nights"
             for label, first, last in summary]
    name = regimens.examples().loc[regimen_id, "label"]
    alt = (f"Illustrative model curves of plasma concentration over {days} days of clonazepam "
           f"({name}), with a dot at 08:00 each morning. The morning level "
           "rises each day instead of returning near zero: " + "; ".join(parts) + ". "
           + ILLUSTRATIVE + " It shows levels, not effects.")
    return StaticFigure(fig, alt)
