"""Storage: SQLAlchemy tables, repositories and Alembic migrations; the only place with SQL."""
