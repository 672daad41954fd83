"""The pipeline without the CLI: what a notebook calls gives the files `build` writes,
and the library logs instead of printing."""

from __future__ import annotations

import logging

from geo.export import FORMATS, write_outputs
from geo.workflow import Documents, extract_files, place_files
from maps.cli import main
from maps.commands import BUILD_FORMATS
from tests.conftest import ROOT, SEEDS

HELDOUT10 = ROOT / "tests" / "fixtures" / "heldout10"


def test_a_notebook_writes_the_files_build_writes(tmp_path, capsys, caplog):
    caplog.set_level(logging.INFO, logger="geo")
    run = place_files([SEEDS / "incidents.csv"], SEEDS / "areas.csv", SEEDS / "sources.csv")
    written = write_outputs(run.placed, tmp_path, run.sources,
                            [FORMATS[name] for name in BUILD_FORMATS])
    said = capsys.readouterr()
    assert (said.out, said.err) == ("", "")  # geo prints nothing ...
    steps = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("reading ") for m in steps)  # ... it logs its steps
    assert any(m.startswith("placing ") for m in steps)

    assert main(["build", "--no-basemap", "--out", str(tmp_path / "cli")]) == 0
    assert len(written) == 10  # GeoJSON (3), CSV (2), GeoPackage, and the four accounts
    for path in written:
        assert path.read_bytes() == (tmp_path / "cli" / path.name).read_bytes(), path.name


def test_extract_files_logs_each_document_with_its_progress(caplog):
    caplog.set_level(logging.INFO, logger="geo")
    files = sorted(HELDOUT10.glob("international*.txt"))
    run = extract_files(Documents(files))
    assert run is not None and run.extraction.documents_read == len(files)
    progress = [r.progress for r in caplog.records if hasattr(r, "progress")]
    assert progress == [(n, len(files)) for n in range(1, len(files) + 1)]


def test_extract_files_reads_nothing_from_unreadable_documents(tmp_path, recwarn):
    missing = tmp_path / "gone.txt"
    assert extract_files(Documents([missing])) is None
    assert any("gone.txt" in str(w.message) for w in recwarn)
