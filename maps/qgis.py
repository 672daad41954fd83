"""A QGIS project beside the GeoPackage: incidents.qgz, styled like the map, timeline set.

The project is QGIS's own XML (a .qgs zipped into .qgz), written here rather
than by QGIS so that exporting needs no QGIS. It points at the GeoPackage's
three layers by relative path and gives them:

- incidents: a colour per event type (maps.style.EVENT_COLOURS), sized by the
  death toll as the page sizes them (RADIUS), filled where the place is the
  site itself and hollow and dashed where it is approximate (MARKER_LOOKS);
- areas: a colour per status (AREA_COLOURS), drawn as circles of the map's
  radius in metres (AREA_RADIUS_M), lightly filled and dashed;
- provinces: shaded by incident count in the map's steps (PROVINCE_STEPS);
- the Temporal Controller: incidents from `date_start` to `date_end`, areas
  from `date_start` to the day they are last reported held
  (geo.timewindow.held_until: `date_end`, else their source's publication),
  and the project's range spanning the records. Labels are off.

Tested by opening it in real QGIS (tests/qgis_check.py).
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path
from xml.etree import ElementTree as ET

from geo.atomic import replacing
from geo.export import FORMATS, Format
from geo.pipeline import Placed
from geo.schema import AREA_STATUSES, EVENT_TYPES, GEO_PRECISIONS
from geo.timewindow import held_until, publication_end
from maps.style import (
    AREA_COLOURS,
    AREA_RADIUS_M,
    EVENT_COLOURS,
    EXACT_PRECISION,
    MARKER_LOOKS,
    PROVINCE_COLOURS,
    PROVINCE_STEPS,
    RADIUS,
)

GEOPACKAGE = "incidents.gpkg"
PROJECT = "incidents.qgz"
QGIS_VERSION = "3.22.0-Białowieża"
# Page pixels to millimetres at 96 dpi, so markers come out the size they are on the page.
MM_PER_PX = 25.4 / 96
# QgsVectorLayerTemporalProperties' mode "start and end from expressions". Its "from
# fields" mode takes a date as the instant of its midnight and keeps a feature only if its
# end is after the frame's start, so a one-day incident would be in no frame of a day; a
# record instead lasts from its first day's midnight to the midnight after its last day,
# and a frame keeps what the map's window keeps (geo.timewindow).
FROM_EXPRESSIONS = "4"
START = 'to_datetime("date_start")'
# EPSG:4326 as QGIS reads it (QGIS takes a layer's CRS from its WKT, not its authid).
WGS84 = {"wkt": 'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
                'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
                'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,'
                'AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]',
         "proj4": "+proj=longlat +datum=WGS84 +no_defs", "srid": "4326",
         "authid": "EPSG:4326", "description": "WGS 84", "projectionacronym": "longlat",
         "ellipsoidacronym": "EPSG:7030", "geographicflag": "true"}
# The zip entries' time: a fixed one, so the same records give the same bytes.
ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def write_project(placed: Placed, path: str | Path, sources: Mapping[str, Mapping]) -> Path:
    """Write the QGIS project for the GeoPackage beside `path`."""
    root = ET.Element("qgis", version=QGIS_VERSION, projectname="incident-map")
    ET.SubElement(root, "title").text = "incident-map: incidents, areas and provinces"
    _crs(ET.SubElement(root, "projectCrs"))
    layers = [_incidents(), _areas(placed, sources), _provinces()]
    tree = ET.SubElement(root, "layer-tree-group")
    for name, _, _ in layers:
        ET.SubElement(tree, "layer-tree-layer", id=_layer_id(name), name=name, providerKey="ogr",
                      source=_source(name), checked="Qt::Checked", expanded="1")
    holder = ET.SubElement(root, "projectlayers")
    for name, geometry, (renderer, temporal) in layers:
        holder.append(_maplayer(name, geometry, renderer, temporal))
    properties = ET.SubElement(root, "properties")
    ET.SubElement(ET.SubElement(properties, "Paths"), "Absolute", type="bool").text = "false"
    ET.SubElement(ET.SubElement(properties, "SpatialRefSys"), "ProjectionsEnabled",
                  type="int").text = "1"  # else QGIS ignores projectCrs
    _view(root, placed)
    _time(root, placed, sources)
    text = ET.tostring(root, encoding="unicode")
    document = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + text + "\n"
    path = Path(path)
    with replacing(path) as part, zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as archive:
        entry = zipfile.ZipInfo(path.with_suffix(".qgs").name, date_time=ZIP_TIME)
        entry.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(entry, document.encode("utf-8"))
    return path


def _layer_id(layer: str) -> str:
    """QGIS keeps a layer's id only if it is over 10 characters long, and makes one up
    otherwise, which the layer tree then cannot find."""
    return f"{layer}_layer"


def _source(layer: str) -> str:
    return f"./{GEOPACKAGE}|layername={layer}"


def _crs(parent: ET.Element) -> None:
    system = ET.SubElement(parent, "spatialrefsys")
    for key, value in WGS84.items():
        ET.SubElement(system, key).text = value


def _maplayer(name: str, geometry: str, renderer: ET.Element,
              temporal: ET.Element | None) -> ET.Element:
    layer = ET.Element("maplayer", type="vector", geometry=geometry, labelsEnabled="0")
    for key, value in (("id", _layer_id(name)), ("datasource", _source(name)),
                       ("layername", name)):
        ET.SubElement(layer, key).text = value
    _crs(ET.SubElement(layer, "srs"))
    ET.SubElement(layer, "provider", encoding="UTF-8").text = "ogr"
    if temporal is not None:
        layer.append(temporal)
    layer.append(renderer)
    return layer


def _temporal(mode: str, **fields: str) -> ET.Element:
    temporal = ET.Element("temporal", enabled="1", mode=mode, accumulate="0", limitMode="0",
                          durationUnit="d", fixedDuration="0", durationField="",
                          startField="", endField="", startExpression="", endExpression="")
    temporal.attrib.update(fields)
    return temporal


def _incidents() -> tuple:
    """Rules: one per event type, split into the exact places (filled) and the rest."""
    size = (f'min({RADIUS["most"]}, {RADIUS["base"]} + {RADIUS["per_sqrt_death"]} * '
            f'sqrt(coalesce("fatalities", 0))) * {2 * MM_PER_PX:.4f}')
    rules, symbols = [], []
    for kind in EVENT_TYPES:
        children = []
        for look, test in (("exact", f'"geo_precision" = {EXACT_PRECISION}'),
                           ("approximate", f'coalesce("geo_precision", 0) <> {EXACT_PRECISION}')):
            children.append((f"{look}", test, len(symbols), []))
            symbols.append(_marker(EVENT_COLOURS[kind], MARKER_LOOKS[look], size, "MM"))
        rules.append((kind.replace("_", " "), f"\"event_type\" = '{kind}'", None, children))
    renderer = _rule_renderer(rules, symbols)
    return "incidents", "Point", (renderer, _temporal(
        FROM_EXPRESSIONS, startField="date_start", endField="date_end",
        startExpression=START, endExpression=_day_after('"date_end"')))


def _areas(placed: Placed, sources: Mapping[str, Mapping]) -> tuple:
    look = {"fillOpacity": 0.15, "weight": 2, "dash": [6, 4]}
    size = "CASE " + " ".join(f'WHEN "geo_precision" = {p} THEN {2 * AREA_RADIUS_M[p]}'
                              for p in GEO_PRECISIONS) + f" ELSE {2 * AREA_RADIUS_M[1]} END"
    rules = [(status.replace("_", " "), f"\"status\" = '{status}'", k, [])
             for k, status in enumerate(AREA_STATUSES)]
    symbols = [_marker(AREA_COLOURS[s], look, size, "RenderMetersInMapUnits")
               for s in AREA_STATUSES]
    return "areas", "Point", (_rule_renderer(rules, symbols), _temporal(
        FROM_EXPRESSIONS, startField="date_start", endField="date_end",
        startExpression=START, endExpression=_day_after(_held_until(placed, sources))))


def _day_after(expression: str) -> str:
    return f"to_datetime({expression}) + to_interval('1 day')"


def _held_until(placed: Placed, sources: Mapping[str, Mapping]) -> str:
    """held_until as a QGIS expression: date_end, else the last day its source reports it
    held (geo.timewindow.publication_end, per source), never before date_start."""
    pairs = []
    for source_id in sorted(set(placed.areas["source_id"])):
        last = publication_end(sources.get(source_id, {}))
        if last is not None:
            pairs += [_quote(source_id), _quote(last)]
    if not pairs:
        return 'coalesce("date_end", "date_start")'
    last = f'to_date(map_get(map({", ".join(pairs)}), "source_id"))'
    return (f'coalesce("date_end", CASE WHEN {last} > "date_start" THEN {last} '
            'ELSE "date_start" END)')


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _provinces() -> tuple:
    bounds = [*PROVINCE_STEPS[1:], None]
    rules, symbols = [], []
    for k, (low, high, colour) in enumerate(zip(PROVINCE_STEPS, bounds, PROVINCE_COLOURS,
                                                strict=True)):
        test = f'"incidents" >= {low}' + (f' AND "incidents" < {high}' if high else "")
        label = f"{low}+" if high is None else (f"{low}" if high == low + 1
                                                else f"{low}-{high - 1}")
        rules.append((f"{label} incidents", test, k, []))
        symbols.append(_symbol("fill", "SimpleFill", {
            "color": _rgba(colour, 0.55), "outline_color": _rgba("#666666"),
            "outline_width": f"{0.8 * MM_PER_PX:.3f}", "outline_width_unit": "MM",
            "style": "solid", "outline_style": "solid"}))
    return "provinces", "Polygon", (_rule_renderer(rules, symbols), None)


def _rule_renderer(rules: list, symbols: list[ET.Element]) -> ET.Element:
    """A RuleRenderer of `rules`: (label, filter, symbol number or None, child rules)."""
    renderer = ET.Element("renderer-v2", type="RuleRenderer", symbollevels="0",
                          forceraster="0", enableorderby="0")
    top = ET.SubElement(renderer, "rules", key="root")
    counter = iter(range(10_000))

    def add(parent: ET.Element, label: str, test: str, symbol, children) -> None:
        rule = ET.SubElement(parent, "rule", key=f"rule{next(counter)}", label=label,
                             filter=test)
        if symbol is not None:
            rule.set("symbol", str(symbol))
        for child in children:
            add(rule, *child)

    for rule in rules:
        add(top, *rule)
    holder = ET.SubElement(renderer, "symbols")
    for number, symbol in enumerate(symbols):
        symbol.set("name", str(number))
        holder.append(symbol)
    return renderer


def _marker(colour: str, look: Mapping, size: str, unit: str) -> ET.Element:
    """A circle marker in the page's look: fill opacity, outline width, dashes."""
    return _symbol("marker", "SimpleMarker", {
        "name": "circle", "color": _rgba(colour, look["fillOpacity"]),
        "outline_color": _rgba(colour), "outline_width": f"{look['weight'] * MM_PER_PX:.3f}",
        "outline_width_unit": "MM", "outline_style": "dash" if look["dash"] else "solid",
        "size": "3", "size_unit": unit, "scale_method": "diameter"}, size=size)


