"""What the page carries: compact columns for incidents, features for areas and provinces.

A folium marker per incident costs kilobytes of JavaScript each; at 100,000
incidents that is a page no browser opens. Incidents travel instead as typed
columns sorted by start date (day offsets, type, toll, place index, and an
index into the distinct texts of each popup field), packed into one gzip
block the page inflates with the browser's own DecompressionStream. A million
incidents fit in about ten megabytes. Places are indexed once (`sites`): the
page counts incidents per site to draw them grouped until few are in view.
The payload tells the page how to read them: each column's typed array
(`WIDTHS`), offset and length in `layout`, the `scale` of the site
coordinates, and the event `types` the type codes index.

Popup text is composed here (maps.popups) and shown by the page with
textContent, so it is never parsed as HTML. Where the fields' distinct texts
together outgrow `TEXT_BUDGET` (notes written per event, in a big imported
dataset), the wordiest fields stay in the exports only, and the popup says
which row of incidents.csv holds them: the page keeps the exports' order.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import gzip
import io
from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.aggregates import CELL_DEGREES, cell_centres
from geo.export import DECIMALS
from geo.pipeline import in_order
from geo.schema import EVENT_TYPES, column, output_columns
from geo.timewindow import held_until
from maps.filters import facet_codes
from maps.popups import area_popup, area_tooltip, incident_fields
from maps.style import AREA_RADIUS_M, EXACT_PRECISION, area_style

EPOCH = dt.date(1970, 1, 1)
# Degrees kept for drawing: 1e-4 is about 11 m, finer than any marker.
SCALE = 10_000
# Characters of distinct popup text the page may carry, over all fields.
TEXT_BUDGET = 6_000_000
# Characters of distinct cells of the exports' columns the page carries for its download.
DOWNLOAD_BUDGET = 20_000_000
# The column types, narrowest first: the page's typed array, numpy's type, the range held.
WIDTHS = (("Uint8Array", np.uint8, 0, 255), ("Uint16Array", np.uint16, 0, 65_535),
          ("Int32Array", np.int32, -(2**31), 2**31 - 1),
          ("Float64Array", np.float64, -(2**53), 2**53))
# An unknown death toll, and an incident in no province: any negative value means missing.
MISSING = -1


def day(iso: str) -> int:
    """Days since 1970-01-01: the page's unit of time."""
    return (dt.date.fromisoformat(iso) - EPOCH).days


def incident_payload(
    incidents: gpd.GeoDataFrame, sources: Mapping, province_names: list[str],
    facets: Sequence[dict] = (),
) -> dict:
    """Incidents as packed columns in the exports' order (start date, then id): what the
    canvas draws, the popups, the codes of each facet (maps.filters), and the exports'
    columns for the page's download."""
    frame = in_order(incidents, "incidents")
    columns, sites = _drawn_columns(frame, province_names)
    popup, left_out = [], []
    fields = [(label, cols, formatter, *_distinct(frame, cols, formatter))
              for label, cols, formatter in incident_fields(sources)]
    kept = _within_budget(fields)
    for k, (label, cols, _, values, codes) in enumerate(fields):
        if k not in kept:
            left_out.append(label or column("incidents", cols[0]).label)
        elif len(values) <= 1:
            popup.append({"label": label, "value": values[0] if values else ""})
        else:
            columns[f"popup{k}"] = codes
            popup.append({"label": label, "values": values, "codes": f"popup{k}"})
    columns.update(_facet_columns(facets, frame))
    download, download_left_out = _download_columns(frame, columns)
    blob, layout = _pack(columns)
    return {"n": len(frame), "sites": sites, "scale": SCALE, "types": list(EVENT_TYPES),
            "popup": popup, "leftOut": left_out,
            "download": download, "downloadLeftOut": download_left_out,
            "decimals": DECIMALS,
            "layout": layout, "columns": base64.b64encode(blob).decode("ascii")}


