"""Request and response bodies of the kennis API."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic.alias_generators import to_camel

from services.kennis.domain.bijdragen import DocumentSoort
from services.kennis.domain.bijeenkomsten import Soort
from services.kennis.domain.datums import REGEL as DATUMREGEL
from services.kennis.domain.vocabulaire import Thema, VraagStatus
from shared import bevoegde_gezagen
from shared.http.schematypen import Datum, domeinregel
from shared.tekst import Naam, OptioneleTekst, Tekst


class Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


def _weglaten_of_datum(waarde: object) -> object:
    # Optional means "leave it out" (it is then today): null is no date, as the document says.
    if waarde is None:
        raise ValueError("verwacht een datum als JJJJ-MM-DD; laat het veld weg voor vandaag")
    return waarde


# The day it happened (domain/datums.py), so a history kept elsewhere can be imported.
Bedrijfsdatum = Annotated[
    Datum | None,
    BeforeValidator(_weglaten_of_datum),
    WithJsonSchema({"type": "string", "format": "date"}),
    Field(
        description="De dag waarop het gebeurde; zonder: vandaag. Niet voor 2009-01-01 (het "
        "bodemconvenant), niet in de toekomst.",
        json_schema_extra=domeinregel(DATUMREGEL),
    ),
]


class NieuweVraag(Model):
    titel: Naam = Field(min_length=1, max_length=300)
    tekst: Tekst = Field(min_length=1, max_length=10_000)
    themas: list[Thema] = Field(min_length=1, max_length=8)
    datum: Bedrijfsdatum = None


class NieuwAntwoord(Model):
    tekst: Tekst = Field(min_length=1, max_length=20_000)
    datum: Bedrijfsdatum = None


class Acceptatie(Model):
    antwoord_id: str = Field(
        pattern=r"^an-[0-9a-f]{12}$",
        description="Een antwoord op deze vraag.",
        json_schema_extra=domeinregel("een antwoord op deze vraag"),
    )
    datum: Bedrijfsdatum = None


class Sluiting(Model):
    reden: Tekst = Field(min_length=1, max_length=2000)
    datum: Bedrijfsdatum = None


class NieuweGroep(Model):
    titel: Naam = Field(min_length=1, max_length=300)
    vraag_ids: list[str] = Field(
        min_length=2,
        max_length=100,
        description="Bestaande kennisvragen.",
        json_schema_extra=domeinregel("bestaande kennisvragen"),
    )
    aanpak: Tekst = Field(
        min_length=1,
        max_length=2000,
        description="Hoe het programma de vragen samen beantwoordt, "
        "bijvoorbeeld een kennisbijeenkomst of een handreiking.",
    )
    datum: Bedrijfsdatum = None


class AntwoordOut(Model):
    antwoord_id: str
    tekst: str
    door: str
    organisatie: str | None


class VraagOut(Model):
    vraag_id: str
    titel: str
    tekst: str
    themas: list[str]
    gesteld_door: str
    organisatie: str | None
    status: VraagStatus
    antwoorden: list[AntwoordOut]
    geaccepteerd: str | None
    groep_id: str | None = None
    versie: int


class Vergelijkbaar(Model):
    vraag_id: str
    titel: str
    score: float = Field(description="Cosinus van de TF-IDF-vectoren van de gestemde woorden.")
    gedeeld: list[str] = Field(description="De woordstammen waarop de vragen overeenkomen.")


class GroepOut(Model):
    groep_id: str
    vraag_ids: list[str]


class KoploperOut(Model):
    organisatie: str
    redenen: list[str]


class NieuwDocument(Model):
    soort: DocumentSoort
    titel: Naam = Field(min_length=1, max_length=300)
    tekst: Tekst = Field(min_length=1, max_length=100_000)
    themas: list[Thema] = Field(min_length=1, max_length=8)
    datum: Bedrijfsdatum = None


class NieuwSucces(Model):
    titel: Naam = Field(min_length=1, max_length=300)
    verhaal: Tekst = Field(min_length=1, max_length=20_000)
    themas: list[Thema] = Field(min_length=1, max_length=8)
    datum: Bedrijfsdatum = None


class Bijdrage(Model):
    ref: str
    soort: str
    titel: str
    tekst: str
    themas: list[str]
    organisatie: str | None


class Treffer(Model):
    ref: str
    soort: str
    titel: str
    score: float


class NieuweBijeenkomst(Model):
    soort: Soort
    titel: Naam = Field(min_length=1, max_length=300)
    datum: Datum = Field(
        description="De dag van de bijeenkomst; een dag die al voorbij is, is ook de dag van "
        "plannen. Niet voor 2009-01-01.",
        json_schema_extra=domeinregel("niet voor 2009-01-01"),
    )
    themas: list[Thema] = Field(min_length=1, max_length=8)
    vraag_ids: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="De (bestaande) kennisvragen die de bijeenkomst beantwoordt.",
        json_schema_extra=domeinregel("bestaande kennisvragen"),
    )


class Aanmelding(Model):
    datum: Bedrijfsdatum = None


class Aanwezigheid(Model):
    aanwezig: list[str] = Field(
        min_length=1,
        max_length=1000,
        description="De aangemelde deelnemers (sub) die er waren.",
        json_schema_extra=domeinregel("deelnemers die zich voor deze bijeenkomst aanmeldden"),
    )


class Evaluatie(Model):
    score: int = Field(ge=1, le=5)
    opmerking: OptioneleTekst = Field("", max_length=2000)
    datum: Bedrijfsdatum = None


class BijeenkomstOut(Model):
    bijeenkomst_id: str
    soort: str
    titel: str
    datum: date
    themas: list[str]
    vraag_ids: list[str]
    aangemeld: int
    aanwezig: int
    evaluaties: int
    gemiddelde_score: float | None


def _bekend_bevoegd_gezag(code: str | None) -> str | None:
    # Two capitals are not yet an organisation: only the 42 codes mean one to the programme.
    if code is not None and bevoegde_gezagen.get(code) is None:
        raise ValueError(f"{code!r} is geen bekend bevoegd gezag (een van de 42 codes)")
    return code


class NieuweExpert(Model):
    naam: Naam = Field(min_length=1, max_length=200)
    organisatie: Annotated[str | None, AfterValidator(_bekend_bevoegd_gezag)] = Field(
        None,
        pattern=r"^[A-Z]{2}$",
        json_schema_extra={"enum": [*sorted(bevoegde_gezagen.BY_CODE), None]},
    )
    themas: list[Thema] = Field(min_length=1, max_length=8)
    contact: Naam = Field(min_length=3, max_length=300)
    datum: Bedrijfsdatum = None


class ExpertOut(Model):
    expert_id: str
    persoon: str = Field(description="Het pseudoniem van de expert, zoals in het logboek.")
    naam: str = Field(description='Uit het personenregister; "verwijderd" na vergeten.')
    organisatie: str | None
    themas: list[str]
    contact: str = Field(description='Uit het personenregister; "verwijderd" na vergeten.')
    gedeelde_themas: list[str] = Field(default_factory=list)
    beantwoorde_vergelijkbare: list[str] = Field(
        default_factory=list,
        description="Vergelijkbare vragen die deze expert beantwoordde (geaccepteerde eerst); "
        "alleen bij voorgestelde experts.",
    )
