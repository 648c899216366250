"""What every screen needs to call a service: the open database and the signed-in user."""

from __future__ import annotations

from dataclasses import dataclass

from sendesk.db import Database
from sendesk.roles import NAMED_READERS, Role
from sendesk.rules.permissions import Action, allowed
from sendesk.services.actor import Actor
from sendesk.services.school.school import SchoolInfo


@dataclass
class AppContext:
    """Handed to each page and dialog; pages pass ``db`` and ``actor`` to services.

    The UI never opens a Session itself (DESIGN.md): it only holds this handle.
    """

    db: Database
    actor: Actor
    school: SchoolInfo

    @property
    def is_senco(self) -> bool:
        return self.actor.role == Role.SENCO

    def may(self, action: Action) -> bool:
        """Whether the permission table lets this user take ``action`` on some pupils: what
        a screen offers follows the same table the services enforce (issue 13)."""
        return allowed(self.actor.role, action)

    @property
    def sees_named_pupils(self) -> bool:
        return self.actor.role in NAMED_READERS  # not read-only, not the exams officer
