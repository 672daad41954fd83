"""--geocoder nominatim against a small server on 127.0.0.1 that answers like Nominatim."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest

from geo.placing import GeocoderSetupError, online_fallback
from maps.cli import main
from tests.conftest import incident, write_records

ANSWERS = {
    "Imaginary Kalay": [{
        "place_id": 1, "osm_type": "node", "osm_id": 42, "lat": "34.30", "lon": "70.60",
        "display_name": "Imaginary Kalay, Nangarhar, Afghanistan", "name": "Imaginary Kalay",
        "class": "place", "type": "village", "addresstype": "village", "importance": 0.2,
        "address": {"village": "Imaginary Kalay", "state": "Nangarhar", "country_code": "af"},
    }],
}


class FakeNominatim(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict]] = []

    def do_GET(self):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        FakeNominatim.requests.append({"path": url.path, **query,
                                       "agent": self.headers.get("User-Agent"),
                                       "at": time.monotonic()})
        body = json.dumps(ANSWERS.get(query.get("q"), [])).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def server():
    FakeNominatim.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeNominatim)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_only_names_the_gazetteer_lacks_go_online_once_each(server, tmp_path, monkeypatch):
    monkeypatch.setattr("geo._nominatim.default_cache_path", lambda: tmp_path / "nominatim.json")
    rows = [
        incident(location="Quetta", summary="Offline record."),
        incident(location="Imaginary Kalay", country="AF", summary="Online record one."),
        incident(location="Imaginary Kalay", country="AF", date_start="2017-12-18",
                 date_end="2017-12-18", summary="Online record two."),
        incident(location="Atlantis", country="AF", summary="Nowhere."),
    ]
    incidents = write_records(tmp_path / "incidents.csv", "incidents", rows)
    areas = write_records(tmp_path / "areas.csv", "areas", [])
    args = ["build", "--incidents", str(incidents), "--areas", str(areas),
            "--geocoder", "nominatim", "--user-agent", "incident-map-tests",
            "--nominatim-url", server]
    assert main([*args, "--out", str(tmp_path / "out")]) == 0
    asked = sorted(r["q"] for r in FakeNominatim.requests)
    assert asked == ["Atlantis", "Imaginary Kalay"]
    assert all(r["path"] == "/search" and r["agent"] == "incident-map-tests"
               and r["countrycodes"] == "af" for r in FakeNominatim.requests)
    gaps = [b["at"] - a["at"] for a, b in zip(FakeNominatim.requests, FakeNominatim.requests[1:],
                                              strict=False)]
    assert all(gap >= 0.95 for gap in gaps)  # one request a second

    placed = json.loads((tmp_path / "out" / "incidents.geojson").read_text())["features"]
    online = [f["properties"] for f in placed if f["properties"]["place"] == "Imaginary Kalay"]
    assert len(online) == 2 and {p["admin1"] for p in online} == {"Nangarhar"}
    assert "Atlantis" in (tmp_path / "out" / "unresolved.csv").read_text()

    # A second run is answered from the cache: nothing more goes out.
    assert main([*args, "--out", str(tmp_path / "again")]) == 0
    assert len(FakeNominatim.requests) == 2


def test_nominatim_needs_a_user_agent_and_an_http_url():
    with pytest.raises(GeocoderSetupError, match="user-agent"):
        online_fallback("", "http://127.0.0.1:9")
    with pytest.raises(GeocoderSetupError, match="not an http"):
        online_fallback("tests", "127.0.0.1:9")


def test_offline_is_the_default_and_asks_no_server(server, tmp_path):
    incidents = write_records(tmp_path / "i.csv", "incidents", [incident(location="Atlantis")])
    areas = write_records(tmp_path / "a.csv", "areas", [])
    assert main(["build", "--incidents", str(incidents), "--areas", str(areas),
                 "--out", str(tmp_path / "out")]) == 0
    assert FakeNominatim.requests == []
