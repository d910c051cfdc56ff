"""Rapportage's start at scale, from a database as the service starts (`bench/rapportage_schaal.py
--start`): memory, start time and answer times.

Three fresh processes on one SQLite database in a temporary directory:

1. *vul*: the demo history multiplied (``rapportage_schaal.feiten``) as the projection leaves it:
   facts (with their typed columns), the chain hash at the positions asked for, the watermark
   ``staart`` facts short of the end.
2. *eerste*: the service's first start: no snapshot, so the timelines are built from the whole
   log; then the snapshot is written apart (a forked child), which this waits for. Then the
   watermark moves to the end and the timelines
   read the tail (as the running service does), and answers are fingerprinted.
3. *start*: a restart: the snapshot is checked against the log and loaded, the tail read from
   the database. Memory, start time and answer times are measured here; its answers must have
   the fingerprint of the first start's.

CPU seconds (``time.process_time``) are reported beside wall seconds, with the load average:
on a shared machine the wall seconds are inflated, the CPU seconds much less. At a first start
a forked child reads the log ahead (``adapters/voorlezer.py``): its CPU seconds are reported
apart and together with the service's (the machine's cost; the wall time on an idle machine
is about the larger of the two). ``BODEMREGIE_BENCH_VOORLEZEN=0``: without the child.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time as klok
from datetime import UTC, date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from bench.rapportage_schaal import _piek_mb, _rss_mb, feiten
from services.rapportage.adapters import tables
from services.rapportage.adapters.momentopname import Geladen, Momentopname
from services.rapportage.bootstrap import migrate
from services.rapportage.domain.feiten import Locatie
from services.rapportage.domain.feitkolommen import getypeerd, microseconden
from services.rapportage.service_layer.rapportage import Rapportage
from shared.db.engine import make_engine, make_session_factory

STORE = "00000000-0000-4000-8000-000000000000"
# "0" in the environment: the first start reads the log in this process only (to compare).
VOORLEZEN = "BODEMREGIE_BENCH_VOORLEZEN"
PEILDATUM = date(2015, 12, 31)
# "What did we tell parliament on 1 February 2013 about 31 December 2012?"
PEILDATUM_TOEN, KENNISDATUM = date(2012, 12, 31), date(2013, 2, 1)


def _hash(positie: int) -> str:
    return hashlib.sha256(f"log-{positie}".encode()).hexdigest()


def vul(url: str, schaal: float, staart: int) -> dict[str, Any]:
    alle = feiten(schaal)
    migrate(make_engine(url))
    eind = len(alle)
    start = klok.perf_counter()
    with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
        db.executemany(
            "INSERT INTO r_feiten (positie, locatie_id, versie, soort, vastgelegd_op, data, "
            "datum, tekst, getal, vastgelegd_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    x.positie,
                    x.locatie_id,
                    x.versie,
                    x.soort,
                    x.vastgelegd_op.astimezone(UTC).replace(tzinfo=None).isoformat(" "),
                    json.dumps(x.data),
                    *(getypeerd(x.soort, x.data) or (None, None, None)),
                    microseconden(x.vastgelegd_op),
                )
                for x in alle
            ),
        )
        db.executemany(
            "INSERT INTO r_zegels VALUES (?, ?)",
            [(p, _hash(p)) for p in (eind - staart, eind)],
        )
        db.execute("INSERT INTO r_bron VALUES (1, ?, ?)", (STORE, eind - staart))
    return {
        "facts": eind,
        "sites": len({x.locatie_id for x in alle}),
        "vul_s": klok.perf_counter() - start,
    }


def _vingerafdruk(stand: dict[str, Locatie]) -> str:
    sha = hashlib.sha256()
    for locatie_id in sorted(stand):
        sha.update(repr(stand[locatie_id]).encode())
    return sha.hexdigest()


def _antwoorden(rapportage: Rapportage, positie: int, uitslag: dict[str, Any]) -> None:
    with rapportage.vast(positie) as tijdlijnen:
        for naam, peildatum, kennisdatum in (
            ("peildatum", PEILDATUM, None),
            ("kennisdatum", PEILDATUM_TOEN, KENNISDATUM),
        ):
            start, cpu = klok.perf_counter(), klok.process_time()
            stand = tijdlijnen.stand_op(peildatum, kennisdatum)
            uitslag[f"{naam}_s"] = klok.perf_counter() - start
            uitslag[f"{naam}_cpu_s"] = klok.process_time() - cpu
            uitslag[f"{naam}_sites"] = len(stand)
            uitslag[f"{naam}_vingerafdruk"] = _vingerafdruk(stand)


class _Gemeten(Momentopname):
    """Times its own loading and writing."""

    tijden: dict[str, float]
    apart = 0.0

    def laad(self) -> Geladen | None:
        start, cpu = klok.perf_counter(), klok.process_time()
        geladen = super().laad()
        self.tijden = {
            "laad_s": klok.perf_counter() - start,
            "laad_cpu_s": klok.process_time() - cpu,
            "geladen": geladen is not None,
        }
        return geladen

    def schrijf_apart(self, tijdlijnen: Any, positie: int) -> None:
        self.apart = klok.perf_counter()
        super().schrijf_apart(tijdlijnen, positie)


def start(url: str, pad: Path, eerste: bool) -> dict[str, Any]:
    """One start of the service's timelines (a fresh process), as in ``bootstrap``."""
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    opname = _Gemeten(pad, sessions)
    gc.collect()
    voor = _rss_mb()
    begin, cpu = klok.perf_counter(), klok.process_time()
    rapportage = Rapportage(
        sessions, bevries=True, momentopname=opname, voorlezen=os.environ.get(VOORLEZEN) != "0"
    )
    positie = rapportage.houd_bij()
    uitslag: dict[str, Any] = {
        "start_s": klok.perf_counter() - begin,
        "start_cpu_s": klok.process_time() - cpu,
        "load_average": os.getloadavg(),
        "positie": positie,
        **opname.tijden,
    }
    # The child that read the log ahead at a first start (adapters/voorlezer.py), if one did:
    # its CPU s count too (the machine's, beside the service's own).
    voorlezer = rapportage.geheugen.spoedlocaties.voorlezer
    if voorlezer is not None:
        uitslag["voorlezer_cpu_s"], uitslag["voorlezer_piek_mb"] = voorlezer
        uitslag["start_cpu_samen_s"] = uitslag["start_cpu_s"] + voorlezer[0]
    gc.collect()
    uitslag["geheugen_mb"] = round(_rss_mb() - voor)
    uitslag["geheugen_piek_mb"] = round(_piek_mb() - voor)
    uitslag["geheugen_proces_mb"] = round(_rss_mb())
    if eerste:  # the snapshot is written apart, after the start: wait for it
        opname.wacht()
        uitslag["schrijf_s"] = klok.perf_counter() - opname.apart
        uitslag["schrijf_cpu_s"] = opname.schrijver_cpu_s
        uitslag["schrijver_piek_mb"] = opname.schrijver_piek_mb
        uitslag["schrijver_eigen_mb"] = opname.schrijver_eigen_mb
    if eerste:  # the tail arrives; the running service reads it in
        with engine.begin() as conn:
            watermark = conn.execute(select(func.max(tables.zegels.c.positie))).scalar()
            conn.execute(update(tables.bron).values(watermark=watermark))
        begin = klok.perf_counter()
        positie = rapportage.houd_bij()
        uitslag["staart_s"] = klok.perf_counter() - begin
    _antwoorden(rapportage, positie, uitslag)
    return uitslag


