"""The cited data layer: load, validate and cite the tables in ``data/``.

Every clinical number in the course is a row in a CSV table under ``data/`` with a
``source_id`` that names a row of ``data/sources.csv``. Each table ``NAME.csv`` has one
declared schema, ``data/schemas/NAME.json``: a JSON Schema for one row (types, allowed
values, non-negative quantities, units) plus three small extensions:

``x-primary-key``
    columns whose values together must be unique;
``x-ordered``
    pairs ``[low, high]`` with ``low <= high`` in every row;
``x-sources``
    columns holding source ids (a string, or a ``;``-separated list for an ``array``
    column) that must exist in ``sources.csv``.

A row that breaks its schema is refused on load with a :class:`DataError` naming the
file, the row and the column. Nothing is silently coerced or dropped.

Public surface: :func:`table`, :func:`sources`, :func:`cite`, :func:`references`, and
:class:`Dataset` for loading a copy of the data from another folder (tests use it).
"""

from __future__ import annotations

import csv
import functools
import json
import math
import sys
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd


def _import_jsonschema():
    """Import jsonschema without its optional IRI format checker.

    jsonschema imports every optional format library it can find at import time, and
    rfc3987_syntax (installed alongside JupyterLab) spends about 3 s building its grammar. The
    course's schemas use no ``format`` keyword, so the import is skipped; the module stays
    importable for anything else in the process.
    """
    blocked = "rfc3987_syntax" not in sys.modules
    if blocked:
        sys.modules["rfc3987_syntax"] = None  # makes "import rfc3987_syntax" raise ImportError
    try:
        import jsonschema
    finally:
        if blocked:
            del sys.modules["rfc3987_syntax"]
    return jsonschema


jsonschema = _import_jsonschema()

__all__ = ["DataError", "Dataset", "default_dataset", "table", "sources", "cite", "references",
           "table_names"]


class DataError(ValueError):
    """A data file breaks its schema. The message names the file, row and column."""


_PANDAS_DTYPES = {"number": "float64", "integer": "Int64", "boolean": "bool"}


def _types(prop: dict) -> list[str]:
    kind = prop.get("type")
    if kind is None:  # an enum of strings
        return ["string"]
    return [kind] if isinstance(kind, str) else list(kind)


def _convert(text: str, prop: dict) -> Any:
    """Turn one CSV cell into the schema's type; raise ValueError with a short reason."""
    types = _types(prop)
    if "array" in types:
        return [item.strip() for item in text.split(";") if item.strip()]
    if text == "":
        if "null" in types:
            return None
        raise ValueError("is empty but a value is required")
    base = next(t for t in types if t != "null")
    if base == "number":
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        if not math.isfinite(value):
            raise ValueError(f"{text!r} is not a finite number")
        return value
    if base == "integer":
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a whole number") from None
    if base == "boolean":
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        raise ValueError(f"{text!r} is not true or false")
    return text


