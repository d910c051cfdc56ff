"""What changed between two versions of a report: per figure the old and the new value, and per
site why it moved.

A version is a ``Moment``: the last position it includes, its peildatum and its kennisdatum (a
publication's, or the two sets of parameters asked for). A site moved when its state on the new
moment differs from the one on the old moment; the reasons are its facts that make the
difference, each in one kind:

- ``nieuw-besluit``: a decision dated in the period between the two peildata;
- ``late-registratie``: dated on or before the old peildatum, but put on record after the old
  version was made (after its kennisdatum or its position), so the old version could not count it;
- ``correctie``: a correction of an earlier registration put on record since, with its reason;
- ``overdracht``: a transfer to another bevoegd gezag in the period or put on record since.

Pure functions: the service and a test (or an auditor) give the same facts and get the same
answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.rapportage.domain import feiten as f
from services.rapportage.domain.feiten import Feit, Locatie, toestand_op
from shared.tijd import kennismoment

NIEUW_BESLUIT = "nieuw-besluit"
LATE_REGISTRATIE = "late-registratie"
CORRECTIE = "correctie"
OVERDRACHT = "overdracht"
SOORTEN = (NIEUW_BESLUIT, LATE_REGISTRATIE, CORRECTIE, OVERDRACHT)
# How a list item of a report's content is named in a figure's path: the first of these it has.
SLEUTELS = ("code", "locatieId", "bevoegdGezag", "jaar", "doel", "lijst", "thema", "status")


@dataclass(frozen=True)
class Moment:
    positie: int
    peildatum: date
    kennisdatum: date | None = None

    def kent(self, feit: Feit) -> bool:
        """Whether a version made at this moment counts ``feit``."""
        if feit.positie > self.positie:
            return False
        return self.kennisdatum is None or feit.vastgelegd_op < kennismoment(self.kennisdatum)

    def als_dict(self) -> dict[str, Any]:
        return {
            "positie": self.positie,
            "peildatum": self.peildatum.isoformat(),
            "kennisdatum": self.kennisdatum.isoformat() if self.kennisdatum else None,
        }


def moment_van(parameters: Mapping[str, Any], positie: int) -> Moment:
    """The moment of a report from its parameters (the kamerbrief's peildatum is ``tot``)."""
    peil = parameters.get("peildatum") or parameters.get("tot")
    if peil is None:
        raise ValueError("een rapport zonder peildatum")
    kennis = parameters.get("kennisdatum")
    return Moment(
        positie, date.fromisoformat(str(peil)), date.fromisoformat(kennis) if kennis else None
    )


def cijfers(oud: Mapping[str, Any], nieuw: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every figure (leaf of the content) whose value differs, with both values; a figure that
    exists on one side only has None on the other."""
    a, b = _plat(oud), _plat(nieuw)
    return [
        {"cijfer": pad, "oud": a.get(pad), "nieuw": b.get(pad)}
        for pad in sorted(a.keys() | b.keys())
        if a.get(pad) != b.get(pad)
    ]


def _plat(waarde: Any, pad: str = "") -> dict[str, Any]:
    if isinstance(waarde, Mapping):
        uit: dict[str, Any] = {}
        for k, v in waarde.items():
            uit |= _plat(v, f"{pad}.{k}" if pad else str(k))
        return uit
    if isinstance(waarde, list | tuple) and any(isinstance(v, Mapping) for v in waarde):
        uit = {}
        for i, v in enumerate(waarde):
            naam = next((str(v[s]) for s in SLEUTELS if isinstance(v, Mapping) and s in v), i)
            uit |= _plat(v, f"{pad}[{naam}]")
        return uit
    return {pad: list(waarde) if isinstance(waarde, tuple) else waarde}


def stand(locatie: Locatie | None) -> dict[str, Any] | None:
    """What a report can show of a site."""
    if locatie is None:
        return None
    return {
        "bevoegdGezag": locatie.bevoegd_gezag,
        "naam": locatie.naam,
        "status": str(locatie.status),
        "afgehandeldOp": locatie.afgehandeld_op.isoformat() if locatie.afgehandeld_op else None,
        "risicotypes": locatie.risicotypes(),
        "knelpunt": locatie.knelpunt,
        "budgetEuro": locatie.budget_euro,
        "kostenEuro": locatie.kosten_euro,
    }


def locaties(feiten: Iterable[Feit], oud: Moment, nieuw: Moment) -> list[dict[str, Any]]:
    """Per site whose state differs between the two moments: both states and why it moved.
    ``feiten``: the spoedlocaties facts up to at least both positions, in position order."""
    alle = list(feiten)
    voor = toestand_op([x for x in alle if oud.kent(x)], oud.peildatum)
    na = toestand_op([x for x in alle if nieuw.kent(x)], nieuw.peildatum)
    per_locatie: dict[str, list[Feit]] = {}
    for feit in alle:
        per_locatie.setdefault(feit.locatie_id, []).append(feit)
    uit = []
    for locatie_id in sorted(voor.keys() | na.keys()):
        a, b = stand(voor.get(locatie_id)), stand(na.get(locatie_id))
        if a == b:
            continue
        uit.append(
            {
                "locatieId": locatie_id,
                "bevoegdGezag": (b or a or {}).get("bevoegdGezag"),
                "oud": a,
                "nieuw": b,
                "redenen": redenen(per_locatie.get(locatie_id, []), oud, nieuw),
            }
        )
    return uit


def redenen(feiten: list[Feit], oud: Moment, nieuw: Moment) -> list[dict[str, Any]]:
    """Why one site moved: its facts the new version counts and the old could not, or dated
    between the two peildata (``feiten``: the site's facts in position order)."""
    bekend = [x for x in feiten if nieuw.kent(x)]
    _, correcties = f.scheid_correcties(bekend)
    van, tot = sorted((oud.peildatum, nieuw.peildatum))
    uit = []
    for feit in bekend:
        nieuw_bekend = not oud.kent(feit)
        if feit.soort == f.CORRECTIE:
            if nieuw_bekend:
                uit.append(
                    _reden(
                        CORRECTIE,
                        feit,
                        None,
                        reden=feit.data.get("reden"),
                        gecorrigeerdeVersie=feit.data.get("gecorrigeerde_versie"),
                        correctie=dict(feit.data.get("correctie") or {}),
                    )
                )
            continue
        data, _ = f.gecorrigeerd(feit, correcties)
        datum = feit.datum(data)
        if datum is None or datum > tot:
            continue
        in_periode = van < datum <= tot
        if feit.soort == f.OVERDRACHT and (in_periode or nieuw_bekend):
            uit.append(_reden(OVERDRACHT, feit, datum, van=data.get("van"), naar=data.get("naar")))
        elif in_periode:
            uit.append(_reden(NIEUW_BESLUIT, feit, datum, **_wat(feit, data)))
        elif nieuw_bekend:
            uit.append(_reden(LATE_REGISTRATIE, feit, datum, **_wat(feit, data)))
    return uit


def _wat(feit: Feit, data: Mapping[str, Any]) -> dict[str, Any]:
    if feit.soort == f.STATUS:
        return {"naar": data.get("naar"), "toelichting": data.get("toelichting") or None}
    if feit.soort == f.RISICO:
        return {"risicotype": data.get("risicotype"), "vastgesteld": data.get("vastgesteld")}
    if feit.soort == f.KNELPUNT:
        return {"knelpunt": data.get("knelpunt")}
    if feit.soort in (f.BUDGET, f.KOSTEN):
        return {"bedragEuro": data.get("bedrag_euro")}
    return {}


def _reden(soort: str, feit: Feit, datum: date | None, **details: Any) -> dict[str, Any]:
    return {
        "soort": soort,
        "gebeurtenis": feit.soort,
        "positie": feit.positie,
        "versie": feit.versie,
        "datum": datum.isoformat() if datum else None,
        "vastgelegdOp": feit.vastgelegd_op.isoformat(),
        **{k: v for k, v in details.items() if v is not None},
    }


def samenvatting(regels: list[dict[str, Any]]) -> dict[str, int]:
    """How many sites moved, and per kind of reason how many sites had one."""
    uit = {"locaties": len(regels)}
    for soort in SOORTEN:
        uit[soort] = sum(1 for r in regels if any(x["soort"] == soort for x in r["redenen"]))
    return uit
