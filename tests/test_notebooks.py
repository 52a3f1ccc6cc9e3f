"""Every notebook is complete (notice, objectives, questions, takeaways, references) and was
committed executed top to bottom. nbval (make test) replays them and compares the outputs."""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]


def _markdown(nb):
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_the_series_starts_at_00():
    assert NOTEBOOKS and NOTEBOOKS[0].name == "00_start_here.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_executed_top_to_bottom_without_errors(path):
    nb = nbformat.read(path, as_version=4)
    counts = [c.execution_count for c in _code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: execution counts {counts}"
    errors = [o for c in _code_cells(nb) for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name}: error output {errors[0].get('ename')}"
    assert "widgets" not in nb.metadata  # no saved widget state: deterministic files


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_structure(path):
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert "not medical advice" in first.source, "the educational-use notice belongs near the top"
    assert re.search(r"\*About \d+ minutes\.\*", first.source), "time estimate"
    assert "## Learning objectives" in first.source
    text = _markdown(nb)
    assert "Check your understanding" in text
    assert text.count("<details>") >= 2, "questions with answers to check"
    assert "## Takeaways" in text
    assert "## References" in text
    last = nb.cells[-1]
    assert last.cell_type == "code" and "references(" in last.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_hold_no_addresses_or_timestamps(path):
    text = path.read_text()
    assert not re.search(r"at 0x[0-9a-f]{6,}", text)
    assert not re.search(r"20\d\d-\d\d-\d\dT\d\d:\d\d", text)


def test_start_here_maps_every_notebook():
    start = nbformat.read(NOTEBOOKS[0], as_version=4)
    text = _markdown(start)
    for path in NOTEBOOKS[1:]:
        assert f"]({path.name})" in text, f"00_start_here does not link {path.name}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_slide_metadata_puts_each_panel_on_its_own_slide(path):
    nb = nbformat.read(path, as_version=4)
    kinds = [c.metadata.get("slideshow", {}).get("slide_type") for c in nb.cells]
    assert None not in kinds, f"{path.name}: cells without slide metadata (run make notebooks)"
    assert kinds[0] == "slide"
    for i, cell in enumerate(nb.cells):
        is_panel = cell.cell_type == "code" and any(
            "application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in cell.outputs)
        if is_panel:
            assert kinds[i] == "slide", f"{path.name}: panel in cell {i} does not start a slide"
        if cell.cell_type == "markdown" and cell.source.startswith("## "):
            assert kinds[i] == "slide", f"{path.name}: heading in cell {i} does not start a slide"
