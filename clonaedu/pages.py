"""Kernel-free pages: every course panel as one self-contained HTML file (issue 19).

A panel is a pure function of its controls, so it can be rendered ahead of time. ``build(out)``
writes, per panel, one HTML file that holds the panel's controls as native, labelled HTML inputs,
the figure, alt text and message for every combination of the values the page offers, and a few
lines of script that swap them as the controls move. No network access, no external script, no
kernel: the page opens from a ``file://`` address, as an uploaded file in an LMS, or in an iframe.

The frames are the panels' own renders (``FigurePanel.png``, the code path the notebooks use),
so a page and the live panel show the same figure for the same settings (tests compare them
byte for byte). Repeated frames are stored once.

Grids: each :class:`Page` names the controls it varies and the values it offers; the other
controls stay where the notebook starts them. A slider is offered at its own step where the
count of combinations allows, otherwise at the values the notebook's questions and explanations
use, and the page says which values it offers. A page must fit the budget (:data:`MAX_FRAMES`
distinct figures and :data:`MAX_BYTES` of HTML); a grid over budget is refused with an error,
never cut silently.

Educational material, not medical advice.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import ipywidgets as widgets

from . import NOTICE, __version__, course, data

__all__ = ["Page", "PAGES", "MAX_FRAMES", "MAX_BYTES", "PageError", "Frames", "render_frames",
           "page_html", "build", "page_by_slug"]

#: budget per page: distinct figures, and the size of the HTML file
MAX_FRAMES = 200
MAX_BYTES = 15 * 1024 * 1024
ILLUSTRATIVE = "Illustrative model, not a prediction for any patient."


class PageError(ValueError):
    """A page's grid is invalid or over budget."""


@dataclass(frozen=True)
class Page:
    """One kernel-free page: a panel as the notebook starts it, and the values it offers."""

    slug: str                                   #: file stem, ``02_single_dose``
    notebook: str                               #: the notebook the panel sits in
    title: str
    build: Callable[[], object]                 #: returns the panel as its notebook builds it
    grid: dict[str, Sequence]                   #: control attribute -> the values offered
    model: bool = True                          #: draws the illustrative model
    sources: tuple[str, ...] = ("fda_klonopin_2023",)
    questions: tuple[str, ...] = ()             #: bank questions checked in the page
    note: str = ""                              #: how the grid was reduced, if it was


def _panels():
    from . import panels  # noqa: PLC0415 (matplotlib and widgets load only when pages are built)
    return panels


def _steps(low: float, high: float, step: float) -> list[float]:
    n = int(round((high - low) / step))
    return [round(low + i * step, 6) for i in range(n + 1)]