def cell_payload(cells: pd.DataFrame, province_names: list[str],
                 facets: Sequence[dict] = ()) -> dict:
    """Counts per cell and month (geo.aggregates) as the canvas's columns: each row stands
    for `weight` incidents at its cell's centre, over its whole month. The page draws
    them only as counted groups, and has no popups or download for them: the records
    are in the GeoParquet dataset."""
    frame = cell_rows(cells)
    columns, sites = _drawn_columns(frame, province_names)
    columns["weight"] = frame["incidents"].to_numpy(np.int64)
    columns.update(_facet_columns(facets, frame))
    blob, layout = _pack(columns)
    return {"n": len(frame), "sites": sites, "scale": SCALE, "types": list(EVENT_TYPES),
            "popup": [], "leftOut": [], "download": [], "downloadLeftOut": [],
            "decimals": DECIMALS, "weighted": True, "cellDegrees": CELL_DEGREES,
            "layout": layout, "columns": base64.b64encode(blob).decode("ascii")}


def cell_rows(cells: pd.DataFrame) -> pd.DataFrame:
    """The counts as incident-like rows, by start date: dated from the first to the last
    day of their month, at their cell's centre, with the deaths stated as the toll."""
    starts = pd.PeriodIndex(cells["month"], freq="M")
    latitude, longitude = cell_centres(cells)
    frame = cells.assign(
        date_start=starts.start_time.strftime("%Y-%m-%d"),
        date_end=starts.end_time.strftime("%Y-%m-%d"),
        latitude=latitude, longitude=longitude, fatalities=cells["deaths"],
        geo_precision=EXACT_PRECISION)
    return frame.sort_values("date_start", kind="stable").reset_index(drop=True)


