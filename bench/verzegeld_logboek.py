"""A synthetic sealed log for the verification benchmarks: spoedlocaties registered and moved
through their lifecycle, sealed and anchored exactly as the relay does (an anchor after every
``anker_elke`` events, signed), as CloudEvent dicts in position order."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared import integriteit as i
from shared.ankersleutels import sleutel_id
from shared.envelope import TYPE_PREFIX, source_urn

SOURCE = source_urn("00000001003214345000", "bodemregie-locaties")
STORE = "7b0e2a54-3f41-4c1e-9a8e-2d4f5c6b7a81"
META = {"actor": "medewerker@zuid-holland.nl", "organisation": "ZH", "role": "bevoegd-gezag"}
STAPPEN = ("onderzocht", "ernstig-spoed", "saneringsplan", "sanering-gestart", "gesaneerd")


def _registratie(locatie: str, rng: random.Random) -> dict[str, Any]:
    return {
        "locatie_id": locatie,
        "bevoegd_gezag": locatie[:2],
        "gemeentecode": locatie[2:6],
        "naam": f"Voormalige gasfabriek {locatie[-5:]}",
        "bodemtype": "landbodem",
        "verontreinigingsgroepen": ["pak", "cyaniden"],
        "geometrie": {
            "type": "Point",
            "coordinates": [rng.uniform(13000, 278000), rng.uniform(306000, 620000)],
        },
        "status": "potentieel-spoed",
        "registratiedatum": "2010-03-15",
    }


def logboek(
    aantal: int, sleutel: Ed25519PrivateKey, anker_elke: int = 1000, seed: int = 11
) -> Iterator[dict[str, Any]]:
    """``aantal`` events (anchors included), sealed and in position order."""
    rng = random.Random(seed)
    tijd = datetime(2010, 3, 15, tzinfo=UTC)
    vorige = i.NUL
    stromen: dict[str, tuple[int, str, str]] = {}
    sinds_anker: list[str] = []
    anker_root, anker_tot, ankers = i.NUL, 0, 0
    open_locaties: list[tuple[str, int]] = []
    for positie in range(1, aantal + 1):
        tijd += timedelta(seconds=37)
        if len(sinds_anker) == anker_elke:
            anker_root = i.anker_root(anker_root, sinds_anker)
            anker_tot = positie - 1
            stroom, versie, soort = i.ANKER_STREAM, ankers + 1, i.ANKER_TYPE
            data: dict[str, Any] = {
                "vanafPositie": anker_tot - len(sinds_anker) + 1,
                "totEnMetPositie": anker_tot,
                "vorigeRoot": stromen.get(stroom, (0, i.NUL, i.NUL))[2],
                "merkleRoot": anker_root,
                "algoritme": "sha256-merkle-keten",
                "handtekening": i.onderteken(sleutel, anker_tot, anker_root),
                "sleutelId": sleutel_id(sleutel.public_key()),
            }
            ankers += 1
            sinds_anker = []
        elif not open_locaties or rng.random() < 0.2:
            stroom = f"ZH0513{positie:05d}"
            versie, soort, data = 1, "spoedlocatie-geregistreerd", _registratie(stroom, rng)
            open_locaties.append((stroom, 1))
        else:
            k = rng.randrange(len(open_locaties))
            stroom, v = open_locaties[k]
            versie, soort = v + 1, "spoedlocatie-status-gewijzigd"
            data = {
                "van": "potentieel-spoed" if v == 1 else STAPPEN[v - 2],
                "naar": STAPPEN[v - 1],
                "besluitdatum": (tijd.date() - timedelta(days=30)).isoformat(),
                "toelichting": "besluit van gedeputeerde staten",
            }
            if versie > len(STAPPEN):
                open_locaties.pop(k)
            else:
                open_locaties[k] = (stroom, versie)
        # The envelope from_recorded makes, written out: generating must not take longer
        # than verifying.
        moment = tijd.isoformat().replace("+00:00", "Z")
        ce: dict[str, Any] = {
            "specversion": "1.0",
            "id": str(UUID(int=rng.getrandbits(128))),
            "source": SOURCE,
            "type": TYPE_PREFIX + soort,
            "subject": stroom,
            "time": moment,
            "datacontenttype": "application/json",
            "sequence": str(versie),
            "occurredat": moment,
            "position": positie,
            "storeid": STORE,
            "streamtype": "logboek" if stroom == i.ANKER_STREAM else "spoedlocatie",
            "schemaversion": 1,
            **META,
            "data": data,
        }
        ce["prevhash"] = vorige
        ce["streamprevhash"] = stromen.get(stroom, (0, i.NUL, i.NUL))[1]
        ce["hash"] = vorige = i.event_hash(ce)
        stromen[stroom] = (versie, vorige, anker_root)
        sinds_anker.append(vorige)
        yield ce
