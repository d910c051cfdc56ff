"""Settings of the rapportage service (environment prefix BODEMREGIE_)."""

from __future__ import annotations

from shared.settings import ServiceSettings, default_sqlite_url


class RapportageSettings(ServiceSettings):
    service_name: str = "rapportage"
    port: int = 8002
    consumer_enabled: bool = True
    consumer_group: str = "rapportage"

    def database(self) -> str:
        return self.database_url or default_sqlite_url(self.service_name)
