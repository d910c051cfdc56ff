"""The kennis read models, written in the command's own transaction: the question list, the
meetings, the experts and the search index."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import Column, CursorResult, Table, delete, insert, update
from sqlalchemy.orm import Session

from services.kennis.adapters import tables
from services.kennis.adapters.zoeken import indexeer
from services.kennis.domain.bijdragen import Document, Succes
from services.kennis.domain.bijeenkomsten import Bijeenkomst, Expert
from services.kennis.domain.model import Kennisvraag, Vraaggroep


def _rij(vraag: Kennisvraag) -> dict[str, Any]:
    toestand = vraag.toestand
    return {
        "vraag_id": vraag.id,
        "titel": toestand.titel,
        "tekst": toestand.tekst,
        "themas": list(toestand.themas),
        "gesteld_door": toestand.gesteld_door,
        "organisatie": toestand.organisatie,
        "status": str(toestand.status),
        "antwoorden": [
            {
                "antwoordId": antwoord.antwoord_id,
                "tekst": antwoord.tekst,
                "door": antwoord.door,
                "organisatie": antwoord.organisatie,
            }
            for antwoord in toestand.antwoorden
        ],
        "geaccepteerd": toestand.geaccepteerd,
        "versie": vraag.version,
        "bijgewerkt_op": datetime.now(UTC),
    }


def _vervang(
    session: Session, tabel: Table, sleutel: Column[Any], waarde: str, velden: dict[str, Any]
) -> None:
    session.execute(delete(tabel).where(sleutel == waarde))
    session.execute(insert(tabel).values({sleutel.name: waarde, **velden}))


def vragen(session: Session, gezien: Iterable[Kennisvraag]) -> None:
    for vraag in gezien:
        toestand = vraag.toestand
        indexeer(
            session,
            vraag.id,
            "kennisvraag",
            toestand.titel,
            " ".join([toestand.tekst, *(a.tekst for a in toestand.antwoorden)]),
            list(toestand.themas),
            toestand.organisatie,
        )
        rij = _rij(vraag)
        result = cast(
            CursorResult[Any],
            session.execute(
                update(tables.kennisvragen)
                .where(tables.kennisvragen.c.vraag_id == vraag.id)
                .values(**rij)
            ),
        )
        if not result.rowcount:
            session.execute(
                insert(tables.kennisvragen).values(**rij, gesteld_op=rij["bijgewerkt_op"])
            )
        for antwoord in toestand.antwoorden:
            _bijdrage(
                session, antwoord.antwoord_id, "antwoord", antwoord.organisatie, antwoord.datum
            )


def _bijdrage(
    session: Session, ref: str, soort: str, organisatie: str | None, datum: date | None
) -> None:
    _vervang(
        session,
        tables.bijdragen,
        tables.bijdragen.c.ref,
        ref,
        {"soort": soort, "organisatie": organisatie, "datum": datum},
    )


def groepen(session: Session, gezien: Iterable[Vraaggroep]) -> None:
    for groep in gezien:
        session.execute(
            update(tables.kennisvragen)
            .where(tables.kennisvragen.c.vraag_id.in_(groep.vraag_ids))
            .values(groep_id=groep.id)
        )


def bijeenkomsten(session: Session, gezien: Iterable[Bijeenkomst]) -> None:
    for bijeenkomst in gezien:
        _vervang(
            session,
            tables.bijeenkomsten,
            tables.bijeenkomsten.c.bijeenkomst_id,
            bijeenkomst.id,
            {"datum": bijeenkomst.datum, "samenvatting": bijeenkomst.samenvatting()},
        )


def experts(session: Session, gezien: Iterable[Expert]) -> None:
    for expert in gezien:
        geregistreerd = expert.geregistreerd
        _vervang(
            session,
            tables.experts,
            tables.experts.c.expert_id,
            expert.id,
            {
                "persoon": geregistreerd.persoon,
                "organisatie": geregistreerd.organisatie,
                "themas": list(geregistreerd.themas),
            },
        )


def documenten(session: Session, gezien: Iterable[Document]) -> None:
    for document in gezien:
        gepubliceerd = document.gepubliceerd
        indexeer(
            session,
            document.id,
            gepubliceerd.soort,
            gepubliceerd.titel,
            gepubliceerd.tekst,
            list(gepubliceerd.themas),
            gepubliceerd.organisatie,
        )


def successen(session: Session, gezien: Iterable[Succes]) -> None:
    for succes in gezien:
        gemeld = succes.gemeld
        indexeer(
            session,
            succes.id,
            "succes",
            gemeld.titel,
            gemeld.verhaal,
            list(gemeld.themas),
            gemeld.bevoegd_gezag,
        )
        _bijdrage(session, succes.id, "succes", gemeld.bevoegd_gezag, gemeld.datum)
