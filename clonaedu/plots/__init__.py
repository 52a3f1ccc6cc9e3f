"""Figures. Every function draws on a given Axes and returns its artists.

One house style for the whole course (``_style``): the Okabe-Ito colour-blind-safe palette,
fonts readable on a projector, units on every axis, direct labels rather than legends, a small
sources footer, and :data:`ILLUSTRATIVE` on every model figure. Figures for each topic live in
their own module (``dosing``, ...); the names below are the public surface.
"""

from ._style import (COLORS, ILLUSTRATIVE, SCHEMATIC, StaticFigure, add_footer, house_style,
                     new_figure, png_bytes)
from .compare import equivalence_figure, half_life_figure, onset_dependence_figure
from .doses import tradeoff_figure
from .dosing import dose_spectrum, lay_bands_figure, lay_bands_vs_label, update_dose_marker
from .safety import next_day_figure
from .taper import schedule_table, taper_figure

__all__ = [
    "COLORS", "ILLUSTRATIVE", "SCHEMATIC", "StaticFigure", "add_footer", "house_style", "new_figure",
    "png_bytes", "dose_spectrum", "lay_bands_figure", "lay_bands_vs_label", "update_dose_marker",
    "equivalence_figure", "half_life_figure", "onset_dependence_figure",
]
__all__ += ["tradeoff_figure"]
__all__ += ["taper_figure", "schedule_table"]
__all__ += ["next_day_figure"]
