"""Notebook 07's figures and the equivalence explorer: they draw the data's values, say what
they are (log axis, SCHEMATIC, caveat), and the panel reacts to its controls."""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd
import pytest

from clonaedu import compare
from clonaedu.panels import EquivalenceExplorer
from clonaedu.panels.equivalence import dose_bounds, reference_dose_mg
from clonaedu.plots import SCHEMATIC, new_figure, png_bytes
from clonaedu.plots import compare as cplots


def _footer_text(fig) -> str:
    return " ".join(t.get_text() for t in fig.texts)


# -- half-life ranges --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def half_life():
    return cplots.half_life_figure()


def test_one_bar_per_verified_drug_with_the_data_values(half_life):
    table = compare.half_lives()
    ax = half_life.figure.axes[0]
    bars = [p for p in ax.patches if p.get_hatch() is None]
    assert len(bars) == len(table)
    drawn = sorted((round(b.get_x(), 9), round(b.get_x() + b.get_width(), 9)) for b in bars)
    expected = sorted(zip(table["half_life_low_h"], table["half_life_high_h"]))
    assert drawn == expected
    # known values from the Scottish guide's table, so a data slip shows here too
    assert (18.0, 50.0) in drawn and (20.0, 100.0) in drawn


def test_metabolites_are_drawn_distinctly():
    _fig, ax = new_figure()
    artists = cplots.half_life_ranges(ax)
    table = compare.half_lives().set_index("drug")
    with_meta = table[table["metabolite_low_h"].notna()].index
    assert sorted(artists["metabolites"]) == sorted(with_meta) == ["chlordiazepoxide", "diazepam"]
    for drug, bar in artists["metabolites"].items():
        assert bar.get_hatch()  # hatched, unlike the parent bars
        assert bar.get_height() < artists["bars"][drug].get_height()
        assert (bar.get_x(), bar.get_x() + bar.get_width()) == (
            table.loc[drug, "metabolite_low_h"], table.loc[drug, "metabolite_high_h"])
        assert "active metabolite" in artists["metabolite_labels"][drug].get_text()


def test_log_axis_with_units_and_clonazepam_highlighted(half_life):
    ax = half_life.figure.axes[0]
    assert ax.get_xscale() == "log"
    assert "hours" in ax.get_xlabel()
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert "Clonazepam" in names
    label = ax.get_yticklabels()[names.index("Clonazepam")]
    assert label.get_fontweight() == "bold"
    _fig, ax2 = new_figure()
    artists = cplots.half_life_ranges(ax2)
    colors = {d: tuple(b.get_facecolor()) for d, b in artists["bars"].items()}
    assert len({c for d, c in colors.items() if d != "clonazepam"}) == 1
    assert colors["clonazepam"] not in {c for d, c in colors.items() if d != "clonazepam"}


def test_longest_half_life_at_the_top():
    _fig, ax = new_figure()
    order = cplots.half_life_ranges(ax)["order"]
    assert order[0] == "oxazepam" and set(order[-2:]) == {"diazepam", "chlordiazepoxide"}


def test_unverified_rows_are_left_out_and_said_so(half_life):
    assert "alprazolam" not in [t.get_text().lower() for t in half_life.figure.axes[0].get_yticklabels()]
    assert "alprazolam" in _footer_text(half_life.figure)
    assert "Not shown because the course has no checked half-life for it: alprazolam" in half_life.alt
    with_unverified = cplots.half_life_figure(include_unverified=True)
    assert "Alprazolam" in [t.get_text() for t in with_unverified.figure.axes[0].get_yticklabels()]
    assert "Not shown" not in with_unverified.alt