#: the course's panels, each as its notebook starts it
PAGES: tuple[Page, ...] = (
    Page("01_dose_explorer", "01", "Where a dose falls: the dose explorer",
         lambda: _panels().DoseExplorer(total_mg_per_day=1.0, indication="panic_disorder", doses_per_day=2),
         {"indication": None, "total": _steps(0.25, 5.0, 0.25), "doses_per_day": [1, 2, 3]},
         model=False, questions=("q01-panic-maximum", "q01-starting-daily-total"),
         note="Adults with panic disorder or a seizure disorder; daily totals in 0.25 mg steps (the notebook's slider moves in "
              "0.125 mg steps); one, two or three doses a day."),
    Page("02_single_dose", "02", "One dose over time: the single-dose panel",
         lambda: _panels().SingleDosePanel(dose_mg=1.0),
         {"dose": _steps(0.25, 2.0, 0.25), "half_life": [19, 30, 38, 50, 60]},
         sources=("fda_klonopin_2023", "crevoisier2003", "greenblatt2005"),
         note="Doses at the slider's own 0.25 mg step; terminal half-lives at 19, 30, 38, 50 and "
              "60 hours (the published range and the values the notebook's questions use); the "
              "absorption speed stays at the model's value."),
    Page("03_regimens", "03", "Single vs divided dosing: the regimen panel",
         lambda: _panels().RegimenPanel(a="bedtime_1mg", b="bid_0_5mg", c="(none)", days=10),
         {"regimen_b": ["(none)", "bid_0_5mg", "qid_0_25mg", "morning_bedtime_1mg"], "days": [3, 10, 21]},
         sources=("fda_klonopin_2023",),
         note="Regimen A stays at 1 mg at bedtime; regimen B offers four schedules of the same "
              "daily total; 3, 10 or 21 days shown. Missed and late doses need the notebook."),
    Page("04_dose_comparison", "04", "Comparing doses: the dose-comparison panel",
         lambda: _panels().DoseComparisonPanel(doses_mg_per_day=[0.5, 1, 2], doses_per_day=2),
         {"doses_per_day": [1, 2]}, sources=("fda_klonopin_2023", "rosenbaum1997"),
         note="The three daily totals of the notebook (0.5, 1 and 2 mg/day), once or twice daily."),
    Page("05_who_needs_less", "05", "Who needs less: the who-needs-less panel",
         lambda: _panels().WhoNeedsLessPanel(factor="older_adults", total_mg_per_day=1.0, doses_per_day=2, days=14),
         {"factor": None, "dose": [0.5, 1.0, 2.0]}, sources=("fda_klonopin_2023", "beers2023"),
         note="Every group and medicine the notebook offers, at 0.5, 1 or 2 mg/day twice daily, "
              "over 14 days."),
    Page("07_taper_planner", "07", "Tapering: the taper planner",
         lambda: _panels().TaperPlanner(start_mg_per_day=1.0, rule="label_panic"),
         {"start": [0.5, 1.0, 2.0, 3.0], "rule": None, "form": ["tablet", "odt"]},
         sources=("fda_klonopin_2023", "joint_taper_2025"),
         note="Starting doses of 0.5, 1, 2 and 3 mg/day, every rule at its default pace, tablets "
              "or ODTs. Holds, other paces and the diazepam switch need the notebook."),
    Page("09_equivalence", "09", "Alternatives: the equivalence explorer",
         lambda: _panels().EquivalenceExplorer(drug="clonazepam", dose_mg=1.0, to="diazepam"),
         {"dose": [0.25, 0.5, 1.0, 2.0], "to": None}, model=False,
         sources=("ashton2002", "nice_cg113"),
         note="Clonazepam 0.25, 0.5, 1 or 2 mg, as each other benzodiazepine in the tables."),
)


def page_by_slug(slug: str) -> Page:
    for page in PAGES:
        if page.slug == slug:
            return page
    raise PageError(f"unknown page {slug!r}; choose one of {', '.join(p.slug for p in PAGES)}")


# --------------------------------------------------------------------------------------------
# Frames
# --------------------------------------------------------------------------------------------
@dataclass
class Control:
    name: str        #: the panel attribute
    label: str       #: the panel's own description of the control
    kind: str        #: "select", "range" or "checkbox"
    values: list     #: the values offered, in order
    labels: list[str]


@dataclass
class Frames:
    controls: list[Control]
    images: list[str] = field(default_factory=list)       #: base64 PNG, each stored once
    states: dict[str, list] = field(default_factory=dict)  #: "i,j,k" -> [image, alt, message]
    skipped: int = 0                                        #: combinations a panel refused
    sources: list[str] = field(default_factory=list)       #: every source a figure's footer names
    start: list[int] = field(default_factory=list)         #: per control, the notebook's starting value
    seconds: float = 0.0

    @property
    def frame_count(self) -> int:
        return len(self.images)


def _option_pairs(control) -> list[tuple[str, object]]:
    options = list(control.options)
    return [o if isinstance(o, tuple) else (str(o), o) for o in options]


def _label_for(control, value) -> str:
    if control.has_trait("options"):
        for text, option in _option_pairs(control):
            if option == value:
                return str(text)
    if isinstance(value, bool):
        return "on" if value else "off"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _describe_controls(panel, page: Page) -> list[Control]:
    out = []
    for name, values in page.grid.items():
        control = getattr(panel, name, None)
        if not isinstance(control, widgets.Widget) or not control.has_trait("value"):
            raise PageError(f"page {page.slug}: the panel has no control {name!r}")
        if values is None:  # every option the control offers
            if not control.has_trait("options"):
                raise PageError(f"page {page.slug}: {name!r} has no options; list the values to offer")
            values = [v for _, v in _option_pairs(control)]
        values = list(values)
        if not values:
            raise PageError(f"page {page.slug}: no values offered for {name!r}")
        if isinstance(control, (widgets.Checkbox, widgets.ToggleButton)):
            kind = "checkbox"
        elif control.has_trait("options") or len(values) > 40:
            kind = "select"
        else:
            kind = "range"
        out.append(Control(name, control.description or name, kind, values,
                           [_label_for(control, v) for v in values]))
    return out


