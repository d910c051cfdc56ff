"""The kennis unit of work: events, outbox rows and the question read model commit together."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, insert, update
from sqlalchemy.orm import Session, sessionmaker

from services.kennis.adapters.tables import kennisvragen
from services.kennis.adapters.zoeken import indexeer
from services.kennis.domain.bijdragen import Document, Succes
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
        self.documenten = Repository(self.events, Document, self.topic)
        self.successen = Repository(self.events, Succes, self.topic)
        return self

    def commit(self) -> None:
        for repository in (self.vragen, self.groepen, self.documenten, self.successen):
            repository.save()
        for document in self.documenten.seen:
            e = document.gepubliceerd
            indexeer(
                self.session, document.id, e.soort, e.titel, e.tekst, list(e.themas), e.organisatie
            )
        for succes in self.successen.seen:
            s = succes.gemeld
            indexeer(
                self.session,
                succes.id,
                "succes",
                s.titel,
                s.verhaal,
                list(s.themas),
                s.bevoegd_gezag,
            )
        for vraag in self.vragen.seen:
            v = vraag.v
            indexeer(
                self.session,
                vraag.id,
                "kennisvraag",
                v.titel,
                " ".join([v.tekst, *(a.tekst for a in v.antwoorden)]),
                list(v.themas),
                v.organisatie,
            )
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
