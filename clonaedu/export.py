"""Course figures and handouts for lecture slides, learning-management-system (LMS) pages and
print (used by ``clonaedu figures`` and ``clonaedu handouts``; see ``docs/instructor.md``).

Figures: :data:`REGISTRY` lists every course figure, each static ``*_figure`` function in
:mod:`clonaedu.plots` and each panel class in :mod:`clonaedu.panels` (its figure as the panel
starts), with the notebook it is taught in. :func:`discover` finds the same names by looking
through the packages, and a test checks the two agree, so a new figure or panel cannot be left
out. :func:`export_figures` writes each one as

* ``NN_name.png``: 1920 px wide (slide resolution), alt text also in the PNG's Description;
* ``NN_name.svg``: vector, deterministic (``svg.hashsalt``, no date), alt text in its metadata;
* ``NN_name.alt.txt``: the alt text, to paste into a slide or an LMS image field;

each figure carrying its sources footer (a figure without one is refused), and one
``figures.json`` listing them all (name, title, files, alt text, footer).

Handouts: :func:`build_handouts` writes each notebook as one self-contained HTML page (code
hidden, figures embedded as PNG, answers folded in ``<details>``; no script is fetched from the
network) and, when Chromium or Chrome is installed, a PDF printed from that page by the
browser (PDF answers stay folded: the answer key is ``clonaedu answers``). Handouts show the
outputs saved in the notebooks; after editing one, run ``make notebooks`` first.

Standard library plus what clonaedu already needs (matplotlib, nbconvert from JupyterLab).
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import pkgutil
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from . import panels, plots
from .panels import FigurePanel
from .plots._style import apply_look, look
from .present import presenting

__all__ = [
    "CourseFigure", "REGISTRY", "discover", "export_figures", "Exported", "SLIDE_WIDTH_PX",
    "build_handouts", "handout_html", "Handout", "find_chromium", "notebook_paths", "NOTEBOOK_DIR",
    "describe_panel", "manifest", "print_pdf", "figure_alt",
]

#: width of the exported PNGs in pixels (a full-width 16:9 slide)
SLIDE_WIDTH_PX = 1920
#: the course notebooks, beside the package in a clone of the repository
NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"


# -- the registry ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class CourseFigure:
    """One course figure: where it comes from and how to draw it in its default state."""

    #: notebook it is taught in ("01" ...), the start of the file name
    notebook: str
    #: a static figure function (returns a StaticFigure) or a FigurePanel subclass
    source: Callable

    @property
    def origin(self) -> str:
        """Dotted name, as the public package exposes it (``clonaedu.plots.taper_figure``)."""
        package = "clonaedu.panels" if self.is_panel else "clonaedu.plots"
        return f"{package}.{self.source.__name__}"

    @property
    def is_panel(self) -> bool:
        return inspect.isclass(self.source) and issubclass(self.source, FigurePanel)

    @property
    def name(self) -> str:
        """File stem: ``02_single_dose_panel``, ``07_taper_figure``."""
        base = self.source.__name__
        if self.is_panel:
            base = re.sub(r"(?<!^)(?=[A-Z])", "_", base).lower()
        return f"{self.notebook}_{base}"

    def build(self) -> tuple[Figure, str, str, FigurePanel | None]:
        """Draw it in its default state: ``(figure, title, alt text, panel or None)``."""
        if self.is_panel:
            panel = self.source()
            return panel.figure, panel.title, describe_panel(panel), panel
        static = self.source()
        return static.figure, _figure_title(static.figure, self.source.__name__), static.alt, None


#: Every course figure, in course order. A test checks this against :func:`discover`.
REGISTRY: tuple[CourseFigure, ...] = (
    CourseFigure("01", panels.DoseExplorer),
    CourseFigure("01", plots.lay_bands_figure),
    CourseFigure("02", panels.SingleDosePanel),
    CourseFigure("03", panels.RegimenPanel),
    CourseFigure("04", plots.tradeoff_figure),
    CourseFigure("04", panels.DoseComparisonPanel),
    CourseFigure("05", panels.WhoNeedsLessPanel),
    CourseFigure("07", plots.taper_figure),
    CourseFigure("07", panels.TaperPlanner),
    CourseFigure("08", plots.next_day_figure),
    CourseFigure("09", plots.onset_dependence_figure),
    CourseFigure("09", panels.EquivalenceExplorer),
    CourseFigure("09", plots.equivalence_figure),
    CourseFigure("09", plots.half_life_figure),
)


def discover() -> set[str]:
    """Dotted names of every public ``*_figure`` function in the modules of
    :mod:`clonaedu.plots` and every public FigurePanel subclass in the modules of
    :mod:`clonaedu.panels` (found by importing each module), as ``clonaedu.plots.NAME`` /
    ``clonaedu.panels.NAME``."""
    found = set()
    for package, wanted in ((plots, _is_figure_function), (panels, _is_panel_class)):
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.startswith("_"):  # _style (new_figure is a helper, not a figure), _base
                continue
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for name, obj in vars(module).items():
                if not name.startswith("_") and getattr(obj, "__module__", None) == module.__name__ and wanted(name, obj):
                    found.add(f"{package.__name__}.{name}")
    return found


def _is_figure_function(name: str, obj) -> bool:
    return inspect.isfunction(obj) and name.endswith("_figure")


def _is_panel_class(name: str, obj) -> bool:
    return inspect.isclass(obj) and issubclass(obj, FigurePanel) and obj is not FigurePanel


# -- alt text and titles ---------------------------------------------------------------------------
def _figure_title(fig: Figure, fallback: str) -> str:
    """The first axes title (the house style titles on the left), else the function's name."""
    for ax in fig.axes:
        text = _one_line(ax.get_title(loc="left") or ax.get_title())
        if text:
            return text
    return fallback.replace("_", " ")


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def describe_panel(panel: FigurePanel) -> str:
    """Alt text for a panel's figure as it starts, built from what the panel shows: its
    settings, each plot's title and axis labels, the labels drawn on the figure, and the
    message under it (:meth:`FigurePanel.describe`; the live panel keeps the same description,
    without the message, as its figure's alt text)."""
    return panel.describe(starting=True, message=True)