def _facet_columns(facets: Sequence[dict], frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each incident facet's codes (maps.filters), as the page's `facet<k>` columns."""
    return {f"facet{k}": codes
            for k, codes in enumerate(facet_codes(facets, frame, "incidents"))
            if codes is not None}


def _drawn_columns(frame: pd.DataFrame, province_names: list[str]
                   ) -> tuple[dict[str, np.ndarray], int]:
    """What the canvas draws from, for rows in start order: days, places, type, toll,
    precision, province; and the number of distinct places."""
    days = _days(frame["date_start"])
    ends = _days(frame["date_end"])
    # Each distinct point once (a "site"), numbered in order of first use.
    lat = (frame["latitude"].to_numpy(float) * SCALE).round().astype(np.int64)
    lon = (frame["longitude"].to_numpy(float) * SCALE).round().astype(np.int64)
    site, first = _first_uses(lat * 4_000_000 + lon)
    provinces = {name: i for i, name in enumerate(province_names)}
    types = {code: i for i, code in enumerate(EVENT_TYPES)}
    return {
        # The first start, then each start as days after the one before.
        "dt0": np.diff(days, prepend=0) if len(days) else days,
        "dur": ends - days,
        "site": site,
        "siteLat": lat[first],
        "siteLon": lon[first],
        "type": frame["event_type"].map(types).to_numpy(np.int64),
        "deaths": frame["fatalities"].astype("Float64").fillna(MISSING).to_numpy(np.int64),
        "prec": frame["geo_precision"].astype("Float64").fillna(EXACT_PRECISION).to_numpy(np.int64),
        "prov": frame["admin1"].map(provinces).fillna(MISSING).to_numpy(np.int64),
    }, len(first)


def _download_columns(frame: pd.DataFrame, columns: dict) -> tuple[list[dict], list[str]]:
    """The exports' columns (geo.schema.output_columns), for the page to write the records
    in view as CSV and GeoJSON: each column's distinct cells as incidents.csv writes them,
    joined into one text column (`text`, with UTF-16 `offsets` for the page's slices),
    each record's code, and the code of the missing value (null in GeoJSON), if any. A
    column of one value carries no codes, one whose values are all distinct (ids) none
    either, and one fixed by the place (`bySite`) a code per place. Past DOWNLOAD_BUDGET
    characters the wordiest columns stay in the exports only (never the id, nor the
    coordinates the GeoJSON's points are made of); their names are returned."""
    specs, sizes = [], {}
    for name in output_columns(frame, "incidents"):
        codes, uniques = pd.factorize(frame[name], use_na_sentinel=False)
        cells = _csv_cells(pd.Series(uniques, dtype=frame[name].dtype))
        number = pd.api.types.is_numeric_dtype(frame[name].dtype) \
            and not pd.api.types.is_bool_dtype(frame[name].dtype)
        missing = [k for k, v in enumerate(pd.isna(np.asarray(uniques, dtype=object))) if v]
        specs.append((name, cells, codes, "number" if number else "text",
                      missing[0] if missing else None))
        sizes[name] = sum(map(len, cells))
    kept, total = set(sizes), sum(sizes.values())
    always = {next(iter(sizes)), "latitude", "longitude"}
    for name in sorted([n for n in sizes if n not in always], key=lambda n: -sizes[n]):
        if total <= DOWNLOAD_BUDGET:
            break
        kept.discard(name)
        total -= sizes[name]
    out = []
    for k, (name, cells, codes, kind, missing) in enumerate(specs):
        if name not in kept:
            continue
        spec = {"name": name, "kind": kind, "missing": missing,
                "text": f"dl{k}text", "offsets": f"dl{k}at"}
        if len(cells) == 1:
            spec["codes"] = None
        elif len(cells) == len(frame):
            spec["codes"] = "identity"
        else:
            spec["codes"] = f"dl{k}"
            by_site = _per_site(codes, columns["site"])
            spec["bySite"] = by_site is not None
            columns[f"dl{k}"] = codes if by_site is None else by_site
        columns[spec["text"]] = "".join(cells)
        columns[spec["offsets"]] = np.cumsum([0] + [_utf16_length(c) for c in cells])
        out.append(spec)
    return out, [name for name in sizes if name not in kept]


def _per_site(codes: np.ndarray, site: np.ndarray) -> np.ndarray | None:
    """The codes by place, where every record at a place has the same one (coordinates,
    province, district, place names): a code per place instead of one per record."""
    if not len(codes):
        return None
    by_site = np.full(int(site.max()) + 1, -1, dtype=np.int64)
    by_site[site] = codes
    return by_site if (by_site[site] == codes).all() else None


def _csv_cells(values: pd.Series) -> list[str]:
    """Each value as pandas writes it into incidents.csv (geo.export.write_csv), unquoted."""
    text = values.to_frame().to_csv(index=False, header=False, lineterminator="\n")
    return [row[0] if row else "" for row in csv.reader(io.StringIO(text))]


def _utf16_length(text: str) -> int:
    """The length the page's strings give `text` (characters past U+FFFF count two)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _days(iso: pd.Series) -> np.ndarray:
    values = pd.to_datetime(iso, format="%Y-%m-%d").to_numpy("datetime64[D]")
    return values.astype(np.int64)


def _distinct(frame: pd.DataFrame, columns: tuple, formatter) -> tuple[list[str], np.ndarray]:
    """One popup field: each distinct combination of its columns formatted once, and codes."""
    combined = np.zeros(len(frame), dtype=np.int64)
    for c in columns:
        codes, uniques = pd.factorize(frame[c], use_na_sentinel=True)
        combined = combined * (len(uniques) + 1) + (codes + 1)
    codes, first = _first_uses(combined)
    rows = frame[list(columns)].iloc[first].astype(object)
    rows = rows.where(rows.notna(), None)
    values = [formatter(*row) for row in rows.itertuples(index=False, name=None)]
    return values, codes


def _first_uses(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes numbering the distinct keys in order of first use, and the row of each first use."""
    codes = pd.factorize(keys)[0]
    first = pd.Series(codes).drop_duplicates().index.to_numpy()
    return codes, first


def _within_budget(fields: list) -> set[int]:
    """Indexes of the fields the page carries: the wordiest leave first, past TEXT_BUDGET."""
    size = {k: sum(len(v) for v in f[3]) for k, f in enumerate(fields)}
    kept = set(size)
    for k in sorted(size, key=lambda k: -size[k]):
        if sum(size[j] for j in kept) <= TEXT_BUDGET:
            break
        kept.discard(k)
    return kept


def _pack(columns: dict[str, np.ndarray | str]) -> tuple[bytes, dict]:
    """Each column in the narrowest type that holds it, 8-byte aligned, gzipped together;
    a text column as UTF-8 ("Text" in the layout, with its length in bytes).

    `mtime=0` keeps the bytes the same from run to run.
    """
    parts, layout, offset = [], {}, 0
    for name, values in columns.items():
        if isinstance(values, str):
            data = values.encode("utf-8")
            layout[name] = ["Text", offset, len(data)]
            parts += [data, b"\0" * (-len(data) % 8)]
            offset += len(data) + (-len(data) % 8)
            continue
        values = np.asarray(values, dtype=np.int64)
        low, high = (int(values.min()), int(values.max())) if len(values) else (0, 0)
        kind, dtype = next((k, t) for k, t, lo, hi in WIDTHS if lo <= low and high <= hi)
        data = values.astype(dtype).astype(np.dtype(dtype).newbyteorder("<")).tobytes()
        layout[name] = [kind, offset, len(values)]
        padding = -len(data) % 8  # a typed array starts at a multiple of its item size
        parts += [data, b"\0" * padding]
        offset += len(data) + padding
    return gzip.compress(b"".join(parts), compresslevel=6, mtime=0), layout


def histogram(incidents: pd.DataFrame, weights: pd.Series | None = None) -> dict:
    """Incidents per calendar month of their start date, from the first month to the last;
    a row counts `weights` incidents where given (cell_rows)."""
    if incidents.empty:
        return {"months": [], "counts": []}
    starts = pd.to_datetime(incidents["date_start"]).dt.to_period("M")
    ones = pd.Series(1, index=starts.index) if weights is None else weights
    counts = ones.groupby(starts.to_numpy()).sum()
    months = pd.period_range(starts.min(), starts.max(), freq="M")
    return {
        "months": [day(m.start_time.date().isoformat()) for m in months],
        "counts": [int(counts.get(m, 0)) for m in months],
    }


def area_features(areas: gpd.GeoDataFrame, outlines: Mapping, sources: Mapping,
                  tolerance: float, facets: Sequence[dict] = ()) -> list[dict]:
    """Areas with an outline (province, district) draw it; others a circle: 'about here'.

    Each carries the days it is reported held (geo.timewindow.held_until), and
    its code in each facet (maps.filters; -1 where a facet is not for areas).
    """
    from shapely.geometry import mapping

    codes = [c if c is not None else np.full(len(areas), -1)
             for c in facet_codes(facets, areas, "areas")]
    features = []
    for row, (record, point) in enumerate(zip(areas.to_dict("records"), areas.geometry,
                                              strict=True)):
        properties = {
            "facets": [int(c[row]) for c in codes],
            "style": area_style(record["status"]),
            "popup": area_popup(record, sources),
            "tooltip": area_tooltip(record),
            "t0": day(record["date_start"]),
            "t1": day(held_until(record, sources)),
        }
        if record["area_id"] in outlines:
            geometry = outlines[record["area_id"]].simplify(tolerance)
        else:
            geometry = point
            properties["radius_m"] = AREA_RADIUS_M[int(record["geo_precision"])]
        features.append({"type": "Feature", "id": record["area_id"],
                         "geometry": mapping(geometry), "properties": properties})
    return features
