"""Figure export (clonaedu figures) and handouts (clonaedu handouts)."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest
from matplotlib.figure import Figure
from PIL import Image

import clonaedu
from clonaedu import cli, export, panels, plots
from clonaedu.present import mode

ROOT = Path(__file__).resolve().parent.parent
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SMALL = 640  # the test exports every figure at the smallest width allowed (fast); one at 1920


@pytest.fixture(autouse=True)
def house_mode():
    clonaedu.present(False)
    yield
    clonaedu.present(False)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("figures")
    return out, export.export_figures(out, width_px=SMALL)


# -- the registry -------------------------------------------------------------------------------
def test_every_figure_function_and_panel_class_is_in_the_registry():
    registered = [entry.origin for entry in export.REGISTRY]
    assert len(registered) == len(set(registered))
    assert set(registered) == export.discover()
    # discover() really looks: it finds each kind, and every public panel
    found = export.discover()
    assert "clonaedu.plots.taper_figure" in found and "clonaedu.panels.TaperPlanner" in found
    assert "clonaedu.plots.new_figure" not in found and "clonaedu.panels.FigurePanel" not in found
    public_panels = {f"clonaedu.panels.{n}" for n in panels.__all__ if n != "FigurePanel"}
    public_figures = {f"clonaedu.plots.{n}" for n in plots.__all__ if n.endswith("_figure") and n != "new_figure"}
    assert public_panels | public_figures <= found


def test_discover_would_notice_a_new_figure(monkeypatch):
    from clonaedu.plots import dosing

    def extra_figure():
        return None

    extra_figure.__module__ = dosing.__name__
    monkeypatch.setattr(dosing, "extra_figure", extra_figure, raising=False)
    assert "clonaedu.plots.extra_figure" in export.discover() - {e.origin for e in export.REGISTRY}


def test_each_figure_is_filed_under_the_notebook_that_uses_it():
    names = [entry.name for entry in export.REGISTRY]
    assert len(names) == len(set(names))
    for entry in export.REGISTRY:
        (path,) = (ROOT / "notebooks").glob(f"{entry.notebook}_*.ipynb")
        code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        if entry.source.__name__ == "equivalence_figure":  # the static twin of EquivalenceExplorer
            assert "EquivalenceExplorer(" in code
        else:
            assert f"{entry.source.__name__}(" in code, entry.name
    assert [e.name for e in export.REGISTRY][:3] == ["01_dose_explorer", "01_lay_bands_figure", "02_single_dose_panel"]


# -- the files ----------------------------------------------------------------------------------
def test_export_writes_a_valid_png_svg_and_alt_text_for_every_figure(exported):
    out, written = exported
    assert [e.name for e in written] == [e.name for e in export.REGISTRY]
    for item in written:
        png = (out / f"{item.name}.png").read_bytes()
        assert png.startswith(PNG_SIGNATURE), item.name
        with Image.open(io.BytesIO(png)) as image:
            image.verify()
        with Image.open(io.BytesIO(png)) as image:
            assert image.format == "PNG" and image.width == SMALL and 150 < image.height < SMALL
            assert image.text["Description"] == item.alt  # alt text inside the PNG too
        root = ET.parse(out / f"{item.name}.svg").getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        described = [el.text for el in root.iter() if el.tag.endswith("}description")]
        assert described == [item.alt], item.name  # alt text inside the SVG's metadata too
        alt = (out / f"{item.name}.alt.txt").read_text(encoding="utf-8")
        assert alt == item.alt + "\n" and len(item.alt) > 80
        assert item.footer.count("Sources: ") == 1 and re.search(r"Sources: \w+", item.footer)
    index = json.loads((out / "figures.json").read_text(encoding="utf-8"))
    assert [row["name"] for row in index] == [e.name for e in written]
    assert all(row["alt"] and row["footer"] and row["png"].endswith(".png") for row in index)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["figures.json"] + [f"{e.name}.{ext}" for e in written for ext in ("png", "svg", "alt.txt")])


def test_panel_alt_text_describes_the_starting_state(exported):
    _, written = exported
    alt = {e.name: e.alt for e in written}
    explorer = alt["01_dose_explorer"]
    assert explorer.startswith("Dose explorer, as it starts (Indication: Panic disorder; Population: Adult; "
                               "Total daily dose (mg/day): 1; Doses per day: 2).")
    assert "horizontal axis: Total daily dose (mg/day)" in explorer
    assert "Message under the figure: 1 mg/day (0.5 mg twice daily)" in explorer
    assert "Child's weight" not in explorer  # a hidden control is not a setting
    comparison = alt["04_dose_comparison_panel"]
    assert "0.5: on; 1: on; 2: on" in comparison and ": off" not in comparison and ".." not in comparison
    assert alt["07_taper_figure"] == plots.taper_figure().alt  # static figures keep their own alt text


def test_default_export_is_slide_sized_deterministic_and_draws_the_moving_parts(tmp_path):
    entry = export.REGISTRY[0]  # the dose explorer: its marker is an animated artist
    first = export.export_figures(tmp_path / "a", entries=[entry])[0]
    again = export.export_figures(tmp_path / "b", entries=[entry])[0]
    with Image.open(first.png) as image:
        assert image.width == export.SLIDE_WIDTH_PX == 1920
    assert first.svg.read_bytes() == again.svg.read_bytes()
    assert first.png.read_bytes() == again.png.read_bytes()
    # without its animated artists (marker and callout) the picture would differ
    panel = panels.DoseExplorer()
    for artist in panel._animated:
        artist.set_visible(False)
    bare = export._write_figure(tmp_path, "bare", panel.figure, panel.title, "alt text", panel, 1920)
    assert bare.png.read_bytes() != first.png.read_bytes()
    assert all(artist.get_animated() for artist in panel._animated)  # restored for the panel


def test_projector_export_uses_the_projector_look(tmp_path):
    entry = next(e for e in export.REGISTRY if e.name == "01_lay_bands_figure")
    house = export.export_figures(tmp_path / "house", entries=[entry], width_px=SMALL)[0]
    projector = export.export_figures(tmp_path / "projector", entries=[entry], width_px=SMALL, projector=True)[0]
    assert mode() == "house"  # restored after the export
    assert house.png.read_bytes() != projector.png.read_bytes()
    with Image.open(house.png) as a, Image.open(projector.png) as b:
        assert a.size == b.size  # same figure, same width: only the look differs


def test_a_figure_without_sources_footer_or_alt_text_is_refused(tmp_path):
    def bare_figure():
        fig, ax = plots.new_figure()
        ax.plot([0, 1], [0, 1])
        return plots.StaticFigure(fig, "A line.")

    with pytest.raises(ValueError, match="needs its sources footer"):
        export.export_figures(tmp_path, entries=[export.CourseFigure("99", bare_figure)])
    fig = Figure()
    plots.add_footer(fig, ["fda_klonopin_2023"])
    with pytest.raises(ValueError, match="needs alt text"):
        export._write_figure(tmp_path, "x", fig, "t", "  ", None, 800)
    with pytest.raises(ValueError, match="width_px must be a whole number of pixels"):
        export.export_figures(tmp_path, width_px=100)


# -- the command --------------------------------------------------------------------------------
def test_figures_command_writes_into_a_new_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(export, "REGISTRY", export.REGISTRY[1:2])  # one figure keeps it quick
    out = tmp_path / "new" / "figures"
    assert cli.main(["figures", "--out", str(out), "--width", "800"]) == 0
    assert (out / "01_lay_bands_figure.png").read_bytes().startswith(PNG_SIGNATURE)
    assert "wrote 1 figures to" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["figures"], "the following arguments are required: --out"),
    (["figures", "--out", "x", "--width", "10"], "--width 10 is outside 640 to 7680 pixels"),
    (["figures", "--out", "x", "--width", "wide"], "--width 'wide' is not a whole number"),
    (["handouts", "--out", "x", "--notebook", "11"], "unknown notebook '11'; choose from 00, 01"),
    (["handouts", "--out", "x", "--pdf", "--no-pdf"], "not allowed with argument"),
])
def test_bad_arguments_exit_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # should an argument list become valid, it writes here, not into the repo
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not any(tmp_path.iterdir()), "a refused command wrote files"


def test_out_must_be_a_folder(tmp_path, capsys):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    for command in ("figures", "handouts"):
        with pytest.raises(SystemExit) as exit_info:
            cli.main([command, "--out", str(a_file)])
        assert exit_info.value.code == 2
        assert "is a file; give a folder" in capsys.readouterr().err


# -- handouts -----------------------------------------------------------------------------------
NB02 = ROOT / "notebooks" / "02_one_dose_over_time.ipynb"


def test_a_handout_is_one_self_contained_page_with_its_title_figures_and_folded_answers():
    title, page = export.handout_html(NB02)
    assert title == "02 · One dose over time"
    assert f"<title>{title}</title>" in page and ">02 · One dose over time<" in page
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64,[A-Za-z0-9+/=]{1000,}', page)) >= 1
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', page)  # nothing fetched
    assert "SingleDosePanel(dose_mg=1.0)" not in page  # code hidden ...
    assert "Learning objectives" in page and "Check your understanding" in page  # ... prose kept
    # each answer is inside its <details> (folded), not after it
    for block in re.findall(r"<details>(.*?)</details>", page, re.S):
        assert "<summary>" in block and re.search(r"</summary>\s*\S", block)
    assert page.count("<details>") == page.count("</details>") >= 3


def test_handouts_command_html_only(tmp_path, capsys):
    out = tmp_path / "handouts"
    assert cli.main(["handouts", "--out", str(out), "--notebook", "02", "0", "--no-pdf"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["00_start_here.html", "02_one_dose_over_time.html", "index.html"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="02_one_dose_over_time.html">02 · One dose over time</a>' in index and "PDF" not in index
    assert "Educational material, not medical advice." in index
    assert "2 handouts in" in capsys.readouterr().err


def test_pdf_without_a_browser(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CLONAEDU_CHROMIUM", str(tmp_path / "no-such-browser"))
    assert export.find_chromium() is None
    assert cli.main(["handouts", "--out", str(tmp_path / "a"), "--notebook", "00", "--pdf"]) == 1
    assert "PDF needs Chromium or Chrome" in capsys.readouterr().err
    lines = []
    made = export.build_handouts(tmp_path / "b", [ROOT / "notebooks" / "00_start_here.ipynb"], log=lines.append)
    assert made[0].pdf is None and made[0].html.is_file()
    assert lines[0].startswith("PDF skipped: no Chromium or Chrome found")


def test_pdf_with_a_browser(tmp_path):
    if export.find_chromium() is None:
        pytest.skip("no Chromium or Chrome installed (apt-get install chromium)")
    made = export.build_handouts(tmp_path, [ROOT / "notebooks" / "00_start_here.ipynb"], pdf=True, log=lambda _: None)
    pdf = made[0].pdf.read_bytes()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 20_000
    assert '(<a href="00_start_here.pdf">PDF</a>)' in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_notebook_paths():
    assert [p.name[:2] for p in export.notebook_paths()] == [f"{i:02d}" for i in range(len(export.notebook_paths()))]
    assert export.notebook_paths(numbers=["02", "00", "02"])[0].name == "02_one_dose_over_time.ipynb"
    with pytest.raises(ValueError, match="no notebook numbered 42"):
        export.notebook_paths(numbers=["42"])
