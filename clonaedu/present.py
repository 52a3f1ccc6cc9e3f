"""Presentation mode: the one place the course's display mode lives.

    import clonaedu
    clonaedu.present()          # projector style: larger type and lines, high contrast, big controls
    clonaedu.present(False)     # back to the everyday (laptop) style

The mode is one of :data:`MODES` (``"house"`` or ``"projector"``), held in this module and
nowhere else; read it with :func:`mode`. It starts as ``"house"``, or as ``"projector"`` when,
as clonaedu is first imported,

* the page address had ``?present=1`` (``true``/``yes``/``on``): Voila passes an app page's query
  string to its kernel as the environment variable ``QUERY_STRING``, so Binder's app link with
  ``...voila/render/notebooks/02_one_dose_over_time.ipynb?present=1`` opens in the projector
  style; ``?present=0`` forces the house style. The app view's "Projector style" switch
  (clonaedu's Voila template, :mod:`clonaedu.appview`) reloads the page with either; or
* the environment variable ``CLONAEDU_PRESENT`` is ``1`` (``make app PRESENT=1``).

In JupyterLab, :func:`projector_switch` is a toggle button to click instead of typing
``clonaedu.present()``.

What reads the mode, and when:

* :func:`clonaedu.plots.house_style` and :func:`clonaedu.plots.new_figure` read it each time
  they are called, so a figure takes the style of the mode it was *created* in;
* a panel (:class:`clonaedu.panels.FigurePanel`) reads it once, when it is built: figure,
  control sizes and image width. Panels already on screen keep their style; run their cells
  again (Run ▸ Run All Cells) after switching. That is deliberate: a figure built in one style
  and patched into another would be a mixture of both, and rebuilding costs well under a second.

The style definitions themselves (matplotlib settings, sizes, the CSS for the controls) are in
``clonaedu/plots/_style.py``. This module imports nothing else from clonaedu, so ``import
clonaedu`` stays quick and any layer may read the mode.

Note: ``clonaedu.present`` on the package is the *function* below (it shadows this module's
name); import names from the module with ``from clonaedu.present import mode, presenting``.
"""

from __future__ import annotations

import contextlib
import html
import os
import urllib.parse
import warnings
from collections.abc import Iterator

__all__ = ["MODES", "mode", "present", "presenting", "Switched", "projector_switch"]

#: the display modes, everyday first
MODES = ("house", "projector")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def _from_query(query: str) -> str | None:
    """``"projector"``/``"house"`` for ``present=1``/``present=0`` in a URL query string, else None."""
    values = urllib.parse.parse_qs(query.lstrip("?")).get("present")
    if not values:
        return None
    value = values[-1].strip().lower()
    if value in _TRUE:
        return "projector"
    if value in _FALSE:
        return "house"
    warnings.warn(f"?present={value!r} is not understood (use 1 or 0); using the house style", stacklevel=3)
    return "house"


def _from_environment() -> str:
    from_query = _from_query(os.environ.get("QUERY_STRING", ""))
    if from_query is not None:
        return from_query
    value = os.environ.get("CLONAEDU_PRESENT", "").strip().lower()
    if value in _TRUE:
        return "projector"
    if value not in _FALSE:
        warnings.warn(f"CLONAEDU_PRESENT={value!r} is not understood (use 1 or 0); using the house style",
                      stacklevel=2)
    return "house"


_mode: str = _from_environment()  # the only copy of the mode; change it with present()


def mode() -> str:
    """The current display mode: ``"house"`` or ``"projector"``."""
    return _mode


def _check(on) -> str:
    if not isinstance(on, bool):
        raise ValueError(f"present(on): on must be True or False, not {on!r}")
    return "projector" if on else "house"


class Switched:
    """What :func:`present` returns: a one-line note shown under the cell (HTML in a notebook,
    plain text elsewhere) saying which style is now on and what it changes."""

    def __init__(self, new_mode: str):
        self.mode = new_mode

    @property
    def text(self) -> str:
        if self.mode == "projector":
            return ("Projector style on: larger text and lines, high contrast and bigger controls for "
                    "every figure and panel made from now on. Panels already on screen keep their "
                    "style: run their cells again. clonaedu.present(False) switches back.")
        return ("Everyday style on: figures and panels made from now on use the laptop sizes. Panels "
                "already on screen keep their style: run their cells again.")

    def _repr_html_(self) -> str:
        return (f'<div class="clonaedu-present" style="font-size:1.05em"><b>clonaedu:</b> '
                f"{html.escape(self.text)}</div>")

    def __repr__(self) -> str:
        return f"clonaedu: {self.text}"


def present(on: bool = True) -> Switched:
    """Switch the course to the projector style (``on=True``) or back (``on=False``).

    Returns a :class:`Switched` note to show under the cell. Raises ``ValueError`` when ``on``
    is not a bool (``present("off")`` would otherwise switch the projector style *on*).
    """
    global _mode
    _mode = _check(on)
    return Switched(_mode)


@contextlib.contextmanager
def presenting(on: bool = True) -> Iterator[None]:
    """Use the projector style (or, with ``on=False``, the house style) inside a ``with``
    block, then restore whatever mode was on before, even after an error."""
    global _mode
    wanted = _check(on)
    before = _mode
    _mode = wanted
    try:
        yield
    finally:
        _mode = before


def projector_switch():
    """A toggle button that switches the projector style on and off, for JupyterLab (in the app
    view, use the "Projector style" switch at the top of the page). Clicking it calls
    :func:`present`; the note under it says to run the cells again, since panels keep the style
    they were built in. Its state follows the current mode when it is made."""
    import ipywidgets as widgets

    button = widgets.ToggleButton(value=_mode == "projector", description="Projector style",
                                  tooltip="Larger text and lines, high contrast, bigger controls",
                                  layout=widgets.Layout(width="auto"))
    note = widgets.HTML()

    def show(on: bool) -> None:
        note.value = ('<span role="status" style="margin-left:0.8em">'
                      + html.escape(Switched("projector" if on else "house").text) + "</span>")

    def changed(change) -> None:
        present(bool(change["new"]))
        show(bool(change["new"]))

    button.observe(changed, "value")
    show(button.value)
    box = widgets.HBox([button, note], layout=widgets.Layout(align_items="center"))
    box.add_class("clonaedu-projector-switch")
    box.button, box.note = button, note
    return box
