"""Verify an exported log: hash chains, anchors and signatures, per-stream order, no gaps."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import chain, pairwise, repeat
from operator import itemgetter
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from auditor import export
from auditor.export import zonder_gc
from shared import integriteit as i
from shared.ankersleutels import Sleutelset
from shared.envelope import TYPE_PREFIX


@dataclass(frozen=True)
class Bevinding:
    positie: int | None
    event_id: str
    wat: str

    def __str__(self) -> str:
        return f"positie {self.positie} (id {self.event_id}): {self.wat}"


@dataclass
class Uitslag:
    gecontroleerd: int = 0
    ankers: int = 0
    ondertekend: int = 0
    verankerd_tot: int = 0
    bevindingen: list[Bevinding] = field(default_factory=list)

    @property
    def in_orde(self) -> bool:
        return not self.bevindingen

    @property
    def eerste(self) -> Bevinding | None:
        return self.bevindingen[0] if self.bevindingen else None


ANKER_TYPES = frozenset({i.ANKER_TYPE, TYPE_PREFIX + i.ANKER_TYPE})


def controleer(
    events: Iterable[dict[str, Any]],
    publieke_sleutel: Ed25519PublicKey | Sleutelset | None = None,
) -> Uitslag:
    """Check every event in file order; the first finding names the first broken event."""
    with zonder_gc():
        return _controleer(events, publieke_sleutel, i.event_hash)


def controleer_bestand(
    pad: str,
    publieke_sleutel: Ed25519PublicKey | Sleutelset | None = None,
    werkers: int | None = None,
) -> Uitslag:
    """:func:`controleer` over an exported log (JSON Lines), with the same findings. Reading
    and hashing take nearly all the time and need no order, so ``werkers`` processes (default:
    one per core) read and hash parts of the file; this process checks chains and anchors in
    file order as the parts come in."""
    werkers = werkers or os.cpu_count() or 1
    if werkers < 2 or os.path.getsize(pad) < PARALLEL_VANAF:
        return controleer(export.lees(pad), publieke_sleutel)
    try:
        with ProcessPoolExecutor(werkers, mp_context=multiprocessing.get_context("fork")) as pool:
            delen = pool.map(_kernen, repeat(pad), _delen(pad, werkers * 4))
            with zonder_gc():
                return _controleer(chain.from_iterable(delen), publieke_sleutel, _BEREKEND)
    except ValueError:
        # A line that is no JSON: read it again in one process, which names its line number.
        return controleer(export.lees(pad), publieke_sleutel)


# Below this size one process is as fast as starting others.
PARALLEL_VANAF = 20_000_000
KERN = ("position", "sequence", "subject", "prevhash", "streamprevhash", "hash", "id", "type")
_BEREKEND = itemgetter("berekend")


def _delen(pad: str, aantal: int) -> list[tuple[int, int]]:
    """``aantal`` byte ranges of the file that begin and end at line ends."""
    grootte = os.path.getsize(pad)
    grenzen = [0]
    with open(pad, "rb") as fh:
        for k in range(1, aantal):
            fh.seek(max(grootte * k // aantal, grenzen[-1]))
            fh.readline()
            grenzen.append(min(fh.tell(), grootte))
    grenzen.append(grootte)
    return [(a, b) for a, b in pairwise(grenzen) if b > a]


def _kernen(pad: str, deel: tuple[int, int]) -> list[dict[str, Any]]:
    """In a worker: the events of one part of the file, each as only what the checks read,
    with its hash computed (``berekend``); small, so sending them back costs little."""
    with zonder_gc(), open(pad, "rb") as fh:
        fh.seek(deel[0])
        tekst = fh.read(deel[1] - deel[0])
        uit = []
        for regel in tekst.split(b"\n"):
            if not regel or regel.isspace():
                continue
            ev = i.lees_json(regel)
            if not isinstance(ev, dict):
                raise ValueError("een regel is geen JSON-object")
            kern = {k: ev[k] for k in KERN if k in ev}
            if isinstance(ev.get("type"), str) and ev["type"] in ANKER_TYPES:
                kern["data"] = ev.get("data")
            for veld in i.NIET_GEHASHT:  # the worker owns ev: no copy
                ev.pop(veld, None)
            kern["berekend"] = i.inhoud_hash(ev)
            uit.append(kern)
        return uit


def _controleer(
    events: Iterable[dict[str, Any]],
    publieke_sleutel: Ed25519PublicKey | Sleutelset | None,
    hash_van: Callable[[dict[str, Any]], str],
) -> Uitslag:
    # The loop runs once per event of a log of millions: local names, nothing built per event
    # beyond the hash and the stream's entry (BENCHMARKS.md has the rate).
    u = Uitslag()
    vorige_hash, vorige_positie = i.NUL, 0
    hashes: list[str] = []
    stromen: dict[str, tuple[int, str]] = {}
    keten = {"tot": 0, "root": i.NUL}  # the last verified anchor
    geen_stroom = (0, i.NUL)
    anker_types = ANKER_TYPES

    def bevinding(ev: dict[str, Any], wat: str) -> None:
        positie = ev.get("position")
        u.bevindingen.append(
            Bevinding(int(positie) if positie is not None else None, str(ev.get("id")), wat)
        )

    gecontroleerd = 0
    for ev in events:
        gecontroleerd += 1
        try:
            positie = int(ev["position"])
            versie = int(ev["sequence"])
            stroom = str(ev["subject"])
        except (KeyError, ValueError, TypeError):
            bevinding(ev, "geen positie, versie of onderwerp")
            continue
        if positie != vorige_positie + 1:
            wat = (
                f"positie ontbreekt of is verwijderd: verwacht {vorige_positie + 1}"
                if positie > vorige_positie + 1
                else f"positie staat niet op volgorde (na {vorige_positie})"
            )
            bevinding(ev, wat)
        if ev.get("prevhash") != vorige_hash:
            bevinding(ev, "prevhash wijst niet naar de vorige gebeurtenis in het logboek")
        vorig_in_stroom = stromen.get(stroom, geen_stroom)
        if versie != vorig_in_stroom[0] + 1:
            bevinding(ev, f"versie {versie} van {stroom} volgt niet op versie {vorig_in_stroom[0]}")
        if ev.get("streamprevhash") != vorig_in_stroom[1]:
            bevinding(ev, f"streamprevhash wijst niet naar de vorige gebeurtenis van {stroom}")
        berekend = hash_van(ev)
        huidige = ev.get("hash", berekend)
        if huidige != berekend:
            bevinding(ev, "inhoud gewijzigd: de hash klopt niet met de inhoud")
            huidige = str(huidige)
        hashes.append(huidige)
        stromen[stroom] = (versie, huidige)
        vorige_hash, vorige_positie = huidige, positie
        soort = ev.get("type")
        if isinstance(soort, str) and soort in anker_types:
            _anker(ev, hashes, keten, publieke_sleutel, u, bevinding)
    u.gecontroleerd = gecontroleerd
    return u


def _anker(
    ev: dict[str, Any],
    hashes: list[str],
    keten: dict[str, Any],
    sleutel: Ed25519PublicKey | Sleutelset | None,
    u: Uitslag,
    bevinding: Any,
) -> None:
    u.ankers += 1
    data = ev.get("data", {})
    tot = int(data.get("totEnMetPositie", 0))
    if tot > len(hashes) - 1:
        bevinding(ev, f"anker dekt posities tot {tot} die niet in het logboek staan")
        return
    verwacht = i.anker_root(keten["root"], hashes[keten["tot"] : tot])
    if verwacht != data.get("merkleRoot"):
        bevinding(
            ev,
            f"Merkle-root over posities 1..{tot} klopt niet: het logboek tot dit "
            "anker is veranderd",
        )
        return
    keten["tot"], keten["root"] = tot, verwacht
    handtekening = data.get("handtekening")
    if sleutel is not None:
        if not handtekening:
            bevinding(ev, "anker is niet ondertekend")
            return
        # A key set checks with the key the anchor names (its id), so rotated keys verify.
        publiek = (
            sleutel.kies(data.get("sleutelId")) if isinstance(sleutel, Sleutelset) else sleutel
        )
        if publiek is None:
            bevinding(ev, f"anker ondertekend met onbekende sleutel {data.get('sleutelId')}")
            return
        if not i.handtekening_klopt(publiek, tot, str(data["merkleRoot"]), handtekening):
            bevinding(ev, "handtekening van het anker klopt niet met de publieke sleutel")
            return
        u.ondertekend += 1
    u.verankerd_tot = max(u.verankerd_tot, tot)
