"""Dates for the contract: ISO text, and a date_start..date_end that its precision allows.

geo.records checks each incident's span against its precision ('day': one day,
'week': at most seven days apart, 'month': one calendar month or at most 31
days in all, 'year': one calendar year or at most 366 days in all). The
datasets state precision in their own codes, so the importers widen a date
into the span its precision means, or, where the dataset gives both ends,
pick the finest of our precisions that the span fits. All arithmetic is on
numpy datetime64[D] arrays: whole columns at a time.
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


# 3/14/2019 or 14/3/2019, with any time of day after it (12:00:00 AM).
SLASHED = r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T].*)?"
US, DAY_FIRST = "%m/%d/%Y", "%d/%m/%Y"


def slash_order(values: pd.Series, default: str | None) -> str | None:
    """The order of a column's slashed dates (US or DAY_FIRST), told by the file itself.

    A spreadsheet writes dates in its locale's order, the same for every row:
    one date with a first part above 12 makes the file day-first, one with a
    second part above 12 makes it US. Where no date tells (every part 12 or
    less), `default` is the order the download is known to use, and None
    means the order cannot be known. Raises ValueError when both orders occur.
    """
    slashed = values[values.str.contains("/", regex=False)]
    parts = slashed.str.extract(f"^{SLASHED}$")[[0, 1]].dropna().astype(int)
    if parts.empty:
        return default
    day_first, us = bool((parts[0] > 12).any()), bool((parts[1] > 12).any())
    if day_first and us:
        raise ValueError("mixes day/month/year and month/day/year dates")
    return DAY_FIRST if day_first else US if us else default


def parse(values: pd.Series, formats: tuple[str, ...]) -> np.ndarray:
    """Each text cell as a day, trying `formats` in turn; NaT where none of them fits.

    A time of day after a date (2017-07-31 00:00:00.000, 3/14/2019 12:00:00 AM)
    is dropped first.
    """
    values = values.str.replace(r"^(\S+)[ T]\d{1,2}:\d{2}.*$", r"\1", regex=True)
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
        (start.astype("datetime64[M]") == end.astype("datetime64[M]")) | (apart <= 30),
        (start.astype("datetime64[Y]") == end.astype("datetime64[Y]")) | (apart <= 365),
    )
    conditions = [known & (rank <= i) & fit for i, fit in enumerate(fits)]
    return np.select(conditions, DATE_PRECISIONS, default="").astype(object)


def iso(days: np.ndarray) -> pd.Series:
    """Days as YYYY-MM-DD text, "" for NaT (Arrow's cast: a million dates in a blink)."""
    return pd.Series(pa.array(days).cast(pa.string()).to_pandas()).fillna("").astype(str)
