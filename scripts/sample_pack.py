"""Write docs/sample-pack.pdf and docs/sample-pack.docx: a demo pupil's EHC request pack.

Run: ``python scripts/sample_pack.py [--pupils 300] [--seed 1] [--today 2026-03-02]``.
Makes a demo school in a temporary encrypted database (made-up people only), picks the
pupil on SEN support with the longest history — most support-plan cycles, then most
interventions, then most evidence documents — completes their request as a SENCo would
(consent, the pupil's and parents' views, their hopes for the future, why now, health and
social care, the head teacher's sign-off), adds in-class support to their current plan
(staff time, costed at the school's default staff rate) and a photo of a piece of work,
and builds the pack exactly as ``sendesk pack`` does. The same
arguments give the same pupil and the same pages. Look at the PDF after any change to the
pack's layout.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import shutil
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageDraw
from sqlalchemy import func, select

from sendesk.db import Database, create_database
from sendesk.demo import write_demo_school
from sendesk.keystore import new_raw_key
from sendesk.models import (
    EhcRequest,
    Enrolment,
    EvidenceDocument,
    PlannedProvision,
    RegisterEntry,
    SupportPlan,
)
from sendesk.operations.pack import build_pack
from sendesk.rules.readiness import CONSENT_OWN_AGE, age_on
from sendesk.services.actor import Actor, acting_user
from sendesk.services.ehc.records import RequestData
from sendesk.services.ehc.requests import list_requests, open_request, update_request
from sendesk.services.evidence.evidence import add_document
from sendesk.services.register.pupil_record import ContactData, get_record, update_contact

ROOT = Path(__file__).resolve().parents[1]


def longest_history(db: Database) -> int:
    """The pupil on SEN support with the most cycles, then interventions, then documents."""
    with db.session() as s:
        on_support = select(RegisterEntry.pupil_id).where(
            RegisterEntry.end_date.is_(None), RegisterEntry.provision == "K"
        )

        def counts(column: object) -> dict[int, int]:
            rows = s.execute(
                select(column, func.count())  # type: ignore[call-overload]
                .where(column.in_(on_support))  # type: ignore[attr-defined]
                .group_by(column)
            ).all()
            return {pid: n for pid, n in rows}

        cycles = counts(SupportPlan.pupil_id)
        groups = counts(Enrolment.pupil_id)
        documents = counts(EvidenceDocument.pupil_id)
    return max(cycles, key=lambda p: (cycles[p], groups.get(p, 0), documents.get(p, 0), -p))


def work_sample() -> bytes:
    """A made-up photo of a page of handwriting (lines on paper)."""
    image = Image.new("RGB", (1200, 850), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    for row in range(12):
        y = 90 + row * 60
        draw.line((60, y, 1140, y), fill=(170, 190, 220), width=2)
        length = 300 + (row * 137) % 760
        for x in range(80, 80 + length, 34):
            draw.arc((x, y - 34, x + 26, y - 4), 200, 340, fill=(40, 40, 90), width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def complete_request(db: Database, senco: Actor, pupil_id: int, today: date) -> None:
    record = get_record(db, senco, pupil_id)
    first = record.preferred_forename or record.legal_forename
    details = {
        "caseworker": "Sam Okafor",
        "consent_on": today - timedelta(days=14),
        "young_person_consent_on": (
            today - timedelta(days=14) if age_on(record.dob, today) >= CONSENT_OWN_AGE else None
        ),
        "why_now": (
            f"{first} has had several reviewed cycles of SEN support with targeted "
            "interventions. Progress on the interventions has not carried into lessons and "
            f"the gap with peers is widening. The school believes {first} may need provision "
            "through an EHC plan and asks for an EHC needs assessment."
        ),
        "pupil_views": (
            "I like art and football. Reading out loud in class makes me worried and I "
            "lose my place. Working with Miss Patel in a small group helps me."
        ),
        "parent_views": (
            f"We want {first} to be happy at school and to read well enough to enjoy it. "
            "Mornings are hard when there is a test. We would like help at home too."
        ),
        "health_info": "Mild asthma (inhaler in school). Hearing and vision checked: normal.",
        "social_care_info": "",
        "health_none_known": False,
    }
    requests = [r for r in list_requests(db, senco, pupil_id, today=today) if r.is_open]
    if requests:
        current = requests[0]
        data = dataclasses.replace(current.data(), **details)
        update_request(db, senco, current.id, current.version, data, today=today)
    else:
        data = RequestData(requested_by="school", la_name="Hertfordshire", sent_on=None, **details)
        open_request(db, senco, pupil_id, data, today=today)
    sign_off_and_staff_time(db, pupil_id, today)
    for n, contact in enumerate(c for c in record.contacts if c.parental_responsibility):
        data = ContactData(
            **{f.name: getattr(contact, f.name) for f in dataclasses.fields(ContactData)}
        )
        address = f"{12 + 7 * n} Mill Lane, Riverside, Hertford SG14 1AB"  # made up
        update_contact(
            db, senco, contact.id, contact.version, dataclasses.replace(data, address=address)
        )
    add_document(
        db,
        senco,
        pupil_id,
        work_sample(),
        "Writing sample from English",
        today - timedelta(days=21),
        filename="writing-sample.png",
        today=today,
    )


def sign_off_and_staff_time(db: Database, pupil_id: int, today: date) -> None:
    """The request's aspirations and sign-off, and in-class support in the current plan.

    Written to the rows directly: the request dialog and the plan editor that record them
    are other screens, and this script only needs what the pack reads.
    """
    with db.transaction() as s:
        request = s.scalars(
            select(EhcRequest)
            .where(EhcRequest.pupil_id == pupil_id, EhcRequest.closed_on.is_(None))
            .order_by(EhcRequest.id.desc())
        ).first()
        if request is not None:
            request.aspirations = (
                "I want to work with animals, maybe as a vet. I want to read books about "
                "animals on my own and to have friends in my class."
            )
            request.signed_off_by, request.signed_off_role = "Mrs Helen Ward", "Head teacher"
            request.signed_off_on = today - timedelta(days=1)
        plan = s.scalars(
            select(SupportPlan)
            .where(SupportPlan.pupil_id == pupil_id, SupportPlan.start_date <= today)
            .order_by(SupportPlan.start_date.desc(), SupportPlan.id.desc())
        ).first()
        if plan is not None:
            last = s.scalar(
                select(func.max(PlannedProvision.position)).where(
                    PlannedProvision.plan_id == plan.id
                )
            )
            s.add(
                PlannedProvision(
                    plan_id=plan.id,
                    position=(last or 0) + 1,
                    kind="staff",
                    description=(
                        "A teaching assistant in English lessons to read instructions and "
                        "texts aloud and check understanding, 4 × 45 minutes a week"
                    ),
                    minutes_per_week=180,
                )
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pupils", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 3, 2))
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = create_database(str(Path(folder) / "demo.sendesk"), new_raw_key())
        write_demo_school(db, pupils=args.pupils, seed=args.seed, today=args.today)
        senco = acting_user(db, None)
        pupil_id = longest_history(db)
        complete_request(db, senco, pupil_id, args.today)
        result = build_pack(db, senco, pupil_id, Path(folder), today=args.today)
        db.dispose()
        args.out.mkdir(parents=True, exist_ok=True)
        pdf, docx = args.out / "sample-pack.pdf", args.out / "sample-pack.docx"
        shutil.copyfile(result.pdf, pdf)
        shutil.copyfile(result.docx, docx)
    print(f"Wrote {pdf} ({result.pages} pages) and {docx}.")
    for line in result.missing_reasons:
        print(f"  missing: {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
