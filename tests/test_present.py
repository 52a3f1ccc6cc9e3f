"""Presentation mode (clonaedu.present), its projector look, and the notebooks as slides."""

from __future__ import annotations

import io
import re
import sys
import warnings
from html.parser import HTMLParser
from pathlib import Path

import ipywidgets as widgets
import matplotlib
import nbformat
import pytest
from PIL import Image

import clonaedu
from clonaedu import panels, plots
from clonaedu.panels._base import _scale_widths
from clonaedu.plots import _style
from clonaedu.present import mode, presenting

# clonaedu.present on the package is the function; the module is in sys.modules
present_module = sys.modules["clonaedu.present"]

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(autouse=True)
def house_mode():
    """Every test starts and ends in the house look, whatever it does (or CLONAEDU_PRESENT says)."""
    clonaedu.present(False)
    yield
    clonaedu.present(False)


def _png_size(data: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(data)).size


# -- the switch ---------------------------------------------------------------------------------
def test_present_switches_the_mode_and_back():
    assert callable(clonaedu.present) and mode() == "house"
    note = clonaedu.present()
    assert mode() == "projector"
    assert "Projector style on" in repr(note) and "run their cells again" in note.text
    assert note._repr_html_().startswith('<div class="clonaedu-present"')
    back = clonaedu.present(False)
    assert mode() == "house" and "Everyday style on" in repr(back)


@pytest.mark.parametrize("bad", ["off", "yes", 1, 0, None, "projector"])
def test_present_refuses_anything_but_a_bool(bad):
    with pytest.raises(ValueError, match="on must be True or False"):
        clonaedu.present(bad)
    assert mode() == "house"


def test_presenting_restores_the_mode_even_after_an_error():
    with pytest.raises(RuntimeError):
        with presenting():
            assert mode() == "projector"
            with presenting(False):
                assert mode() == "house"
            assert mode() == "projector"
            raise RuntimeError("boom")
    assert mode() == "house"


@pytest.mark.parametrize("value, expected", [("1", "projector"), ("TRUE", "projector"), (" on ", "projector"),
                                             ("0", "house"), ("", "house"), ("off", "house")])
def test_the_environment_variable_sets_the_starting_mode(monkeypatch, value, expected):
    monkeypatch.setenv("CLONAEDU_PRESENT", value)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert present_module._from_environment() == expected


def test_an_unreadable_environment_variable_warns_and_keeps_the_house_look(monkeypatch):
    monkeypatch.setenv("CLONAEDU_PRESENT", "maybe")
    with pytest.warns(UserWarning, match="CLONAEDU_PRESENT='maybe' is not understood"):
        assert present_module._from_environment() == "house"


# -- one style definition, two looks ----------------------------------------------------------
def test_house_style_reads_the_mode():
    with plots.house_style():
        assert matplotlib.rcParams["axes.linewidth"] < _style._PROJECTOR["axes.linewidth"]
        assert matplotlib.rcParams["font.size"] == _style._STYLE["font.size"]
        assert matplotlib.rcParams["figure.dpi"] == 100
    clonaedu.present()
    with plots.house_style():
        for key, value in _style._PROJECTOR.items():
            assert matplotlib.rcParams[key] == matplotlib.rcParams.validate[key](value), key
        assert matplotlib.rcParams["figure.dpi"] == _style.PROJECTOR_DPI
        # the rest is the house style: one definition, an overlay on top
        assert matplotlib.rcParams["font.size"] == _style._STYLE["font.size"]
        assert list(matplotlib.rcParams["axes.prop_cycle"]) == list(_style._STYLE["axes.prop_cycle"])


def test_the_projector_look_is_the_house_style_plus_the_overlay():
    house, projector = _style.LOOKS["house"], _style.LOOKS["projector"]
    assert house.rc == _style._STYLE
    changed = {k for k in projector.rc if projector.rc[k] != house.rc.get(k)}
    assert changed == set(_style._PROJECTOR) | {"figure.dpi", "savefig.dpi"}
    with pytest.raises(ValueError, match="unknown display mode 'disco'"):
        _style.look("disco")


