"""``bodemregie audit``: export, verify and replay the event log with read access only.
``--publieke-sleutel`` takes a PEM key, a JWK or JWK set file, a directory of those, or the URL
of a service's key set (``http://localhost:8001/v1/ankersleutels``); anchors name their key id.
``sleutel --roteer`` retires the current key (still served) and makes a new one.

bodemregie audit export --kafka localhost:9092 [--kafka-inlog auditor.json] [--topic T] -o log.jsonl
bodemregie audit export --api http://localhost:8001 --token $TOKEN -o log.jsonl
bodemregie audit verify log.jsonl [--publieke-sleutel anker.pub.pem]
bodemregie audit verify --kafka localhost:9092 [--topic T] [--publieke-sleutel ...]
bodemregie audit replay log.jsonl --publicatie rapport.json [--publieke-sleutel ...]
bodemregie audit replay log.jsonl --rapport voortgang --peildatum 2015-12-31
                        [--kennisdatum 2016-02-01] [--positie N] [--digest sha256:...]
bodemregie audit sleutel --uit deploy/keys      (a new Ed25519 anchor key pair)
bodemregie audit recompute log.jsonl --engine duckdb [--rapport R] [--peildatum D]
                        [--kennisdatum D] [--positie N] [--van D]   (docs/rapportages.md)
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from kafka.errors import KafkaError

from auditor import export, replay, verify
from services.rapportage.domain.rapporten import NAMEN
from shared import ankersleutels, integriteit
from shared.ankersleutels import Sleutelset
from shared.commandline import run
from shared.messaging.acls import AUDITOR
from shared.messaging.kafka_client import (
    KafkaAccess,
    KafkaCredentialsError,
    credentials_file,
    from_credentials_file,
)
from shared.messaging.topics import SPOEDLOCATIES
from shared.settings import ServiceSettings


def kafka_inlog(bootstrap: str, pad: str | None) -> KafkaAccess:
    """The auditor's Kafka login: ``--kafka-inlog`` (a credentials file), else
    BODEMREGIE_KAFKA_CREDENTIALS_FILE or BODEMREGIE_KAFKA_USERNAME/_PASSWORD, else this
    checkout's var/kafka-credentials/auditor.json; without any, the broker refuses."""
    if pad:
        return from_credentials_file(bootstrap, pad)
    settings = ServiceSettings(kafka_bootstrap=bootstrap)
    if settings.kafka_credentials_file or settings.kafka_username:
        return settings.kafka_access()
    eigen = credentials_file(AUDITOR)
    return from_credentials_file(bootstrap, eigen) if eigen.exists() else KafkaAccess(bootstrap)


SLEUTEL_HULP = (
    "de publieke ankersleutel(s): PEM, JWK of JWK-set (bestand of map), of de URL van "
    "/v1/ankersleutels"
)


def _events(args: argparse.Namespace) -> list[dict[str, Any]]:
    if getattr(args, "kafka", None):
        try:
            kafka = kafka_inlog(args.kafka, args.kafka_inlog)
            return export.uit_kafka(kafka, args.topic, toon=not args.stil)
        except (KafkaError, KafkaCredentialsError, export.TopicOnleesbaar) as exc:
            # Exit 2, not 1: 1 means the log itself is not in order.
            print(
                f"Kafka weigert of is onbereikbaar ({type(exc).__name__}: {exc}); "
                "lezen vraagt een login met leesrechten: --kafka-inlog",
                file=sys.stderr,
            )
            raise SystemExit(2) from exc
    if getattr(args, "api", None):
        return export.uit_api(args.api, args.token, toon=not args.stil)
    return list(export.lees(args.bestand))


def _export(args: argparse.Namespace) -> int:
    regels = _events(args)
    with open(args.uit, "w", encoding="utf-8") as fh:
        export.schrijf(regels, fh)
    print(f"{len(regels)} gebeurtenissen geschreven naar {args.uit}")
    return 0


def _sleutels(args: argparse.Namespace) -> Sleutelset | None:
    return ankersleutels.laad(args.publieke_sleutel) if args.publieke_sleutel else None


def _verify(args: argparse.Namespace) -> int:
    sleutel = _sleutels(args)
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


