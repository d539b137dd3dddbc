"""jobs: the progress and state message in Chinese beside the English one

Revision ID: 0006_job_message_zh
Revises: 0005_parks
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_job_message_zh"
down_revision = "0005_parks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as b:
        b.add_column(sa.Column("message_zh", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as b:
        b.drop_column("message_zh")