class Dataset:
    """The tables in one data folder (``data/`` of the package by default).

    >>> ds = Dataset()                      # the course's own data
    >>> ds.table("dosage_forms").columns[:2].tolist()
    ['form', 'strength_mg']
    """

    def __init__(self, root: str | Path | None = None):
        self.root = Path(root) if root is not None else _default_root()
        self._cache: dict[str, pd.DataFrame] = {}

    # -- public ---------------------------------------------------------------------
    def table_names(self) -> list[str]:
        """Names of every table that has a schema."""
        return sorted(p.stem for p in (self.root / "schemas").glob("*.json"))

    def table(self, name: str) -> pd.DataFrame:
        """Load, validate and return table ``name`` (a fresh copy each call)."""
        if name not in self._cache:
            self._cache[name] = self._load(name)
        return self._cache[name].copy()

    def sources(self) -> pd.DataFrame:
        """The ``sources`` table, indexed by ``source_id``."""
        return self.table("sources").set_index("source_id", drop=False)

    def cite(self, source_id: str) -> str:
        """One-line citation for ``source_id``; ``ValueError`` if it is unknown."""
        src = self.sources()
        if source_id not in src.index:
            raise ValueError(f"unknown source_id {source_id!r}; known: {', '.join(src.index)}")
        row = src.loc[source_id]
        ident = {
            "dailymed_setid": f"DailyMed set id {row.identifier}",
            "doi": f"doi:{row.identifier}",
            "pmid": f"PMID {row.identifier}",
            "publisher": None,
        }[row.identifier_type]
        parts = [row.title.rstrip(".") + ".", f"{row.publisher}"]
        if not pd.isna(row.year):
            parts[-1] += f", {int(row.year)}"
        parts[-1] += "."
        if not pd.isna(row.revision):
            parts.append(f"{row.revision}.")
        if ident:
            parts.append(f"{ident}.")
        return " ".join(parts)

    # -- loading ----------------------------------------------------------------------
    def _schema(self, name: str) -> dict:
        path = self.root / "schemas" / f"{name}.json"
        if not path.exists():
            known = ", ".join(self.table_names())
            raise ValueError(f"unknown table {name!r}; known tables: {known}")
        return json.loads(path.read_text(encoding="utf-8"))

    def _load(self, name: str) -> pd.DataFrame:
        schema = self._schema(name)
        csv_path = self.root / f"{name}.csv"
        where = f"data/{name}.csv"
        if not csv_path.exists():
            raise DataError(f"{where}: file is missing (the schema schemas/{name}.json expects it)")
        props: dict = schema["properties"]
        with csv_path.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            try:
                header = next(reader)
            except StopIteration:
                raise DataError(f"{where}: file is empty (no header row)") from None
            missing = [c for c in props if c not in header]
            extra = [c for c in header if c not in props]
            if missing or extra:
                raise DataError(
                    f"{where}: header does not match schemas/{name}.json"
                    + (f"; missing column(s) {missing}" if missing else "")
                    + (f"; unknown column(s) {extra}" if extra else "")
                )
            validator = jsonschema.Draft202012Validator(schema)
            rows = []
            for number, cells in enumerate(reader, start=1):
                if not any(c.strip() for c in cells):
                    continue
                here = f"{where}, row {number} (line {number + 1})"
                if len(cells) != len(header):
                    raise DataError(f"{here}: has {len(cells)} cells, the header has {len(header)}")
                row = {}
                for column, text in zip(header, cells):
                    try:
                        row[column] = _convert(text.strip(), props[column])
                    except ValueError as exc:
                        raise DataError(f"{here}, column {column!r}: {exc}") from None
                error = jsonschema.exceptions.best_match(validator.iter_errors(row))
                if error is not None:
                    column = error.path[0] if error.path else _column_of(error)
                    raise DataError(f"{here}, column {column!r}: {error.message}")
                for low, high in schema.get("x-ordered", []):
                    if row[low] is not None and row[high] is not None and row[low] > row[high]:
                        raise DataError(f"{here}, column {high!r}: {row[high]} is below {low} ({row[low]})")
                rows.append((number, row))
        self._check_keys(name, where, schema, rows)
        frame = pd.DataFrame([r for _, r in rows], columns=list(props))
        for column, prop in props.items():
            dtype = _PANDAS_DTYPES.get(next(t for t in _types(prop) if t != "null"))
            if dtype and not ("null" in _types(prop) and dtype == "bool"):
                frame[column] = frame[column].astype(dtype)
        frame.attrs["name"] = name
        frame.attrs["title"] = schema.get("title", name)
        return frame

    def _check_keys(self, name: str, where: str, schema: dict, rows: list) -> None:
        key = schema.get("x-primary-key")
        if key:
            seen: dict[tuple, int] = {}
            for number, row in rows:
                value = tuple(row[c] for c in key)
                if value in seen:
                    raise DataError(
                        f"{where}, row {number} (line {number + 1}), column {key[-1]!r}: "
                        f"duplicate key {value} (first in row {seen[value]})"
                    )
                seen[value] = number
        source_columns = schema.get("x-sources", [])
        if not source_columns:
            return
        known = set(self.table("sources")["source_id"]) if name != "sources" else set()
        for number, row in rows:
            for column in source_columns:
                ids = row[column] if isinstance(row[column], list) else [row[column]]
                for sid in ids:
                    if sid not in known:
                        raise DataError(
                            f"{where}, row {number} (line {number + 1}), column {column!r}: "
                            f"source_id {sid!r} is not in data/sources.csv"
                        )


def _column_of(error: jsonschema.ValidationError) -> str:
    """Column named by a 'required' or 'additionalProperties' error."""
    if error.validator == "required":
        return error.message.split("'")[1]
    return "?"


def _default_root() -> Path:
    """The installed data (``pip install .`` ships ``data/`` as ``clonaedu.data_files``),
    or the checkout's ``data/`` when the package is imported from a source tree."""
    try:
        return Path(str(resources.files("clonaedu.data_files")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "data"


@functools.lru_cache(maxsize=1)
def default_dataset() -> Dataset:
    """The course's own data (shared, cached): what :func:`table` and friends read."""
    return Dataset()


def table_names() -> list[str]:
    """Names of every table in the course's data."""
    return default_dataset().table_names()


def table(name: str) -> pd.DataFrame:
    """Validated table ``name`` from ``data/`` as a pandas DataFrame (units in column names)."""
    return default_dataset().table(name)


def sources() -> pd.DataFrame:
    """The primary sources, indexed by ``source_id``."""
    return default_dataset().sources()


def cite(source_id: str) -> str:
    """A one-line citation for ``source_id``. Raises ``ValueError`` for an unknown id."""
    return default_dataset().cite(source_id)


class References:
    """A numbered reference list that renders as Markdown in a notebook and as text elsewhere."""

    def __init__(self, source_ids: Iterable[str]):
        ids = list(dict.fromkeys(source_ids))
        if not ids:
            raise ValueError("references() needs at least one source_id")
        self.lines = [f"{i}. {cite(sid)} [{sid}]" for i, sid in enumerate(ids, start=1)]
        from . import __version__
        self.footer = (f"clonaedu {__version__}. Course content: CC BY 4.0; code: MIT (see LICENSE "
                       f"and CITATION.cff). Educational material, not medical advice.")

    def __repr__(self) -> str:
        return "\n".join(self.lines + ["", self.footer])

    def _repr_markdown_(self) -> str:
        # every notebook ends with its references: they carry the page's accessibility CSS and
        # script (underlined links, named slider handles ...; see clonaedu/a11y.py), so pages
        # without a panel get them too. Hidden; stripped where outputs are not trusted.
        from .a11y import support_html

        return "\n".join(self.lines + ["", "---", "", f"*{self.footer}*", "", support_html()])


def references(*source_ids: str) -> References:
    """Render a reference list for the given source ids (in the order given)."""
    return References(source_ids)
