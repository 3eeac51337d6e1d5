"""lesson adoption: a private crisis's lessons reach later plans only once an admin adopts them

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 21:00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0011'
down_revision: Union[str, None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('lesson', schema=None) as batch_op:
        batch_op.add_column(sa.Column('adopted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('adopted_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('lesson', schema=None) as batch_op:
        batch_op.drop_column('adopted_by')
        batch_op.drop_column('adopted_at')
