"""enterprise: permits, accounts, product footprints and synergy projects per organisation

Revision ID: 0004_enterprise
Revises: 0003_monitoring
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_enterprise"
down_revision = "0003_monitoring"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _org_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["org_id"], ["organisations.id"],
                                   name=op.f(f"fk_{table}_org_id_organisations"))


def _version_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["project_version_id"], ["project_versions.id"],
        name=op.f(f"fk_{table}_project_version_id_project_versions"))


def _common(table: str) -> list:
    return [sa.Column("created_at", TS, nullable=False),
            sa.Column("created_by", sa.Integer(), nullable=True),
            _org_fk(table), sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))]


def upgrade() -> None:
    op.create_table(
        "enterprise_permits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("enterprise_key", sa.String(length=64), nullable=False),
        sa.Column("industry", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("compliance", sa.JSON(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=True),
        sa.Column("assessed_at", TS, nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        *_common("enterprise_permits"),
        sa.UniqueConstraint("org_id", "number", name=op.f("uq_enterprise_permits_org_id_number")),
    )
    op.create_table(
        "enterprise_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("project_version_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("carbon_level", sa.Integer(), nullable=True),
        sa.Column("carbon_colour", sa.String(length=16), nullable=True),
        sa.Column("performance_grade", sa.String(length=1), nullable=True),
        _version_fk("enterprise_accounts"),
        *_common("enterprise_accounts"),
    )
    op.create_table(
        "enterprise_footprints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("product_key", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("product", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("value_kg", sa.Float(), nullable=False),
        *_common("enterprise_footprints"),
    )
    op.create_table(
        "synergy_projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("benefits", sa.JSON(), nullable=True),
        sa.Column("benefits_year", sa.Integer(), nullable=True),
        sa.Column("project_version_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        _version_fk("synergy_projects"),
        *_common("synergy_projects"),
        sa.UniqueConstraint("org_id", "key", name=op.f("uq_synergy_projects_org_id_key")),
    )
    for table in ("enterprise_permits", "enterprise_accounts", "enterprise_footprints",
                  "synergy_projects"):
        with op.batch_alter_table(table, schema=None) as b:
            b.create_index(b.f(f"ix_{table}_org_id"), ["org_id"], unique=False)
    with op.batch_alter_table("synergy_projects", schema=None) as b:
        b.create_index(b.f("ix_synergy_projects_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("synergy_projects", schema=None) as b:
        b.drop_index(b.f("ix_synergy_projects_status"))
    for table in ("synergy_projects", "enterprise_footprints", "enterprise_accounts",
                  "enterprise_permits"):
        with op.batch_alter_table(table, schema=None) as b:
            b.drop_index(b.f(f"ix_{table}_org_id"))
        op.drop_table(table)
