"""The one recipe every panel follows.

Build the figure once; on a control change recompute the model, update the existing artists
in place, and render the figure to PNG bytes shown in an ``ipywidgets.Image``. Artists that
move on every change are *animated*: they are left out of a cached background and drawn over
it (blitting), so a slider drag redraws only what changed.

Why an Image widget rather than ``interactive_output`` or an interactive matplotlib backend:
it needs no server extension, works the same in JupyterLab, Voila and Binder, replays under
nbval, and lets the panel put a PNG of its initial state into the saved notebook, so the
course reads on GitHub and nbviewer without a kernel.
"""

from __future__ import annotations

import base64
import html
import re

import ipywidgets as widgets
from matplotlib.figure import Figure

from ..plots import png_bytes


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
        self.figure = figure
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="100%", max_width="960px"))
        self.message = widgets.HTML(layout=widgets.Layout(max_width="960px"))
        self._animated = list(animated)
        self._background = None
        self.renders = 0
        for artist in self._animated:
            artist.set_animated(True)
        for control in controls:
            control.layout.margin = "2px 16px 2px 0"
        box = widgets.HBox(controls, layout=widgets.Layout(flex_flow="row wrap"))
        super().__init__(children=[box, self.image, self.message, *below])
        self.add_class("clonaedu-panel")

    # -- rendering --------------------------------------------------------------------
    def render(self, *, full: bool = True) -> None:
        """Draw and show the figure. ``full=False`` redraws only the animated artists over
        the cached background (valid while nothing else in the figure changed)."""
        canvas = self.figure.canvas
        if full or self._background is None:
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
