"""Several uvicorn workers on one port, with the connections spread over them.

With ``uvicorn --workers N`` the workers share one socket, and the worker that wakes first
accepts every connection waiting then: 32 kept-alive clients connecting at once were measured
28 on one worker and 4 on the other (bench/http_path.py), so one process's GIL did most of the
work while the other idled. A listening socket per worker (``SO_REUSEPORT``) lets the kernel
hash each connection to one of them, which is even only on average: the same 32 clients were
measured 14/18 up to 21/11. That is the default (``--spread reuseport``).

With ``--spread parent`` this parent holds the one listening socket, accepts every
connection itself and hands it to the worker with the fewest open connections (ties: the one
handed the fewest), over a Unix socket of that worker's (the descriptor in ``SCM_RIGHTS``,
``socket.send_fds``). The worker takes it into its event loop with
``loop.connect_accepted_socket`` and uvicorn's own HTTP protocol, and reports back how many
it took (at once) and how many it holds open (when that changed, every 0.1 s). 32 connections
over two workers end 16/16. A kept-alive connection stays with its worker. Only a worker that
reported itself ready is handed any; at the start the parent accepts nothing until all are
ready (at most a minute), and while none is (a single worker restarting) nothing either: the
connections wait in the listening socket's queue. A connection handed to a worker that died
before taking it is handed to another (the parent keeps its own descriptor until the worker
reports it taken).

The even spread was expected to narrow the closed loop's p99 (the busier worker's clients wait
longer), and is not the default because on a quiet machine it did not: ``bench.http_path
--sites 500 --clients 32 --workers 2``, 6 pairs alternated at load 1.6-6 (2026-12-02), gave
1,009/720/816/740/880/1,177 status changes/s with p99 74/110/85/122/73/70 ms for the parent's
16/16, against 1,043/1,042/1,025/1,071/1,079/1,049/s and p99 83/78/76/68/69/83 ms for the
kernel's 17/15 (19/13 once); the workers spent 0.82-1.15 ms CPU a command against 0.86-0.93.

    python -m shared.http.workers services.locaties.entrypoints.app:create_app --factory \\
        --host 0.0.0.0 --port 8001 --workers 2 --loop uvloop --http httptools

Each worker is a ``uvicorn.Server`` (its own graceful shutdown on SIGTERM). With the parent
spreading, its ``startup`` is uvicorn's with the listening replaced by taking the handed-over
connections (``_Server``: what of uvicorn it relies on is listed there). This parent binds the
port plainly first (a second instance on a port in use fails), starts the workers, restarts
one that dies, and on SIGTERM or SIGINT stops accepting, passes the signal on and waits for
them. A worker whose parent is gone shuts down (it would get no more connections).

``--relay module:function`` also runs that function in a process of its own beside the workers
(restarted likewise), and starts the workers with ``BODEMREGIE_RELAY_ENABLED=false``: the
outbox relay then competes with no request for a worker's GIL (see
``services/locaties/entrypoints/relay.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import multiprocessing
import os
import selectors
import signal
import socket
import sys
import time
from collections import deque
from collections.abc import Callable
from contextlib import suppress
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType
from typing import Any, cast

import uvicorn
from uvicorn.config import STARTUP_FAILURE

log = logging.getLogger("uvicorn.error")

# What the workers are called in ``ps``/``top`` (``/proc/PID/comm``, at most 15 bytes).
WORKER_NAME = "http-worker"
# How often a worker reports its open connections to the parent (when they changed).
REPORT_EVERY_S = 0.1


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


class _Kanaal:
    """The parent's end of one worker's (one incarnation's) hand-over socket, and what the
    parent knows of that worker."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.gereed = False  # it reported (it serves what it is handed)
        self.gegeven = 0  # connections handed to it
        self.genomen = 0  # of those, taken (its last report)
        self.open = 0  # connections it holds open (its last report)
        # Handed over, not yet reported taken: (number, the parent's descriptor of it).
        self.onderweg: deque[tuple[int, socket.socket]] = deque()

    def last(self) -> tuple[int, int]:
        """Its open connections as far as the parent knows (those still on their way
        included), then how many it was handed: the fewest gets the next connection."""
        return self.open + self.gegeven - self.genomen, self.gegeven


class Verdeler:
    """The parent's side of ``--spread parent``: the one listening socket, accepted here, each
    connection handed to the ready worker with the fewest open connections."""

    def __init__(self, listener: socket.socket, workers: int, start_s: float = 60.0) -> None:
        listener.setblocking(False)
        self.listener = listener
        # At the start nothing is accepted until every worker is ready (or ``start_s`` has
        # passed): the first one ready would otherwise keep the early kept-alive connections.
        self.workers = workers
        self.start_tot: float | None = time.monotonic() + start_s
        self.selector = selectors.DefaultSelector()
        self.kanalen: dict[int, _Kanaal] = {}  # by worker number
        self.wachtend: deque[socket.socket] = deque()  # accepted, not handed over yet
        self.luistert = False
        self.gestopt = False  # set from a signal handler: nothing is accepted or handed after

    def kanaal(self, i: int) -> socket.socket:
        """A hand-over socket for worker ``i``'s next incarnation; returns the worker's end
        (the caller passes it to the worker and closes its own copy)."""
        self._weg(i)
        ouder, kind = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        ouder.setblocking(False)
        self.kanalen[i] = _Kanaal(ouder)
        self.selector.register(ouder, selectors.EVENT_READ, i)
        return kind

    def ronde(self, timeout: float) -> None:
        """Waits up to ``timeout`` for connections and the workers' reports, and hands over."""
        gereed = sum(k.gereed for k in self.kanalen.values())
        if self.start_tot is not None and (
            gereed == self.workers or time.monotonic() > self.start_tot
        ):
            self.start_tot = None
        self._luister(
            not self.gestopt and not self.wachtend and gereed > 0 and self.start_tot is None
        )
        for key, _ in self.selector.select(timeout):
            if key.fileobj is self.listener:
                self._aanvaard()
            elif key.data in self.kanalen:
                self._bericht(key.data)
        self._verdeel()

    def sluit(self) -> None:
        """Stops: the listening socket closes (new connections are refused), and the parent's
        descriptors of connections not handed over or not yet taken are closed."""
        self._luister(False)
        self.listener.close()
        for i in list(self.kanalen):
            self._weg(i)
        while self.wachtend:
            self.wachtend.popleft().close()
        self.selector.close()

    def _luister(self, aan: bool) -> None:
        if aan != self.luistert:
            if aan:
                self.selector.register(self.listener, selectors.EVENT_READ)
            else:
                self.selector.unregister(self.listener)
            self.luistert = aan

    def _weg(self, i: int) -> None:
        """Worker ``i``'s hand-over socket is done with (its worker ended or is replaced):
        what it was handed and never took goes to another, first."""
        kanaal = self.kanalen.pop(i, None)
        if kanaal is None:
            return
        # Its reports not read yet first (a worker found dead before a round read them): a
        # connection it reported taken may have been read from, and is not handed again.
        self._meldingen(kanaal)
        self.selector.unregister(kanaal.sock)
        kanaal.sock.close()
        self.wachtend.extendleft(reversed([conn for _, conn in kanaal.onderweg]))

    def _aanvaard(self) -> None:
        for _ in range(64):  # then the workers' reports get their turn
            try:
                conn, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # e.g. out of descriptors: the queue keeps the rest
                log.warning("accepting a connection: %s", exc)
                return
            if self.gestopt:
                conn.close()
                return
            self.wachtend.append(conn)
            self._verdeel()

    def _bericht(self, i: int) -> None:
        """Worker ``i``'s reports, or its end (its process ended)."""
        if self._meldingen(self.kanalen[i]):
            self._weg(i)

    @staticmethod
    def _meldingen(kanaal: _Kanaal) -> bool:
        """Reads a worker's waiting reports ("TAKEN OPEN"); true when its end is closed."""
        while True:
            try:
                bericht = kanaal.sock.recv(64)
            except (BlockingIOError, InterruptedError):
                return False
            except OSError:
                return True
            if not bericht:
                return True
            genomen, open_ = (int(v) for v in bericht.split())
            kanaal.gereed, kanaal.genomen, kanaal.open = True, genomen, open_
            while kanaal.onderweg and kanaal.onderweg[0][0] <= genomen:
                kanaal.onderweg.popleft()[1].close()

    def _verdeel(self) -> None:
        while self.wachtend and not self.gestopt:
            conn = self.wachtend[0]
            for kanaal in sorted((k for k in self.kanalen.values() if k.gereed), key=_Kanaal.last):
                try:
                    socket.send_fds(kanaal.sock, [b"c"], [conn.fileno()])
                except OSError:
                    # Its queue is full, the kernel refused for now (ENOBUFS), or it ended (its
                    # end of the socket follows, and drops it): another, or later. Not marked
                    # unready: one still alive and idle would report nothing to undo that.
                    continue
                kanaal.gegeven += 1
                kanaal.onderweg.append((kanaal.gegeven, self.wachtend.popleft()))
                break
            else:
                return  # no worker can take it now: it waits (and accepting stops)


class _Overdracht:
    """A worker's end of ``--spread parent``: takes each connection the parent hands over into
    the event loop with uvicorn's protocol, and reports "TAKEN OPEN" to the parent: at once
    on taking (before reading from it: until then the parent may hand it to another worker)
    and when the number open changed. Stands in uvicorn's ``Server.servers`` for the
    listening server it replaces: ``close`` stops taking (uvicorn's shutdown calls it)."""

    def __init__(
        self,
        sock: socket.socket,
        protocol_factory: Callable[[], asyncio.Protocol],
        open_: Callable[[], int],
        parent_gone: Callable[[], None],
    ) -> None:
        sock.setblocking(False)
        self.sock = sock
        self.protocol_factory = protocol_factory
        self.open = open_  # () -> the connections uvicorn holds open
        self.parent_gone = parent_gone
        self.loop = asyncio.get_running_loop()
        self.genomen = 0
        self.aan_het_nemen = 0  # taken, not yet a connection of uvicorn's
        self.gemeld: tuple[int, int] | None = None
        self.taken: set[asyncio.Task[None]] = set()  # connections being taken
        self.melder: asyncio.Task[None] | None = None
        self.gesloten = False

    def start(self) -> None:
        self.loop.add_reader(self.sock.fileno(), self._lees)
        self.melder = self.loop.create_task(self._meld_steeds())
        self._meld()  # ready

    def close(self) -> None:
        if not self.gesloten:
            self.gesloten = True
            self.loop.remove_reader(self.sock.fileno())
            self.sock.close()
            if self.melder is not None:
                self.melder.cancel()

    async def wait_closed(self) -> None:
        return None

    def _lees(self) -> None:
        nieuw: list[socket.socket] = []
        while True:
            try:
                bericht, fds, _, _ = socket.recv_fds(self.sock, 16, 1)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                bericht, fds = b"", []
            if not bericht:  # the parent is gone: no more connections come
                self.close()
                self.parent_gone()
                break
            self.genomen += 1  # one per message: a descriptor lost in passing counts too
            nieuw += [socket.socket(fileno=fd) for fd in fds]
        self.aan_het_nemen += len(nieuw)
        self._meld()
        for conn in nieuw:
            taak = self.loop.create_task(self._neem(conn))
            self.taken.add(taak)
            taak.add_done_callback(self.taken.discard)

    async def _neem(self, conn: socket.socket) -> None:
        try:
            await self.loop.connect_accepted_socket(self.protocol_factory, conn)
        except OSError:  # e.g. reset by the client meanwhile
            conn.close()
        finally:
            self.aan_het_nemen -= 1

    async def _meld_steeds(self) -> None:
        while True:
            await asyncio.sleep(REPORT_EVERY_S)
            self._meld()

    def _meld(self) -> None:
        stand = (self.genomen, self.aan_het_nemen + self.open())
        if stand != self.gemeld and not self.gesloten:
            try:
                self.sock.send(b"%d %d" % stand)
            except (BlockingIOError, InterruptedError):
                return  # the next report says it
            except OSError:
                return  # the parent is gone: reading says so
            self.gemeld = stand


class _Server(uvicorn.Server):
    """A ``uvicorn.Server`` serving the connections its parent hands over instead of
    listening. ``startup`` is uvicorn's (0.30-0.54) for given sockets, with the listening
    server replaced by ``_Overdracht``; of uvicorn it relies on: ``lifespan.startup()``,
    ``lifespan.should_exit``, ``lifespan.state``, ``config.http_protocol_class(config=,
    server_state=, app_state=)``, ``server_state.connections`` (the open connections),
    ``servers`` (closed and waited for by uvicorn's own ``shutdown``), ``started`` and
    ``should_exit``. ``tests/integration/test_workers.py`` runs it."""

    def __init__(self, config: uvicorn.Config, kanaal: socket.socket) -> None:
        super().__init__(config)
        self.kanaal = kanaal

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await self.lifespan.startup()
        if self.lifespan.should_exit:
            sys.exit(STARTUP_FAILURE)
        config = self.config

        def create_protocol() -> asyncio.Protocol:
            return config.http_protocol_class(  # type: ignore[call-arg]
                config=config, server_state=self.server_state, app_state=self.lifespan.state
            )

        def parent_gone() -> None:
            self.should_exit = True

        overdracht = _Overdracht(
            self.kanaal, create_protocol, lambda: len(self.server_state.connections), parent_gone
        )
        self.servers = [cast(Any, overdracht)]
        overdracht.start()
        self.started = True


# ``--http httptools`` runs uvicorn's httptools protocol writing each response in one write
# (``shared/http/eenschrijf.py``).
HTTP_PROTOCOLS = {"httptools": "shared.http.eenschrijf:HttpToolsEenSchrijf"}


def _worker(
    app: str,
    options: dict[str, Any],
    sock: socket.socket | None,
    kanaal: socket.socket | None,
    env: dict[str, str],
) -> None:
    """A worker: serves ``sock`` (``--spread reuseport``) or what is handed over through
    ``kanaal`` (``--spread parent``)."""
    os.environ.update(env)
    with suppress(OSError):  # not Linux
        Path("/proc/self/comm").write_text(WORKER_NAME)
    options = {**options, "http": HTTP_PROTOCOLS.get(options["http"], options["http"])}
    config = uvicorn.Config(app, **options)
    if kanaal is not None:
        _Server(config, kanaal).run()
    else:
        uvicorn.Server(config).run(sockets=[cast(socket.socket, sock)])


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
        "--spread",
        choices=("parent", "reuseport"),
        default="reuseport",
        help="reuseport: a listening socket per worker, the kernel's hash; parent: this "
        "process accepts and hands each connection to the worker with the fewest open (even)",
    )
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
    # Held here for the workers' lifetime: a worker that is replaced takes over its socket
    # (reuseport), or the parent hands the connections to the others meanwhile and queues
    # them while none is ready (parent); either way none is reset for a worker's restart.
    eigen: list[socket.socket] = []
    verdeler: Verdeler | None = None
    if args.spread == "parent":
        # A plain bind: a port in use (another instance started twice) fails here.
        listener = listening_socket(args.host, args.port, reuse_port=False)
        listener.listen(2048)
        verdeler = Verdeler(listener, args.workers)
    else:
        eigen = sockets(args.host, args.port, args.workers)
    context = multiprocessing.get_context("spawn")
    stopping = False

    env = {"BODEMREGIE_RELAY_ENABLED": "false"} if args.relay else {}

    def start(i: int) -> BaseProcess:
        if i == args.workers:
            process = context.Process(target=_relay, args=(args.relay,), name="relay")
            process.start()
            return process
        if verdeler is None:
            process = context.Process(target=_worker, args=(args.app, options, eigen[i], None, env))
            process.start()
            return process
        kanaal = verdeler.kanaal(i)
        process = context.Process(target=_worker, args=(args.app, options, None, kanaal, env))
        process.start()
        kanaal.close()  # the worker's now: its end closes when the worker ends
        return process

    gestopt: set[int] = set()  # the processes ``stop`` told to stop

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        if verdeler is not None:
            verdeler.gestopt = True
        for process in processes:
            if process.pid is not None and process.is_alive():
                # SIGTERM: uvicorn's graceful shutdown (the app's shutdown runs).
                process.terminate()
                gestopt.add(process.pid)

    processes = [start(i) for i in range(args.workers + (1 if args.relay else 0))]
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info(
        "listening on %s:%d, %d workers, spread: %s",
        args.host,
        args.port,
        args.workers,
        args.spread,
    )
    while not stopping:
        for i, process in enumerate(processes):
            if not process.is_alive() and not stopping:
                log.warning("worker %s ended (%s); starting another", process.pid, process.exitcode)
                processes[i] = start(i)
        if verdeler is not None:
            verdeler.ronde(0.5)
        else:
            time.sleep(0.5)
    if verdeler is not None:
        verdeler.sluit()
    for process in processes:
        # One started while the signal came in (a replacement still being spawned) was not
        # among those ``stop`` saw: it is told to stop too (once), or this would wait for it.
        if process.pid not in gestopt and process.is_alive():
            process.terminate()
        process.join(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