def _kind(*argumenten: str) -> dict[str, Any]:
    uit = subprocess.run(
        [sys.executable, "-m", "bench.rapportage_start", *argumenten],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(uit.strip().splitlines()[-1]))


def _opnieuw(url: str, staart: int) -> dict[str, Any]:
    """A database filled before (``vul``) as ``vul`` leaves it: the watermark ``staart``
    facts short of the end again, and no snapshot recorded."""
    with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
        eind = db.execute("SELECT max(positie) FROM r_zegels").fetchone()[0]
        db.execute("UPDATE r_bron SET watermark = ?", (eind - staart,))
        db.execute("DELETE FROM r_momentopname")
        sites = db.execute("SELECT count(DISTINCT locatie_id) FROM r_feiten").fetchone()[0]
        if db.execute("SELECT 1 FROM r_zegels WHERE positie = ?", (eind - staart,)).fetchone():
            return {"facts": eind, "sites": sites, "vul_s": 0.0, "hergebruikt": True}
    raise ValueError(f"de database heeft geen zegel {staart} feiten voor het einde")


def meet(schaal: float, staart: int = 20_000, map_: Path | None = None) -> dict[str, Any]:
    """``map_``: keep the database there and use it again in a later run (at the same scale
    and tail; filling it takes minutes at national scale). Else a temporary directory."""
    with tempfile.TemporaryDirectory() as tijdelijk:
        plek = map_ or Path(tijdelijk)
        plek.mkdir(parents=True, exist_ok=True)
        db = plek / f"rapportage-{schaal:g}.sqlite"
        url = f"sqlite:///{db}"
        pad = str(plek / f"tijdlijnen-{schaal:g}.momentopname")
        Path(pad).unlink(missing_ok=True)
        uitslag: dict[str, Any] = {"schaal": schaal, "staart": staart}
        if db.exists():
            uitslag |= _opnieuw(url, staart)
        else:
            uitslag |= _kind("vul", url, str(schaal), str(staart))
        uitslag["eerste"] = _kind("eerste", url, pad)
        uitslag["snapshot_mb"] = round(Path(pad).stat().st_size / 2**20)
        uitslag["start"] = _kind("start", url, pad)
    uitslag["gelijk"] = all(
        uitslag["eerste"][f"{n}_vingerafdruk"] == uitslag["start"][f"{n}_vingerafdruk"]
        for n in ("peildatum", "kennisdatum")
    )
    print(json.dumps(uitslag, indent=2))
    return uitslag


