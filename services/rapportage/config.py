"""Settings of the rapportage service (environment prefix BODEMREGIE_)."""

from __future__ import annotations

from pathlib import Path

from shared.settings import PROJECT_ROOT, ServiceSettings, default_sqlite_url


class RapportageSettings(ServiceSettings):
    service_name: str = "rapportage"
    port: int = 8002
    consumer_enabled: bool = True
    consumer_group: str = "rapportage"
    # The reports published (service_layer/publiceren.py): sealed by this service's relay.
    publicaties_topic: str = "bodem.publicaties.v1"
    relay_enabled: bool = True
    # Where the timelines' snapshot is kept (adapters/momentopname.py), "uit" for none. Empty:
    # next to the embedded SQLite database when that is used, else none.
    tijdlijnen_momentopname: str = ""
    # At a first start without a snapshot a forked child reads and slices the log while the
    # service builds the timelines (adapters/voorlezer.py): the start on two cores.
    tijdlijnen_voorlezen: bool = True

    def database(self) -> str:
        return self.database_url or default_sqlite_url(self.service_name)

    def momentopname(self) -> Path | None:
        if self.tijdlijnen_momentopname == "uit":
            return None
        if self.tijdlijnen_momentopname:
            return Path(self.tijdlijnen_momentopname)
        if self.database_url:
            return None
        return PROJECT_ROOT / "var" / "data" / f"{self.service_name}-tijdlijnen.momentopname"
