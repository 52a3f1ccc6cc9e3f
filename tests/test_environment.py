"""Binder's environment.yml and pyproject.toml must name the same packages with the same versions."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*((?:[<>=!~]=?\s*[\w.*]+\s*,?\s*)*)$")


def _parse(lines):
    out = {}
    for line in lines:
        match = SPEC.match(line)
        assert match, f"cannot read dependency {line!r}"
        out[match.group(1).lower().replace("_", "-")] = match.group(2).replace(" ", "")
    return out


def conda_dependencies():
    deps, inside = [], False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            inside = True
        elif inside and line.strip().startswith("- "):
            deps.append(line.strip()[2:])
        elif inside and line and not line.startswith(" "):
            inside = False
    return _parse(deps)


def test_environment_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = _parse(project["dependencies"])
    conda = conda_dependencies()
    python = conda.pop("python")
    conda.pop("pip")
    assert conda == runtime
    # Binder's Python satisfies requires-python (">=3.11").
    minimum = tuple(int(x) for x in project["requires-python"].removeprefix(">=").split("."))
    assert tuple(int(x) for x in python.removeprefix("=").split(".")) >= minimum


def test_the_parser_sees_a_mismatch():
    assert _parse(["numpy>=1.26"]) != _parse(["numpy>=2.0"])
    assert _parse(["ipywidgets >= 8.1"]) == {"ipywidgets": ">=8.1"}


def test_binder_installs_the_package_and_opens_the_start_notebook():
    post_build = (ROOT / "postBuild").read_text()
    assert "pip install --no-deps ." in post_build
    readme = (ROOT / "README.md").read_text()
    repo = re.search(r"^\[repo\]: https://github.com/([\w.-]+/[\w.-]+)$", readme, re.M).group(1)
    binder = re.search(r"^\[binder\]: (\S+)$", readme, re.M).group(1)
    app = re.search(r"^\[binder-app\]: (\S+)$", readme, re.M).group(1)
    # The Binder links are built from the repository address, which is written in one place.
    assert binder == f"https://mybinder.org/v2/gh/{repo}/main?urlpath=lab/tree/notebooks/00_start_here.ipynb"
    # ... and the app view: Voila (a runtime dependency, so Binder has it) renders the notebook.
    assert app == f"https://mybinder.org/v2/gh/{repo}/main?urlpath=voila/render/notebooks/00_start_here.ipynb"
    assert (ROOT / app.split("voila/render/", 1)[1]).is_file()
    assert readme.count(repo) == 3


def test_voila_is_a_runtime_dependency_and_rise_an_optional_extra():
    """The app view must work wherever the course is installed (Binder included); RISE is only
    for instructors who want slides inside JupyterLab."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = _parse(project["dependencies"])
    assert runtime["voila"] == ">=0.5"
    extras = {name: _parse(deps) for name, deps in project["optional-dependencies"].items()}
    assert "voila" not in extras["test"]
    assert extras["present"] == {"jupyterlab-rise": ">=0.40"}
    assert "jupyterlab-rise" not in runtime and "jupyterlab-rise" not in conda_dependencies()
