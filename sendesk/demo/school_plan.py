"""The plan of the demo school, made whole in memory before anything is written (no
database reads): staff, pupils, their contacts, SEN status and needs, and the register
history that led there, with believable reasons."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sendesk.demo.name_book import Name, _name_book, _NameBook, _Origin, _slug, _Surname
from sendesk.demo.profiles import profiles_for
from sendesk.demo.tables import load, tuples
from sendesk.models import Role
from sendesk.rules import nhs, upn
from sendesk.rules.census import Area, Provision, area_of, describe

_TABLES = load("school")
"""The text tables of this module (names, phrases, advice): ``resources/demo/school.json``."""

SCHOOL_NAME = "Riverside Academy"
LA_NAME = "Hertfordshire"
DEMO_STAFF_RATE_PENCE = 2_150  # a teaching assistant's hourly cost with on-costs
LA_NUMBER = 919  # Hertfordshire's DfE LA number
MAX_PUPILS = 50_000
FORM_SIZE = 30
PROGRESS_EVERY = 50
YEAR_GROUPS = (7, 8, 9, 10, 11)
DEMO_PASSWORD = "demo-password"  # noqa: S105 - made-up people only: published on purpose

N, K, E = Provision.N.value, Provision.K.value, Provision.E.value

# Primary need frequencies in mainstream secondary schools (roughly the DfE's "Special
# educational needs in England" shares): SEMH, SpLD, SLCN, MLD and ASD common; sensory and
# physical needs rare; SLD and PMLD very rare in mainstream; NSA only with SEN support.
PRIMARY_K: dict[str, float] = {
    "SEMH": 23,
    "SPLD": 20,
    "SLCN": 13,
    "MLD": 12,
    "ASD": 10,
    "OTH": 4,
    "NSA": 4,
    "HI": 2,
    "PD": 1.5,
    "VI": 1,
    "MSI": 0.2,
    "SLD": 0.3,
}
PRIMARY_E: dict[str, float] = {
    "ASD": 36,
    "SEMH": 17,
    "SLCN": 11,
    "MLD": 9,
    "SPLD": 6,
    "PD": 4,
    "HI": 3,
    "VI": 2,
    "OTH": 2,
    "SLD": 1.5,
    "MSI": 0.5,
    "PMLD": 0.3,
}
SECONDARY: dict[str, float] = {
    "SEMH": 30,
    "SLCN": 18,
    "SPLD": 14,
    "MLD": 10,
    "ASD": 10,
    "OTH": 5,
    "PD": 3,
    "HI": 2,
    "VI": 2,
    "MSI": 0.2,
}
SECONDARY_SHARE = {K: 0.45, E: 0.6}

# A need often recorded before the one a pupil has now (e.g. SLCN until an autism diagnosis).
RECODED_FROM: dict[str, tuple[str, ...]] = {
    "ASD": ("SLCN", "SLCN", "SEMH", "NSA"),
    "SPLD": ("NSA", "NSA", "MLD"),
    "MLD": ("NSA", "SLCN"),
    "SLCN": ("NSA",),
    "SEMH": ("NSA", "OTH"),
    "OTH": ("NSA",),
}
AREA_EXAMPLES: dict[Area, tuple[str, ...]] = {
    Area.COGNITION_LEARNING: ("SPLD", "MLD"),
    Area.COMMUNICATION_INTERACTION: ("SLCN", "ASD"),
    Area.SEMH: ("SEMH",),
    Area.SENSORY_PHYSICAL: ("HI", "VI", "PD"),
}

FINDINGS: dict[str, str] = _TABLES["FINDINGS"]
SOURCES: dict[str, str] = _TABLES["SOURCES"]
TRIGGERS = tuples(_TABLES["TRIGGERS"])
READING_TRIGGER = "Flagged by the whole-year reading screening"
OFF_REGISTER = tuples(_TABLES["OFF_REGISTER"])
BACK_ON = tuples(_TABLES["BACK_ON"])


# --- the plan (pure: no database) ---------------------------------------------------------


@dataclass(frozen=True)
class _Change:
    on: date
    provision: str
    needs: tuple[str, ...]
    reason: str
    recorded_at: datetime


@dataclass(frozen=True)
class _ContactPlan:
    name: str
    relationship: str
    parental_responsibility: bool
    phone: str
    email: str | None
    preferred_contact: str


@dataclass(frozen=True)
class _StaffPlan:
    username: str
    display_name: str
    role: Role


@dataclass
class _PupilPlan:
    legal_forename: str
    legal_surname: str
    preferred_forename: str | None
    gender: str
    dob: date
    year_group: int
    cohort_start: date  # 1 September of the pupil's Year 7
    admission_date: date
    eal: bool
    pupil_premium: bool
    looked_after: bool
    nhs_number: str | None
    contacts: list[_ContactPlan]
    origin: str = ""  # the family's key in resources/demo/names.json
    home_language: str | None = None
    ethnicity: str | None = None
    reg_group: str = ""
    upn: str = ""
    status: str = N
    needs: tuple[str, ...] = ()
    former_needs: tuple[str, ...] = ()  # for pupils who came off the register
    history: list[_Change] = field(default_factory=list)
    next_review_due: date | None = None
    profiles: list[tuple[str, str, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Plan:
    urn: str
    estab: int
    staff: list[_StaffPlan]
    pupils: list[_PupilPlan]


def _academic_year_start(today: date) -> date:
    return date(today.year if today.month >= 9 else today.year - 1, 9, 1)


def _random_date(rng: random.Random, lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randint(0, (hi - lo).days))


def _in_term(day: date) -> bool:
    """A weekday outside the summer and Christmas holidays (near enough for a demo)."""
    if day.weekday() >= 5 or day.month == 8:
        return False
    if day.month == 7 and day.day > 21:
        return False
    return not ((day.month == 12 and day.day > 19) or (day.month == 1 and day.day < 4))


def _school_day(rng: random.Random, lo: date, hi: date) -> date:
    """A term-time weekday between ``lo`` and ``hi`` (``lo`` when none turns up)."""
    for _ in range(12):
        day = _random_date(rng, lo, hi)
        if _in_term(day):
            return day
    return lo


def _weighted(rng: random.Random, table: dict[str, float], exclude: Sequence[str] = ()) -> str:
    codes = [c for c in table if c not in exclude]
    return rng.choices(codes, weights=[table[c] for c in codes])[0]


def _adult(rng: random.Random, origin: _Origin, gender: str) -> Name:
    return rng.choice(origin.adult_forenames[gender])


def _email(rng: random.Random, forename: Name, surname: Name) -> str:
    local = f"{_slug(forename[1])}.{_slug(surname[1])}".strip(".") or "parent"
    if rng.random() < 0.3:
        local += str(rng.randint(1, 99))
    return f"{local}@example.org"


def _phone(rng: random.Random) -> str:
    return f"07700 900{rng.randint(0, 999):03d}"  # Ofcom's range for drama


def _contact(
    rng: random.Random, forename: Name, surname: Name, relationship: str, pr: bool
) -> _ContactPlan:
    email = _email(rng, forename, surname) if rng.random() < 0.85 else None
    preferred = rng.choice(("Phone", "Email", "Text message")) if email else "Phone"
    return _ContactPlan(
        name=f"{forename[0]} {surname[0]}",
        relationship=relationship,
        parental_responsibility=pr,
        phone=_phone(rng),
        email=email,
        preferred_contact=preferred,
    )


def _mother_surname(rng: random.Random, family: _Origin, surname: _Surname) -> Name:
    if rng.random() < family.mother_own_surname:
        if family.mother_surnames:
            return rng.choice(family.mother_surnames)
        return rng.choice(family.surnames).mother
    return surname.mother


def _plan_contacts(
    rng: random.Random,
    book: _NameBook,
    family: _Origin,
    mother_origin: _Origin,
    surname: _Surname,
    script: bool,
    looked_after: bool,
) -> list[_ContactPlan]:
    def mother() -> _ContactPlan:
        forenames = family.script_forenames["F"] if script else mother_origin.adult_forenames["F"]
        name = rng.choice(forenames)
        return _contact(rng, name, _mother_surname(rng, family, surname), "Mother", True)

    def father() -> _ContactPlan:
        forenames = family.script_forenames["M"] if script else family.adult_forenames["M"]
        return _contact(rng, rng.choice(forenames), surname.male, "Father", True)

    def step(gender: str, relationship: str) -> _ContactPlan:
        origin = book.pick(rng)
        last = rng.choice(origin.surnames)
        return _contact(
            rng,
            _adult(rng, origin, gender),
            last.mother if gender == "F" else last.male,
            relationship,
            False,
        )

    if looked_after:
        # Under a care order the LA shares parental responsibility with the parents; the
        # foster carer has none.
        carer = step(rng.choice("FM"), "Foster carer")
        if rng.random() < 0.5:
            return [carer, mother()]
        council = _ContactPlan(
            name=f"{LA_NAME} Children's Services",
            relationship="Local authority (care order)",
            parental_responsibility=True,
            phone=_phone(rng),
            email="childrens.services@example.org",
            preferred_contact="Email",
        )
        return [carer, council]
    roll = rng.random()
    if roll < 0.62:
        return [mother(), father()] if rng.random() < 0.8 else [father(), mother()]
    if roll < 0.70:
        return [mother(), step("M", "Stepfather")]
    if roll < 0.88:
        return [mother()]
    if roll < 0.95:
        return [father()]
    if roll < 0.98:
        gran = _contact(
            rng,
            _adult(rng, family, "F"),
            surname.mother,
            "Grandmother (special guardian)",
            True,
        )
        return [gran]
    return [father(), step("F", "Stepmother")]


def _nhs_number(rng: random.Random, used: set[str]) -> str:
    while True:
        first9 = f"999{rng.randint(0, 999_999):06d}"
        check = nhs.check_digit(first9)
        number = f"{first9}{check}"
        if check is not None and number not in used:
            used.add(number)
            return number


def _plan_pupil(
    rng: random.Random,
    book: _NameBook,
    year_group: int,
    year_start: date,
    today: date,
    nhs_used: set[str],
) -> _PupilPlan:
    gender = rng.choice("FM")
    family = book.pick(rng)
    fore_origin = family if rng.random() >= 0.06 else book.pick(rng)  # some mixed families
    script = fore_origin is family and rng.random() < family.script_share
    if script:
        forename = rng.choice(family.script_forenames[gender])
        surname = rng.choice(family.script_surnames)
    else:
        forename = rng.choice(fore_origin.forenames[gender])
        surname = rng.choice(family.surnames)
    legal_surname = surname.female if gender == "F" else surname.male

    preferred: str | None = None
    nickname = book.nicknames.get(forename[0])
    if script and rng.random() < 0.6:
        preferred = forename[1]
    elif fore_origin.english_share and rng.random() < fore_origin.english_share:
        preferred = rng.choice(fore_origin.english_names[gender])
    elif nickname and rng.random() < 0.35:
        preferred = nickname

    # The English academic year: a Year 7 pupil in the year starting 1 September Y was
    # born between 1 September Y-12 and 31 August Y-11.
    y = year_start.year
    dob = _random_date(rng, date(y - year_group - 5, 9, 1), date(y - year_group - 4, 8, 31))
    cohort_start = date(y - (year_group - 7), 9, 1)
    admission = cohort_start
    joiner_lo = cohort_start + timedelta(days=21)
    if rng.random() < 0.03 + 0.02 * (year_group - 7) and joiner_lo <= today:
        admission = _school_day(rng, joiner_lo, today)

    looked_after = rng.random() < 0.01
    pupil_premium = looked_after or rng.random() < 0.24
    eal = rng.random() < family.eal
    nhs_number = _nhs_number(rng, nhs_used) if rng.random() < 0.85 else None
    contacts = _plan_contacts(rng, book, family, fore_origin, surname, script, looked_after)
    return _PupilPlan(
        legal_forename=forename[0],
        legal_surname=legal_surname[0],
        preferred_forename=preferred,
        gender=gender,
        dob=dob,
        year_group=year_group,
        cohort_start=cohort_start,
        admission_date=admission,
        eal=eal,
        pupil_premium=pupil_premium,
        looked_after=looked_after,
        nhs_number=nhs_number,
        contacts=contacts,
        origin=family.key,
    )


def _plan_staff(rng: random.Random, book: _NameBook) -> list[_StaffPlan]:
    taken: set[str] = {"senco"}
    staff: list[_StaffPlan] = []
    roles = [Role.SENCO]
    roles += [Role.LEARNING_SUPPORT] * rng.randint(3, 4)
    roles += [Role.TEACHER] * rng.randint(6, 8)
    roles += [Role.READ_ONLY]
    for role in roles:
        origin = book.pick(rng)
        gender = "F" if rng.random() < 0.7 else "M"  # school staff are mostly women
        forename = _adult(rng, origin, gender)
        last = rng.choice(origin.surnames)
        surname = last.mother if gender == "F" else last.male
        if role is Role.SENCO:
            username = "senco"
        else:
            base = (_slug(forename[1])[:1] + _slug(surname[1])) or "staff"
            username, n = base, 1
            while username in taken:
                n += 1
                username = f"{base}{n}"
            taken.add(username)
        staff.append(_StaffPlan(username, f"{forename[0]} {surname[0]}", role))
    return staff


def _form_label(year_group: int, index: int) -> str:
    letters = ""
    index += 1
    while index:  # A..Z, then AA, AB, ... (only a very large demo gets there)
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return f"{year_group}{letters}"


def _assign_forms(rng: random.Random, pupils: list[_PupilPlan]) -> None:
    for year_group in YEAR_GROUPS:
        members = [p for p in pupils if p.year_group == year_group]
        rng.shuffle(members)
        forms = max(1, math.ceil(len(members) / FORM_SIZE))
        for i, pupil in enumerate(members):
            pupil.reg_group = _form_label(year_group, i % forms)


def _assign_upns(rng: random.Random, pupils: list[_PupilPlan]) -> None:
    """UPNs as the DfE allocates them: by the school a child first entered, in Reception.

    Each pupil's UPN carries this LA's number, the establishment number of a feeder primary
    (or of another primary, for some) and the year the child started school (the September
    seven years before Year 7); serials run on within each school and year.
    """
    cohort = max(1, math.ceil(len(pupils) / len(YEAR_GROUPS)))
    feeder_count = max(6, math.ceil(cohort / 110))
    numbers = rng.sample(range(2000, 4000), feeder_count + max(20, feeder_count))
    feeders, others = numbers[:feeder_count], numbers[feeder_count:]
    feeder_weights = [rng.uniform(0.5, 2.0) for _ in feeders]
    groups: dict[tuple[int, int], list[_PupilPlan]] = {}
    for pupil in pupils:
        if rng.random() < 0.8:
            estab = rng.choices(feeders, weights=feeder_weights)[0]
        else:
            estab = rng.choice(others)
        year2 = (pupil.cohort_start.year - 7) % 100
        groups.setdefault((estab, year2), []).append(pupil)
    for (estab, year2), members in sorted(groups.items()):
        serial = rng.randint(1, 30)
        for i, pupil in enumerate(members):
            pupil.upn = upn.make(LA_NUMBER, estab, year2, serial)
            remaining = len(members) - i - 1
            # Now and then a serial was used by a child who has since left.
            serial += 2 if rng.random() < 0.1 and serial + 2 + remaining <= 999 else 1


def _weighted_sample(
    rng: random.Random, pool: list[_PupilPlan], count: int, weight: Callable[[_PupilPlan], float]
) -> list[_PupilPlan]:
    """``count`` pupils drawn without replacement, each as likely as its weight."""
    keyed = [(rng.random() ** (1.0 / weight(p)), i) for i, p in enumerate(pool)]
    keyed.sort(key=lambda item: (-item[0], item[1]))
    return [pool[i] for _, i in keyed[:count]]


def _draw_needs(rng: random.Random, provision: str) -> tuple[str, ...]:
    primary = _weighted(rng, PRIMARY_E if provision == E else PRIMARY_K)
    if primary == "NSA" or rng.random() >= SECONDARY_SHARE[provision]:
        return (primary,)
    return (primary, _weighted(rng, SECONDARY, exclude=(primary,)))


def _assign_sen(rng: random.Random, pupils: list[_PupilPlan]) -> None:
    """Choose who is on SEN support, who has an EHC plan and who came off the register.

    Boys, disadvantaged and looked-after pupils are more often identified (as nationally);
    EAL on its own is not SEN, and EAL pupils are a little less often identified.
    """
    total = len(pupils)
    n_e = round(total * rng.uniform(0.035, 0.045))
    n_k = round(total * rng.uniform(0.13, 0.15))
    n_former = round(total * rng.uniform(0.02, 0.03))

    def weight(pupil: _PupilPlan, boys: float) -> float:
        w = boys if pupil.gender == "M" else 1.0
        w *= 1.7 if pupil.pupil_premium else 1.0
        w *= 4.0 if pupil.looked_after else 1.0
        return w * (0.7 if pupil.eal else 1.0)

    pool = list(pupils)
    for provision, count, boys in ((E, n_e, 2.4), (K, n_k, 1.6), (N, n_former, 1.4)):
        chosen = _weighted_sample(rng, pool, count, lambda p, b=boys: weight(p, b))
        picked = {id(p) for p in chosen}
        pool = [p for p in pool if id(p) not in picked]
        for pupil in chosen:
            if provision == N:
                pupil.former_needs = _draw_needs(rng, K)
            else:
                pupil.status = provision
                pupil.needs = _draw_needs(rng, provision)
    _cover_areas(rng, pupils)


def _cover_areas(rng: random.Random, pupils: list[_PupilPlan]) -> None:
    """Make sure every broad area of need appears (a small demo could otherwise miss one)."""
    on_register = [p for p in pupils if p.status in (K, E)]
    for area in Area:
        if any(area_of(code) is area for p in on_register for code in p.needs):
            continue
        candidates = [
            p
            for p in on_register
            if len(p.needs) == 1 and p.needs[0] != "NSA" and area_of(p.needs[0]) is not area
        ]
        if candidates:
            pupil = rng.choice(candidates)
            pupil.needs = (pupil.needs[0], rng.choice(AREA_EXAMPLES[area]))


# --- register history ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Step:
    gap: int  # at least this many days after the step before
    provision: str
    needs: tuple[str, ...]
    reason: str


def _earlier_needs(
    rng: random.Random, needs: tuple[str, ...], allow_nsa: bool
) -> tuple[str, ...] | None:
    """What a pupil's needs were recorded as before re-coding (None: not re-codable)."""
    options = [c for c in RECODED_FROM.get(needs[0], ()) if allow_nsa or c != "NSA"]
    if not options:
        return None
    first = rng.choice(options)
    if first == "NSA":
        return ("NSA",)
    return (first, *(c for c in needs[1:] if c != first))