if __name__ == "__main__":
    stap, *rest = sys.argv[1:]
    if stap == "vul":
        print(json.dumps(vul(rest[0], float(rest[1]), int(rest[2]))))
    else:
        print(json.dumps(start(rest[0], Path(rest[1]), stap == "eerste")))


def sectie(u: dict[str, Any]) -> str:
    """The BENCHMARKS.md section (appended by ``bench/run.py``)."""
    e, s = u["eerste"], u["start"]

    def rij(naam: str, sleutel: str, fmt: str = ".1f") -> str:
        waarden = [format(x[sleutel], fmt) if sleutel in x else "-" for x in (e, s)]
        return f"| {naam} | {' | '.join(waarden)} |"

    rijen = "\n".join(
        [
            rij("start, wall s", "start_s"),
            rij("start, CPU s (the service's process)", "start_cpu_s"),
            rij("of the child that read the log ahead, CPU s", "voorlezer_cpu_s"),
            rij("both together, CPU s", "start_cpu_samen_s"),
            rij("the child's peak resident MB", "voorlezer_piek_mb", ".0f"),
            rij("of which loading the snapshot, CPU s", "laad_cpu_s"),
            rij("then the snapshot, written apart by a child process, wall s", "schrijf_s"),
            rij("then the snapshot, the child's CPU s", "schrijf_cpu_s"),
            rij("then the snapshot, the child's peak resident MB", "schrijver_piek_mb", ".0f"),
            rij("of which its own (not shared with the service), MB", "schrijver_eigen_mb", ".0f"),
            rij("memory kept, MB", "geheugen_mb", "d"),
            rij("peak while starting, MB", "geheugen_piek_mb", "d"),
            rij("whole process resident, MB", "geheugen_proces_mb", "d"),
            rij("all sites on a peildatum, wall s", "peildatum_s", ".2f"),
            rij("all sites on a peildatum, CPU s", "peildatum_cpu_s", ".2f"),
            rij("all sites on a (peildatum, kennisdatum), wall s", "kennisdatum_s", ".2f"),
            rij("all sites on a (peildatum, kennisdatum), CPU s", "kennisdatum_cpu_s", ".2f"),
        ]
    )
    belasting = " / ".join(", ".join(f"{x:.1f}" for x in kant["load_average"]) for kant in (e, s))
    return f"""
## Rapportage start at national scale (`bench/rapportage_schaal.py --start`, SQLite)

{u["sites"]:,} sites, {u["facts"]:,} facts (scale {u["schaal"]:g}) in the service's read model.
*first start*: no snapshot, the timelines are built from the whole log (but the last
{u["staart"]:,} facts); the service is then ready, and a forked child writes the snapshot
({u["snapshot_mb"]} MB) meanwhile (its rows: not part of the start; the child's resident memory
is mostly pages shared with the service). *restart*: a fresh
process checks the snapshot against the log, loads it and reads the {u["staart"]:,} facts after
it from the database. Answers equal to the first start's (all sites, fingerprinted):
{"yes" if u["gelijk"] else "**NO**"}. Load average during the two starts: {belasting}.

| | first start (from the log) | restart (snapshot + tail) |
| --- | --- | --- |
{rijen}
"""