def test_half_life_alt_text_and_footer_come_from_the_data(half_life):
    assert "clonazepam 18 to 50 h" in half_life.alt
    assert "diazepam 20 to 100 h (active metabolite 36 to 200 h)" in half_life.alt
    assert "not the duration of effect" in half_life.alt
    assert "scot_bz_quality_2024" in _footer_text(half_life.figure)
    # ranges differ by source: the US label's clonazepam range is named, with its source
    label = compare.label_half_lives().set_index("drug").loc["clonazepam"]
    said = f"Ranges differ by source: the US label gives clonazepam typically {label.low_h:g} to {label.high_h:g} h."
    assert said == "Ranges differ by source: the US label gives clonazepam typically 30 to 40 h."
    assert said in half_life.alt and said in _footer_text(half_life.figure)
    assert label.source_id in _footer_text(half_life.figure)
    assert repr(half_life).startswith("[Figure: Horizontal bars")
    assert half_life._repr_png_().startswith(b"\x89PNG")


def test_ranges_differ_note_only_names_drugs_drawn():
    label = compare.label_half_lives()
    table = compare.half_lives()
    assert cplots.ranges_differ_note(table, label).endswith("clonazepam typically 30 to 40 h.")
    assert cplots.ranges_differ_note(table[table["drug"] != "clonazepam"], label) == ""
    assert cplots.ranges_differ_note(table, label.iloc[0:0]) == ""


def test_half_life_footer_clears_the_axis_label(half_life):
    fig = half_life.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    footer = max(fig.texts, key=lambda t: len(t.get_text()))
    xlabel = fig.axes[0].xaxis.label
    assert footer.get_window_extent(renderer).y1 < xlabel.get_window_extent(renderer).y0


# -- onset vs dependence schematic -------------------------------------------------------------
@pytest.fixture(scope="module")
def schematic():
    return cplots.onset_dependence_figure()


def test_schematic_is_labelled_as_such_with_no_numeric_axis(schematic):
    ax = schematic.figure.axes[0]
    assert SCHEMATIC in _footer_text(schematic.figure)
    assert ax.get_title(loc="left").startswith("SCHEMATIC")
    assert "Basis:" in _footer_text(schematic.figure)
    for label in [*ax.get_xticklabels(), *ax.get_yticklabels()]:
        text = label.get_text()
        assert text and not any(ch.isdigit() for ch in text), text  # categories, not numbers
    assert schematic.alt.startswith("Schematic grid, not a graph of data")
    # the rows are a grouping, not a ranked scale: no arrow, and the label says so
    ylabel = ax.get_ylabel()
    assert "\u2192" not in ylabel and "more" not in ylabel
    assert "not a scale" in ylabel and "row order is the authors' grouping" in ylabel


def test_schematic_places_only_what_the_data_support():
    placements = cplots.onset_dependence_placements().set_index("option")
    rows = compare.alternatives()
    for option in placements.index.drop("benzodiazepines"):
        aspects = set(rows.loc[rows["option"] == option, "aspect"])
        assert (placements.loc[option, "onset"] != "not_sourced") == ("onset" in aspects), option
        assert pd.notna(placements.loc[option, "concern"]) == ("dependence" in aspects), option
    assert placements.loc["pregabalin", "onset"] == "first_week"
    assert placements.loc["sertraline", "onset"] == "slower"
    assert placements.loc["cbt", "concern"] == "none"
    assert placements.loc["gabapentin", "onset"] == "not_sourced"
    assert pd.isna(placements.loc["hydroxyzine", "concern"])


def test_schematic_draws_every_placed_option_and_lists_the_rest(schematic):
    _fig, ax = new_figure(10.5, 7.4)
    artists = cplots.onset_dependence_schematic(ax)
    placements = cplots.onset_dependence_placements()
    placed = placements[placements["concern"].notna()]["option"]
    assert sorted(artists["boxes"]) == sorted(placed)
    assert artists["unplaced"] == ["hydroxyzine"]
    assert "hydroxyzine" in _footer_text(schematic.figure) and "hydroxyzine" in schematic.alt
    # a label sits in its own box: SSRIs in the "slower" column, "discontinuation" row
    x, y = artists["boxes"]["sertraline"].xy
    assert (int(x), int(y)) == (list(cplots.ONSET_BINS).index("slower"),
                                list(cplots.CONCERN_TIERS).index("discontinuation"))


