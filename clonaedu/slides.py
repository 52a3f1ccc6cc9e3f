"""Short slide decks for projection, and the notebook parts the instructor bundle is built from.

:func:`parts` reads a saved notebook into what an instructor hands out or projects: its title,
time, learning objectives, sections (heading, prose, figures shown), every folded "Check your
answer" with the prompt before it, and the takeaways. :func:`deck_html` turns those into a
reveal.js deck written for a projector, not a copy of the notebook:

* a slide carries a heading, one key sentence (or a question) and, where the section shows one,
  a figure (the projector-style PNG from the figure pack when the figure is a course figure,
  else the picture saved in the notebook), with its alt text; a section with no figure but a
  question gets one slide, its question (the section's text goes to the notes), and neighbouring
  sections with neither share one slide, a line each, so most slides carry a figure;
* every slide stays short: at most :data:`MAX_WORDS` words, and a typical slide far fewer
  (:data:`TARGET_MEDIAN` is the median a test holds every deck to); anything longer goes to the
  speaker notes (press S in the deck), which carry the section's full text and each answer;
* reveal.js is bundled (``clonaedu/vendor/reveal``, copied beside the decks), so a deck opens from
  a USB stick or an LMS with no network.

Word counts are of the words shown on a slide (headings, text, bullets, captions), not of notes.
"""

from __future__ import annotations

import base64
import html
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

__all__ = ["Check", "Section", "NotebookParts", "parts", "plain", "clip", "words", "Slide", "build_slides",
           "deck_html", "slide_words", "MAX_WORDS", "TARGET_MEDIAN", "REVEAL_FILES", "copy_reveal"]

#: no slide shows more words than this
MAX_WORDS = 120
#: the median words a slide of any deck may show
TARGET_MEDIAN = 60
#: the bundled reveal.js files (clonaedu/vendor/reveal)
REVEAL_FILES = ("reveal.js", "reveal.css", "white-contrast.css", "notes.js", "LICENSE.txt", "README.md")

_SKIP_SECTIONS = ("learning objectives", "references", "takeaways")
_DETAILS = re.compile(r"<details>\s*<summary>(?P<summary>.*?)</summary>(?P<body>.*?)</details>", re.S | re.I)


# -- reading a notebook ---------------------------------------------------------------------
@dataclass
class Check:
    """A predict-then-check pair: the prompt a student sees and the folded answer."""

    prompt: str  # markdown
    answer: str  # markdown
    section: str


@dataclass
class Figure:
    """A figure shown in a section: the course figure's registry name (or None), the saved PNG
    and its alt text."""

    name: str | None
    png: bytes
    alt: str


@dataclass
class Section:
    heading: str
    prose: list[str] = field(default_factory=list)  # markdown paragraphs (answers folded out)
    figures: list[Figure] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)


@dataclass
class NotebookParts:
    path: Path
    number: str
    title: str
    minutes: str | None
    objectives: list[str]
    sections: list[Section]
    takeaways: list[str]

    @property
    def checks(self) -> list[Check]:
        return [c for s in self.sections for c in s.checks]


def plain(markdown: str) -> str:
    """Markdown (and inline HTML) as one line of plain text: links keep their words, emphasis and
    tags go."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", markdown)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"(\*\*|__|\*|`)", "", text)
    text = re.sub(r"^\s*(#+|>|[-*+]|\d+\.)\s+", "", text, flags=re.M)
    return html.unescape(re.sub(r"\s+", " ", text)).strip()


def words(text: str) -> int:
    return len(re.findall(r"[\w'’%./-]+", text))


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` words: at the end of the last whole sentence that fits,
    else at a word, with an ellipsis."""
    if words(text) <= limit:
        return text
    sentences = re.split(r"(?<=[.!?])\s+", text)
    kept = []
    for sentence in sentences:
        if words(" ".join(kept + [sentence])) > limit:
            break
        kept.append(sentence)
    if kept:
        return " ".join(kept)
    cut = text.split()
    out = []
    for token in cut:
        if words(" ".join(out + [token])) > limit - 1:
            break
        out.append(token)
    return " ".join(out).rstrip(",;:") + " …"


def _first_sentence(markdown: str) -> str:
    """The key sentence of a paragraph; a markdown table is not a sentence: a section that opens
    with one gives the table's first row instead ("term: meaning")."""
    lines = markdown.splitlines()
    prose = [line for line in lines if not line.lstrip().startswith("|")]
    if not "".join(prose).strip():
        rows = [line for line in lines if line.lstrip().startswith("|") and not re.match(r"\s*\|[\s|:-]+\|\s*$", line)]
        cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows[1:2]]
        return plain(": ".join(cells[0])) + "; …" if cells else ""
    text = plain("\n".join(prose))
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return match.group(1) if match else text


