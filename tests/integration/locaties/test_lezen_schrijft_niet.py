"""Reads never write: the feed and a site's history only read what the relay sealed. A GET
sends no statement that writes or locks and commits nothing, and the database is the same
before and after; the feed is a prefix of the sealed log, and a history shows an event that is
committed but not yet sealed without seal fields (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select

from shared.eventstore.tables import event_seals, events, outbox
from shared.outbox import OutboxRelay
from tests.support.locaties import NIEUW, locaties_client, token

ZH = token()


def _toestand(engine: Engine) -> tuple[Any, ...]:
    with engine.connect() as conn:
        gepubliceerd = select(func.count()).select_from(outbox)
        return (
            *(
                tuple(
                    conn.execute(select(func.count(), func.max(t.c.position)).select_from(t)).one()
                )
                for t in (events, event_seals)
            ),
            conn.execute(gepubliceerd.where(outbox.c.published_at.is_not(None))).scalar_one(),
        )


def _wijzig(api: TestClient, locatie_id: str, versie: int, naar: str) -> None:
    r = api.post(
        f"/v1/spoedlocaties/{locatie_id}/statuswijzigingen",
        json={"naar": naar, "besluitdatum": f"201{versie}-06-01"},
        headers={**ZH, "If-Match": f'"{versie}"'},
    )
    assert r.status_code == 201, r.text


def test_reading_the_feed_and_histories_writes_nothing(sql_engine: Engine) -> None:
    # No relay thread: the test plays the relay itself, so that an event stays unsealed.
    with locaties_client(sql_engine, relay_enabled=False) as api:
        container = api.app.state.container  # type: ignore[attr-defined]
        locatie_id = api.post("/v1/spoedlocaties", json=NIEUW, headers=ZH).json()["locatieId"]
        _wijzig(api, locatie_id, 1, "onderzocht")
        relay = OutboxRelay(
            container.sessions, None, container.source, sealer=container.verzegelaar
        )
        relay.run_once()  # seals positions 1 and 2
        _wijzig(api, locatie_id, 2, "ernstig-spoed")  # committed, not sealed

        statements: list[str] = []
        commits: list[object] = []
        engine: Engine = container.engine
        luister = [
            ("before_cursor_execute", lambda *a: statements.append(a[2])),
            ("commit", commits.append),
        ]
        voor = _toestand(sql_engine)
        for naam, f in luister:
            event.listen(engine, naam, f)
        try:
            feed = api.get("/v1/gebeurtenissen", headers=ZH).json()["gebeurtenissen"]
            historie = api.get(f"/v1/spoedlocaties/{locatie_id}/gebeurtenissen", headers=ZH)
            toen = api.get(
                f"/v1/spoedlocaties/{locatie_id}/gebeurtenissen",
                params={"kennisdatum": "2020-01-01"},
                headers=ZH,
            )
            nieuwste = api.get(f"/v1/spoedlocaties/{locatie_id}/gebeurtenissen/3", headers=ZH)
            oudste = api.get(f"/v1/spoedlocaties/{locatie_id}/gebeurtenissen/1", headers=ZH)
        finally:
            for naam, f in luister:
                event.remove(engine, naam, f)

        assert statements and not commits
        # (SQLite's engine opens every transaction with BEGIN IMMEDIATE, see shared/db/engine.py)
        schrijvend = [
            s
            for s in statements
            if not s.lstrip().upper().startswith(("SELECT", "BEGIN IMMEDIATE"))
            or any(w in s.upper() for w in ("FOR UPDATE", "PG_ADVISORY", "NOTIFY"))
        ]
        assert schrijvend == []
        assert _toestand(sql_engine) == voor

        # The feed is the sealed prefix; the history shows the unsealed event without a seal.
        assert [e["position"] for e in feed] == [1, 2]
        assert all(e["hash"] and e["prevhash"] and e["streamprevhash"] for e in feed)
        stroom = historie.json()["gebeurtenissen"]
        assert [e["sequence"] for e in stroom] == ["1", "2", "3"]
        assert [("hash" in e, "prevhash" in e, "streamprevhash" in e) for e in stroom] == [
            (True, True, True),
            (True, True, True),
            (False, False, False),
        ]
        assert stroom[:2] == feed
        assert toen.status_code == 404  # nothing was on record at the end of 2020-01-01
        assert nieuwste.status_code == 200 and "hash" not in nieuwste.json()
        assert oudste.json() == feed[0]

        relay.run_once()  # the relay seals the third, and the feed shows it at its position
        verder = api.get("/v1/gebeurtenissen", params={"vanafPositie": 3}, headers=ZH).json()
        assert [e["position"] for e in verder["gebeurtenissen"]] == [3]
        assert verder["gebeurtenissen"][0]["prevhash"] == feed[1]["hash"]
