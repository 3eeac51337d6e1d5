"""Channel name claims: which crisis may create, and so adopt, a Slack channel of a given name.

An opening claims a name before it asks Slack for the channel. Two openings of the same title at the
same moment (two replicas, one database) race for the claim, not for the channel: the primary key lets
exactly one of them hold it, and the other moves on to the next name. A name_taken answer for a name
this crisis claimed can only be its own channel, made before a crash kept it from being recorded.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import ChannelClaimRow


async def claim(sessions: async_sessionmaker[AsyncSession], name: str, crisis_id: int) -> bool:
    """Claim `name` for the crisis; True if it is this crisis's (now or from an earlier attempt)."""
    async with sessions() as session:
        existing = await session.get(ChannelClaimRow, name)
        if existing is not None:
            return existing.crisis_id == crisis_id
        session.add(ChannelClaimRow(name=name, crisis_id=crisis_id, claimed_at=datetime.now(timezone.utc)))
        try:
            await session.commit()
            return True
        except IntegrityError:  # another opening claimed it between our read and our insert
            await session.rollback()
    async with sessions() as session:
        winner = await session.get(ChannelClaimRow, name)
        return winner is not None and winner.crisis_id == crisis_id


async def claimant(sessions: async_sessionmaker[AsyncSession], name: str) -> int | None:
    """The crisis holding the claim on `name`, if any."""
    async with sessions() as session:
        row = await session.get(ChannelClaimRow, name)
        return row.crisis_id if row else None


class SqlChannelClaims:
    """The ChannelClaims port (bot/ports.py), for a store with `self.sessions`."""

    sessions: async_sessionmaker[AsyncSession]

    async def claim_channel_name(self, name: str, crisis_id: int) -> bool:
        return await claim(self.sessions, name, crisis_id)

    async def channel_claimant(self, name: str) -> int | None:
        return await claimant(self.sessions, name)
