"""Which records a time window holds: one rule for the map and for every export.

An incident is in a window when its date interval overlaps it. An area is in
a window while it is reported held: from `date_start` to `date_end`, or, when
its source still reports it held, to the end of that source's publication
date (the last day anyone said so).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd


def held_until(area: Mapping, sources: Mapping[str, Mapping]) -> str:
    """The last day an area is known to be held (ISO date)."""
    if area["date_end"]:
        return area["date_end"]
    end = publication_end(sources.get(area["source_id"], {}))
    return area["date_start"] if end is None else max(end, area["date_start"])


def publication_end(source: Mapping) -> str | None:
    """The last day of a source's publication date (2018-01 gives 2018-01-31), or None
    when it has none ("undated": an area it reports is known held on its first date only)."""
    published = str(source.get("published", ""))
    if not published:
        return None
    freq = {10: "D", 7: "M", 4: "Y"}.get(len(published), "D")
    try:
        return pd.Period(published, freq=freq).end_time.date().isoformat()
    except ValueError:
        return None


def in_window(frame: pd.DataFrame, table: str, since: str | None, until: str | None,
              sources: Mapping[str, Mapping]) -> pd.Series:
    """A boolean mask of the rows of `frame` ("incidents" or "areas") inside [since, until]."""
    starts = frame["date_start"]
    if table == "areas":
        ends = pd.Series([held_until(r, sources) for r in frame.to_dict("records")],
                         index=frame.index, dtype=object)
    else:
        ends = frame["date_end"]
    mask = pd.Series(True, index=frame.index)
    if since:
        mask &= ends >= since
    if until:
        mask &= starts <= until
    return mask
