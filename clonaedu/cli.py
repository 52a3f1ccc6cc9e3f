"""The ``clonaedu`` command (also ``python -m clonaedu.cli``).

    clonaedu answers --out answer_key.html            every question with its answer, explanation
                                                      and source, grouped by notebook (printable)
    clonaedu answers --out - --notebook 02 03         only some notebooks, to standard output
    clonaedu questions                                how many questions each notebook has (and
                                                      whether the bank is valid)
    clonaedu questions --stats                        and the bank's statistics (answer positions,
                                                      longest-option rate, levels, use in the notebooks)
    clonaedu questions --format qti --out bank.zip    the bank as a Canvas QTI package (needs text2qti:
                                                      pip install 'clonaedu[lms]')
    clonaedu questions --format moodle --out bank.xml the bank as Moodle XML
        --notebook 02 03                              only some notebooks; --shuffle-seed N: another
                                                      order of questions and options (one per section)
    clonaedu figures --out DIR                        every course figure as PNG (1920 px wide),
                                                      SVG and alt text, for slides and LMS pages
    clonaedu figures --out DIR --projector            the same in the projector look
    clonaedu handouts --out DIR                       each notebook as a static HTML page (and PDF
                                                      when Chromium or Chrome is installed)
    clonaedu bundle --out DIR                         the instructor bundle: answer key, handouts,
                                                      figures, slides, worksheets, case guide; DIR.zip
    clonaedu hub-link --hub URL [--notebook NN]       an nbgitpuller link that opens the course on a
                     [--app]                          university JupyterHub (--app: the app view)

``--data DIR`` reads the tables from another data folder (a copy being edited). Exit status:
0 on success, 1 when the question bank is invalid (the message names the row and column) or
a PDF asked for with ``--pdf`` cannot be made, 2 for a bad argument (argparse's usage message,
or a clear reason).
Standard library only (argparse); the HTML comes from :func:`clonaedu.quiz.answer_key_html`,
figures and handouts from :mod:`clonaedu.export`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__, course

_NOTEBOOKS = tuple(nb.number for nb in course.OUTLINE[1:])


def _notebook(value: str) -> str:
    text = value.strip()
    if text.isdigit() and f"{int(text):02d}" in _NOTEBOOKS:
        return f"{int(text):02d}"
    raise argparse.ArgumentTypeError(f"unknown notebook {value!r}; choose from {', '.join(_NOTEBOOKS)}")


def _data_dir(value: str) -> Path:
    path = Path(value)
    if not (path / "schemas").is_dir():
        raise argparse.ArgumentTypeError(f"{value!r} is not a data folder (it has no schemas/ folder)")
    return path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clonaedu",
        description="clonaedu course tools (educational material, not medical advice).",
    )
    parser.add_argument("--version", action="version", version=f"clonaedu {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    answers = sub.add_parser(
        "answers", help="write the instructor answer key as printable HTML",
        description="Write every question of the bank with its answer, explanation and source "
                    "citation, grouped by notebook, as one printable HTML page.")
    answers.add_argument("--out", "-o", required=True, metavar="FILE",
                         help="the HTML file to write ('-' for standard output)")
    answers.add_argument("--notebook", "-n", nargs="+", type=_notebook, metavar="NN",
                         help="only these notebooks (01 to 10); default: all")
    answers.add_argument("--shuffle-seed", type=_seed, default=0, metavar="N",
                         help="list the options in the order of seed N (the key for an LMS export made with "
                              "the same seed); default 0, the order the notebooks show")
    answers.add_argument("--data", type=_data_dir, metavar="DIR", help="read the tables from DIR instead of the course's data")

    questions = sub.add_parser(
        "questions", help="check the question bank, count questions per notebook, or export it to an LMS",
        description="Load and validate the question bank (data/questions.csv, question_meta.csv, "
                    "question_feedback.csv); print the number of questions per notebook, or write the bank "
                    "as a Canvas QTI package (--format qti) or Moodle XML (--format moodle). Exports hold the "
                    "single-choice, multiple-answer and numeric questions with their feedback.")
    questions.add_argument("--format", "-f", choices=("qti", "moodle"), help="write the bank in this LMS format")
    questions.add_argument("--out", "-o", metavar="FILE", help="the file to write (qti: a .zip; moodle: a .xml)")
    questions.add_argument("--notebook", "-n", nargs="+", type=_notebook, metavar="NN",
                           help="only these notebooks (01 to 10); default: all")
    questions.add_argument("--shuffle-seed", type=_seed, default=0, metavar="N",
                           help="shuffle the questions and their options with seed N (one order per class "
                                "section); default 0: file order, options as the notebooks show them")
    questions.add_argument("--stats", action="store_true",
                           help="also print the bank's statistics (answer positions, longest-option rate, levels, "
                                "share asked in the notebooks)")
    questions.add_argument("--data", type=_data_dir, metavar="DIR", help="read the tables from DIR instead of the course's data")

    figures = sub.add_parser(
        "figures", help="write every course figure as PNG, SVG and alt text (for slides and LMS pages)",
        description="Write every course figure in its default state (each static figure and the "
                    "starting figure of each panel) as NN_name.png at slide resolution, NN_name.svg "
                    "and NN_name.alt.txt, with its sources footer, plus figures.json listing them.")
    figures.add_argument("--out", "-o", required=True, metavar="DIR", help="the folder to write into (created if needed)")
    figures.add_argument("--projector", action="store_true", help="draw them in the projector look (clonaedu.present())")
    figures.add_argument("--width", type=_width, default=1920, metavar="PX",
                         help="width of the PNGs in pixels, 640 to 7680 (default 1920)")

    handouts = sub.add_parser(
        "handouts", help="build each notebook as a static HTML page (and PDF when a browser is installed)",
        description="Write each course notebook as one self-contained HTML page (code hidden, figures "
                    "embedded, answers folded) and, when Chromium or Chrome is installed, a PDF; plus "
                    "index.html. Uses the outputs saved in the notebooks.")
    handouts.add_argument("--out", "-o", required=True, metavar="DIR", help="the folder to write into (created if needed)")
    handouts.add_argument("--notebook", "-n", nargs="+", type=_any_notebook, metavar="NN",
                          help="only these notebooks (00 to 10); default: all")
    pdf = handouts.add_mutually_exclusive_group()
    pdf.add_argument("--pdf", dest="pdf", action="store_true", default=None,
                     help="require PDFs (fail when no Chromium or Chrome is found)")
    pdf.add_argument("--no-pdf", dest="pdf", action="store_false", help="HTML only")

    bundle = sub.add_parser(
        "bundle", help="build the instructor bundle (a folder and a zip; no Python needed to use it)",
        description="Build, offline, everything an instructor hands out or projects into DIR and DIR.zip: "
                    "the answer key, handouts (HTML, PDF with Chromium), the figure pack in two styles, "
                    "short slide decks (reveal.js bundled), predict worksheets and the case facilitator guide.")
    bundle.add_argument("--out", "-o", required=True, metavar="DIR", help="the folder to build (replaced if it is a previous bundle)")
    bundle_pdf = bundle.add_mutually_exclusive_group()
    bundle_pdf.add_argument("--pdf", dest="pdf", action="store_true", default=None,
                            help="require PDF handouts (fail when no Chromium or Chrome is found)")
    bundle_pdf.add_argument("--no-pdf", dest="pdf", action="store_false", help="HTML handouts only (faster)")
    bundle.add_argument("--no-pages", dest="pages", action="store_false",
                        help="leave out the kernel-free panel pages (faster, about 15 MB smaller)")

    hub = sub.add_parser(
        "hub-link", help="print an nbgitpuller link that opens the course on a JupyterHub",
        description="Print a link that, clicked by a student signed in to a JupyterHub with nbgitpuller "
                    "installed, clones (or updates) the course into the student's home folder and opens "
                    "a notebook in JupyterLab (or, with --app, in the app view).")
    hub.add_argument("--hub", required=True, type=_hub_url, metavar="URL",
                     help="the hub's address, e.g. https://jupyter.example.edu")
    hub.add_argument("--notebook", "-n", type=_any_notebook, default="00", metavar="NN",
                     help="the notebook to open (default 00, the start page)")
    hub.add_argument("--app", action="store_true", help="open it in the app view (Voila) instead of JupyterLab")
    hub.add_argument("--repo", default=REPOSITORY, metavar="URL", help=f"the git repository (default {REPOSITORY})")
    hub.add_argument("--branch", default="main", help="the branch (default main)")

    pages = sub.add_parser(
        "pages", help="write every panel as a self-contained web page that works without a kernel",
        description="Write one self-contained HTML file per course panel (native controls, the figure, "
                    "alt text and message for every setting the page offers, a few lines of script; no "
                    "network, no kernel) plus index.html, for LMS pages, offline rooms and large classes.")
    pages.add_argument("--out", "-o", required=True, metavar="DIR", help="the folder to write into (created if needed)")
    pages.add_argument("--page", nargs="+", metavar="SLUG", help="only these pages (e.g. 02_single_dose); default: all")
    return parser


#: the course's public repository (README's [repo] link; a test keeps them equal)
REPOSITORY = "https://github.com/clonaedu/clonaedu"


def _hub_url(value: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise argparse.ArgumentTypeError(
            f"--hub {value!r} is not a hub address; give one like https://jupyter.example.edu")
    path = parts.path.rstrip("/")
    for tail in ("/hub/home", "/hub", "/hub/login"):
        if path.endswith(tail):
            path = path[: -len(tail)]
            break
    return f"{parts.scheme}://{parts.netloc}{path}"


def hub_link(hub: str, notebook: str, *, app: bool = False, repo: str = REPOSITORY, branch: str = "main") -> str:
    """The nbgitpuller link (``{hub}/hub/user-redirect/git-pull?repo=...&branch=...&urlpath=...``)
    that clones ``repo`` into the student's home folder, in a folder named after it, and opens
    ``notebooks/{notebook}`` there in JupyterLab (``lab/tree/...``) or the app view (``voila/render/...``)."""
    from urllib.parse import urlencode

    folder = repo.rstrip("/").removesuffix(".git").rsplit("/", 1)[-1]
    view = "voila/render" if app else "lab/tree"
    query = urlencode({"repo": repo, "branch": branch, "urlpath": f"{view}/{folder}/notebooks/{notebook}"})
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def _bundle(args, parser: argparse.ArgumentParser) -> int:
    from . import bundle

    out = _out_folder(args.out, parser)
    try:
        made = bundle.build_bundle(out, pdf=args.pdf, pages=args.pages, log=lambda line: print(line, file=sys.stderr))
    except ValueError as exc:
        parser.error(str(exc))
    except RuntimeError as exc:
        print(f"clonaedu bundle: {exc}", file=sys.stderr)
        return 1
    print(f"open {made.folder / 'index.html'}; zip: {made.zip_path}", file=sys.stderr)
    return 0


def _hub_link(args, parser: argparse.ArgumentParser) -> int:
    from . import export

    try:
        [path] = export.notebook_paths(numbers=[args.notebook])
    except ValueError as exc:
        parser.error(str(exc))
    print(hub_link(args.hub, path.name, app=args.app, repo=args.repo, branch=args.branch))
    return 0


def _seed(value: str) -> int:
    try:
        seed = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shuffle-seed {value!r} is not a whole number") from None
    if seed < 0:
        raise argparse.ArgumentTypeError(f"--shuffle-seed {seed} is negative; use 0 or more")
    return seed


def _width(value: str) -> int:
    try:
        width = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--width {value!r} is not a whole number of pixels") from None
    if not 640 <= width <= 7680:
        raise argparse.ArgumentTypeError(f"--width {width} is outside 640 to 7680 pixels")
    return width


def _any_notebook(value: str) -> str:
    text = value.strip()
    if text.isdigit() and (int(text) == 0 or f"{int(text):02d}" in _NOTEBOOKS):
        return f"{int(text):02d}"
    raise argparse.ArgumentTypeError(f"unknown notebook {value!r}; choose from 00, {', '.join(_NOTEBOOKS)}")


def _out_folder(value: str, parser: argparse.ArgumentParser) -> Path:
    out = Path(value)
    if out.exists() and not out.is_dir():
        parser.error(f"--out {value!r} is a file; give a folder")
    return out


def _load_bank(data_dir: Path | None):
    from . import quiz
    from .data import Dataset

    return quiz.bank(Dataset(data_dir) if data_dir is not None else None)


def _answers(args, parser: argparse.ArgumentParser) -> int:
    from . import quiz

    out = None if args.out == "-" else Path(args.out)
    if out is not None:
        if out.exists() and out.is_dir():
            parser.error(f"--out {args.out!r} is a folder; give a file name such as answer_key.html")
        if not out.parent.is_dir():
            parser.error(f"--out {args.out!r}: the folder {str(out.parent)!r} does not exist")
    qbank = _load_bank(args.data)
    page = quiz.answer_key_html(qbank, notebooks=args.notebook, seed=args.shuffle_seed)
    if out is None:
        sys.stdout.write(page)
        return 0
    out.write_text(page, encoding="utf-8")
    shown = sum(len(qbank.for_notebook(nb)) for nb in (args.notebook or qbank.notebooks))
    print(f"wrote {out} ({shown} questions)", file=sys.stderr)
    return 0


def _questions(args, parser: argparse.ArgumentParser) -> int:
    from . import quiz

    if args.format and not args.out:
        parser.error(f"--format {args.format} needs --out FILE")
    if args.out and not args.format:
        parser.error("--out needs --format qti or --format moodle")
    out = Path(args.out) if args.out else None
    if out is not None:
        if out.is_dir():
            parser.error(f"--out {args.out!r} is a folder; give a file name")
        if not out.parent.is_dir():
            parser.error(f"--out {args.out!r}: the folder {str(out.parent)!r} does not exist")
        wanted = ".zip" if args.format == "qti" else ".xml"
        if out.suffix.lower() != wanted:
            parser.error(f"--format {args.format} writes a {wanted} file; --out {args.out!r} does not end in {wanted}")
    qbank = _load_bank(args.data)
    if out is None:
        for nb, n in qbank.counts().items():
            if args.notebook is None or nb in args.notebook:
                print(f"{nb} · {quiz.NOTEBOOK_TITLES[nb]}: {n}")
        print(f"total: {len(qbank.select(args.notebook))}")
        if args.stats:
            from .quiz import stats

            notebooks = Path(__file__).resolve().parent.parent / "notebooks"  # a clone of the repository
            asked = stats.asked_in_notebooks(qbank, notebooks) if notebooks.is_dir() else None
            print(stats.format_stats(stats.bank_stats(qbank, seed=args.shuffle_seed), asked, len(qbank)))
        return 0
    from .quiz import lms

    try:
        export = lms.select(qbank, args.notebook, seed=args.shuffle_seed)
    except ValueError as exc:
        parser.error(str(exc))
    try:
        if args.format == "qti":
            out.write_bytes(lms.qti_package(export, args.notebook))
        else:
            out.write_text(lms.moodle_xml(export, args.notebook), encoding="utf-8")
    except RuntimeError as exc:
        print(f"clonaedu questions: {exc}", file=sys.stderr)
        return 1
    skipped = (f"; left out {len(export.skipped)} ordered-response or true/false-matrix questions, which "
               f"{'Canvas QTI' if args.format == 'qti' else 'Moodle XML'} export does not cover"
               if export.skipped else "")
    print(f"wrote {out} ({len(export.written)} questions, option order {args.shuffle_seed}{skipped})",
          file=sys.stderr)
    return 0


def _figures(args, parser: argparse.ArgumentParser) -> int:
    from . import export

    out = _out_folder(args.out, parser)
    written = export.export_figures(out, projector=args.projector, width_px=args.width)
    look = "projector" if args.projector else "house"
    print(f"wrote {len(written)} figures to {out} ({look} look, PNG {args.width} px wide, SVG, alt text; "
          f"figures.json lists them)", file=sys.stderr)
    return 0


def _handouts(args, parser: argparse.ArgumentParser) -> int:
    from . import export

    out = _out_folder(args.out, parser)
    try:
        paths = export.notebook_paths(numbers=args.notebook)
    except ValueError as exc:
        parser.error(str(exc))
    if not paths:
        parser.error(f"no notebooks found in {export.NOTEBOOK_DIR} (run from a clone of the repository)")
    try:
        made = export.build_handouts(out, paths, pdf=args.pdf, log=lambda line: print(line, file=sys.stderr))
    except RuntimeError as exc:
        print(f"clonaedu handouts: {exc}", file=sys.stderr)
        return 1
    pdfs = sum(h.pdf is not None for h in made)
    print(f"{len(made)} handouts in {out} ({pdfs} PDF); open {out / 'index.html'}", file=sys.stderr)
    return 0


def _pages(args, parser: argparse.ArgumentParser) -> int:
    from . import pages

    out = _out_folder(args.out, parser)
    if args.page:
        for slug in args.page:
            try:
                pages.page_by_slug(slug)
            except pages.PageError as exc:
                parser.error(str(exc))
    stats = pages.build(out, args.page, log=lambda line: print(line, file=sys.stderr))
    total = sum(row["bytes"] for row in stats) / 1e6
    print(f"{len(stats)} pages in {out} ({total:.1f} MB); open {out / 'index.html'}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (argparse exits with 2 on a bad argument)."""
    from .data import DataError

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        if args.command == "answers":
            return _answers(args, parser)
        if args.command == "figures":
            return _figures(args, parser)
        if args.command == "pages":
            return _pages(args, parser)
        if args.command == "handouts":
            return _handouts(args, parser)
        if args.command == "hub-link":
            return _hub_link(args, parser)
        if args.command == "bundle":
            return _bundle(args, parser)
        return _questions(args, parser)
    except DataError as exc:
        what = "the question bank" if args.command in ("answers", "questions") else "the course data"
        print(f"clonaedu {args.command}: {what} is invalid: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
