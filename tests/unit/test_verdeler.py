"""``shared.http.workers.Verdeler``, the parent's side of ``--spread parent``, with the workers'
ends of the hand-over sockets played by the test: connections go to the ready worker with the
fewest open, none before every worker is ready, and one handed to a worker that ended before
taking it goes to another instead of being reset."""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from shared.http.workers import Verdeler, listening_socket


@pytest.fixture
def verdeler() -> Iterator[Verdeler]:
    listener = listening_socket("127.0.0.1", 0, reuse_port=False)
    listener.listen(64)
    uit = Verdeler(listener, workers=2)
    yield uit
    uit.sluit()


def _neem(eind: socket.socket) -> list[socket.socket]:
    """What the parent handed to this worker's end so far."""
    eind.setblocking(False)
    uit: list[socket.socket] = []
    while True:
        try:
            _, fds, _, _ = socket.recv_fds(eind, 16, 1)
        except BlockingIOError:
            return uit
        uit += [socket.socket(fileno=fd) for fd in fds]


def _verbind(verdeler: Verdeler, n: int) -> list[socket.socket]:
    poort = verdeler.listener.getsockname()[1]
    clients = [socket.create_connection(("127.0.0.1", poort)) for _ in range(n)]
    for _ in range(n + 2):  # the reports, the listening, then the connections
        verdeler.ronde(0.05)
    return clients


def test_nothing_is_accepted_before_every_worker_is_ready_then_spread_evenly(
    verdeler: Verdeler,
) -> None:
    eerste, tweede = verdeler.kanaal(0), verdeler.kanaal(1)
    eerste.send(b"0 0")
    clients = _verbind(verdeler, 4)
    assert _neem(eerste) == []  # one ready is not all: they wait in the queue
    tweede.send(b"0 0")
    for _ in range(4):
        verdeler.ronde(0.05)
    clients += _verbind(verdeler, 28)
    assert (len(_neem(eerste)), len(_neem(tweede))) == (16, 16)
    for c in clients:
        c.close()


def test_the_worker_with_fewest_open_gets_the_next(verdeler: Verdeler) -> None:
    eerste, tweede = verdeler.kanaal(0), verdeler.kanaal(1)
    eerste.send(b"0 5")  # five open (say, from before)
    tweede.send(b"0 0")
    clients = _verbind(verdeler, 7)
    assert (len(_neem(eerste)), len(_neem(tweede))) == (1, 6)
    for c in clients:
        c.close()


def test_a_connection_handed_to_a_worker_that_ended_before_taking_it_goes_to_another(
    verdeler: Verdeler,
) -> None:
    eerste, tweede = verdeler.kanaal(0), verdeler.kanaal(1)
    eerste.send(b"0 0")
    tweede.send(b"0 3")  # the first is handed the next
    (client,) = _verbind(verdeler, 1)
    assert verdeler.kanalen[0].gegeven == 1
    eerste.close()  # ended without taking it (nor reporting it taken)
    verdeler.ronde(0.05)
    (genomen,) = _neem(tweede)
    client.sendall(b"ping")
    assert genomen.recv(4) == b"ping"
    genomen.sendall(b"pong")
    assert client.recv(4) == b"pong"
    client.close()
    genomen.close()


def test_a_connection_a_worker_reported_taken_is_not_handed_again_when_it_is_replaced(
    verdeler: Verdeler,
) -> None:
    """The parent's loop checks its workers before each round: one found dead is replaced
    (``kanaal``) before a round read the reports it sent just before it ended. What it
    reported taken it may have read from: that connection ends, it goes to no other worker."""
    eerste, tweede = verdeler.kanaal(0), verdeler.kanaal(1)
    eerste.send(b"0 0")
    tweede.send(b"0 3")  # the first is handed the next
    (client,) = _verbind(verdeler, 1)
    (genomen,) = _neem(eerste)
    eerste.send(b"1 1")  # taken
    client.sendall(b"GET / HTTP/1.1\r\n")
    assert genomen.recv(64) == b"GET / HTTP/1.1\r\n"  # read, then it dies
    genomen.close()
    eerste.close()
    opvolger = verdeler.kanaal(0)
    verdeler.ronde(0.05)
    assert _neem(tweede) == []
    client.settimeout(5)
    assert client.recv(64) == b""  # closed, not left waiting for an answer
    client.close()
    opvolger.close()


def test_a_worker_the_kernel_refused_a_hand_over_to_once_still_gets_connections(
    verdeler: Verdeler, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A send that fails for a worker still alive (ENOBUFS: the kernel short of memory for a
    moment) does not make it unready: an idle worker reports nothing new, so it would never
    be handed another connection (and with all so marked, the parent would accept none)."""
    eerste, tweede = verdeler.kanaal(0), verdeler.kanaal(1)
    eerste.send(b"0 0")
    tweede.send(b"0 0")
    for _ in range(2):
        verdeler.ronde(0.05)
    echt = socket.send_fds

    def geweigerd(*args: Any, **kwargs: Any) -> int:
        raise OSError(errno.ENOBUFS, "No buffer space available")

    monkeypatch.setattr(socket, "send_fds", geweigerd)
    (client,) = _verbind(verdeler, 1)
    monkeypatch.setattr(socket, "send_fds", echt)
    for _ in range(2):
        verdeler.ronde(0.05)
    assert len(_neem(eerste)) + len(_neem(tweede)) == 1
    clients = _verbind(verdeler, 2)  # and it accepts again
    assert len(_neem(eerste)) + len(_neem(tweede)) == 2
    for c in [client, *clients]:
        c.close()
