"""Every output of a fixed set of builds, hashed: proof that a refactor changed no byte.

    .venv/bin/python -m bench.snapshot /tmp/before        # on the old commit
    .venv/bin/python -m bench.snapshot /tmp/after         # on the new one
    diff /tmp/before/manifest.txt /tmp/after/manifest.txt # empty: byte-identical

The builds: the seeds (`build` with the basemap, `export --format all`, and
`build --docs` on the seeds' documents), `extract` of the held-out documents,
each dataset fixture on its own (`build --no-basemap`), a fixture with a bad
row under `--keep-going`, and 100k synthetic records (`build`). Each runs the
installed `incident-map` command, so the CLI's messages are compared too
(stdout and stderr, with the snapshot and repository paths taken out).
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_SEEDS = ROOT.parent / "shared" / "seeds"
FIXTURES = ROOT / "tests" / "fixtures"
SYNTHETIC = 100_000
# Inputs at one fixed path, so paths written into outputs (rejected.csv) are the same.
DATA = Path(tempfile.gettempdir()) / "incident-map-snapshot-data"


def runs(data: Path) -> dict[str, list[str]]:
    """The command lines, by the name of the output folder each writes."""
    seeds = ROOT / "seeds"
    docs = sorted(str(p) for p in SHARED_SEEDS.glob("*.txt"))
    heldout = sorted(str(p) for p in (FIXTURES / "heldout10").glob("*.*")
                     if p.suffix in {".txt", ".pdf", ".html"})
    chosen = {
        "seeds": ["build"],
        "seeds_export": ["export", "--format", "all"],
        "seeds_window": ["export", "--since", "2018-01-01", "--until", "2019-12-31"],
        "seeds_docs": ["build", "--docs", *docs, "--no-basemap"],
        "extract_heldout10": ["extract", *heldout],
        "synthetic": ["build", "--incidents", str(data / "incidents.csv"),
                      "--areas", str(data / "areas.csv"),
                      "--sources", str(data / "sources.csv")],
    }
    for fixture in sorted((FIXTURES / "datasets").glob("*.csv")):
        chosen[f"dataset_{fixture.stem}"] = ["build", "--incidents", str(fixture),
                                             "--no-basemap"]
    chosen["dataset_mixed_keep_going"] = [
        "build", "--incidents", str(seeds / "incidents.csv"),
        str(FIXTURES / "datasets" / "acled.csv"), str(data / "bad.csv"),
        "--keep-going", "--no-basemap"]
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    folder, data = args.folder.resolve(), DATA
    data.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    subprocess.run([python, "-m", "bench.synthetic", str(SYNTHETIC), "--out", str(data)],
                   check=True, cwd=ROOT, capture_output=True)
    bad = (ROOT / "seeds" / "incidents.csv").read_text(encoding="utf-8").splitlines()
    header, row = bad[0], bad[1].split(",", 1)
    (data / "bad.csv").write_text(f"{header}\nbad-1,{row[1].replace('20', 'x0', 1)}\n",
                                  encoding="utf-8")
    command = str(Path(python).with_name("incident-map"))
    for name, argv in runs(data).items():
        out = folder / name
        flag = [] if argv[0] == "geocode" else ["--out", str(out)]
        done = subprocess.run([command, *argv, *flag], cwd=ROOT, capture_output=True,
                              text=True)
        out.mkdir(exist_ok=True)
        said = f"exit {done.returncode}\n{done.stdout}\n--- stderr\n{done.stderr}"
        said = said.replace(str(folder), "SNAPSHOT").replace(str(ROOT), "REPO")
        (out / "said.txt").write_text(said, encoding="utf-8")
        print(f"{name}: exit {done.returncode}", file=sys.stderr)
    lines = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != "manifest.txt":
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            lines.append(f"{digest}  {path.relative_to(folder)}")
    (folder / "manifest.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} files hashed in {folder / 'manifest.txt'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