def _list_items(markdown: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"^\s*(?:[-*+]|\d+\.)\s+(.+)$", markdown, re.M)]


_MARKER = re.compile(r"\*\*(Predict|Check your understanding|Now check|Check)\b[^*]*\*\*", re.I)


def _prompt_of(markdown: str) -> str:
    """The question part of the text before a folded answer: from the last **Predict** /
    **Check your understanding** / **Now check** marker on, else the last paragraph."""
    markers = list(_MARKER.finditer(markdown))
    if markers:
        return markdown[markers[-1].start():].strip()
    paragraphs = [p for p in re.split(r"\n\s*\n", markdown) if p.strip()]
    if paragraphs and re.match(r"\s*(\d+\.|[-*+])\s", paragraphs[-1]):  # a list of questions: keep its lead-in
        start = len(paragraphs) - 1
        while start > 0 and re.match(r"\s*(\d+\.|[-*+])\s", paragraphs[start - 1]):
            start -= 1
        return "\n\n".join(paragraphs[start:]).strip()
    return paragraphs[-1].strip() if paragraphs else ""


def _course_figure_names(code: str) -> list[str]:
    from .export import REGISTRY

    return [entry.name for entry in REGISTRY if re.search(rf"\b{entry.source.__name__}\s*\(", code)]


def _figures(cell, names: list[str]) -> list[Figure]:
    from .export import figure_alt

    found = []
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if "image/png" not in data:
            continue
        alt = figure_alt(out)
        name = names[len(found)] if len(found) < len(names) else None
        found.append(Figure(name, base64.b64decode(data["image/png"]), alt))
    return found


def _folded_outputs(cell) -> list[str]:
    """The folded answers a code cell displays (``display.folded``: a ``<details>`` whose summary
    starts "Check your answer"), as markdown."""
    found = []
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        for mime in ("text/markdown", "text/html"):
            text = data.get(mime)
            if text is None:
                continue
            text = "".join(text) if isinstance(text, list) else str(text)
            found += [m.group("body").strip() for m in _DETAILS.finditer(text)
                      if m.group("summary").strip().lower().startswith("check your answer")]
            break
    return found


def _extend_answer(section: Section, cell) -> None:
    """A folded answer a code cell shows (a table of answers under a check) belongs to the check
    before it: it is added to that check's answer, not counted as a check of its own."""
    for body in _folded_outputs(cell):
        if section.checks:
            section.checks[-1].answer += "\n\n" + body


