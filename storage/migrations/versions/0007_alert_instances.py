"""alert instances: each alert of a group counted once, its state changes stored

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 16:45:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('alert_instance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('crisis_id', sa.Integer(), nullable=True),
    sa.Column('triage_id', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['crisis_id'], ['crisis.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('crisis_id', 'source', 'key', 'fingerprint'),
    sa.UniqueConstraint('triage_id', 'source', 'key', 'fingerprint')
    )
    with op.batch_alter_table('alert_instance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_instance_crisis_id'), ['crisis_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_instance_triage_id'), ['triage_id'], unique=False)

    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fingerprints', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('resolved_fingerprints', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('truncated_alerts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('new_alerts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('resolved_alerts', sa.Integer(), nullable=False, server_default='0'))
    # alerts stored before: each delivery counted whole, as it was told
    op.execute("UPDATE alert SET new_alerts = count, "
               "resolved_alerts = CASE WHEN status = 'resolved' THEN count ELSE 0 END")


def downgrade() -> None:
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_column('resolved_alerts')
        batch_op.drop_column('new_alerts')
        batch_op.drop_column('truncated_alerts')
        batch_op.drop_column('resolved_fingerprints')
        batch_op.drop_column('fingerprints')
    with op.batch_alter_table('alert_instance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_instance_triage_id'))
        batch_op.drop_index(batch_op.f('ix_alert_instance_crisis_id'))
    op.drop_table('alert_instance')
