"""Verify an exported log: hash chains, anchors and signatures, per-stream order, no gaps."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import chain, pairwise, repeat
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
        kernen = (_kern(ev, _hash(ev)) for ev in events)
        return _controleer(kernen, publieke_sleutel)


def _hash(ev: dict[str, Any]) -> str | None:
    """The event's hash by the definition, or None where it has none: content with a lone
    surrogate (no UTF-8 text) or nested too deep to encode. Such an event is a finding ("the
    hash does not match its content"), never a reason to stop checking."""
    try:
        return i.event_hash(ev)
    except (UnicodeEncodeError, RecursionError):
        return None


def _lees_met_hash(regel: bytes) -> tuple[dict[str, Any], str | None]:
    try:
        return i.lees_met_hash(regel)
    except (UnicodeEncodeError, RecursionError):
        ev = i.lees_json(regel)
        return ev, _hash(ev)


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
            delen = pool.map(_kernen, repeat(pad), _delen(pad, werkers * DELEN_PER_WERKER))
            with zonder_gc():
                return _controleer(chain.from_iterable(delen), publieke_sleutel)
    except ValueError:
        # A line that is no JSON: read it again in one process, which names its line number.
        return controleer(export.lees(pad), publieke_sleutel)


# Below this size one process is as fast as starting others.
PARALLEL_VANAF = 20_000_000
# Smaller parts shorten the tail where this process checks the last part alone; each costs a
# round trip to a worker.
DELEN_PER_WERKER = 16

# The chain goes on from an event without a hash of its own whose hash cannot be computed with
# this (no hex, so no later event's prevhash can match it by chance).
ONBEREKENBAAR = "(onberekenbaar)"

# What the ordered checks need of one event, built where it is hashed (a tuple: a worker sends
# hundreds of thousands, and a tuple pickles at a fraction of a dict's cost):
# (geldig, positie, versie, stroom, prevhash, streamprevhash, huidige, klopt, id, anker)
# ``geldig``: position and sequence are integers and there is a subject; ``positie`` the
# position as a finding names it; ``huidige`` the hash the chain goes on with (the event's own
# ``hash``, or the computed one where it has none); ``klopt``: that equals the computed hash;
# ``anker``: ``(data,)`` for an anchor, else None.
Kern = tuple[bool, Any, Any, str, Any, Any, str, bool, str, tuple[Any] | None]


def _kern(ev: dict[str, Any], berekend: str | None) -> Kern:
    positie = ev.get("position")
    try:
        versie = int(ev["sequence"])
        stroom = str(ev["subject"])
        positie = int(ev["position"])
        geldig = True
    except (KeyError, ValueError, TypeError):
        versie, stroom, geldig = 0, "", False
        positie = int(positie) if positie is not None else None
    huidige = ev.get("hash", ONBEREKENBAAR if berekend is None else berekend)
    klopt = berekend is not None and huidige == berekend
    soort = ev.get("type")
    anker = (ev.get("data", {}),) if isinstance(soort, str) and soort in ANKER_TYPES else None
    return (
        geldig,
        positie,
        versie,
        stroom,
        ev.get("prevhash"),
        ev.get("streamprevhash"),
        huidige if klopt else str(huidige),
        klopt,
        str(ev.get("id")),
        anker,
    )


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


def _kernen(pad: str, deel: tuple[int, int]) -> list[Kern]:
    """In a worker: the events of one part of the file, each read and hashed by the definition
    (:func:`shared.integriteit.lees_met_hash`) and sent back as only what the ordered checks
    read (:data:`Kern`)."""
    with open(pad, "rb") as fh:
        fh.seek(deel[0])
        tekst = fh.read(deel[1] - deel[0])
    lees, kern = _lees_met_hash, _kern
    with zonder_gc():
        return [kern(*lees(regel)) for regel in tekst.split(b"\n") if regel and not regel.isspace()]


def _controleer(
    kernen: Iterable[Kern],
    publieke_sleutel: Ed25519PublicKey | Sleutelset | None,
) -> Uitslag:
    # The loop runs once per event of a log of millions: local names, nothing built per event
    # beyond the stream's entry (BENCHMARKS.md has the rate).
    u = Uitslag()
    vorige_hash, vorige_positie = i.NUL, 0
    hashes: list[str] = []
    stromen: dict[str, tuple[int, str]] = {}
    keten = {"tot": 0, "root": i.NUL}  # the last verified anchor
    geen_stroom = (0, i.NUL)
    bevindingen = u.bevindingen
    nieuw = hashes.append
    vorige_in = stromen.get

    gecontroleerd = 0
    for geldig, positie, versie, stroom, prev, streamprev, huidige, klopt, eid, anker in kernen:
        gecontroleerd += 1
        if not geldig:
            bevindingen.append(Bevinding(positie, eid, "geen positie, versie of onderwerp"))
            continue
        if positie != vorige_positie + 1:
            wat = (
                f"positie ontbreekt of is verwijderd: verwacht {vorige_positie + 1}"
                if positie > vorige_positie + 1
                else f"positie staat niet op volgorde (na {vorige_positie})"
            )
            bevindingen.append(Bevinding(positie, eid, wat))
        if prev != vorige_hash:
            wat = "prevhash wijst niet naar de vorige gebeurtenis in het logboek"
            bevindingen.append(Bevinding(positie, eid, wat))
        vorig_in_stroom = vorige_in(stroom, geen_stroom)
        if versie != vorig_in_stroom[0] + 1:
            wat = f"versie {versie} van {stroom} volgt niet op versie {vorig_in_stroom[0]}"
            bevindingen.append(Bevinding(positie, eid, wat))
        if streamprev != vorig_in_stroom[1]:
            wat = f"streamprevhash wijst niet naar de vorige gebeurtenis van {stroom}"
            bevindingen.append(Bevinding(positie, eid, wat))
        if not klopt:
            wat = "inhoud gewijzigd: de hash klopt niet met de inhoud"
            bevindingen.append(Bevinding(positie, eid, wat))
        nieuw(huidige)
        stromen[stroom] = (versie, huidige)
        vorige_hash, vorige_positie = huidige, positie
        if anker is not None:
            _anker(anker[0], positie, eid, hashes, keten, publieke_sleutel, u)
    u.gecontroleerd = gecontroleerd
    return u


def _anker(
    data: Any,
    positie: int,
    eid: str,
    hashes: list[str],
    keten: dict[str, Any],
    sleutel: Ed25519PublicKey | Sleutelset | None,
    u: Uitslag,
) -> None:
    u.ankers += 1

    def bevinding(wat: str) -> None:
        u.bevindingen.append(Bevinding(positie, eid, wat))

    try:
        tot = int(data.get("totEnMetPositie", 0))
    except (TypeError, ValueError):
        bevinding(f"anker noemt geen positie als totEnMetPositie: {data.get('totEnMetPositie')!r}")
        return
    if tot > len(hashes) - 1:
        bevinding(f"anker dekt posities tot {tot} die niet in het logboek staan")
        return
    try:
        verwacht = i.anker_root(keten["root"], hashes[keten["tot"] : tot])
    except (TypeError, ValueError):
        # A hash that is no hex (tampered) leaves no root to compare: a finding, not a crash.
        bevinding(f"Merkle-root over posities 1..{tot} is niet te berekenen: een hash is geen hex")
        return
    if verwacht != data.get("merkleRoot"):
        bevinding(
            f"Merkle-root over posities 1..{tot} klopt niet: het logboek tot dit "
            "anker is veranderd",
        )
        return
    keten["tot"], keten["root"] = tot, verwacht
    handtekening = data.get("handtekening")
    if sleutel is not None:
        if not handtekening:
            bevinding("anker is niet ondertekend")
            return
        # A key set checks with the key the anchor names (its id), so rotated keys verify.
        publiek = (
            sleutel.kies(data.get("sleutelId")) if isinstance(sleutel, Sleutelset) else sleutel
        )
        if publiek is None:
            bevinding(f"anker ondertekend met onbekende sleutel {data.get('sleutelId')}")
            return
        if not i.handtekening_klopt(publiek, tot, str(data["merkleRoot"]), handtekening):
            bevinding("handtekening van het anker klopt niet met de publieke sleutel")
            return
        u.ondertekend += 1
    u.verankerd_tot = max(u.verankerd_tot, tot)
