"""The async engine and session factory, built from a URL when the app starts; what a failure to reach the
database means, in one line."""

from __future__ import annotations

import socket
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession


CONNECT_TIMEOUT = 15
POOL_SIZE, MAX_OVERFLOW = 10, 10  # PostgreSQL connections kept, and opened beyond them under load
STATEMENT_CACHE = 500  # asyncpg prepared statements kept per connection (SQLAlchemy's default: 100)


def make_engine(url: str, pool_size: int = POOL_SIZE, max_overflow: int = MAX_OVERFLOW,
                statement_cache: int = STATEMENT_CACHE) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # A server that does not answer is told within CONNECT_TIMEOUT seconds rather than asyncpg's 60. SQLAlchemy's
    # asyncpg dialect prepares every statement and keeps `statement_cache` of them per connection: the alert
    # path's few statements (and the batch insert's sizes) stay prepared.
    return create_async_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow,
                               connect_args={"timeout": CONNECT_TIMEOUT,
                                             "prepared_statement_cache_size": statement_cache})


def make_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL syncs the WAL at checkpoints, not at every commit: a crash of the process loses
    # nothing committed; a power loss or OS crash may lose the last transactions (docs/operations.md).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL or an in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def sqlite_cannot_open(url: str) -> str | None:
    """Why the SQLite file of `url` cannot be opened, said before trying (aiosqlite's worker thread outlives a
    failed connect and then complains of a closed event loop); None when it can, or for PostgreSQL."""
    path = sqlite_file(url)
    if path is None or path.exists() or path.parent.is_dir():
        return None
    return (f"cannot open the SQLite database {path}: its folder {path.parent} does not exist; create it, "
            "or check DATABASE_URL")


def describe_database_error(exc: BaseException, url: str) -> str | None:
    """One line saying what is wrong with reaching the database and what to do; None if it is no such error."""
    parsed = make_url(url)
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    if isinstance(exc, OSError) and _raised_by_a_database_driver(exc):
        reason = "host not found" if isinstance(exc, socket.gaierror) else (
            "connection refused" if isinstance(exc, ConnectionRefusedError) else
            "no answer in time" if isinstance(exc, TimeoutError) else (exc.strerror or type(exc).__name__).lower())
        return (f"cannot reach the database server at {where} ({reason}): is PostgreSQL running there? "
                "Check the host and port in DATABASE_URL")
    if not isinstance(exc, SQLAlchemyError):
        return None
    orig = getattr(exc, "orig", None)
    cause = getattr(orig, "__cause__", None) or orig
    first = (str(cause or exc).splitlines() or [""])[0]
    state = getattr(cause, "sqlstate", None)
    if state == "3D000":  # invalid_catalog_name
        return (f"the database \"{parsed.database}\" does not exist on {where}: create it "
                f"(createdb -h {parsed.host or 'localhost'} -p {parsed.port or 5432} {parsed.database}) "
                "or point DATABASE_URL at an existing database")
    if state in ("28000", "28P01"):  # invalid_authorization_specification, invalid_password
        return f"PostgreSQL at {where} refused the login ({first}): check the user and password in DATABASE_URL"
    if parsed.get_backend_name() == "sqlite" and "unable to open database file" in first:
        return (f"cannot open the SQLite database {parsed.database} ({first}): does its folder exist, "
                "and may crisisbot write there? Check DATABASE_URL")
    return f"the database answered with an error: {first[:300]}"


_DRIVERS = ("/asyncpg/", "/sqlalchemy/", "/aiosqlite/", "/sqlite3/")


def _raised_by_a_database_driver(exc: BaseException) -> bool:
    """An OSError comes from the database when the driver was connecting (not from Slack or a socket)."""
    tb = exc.__traceback__
    while tb is not None:
        if any(part in tb.tb_frame.f_code.co_filename.replace("\\", "/") for part in _DRIVERS):
            return True
        tb = tb.tb_next
    return False
