"""House style: palette, fonts, figure creation, sources footer, PNG encoding, static figures.

One style for the whole course: the Okabe-Ito colour-blind-safe palette, fonts readable on a
projector, units on every axis, direct labels instead of legends where possible, and a small
sources footer. Model figures also carry :data:`ILLUSTRATIVE`.

Two looks of this one style (:data:`LOOKS`), chosen by the display mode kept in
:mod:`clonaedu.present` (``clonaedu.present()`` / ``clonaedu.present(False)``):

* ``house``: the everyday style (:data:`_STYLE`), for a laptop screen;
* ``projector``: the same style with :data:`_PROJECTOR` laid over it (heavier axes and ticks,
  a darker grid, a black sources footer), every drawn line, marker and edge
  :data:`PROJECTOR_LINE_SCALE` times heavier (:func:`apply_look`), the figure drawn at
  :data:`PROJECTOR_DPI` so it stays sharp when a panel shows it up to 1280 px wide instead of
  960, and bigger, high-contrast controls and message text (:data:`PROJECTOR_CSS`, scoped to
  the panel).

The type inside figures keeps its size *relative to the figure*: the house style already sets
it for projection, and the figures place direct labels by hand, so larger type in the same
figure collides (tried: at 1.1 times, labels overlap in the panels of notebooks 02 and 04).
Instead the whole figure is shown larger, which enlarges the type on screen by a third
without moving anything.

:func:`house_style` and :func:`new_figure` read the mode at each call; a figure keeps the look
it was made in.
"""

from __future__ import annotations

import base64
import contextlib
import html
import struct
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.figure import Figure
import numpy as np

from .. import data
from ..present import mode as current_mode

