"""An expert's name and contact address stay out of the event; old events still load."""

from __future__ import annotations

from datetime import date

from services.kennis.domain.bijeenkomsten import Expert
from services.kennis.domain.events import ExpertGeregistreerd, registry
from services.kennis.domain.vocabulaire import Thema

PERSOON = "prs-00000000-0000-4000-8000-000000000001"


def test_the_event_names_the_expert_by_pseudonym_only() -> None:
    expert = Expert.registreer("ex-1", PERSOON, "UT", (Thema.ONDERGROND,), date(2013, 5, 1))
    (event,) = expert.pending
    assert event.data == {
        "expert_id": "ex-1",
        "persoon": PERSOON,
        "organisatie": "UT",
        "themas": ["ondergrond"],
        "datum": "2013-05-01",
    }
    assert event.schema_version == 2


def test_an_expert_event_from_before_the_person_store_still_loads() -> None:
    oud = {
        "expert_id": "ex-1",
        "naam": "Jan Jansen",
        "organisatie": None,
        "themas": ["ondergrond"],
        "contact": "jan@zh.nl",
    }
    gelezen = registry.decode(ExpertGeregistreerd.TYPE, 1, oud)
    assert gelezen == ExpertGeregistreerd("ex-1", "", None, ("ondergrond",))
