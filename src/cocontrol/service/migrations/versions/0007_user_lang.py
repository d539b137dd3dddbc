"""users: the language the user chose (pages and messages follow the account)

Revision ID: 0007_user_lang
Revises: 0006_job_message_zh
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_user_lang"
down_revision = "0006_job_message_zh"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as b:
        b.add_column(sa.Column("lang", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as b:
        b.drop_column("lang")
