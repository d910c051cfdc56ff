"""Request and response bodies of the locaties API (camelCase, as the design rules ask)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from shared.bevoegde_gezagen import Soort
from shared.vocabulaire import (
    Bodemtype,
    Knelpunt,
    RisicoType,
    Status,
    Verontreinigingsgroep,
)


class Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class Link(Model):
    href: str


class Geometrie(BaseModel):
    """GeoJSON-geometrie; het CRS staat in de header Content-Crs (standaard OGC:CRS84)."""

    model_config = ConfigDict(extra="forbid")
    type: str = Field(examples=["Point"])
    coordinates: list[Any] = Field(examples=[[4.4796, 51.9218]])


class BevoegdGezagOut(Model):
    code: str = Field(examples=["ZH"])
    naam: str
    soort: Soort
    provincie: str
    gemeentecodes: list[str]


class NieuweSpoedlocatie(Model):
    locatie_id: str | None = Field(
        None,
        pattern=r"^[A-Z]{2}\d{9}$",
        examples=["ZH051300001"],
        description="Het landelijke id als het al bestaat; anders kent de service er een toe.",
    )
    bevoegd_gezag: str = Field(pattern=r"^[A-Z]{2}$", examples=["ZH"])
    gemeentecode: str = Field(
        pattern=r"^\d{4}$", examples=["0513"], description="CBS-gemeentecode, vier cijfers."
    )
    naam: str = Field(min_length=1, max_length=200, examples=["Voormalige gasfabriek Gouda"])
    bodemtype: Bodemtype = Bodemtype.LANDBODEM
    verontreinigingsgroepen: list[Verontreinigingsgroep] = Field(
        default_factory=list, max_length=20
    )
    geometrie: Geometrie | None = None
    registratiedatum: date


class Statuswijziging(Model):
    naar: Status
    besluitdatum: date
    toelichting: str = Field("", max_length=2000)


class Risicobeoordeling(Model):
    risicotype: RisicoType
    vastgesteld: bool
    criteria: list[str] = Field(default_factory=list, max_length=30)
    beoordelingsdatum: date
    toelichting: str = Field("", max_length=2000)


class KnelpuntIn(Model):
    knelpunt: Knelpunt
    datum: date
    toelichting: str = Field("", max_length=2000)


class Budgettoekenning(Model):
    bedrag_euro: int = Field(
        ge=-(10**10), le=10**10, description="Positief bij toekenning, negatief bij intrekking."
    )
    datum: date
    bron: str = Field("convenant", max_length=200)


class Kostenboeking(Model):
    bedrag_euro: int = Field(gt=0, le=10**10)
    datum: date
    omschrijving: str = Field("", max_length=2000)


class Overdracht(Model):
    naar: str = Field(pattern=r"^[A-Z]{2}$")
    datum: date
    reden: str = Field(min_length=1, max_length=2000)


class Correctie(Model):
    gecorrigeerde_versie: int = Field(ge=1, le=2**31 - 1)
    correctie: dict[str, Any] = Field(
        description="Velden van de gecorrigeerde gebeurtenis met hun juiste waarde.",
        examples=[{"besluitdatum": "2014-11-03"}],
    )
    reden: str = Field(min_length=1, max_length=2000)


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
