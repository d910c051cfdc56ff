"""Finding similar questions in Dutch: normalised words, a light Dutch stemmer, TF-IDF cosine.

Small and dependency-free on purpose: questions are short and few (hundreds to thousands), and
the programme needs to see *why* two questions match (shared stems), not a black box.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping

STOPWOORDEN = frozenset(
    """
    aan al alle als alleen altijd andere ben bij daar dan dat de der deze die dit doch doen door
    dus een eens en er ge geen geweest haar had heb hebben heeft hem het hier hij hoe hun ik in is
    ja je kan kon kunnen kunt maar me meer men met mij mijn moet moeten na naar niet niets nog nu
    of om omdat onder ons ook op over reeds te tegen toch toen tot u uit uw van veel voor want
    waren was wat we wel werd wezen wie wij wil worden wordt zal ze zelf zich zij zijn zo zonder
    zou zouden welke waar wanneer graag vraag vragen iemand ervaring ervaringen
    """.split()  # noqa: SIM905 - a word list reads better as text
)

# Longest first; a stem keeps at least three letters.
_ACHTERVOEGSELS = (
    "heden",
    "heid",
    "ingen",
    "ing",
    "lijke",
    "lijk",
    "ische",
    "isch",
    "baar",
    "ende",
    "end",
    "en",
    "ers",
    "er",
    "es",
    "e",
    "s",
)


def _zonder_accenten(tekst: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", tekst) if not unicodedata.combining(c))


def stam(woord: str) -> str:
    for achtervoegsel in _ACHTERVOEGSELS:
        if woord.endswith(achtervoegsel) and len(woord) - len(achtervoegsel) >= 3:
            woord = woord[: -len(achtervoegsel)]
            break
    # Undo doubled consonants left by plural endings (putten -> putt -> put).
    if len(woord) >= 4 and woord[-1] == woord[-2] and woord[-1] not in "aeiou":
        woord = woord[:-1]
    return woord


# Jargon of the field: abbreviations and their spelled-out forms count as the same words.
JARGON: dict[str, tuple[str, ...]] = {
    "wko": ("warmt", "koudeopslag", "bodemenergi"),
    "bodemenergi": ("wko",),
    "koudeopslag": ("wko",),
    "bbk": ("besluit", "bodemkwaliteit"),
    "wbb": ("wet", "bodembescherming"),
    "nazorg": ("beheer",),
}


def stammen(tekst: str) -> list[str]:
    woorden = re.findall(r"[a-z0-9]+", _zonder_accenten(tekst.lower()))
    uit = []
    for woord in woorden:
        if woord in STOPWOORDEN or (len(woord) <= 2 and woord not in JARGON):
            continue
        s = stam(woord)
        uit.append(s)
        uit.extend(JARGON.get(s, ()))
    return uit


def rangschik(doel: str, kandidaten: Mapping[str, str]) -> list[tuple[str, float, list[str]]]:
    """Candidates ranked by cosine similarity of TF-IDF vectors to ``doel``, with the shared
    stems that carry the match; candidates sharing nothing are left out."""
    documenten = {k: Counter(stammen(t)) for k, t in kandidaten.items()}
    vraag = Counter(stammen(doel))
    n = len(documenten) + 1
    df: Counter[str] = Counter()
    for termen in [*documenten.values(), vraag]:
        df.update(set(termen))

    def vector(termen: Counter[str]) -> dict[str, float]:
        return {t: (1 + math.log(c)) * math.log((n + 1) / (df[t] + 0.5)) for t, c in termen.items()}

    doelvector = vector(vraag)
    doelnorm = math.sqrt(sum(w * w for w in doelvector.values())) or 1.0
    uit = []
    for sleutel, termen in documenten.items():
        kv = vector(termen)
        gedeeld = set(kv) & set(doelvector)
        if not gedeeld:
            continue
        norm = math.sqrt(sum(w * w for w in kv.values())) or 1.0
        score = sum(kv[t] * doelvector[t] for t in gedeeld) / (norm * doelnorm)
        uit.append((sleutel, round(score, 4), sorted(gedeeld)))
    uit.sort(key=lambda r: (-r[1], r[0]))
    return uit
