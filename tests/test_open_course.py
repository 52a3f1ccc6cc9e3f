"""An open course others can adopt, cite and correct (issue 20): licences, citation, a changelog
entry for the current version, the review status in every notebook, an error-report path."""

import re
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml

import clonaedu
from clonaedu import course
from clonaedu.data import Dataset, DataError, references

ROOT = Path(__file__).resolve().parent.parent
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_package_and_pyproject_agree_on_the_version():
    assert clonaedu.__version__ == VERSION


def test_licence_files():
    code = (ROOT / "LICENSE").read_text()
    assert code.startswith("MIT License") and "Permission is hereby granted" in code
    content = (ROOT / "LICENSE-CONTENT.md").read_text()
    assert "CC BY 4.0" in content and "creativecommons.org/licenses/by/4.0" in content


def test_citation_file_is_valid_cff_for_this_version():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    for key in ("cff-version", "message", "title", "authors", "version", "license",
                "repository-code", "preferred-citation"):
        assert key in cff, f"CITATION.cff lacks {key}"
    assert cff["cff-version"] == "1.2.0"
    assert str(cff["version"]) == VERSION == str(cff["preferred-citation"]["version"])
    assert set(cff["license"]) == {"MIT", "CC-BY-4.0"}
    assert all("name" in a or "family-names" in a for a in cff["authors"])


def test_changelog_has_an_entry_for_this_version_with_clinical_changes_first():
    text = (ROOT / "CHANGELOG.md").read_text()
    match = re.search(rf"^## \[{re.escape(VERSION)}\].*?(?=^## \[|\Z)", text, re.S | re.M)
    assert match, f"CHANGELOG.md has no entry for {VERSION}"
    entry = match.group(0)
    headings = re.findall(r"^### (.+)$", entry, re.M)
    assert headings and headings[0] == "Clinical content", headings


def test_contributing_and_issue_templates():
    text = (ROOT / "CONTRIBUTING.md").read_text()
    for must in ("Report a clinical error", "primary source", "second reader", "make test"):
        assert must in text
    templates = {p.name: yaml.safe_load(p.read_text())
                 for p in (ROOT / ".github" / "ISSUE_TEMPLATE").glob("*.yml")}
    assert {"clinical_error.yml", "bug_report.yml", "teaching_suggestion.yml"} <= set(templates)
    labels = [item.get("attributes", {}).get("label", "") for item in templates["clinical_error.yml"]["body"]]
    assert any("primary source" in lab.lower() for lab in labels)


def test_readme_links_the_open_course_files():
    readme = (ROOT / "README.md").read_text()
    for name in ("LICENSE", "LICENSE-CONTENT.md", "CITATION.cff", "CHANGELOG.md", "CONTRIBUTING.md"):
        assert f"]({name})" in readme, f"README does not link {name}"
    assert "CC BY 4.0" in readme


@pytest.mark.parametrize("entry", course.OUTLINE, ids=lambda e: e.filename)
def test_every_notebook_shows_version_label_revision_and_review_date(entry):
    nb = nbformat.read(ROOT / "notebooks" / entry.filename, as_version=4)
    head = nb.cells[0].source
    assert course.status_line(entry.number) in head, (
        f"{entry.filename}: header lacks the current status line (run make notebooks)")
    rec = course.review(entry.number)
    assert rec["label_revision"].split()[-1] in head  # e.g. 1/2023
    assert f"clonaedu {VERSION}" in head
    last = nb.cells[-1]
    footer = "".join("".join(o.get("data", {}).get("text/markdown", "")) for o in last.outputs)
    assert f"clonaedu {VERSION}" in footer and "CC BY 4.0" in footer, f"{entry.filename}: footer"


def test_status_line_comes_from_the_review_table():
    line = course.status_line("05")
    assert f"clonaedu {VERSION}" in line and "revised 1/2023" in line
    assert "27 November 2026" in line


def test_set_status_inserts_then_refreshes_in_place():
    nb = {"cells": [{"cell_type": "markdown", "source": "# 05 · X\n\n*About 5 minutes.* Next.\n\n> notice"}]}
    course.set_status(nb, "05")
    course.set_status(nb, "05")
    text = nb["cells"][0]["source"]
    assert text.count("*clonaedu ") == 1
    assert text.index("*About 5") < text.index("*clonaedu ") < text.index("> notice")


def test_review_table_refuses_a_bad_date_and_an_unknown_label(tmp_path):
    import shutil
    data_dir = tmp_path / "data"
    shutil.copytree(ROOT / "data", data_dir)
    path = data_dir / "review.csv"
    rows = path.read_text().splitlines()
    path.write_text("\n".join([rows[0], rows[1].replace("2026-11-27", "27/11/2026")] + rows[2:]) + "\n")
    with pytest.raises(DataError, match=r"review.csv, row 1 .*reviewed_on"):
        Dataset(data_dir).table("review")
    path.write_text("\n".join([rows[0], rows[1].replace("fda_klonopin_2023", "no_such_label")] + rows[2:]) + "\n")
    with pytest.raises(DataError, match="no_such_label"):
        Dataset(data_dir).table("review")


def test_every_notebook_has_a_review_row():
    assert {course.review(e.number)["notebook"] for e in course.OUTLINE} == {e.number for e in course.OUTLINE}


def test_references_end_with_version_and_licence():
    md = references("fda_klonopin_2023")._repr_markdown_()
    assert md.splitlines()[0].startswith("1. ") and f"clonaedu {VERSION}" in md and "CC BY 4.0" in md
