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

Accessibility (see ``clonaedu/a11y.py``): the figure's alt text is :meth:`FigurePanel.describe`, kept
up to date on every render (so it follows the controls); every panel carries the hidden block
that names slider handles, makes the message a live region and gives the figure its alt; the
saved output carries an ``<img alt>`` (HTML) beside the PNG, so handouts (nbconvert) and
readers without a kernel get the description too.
"""

from __future__ import annotations

import base64
import html
import itertools
import re

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import Collection
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine, TightLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Annotation, Text

from ..plots import png_bytes
from ..plots._style import apply_look, fit_to_mode, look
from .. import a11y as _a11y


class FigurePanel(widgets.VBox):
    """Base class: a row of controls, a figure rendered as an image, and a message.

    Subclasses build their figure and controls, call ``super().__init__``, then
    :meth:`render`. ``controls`` are reachable as attributes of the subclass so a test can
    set a value and check what changed. ``renders`` counts renders (tests use it).
    """

    #: one line shown in place of the panel wherever widgets cannot run (nbval, GitHub)
    title = "Interactive panel"
    #: rendered frames (PNG bytes) kept per panel, for states shown again (0: none)
    FRAMES_KEPT = 32

    def __init__(self, figure: Figure, controls: list[widgets.Widget], *,
                 below: list[widgets.Widget] = (), animated=()):
        chosen = look()
        #: the display mode this panel was built in ("house" or "projector")
        self.mode = chosen.name
        self.figure = fit_to_mode(figure)
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="100%", max_width=chosen.image_max_width))
        self.image.add_class(_a11y.FIGURE_CLASS)
        #: the figure's description (visually hidden; the page script copies it into the alt)
        self.alt_widget = widgets.HTML()
        self.alt_widget.add_class(_a11y.ALT_CLASS)
        self.message = widgets.HTML(layout=widgets.Layout(max_width=chosen.image_max_width))
        self.message.add_class(_a11y.MESSAGE_CLASS)
        self._background = None
        self._backgrounds: dict = {}  # key -> background, see render()
        self._layouts: dict = {}  # key -> (animated artists in the layout, where the axes were) at its drawing
        self._start_places = _axes_places(self.figure)  # where the axes are before any layout
        self._frames: dict = {}  # frame key -> PNG bytes, see render()
        self._generations: dict = {}  # id(background) -> (background, its number)
        self.renders = 0
        self._holding = False  # True while reset() restores the controls (guarded observers wait)
        self._controls = list(controls)
        #: puts every control back where it started (see :meth:`reset`)
        self.reset_button = widgets.Button(description="Reset", icon="undo",
                                           tooltip="Put every control back where it started")
        self.reset_button.on_click(lambda _button: self.reset())
        controls = [*controls, self.reset_button]
        self.set_animated_artists(animated)
        if chosen.control_scale != 1.0:
            for widget in [*controls, *below]:
                _scale_widths(widget, chosen.control_scale)
        for control in controls:
            control.layout.margin = "2px 16px 2px 0"
        box = widgets.HBox(controls, layout=widgets.Layout(flex_flow="row wrap"))
        support = _a11y.support_widget(chosen.css)
        super().__init__(children=[box, self.image, self.alt_widget, self.message, *below, support])
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
    def render(self, *, full: bool = True, key=None) -> None:
        """Draw and show the figure. ``full=False`` redraws only the animated artists over
        the cached background (valid while nothing else in the figure changed). ``key``
        (hashable) names the state of everything that is not animated (for example the axis
        limits): a full render of a key drawn before reuses its background, so a control that
        flips between a few axis ranges redraws only its curves."""
        canvas = self.figure.canvas
        solved = isinstance(self.figure.get_layout_engine(), (ConstrainedLayoutEngine, TightLayoutEngine))
        cached = self._backgrounds.get(key) if full and key is not None else None
        layout = None
        if key is not None and solved:
            # the layout engine places the axes around every artist in the layout, the animated
            # ones too: a background is reused only where those are as they were
            try:
                layout = tuple(_state(a, placed=False) for a in self._animated if a.get_in_layout())
            except TypeError:
                layout = cached = None
            if cached is not None and self._layouts.get(key, (None,))[0] != layout:
                cached = None
        drawn = False
        if cached is not None:
            self._background = cached
            _place_axes(self._layouts[key][1])  # where the layout put the axes for this background
        elif full or self._background is None:
            apply_look(self.figure)  # projector look: heavier lines, including new artists
            if solved:
                # the layout is solved from where the axes started, as in a new panel: the same
                # content gets the same layout whatever was drawn before
                _place_axes(self._start_places)
            canvas.draw()  # animated artists are skipped here ...
            drawn = True
            self._background = canvas.copy_from_bbox(self.figure.bbox)
            if key is not None:
                if len(self._backgrounds) >= _MAX_BACKGROUNDS:  # a few full frames, not unbounded memory
                    self._layouts.pop(next(iter(self._backgrounds)), None)
                    self._backgrounds.pop(next(iter(self._backgrounds)))
                self._backgrounds[key] = self._background
                self._layouts[key] = (layout, _axes_places(self.figure))
        # A frame shown before (the same background, the animated artists in the same state)
        # comes from the frame cache: the same bytes, without drawing or encoding them again.
        frame_key = _frame_key(self._generation(self._background), self.figure, self._animated) \
            if self.FRAMES_KEPT else None
        png = self._frames.pop(frame_key, None) if frame_key is not None else None
        if png is None:
            if not drawn:
                canvas.restore_region(self._background)
            for artist in self._animated:  # ... and drawn on top
                self.figure.draw_artist(artist)
            png = png_bytes(self.figure, draw=False)
        if frame_key is not None:
            self._frames[frame_key] = png  # the most recently shown last
            while len(self._frames) > self.FRAMES_KEPT:
                self._frames.pop(next(iter(self._frames)))
        self.image.value = png
        if self.renders == 0:  # the starting state, which reset() restores
            self._start_controls = [(c, _control_state(c)) for c in _value_controls(self._controls, buttons=True)]
        alt = _a11y.alt_html(self.describe())
        if self.alt_widget.value != alt:
            self.alt_widget.value = alt
        self.renders += 1

    def _generation(self, background) -> int:
        """A number naming this background's pixels (a new one for each background drawn)."""
        kept = self._generations.get(id(background))
        if kept is None or kept[0] is not background:
            kept = self._generations[id(background)] = (background, next(_GENERATIONS))
            while len(self._generations) > 2 * _MAX_BACKGROUNDS + 2:  # those still in use are far fewer
                self._generations.pop(next(iter(self._generations)))
        return kept[1]

    # -- controls and reset -------------------------------------------------------------
    def observe_controls(self, handler, *controls) -> None:
        """Call ``handler(change)`` when a control's value changes, except while :meth:`reset`
        restores the controls (it then redraws once, instead of once per control)."""
        def guarded(change):
            if not self._holding:
                handler(change)
        for control in controls:
            control.observe(guarded, "value")

    def reset(self) -> None:
        """Put every control back where it started (value, bounds, options) and redraw: the
        figure and the message are those of the first render. Subclasses clear their own
        remembered state in :meth:`_reset_state` and redraw in :meth:`refresh`."""
        self._holding = True
        try:
            for _ in range(2):  # twice: restoring one control may move another's bounds
                for control, state in self._start_controls:
                    _restore(control, state)
        finally:
            self._holding = False
        self._reset_state()
        self.refresh()

    def _reset_state(self) -> None:
        """Forget state the panel remembers between changes (axis limits kept for stability,
        a pinned curve ...), so the next :meth:`refresh` draws the starting figure."""

    def refresh(self) -> None:
        """Recompute everything from the controls and redraw the whole figure."""
        update = getattr(self, "_update", None)
        if update is not None:
            update()
        self.render(full=True)

    def set_message(self, text: str, *, warning: bool = False) -> None:
        """Show plain text under the figure (escaped; warnings in bold, in the alert colour)."""
        body = html.escape(text)
        if warning:
            body = f'<b style="color:#B24000">{body}</b>'
        self.message.value = f'<div style="font-size:1.05em; line-height:1.4">{body}</div>'

    # -- description (alt text) ---------------------------------------------------------
    def settings(self) -> list[str]:
        """The visible controls as ``Description: value`` (a tick box only when ticked)."""
        return [s for s in (_setting(c) for c in _controls(self.children[0])) if s]

    def describe(self, *, starting: bool = False, message: bool = False) -> str:
        """Alt text for the figure as it is now, built from what the panel shows: its settings,
        each plot's title and axis labels and the labels drawn on it (and, with ``message``,
        the message under it). ``starting`` says "as it starts" (exported figures, handouts)."""
        settings = self.settings()
        lead = f"{self.title}, as it starts" if starting else self.title
        parts = [lead + (f" ({'; '.join(settings)})." if settings else ".")]
        for ax in self.figure.axes:
            title = _one_line(ax.get_title(loc="left") or ax.get_title())
            axes = [f"{which} axis: {_one_line(label)}" for which, label in
                    (("horizontal", ax.get_xlabel()), ("vertical", ax.get_ylabel())) if label.strip()]
            labels = list(dict.fromkeys(_one_line(t.get_text()) for t in ax.texts
                                        if t.get_visible() and t.get_text().strip()))
            if not (title or axes or labels):
                continue
            piece = f"Plot{': ' + title if title else ''}"
            if axes:
                piece += f" ({', '.join(axes)})"
            if labels:
                piece += ". Labels on it: " + "; ".join(labels)
            parts.append(piece.rstrip(".") + ".")
        if message and self.message_text.strip():
            parts.append("Message under the figure: " + _one_line(self.message_text))
        return " ".join(parts)

    @property
    def alt(self) -> str:
        """The figure's alt text as shown now (what a screen reader reads for the figure)."""
        return self.describe()

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
        if not self.image.value:
            return bundle
        png = base64.b64encode(bytes(self.image.value)).decode("ascii")
        alt = self.describe(starting=True, message=True)
        bundle["image/png"] = png
        # JupyterLab's image renderer and nbconvert's template ignore alt metadata; an <img alt>
        # is what they show with its description (nbconvert prefers text/html to image/png).
        bundle["text/html"] = _a11y.img_tag(png, alt, self.image.layout.max_width or "100%")
        return bundle


