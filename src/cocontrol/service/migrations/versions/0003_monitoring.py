"""monitoring: series uploads, alerts and cases per organisation

Revision ID: 0003_monitoring
Revises: 0002_security
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_monitoring"
down_revision = "0002_security"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _org_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["org_id"], ["organisations.id"],
                                   name=op.f(f"fk_{table}_org_id_organisations"))


def upgrade() -> None:
    op.create_table(
        "monitoring_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("n_rows", sa.Integer(), nullable=False),
        sa.Column("not_estimated", sa.Integer(), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        _org_fk("monitoring_uploads"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_uploads")),
    )
    with op.batch_alter_table("monitoring_uploads", schema=None) as b:
        b.create_index(b.f("ix_monitoring_uploads_org_id"), ["org_id"], unique=False)
        b.create_index(b.f("ix_monitoring_uploads_content_hash"), ["content_hash"],
                       unique=False)
    op.create_table(
        "monitoring_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("probability_of_missing", sa.Float(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        _org_fk("monitoring_alerts"),
        sa.ForeignKeyConstraint(["upload_id"], ["monitoring_uploads.id"],
                                name=op.f("fk_monitoring_alerts_upload_id_monitoring_uploads")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_alerts")),
    )
    with op.batch_alter_table("monitoring_alerts", schema=None) as b:
        b.create_index(b.f("ix_monitoring_alerts_org_id"), ["org_id"], unique=False)
        b.create_index(b.f("ix_monitoring_alerts_upload_id"), ["upload_id"], unique=False)
        b.create_index(b.f("ix_monitoring_alerts_level"), ["level"], unique=False)
    op.create_table(
        "monitoring_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("entity", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        _org_fk("monitoring_cases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_cases")),
        sa.UniqueConstraint("org_id", "key", name=op.f("uq_monitoring_cases_org_id_key")),
    )
    with op.batch_alter_table("monitoring_cases", schema=None) as b:
        b.create_index(b.f("ix_monitoring_cases_org_id"), ["org_id"], unique=False)
        b.create_index(b.f("ix_monitoring_cases_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("monitoring_cases", schema=None) as b:
        b.drop_index(b.f("ix_monitoring_cases_status"))
        b.drop_index(b.f("ix_monitoring_cases_org_id"))
    op.drop_table("monitoring_cases")
    with op.batch_alter_table("monitoring_alerts", schema=None) as b:
        b.drop_index(b.f("ix_monitoring_alerts_level"))
        b.drop_index(b.f("ix_monitoring_alerts_upload_id"))
        b.drop_index(b.f("ix_monitoring_alerts_org_id"))
    op.drop_table("monitoring_alerts")
    with op.batch_alter_table("monitoring_uploads", schema=None) as b:
        b.drop_index(b.f("ix_monitoring_uploads_content_hash"))
        b.drop_index(b.f("ix_monitoring_uploads_org_id"))
    op.drop_table("monitoring_uploads")
