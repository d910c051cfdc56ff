"""Where publications are kept: one row each in ``r_publicaties`` (migration rapportage_0005),
written once in the transaction that appends its event, never updated."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Integer,
    String,
    Table,
    select,
)
from sqlalchemy.orm import Session

from services.rapportage.adapters.tables import feiten, metadata
from services.rapportage.domain.feiten import Feit
from services.rapportage.domain.publicaties import (
    Publicatie,
    rapport_uit,
    tabellen_als_data,
)
from shared.db.columns import positie, tijdstip

publicaties = Table(
    "r_publicaties",
    metadata,
    Column("nummer", Integer, primary_key=True, autoincrement=False),
    Column("titel", String(200), nullable=False),
    tijdstip("gepubliceerd_op"),
    Column("rapport", String(40), nullable=False),
    Column("rapport_titel", String(200), nullable=False),
    Column("parameters", JSON, nullable=False),
    positie(),
    Column("digest", String(80), nullable=False),
    Column("logboeken", JSON, nullable=False),
    Column("inhoud", JSON, nullable=False),
    Column("tabellen", JSON, nullable=False),
    Column("vervangt", Integer, nullable=True, unique=True),
)


class GeschondenPublicatie(RuntimeError):
    """A stored publication whose content no longer gives its digest: changed after the fact."""


def voeg_toe(session: Session, publicatie: Publicatie) -> None:
    r = publicatie.rapport
    session.execute(
        publicaties.insert().values(
            nummer=publicatie.nummer,
            titel=publicatie.titel,
            gepubliceerd_op=publicatie.gepubliceerd_op,
            rapport=r.naam,
            rapport_titel=r.titel,
            parameters=dict(r.parameters),
            positie=r.positie,
            digest=r.digest,
            logboeken={k: dict(v) for k, v in r.logboeken.items()},
            inhoud=_plain(r.inhoud),
            tabellen=tabellen_als_data(r),
            vervangt=publicatie.vervangt,
        )
    )


def _plain(waarde: Any) -> Any:
    if isinstance(waarde, dict):
        return {k: _plain(v) for k, v in waarde.items()}
    if isinstance(waarde, list | tuple):
        return [_plain(v) for v in waarde]
    return waarde


def _publicatie(row: Any) -> Publicatie:
    rapport = rapport_uit(
        {
            "rapport": row.rapport,
            "rapportTitel": row.rapport_titel,
            "parameters": row.parameters,
            "positie": row.positie,
            "logboeken": row.logboeken,
        },
        row.inhoud,
        row.tabellen,
    )
    if rapport.digest != row.digest:
        raise GeschondenPublicatie(
            f"publicatie {row.nummer}: de inhoud geeft {rapport.digest}, niet {row.digest}"
        )
    return Publicatie(row.nummer, row.titel, row.gepubliceerd_op, rapport, row.vervangt)


def feiten_van(session: Session, locaties: set[str], tot_en_met: int) -> list[Feit]:
    """The facts of these sites up to ``tot_en_met``, in position order (what a comparison
    folds: only the sites that may have moved, never the whole read model)."""
    uit: list[Feit] = []
    namen = sorted(locaties)
    for i in range(0, len(namen), 1000):
        rows = session.execute(
            select(feiten).where(
                feiten.c.locatie_id.in_(namen[i : i + 1000]), feiten.c.positie <= tot_en_met
            )
        ).all()
        uit += [
            Feit(r.positie, r.locatie_id, r.versie, r.soort, r.vastgelegd_op, r.data) for r in rows
        ]
    return sorted(uit, key=lambda f: f.positie)


def locaties_na(session: Session, positie: int) -> set[str]:
    """The sites with a fact after ``positie``."""
    rows = session.execute(select(feiten.c.locatie_id).where(feiten.c.positie > positie).distinct())
    return {str(r) for r in rows.scalars()}


def register(session: Session) -> dict[int, int | None]:
    """Every publication's number and the number it replaces: what numbering needs."""
    rows = session.execute(select(publicaties.c.nummer, publicaties.c.vervangt)).all()
    return {int(r.nummer): r.vervangt for r in rows}


def _vervangers(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(publicaties.c.vervangt, publicaties.c.nummer).where(
            publicaties.c.vervangt.is_not(None)
        )
    ).all()
    return {int(r.vervangt): int(r.nummer) for r in rows}


def koppen(session: Session) -> list[dict[str, Any]]:
    """Every publication without its content (``Publicatie.kop`` and ``vervangenDoor``),
    oldest first: a list of reports at national scale stays small."""
    door = _vervangers(session)
    rows = session.execute(
        select(
            *(c for c in publicaties.c if c.name not in ("inhoud", "tabellen", "rapport_titel"))
        ).order_by(publicaties.c.nummer)
    ).all()
    return [
        {
            "nummer": r.nummer,
            "titel": r.titel,
            "gepubliceerdOp": r.gepubliceerd_op.isoformat(),
            "rapport": r.rapport,
            "parameters": r.parameters,
            "positie": r.positie,
            "digest": r.digest,
            "logboeken": r.logboeken,
            "vervangt": r.vervangt,
            "vervangenDoor": door.get(r.nummer),
        }
        for r in rows
    ]


def een(session: Session, nummer: int) -> Publicatie | None:
    """One publication with its content, checked against its digest."""
    row = session.execute(select(publicaties).where(publicaties.c.nummer == nummer)).first()
    if row is None:
        return None
    p = _publicatie(row)
    door = session.execute(
        select(publicaties.c.nummer).where(publicaties.c.vervangt == nummer)
    ).scalar()
    return dataclasses.replace(p, vervangen_door=door)
