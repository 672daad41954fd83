"""The Dask client, and the heavy steps of extract and publish on its cluster.

`--engine dask` connects here: to a local cluster (one worker process per
core) or to any scheduler given by address, whose workers must have
incident-map installed. `build` and `export` then run every step per piece
on the workers (geo.dask_pipeline). `extract` and `publish` run two steps
there: the spatial join, partitioned with dask-geopandas, and document
extraction as a dask bag (documents travel as text: the workers need no
access to the files). Loading, validation and writing stay in this process
for those two. Whatever runs where, the results are the ones the
single-process path gives, row for row: the join hands back (point, polygon)
pairs that `geo.boundaries.join_provinces` settles exactly as it settles its
own, and extraction keeps the documents' order.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import geopandas as gpd
import pandas as pd

from geo.extract import Extracted, Planned, extract_one
from geo.gazetteer import Gazetteer, load_gazetteer

CONNECT_TIMEOUT = "10s"
# Points per partition of the join: large enough that each task's cost is the join itself.
POINTS_PER_PARTITION = 250_000

log = logging.getLogger(__name__)


class EngineError(RuntimeError):
    """--engine dask asked for, and no scheduler answered."""


@contextmanager
def connected(scheduler: str | None = None) -> Iterator:
    """A client for the length of a run (see `connect`), closed afterwards; EngineError
    when Dask is not installed or the scheduler does not answer."""
    log.info("connecting to Dask (%s)", scheduler or "a local cluster")
    try:
        client = connect(scheduler)
    except ImportError as err:
        raise EngineError(str(err)) from None
    except (OSError, TimeoutError, ValueError) as err:
        raise EngineError(f"cannot reach the Dask scheduler {scheduler}: {err}") from None
    try:
        yield client
    finally:
        close(client)


def connect(scheduler: str | None = None):
    """A client of the scheduler at `scheduler` (e.g. tcp://10.0.0.5:8786), else of a new
    local cluster with one single-threaded worker process per core."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ImportError("--engine dask needs Dask: pip install 'incident-map[dask]'") from None

    if scheduler:
        return Client(scheduler, timeout=CONNECT_TIMEOUT)
    cluster = LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1,
                           processes=True, dashboard_address=":0")  # any free port
    return Client(cluster)


def close(client) -> None:
    """Close the client, and the local cluster if `connect` started one."""
    cluster = getattr(client, "cluster", None)
    client.close()
    if cluster is not None:
        cluster.close()


def join_engine_on(client):
    """A `geo.boundaries.JoinEngine` that joins points to polygons on `client`'s cluster."""

    def join(points: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame) -> pd.DataFrame:
        import dask_geopandas

        if points.empty:
            return pd.DataFrame({"_point": [], "index_right": [], "_province": []})
        partitions = max(1, -(-len(points) // POINTS_PER_PARTITION))
        frame = points.assign(_point=points.index)
        parts = dask_geopandas.from_geopandas(frame, npartitions=partitions)
        joined = dask_geopandas.sjoin(parts, polygons, how="inner", predicate="within")
        with warnings.catch_warnings():
            # The points travel inside the task graph on purpose: they are in this process
            # already, loaded and checked, and go to the workers once.
            warnings.filterwarnings("ignore", message="Sending large graph")
            result = client.compute(joined[["_point", "index_right", "_province"]]).result()
        return pd.DataFrame(result).reset_index(drop=True)

    return join


def bag_mapper(client):
    """A `geo.extract.Mapper` that extracts documents as a dask bag on `client`'s cluster."""

    def mapper(plan: list[Planned]) -> list[Extracted]:
        import dask.bag

        if not plan:
            return []
        bag = dask.bag.from_sequence(plan, npartitions=min(len(plan), 4 * _workers(client)))
        return client.compute(bag.map(_extract_on_worker)).result()

    return mapper


def _workers(client) -> int:
    return max(1, len(client.scheduler_info().get("workers", {})))


def _extract_on_worker(item: Planned) -> Extracted:
    return extract_one(item, _gazetteer())


@cache
def _gazetteer() -> Gazetteer:
    """Each worker loads the gazetteer once, from its own cache, rather than receive it."""
    return load_gazetteer()
