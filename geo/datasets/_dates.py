"""Dates for the contract: ISO text, and a date_start..date_end that its precision allows.

geo.records checks each incident's span against its precision ('day': one day,
'week': at most seven days apart, 'month': one calendar month, 'year': one
calendar year). The datasets state precision in their own codes, so the
importers widen a date into the span its precision means, or, where the
dataset gives both ends, pick the finest of our precisions that the span fits.
All arithmetic is on numpy datetime64[D] arrays: whole columns at a time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from geo.schema import DATE_PRECISIONS

NAT = np.datetime64("NaT", "D")
# A week-precision date is read as the middle of its week: three days either side
# (seven days in all, the widest span our 'week' allows).
HALF_WEEK = np.timedelta64(3, "D")


def parse(values: pd.Series, formats: tuple[str, ...]) -> np.ndarray:
    """Each text cell as a day, trying `formats` in turn; NaT where none of them fits."""
    out = np.full(len(values), NAT)
    left = (values != "").to_numpy(dtype=bool, copy=True)
    for fmt in formats:
        if not left.any():
            break
        parsed = pd.to_datetime(values[left], format=fmt, errors="coerce")
        days = parsed.to_numpy().astype("datetime64[D]")
        ok = ~np.isnat(days)
        rows = np.flatnonzero(left)[ok]
        out[rows] = days[ok]
        left[rows] = False
    return out


def span(day: np.ndarray, precision: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """date_start and date_end for a single `day` known only to `precision`.

    'month' widens to the first..last day of that month, 'year' to 1 January..
    31 December, 'week' to three days either side; 'day' stays as it is.
    """
    month = day.astype("datetime64[M]")
    year = day.astype("datetime64[Y]")
    week = precision == "week"
    in_month = precision == "month"
    in_year = precision == "year"
    start = day.copy()
    end = day.copy()
    start[week] = day[week] - HALF_WEEK
    end[week] = day[week] + HALF_WEEK
    start[in_month] = month[in_month].astype("datetime64[D]")
    end[in_month] = (month[in_month] + 1).astype("datetime64[D]") - 1
    start[in_year] = year[in_year].astype("datetime64[D]")
    end[in_year] = (year[in_year] + 1).astype("datetime64[D]") - 1
    return start, end


def fitting(start: np.ndarray, end: np.ndarray, at_least: np.ndarray) -> np.ndarray:
    """The finest precision, no finer than `at_least`, whose rule start..end keeps.

    `at_least` is the dataset's own precision as text ("day".."year"): the
    result never claims more than the dataset does, and is coarser only where
    the dates need it (a 'month' whose dates cross into the next month is a
    'year'). "" where no precision fits (dates in two years, or missing).
    """
    rank = pd.Series(at_least).map({p: i for i, p in enumerate(DATE_PRECISIONS)})
    rank = rank.fillna(len(DATE_PRECISIONS)).to_numpy()
    known = ~np.isnat(start) & ~np.isnat(end)
    apart = (end - start).astype("timedelta64[D]").astype("int64")
    fits = (
        apart == 0,
        apart <= 7,
        start.astype("datetime64[M]") == end.astype("datetime64[M]"),
        start.astype("datetime64[Y]") == end.astype("datetime64[Y]"),
    )
    conditions = [known & (rank <= i) & fit for i, fit in enumerate(fits)]
    return np.select(conditions, DATE_PRECISIONS, default="").astype(object)


def iso(days: np.ndarray) -> pd.Series:
    """Days as YYYY-MM-DD text, "" for NaT (Arrow's cast: a million dates in a blink)."""
    return pd.Series(pa.array(days).cast(pa.string()).to_pandas()).fillna("").astype(str)
