"""Online fallback through geopy's Nominatim: opt-in, rate-limited, cached on disk.

Used only for names the offline gazetteer cannot place, and only when a user
asks (`--geocoder nominatim --user-agent NAME`). Requests go through geopy's
RateLimiter at one per second, as Nominatim's usage policy requires, and every
answer, a miss included, is kept in a JSON file so a re-run asks nothing twice.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

from geo import _cache
from geo.gazetteer import Place

log = logging.getLogger(__name__)

SOURCE = "OpenStreetMap Nominatim (ODbL)"
# Nominatim's addresstype -> our precision and kind of place.
_LEVELS = {
    "country": (4, "country"),
    "state": (3, "province"),
    "province": (3, "province"),
    "region": (3, "province"),
    "state_district": (2, "district"),
    "county": (2, "district"),
    "district": (2, "district"),
    "municipality": (2, "district"),
}


class NominatimFallback:
    """Looks names up on a Nominatim server, one request a second, with an on-disk cache."""

    def __init__(self, user_agent: str, domain: str = "nominatim.openstreetmap.org",
                 scheme: str = "https", cache_path: str | Path | None = None,
                 min_delay_seconds: float = 1.0):
        if not user_agent or not user_agent.strip():
            raise ValueError("Nominatim needs --user-agent naming you or your project")
        self._client = Nominatim(user_agent=user_agent, domain=domain, scheme=scheme, timeout=20)
        self._geocode = RateLimiter(self._client.geocode, min_delay_seconds=min_delay_seconds,
                                    max_retries=1, error_wait_seconds=2.0,
                                    swallow_exceptions=False)
        self.cache_path = Path(cache_path) if cache_path else default_cache_path()
        self._cache = self._read_cache()
        self.requests = 0

    def lookup(self, query: str, country: str | None) -> Place | None:
        """The place Nominatim finds for `query`, or None (remembered either way)."""
        key = f"{country or ''}|{query}"
        if key not in self._cache:
            log.info("asking Nominatim for %r", query)
            try:
                self.requests += 1
                codes = country.lower() if isinstance(country, str) and country else None
                found = self._geocode(query, exactly_one=True, addressdetails=True,
                                      country_codes=codes)
            except GeopyError as err:
                log.warning("Nominatim failed for %r: %s", query, err)
                return None
            self._cache[key] = found.raw if found else None
            self._write_cache()
        raw = self._cache[key]
        return _place(raw) if raw else None

    def _read_cache(self) -> dict:
        if self.cache_path.exists():
            return json.loads(self.cache_path.read_text(encoding="utf-8"))
        return {}

    def _write_cache(self) -> None:
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.cache_path.parent, suffix=".json")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(self._cache, out, ensure_ascii=False, sort_keys=True, indent=1)
        os.replace(temporary, self.cache_path)


def default_cache_path() -> Path:
    """Where answers are kept between runs: nominatim.json in the user cache directory."""
    return _cache.cache_dir() / "nominatim.json"


def _place(raw: dict) -> Place:
    level = raw.get("addresstype") or raw.get("type") or ""
    precision, kind = _LEVELS.get(level, (1, "town"))
    address = raw.get("address") or {}
    return Place(
        name=raw.get("name") or raw["display_name"].split(",")[0],
        country=(address.get("country_code") or "").upper(),
        latitude=round(float(raw["lat"]), 6),
        longitude=round(float(raw["lon"]), 6),
        kind=kind,
        geo_precision=precision,
        source=f"{SOURCE}, {raw.get('osm_type', '')} {raw.get('osm_id', '')}".strip(),
        admin1=address.get("state") or address.get("province") or "",
        admin2=address.get("county") or address.get("district") or "",
    )
