"""Rapportage keeps the chain hash of every position and the log's anchors, so each report
binds the log it was built from exactly as the auditor derives the binding from the log."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import Engine, func, insert, select

from auditor import export, replay
from services.rapportage.adapters import tables
from services.rapportage.bootstrap import processor
from services.rapportage.config import RapportageSettings
from services.rapportage.domain import rapporten
from services.rapportage.domain.binding import uit_logboek
from services.rapportage.entrypoints import weergave
from services.rapportage.service_layer.rapportage import Rapportage
from shared import ankersleutels as a
from shared import integriteit as i
from shared.auth import Rol
from shared.db.engine import make_engine, make_session_factory
from shared.db.migrations import alembic_config
from shared.eventstore.tables import consumer_offsets
from shared.messaging.consumer import ListDeadLetterSink, Record
from tests.support.infra import sqlite_database
from tests.support.locaties import NIEUW, locaties_client, token, verzegeld
from tests.support.rapportage import RAPPORTAGE_VERSIONS

UP = token(Rol.BEVOEGD_GEZAG, "ZH")  # NIEUW is a ZH site: only ZH writes it
PEILDATUM = date(2016, 12, 31)


def _gezegeld_log(engine: Engine, sleutel: Path) -> list[dict[str, Any]]:
    with locaties_client(engine, anker_elke=3, anker_sleutel=str(sleutel)) as api:
        for _ in range(3):
            locatie = api.post("/v1/spoedlocaties", json=NIEUW, headers=UP).json()
            api.post(
                f"/v1/spoedlocaties/{locatie['locatieId']}/statuswijzigingen",
                json={"naar": "onderzocht", "besluitdatum": "2011-01-01"},
                headers={**UP, "If-Match": '"1"'},
            )
            verzegeld(api)  # the relay seals, and anchors every 3
        return export.uit_api("", UP["Authorization"].split()[1], toon=False, client=api)


def _records(log: list[dict[str, Any]]) -> list[Record]:
    """Two partitions, as Kafka would deliver them (key = stream): the anchors on 0, the
    sites alternately on 1 and 0."""
    offsets = [0, 0]
    onderwerpen = sorted({e["subject"] for e in log if not e["type"].endswith(i.ANKER_TYPE)})
    uit = []
    for ev in log:
        p = 0 if ev["subject"] not in onderwerpen else (onderwerpen.index(ev["subject"]) + 1) % 2
        uit.append(Record("t", p, offsets[p], b"k", json.dumps(ev).encode()))
        offsets[p] += 1
    return uit


def test_every_report_binds_the_hash_at_its_position_and_the_latest_anchor(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    log = _gezegeld_log(sqlite_engine, a.maak_paar(tmp_path / "sleutel"))
    ankers = [int(e["position"]) for e in log if e["type"].endswith(i.ANKER_TYPE)]
    assert len(ankers) >= 2
    with sqlite_database(tmp_path, RAPPORTAGE_VERSIONS) as engine:
        sessions = make_session_factory(engine)
        proc = processor(RapportageSettings(), sessions, ListDeadLetterSink())
        records = _records(log)
        # Partition 1 runs late: first everything of partition 0, then 1 up to past an anchor.
        proc.process([r for r in records if r.partition == 0])
        tot = ankers[0] + 1
        proc.process(
            [r for r in records if r.partition == 1 and json.loads(r.value)["position"] <= tot]
        )
        rapportage = Rapportage(sessions)
        eerder = rapportage.rapport("voortgang", PEILDATUM)
        assert eerder.positie == tot
        assert eerder.logboeken == {"spoedlocaties": uit_logboek(log, tot)}
        assert eerder.logboeken["spoedlocaties"]["anker"]["positie"] == ankers[0]
        proc.process(
            [r for r in records if r.partition == 1 and json.loads(r.value)["position"] > tot]
        )
        rapport = Rapportage(sessions).rapport("voortgang", PEILDATUM)
    laatste = max(int(e["position"]) for e in log)
    binding = rapport.logboeken["spoedlocaties"]
    assert rapport.positie == laatste and binding == uit_logboek(log, laatste)
    assert binding["hash"] == log[-1]["hash"] and binding["anker"]["positie"] == ankers[-1]
    assert binding["anker"]["handtekening"] and binding["anker"]["sleutelId"]
    # The HTML page shows the binding beside the digest.
    assert binding["hash"] in weergave.als_html(rapport)
    # The auditor's replay derives the same binding, so the same digest.
    assert replay.herspeel(log, "voortgang", PEILDATUM, laatste).digest == rapport.digest
    # And the digest covers the binding: another hash, another digest.
    anders = rapporten.gebonden(rapport, "spoedlocaties", {**binding, "hash": "0" * 64})
    assert anders.digest != rapport.digest


def test_the_migration_empties_the_read_model_so_it_is_read_again_with_hashes(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'r.sqlite'}")
    cfg = alembic_config(RAPPORTAGE_VERSIONS)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "rapportage_0002")
        conn.execute(insert(tables.bron).values(id=1, store_id="s", watermark=7))
        conn.execute(
            insert(consumer_offsets).values(
                consumer="rapportage", topic="t", kafka_partition=0, next_offset=7
            )
        )
        command.upgrade(cfg, "heads")
        for tabel in (tables.bron, consumer_offsets, tables.zegels, tables.ankers):
            assert conn.execute(select(func.count()).select_from(tabel)).scalar() == 0
    engine.dispose()
