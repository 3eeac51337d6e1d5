"""Whether the request being handled has put on record what it was asked.

The error boundary (handlers/replies.py `answering`) tells someone "nothing you typed is lost"
only when it is true: when their action reached the database (a timeline entry, a report version)
before something else failed. The mark lives in a context variable, so it follows the request's
own task and never another request's.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterator

_RECORDED: ContextVar[bool] = ContextVar("crisisbot_recorded", default=False)


def mark_recorded() -> None:
    """What the person asked for is in the database."""
    _RECORDED.set(True)


@contextmanager
def watching() -> Iterator[Callable[[], bool]]:
    """Within the block, the returned function says whether the request recorded anything yet."""
    token = _RECORDED.set(False)
    try:
        yield _RECORDED.get
    finally:
        _RECORDED.reset(token)
