"""alerts, alert keys, triage

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 06:38:57.729339
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0003'
down_revision: Union[str, None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('triage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('pending_key', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('alert_count', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('ts', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('crisis_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('pending_key')
    )
    op.create_table('alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('networks', sa.JSON(), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('raw', sa.JSON(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('route', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('crisis_id', sa.Integer(), nullable=True),
    sa.Column('triage_id', sa.Integer(), nullable=True),
    sa.Column('digested', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['crisis_id'], ['crisis.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_crisis_id'), ['crisis_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_digested'), ['digested'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_triage_id'), ['triage_id'], unique=False)

    op.create_table('alert_key',
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('crisis_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['crisis_id'], ['crisis.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('source', 'key')
    )
    with op.batch_alter_table('alert_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_key_crisis_id'), ['crisis_id'], unique=False)

    with op.batch_alter_table('crisis', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alert_source', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('alert_key', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('previous_crisis_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('digest_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_crisis_alert_key'), ['alert_key'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('crisis', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crisis_alert_key'))
        batch_op.drop_column('digest_at')
        batch_op.drop_column('previous_crisis_id')
        batch_op.drop_column('alert_key')
        batch_op.drop_column('alert_source')

    with op.batch_alter_table('alert_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_key_crisis_id'))

    op.drop_table('alert_key')
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_triage_id'))
        batch_op.drop_index(batch_op.f('ix_alert_received_at'))
        batch_op.drop_index(batch_op.f('ix_alert_digested'))
        batch_op.drop_index(batch_op.f('ix_alert_crisis_id'))

    op.drop_table('alert')
    op.drop_table('triage')