def test_new_figure_in_the_projector_look_is_sharper_with_heavier_lines():
    house_fig, house_ax = plots.new_figure(9.0, 4.0)
    with plots.house_style():
        (house_line,) = house_ax.plot([0, 1], [0, 1], lw=2.0)
    house_png = plots.png_bytes(house_fig)
    clonaedu.present()
    fig, ax = plots.new_figure(9.0, 4.0)
    with plots.house_style():
        (line,) = ax.plot([0, 1], [0, 1], lw=2.0)
        bars = ax.vlines([0.5], 0, 1, lw=2.0)
    png = plots.png_bytes(fig)
    assert _png_size(house_png) == (900, 400)
    assert _png_size(png) == (9 * _style.PROJECTOR_DPI, 4 * _style.PROJECTOR_DPI)
    assert house_line.get_linewidth() == 2.0
    assert line.get_linewidth() == pytest.approx(2.0 * _style.PROJECTOR_LINE_SCALE)
    assert bars.get_linewidths()[0] == pytest.approx(2.0 * _style.PROJECTOR_LINE_SCALE)
    plots.png_bytes(fig)  # each artist is scaled once, however often the figure is drawn
    assert line.get_linewidth() == pytest.approx(2.0 * _style.PROJECTOR_LINE_SCALE)
    # a figure keeps the look it was made in
    clonaedu.present(False)
    assert _png_size(plots.png_bytes(fig))[0] == 9 * _style.PROJECTOR_DPI
    assert _png_size(plots.png_bytes(house_fig))[0] == 900


def test_static_figures_take_the_look_of_the_mode_they_are_made_in():
    house = plots.lay_bands_figure()
    with presenting():
        projector = plots.lay_bands_figure()
    house_w, _ = _png_size(house._repr_png_())
    projector_w, _ = _png_size(projector._repr_png_())
    assert projector_w == pytest.approx(house_w * _style.PROJECTOR_DPI / 100, abs=2)
    assert projector.alt == house.alt  # same content, same alt text
    footer = [t for t in projector.figure.texts if "Sources: " in t.get_text()]
    assert footer and matplotlib.colors.to_hex(footer[0].get_color()) == "#000000"


def test_projector_css_is_scoped_to_projector_panels_and_fetches_nothing():
    css = _style.PROJECTOR_CSS
    selectors = [block.split("{")[0] for block in css.split("}") if "{" in block]
    for group in selectors:
        for selector in group.split(","):
            assert selector.strip().startswith(".clonaedu-panel.clonaedu-projector"), selector
    assert "url(" not in css and "@import" not in css and "http" not in css
    assert "--jp-widgets-font-size: 20px" in css


# -- panels -------------------------------------------------------------------------------------
def _style_children(panel):
    return [c for c in panel.children if "<style>" in getattr(c, "value", "")]


def test_a_panel_built_in_the_projector_look_has_bigger_controls_and_a_wider_image():
    house = panels.DoseExplorer()
    clonaedu.present()
    panel = panels.DoseExplorer()
    assert panel.mode == "projector" and house.mode == "house"
    assert "clonaedu-projector" in panel._dom_classes and "clonaedu-projector" not in house._dom_classes
    assert "clonaedu-panel" in panel._dom_classes
    (style,) = _style_children(panel)
    # one hidden style block per panel: the accessibility CSS (see panels/_a11y.py), plus the
    # projector CSS in the projector look only
    assert _style.PROJECTOR_CSS in style.value and style.layout.display == "none"
    assert all(_style.PROJECTOR_CSS not in c.value for c in _style_children(house))
    assert panel.image.layout.max_width == "1280px" and house.image.layout.max_width == "960px"
    assert panel.total.layout.width == f"{round(420 * 1.35)}px" and house.total.layout.width == "420px"
    assert _png_size(panel.png)[0] == 9 * _style.PROJECTOR_DPI and _png_size(house.png)[0] == 900
    clonaedu.present(False)
    later = panels.DoseExplorer()
    assert later.total.layout.width == "420px"
    assert all(_style.PROJECTOR_CSS not in c.value for c in _style_children(later))
    # the dose slider shows for adults (only the child's weight slider is hidden)
    for built in (house, panel, later):
        assert built.total.layout.display != "none" and built.weight.layout.display == "none"


