"""paid cloud machines (the Yandex Cloud GPU backend) and each job's cost

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MACHINE_STATE = sa.Enum('starting', 'running', 'deleted', name='machine_state')


def upgrade() -> None:
    op.add_column('jobs', sa.Column('cost', sa.JSON(), nullable=True))
    op.create_table(
        'cloud_machines',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('backend', sa.String(32), nullable=False),
        sa.Column('job_id', sa.String(32), nullable=False),
        sa.Column('attempt', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.String(64), nullable=True, unique=True),
        sa.Column('state', MACHINE_STATE, nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ready_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('price_per_hour', sa.Float(), nullable=False),
        sa.Column('currency', sa.String(8), nullable=False),
        sa.Column('outcome', sa.Text(), nullable=True),
    )
    op.create_index('ix_cloud_machines_job_id', 'cloud_machines', ['job_id'])
    op.create_index('ix_cloud_machines_state', 'cloud_machines', ['state'])


def downgrade() -> None:
    op.drop_index('ix_cloud_machines_state', 'cloud_machines')
    op.drop_index('ix_cloud_machines_job_id', 'cloud_machines')
    op.drop_table('cloud_machines')
    MACHINE_STATE.drop(op.get_bind(), checkfirst=True)
    op.drop_column('jobs', 'cost')
