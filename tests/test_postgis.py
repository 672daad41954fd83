"""publish: a real PostgreSQL with PostGIS, started on a loopback port, queried back in SQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from bench.postgres import has_postgis, running_postgres, server_binaries
from bench.synthetic import write_dataset
from maps.cli import main
from tests.conftest import CLI, IN_CI, SEEDS

psycopg = pytest.importorskip("psycopg")


@pytest.fixture(scope="module")
def server():
    binaries = server_binaries()
    if binaries is None or not has_postgis():
        message = "PostgreSQL with PostGIS is not installed (postgresql-15-postgis-3)"
        pytest.fail(message) if IN_CI else pytest.skip(message)
    with running_postgres(binaries) as dsn:
        yield dsn


@pytest.fixture
def db(server, request):
    """A fresh database of its own for each test, with PostGIS."""
    name = "t_" + request.node.name.lower().replace("[", "_").replace("]", "")[:50]
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    dsn = server.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION postgis")
    return dsn


def _publish(dsn, out, *args, capsys=None) -> int:
    return main(["publish", "--db", dsn, "--out", str(out), *args])


def _rows(dsn, query):
    with psycopg.connect(dsn) as conn:
        return conn.execute(query).fetchall()


def test_publish_writes_typed_tables_with_spatial_and_date_indexes(db, tmp_path):
    assert _publish(db, tmp_path) == 0
    types = dict(_rows(db, "SELECT table_name || '.' || column_name, "
                           "format_type(atttypid, atttypmod) FROM information_schema.columns "
                           "JOIN pg_attribute ON attrelid = table_name::regclass "
                           "AND attname = column_name WHERE table_schema = 'public'"))
    assert types["incidents.date_start"] == "date" and types["areas.date_end"] == "date"
    assert types["incidents.fatalities"] == "integer"
    assert types["incidents.geom"] == "geometry(Point,4326)"
    assert types["areas.geom"] == "geometry(Point,4326)"
    assert types["provinces.geom"] == "geometry(MultiPolygon,4326)"
    assert types["sources.title"] == "text"
    indexes = {r[0] for r in _rows(db, "SELECT indexdef FROM pg_indexes "
                                       "WHERE schemaname = 'public'")}
    assert any("incidents USING gist (geom)" in i for i in indexes)
    assert any("incidents USING btree (date_start, date_end)" in i for i in indexes)


def test_published_rows_are_the_csv_records(db, tmp_path):
    assert _publish(db, tmp_path) == 0
    assert main(["export", "--format", "csv", "--out", str(tmp_path / "csv")]) == 0
    csv = pd.read_csv(tmp_path / "csv" / "incidents.csv").sort_values("event_id")
    rows = _rows(db, "SELECT event_id, date_start::text, fatalities, ST_X(geom), ST_Y(geom), "
                     "summary FROM incidents ORDER BY event_id")
    assert [r[0] for r in rows] == list(csv["event_id"])
    assert [r[1] for r in rows] == list(csv["date_start"])
    assert [r[2] for r in rows] == [None if pd.isna(v) else int(v) for v in csv["fatalities"]]
    assert [round(r[3], 6) for r in rows] == csv["longitude"].round(6).tolist()
    assert [round(r[4], 6) for r in rows] == csv["latitude"].round(6).tolist()
    assert [r[5] for r in rows] == list(csv["summary"])
    counts = dict(_rows(db, "SELECT 'areas', count(*) FROM areas UNION ALL "
                            "SELECT 'provinces', count(*) FROM provinces UNION ALL "
                            "SELECT 'sources', count(*) FROM sources"))
    assert counts == {"areas": 10, "provinces": 41, "sources": 2}


def test_publishing_again_changes_nothing(db, tmp_path, capsys):
    assert _publish(db, tmp_path) == 0
    before = _rows(db, "SELECT event_id, xmin::text FROM incidents ORDER BY event_id")
    capsys.readouterr()
    assert _publish(db, tmp_path) == 0
    printed = capsys.readouterr().out
    assert "0 rows changed" in printed
    assert "incidents: 0 inserted, 0 updated, 27 unchanged" in printed
    # No row was rewritten: each keeps the transaction id that wrote it.
    assert _rows(db, "SELECT event_id, xmin::text FROM incidents ORDER BY event_id") == before


def _edited_seeds(folder, drop: str, change: str):
    incidents = pd.read_csv(SEEDS / "incidents.csv", dtype=str, keep_default_na=False)
    incidents = incidents[incidents["event_id"] != drop]
    incidents.loc[incidents["event_id"] == change, "fatalities"] = "99"
    incidents.to_csv(folder / "incidents.csv", index=False, lineterminator="\n")
    return folder / "incidents.csv"


def test_a_changed_record_is_updated_and_a_gone_one_kept_until_pruned(db, tmp_path, capsys):
    assert _publish(db, tmp_path) == 0
    ids = [r[0] for r in _rows(db, "SELECT event_id FROM incidents ORDER BY event_id")]
    edited = _edited_seeds(tmp_path, drop=ids[0], change=ids[1])
    capsys.readouterr()
    assert _publish(db, tmp_path, "--incidents", str(edited)) == 0
    printed = capsys.readouterr().out
    assert "incidents: 0 inserted, 1 updated, 25 unchanged, 1 no longer in the input kept" \
        in printed and ids[0] in printed
    assert _rows(db, f"SELECT fatalities FROM incidents WHERE event_id = '{ids[1]}'") == [(99,)]
    assert _rows(db, "SELECT count(*) FROM incidents") == [(27,)]
    assert _publish(db, tmp_path, "--incidents", str(edited), "--prune") == 0
    assert "1 no longer in the input removed" in capsys.readouterr().out
    assert _rows(db, "SELECT count(*) FROM incidents") == [(26,)]


def test_a_killed_publish_leaves_the_database_as_it_was(db, tmp_path, gazetteer):
    data = write_dataset(30_000, tmp_path / "big", gazetteer)
    inputs = ["--incidents", str(data / "incidents.csv"), "--areas", str(data / "areas.csv"),
              "--sources", str(data / "sources.csv"), "--out", str(tmp_path / "o")]
    assert main(["publish", "--db", db, *inputs]) == 0
    before = _rows(db, "SELECT count(*), sum(hashtext(incidents::text)) FROM incidents")
    edited = pd.read_csv(data / "incidents.csv", dtype=str, keep_default_na=False)
    edited["summary"] = edited["summary"] + " (edited)"
    edited.to_csv(data / "incidents.csv", index=False, lineterminator="\n")
    child = subprocess.Popen([CLI, "publish", "--db", db, *inputs],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Kill it once its transaction holds a write lock on incidents: its UPDATE has begun.
    writing = ("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
               "JOIN pg_stat_activity a ON a.pid = l.pid WHERE c.relname = 'incidents' "
               "AND l.mode = 'RowExclusiveLock' AND a.application_name = 'incident-map publish'")
    deadline = time.monotonic() + 120
    while child.poll() is None and time.monotonic() < deadline:
        if _rows(db, writing)[0][0]:
            os.kill(child.pid, signal.SIGKILL)
            break
        time.sleep(0.005)
    assert child.wait() == -signal.SIGKILL, "publish ended before it could be killed"
    assert _rows(db, "SELECT count(*), sum(hashtext(incidents::text)) FROM incidents") == before
    assert _rows(db, "SELECT count(*) FROM incidents WHERE summary LIKE '%(edited)'") == [(0,)]


def test_a_column_of_another_type_is_refused_and_nothing_changes(db, tmp_path, capsys):
    with psycopg.connect(db) as conn:
        conn.execute("CREATE TABLE incidents (event_id text PRIMARY KEY, fatalities text)")
    assert _publish(db, tmp_path) == 5
    err = capsys.readouterr().err
    assert "incidents.fatalities is text in the database and integer in the input" in err
    assert _rows(db, "SELECT to_regclass('sources') IS NULL") == [(True,)]


def test_an_unreachable_database_is_named_without_its_password(tmp_path, capsys):
    code = _publish("postgresql://someone:secret@127.0.0.1:1/nowhere", tmp_path)
    err = capsys.readouterr().err
    assert code == 5 and "nothing was changed" in err and "secret" not in err


def test_an_owner_who_is_not_superuser_is_told_whom_to_ask_for_postgis(server, tmp_path,
                                                                       capsys):
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS t_no_postgis")
        conn.execute("DROP ROLE IF EXISTS analyst")
        conn.execute("CREATE ROLE analyst LOGIN")
        conn.execute("CREATE DATABASE t_no_postgis OWNER analyst")
    dsn = server.replace("postgres@", "analyst@").rsplit("/", 1)[0] + "/t_no_postgis"
    started = time.monotonic()
    assert _publish(dsn, tmp_path) == 5
    err = capsys.readouterr().err
    assert "database 't_no_postgis' has no PostGIS, and user 'analyst' may not add it" in err
    assert "ask a superuser to run CREATE EXTENSION postgis; in 't_no_postgis'" in err
    # Told before any record was placed: no accounts were written, in seconds.
    assert not (tmp_path / "unresolved.csv").exists()
    assert time.monotonic() - started < 10
    assert _rows(dsn, "SELECT count(*) FROM pg_extension WHERE extname = 'postgis'") == [(0,)]


def test_a_missing_driver_is_named_before_any_work(tmp_path):
    # The interpreter as a user without the postgis extra has it: psycopg cannot be imported.
    script = ("import sys; sys.modules['psycopg'] = None\n"
              "from maps.cli import main\n"
              f"sys.exit(main(['publish', '--db', 'postgresql://127.0.0.1:1/x', "
              f"'--out', {str(tmp_path)!r}]))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 5
    assert "the PostgreSQL driver psycopg, which is not installed" in done.stderr
    assert "pip install 'incident-map[postgis]'" in done.stderr
    assert "placing" not in done.stderr and not (tmp_path / "unresolved.csv").exists()