def test_an_uncategorised_option_is_refused(monkeypatch):
    monkeypatch.delitem(cplots.ONSET_CATEGORY, "buspirone")
    with pytest.raises(ValueError, match="buspirone"):
        cplots.onset_dependence_placements()


def test_unverified_rows_never_reach_the_schematic(monkeypatch):
    real = compare.alternatives

    def fake(*, include_unverified=False, **kw):
        rows = real(include_unverified=include_unverified, **kw)
        return rows[rows["option"] != "pregabalin"]  # as if pregabalin's rows were unverified

    monkeypatch.setattr(compare, "alternatives", fake)
    assert "pregabalin" not in set(cplots.onset_dependence_placements()["option"])


# -- equivalence figure and panel --------------------------------------------------------------
def test_equivalence_figure_draws_both_tables_and_the_range():
    fig_obj = cplots.equivalence_figure("clonazepam", 1.0, "diazepam")
    r = compare.equivalent("clonazepam", 1.0, "diazepam")
    ax = fig_obj.figure.axes[0]
    widths = sorted(p.get_width() for p in ax.patches if p.get_height() == 0.5)
    assert widths == sorted(r.per_table.values()) == [10.0, 20.0]
    assert "(mg)" in ax.get_xlabel() and "diazepam" in ax.get_xlabel()
    assert "CAUTION" in fig_obj.alt and "never a prescribing conversion" in _footer_text(fig_obj.figure)


@pytest.fixture
def panel():
    return EquivalenceExplorer()


def test_panel_initial_state(panel):
    r = compare.equivalent("clonazepam", 1.0, "diazepam")
    assert (panel.drug.value, panel.dose.value, panel.to.value) == ("clonazepam", 1.0, "diazepam")
    assert panel.result == r
    assert panel.message_text.startswith("clonazepam 1 mg ≈ diazepam 10 to 20 mg: a range, not one number")
    assert "Ashton Manual 2002: 20 mg; VA/DoD 2021: 10 mg" in panel.message_text
    assert compare.CAVEAT in panel.message_text
    assert "color:#B24000" in panel.message.value  # the caveat is shown loudly
    assert panel.png.startswith(b"\x89PNG") and panel.renders == 1
    assert "(mg)" in panel.dose.description


def _drawn(panel) -> dict:
    a = panel.artists
    return {"bars": {t: b.get_width() for t, b in a["bars"].items()},
            "span": (a["span"].get_x(), a["span"].get_x() + a["span"].get_width()),
            "headline": a["headline"].get_text()}


def test_moving_the_dose_moves_the_bars_and_matches_the_model(panel):
    before, figure = panel.png, panel.figure
    panel.dose.value = 2.5
    r = compare.equivalent("clonazepam", 2.5, "diazepam")
    drawn = _drawn(panel)
    assert drawn["bars"] == r.per_table == {"ashton_2002": 50.0, "va_dod_2021": 25.0}
    assert drawn["span"] == (r.low_mg, r.high_mg) == (25.0, 50.0)
    assert drawn["headline"].startswith("clonazepam 2.5 mg ≈ diazepam 25 to 50 mg")
    assert "diazepam 25 to 50 mg" in panel.message_text
    assert panel.png != before and panel.figure is figure and panel.renders == 2
    assert panel.artists["values"]["va_dod_2021"].get_text().strip() == "25 mg"


def test_changing_the_target_redraws_in_the_same_figure(panel):
    figure, before = panel.figure, panel.png
    panel.to.value = "lorazepam"
    r = compare.equivalent("clonazepam", 1.0, "lorazepam")
    assert panel.result == r and r.tables_agree
    assert _drawn(panel)["span"] == (2.0, 2.0)
    assert "both tables agree" in panel.message_text
    assert "lorazepam" in panel.ax.get_xlabel()
    assert panel.figure is figure and panel.png != before