_MAX_BACKGROUNDS = 8
_STATE_TRAITS = ("options", "min", "max", "step", "value", "disabled")


def _value_controls(widgets_in, *, buttons: bool = False) -> list[widgets.Widget]:
    """The controls a student can set, in order, including those inside boxes (text and
    HTML widgets are outputs, not controls); with ``buttons``, buttons too (their enabled
    state is part of a panel's state)."""
    out = []
    for widget in widgets_in:
        if isinstance(widget, widgets.Button):
            if buttons:
                out.append(widget)
        elif isinstance(widget, (widgets.HTML, widgets.HTMLMath, widgets.Label)):
            continue
        elif isinstance(widget, widgets.Box):
            out += _value_controls(widget.children, buttons=buttons)
        elif widget.has_trait("value"):
            out.append(widget)
    return out


def _control_state(control: widgets.Widget) -> dict:
    return {name: getattr(control, name) for name in _STATE_TRAITS if control.has_trait(name)}


def _restore(control: widgets.Widget, state: dict) -> None:
    """Set a control's options, bounds, value and enabled state back (min <= max at every step)."""
    if "options" in state and tuple(control.options) != tuple(state["options"]):
        control.options = state["options"]
    if "min" in state and "max" in state:
        if state["min"] > control.max:
            control.max, control.min = state["max"], state["min"]
        else:
            control.min, control.max = state["min"], state["max"]
    for name in ("step", "value", "disabled"):
        if name in state and getattr(control, name) != state[name]:
            setattr(control, name, state[name])


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _setting(control) -> str | None:
    """``Dose (mg): 1`` for a visible control with a description; a tick box only when ticked
    (``0.5 mg/day: on``); else None."""
    if getattr(control.layout, "display", None) == "none" or not getattr(control, "description", ""):
        return None
    value = getattr(control, "label", None)
    if value is None:
        value = control.value
        if isinstance(value, bool):
            if not value:
                return None
            value = "on"
        elif isinstance(value, float):
            value = f"{value:g}"
    return f"{_one_line(control.description)}: {value}"


