"""Request and response bodies of the locaties API (camelCase, as the design rules ask)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from services.locaties.domain import datums, geometrie
from shared import bevoegde_gezagen
from shared.bevoegde_gezagen import Soort
from shared.http.schematypen import Datum, domeinregel
from shared.tekst import Naam, OptioneleTekst, Tekst
from shared.vocabulaire import CRITERIA as VOCABULAIRE_CRITERIA
from shared.vocabulaire import (
    Bodemtype,
    Knelpunt,
    RisicoType,
    Status,
    Verontreinigingsgroep,
)

GEZAGEN: dict[str, Any] = {"enum": sorted(bevoegde_gezagen.BY_CODE)}
CRITERIA: dict[str, Any] = {"enum": sorted(set().union(*VOCABULAIRE_CRITERIA.values()))}


class Model(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", allow_inf_nan=False
    )


# A decision, registration or booking date: from the Wet bodembescherming (1987) up to today.
Bedrijfsdatum = Annotated[
    Datum,
    AfterValidator(datums.bedrijfsdatum),
    Field(
        description="Niet voor 1987-01-01 (Wet bodembescherming), niet in de toekomst.",
        json_schema_extra=domeinregel("niet voor 1987-01-01, niet na vandaag"),
    ),
]


class Link(Model):
    href: str


class Geometrie(BaseModel):
    """GeoJSON-geometrie; het CRS staat in de header Content-Crs (standaard OGC:CRS84)."""

    model_config = ConfigDict(extra="forbid")
    type: str = Field(examples=["Point"])
    coordinates: list[Any] = Field(examples=[[4.4796, 51.9218]])

    @model_validator(mode="after")
    def _geldig(self) -> Geometrie:
        """Valid in any CRS (shapely): finite numbers, no self-intersections, no lines of one
        point. Whether it lies in the Netherlands depends on the CRS (see geometrie.naar_rd)."""
        self.coordinates = geometrie.vorm(self.model_dump())["coordinates"]
        return self


class BevoegdGezagOut(Model):
    code: str = Field(examples=["ZH"])
    naam: str
    soort: Soort
    provincie: str
    gemeentecodes: list[str]


class NieuweSpoedlocatie(Model):
    locatie_id: str | None = Field(
        None,
        pattern=r"^[A-Z]{2}[0-9]{9}$",
        examples=["ZH051300001"],
        description="Het landelijke id als het al bestaat; anders kent de service er een toe.",
    )
    bevoegd_gezag: str = Field(pattern=r"^[A-Z]{2}$", examples=["ZH"], json_schema_extra=GEZAGEN)
    gemeentecode: str = Field(
        pattern=r"^[0-9]{4}$",
        examples=["0513"],
        description="CBS-gemeentecode, vier cijfers: een gemeente onder het bevoegd gezag.",
        json_schema_extra=domeinregel("een gemeente onder het bevoegd gezag"),
    )
    naam: Naam = Field(min_length=1, max_length=200, examples=["Voormalige gasfabriek Gouda"])
    bodemtype: Bodemtype = Bodemtype.LANDBODEM
    verontreinigingsgroepen: list[Verontreinigingsgroep] = Field(
        default_factory=list, max_length=20
    )
    geometrie: Geometrie | None = Field(
        None,
        description="Binnen Nederland, in het CRS uit de header Content-Crs.",
        json_schema_extra=domeinregel("een geldige geometrie binnen Nederland"),
    )
    registratiedatum: Bedrijfsdatum


class Statuswijziging(Model):
    naar: Status
    besluitdatum: Bedrijfsdatum
    toelichting: OptioneleTekst = Field("", max_length=2000)


class Risicobeoordeling(Model):
    risicotype: RisicoType
    vastgesteld: bool
    criteria: list[Annotated[str, Field(json_schema_extra=CRITERIA)]] = Field(
        default_factory=list,
        max_length=30,
        description="Criteria uit de SIKB0101-lijst van dit risicotype.",
        json_schema_extra=domeinregel("criteria van het gekozen risicotype"),
    )
    beoordelingsdatum: Bedrijfsdatum
    toelichting: OptioneleTekst = Field("", max_length=2000)


class KnelpuntIn(Model):
    knelpunt: Knelpunt
    datum: Bedrijfsdatum
    toelichting: OptioneleTekst = Field("", max_length=2000)


class Budgettoekenning(Model):
    bedrag_euro: int = Field(
        ge=-(10**10),
        le=10**10,
        description="Positief bij toekenning, negatief bij intrekking; het toegekende budget "
        "wordt nooit negatief.",
        json_schema_extra=domeinregel("het toegekende budget wordt nooit negatief"),
    )
    datum: Bedrijfsdatum
    bron: OptioneleTekst = Field("convenant", max_length=200)


class Kostenboeking(Model):
    bedrag_euro: int = Field(gt=0, le=10**10)
    datum: Bedrijfsdatum
    omschrijving: OptioneleTekst = Field("", max_length=2000)


class Overdracht(Model):
    naar: str = Field(
        pattern=r"^[A-Z]{2}$",
        description="Een ander bevoegd gezag dan het huidige.",
        json_schema_extra={**GEZAGEN, **domeinregel("een ander bevoegd gezag dan het huidige")},
    )
    datum: Bedrijfsdatum
    reden: Tekst = Field(min_length=1, max_length=2000)


# A planned date: ahead is fine, but not before 1987 nor after 2100 (a typing error).
Plandatum = Annotated[
    Datum,
    AfterValidator(datums.plandatum),
    Field(
        description="Niet voor 1987-01-01, niet na 2100-12-31; mag in de toekomst liggen.",
        json_schema_extra=domeinregel("niet voor 1987-01-01, niet na 2100-12-31"),
    ),
]


class Planning(Model):
    onderzoek_gereed: Plandatum | None = Field(
        None, description="Geplande datum waarop het (nader) onderzoek gereed is."
    )
    start_sanering: Plandatum | None = Field(
        None, description="Geplande start van de sanering of de beheersmaatregelen."
    )
    afgehandeld: Plandatum | None = Field(
        None, description="Geplande datum waarop de locatie gesaneerd of beheerst is."
    )
    datum: Bedrijfsdatum
    reden: OptioneleTekst = Field(
        "",
        max_length=2000,
        description="Verplicht bij een herziening van een eerdere planning.",
        json_schema_extra=domeinregel("verplicht bij een herziening"),
    )


class Correctie(Model):
    gecorrigeerde_versie: int = Field(
        ge=1,
        le=2**31 - 1,
        description="Een bestaande versie van deze locatie.",
        json_schema_extra=domeinregel("een bestaande versie van deze locatie"),
    )
    correctie: dict[str, Any] = Field(
        min_length=1,
        max_length=20,
        description="Velden van de gecorrigeerde gebeurtenis met hun juiste waarde, met de "
        "namen en regels van het commando dat haar vastlegde (bijvoorbeeld `besluitdatum` van "
        "een statuswijziging, `bedragEuro` van een kostenboeking). Niet te corrigeren: het "
        "bevoegd gezag (daarvoor is een overdracht), het id, de status en het risicotype. "
        "Een geometrie in het CRS uit de header Content-Crs.",
        examples=[{"besluitdatum": "2014-11-03"}],
        json_schema_extra=domeinregel("de velden en regels van het gecorrigeerde commando"),
    )
    reden: Tekst = Field(min_length=1, max_length=2000)


class RisicoOut(Model):
    risicotype: RisicoType
    vastgesteld: bool
    criteria: list[str]
    beoordelingsdatum: date


class SpoedlocatieOut(Model):
    locatie_id: str
    bevoegd_gezag: str
    provincie: str
    gemeentecode: str
    naam: str
    bodemtype: str
    status: Status
    status_sinds: date
    registratiedatum: date
    afgehandeld_op: date | None = Field(
        None, description="Eerste datum waarop de locatie gesaneerd of beheerst was."
    )
    risicos: list[RisicoOut]
    knelpunt: Knelpunt | None
    budget_euro: int
    kosten_euro: int
    verontreinigingsgroepen: list[str]
    geometrie: dict[str, Any] | None
    versie: int
    links: dict[str, Link] = Field(alias="_links")


class SpoedlocatiePagina(Model):
    links: dict[str, Link] = Field(alias="_links")
    embedded: dict[str, list[SpoedlocatieOut]] = Field(alias="_embedded")


class Gebeurtenissen(Model):
    gebeurtenissen: list[dict[str, Any]] = Field(
        description="CloudEvents (NL GOV-profiel), zoals ze ook op Kafka staan."
    )
    links: dict[str, Link] = Field(alias="_links")