def _recode_reason(old: tuple[str, ...], new: tuple[str, ...]) -> str:
    if old[0] != new[0]:
        source = SOURCES.get(new[0], "a specialist assessment")
        if old[0] == "NSA":
            recorded = " and ".join(describe(c).lower() for c in new)
            what = "needs" if len(new) > 1 else "need"
            return f"Specialist assessment completed ({source}); {what} recorded as {recorded}."
        return f"Need re-coded from {old[0]} to {new[0]} after {source}."
    added = [c for c in new if c not in old]
    if added:
        code = added[0]
        return (
            f"{describe(code)} added as a secondary need after "
            f"{SOURCES.get(code, 'a specialist assessment')}."
        )
    return "Needs reviewed and re-ranked at the termly review with parents."


def _identified(rng: random.Random, needs: tuple[str, ...]) -> str:
    triggers = TRIGGERS + ((READING_TRIGGER,) if needs[0] in ("SPLD", "MLD") else ())
    return (
        f"{rng.choice(triggers)}; assessment showed {FINDINGS[needs[0]]}. Added to SEN "
        "support and a support plan agreed with parents."
    )


def _joined(rng: random.Random, pupil: _PupilPlan, provision: str) -> str:
    in_year7 = pupil.admission_date == pupil.cohort_start
    start = pupil.admission_date
    year = 7 + (start.year if start.month >= 9 else start.year - 1) - pupil.cohort_start.year
    if provision == N:
        if in_year7:
            return (
                "Admitted to Year 7; no special educational needs recorded by the primary school."
            )
        return (
            f"Joined in Year {year}; no special educational needs recorded by the previous school."
        )
    if provision == K:
        if in_year7:
            return rng.choice(
                (
                    "Transferred from primary school on SEN support; records and the current "
                    "support plan received from the primary SENCo.",
                    "On SEN support at primary school; transition meeting held with the "
                    "primary SENCo and parents in the summer term.",
                )
            )
        return f"Joined in Year {year} on SEN support; records received from the previous SENCo."
    if in_year7:
        return (
            "Transferred from primary school with an EHC plan naming this school; "
            "phase-transfer review completed in Year 6."
        )
    return (
        f"Joined in Year {year} with an EHC plan; {LA_NAME} amended the plan to name this school."
    )


