"""The axe-core allowlist and report, without a browser: only listed upstream findings pass."""

from __future__ import annotations

import json

import pytest

from . import axe


def _violation(rule, impact, html, target):
    return {"id": rule, "impact": impact, "help": "", "nodes": [{"target": [target], "html": html, "impact": impact}]}


def test_every_allowed_finding_names_its_upstream_issue():
    allowed = axe.allowlist()
    assert allowed, "the allowlist is read"
    for entry in allowed:
        assert entry.upstream.startswith("https://github.com/") and "/issues/" in entry.upstream
        assert entry.why and entry.where


def test_only_listed_findings_are_allowed_and_moderate_ones_never_fail():
    allowed = axe.allowlist()
    report = axe.AxeReport([
        _violation("aria-input-field-name", "serious", '<div class="cm-content" role="textbox">', ".cm-content"),
        _violation("aria-input-field-name", "serious", '<div class="noUi-handle" role="slider">', ".noUi-handle"),
        _violation("image-alt", "critical", '<img class="widget-image">', "img"),
        _violation("region", "moderate", "<div>", "div"),
    ], allowed)
    assert [(rule, impact) for rule, impact, _ in report.failing] == [
        ("aria-input-field-name", "serious"), ("image-alt", "critical")]  # our slider handle, our figure
    assert [rule for rule, _, _ in report.upstream] == ["aria-input-field-name"]  # JupyterLab's editor
    assert report.counts() == {"critical": 1, "serious": 2, "moderate": 1, "minor": 0}
    assert "noUi-handle" in report.describe_failing()


def test_an_entry_without_its_upstream_issue_is_refused(tmp_path):
    path = tmp_path / "allow.json"
    path.write_text(json.dumps({"allowed": [{"rule": "image-alt", "where": "img", "upstream": "", "why": "x"}]}))
    with pytest.raises(ValueError, match="lacks"):
        axe.allowlist(path)
    path.write_text(json.dumps({"allowed": [{"rule": "image-alt", "where": "img", "upstream": "soon", "why": "x"}]}))
    with pytest.raises(ValueError, match="upstream must be"):
        axe.allowlist(path)


def test_axe_core_is_the_installed_copy():
    source = axe.axe_source()
    assert source.startswith("/*! axe v") and len(source) > 100_000
