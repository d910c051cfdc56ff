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
is false in them); ``python -m services.locaties.entrypoints.relay`` runs it alone. SIGTERM
or SIGINT stops it gracefully: it anchors what it sealed, as the thread does on shutdown.
"""

from __future__ import annotations

import signal
import threading
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


def main() -> None:
    settings = LocatiesSettings()
    if settings.log_json:
        configure_json_logging()
    url = settings.database()
    opties: dict[str, Any] = {}
    if not url.startswith("sqlite"):
        # One connection holds the lead and listens; one runs the rounds.
        opties = {"pool_size": 2, "connect_args": {"application_name": APPLICATION_NAME}}
    engine = make_engine(url, **opties)
    # The workers migrate too; the migrations serialise among processes (lock_job).
    migrate(engine)
    sessions = make_session_factory(engine)
    source = source_urn(settings.oin, "bodemregie-locaties")
    relay = outbox_relay(
        settings, sessions, source, verzegelaar(settings, source, settings.spoedlocaties_topic)
    )
    leadership = leadership_for(engine, "locaties")
    stop = threading.Event()

    def stoppen(_signum: int, _frame: FrameType | None) -> None:
        stop.set()
        leadership.wake()

    signal.signal(signal.SIGTERM, stoppen)
    signal.signal(signal.SIGINT, stoppen)
    gc_tuning.after_warm_up()
    try:
        relay.run(stop, leadership)
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
