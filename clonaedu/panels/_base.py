"""The one recipe every panel follows.

Build the figure once; on a control change recompute the model, update the existing artists
in place, and render the figure to PNG bytes shown in an ``ipywidgets.Image``. Artists that
move on every change are *animated*: they are left out of a cached background and drawn over
it (blitting), so a slider drag redraws only what changed.

Why an Image widget rather than ``interactive_output`` or an interactive matplotlib backend:
it needs no server extension, works the same in JupyterLab, Voila and Binder, replays under
nbval, and lets the panel put a PNG of its initial state into the saved notebook, so the
course reads on GitHub and nbviewer without a kernel.

Display mode (``clonaedu.present()``): a panel reads the mode once, when it is built. In the
projector look its figure is drawn sharper with heavier lines (``plots._style.apply_look``)
and shown up to 1280 px wide instead of 960, control widths given in pixels grow, and the
panel carries the projector CSS (bigger type, controls and message, scoped to this panel).
Panels already on screen keep the look they were built in: re-run their cells after switching.
"""

from __future__ import annotations

import base64
import html
import re

import ipywidgets as widgets
from matplotlib.figure import Figure

from ..plots import png_bytes
from ..plots._style import apply_look, fit_to_mode, look


class FigurePanel(widgets.VBox):
    """Base class: a row of controls, a figure rendered as an image, and a message.

    Subclasses build their figure and controls, call ``super().__init__``, then
    :meth:`render`. ``controls`` are reachable as attributes of the subclass so a test can
    set a value and check what changed. ``renders`` counts renders (tests use it).
    """

    #: one line shown in place of the panel wherever widgets cannot run (nbval, GitHub)
    title = "Interactive panel"

    def __init__(self, figure: Figure, controls: list[widgets.Widget], *,
                 below: list[widgets.Widget] = (), animated=()):
        chosen = look()
        #: the display mode this panel was built in ("house" or "projector")
        self.mode = chosen.name
        self.figure = fit_to_mode(figure)
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="100%", max_width=chosen.image_max_width))
        self.message = widgets.HTML(layout=widgets.Layout(max_width=chosen.image_max_width))
        self._background = None
        self.renders = 0
        self.set_animated_artists(animated)
        if chosen.control_scale != 1.0:
            for widget in [*controls, *below]:
                _scale_widths(widget, chosen.control_scale)
        for control in controls:
            control.layout.margin = "2px 16px 2px 0"
        box = widgets.HBox(controls, layout=widgets.Layout(flex_flow="row wrap"))
        extra = [widgets.HTML(f"<style>{chosen.css}</style>", layout=widgets.Layout(display="none"))] if chosen.css else []
        super().__init__(children=[box, self.image, self.message, *below, *extra])
        self.add_class("clonaedu-panel")
        if chosen.name != "house":
            self.add_class(f"clonaedu-{chosen.name}")

    def set_animated_artists(self, artists) -> None:
        """The artists redrawn on every blitted update (after a panel redraws its axes, the
        new artists replace the old ones here)."""
        self._animated = list(artists)
        for artist in self._animated:
            artist.set_animated(True)

    # -- rendering --------------------------------------------------------------------
    def render(self, *, full: bool = True) -> None:
        """Draw and show the figure. ``full=False`` redraws only the animated artists over
        the cached background (valid while nothing else in the figure changed)."""
        canvas = self.figure.canvas
        if full or self._background is None:
            apply_look(self.figure)  # projector look: heavier lines, including new artists
            canvas.draw()  # animated artists are skipped here ...
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        else:
            canvas.restore_region(self._background)
        for artist in self._animated:  # ... and drawn on top
            self.figure.draw_artist(artist)
        self.image.value = png_bytes(self.figure, draw=False)
        self.renders += 1

    def set_message(self, text: str, *, warning: bool = False) -> None:
        """Show plain text under the figure (escaped; warnings in bold, in the alert colour)."""
        body = html.escape(text)
        if warning:
            body = f'<b style="color:#B24000">{body}</b>'
        self.message.value = f'<div style="font-size:1.05em; line-height:1.4">{body}</div>'

    @property
    def png(self) -> bytes:
        """The figure as currently shown (PNG bytes)."""
        return bytes(self.image.value)

    @property
    def message_text(self) -> str:
        """The message without markup (what a student reads under the figure)."""
        return html.unescape(re.sub(r"<[^>]+>", "", self.message.value))

    # -- static rendering -------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = f"[{self.title}: run the notebook to use it] {self.message_text}".strip()
        if self.image.value:
            bundle["image/png"] = base64.b64encode(bytes(self.image.value)).decode("ascii")
        return bundle


_WIDTHS = ("width", "min_width", "max_width")


def _scaled(value, factor: float):
    """``"420px"`` times ``factor`` (other units and None unchanged)."""
    if isinstance(value, str) and value.endswith("px"):
        try:
            return f"{round(float(value[:-2]) * factor)}px"
        except ValueError:
            return value
    return value


def _scale_widths(widget: widgets.Widget, factor: float) -> None:
    """Widen a control (and the controls inside a box) whose widths are given in pixels, so
    larger type still fits. The layout is replaced by a scaled copy, never changed in place:
    panels share Layout objects between controls and between instances."""
    layout = widget.layout
    changes = {name: _scaled(getattr(layout, name), factor) for name in _WIDTHS}
    if any(changes[name] != getattr(layout, name) for name in _WIDTHS):
        state = {name: getattr(layout, name) for name in layout.keys
                 if not name.startswith("_") and getattr(layout, name) is not None}
        widget.layout = widgets.Layout(**{**state, **changes})
    style = getattr(widget, "style", None)
    for name in ("description_width", "button_width"):
        if style is not None and style.has_trait(name):
            value = getattr(style, name)
            if _scaled(value, factor) != value:
                setattr(style, name, _scaled(value, factor))
    for child in getattr(widget, "children", ()):
        _scale_widths(child, factor)
