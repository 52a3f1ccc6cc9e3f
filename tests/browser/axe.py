"""axe-core in the browser tests: run it on a page, keep what the project must fix.

axe-core comes from an installed package, never from the network: the PyPI package
``axe-playwright-python`` (a test extra) ships ``axe.min.js``; we read that file and inject it
into the page ourselves (so nothing else of that package is needed).

A violation is *allowed* only when ``axe_allowlist.json`` lists its rule and a CSS selector
fragment for the nodes it hits, with the upstream issue that tracks it: a library the project
does not control (JupyterLab, Voila, ipywidgets) causes it. Everything else that axe rates
critical or serious fails the test.
"""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ALLOWLIST = Path(__file__).with_name("axe_allowlist.json")
FAILING = ("critical", "serious")
IMPACTS = ("critical", "serious", "moderate", "minor")


def axe_source() -> str:
    """The text of axe.min.js from the installed axe-playwright-python package."""
    spec = importlib.util.find_spec("axe_playwright_python")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("axe-core is missing: install the test extras (pip install -e '.[test]'), "
                           "which bring axe-playwright-python and its bundled axe.min.js")
    return (Path(list(spec.submodule_search_locations)[0]) / "axe.min.js").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Allowed:
    rule: str
    #: a node is allowed when one of its axe target selectors (or its HTML) contains this
    where: str
    upstream: str
    why: str

    def covers(self, rule: str, node: dict) -> bool:
        if rule != self.rule:
            return False
        haystack = " ".join(json.dumps(t) for t in node.get("target", [])) + " " + node.get("html", "")
        return self.where in haystack


def allowlist(path: Path = ALLOWLIST) -> list[Allowed]:
    entries = json.loads(path.read_text(encoding="utf-8"))["allowed"]
    allowed = []
    for entry in entries:
        missing = [k for k in ("rule", "where", "upstream", "why") if not entry.get(k)]
        if missing:
            raise ValueError(f"{path.name}: entry {entry} lacks {missing}")
        if not entry["upstream"].startswith("https://github.com/"):
            raise ValueError(f"{path.name}: {entry['rule']}: upstream must be the GitHub issue that tracks it")
        allowed.append(Allowed(entry["rule"], entry["where"], entry["upstream"], entry["why"]))
    return allowed


_RUN = """async ([source, context]) => {
    if (!window.axe) { (0, eval)(source); }
    const results = await window.axe.run(context || document, {resultTypes: ['violations']});
    return results.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 300), impact: n.impact,
                                  summary: (n.failureSummary || '').slice(0, 300)}))
    }));
}"""


class AxeReport:
    """Violations found on one page, split into allowed (upstream) and failing ones."""

    def __init__(self, violations: list[dict], allowed: list[Allowed]):
        self.violations = violations
        self.failing: list[tuple[str, str, dict]] = []  # (rule, impact, node)
        self.upstream: list[tuple[str, str, dict]] = []
        for v in violations:
            for node in v["nodes"]:
                impact = node.get("impact") or v["impact"]
                if impact not in FAILING:
                    continue
                item = (v["id"], impact, node)
                if any(a.covers(v["id"], node) for a in allowed):
                    self.upstream.append(item)
                else:
                    self.failing.append(item)

    def counts(self) -> dict[str, int]:
        """Nodes per impact (every impact, allowed or not)."""
        found = Counter(node.get("impact") or v["impact"] for v in self.violations for node in v["nodes"])
        return {impact: found.get(impact, 0) for impact in IMPACTS}

    def rules(self) -> dict[str, int]:
        """Rules violated per impact."""
        found = Counter(v["impact"] for v in self.violations)
        return {impact: found.get(impact, 0) for impact in IMPACTS}

    def describe_failing(self, limit: int = 15) -> str:
        lines = [f"{rule} ({impact}): {node['target']} {node['html'][:160]!r}"
                 for rule, impact, node in self.failing[:limit]]
        more = len(self.failing) - limit
        return "\n  ".join(lines) + (f"\n  ... and {more} more" if more > 0 else "")

    def as_json(self) -> dict:
        return {"counts": self.counts(), "rules": self.rules(), "violations": self.violations,
                "failing": len(self.failing), "upstream": len(self.upstream)}


def run(page, context: str | None = None, allowed: list[Allowed] | None = None) -> AxeReport:
    """Run axe-core on ``page`` (or on the element matching CSS ``context``)."""
    violations = page.evaluate(_RUN, [axe_source(), context])
    return AxeReport(violations, allowlist() if allowed is None else allowed)
