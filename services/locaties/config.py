"""Settings of the locaties service (environment prefix BODEMREGIE_)."""

from __future__ import annotations

from shared.privacy.instellingen import PrivacySettings
from shared.settings import default_sqlite_url


class LocatiesSettings(PrivacySettings):
    service_name: str = "locaties"
    port: int = 8001
    relay_enabled: bool = True
    # Commit the commands waiting at the same moment in one transaction (PostgreSQL only;
    # shared/eventstore/groepscommit.py). Off until it has run in production-like load.
    group_commit: bool = False

    def database(self) -> str:
        return self.database_url or default_sqlite_url(self.service_name)
