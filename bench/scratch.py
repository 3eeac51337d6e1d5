"""A scratch PostgreSQL database made empty for a benchmark run. No import of the app, so any benchmark may use
it while the app's modules are being changed."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine


async def empty_schema(url: str) -> None:
    """Drop and make anew the `public` schema of the database at `url` (it must be a scratch database)."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()
