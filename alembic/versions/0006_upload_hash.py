"""the SHA-256 of the bytes each dataset version was uploaded as (a retry is recognised)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('dataset_versions', sa.Column('upload_sha256', sa.String(64), nullable=True))
    op.create_index(
        'ix_dataset_versions_upload_sha256', 'dataset_versions', ['upload_sha256']
    )


def downgrade() -> None:
    op.drop_index('ix_dataset_versions_upload_sha256', 'dataset_versions')
    op.drop_column('dataset_versions', 'upload_sha256')