def parts(path: str | Path) -> NotebookParts:
    """Read a saved notebook into its parts (see the module docstring)."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0].source if nb.cells else ""
    title_match = re.search(r"^#\s+(.+)$", first, re.M)
    title = title_match.group(1).strip() if title_match else path.stem
    minutes = re.search(r"\*About (\d+) minutes\.\*", first)
    objectives_text = first.split("## Learning objectives", 1)[1] if "## Learning objectives" in first else ""
    objectives = [plain(item) for item in _list_items(objectives_text)]
    sections: list[Section] = []
    takeaways: list[str] = []
    current: Section | None = None
    previous_prompt = ""
    for cell in nb.cells[1:]:
        source = cell.source
        if cell.cell_type == "code":
            if current is not None:
                current.figures += _figures(cell, _course_figure_names(source))
                _extend_answer(current, cell)
            continue
        if cell.cell_type != "markdown" or "<summary>About the sources</summary>" in source:
            continue
        if "## Takeaways" in source and not source.lstrip().startswith("## Takeaways"):
            before, after = source.split("## Takeaways", 1)
            takeaways = [plain(item) for item in _list_items(after)]
            source = before
        heading = re.match(r"^##\s+(.+)$", source, re.M)
        if heading and source.lstrip().startswith("## "):
            name = heading.group(1).strip()
            if name.lower().startswith("takeaways"):
                takeaways = [plain(item) for item in _list_items(source)]
                current = None
                continue
            if name.lower().startswith(_SKIP_SECTIONS):
                current = None
                continue
            current = Section(re.sub(r"^\d+\.\s*", "", name))
            sections.append(current)
            source = source.split("\n", 1)[1] if "\n" in source else ""
        if current is None:
            continue
        body = source
        for match in _DETAILS.finditer(source):
            if "answer" not in match.group("summary").lower():
                continue
            before = _DETAILS.sub("", source[: match.start()]).strip()
            prompt = _prompt_of(before) or _prompt_of(previous_prompt)
            current.checks.append(Check(prompt, match.group("body").strip(), current.heading))
        body = _DETAILS.sub("", body).strip()
        if body:
            current.prose.append(body)
        previous_prompt = body
    number = path.name[:2]
    return NotebookParts(path, number, title, minutes.group(1) if minutes else None, objectives, sections, takeaways)


# -- slides -----------------------------------------------------------------------------------
@dataclass
class Slide:
    heading: str
    text: str = ""             # one paragraph shown (plain text)
    bullets: list[str] = field(default_factory=list)
    figure: Figure | None = None
    figure_src: str | None = None  # file path relative to the deck
    notes: str = ""            # speaker notes (plain text, any length)
    kind: str = "content"      # title, content, predict, takeaways

    def shown(self) -> str:
        """Everything a slide shows, as text (what the word limit counts)."""
        return " ".join([self.heading, self.text, *self.bullets])


def slide_words(slide: Slide) -> int:
    return words(slide.shown())


def build_slides(nb: NotebookParts, figure_files: dict[str, tuple[str, str]] | None = None) -> list[Slide]:
    """The slides of one deck. ``figure_files`` maps a course figure's name to ``(path relative
    to the deck, alt text)`` (the projector figure pack); other figures use the notebook's
    picture (the caller writes it; see :func:`deck_html`)."""
    figure_files = figure_files or {}
    slides = [Slide(nb.title, kind="title",
                    text=(f"About {nb.minutes} minutes. " if nb.minutes else "") + "Educational material, not medical advice.",
                    bullets=[clip(o, 14) for o in nb.objectives[:5]],
                    notes="Learning objectives: " + " ".join(f"({i}) {o}" for i, o in enumerate(nb.objectives, 1)))]

    def pick(section: Section) -> Figure | None:
        return section.figures[0] if section.figures else None

    def predict(check: Check, figure: Figure | None, heading: str = "Predict, then check") -> Slide:
        prompt = plain(_MARKER.sub("", check.prompt))
        items = [plain(i) for i in _list_items(check.prompt)]
        if len(items) >= 2:
            slide = Slide(heading, bullets=[clip(i, 18) for i in items[:4]], figure=figure, kind="predict")
            if len(items) > 4:
                slide.bullets.append(f"… and {len(items) - 4} more in the notes")
        else:
            slide = Slide(heading, text=clip(prompt, 45), figure=figure, kind="predict")
        slide.notes = f"Question: {prompt} Answer: {plain(check.answer)}"
        return slide

    run: list[Section] = []  # figure-less sections with no check, waiting to share one slide

    def flush() -> None:
        previous = slides[-1] if len(slides) > 1 else None
        if run and previous is not None and previous.figure is not None:
            # text-only sections after a figure slide: their text is said over that figure (notes),
            # so the deck stays a sequence of pictures with questions, not pages of prose
            previous.notes = (previous.notes + " " + " ".join(
                f"{s.heading}. " + " ".join(plain(p) for p in s.prose) for s in run)).strip()
            run.clear()
            return
        if len(run) == 1:
            section = run[0]
            slides.append(Slide(clip(section.heading, 12), text=clip(_first_sentence(section.prose[0]), 35),
                                notes=" ".join(plain(p) for p in section.prose)))
        elif run:  # neighbouring text-only sections: one slide, a line each, their text in the notes
            heading = " · ".join(s.heading for s in run)
            if words(heading) > 12:  # "Case 2 · A person who ..." and "Case 3 · ...": "Case 2 · Case 3"
                heading = " · ".join(re.split(r"\s+·\s+|:\s", s.heading)[0] for s in run)
            slides.append(Slide(clip(heading, 12),
                                bullets=[clip(f"{s.heading}: {_first_sentence(s.prose[0])}", 20) for s in run],
                                notes=" ".join(f"{s.heading}. " + " ".join(plain(p) for p in s.prose) for s in run)))
        run.clear()

    for section in nb.sections:
        figure = pick(section)
        prose = " ".join(plain(p) for p in section.prose)
        if figure is None and not section.checks:
            if section.prose:
                run.append(section)
            continue
        flush()
        checks = list(section.checks)
        if figure is None:
            # no figure to show: the section's question is its slide; its text goes to the notes
            slide = predict(checks.pop(0), None, clip(section.heading, 12))
            slide.notes = (prose + " " + slide.notes).strip()
            if checks:  # the section's other questions join this slide (notes), not slides of their own
                slide.notes += " " + " ".join(predict(c, None).notes for c in checks)
                if not slide.bullets and slide.text:
                    slide.bullets, slide.text = [slide.text], ""
                slide.bullets += [clip(plain(_MARKER.sub("", c.prompt)), 18) for c in checks[:3 - len(slide.bullets)]]
                checks = []
            slides.append(slide)
        elif section.prose or figure is not None:
            slides.append(Slide(clip(section.heading, 12), text=clip(_first_sentence(section.prose[0]) if section.prose else "", 35),
                                figure=figure, notes=prose))
        for extra in section.figures[1:2]:  # a second figure gets its own slide
            slides.append(Slide(clip(section.heading, 12), text="", figure=extra, notes=extra.alt))
        for check in checks:
            slides.append(predict(check, figure))
    flush()
    if nb.takeaways:
        slides.append(Slide("Takeaways", bullets=[clip(t, 16) for t in nb.takeaways[:5]], kind="takeaways",
                            notes=" ".join(nb.takeaways)))
    # the notebook's first figure on its cover and its takeaways: what the session is about
    main = next((f for s in nb.sections for f in s.figures), None)
    for slide in (slides[0], slides[-1]):
        if main is not None and slide.kind in ("title", "takeaways") and slide.figure is None:
            slide.figure = main
    for slide in slides:
        if slide.figure is not None and slide.figure.name in figure_files:
            slide.figure_src, alt = figure_files[slide.figure.name]
            slide.figure = Figure(slide.figure.name, slide.figure.png, alt)
        while slide_words(slide) > MAX_WORDS and (slide.bullets or slide.text):  # never more than the limit
            if len(slide.bullets) > 1:
                slide.notes += " " + slide.bullets.pop()
            else:
                slide.text = clip(slide.text, max(5, words(slide.text) - 10))
                slide.bullets = [clip(b, 10) for b in slide.bullets]
    return slides


_DECK = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="reveal/reveal.css">
<link rel="stylesheet" href="reveal/white-contrast.css">
<style>
  :root {{ --r-main-font: system-ui, "Segoe UI", Arial, sans-serif; --r-heading-font: system-ui, "Segoe UI", Arial, sans-serif;
          --r-main-font-size: 34px; --r-heading-text-transform: none; }}
  .reveal h1, .reveal h2 {{ text-transform: none; }}
  .reveal h1 {{ font-size: 1.9em; }} .reveal h2 {{ font-size: 1.35em; }}
  .reveal .slide-layout {{ display: flex; gap: 0.8em; align-items: center; text-align: left; }}
  .reveal .slide-layout .words {{ flex: 1 1 38%; }}
  .reveal .slide-layout figure {{ flex: 1 1 62%; margin: 0; }}
  .reveal .slide-layout figure img {{ max-height: 62vh; width: 100%; object-fit: contain; margin: 0; }}
  .reveal .only-words {{ text-align: left; }}
  .reveal .notice {{ font-size: 0.55em; }}
  .reveal .predict h2 {{ color: #B24000; }}
</style>
</head>
<body>
<div class="reveal"><div class="slides">
{slides}
</div></div>
<script src="reveal/reveal.js"></script>
<script src="reveal/notes.js"></script>
<script>Reveal.initialize({{ hash: true, plugins: [ RevealNotes ], width: 1280, height: 720 }});</script>
</body>
</html>
"""