def _ehcp_issued(rng: random.Random) -> str:
    return rng.choice(
        (
            f"EHC plan issued by {LA_NAME} after a needs assessment requested by the school.",
            f"EHC plan issued by {LA_NAME} after a needs assessment requested by parents.",
            f"Final EHC plan issued by {LA_NAME}; the provision in section F is now in place.",
        )
    )


def _steps_for(rng: random.Random, pupil: _PupilPlan) -> list[_Step]:
    """The pupil's register story, most eventful first; dates are chosen afterwards."""
    final, needs = pupil.status, pupil.needs
    roll = rng.random()
    if final == N and not pupil.former_needs:
        return [_Step(0, N, (), _joined(rng, pupil, N))]
    if final == N:  # came off the register
        was = pupil.former_needs
        off = _Step(270, N, (), rng.choice(OFF_REGISTER))
        if roll < 0.4:
            return [_Step(0, K, was, _joined(rng, pupil, K)), off]
        return [
            _Step(0, N, (), _joined(rng, pupil, N)),
            _Step(42, K, was, _identified(rng, was)),
            off,
        ]

    earlier = None
    if rng.random() < 0.35:
        earlier = _earlier_needs(rng, needs, allow_nsa=True)
    if earlier is None and len(needs) == 2 and rng.random() < 0.4:
        earlier = needs[:1]

    if final == E:
        if roll < 0.45:
            first = _Step(0, E, needs, _joined(rng, pupil, E))
            if earlier is not None and "NSA" not in earlier:
                first = _Step(0, E, earlier, first.reason)
                return [first, _Step(300, E, needs, _recode_reason(earlier, needs))]
            return [first]
        issued = _Step(240, E, needs, _ehcp_issued(rng))
        before = earlier or needs
        if roll < 0.75:
            return [_Step(0, K, before, _joined(rng, pupil, K)), issued]
        return [
            _Step(0, N, (), _joined(rng, pupil, N)),
            _Step(42, K, before, _identified(rng, before)),
            issued,
        ]

    # final == K
    if roll < 0.4:
        steps = [_Step(0, K, earlier or needs, _joined(rng, pupil, K))]
    else:
        steps = [
            _Step(0, N, (), _joined(rng, pupil, N)),
            _Step(42, K, earlier or needs, _identified(rng, earlier or needs)),
        ]
    if earlier is not None:
        steps.append(_Step(90, K, needs, _recode_reason(earlier, needs)))
    extra = rng.random()
    if extra < 0.05:
        steps.append(_Step(270, N, (), rng.choice(OFF_REGISTER)))
        steps.append(_Step(120, K, needs, rng.choice(BACK_ON)))
    elif extra < 0.08 and "NSA" not in needs:
        steps.append(_Step(240, E, needs, _ehcp_issued(rng)))
        steps.append(
            _Step(
                365,
                K,
                needs,
                f"EHC plan ceased by {LA_NAME} after annual review; needs now met through "
                "SEN support.",
            )
        )
    return steps


