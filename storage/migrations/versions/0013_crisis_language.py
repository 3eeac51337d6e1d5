"""crisis language: the language of a crisis's shared messages, chosen at open

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 17:20:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0013'
down_revision: Union[str, None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # crises opened before this speak English, as everything did then
    with op.batch_alter_table('crisis', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default='en'))


def downgrade() -> None:
    with op.batch_alter_table('crisis', schema=None) as batch_op:
        batch_op.drop_column('language')