def _footer(fig: Figure) -> str:
    for text in fig.texts:
        if "Sources: " in text.get_text():
            return _one_line(text.get_text())
    raise ValueError("every exported figure needs its sources footer (plots.add_footer)")


# -- figures --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Exported:
    """One exported figure: its files, title, alt text and footer."""

    name: str
    png: Path
    svg: Path
    alt_file: Path
    title: str
    alt: str
    footer: str


def export_figures(out_dir: str | os.PathLike, *, projector: bool = False, width_px: int = SLIDE_WIDTH_PX,
                   entries: Iterable[CourseFigure] | None = None) -> list[Exported]:
    """Write every course figure (default: all of :data:`REGISTRY`) in its default state into
    ``out_dir`` (created if needed) as PNG ``width_px`` wide, SVG and alt text; see the module
    docstring. ``projector=True`` draws them in the projector look. Returns what was written."""
    if not isinstance(width_px, int) or not 640 <= width_px <= 7680:
        raise ValueError(f"width_px must be a whole number of pixels from 640 to 7680, not {width_px!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with presenting(projector):
        for entry in REGISTRY if entries is None else entries:
            fig, title, alt, panel = entry.build()
            written.append(_write_figure(out, entry.name, fig, title, alt, panel, width_px))
    (out / "figures.json").write_text(manifest(written) + "\n", encoding="utf-8")
    return written


def _write_figure(out: Path, name: str, fig: Figure, title: str, alt: str, panel, width_px: int) -> Exported:
    footer = _footer(fig)
    if not alt.strip():
        raise ValueError(f"{name}: every course figure needs alt text")
    # A panel draws its moving artists over a cached background ("animated"); a plain savefig
    # would leave them out, so draw them as ordinary artists while saving.
    animated = list(panel._animated) if panel is not None else []
    for artist in animated:
        artist.set_animated(False)
    apply_look(fig)
    style = look(getattr(fig, "_clonaedu_look", "house")).rc
    dpi = width_px / fig.get_figwidth()
    paths = {ext: out / f"{name}.{ext}" for ext in ("png", "svg")}
    try:
        with matplotlib.rc_context(style):
            fig.savefig(paths["png"], format="png", dpi=dpi,
                        metadata={"Software": None, "Title": title, "Description": alt})
            fig.savefig(paths["svg"], format="svg", dpi=dpi,
                        metadata={"Date": None, "Creator": None, "Title": title, "Description": alt})
    finally:
        for artist in animated:
            artist.set_animated(True)
    alt_file = out / f"{name}.alt.txt"
    alt_file.write_text(alt.strip() + "\n", encoding="utf-8")
    return Exported(name, paths["png"], paths["svg"], alt_file, title, alt.strip(), footer)


# -- handouts -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Handout:
    """One notebook's handout: its title, the HTML page and the PDF (None when not made)."""

    notebook: Path
    title: str
    html: Path
    pdf: Path | None


def notebook_paths(folder: str | os.PathLike = NOTEBOOK_DIR, numbers: Iterable[str] | None = None) -> list[Path]:
    """The course notebooks ``NN_*.ipynb`` in ``folder`` (all, or those numbered ``numbers``)."""
    found = sorted(Path(folder).glob("[0-9][0-9]_*.ipynb"))
    if numbers is None:
        return found
    wanted = list(dict.fromkeys(numbers))
    by_number = {p.name[:2]: p for p in found}
    missing = [n for n in wanted if n not in by_number]
    if missing:
        raise ValueError(f"no notebook numbered {', '.join(missing)} in {folder} "
                         f"(there are {', '.join(by_number) or 'none'})")
    return [by_number[n] for n in wanted]


def _title(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, re.M)
            if match:
                return match.group(1).strip()
    return "clonaedu"


_HANDOUT_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}
{%- if resources.clonaedu_math -%}{{ super() }}{%- endif -%}
{%- endblock html_head_js_mathjax -%}
{% block data_png scoped %}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}" alt="{{ output | get_metadata('alt', 'image/png') | escape_html }}">
</div>
{%- endblock data_png %}
"""


def figure_alt(output) -> str:
    """Alt text for a saved figure output: a static figure's text/plain is ``[Figure: alt]``; a panel
    saves ``[Title: run the notebook to use it] message``, which becomes "Title, an interactive
    panel, as it starts. message"."""
    text = output.get("data", {}).get("text/plain", "")
    text = re.sub(r"\s+", " ", "".join(text) if isinstance(text, list) else str(text)).strip()
    figure = re.fullmatch(r"\[Figure: (.*)\]", text)  # StaticFigure's text/plain
    if figure:
        return figure.group(1)
    match = re.match(r"\[(.+?): run the notebook to use it\]\s*(.*)", text)
    if match:
        return f"{match.group(1)}, an interactive panel, as it starts. {match.group(2)}".strip()
    return text or "Figure (no description saved in the notebook)"


