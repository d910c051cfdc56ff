"""What the import reads from a line stays what it was: a line's fingerprint (stored with its
key: a line sent again is compared with it, so it may never change between versions) is the
hash of the line with its CRS, and a body is validated by its schema exactly as
``model_validate`` validates it (the single command's schema, the same verdicts and errors)."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from services.locaties.domain.geometrie import CRS84, RD
from services.locaties.entrypoints import schemas
from services.locaties.entrypoints.routes_import import _COMMANDOS, _lees, _lees_batch, _valideer

STATUS = (
    b'{"sleutel": "bis-4711-2", "soort": "statuswijzigingen", "locatieId": "ZH051300001", '
    b'"versie": 1, "body": {"naar": "onderzocht", "besluitdatum": "2010-06-01"}}'
)
REGISTRATIE = (
    b'{"soort":"registratie","locatieId":"ZH051300001","contentCrs":"EPSG:28992","body":'
    b'{"bevoegdGezag":"ZH","gemeentecode":"0513","naam":"Gasfabriek \\u00e9","registratiedatum"'
    b':"2010-03-15","geometrie":{"type":"Point","coordinates":[105000.5,446000]}}}'
)


@pytest.mark.parametrize(
    ("ruw", "sleutel", "afdruk"),
    [
        # As the import of session 13 stored them.
        (
            STATUS,
            "bis-4711-2",
            "e85ce0fdec29a9996c3ce971bb3b4fb38c0a78e06fe55b0b393e0b0c27cf78e9",
        ),
        (
            REGISTRATIE,
            "5c6e672e2c5163ef7691bd0b2c0a3c81bbf4885aaabb2052c86bcd6fab2849e9",
            "5c6e672e2c5163ef7691bd0b2c0a3c81bbf4885aaabb2052c86bcd6fab2849e9",
        ),
    ],
)
def test_a_line_s_fingerprint_is_the_one_stored_before(
    ruw: bytes, sleutel: str, afdruk: str
) -> None:
    regel = _lees(ruw, CRS84)
    assert (regel.sleutel, regel.vingerafdruk) == (sleutel, afdruk)


def _afdruk_zoals_eerst(data: dict[str, Any], crs: str) -> str:
    return hashlib.sha256(
        orjson.dumps({**data, "contentCrs": crs}, option=orjson.OPT_SORT_KEYS)
    ).hexdigest()


@settings(max_examples=300, deadline=None)
@given(
    st.permutations(["sleutel", "soort", "locatieId", "versie", "body", "contentCrs"]),
    st.sampled_from([None, "EPSG:28992", "OGC:CRS84", " epsg:28992 ", "ogc:crs84"]),
    st.sampled_from([None, "k", "één-\u00e9", 'a"b\\c']),
    st.sampled_from([CRS84, RD]),
)
def test_a_line_s_fingerprint_is_the_hash_of_the_line_with_its_crs(
    volgorde: list[str], content_crs: str | None, sleutel: str | None, standaard: str
) -> None:
    waarden: dict[str, Any] = {
        "sleutel": sleutel,
        "soort": "statuswijzigingen",
        "locatieId": "ZH051300001",
        "versie": 3,
        "body": {"naar": "onderzocht", "besluitdatum": "2010-06-01", "toelichting": "x"},
        "contentCrs": content_crs,
    }
    data = {k: waarden[k] for k in volgorde if waarden[k] is not None or k == "contentCrs"}
    regel = _lees(orjson.dumps(data), standaard)
    crs = {None: standaard, "EPSG:28992": RD, " epsg:28992 ": RD}.get(content_crs, CRS84)
    assert regel.vingerafdruk == _afdruk_zoals_eerst(data, crs)


WAARDE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**11), 10**11),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            "onderzocht",
            "ernstig-spoed",
            "humaan",
            "financieel",
            "2010-06-01",
            "2010-02-30",
            "1986-12-31",
            "2999-01-01",
            "20100601",
            " tekst ",
            "\u202e",
            "",
            "ZH",
            "0513",
            "a" * 2001,
        ]
    ),
    st.text(max_size=6),
    st.lists(st.sampled_from(["ingestie-grond", "x", 1]), max_size=3),
    st.just({"besluitdatum": "2014-11-03"}),
    st.just({"type": "Point", "coordinates": [4.7, 52.01]}),
)
VELD = st.sampled_from(
    [
        "naar",
        "besluitdatum",
        "toelichting",
        "risicotype",
        "vastgesteld",
        "criteria",
        "beoordelingsdatum",
        "knelpunt",
        "datum",
        "bedragEuro",
        "bedrag_euro",
        "bron",
        "omschrijving",
        "reden",
        "onderzoekGereed",
        "gecorrigeerdeVersie",
        "correctie",
        "bevoegdGezag",
        "gemeentecode",
        "naam",
        "registratiedatum",
        "geometrie",
        "locatieId",
        "extra",
    ]
)
SCHEMAS: list[type[BaseModel]] = [schemas.NieuweSpoedlocatie, *_COMMANDOS.values()]


def _uitkomst(valideer: Any, schema: type[BaseModel], body: Any) -> str:
    # As text: an error's context holds the ValueError raised (equal only to itself), and an
    # input may be NaN.
    try:
        model = valideer(schema, body)
    except ValidationError as exc:
        return repr((exc.title, exc.errors(include_url=False)))
    return repr((type(model), model.model_dump()))


@settings(max_examples=3000, deadline=None)
@given(st.sampled_from(SCHEMAS), st.one_of(st.dictionaries(VELD, WAARDE, max_size=8), WAARDE))
def test_a_body_gets_model_validate_s_verdict(schema: type[BaseModel], body: Any) -> None:
    assert _uitkomst(_valideer, schema, body) == _uitkomst(
        lambda s, b: s.model_validate(b), schema, body
    )


@pytest.mark.parametrize(
    ("diepte", "detail"),
    [
        (  # the line 254 levels deep: written and hashed, its body refused by the schema
            253,
            "De invoer is ongeldig: body.bevoegdGezag, body.gemeentecode, body.naam, "
            "body.registratiedatum, body.a.",
        ),
        (254, "De regel is te diep genest."),
        (1000, "De regel is te diep genest."),
    ],
)
def test_a_line_nested_deeper_than_orjson_writes_is_refused_on_its_own(
    diepte: int, detail: str
) -> None:
    """orjson reads 1024 levels and writes 254: such a line is a 400 of its own, not a failure
    of its whole batch (every line of it answered 503, and again at every resend)."""
    diep = b'{"a":' * diepte + b"1" + b"}" * diepte
    regel = b'{"sleutel":"diep","soort":"registratie","body":' + diep + b"}"
    klaar, te_doen = _lees_batch([(1, regel), (2, STATUS)], CRS84, 10**6)
    assert [n for n, _ in te_doen] == [2]
    sleutel, probleem = klaar[1]
    assert (sleutel, probleem.status, probleem.detail) == ("diep", 400, detail)
