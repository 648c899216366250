"""People who use SENDesk and the role that bounds what each may do."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sendesk.models.base import Base, UTCDateTime, Versioned, utcnow


class User(Versioned, Base):
    """A member of staff with a SENDesk account."""

    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # scrypt hash ("scrypt$n$r$p$salt$hash"); None for accounts that only the command line
    # uses. The database key guards the data; the password decides *who* is acting.
    # Deferred: loaded only where a password is checked, because on PostgreSQL only the
    # SENCo's login may read the column (services/store/pg_security.py), and every other
    # login still loads User rows (its own account, "logged by" names).
    password_hash: Mapped[str | None] = mapped_column(String(200), deferred=True)
    # A first password set by the SENCo (a new account, a reset) is changed at sign-in.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # Wrong passwords in a row, and when the last was typed: each one after the fifth
    # makes the next attempt wait longer. Kept here so restarting the app does not reset it.
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The teacher's staff code in the MIS: their classes follow from import-classes.
    staff_code: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PupilAssignment(Base):
    """A pupil assigned to a member of learning support (a key adult, a 1:1), beyond the
    pupils in the groups they lead: they see and work with these pupils too."""

    __tablename__ = "pupil_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    assigned_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        UniqueConstraint("user_id", "pupil_id", name="uq_pupil_assignment_user_pupil"),
        Index("ix_pupil_assignment_pupil", "pupil_id"),
    )
