"""Verify an exported log: hash chains, anchors and signatures, per-stream order, no gaps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from auditor.export import zonder_gc
from shared import integriteit as i
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
    events: Iterable[dict[str, Any]], publieke_sleutel: Ed25519PublicKey | None = None
) -> Uitslag:
    """Check every event in file order; the first finding names the first broken event."""
    with zonder_gc():
        return _controleer(events, publieke_sleutel)


def _controleer(
    events: Iterable[dict[str, Any]], publieke_sleutel: Ed25519PublicKey | None
) -> Uitslag:
    # The loop runs once per event of a log of millions: local names, nothing built per event
    # beyond the hash and the stream's entry (BENCHMARKS.md has the rate).
    u = Uitslag()
    vorige_hash, vorige_positie = i.NUL, 0
    hashes: list[str] = []
    stromen: dict[str, tuple[int, str]] = {}
    keten = {"tot": 0, "root": i.NUL}  # the last verified anchor
    geen_stroom = (0, i.NUL)
    event_hash, anker_types = i.event_hash, ANKER_TYPES

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
        berekend = event_hash(ev)
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
    sleutel: Ed25519PublicKey | None,
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
        if not i.handtekening_klopt(sleutel, tot, str(data["merkleRoot"]), handtekening):
            bevinding(ev, "handtekening van het anker klopt niet met de publieke sleutel")
            return
        u.ondertekend += 1
    u.verankerd_tot = max(u.verankerd_tot, tot)
