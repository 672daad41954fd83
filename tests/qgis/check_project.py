"""Open a project in real QGIS and say, as JSON, what QGIS makes of it.

Run by tests/test_qgis_project.py with Debian's python3 (where python3-qgis
lives), headless:  python3 check_project.py PROJECT [FROM TO ...]

For each layer: valid or not, its features, renderer, labels and temporal
properties, and for each window FROM..TO (ISO dates, both days included) the
features its temporal filter keeps, as the Temporal Controller would at that
frame. Also the project's time range and default view; with --render=PNG first, the
default view drawn into PNG.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (
    QgsApplication,
    QgsDateTimeRange,
    QgsFeatureRequest,
    QgsProject,
    QgsVectorLayerTemporalContext,
)
from qgis.PyQt.QtCore import QDate, QDateTime, Qt, QTime


def day(text, days=0):
    date = QDate.fromString(text, "yyyy-MM-dd").addDays(days)
    return QDateTime(date, QTime(0, 0), Qt.UTC)


def describe(layer, windows):
    temporal = layer.temporalProperties()
    out = {"valid": layer.isValid(), "features": layer.featureCount(),
           "renderer": layer.renderer().type() if layer.renderer() else None,
           "labels": layer.labelsEnabled(), "geometry": layer.geometryType(),
           "temporal": {"active": temporal.isActive(), "mode": int(temporal.mode()),
                        "start_field": temporal.startField(), "end_field": temporal.endField(),
                        "start_expression": temporal.startExpression(),
                        "end_expression": temporal.endExpression()},
           "windows": {}, "rules": []}
    if out["renderer"] == "RuleRenderer":
        out["rules"] = [r.label() for r in layer.renderer().rootRule().descendants()]
    context = QgsVectorLayerTemporalContext()
    context.setLayer(layer)
    for since, until in windows:
        # The controller's frame for the days since..until: [since 00:00, until + 1 day).
        frame = QgsDateTimeRange(day(since), day(until, 1), True, False)
        expression = temporal.createFilterString(context, frame)
        request = QgsFeatureRequest().setFilterExpression(expression) if expression else \
            QgsFeatureRequest()
        out["windows"][f"{since}..{until}"] = sum(1 for _ in layer.getFeatures(request))
    return out


def render(project, path):
    """Draw the project's default view at 800x600, as QGIS draws it, into `path`."""
    from qgis.core import QgsMapRendererParallelJob, QgsMapSettings
    from qgis.PyQt.QtCore import QSize

    settings = QgsMapSettings()
    settings.setLayers(project.layerTreeRoot().layerOrder())
    settings.setDestinationCrs(project.crs())
    settings.setExtent(project.viewSettings().defaultViewExtent())
    settings.setOutputSize(QSize(800, 600))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    image.save(path)
    return sorted({f"#{image.pixel(x, y) & 0xFFFFFF:06x}" for x in range(0, 800)
                   for y in range(0, 600)})


def main():
    path, dates = sys.argv[1], sys.argv[2:]
    image = None
    if dates and dates[0].startswith("--render="):
        image, dates = dates[0].split("=", 1)[1], dates[1:]
    windows = list(zip(dates[::2], dates[1::2], strict=True))
    app = QgsApplication([], False)
    app.initQgis()
    project = QgsProject.instance()
    read = project.read(path)
    span = project.timeSettings().temporalRange()
    extent = project.viewSettings().defaultViewExtent()
    result = {
        "read": read,
        "layers": {layer.name(): describe(layer, windows)
                   for layer in project.mapLayers().values()},
        "order": [layer.name() for layer in project.layerTreeRoot().layerOrder()],
        "time_range": [span.begin().toString(Qt.ISODate), span.end().toString(Qt.ISODate)],
        "view": [extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum()],
        "crs": project.crs().authid(),
    }
    if image:
        result["colours"] = render(project, image)
    print(json.dumps(result))
    app.exitQgis()


main()
