"""The school that owns the database: one row per database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from sendesk.models.base import Base, UTCDateTime, Versioned, utcnow


class School(Versioned, Base):
    """The school whose SEN office keeps this database.

    There is exactly one row. A multi-school trust uses one PostgreSQL database per school
    (or one SQLCipher file per school), so data never mixes between controllers.
    """

    __tablename__ = "school"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    urn: Mapped[str | None] = mapped_column(String(6))
    dfe_number: Mapped[str | None] = mapped_column(String(8))
    la_name: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