def test_control_widths_are_scaled_on_a_copy_of_a_shared_layout():
    shared = widgets.Layout(width="420px", margin="2px")
    a = widgets.FloatSlider(description="a", layout=shared, style={"description_width": "120px"})
    b = widgets.FloatSlider(description="b", layout=shared)
    box = widgets.HBox([a], layout=widgets.Layout(max_width="50%"))
    _scale_widths(box, 1.5)
    assert a.layout is not shared and a.layout.width == "630px" and a.layout.margin == "2px"
    assert a.style.description_width == "180px"
    assert shared.width == "420px" and b.layout is shared  # nothing else changed
    assert box.layout.max_width == "50%"  # only pixel widths scale


def test_projector_panels_still_update_in_place():
    with presenting():
        panel = panels.SingleDosePanel()
    before_png, before_renders = panel.png, panel.renders
    width = panel.short_line.get_linewidth()
    assert width == pytest.approx(_style._STYLE["lines.linewidth"] * _style.PROJECTOR_LINE_SCALE)
    panel.dose.value = 2.0
    assert panel.renders == before_renders + 1 and panel.png != before_png
    assert _png_size(panel.png) == _png_size(before_png)
    assert panel.short_line.get_linewidth() == pytest.approx(width)  # not scaled twice
    assert "Peak" in panel.message_text


def test_panels_already_on_screen_keep_their_look():
    with presenting():
        panel = panels.RegimenPanel()
    size = _png_size(panel.png)
    panel.days.value = 7  # updated after switching back: still the projector look
    assert panel.mode == "projector" and _png_size(panel.png) == size


def test_every_panel_builds_in_the_projector_look():
    with presenting():
        for name in panels.__all__:
            cls = getattr(panels, name)
            if cls is panels.FigurePanel:
                continue
            panel = cls()
            assert panel.mode == "projector" and len(_style_children(panel)) == 1, name
            assert _png_size(panel.png)[0] == round(panel.figure.get_figwidth() * _style.PROJECTOR_DPI), name


# -- slides -------------------------------------------------------------------------------------
class _Sections(HTMLParser):
    def __init__(self):
        super().__init__()
        self.depth, self.top, self.nested = 0, 0, 0

    def handle_starttag(self, tag, attrs):
        if tag == "section":
            self.depth += 1
            if self.depth == 1:
                self.top += 1
            else:
                self.nested += 1

    def handle_endtag(self, tag):
        if tag == "section":
            self.depth -= 1


def test_nbconvert_makes_a_reveal_deck_with_one_section_per_slide_and_subslide():
    from nbconvert import SlidesExporter

    nb = nbformat.read(ROOT / "notebooks" / "02_one_dose_over_time.ipynb", as_version=4)
    kinds = [cell.metadata["slideshow"]["slide_type"] for cell in nb.cells]
    slides, subslides = kinds.count("slide"), kinds.count("subslide")
    assert slides >= 5 and subslides >= 1
    body, _ = SlidesExporter().from_notebook_node(nb)
    assert 'class="reveal"' in body and "Reveal.initialize" in body
    sections = _Sections()
    sections.feed(body)
    assert sections.depth == 0
    # reveal.js: one <section> per slide, holding one <section> per sub-slide (the first implicit)
    assert sections.top == slides
    assert sections.nested == slides + subslides
    skipped = [cell for cell in nb.cells if cell.metadata["slideshow"]["slide_type"] == "skip"]
    assert skipped and all(cell.source.splitlines()[0] not in body for cell in skipped)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_every_panel_has_a_slide_of_its_own(path):
    nb = nbformat.read(path, as_version=4)
    widget = "application/vnd.jupyter.widget-view+json"
    for cell in nb.cells:
        kind = cell.metadata.get("slideshow", {}).get("slide_type")
        assert kind in {"slide", "subslide", "fragment", "skip", "notes", "-"}, cell.source[:40]
        if cell.cell_type == "code" and any(widget in o.get("data", {}) for o in cell.get("outputs", [])):
            assert kind == "slide", cell.source[:60]
    assert re.match(r"^# \d\d · ", nb.cells[0].source)
    assert nb.cells[0].metadata["slideshow"]["slide_type"] == "slide"


