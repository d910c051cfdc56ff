"""Settings of the kennis service (environment prefix BODEMREGIE_)."""

from __future__ import annotations

from shared.privacy.instellingen import PrivacySettings
from shared.settings import default_sqlite_url


class KennisSettings(PrivacySettings):
    service_name: str = "kennis"
    port: int = 8003
    relay_enabled: bool = True

    def database(self) -> str:
        return self.database_url or default_sqlite_url(self.service_name)
