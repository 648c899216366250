"""EHC history for the demo school: LA profiles, requests at every stage, plans and reviews.

So that the EHC screens, "what's due" and ``sendesk deadlines`` of a demo school show
every state a SENCo meets, :func:`add_ehc_history` gives the pupils already written by
:func:`sendesk.demo.write_demo_school`:

- LA profiles for the school's LA and a neighbouring one with different panel rules;
- an EHC plan for every pupil with an EHC plan on the register (sections B, E and F from
  their needs, hours a week and top-up funding), issued the day the register says, with
  an annual review for each year since: invitations, the meeting, the report and the
  LA's decision (after a decision to amend: the amendments proposed with it and the
  amended plan 6 weeks later). One pupil's review is overdue, one has a meeting held last
  week with the paperwork still to send, one has next month's meeting booked, and one had
  amendments proposed 11 weeks ago with the amended plan still not issued (due after 8);
  plans issued in the last two years carry the completed request that led to them;
- open requests for pupils on SEN support at every stage: being prepared, just sent,
  agreed to assess, health and social care advice asked for and now late (reg 8: 6
  weeks), agreed to issue, a draft with the family, refused to assess (with a way-forward
  meeting and mediation), refused to issue (mediation certificate and an appeal), an LA
  running late ("week 23 of 20") and one whose clock is extended by a recorded
  summer-closure exception. Requests past the decision to assess record when the advice
  was asked for and when it arrived;
- the evidence a real case has, for every pupil with a plan or an open request: an
  educational psychologist's report, a specialist's report for their needs (speech and
  language, specialist teacher, occupational therapy…) and a work sample, stored as
  evidence documents, the reports linked to the agency's involvement. The reports are the
  one-page PDFs of :func:`sendesk.demo.graduated.report_pdf`; a report the
  graduated history already stored stands in for one. Three open requests
  (:data:`OLD_REPORT_STAGES`) have a specialist's report a few months past their LA's limit,
  so the request pack's readiness check has one to flag.

Everything is drawn from ``random.Random(f"{seed}-ehc")`` and anchored on ``today``, so
the same seed and day give the same history. Everything is written inside the caller's
transaction through the EHC services' batch calls, so each request, plan and review is
checked by the rules the app itself applies and the demo never shows a case the app would
refuse: the requests with their steps and clock exceptions
(:func:`sendesk.services.ehc.requests.record_past_requests`), the plans — the register's
own plans completed (:func:`sendesk.services.ehc.plans.record_past_ehc_plans`) — the
annual reviews (:func:`sendesk.services.ehc.reviews.record_past_reviews`) and the new
involvements with their reports
(:func:`sendesk.services.evidence.past_agencies.record_past_involvements`); the other
documents go through the evidence service one by one.
"""

from sendesk.demo.ehc.cases import HEAD_TEACHER, NEIGHBOUR_LA, OLD_REPORT_STAGES
from sendesk.demo.ehc.history import EhcSummary, add_ehc_history
from sendesk.demo.ehc.work_samples import work_sample_png

__all__ = [
    "HEAD_TEACHER",
    "NEIGHBOUR_LA",
    "OLD_REPORT_STAGES",
    "EhcSummary",
    "add_ehc_history",
    "work_sample_png",
]