def _controls(widget):
    for child in getattr(widget, "children", ()):
        if hasattr(child, "value") and hasattr(child, "description"):
            yield child
        else:
            yield from _controls(child)


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


# -- axes places ------------------------------------------------------------------------------
def _axes_places(figure: Figure) -> list:
    """Each axes with its positions (the layout engine sets them at each full draw)."""
    return [(ax, ax._originalPosition.frozen(), ax._position.frozen()) for ax in figure.axes]


def _place_axes(places) -> None:
    """Put the axes back where they were when a cached background was drawn: with a layout
    engine on, another full draw since may have moved them (``_set_position`` keeps the axes
    in the layout, unlike ``set_position``)."""
    for ax, original, active in places:
        ax._set_position(original, which="original")
        ax._set_position(active, which="active")


# -- the frame cache's key ------------------------------------------------------------------
_GENERATIONS = itertools.count(1)

_LINE = ("get_color", "get_linewidth", "get_linestyle", "get_marker", "get_markersize", "get_markerfacecolor",
         "get_markeredgecolor", "get_markeredgewidth", "get_drawstyle", "get_dash_capstyle",
         "get_solid_capstyle", "get_dash_joinstyle", "get_solid_joinstyle", "get_fillstyle", "get_markevery")
_TEXT = ("get_text", "get_color", "get_ha", "get_va", "get_rotation", "get_rotation_mode", "get_linespacing",
         "get_wrap", "get_usetex", "get_antialiased", "_get_multialignment")
