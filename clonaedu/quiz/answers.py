"""Reading a typed numeric answer: units and numbers (no widgets, no data).

Numbers: ``0.5``, ``.5``, ``0.50``, ``+0.5``, ``12`` and ``12.0`` are the same number. Simple
fractions are read as numbers (``1/2`` and ``½`` are 0.5, ``1½`` is 1.5), because "half a tablet"
is how nurses talk. ``about``/``approx.``/``~`` in front is ignored. A decimal comma (``0,5``), two
numbers (``0.2 to 0.6``) or scientific notation are not read: the student is told how to write
the answer, and it does not count as an attempt.

Units are optional. When one is given it must match the question's: ``0.5 mg/kg`` for a question
in mg/day is *wrong* (and the feedback says the unit is the problem), ``0.5 mg`` for a daily total
is wrong too (one dose is not a day's total). Spellings are normalised: ``mg/day``, ``mg/d``,
``mg per day``, ``mg a day``, ``mg daily`` are all mg/day. Times convert (``120 h`` is ``5 days``);
nothing else converts (``500 mcg`` is not read as 0.5 mg: unit slips are exactly what the course
teaches students to catch).
"""

from __future__ import annotations

import re

__all__ = ["UNITS", "UnreadableAnswer", "normalise_unit", "parse_answer", "fmt", "with_unit"]

#: canonical unit -> (dimension, factor to the dimension's base unit, words for feedback)
UNITS = {
    "mg": ("mass", 1.0, "mg (one amount, such as one dose)"),
    "mg/day": ("mass_per_day", 1.0, "mg/day (a daily total)"),
    "mg/kg/day": ("mass_per_kg_per_day", 1.0, "mg/kg/day (per kilogram of body weight per day)"),
    "mg/kg": ("mass_per_kg", 1.0, "mg/kg (per kilogram of body weight)"),
    "ng/mL": ("concentration", 1.0, "ng/mL (a concentration in blood)"),
    "min": ("time", 1 / 60, "minutes"),
    "h": ("time", 1.0, "hours"),
    "days": ("time", 24.0, "days"),
    "weeks": ("time", 168.0, "weeks"),
    "%": ("percent", 1.0, "% (a percentage)"),
    "×": ("ratio", 1.0, "× (times as much)"),
    "tablets": ("tablets", 1.0, "tablets"),
}
_SIMPLE_ALIASES = {
    "mg": "mg", "milligram": "mg", "milligrams": "mg",
    "ng/ml": "ng/mL", "ng per ml": "ng/mL", "nanograms per ml": "ng/mL",
    "min": "min", "mins": "min", "minute": "min", "minutes": "min",
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
    "d": "days", "day": "days", "days": "days",
    "wk": "weeks", "wks": "weeks", "week": "weeks", "weeks": "weeks",
    "%": "%", "percent": "%", "per cent": "%", "pct": "%",
    "x": "×", "×": "×", "times": "×", "fold": "×", "-fold": "×", "times as much": "×",
    "tablet": "tablets", "tablets": "tablets", "tab": "tablets", "tabs": "tablets",
}
# parts of a rate such as "mg / kg / day"
_RATE_PARTS = {
    "mg": "mg", "milligram": "mg", "milligrams": "mg", "kg": "kg", "kilogram": "kg",
    "day": "day", "days": "day", "d": "day", "24h": "day", "24 h": "day", "24 hours": "day",
}
_RATES = {("mg", "day"): "mg/day", ("mg", "kg", "day"): "mg/kg/day", ("mg", "kg"): "mg/kg"}


def normalise_unit(text: str) -> str | None:
    """The canonical spelling of a unit (a key of :data:`UNITS`), or ``None`` if unknown.

    >>> [normalise_unit(u) for u in ("mg/day", "mg per day", "MG a day", "mg daily", "mg/kg/d")]
    ['mg/day', 'mg/day', 'mg/day', 'mg/day', 'mg/kg/day']
    """
    s = " ".join(str(text).strip().lower().rstrip(".").split())
    if s in ("", "/"):
        return None
    if s in _SIMPLE_ALIASES:
        return _SIMPLE_ALIASES[s]
    s = re.sub(r"\s*\b(?:daily|a day|per day|each day|every day)\b", "/day", s)
    s = re.sub(r"\s*(?:/|\bper\b|\ba\b|\beach\b)\s*", "/", s)
    parts = tuple(_RATE_PARTS.get(p.strip()) for p in s.split("/"))
    return _RATES.get(parts) if all(parts) else None


# --------------------------------------------------------------------------------------------
# Reading a numeric answer
# --------------------------------------------------------------------------------------------
class UnreadableAnswer(ValueError):
    """An answer that cannot be read as one number with an optional unit (the message says
    how to write it). It does not count as an attempt."""


_VULGAR = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅛": 0.125, "⅓": 1 / 3, "⅔": 2 / 3}
_ANSWER = re.compile(
    r"^(?:about|approx\.?|approximately|around|roughly|~|≈)?\s*"
    r"(?P<number>[+-]?(?:\d+\s*/\s*\d+|\d*[½¼¾⅛⅓⅔]|\d+(?:\.\d*)?|\.\d+))"
    r"\s*(?P<unit>.*?)\s*$",
    re.IGNORECASE,
)


def parse_answer(text: str) -> tuple[float, str | None]:
    """Read a typed answer as ``(number, unit)``; the unit is as typed (``None`` if absent).

    Raises :class:`UnreadableAnswer` (a ``ValueError``) with a message for the student.

    >>> parse_answer(".5"), parse_answer("1/2 mg"), parse_answer("12.0 mg per day")
    ((0.5, None), (0.5, 'mg'), (12.0, 'mg per day'))
    """
    s = str(text).strip()
    if not s:
        raise UnreadableAnswer("Type a number first.")
    if re.match(r"^[+-]?\d+,\d+", s):
        raise UnreadableAnswer("Write decimals with a decimal point (0.5), not a comma (0,5).")
    match = _ANSWER.match(s)
    if match is None:
        raise UnreadableAnswer("Type one number, for example 0.5 or 0.5 mg/day.")
    number, unit = match.group("number"), match.group("unit")
    if re.match(r"^[eE][+-]?\d", unit):
        raise UnreadableAnswer("Write the number out in full, for example 0.5.")
    if re.search(r"\d", unit):
        raise UnreadableAnswer("Type one number only (not a range or a calculation), for example 0.5.")
    compact = number.replace(" ", "")
    sign = -1.0 if compact.startswith("-") else 1.0
    compact = compact.lstrip("+-")
    if "/" in compact:
        top, bottom = (float(x) for x in compact.split("/"))
        if bottom == 0:
            raise UnreadableAnswer("A fraction cannot have 0 below the line.")
        value = top / bottom
    elif compact and compact[-1] in _VULGAR:
        value = float(compact[:-1] or 0) + _VULGAR[compact[-1]]
    else:
        value = float(compact)
    unit = unit.strip()
    return sign * value, (unit or None)



def fmt(x: float) -> str:
    """A number without trailing zeros (``0.5``, ``12``)."""
    return f"{round(x, 6):g}"


def with_unit(x: float, unit: str) -> str:
    """``0.5 mg/day``, ``25%``, ``3×``."""
    return f"{fmt(x)}{unit}" if unit in ("%", "×") else f"{fmt(x)} {unit}"
