"""Storage: SQLAlchemy tables, repositories and Alembic migrations; the only place with SQL."""

# Every table module is imported here so that Base.metadata (migrations, schema checks) is whole.
from cloudtoets.store import accounts, signing_keys, tables, workflows  # noqa: F401
