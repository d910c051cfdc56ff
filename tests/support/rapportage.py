"""Helpers for rapportage tests: records as locaties would publish them, a migrated database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from services.rapportage.bootstrap import VERSIONS
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


def record(offset: int, value: bytes, partition: int = 0) -> Record:
    return Record("t", partition, offset, b"k", value)


def registratie(position: int, subject: str, datum: str = "2010-02-01") -> bytes:
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
    )


def status(position: int, subject: str, sequence: int, naar: str, datum: str) -> bytes:
    return envelope(
        position,
        subject,
        sequence,
        "spoedlocatie-status-gewijzigd",
        {"van": "?", "naar": naar, "besluitdatum": datum, "toelichting": ""},
    )
