"""The app view's Voila template, installed into an environment (``python -m clonaedu.appview``).

Voila's stock "lab" template links Font Awesome from a CDN, so on a locked-down campus network
every app page logs failed requests. The course ships its own template, ``clonaedu``
(``clonaedu/app_template/``): the lab template without those links, plus a "Projector style"
switch at the top of each page (it reloads the page with ``?present=1``; see
:mod:`clonaedu.present`). :func:`install` copies it to ``<prefix>/share/jupyter/voila/templates/
clonaedu`` and writes the config that makes it the default, both for standalone Voila
(``etc/jupyter/voila.json``: ``make app``) and for Voila inside Jupyter Server
(``etc/jupyter/jupyter_server_config.d/clonaedu-voila.json``: JupyterLab's "Render with Voila",
Binder's ``voila/render`` address, a university JupyterHub). ``make lab``, ``make test`` and
Binder's postBuild run it; it is idempotent. (pip's data-files would do the same for a normal
install but are skipped by editable installs, which ``make`` uses.)
"""

from __future__ import annotations

import json
import shutil
import sys
from importlib import resources
from pathlib import Path

TEMPLATE = "clonaedu"
CONFIG = {"VoilaConfiguration": {"template": TEMPLATE}}
_FILES = ("conf.json", "index.html.j2")


def paths(prefix: str | Path = sys.prefix) -> dict[str, Path]:
    """Where :func:`install` writes, under ``prefix``."""
    prefix = Path(prefix)
    return {
        "template": prefix / "share" / "jupyter" / "voila" / "templates" / TEMPLATE,
        "voila_config": prefix / "etc" / "jupyter" / "voila.json",
        "server_config": prefix / "etc" / "jupyter" / "jupyter_server_config.d" / "clonaedu-voila.json",
    }


def install(prefix: str | Path = sys.prefix) -> dict[str, Path]:
    """Copy the template and write the two config files under ``prefix`` (default: this
    environment). Keeps any other settings already in ``etc/jupyter/voila.json``."""
    where = paths(prefix)
    where["template"].mkdir(parents=True, exist_ok=True)
    source = resources.files("clonaedu.app_template")
    for name in _FILES:
        with resources.as_file(source / name) as path:
            shutil.copyfile(path, where["template"] / name)
    config = where["voila_config"]
    merged = json.loads(config.read_text()) if config.exists() else {}
    merged.setdefault("VoilaConfiguration", {})["template"] = TEMPLATE
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(json.dumps(merged, indent=2) + "\n")
    where["server_config"].parent.mkdir(parents=True, exist_ok=True)
    where["server_config"].write_text(json.dumps(CONFIG, indent=2) + "\n")
    return where


if __name__ == "__main__":
    done = install()
    print(f"clonaedu app view: Voila template in {done['template']}", file=sys.stderr)
