"""Publishing the placed records to PostGIS, kept in step with the input run after run.

`publish` writes four tables, `sources`, `provinces`, `areas` and `incidents`,
typed from the contract (geo.typed: date, integer, double precision, text,
geometry(Point|MultiPolygon, 4326)) with a GiST index on the geometry and an
index on the dates. Each run loads the input into a temporary table with COPY
and compares it with what is there, by the table's id:

- a record new to the table is inserted; one whose columns differ is updated;
  an identical one is left alone, so a second run of the same input writes
  nothing;
- a record in the table and not in the input is *gone*: reported, and deleted
  only when `prune` is asked for.

Everything happens in one transaction: a run that fails or is killed leaves
the database as the last complete run left it.

Columns the table has and the input lacks (a dataset's extras from an earlier
input) are kept as they are; the input's extras are added as text columns.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import shapely

from geo.export import layers
from geo.pipeline import Placed
from geo.schema import ID_COLUMN, column_names
from geo.typed import column_types, typed_layer

log = logging.getLogger(__name__)

# In the order they are written: the small reference tables first.
TABLES = ("sources", "provinces", "areas", "incidents")
KEYS = {**ID_COLUMN, "provinces": "code", "sources": "source_id"}
GEOMETRY_TYPES = {"incidents": "Point", "areas": "Point", "provinces": "MultiPolygon"}
DATE_INDEX = {"incidents": ("date_start", "date_end"), "areas": ("date_start", "date_end")}
SQL_TYPES = {pa.date32(): "date", pa.int32(): "integer", pa.int8(): "smallint",
             pa.float64(): "double precision", pa.string(): "text"}
GEOMETRY = "geom"
SHOWN_GONE = 10
CONNECT_TIMEOUT = 10  # seconds to wait for the server to answer


class PublishError(RuntimeError):
    """The database cannot take the records as they are; nothing was changed."""


@dataclass
class TableChanges:
    """What a run did to one table."""

    table: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    gone: list[str] = field(default_factory=list)
    removed: int = 0

    @property
    def changes(self) -> int:
        return self.inserted + self.updated + self.removed

    def summary(self) -> str:
        text = (f"{self.table}: {self.inserted} inserted, {self.updated} updated, "
                f"{self.unchanged} unchanged")
        if self.gone and self.removed:
            return text + f", {self.removed} no longer in the input removed"
        if self.gone:
            shown = ", ".join(self.gone[:SHOWN_GONE]) + (" ..." if len(self.gone) > SHOWN_GONE
                                                          else "")
            return text + (f", {len(self.gone)} no longer in the input kept "
                           f"(--prune removes them): {shown}")
        return text


def check_database(dsn: str) -> None:
    """Fail before any record is read: the driver is installed, `dsn` answers, and its
    database has PostGIS or this user may add it.

    Placing a large input takes minutes; a database that cannot take the result
    should say so in the first second. Nothing is changed: a trial CREATE
    EXTENSION is rolled back, and `publish` adds PostGIS in its own transaction.
    """
    with _connected(dsn) as conn:
        _require_postgis(conn, trial=True)


def publish(placed: Placed, sources: Mapping[str, Mapping], dsn: str,
            prune: bool = False) -> list[TableChanges]:
    """Bring the database at `dsn` in step with `placed` and `sources`, in one transaction."""
    _driver()  # before the layers are typed: a missing driver costs nothing
    layers = _layers(placed, sources)
    with _connected(dsn) as conn:
        _require_postgis(conn)
        changes = [_sync(conn, table, *layers[table], prune) for table in TABLES]
        log.info("committing")
    return changes


@contextmanager
def _connected(dsn: str) -> Iterator:
    """A connection to `dsn` that commits when the block ends and rolls back if it fails;
    the driver's errors become a PublishError naming the server without its password."""
    psycopg = _driver()
    try:
        with psycopg.connect(dsn, application_name="incident-map publish",
                             connect_timeout=CONNECT_TIMEOUT) as conn:
            yield conn
    except psycopg.Error as err:
        raise PublishError(f"{_safe(dsn)}: {str(err).strip()}; nothing was changed") from err


