"""The kennis unit of work: events, outbox rows and the question read model commit together."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Column, CursorResult, Table, delete, insert, update
from sqlalchemy.orm import Session, sessionmaker

from services.kennis.adapters.tables import bijeenkomsten, experts, kennisvragen
from services.kennis.adapters.zoeken import indexeer
from services.kennis.domain.bijdragen import Document, Succes
from services.kennis.domain.bijeenkomsten import Bijeenkomst, Expert
from services.kennis.domain.model import Kennisvraag, Vraaggroep
from shared.aggregate import Repository
from shared.privacy import Personen
from shared.privacy.transactie import PersonenInTransactie
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


def _vervang(
    session: Session, tabel: Table, sleutel: Column[Any], waarde: str, velden: dict[str, Any]
) -> None:
    session.execute(delete(tabel).where(sleutel == waarde))
    session.execute(insert(tabel).values({sleutel.name: waarde, **velden}))


class SqlKennisUnitOfWork(PersonenInTransactie, SqlUnitOfWork):
    def __init__(
        self,
        sessions: sessionmaker[Session],
        topic: str,
        personen: Personen | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(sessions, **kwargs)
        self.topic = topic
        self.personen = personen

    def __enter__(self) -> SqlKennisUnitOfWork:
        super().__enter__()
        self.vragen = Repository(self.events, Kennisvraag, self.topic)
        self.groepen = Repository(self.events, Vraaggroep, self.topic)
        self.documenten = Repository(self.events, Document, self.topic)
        self.successen = Repository(self.events, Succes, self.topic)
        self.bijeenkomsten = Repository(self.events, Bijeenkomst, self.topic)
        self.experts = Repository(self.events, Expert, self.topic)
        return self

    def commit(self) -> None:
        for repository in (
            self.vragen,
            self.groepen,
            self.documenten,
            self.successen,
            self.bijeenkomsten,
            self.experts,
        ):
            repository.save()
        for b in self.bijeenkomsten.seen:
            _vervang(
                self.session,
                bijeenkomsten,
                bijeenkomsten.c.bijeenkomst_id,
                b.id,
                {"datum": b.datum, "samenvatting": b.samenvatting()},
            )
        for expert in self.experts.seen:
            g = expert.geregistreerd
            _vervang(
                self.session,
                experts,
                experts.c.expert_id,
                expert.id,
                {"persoon": g.persoon, "organisatie": g.organisatie, "themas": list(g.themas)},
            )
        for document in self.documenten.seen:
            d = document.gepubliceerd
            indexeer(
                self.session, document.id, d.soort, d.titel, d.tekst, list(d.themas), d.organisatie
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
