"""The locaties outbox relay as a process of its own, beside the request workers.

In a worker's thread the relay shares that worker's GIL with the requests: requests wait
behind a round, and a round behind requests (measured: ~15 % of both workers' GIL time was
the relay's, and the 201-to-Kafka part of the latency grew with the request load). Here it
has a process to itself. It is still elected through the same advisory-lock leadership
(``shared.leadership``), so with several instances of the service only one relays, and it is
woken by the ``NOTIFY`` every commit sends. Its PostgreSQL sessions are named
``locaties-relay`` (``application_name``), so an operator sees which backend leads.

    python -m shared.http.workers services.locaties.entrypoints.app:create_app --factory \\
        --workers 2 --relay services.locaties.entrypoints.relay:main

starts it beside the workers (which then run no relay thread: ``BODEMREGIE_RELAY_ENABLED``
is false in them); ``python -m services.locaties.entrypoints.relay`` runs it alone (``make run``
and compose's ``locaties-relay`` do), and an API with ``BODEMREGIE_RELAY_PROCESS=true`` starts
it as its child (``shared.outbox.RelayProcess``: settings on stdin, ``--ouder`` its pid). On
SQLite it leads through a file lock beside the database and polls the position counter
(``shared.leadership.PollingLeadership``). SIGTERM or SIGINT stops it gracefully: it anchors
what it sealed, as the thread does on shutdown.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from services.locaties.bootstrap import migrate, outbox_relay
from services.locaties.config import LocatiesSettings
from shared import gc_tuning
from shared.db.engine import make_engine, make_session_factory
from shared.envelope import source_urn
from shared.http.logs import configure_json_logging
from shared.leadership import leadership_for
from shared.zegel import verzegelaar

APPLICATION_NAME = "locaties-relay"


def engine_options(url: str) -> dict[str, Any]:
    """The relay's engine. On PostgreSQL one connection holds the lead and listens, one runs the
    rounds; the sessions are named for the operator. No pre-ping: it cost each round a round
    trip of its own (``SELECT 1`` at every checkout, ~5 % of a one-event round's CPU), and a
    round on a connection that died fails and is retried on a new one anyway (a disconnect
    invalidates the pool), as the leadership connection is checked once a second."""
    if url.startswith("sqlite"):
        return {}
    return {
        "pool_size": 2,
        "pool_pre_ping": False,
        "connect_args": {"application_name": APPLICATION_NAME},
    }


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m services.locaties.entrypoints.relay")
    parser.add_argument(
        "--instellingen",
        metavar="-",
        help="read the settings as JSON from stdin ('-') instead of the environment",
    )
    parser.add_argument(
        "--ouder", type=int, metavar="PID", help="stop when this parent process is gone"
    )
    return parser.parse_args(argv)


def _watch_parent(parent: int, stop: threading.Event, wake: Callable[[], None]) -> None:
    """Stop when the process that started this one is gone (this one is then re-parented)."""
    while not stop.wait(1.0):
        if os.getppid() != parent:
            stop.set()
            wake()


def main(argv: list[str] | None = None) -> None:
    # Called without arguments by ``shared.http.workers --relay`` (whose child inherits the
    # parent's sys.argv, which is not ours).
    args = _parse(argv or [])
    if args.instellingen == "-":
        settings = LocatiesSettings.model_validate_json(sys.stdin.buffer.read())
    else:
        settings = LocatiesSettings()
    if settings.log_json:
        configure_json_logging()
    url = settings.database()
    engine = make_engine(url, **engine_options(url))
    # The workers migrate too; the migrations serialise among processes (hold_job).
    migrate(engine)
    sessions = make_session_factory(engine)
    source = source_urn(settings.oin, "bodemregie-locaties")
    relay = outbox_relay(
        settings, sessions, source, verzegelaar(settings, source, settings.spoedlocaties_topic)
    )
    leadership = leadership_for(engine, "locaties", own_process=True)
    stop = threading.Event()
    if args.ouder:
        threading.Thread(
            target=_watch_parent, args=(args.ouder, stop, leadership.wake), daemon=True
        ).start()

    def stoppen(_signum: int, _frame: FrameType | None) -> None:
        stop.set()
        leadership.wake()

    signal.signal(signal.SIGTERM, stoppen)
    signal.signal(signal.SIGINT, stoppen)
    gc_tuning.after_warm_up()
    try:
        relay.run(
            stop,
            leadership,
            coalesce_s=settings.relay_coalesce_s,
            coalesce_max=settings.relay_coalesce_max,
        )
    finally:
        engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
