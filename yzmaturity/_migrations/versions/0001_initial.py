"""The first schema: questionnaires (content by hash), enterprises, assessments.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

__all__ = ["branch_labels", "depends_on", "down_revision", "downgrade", "revision", "upgrade"]

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "yz_questionnaires",
        sa.Column("hash", sa.String(80), primary_key=True),
        sa.Column("questionnaire_id", sa.String(64), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "yz_enterprises",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("credit_code", sa.String(18), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "yz_assessments",
        sa.Column("pk", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(32), nullable=False, unique=True),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("yz_enterprises.id"), nullable=True),
        sa.Column("enterprise_name", sa.String(200), nullable=False),
        sa.Column("questionnaire_id", sa.String(64), nullable=False),
        sa.Column("questionnaire_version", sa.String(32), nullable=False),
        sa.Column(
            "questionnaire_hash", sa.String(80), sa.ForeignKey("yz_questionnaires.hash"), nullable=False
        ),
        sa.Column("sheet", sa.JSON(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("overall", sa.Float(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("assessor_kind", sa.String(16), nullable=False),
        sa.Column("assessor_name", sa.String(200), nullable=True),
        sa.Column("assessor_organisation", sa.String(200), nullable=True),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_yz_assessments_enterprise", "yz_assessments", ["enterprise_id", "assessed_on", "pk"])


def downgrade() -> None:
    op.drop_index("ix_yz_assessments_enterprise", table_name="yz_assessments")
    op.drop_table("yz_assessments")
    op.drop_table("yz_enterprises")
    op.drop_table("yz_questionnaires")