def _driver():
    """The psycopg module, or PublishError saying how to install it."""
    try:
        import psycopg
    except ImportError as err:
        raise PublishError("publishing needs the PostgreSQL driver psycopg, which is not "
                           "installed: pip install 'incident-map[postgis]'; nothing was "
                           "changed") from err
    return psycopg


def _layers(placed: Placed, sources: Mapping[str, Mapping]) -> dict[str, tuple]:
    """{table: (typed frame, columns)} for every table `publish` writes."""
    out = {table: (typed_layer(frame, table, columns), columns)
           for table, (frame, columns) in layers(placed).items()}
    names = column_names("sources")
    listed = pd.DataFrame([{c: s.get(c, "") for c in names} for s in sources.values()],
                          columns=names)
    out["sources"] = (listed.astype(object).where(listed.notna() & (listed != ""), None), names)
    for table, (frame, _) in out.items():
        duplicated = frame[KEYS[table]][frame[KEYS[table]].duplicated()]
        if len(duplicated):
            raise PublishError(f"{table}: the id {duplicated.iloc[0]!r} is given twice; "
                               "nothing was changed")
    return out


def _require_postgis(conn, trial: bool = False) -> None:
    """PostGIS in the connected database, added if missing and this user may add it.

    Only a superuser may create the postgis extension (it is not a trusted
    extension), so a database owner who is not one cannot fix this alone: the
    message says whom to ask, or to use a database that has it. With `trial`
    the extension is created and rolled back, to learn whether it could be.
    """
    if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone():
        return
    database, user = conn.execute("SELECT current_database(), current_user").fetchone()
    if not conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")\
            .fetchone():
        raise PublishError(f"database {database!r} has no PostGIS, and its server has no "
                           "PostGIS installed to add: ask the server's administrator to "
                           "install it (Debian: postgresql-NN-postgis-3), or publish to a "
                           "server that has it; nothing was changed")
    psycopg = _driver()

    try:
        with conn.transaction(force_rollback=trial):
            conn.execute("CREATE EXTENSION postgis")
    except psycopg.errors.InsufficientPrivilege as err:
        raise PublishError(
            f"database {database!r} has no PostGIS, and user {user!r} may not add it (only a "
            f"superuser may create the postgis extension): ask a superuser to run "
            f"CREATE EXTENSION postgis; in {database!r}, or publish to a database that "
            f"has it; nothing was changed") from err


