"""`make demo`'s kennis history 2010-2015 goes through the public API with its business dates,
so the transition report for 2013 and the koplopers of 2013 are not empty, and count what the
history says happened by then."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, select

from services.kennis.domain.demo_historie import historie
from services.kennis.entrypoints.demo import vul
from services.rapportage.domain.feiten import Feit
from services.rapportage.domain.transitie import transitie
from shared.auth import Rol
from shared.eventstore.tables import events
from tests.support.kennis import kennis_client
from tests.support.locaties import SECRET, token

EIND_2013 = date(2013, 12, 31)


def _feiten(engine: Engine) -> list[Feit]:
    """The kennis log as rapportage reads it: one fact per event, recorded today."""
    kolommen = (events.c.position, events.c.stream_id, events.c.version, events.c.event_type)
    with engine.connect() as conn:
        rijen = conn.execute(
            select(*kolommen, events.c.recorded_at, events.c.data).order_by(events.c.position)
        ).all()
    return [Feit(p, s, v, t, op, d) for p, s, v, t, op, d in rijen]


def test_the_kennis_history_fills_2013(sqlite_engine: Engine) -> None:
    with kennis_client(sqlite_engine) as api:
        uitkomst = vul(api, SECRET)
        koplopers = api.get(
            "/v1/koplopers", params={"peildatum": "2013-12-31"}, headers=token(Rol.RIJK, "IenM")
        ).json()
    handelingen = historie()
    assert uitkomst["verzoeken"] == len(handelingen)

    def tot_2013(pad: str) -> int:
        return sum(
            1
            for h in handelingen
            if h.pad.endswith(pad) and date.fromisoformat(h.body["datum"]) <= EIND_2013
        )

    feiten = _feiten(sqlite_engine)
    rapport = transitie(feiten, positie=feiten[-1].positie, peildatum=EIND_2013).inhoud
    samenvatting = rapport["samenvatting"]
    assert samenvatting["gesteld"] == tot_2013("/v1/kennisvragen") > 50
    assert samenvatting["antwoorden"] == tot_2013("/antwoorden")
    assert samenvatting["beantwoord"] == tot_2013("/acceptaties")
    assert rapport["successen"]["aantal"] == tot_2013("/v1/successen") > 0
    assert sum(rapport["documenten"].values()) == tot_2013("/v1/documenten") > 0
    # Every meeting of the history is held on its day (the plan's "datum").
    assert rapport["bijeenkomsten"]["gehouden"] == tot_2013("/v1/bijeenkomsten") > 0
    # Nothing of it had happened before the covenant's first year.
    leeg = transitie(feiten, positie=feiten[-1].positie, peildatum=date(2009, 12, 31)).inhoud
    assert leeg["samenvatting"]["gesteld"] == 0
    # Those who reported a success by 2013 are on the podium then.
    gemeld = {
        h.wie for h in handelingen if h.pad == "/v1/successen" and h.body["datum"] <= "2013-12-31"
    }
    assert gemeld <= {k["organisatie"] for k in koplopers}