def _slide_html(slide: Slide) -> str:
    e = html.escape
    level = "h1" if slide.kind == "title" else "h2"
    words_html = f"<{level}>{e(slide.heading)}</{level}>"
    if slide.text:
        css = ' class="notice"' if slide.kind == "title" else ""
        words_html += f"<p{css}>{e(slide.text)}</p>"
    if slide.bullets:
        words_html += "<ul>" + "".join(f"<li>{e(b)}</li>" for b in slide.bullets) + "</ul>"
    notes = f'<aside class="notes">{e(slide.notes)}</aside>' if slide.notes.strip() else ""
    css = f' class="{slide.kind}"'
    if slide.figure is not None and slide.figure_src:
        figure = f'<figure><img src="{e(slide.figure_src)}" alt="{e(slide.figure.alt)}"></figure>'
        return (f'<section{css}><div class="slide-layout"><div class="words">{words_html}</div>{figure}</div>'
                f"{notes}</section>")
    return f'<section{css}><div class="only-words">{words_html}</div>{notes}</section>'


def deck_html(nb: NotebookParts, slides: list[Slide]) -> str:
    """One deck as HTML that loads reveal.js from ``reveal/`` beside it (copy it there with
    :func:`copy_reveal`)."""
    return _DECK.format(title=html.escape(f"{nb.title} (slides)"), slides="\n".join(_slide_html(s) for s in slides))


def copy_reveal(out_dir: Path) -> Path:
    """Copy the bundled reveal.js into ``out_dir/reveal``; returns that folder."""
    from importlib import resources

    target = Path(out_dir) / "reveal"
    target.mkdir(parents=True, exist_ok=True)
    source = resources.files("clonaedu.vendor.reveal")
    for name in REVEAL_FILES:
        (target / name).write_bytes((source / name).read_bytes())
    return target


def median_words(slides: list[Slide]) -> float:
    return statistics.median(slide_words(s) for s in slides)
