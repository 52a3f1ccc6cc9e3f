"""Start and stop the servers and the browser the browser tests (and the latency benchmark) use.

* JupyterLab and Voila run on 127.0.0.1, on a free port, with a random token, from this
  interpreter (``sys.executable -m jupyter lab`` / ``-m voila``), in their own process group.
* They serve a temporary *copy* of ``notebooks/``: running cells marks a notebook dirty and
  nothing in a browser test may ever write to the committed notebooks. Autosave is off too,
  and JupyterLab's settings, workspaces, config and runtime files live in the same temp dir,
  so a developer's own ~/.jupyter settings never change what the tests see.
* Chromium is Debian's (``apt-get install chromium``), found on PATH and handed to
  Playwright as ``executable_path``; Playwright's own browser download is never used.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
INSTALL_HINT = "install it with apt-get install chromium"


def notebooks() -> list[Path]:
    """Every course notebook, discovered (other engineers add more; never a fixed list)."""
    return sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def find_chromium() -> str | None:
    """Debian's Chromium (or $CLONAEDU_CHROMIUM), or None."""
    explicit = os.environ.get("CLONAEDU_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_server_root(workdir: Path) -> Path:
    """A throw-away copy of notebooks/ (same relative paths, so URLs read notebooks/NN_*.ipynb)."""
    root = workdir / "root"
    shutil.copytree(NOTEBOOK_DIR, root / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return root


def _lab_settings(settings_dir: Path) -> None:
    """User settings for the test JupyterLab: no autosave, no news; otherwise the defaults a
    student gets (the notebook's default windowing, contentVisibility, keeps every cell in the DOM)."""
    files = {
        "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
            {"fetchNews": "false", "checkForUpdates": False},
    }
    for name, value in files.items():
        path = settings_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))


