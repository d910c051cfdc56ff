"""``bodemregie import FILE``: send a history file (NDJSON) to the locaties service's bulk import.

The file goes in requests of ``--per-verzoek`` lines (each streamed, its answer read as it comes)
so that no request or answer grows with the file. Every line's answer lands in the progress
bar's counts; refused lines go, with their problem, to the refused-lines file. Running the same
command again is safe and continues where a run stopped: lines already recorded are answered
from their keys and record nothing new.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import httpx
from tqdm import tqdm

PAD = "/v1/spoedlocaties/import"


def _blokken(bestand: Path, per_verzoek: int) -> Iterator[tuple[int, list[bytes]]]:
    """The file in blocks of ``per_verzoek`` physical lines: (number of the first line, lines).
    The service numbers a request's lines from 1, blank ones included, so the numbers map back."""
    with bestand.open("rb") as f:
        blok: list[bytes] = []
        eerste = 1
        for nummer, regel in enumerate(f, start=1):
            blok.append(regel if regel.endswith(b"\n") else regel + b"\n")
            if len(blok) == per_verzoek:
                yield eerste, blok
                blok, eerste = [], nummer + 1
        if blok:
            yield eerste, blok


def _regels_in(bestand: Path) -> int:
    with bestand.open("rb") as f:
        return sum(1 for regel in f if regel.strip())


def importeer(
    bestand: Path,
    url: str,
    token: str,
    geweigerd: TextIO,
    per_verzoek: int = 2000,
    timeout: float = 300.0,
    client: httpx.Client | None = None,
    voortgang: bool = True,
) -> Counter[str]:
    """Send ``bestand``; returns the counts (``vastgelegd``, ``al vastgelegd``, ``geweigerd``)."""
    telling: Counter[str] = Counter()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}
    eigen = client is None
    client = client or httpx.Client(base_url=url, timeout=timeout)
    balk = tqdm(total=_regels_in(bestand), unit="regel", disable=not voortgang, file=sys.stderr)
    try:
        for eerste, blok in _blokken(bestand, per_verzoek):
            with client.stream("POST", PAD, content=b"".join(blok), headers=headers) as r:
                if r.status_code != 200:
                    r.read()
                    raise ImportFout(f"{r.status_code}: {r.text[:500]}")
                for regel in r.iter_lines():
                    if not regel.strip():
                        continue
                    uitslag: dict[str, Any] = json.loads(regel)
                    nummer = eerste + int(uitslag["regel"]) - 1
                    if uitslag["status"] == 201:
                        telling["al vastgelegd" if uitslag.get("herhaald") else "vastgelegd"] += 1
                    else:
                        telling["geweigerd"] += 1
                        invoer = blok[nummer - eerste].decode("utf-8", "replace").rstrip("\r\n")
                        geweigerd.write(
                            json.dumps(
                                {**uitslag, "regel": nummer, "invoer": invoer}, ensure_ascii=False
                            )
                            + "\n"
                        )
                    balk.update(1)
                    balk.set_postfix(telling, refresh=False)
    finally:
        balk.close()
        if eigen:
            client.close()
    return telling


class ImportFout(Exception):
    """The service refused a whole request (401, 403, 415) or could not be reached."""


def _run(args: argparse.Namespace) -> int:
    token = args.token or os.environ.get("BODEMREGIE_TOKEN", "")
    if not token:
        print("geef een token met --token of BODEMREGIE_TOKEN", file=sys.stderr)
        return 2
    bestand = Path(args.bestand)
    if not bestand.is_file():
        print(f"{bestand} bestaat niet", file=sys.stderr)
        return 2
    pad = Path(args.geweigerd or f"{bestand}.geweigerd.ndjson")
    try:
        with pad.open("w", encoding="utf-8") as geweigerd:
            telling = importeer(
                bestand, args.url, token, geweigerd, args.per_verzoek, voortgang=not args.stil
            )
    except (ImportFout, httpx.HTTPError) as exc:
        print(
            f"import gestopt: {exc}\nvoer hetzelfde commando opnieuw uit om verder te gaan "
            "(vastgelegde regels worden niet nog eens vastgelegd)",
            file=sys.stderr,
        )
        return 2
    print(
        f"{telling['vastgelegd']} regels vastgelegd, {telling['al vastgelegd']} waren al "
        f"vastgelegd, {telling['geweigerd']} geweigerd"
    )
    if telling["geweigerd"]:
        print(f"de geweigerde regels en waarom staan in {pad}")
        return 1
    pad.unlink(missing_ok=True)
    return 0


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "import",
        help="importeer een historie (NDJSON) in de locaties-service, hervatbaar",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("bestand", help="NDJSON: één registratie of commando per regel")
    p.add_argument("--url", default="http://localhost:8001", help="de locaties-service")
    p.add_argument("--token", default="", help="bearer token (of BODEMREGIE_TOKEN)")
    p.add_argument(
        "--geweigerd", default="", help="bestand voor geweigerde regels (BESTAND.geweigerd.ndjson)"
    )
    p.add_argument("--per-verzoek", type=int, default=2000, help="regels per verzoek")
    p.add_argument("--stil", action="store_true", help="zonder voortgangsbalk")
    p.set_defaults(func=_run)
