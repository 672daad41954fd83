"""Province boundaries: the spatial join that names each point's province, and counts.

The province comes from the polygon a point falls in, not from the gazetteer's
admin code, so a curated point and a GeoNames point are judged the same way.
Points on a coast or border just outside a simplified polygon take the nearest
province within `NEAR_METRES`.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.gazetteer import read_provinces
from geo.names import normalize, skeleton
from geo.schema import DISAGREEMENT_COLUMNS, ID_COLUMN

__all__ = ["disagreements", "join_provinces", "province_counts", "read_provinces", "swapped",
           "within_polygons"]

NEAR_METRES = 10_000
# Equidistant enough across Afghanistan and Pakistan for a 10 km tolerance.
_METRIC_CRS = "EPSG:32642"


# A join engine finds, for each point, the polygons it lies within: rows of (point index, polygon
# position, province name). `within_polygons` in this process; geo.dask_engine on a cluster.
JoinEngine = Callable[[gpd.GeoDataFrame, gpd.GeoDataFrame], pd.DataFrame]


def join_provinces(points: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame,
                   join_engine: JoinEngine | None = None) -> gpd.GeoDataFrame:
    """Return `points` with `admin1` set to the province each point lies in.

    A point on a shared border takes the first province in `provinces`, so
    every way of running the join agrees. A province of another country than
    the record's is never its province (Termez, on the Uzbek bank, is not in
    Balkh however the polygon is simplified). A point in none of our provinces
    (a record abroad) keeps the admin1 it came with.
    """
    polygons = provinces[["name", "geometry"]].rename(columns={"name": "_province"})
    polygons = polygons.reset_index(drop=True)
    province_country = provinces["country"].reset_index(drop=True)
    pairs = (join_engine or within_polygons)(points[["geometry"]], polygons)
    pairs = pairs.sort_values(["_point", "index_right"], kind="stable")
    pairs = pairs[_same_country(points, pairs["_point"], pairs["index_right"], province_country)]
    first = pairs.drop_duplicates("_point", keep="first").set_index("_point")["_province"]
    names = first.reindex(points.index)
    missing = names.isna()
    if missing.any():
        near = gpd.sjoin_nearest(
            points.loc[missing, ["geometry"]].to_crs(_METRIC_CRS),
            polygons.to_crs(_METRIC_CRS),
            how="left",
            max_distance=NEAR_METRES,
        )
        near = near[~near.index.duplicated(keep="first")]
        near = near[_same_country(points, near.index, near["index_right"], province_country)]
        names[missing] = near["_province"].reindex(points[missing].index)
    out = points.copy()
    kept = out["admin1"] if "admin1" in out.columns else ""
    out["admin1"] = names.fillna(pd.Series(kept, index=out.index)).fillna("").astype(str).values
    return out


def _same_country(points: gpd.GeoDataFrame, point, polygon, province_country: pd.Series):
    """Per (point, polygon position) pair, whether the province is in the record's country
    (or the record states none)."""
    if "country" not in points.columns:
        return np.ones(len(point), dtype=bool)
    stated = points["country"].reindex(np.asarray(point)).fillna("").astype(str).to_numpy()
    theirs = province_country.reindex(np.asarray(polygon)).fillna("").astype(str).to_numpy()
    return (stated == "") | (stated == theirs)


def swapped(points: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame) -> pd.Series:
    """Points in none of the provinces that would be in one with latitude and longitude
    swapped: the commonest slip in a spreadsheet of coordinates."""
    outside = points["admin1"].eq("") if "admin1" in points else pd.Series(True, points.index)
    candidates = points[outside.to_numpy() & points.geometry.notna().to_numpy()]
    flipped = gpd.GeoDataFrame(geometry=gpd.points_from_xy(candidates.geometry.y,
                                                           candidates.geometry.x),
                               index=candidates.index, crs=points.crs)
    hits = gpd.sjoin(flipped, provinces[["geometry"]], how="inner", predicate="within")
    return pd.Series(points.index.isin(hits.index), index=points.index)


def within_polygons(points: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame) -> pd.DataFrame:
    """The spatial join in this process: (point index, polygon position, name) per match."""
    joined = gpd.sjoin(points, polygons, how="inner", predicate="within")
    return pd.DataFrame({"_point": joined.index, "index_right": joined["index_right"].to_numpy(),
                         "_province": joined["_province"].to_numpy()})


def disagreements(points: gpd.GeoDataFrame, stated: pd.Series, provinces: gpd.GeoDataFrame,
                  table: str) -> pd.DataFrame:
    """Records whose own province (`stated`, as the input wrote it) is not the one their point
    lies in, by more than a border's rounding (`NEAR_METRES`).

    Datasets name provinces in their own boundaries and spellings ("Urozgan",
    "Federally Administered Tribal Areas"); a name is matched to our polygons
    through their names and alternate names first. A stated name that matches
    none of them is listed too, with no distance: it cannot be checked.
    """
    stated = stated.reindex(points.index).fillna("").astype(str).str.strip()
    ours = points["admin1"]
    # Equal names: the point lies outside our polygons and kept the name it was given.
    asked = (stated != "") & (ours != "") & (stated != ours)
    if not asked.any():
        return pd.DataFrame(columns=list(DISAGREEMENT_COLUMNS))
    keys = _province_keys(provinces)
    resolved = stated[asked].map({name: _province_named(name, keys)
                                  for name in stated[asked].unique()})
    differs = resolved != ours[asked]
    rows = resolved[differs].index
    if rows.empty:
        return pd.DataFrame(columns=list(DISAGREEMENT_COLUMNS))
    shapes = provinces.set_index("name").geometry.to_crs(_METRIC_CRS)
    metric = points.loc[rows].geometry.to_crs(_METRIC_CRS)
    metres = pd.Series(float("nan"), index=rows)
    for name, at in resolved[differs].groupby(resolved[differs]).groups.items():
        if name in shapes.index:
            metres[at] = metric[at].distance(shapes[name]).to_numpy()
    far = metres.isna() | (metres > NEAR_METRES)
    listed = points.loc[rows[far.to_numpy()]]
    return pd.DataFrame({
        "table": table,
        "record_id": listed[ID_COLUMN[table]].to_numpy(),
        "source_file": listed["source_file"].to_numpy(),
        "input_line": listed["_line"].to_numpy() if "_line" in listed else None,
        "stated_admin1": stated[listed.index].to_numpy(),
        "admin1": listed["admin1"].to_numpy(),
        "km_outside_stated": (metres[listed.index] / 1000).round(1).to_numpy(),
    }, columns=list(DISAGREEMENT_COLUMNS))


def _province_keys(provinces: gpd.GeoDataFrame) -> dict[str, str]:
    """Folded names and alternate names (and their consonant skeletons) -> province name."""
    keys: dict[str, str] = {}
    for fold in (skeleton, lambda n: normalize(n)[0]):  # normalised keys win over skeletons
        for name, alternates in zip(provinces["name"], provinces["alt_names"], strict=True):
            for written in (name, *(a for a in alternates.split("|") if a)):
                keys[fold(written)] = name
    return keys


def _province_named(name: str, keys: dict[str, str]) -> str | None:
    return keys.get(normalize(name)[0]) or keys.get(skeleton(name))


def province_counts(
    provinces: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, areas: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Provinces with the number of incidents, deaths stated and areas reported in each.

    A record at country precision has no province (its admin1 is empty, see
    geo.pipeline) and so counts in none.
    """
    out = provinces.copy()
    by_name = incidents.groupby("admin1")
    out["incidents"] = out["name"].map(by_name.size()).fillna(0).astype(int)
    deaths = by_name["fatalities"].sum(min_count=1) if len(incidents) else pd.Series(dtype=int)
    out["deaths"] = out["name"].map(deaths).fillna(0).astype(int)
    out["areas"] = out["name"].map(areas.groupby("admin1").size()).fillna(0).astype(int)
    return out


def province_outlines(areas: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame) -> dict:
    """Province-level areas stand for their whole province: {area id: polygon}."""
    shapes = dict(zip(provinces["name"], provinces.geometry, strict=True))
    return {
        row["area_id"]: shapes[row["admin1"]]
        for row in areas[["area_id", "admin1", "geo_precision"]].to_dict("records")
        if row["geo_precision"] >= 3 and row["admin1"] in shapes
    }
