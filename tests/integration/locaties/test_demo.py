"""`make demo` plays its history through the public API; a small scale of it on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine

from services.locaties.entrypoints.demo import vul
from tests.support.locaties import SECRET, locaties_client, token, verzegeld


def test_the_demo_fills_the_registry_through_the_api(pg_engine: Engine) -> None:
    with locaties_client(pg_engine) as api:
        uitkomst = vul(api, schaal=0.03, werkers=1, secret=SECRET, toon_voortgang=False)
        assert uitkomst["locaties"] == 50
        listed = api.get("/v1/spoedlocaties", params={"pageSize": 1}, headers=token())
        assert listed.headers["x-total-count"] == "50"
        verzegeld(api)
        feed = api.get("/v1/gebeurtenissen", params={"limiet": 1000}, headers=token()).json()
        assert len(feed["gebeurtenissen"]) == uitkomst["verzoeken"]
        statuses = {e["data"].get("naar") for e in feed["gebeurtenissen"]}
        assert {"gesaneerd", "beheerst"} <= statuses
