"""Engines and sessions. SQLite runs in WAL mode with foreign keys on and writers serialized
(BEGIN IMMEDIATE), so a read-modify-write such as a limit check cannot interleave; PostgreSQL uses
row locks (SELECT ... FOR UPDATE) in the services for the same guarantee."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import JSON, Connection, Engine, create_engine, event
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

_PSYCOPG = psycopg_dialect()  # type: ignore[no-untyped-call]


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg"))
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide where transactions begin (so BEGIN IMMEDIATE holds).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One use case, one transaction: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session


@dataclass(frozen=True, slots=True)
class DriverStatement:
    """A statement and its text compiled once for PostgreSQL's driver (psycopg), with its constant
    parameters.

    On PostgreSQL ``driver_rows`` runs the text on the connection's own psycopg cursor, in the
    connection's transaction. That skips SQLAlchemy's per-execution work (parameter processing, result
    metadata): measured ~30 µs a statement against ~120 µs through ``Connection.execute``. Elsewhere it
    runs the statement itself. For the few statements of a hot path only; each is still written once, in
    Core or ``text()``.
    """

    statement: ClauseElement
    sql: str
    constants: dict[str, Any]
    json_keys: frozenset[str] = frozenset()
    """Parameters typed JSON: sent as ``json.dumps`` text (None as JSON null), as SQLAlchemy's JSON type
    sends them."""

    @classmethod
    def compile(cls, statement: ClauseElement, **expanded: list[Any]) -> DriverStatement:
        """Compile ``statement`` for psycopg; ``expanded`` gives the values of its expanding IN lists,
        which are rendered into the text (so compile once per distinct list)."""
        compiled = cast(SQLCompiler, statement.compile(dialect=_PSYCOPG))
        # Unset parameters compile to None: they are the ones each execution passes.
        sql, constants = str(compiled), {k: v for k, v in compiled.params.items() if v is not None}
        for name, values in expanded.items():  # what SQLAlchemy renders for an expanding IN at execution
            keys = [f"{name}_{i}" for i in range(len(values))]
            sql = sql.replace(f"__[POSTCOMPILE_{name}]", ", ".join(f"%({k})s" for k in keys))
            constants.update(zip(keys, values, strict=True))
        json_keys = frozenset(name for name, bind in compiled.binds.items() if isinstance(bind.type, JSON))
        return cls(statement, sql, constants, json_keys)


def driver_rows(conn: Connection, statement: DriverStatement, params: Mapping[str, Any]) -> list[Any]:
    """The rows (named tuples) of ``statement`` on ``conn``, in its transaction: on psycopg's own cursor
    on PostgreSQL, through ``conn.execute`` elsewhere. ``params`` may hold more than the text uses (an
    expanding list that the PostgreSQL text already holds).

    A driver error comes out as SQLAlchemy's (IntegrityError, DBAPIError with the SQLSTATE on ``orig``),
    as it would from ``conn.execute``, so callers keep one way of handling them."""
    if conn.dialect.name != "postgresql":
        return list(conn.execute(cast(Executable, statement.statement), params).all())
    import psycopg
    from psycopg.rows import namedtuple_row
    from psycopg.types.json import Json

    values = {**statement.constants, **params}
    for key in statement.json_keys:
        values[key] = Json(values.get(key))
    driver = conn.connection.driver_connection
    try:
        with driver.cursor(row_factory=namedtuple_row) as cursor:  # type: ignore[union-attr]
            cursor.execute(statement.sql, values)
            return cursor.fetchall() if cursor.description is not None else []
    except psycopg.Error as exc:
        raise DBAPIError.instance(statement.sql, dict(params), exc, psycopg.Error) from exc
