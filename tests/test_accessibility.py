"""Accessibility in the library: alt text that follows a panel's state, alt text in every
saved figure output (JupyterLab, Voila, handouts), named controls, contrast of what we colour."""

from __future__ import annotations

import html
import re

import nbformat
import pytest
from IPython.core.interactiveshell import InteractiveShell

from clonaedu import export, panels, plots
from clonaedu import a11y as _a11y
from clonaedu.panels._base import FigurePanel
from clonaedu.present import presenting


def _bundle(obj) -> dict:
    data, _ = InteractiveShell.instance().display_formatter.format(obj)
    return data


def _alt_of_img(markup: str) -> str:
    match = re.search(r'<img[^>]*\salt="([^"]*)"', markup)
    assert match, f"no <img alt> in {markup[:200]!r}"
    return html.unescape(match.group(1))


PANELS = [entry.source for entry in export.REGISTRY if entry.is_panel]
STATIC = [entry.source for entry in export.REGISTRY if not entry.is_panel]


@pytest.mark.parametrize("make", STATIC, ids=lambda f: f.__name__)
def test_a_static_figure_shows_as_an_img_with_its_alt_text(make):
    fig = make()
    data = _bundle(fig)
    # JupyterLab, Voila and nbconvert prefer text/html to image/png: the <img> carries the alt
    assert _alt_of_img(data["text/html"]) == fig.alt and len(fig.alt) > 60
    assert f'src="data:image/png;base64,{data["image/png"]}"' in data["text/html"]
    assert data["text/plain"] == f"[Figure: {fig.alt}]"


@pytest.mark.parametrize("cls", PANELS, ids=lambda c: c.__name__)
def test_every_panel_has_alt_text_a_live_region_and_the_page_support(cls):
    panel = cls()
    assert panel.alt.startswith(panel.title) and len(panel.alt) > 60
    assert _a11y.ALT_CLASS in panel.alt_widget._dom_classes
    assert html.unescape(re.sub(r"<[^>]+>", "", panel.alt_widget.value)) == f"Figure: {panel.alt}"
    assert _a11y.FIGURE_CLASS in panel.image._dom_classes
    assert _a11y.MESSAGE_CLASS in panel.message._dom_classes
    support = [c for c in panel.children if isinstance(c, type(panel.message)) and "onerror=" in c.value]
    assert len(support) == 1 and support[0].layout.display == "none"
    # the saved output: an <img alt> describing the starting state, beside the PNG and widget
    data = panel._repr_mimebundle_()
    assert _alt_of_img(data["text/html"]) == panel.describe(starting=True, message=True)
    assert {"image/png", "application/vnd.jupyter.widget-view+json"} <= set(data)


def test_a_panels_alt_text_follows_its_controls():
    panel = panels.DoseExplorer()
    before = panel.alt_widget.value
    assert "Total daily dose (mg/day): 1;" in panel.alt
    panel.total.value = 2.0
    assert "Total daily dose (mg/day): 2;" in panel.alt
    assert panel.alt_widget.value != before and "Total daily dose (mg/day): 2;" in html.unescape(panel.alt_widget.value)
    assert "2 mg/day" in panel.alt  # the callout drawn on the figure is part of it


def test_the_single_dose_alt_text_follows_the_half_life():
    panel = panels.SingleDosePanel()
    controls = [c for c in panel.children[0].children if "half-life" in getattr(c, "description", "").lower()]
    assert controls, "the single-dose panel has a half-life control"
    control = controls[0]
    start = panel.alt_widget.value
    control.value = control.max
    assert f"{control.description}: {control.value:g}" in panel.alt and panel.alt_widget.value != start


def test_exported_panel_alt_text_is_the_panels_own_description():
    panel = panels.DoseExplorer()
    assert export.describe_panel(panel) == panel.describe(starting=True, message=True)
    assert export.describe_panel(panel).startswith("Dose explorer, as it starts (")


def test_the_page_script_is_inline_and_escaped():
    block = _a11y.support_html()
    assert "<script" not in block  # an HTML widget never runs <script>; the onerror handler does
    handler = html.unescape(re.search(r'onerror="([^"]*)"', block).group(1))
    assert "aria-labelledby" in handler and "aria-live" in handler and "MutationObserver" in handler
    assert "http" not in handler and "import(" not in handler  # nothing fetched
    assert ".jp-RenderedMarkdown a" in block and "text-decoration: underline" in block


