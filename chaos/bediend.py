"""An app served over real HTTP by uvicorn in a thread of this process, for the scenarios whose
clients must be able to give up on a request: the in-process test client waits for ever for an
answer that never comes, and cannot leave while such a request is in flight."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI


@contextmanager
def bediend(app: FastAPI, graceful_s: int = 10) -> Iterator[str]:
    """Yields the base URL once the app's lifespan has started; on leaving, requests still in
    flight after ``graceful_s`` are cancelled (uvicorn's graceful shutdown timeout) and the
    lifespan's shutdown runs."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=graceful_s)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(graceful_s + 60)
        sock.close()
