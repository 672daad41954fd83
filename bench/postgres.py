"""A throwaway PostgreSQL server with PostGIS, on a loopback port, for tests and benchmarks.

Debian's server binaries (packages postgresql and postgresql-15-postgis-3) run
as an ordinary user: as root, as the `postgres` user Debian creates. The data
folder is a fresh temporary one, removed when the server stops.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def server_binaries() -> Path | None:
    """The folder holding initdb and postgres, newest version first, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(found[0]).parent if found else None


def has_postgis() -> bool:
    return bool(glob.glob("/usr/share/postgresql/*/extension/postgis.control"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_postgres(bin_dir: Path) -> Iterator[str]:
    """Start a server; yield the DSN of its `postgres` database (PostGIS created in it)."""
    folder = Path(tempfile.mkdtemp(prefix="incident-map-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", _free_port()
    server = None
    try:
        subprocess.run([*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                        "--auth=trust", "-E", "UTF8", "--locale=C"], check=True,
                       stdout=subprocess.DEVNULL)
        server = subprocess.Popen(
            [*as_user, str(bin_dir / "postgres"), "-D", str(data), "-p", str(port),
             "-k", str(folder), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        dsn = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        _wait(bin_dir, port, server)
        subprocess.run([str(bin_dir / "psql"), dsn, "-qc", "CREATE EXTENSION postgis"],
                       check=True)
        yield dsn
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def _wait(bin_dir: Path, port: int, server: subprocess.Popen) -> None:
    ready = str(bin_dir / "pg_isready")
    for _ in range(300):
        if server.poll() is not None:
            raise RuntimeError(f"postgres exited with {server.returncode} before it was ready")
        if subprocess.run([ready, "-q", "-h", "127.0.0.1", "-p", str(port)]).returncode == 0:
            return
        time.sleep(0.1)
    raise RuntimeError("postgres did not start within 30 s")
