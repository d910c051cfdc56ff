"""The bulk import's binary COPY (``shared.db.kopie``) stores exactly what the INSERT paths it
replaced store: read-model rows equal to SQLAlchemy's INSERT's (JSON documents, dates, floats, text
with tabs, newlines and backslashes, NULLs), events and outbox rows equal to the single append's,
and a refused row fails as SQLAlchemy's IntegrityError, so the import's per-line retry still
catches it. On SQLite the same calls are an executemany; the tests run on both."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import pytest
from psycopg.dbapi20 import BinaryBinaryDumper
from sqlalchemy import Engine, String, cast, insert, select
from sqlalchemy.exc import IntegrityError

from services.locaties.adapters.tables import spoedlocatie_standen
from services.locaties.bootstrap import VERSIONS
from shared.aggregate import UNSTAMPED
from shared.db import kopie, migrations
from shared.db.engine import make_session_factory
from shared.db.kopie import kopieer, kopieer_rijen
from shared.eventstore import ConcurrencyError, EventMetadata, NewEvent
from shared.eventstore.bulk import append_many, load_many
from shared.eventstore.sql import SqlEventStore
from shared.eventstore.tables import events, outbox
from shared.privacy import VERSIONS as PERSONEN_VERSIONS

LASTIG = 'tab\there, new\nline, back\\slash, "quote", ß€ 𝄞, \\N, \r'
CET = timezone(timedelta(hours=1))


def _stand(locatie_id: str, versie: int, **anders: Any) -> dict[str, Any]:
    return {
        "locatie_id": locatie_id,
        "geldig_vanaf": date(2010, 3, 15),
        "versie_vanaf": versie,
        "geldig_tot": None,
        "bekend_vanaf": datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=CET),
        "bekend_tot": None,
        "bevoegd_gezag": "ZH",
        "provincie": "ZH",
        "gemeentecode": "0513",
        "naam": LASTIG,
        "bodemtype": "landbodem",
        "status": "onderzocht",
        "status_sinds": date(2010, 6, 1),
        "registratiedatum": date(2010, 3, 15),
        "afgehandeld_op": None,
        "risico_humaan": True,
        "risico_ecologisch": False,
        "risico_verspreiding": False,
        "risicos": [{"risicotype": "humaan", "criteria": [LASTIG], "n": 1.5, "x": None}],
        "knelpunt": None,
        "budget_euro": 9_007_199_254_740_993,  # beyond a double's integers
        "kosten_euro": 0,
        "verontreinigingsgroepen": [],
        "geometrie_rd": {"type": "Point", "coordinates": [84123.45, 447000.1]},
        "bbox_min_x": 84123.45,
        "bbox_min_y": 447000.1,
        "bbox_max_x": 0.1 + 0.2,
        "bbox_max_y": -1e-300,
        **anders,
    }


def _rijen(engine: Engine, locatie_id: str) -> list[tuple[Any, ...]]:
    t = spoedlocatie_standen.c
    tekst = [cast(t[k], String) for k in ("risicos", "verontreinigingsgroepen", "geometrie_rd")]
    with engine.connect() as conn:
        rijen = conn.execute(
            select(spoedlocatie_standen, *tekst)
            .where(t.locatie_id == locatie_id)
            .order_by(t.versie_vanaf)
        ).all()
    # The JSON columns as text parsed again: SQL NULL stays None, JSON null is ("json", None)
    # (the text's spacing may differ between the paths; its value may not).
    n = len(tekst)
    return [
        tuple(rij)[1:-n] + tuple(None if t is None else ("json", json.loads(t)) for t in rij[-n:])
        for rij in rijen
    ]


def _niet_in_python(*_: Any) -> Any:
    raise AssertionError("a JSON value went through the Python dumper")


@pytest.fixture
def locaties_engine(sql_engine: Engine) -> Engine:
    migrations.upgrade(sql_engine, [VERSIONS, PERSONEN_VERSIONS])
    return sql_engine


def test_copied_rows_equal_the_inserted_rows(
    locaties_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    sql_engine = locaties_engine
    # JSON goes out through the C dumper of bytes, not psycopg's Python one for bytea.
    monkeypatch.setattr(BinaryBinaryDumper, "dump", _niet_in_python)
    sessions = make_session_factory(sql_engine)
    varianten: list[dict[str, Any]] = [
        {},
        {"geometrie_rd": None, "bbox_min_x": None, "knelpunt": "financieel"},
        {"geldig_tot": date(2011, 1, 1), "bekend_tot": datetime(2027, 1, 1, tzinfo=UTC)},
        {"naam": "", "risicos": {"a": {"b": [LASTIG, True, False, 0]}}},
    ]
    with sessions() as session, session.begin():
        session.execute(
            insert(spoedlocatie_standen),
            [_stand("ZH000000001", n, **v) for n, v in enumerate(varianten, 1)],
        )
        kopieer_rijen(
            session,
            spoedlocatie_standen,
            [_stand("ZH000000002", n, **v) for n, v in enumerate(varianten, 1)],
        )
    ingevoegd = _rijen(sql_engine, "ZH000000001")
    assert len(ingevoegd) == len(varianten)
    assert _rijen(sql_engine, "ZH000000002") == ingevoegd
    assert ingevoegd[0][8] == LASTIG


def test_a_json_value_shared_by_consecutive_rows_is_encoded_once_and_stored_in_each(
    locaties_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The import's rows share their JSON objects (a batch's one metadata dict, a site's
    # geometry in each of its state rows): each is encoded once while it repeats, and equal
    # values that are other objects are still encoded each.
    sql_engine = locaties_engine
    gedeeld = {"type": "Point", "coordinates": [84123.45, 447000.1]}
    groepen: list[str] = ["minerale olie"]
    rijen = [
        _stand("ZH000000011", 1, geometrie_rd=gedeeld, verontreinigingsgroepen=groepen),
        _stand("ZH000000011", 2, geometrie_rd=gedeeld, verontreinigingsgroepen=groepen),
        _stand("ZH000000011", 3, geometrie_rd=dict(gedeeld), verontreinigingsgroepen=groepen),
        _stand("ZH000000011", 4, geometrie_rd=None, verontreinigingsgroepen=groepen),
        _stand("ZH000000011", 5, geometrie_rd=gedeeld, verontreinigingsgroepen=groepen),
    ]
    gecodeerd: list[Any] = []
    echt = kopie.orjson.dumps

    def dumps(waarde: Any, *args: Any) -> bytes:
        gecodeerd.append(waarde)
        return echt(waarde, *args)

    monkeypatch.setattr(kopie, "orjson", SimpleNamespace(dumps=dumps))
    sessions = make_session_factory(sql_engine)
    with sessions() as session, session.begin():
        kopieer_rijen(session, spoedlocatie_standen, rijen)
    opgeslagen = _rijen(sql_engine, "ZH000000011")
    assert [r[-1] for r in opgeslagen] == [
        ("json", r["geometrie_rd"]) for r in rijen
    ]  # JSON null where None: the column is not none_as_null
    assert all(r[-2] == ("json", groepen) for r in opgeslagen)
    if sql_engine.dialect.name == "postgresql":
        # risicos: a new list in every row (5); groups: one object (1); geometry: shared,
        # a copy, None, shared again (4)
        assert sum(1 for w in gecodeerd if w is groepen) == 1
        assert sum(1 for w in gecodeerd if w is gedeeld) == 2
        assert len(gecodeerd) == 5 + 1 + 4


def test_a_duplicate_key_fails_the_copy_as_an_integrity_error(locaties_engine: Engine) -> None:
    sql_engine = locaties_engine
    sessions = make_session_factory(sql_engine)
    with sessions() as session, session.begin():
        kopieer_rijen(session, spoedlocatie_standen, [_stand("ZH000000003", 1)])
    with pytest.raises(IntegrityError), sessions() as session, session.begin():
        kopieer_rijen(session, spoedlocatie_standen, [_stand("ZH000000004", 1)])
        kopieer_rijen(session, spoedlocatie_standen, [_stand("ZH000000003", 1)])
    assert _rijen(sql_engine, "ZH000000004") == []  # the whole transaction rolled back


def test_copy_takes_columns_in_the_order_named(locaties_engine: Engine) -> None:
    sql_engine = locaties_engine
    sessions = make_session_factory(sql_engine)
    rij = _stand("ZH000000005", 1)
    namen = tuple(reversed(list(rij)))
    with sessions() as session, session.begin():
        kopieer(session, spoedlocatie_standen, namen, [tuple(rij[k] for k in namen)])
        session.execute(insert(spoedlocatie_standen), [_stand("ZH000000006", 1)])
    assert _rijen(sql_engine, "ZH000000005") == _rijen(sql_engine, "ZH000000006")


def _nieuw(stream: str, n: int) -> list[NewEvent]:
    meta = EventMetadata(correlation_id=f"c-{stream}", actor="prs-" + LASTIG)
    return [
        NewEvent(
            event_type="teller-opgehoogd",
            data={"n": k, "tekst": LASTIG, "lijst": [1.25, None, {"x": "\\"}]},
            occurred_at=datetime(2012, 3, 1, 12, 0, k, 5, tzinfo=CET),
            metadata=meta,
        )
        for k in range(n)
    ]


def _opgeslagen(engine: Engine, stream: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        rijen = conn.execute(
            select(events, outbox.c.topic, outbox.c.published_at)
            .join(outbox, outbox.c.position == events.c.position)
            .where(events.c.stream_id == stream)
            .order_by(events.c.version)
        ).mappings()
        weg = ("position", "event_id", "stream_id")
        return [tuple(v for k, v in r.items() if k not in weg) for r in rijen]


def test_bulk_append_stores_what_the_single_append_stores(sql_engine: Engine) -> None:
    sessions = make_session_factory(sql_engine)
    moment = datetime(2026, 5, 1, 8, 0, 0, 123456, tzinfo=UTC)
    with sessions() as session, session.begin():
        SqlEventStore(session, lambda: moment).append("T-A", "teller", 0, _nieuw("T", 3), "top")
    with sessions() as session, session.begin():
        SqlEventStore(session, lambda: moment).append("T-B", "teller", 0, _nieuw("T", 1), "top")
    with sessions() as session, session.begin():
        recorded = append_many(
            session,
            [
                ("T-C", "teller", 0, _nieuw("T", 3), moment),
                ("T-B", "teller", 1, _nieuw("T", 3)[1:], moment),
            ],
            "top",
        )
    assert _opgeslagen(sql_engine, "T-C") == _opgeslagen(sql_engine, "T-A")
    assert _opgeslagen(sql_engine, "T-B") == _opgeslagen(sql_engine, "T-A")
    # Positions gap-free after the single appends, in the order given; returned as stored.
    assert [e.position for e in recorded] == [5, 6, 7, 8, 9]
    with sessions() as session:
        assert SqlEventStore(session).load("T-C") == recorded[:3]
        assert SqlEventStore(session).load("T-B")[1:] == recorded[3:]


def test_bulk_append_on_a_taken_version_fails_whole(sql_engine: Engine) -> None:
    sessions = make_session_factory(sql_engine)
    moment = datetime(2026, 5, 1, tzinfo=UTC)
    with sessions() as session, session.begin():
        SqlEventStore(session, lambda: moment).append("T-D", "teller", 0, _nieuw("T", 2), "top")
    # On SQLite each stream goes through the single append, which checks the version first.
    fout = IntegrityError if sql_engine.dialect.name == "postgresql" else ConcurrencyError
    with pytest.raises(fout), sessions() as session, session.begin():
        append_many(
            session,
            [
                ("T-E", "teller", 0, _nieuw("T", 1), moment),
                ("T-D", "teller", 1, _nieuw("T", 1), moment),  # version 2 was taken
            ],
            "top",
        )
    assert _opgeslagen(sql_engine, "T-E") == []
    with sessions() as session:
        assert SqlEventStore(session).last_position() == 2


def test_load_many_gives_each_stream_as_the_single_load(sql_engine: Engine) -> None:
    sessions = make_session_factory(sql_engine)
    moment = datetime(2026, 5, 1, tzinfo=UTC)
    with sessions() as session, session.begin():
        store = SqlEventStore(session, lambda: moment)
        store.append("T-F", "teller", 0, _nieuw("T", 3), "top")
        store.append("T-G", "teller", 0, _nieuw("T", 2), None)
        store.append("T-H", "teller", 0, _nieuw("T", 1), None)
        store.append("T-F", "teller", 3, _nieuw("T", 2), "top")
    with sessions() as session:
        store = SqlEventStore(session)
        assert load_many(session, ["T-G", "T-X", "T-F"]) == {
            "T-F": store.load("T-F"),
            "T-G": store.load("T-G"),
        }
        assert load_many(session, []) == {}


def test_bulk_append_gives_each_event_its_own_random_uuid(sql_engine: Engine) -> None:
    sessions = make_session_factory(sql_engine)
    moment = datetime(2026, 5, 1, tzinfo=UTC)
    with sessions() as session, session.begin():
        recorded = append_many(
            session,
            [
                ("T-F", "teller", 0, _nieuw("T", 3), moment),
                ("T-G", "teller", 0, _nieuw("T", 2), moment),
            ],
            "top",
        )
    ids = [e.event_id for e in recorded]
    assert len(set(ids)) == 5
    assert {i.version for i in ids} == {4}
    with sessions() as session:
        assert [e.event_id for e in SqlEventStore(session).load("T-F")] == ids[:3]


def test_bulk_append_stamps_the_events_without_metadata(sql_engine: Engine) -> None:
    """``stempel`` is ``shared.aggregate.stamp``'s rule, applied as the rows are built: an event
    recorded without metadata gets it, one with its own keeps that, and without ``stempel``
    such an event is refused and nothing is stored."""
    sessions = make_session_factory(sql_engine)
    moment = datetime(2026, 5, 1, tzinfo=UTC)
    wie = EventMetadata(actor="prs-importeur", organisation="ZH", correlation_id="c-import")
    eigen = _nieuw("T", 1)[0]
    ongestempeld = [replace(e, metadata=UNSTAMPED) for e in _nieuw("T", 2)]
    with sessions() as session, session.begin():
        recorded = append_many(
            session,
            [("T-S", "teller", 0, [*ongestempeld, eigen], moment)],
            "top",
            stempel=wie,
        )
    assert [e.metadata for e in recorded] == [wie, wie, eigen.metadata]
    with sessions() as session:
        assert SqlEventStore(session).load("T-S") == recorded
    with pytest.raises(ValueError), sessions() as session, session.begin():
        append_many(session, [("T-U", "teller", 0, ongestempeld, moment)], "top")
    assert _opgeslagen(sql_engine, "T-U") == []


def test_a_shared_json_object_changed_between_rows_is_stored_as_each_row_held_it(
    locaties_engine: Engine,
) -> None:
    # A JSON value repeated as the same object is encoded once (see above). Rows built in a
    # list hold that object's final content each, on either path; rows made lazily, changing
    # the object between rows, would each be stored with the content of the first, so
    # ``kopieer`` takes no such iterable: the rows must be built before the copy.
    sql_engine = locaties_engine
    namen = tuple(_stand("ZH000000021", 1))
    gedeeld: dict[str, Any] = {"type": "Point", "coordinates": [1.0, 2.0]}

    def lui(locatie_id: str) -> Any:
        for versie in (1, 2):
            gedeeld["coordinates"] = [float(versie), 2.0]
            rij = _stand(locatie_id, versie, geometrie_rd=gedeeld)
            yield tuple(rij[k] for k in namen)

    sessions = make_session_factory(sql_engine)
    with pytest.raises(TypeError), sessions() as session, session.begin():
        kopieer(session, spoedlocatie_standen, namen, lui("ZH000000021"))
    assert _rijen(sql_engine, "ZH000000021") == []
    with sessions() as session, session.begin():
        kopieer(session, spoedlocatie_standen, namen, list(lui("ZH000000022")))
    assert [r[-1] for r in _rijen(sql_engine, "ZH000000022")] == [
        ("json", {"type": "Point", "coordinates": [2.0, 2.0]})
    ] * 2
