"""Settings of the locaties service (environment prefix BODEMREGIE_)."""

from __future__ import annotations

from shared.privacy.instellingen import PrivacySettings
from shared.settings import default_sqlite_url


class LocatiesSettings(PrivacySettings):
    service_name: str = "locaties"
    port: int = 8001
    relay_enabled: bool = True
    # Commit the commands waiting at the same moment in one transaction (PostgreSQL only;
    # shared/eventstore/groepscommit.py): they share one fsync and one hold of the position
    # counter's lock. SQLite always commits one command at a time.
    group_commit: bool = True
    # PostgreSQL connections per process: one per command running in a worker thread (the
    # default thread pool has 40), so that none waits for a connection or opens a new one.
    database_pool_size: int = 40

    def database(self) -> str:
        return self.database_url or default_sqlite_url(self.service_name)
