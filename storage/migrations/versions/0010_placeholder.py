"""reminder and triage post claims (helper C fills this)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 21:00:00
"""
from typing import Sequence, Union


revision: str = '0010'
down_revision: Union[str, None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
