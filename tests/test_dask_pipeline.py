"""build/export --engine dask end to end: 240,000 records in 8 files, read, checked, placed and
written piece by piece on a 2-worker cluster, against the one-process path."""

from __future__ import annotations

import csv
import filecmp

import geopandas as gpd
import pandas as pd
import pytest

from bench.synthetic import write_dataset
from maps.cli import main
from tests.conftest import SEEDS, Page, write_records

FILES = 8
BAD_FILE = 6  # the file with the bad row, and the row: deep enough to be in a later piece
BAD_ROW = 20_000
PIECE_MB = "1"  # about 6 pieces per file of 30,000 rows
SAME = ("incidents.csv", "incidents.geojson", "incidents.gpkg", "areas.csv", "provinces.geojson",
        "unresolved.csv", "rejected.csv", "reconciliation.csv", "disagreements.csv", "map.html")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory, gazetteer):
    """8 incident files of 30,000 rows; file 6 has a date that does not exist at row 20,000,
    and file 7 repeats an event id of file 2."""
    folder = write_dataset(FILES * 30_000, tmp_path_factory.mktemp("eight"), gazetteer)
    lines = (folder / "incidents.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    files = []
    for k in range(FILES):
        part = rows[k * 30_000:(k + 1) * 30_000]
        if k + 1 == BAD_FILE:
            part[BAD_ROW - 1] = _bad_date(part[BAD_ROW - 1])
        if k + 1 == 7:
            part[100] = rows[30_000 + 5]  # the sixth row of file 2, again
        path = folder / f"incidents-{k + 1}.csv"
        path.write_text(header + "".join(part), encoding="utf-8")
        files.append(path)
    (folder / "incidents.csv").unlink()
    return folder, files


def _problems(stderr: str) -> list[str]:
    """The lines of an error that name a file and line."""
    return [line for line in stderr.splitlines() if not line.startswith("incident-map:")]


def _bad_date(row: str) -> str:
    event_id, _, rest = row.split(",", 2)
    return f"{event_id},2019-02-30,{rest}"


def _build(dataset, out, *extra) -> int:
    folder, files = dataset
    return main(["build", "--incidents", *map(str, files), "--areas", str(folder / "areas.csv"),
                 "--sources", str(folder / "sources.csv"), "--no-basemap", "--out", str(out),
                 *extra])


def _dask(scheduler, *extra):
    return ("--engine", "dask", "--scheduler", scheduler, "--partition-mb", PIECE_MB, *extra)


@pytest.fixture(scope="module")
def single(dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("single")
    assert _build(dataset, out, "--keep-going") == 4
    return out


@pytest.fixture(scope="module")
def kept(dataset, scheduler, tmp_path_factory):
    """The dask build with --keep-going: the bad row and the repeated id left out."""
    out = tmp_path_factory.mktemp("kept")
    assert _build(dataset, out, "--keep-going", *_dask(scheduler)) == 4
    return out


@pytest.mark.slow  # 240,000 records through both engines: about a minute
def test_bad_row_in_file_6_is_named_by_its_line_and_nothing_is_written(
        dataset, scheduler, tmp_path, capsys):
    assert _build(dataset, tmp_path / "one") == 2
    expected = capsys.readouterr().err
    assert _build(dataset, tmp_path / "dask", *_dask(scheduler)) == 2
    printed = capsys.readouterr().err
    bad = f"incidents-{BAD_FILE}.csv:{BAD_ROW + 1}: column 'date_start': value '2019-02-30'"
    repeat = "incidents-7.csv:102: column 'event_id': value 'syn-0030005': repeats the id of"
    for text in (printed, expected):
        assert bad in text
        assert repeat in text and "incidents-2.csv:7" in text
    assert _problems(printed) == _problems(expected)
    assert not (tmp_path / "dask" / "incidents.parquet").exists()
    assert not list((tmp_path / "dask").glob(".incidents.parquet*"))
    assert not (tmp_path / "dask" / "map.html").exists()


@pytest.mark.slow
def test_keep_going_gives_the_one_process_outputs_byte_for_byte(single, kept):
    out = kept
    for name in SAME:
        assert filecmp.cmp(single / name, out / name, shallow=False), name
    rejected = pd.read_csv(out / "rejected.csv")
    assert list(rejected["line"]) == [BAD_ROW + 1, 102]  # by file: 6, then 7
    assert (pd.read_csv(out / "reconciliation.csv").set_index("table").loc["incidents"]
            [["records_in", "placed", "rejected"]].tolist() == [240_000, 239_998, 2])


@pytest.mark.slow
def test_partitioned_parquet_holds_the_csv_rows_by_year(single, kept):
    out = kept
    expected = pd.read_csv(single / "incidents.csv", dtype=str, keep_default_na=False)
    parts = sorted((out / "incidents.parquet").glob("year=*/part-*.parquet"))
    assert {p.parent.name for p in parts} == {f"year={y}" for y in range(2015, 2025)}
    assert len({p.name for p in parts}) > 40  # many pieces, each writing its own files
    found = gpd.read_parquet(out / "incidents.parquet")
    found = found.sort_values(["date_start", "event_id"]).reset_index(drop=True)
    assert len(found) == len(expected) == 239_998
    assert list(found["event_id"]) == list(expected["event_id"])
    assert [d.isoformat() for d in found["date_start"]] == list(expected["date_start"])
    assert found["fatalities"].astype("Int64").fillna(-1).tolist() == \
        pd.to_numeric(expected["fatalities"]).fillna(-1).astype(int).tolist()
    assert (found["year"].astype(int) == found["date_start"].map(lambda d: d.year)).all()
    assert (found.geometry.x.round(5) == expected["longitude"].astype(float)).all()


@pytest.fixture(scope="module")
def counted(dataset, scheduler, tmp_path_factory):
    """The build above --map-records: the map carries counts per cell, not records."""
    out = tmp_path_factory.mktemp("counted")
    assert _build(dataset, out, "--keep-going", *_dask(scheduler, "--map-records", "1000")) == 4
    return out


# Whole months: at this scale an incident counts in the month it starts.
MONTH_WINDOWS = [("2015-01-01", "2024-12-31"), ("2019-01-01", "2019-12-31"),
                 ("2016-03-01", "2016-03-31"), ("2021-07-01", "2022-02-28")]


@pytest.mark.slow
@pytest.mark.parametrize("start, end", MONTH_WINDOWS)
def test_counted_map_shows_the_records_of_each_window(browser, counted, start, end):
    records = pd.read_parquet(counted / "incidents.parquet",
                               columns=["date_start", "admin1", "event_type", "fatalities"])
    month = records["date_start"].map(lambda d: d.isoformat()[:7])
    shown = records[(month >= start[:7]) & (month <= end[:7])]
    deaths = shown["fatalities"].astype("Int64").fillna(0).astype(int)
    page = Page(browser, counted / "map.html")
    page.js("([a, b]) => incidentMap.setWindow(a, b)", [start, end])
    assert page.visible() == {"incidents": len(shown), "areas": 0, "deaths": int(deaths.sum())}
    by_province = shown.groupby("admin1").size()
    found = {k: v["incidents"] for k, v in page.js("incidentMap.provinces()").items()
             if v["incidents"]}
    assert found == {k: int(v) for k, v in by_province.items() if k}
    page.js("incidentMap.setFilter({event_type: ['bombing', 'suicide_attack']})")
    chosen = shown["event_type"].isin(["bombing", "suicide_attack"])
    assert page.visible()["incidents"] == int(chosen.sum())
    assert page.js("incidentMap.groups()")  # drawn as counted groups
    if start == "2019-01-01":
        page.screenshot("counted-cells")
    page.close()


@pytest.mark.slow
def test_above_the_map_threshold_only_counts_come_back(single, counted):
    out = counted
    for name in ("provinces.geojson", "rejected.csv", "reconciliation.csv", "unresolved.csv",
                 "areas.csv"):
        assert filecmp.cmp(single / name, out / name, shallow=False), name
    assert not (out / "incidents.csv").exists()
    assert not (out / "incidents.gpkg").exists()
    assert len(gpd.read_parquet(out / "incidents.parquet")) == 239_998


def test_parquet_input_is_read_in_row_groups_with_rows_named(scheduler, tmp_path, capsys):
    seeds = tmp_path / "seeds"
    assert main(["export", "--format", "parquet", "--out", str(seeds)]) == 0
    table = gpd.read_parquet(seeds / "incidents.parquet")
    table.loc[3, "event_type"] = "ambush"
    table.to_parquet(tmp_path / "edited.parquet", row_group_size=7)
    code = main(["build", "--incidents", str(tmp_path / "edited.parquet"), "--no-basemap",
                 "--out", str(tmp_path / "out"), *_dask(scheduler)])
    assert code == 2
    assert f"{tmp_path / 'edited.parquet'}:4: column 'event_type': value 'ambush'" \
        in capsys.readouterr().err
    assert main(["build", "--incidents", str(seeds / "incidents.parquet"), "--no-basemap",
                 "--out", str(tmp_path / "out"), *_dask(scheduler)]) == 0
    assert main(["build", "--no-basemap", "--out", str(tmp_path / "csv")]) == 0
    for name in ("incidents.csv", "provinces.geojson"):  # the 3 unresolved are not in it
        assert filecmp.cmp(tmp_path / "csv" / name, tmp_path / "out" / name, shallow=False), name


def test_a_dataset_export_is_refused_with_how_to_convert_it(scheduler, tmp_path, capsys):
    from tests.conftest import FIXTURES

    acled = FIXTURES / "acled_excel.csv"
    code = main(["build", "--incidents", str(acled), "--out", str(tmp_path), *_dask(scheduler)])
    assert code == 2
    assert "is an export of ACLED: --engine dask reads files in the record contract" in \
        capsys.readouterr().err


def test_a_glob_matching_nothing_is_named(scheduler, tmp_path, capsys):
    code = main(["build", "--incidents", str(tmp_path / "none-*.csv"), "--out", str(tmp_path),
                 *_dask(scheduler)])
    assert code == 2
    assert "none-*.csv:0: matches no file" in capsys.readouterr().err


def test_strict_stops_on_a_warning_from_a_worker_and_writes_nothing(scheduler, tmp_path, capsys):
    rows = list(csv.DictReader((SEEDS / "incidents.csv").open(encoding="utf-8")))
    rows[0].update(latitude="69.1725", longitude="34.5553", geo_precision="1")  # Kabul, swapped
    path = write_records(tmp_path / "swapped.csv", "incidents", rows)
    args = ["build", "--incidents", str(path), "--no-basemap", *_dask(scheduler)]
    assert main([*args, "--out", str(tmp_path / "strict"), "--strict"]) == 2
    assert "would with latitude and longitude swapped" in capsys.readouterr().err
    assert not (tmp_path / "strict" / "incidents.parquet").exists()
    assert not list((tmp_path / "strict").glob(".incidents.parquet*"))
    assert main([*args, "--out", str(tmp_path / "lenient")]) == 0
    assert "would with latitude and longitude swapped" in capsys.readouterr().err
    assert (tmp_path / "lenient" / "incidents.parquet").is_dir()
