"""crises and their opening steps

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 05:55:58.972912
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0001'
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('crisis',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('is_private', sa.Boolean(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('opened_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('lead', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('origin_channel', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('channel_name', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('plan_ts', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel_id')
    )
    with op.batch_alter_table('crisis', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crisis_status'), ['status'], unique=False)

    op.create_table('opening_step',
    sa.Column('crisis_id', sa.Integer(), nullable=False),
    sa.Column('step', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['crisis_id'], ['crisis.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('crisis_id', 'step')
    )


def downgrade() -> None:
    op.drop_table('opening_step')
    with op.batch_alter_table('crisis', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crisis_status'))

    op.drop_table('crisis')