def handout_html(notebook: str | os.PathLike) -> tuple[str, str]:
    """One notebook as a self-contained HTML page: ``(title, html)``. Code cells are hidden
    (students read the prose, figures, tables and panels' saved pictures); markdown, outputs and
    the folded answers stay. No script is loaded from the network (no widget state is saved,
    so require.js is not needed; MathJax only when the notebook has ``$...$`` math)."""
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(Path(notebook), as_version=4)
    title = _title(nb)
    for cell in nb.cells:  # alt text on every figure (nbconvert would say "No description ...")
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                output.setdefault("metadata", {}).setdefault("image/png", {})["alt"] = figure_alt(output)
    math = any(cell.cell_type == "markdown" and re.search(r"\$[^$\n]+\$", cell.source) for cell in nb.cells)
    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True,
                            extra_loaders=[jinja2.DictLoader({"clonaedu_handout.html.j2": _HANDOUT_TEMPLATE})],
                            template_file="clonaedu_handout.html.j2")
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}, "clonaedu_math": math})
    return title, strip_script_triggers(body)


#: an <img> (attribute values may hold ">") that carries an event handler, e.g. the accessibility
#: script's trigger (clonaedu.a11y.support_html: ``<img src="data:," hidden onerror="...">``)
_TRIGGER_IMG = re.compile(r"""<img\b(?:[^>"']|"[^"]*"|'[^']*')*?\son\w+\s*=(?:[^>"']|"[^"]*"|'[^']*')*>""", re.I)


