"""incident-map's data side: records -> geocoded GeoDataFrames -> provinces -> exports.

Nothing in this package knows about HTML; `maps` draws what it returns.
"""

__version__ = "0.1.0"
