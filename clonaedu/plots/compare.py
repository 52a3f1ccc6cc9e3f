"""Comparison figures (notebook 09): benzodiazepine half-lives, the alternatives' onset against
their dependence potential (a schematic), and the equivalence bars behind the explorer panel.

Every value drawn comes from :mod:`clonaedu.compare` (and so from ``data/`` with a source id);
alt text is built from the same tables. Rows marked unverified in the data are never drawn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.patches import Rectangle
from matplotlib.ticker import FixedLocator, NullLocator

from .. import compare
from ._style import COLORS, SCHEMATIC, StaticFigure, add_footer, house_style, new_figure

__all__ = [
    "BENZODIAZEPINE_REFERENCE",
    "CONCERN_AXIS_LABEL",
    "CONCERN_CATEGORY",
    "CONCERN_TIERS",
    "ONSET_BINS",
    "ONSET_CATEGORY",
    "equivalence_bars",
    "equivalence_figure",
    "format_mg",
    "half_life_figure",
    "half_life_ranges",
    "onset_dependence_figure",
    "onset_dependence_placements",
    "onset_dependence_schematic",
    "ranges_differ_note",
    "update_equivalence_bars",
]

HIGHLIGHT = "clonazepam"
_CLEAR = {"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none"}  # hides guide lines behind labels
NOT_A_DURATION = "Half-life is not the duration of effect."


def format_mg(value: float) -> str:
    """An equivalent dose in mg to three significant figures (13.3333 -> 13.3; 0.0625 stays)."""
    return f"{value:.3g}"


def _h_range(low: float, high: float) -> str:
    return f"{low:g} h" if low == high else f"{low:g}\u2013{high:g} h"


# -- 1. half-life ranges -------------------------------------------------------------------------
def half_life_ranges(ax: Axes, table: pd.DataFrame | None = None, *, highlight: str = HIGHLIGHT) -> dict:
    """Elimination half-life ranges (h) of the benzodiazepines as bars on one log-scaled axis.

    ``table`` is :func:`clonaedu.compare.half_lives` (verified rows only by default). One bar
    per drug spans ``half_life_low_h`` to ``half_life_high_h``; where the source gives an
    active metabolite, a thinner hatched bar below it spans the metabolite's range. Drugs are
    ordered by their longest half-life (parent or metabolite), longest at the top; ``highlight``
    (clonazepam) is drawn in vermillion with a bold name. Dotted guides mark 1 day and 1 week.

    Returns ``{"bars": {drug: Rectangle}, "metabolites": {drug: Rectangle}, "labels":
    {drug: Text}, "metabolite_labels": {drug: Text}, "order": [drug, ...] (bottom to top)}``.
    """
    if table is None:
        table = compare.half_lives()
    if table.empty:
        raise ValueError("no half-life rows to draw")
    longest = table[["half_life_high_h", "metabolite_high_h"]].max(axis=1)
    ordered = table.assign(_longest=longest).sort_values(["_longest", "half_life_high_h"], kind="stable")
    artists: dict = {"bars": {}, "metabolites": {}, "labels": {}, "metabolite_labels": {}, "order": []}
    lows = np.r_[ordered["half_life_low_h"].to_numpy(float), ordered["metabolite_low_h"].dropna().to_numpy(float)]
    highs = np.r_[ordered["half_life_high_h"].to_numpy(float), ordered["metabolite_high_h"].dropna().to_numpy(float)]
    x_min, x_max = lows.min() / 2, highs.max() * 3.6
    with house_style():
        for i, row in enumerate(ordered.itertuples(index=False)):
            main = row.drug == highlight
            color = COLORS["vermillion"] if main else COLORS["blue"]
            has_meta = not pd.isna(row.metabolite_low_h)
            y = i + (0.13 if has_meta else 0.0)
            (bar,) = ax.barh(y, row.half_life_high_h - row.half_life_low_h, left=row.half_life_low_h,
                             height=0.42, color=color, edgecolor=color, zorder=3)
            label = ax.text(row.half_life_high_h * 1.1, y, _h_range(row.half_life_low_h, row.half_life_high_h),
                            va="center", ha="left", fontsize=12, fontweight="bold" if main else "normal",
                            color=color if main else COLORS["black"], zorder=4, bbox=_CLEAR)
            artists["bars"][row.drug], artists["labels"][row.drug] = bar, label
            if has_meta:
                ym = i - 0.22
                (mbar,) = ax.barh(ym, row.metabolite_high_h - row.metabolite_low_h, left=row.metabolite_low_h,
                                  height=0.22, color="white", edgecolor=COLORS["sky"], hatch="///",
                                  lw=1.5, zorder=3)
                mlabel = ax.text(row.metabolite_high_h * 1.1, ym,
                                 f"{_h_range(row.metabolite_low_h, row.metabolite_high_h)}\nactive metabolite",
                                 va="center", ha="left", fontsize=10.5, color="#1F5F8B", zorder=4,
                                 linespacing=1.0, bbox=_CLEAR)
                artists["metabolites"][row.drug], artists["metabolite_labels"][row.drug] = mbar, mlabel
            artists["order"].append(row.drug)
        ax.set_xscale("log")
        ax.set_xlim(x_min, x_max)
        ticks = [t for t in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if x_min <= t <= x_max]
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        n = len(ordered)
        ax.set_ylim(-0.65, n - 0.05)
        ax.set_yticks(range(n), [d.capitalize() for d in ordered["drug"]])
        for tick, drug in zip(ax.get_yticklabels(), ordered["drug"]):
            if drug == highlight:
                tick.set_fontweight("bold")
                tick.set_color(COLORS["vermillion"])
        ax.grid(False, axis="y")
        ax.tick_params(axis="y", length=0)
        for hours, name in ((24, "1 day"), (168, "1 week")):  # unit guides, not clinical values
            if x_min < hours < x_max:
                ax.axvline(hours, color=COLORS["grey"], ls=":", lw=1.5, zorder=1)
                ax.text(hours, n - 0.1, f" {name}", ha="left", va="top", fontsize=10.5, color="#555555")
        ax.set_xlabel("Elimination half-life (hours, log scale)")
        ax.set_title("Half-life ranges: clonazepam and other benzodiazepines")
    return artists


def half_life_figure(*, include_unverified: bool = False) -> StaticFigure:
    """:func:`half_life_ranges` for the course's data, with footer and alt text built from it.

    Drugs in the equivalence table whose half-life row is not verified (today: alprazolam) are
    left out, and the footer and alt text say so.
    """
    table = compare.half_lives(include_unverified=include_unverified)
    left_out = [d for d in compare.drugs() if d not in set(table["drug"])]
    fig, ax = new_figure(9.5, 5.3)
    half_life_ranges(ax, table)
    differ = ranges_differ_note(table, compare.label_half_lives(include_unverified=include_unverified))
    note = NOT_A_DURATION
    if differ:
        note += " " + differ
    if left_out:
        note += f"\nNot shown (the course has no checked half-life for it): {', '.join(left_out)}."
    label_rows = compare.label_half_lives(include_unverified=include_unverified)
    label_ids = list(label_rows.loc[label_rows["drug"].isin(table["drug"]), "source_id"])
    add_footer(fig, [*";".join(table["source_id"]).split(";"), *label_ids], note=note)
    bottom = 0.62 / fig.get_figheight()  # room for a three-line footer below the axis label
    fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom))
    parts = []
    for row in table.itertuples(index=False):
        text = f"{row.drug} {_h_range(row.half_life_low_h, row.half_life_high_h).replace(chr(8211), ' to ')}"
        if not pd.isna(row.metabolite_low_h):
            text += (" (active metabolite "
                     f"{_h_range(row.metabolite_low_h, row.metabolite_high_h).replace(chr(8211), ' to ')})")
        parts.append(text)
    alt = ("Horizontal bars on a logarithmic hours axis show each benzodiazepine's elimination half-life range, "
           f"with {HIGHLIGHT} highlighted and active metabolites drawn as thinner hatched bars: "
           + "; ".join(parts) + ". " + NOT_A_DURATION)
    if differ:
        alt += " " + differ
    if left_out:
        alt += f" Not shown because the course has no checked half-life for it: {', '.join(left_out)}."
    return StaticFigure(fig, alt)


def ranges_differ_note(table: pd.DataFrame, label: pd.DataFrame) -> str:
    """'Ranges differ by source: the US label gives clonazepam typically 30 to 40 h.' for each
    drug drawn (``table``, :func:`compare.half_lives`) whose US-label range (``label``,
    :func:`compare.label_half_lives`) is in the data; empty when there is none."""
    drawn = set(table["drug"])
    parts = [f"{row.drug} typically {_h_range(row.low_h, row.high_h).replace(chr(8211), ' to ')}"
             for row in label.itertuples(index=False) if row.drug in drawn]
    if not parts:
        return ""
    return "Ranges differ by source: the US label gives " + "; ".join(parts) + "."


# -- 2. onset of benefit vs dependence potential (schematic) -------------------------------------
#: Columns of the schematic, left to right: categories read from the ``onset`` rows, not a scale.
ONSET_BINS = {
    "first_week": "Benefit within\nthe first week",
    "slower": "Slower than a\nbenzodiazepine",
    "course": "Builds over a\ncourse of therapy",
    "not_sourced": "Onset not in the\ncourse's sources",
}
#: The rows' axis label. The row order is the course authors' grouping, not a ranking or a scale.
CONCERN_AXIS_LABEL = ("Kind of dependence or withdrawal concern\n(categories in words, not a scale;\n"
                      "row order is the authors' grouping)")
#: Rows of the schematic, bottom to top: the kind of concern in the ``dependence`` rows.
CONCERN_TIERS = {
    "none": "None: not a\nmedicine",
    "not_found": "No significant\ndependence in a trial",
    "discontinuation": "Discontinuation\nsymptoms: stop gradually",
    "dependence": "Risk of dependence\nor misuse",
}
#: Each option's onset category, as its verified ``onset`` row in data/alternatives.csv states it
#: (sertraline ... duloxetine: mendez2024, benzodiazepines faster in the first week; buspirone:
#: murphy1989, diazepam acted more rapidly; pregabalin: pregabalin_gad2014, typically within 1 week;
#: cbt: nice_cg113, a course of sessions). Used only while that row exists and is verified.
ONSET_CATEGORY = {
    "sertraline": "slower", "escitalopram": "slower", "venlafaxine": "slower", "duloxetine": "slower",
    "buspirone": "slower", "pregabalin": "first_week", "cbt": "course",
}
#: Each option's kind of dependence concern, as its verified ``dependence`` row states it.
CONCERN_CATEGORY = {
    "sertraline": "discontinuation", "escitalopram": "discontinuation", "venlafaxine": "discontinuation",
    "duloxetine": "discontinuation", "buspirone": "not_found", "pregabalin": "dependence",
    "gabapentin": "dependence", "cbt": "none",
}
#: The comparator drawn on the schematic: benzodiazepines relieve anxiety faster in the first
#: week (mendez2024) and carry a dependence risk that buspirone did not show (murphy1989).
BENZODIAZEPINE_REFERENCE = {"name": "benzodiazepines", "class": "benzodiazepine",
                            "onset": "first_week", "concern": "dependence",
                            "sources": ("mendez2024", "murphy1989")}

_CLASS_COLORS = {"benzodiazepine": COLORS["vermillion"], "SSRI": COLORS["blue"], "SNRI": COLORS["blue"],
                 "azapirone": COLORS["green"], "gabapentinoid": COLORS["orange"],
                 "psychological therapy": COLORS["purple"], "sedating antihistamine": COLORS["grey"]}
_DARK_TEXT = {COLORS["orange"], COLORS["yellow"], COLORS["sky"]}  # white text is too faint on these
_CLASS_PLURAL = compare.CLASS_PLURAL


def onset_dependence_placements(*, include_unverified: bool = False) -> pd.DataFrame:
    """Where each option sits on the schematic, derived from the verified rows only.

    One row per option (data order) plus the benzodiazepine comparator first: ``option``,
    ``class``, ``onset`` (a key of :data:`ONSET_BINS`; ``not_sourced`` when the option has no
    verified onset row), ``concern`` (a key of :data:`CONCERN_TIERS`, or missing (NaN) when
    the option has no verified dependence row: such options are listed, not placed) and
    ``sources``. Raises ``ValueError`` if the data gain an option or a row this module has not
    categorised (so a new row cannot be placed by guesswork).
    """
    rows = compare.alternatives(include_unverified=include_unverified)
    records = [{"option": BENZODIAZEPINE_REFERENCE["name"], "class": BENZODIAZEPINE_REFERENCE["class"],
                "onset": BENZODIAZEPINE_REFERENCE["onset"], "concern": BENZODIAZEPINE_REFERENCE["concern"],
                "sources": ";".join(BENZODIAZEPINE_REFERENCE["sources"])}]
    for option, group in rows.groupby("option", sort=False):
        aspects = set(group["aspect"])
        onset = concern = None
        if "onset" in aspects:
            if option not in ONSET_CATEGORY:
                raise ValueError(f"{option!r} has an onset row but no ONSET_CATEGORY: categorise it first")
            onset = ONSET_CATEGORY[option]
        if "dependence" in aspects:
            if option not in CONCERN_CATEGORY:
                raise ValueError(f"{option!r} has a dependence row but no CONCERN_CATEGORY: categorise it first")
            concern = CONCERN_CATEGORY[option]
        used = group[group["aspect"].isin(["onset", "dependence"])]
        records.append({"option": option, "class": group["class"].iloc[0],
                        "onset": onset or "not_sourced", "concern": concern,
                        "sources": ";".join(dict.fromkeys(used["source_id"]))})
    return pd.DataFrame(records, columns=["option", "class", "onset", "concern", "sources"])


def _cell_text(cell: pd.DataFrame) -> list[tuple[str, str]]:
    """[(text, class)] for one box: options of one class share a line ("SSRIs: a, b")."""
    lines = []
    for cls, group in cell.groupby("class", sort=False):
        names = list(group["option"])
        shown = [("CBT" if n == "cbt" else n) for n in names]
        if cls == "benzodiazepine":
            lines.append(("benzodiazepines\n(for comparison)", cls))
        elif cls in _CLASS_PLURAL:
            lines.append((f"{_CLASS_PLURAL[cls]}: " + ",\n".join(shown), cls))
        else:
            lines.append(("\n".join(shown), cls))
    return lines


def onset_dependence_schematic(ax: Axes, placements: pd.DataFrame | None = None) -> dict:
    """A SCHEMATIC grid: onset of benefit (columns) against the kind of dependence or
    withdrawal concern (rows), for the alternatives and, for comparison, benzodiazepines.

    Columns and rows are categories named in words, not scales: there is no numeric axis, and
    position within a box means nothing. Placements come from
    :func:`onset_dependence_placements`. Returns ``{"boxes": {option: Text}, "cells":
    {(onset, concern): Rectangle}, "unplaced": [option, ...], "schematic": Text}`` (the title,
    which begins with SCHEMATIC).
    """
    if placements is None:
        placements = onset_dependence_placements()
    cols, tiers = list(ONSET_BINS), list(CONCERN_TIERS)
    artists: dict = {"boxes": {}, "cells": {}, "unplaced": []}
    with house_style():
        for ci, col in enumerate(cols):
            for ti, tier in enumerate(tiers):
                shade = "#F2F2F2" if col != "not_sourced" else "#FAFAFA"
                cell = Rectangle((ci + 0.03, ti + 0.03), 0.94, 0.94, facecolor=shade, edgecolor="#D0D0D0",
                                 lw=1, ls="-" if col != "not_sourced" else "--", zorder=1)
                ax.add_patch(cell)
                artists["cells"][col, tier] = cell
        placed = placements[placements["concern"].notna()]
        line_pt, pad_pt, gap_pt = 11.5 * 1.15 * 1.17, 2 * 0.3 * 11.5, 5.0
        for (col, tier), cell in placed.groupby(["onset", "concern"], sort=False):
            ci, ti = cols.index(col), tiers.index(tier)
            lines = _cell_text(cell)
            heights = [(t.count("\n") + 1) * line_pt + pad_pt for t, _ in lines]
            top = (sum(heights) + gap_pt * (len(lines) - 1)) / 2  # stack around the box centre
            for (text, cls), h in zip(lines, heights):
                color = _CLASS_COLORS.get(cls, COLORS["black"])
                label = ax.annotate(text, (ci + 0.5, ti + 0.5), xytext=(0, top - pad_pt / 2),
                                    textcoords="offset points", ha="center", va="top", fontsize=11.5,
                                    color="black" if color in _DARK_TEXT else "white",
                                    fontweight="bold", linespacing=1.15, zorder=3,
                                    bbox={"boxstyle": "round,pad=0.3", "fc": color, "ec": color,
                                          "ls": "--" if cls == "benzodiazepine" else "-"})
                for option in cell.loc[cell["class"] == cls, "option"]:
                    artists["boxes"][option] = label
                top -= h + gap_pt
        artists["unplaced"] = list(placements.loc[placements["concern"].isna(), "option"])
        ax.set_xlim(0, len(cols))
        ax.set_ylim(0, len(tiers))
        ax.set_xticks([i + 0.5 for i in range(len(cols))], [ONSET_BINS[c] for c in cols])
        ax.set_yticks([i + 0.5 for i in range(len(tiers))], [CONCERN_TIERS[t] for t in tiers])
        ax.tick_params(length=0)
        ax.grid(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.xaxis.set_ticks_position("top")
        ax.set_xlabel("Onset of benefit (categories in words, not a time scale)", labelpad=8)
        ax.xaxis.set_label_position("top")
        ax.set_ylabel(CONCERN_AXIS_LABEL, labelpad=8)
        artists["schematic"] = ax.set_title("SCHEMATIC: onset of benefit vs dependence potential", pad=12)
    return artists


def onset_dependence_figure(*, include_unverified: bool = False) -> StaticFigure:
    """The onset-vs-dependence schematic with the :data:`SCHEMATIC` note, its basis and sources."""
    placements = onset_dependence_placements(include_unverified=include_unverified)
    fig, ax = new_figure(10.5, 7.4)
    artists = onset_dependence_schematic(ax, placements)
    unplaced = artists["unplaced"]
    basis = ("Basis: each option sits in the box its cited summary describes; "
             "position within a box means nothing.")
    if unplaced:
        basis += f" Not placed (onset and dependence not in the sources): {', '.join(unplaced)}."
    sources = [s for ids in placements["sources"] for s in ids.split(";") if s]
    add_footer(fig, sources, note=SCHEMATIC + "\n" + basis)
    described = []
    for row in placements[placements["concern"].notna()].itertuples(index=False):
        name = "CBT" if row.option == "cbt" else row.option
        described.append(f"{name}: {ONSET_BINS[row.onset].replace(chr(10), ' ').lower()}, "
                         f"{CONCERN_TIERS[row.concern].replace(chr(10), ' ').lower()}")
    alt = ("Schematic grid, not a graph of data: columns are kinds of onset of benefit and rows are kinds of "
           "dependence or withdrawal concern, in words. " + "; ".join(described) + ".")
    if unplaced:
        alt += (f" Not placed because the course's sources give no onset or dependence facts for "
                f"{'it' if len(unplaced) == 1 else 'them'}: {', '.join(unplaced)}.")
    return StaticFigure(fig, alt)


# -- 3. equivalence bars (panel figure) ----------------------------------------------------------
def equivalence_bars(ax: Axes, result: compare.Equivalence, *, x_max_mg: float | None = None) -> dict:
    """One horizontal bar per published table for ``result`` (a :class:`compare.Equivalence`),
    the range between them shaded, and a headline; the x axis is mg of ``result.to``.

    ``x_max_mg`` fixes the axis (a panel passes the equivalent of its slider maximum so that
    moving the dose moves the bars, not the axis). Returns the artists; move them in place
    with :func:`update_equivalence_bars`.
    """
    ax.clear()
    tables = list(result.per_table)
    if x_max_mg is None:
        x_max_mg = result.high_mg
    artists: dict = {"bars": {}, "values": {}, "tables": tables}
    with house_style():
        for i, table in enumerate(tables):
            y = len(tables) - 1 - i
            (bar,) = ax.barh(y, 0, height=0.5, color=COLORS["blue"] if i == 0 else COLORS["green"], zorder=3)
            value = ax.text(0, y, "", ha="left", va="center", fontsize=13, fontweight="bold", zorder=4)
            artists["bars"][table], artists["values"][table] = bar, value
        span = Rectangle((0, -0.45), 0, len(tables) - 0.1, facecolor=to_rgba(COLORS["orange"], 0.25),
                         edgecolor=COLORS["orange"], lw=2.5, zorder=2)
        ax.add_patch(span)
        span_label = ax.text(0, len(tables) - 0.45, "", ha="left", va="bottom", fontsize=12,
                             color="#8A5A00", fontweight="bold", zorder=4)
        # The headline spans the figure's width (long drug names); the blank title reserves its row.
        ax.set_title(" ", fontsize=15)
        headline = ax.text(0.008, 0.99, "", transform=ax.figure.transFigure, ha="left", va="top",
                           fontsize=15, fontweight="bold", zorder=4)
        headline.set_in_layout(False)
        ax.set_xlim(0, x_max_mg * 1.28)
        ax.set_ylim(-0.7, len(tables) + 0.05)
        ax.set_yticks(range(len(tables)), [compare.TABLE_LABELS.get(t, t) for t in reversed(tables)])
        ax.tick_params(axis="y", length=0)
        ax.grid(False, axis="y")
        ax.set_xlabel(f"Approximately equivalent dose of {result.to} (mg)")
    artists.update(span=span, span_label=span_label, headline=headline)
    update_equivalence_bars(artists, result)
    return artists


def update_equivalence_bars(artists: dict, result: compare.Equivalence) -> None:
    """Set the bars, value labels, shaded range and headline to ``result`` (axes unchanged)."""
    for table in artists["tables"]:
        mg = result.per_table[table]
        artists["bars"][table].set_width(mg)
        artists["values"][table].set_x(mg)
        artists["values"][table].set_text(f"  {format_mg(mg)} mg")
    low, high = result.low_mg, result.high_mg
    artists["span"].set_x(low)
    artists["span"].set_width(high - low)
    right = artists["span"].axes.get_xlim()[1]
    label = artists["span_label"]
    if low < 0.55 * right:  # keep the label inside the axes at either end
        label.set_x(low)
        label.set_horizontalalignment("left")
    else:
        label.set_x(high)
        label.set_horizontalalignment("right")
    if result.tables_agree:
        artists["span_label"].set_text(f"both tables: {format_mg(low)} mg")
        span = f"{format_mg(low)} mg"
    else:
        artists["span_label"].set_text(f"range: {format_mg(low)} to {format_mg(high)} mg")
        span = f"{format_mg(low)} to {format_mg(high)} mg"
    artists["headline"].set_text(f"{result.drug} {result.dose_mg:g} mg \u2248 {result.to} {span} (approximate)")


def equivalence_figure(drug: str = "clonazepam", dose_mg: float = 1.0, to: str = "diazepam") -> StaticFigure:
    """A static equivalence figure for one conversion (the explorer panel's picture)."""
    result = compare.equivalent(drug, dose_mg, to)
    fig, ax = new_figure(9.0, 3.6)
    equivalence_bars(ax, result)
    add_footer(fig, [*result.sources, *compare.CAVEAT_SOURCES],
               note="Approximate, for teaching only: never a prescribing conversion.")
    tables = "; ".join(f"{compare.TABLE_LABELS.get(t, t)} {format_mg(mg)} mg" for t, mg in result.per_table.items())
    return StaticFigure(fig, f"Bars for each published table: {result.drug} {result.dose_mg:g} mg is about "
                             f"{result.to} {tables}; the range between them is shaded. {result.caveat}")
