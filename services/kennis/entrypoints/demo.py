"""The kennis part of `make demo`: plays the history 2010-2015 of domain/demo_historie.py
through the kennis service's public API, each bevoegd gezag and the programme with its own
token, each activity with its business date.

    python -m services.kennis.entrypoints.demo [--url URL] [--seed 2009]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from typing import Any

import httpx

from services.kennis.domain.demo_historie import PROGRAMMA, Handeling, historie
from shared.auth import Rol, mint_dev_token
from shared.demo import DemoFout, demo_main, gezagstoken

_VERWIJZING = re.compile(r"\{([a-z0-9-]+)\}")


def _token(secret: str, wie: str) -> str:
    if wie == PROGRAMMA:
        return mint_dev_token(
            secret, "demo@uitvoeringsprogramma.nl", Rol.UITVOERINGSPROGRAMMA, None
        )
    return gezagstoken(secret, wie)


def _ingevuld(waarde: Any, ids: dict[str, str]) -> Any:
    """``{vraag-3}`` in a path or body value: the id the service gave that earlier request."""
    if isinstance(waarde, str):
        return _VERWIJZING.sub(lambda m: ids[m.group(1)], waarde)
    if isinstance(waarde, dict):
        return {k: _ingevuld(v, ids) for k, v in waarde.items()}
    return waarde


def _id(bewaar: str, antwoord: dict[str, Any]) -> str:
    if bewaar.startswith("antwoord-"):
        return str(antwoord["antwoorden"][-1]["antwoordId"])
    return str(antwoord["bijeenkomstId" if bewaar.startswith("bijeenkomst-") else "vraagId"])


def vul(client: httpx.Client, secret: str, seed: int = 2009) -> dict[str, Any]:
    """Play the history through ``client`` (an httpx client on the kennis base URL)."""
    tokens: dict[str, str] = {}
    ids: dict[str, str] = {}
    start = time.monotonic()
    handelingen: list[Handeling] = historie(seed)
    for handeling in handelingen:
        token = tokens.setdefault(handeling.wie, _token(secret, handeling.wie))
        response = client.post(
            _ingevuld(handeling.pad, ids),
            json=_ingevuld(handeling.body, ids),
            headers={"Authorization": f"Bearer {token}"},
        )
        if response.status_code != 201:
            raise DemoFout(f"{handeling.pad}: {response.status_code} {response.text}")
        if handeling.bewaar is not None:
            ids[handeling.bewaar] = _id(handeling.bewaar, response.json())
    return {"verzoeken": len(handelingen), "seconden": time.monotonic() - start}


def _speel_demo(client: httpx.Client, args: argparse.Namespace, secret: str) -> str:
    uitkomst = vul(client, secret, args.seed)
    return (
        f"kennis: {uitkomst['verzoeken']} handelingen 2010-2015 in {uitkomst['seconden']:.0f} s. "
        f"Probeer: GET {args.url}/v1/koplopers?peildatum=2013-12-31"
    )


def main(argv: list[str] | None = None) -> int:
    return demo_main(
        argv,
        beschrijving=__doc__,
        url="http://127.0.0.1:8003",
        seed=2009,
        speel=_speel_demo,
        naam="kennisdemo",
    )


if __name__ == "__main__":
    sys.exit(main())
