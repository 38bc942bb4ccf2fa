"""Alembic migrations of the collector database; shipped inside the package."""
