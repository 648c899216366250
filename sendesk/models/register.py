"""The SEND register: SEN provision periods (N/K/E) and ranked type-of-need codes.

Both are kept as dated history: a change closes the current row (``end_date``) and opens a
new one, so the register as it stood on any date can be reconstructed and nothing is ever
overwritten.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from sendesk.models.base import Base, UTCDateTime, utcnow


class RegisterEntry(Base):
    """One period of a pupil's SEN provision: N, K (SEN support) or E (EHC plan).

    Every pupil has exactly one open entry (``end_date`` is null): their current status.
    """

    __tablename__ = "register_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    provision: Mapped[str] = mapped_column(String(1))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A mistaken entry is voided, never deleted: it leaves the pupil's effective history
    # (status, "since" date, census, pack) but stays on file, with who voided it and why.
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    void_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_register_entry_pupil_end", "pupil_id", "end_date"),
        # The database itself holds "one current entry per pupil": two SENCos saving at
        # the same moment cannot leave two open entries (a voided entry is closed).
        Index(
            "uq_register_entry_open",
            "pupil_id",
            unique=True,
            sqlite_where=text("end_date IS NULL"),
            postgresql_where=text("end_date IS NULL"),
        ),
    )


class Need(Base):
    """A ranked DfE type-of-need code held by a pupil for a period.

    Rank 1 is the primary need, rank 2 the secondary; only those two go to the census
    (DfE rule 2166), but a school may record more for its own use.
    """

    __tablename__ = "need"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(8))
    rank: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_need_pupil_end", "pupil_id", "end_date"),
        # One current need of each rank (one primary, one secondary…) per pupil.
        Index(
            "uq_need_open_rank",
            "pupil_id",
            "rank",
            unique=True,
            sqlite_where=text("end_date IS NULL"),
            postgresql_where=text("end_date IS NULL"),
        ),
    )
