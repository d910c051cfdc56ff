"""``bodemregie audit``: export, verify and replay the event log with read access only.

bodemregie audit export --kafka localhost:9092 [--topic T] -o log.jsonl
bodemregie audit export --api http://localhost:8001 --token $TOKEN -o log.jsonl
bodemregie audit verify log.jsonl [--publieke-sleutel anker.pub.pem]
bodemregie audit verify --kafka localhost:9092 [--topic T] [--publieke-sleutel ...]
bodemregie audit replay log.jsonl --rapport voortgang --peildatum 2015-12-31
                        [--kennisdatum 2016-02-01] [--positie N] [--digest sha256:...]
bodemregie audit sleutel --uit deploy/keys      (a new Ed25519 anchor key pair)
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from auditor import export, replay, verify
from services.rapportage.domain.rapporten import NAMEN
from shared import integriteit
from shared.messaging.topics import SPOEDLOCATIES


def _events(args: argparse.Namespace) -> list[dict[str, Any]]:
    if getattr(args, "kafka", None):
        return export.uit_kafka(args.kafka, args.topic, toon=not args.stil)
    if getattr(args, "api", None):
        return export.uit_api(args.api, args.token, toon=not args.stil)
    return list(export.lees(args.bestand))


def _export(args: argparse.Namespace) -> int:
    regels = _events(args)
    with open(args.uit, "w", encoding="utf-8") as fh:
        export.schrijf(regels, fh)
    print(f"{len(regels)} gebeurtenissen geschreven naar {args.uit}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    sleutel = (
        integriteit.laad_publieke_sleutel(Path(args.publieke_sleutel).read_bytes())
        if args.publieke_sleutel
        else None
    )
    if args.bestand and not (args.kafka or args.api):
        uitslag = verify.controleer_bestand(args.bestand, sleutel)  # in parallel
    else:
        uitslag = verify.controleer(_events(args), sleutel)
    print(
        f"{uitslag.gecontroleerd} gebeurtenissen gecontroleerd, {uitslag.ankers} ankers "
        f"({uitslag.ondertekend} met geldige handtekening), verankerd tot positie "
        f"{uitslag.verankerd_tot}"
    )
    if sleutel is None and uitslag.ankers:
        print("let op: zonder --publieke-sleutel zijn de handtekeningen niet gecontroleerd")
    niet_verankerd = uitslag.gecontroleerd - uitslag.verankerd_tot
    if niet_verankerd > 0:
        print(f"let op: de laatste {niet_verankerd} gebeurtenissen vallen nog onder geen anker")
    if uitslag.in_orde:
        print("IN ORDE: ketens, ankers en volgorde kloppen")
        return 0
    print(f"NIET IN ORDE: eerste gebroken gebeurtenis: {uitslag.eerste}")
    for b in uitslag.bevindingen[1:20]:
        print(f"  ook: {b}")
    return 1


def _replay(args: argparse.Namespace) -> int:
    events = _events(args)
    positie = args.positie or max((int(e.get("position", 0)) for e in events), default=0)
    rapport = replay.herspeel(
        events, args.rapport, args.peildatum, positie, args.kennisdatum, args.van
    )
    print(f"rapport {rapport.naam} {rapport.parameters} tot en met positie {rapport.positie}")
    print(f"digest {rapport.digest}")
    if args.digest:
        if args.digest == rapport.digest:
            print("KLOPT: het gepubliceerde rapport volgt uit het logboek")
            return 0
        print(f"KLOPT NIET: gepubliceerd {args.digest}")
        return 1
    return 0


def _sleutel(args: argparse.Namespace) -> int:
    uit = Path(args.uit)
    uit.mkdir(parents=True, exist_ok=True)
    prive, publiek = integriteit.nieuwe_sleutel()
    (uit / "anker.pem").write_bytes(prive)
    (uit / "anker.pem").chmod(0o600)
    (uit / "anker.pub.pem").write_bytes(publiek)
    print(
        f"{uit / 'anker.pem'} (geheim; BODEMREGIE_ANKER_SLEUTEL) en "
        f"{uit / 'anker.pub.pem'} (voor auditors)"
    )
    return 0


def _bron(p: argparse.ArgumentParser, bestand: bool = True) -> None:
    if bestand:
        p.add_argument("bestand", nargs="?", help="een geëxporteerd logboek (JSON Lines)")
    p.add_argument("--kafka", help="lees het topic vanaf offset 0 van deze broker")
    p.add_argument("--topic", default=SPOEDLOCATIES)
    p.add_argument("--api", help="lees de landelijke stroom van deze service (basis-URL)")
    p.add_argument("--token", default="", help="bearer-token voor --api")
    p.add_argument("--stil", action="store_true", help="geen voortgangsbalk")


def add_parser(sub: Any) -> None:
    audit = sub.add_parser("audit", help="export, verify and replay the event log")
    acties = audit.add_subparsers(dest="actie", required=True)
    e = acties.add_parser("export", help="log naar JSON Lines")
    _bron(e, bestand=False)
    e.add_argument("-o", "--uit", required=True)
    e.set_defaults(func=_export)
    v = acties.add_parser("verify", help="controleer ketens, ankers, volgorde")
    _bron(v)
    v.add_argument("--publieke-sleutel", help="PEM met de Ed25519-sleutel van de ankers")
    v.set_defaults(func=_verify)
    r = acties.add_parser("replay", help="herbereken een rapport uit het logboek")
    _bron(r)
    r.add_argument("--rapport", required=True, choices=[*NAMEN, "transitie"])
    r.add_argument("--peildatum", required=True, type=date.fromisoformat)
    r.add_argument("--kennisdatum", type=date.fromisoformat)
    r.add_argument("--van", type=date.fromisoformat, help="voor kamerbrief-bijlage")
    r.add_argument("--positie", type=int, help="de positie uit het gepubliceerde rapport")
    r.add_argument("--digest", help="de digest uit het gepubliceerde rapport")
    r.set_defaults(func=_replay)
    s = acties.add_parser("sleutel", help="maak een Ed25519-sleutelpaar voor de ankers")
    s.add_argument("--uit", required=True)
    s.set_defaults(func=_sleutel)


def main(argv: list[str] | None = None) -> int:
    from bodemregie.cli import main as bodemregie

    return bodemregie(["audit", *(argv or sys.argv[1:])])
