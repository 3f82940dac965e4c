"""The events database: events, participants (contacts apart), rejected rows, imports, pair rules, meetings, journal.

Revision ID: 0001
Revises:
Create Date: 2026-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _event_fk() -> sa.Column:
    return sa.Column("event_id", sa.Integer(), sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("place", sa.String(300), nullable=False),
        sa.Column("slots", sa.JSON(), nullable=False),
        sa.Column("max_meetings", sa.Integer(), nullable=False),
        sa.Column("min_score", sa.Float(), nullable=False),
        sa.Column("schedule_note", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "participants",
        sa.Column("id", sa.Integer(), primary_key=True),
        _event_fk(),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(250), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("absent", sa.Boolean(), nullable=False),
        sa.Column("contact_name", sa.String(120), nullable=False),
        sa.Column("contact_role", sa.String(120), nullable=False),
        sa.Column("contact_email", sa.String(254), nullable=False),
    )
    op.create_index("ix_participants_event_id", "participants", ["event_id"])
    op.create_table(
        "rejected_rows",
        sa.Column("id", sa.Integer(), primary_key=True),
        _event_fk(),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(250), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_index("ix_rejected_rows_event_id", "rejected_rows", ["event_id"])
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), primary_key=True),
        _event_fk(),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("filename", sa.String(250), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_imports_event_id", "imports", ["event_id"])
    op.create_table(
        "pair_rules",
        sa.Column("id", sa.Integer(), primary_key=True),
        _event_fk(),
        sa.Column(
            "territory_id", sa.Integer(), sa.ForeignKey("participants.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "structure_id", sa.Integer(), sa.ForeignKey("participants.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("rule", sa.String(8), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("event_id", "territory_id", "structure_id", name="uq_pair_rule"),
    )
    op.create_index("ix_pair_rules_event_id", "pair_rules", ["event_id"])
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), primary_key=True),
        _event_fk(),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column(
            "territory_id", sa.Integer(), sa.ForeignKey("participants.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "structure_id", sa.Integer(), sa.ForeignKey("participants.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
    )
    op.create_index("ix_meetings_event_id", "meetings", ["event_id"])
    op.create_table(
        "journal",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
    )
    op.create_index("ix_journal_event_id", "journal", ["event_id"])


def downgrade() -> None:
    for table in ("journal", "meetings", "pair_rules", "imports", "rejected_rows", "participants", "events"):
        op.drop_table(table)
