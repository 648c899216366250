"""The four roles of DESIGN.md and their names for people.

Kept apart from the models so that the main window and the signed-in actor can know a
role without importing SQLAlchemy (see :mod:`sendesk.db` on start-up).
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """The four roles of DESIGN.md; the service layer enforces them."""

    SENCO = "senco"
    LEARNING_SUPPORT = "learning_support"
    TEACHER = "teacher"
    READ_ONLY = "read_only"


ROLE_LABELS: dict[Role, str] = {
    Role.SENCO: "SENCo",
    Role.LEARNING_SUPPORT: "Learning support",
    Role.TEACHER: "Teacher",
    Role.READ_ONLY: "Read-only",
}

NAMED_READERS: tuple[Role, ...] = (Role.SENCO, Role.LEARNING_SUPPORT, Role.TEACHER)
"""The roles that may see pupils by name (read-only accounts see only figures)."""