def _alt(panel) -> str:
    alt = getattr(panel, "alt", "")
    return alt() if callable(alt) else str(alt or "")


def _combinations(controls: list[Control]) -> Iterable[tuple[int, ...]]:
    return itertools.product(*(range(len(c.values)) for c in controls))


def _apply(panel, controls: list[Control], index: tuple[int, ...]) -> bool:
    """Set the panel's controls to one combination; False when the panel refuses a value (it
    lies outside the bounds or options that the other controls allow)."""
    for control, i in zip(controls, index):
        widget = getattr(panel, control.name)
        value = control.values[i]
        if widget.value != value:
            try:
                widget.value = value
            except Exception:  # a trait error: a value the control does not offer now
                return False
        if widget.value != value:
            return False
    return True


def render_frames(page: Page, *, max_frames: int = MAX_FRAMES) -> Frames:
    """Render every combination the page offers with the panel's own code path."""
    start = time.perf_counter()
    panel = page.build()
    controls = _describe_controls(panel, page)
    combos = list(_combinations(controls))
    if len(combos) > max_frames:
        raise PageError(f"page {page.slug}: {len(combos)} combinations is over the budget of "
                        f"{max_frames} frames; offer fewer values (and say so in the page's note)")
    frames = Frames(controls)
    for control in controls:  # where the notebook starts, read before any control moves
        value = getattr(panel, control.name).value
        frames.start.append(control.values.index(value) if value in control.values else 0)
    seen: dict[str, int] = {}
    for index in combos:
        if not _apply(panel, controls, index):
            frames.skipped += 1
            continue
        png = panel.png
        digest = hashlib.sha256(png).hexdigest()
        if digest not in seen:
            seen[digest] = len(frames.images)
            frames.images.append(base64.b64encode(png).decode("ascii"))
        frames.states[",".join(map(str, index))] = [seen[digest], _alt(panel), panel.message.value]
        for sid in getattr(panel.figure, "clonaedu_sources", ()):
            if sid not in frames.sources:
                frames.sources.append(sid)
    frames.seconds = time.perf_counter() - start
    _close(panel)
    return frames