def strip_script_triggers(page: str) -> str:
    """``page`` without images that only start a script: a handout is a static page (no widget to
    fix up, nothing to announce), so it carries no script and every <img> left is a figure."""
    return _TRIGGER_IMG.sub("", page)


def find_chromium() -> str | None:
    """A Chromium or Chrome to print PDFs with: ``$CLONAEDU_CHROMIUM``, else the first of
    chromium, chromium-browser, google-chrome, google-chrome-stable on PATH; None if none."""
    explicit = os.environ.get("CLONAEDU_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def print_pdf(html_path: Path, pdf_path: Path, browser: str, timeout_s: float = 120) -> None:
    """Print an HTML file to PDF with headless Chromium/Chrome (no network needed: the page is
    self-contained). Raises RuntimeError with the browser's message on failure."""
    with tempfile.TemporaryDirectory(prefix="clonaedu-chromium-") as profile:
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--no-pdf-header-footer",
                   f"--user-data-dir={profile}", f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"{Path(browser).name} did not finish printing {html_path.name} in {timeout_s:g} s") from None
    if done.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        raise RuntimeError(f"{Path(browser).name} could not print {html_path.name} to PDF: {tail}")


def build_handouts(out_dir: str | os.PathLike, notebooks: Iterable[str | os.PathLike] | None = None, *,
                   pdf: bool | None = None, log: Callable[[str], None] = print) -> list[Handout]:
    """Write a handout for each notebook (default: every course notebook) into ``out_dir``
    (created if needed): ``NN_name.html`` and, with ``pdf=None`` when a browser is found
    (:func:`find_chromium`), ``NN_name.pdf``. ``pdf=True`` requires PDFs (RuntimeError without
    a browser); ``pdf=False`` skips them. ``log`` receives one line per file and the PDF note.
    Also writes ``index.html`` linking every handout."""
    paths = [Path(p) for p in notebooks] if notebooks is not None else notebook_paths()
    if not paths:
        raise ValueError("no notebooks to make handouts from")
    browser = find_chromium() if pdf is not False else None
    if pdf is True and browser is None:
        raise RuntimeError("PDF needs Chromium or Chrome: apt-get install chromium, or set CLONAEDU_CHROMIUM")
    if pdf is None and browser is None:
        log("PDF skipped: no Chromium or Chrome found (apt-get install chromium, or set CLONAEDU_CHROMIUM "
            "to a Chrome binary); the HTML handouts print to PDF from any browser too.")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for path in paths:
        title, page = handout_html(path)
        html_path = out / f"{path.stem}.html"
        html_path.write_text(page, encoding="utf-8")
        log(f"wrote {html_path}")
        pdf_path = None
        if browser is not None:
            pdf_path = out / f"{path.stem}.pdf"
            print_pdf(html_path, pdf_path, browser)
            log(f"wrote {pdf_path}")
        made.append(Handout(path, title, html_path, pdf_path))
    _write_index(out, made)
    return made


def _write_index(out: Path, made: list[Handout]) -> None:
    import html

    rows = "\n".join(
        f'<li><a href="{h.html.name}">{html.escape(h.title)}</a>'
        + (f' (<a href="{h.pdf.name}">PDF</a>)' if h.pdf else "") + "</li>" for h in made)
    (out / "index.html").write_text(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>clonaedu handouts</title></head>\n"
        "<body style=\"font-family: sans-serif; max-width: 46em; margin: 2em auto\">\n"
        "<h1>clonaedu handouts</h1>\n<p><b>Educational material, not medical advice.</b> Never use it to "
        "choose, change or stop anyone's dose.</p>\n<ul>\n" + rows + "\n</ul>\n</body></html>\n", encoding="utf-8")


def manifest(exported: list[Exported]) -> str:
    """JSON text listing the exported figures (name, title, files, alt text, footer)."""
    return json.dumps([{"name": e.name, "title": e.title, "png": e.png.name, "svg": e.svg.name,
                        "alt_file": e.alt_file.name, "alt": e.alt, "footer": e.footer} for e in exported],
                      indent=2, ensure_ascii=False)
