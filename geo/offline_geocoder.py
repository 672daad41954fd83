"""OfflineGeocoder: the gazetteer behind geopy's Geocoder interface.

Code written for geopy (`geocoder.geocode("Kabul")`, `RateLimiter(geocoder.geocode)`)
can use the offline gazetteer unchanged. Each Location's `raw` carries what an
analyst needs to judge the match: geonameid, feature code, admin1, admin2,
country, geo_precision and the score.
"""

from __future__ import annotations

from collections.abc import Iterable

from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geo.gazetteer import Candidate, Context, Gazetteer, load_gazetteer


class OfflineGeocoder(Geocoder):
    """A geopy geocoder that never touches the network."""

    def __init__(self, gazetteer: Gazetteer | None = None, **geopy_options):
        super().__init__(**geopy_options)
        self.gazetteer = gazetteer if gazetteer is not None else load_gazetteer()

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        country_codes: str | Iterable[str] | None = None,
        context: Context | None = None,
        timeout: float | None = None,
    ) -> Location | list[Location] | None:
        """Locations for `query`, best first; None when nothing matches.

        `country_codes` takes one ISO code or several, like geopy's Nominatim;
        `timeout` is accepted for interface compatibility and ignored.
        """
        if isinstance(country_codes, str):
            country_codes = [country_codes]
        codes = [c.upper() for c in country_codes] if country_codes else [None]
        found: list[Candidate] = []
        for code in codes:
            found += self.gazetteer.candidates(query, code, context)
        found.sort(key=lambda c: -c.score)
        if not found:
            return None
        locations = [_location(c) for c in found]
        return locations[0] if exactly_one else locations

    def reverse(self, query, *, exactly_one=True, timeout=None):
        raise NotImplementedError("OfflineGeocoder does not reverse-geocode")


def _location(candidate: Candidate) -> Location:
    place = candidate.place
    address = ", ".join(part for part in (place.name, place.admin2 if place.admin2 != place.name
                                          else "", place.admin1, place.country) if part)
    raw = {
        "name": place.name,
        "geonameid": place.geonameid,
        "feature_code": place.feature_code,
        "kind": place.kind,
        "admin1": place.admin1,
        "admin2": place.admin2,
        "country": place.country,
        "geo_precision": place.geo_precision,
        "score": candidate.score,
        "matched": candidate.matched,
        "source": place.source,
    }
    return Location(address, (place.latitude, place.longitude), raw)
