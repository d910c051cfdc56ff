"""`make demo`: fills a running locaties service through its public API with the national
history 2010-2020 (see domain/demo_scenario.py). Each bevoegd gezag acts with its own token.

    python -m services.locaties.entrypoints.demo [--url URL] [--schaal 1.0] [--werkers 4]
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from services.kennis.entrypoints import demo as kennisdemo
from services.locaties.domain.demo_programma import besluiten
from services.locaties.domain.demo_scenario import Locatiescenario, scenario
from shared.auth import Rol, mint_dev_token
from shared.demo import DemoFout, demo_main, gezagstoken


def _speel(client: httpx.Client, tokens: dict[str, str], s: Locatiescenario) -> int:
    headers = {"Authorization": f"Bearer {tokens[s.bevoegd_gezag]}", "Content-Crs": "EPSG:28992"}
    response = client.post("/v1/spoedlocaties", json=s.registratie, headers=headers)
    if response.status_code != 201:
        raise DemoFout(f"registratie: {response.status_code} {response.text}")
    locatie_id = response.json()["locatieId"]
    etag = response.headers["etag"]
    for stap in s.stappen:
        response = client.post(
            f"/v1/spoedlocaties/{locatie_id}/{stap.pad}",
            json=stap.body,
            headers={**headers, "If-Match": etag},
        )
        if response.status_code != 201:
            raise DemoFout(f"{locatie_id} {stap.pad}: {response.status_code} {response.text}")
        etag = response.headers["etag"]
    return 1 + len(s.stappen)


def _sleutel(body: dict[str, Any]) -> tuple[str, ...]:
    """What one decision sets: its id and the agreement or envelope."""
    wat = body.get("afspraak") or f"{body.get('bevoegdGezag')}-{body.get('doel')}"
    return (body["besluit"]["id"], wat)


def programma(client: httpx.Client, secret: str) -> int:
    """The programme's decisions (demo_programma.py), each by the role that makes it, on the
    programme's version as the previous answer left it; returns how many."""
    tokens = {
        str(Rol.UITVOERINGSPROGRAMMA): mint_dev_token(
            secret, "demo@bodemconvenant.nl", Rol.UITVOERINGSPROGRAMMA, None
        ),
        str(Rol.RIJK): mint_dev_token(secret, "demo@rijksoverheid.nl", Rol.RIJK, None),
    }
    huidig = client.get(
        "/v1/programma", headers={"Authorization": f"Bearer {tokens[str(Rol.RIJK)]}"}
    )
    if huidig.status_code != 200:
        raise DemoFout(f"programma: {huidig.status_code} {huidig.text}")
    etag = huidig.headers["etag"]
    # A second `make demo` on the same registry records nothing twice.
    al = {_sleutel(b) for soort in ("afspraken", "enveloppen") for b in huidig.json()[soort]}
    stappen = [s for s in besluiten() if _sleutel(s.body) not in al]
    for stap in stappen:
        response = client.post(
            f"/v1/programma/{stap.pad}",
            json=stap.body,
            headers={"Authorization": f"Bearer {tokens[stap.rol]}", "If-Match": etag},
        )
        if response.status_code != 201:
            raise DemoFout(f"programma {stap.pad}: {response.status_code} {response.text}")
        etag = response.headers["etag"]
    return len(stappen)


def vul(
    client: httpx.Client,
    schaal: float,
    werkers: int,
    secret: str,
    seed: int = 2010,
    toon_voortgang: bool = True,
) -> dict[str, Any]:
    """Play the scenario through ``client`` (an httpx client on the service's base URL)."""
    scenarios = scenario(schaal, seed)
    tokens = {s.bevoegd_gezag: gezagstoken(secret, s.bevoegd_gezag) for s in scenarios}
    start = time.monotonic()
    gedaan = 0
    verzoeken = programma(client, secret)
    try:
        with ThreadPoolExecutor(werkers) as pool:
            for n in pool.map(lambda s: _speel(client, tokens, s), scenarios):
                gedaan += 1
                verzoeken += n
                if toon_voortgang and (gedaan % 50 == 0 or gedaan == len(scenarios)):
                    print(
                        f"\r{gedaan}/{len(scenarios)} locaties, {verzoeken} verzoeken, "
                        f"{verzoeken / (time.monotonic() - start):.0f}/s",
                        end="",
                        flush=True,
                    )
    finally:
        if toon_voortgang:
            print()  # ends the progress line, also before a refusal's message
    return {"locaties": gedaan, "verzoeken": verzoeken, "seconden": time.monotonic() - start}


def _argumenten(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--schaal",
        type=float,
        default=1.0,
        help="1.0 = ~1650 spoedlocaties; up to ~240 for the 400,000 possibly contaminated sites",
    )
    parser.add_argument("--werkers", type=int, default=4)


def _speel_demo(client: httpx.Client, args: argparse.Namespace, secret: str) -> str:
    uitkomst = vul(client, args.schaal, args.werkers, secret, args.seed)
    return (
        f"klaar: {uitkomst['locaties']} locaties in {uitkomst['seconden']:.0f} s. Probeer: "
        f"GET {args.url}/v1/spoedlocaties?bevoegdGezag=ZH"
    )


def main(argv: list[str] | None = None) -> int:
    afgebroken = demo_main(
        argv,
        beschrijving=__doc__,
        url="http://127.0.0.1:8001",
        seed=2010,
        speel=_speel_demo,
        naam="demo",
        argumenten=_argumenten,
    )
    # Then the kennis history 2010-2015, on the kennis service.
    return afgebroken or kennisdemo.main([])


if __name__ == "__main__":
    sys.exit(main())
