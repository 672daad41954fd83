"""Polygons read from outside the code are made valid before anything clips, joins or
simplifies them.

GIS files often carry invalid polygons: a ring that crosses itself (a bow-tie
drawn by hand), a country cut at the antimeridian whose pieces meet along
+-180 (Fiji, Russia and Antarctica in npm world-atlas), holes wound into
their shells. Predicates mostly cope, but an overlay (a clip, an
intersection) can stop the whole run with a GEOS TopologyException, and a
join against a broken polygon can silently miss the points inside it. One
broken polygon must not stop a map, so each is repaired here, once, when its
file is read.

A ring in longitude and latitude that jumps more than 180 degrees from one
vertex to the next was stitched across the antimeridian (world-atlas joins
Fiji's Taveuni and Russia's Chukotka that way): read on a flat map it is a
sliver around the whole world, and make_valid alone would keep that sliver.
Such a polygon is first unrolled (np.unwrap) and cut at +-180 into its two
real halves; only a ring round a pole (Antarctica's) is left to make_valid.

Only the invalid ones are touched: a clean file costs one vectorised
`is_valid` pass. A repair keeps only the polygonal parts (make_valid returns
the lines and points a collapsed ring leaves, which a polygon layer cannot
use); a feature with no area left is dropped. What was repaired, and GEOS's
reason, is logged; the caller's warning category (geo.records.InputWarning
for the user's input) is raised once per file so `--strict` can stop on it.
"""

from __future__ import annotations

import logging
import warnings
from itertools import pairwise

import geopandas as gpd
import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry

from geo.records import InputWarning, LeftOutWarning

__all__ = ["lineal", "polygonal", "split_at_antimeridian", "split_lines_at_antimeridian",
           "valid_polygons"]

log = logging.getLogger(__name__)

POLYGONAL = ("Polygon", "MultiPolygon")
STITCHED = "a ring drawn across the antimeridian"
_NAMED = 5  # features named in one message; the rest are counted


def polygonal(geometry: BaseGeometry | None) -> BaseGeometry | None:
    """The polygon parts of `geometry`: itself when it is a (multi)polygon, else a
    MultiPolygon of the polygons inside the collection (empty when there are none)."""
    if geometry is None or geometry.geom_type in POLYGONAL:
        return geometry
    polygons = _parts(geometry, "Polygon")
    if len(polygons) == 1:
        return polygons[0]
    joined = MultiPolygon(polygons)
    # Touching parts make an invalid MultiPolygon; dissolving them is the rare, slow path.
    return joined if joined.is_valid else shapely.union_all(polygons)


def lineal(geometry: BaseGeometry | None) -> BaseGeometry | None:
    """The line parts of `geometry` (a clip of lines also returns the points where a line
    only touches the edge)."""
    if geometry is None or geometry.geom_type in ("LineString", "MultiLineString"):
        return geometry
    lines = _parts(geometry, "LineString")
    return lines[0] if len(lines) == 1 else MultiLineString(lines)


def _parts(geometry: BaseGeometry, kind: str) -> list[BaseGeometry]:
    """The non-empty single parts of `kind` in `geometry`, however deeply collected."""
    parts = np.array([geometry], dtype=object)
    while True:  # collections may hold multi-geometries (make_valid's output does)
        flat = shapely.get_parts(parts)
        if len(flat) == len(parts):
            break
        parts = flat
    return [p for p in parts if p.geom_type == kind and not p.is_empty]


def split_at_antimeridian(geometry: BaseGeometry) -> BaseGeometry:
    """`geometry` (longitude, latitude) with each polygon stitched across the antimeridian
    cut into its halves either side of +-180; other polygons as they are."""
    polygons = _parts(geometry, "Polygon")
    if not any(_jumps(p.exterior.coords) for p in polygons):
        return geometry
    pieces = []
    for polygon in polygons:
        pieces.extend(_parts(_cut(polygon), "Polygon") if _jumps(polygon.exterior.coords)
                      else [polygon])
    return MultiPolygon(pieces) if len(pieces) != 1 else pieces[0]


def split_lines_at_antimeridian(geometry: BaseGeometry) -> BaseGeometry:
    """`geometry`'s lines (longitude, latitude) cut where a segment crosses +-180, each end
    carried to the meridian at the latitude where the crossing lies: on a flat map the
    segment would otherwise run back across the whole world (Antarctica's coast does)."""
    lines = _parts(geometry, "LineString")
    if not any(_jumps(line.coords) for line in lines):
        return geometry
    pieces: list[list[list[float]]] = []
    for line in lines:
        points = np.asarray(line.coords, dtype=float)[:, :2].tolist()
        piece = [points[0]]
        for (x1, y1), (x2, y2) in pairwise(points):
            if abs(x2 - x1) > 180:
                side = 180.0 if x1 > 0 else -180.0  # the meridian the line leaves by
                beyond = x2 + 2 * side  # x2 unrolled onto the far side of it
                # A step from -180 to 180 along the meridian itself crosses at y1.
                y = y1 if beyond == x1 else y1 + (side - x1) / (beyond - x1) * (y2 - y1)
                pieces.append([*piece, [side, y]])
                piece = [[-side, y]]
            piece.append([x2, y2])
        pieces.append(piece)
    kept = [LineString(p) for p in pieces if len(p) > 1]
    return MultiLineString([line for line in kept if line.length > 0])


def _jumps(coords) -> bool:
    return bool((np.abs(np.diff(np.asarray(coords)[:, 0])) > 180).any())