def _recorded_at(rng: random.Random, on: date) -> datetime:
    minutes = rng.randint(8 * 60, 17 * 60)
    return datetime.combine(on, time(minutes // 60, minutes % 60), tzinfo=UTC)


def _dated(
    rng: random.Random, steps: list[_Step], start: date, today: date
) -> list[_Change] | None:
    """Date each step (first on ``start``, each later one after its gap); None if no room."""
    later = sum(s.gap for s in steps[1:])
    if start + timedelta(days=later) > today:
        return None
    changes = [
        _Change(
            start, steps[0].provision, steps[0].needs, steps[0].reason, _recorded_at(rng, start)
        )
    ]
    previous = start
    for i, step in enumerate(steps[1:], start=1):
        remaining = sum(s.gap for s in steps[i + 1 :])
        lo = previous + timedelta(days=step.gap)
        hi = today - timedelta(days=remaining)
        on = _school_day(rng, lo, hi)
        changes.append(_Change(on, step.provision, step.needs, step.reason, _recorded_at(rng, on)))
        previous = on
    return changes


def _history(rng: random.Random, pupil: _PupilPlan, today: date) -> list[_Change]:
    steps = _steps_for(rng, pupil)
    dated = _dated(rng, steps, pupil.admission_date, today)
    if dated is None:  # too recent for the whole story: arrived with the status they have
        final = pupil.status
        steps = [_Step(0, final, pupil.needs, _joined(rng, pupil, final))]
        dated = _dated(rng, steps, pupil.admission_date, today)
        assert dated is not None
    return dated


def _anniversary(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return date(day.year + years, 2, 28)


def _next_review(rng: random.Random, pupil: _PupilPlan, today: date) -> date | None:
    """When the pupil's SEN provision is next reviewed: termly on SEN support, yearly with
    an EHC plan (the anniversary of the plan). A few are a little overdue, as in life."""
    if pupil.status == N:
        return None
    since = max(c.on for c in pupil.history if c.provision == pupil.status)
    if pupil.status == E:
        due = _anniversary(since, 1)
        years = 1
        while due < today - timedelta(days=30):
            years += 1
            due = _anniversary(since, years)
        return due
    lo = max(since + timedelta(days=56), today - timedelta(days=21))
    return _school_day(rng, lo, max(lo, today + timedelta(days=100)))


# Home language and ethnicity by family origin (resources/demo/names.json keys): the ethnicity as a
# SIMS-style DfE description, the languages an EAL pupil of that origin may speak at home.
# A pupil without EAL speaks English at home. Origins not listed are treated as English.
_BACKGROUND: dict[str, tuple[str, tuple[str, ...]]] = tuples(_TABLES["_BACKGROUND"])


def _assign_background(rng: random.Random, pupils: list[_PupilPlan]) -> None:
    """Home language and ethnicity "where held": most pupils have both from the MIS; a few
    families refused to give an ethnicity, and for a few the school has neither yet."""
    for pupil in pupils:
        ethnicity, languages = _BACKGROUND.get(pupil.origin, _BACKGROUND["english"])
        draw = rng.random()
        if draw < 0.02:
            continue  # not held yet (a new arrival whose forms are not back)
        if not pupil.eal:
            pupil.home_language = "English"
        elif languages == ("English",):  # an EAL pupil of a mostly English-speaking origin
            pupil.home_language = "Believed to be other than English"  # DfE's OTB
        else:
            pupil.home_language = rng.choice(languages)
        pupil.ethnicity = "Refused" if draw < 0.05 else ethnicity


def _plan(pupils: int, seed: int, today: date) -> _Plan:
    """The whole demo school, decided from ``seed`` and ``today`` alone."""
    rng = random.Random(seed)
    book = _name_book()
    urn = str(rng.randint(136_000, 149_999))
    estab = rng.randint(4000, 4799)
    staff = _plan_staff(rng, book)
    year_start = _academic_year_start(today)
    base, extra = divmod(pupils, len(YEAR_GROUPS))
    nhs_used: set[str] = set()
    plans: list[_PupilPlan] = []
    for i, year_group in enumerate(YEAR_GROUPS):
        for _ in range(base + (1 if i < extra else 0)):
            plans.append(_plan_pupil(rng, book, year_group, year_start, today, nhs_used))
    _assign_forms(rng, plans)
    _assign_upns(rng, plans)
    _assign_sen(rng, plans)
    for pupil in plans:
        pupil.history = _history(rng, pupil, today)
        pupil.next_review_due = _next_review(rng, pupil, today)
    # A generator of its own, so adding profiles left every earlier draw (names, UPNs,
    # statuses) exactly as before for the same seed.
    profile_rng = random.Random(f"{seed}-profiles")
    for pupil in plans:
        if pupil.status in (K, E):
            pupil.profiles = profiles_for(profile_rng, pupil.needs)
    _assign_background(random.Random(f"{seed}-background"), plans)  # own generator, as above
    plans.sort(key=lambda p: (p.year_group, p.legal_surname.casefold(), p.legal_forename, p.upn))
    return _Plan(urn, estab, staff, plans)
