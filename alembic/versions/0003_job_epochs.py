"""job epochs appended as rows instead of a rewritten JSON history

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

jobs = sa.table('jobs', sa.column('id', sa.String), sa.column('metrics_history', sa.JSON))
epochs = sa.table(
    'job_epochs',
    sa.column('id', sa.Integer),
    sa.column('job_id', sa.String),
    sa.column('epoch', sa.Integer),
    sa.column('data', sa.JSON),
)


def upgrade() -> None:
    op.create_table(
        'job_epochs',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('job_id', sa.String(length=32), nullable=False),
        sa.Column('epoch', sa.Integer(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_job_epochs_job_id'), 'job_epochs', ['job_id'], unique=False)
    connection = op.get_bind()
    rows = [
        {
            'job_id': job_id,
            'epoch': int(entry.get('epoch', 0)),
            'data': {k: v for k, v in entry.items() if k != 'epoch'},
        }
        for job_id, history in connection.execute(sa.select(jobs.c.id, jobs.c.metrics_history))
        for entry in history or []
    ]
    if rows:
        op.bulk_insert(epochs, rows)
    with op.batch_alter_table('jobs') as batch:
        batch.drop_column('metrics_history')


def downgrade() -> None:
    with op.batch_alter_table('jobs') as batch:
        batch.add_column(
            sa.Column('metrics_history', sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    connection = op.get_bind()
    history: dict[str, list[dict[str, object]]] = {}
    ordered = sa.select(epochs.c.job_id, epochs.c.epoch, epochs.c.data).order_by(epochs.c.id)
    for job_id, epoch, data in connection.execute(ordered):
        history.setdefault(job_id, []).append({'epoch': epoch, **data})
    for job_id, entries in history.items():
        connection.execute(
            jobs.update().where(jobs.c.id == job_id).values(metrics_history=entries)
        )
    op.drop_index(op.f('ix_job_epochs_job_id'), table_name='job_epochs')
    op.drop_table('job_epochs')
