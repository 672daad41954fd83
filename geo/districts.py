"""District polygons a user supplies (`--districts FILE`): names, admin2, outlines.

Any file geopandas reads, in any CRS. Each polygon becomes a gazetteer entry
at its representative point, points falling inside it get its name as
`admin2`, and an area named like the district it lies in is drawn as that
polygon instead of an approximate circle.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd

from geo.gazetteer import Place
from geo.geometry import valid_polygons
from geo.names import normalize, skeleton
from geo.records import LeftOutWarning, is_missing

# Name fields of common district datasets: geoBoundaries, OCHA COD-AB, GADM.
NAME_FIELDS = ("shapeName", "ADM2_EN", "NAME_2", "DISTRICT", "District", "district", "NAME",
               "name")


class DistrictError(ValueError):
    """A district file that cannot be used, with what to do about it."""


def read_districts(path: str | Path, name_field: str | None = None) -> gpd.GeoDataFrame:
    """Districts as a GeoDataFrame with columns `district` and `geometry`, in EPSG:4326.

    Invalid polygons are repaired before any join or outline uses them
    (geo.geometry.valid_polygons: logged, an InputWarning, and a LeftOutWarning
    for any left with no area).
    """
    path = Path(path)
    try:
        frame = gpd.read_file(path)
    except Exception as err:  # pyogrio raises several types for unreadable files
        raise DistrictError(f"{path}: cannot read district polygons: {err}") from None
    fields = [c for c in frame.columns if c != "geometry"]
    if name_field is None:
        name_field = next((f for f in NAME_FIELDS if f in fields), None)
        if name_field is None:
            raise DistrictError(f"{path}: no district name field found among {fields}; "
                                "name one with --districts-name-field")
    elif name_field not in fields:
        raise DistrictError(f"{path}: no field {name_field!r}; fields are {fields}")
    if frame.crs is None:
        raise DistrictError(f"{path}: has no CRS; save it with one (e.g. EPSG:4326)")
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    unnamed = frame[name_field].map(is_missing).astype(bool)
    if unnamed.any():
        warnings.warn(f"{path}: skipped {int(unnamed.sum())} polygons with no {name_field}",
                      LeftOutWarning, stacklevel=2)
        frame = frame[~unnamed]
    # Repaired in the CRS every later step works in: reprojecting can itself break a ring.
    frame = valid_polygons(frame.to_crs("EPSG:4326"), str(path), names=name_field)
    out = gpd.GeoDataFrame({"district": frame[name_field].astype(str).str.strip()},
                           geometry=frame.geometry.values, crs="EPSG:4326")
    return out.reset_index(drop=True)


def district_places(districts: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame,
                    source: str) -> list[Place]:
    """A gazetteer entry for each district, at a point inside its polygon."""
    points = gpd.GeoDataFrame(districts[["district"]],
                              geometry=districts.geometry.representative_point(), crs="EPSG:4326")
    joined = gpd.sjoin(points, provinces[["name", "country", "geometry"]], how="left",
                       predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    places = []
    for row, point in zip(joined.to_dict("records"), joined.geometry, strict=True):
        if not isinstance(row["country"], str):
            continue  # outside the provinces we know: no country to file it under
        places.append(Place(
            name=row["district"], country=row["country"],
            latitude=round(point.y, 6), longitude=round(point.x, 6),
            kind="district", geo_precision=2, source=f"{source}, representative point",
            admin1=row["name"], admin2=row["district"], curated=True,
        ))
    return places


def join_districts(points: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """`points` with `admin2` set from the polygon each lies in (kept where none does)."""
    joined = gpd.sjoin(points[["geometry"]], districts, how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    names = joined["district"].reindex(points.index)
    out = points.copy()
    if "admin2" in out.columns:
        out["admin2"] = names.fillna(out["admin2"]).astype(str).values
    return out


def district_outlines(areas: gpd.GeoDataFrame, districts: gpd.GeoDataFrame,
                      id_column: str = "area_id") -> dict:
    """Outlines for areas that name the district they lie in: {area id: polygon}."""
    joined = gpd.sjoin(areas[[id_column, "name", "geometry"]], districts, how="inner",
                       predicate="within")
    outlines = {}
    for row in joined.to_dict("records"):
        if _same_name(row["name"], row["district"]):
            outlines[row[id_column]] = districts.geometry.loc[row["index_right"]]
    return outlines


def _same_name(a: str, b: str) -> bool:
    return normalize(a)[0] == normalize(b)[0] or skeleton(a) == skeleton(b)