def _symbol(kind: str, layer_class: str, options: Mapping[str, str],
            **expressions: str) -> ET.Element:
    """A one-layer symbol; `expressions` are data-defined properties of the layer."""
    symbol = ET.Element("symbol", type=kind, alpha="1", clip_to_extent="1", force_rhr="0")
    layer = ET.SubElement(symbol, "layer", {"class": layer_class, "pass": "0",
                                            "enabled": "1", "locked": "0"})
    values = ET.SubElement(layer, "Option", type="Map")
    for key, value in options.items():
        ET.SubElement(values, "Option", type="QString", name=key, value=value)
    defined = ET.SubElement(ET.SubElement(layer, "data_defined_properties"), "Option",
                            type="Map")
    ET.SubElement(defined, "Option", type="QString", name="name", value="")
    properties = ET.SubElement(defined, "Option", type="Map", name="properties")
    for name, expression in expressions.items():
        prop = ET.SubElement(properties, "Option", type="Map", name=name)
        ET.SubElement(prop, "Option", type="bool", name="active", value="true")
        ET.SubElement(prop, "Option", type="QString", name="expression", value=expression)
        ET.SubElement(prop, "Option", type="int", name="type", value="3")
    ET.SubElement(defined, "Option", type="QString", name="type", value="collection")
    return symbol


