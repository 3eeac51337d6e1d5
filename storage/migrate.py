"""Bring a database to the newest schema with Alembic, on the app's own engine."""

from __future__ import annotations

import logging
from pathlib import Path

logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # 7 set-up lines as alembic is imported

from alembic import command  # noqa: E402
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

_HERE = Path(__file__).resolve().parent


def alembic_config(connection=None) -> Config:
    config = Config(str(_HERE / "alembic.ini"))
    config.set_main_option("script_location", str(_HERE / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


MIGRATION_LOCK = 7_270_707  # a PostgreSQL advisory lock: replicas starting together migrate one at a time


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))


class SchemaNotReady(Exception):
    """The database holds no crisisbot schema, or an older or unknown one: the message says what to do."""


async def check_schema(engine: AsyncEngine) -> None:
    """Raises SchemaNotReady unless the database is at the newest schema (for commands that only read it)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import inspect

    def look(sync) -> tuple[str | None, bool]:
        return MigrationContext.configure(sync).get_current_revision(), bool(inspect(sync).get_table_names())

    async with engine.connect() as connection:
        current, has_tables = await connection.run_sync(look)
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    if current == head:
        return
    if current is None:
        what = "has other tables but none of crisisbot's" if has_tables else "is empty"
        raise SchemaNotReady(f"the database {what}: point DATABASE_URL at the bot's database (the one "
                             "`crisisbot serve` uses), or run `crisisbot migrate` to create the tables")
    known = {rev.revision for rev in script.walk_revisions()}
    if current not in known:
        raise SchemaNotReady(f"the database is at schema revision {current}, which this crisisbot does not know "
                             "(a newer crisisbot's, or another application's): point DATABASE_URL at this bot's "
                             "database")
    raise SchemaNotReady("the database is at an older schema: run `crisisbot migrate`")
