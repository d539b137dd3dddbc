"""parks: park targets and computed park accounts per organisation

Revision ID: 0005_parks
Revises: 0004_enterprise
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_parks"
down_revision = "0004_enterprise"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "park_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("species", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("max", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"],
                                name=op.f("fk_park_targets_org_id_organisations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_park_targets")),
        sa.UniqueConstraint("org_id", "key", name=op.f("uq_park_targets_org_id_key")),
    )
    op.create_table(
        "park_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("park_key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("project_version_id", sa.Integer(), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"],
                                name=op.f("fk_park_accounts_org_id_organisations")),
        sa.ForeignKeyConstraint(
            ["project_version_id"], ["project_versions.id"],
            name=op.f("fk_park_accounts_project_version_id_project_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_park_accounts")),
    )
    for table in ("park_targets", "park_accounts"):
        with op.batch_alter_table(table, schema=None) as b:
            b.create_index(b.f(f"ix_{table}_org_id"), ["org_id"], unique=False)


def downgrade() -> None:
    for table in ("park_accounts", "park_targets"):
        with op.batch_alter_table(table, schema=None) as b:
            b.drop_index(b.f(f"ix_{table}_org_id"))
        op.drop_table(table)
