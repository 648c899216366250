"""Pupils and the people with parental responsibility for them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sendesk.models.base import Base, UTCDateTime, Versioned, utcnow


class Pupil(Versioned, Base):
    """A pupil, identified across MIS exports by their UPN.

    The SEN status is *not* a column here: it is the open register entry, so the history
    and the current state can never disagree.
    """

    __tablename__ = "pupil"
    # The register lists pupils by year group and name: read in this index's order, the
    # register needs no sort, so loading it grows with the pupils, not faster (migration
    # 0011; benchmarks/run_all.py).
    __table_args__ = (
        Index("ix_pupil_register_order", "year_group", "legal_surname", "legal_forename", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    upn: Mapped[str] = mapped_column(String(13), unique=True)
    legal_surname: Mapped[str] = mapped_column(String(120))
    legal_forename: Mapped[str] = mapped_column(String(120))
    preferred_surname: Mapped[str | None] = mapped_column(String(120))
    preferred_forename: Mapped[str | None] = mapped_column(String(120))
    dob: Mapped[date] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(1))
    year_group: Mapped[int | None] = mapped_column(Integer)
    reg_group: Mapped[str | None] = mapped_column(String(20))
    admission_date: Mapped[date | None] = mapped_column(Date)
    leaving_date: Mapped[date | None] = mapped_column(Date)
    # Where a leaver goes (the CTF's DestSchool: "LLL/EEEE") and when their SEN file was
    # sent on: the law gives the old school 15 school days (issue 15; ctf.md §1).
    destination_school: Mapped[str | None] = mapped_column(String(200))
    destination_dfe: Mapped[str | None] = mapped_column(String(8))
    sen_file_sent_on: Mapped[date | None] = mapped_column(Date)
    eal: Mapped[bool] = mapped_column(Boolean, default=False)
    pupil_premium: Mapped[bool] = mapped_column(Boolean, default=False)
    looked_after: Mapped[bool] = mapped_column(Boolean, default=False)
    nhs_number: Mapped[str | None] = mapped_column(String(10))
    # Held where the MIS gives them: an LA's request form asks for both.
    home_language: Mapped[str | None] = mapped_column(String(60))
    ethnicity: Mapped[str | None] = mapped_column(String(60))
    # The date of the next review of the pupil's SEN provision as agreed at the last one;
    # the graduated-response and EHC issues feed it automatically.
    next_review_due: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="pupil", cascade="all, delete-orphan", order_by="Contact.priority"
    )

    @property
    def display_name(self) -> str:
        """Preferred names where the school recorded them, legal names otherwise."""
        forename = self.preferred_forename or self.legal_forename
        surname = self.preferred_surname or self.legal_surname
        return f"{forename} {surname}"


class NeedProfile(Versioned, Base):
    """What the school knows of a pupil in one broad area of need, in plain words.

    The census code says *which* need; this says what it means for this child: their
    strengths, what they find hard, and the strategies that work — what a teacher reads.
    """

    __tablename__ = "need_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"))
    area: Mapped[str] = mapped_column(String(60))
    strengths: Mapped[str] = mapped_column(Text, default="")
    difficulties: Mapped[str] = mapped_column(Text, default="")
    strategies: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("pupil_id", "area"),)


class Contact(Versioned, Base):
    """A parent or carer (or other contact) of a pupil."""

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    relationship_to_pupil: Mapped[str | None] = mapped_column(String(60))
    parental_responsibility: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[int] = mapped_column(Integer, default=1)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text)
    preferred_contact: Mapped[str | None] = mapped_column(String(40))

    pupil: Mapped[Pupil] = relationship(back_populates="contacts")
