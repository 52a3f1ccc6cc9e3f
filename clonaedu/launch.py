"""Start JupyterLab on the course (used by ``make lab``).

Prints the exact URL to open (with a fresh token) before the server starts, adds
``--allow-root`` when asked (containers often run as root), and picks the next free port if
the requested one is busy, so the printed URL is always the one that works.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import sys


def free_port(ip: str, start: int, tries: int = 20) -> int:
    """The first port from ``start`` that can be bound on ``ip``."""
    for port in range(start, start + tries):
        with socket.socket(socket.AF_INET6 if ":" in ip else socket.AF_INET) as sock:
            try:
                sock.bind((ip, port))
            except OSError:
                continue
            return port
    raise SystemExit(f"no free port in {start}..{start + tries - 1} on {ip}; set LAB_PORT=...")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ip", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8888)
    parser.add_argument("--start", default="notebooks/00_start_here.ipynb")
    parser.add_argument("--allow-root", action="store_true")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args(argv)
    port = free_port(args.ip, args.port)
    token = secrets.token_hex(16)
    host = "127.0.0.1" if args.ip in ("0.0.0.0", "::") else args.ip
    url = f"http://{host}:{port}/lab/tree/{args.start}?token={token}"
    print("\nclonaedu: JupyterLab is starting.", flush=True)
    print(f"  listening on {args.ip}:{port}", flush=True)
    print(f"  open this URL: {url}\n  (stop the server with Ctrl-C)\n", flush=True)
    cmd = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.ip={args.ip}", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--LabApp.default_url=/lab/tree/{args.start}"]
    if args.allow_root:
        cmd.append("--allow-root")
    if args.no_browser or not (os.environ.get("DISPLAY") or sys.platform in ("darwin", "win32")):
        cmd.append("--no-browser")
    os.execv(sys.executable, cmd)


if __name__ == "__main__":
    main()
