"""lesson adoption into public plans (helper B fills this)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 21:00:00
"""
from typing import Sequence, Union


revision: str = '0011'
down_revision: Union[str, None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
