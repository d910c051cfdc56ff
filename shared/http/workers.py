"""Several uvicorn workers on one port, each with its own listening socket (``SO_REUSEPORT``),
so the kernel spreads new connections over the workers.

With ``uvicorn --workers N`` the workers share one socket, and the worker that wakes first
accepts every connection waiting then: 32 kept-alive clients connecting at once were measured
28 on one worker and 4 on the other (bench/http_path.py), so one process's GIL did most of the
work while the other idled. With a socket each the kernel hashes each connection to one of them.

    python -m shared.http.workers services.locaties.entrypoints.app:create_app --factory \\
        --host 0.0.0.0 --port 8001 --workers 2 --loop uvloop --http httptools

Each worker is a plain ``uvicorn.Server`` (its own graceful shutdown on SIGTERM). This parent
starts them, restarts one that dies, and on SIGTERM or SIGINT passes it on and waits for them.

``--relay module:function`` also runs that function in a process of its own beside the workers
(restarted likewise), and starts the workers with ``BODEMREGIE_RELAY_ENABLED=false``: the
outbox relay then competes with no request for a worker's GIL (see
``services/locaties/entrypoints/relay.py``).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import multiprocessing
import os
import signal
import socket
import sys
import time
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

import uvicorn

log = logging.getLogger("uvicorn.error")


def listening_socket(host: str, port: int, reuse_port: bool = True) -> socket.socket:
    """A socket on ``host:port``; with ``reuse_port`` other sockets with it may bind the port
    too (``SO_REUSEPORT``), and the kernel spreads new connections over them."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def sockets(host: str, port: int, n: int) -> list[socket.socket]:
    """``n`` listening sockets on one port. First a plain bind: a port in use (another instance
    started twice) fails here, instead of silently sharing its connections with it."""
    listening_socket(host, port, reuse_port=False).close()
    uit = [listening_socket(host, port) for _ in range(n)]
    for sock in uit:
        sock.listen(2048)
    return uit


# ``--http httptools`` runs uvicorn's httptools protocol writing each response in one write
# (``shared/http/eenschrijf.py``).
HTTP_PROTOCOLS = {"httptools": "shared.http.eenschrijf:HttpToolsEenSchrijf"}


def _worker(app: str, options: dict[str, Any], sock: socket.socket, env: dict[str, str]) -> None:
    os.environ.update(env)
    options = {**options, "http": HTTP_PROTOCOLS.get(options["http"], options["http"])}
    uvicorn.Server(uvicorn.Config(app, **options)).run(sockets=[sock])


def _relay(target: str) -> None:
    module, _, function = target.partition(":")
    getattr(importlib.import_module(module), function)()


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("app", help="module:attribute, as for uvicorn")
    parser.add_argument("--factory", action="store_true")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--loop", default="auto")
    parser.add_argument("--http", default="auto")
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--proxy-headers", action="store_true")
    parser.add_argument(
        "--relay",
        metavar="MODULE:FUNCTION",
        help="run the outbox relay in a process of its own (the workers then run none)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    options: dict[str, Any] = {
        "factory": args.factory,
        "host": args.host,
        "port": args.port,
        "loop": args.loop,
        "http": args.http,
        "log_level": args.log_level,
        "proxy_headers": args.proxy_headers,
    }
    # Held here for the workers' lifetime: a worker that is replaced takes over its socket,
    # and the connections queued on it meanwhile wait for it instead of being reset.
    eigen = sockets(args.host, args.port, args.workers)
    context = multiprocessing.get_context("spawn")
    stopping = False

    env = {"BODEMREGIE_RELAY_ENABLED": "false"} if args.relay else {}

    def start(i: int) -> BaseProcess:
        if i == len(eigen):
            process = context.Process(target=_relay, args=(args.relay,), name="relay")
        else:
            process = context.Process(target=_worker, args=(args.app, options, eigen[i], env))
        process.start()
        return process

    gestopt: set[int] = set()  # the processes ``stop`` told to stop

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for process in processes:
            if process.pid is not None and process.is_alive():
                # SIGTERM: uvicorn's graceful shutdown (the app's shutdown runs).
                process.terminate()
                gestopt.add(process.pid)

    processes = [start(i) for i in range(args.workers + (1 if args.relay else 0))]
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping:
        for i, process in enumerate(processes):
            if not process.is_alive() and not stopping:
                log.warning("worker %s ended (%s); starting another", process.pid, process.exitcode)
                processes[i] = start(i)
        time.sleep(0.5)
    for process in processes:
        # One started while the signal came in (a replacement still being spawned) was not
        # among those ``stop`` saw: it is told to stop too (once), or this would wait for it.
        if process.pid not in gestopt and process.is_alive():
            process.terminate()
        process.join(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
