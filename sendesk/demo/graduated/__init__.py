"""Graduated-response history for the demo school: plans, interventions, sessions, agencies.

So that every graduated-response screen and report of a demo school has believable content,
:func:`add_graduated_history` gives the pupils already written by
:func:`sendesk.demo.write_demo_school`:

- a catalogue of ten interventions typical of an English secondary school, costed at the
  hourly rate of the staff who run them;
- groups of those interventions over the last three terms, run by the learning support
  staff (and teachers, for teacher-led ones), with pupils enrolled by the areas of their
  needs, entry, mid and exit measures, and every session logged: held or not (and why),
  who attended, who missed it (and why), with a short note now and then;
- assess–plan–do–review cycles for most pupils on the register (and some who have come
  off it): SMART outcomes for the areas of their needs, the provision planned, the pupil's
  and the parents' views, and reviews of all but the current cycle;
- outside agencies' involvement, most with a one-page report kept as a PDF evidence
  document;
- school attendance for the last three terms and English and maths attainment now, six
  and twelve months ago.

Everything is drawn from ``random.Random(f"{seed}-graduated")`` and anchored on
``today``, so the same seed and day give the same history; a generator of its own leaves
the school's other draws as they were. The interventions (groups, enrolments, measures,
sessions and every mark: tens of thousands for a school of 1,200), the support plans, the
agencies' involvement with their reports, and school attendance and attainment go through
the services' batch calls
(:func:`~sendesk.services.graduated.past_interventions.record_past_interventions`,
:func:`~sendesk.services.graduated.past_plans.record_past_plans`,
:func:`~sendesk.services.evidence.past_agencies.record_past_involvements`,
:func:`~sendesk.services.graduated.progress_data.record_past_progress`), which check them
as the day-to-day services would and audit each batch once. All inside the caller's
transaction, and one audit event records what was made.

Dates of things that happened are never after ``today``; dates that are planned (a review
due, a group's planned end) may be. Sessions are only logged up to yesterday: today's are
left for the "my groups today" screen.
"""

from sendesk.demo.graduated.agencies import ascii_name, report_pdf
from sendesk.demo.graduated.catalogue import CATALOGUE
from sendesk.demo.graduated.history import GraduatedSummary, add_graduated_history
from sendesk.demo.graduated.school_calendar import is_school_day, recent_terms

__all__ = [
    "CATALOGUE",
    "GraduatedSummary",
    "add_graduated_history",
    "ascii_name",
    "is_school_day",
    "recent_terms",
    "report_pdf",
]