def _cut(polygon: Polygon) -> BaseGeometry:
    """One stitched polygon unrolled into a continuous longitude range, then cut at +-180
    (and at each further turn of the world) and each piece moved back into -180..180.
    A ring round a pole does not close once unrolled: it is returned as it was, for
    make_valid."""
    shell = _unrolled(polygon.exterior.coords)
    if shell is None:
        return polygon
    holes = []
    for ring in polygon.interiors:
        hole = _unrolled(ring.coords)
        if hole is None:
            return polygon
        # Unrolled apart from the shell, a hole may sit one world away from it.
        hole[:, 0] += 360 * np.round((shell[:, 0].mean() - hole[:, 0].mean()) / 360)
        holes.append(hole)
    whole = Polygon(shell, holes)
    if not whole.is_valid:
        whole = polygonal(shapely.make_valid(whole))
    west = 360 * np.floor((shell[:, 0].min() + 180) / 360) - 180
    pieces = []
    for start in np.arange(west, shell[:, 0].max(), 360):
        piece = whole.intersection(box(start, -90, start + 360, 90))
        pieces.append(shapely.affinity.translate(piece, xoff=-180 - start))
    return shapely.GeometryCollection(pieces)


def _unrolled(coords) -> np.ndarray | None:
    """A ring's coordinates with no jump over 180 degrees of longitude; None when the ring
    goes round a pole (its end then lies a whole turn from its start)."""
    points = np.array(coords, dtype=float)
    points[:, 0] = np.unwrap(points[:, 0], period=360)
    return points if abs(points[-1, 0] - points[0, 0]) < 1e-9 else None


def valid_polygons(frame: gpd.GeoDataFrame, what: str, names: str | None = None,
                   warn: type[Warning] | None = InputWarning) -> gpd.GeoDataFrame:
    """`frame` with every invalid geometry made valid and cut down to its polygons.

    Invalid means invalid to GEOS or, in longitude and latitude, stitched across
    the antimeridian. `what` names the file in messages, `names` the column that
    names a feature (else its row label). `warn` is raised once when anything
    was repaired; None only logs, for the project's pinned data, which a user
    cannot fix and `--strict` should not stop on. A feature left with no polygon
    is dropped (a LeftOutWarning when `warn` is set). The same frame comes back,
    not a copy, when every geometry is valid.
    """
    geometry = frame.geometry
    geographic = frame.crs is None or frame.crs.is_geographic
    invalid = (geometry.notna() & ~geometry.is_valid).to_numpy().copy()
    if geographic:  # a stitched ring can be valid on the plane: a band round the world
        invalid |= _stitched(geometry.to_numpy())
    if not invalid.any():
        return frame
    labels = _labels(frame, invalid, names)
    reasons = [STITCHED if reason == "Valid Geometry" else reason
               for reason in shapely.is_valid_reason(geometry.to_numpy()[invalid])]
    log.info("%s: repairing %d invalid polygons: %s", what, len(labels),
             "; ".join(f"{label} ({reason})" for label, reason in zip(labels, reasons,
                                                                       strict=True)))
    fixed = geometry.to_numpy().copy()
    fixed[invalid] = [_repaired(g, geographic) for g in fixed[invalid]]
    lost = invalid & shapely.is_empty(fixed)
    out = frame.copy()
    out[geometry.name] = gpd.GeoSeries(fixed, index=frame.index, crs=frame.crs)
    if warn is not None:
        warnings.warn(f"{what}: repaired {len(labels)} invalid polygons: {_listed(labels)}",
                      warn, stacklevel=3)
    if lost.any():
        gone = _labels(frame, lost, names)
        message = f"{what}: left out {len(gone)} polygons with no area once repaired: " \
                  f"{_listed(gone)}"
        if warn is None:
            log.info("%s", message)
        else:
            warnings.warn(message, LeftOutWarning, stacklevel=3)
        out = out[~lost]
    return out


def _stitched(geometries: np.ndarray) -> np.ndarray:
    """Which geometries hold a ring stitched across the antimeridian (one that closes once
    unrolled: a ring round a pole does not, and is left alone). Only those over 180
    degrees wide can, so the vertices of the rest are never looked at."""
    found = np.zeros(len(geometries), dtype=bool)
    bounds = shapely.bounds(geometries)
    with np.errstate(invalid="ignore"):  # missing geometries have NaN bounds
        wide = np.flatnonzero(bounds[:, 2] - bounds[:, 0] > 180)
    for i in wide:
        # A ring round a pole also jumps, but is drawn as it should be: it is not cut.
        found[i] = any(_jumps(p.exterior.coords) and _unrolled(p.exterior.coords) is not None
                       for p in _parts(geometries[i], "Polygon"))
    return found


def _repaired(geometry: BaseGeometry, geographic: bool) -> BaseGeometry:
    """One invalid geometry made valid: cut at the antimeridian when it was stitched across
    it (longitude and latitude only), then make_valid if still needed; its polygons."""
    if geographic:
        geometry = split_at_antimeridian(geometry)
    return polygonal(geometry if geometry.is_valid else shapely.make_valid(geometry))


def _labels(frame: gpd.GeoDataFrame, rows: np.ndarray, names: str | None) -> list[str]:
    """How messages name the features at `rows`: their name, else their row label."""
    if names is not None and names in frame.columns:
        return [str(n) for n in frame.loc[rows, names]]
    return [f"feature {label}" for label in frame.index[rows]]


def _listed(labels: list[str]) -> str:
    shown = ", ".join(labels[:_NAMED])
    return shown + (f" and {len(labels) - _NAMED} more" if len(labels) > _NAMED else "")
