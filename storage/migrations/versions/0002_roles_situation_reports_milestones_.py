"""roles, situation reports, milestones, timeline, reminders, lessons

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 06:06:13.088041
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0002'
down_revision: Union[str, None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('lesson',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('crisis_id', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('author', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['crisis_id'], ['crisis.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('lesson', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesson_crisis_id'), ['crisis_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lesson_plan_name'), ['plan_name'], unique=False)

    op.create_table('milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crisis_id', sa.Integer(), nullable=False),
    sa.Column('phase', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('out_of_order', sa.Boolean(), nullable=False),
    sa.Column('skipped', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['crisis_id'], ['crisis.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_crisis_id'), ['crisis_id'], unique=False)

    op.create_table('reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crisis_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fired_count', sa.Integer(), nullable=False),
    sa.Column('last_fired_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['crisis_id'], ['crisis.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('crisis_id', 'kind')
    )
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_crisis_id'), ['crisis_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_due_at'), ['due_at'], unique=False)

    op.create_table('role_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crisis_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('assigned_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['crisis_id'], ['crisis.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('role_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_assignment_crisis_id'), ['crisis_id'], unique=False)

    op.create_table('sitrep_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crisis_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('changed', sa.JSON(), nullable=False),
    sa.Column('author', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['crisis_id'], ['crisis.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('crisis_id', 'version')
    )
    with op.batch_alter_table('sitrep_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sitrep_version_crisis_id'), ['crisis_id'], unique=False)

    op.create_table('timeline_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crisis_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('author', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['crisis_id'], ['crisis.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('crisis_id', 'ref')
    )
    with op.batch_alter_table('timeline_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_timeline_entry_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_timeline_entry_crisis_id'), ['crisis_id'], unique=False)

    with op.batch_alter_table('crisis', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phase', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('crisis', schema=None) as batch_op:
        batch_op.drop_column('outcome')
        batch_op.drop_column('phase')

    with op.batch_alter_table('timeline_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timeline_entry_crisis_id'))
        batch_op.drop_index(batch_op.f('ix_timeline_entry_at'))

    op.drop_table('timeline_entry')
    with op.batch_alter_table('sitrep_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sitrep_version_crisis_id'))

    op.drop_table('sitrep_version')
    with op.batch_alter_table('role_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_assignment_crisis_id'))

    op.drop_table('role_assignment')
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_due_at'))
        batch_op.drop_index(batch_op.f('ix_reminder_crisis_id'))

    op.drop_table('reminder')
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_crisis_id'))

    op.drop_table('milestone')
    with op.batch_alter_table('lesson', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lesson_plan_name'))
        batch_op.drop_index(batch_op.f('ix_lesson_crisis_id'))

    op.drop_table('lesson')
