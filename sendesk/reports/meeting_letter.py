"""The letter inviting parents to a review meeting, in plain words, as PDF and DOCX.

What a family needs from the letter, and nothing else: when and where the meeting is,
what it is for, who else is invited, how to tell the school their views beforehand (and
by when), what to do if the time is difficult, and whom to contact. No jargon: "support
plan" and "EHC plan" are named once, with what they mean. The child is named by the name
the family uses (preferred forename); the UPN is never printed on a letter home.

The words are built once (:func:`letter_document`) and set as both files by
:mod:`sendesk.reports.plain_document`; the operation that writes them, records the
invitation date and audits the export is :mod:`sendesk.operations.meeting_letter`.
"""

from __future__ import annotations

from pathlib import Path

from sendesk.reports.plain_document import (
    Block,
    Bullets,
    Facts,
    Gap,
    Heading,
    Para,
    PlainDocument,
    write_docx,
    write_pdf,
)
from sendesk.rules.meetings import KIND_ANNUAL, long_date
from sendesk.services.graduated.meetings import LetterData, time_words


def _names(names: tuple[str, ...]) -> str:
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _contact_line(data: LetterData) -> str:
    ways = [w for w in (data.contact_phone, data.contact_email) if w]
    who = data.contact_name or "the SENCo"
    if not ways:
        return f"{who}, SENCo, at the school office"
    return f"{who}, SENCo: " + " or ".join(ways)


def letter_document(data: LetterData) -> PlainDocument:
    """The letter as blocks: the same words in the PDF and the DOCX."""
    m = data.meeting
    first = data.pupil_first_name
    annual = m.kind == KIND_ANNUAL
    what = (
        "annual review of " + first + "'s EHC plan" if annual else first + "'s support plan review"
    )
    dear = _names(data.parents) or "Parent or carer"
    others = [p for p in m.invitees if not p.parent]
    blocks: list[Block] = [
        Para(long_date(data.letter_on, weekday=False), right=True),
        Para(f"Dear {dear},"),
        Para(f"We would like to invite you to a meeting about {first}: the {what}."),
        Facts(
            (
                ("When", f"{long_date(m.meeting_on)} at {time_words(m.starts_at)}"),
                ("Where", m.place),
                ("What it is for", f"The meeting is {m.purpose.rstrip('.')}."),
            )
        ),
    ]
    if annual:
        blocks.append(
            Para(
                f"An EHC plan (education, health and care plan) sets out {first}'s needs and "
                "the help they get. The law says it must be reviewed at least once a year, "
                "and that everyone is invited at least 2 weeks before the meeting. After the "
                "meeting we will send a report to you and to the local authority within 2 "
                "weeks."
            )
        )
    else:
        blocks.append(
            Para(
                f"A support plan sets out what {first} is working on, and the extra help "
                "the school gives. We look at it together, with you, a few times a year."
            )
        )
    blocks += [Heading("Who is invited")]
    invited = [f"You ({_names(data.parents)})" if data.parents else "You"]
    invited += [f"{p.name} ({p.role})" for p in others]
    blocks.append(Bullets(tuple(invited)))
    blocks.append(
        Para(
            f"{first} is welcome to come to all or part of the meeting, or to tell us their "
            "views beforehand: whatever suits them best."
        )
    )
    blocks.append(Heading("Your views"))
    by = f" by {long_date(m.views_by)}" if m.views_by else ""
    blocks.append(
        Para(
            "Your views matter. Before the meeting, please think about what is going well "
            f"for {first}, what worries you, and what you would like to change. If you would "
            f"like us to read your views before the meeting, please send them{by} to "
            f"{_contact_line(data)}. A few lines in an email or a note in {first}'s bag is "
            "fine. You can also just tell us at the meeting."
        )
    )
    blocks.append(Heading("If you cannot come"))
    blocks.append(
        Para(
            "If the day or time is difficult, please let us know as soon as you can and we "
            "will find another time. You are welcome to bring someone with you for support."
        )
    )
    blocks += [
        Para("We look forward to seeing you."),
        Para("Yours sincerely,"),
        Gap(2),
        Para(data.contact_name or "The SENCo", bold=True),
        Para(f"SENCo, {data.school_name}" if data.school_name else "SENCo"),
    ]
    return PlainDocument(
        title=f"Invitation: {what[0].upper() + what[1:]}",
        blocks=tuple(blocks),
        kicker=data.school_name,
        footer=f"{data.school_name} · {_contact_line(data)}" if data.school_name else "",
    )


def write_letter(data: LetterData, pdf: Path | str, docx: Path | str) -> tuple[Path, Path]:
    """Write the letter as ``pdf`` and ``docx`` (each all or nothing)."""
    doc = letter_document(data)
    return (
        write_pdf(doc, pdf, subject="Invitation to a review meeting"),
        write_docx(doc, docx),
    )


__all__ = ["letter_document", "write_letter"]
