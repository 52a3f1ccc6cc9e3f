"""Presentation mode: the one place the course's display mode lives.

    import clonaedu
    clonaedu.present()          # projector style: larger type and lines, high contrast, big controls
    clonaedu.present(False)     # back to the everyday (laptop) style

The mode is one of :data:`MODES` (``"house"`` or ``"projector"``), held in this module and
nowhere else; read it with :func:`mode`. It starts as ``"house"``, or as ``"projector"`` when
the environment variable ``CLONAEDU_PRESENT`` is ``1`` (``true``/``yes``/``on``) when clonaedu
is first imported: that is how the app view (Voila), where nobody can add a cell, starts in the
projector style (``CLONAEDU_PRESENT=1 make app``).

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
import warnings
from collections.abc import Iterator

__all__ = ["MODES", "mode", "present", "presenting", "Switched"]

#: the display modes, everyday first
MODES = ("house", "projector")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def _from_environment() -> str:
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