__all__ = [
    "COLORS", "ILLUSTRATIVE", "SCHEMATIC", "house_style", "new_figure", "add_footer", "png_bytes",
    "StaticFigure", "LOOKS", "Look", "look", "fit_to_mode", "apply_look",
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


#: What the projector look changes in :data:`_STYLE` (matplotlib settings): heavier axes and
#: ticks and a darker grid (text, ticks and axes are already black in the house style).
_PROJECTOR = {
    "axes.linewidth": 1.8,
    "xtick.major.width": 1.8,
    "ytick.major.width": 1.8,
    "xtick.major.size": 6,
    "ytick.major.size": 6,
    "grid.color": "#707070",
    "grid.alpha": 0.45,
}

#: Projector look: lines, markers and edges drawn in the figure are this many times heavier.
PROJECTOR_LINE_SCALE = 1.35
#: Projector look: pixels per inch, so a 9- to 11-inch figure is 1125 to 1375 px wide.
PROJECTOR_DPI = 125

#: Bigger, high-contrast controls and message text for panels built in the projector look.
#: Scoped to ``.clonaedu-panel.clonaedu-projector``, so nothing else on the page changes; each
#: such panel carries this block itself (JupyterLab, Voila and Binder alike; no network fetch).
#: The ``--jp-widgets-*`` variables are the ones ipywidgets 8 sizes its controls with.
PROJECTOR_CSS = """
.clonaedu-panel.clonaedu-projector {
  --jp-widgets-font-size: 20px;
  --jp-widgets-inline-height: 40px;
  --jp-widgets-inline-label-width: 200px;
  --jp-widgets-inline-width: 460px;
  --jp-widgets-inline-width-short: 230px;
  --jp-widgets-inline-width-tiny: 90px;
  --jp-widgets-input-padding: 6px;
  --jp-widgets-slider-handle-size: 26px;
  --jp-widgets-slider-track-thickness: 8px;
  --jp-widgets-radio-item-height: 36px;
  --jp-widgets-color: #000000;
  --jp-widgets-label-color: #000000;
  --jp-widgets-readout-color: #000000;
  --jp-widgets-input-color: #000000;
  --jp-widgets-input-border-color: #000000;
  --jp-widgets-input-border-width: 2px;
  --jp-widgets-slider-handle-border-color: #000000;
  color: #000000;
}
.clonaedu-panel.clonaedu-projector .widget-label,
.clonaedu-panel.clonaedu-projector .widget-readout,
.clonaedu-panel.clonaedu-projector .widget-dropdown select,
.clonaedu-panel.clonaedu-projector .widget-text input,
.clonaedu-panel.clonaedu-projector .widget-toggle-button,
.clonaedu-panel.clonaedu-projector .widget-button,
.clonaedu-panel.clonaedu-projector .widget-checkbox label {
  font-size: 20px;
}
.clonaedu-panel.clonaedu-projector .widget-html-content {
  font-size: 20px;
  line-height: 1.45;
  color: #000000;
}
.clonaedu-panel.clonaedu-projector .noUi-target {
  background: #B0B0B0;
  border: 1px solid #000000;
}
.clonaedu-panel.clonaedu-projector .noUi-handle {
  border: 2px solid #000000;
}
""".strip()


@dataclass(frozen=True)
class Look:
    """Everything that differs between the display modes (see the module docstring)."""

    name: str
    #: matplotlib settings used while figures and artists are created
    rc: dict = field(repr=False)
    #: widths of drawn lines, markers and edges, relative to the house look
    line_scale: float = 1.0
    #: pixels per inch of the figure
    dpi: float = 100
    #: widest a panel shows its figure (CSS)
    image_max_width: str = "960px"
    #: control widths given in pixels are multiplied by this
    control_scale: float = 1.0
    #: style block each panel built in this look carries ("" for none)
    css: str = field(default="", repr=False)
    #: colour of the sources footer
    footer_color: str = "#333333"


#: The two looks of the house style, by display mode (see :mod:`clonaedu.present`).
LOOKS = {
    "house": Look("house", dict(_STYLE)),
    "projector": Look("projector", {**_STYLE, **_PROJECTOR, "figure.dpi": PROJECTOR_DPI,
                                    "savefig.dpi": PROJECTOR_DPI},
                      line_scale=PROJECTOR_LINE_SCALE, dpi=PROJECTOR_DPI, image_max_width="1280px",
                      control_scale=1.35, css=PROJECTOR_CSS, footer_color="#000000"),
}


def look(name: str | None = None) -> Look:
    """The :class:`Look` of display mode ``name`` (default: the current mode)."""
    name = current_mode() if name is None else name
    try:
        return LOOKS[name]
    except KeyError:
        raise ValueError(f"look(name): unknown display mode {name!r}; choose from {sorted(LOOKS)}") from None


@contextlib.contextmanager
def house_style() -> Iterator[None]:
    """Apply the course style, in the current display mode's look, while figures and artists
    are created."""
    with matplotlib.rc_context(look().rc):
        yield


class _Recorder:
    """Stands in for a RendererAgg's C++ renderer while one text is drawn: keeps a copy of
    every glyph bitmap and where it went, and passes everything through."""

    def __init__(self, real):
        self._real, self.calls = real, []

    def draw_text_image(self, image, x, y, angle, gc):
        self.calls.append((np.array(image, copy=True), x, y, angle))
        self._real.draw_text_image(image, x, y, angle, gc)

    def __getattr__(self, name):
        return getattr(self._real, name)


class GlyphCachingRenderer(RendererAgg):
    """A RendererAgg that remembers the glyph bitmaps of each text it draws.

    Matplotlib 3.11 lays out and rasterises text glyph by glyph in Python (a tick label costs
    about 0.3 ms, a long footer several ms), and a panel's full redraw draws dozens of texts
    that did not change. The first time a text is drawn at a given spot (its string, font,
    size, angle, antialiasing, dpi, canvas size, hinting and *exact* position), the bitmaps
    FreeType renders are kept; a later draw of the same text at the same spot hands the same
    bitmaps to the same C++ call at the same pixels. The result is byte for byte what an
    uncached draw gives, whatever was drawn before (the key holds everything the bitmaps
    depend on; the colour comes from the graphics context at each draw).
    """

    #: texts remembered per process (a few kB each)
    KEPT = 3000
    #: False draws every text afresh (benchmarks/panel_update.py times the naive way so)
    enabled = True
    _cache: dict = {}

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath or not self.enabled:
            return super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        features = language = None
        if mtext is not None:
            features, language = mtext.get_fontfeatures(), mtext.get_language()
            features = tuple(features) if features is not None else None
            language = language if isinstance(language, (str, type(None))) else repr(language)
        font = (tuple(prop.get_family()), prop.get_slant(), prop.get_variant(), prop.get_weight(),
                prop.get_stretch(), prop.get_file(), prop.get_math_fontfamily())
        key = (s, font, prop.get_size_in_points(), angle, bool(gc.get_antialiased()), self.dpi,
               self.width, self.height, float(x), float(y), features, language, get_hinting_flag(),
               matplotlib.rcParams["text.hinting_factor"])
        calls = self._cache.get(key)
        if calls is None:
            real = self._renderer
            recorder = self._renderer = _Recorder(real)
            try:
                super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
            finally:
                self._renderer = real
            if len(self._cache) >= self.KEPT:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = recorder.calls
            return None
        for image, ix, iy, a in calls:
            self._renderer.draw_text_image(image, ix, iy, a, gc)
        return None


class GlyphCachingCanvas(FigureCanvasAgg):
    """The Agg canvas of the course's figures: draws with :class:`GlyphCachingRenderer`."""

    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = GlyphCachingRenderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer


def fit_to_mode(fig: Figure) -> Figure:
    """Tie ``fig`` to the current display mode's look, once (its dpi; the look that
    :func:`apply_look` gives its artists before each full draw). A figure already tied keeps
    its look. Returns ``fig``. Its Agg canvas becomes a :class:`GlyphCachingCanvas` (the same
    pixels, drawn faster)."""
    if type(fig.canvas) is FigureCanvasAgg:
        GlyphCachingCanvas(fig)
    if getattr(fig, "_clonaedu_look", None) is None:
        chosen = look()
        fig._clonaedu_look = chosen.name
        if fig.dpi != chosen.dpi:
            fig.set_dpi(chosen.dpi)
    return fig


def apply_look(fig: Figure) -> Figure:
    """Give the artists of ``fig`` the widths of its look (see :func:`fit_to_mode`): in the
    projector look every line, marker, collection and patch edge drawn in the axes (and
    annotation arrows) gets ``line_scale`` times its width. Each artist is scaled once, so it is
    cheap to call before every full draw and catches artists added by an update. Axis lines,
    ticks and grid come from the look's matplotlib settings instead. Returns ``fig``."""
    name = getattr(fig, "_clonaedu_look", "house")
    scale = LOOKS[name].line_scale
    if scale == 1.0:
        return fig
    for ax in fig.axes:
        for artist in [*ax.lines, *ax.collections, *ax.patches,
                       *(getattr(t, "arrow_patch", None) for t in ax.texts)]:
            if artist is None or getattr(artist, "_clonaedu_scaled", False):
                continue
            artist._clonaedu_scaled = True
            if hasattr(artist, "get_linewidths"):  # collections
                artist.set_linewidths([w * scale for w in artist.get_linewidths()])
            else:
                artist.set_linewidth(artist.get_linewidth() * scale)
            if hasattr(artist, "get_markersize"):
                artist.set_markersize(artist.get_markersize() * scale ** 0.5)
                artist.set_markeredgewidth(artist.get_markeredgewidth() * scale)
    return fig


def new_figure(width_in: float = 9.0, height_in: float = 4.6, **subplots) -> tuple[Figure, Axes]:
    """A figure in the house style, not registered with pyplot (so it never auto-displays).

    Returns ``(figure, axes)``; extra keyword arguments go to ``Figure.subplots``.
    """
    with house_style():
        fig = Figure(figsize=(width_in, height_in), layout="constrained")
        FigureCanvasAgg(fig)
        fit_to_mode(fig)
        ax = fig.subplots(**subplots)
    return fig, ax


def add_footer(fig: Figure, source_ids: Iterable[str], note: str | None = None) -> matplotlib.text.Text:
    """Small footer naming the sources (by id) and an optional note such as :data:`ILLUSTRATIVE`."""
    ids = list(dict.fromkeys(source_ids))
    for sid in ids:  # fail early on an unknown id
        data.cite(sid)
    fig.clonaedu_sources = ids  # read by clonaedu.pages to list the references a page shows
    text = "Sources: " + ", ".join(ids) + " (full references at the end of the notebook)"
    if note:
        text = note + "   " + text
    # Keep the footer clear of the axes: reserve about 0.3 inch at the bottom of the layout.
    bottom = 0.3 / fig.get_figheight()
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.set(rect=(0, bottom, 1, 1 - bottom))
    with house_style():
        return fig.text(0.005, 0.008, text, fontsize=9.5, color=look().footer_color, ha="left",
                        va="bottom", wrap=True)


def png_bytes(fig: Figure, *, draw: bool = True) -> bytes:
    """The figure as PNG bytes. ``draw=False`` encodes the canvas as it is (a panel that has
    just blitted its animated artists).

    Written out directly (RGB, no row filter, zlib level 1) because Pillow's PNG encoder spends
    about 25 ms per panel-sized frame on adaptive row filtering; this takes about 7 ms and the
    files stay small because figures are mostly flat colour. Deterministic: no timestamps.
    """
    canvas = fig.canvas
    if draw:
        apply_look(fig)
        canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    height, width, _ = rgba.shape
    rows = np.empty((height, width * 3 + 1), dtype=np.uint8)
    rows[:, 0] = 0  # filter type "none" for every scanline
    rows[:, 1:].reshape(height, width, 3)[...] = rgba[..., :3]  # one copy, no temporary
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"".join((b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", header),
                     _chunk(b"IDAT", zlib.compress(rows, 1)), _chunk(b"IEND", b"")))


def _chunk(tag: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + tag + payload + struct.pack(">I", zlib.crc32(tag + payload))


class StaticFigure:
    """A figure for a notebook cell: shows as an ``<img>`` with its alt text (HTML) and as PNG,
    and as its alt text wherever images cannot show (nbval's comparison, plain terminals).

    The HTML is what JupyterLab, Voila and nbconvert's handouts show (they prefer text/html to
    image/png), and the only way the alt text reaches a screen reader there: JupyterLab's image
    renderer and nbconvert's template ignore alt metadata on image/png (nbconvert then writes
    "No description has been provided for this image")."""

    def __init__(self, fig: Figure, alt: str):
        if not alt.strip():
            raise ValueError("every course figure needs alt text")
        self.figure, self.alt = fit_to_mode(fig), alt.strip()

    def _repr_png_(self) -> bytes:
        return png_bytes(self.figure)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        png = self._repr_png_()
        encoded = base64.b64encode(png).decode("ascii")
        # shown as wide as a panel of the same look (960 px, projector 1280 px): the figure's
        # type grows with the figure, as in the panels
        width = LOOKS[getattr(self.figure, "_clonaedu_look", "house")].image_max_width
        return {
            "text/html": (f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(self.alt, quote=True)}" '
                          f'style="width:100%; max-width:{width}; height:auto">'),
            "image/png": encoded,
            "text/plain": repr(self),
        }

    def __repr__(self) -> str:
        return f"[Figure: {self.alt}]"