_PATCH = ("get_facecolor", "get_edgecolor", "get_linewidth", "get_linestyle", "get_hatch", "get_fill",
          "get_capstyle", "get_joinstyle", "get_antialiased")
_COLLECTION = ("get_linewidths", "get_linestyles", "get_hatch", "get_capstyle", "get_joinstyle",
               "get_antialiased")


def _frozen(value):
    """A hashable, exact stand-in for an artist property (arrays by their bytes)."""
    if isinstance(value, np.ndarray):
        return (value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, (str, int, float, bool, type(None), np.number)):
        return value
    raise TypeError(type(value).__name__)


def _props(artist, getters) -> tuple:
    return tuple(_frozen(getattr(artist, g)()) for g in getters)


def _path(path) -> tuple:
    codes = path.codes
    return (_frozen(np.asarray(path.vertices, dtype=float)), None if codes is None else codes.tobytes())


def _font(text) -> tuple:
    prop = text.get_fontproperties()
    return (tuple(prop.get_family()), prop.get_style(), prop.get_variant(), prop.get_weight(), prop.get_stretch(),
            prop.get_size_in_points(), prop.get_file(), prop.get_math_fontfamily())


def _state(artist, placed: bool = True) -> tuple:
    """Everything that decides how ``artist`` draws (raises TypeError for a kind not known here);
    ``placed=False`` leaves out its transform to the screen (where the layout put its axes)."""
    common = (type(artist).__qualname__, artist.get_visible(), _frozen(artist.get_alpha()), artist.get_zorder(),
              artist.get_clip_on(), artist.get_rasterized(), artist.get_agg_filter() is None,
              artist.get_path_effects() == [], artist.get_sketch_params())
    if not artist.get_visible():
        return common
    if artist.get_clip_path() is not None or artist.get_agg_filter() is not None or artist.get_path_effects():
        raise TypeError("clip path, filter or path effects")
    transform = artist.get_transform()
    if not transform.is_affine:
        raise TypeError("a non-affine transform")
    if placed:
        common += (_frozen(transform.get_matrix()),)
    if isinstance(artist, Line2D):
        return common + _props(artist, _LINE) + (_frozen(np.asarray(artist.get_xydata(), dtype=float)),)
    if isinstance(artist, Text):
        bbox = artist.get_bbox_patch()
        arrow = getattr(artist, "arrow_patch", None)
        extra = ()
        if isinstance(artist, Annotation):
            extra = (_frozen(tuple(float(v) for v in artist.xy)), _frozen(artist.xycoords),
                     _frozen(artist.get_anncoords()), None if arrow is None else _state(arrow, placed))
        elif arrow is not None:
            raise TypeError("text with an arrow")
        return (common + _props(artist, _TEXT) + _font(artist)
                + (_frozen(tuple(float(v) for v in artist.get_unitless_position())),
                   None if bbox is None else _state(bbox, placed)) + extra)
    if isinstance(artist, Patch):
        return (common + _props(artist, _PATCH) + _path(artist.get_path())
                + (_frozen(artist.get_patch_transform().get_matrix()),))
    if isinstance(artist, Collection):
        offsets = artist.get_offsets()
        return (common + _props(artist, _COLLECTION)
                + (_frozen(np.asarray(artist.get_facecolor())), _frozen(np.asarray(artist.get_edgecolor())),
                   tuple(_path(p) for p in artist.get_paths()), _frozen(np.asarray(offsets, dtype=float)),
                   _frozen(artist.get_offset_transform().get_matrix()),
                   tuple(_frozen(t) for t in artist.get_transforms())))
    raise TypeError(type(artist).__name__)


def _frame_key(generation: int, figure: Figure, animated) -> tuple | None:
    """What decides a blitted frame's pixels: the background's number, the figure's size and
    each animated artist's state with its axes' place and limits. None when an artist is of a
    kind (or uses a feature) the key does not cover: that frame is then always drawn."""
    try:
        axes = {}
        states = []
        for artist in animated:
            ax = artist.axes
            if ax is not None and id(ax) not in axes:
                axes[id(ax)] = (tuple(ax.get_position().bounds), tuple(ax.viewLim.bounds))
            states.append((id(ax) if ax is not None else None, _state(artist)))
        return (generation, figure.dpi, tuple(figure.bbox.bounds), tuple(sorted(axes.items())), tuple(states))
    except TypeError:
        return None
