"""Settings of the locaties service (environment prefix BODEMREGIE_)."""

from __future__ import annotations

from shared.privacy.instellingen import PrivacySettings
from shared.settings import default_sqlite_url


class LocatiesSettings(PrivacySettings):
    service_name: str = "locaties"
    port: int = 8001
    # Whether this process runs the outbox relay at all: false when a relay process runs
    # beside it (``make run``, compose's locaties-relay, ``shared.http.workers --relay``).
    relay_enabled: bool = True
    # With the relay on: run it as a child process of its own (shared.outbox.RelayProcess)
    # instead of a thread sharing the requests' GIL, e.g. under ``uvicorn --workers``. The
    # embedded single-process default (SQLite, tests) keeps the thread.
    relay_process: bool = False
    # Commit the commands waiting at the same moment in one transaction (PostgreSQL only;
    # shared/eventstore/groepscommit.py): they share one fsync and one hold of the position
    # counter's lock. SQLite always commits one command at a time.
    group_commit: bool = True
    # Batches in flight per process: with 2, while one waits for the position lock or its
    # COMMIT the next one reads its versions and writes its read models. On the loaded
    # development machine 2 measured no faster than 1 (the processes were short of CPU).
    group_commit_writers: int = 1
    # Run a command on an existing site on the event loop instead of in a worker thread
    # (PostgreSQL with group commit; service_layer/messagebus.py), its batch writer too (below).
    # Measured side by side on the quiet 2-core machine (bench.http_path, 2 runs each way):
    # 890-954 status changes/s at 1.19-1.27 ms service CPU per command, against 757-814/s
    # at 1.41-1.54 ms in worker threads. Off: every command in a worker thread, as on SQLite.
    commando_op_lus: bool = True
    # With ``commando_op_lus``: the group commit's writer on the event loop too
    # (shared/eventstore/groepscommit_lus.py: no writer thread, no GIL hand-over on the hot
    # path); false keeps the writer thread beside the loop (to compare).
    group_commit_op_lus: bool = True
    # With the loop's writer: how long (seconds) it may wait for a batch as large as the
    # recent ones before taking a smaller one (``LoopGroupCommitter._gather``); 0 takes
    # what waits at once. Measured interleaved with main (bench.http_path, 500 sites, 32
    # clients, load 1.2-3.3): 1,040-1,104/s against 845/s and 842-924 against 759, p50 26-36
    # ms against 39-43, worker CPU 0.95-0.98 against 1.10 ms and PostgreSQL 0.31-0.34 against
    # 0.50 ms per command (batches of ~16 against two alternating ~8); p99 unchanged (~75 ms).
    group_commit_gather_s: float = 0.004
    # PostgreSQL connections per process: one per command running in a worker thread (the
    # default thread pool has 40), so that none waits for a connection or opens a new one.
    database_pool_size: int = 40

    def database(self) -> str:
        return self.database_url or default_sqlite_url(self.service_name)
