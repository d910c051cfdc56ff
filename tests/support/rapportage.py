"""Helpers for rapportage tests: records as locaties would publish them, a migrated database."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from services.rapportage.adapters.projection import SPOEDLOCATIES
from services.rapportage.bootstrap import VERSIONS
from services.rapportage.domain import feiten as f
from shared import integriteit
from shared.envelope import CloudEvent
from shared.messaging.consumer import Record

STORE = "11111111-2222-3333-4444-555555555555"
SOURCE = "urn:nld:oin:00000001003214345000:systeem:bodemregie-locaties"
RAPPORTAGE_VERSIONS = [VERSIONS]


def envelope(
    position: int,
    subject: str,
    sequence: int,
    soort: str,
    data: dict[str, Any],
    store: str = STORE,
    schemaversion: int = 1,
) -> bytes:
    return CloudEvent(
        str(uuid4()),
        SOURCE,
        f"nl.overheid.bodem.{soort}",
        subject,
        datetime(2020, 1, 1, tzinfo=UTC),
        data,
        sequence,
        {"position": position, "storeid": store, "schemaversion": schemaversion},
    ).to_json()


def verzegel(*enveloppen: bytes) -> list[bytes]:
    """Seal events as the relay would, chained in the order of their positions (which need
    not be the order given); returned in the order given."""
    docs = [json.loads(e) for e in enveloppen]
    vorige = integriteit.NUL
    stromen: dict[str, str] = {}
    for doc in sorted(docs, key=lambda d: int(d["position"])):
        doc["prevhash"] = vorige
        doc["streamprevhash"] = stromen.get(doc["subject"], integriteit.NUL)
        doc["hash"] = vorige = stromen[doc["subject"]] = integriteit.event_hash(doc)
    return [json.dumps(d).encode() for d in docs]


def record(offset: int, value: bytes, partition: int = 0) -> Record:
    return Record("t", partition, offset, b"k", value)


def registratie(
    position: int, subject: str, datum: str = "2010-02-01", store: str = STORE
) -> bytes:
    return envelope(
        position,
        subject,
        1,
        "spoedlocatie-geregistreerd",
        {
            "locatie_id": subject,
            "bevoegd_gezag": subject[:2],
            "gemeentecode": subject[2:6],
            "naam": "x",
            "bodemtype": "landbodem",
            "verontreinigingsgroepen": [],
            "geometrie": None,
            "status": "potentieel-spoed",
            "registratiedatum": datum,
        },
        store,
    )


def status(position: int, subject: str, sequence: int, naar: str, datum: str) -> bytes:
    return envelope(
        position,
        subject,
        sequence,
        "spoedlocatie-status-gewijzigd",
        {"van": "?", "naar": naar, "besluitdatum": datum, "toelichting": ""},
    )


def feitrijen(feiten: Sequence[f.Feit], getypeerd: bool = True) -> list[dict[str, Any]]:
    """Rows of ``r_feiten`` for ``feiten``: as the projection writes them (with the typed
    columns of rapportage_0006), or with ``getypeerd=False`` as rows from before it."""
    leeg = dict.fromkeys(("datum", "tekst", "getal", "vastgelegd_us"))
    return [
        {
            "positie": x.positie,
            "locatie_id": x.locatie_id,
            "versie": x.versie,
            "soort": x.soort,
            "vastgelegd_op": x.vastgelegd_op,
            "data": x.data,
            **(SPOEDLOCATIES.typen(x) if getypeerd else leeg),
        }
        for x in feiten
    ]
