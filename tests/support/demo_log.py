"""Exported logs (JSON Lines of sealed CloudEvents, as ``bodemregie audit export`` writes them)
made without a running service: the demo history's facts (bench.rapportage_schaal, recorded 0-44
days after their business dates) plus corrections, late registrations and back-dated decisions,
wrapped by the same envelope code the outbox uses; and a synthetic knowledge-platform log."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.rapportage_schaal import feiten as demo_feiten
from services.rapportage.domain import feiten as f
from shared import integriteit
from shared.envelope import from_recorded, source_urn
from shared.eventstore import EventMetadata
from shared.eventstore.model import RecordedEvent


def verzegel(events: list[tuple[Any, ...]], store: str, systeem: str) -> list[dict[str, Any]]:
    """(subject, version, type, schemaversion, occurred, recorded, data) in position order to
    sealed CloudEvent dicts."""
    uit: list[dict[str, Any]] = []
    vorige, per_stroom = integriteit.NUL, dict[str, str]()
    bron = source_urn("00000001003214345000", systeem)
    for positie, (subject, versie, soort, schema, occurred, recorded, data) in enumerate(
        events, start=1
    ):
        recorded_event = RecordedEvent(
            positie,
            uuid.UUID(int=positie),
            subject,
            systeem,
            versie,
            soort,
            schema,
            data,
            EventMetadata(actor="demo"),
            occurred,
            recorded,
        )
        ev = from_recorded(recorded_event, bron, store).to_dict()
        ev["prevhash"], ev["streamprevhash"] = vorige, per_stroom.get(subject, integriteit.NUL)
        ev["hash"] = vorige = per_stroom[subject] = integriteit.event_hash(ev)
        uit.append(ev)
    return uit


def _moment(datum: str) -> datetime:
    return datetime.fromisoformat(datum).replace(hour=12, tzinfo=UTC)


def spoedlocaties_log(schaal: float = 0.2, seed: int = 7) -> list[dict[str, Any]]:
    """The demo history and the awkward cases, as the locaties log."""
    alle = demo_feiten(schaal)
    rnd = random.Random(seed)
    versies: dict[str, int] = {}
    for x in alle:
        versies[x.locatie_id] = max(versies.get(x.locatie_id, 0), x.versie)
    extra: list[f.Feit] = []
    laatste = max(x.vastgelegd_op for x in alle)

    def voeg_toe(lid: str, soort: str, op: datetime, data: dict[str, Any]) -> int:
        versies[lid] += 1
        extra.append(f.Feit(0, lid, versies[lid], soort, op, data))
        return versies[lid]

    def corrigeer(doel: f.Feit, op: datetime, correctie: dict[str, Any]) -> None:
        data = {"gecorrigeerde_versie": doel.versie, "correctie": correctie, "reden": "test"}
        voeg_toe(doel.locatie_id, f.CORRECTIE, op, data)

    statussen = [x for x in alle if x.soort == f.STATUS]
    afgehandeld = [x for x in statussen if x.data["naar"] in ("gesaneerd", "beheerst")]
    # Dealt-with decisions moved back over a deadline, years later (some twice).
    for n, x in enumerate(rnd.sample(afgehandeld, 25)):
        d = datetime.fromisoformat(x.data["besluitdatum"]) - timedelta(days=rnd.randint(30, 900))
        corrigeer(
            x, x.vastgelegd_op + timedelta(days=200 + n), {"besluitdatum": d.date().isoformat()}
        )
        if n % 5 == 0:
            later = x.vastgelegd_op + timedelta(days=400 + n)
            corrigeer(x, later, {"besluitdatum": x.data["besluitdatum"]})
    # Corrections of other fields: names, registration dates, amounts, a knelpunt, a risk.
    registraties = [x for x in alle if x.soort == f.GEREGISTREERD]
    for x in rnd.sample(registraties, 20):
        op = x.vastgelegd_op + timedelta(days=rnd.randint(1, 2000))
        nieuwe = _moment(x.data["registratiedatum"]) + timedelta(days=rnd.randint(-300, 300))
        corrigeer(x, op, {"naam": '=HYPERLINK("x")', "registratiedatum": nieuwe.date().isoformat()})
    for soort in (f.BUDGET, f.KOSTEN, f.RISICO, f.KNELPUNT):
        for x in rnd.sample([y for y in alle if y.soort == soort], 8):
            op = x.vastgelegd_op + timedelta(days=rnd.randint(1, 700))
            if soort in (f.BUDGET, f.KOSTEN):
                corrigeer(x, op, {"bedrag_euro": int(x.data["bedrag_euro"]) * 2})
            elif soort == f.RISICO:
                corrigeer(x, op, {"vastgesteld": not x.data["vastgesteld"]})
            else:
                corrigeer(x, op, {"knelpunt": "geen"})
    # A correction of the decision's outcome, one of a decision's date to a later day.
    for x in rnd.sample([y for y in statussen if y.data["naar"] == "saneringsplan"], 3):
        corrigeer(x, x.vastgelegd_op + timedelta(days=50), {"besluitdatum": "2019-06-30"})
    # Late registrations: sites that surface years after their registratiedatum, with a
    # decision back-dated to before the 2015 deadline; transfers between bevoegde gezagen.
    for n, x in enumerate(rnd.sample(registraties, 12)):
        lid = f"LAAT{n:04d}"
        versies[lid] = 0
        op = laatste - timedelta(days=400 - 20 * n)
        data = {**x.data, "registratiedatum": f"201{n % 6}-0{1 + n % 9}-15"}
        voeg_toe(lid, f.GEREGISTREERD, op, data)
        for naar, datum in (("onderzocht", "2011-05-01"), ("ernstig-spoed", "2011-09-01")):
            voeg_toe(lid, f.STATUS, op, {"van": "?", "naar": naar, "besluitdatum": datum})
        risico = {
            "risicotype": "humaan",
            "vastgesteld": n % 2 == 0,
            "beoordelingsdatum": "2011-09-01",
        }
        voeg_toe(lid, f.RISICO, op, risico)
        voeg_toe(
            lid,
            f.STATUS,
            op,
            {"van": "?", "naar": "sanering-gestart", "besluitdatum": "2012-01-01"},
        )
        besluit = {"van": "?", "naar": "gesaneerd", "besluitdatum": "2015-11-30"}
        voeg_toe(lid, f.STATUS, op + timedelta(days=n), besluit)
    # Dealt with on 2015-11-30, recorded 89, 90 (the boundary: not back-dated) and 91 days later.
    for n, x in enumerate(rnd.sample(registraties, 3)):
        lid, op = f"GRENS{n}", _moment("2015-11-30") + timedelta(days=89 + n)
        versies[lid] = 0
        voeg_toe(lid, f.GEREGISTREERD, op, {**x.data, "registratiedatum": "2011-02-01"})
        for naar in ("onderzocht", "ernstig-spoed", "sanering-gestart", "gesaneerd"):
            voeg_toe(lid, f.STATUS, op, {"van": "?", "naar": naar, "besluitdatum": "2015-11-30"})
    for x in rnd.sample(registraties, 10):
        d = _moment(x.data["registratiedatum"]) + timedelta(days=700)
        data = {
            "van": x.data["bevoegd_gezag"],
            "naar": "AM",
            "datum": d.date().isoformat(),
            "reden": "t",
        }
        voeg_toe(x.locatie_id, f.OVERDRACHT, d + timedelta(days=rnd.randint(0, 200)), data)
    # A corrected outcome (gesaneerd -> beheerst), a knelpunt corrected to null, a transfer to
    # another gezag, and a correction of a correction (which corrects nothing).
    for x in rnd.sample([y for y in afgehandeld if y.data["naar"] == "gesaneerd"], 3):
        corrigeer(x, x.vastgelegd_op + timedelta(days=120), {"naar": "beheerst"})
    for x in rnd.sample([y for y in alle if y.soort == f.KNELPUNT], 3):
        corrigeer(x, x.vastgelegd_op + timedelta(days=10), {"knelpunt": None})
    overdrachten = [y for y in extra if y.soort == f.OVERDRACHT]
    corrigeer(overdrachten[0], overdrachten[0].vastgelegd_op + timedelta(days=30), {"naar": "UT"})
    correctie = extra[0]
    corrigeer(
        correctie, correctie.vastgelegd_op + timedelta(days=1), {"besluitdatum": "2011-01-01"}
    )
    # Plans: a third of the confirmed sites get one when their decision is taken (planned dates
    # on both sides of 2015 and 2020), some revised later and put on record later still.
    plannen = random.Random(seed + 1)
    bevestigingen = [y for y in statussen if y.data["naar"] == "ernstig-spoed"]
    for n, x in enumerate(plannen.sample(bevestigingen, len(bevestigingen) // 3)):
        besloten = datetime.fromisoformat(x.data["besluitdatum"]).date()
        begin = besloten + timedelta(days=plannen.randint(100, 900))
        klaar = begin + timedelta(days=plannen.randint(200, 2500))
        plan = {
            "onderzoek_gereed": None,
            "start_sanering": begin.isoformat() if n % 4 else None,
            "afgehandeld": klaar.isoformat(),
            "datum": besloten.isoformat(),
            "reden": "",
        }
        op = x.vastgelegd_op + timedelta(days=plannen.randint(0, 60))
        voeg_toe(x.locatie_id, f.PLANNING, op, plan)
        if n % 3 == 0:
            herzien = {
                **plan,
                "afgehandeld": (klaar + timedelta(days=500)).isoformat(),
                "datum": (besloten + timedelta(days=700)).isoformat(),
                "reden": "herzien",
            }
            voeg_toe(x.locatie_id, f.PLANNING, op + timedelta(days=800), herzien)
    # Records in position order: by record time, as an event store appends them; within a
    # stream the versions then follow record order, so they are numbered anew.
    feiten = sorted([*alle, *extra], key=lambda x: (x.vastgelegd_op, x.locatie_id, x.versie))
    nieuw: dict[tuple[str, int], int] = {}
    teller: dict[str, int] = {}
    for x in feiten:
        teller[x.locatie_id] = teller.get(x.locatie_id, 0) + 1
        nieuw[(x.locatie_id, x.versie)] = teller[x.locatie_id]
    events = []
    for positie, x in enumerate(feiten, start=1):
        data = dict(x.data)
        if x.soort == f.CORRECTIE:
            data["gecorrigeerde_versie"] = nieuw[(x.locatie_id, data["gecorrigeerde_versie"])]
        dag = x.datum() or x.vastgelegd_op.date()
        occurred = datetime.combine(dag, datetime.min.time(), tzinfo=UTC)
        # Some status events in the first schema version (the upcaster renames "status").
        schema = 0 if x.soort == f.STATUS and positie % 7 == 0 else 1
        if schema == 0:
            data["status"] = data.pop("naar")
        versie = nieuw[(x.locatie_id, x.versie)]
        events.append((x.locatie_id, versie, x.soort, schema, occurred, x.vastgelegd_op, data))
    return verzegel(events, "locaties-test", "locaties")


THEMAS = ("ondergrond", "asbest", "grondwater", "pfas", "financiering", "participatie")
ORGANISATIES = ("ZH", "UT", "AM", "RT", "GR", None, "")


def _kennis_import(rnd: random.Random) -> list[tuple[datetime, str, str, dict[str, Any]]]:
    """A history of 2011-2015 imported in June 2022: recorded then, each event carrying its
    own business date (``datum``; ``gepland_op`` for a meeting)."""
    t = datetime(2022, 6, 1, 9, 0, tzinfo=UTC)
    uit: list[tuple[datetime, str, str, dict[str, Any]]] = []

    def ev(subject: str, type_: str, datum: date, /, **data: Any) -> None:
        sleutel = "gepland_op" if type_ == "bijeenkomst-gepland" else "datum"
        uit.append((t + timedelta(seconds=len(uit)), subject, type_, {**data, sleutel: str(datum)}))

    for n in range(40):
        vid = f"kv-import-{n:02d}"
        gesteld = date(2011, 1, 3) + timedelta(days=rnd.randint(0, 1800))
        ev(vid, "kennisvraag-gesteld", gesteld, themas=["ondergrond"], organisatie="GR")
        if n % 3:
            beantwoord = gesteld + timedelta(days=rnd.randint(0, 40))
            ev(vid, "kennisvraag-antwoord-gegeven", beantwoord, organisatie="UT")
            if n % 2:
                ev(vid, "kennisvraag-antwoord-geaccepteerd", beantwoord + timedelta(days=3))
    for n in range(6):
        dag = date(2012, 3, 1) + timedelta(days=200 * n)
        ev(f"bk-import-{n}", "bijeenkomst-gepland", dag, soort="workshop", datum=str(dag))
        ev(f"bk-import-{n}", "bijeenkomst-aanwezigheid-geregistreerd", dag, aanwezig=[1, 2])
        ev(f"su-import-{n}", "succes-gemeld", dag, bevoegd_gezag="GR")
    return uit


def kennis_log(vragen: int = 150, seed: int = 11) -> list[dict[str, Any]]:
    """Questions, answers (some exactly 36 minutes = 0.025 days later: a rounding tie),
    acceptances, closings, a question asked twice, combinations, documents, successes, meetings
    and experts, spread over 2017-2022, as the kennis log."""
    rnd = random.Random(seed)
    begin = datetime(2017, 1, 2, 8, 0, tzinfo=UTC)
    events: list[tuple[datetime, str, str, dict[str, Any]]] = []

    def ev(op: datetime, subject: str, type_: str, /, **data: Any) -> None:
        events.append((op, subject, type_, data))

    for n in range(vragen):
        vid = f"kv-{n:04d}"
        op = begin + timedelta(days=rnd.randint(0, 1800), minutes=rnd.randint(0, 600))
        themas = rnd.sample(THEMAS, rnd.randint(1, 3))
        if n % 17 == 0:
            themas.append(themas[0])  # a theme named twice
        ev(op, vid, "kennisvraag-gesteld", themas=themas, organisatie=rnd.choice(ORGANISATIES))
        if n % 23 == 0:  # asked anew
            op = op + timedelta(days=3)
            ev(op, vid, "kennisvraag-gesteld", themas=["pfas"], organisatie="UT")
        t = op
        for _ in range(rnd.choice((0, 1, 1, 2, 3))):
            t = t + rnd.choice(
                (timedelta(minutes=36), timedelta(minutes=108), timedelta(days=rnd.randint(1, 60)))
            )
            ev(t, vid, "kennisvraag-antwoord-gegeven", organisatie=rnd.choice(ORGANISATIES))
            if rnd.random() < 0.5:
                t = t + rnd.choice((timedelta(minutes=36), timedelta(days=rnd.randint(1, 30))))
                ev(t, vid, "kennisvraag-antwoord-geaccepteerd", antwoord_id="x")
        if rnd.random() < 0.3:
            ev(t + timedelta(days=5), vid, "kennisvraag-gesloten", reden="klaar")
    for n in range(12):
        op = begin + timedelta(days=150 * n + 7)
        ids = [f"kv-{rnd.randint(0, vragen - 1):04d}" for _ in range(3)]
        ev(op, f"vg-{n}", "kennisvragen-gecombineerd", vraag_ids=ids)
        ev(
            op,
            f"doc-{n}",
            "kennisdocument-gepubliceerd",
            soort=rnd.choice(("factsheet", "handreiking")),
        )
        ev(op, f"su-{n}", "succes-gemeld", bevoegd_gezag=rnd.choice(ORGANISATIES))
        ev(op, f"ex-{n}", "expert-geregistreerd", naam="x")
        bid = f"bk-{n}"
        ev(op, bid, "bijeenkomst-gepland", soort=rnd.choice(("workshop", "webinar")))
        for d in range(rnd.randint(0, 4)):
            ev(op + timedelta(days=1 + d), bid, "bijeenkomst-deelnemer-aangemeld", deelnemer=d)
        if n % 3:
            aanwezig = list(range(rnd.randint(0, 4)))
            ev(
                op + timedelta(days=20),
                bid,
                "bijeenkomst-aanwezigheid-geregistreerd",
                aanwezig=aanwezig,
            )
            for k in range(rnd.randint(0, 3)):
                score = rnd.randint(1, 5)
                ev(op + timedelta(days=21 + k), bid, "bijeenkomst-geevalueerd", score=score)
    events.sort(key=lambda e: e[0])
    events += _kennis_import(rnd)
    versies: dict[str, int] = {}
    uit = []
    for op, subject, soort, data in events:
        versies[subject] = versies.get(subject, 0) + 1
        uit.append((subject, versies[subject], soort, 1, op, op, data))
    return verzegel(uit, "kennis-test", "kennis")