def test_changing_the_drug_resets_bounds_and_dose_from_the_data(panel):
    panel.dose.value = 4.0
    panel.drug.value = "oxazepam"
    lo, hi, step = dose_bounds("oxazepam")
    assert (panel.dose.min, panel.dose.max, panel.dose.step) == (lo, hi, step)
    assert panel.dose.value == reference_dose_mg("oxazepam") == 20.0
    r = compare.equivalent("oxazepam", 20.0, "diazepam")
    assert panel.result == r and _drawn(panel)["span"] == (r.low_mg, r.high_mg)
    assert panel.message_text.startswith("oxazepam 20 mg ≈ diazepam 6.67 to 10 mg")
    panel.drug.value = "clonazepam"  # back to a much smaller scale: bounds shrink first
    assert (panel.dose.min, panel.dose.max) == dose_bounds("clonazepam")[:2]
    assert panel.dose.value == 0.5


@pytest.mark.parametrize("drug", compare.drugs())
def test_dose_bounds_hold_clonazepam_labelled_maximum_not_absurd_doses(drug):
    lo, hi, step = dose_bounds(drug)
    assert 0 < lo == step <= reference_dose_mg(drug) <= hi
    # clonazepam's labelled maximum for panic disorder (4 mg/day) converts to at most hi ...
    assert compare.equivalent("clonazepam", 4.0, drug).high_mg <= hi
    # ... and the slider's top is not far beyond it (a 10x unit slip stays out of range)
    assert hi < 10 * compare.equivalent("clonazepam", 4.0, drug).low_mg
    assert hi == pytest.approx(round(hi / step) * step)
    # every slider position is a valid model input
    for dose in np.linspace(lo, hi, 7):
        compare.equivalent(drug, float(dose), "clonazepam")


def test_clonazepam_slider_is_0125_to_4_mg():
    assert dose_bounds("clonazepam") == (0.125, 4.0, 0.125)
    assert dose_bounds("diazepam") == (2.5, 80.0, 2.5)


def test_every_slider_maximum_stays_on_the_axes():
    panel = EquivalenceExplorer()
    for drug in compare.drugs():
        for to in ("diazepam", "clonazepam", "oxazepam"):
            panel.drug.value, panel.to.value = drug, to
            panel.dose.value = panel.dose.max
            right = panel.ax.get_xlim()[1]
            assert panel.result.high_mg < right, (drug, to)


def test_bad_initial_values_raise():
    with pytest.raises(ValueError, match="unknown benzodiazepine"):
        EquivalenceExplorer(drug="zolpidem")
    with pytest.raises(ValueError, match="cannot be negative"):
        EquivalenceExplorer(dose_mg=-1)
    with pytest.raises(ValueError, match="not a plausible dose"):
        EquivalenceExplorer(dose_mg=50)  # 50 typed for 0.5: the model refuses it
    with pytest.raises(ValueError, match="outside this panel's range"):
        EquivalenceExplorer(dose_mg=5)  # above clonazepam's labelled maximum for panic disorder
    with pytest.raises(ValueError, match="unknown benzodiazepine"):
        dose_bounds("zolpidem")


def test_static_fallback(panel):
    bundle = panel._repr_mimebundle_()
    assert bundle["text/plain"].startswith(
        "[Benzodiazepine equivalence explorer: run the notebook to use it] clonazepam 1 mg")
    assert "object at 0x" not in bundle["text/plain"]
    assert base64.b64decode(bundle["image/png"]) == panel.png


def test_rendering_is_deterministic():
    a, b = EquivalenceExplorer(), EquivalenceExplorer()
    assert a.png == b.png
    assert png_bytes(cplots.half_life_figure().figure) == png_bytes(cplots.half_life_figure().figure)
