"""job estimates and ETA, model verdicts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('jobs', sa.Column('estimate_s', sa.Float(), nullable=True))
    op.add_column('jobs', sa.Column('estimate_basis', sa.Text(), nullable=True))
    op.add_column('jobs', sa.Column('eta_s', sa.Float(), nullable=True))
    op.add_column('model_artifacts', sa.Column('verdict', sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column('model_artifacts', 'verdict')
    op.drop_column('jobs', 'eta_s')
    op.drop_column('jobs', 'estimate_basis')
    op.drop_column('jobs', 'estimate_s')
