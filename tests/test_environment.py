"""One lock: pyproject.toml's ranges, requirements/lock.txt's exact versions and Binder's
environment.yml must agree (tools/lock.py writes the last two; `make lock`)."""

import importlib.util
import os
import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("clonaedu_lock", ROOT / "tools" / "lock.py")
lock = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lock)

#: `make test-latest` sets this: the installed versions are then the newest, not the locked ones
LATEST = os.environ.get("CLONAEDU_LATEST") == "1"


def _project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _all_requirements():
    proj = _project()
    reqs = [Requirement(r) for r in proj["dependencies"]]
    for extra, rows in proj["optional-dependencies"].items():
        reqs += [Requirement(r) for r in rows]
    return reqs


def drift(pyproject_reqs, lock_pins, env_pins, binder_reqs) -> list[str]:
    """Every disagreement between pyproject's ranges, the lock and environment.yml (empty: none)."""
    problems = []
    for req in pyproject_reqs:
        name = lock.canonical(req.name)
        if name not in lock_pins:
            problems.append(f"{req.name} (pyproject.toml) is not in the lock")
        elif not req.specifier.contains(Version(lock_pins[name]), prereleases=True):
            problems.append(f"{req.name}: the lock's {lock_pins[name]} is outside pyproject's {req.specifier}")
    for name, version in env_pins.items():
        if lock_pins.get(name) != version:
            problems.append(f"{name}: environment.yml pins {version}, the lock {lock_pins.get(name, 'nothing')}")
    for req in binder_reqs:
        if lock.canonical(req.name) not in env_pins:
            problems.append(f"{req.name} (needed on Binder) is not pinned in environment.yml")
    return problems


def test_lock_is_exact_one_line_per_package_and_sorted():
    text = (ROOT / "requirements" / "lock.txt").read_text()
    rows = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert rows, "the lock is empty"
    names = [lock.canonical(r.split("==")[0]) for r in rows]
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-]+==[A-Za-z0-9_.+!\-]+", r) for r in rows)
    assert names == sorted(names) and len(set(names)) == len(names)
    assert "clonaedu" not in names  # the course itself is installed from the clone


def test_pyproject_lock_and_environment_agree():
    python, env_pins = lock.read_environment()
    binder = [Requirement(r) for r in lock.binder_requirements()]
    assert drift(_all_requirements(), lock.read_lock(), env_pins, binder) == []
    # Binder's Python satisfies requires-python (">=3.11").
    minimum = Version(_project()["requires-python"].removeprefix(">="))
    assert Version(python) >= minimum


def test_drift_is_caught():
    reqs = [Requirement("numpy>=1.26"), Requirement("voila>=0.5")]
    pins = {"numpy": "2.3.0", "voila": "0.5.13"}
    env = {"numpy": "2.3.0", "voila": "0.5.13"}
    assert drift(reqs, pins, env, reqs) == []
    assert drift([Requirement("numpy>=3")], pins, env, []) == ["numpy: the lock's 2.3.0 is outside pyproject's >=3"]
    assert drift(reqs, pins, {**env, "numpy": "2.2.0"}, reqs) == [
        "numpy: environment.yml pins 2.2.0, the lock 2.3.0"]
    assert drift(reqs + [Requirement("rich")], pins, env, reqs) == ["rich (pyproject.toml) is not in the lock"]
    assert drift(reqs, pins, {"numpy": "2.3.0"}, reqs) == [
        "voila (needed on Binder) is not pinned in environment.yml"]


def test_environment_yml_accepts_only_exact_pins(tmp_path):
    env = tmp_path / "environment.yml"
    env.write_text("dependencies:\n  - python=3.11\n  - pip\n  - pip:\n      - numpy>=1.26\n")
    with pytest.raises(ValueError, match="not an exact pin"):
        lock.read_environment(env)


def test_environment_yml_is_what_the_lock_generates():
    """environment.yml is exactly tools/lock.py's output for this lock and pyproject (so nobody
    edits one pin by hand), with every package the Binder requirements pull in."""
    if LATEST:
        pytest.skip("make test-latest: the installed dependency tree is the newest, not the locked one")
    names = lock.closure(lock.binder_requirements())
    assert (ROOT / "environment.yml").read_text() == lock.environment_yml(lock.read_lock(), names)


def test_installed_versions_are_the_locked_ones():
    """make test installs with -c requirements/lock.txt: what runs here is what the lock says."""
    if LATEST:
        pytest.skip("make test-latest runs on the newest versions on purpose")
    wrong = []
    for name, version in lock.read_lock().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong.append(f"{name} not installed")
            continue
        if Version(installed) != Version(version):
            wrong.append(f"{name} {installed} (lock {version})")
    assert not wrong, "installed versions differ from the lock (make .venv/.installed-test): " + ", ".join(wrong)


def test_make_installs_from_the_lock_and_reinstalls_when_it_changes():
    makefile = (ROOT / "Makefile").read_text()
    for stamp, extras in ((".installed-lab", "'.[present]'"), (".installed-test", "'.[test,present]'")):
        rule = re.search(rf"^\$\(VENV\)/{re.escape(stamp)}: (.*)\n\t(.*)\n\t(.*)$", makefile, re.M)
        assert rule, stamp
        assert "pyproject.toml" in rule.group(1) and "$(LOCK)" in rule.group(1)
        assert f"pip install --quiet -c $(LOCK) -e {extras}" in rule.group(2)
    assert re.search(r"^LOCK +:= requirements/lock.txt$", makefile, re.M)
    latest = re.search(r"^test-latest:\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "--upgrade" in latest and "-c " not in latest and "CLONAEDU_LATEST=1" in latest


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


def test_voila_is_a_runtime_dependency_and_rise_is_on_binder():
    """The app view must work wherever the course is installed; RISE (slides inside JupyterLab)
    is the `present` extra, which make lab installs and Binder's environment.yml pins."""
    proj = _project()
    runtime = {lock.canonical(Requirement(r).name) for r in proj["dependencies"]}
    assert "voila" in runtime and "jupyterlab-rise" not in runtime
    assert [Requirement(r).name for r in proj["optional-dependencies"]["present"]] == ["jupyterlab-rise"]
    _, env_pins = lock.read_environment()
    assert "jupyterlab-rise" in env_pins and "voila" in env_pins
    assert "pytest" not in env_pins and "playwright" not in env_pins  # test-only: not on Binder
