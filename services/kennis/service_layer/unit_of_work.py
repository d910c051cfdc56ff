"""The kennis unit of work: events, outbox rows and the question read model commit together."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, insert, update
from sqlalchemy.orm import Session, sessionmaker

from services.kennis.adapters.tables import kennisvragen
from services.kennis.domain.model import Kennisvraag, Vraaggroep
from shared.aggregate import Repository
from shared.unit_of_work import SqlUnitOfWork


def _rij(vraag: Kennisvraag) -> dict[str, Any]:
    v = vraag.v
    return {
        "vraag_id": vraag.id,
        "titel": v.titel,
        "tekst": v.tekst,
        "themas": list(v.themas),
        "gesteld_door": v.gesteld_door,
        "organisatie": v.organisatie,
        "status": str(v.status),
        "antwoorden": [
            {
                "antwoordId": a.antwoord_id,
                "tekst": a.tekst,
                "door": a.door,
                "organisatie": a.organisatie,
            }
            for a in v.antwoorden
        ],
        "geaccepteerd": v.geaccepteerd,
        "versie": vraag.version,
        "bijgewerkt_op": datetime.now(UTC),
    }


class SqlKennisUnitOfWork(SqlUnitOfWork):
    def __init__(self, sessions: sessionmaker[Session], topic: str, **kwargs: Any) -> None:
        super().__init__(sessions, **kwargs)
        self.topic = topic

    def __enter__(self) -> SqlKennisUnitOfWork:
        super().__enter__()
        self.vragen = Repository(self.events, Kennisvraag, self.topic)
        self.groepen = Repository(self.events, Vraaggroep, self.topic)
        return self

    def commit(self) -> None:
        self.vragen.save()
        self.groepen.save()
        for vraag in self.vragen.seen:
            rij = _rij(vraag)
            result = cast(
                CursorResult[Any],
                self.session.execute(
                    update(kennisvragen).where(kennisvragen.c.vraag_id == vraag.id).values(**rij)
                ),
            )
            if not result.rowcount:
                self.session.execute(
                    insert(kennisvragen).values(**rij, gesteld_op=rij["bijgewerkt_op"])
                )
        for groep in self.groepen.seen:
            self.session.execute(
                update(kennisvragen)
                .where(kennisvragen.c.vraag_id.in_(groep.vraag_ids))
                .values(groep_id=groep.id)
            )
        super().commit()
