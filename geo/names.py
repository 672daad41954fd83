"""Place-name normalisation: one key for the many ways a name is written.

Reports transliterate Dari and Pashto freely: Nangarhar, Nangrahar, Ningarhar;
Sar-e Pul, Sar-i-Pul, Sari Pul; Qosh Tepa, Qush Tepa, Qushtepa. `normalize`
folds case, diacritics, punctuation, connecting vowels and level words
("district", "province"); `skeleton` goes further, to consonants only, for a
second, weaker kind of match that catches vowel and spacing variants.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Trailing words that say what level of place the writer meant.
LEVEL_WORDS = {
    "province": "province",
    "provinces": "province",
    "wilayat": "province",
    "district": "district",
    "districts": "district",
    "agency": "district",
    "agencies": "district",
    "tehsil": "district",
    "woluswali": "district",
    "village": "village",
    "villages": "village",
    "valley": "valley",
    "neighbourhood": "neighbourhood",
    "neighborhood": "neighbourhood",
    "area": None,
    "region": None,
    "city": "town",
    "town": "town",
}
# Connecting vowels of Dari/Pashto compounds, written -e-, -i- or not at all.
_EZAFE = {"e", "i", "y"}
_APOSTROPHES = dict.fromkeys(map(ord, "'`\u2018\u2019\u02bc\u02bb\u02be\u02bf"), None)
_VOWELS = re.compile(r"[aeiouwy]")
_Y_BETWEEN = re.compile(r"(?<=[b-df-hj-np-tv-z])y(?=[aeiou])")
_REPEATS = re.compile(r"(.)\1+")
# Below this many consonants a skeleton matches too many unrelated names.
MIN_SKELETON = 4


@functools.lru_cache(maxsize=1 << 16)
def normalize(name: str) -> tuple[str, str | None]:
    """Fold a written name to its lookup key, and say what level it names, if any.

    "Sar-i-Pul provinces" -> ("sar pul", "province"); "Dasht-e-Barchi" ->
    ("dasht barchi", None); "Jalālābād" -> ("jalalabad", None).
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_APOSTROPHES).lower()
    words = re.sub(r"[\W_]+", " ", text).split()
    if words and words[0] == "the":
        words = words[1:]
    hint = None
    while len(words) > 1 and words[-1] in LEVEL_WORDS:
        hint = hint or LEVEL_WORDS[words[-1]]
        words = words[:-1]
    # Nazyan, Naziyan, Nazian: a y between letters is written i, iy or y.
    words = [_Y_BETWEEN.sub("i", w.replace("iy", "i")) for w in words]
    words = [w for w in words if w not in _EZAFE] or words  # after folding: "iy" is "i" too
    return " ".join(words), hint


# Dari "dara"/"darra" is a valley: Dara-i-Pech is the Pech valley, Darra-e-Nur the Nur valley.
_VALLEY_WORDS = {"dara", "darra", "darreh", "dareh"}


def variants(key: str) -> set[str]:
    """Other keys a normalised name is known by: "dara pech" is also "pech"."""
    words = key.split()
    if len(words) > 1 and words[0] in _VALLEY_WORDS:
        return {" ".join(words[1:])}
    return set()


@functools.lru_cache(maxsize=1 << 16)
def skeleton(name: str) -> str:
    """Consonants of the normalised name, joined, repeats collapsed, q folded to k.

    "Nangrahar" and "Ningarhar" -> "nngrhr"; "Qushtepa" and "Qosh Tepa" -> "kshtp".
    """
    key = normalize(name)[0].replace(" ", "").replace("q", "k")
    return _REPEATS.sub(r"\1", _VOWELS.sub("", key))
