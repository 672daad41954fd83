"""--engine dask: the province join and extraction on a Dask cluster give the same bytes."""

from __future__ import annotations

import filecmp

import pytest

from bench.synthetic import write_dataset
from maps.cli import main
from tests.conftest import ROOT

OUTPUTS = ("incidents.csv", "areas.csv", "incidents.geojson", "areas.geojson",
           "provinces.geojson", "incidents.gpkg", "unresolved.csv", "map.html")
HELD_OUT = sorted((ROOT / "tests" / "fixtures").glob("heldout*/*.txt"))


@pytest.fixture(scope="module")
def synthetic_100k(tmp_path_factory, gazetteer):
    return write_dataset(100_000, tmp_path_factory.mktemp("synthetic"), gazetteer)


def _build(folder, out, *engine):
    code = main(["build", "--incidents", str(folder / "incidents.csv"),
                 "--areas", str(folder / "areas.csv"), "--sources", str(folder / "sources.csv"),
                 "--no-basemap", "--out", str(out), *engine])
    assert code == 0


@pytest.mark.slow  # 100k records built twice: about 21 s with the synthetic data
def test_dask_build_of_100k_records_is_byte_identical_to_one_process(
        synthetic_100k, scheduler, tmp_path):
    _build(synthetic_100k, tmp_path / "single")
    _build(synthetic_100k, tmp_path / "dask", "--engine", "dask", "--scheduler", scheduler)
    for name in OUTPUTS:
        assert filecmp.cmp(tmp_path / "single" / name, tmp_path / "dask" / name,
                           shallow=False), name


def test_dask_extraction_of_many_documents_matches_one_process(scheduler, tmp_path):
    assert len(HELD_OUT) > 20
    for engine, out in ((), "single"), (("--engine", "dask", "--scheduler", scheduler), "dask"):
        code = main(["extract", *map(str, HELD_OUT), "--out", str(tmp_path / out), *engine])
        assert code == 0
    for name in ("incidents.csv", "areas.csv", "sources.csv", "incidents.geojson",
                 "unresolved.csv"):
        assert filecmp.cmp(tmp_path / "single" / name, tmp_path / "dask" / name,
                           shallow=False), name
    assert (tmp_path / "dask" / "incidents.csv").read_text().count("\n") > 100


def test_dask_without_a_scheduler_starts_its_own_local_cluster(tmp_path, capsys):
    assert main(["build", "--no-basemap", "--out", str(tmp_path), "--engine", "dask"]) == 0
    printed = capsys.readouterr()
    assert "connecting to Dask (a local cluster)" in printed.err
    assert "records in: 40 (incidents 30, areas 10); placed: 37; unresolved: 3" in printed.out
    assert (tmp_path / "map.html").exists()


def test_unreachable_scheduler_is_a_clear_error(tmp_path, capsys):
    code = main(["build", "--out", str(tmp_path), "--engine", "dask",
                 "--scheduler", "tcp://127.0.0.1:9"])
    assert code == 2
    assert "cannot reach the Dask scheduler tcp://127.0.0.1:9" in capsys.readouterr().err
    assert not (tmp_path / "map.html").exists()


def test_scheduler_without_dask_engine_is_refused(capsys):
    with pytest.raises(SystemExit):
        main(["build", "--scheduler", "tcp://127.0.0.1:8786"])
    assert "--scheduler only applies with --engine dask" in capsys.readouterr().err