@dataclass
class Server:
    """A running JupyterLab or Voila server; ``stop()`` ends its whole process group."""

    kind: str
    proc: subprocess.Popen
    port: int
    token: str
    log_path: Path
    root: Path
    _log_file: object = field(repr=False, default=None)
    _pending: list = field(repr=False, default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base}/{path.lstrip('/')}{sep}token={self.token}"

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def api(self, method: str, path: str, timeout: float = 10):
        req = urllib.request.Request(self.base + path, method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def shutdown_kernel_soon(self, kernel_id: str) -> None:
        """Stop one kernel without waiting for it (the next test need not wait for this one)."""
        path = (f"/api/kernels/{kernel_id}" if self.kind == "lab" else f"/voila/api/shutdown/{kernel_id}")
        method = "DELETE" if self.kind == "lab" else "POST"

        def call():
            try:
                self.api(method, path, timeout=30)
            except (OSError, urllib.error.URLError, ValueError):
                pass  # already gone; the server stops whatever is left when it stops

        thread = threading.Thread(target=call, daemon=True)
        thread.start()
        self._pending.append(thread)

    def shutdown_kernels(self) -> None:
        """Ask the server to stop its kernels (they run in their own sessions, outside our group)."""
        if self.kind != "lab":
            return
        try:
            for kernel in self.api("GET", "/api/kernels"):
                self.api("DELETE", f"/api/kernels/{kernel['id']}")
        except (OSError, urllib.error.URLError, ValueError):
            pass

    def stop(self, timeout: float = 15) -> None:
        for thread in self._pending:
            thread.join(10)
        if self.proc.poll() is None:
            self.shutdown_kernels()
            try:  # SIGTERM lets the server shut its kernels down; then the group, hard
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(5)
        if self._log_file:
            self._log_file.close()


# Resolved here, in the parent: the child between fork and exec only calls it (no imports).
_PRCTL = None
if sys.platform.startswith("linux"):
    import ctypes

    try:
        _PRCTL = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        pass
_PR_SET_PDEATHSIG, _SIGTERM = 1, int(signal.SIGTERM)


def _die_with_parent() -> None:
    """Runs in the child before exec: on Linux, SIGTERM it if the test process dies (even
    killed with SIGKILL, when no finally block runs), so no server outlives its test run."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, _SIGTERM)


def _launch(kind: str, cmd: list[str], port: int, token: str, workdir: Path, root: Path,
            ready_path: str, timeout: float) -> Server:
    env = {**os.environ,
           "JUPYTER_CONFIG_DIR": str(workdir / "config"),
           "JUPYTER_RUNTIME_DIR": str(workdir / "runtime"),
           "IPYTHONDIR": str(workdir / "ipython"),
           "PYTHONUNBUFFERED": "1"}
    env.pop("MPLBACKEND", None)  # the kernel picks its own (inline) backend, as for a student
    log_path = workdir / f"{kind}-{port}.log"
    log = open(log_path, "wb")  # noqa: SIM115 - open for the server's lifetime, closed by stop()
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True,
                            preexec_fn=_die_with_parent)
    server = Server(kind, proc, port, token, log_path, root, log)
    deadline = time.monotonic() + timeout
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{kind} server exited with code {proc.returncode} before it was "
                                   f"ready.\ncommand: {' '.join(cmd)}\n--- log ---\n{server.log_tail()}")
            try:
                with urllib.request.urlopen(server.url(ready_path), timeout=2) as resp:
                    if resp.status == 200:
                        return server
            except (OSError, urllib.error.URLError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{kind} server not ready after {timeout:.0f} s on port {port}.\n"
                                   f"command: {' '.join(cmd)}\n--- log ---\n{server.log_tail()}")
            time.sleep(0.2)
    except BaseException:
        server.stop()
        raise


def _start(kind: str, build, workdir: Path, root: Path, ready_path: str, timeout: float,
           attempts: int = 3) -> Server:
    """Start a server; retry on a fresh port if the one we picked was taken in between."""
    for attempt in range(attempts):
        port, token = free_port(), secrets.token_hex(16)
        try:
            return _launch(kind, build(port, token), port, token, workdir, root, ready_path, timeout)
        except RuntimeError as exc:
            if "address already in use" not in str(exc).lower() or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def _root_flag() -> list[str]:
    return ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


def start_jupyterlab(workdir: Path, root: Path, timeout: float = 90) -> Server:
    """JupyterLab on ``root`` with ``window.jupyterapp`` exposed (the tests drive its commands)."""
    settings, workspaces = workdir / "lab-settings", workdir / "lab-workspaces"
    _lab_settings(settings)
    workspaces.mkdir(parents=True, exist_ok=True)

    def build(port, token):
        return [sys.executable, "-m", "jupyter", "lab", "--no-browser",
                "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
                "--ServerApp.terminals_enabled=False",
                f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={workspaces}",
                "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                *_root_flag()]

    return _start("lab", build, workdir, root, "/api/status", timeout)


def start_voila(workdir: Path, root: Path, timeout: float = 90, extra_args=()) -> Server:
    """Standalone Voila serving ``root`` (notebooks at /voila/render/notebooks/NN_*.ipynb);
    ``extra_args`` go on its command line (the latency benchmark's ``--preheat_kernel=True``)."""

    def build(port, token):
        return [sys.executable, "-m", "voila", str(root), "--no-browser",
                "--Voila.ip=127.0.0.1", f"--port={port}", "--Voila.port_retries=0",
                f"--token={token}", "--show_tracebacks=True", *extra_args]

    return _start("voila", build, workdir, root, "/voila/api/contents", timeout)


def launch_chromium(playwright, user_data_dir: Path | None = None):
    """Headless Debian Chromium through Playwright (never Playwright's own browser build)."""
    path = find_chromium()
    if path is None:
        raise RuntimeError(f"chromium not found; {INSTALL_HINT}")
    return playwright.chromium.launch(executable_path=path, headless=True, args=list(CHROMIUM_ARGS))


def temp_workdir(prefix: str = "clonaedu-browser-") -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))