def _rgba(colour: str, opacity: float = 1.0) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"{r},{g},{b},{round(opacity * 255)}"


def _view(root: ET.Element, placed: Placed) -> None:
    """Open on the records: the project's default view is their extent, padded."""
    frames = [f for f in (placed.incidents, placed.areas) if len(f)] or [placed.provinces]
    xmin = min(f.total_bounds[0] for f in frames) - 0.5
    ymin = min(f.total_bounds[1] for f in frames) - 0.5
    xmax = max(f.total_bounds[2] for f in frames) + 0.5
    ymax = max(f.total_bounds[3] for f in frames) + 0.5
    view = ET.SubElement(root, "ProjectViewSettings", UseProjectScales="0", rotation="0")
    ET.SubElement(view, "Scales")
    extent = ET.SubElement(view, "DefaultViewExtent", xmin=f"{xmin:.4f}", ymin=f"{ymin:.4f}",
                           xmax=f"{xmax:.4f}", ymax=f"{ymax:.4f}")
    _crs(extent)


def _time(root: ET.Element, placed: Placed, sources: Mapping[str, Mapping]) -> None:
    """The Temporal Controller's range: the first start to the last end, a month a step."""
    starts = [*placed.incidents["date_start"], *placed.areas["date_start"]]
    ends = [*placed.incidents["date_end"],
            *(held_until(a, sources) for a in placed.areas.to_dict("records"))]
    settings = ET.SubElement(root, "ProjectTimeSettings", timeStep="1", timeStepUnit="mon",
                             frameRate="1", cumulativeTemporalRange="0")
    if starts:
        span = ET.SubElement(settings, "TemporalRange")
        ET.SubElement(span, "start").text = f"{min(starts)}T00:00:00Z"
        ET.SubElement(span, "end").text = f"{max(ends)}T23:59:59Z"


def _gpkg_and_project(placed: Placed, out: Path, sources: Mapping[str, Mapping]) -> None:
    FORMATS["gpkg"].write(placed, out, sources)
    write_project(placed, out / PROJECT, sources)


# geo.export's GeoPackage with the project beside it: what `export` and `build` write.
GPKG_WITH_PROJECT = Format((*FORMATS["gpkg"].files, PROJECT), _gpkg_and_project)