def _sync(conn, table: str, frame: pd.DataFrame, columns: list[str],
          prune: bool) -> TableChanges:
    """Insert, update and (with `prune`) delete so that `table` holds `frame`."""
    from psycopg import sql

    types = {c: SQL_TYPES[t] for c, t in column_types(table, columns).items()}
    geometry = GEOMETRY_TYPES.get(table)
    _ensure_table(conn, table, types, geometry)
    names = [*columns, GEOMETRY] if geometry else list(columns)
    t, key = sql.Identifier(table), sql.Identifier(KEYS[table])
    cols = sql.SQL(", ").join(map(sql.Identifier, names))
    conn.execute(sql.SQL("CREATE TEMP TABLE stage (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP")
                 .format(t))
    log.info("publishing %s: copying %d rows", table, len(frame))
    with conn.cursor().copy(sql.SQL("COPY stage ({}) FROM STDIN (FORMAT csv)").format(cols)) \
            as copy:
        copy.write(_csv(frame, columns, geometry is not None))
    mine = sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(n)) for n in names)
    theirs = sql.SQL(", ").join(sql.SQL("s.{}").format(sql.Identifier(n)) for n in names)
    done = TableChanges(table)
    done.updated = conn.execute(sql.SQL(
        "UPDATE {t} AS t SET ({cols}) = ({theirs}) FROM stage AS s "
        "WHERE t.{key} = s.{key} AND ({mine}) IS DISTINCT FROM ({theirs})").format(
        t=t, cols=cols, theirs=theirs, key=key, mine=mine)).rowcount
    done.inserted = conn.execute(sql.SQL(
        "INSERT INTO {t} ({cols}) SELECT {cols} FROM stage AS s "
        "WHERE NOT EXISTS (SELECT 1 FROM {t} AS t WHERE t.{key} = s.{key}) ORDER BY s.{key}")
        .format(t=t, cols=cols, key=key)).rowcount
    done.unchanged = len(frame) - done.inserted - done.updated
    done.gone = [row[0] for row in conn.execute(sql.SQL(
        "SELECT t.{key} FROM {t} AS t WHERE NOT EXISTS "
        "(SELECT 1 FROM stage AS s WHERE s.{key} = t.{key}) ORDER BY t.{key}").format(
        t=t, key=key))]
    if prune and done.gone:
        done.removed = conn.execute(sql.SQL(
            "DELETE FROM {t} AS t WHERE NOT EXISTS "
            "(SELECT 1 FROM stage AS s WHERE s.{key} = t.{key})").format(t=t, key=key)).rowcount
    conn.execute("DROP TABLE stage")
    log.info(done.summary())
    return done


def _ensure_table(conn, table: str, types: dict[str, str], geometry: str | None) -> None:
    """Create `table` and its indexes if missing; add the input's new columns; refuse a
    column whose type differs from the contract's."""
    from psycopg import sql

    t = sql.Identifier(table)
    specs = [sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(kind))
             for c, kind in types.items()]
    if geometry:
        specs.append(sql.SQL("{} geometry({}, 4326)").format(sql.Identifier(GEOMETRY),
                                                            sql.SQL(geometry)))
    specs.append(sql.SQL("PRIMARY KEY ({})").format(sql.Identifier(KEYS[table])))
    conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} ({})").format(t, sql.SQL(", ")
                                                                      .join(specs)))
    have = dict(conn.execute(
        "SELECT column_name, format_type(atttypid, atttypmod) FROM information_schema.columns "
        "JOIN pg_attribute ON attrelid = to_regclass(%s) AND attname = column_name "
        "WHERE table_name = %s AND table_schema = current_schema()", (table, table)).fetchall())
    for name, kind in types.items():
        if name not in have:
            conn.execute(sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(
                t, sql.Identifier(name), sql.SQL(kind)))
        elif have[name] != kind:
            raise PublishError(f"{table}.{name} is {have[name]} in the database and {kind} "
                               "in the input; nothing was changed")
    if geometry:
        conn.execute(sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} USING gist ({})").format(
            sql.Identifier(f"{table}_geom_idx"), t, sql.Identifier(GEOMETRY)))
    if table in DATE_INDEX:
        conn.execute(sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} ({})").format(
            sql.Identifier(f"{table}_dates_idx"), t,
            sql.SQL(", ").join(map(sql.Identifier, DATE_INDEX[table]))))


def _csv(frame: pd.DataFrame, columns: list[str], with_geometry: bool) -> bytes:
    """The rows as COPY's CSV: a missing cell is empty (NULL), geometry as hex EWKB."""
    rows = pd.DataFrame({c: frame[c] for c in columns})
    if with_geometry:
        geoms = shapely.set_srid(frame.geometry.to_numpy(), 4326)
        rows[GEOMETRY] = shapely.to_wkb(geoms, hex=True, include_srid=True)
    buffer = io.StringIO()
    rows.to_csv(buffer, index=False, header=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def _safe(dsn: str) -> str:
    """The DSN without its password, for messages."""
    try:
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        parts = conninfo_to_dict(dsn)
        parts.pop("password", None)
        return make_conninfo(**parts)
    except Exception:
        return "the database"
