"""post claims: a reminder or a triage request is claimed with a token before its post, the token carried in
the posted message, so a post cut short by a crash is found (or made) once

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 21:00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0010'
down_revision: Union[str, None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    for table in ('reminder', 'triage'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('claim_token', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
            batch_op.add_column(sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table in ('reminder', 'triage'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('claimed_until')
            batch_op.drop_column('claim_token')
