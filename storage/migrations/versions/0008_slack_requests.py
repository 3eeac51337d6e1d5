"""slack requests recorded before their acknowledgement: replays change nothing, crashes are resumed

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 21:00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0008'
down_revision: Union[str, None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('slack_request',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('slack_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slack_request_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_slack_request_received_at'), ['received_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('slack_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slack_request_received_at'))
        batch_op.drop_index(batch_op.f('ix_slack_request_state'))
    op.drop_table('slack_request')
