"""The programme's decisions through the API: who may record them, If-Match, Idempotency-Key,
problems for bad input (nothing stored), and the events on the feed as the sites' are."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from shared.auth import Rol
from shared.eventstore.tables import events
from tests.support.locaties import locaties_client, token, verzegeld

UP = token(Rol.UITVOERINGSPROGRAMMA, None)
RIJK = token(Rol.RIJK, None)
AFSPRAAK: dict[str, Any] = {
    "afspraak": "humaan",
    "deadline": "2016-12-31",
    "ingangsdatum": "2013-06-12",
    "besluit": {"id": "SG-2013-04", "datum": "2013-06-12", "titel": "Stuurgroep Bodem juni 2013"},
}
ENVELOP: dict[str, Any] = {
    "bevoegdGezag": "ZH",
    "doel": "waterbodem",
    "bedragEuro": 12_000_000,
    "ingangsdatum": "2010-01-01",
    "besluit": {"id": "RIJK-2009-1", "datum": "2009-12-15", "titel": "Verdeling middelen"},
}


def _aantal(api: Any) -> int:
    with api.app.state.container.sessions() as session:
        return int(session.execute(select(func.count()).select_from(events)).scalar_one())


def test_programme_decisions_follow_the_command_contract(sql_engine: Engine) -> None:
    with locaties_client(sql_engine) as api:
        leeg = api.get("/v1/programma", headers=token())
        assert leeg.status_code == 200 and leeg.headers["etag"] == '"0"'
        assert leeg.json() == {"versie": 0, "afspraken": [], "enveloppen": []}

        # Only the programme team records agreements, only the Rijk envelopes.
        for wie, pad, body in (
            (token(), "afspraken", AFSPRAAK),
            (RIJK, "afspraken", AFSPRAAK),
            (UP, "enveloppen", ENVELOP),
            (token(), "enveloppen", ENVELOP),
        ):
            geweigerd = api.post(
                f"/v1/programma/{pad}", json=body, headers={**wie, "If-Match": '"0"'}
            )
            assert geweigerd.status_code == 403, geweigerd.text
            assert geweigerd.headers["content-type"] == "application/problem+json"
        assert api.post("/v1/programma/afspraken", json=AFSPRAAK, headers=UP).status_code == 428

        eerste = api.post(
            "/v1/programma/afspraken",
            json=AFSPRAAK,
            headers={**UP, "If-Match": '"0"', "Idempotency-Key": "besluit-1"},
        )
        assert eerste.status_code == 201, eerste.text
        assert eerste.headers["etag"] == '"1"' and eerste.headers["location"] == "/v1/programma"
        afspraak = eerste.json()["afspraken"][0]
        assert afspraak["deadline"] == "2016-12-31" and afspraak["doelPercentage"] == 100
        assert afspraak["besluit"]["id"] == "SG-2013-04"
        # The same key again: the stored answer, nothing recorded twice.
        nogmaals = api.post(
            "/v1/programma/afspraken",
            json=AFSPRAAK,
            headers={**UP, "If-Match": '"0"', "Idempotency-Key": "besluit-1"},
        )
        assert nogmaals.status_code == 201 and nogmaals.json() == eerste.json()
        assert _aantal(api) == 1

        oud = api.post(
            "/v1/programma/enveloppen", json=ENVELOP, headers={**RIJK, "If-Match": '"0"'}
        )
        assert oud.status_code == 412 and oud.headers["etag"] == '"1"'
        envelop = api.post(
            "/v1/programma/enveloppen", json=ENVELOP, headers={**RIJK, "If-Match": '"1"'}
        )
        assert envelop.status_code == 201, envelop.text
        assert envelop.json()["enveloppen"][0]["bedragEuro"] == 12_000_000

        # Bad input: a clear 400 naming the field, nothing stored.
        for fout, veld in (
            ({**AFSPRAAK, "afspraak": "alles-anders"}, "afspraak"),
            ({**AFSPRAAK, "deadline": "2200-01-01"}, "deadline"),
            ({**AFSPRAAK, "doelPercentage": 0}, "doelPercentage"),
            (AFSPRAAK, "besluit.id"),  # the same decision cannot set the same agreement twice
        ):
            antwoord = api.post(
                "/v1/programma/afspraken", json=fout, headers={**UP, "If-Match": '"2"'}
            )
            assert antwoord.status_code == 400, antwoord.text
            assert veld in antwoord.text
        assert _aantal(api) == 2

        verzegeld(api)
        feed = api.get("/v1/gebeurtenissen", headers=token()).json()["gebeurtenissen"]
        soorten = [e["type"].rsplit(".", 1)[-1] for e in feed]
        assert soorten == ["programma-afspraak-vastgesteld", "programma-envelop-vastgesteld"]
        assert all(e["subject"] == "programma" for e in feed)
        # Who recorded it, by pseudonym only: no login in the log.
        assert "tester" not in str(feed)