def test_projector_panels_still_carry_the_projector_css_and_the_support_block():
    with presenting(True):
        panel = panels.SingleDosePanel()
    blocks = [c.value for c in panel.children if "onerror=" in getattr(c, "value", "")]
    assert len(blocks) == 1 and ".clonaedu-panel.clonaedu-projector" in blocks[0]


def _contrast(fg: str, bg: str = "#FFFFFF") -> float:
    def lum(hex_colour):
        rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_text_colours_we_set_meet_wcag_aa():
    panel = panels.DoseExplorer()
    panel.total.value = 4.5  # a warning
    colours = re.findall(r"color:\s*(#[0-9A-Fa-f]{6})", panel.message.value)
    assert colours
    for colour in colours + [plots._style.look("house").footer_color]:
        assert _contrast(colour) >= 4.5, colour
    assert _contrast("#1a4fa3") >= 3  # the focus ring against white (WCAG 1.4.11)


def _notebook_with(*objs) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# 99 · Test\n\nText with a [link](00_start_here.ipynb)."))
    for obj in objs:
        cell = nbformat.v4.new_code_cell("x")
        cell.outputs = [nbformat.v4.new_output("display_data", data=_bundle(obj))]
        nb.cells.append(cell)
    return nb


def test_handouts_give_every_figure_its_alt_text(tmp_path):
    fig, panel = plots.taper_figure(), panels.SingleDosePanel()
    path = tmp_path / "99_test.ipynb"
    nbformat.write(_notebook_with(fig, panel), path)
    _, page = export.handout_html(path)
    assert "No description has been provided" not in page
    alts = [html.unescape(a) for a in re.findall(r'<img[^>]*\salt="([^"]*)"', page)]
    assert fig.alt in alts and panel.describe(starting=True, message=True) in alts


def test_handouts_of_outputs_saved_before_the_html_still_describe_figures(tmp_path):
    """Outputs saved by an older clonaedu (image/png and text/plain only) get an <img alt> from
    their text: the handout never says "No description has been provided for this image"."""
    fig = plots.taper_figure()
    nb = _notebook_with()
    cell = nbformat.v4.new_code_cell("x")
    data = _bundle(fig)
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": data["image/png"],
                                                                 "text/plain": data["text/plain"]})]
    nb.cells.append(cell)
    path = tmp_path / "99_test.ipynb"
    nbformat.write(nb, path)
    _, page = export.handout_html(path)
    assert "No description has been provided" not in page
    assert fig.alt in [html.unescape(a) for a in re.findall(r'<img[^>]*\salt="([^"]*)"', page)]


def test_figure_panel_base_class_describes_any_subclass():
    assert FigurePanel.describe is panels.DoseExplorer.describe


def test_every_notebooks_references_carry_the_page_support():
    """Pages without a panel (notebooks 06 and 08) get the underlined links and the script from
    the reference list every notebook ends with."""
    from clonaedu.data import references

    md = references("fda_klonopin_2023")._repr_markdown_()
    assert md.rstrip().endswith(_a11y.support_html())
    assert md.splitlines()[0].startswith("1. ") and "\n\n<style>" in md  # an HTML block of its own
    assert "<style>" not in repr(references("fda_klonopin_2023"))  # plain text stays plain


def test_static_figures_grow_with_the_projector_look_like_panels():
    house = _bundle(plots.taper_figure())["text/html"]
    with presenting(True):
        projector = _bundle(plots.taper_figure())["text/html"]
    assert "max-width:960px" in house and "max-width:1280px" in projector


@pytest.mark.parametrize("notebook", export.notebook_paths(), ids=lambda p: p.stem)
def test_no_course_handout_lacks_a_figure_description(notebook):
    _, page = export.handout_html(notebook)
    assert "No description has been provided" not in page
    for tag in re.findall(r"<img\b[^>]*>", page):
        assert re.search(r'\salt="[^"]+"', tag) or 'src="data:,"' in tag, tag[:200]


def test_the_regimen_panels_table_has_no_empty_header_cell():
    panel = panels.RegimenPanel()
    assert "<th></th>" not in panel.table.value and "<th>Regimen</th>" in panel.table.value
