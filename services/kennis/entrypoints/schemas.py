"""Request and response bodies of the kennis API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from services.kennis.domain.bijdragen import DocumentSoort
from services.kennis.domain.vocabulaire import Thema, VraagStatus


class Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class NieuweVraag(Model):
    titel: str = Field(min_length=1, max_length=300)
    tekst: str = Field(min_length=1, max_length=10_000)
    themas: list[Thema] = Field(min_length=1, max_length=8)


class NieuwAntwoord(Model):
    tekst: str = Field(min_length=1, max_length=20_000)


class Acceptatie(Model):
    antwoord_id: str = Field(pattern=r"^an-[0-9a-f]{12}$")


class Sluiting(Model):
    reden: str = Field(min_length=1, max_length=2000)


class NieuweGroep(Model):
    titel: str = Field(min_length=1, max_length=300)
    vraag_ids: list[str] = Field(min_length=2, max_length=100)
    aanpak: str = Field(
        min_length=1,
        max_length=2000,
        description="Hoe het programma de vragen samen beantwoordt, "
        "bijvoorbeeld een kennisbijeenkomst of een handreiking.",
    )


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
    titel: str = Field(min_length=1, max_length=300)
    tekst: str = Field(min_length=1, max_length=100_000)
    themas: list[Thema] = Field(min_length=1, max_length=8)


class NieuwSucces(Model):
    titel: str = Field(min_length=1, max_length=300)
    verhaal: str = Field(min_length=1, max_length=20_000)
    themas: list[Thema] = Field(min_length=1, max_length=8)


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