def _close(panel) -> None:
    """Release one panel (its figure and its own widgets; never ``Widget.close_all()``, which would
    close every widget in the process, the student's or a test's included)."""
    import matplotlib.pyplot as plt  # noqa: PLC0415
    plt.close(getattr(panel, "figure", None))
    stack = [panel]
    while stack:
        widget = stack.pop()
        stack.extend(getattr(widget, "children", ()))
        widget.close()


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1a1a1a;
background:#fff;max-width:1000px;margin:0 auto;padding:16px;line-height:1.45}
h1{font-size:1.5em;margin:.2em 0}
.notice{border-left:4px solid #B24000;padding:6px 12px;background:#FFF4EC}
.controls{display:flex;flex-wrap:wrap;gap:10px 24px;margin:12px 0}
.controls label{display:block;font-weight:600}
.controls select,.controls input{font-size:1em;min-height:32px}
output{margin-left:8px;font-variant-numeric:tabular-nums}
img.figure{width:100%;height:auto;border:1px solid #ccc}
#message{font-size:1.05em;margin:8px 0;min-height:1.5em}
.muted{color:#4a4a4a}
a{color:#0b5cad}
:focus-visible{outline:3px solid #0b5cad;outline-offset:2px}
fieldset{border:1px solid #bbb;margin:12px 0;padding:8px 12px}
.feedback{font-weight:600}
"""

_SCRIPT = """
(function(){
  var data = JSON.parse(document.getElementById('frames').textContent);
  var inputs = data.controls.map(function(c, i){ return document.getElementById('ctl-' + i); });
  var fig = document.getElementById('figure'), msg = document.getElementById('message');
  function index(i){ var el = inputs[i]; return el.type === 'checkbox' ? (el.checked ? 1 : 0) : parseInt(el.value, 10); }
  function show(){
    var key = inputs.map(function(_, i){ return index(i); }).join(',');
    inputs.forEach(function(el, i){
      var out = document.getElementById('out-' + i); var label = data.controls[i].labels[index(i)];
      if (out) { out.textContent = label; }
      if (el.type === 'range') { el.setAttribute('aria-valuetext', label); }
    });
    var state = data.states[key];
    if (!state) { msg.textContent = 'This page does not offer that combination; the notebook does.'; return; }
    fig.src = 'data:image/png;base64,' + data.images[state[0]];
    fig.alt = state[1];
    msg.innerHTML = state[2];
  }
  inputs.forEach(function(el){ el.addEventListener('input', show); el.addEventListener('change', show); });
  show();
  document.querySelectorAll('form.question').forEach(function(form){
    form.addEventListener('submit', function(ev){
      ev.preventDefault();
      var q = JSON.parse(form.querySelector('script').textContent), out = form.querySelector('.feedback');
      var right, chosen;
      if (q.kind === 'numeric') {
        var v = parseFloat((form.querySelector('input').value || '').replace(/[^0-9.+-]/g, ''));
        right = !isNaN(v) && Math.abs(v - q.value) <= q.tolerance + 1e-9;
      } else {
        chosen = Array.prototype.filter.call(form.querySelectorAll('input'), function(x){ return x.checked; })
          .map(function(x){ return x.value; }).sort();
        right = JSON.stringify(chosen) === JSON.stringify(q.answers.slice().sort());
      }
      var reasons = (chosen || []).filter(function(c){ return q.answers.indexOf(c) < 0 && q.feedback[c]; })
        .map(function(c){ return q.feedback[c]; });
      out.textContent = right ? 'Right. ' + q.explanation
        : 'Not yet. ' + (reasons.length ? reasons.join(' ') + ' ' : '') + 'Look at the figure again and try once more.';
    });
  });
})();
"""


def _control_html(i: int, control: Control, start: int) -> str:
    label = html.escape(control.label)
    if control.kind == "checkbox":
        checked = " checked" if control.values[start] else ""
        return (f'<div><label for="ctl-{i}"><input type="checkbox" id="ctl-{i}"{checked}> '
                f'{label}</label></div>')
    if control.kind == "select":
        options = "".join(f'<option value="{j}"{" selected" if j == start else ""}>{html.escape(t)}</option>'
                          for j, t in enumerate(control.labels))
        return f'<div><label for="ctl-{i}">{label}</label><select id="ctl-{i}">{options}</select></div>'
    return (f'<div><label for="ctl-{i}">{label}</label><input type="range" id="ctl-{i}" min="0" '
            f'max="{len(control.values) - 1}" step="1" value="{start}" '
            f'aria-valuetext="{html.escape(control.labels[start])}"><output id="out-{i}" for="ctl-{i}">'
            f'{html.escape(control.labels[start])}</output></div>')


def _questions_html(ids: Sequence[str]) -> str:
    if not ids:
        return ""
    from . import quiz  # noqa: PLC0415
    bank = quiz.bank()
    parts = ["<h2>Check your understanding</h2>"]
    for n, qid in enumerate(ids):
        q = bank.get(qid)
        payload = {"kind": q.kind, "answers": list(q.answers), "value": q.value,
                   "tolerance": q.tolerance or 0, "explanation": q.explanation,
                   "feedback": {} if q.kind == "numeric" else dict(q.feedback)}
        if q.kind == "numeric":
            body = (f'<label for="q{n}-in">Your answer ({html.escape(q.unit or "")})</label> '
                    f'<input id="q{n}-in" type="text" inputmode="decimal">')
        else:
            kind = "radio" if q.kind == "single" else "checkbox"
            body = "".join(f'<div><label><input type="{kind}" name="q{n}" value="{html.escape(c)}"> '
                           f'{html.escape(c)}</label></div>' for c in q.options())
        parts.append(f'<form class="question"><fieldset><legend>{html.escape(q.prompt)}</legend>{body}'
                     f'<button type="submit">Check</button> <span class="feedback" role="status" aria-live="polite"></span>'
                     f'<script type="application/json">{_json(payload)}</script></fieldset></form>')
    return "\n".join(parts)


def _json(value) -> str:
    return json.dumps(value, separators=(",", ":")).replace("</", "<\\/")


def page_html(page: Page, frames: Frames) -> str:
    """The self-contained page for ``page`` with its rendered ``frames``."""
    start = frames.start
    payload = {"controls": [{"name": c.name, "labels": c.labels} for c in frames.controls],
               "images": frames.images, "states": frames.states}
    entry = course.by_number(page.notebook)
    refs = data.references(*page.sources, *frames.sources).lines
    model = f'<p><strong>{ILLUSTRATIVE}</strong></p>' if page.model else ""
    first = frames.states.get(",".join(map(str, start))) or next(iter(frames.states.values()))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(page.title)} · clonaedu {__version__}</title>
<style>{_CSS}</style></head>
<body><main>
<h1>{html.escape(page.title)}</h1>
<p class="muted">From notebook {html.escape(entry.link_text)} · clonaedu {__version__} · works offline, no kernel needed</p>
<p class="notice"><strong>{html.escape(NOTICE)}</strong></p>
{model}
<div class="controls" role="group" aria-label="Panel controls">
{"".join(_control_html(i, c, s) for i, (c, s) in enumerate(zip(frames.controls, start)))}
</div>
<img id="figure" class="figure" src="data:image/png;base64,{frames.images[first[0]]}" alt="{html.escape(first[1])}">
<div id="message" aria-live="polite">{first[2]}</div>
<p class="muted"><strong>What this page offers.</strong> {html.escape(page.note)} The notebook allows any
value in between, and shows the code.</p>
{_questions_html(page.questions)}
<h2>Sources</h2>
<ol>{"".join(f"<li>{html.escape(line.split('. ', 1)[1])}</li>" for line in refs)}</ol>
<p class="muted">clonaedu {__version__}. Course content: CC BY 4.0; code: MIT.</p>
</main>
<script type="application/json" id="frames">{_json(payload)}</script>
<script>{_SCRIPT}</script>
</body></html>
"""


def build(out: Path | str, slugs: Sequence[str] | None = None, *, log=print) -> list[dict]:
    """Write one page per panel (or the ``slugs`` given) and an index into ``out``; return one
    row of statistics per page (frames, combinations skipped, size, seconds)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    chosen = [page_by_slug(s) for s in slugs] if slugs else list(PAGES)
    stats = []
    for page in chosen:
        frames = render_frames(page)
        text = page_html(page, frames)
        size = len(text.encode("utf-8"))
        if size > MAX_BYTES:
            raise PageError(f"page {page.slug}: {size / 1e6:.1f} MB is over the budget of "
                            f"{MAX_BYTES / 1e6:.0f} MB; offer fewer values")
        (out / f"{page.slug}.html").write_text(text, encoding="utf-8")
        row = {"page": page.slug, "frames": frames.frame_count, "states": len(frames.states),
               "skipped": frames.skipped, "bytes": size, "seconds": round(frames.seconds, 2)}
        stats.append(row)
        if log:
            log(f"{page.slug}.html: {row['states']} settings, {row['frames']} distinct figures, "
                f"{size / 1e6:.1f} MB, {row['seconds']:.1f} s")
    _write_index(out, chosen)
    return stats


def _write_index(out: Path, pages: Iterable[Page]) -> None:
    items = "".join(f'<li><a href="{p.slug}.html">{html.escape(p.title)}</a> '
                    f'<span class="muted">(notebook {p.notebook})</span></li>' for p in pages)
    (out / "index.html").write_text(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>clonaedu {__version__}: panels without a kernel</title><style>{_CSS}</style></head>
<body><main><h1>clonaedu: the course's panels, without a kernel</h1>
<p class="notice"><strong>{html.escape(NOTICE)}</strong></p>
<p>Each page is one panel of the course as a single HTML file: it works offline, from a file, or
inside a Canvas or Moodle page. It offers the values listed on the page; the notebook allows
any value in between.</p>
<ul>{items}</ul>
<p class="muted">clonaedu {__version__}. Course content: CC BY 4.0; code: MIT.</p></main></body></html>
""", encoding="utf-8")
