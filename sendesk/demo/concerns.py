"""The demo school's causes for concern, written through the concerns service.

Why through the service: a concern's steps, its audit events and its tie to a support
plan are the service's to get right; the demo writes a handful (not thousands), so the
service's own transactions cost nothing and the demo shows exactly what a school would
have. Teachers raise them about pupils in their classes who are not on the register:
some new (on the SENCo's "what's due"), one waiting for the evidence the SENCo asked
for, one being monitored.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from sendesk.db import Database
from sendesk.demo.tables import load
from sendesk.models import TeachingGroup, TeachingGroupMember, User
from sendesk.rules.census import ON_REGISTER
from sendesk.rules.concerns import ConcernDraft
from sendesk.services.actor import Actor
from sendesk.services.graduated import concerns
from sendesk.services.register.register import load_current

NEW, ASKED, MONITORED = 3, 1, 1


def add_demo_concerns(db: Database, senco: Actor, *, seed: int, today: date) -> int:
    """Raise and take forward the demo's concerns; returns how many were raised."""
    rng = random.Random(seed * 7 + 3)
    texts = load("concerns")
    with db.session() as s:
        on_register = {pid for pid, c in load_current(s).items() if c.provision in ON_REGISTER}
        taught = s.execute(
            select(User, TeachingGroupMember.pupil_id)
            .join(TeachingGroup, TeachingGroup.teacher_id == User.id)
            .join(TeachingGroupMember, TeachingGroupMember.group_id == TeachingGroup.id)
            .order_by(TeachingGroupMember.pupil_id, User.id)
        ).all()
        teacher_of: dict[int, Actor] = {}
        for user, pupil_id in taught:
            if pupil_id not in on_register:
                teacher_of.setdefault(pupil_id, Actor.of(user))
    candidates = sorted(teacher_of)
    if not candidates:
        return 0
    chosen = rng.sample(candidates, min(NEW + ASKED + MONITORED, len(candidates)))
    areas = sorted(texts["seen"])
    for number, pupil_id in enumerate(chosen):
        area = rng.choice(areas)
        raised = today - timedelta(days=rng.randint(2, 12) + (20 if number >= NEW else 0))
        draft = ConcernDraft(
            area=area,
            seen=rng.choice(texts["seen"][area]),
            tried=rng.choice(texts["tried"]),
            tried_weeks=rng.randint(3, 8),
            raised_on=raised,
        )
        cid = concerns.raise_concern(db, teacher_of[pupil_id], pupil_id, draft, today=today)
        if number < NEW:
            continue
        (item,) = [c for c in concerns.list_concerns(db, senco, pupil_id) if c.id == cid]
        decided_on = raised + timedelta(days=5)
        if number < NEW + ASKED:
            concerns.ask_for_evidence(
                db, senco, cid, item.version, rng.choice(texts["asked"]), on=decided_on
            )
        else:
            concerns.decide(
                db,
                senco,
                cid,
                item.version,
                "monitor",
                on=decided_on,
                review_on=today + timedelta(days=21),
                note="Keep the strategies going; we will look again after three weeks.",
            )
    return len(chosen)
