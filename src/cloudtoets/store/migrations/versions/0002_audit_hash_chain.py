"""audit log as a hash chain, append-only

Adds ``seq``, ``prev_hash`` and ``hash`` to ``audit_log``, chains the existing rows in id order
(store/audit.py defines the hash) and installs triggers that refuse UPDATE and DELETE (and
TRUNCATE on PostgreSQL). On SQLite a later batch migration that recreates ``audit_log`` drops
these triggers and must create them again.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from cloudtoets.store.audit import CHAIN_LOCK_KEY, GENESIS, chain_hash, record_fields

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_AUDIT = sa.table(
    "audit_log",
    sa.column("id", sa.Integer()),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor", sa.String()),
    sa.column("organisation_id", sa.String()),
    sa.column("request_id", sa.String()),
    sa.column("action", sa.String()),
    sa.column("object_type", sa.String()),
    sa.column("object_id", sa.String()),
    sa.column("before", _JSON),
    sa.column("after", _JSON),
    sa.column("seq", sa.Integer()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)

_REFUSED = "het auditlogboek (audit_log) kan alleen worden aangevuld"

POSTGRES_TRIGGERS = [
    f"""CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = '{_REFUSED}: ' || TG_OP || ' is niet toegestaan';
END;
$$""",
    """CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""",
]

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_log_no_{operation.lower()} BEFORE {operation} ON audit_log
BEGIN SELECT RAISE(ABORT, '{_REFUSED}: {operation} is niet toegestaan'); END"""
    for operation in ("UPDATE", "DELETE")
]


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))

    _chain_existing_rows(bind)

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_log_seq"), ["seq"])

    triggers = POSTGRES_TRIGGERS if bind.dialect.name == "postgresql" else SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def _chain_existing_rows(bind: sa.Connection) -> None:
    """seq 1, 2, 3 … and the hashes for the rows written before the chain existed."""
    if bind.dialect.name == "postgresql":  # the table is locked by ALTER TABLE already
        bind.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    rows = bind.execute(sa.select(_AUDIT).order_by(_AUDIT.c.id)).mappings().all()
    prev_hash, updates = GENESIS, []
    for seq, row in enumerate(rows, start=1):
        values = {**row, "seq": seq, "prev_hash": prev_hash}
        prev_hash = chain_hash(prev_hash, record_fields(values))
        updates.append(
            {"row_id": row["id"], "seq": seq, "prev": values["prev_hash"], "h": prev_hash}
        )
    if updates:
        bind.execute(
            sa.update(_AUDIT)
            .where(_AUDIT.c.id == sa.bindparam("row_id"))
            .values(
                seq=sa.bindparam("seq"), prev_hash=sa.bindparam("prev"), hash=sa.bindparam("h")
            ),
            updates,
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    else:
        op.execute("DROP TRIGGER audit_log_no_update")
        op.execute("DROP TRIGGER audit_log_no_delete")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_log_seq"), type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
