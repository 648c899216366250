"""The declarative base shared by every table.

A fixed constraint naming convention matters for Alembic: SQLite can only change a table by
copying it ("batch mode"), and that needs every constraint to have a predictable name.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Integer, MetaData
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python.

    SQLite stores no zone and hands back naive values; PostgreSQL hands back aware ones.
    Normalising here means audit hashes and comparisons behave the same on both.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: pass an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time as an aware UTC datetime (the only kind the schema stores)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Base class of every SENDesk table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Versioned:
    """A row people edit on screen: ``version`` counts its saves, and SQLAlchemy checks it
    on every UPDATE, so a save over someone else's since the row was read fails
    (StaleDataError, which the services turn into a ConflictError) instead of overwriting
    it. Mixed in before :class:`Base`; the column is the last of the table's."""

    version: Mapped[int] = mapped_column(Integer, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]
