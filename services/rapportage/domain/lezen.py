"""Reading a spoedlocatie CloudEvent as a fact: upcast to the current schema, then check it.

Shared by the rapportage consumer and the auditor's replay, so both derive the same facts from
the same log.
"""

from __future__ import annotations

from typing import Any

from services.rapportage.domain import afspraken, planfeiten
from services.rapportage.domain import feiten as f
from shared.aggregate import EventRegistry
from shared.envelope import TYPE_PREFIX, CloudEvent
from shared.integriteit import ANKER_TYPE

# Upcasters lift older schema versions of an event to the current one, so old logs stay
# replayable. Version 0 of the status event (before the first release) named the new status
# "status" and had no explanation.
upcasters = EventRegistry()


@upcasters.upcaster(f.STATUS, 0)
def _status_v0(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data["naar"] = data.pop("status")
    data.setdefault("toelichting", "")
    return data


VERPLICHT = {
    f.GEREGISTREERD: ("bevoegd_gezag", "gemeentecode", "naam", "status", "registratiedatum"),
    f.STATUS: ("van", "naar", "besluitdatum"),
    f.RISICO: ("risicotype", "vastgesteld", "beoordelingsdatum"),
    f.KNELPUNT: ("knelpunt", "datum"),
    f.BUDGET: ("bedrag_euro", "datum"),
    f.KOSTEN: ("bedrag_euro", "datum"),
    f.OVERDRACHT: ("van", "naar", "datum"),
    f.CORRECTIE: ("gecorrigeerde_versie", "correctie", "reden"),
    f.PLANNING: planfeiten.VERPLICHT,
}


class OnverwerkbaarEvent(ValueError):
    pass


def soort(event: CloudEvent) -> str:
    return event.type.removeprefix(TYPE_PREFIX)


def is_anker(event: CloudEvent) -> bool:
    return soort(event) == ANKER_TYPE


def positie(event: CloudEvent) -> tuple[str, int]:
    try:
        return str(event.extensions["storeid"]), int(event.extensions["position"])
    except (KeyError, ValueError) as exc:
        raise OnverwerkbaarEvent("storeid of position ontbreekt") from exc


def naar_feit(event: CloudEvent) -> f.Feit:
    """The fact an event states; raises OnverwerkbaarEvent or ValueError when it cannot."""
    s = soort(event)
    if s in afspraken.TYPES:
        return _programmafeit(event, s)
    if s not in f.BEKENDE_TYPES:
        raise OnverwerkbaarEvent(f"onbekend type {event.type}")
    _, pos = positie(event)
    data = upcasters.upcast(s, int(event.extensions.get("schemaversion", 1)), event.data)
    ontbreekt = [veld for veld in VERPLICHT[s] if veld not in data]
    if ontbreekt:
        raise OnverwerkbaarEvent(f"{s} mist {', '.join(ontbreekt)}")
    feit = f.Feit(pos, event.subject, event.sequence, s, event.time, data)
    feit.datum()  # raises ValueError on an impossible date
    return feit


def _programmafeit(event: CloudEvent, s: str) -> f.Feit:
    """A programme decision (same topic as the sites, one subject): checked as a site's fact."""
    _, pos = positie(event)
    if event.subject != afspraken.PROGRAMMA:
        raise OnverwerkbaarEvent(f"{s} over {event.subject!r}, verwacht {afspraken.PROGRAMMA}")
    data = dict(event.data)
    ontbreekt = afspraken.controleer(s, data)
    if ontbreekt:
        raise OnverwerkbaarEvent(f"{s} mist {', '.join(ontbreekt)}")
    return f.Feit(pos, event.subject, event.sequence, s, event.time, data)


KENNIS_TYPES = frozenset(
    {
        "kennisvraag-gesteld",
        "kennisvraag-antwoord-gegeven",
        "kennisvraag-antwoord-geaccepteerd",
        "kennisvraag-gesloten",
        "kennisvragen-gecombineerd",
        "kennisdocument-gepubliceerd",
        "succes-gemeld",
        "bijeenkomst-gepland",
        "bijeenkomst-deelnemer-aangemeld",
        "bijeenkomst-aanwezigheid-geregistreerd",
        "bijeenkomst-geevalueerd",
        "expert-geregistreerd",
    }
)


def naar_kennisfeit(event: CloudEvent) -> f.Feit:
    """A fact of the knowledge platform; its business time is its record time."""
    s = soort(event)
    if s not in KENNIS_TYPES:
        raise OnverwerkbaarEvent(f"onbekend type {event.type}")
    _, pos = positie(event)
    return f.Feit(pos, event.subject, event.sequence, s, event.time, dict(event.data))
