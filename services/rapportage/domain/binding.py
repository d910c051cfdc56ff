"""How a report binds the log it was built from.

A report names each log it reads under ``logboeken``, keyed by the log's name: ``spoedlocaties``
(the registry's log, topic bodem.spoedlocaties.v1) or ``kennis`` (the knowledge platform's log,
topic bodem.kennis.v1). The name, not the topic, is the key: topics are deployment settings,
the log is identified by its store (``bron``, the store id every event carries). Per log:

- ``positie``: the last position the report includes;
- ``hash``: the chain hash of the event at that position, which commits to every event up to it
  (``shared/integriteit.py``);
- ``anker``: the latest anchor at or before that position (its own position, the position it
  anchors, its Merkle root, key id and signature), which a forger without the key cannot make.

The report's digest covers ``logboeken``: an auditor who holds the log and the public keys checks
that the log up to ``positie`` is intact, ends in that hash, contains that anchor with a valid
signature, and yields the same figures (``bodemregie audit replay --publicatie``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from shared.envelope import TYPE_PREFIX
from shared.integriteit import ANKER_TYPE

SPOEDLOCATIES = "spoedlocaties"
KENNIS = "kennis"


def logboek_van(rapport: str) -> str:
    """The log a report is built from."""
    return KENNIS if rapport == "transitie" else SPOEDLOCATIES


@dataclass(frozen=True)
class Anker:
    positie: int
    tot_en_met: int
    merkle_root: str
    sleutel_id: str | None
    handtekening: str | None

    def als_dict(self) -> dict[str, Any]:
        return {
            "positie": self.positie,
            "totEnMetPositie": self.tot_en_met,
            "merkleRoot": self.merkle_root,
            "sleutelId": self.sleutel_id,
            "handtekening": self.handtekening,
        }

    @classmethod
    def uit_data(cls, positie: int, data: dict[str, Any]) -> Anker:
        """From an anchor event's data; raises ValueError when it is not one."""
        try:
            return cls(
                positie,
                int(data["totEnMetPositie"]),
                str(data["merkleRoot"]),
                None if data.get("sleutelId") is None else str(data["sleutelId"]),
                None if data.get("handtekening") is None else str(data["handtekening"]),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"anker zonder {exc}") from exc


def binding(
    bron: str | None, positie: int, hash_: str | None, anker: Anker | None
) -> dict[str, Any]:
    return {
        "bron": bron,
        "positie": positie,
        "hash": hash_,
        "anker": anker.als_dict() if anker else None,
    }


def is_anker(event: dict[str, Any]) -> bool:
    return str(event.get("type", "")).removeprefix(TYPE_PREFIX) == ANKER_TYPE


def uit_logboek(events: Iterable[dict[str, Any]], positie: int) -> dict[str, Any]:
    """The binding as the log itself states it at ``positie`` (the auditor's side): the store
    of the first event, the hash of the event at ``positie``, the last anchor up to it."""
    bron: str | None = None
    hash_: str | None = None
    anker: Anker | None = None
    for ev in events:
        try:
            p = int(ev["position"])
        except (KeyError, TypeError, ValueError):
            continue
        if bron is None and ev.get("storeid") is not None:
            bron = str(ev["storeid"])
        if p > positie:
            continue
        if p == positie:
            hash_ = None if ev.get("hash") is None else str(ev["hash"])
        if is_anker(ev) and (anker is None or p > anker.positie):
            try:
                anker = Anker.uit_data(p, dict(ev.get("data") or {}))
            except ValueError:
                continue
    return binding(bron, positie, hash_, anker)
