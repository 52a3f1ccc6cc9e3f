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


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip run-specific noise from an executed notebook (in place), set the slide metadata,
    and return it."""
    nb.metadata.pop("widgets", None)
    previous = None
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is not None:
                view["model_id"] = ""
        cell.metadata["slideshow"] = {"slide_type": slide_type(cell, previous)}
        previous = cell
    return nb


def execute(path: Path, timeout: int = 600) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            store_widget_state=False, resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    nbformat.write(clean(nb), path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for path in args.notebooks:
        print(f"executing {path}", flush=True)
        execute(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
