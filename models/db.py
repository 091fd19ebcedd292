"""Database engine and session construction (no Flask here)."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from models.sqlite_queue import QueuedWriterConnection

SQLITE_BUSY_TIMEOUT_MS = 15_000


def make_engine(url: str, *, echo: bool = False, autocommit: bool = False) -> Engine:
    """Create an engine tuned for its backend (SQLite: WAL, busy timeout, write lock up front).

    `autocommit=True` makes every statement its own transaction: for observers (tests, reports)
    that must see the latest data and never hold up the app's writers.
    """
    if url.startswith("sqlite"):
        connect_args: dict = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        if not autocommit:
            connect_args["factory"] = QueuedWriterConnection
        engine = create_engine(url, echo=echo, connect_args=connect_args)
        _tune_sqlite(engine, autocommit=autocommit)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if autocommit:
        return create_engine(url, echo=echo, isolation_level="AUTOCOMMIT")
    return create_engine(url, echo=echo, pool_pre_ping=True)


def _tune_sqlite(engine: Engine, *, autocommit: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (see below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    if autocommit:
        return

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        # Take the write lock when the transaction starts: two turns that read, then write,
        # would otherwise fail to upgrade their locks; this way they simply queue.
        conn.connection.dbapi_connection.begin_write()


def new_session(engine: Engine) -> Session:
    """Open a session whose objects stay readable after commit."""
    return Session(engine, expire_on_commit=False)
