"""Re-execute notebooks top to bottom in a fresh kernel and save them with clean outputs.

    python -m clonaedu.execute notebooks/*.ipynb      (or: make notebooks)

Outputs are made deterministic for review and for nbval: no timing metadata, no saved widget
state, and widget-view model ids blanked (they are random per run and meaningless without a
kernel; the panels' PNG and text fallbacks are what GitHub and nbviewer show).

Every cell also gets slide metadata, so each notebook presents as a slideshow (RISE in
JupyterLab, or ``jupyter nbconvert --to slides``): a heading starts a slide, each panel gets a
slide of its own, the questions after a panel (and every "Check your understanding") start a
sub-slide, and the import cell is skipped.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from . import course

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _is_panel(cell) -> bool:
    return any(WIDGET_VIEW in output.get("data", {}) for output in cell.get("outputs", []))


def slide_type(cell, previous) -> str:
    """The slideshow role of ``cell`` given the cell before it (None for the first cell)."""
    source = cell.source.lstrip()
    if previous is None or (cell.cell_type == "markdown" and source.startswith("#")):
        return "slide"
    if cell.cell_type == "code" and _is_panel(cell):
        return "slide"
    if previous.cell_type == "code" and _is_panel(previous):
        return "subslide"
    if cell.cell_type == "markdown" and source.startswith("**Check your understanding**"):
        return "subslide"
    if cell.cell_type == "code" and not cell.get("outputs"):
        return "skip"  # imports: nothing to show
    return "-"


#: a code cell with this tag stays visible in JupyterLab (a student is invited to edit it)
STUDENT_EDIT = "student-edit"


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip run-specific noise from an executed notebook (in place), set the slide metadata,
    hide code cells (except those tagged ``student-edit``), write the computed time estimate
    into the first cell, and return it."""
    nb.metadata.pop("widgets", None)
    previous = None
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            hidden = STUDENT_EDIT not in cell.metadata.get("tags", [])
            cell.metadata.setdefault("jupyter", {})["source_hidden"] = hidden
            if not hidden:
                cell.metadata["jupyter"].pop("source_hidden")
            if not cell.metadata["jupyter"]:
                del cell.metadata["jupyter"]
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is not None:
                view["model_id"] = ""
        cell.metadata["slideshow"] = {"slide_type": slide_type(cell, previous)}
        previous = cell
    course.set_minutes(nb, course.minutes(nb))
    return nb


def refresh_maps(root: Path) -> None:
    """Rewrite the course map (notebook 00, README.md, docs/instructor.md) from the outline and
    the times the notebooks on disk state."""
    folder = root / "notebooks"
    minutes = {}
    for entry in course.OUTLINE:
        path = folder / entry.filename
        if path.exists():
            minutes[entry.number] = course.stated_minutes(nbformat.read(path, as_version=4))
    start = folder / course.OUTLINE[0].filename
    if start.exists():
        nb = nbformat.read(start, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown" and course.MAP_START in cell.source:
                cell.source = course.replace_map(cell.source, course.map_table(minutes, this="00"))
        nbformat.write(nb, start)
    for page, prefix in (("README.md", "notebooks/"), ("docs/instructor.md", "../notebooks/")):
        path = root / page
        if path.exists() and course.MAP_START in path.read_text():
            path.write_text(course.replace_map(path.read_text(), course.map_table(minutes, prefix)))


def execute(path: Path, timeout: int = 600) -> None:
    """Run ``path`` top to bottom in a fresh kernel; save it cleaned, with its computed time and
    its status line (version, label revision, last review) in the header."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            store_widget_state=False, resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    clean(nb)
    number = path.name[:2]
    if number.isdigit():
        course.set_status(nb, number)
    nbformat.write(nb, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for path in args.notebooks:
        print(f"executing {path}", flush=True)
        execute(path)
    refresh_maps(args.notebooks[0].resolve().parent.parent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
