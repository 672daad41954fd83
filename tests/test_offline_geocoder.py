"""The offline geocoder behind geopy's interface: drop-in, RateLimiter included."""

from __future__ import annotations

import pytest
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geo.offline_geocoder import OfflineGeocoder


@pytest.fixture(scope="module")
def geocoder(gazetteer):
    return OfflineGeocoder(gazetteer)


def test_is_a_geopy_geocoder_returning_locations(geocoder):
    assert isinstance(geocoder, Geocoder)
    location = geocoder.geocode("Darzab district", country_codes="af")
    assert isinstance(location, Location)
    assert location.raw["admin1"] == "Jowzjan"
    assert location.raw["geo_precision"] == 2
    assert location.raw["feature_code"] == "ADM2"
    assert set(location.raw) >= {"geonameid", "feature_code", "admin1", "admin2", "country",
                                 "geo_precision", "score"}


def test_town_results_carry_geonameid_and_district(geocoder):
    location = geocoder.geocode("Jalalabad", country_codes=["AF"])
    assert location.raw["geonameid"] == 1139715
    assert location.raw["admin2"] == "Jalalabad"
    assert location.point.latitude == pytest.approx(34.42647)


def test_exactly_one_false_lists_candidates_best_first(geocoder):
    locations = geocoder.geocode("Fatehpur", exactly_one=False, country_codes="PK")
    scores = [loc.raw["score"] for loc in locations]
    assert len(locations) >= 2 and scores == sorted(scores, reverse=True)


def test_unknown_name_returns_none(geocoder):
    assert geocoder.geocode("Nowhereville", country_codes="AF") is None


def test_works_under_geopys_rate_limiter(geocoder):
    geocode = RateLimiter(geocoder.geocode, min_delay_seconds=0)
    assert geocode("Quetta").raw["admin1"] == "Balochistan"
