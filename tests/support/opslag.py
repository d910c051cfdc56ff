"""What a refused or invalid request must not store: events, outbox rows and personal data."""

from __future__ import annotations

from sqlalchemy import Engine, Table, func, inspect, select

from shared.eventstore.tables import events, outbox
from shared.privacy.tables import personen, persoon_gegevens

BEWAARD: tuple[Table, ...] = (events, outbox, personen, persoon_gegevens)


def aantallen(engine: Engine) -> dict[str, int]:
    """Rows per table that the service's database has (rapportage keeps no person store)."""
    bestaand = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        return {
            t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in BEWAARD
            if t.name in bestaand
        }
