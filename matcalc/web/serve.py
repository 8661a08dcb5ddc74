"""`matcalc serve [--host 127.0.0.1] [--port 8000] [--open]`: the page on uvicorn.

Imports starlette and uvicorn at the top: `matcalc.cli` imports this module lazily and
tells the user to install the `web` extra when they are missing.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import threading
import webbrowser
from typing import TextIO

import uvicorn

from ..limits import WEB_TIME_BUDGET
from .app import LOOPBACK_HOSTS, create_app

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="matcalc serve",
        description="Serve the matcalc page (type an expression, see "
        "its derivative, steps, code and checks) and its JSON API, offline.",
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument("--open", action="store_true", help="open the page in a browser")
    p.add_argument(
        "--workers",
        type=int,
        default=max(4, min(8, os.cpu_count() or 4)),
        help="worker processes that run derivations (default: the cores, 4 to "
        "8: more than the cores, so that a slow query does not hold up "
        "quick ones)",
    )
    p.add_argument(
        "--budget",
        type=float,
        default=WEB_TIME_BUDGET,
        help=f"seconds one request may compute (default {WEB_TIME_BUDGET:g})",
    )
    return p


def _socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def main(argv: list[str] | None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    args = _parser().parse_args(argv)
    if args.workers < 1 or args.budget <= 0:
        print("error: --workers must be at least 1 and --budget positive", file=err)
        return 2
    try:
        sock = _socket(args.host, args.port)
    except OSError as failure:
        print(f"error: cannot listen on {args.host}:{args.port}: {failure.strerror}", file=err)
        return 2
    port = sock.getsockname()[1]
    shown = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{shown}:{port}/"
    loopback = args.host in LOOPBACK_HOSTS
    if not loopback:
        print(f"warning: listening on {args.host}, not only this machine", file=err)

    def ready():
        print(f"matcalc serve: {url}  (Ctrl-C to stop)", file=out, flush=True)
        if args.open:
            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()

    app = create_app(
        workers=args.workers,
        budget=args.budget,
        allowed_hosts=LOOPBACK_HOSTS if loopback else ["*"],
        on_ready=ready,
    )
    config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=3)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    return 0
