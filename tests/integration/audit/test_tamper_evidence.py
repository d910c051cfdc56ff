"""Tampering with the log, in the database and in an exported file, is caught and named."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, insert, select, text, update

from auditor import export, verify
from auditor.cli import main as audit
from shared import integriteit as i
from shared.auth import Rol
from shared.eventstore.tables import event_seals, events, outbox
from tests.support.locaties import NIEUW, locaties_client, token, verzegeld

ZH = token(Rol.BEVOEGD_GEZAG, "ZH")  # NIEUW is a ZH site: only ZH writes it
KETEN = ["onderzocht", "ernstig-spoed", "saneringsplan", "sanering-gestart", "gesaneerd"]


@pytest.fixture(scope="module")
def sleutels(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("sleutels")
    prive, publiek = i.nieuwe_sleutel()
    (d / "anker.pem").write_bytes(prive)
    (d / "anker.pub.pem").write_bytes(publiek)
    return d / "anker.pem", d / "anker.pub.pem"


@pytest.fixture
def api(pg_engine: Engine, sleutels: tuple[Path, Path]) -> Iterator[TestClient]:
    with locaties_client(pg_engine, anker_elke=5, anker_sleutel=str(sleutels[0])) as client:
        for n in range(3):
            locatie = client.post("/v1/spoedlocaties", json=NIEUW, headers=ZH).json()
            for versie, naar in enumerate(KETEN[: 2 + n], start=1):
                client.post(
                    f"/v1/spoedlocaties/{locatie['locatieId']}/statuswijzigingen",
                    json={"naar": naar, "besluitdatum": f"201{versie}-01-01"},
                    headers={**ZH, "If-Match": f'"{versie}"'},
                )
            # The relay seals and, every 5 events, anchors: a chain of anchors.
            verzegeld(client)
        yield client


def _log(api: TestClient) -> list[dict[str, Any]]:
    return export.uit_api("", ZH["Authorization"].split()[1], toon=False, client=api)


def _publiek(sleutels: tuple[Path, Path]) -> Any:
    return i.laad_publieke_sleutel(sleutels[1].read_bytes())


def test_an_untouched_log_verifies_with_signed_anchors(
    api: TestClient, sleutels: tuple[Path, Path]
) -> None:
    log = _log(api)
    assert len(log) >= 13  # 12 events of the sites, and an anchor
    uitslag = verify.controleer(log, _publiek(sleutels))
    assert uitslag.in_orde, uitslag.bevindingen
    assert uitslag.ankers >= 2 and uitslag.ondertekend == uitslag.ankers  # a chain of anchors
    assert all(e["hash"] and e["prevhash"] and e["streamprevhash"] for e in log)


# -- in the database -------------------------------------------------------------------------


def _first_finding(api: TestClient, sleutels: tuple[Path, Path]) -> verify.Bevinding:
    uitslag = verify.controleer(_log(api), _publiek(sleutels))
    assert not uitslag.in_orde
    assert uitslag.eerste is not None
    return uitslag.eerste


def test_changing_an_event_in_the_database_is_caught(
    api: TestClient, pg_engine: Engine, sleutels: tuple[Path, Path]
) -> None:
    _log(api)  # sealed
    with pg_engine.begin() as conn:
        conn.execute(
            text("UPDATE events SET data = CAST(:d AS json) WHERE position = 3"),
            {
                "d": json.dumps(
                    {
                        "van": "onderzocht",
                        "naar": "ernstig-spoed",
                        "besluitdatum": "2009-01-01",
                        "toelichting": "",
                    }
                )
            },
        )
    bevinding = _first_finding(api, sleutels)
    assert bevinding.positie == 3 and "inhoud gewijzigd" in bevinding.wat


def _drop(conn: Any, posities: list[int]) -> None:
    for table in (outbox, event_seals, events):
        conn.execute(delete(table).where(table.c.position.in_(posities)))


def test_deleting_an_event_in_the_database_is_caught(
    api: TestClient, pg_engine: Engine, sleutels: tuple[Path, Path]
) -> None:
    _log(api)
    with pg_engine.begin() as conn:
        _drop(conn, [4])
    bevinding = _first_finding(api, sleutels)
    assert bevinding.positie == 5 and "ontbreekt" in bevinding.wat


def test_inserting_an_event_in_the_database_is_caught(
    api: TestClient, pg_engine: Engine, sleutels: tuple[Path, Path]
) -> None:
    """Make room at position 5 (as someone with write access could) and put a forged event
    there with a correctly computed hash: the chain still breaks at the event that follows."""
    log = _log(api)
    with pg_engine.begin() as conn:
        # PostgreSQL's outbox and seals reference no event by foreign key since
        # shared_0004_zonder_fk; were one there, such a writer would drop it first.
        for tabel in ("outbox", "event_seals"):
            conn.execute(
                text(f"ALTER TABLE {tabel} DROP CONSTRAINT IF EXISTS {tabel}_position_fkey")
            )
        for tabel in ("events", "event_seals", "outbox"):
            conn.execute(text(f"UPDATE {tabel} SET position = -(position + 1) WHERE position >= 5"))
            conn.execute(text(f"UPDATE {tabel} SET position = -position WHERE position < 0"))
        nep = copy.deepcopy(log[4])
        nep.update(
            id="00000000-0000-0000-0000-000000000005",
            subject="ZH051399999",
            sequence="1",
            prevhash=log[3]["hash"],
            streamprevhash=i.NUL,
        )
        nep["hash"] = i.event_hash(nep)
        conn.execute(
            insert(events).values(
                position=5,
                event_id=nep["id"],
                stream_id="ZH051399999",
                stream_type="spoedlocatie",
                version=1,
                event_type=nep["type"].removeprefix("nl.overheid.bodem."),
                schema_version=1,
                data=nep["data"],
                event_metadata={"actor": nep["actor"]},
                occurred_at=datetime.fromisoformat(nep["occurredat"]),
                recorded_at=datetime.fromisoformat(nep["time"]),
            )
        )
        conn.execute(
            insert(event_seals).values(
                position=5, hash=nep["hash"], prev_hash=nep["prevhash"], stream_prev_hash=i.NUL
            )
        )
    bevinding = _first_finding(api, sleutels)
    # The forged event itself, or (were its rendering perfect) the event displaced by it.
    assert bevinding.positie in (5, 6)


def test_reordering_events_in_the_database_is_caught(
    api: TestClient, pg_engine: Engine, sleutels: tuple[Path, Path]
) -> None:
    _log(api)
    with pg_engine.begin() as conn:
        rows = {
            r.position: r
            for r in conn.execute(select(events).where(events.c.position.in_([5, 6]))).all()
        }
        cols = [
            "event_id",
            "stream_id",
            "stream_type",
            "version",
            "event_type",
            "data",
            "event_metadata",
            "occurred_at",
            "recorded_at",
        ]
        conn.execute(
            update(events)
            .where(events.c.position == 5)
            .values(event_id="tmp", stream_id="tmp", version=-1)
        )
        for doel, bron in ((6, 5), (5, 6)):
            conn.execute(
                update(events)
                .where(events.c.position == doel)
                .values(**{c: getattr(rows[bron], c) for c in cols})
            )
    bevinding = _first_finding(api, sleutels)
    assert bevinding.positie == 5


def test_dropping_a_whole_stream_in_the_database_is_caught(
    api: TestClient, pg_engine: Engine, sleutels: tuple[Path, Path]
) -> None:
    log = _log(api)
    tweede = log[3]["subject"] if log[3]["subject"] != log[0]["subject"] else log[4]["subject"]
    with pg_engine.begin() as conn:
        posities = (
            conn.execute(select(events.c.position).where(events.c.stream_id == tweede))
            .scalars()
            .all()
        )
        _drop(conn, list(posities))
    bevinding = _first_finding(api, sleutels)
    assert "ontbreekt" in bevinding.wat
    assert bevinding.positie == min(
        p for p in range(1, 100) if p > min(posities) and p not in posities
    )


# -- in an exported file ---------------------------------------------------------------------


def _herketen(log: list[dict[str, Any]], vanaf: int) -> None:
    """What a careful forger does: recompute every hash from ``vanaf`` on."""
    stromen: dict[str, str] = {}
    vorige = i.NUL
    for n, ev in enumerate(log):
        if n >= vanaf:
            ev["prevhash"] = vorige
            ev["streamprevhash"] = stromen.get(ev["subject"], i.NUL)
            ev["hash"] = i.event_hash(ev)
        stromen[ev["subject"]] = ev["hash"]
        vorige = ev["hash"]


def _forged_changes(log: list[dict[str, Any]]) -> dict[str, tuple[list[dict[str, Any]], int]]:
    """Each way of tampering, with the position of the first event that must be named."""
    gewijzigd = copy.deepcopy(log)
    gewijzigd[2]["data"]["besluitdatum"] = "2009-01-01"
    verwijderd = [e for e in copy.deepcopy(log) if e["position"] != 4]
    ingevoegd = copy.deepcopy(log)
    nep = copy.deepcopy(ingevoegd[2])
    nep["id"] = "00000000-0000-0000-0000-000000000000"
    ingevoegd.insert(3, nep)
    verwisseld = copy.deepcopy(log)
    verwisseld[4], verwisseld[5] = verwisseld[5], verwisseld[4]
    stroom = log[1]["subject"]
    zonder_stroom = [e for e in copy.deepcopy(log) if e["subject"] != stroom]
    eerste_weg = min(e["position"] for e in log if e["subject"] == stroom)
    na_gat = min(e["position"] for e in zonder_stroom if e["position"] > eerste_weg)
    herschreven = copy.deepcopy(log)
    herschreven[1]["data"]["besluitdatum"] = "2009-01-01"
    _herketen(herschreven, 1)
    anker = next(e for e in herschreven if e["type"].endswith(i.ANKER_TYPE))
    return {
        "changed": (gewijzigd, 3),
        "deleted": (verwijderd, 5),
        "inserted": (ingevoegd, 3),
        "reordered": (verwisseld, log[5]["position"]),
        "stream dropped": (zonder_stroom, na_gat),
        "rewritten consistently": (herschreven, int(anker["position"])),
    }


@pytest.mark.parametrize(
    "manier",
    ["changed", "deleted", "inserted", "reordered", "stream dropped", "rewritten consistently"],
)
def test_tampering_with_an_exported_file_is_caught_and_named(
    api: TestClient,
    sleutels: tuple[Path, Path],
    tmp_path: Path,
    manier: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = _log(api)
    vervalst, eerste = _forged_changes(log)[manier]
    bestand = tmp_path / "log.jsonl"
    with bestand.open("w") as fh:
        export.schrijf(vervalst, fh)
    uitslag = verify.controleer(list(export.lees(str(bestand))), _publiek(sleutels))
    assert uitslag.eerste is not None, manier
    assert uitslag.eerste.positie == eerste, (manier, uitslag.bevindingen)
    code = audit(["verify", str(bestand), "--publieke-sleutel", str(sleutels[1]), "--stil"])
    assert code == 1
    assert f"positie {eerste}" in capsys.readouterr().out


def test_a_forged_anchor_signature_is_caught(api: TestClient, sleutels: tuple[Path, Path]) -> None:
    log = _log(api)
    anders, _ = i.nieuwe_sleutel()
    anker = next(e for e in log if e["type"].endswith(i.ANKER_TYPE))
    herschreven = copy.deepcopy(log)
    herschreven[1]["data"]["besluitdatum"] = "2009-01-01"
    _herketen(herschreven, 1)
    positie = int(anker["position"])
    forged = herschreven[positie - 1]
    root = i.anker_root(
        i.NUL, [e["hash"] for e in herschreven[: forged["data"]["totEnMetPositie"]]]
    )
    forged["data"]["merkleRoot"] = root
    forged["data"]["handtekening"] = i.onderteken(
        i.laad_privesleutel(anders), forged["data"]["totEnMetPositie"], root
    )
    _herketen(herschreven, positie - 1)
    uitslag = verify.controleer(herschreven, _publiek(sleutels))
    assert uitslag.eerste is not None and uitslag.eerste.positie == positie
    assert "handtekening" in uitslag.eerste.wat
