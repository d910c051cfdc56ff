"""Replay an exported log to rebuild the state at a peildatum/kennisdatum and recompute a
report, with the same fact reading and report code as the rapportage service; and check a
published report against the log (``controleer_publicatie``): the log up to the report's position
verifies, ends in the hash the report names, holds the anchor it names with a valid signature,
and yields the same digest."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from auditor import verify
from services.rapportage.domain import afspraken, lezen, rapporten, selectie
from services.rapportage.domain.binding import logboek_van, uit_logboek
from services.rapportage.domain.feiten import Feit
from services.rapportage.domain.transitie import transitie
from shared import integriteit as i
from shared.ankersleutels import Sleutelset
from shared.envelope import CloudEvent, EnvelopeError


def feiten(
    events: list[dict[str, Any]], lees: Callable[[CloudEvent], Feit] = lezen.naar_feit
) -> list[Feit]:
    """The facts of the first store in the log; events the service would dead-letter are
    skipped the same way, anchors are not facts."""
    uit: list[Feit] = []
    bron: str | None = None
    for ev in events:
        try:
            event = CloudEvent.from_dict(ev)
            if lezen.is_anker(event):
                continue
            store, _ = lezen.positie(event)
            bron = bron or store
            if store != bron:
                continue
            uit.append(lees(event))
        except (EnvelopeError, ValueError):
            continue
    return uit


def herspeel(
    events: list[dict[str, Any]],
    rapport: str,
    peildatum: date,
    positie: int,
    kennisdatum: date | None = None,
    van: date | None = None,
) -> rapporten.Rapport:
    """Recompute a report from the log of its stream (the kennis log for ``transitie``), bound
    to that log at ``positie`` as the service binds it."""
    if rapport == "transitie":
        uit = transitie(feiten(events, lezen.naar_kennisfeit), positie, peildatum, kennisdatum)
    else:
        alle = feiten(events)
        toestand = rapporten.toestand_uit(alle, positie, kennisdatum)
        programma = afspraken.afspraken_op(alle, peildatum, kennisdatum, positie)
        uit = rapporten.bouw(rapport, toestand, positie, peildatum, kennisdatum, van, programma)
    return rapporten.gebonden(uit, logboek_van(rapport), uit_logboek(events, positie))


def _positie(ev: dict[str, Any]) -> int | None:
    try:
        return int(ev["position"])
    except (KeyError, TypeError, ValueError):
        return None


def tot_en_met(events: list[dict[str, Any]], positie: int) -> tuple[list[dict[str, Any]], str]:
    """The log up to ``positie`` (events without a position stay in, so verification names
    them), and what is wrong when the log does not reach ``positie``."""
    deel = [e for e in events if (p := _positie(e)) is None or p <= positie]
    laatste = max((p for e in deel if (p := _positie(e)) is not None), default=0)
    if laatste < positie:
        return deel, (
            f"het logboek eindigt bij positie {laatste}, het rapport bouwt op positie {positie}: "
            "het logboek is ingekort of onvolledig"
        )
    return deel, ""


@dataclass
class Oordeel:
    verschillen: list[str] = field(default_factory=list)
    waarschuwingen: list[str] = field(default_factory=list)
    rapport: rapporten.Rapport | None = None

    @property
    def klopt(self) -> bool:
        return not self.verschillen


def _json(waarde: Any) -> Any:
    return json.loads(json.dumps(waarde, default=str))


def _eerste_verschil(a: Any, b: Any, pad: str) -> str:
    """The path of the first place where two JSON values differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if a.get(k) != b.get(k):
                return _eerste_verschil(a.get(k), b.get(k), f"{pad}.{k}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for n, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _eerste_verschil(x, y, f"{pad}[{n}]")
    return f"{pad}: logboek {json.dumps(a)[:80]}, rapport {json.dumps(b)[:80]}"


def _datum(parameters: dict[str, Any], naam: str) -> date | None:
    waarde = parameters.get(naam)
    return None if waarde is None else date.fromisoformat(str(waarde))


def _herbereken(events: list[dict[str, Any]], publicatie: dict[str, Any]) -> rapporten.Rapport:
    naam = str(publicatie["rapport"])
    parameters = dict(publicatie["parameters"])
    if naam == "kamerbrief-bijlage":
        peildatum, van = _datum(parameters, "tot"), _datum(parameters, "van")
    else:
        # The midterm review's earlier peildatum travels as ``van`` too (rapporten.bouw).
        peildatum, van = _datum(parameters, "peildatum"), _datum(parameters, "vorigePeildatum")
    if peildatum is None:
        raise ValueError("het rapport noemt geen peildatum (of tot)")
    opnieuw = herspeel(
        events, naam, peildatum, int(publicatie["positie"]), _datum(parameters, "kennisdatum"), van
    )
    return selectie.alleen(opnieuw, parameters.get("bevoegdGezag"))


def _anker(gebonden: Any, sleutels: Sleutelset | None, oordeel: Oordeel) -> None:
    if sleutels is None:
        oordeel.waarschuwingen.append(
            "zonder --publieke-sleutel is de handtekening van het anker niet gecontroleerd"
        )
        return
    if gebonden is None:
        oordeel.verschillen.append(
            "het rapport noemt geen anker: zonder ondertekend anker is een herschreven "
            "logboek niet van het echte te onderscheiden"
        )
        return
    if not isinstance(gebonden, dict):
        oordeel.verschillen.append("het anker in het rapport is geen object")
        return
    kid = gebonden.get("sleutelId")
    sleutel = sleutels.kies(kid) if kid is None or isinstance(kid, str) else None
    handtekening = gebonden.get("handtekening")
    tot, root = gebonden.get("totEnMetPositie"), gebonden.get("merkleRoot")
    if sleutel is None:
        oordeel.verschillen.append(f"het anker is ondertekend met onbekende sleutel {kid}")
    elif (
        not isinstance(handtekening, str)
        or not handtekening
        or isinstance(tot, bool)
        or not isinstance(tot, int)
        or not isinstance(root, str)
        or not i.handtekening_klopt(sleutel, tot, root, handtekening)
    ):
        oordeel.verschillen.append(
            f"de handtekening van het anker op positie {gebonden.get('positie')} klopt niet met "
            f"sleutel {kid}"
        )


def _vorm(publicatie: dict[str, Any]) -> None:
    """Raises ValueError naming the field when ``publicatie`` does not have a served report's
    shape; what is merely wrong in a well-shaped report is a difference, found later."""
    ontbreekt = [k for k in ("rapport", "parameters", "positie", "digest") if k not in publicatie]
    if ontbreekt:
        raise ValueError(f"{', '.join(ontbreekt)} ontbreekt")
    positie = publicatie["positie"]
    if isinstance(positie, bool) or not isinstance(positie, int) or positie < 0:
        raise ValueError(f"positie {json.dumps(positie)} is geen positie (een geheel getal)")
    for veld, soort, naam in (
        ("rapport", str, "tekst"),
        ("digest", str, "tekst"),
        ("parameters", dict, "object"),
    ):
        if not isinstance(publicatie[veld], soort):
            raise ValueError(f"{veld} is geen {naam}")


def controleer_publicatie(
    events: list[dict[str, Any]], publicatie: dict[str, Any], sleutels: Sleutelset | None = None
) -> Oordeel:
    """Check a report exactly as served (its JSON body) against the log; every difference
    found is named. Raises ValueError when ``publicatie`` is not a served report."""
    _vorm(publicatie)
    oordeel = Oordeel()
    positie = int(publicatie["positie"])
    logboek = logboek_van(str(publicatie["rapport"]))
    logboeken = publicatie.get("logboeken")
    gebonden = logboeken.get(logboek) if isinstance(logboeken, dict) else None
    if not isinstance(gebonden, dict):
        oordeel.verschillen.append(f"het rapport bindt het logboek {logboek} niet")
        return oordeel
    deel, ingekort = tot_en_met(events, positie)
    if ingekort:
        oordeel.verschillen.append(ingekort)
        return oordeel
    # Verify first: a log broken anywhere before the position fails, whatever the figures say.
    uitslag = verify.controleer(deel, sleutels)
    if not uitslag.in_orde:
        oordeel.verschillen.append(
            f"het logboek tot positie {positie} is niet in orde: {uitslag.eerste}"
        )
        return oordeel
    eigen = uit_logboek(deel, positie)
    for veld, wat in (("bron", "bron (store id)"), ("hash", f"ketenhash op positie {positie}")):
        if eigen[veld] != gebonden.get(veld):
            oordeel.verschillen.append(
                f"{wat} verschilt: logboek {eigen[veld]}, rapport {gebonden.get(veld)}"
            )
    if eigen["anker"] != gebonden.get("anker"):
        oordeel.verschillen.append(
            "anker verschilt: " + _eerste_verschil(eigen["anker"], gebonden.get("anker"), "anker")
        )
    _anker(gebonden.get("anker"), sleutels, oordeel)
    opnieuw = _herbereken(deel, publicatie)
    oordeel.rapport = opnieuw
    # Every field the digest covers must match, and the digest itself: a report whose figures
    # were changed after the fact but kept its digest fails as well as one with a new digest.
    herberekend = _json(
        {
            "rapport": opnieuw.naam,
            "parameters": opnieuw.parameters,
            "positie": opnieuw.positie,
            "inhoud": opnieuw.inhoud,
            "logboeken": opnieuw.logboeken,
        }
    )
    for k, waarde in herberekend.items():
        if waarde != publicatie.get(k):
            oordeel.verschillen.append(
                "verschil in " + _eerste_verschil(waarde, publicatie.get(k), k)
            )
    if opnieuw.digest != publicatie["digest"]:
        oordeel.verschillen.append(
            f"digest verschilt: herberekend {opnieuw.digest}, gepubliceerd {publicatie['digest']}"
        )
    return oordeel
