"""``python -m shared.http.workers``: each worker listens on its own socket on the one port, so the
kernel spreads connections over them (uvicorn's ``--workers`` shares a single socket, which the
first worker to wake drains); a worker that dies is replaced; SIGTERM stops them all."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.support.infra import ROOT


async def pid_app(
    scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]
) -> None:
    """Answers with the pid of the worker that served the request."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(os.getpid()).encode()})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening_inodes(port: int) -> set[str]:
    """The inodes of the sockets listening on ``port`` (state 0A in /proc/net/tcp)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        velden = line.split()
        if velden[3] == "0A" and int(velden[1].split(":")[1], 16) == port:
            inodes.add(velden[9])
    return inodes


def _pid(port: int) -> int:
    return int(httpx.get(f"http://127.0.0.1:{port}/", timeout=10).text)


def _wait_for(check: Callable[[], bool]) -> None:
    for _ in range(300):
        try:
            if check():
                return
        except httpx.HTTPError:
            pass
        threading.Event().wait(0.1)
    raise AssertionError("never happened")


@contextmanager
def _workers(port: int) -> Iterator[subprocess.Popen[bytes]]:
    app = "tests.integration.test_workers:pid_app"
    args = ["--port", str(port), "--workers", "2", "--log-level", "warning"]
    # A session of its own, so the cleanup can end the workers too when the parent is gone.
    server = subprocess.Popen(
        [sys.executable, "-m", "shared.http.workers", app, *args], cwd=ROOT, start_new_session=True
    )
    try:
        _wait_for(lambda: len(_listening_inodes(port)) == 2 and _pid(port) > 0)
        yield server
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)  # what outlived its parent


def _pids_seen(port: int, connections: int) -> set[int]:
    """Opens ``connections`` connections at once, one request each."""
    pids: set[int] = set()
    barrier = threading.Barrier(connections)

    def client() -> None:
        with httpx.Client(timeout=30) as c:
            barrier.wait()
            pids.add(int(c.get(f"http://127.0.0.1:{port}/").text))

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return pids


def test_each_worker_listens_on_its_own_socket_and_gets_connections() -> None:
    port = _free_port()
    with _workers(port) as server:
        assert len(_listening_inodes(port)) == 2  # uvicorn --workers: 1, shared
        # 64 connections: that all land on one of two sockets is a chance of 2**-63.
        pids = _pids_seen(port, 64)
        assert len(pids) == 2
        assert server.pid not in pids


def test_a_worker_that_dies_is_replaced_and_sigterm_stops_all() -> None:
    port = _free_port()
    with _workers(port) as server:
        # A second instance on the same port refuses to start (no silent sharing).
        tweede = subprocess.run(
            [sys.executable, "-m", "shared.http.workers", "x:y", "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
        )
        assert tweede.returncode != 0 and b"Address already in use" in tweede.stderr
        dood = _pid(port)
        os.kill(dood, signal.SIGKILL)
        _wait_for(
            lambda: len(_listening_inodes(port)) == 2 and len(_pids_seen(port, 32) - {dood}) == 2
        )
        server.send_signal(signal.SIGTERM)
        assert server.wait(60) == 0
        assert _listening_inodes(port) == set()
