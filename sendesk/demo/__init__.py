"""The demo school: a believable English secondary school with no real child in it.

It sits beside the services rather than among them because it is a caller of the use cases
(register changes, support plans, access arrangements, EHC requests), not one of them. The
modules follow the capabilities they fill in: :mod:`.school_plan` plans the pupils, staff and
register history (names from :mod:`.name_book`) and :mod:`.school` writes them and drives
the rest; :mod:`.graduated` adds support plans, interventions, sessions and progress;
:mod:`.access` exam access arrangements and the classes teachers teach; :mod:`.ehc` EHC
requests, plans and reviews; :mod:`.concerns` causes for concern; :mod:`.profiles` the
needs profiles. Their long text tables (names, phrases, advice) live in
``resources/demo/``.
"""

from sendesk.demo.ehc import HEAD_TEACHER
from sendesk.demo.school import DemoSummary, demo_password_hashes, write_demo_school
from sendesk.demo.school_plan import DEMO_PASSWORD, DEMO_STAFF_RATE_PENCE, LA_NAME, SCHOOL_NAME

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_STAFF_RATE_PENCE",
    "HEAD_TEACHER",
    "LA_NAME",
    "SCHOOL_NAME",
    "DemoSummary",
    "demo_password_hashes",
    "write_demo_school",
]
