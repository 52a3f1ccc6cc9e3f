"""House style: palette, fonts, figure creation, sources footer, PNG encoding, static figures.

One style for the whole course: the Okabe-Ito colour-blind-safe palette, fonts readable on a
projector, units on every axis, direct labels instead of legends where possible, and a small
sources footer. Model figures also carry :data:`ILLUSTRATIVE`.
"""

from __future__ import annotations

import contextlib
import struct
import zlib
from collections.abc import Iterable, Iterator

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
import numpy as np

from .. import data

__all__ = [
    "COLORS", "ILLUSTRATIVE", "SCHEMATIC", "house_style", "new_figure", "add_footer", "png_bytes",
    "StaticFigure",
]

#: Okabe & Ito (2008) colour-blind-safe palette.
COLORS = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#7F7F7F",
}

ILLUSTRATIVE = "Illustrative model, not a prediction for any patient."
SCHEMATIC = "Schematic only: the shape is qualitative, there are no data on this axis."

_STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 13,
    "axes.titlesize": 15,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 14,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "legend.frameon": False,
    "lines.linewidth": 2.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": matplotlib.cycler(
        color=[COLORS[c] for c in ("blue", "orange", "green", "vermillion", "purple", "sky", "black")]
    ),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.facecolor": "white",
    "svg.hashsalt": "clonaedu",  # deterministic SVG ids
}


@contextlib.contextmanager
def house_style() -> Iterator[None]:
    """Apply the course style while figures and artists are created."""
    with matplotlib.rc_context(_STYLE):
        yield


def new_figure(width_in: float = 9.0, height_in: float = 4.6, **subplots) -> tuple[Figure, Axes]:
    """A figure in the house style, not registered with pyplot (so it never auto-displays).

    Returns ``(figure, axes)``; extra keyword arguments go to ``Figure.subplots``.
    """
    with house_style():
        fig = Figure(figsize=(width_in, height_in), layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.subplots(**subplots)
    return fig, ax


def add_footer(fig: Figure, source_ids: Iterable[str], note: str | None = None) -> matplotlib.text.Text:
    """Small footer naming the sources (by id) and an optional note such as :data:`ILLUSTRATIVE`."""
    ids = list(dict.fromkeys(source_ids))
    for sid in ids:  # fail early on an unknown id
        data.cite(sid)
    text = "Sources: " + ", ".join(ids) + " (full references at the end of the notebook)"
    if note:
        text = note + "   " + text
    # Keep the footer clear of the axes: reserve about 0.3 inch at the bottom of the layout.
    bottom = 0.3 / fig.get_figheight()
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.set(rect=(0, bottom, 1, 1 - bottom))
    with house_style():
        return fig.text(0.005, 0.008, text, fontsize=9.5, color="#333333", ha="left", va="bottom",
                        wrap=True)


def png_bytes(fig: Figure, *, draw: bool = True) -> bytes:
    """The figure as PNG bytes. ``draw=False`` encodes the canvas as it is (a panel that has
    just blitted its animated artists).

    Written out directly (RGB, no row filter, zlib level 1) because Pillow's PNG encoder spends
    about 25 ms per panel-sized frame on adaptive row filtering; this takes about 7 ms and the
    files stay small because figures are mostly flat colour. Deterministic: no timestamps.
    """
    canvas = fig.canvas
    if draw:
        canvas.draw()
    rgb = np.asarray(canvas.buffer_rgba())[..., :3]
    height, width, _ = rgb.shape
    rows = np.empty((height, width * 3 + 1), dtype=np.uint8)
    rows[:, 0] = 0  # filter type "none" for every scanline
    rows[:, 1:] = rgb.reshape(height, -1)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"".join((b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", header),
                     _chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)), _chunk(b"IEND", b"")))


def _chunk(tag: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + tag + payload + struct.pack(">I", zlib.crc32(tag + payload))


class StaticFigure:
    """A figure for a notebook cell: shows as PNG, and as its alt text wherever images cannot
    show (screen readers of the text output, nbval's comparison, plain terminals)."""

    def __init__(self, fig: Figure, alt: str):
        if not alt.strip():
            raise ValueError("every course figure needs alt text")
        self.figure, self.alt = fig, alt.strip()

    def _repr_png_(self) -> bytes:
        return png_bytes(self.figure)

    def __repr__(self) -> str:
        return f"[Figure: {self.alt}]"