# -- the instructor guide -----------------------------------------------------------------------
def test_the_instructor_guide_times_every_notebook_as_the_notebook_does():
    guide = (ROOT / "docs" / "instructor.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| \[(\d\d) · [^]]+\]\(\.\./notebooks/[^)]+\) \| (\d+) \|", guide, re.M))
    stated = {}
    for path in NOTEBOOKS:
        first = nbformat.read(path, as_version=4).cells[0].source
        stated[path.name[:2]] = re.search(r"\*About (\d+) minutes\.\*", first).group(1)
        assert f"(../notebooks/{path.name})" in guide, path.name
    assert rows == stated
    for number in stated:  # questions to ask for every notebook
        assert re.search(rf"^\*\*{number} · ", guide, re.M), number
    for limit in ("100 concurrent users per", "10 minutes without activity", "Panels need a running kernel"):
        assert limit in guide
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/instructor.md)" in readme


# -- projector mode without code: ?present=1 in the app view, a toggle in JupyterLab -------------
@pytest.mark.parametrize("query, expected", [("present=1", "projector"), ("?present=on", "projector"),
                                             ("x=2&present=TRUE", "projector"), ("present=0", "house"),
                                             ("present=off", "house"), ("x=2", None), ("", None)])
def test_the_query_string_sets_the_starting_mode(query, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert present_module._from_query(query) == expected


def test_the_query_string_wins_over_the_environment_variable(monkeypatch):
    monkeypatch.setenv("CLONAEDU_PRESENT", "1")
    monkeypatch.setenv("QUERY_STRING", "present=0")
    assert present_module._from_environment() == "house"
    monkeypatch.setenv("CLONAEDU_PRESENT", "0")
    monkeypatch.setenv("QUERY_STRING", "present=1")
    assert present_module._from_environment() == "projector"
    monkeypatch.setenv("QUERY_STRING", "present=maybe")
    with pytest.warns(UserWarning, match="present='maybe' is not understood"):
        assert present_module._from_environment() == "house"


def test_a_kernel_started_with_present_1_in_its_query_string_builds_projector_panels():
    """What Voila does for .../voila/render/NN.ipynb?present=1: QUERY_STRING in the kernel's
    environment, read when clonaedu is imported; panels are then built in the projector look."""
    import os
    import subprocess

    code = ("from clonaedu.present import mode; from clonaedu.panels import SingleDosePanel; "
            "p = SingleDosePanel(); print(mode(), p.mode, 'clonaedu-projector' in p._dom_classes)")
    env = {**os.environ, "QUERY_STRING": "present=1", "CLONAEDU_PRESENT": "0", "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["projector", "projector", "True"]
    env["QUERY_STRING"] = ""
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["house", "house", "False"]


def test_the_projector_switch_toggles_the_mode_and_says_what_to_do():
    switch = clonaedu.projector_switch()
    assert switch.button.description == "Projector style" and switch.button.value is False
    assert "Everyday style on" in switch.note.value
    switch.button.value = True  # what a click does
    assert mode() == "projector" and "Projector style on" in switch.note.value
    assert 'role="status"' in switch.note.value and "run their cells again" in switch.note.value
    switch.button.value = False
    assert mode() == "house"
    clonaedu.present()
    assert clonaedu.projector_switch().button.value is True  # follows the mode it is made in


def test_the_app_view_template_drops_the_cdn_links_and_carries_the_switch(tmp_path):
    import json

    from clonaedu import appview

    done = appview.install(tmp_path)
    page = (done["template"] / "index.html.j2").read_text()
    assert "extends 'lab/index.html.j2'" in page
    # the two Font Awesome links of Voila's lab template are replaced by nothing
    voila_lab = Path(sys.prefix) / "share" / "jupyter" / "voila" / "templates" / "lab" / "index.html.j2"
    if voila_lab.exists():
        links = re.findall(r'<link rel="stylesheet" href="https://[^"]+" type="text/css" />', voila_lab.read_text())
        assert links and all(f"replace('{link}', '')" in page for link in links)
    assert 'id="clonaedu-projector-switch"' in page and 'role="button"' in page and "present" in page
    assert json.loads(done["voila_config"].read_text()) == {"VoilaConfiguration": {"template": "clonaedu"}}
    assert json.loads(done["server_config"].read_text()) == {"VoilaConfiguration": {"template": "clonaedu"}}
    done["voila_config"].write_text('{"VoilaConfiguration": {"show_tracebacks": true}}')
    appview.install(tmp_path)  # keeps other settings
    assert json.loads(done["voila_config"].read_text())["VoilaConfiguration"] == {
        "show_tracebacks": True, "template": "clonaedu"}
