"""Outputs are replaced whole: a run that fails or is killed leaves the previous files intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.synthetic import write_dataset
from geo.atomic import part_path, replacing, write_text
from maps.cli import main

BIN = Path(sys.executable).parent / "incident-map"


def test_a_failed_write_leaves_the_old_file_and_no_part(tmp_path):
    target = write_text(tmp_path / "map.html", "old page")
    with pytest.raises(RuntimeError), replacing(target) as part:
        part.write_text("half a new pa", encoding="utf-8")
        raise RuntimeError("killed")
    assert target.read_text(encoding="utf-8") == "old page"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.html"]


def test_build_writes_the_reconciliation_beside_the_outputs(tmp_path, capsys):
    assert main(["build", "--no-basemap", "--out", str(tmp_path)]) == 0
    lines = (tmp_path / "reconciliation.csv").read_text(encoding="utf-8").splitlines()
    assert lines == ["table,records_in,placed,unresolved,rejected", "incidents,30,27,3,0",
                     "areas,10,10,0,0", "all,40,37,3,0"]
    assert "records in: 40 (incidents 30, areas 10); placed: 37; unresolved: 3" in \
        capsys.readouterr().out
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.slow
def test_a_killed_build_leaves_every_output_old_or_whole(tmp_path, gazetteer):
    data = write_dataset(100_000, tmp_path / "data", gazetteer)
    command = [str(BIN), "build", "--incidents", str(data / "incidents.csv"), "--areas",
               str(data / "areas.csv"), "--sources", str(data / "sources.csv"), "--no-basemap"]
    whole = tmp_path / "whole"
    subprocess.run([*command, "--out", str(whole)], check=True, capture_output=True)
    out = tmp_path / "out"
    assert main(["build", "--no-basemap", "--out", str(out)]) == 0  # the seeds: the old run
    old = {p.name: p.read_bytes() for p in out.iterdir()}

    run = subprocess.Popen([*command, "--out", str(out)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while not any(part_path(out / name).exists() for name in old):
        assert run.poll() is None and time.monotonic() < deadline, "no write was caught"
        time.sleep(0.005)
    os.killpg(run.pid, signal.SIGKILL)  # the build and the writers it forked
    run.wait()

    for name, before in old.items():
        now = (out / name).read_bytes()
        assert now in (before, (whole / name).read_bytes()), f"{name} is neither old nor whole"
    assert any((out / name).read_bytes() == before for name, before in old.items())