def _publicatie(args: argparse.Namespace) -> int:
    """Check a report as served (its JSON body) against the log."""
    try:
        publicatie = json.loads(Path(args.publicatie).read_text(encoding="utf-8"))
        if not isinstance(publicatie, dict):
            raise ValueError("geen JSON-object")
        oordeel = replay.controleer_publicatie(_events(args), publicatie, _sleutels(args))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        # Not a report as rapportage serves it (JSON body): say so, no traceback.
        print(f"{args.publicatie} is geen gepubliceerd rapport: {exc}", file=sys.stderr)
        return 2
    print(
        f"rapport {publicatie['rapport']} {publicatie['parameters']} tot en met positie "
        f"{publicatie['positie']}, digest {publicatie['digest']}"
    )
    for waarschuwing in oordeel.waarschuwingen:
        print(f"let op: {waarschuwing}")
    if oordeel.klopt:
        print("KLOPT: het gepubliceerde rapport volgt uit het logboek, dat tot zijn positie")
        print("  ongeschonden is, op die positie de genoemde hash en het genoemde anker heeft")
        return 0
    print(f"KLOPT NIET: {oordeel.verschillen[0]}")
    for verschil in oordeel.verschillen[1:]:
        print(f"  ook: {verschil}")
    return 1


def _replay(args: argparse.Namespace) -> int:
    if args.publicatie:
        return _publicatie(args)
    if not (args.rapport and args.peildatum):
        print("geef --publicatie RAPPORT.json, of --rapport en --peildatum", file=sys.stderr)
        return 2
    events = _events(args)
    positie = args.positie or max((int(e.get("position", 0)) for e in events), default=0)
    # Verify the log up to the position first: a broken log proves nothing, even when the
    # figures come out the same.
    deel, ingekort = replay.tot_en_met(events, positie)
    uitslag = verify.controleer(deel, _sleutels(args))
    if ingekort or not uitslag.in_orde:
        print(f"KLOPT NIET: {ingekort or f'het logboek is niet in orde: {uitslag.eerste}'}")
        return 1
    rapport = replay.herspeel(
        deel, args.rapport, args.peildatum, positie, args.kennisdatum, args.van
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
    if args.roteer:
        oud, nieuw = ankersleutels.roteer(uit)
        print(
            f"sleutel {oud} is nu een vroegere sleutel ({uit / ankersleutels.OUD}, blijft "
            f"gediend via BODEMREGIE_ANKER_OUDE_SLEUTELS); nieuwe sleutel {nieuw} in "
            f"{uit / ankersleutels.PRIVE}"
        )
        return 0
    if (uit / ankersleutels.PRIVE).exists():
        print(f"{uit / ankersleutels.PRIVE} bestaat al; --roteer maakt een nieuwe", file=sys.stderr)
        return 2
    prive = ankersleutels.maak_paar(uit)
    kid = ankersleutels.sleutel_id(integriteit.laad_privesleutel(prive.read_bytes()).public_key())
    print(
        f"{prive} (geheim; BODEMREGIE_ANKER_SLEUTEL) en {uit / ankersleutels.PUBLIEK} "
        f"(voor auditors), sleutel-id {kid}"
    )
    return 0


def _bron(p: argparse.ArgumentParser, bestand: bool = True) -> None:
    if bestand:
        p.add_argument("bestand", nargs="?", help="een geëxporteerd logboek (JSON Lines)")
    p.add_argument("--kafka", help="lees het topic vanaf offset 0 van deze broker")
    p.add_argument(
        "--kafka-inlog",
        help="JSON met username, password en mechanism van een leesaccount "
        "(bodemregie kafka-credentials auditor); standaard BODEMREGIE_KAFKA_CREDENTIALS_FILE",
    )
    p.add_argument("--topic", default=SPOEDLOCATIES)
    p.add_argument("--api", help="lees de landelijke stroom van deze service (basis-URL)")
    p.add_argument("--token", default="", help="bearer-token voor --api")
    p.add_argument("--stil", action="store_true", help="geen voortgangsbalk")


# --- recompute: the independent second computation (SQL over the log, docs/rapportages.md) ---
def _recompute(args: argparse.Namespace) -> int:
    """Every report (or one) as JSON Lines: ``rapport``, ``parameters``, ``positie``, ``inhoud``.
    ``--engine python`` gives the same from the replay, to compare."""
    import json

    from auditor.recompute_duckdb import RAPPORTEN, Herberekening

    namen = [args.rapport] if args.rapport else [n for n in RAPPORTEN if n != "transitie"]
    peildatum = args.peildatum or date.today()
    # Figures from a broken log prove nothing: verify first (docs/rapportages.md, section 1).
    uitslag = verify.controleer(list(export.lees(args.bestand)))
    if not uitslag.in_orde:
        print(f"NIET IN ORDE, niet herberekend: {uitslag.eerste}", file=sys.stderr)
        return 1
    if args.engine == "duckdb":
        herberekening = Herberekening(args.bestand)
        try:
            uit = [
                herberekening.rapport(n, peildatum, args.kennisdatum, args.positie, args.van)
                for n in namen
            ]
        finally:
            herberekening.close()
    else:
        events = list(export.lees(args.bestand))
        positie = args.positie or max((int(e.get("position", 0)) for e in events), default=0)
        uit = []
        for n in namen:
            r = replay.herspeel(events, n, peildatum, positie, args.kennisdatum, args.van)
            uit.append(
                {
                    "rapport": r.naam,
                    "parameters": r.parameters,
                    "positie": r.positie,
                    "inhoud": r.inhoud,
                }
            )
    for rapport in uit:
        print(json.dumps(rapport, ensure_ascii=False, sort_keys=True, default=str))
    return 0


def _recompute_parser(acties: Any) -> None:
    c = acties.add_parser("recompute", help="herbereken rapporten onafhankelijk (SQL, DuckDB)")
    c.add_argument("bestand", help="een geëxporteerd logboek (JSON Lines)")
    c.add_argument("--engine", choices=["duckdb", "python"], default="duckdb")
    c.add_argument(
        "--rapport",
        choices=[*NAMEN, "transitie"],
        help="standaard: alle over spoedlocaties (transitie vraagt het kennislogboek)",
    )
    c.add_argument("--peildatum", type=date.fromisoformat, help="standaard: vandaag")
    c.add_argument("--kennisdatum", type=date.fromisoformat)
    c.add_argument("--positie", type=int, help="standaard: de laatste in het logboek")
    c.add_argument("--van", type=date.fromisoformat, help="voor kamerbrief-bijlage")
    c.set_defaults(func=_recompute)


# --- end recompute ---


def add_parser(sub: Any) -> None:
    audit = sub.add_parser("audit", help="export, verify and replay the event log")
    acties = audit.add_subparsers(dest="actie", required=True)
    e = acties.add_parser("export", help="log naar JSON Lines")
    _bron(e, bestand=False)
    e.add_argument("-o", "--uit", required=True)
    e.set_defaults(func=_export)
    v = acties.add_parser("verify", help="controleer ketens, ankers, volgorde")
    _bron(v)
    v.add_argument("--publieke-sleutel", help=SLEUTEL_HULP)
    v.set_defaults(func=_verify)
    r = acties.add_parser("replay", help="herbereken een rapport uit het logboek")
    _bron(r)
    r.add_argument(
        "--publicatie",
        help="het rapport zoals gediend (JSON): controleer het logboek, de hash, het anker "
        "en de digest",
    )
    r.add_argument("--publieke-sleutel", help=SLEUTEL_HULP)
    r.add_argument("--rapport", choices=[*NAMEN, "transitie"])
    r.add_argument("--peildatum", type=date.fromisoformat)
    r.add_argument("--kennisdatum", type=date.fromisoformat)
    r.add_argument("--van", type=date.fromisoformat, help="voor kamerbrief-bijlage")
    r.add_argument("--positie", type=int, help="de positie uit het gepubliceerde rapport")
    r.add_argument("--digest", help="de digest uit het gepubliceerde rapport")
    r.set_defaults(func=_replay)
    s = acties.add_parser("sleutel", help="maak een Ed25519-sleutelpaar voor de ankers")
    s.add_argument("--uit", required=True)
    s.add_argument(
        "--roteer",
        action="store_true",
        help="maak een nieuwe sleutel; de huidige gaat naar oud/ en blijft gediend",
    )
    s.set_defaults(func=_sleutel)
    _recompute_parser(acties)


def main(argv: list[str] | None = None) -> int:
    """``bodemregie audit ...`` on its own; bodemregie/cli.py imports this module's parser, so
    nothing here imports that one (no cycle; tests/unit/test_importrichting.py)."""
    parser = argparse.ArgumentParser(prog="bodemregie")
    add_parser(parser.add_subparsers(dest="command", required=True))
    return run(parser, ["audit", *(argv or sys.argv[1:])])
