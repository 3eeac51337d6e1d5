"""channel name claims: an opening adopts only a channel under a name it claimed itself

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 21:00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0009'
down_revision: Union[str, None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('channel_claim',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('crisis_id', sa.Integer(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['crisis_id'], ['crisis.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('name')
    )
    with op.batch_alter_table('channel_claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channel_claim_crisis_id'), ['crisis_id'], unique=False)
    # The channels crises already have are theirs: no later opening may adopt one of them.
    op.execute("INSERT INTO channel_claim (name, crisis_id, claimed_at) "
               "SELECT channel_name, MIN(id), MIN(opened_at) FROM crisis "
               "WHERE channel_name IS NOT NULL GROUP BY channel_name")


def downgrade() -> None:
    with op.batch_alter_table('channel_claim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channel_claim_crisis_id'))
    op.drop_table('channel_claim')
