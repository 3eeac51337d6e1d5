"""alert digest index: a crisis's untold alerts found without scanning all its alerts

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 08:00:00
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0012'
down_revision: Union[str, None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index('ix_alert_crisis_id_digested', ['crisis_id', 'digested'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_crisis_id_digested')
