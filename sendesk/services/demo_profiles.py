"""What-works text for demo pupils: strengths, difficulties and strategies by need.

Made-up but typical of what a SENCo writes, so the pupil record's "Needs" tab and the
"what's due" gaps look like a real school's: most pupils on the register have their
primary area described, about half their secondary area too, and some have none yet.
"""

from __future__ import annotations

import random

from sendesk.rules.census import area_of

# need code -> (strengths, difficulties, strategies): each a list of sentences to draw from
TEXT: dict[str, tuple[list[str], list[str], list[str]]] = {
    "SPLD": (
        [
            "Strong verbal reasoning; contributes well to class discussion.",
            "Creative ideas and a good memory for things seen or done practically.",
        ],
        [
            "Reading accuracy and speed well below age (reading age about three years behind).",
            "Spelling is phonetically plausible but inaccurate; slow handwriting tires quickly.",
        ],
        [
            "Pre-teach key vocabulary; give printed notes rather than copying from the board.",
            "Coloured overlay and sans-serif handouts; extra time for written tasks; "
            "a reader in tests.",
        ],
    ),
    "MLD": (
        [
            "Works hard and responds well to praise; good practical skills.",
            "Kind to others; remembers routines once learned.",
        ],
        [
            "Needs new ideas broken into small steps and repeated; working memory is weak.",
            "Slow to process spoken instructions; literacy and numeracy about four years "
            "behind age.",
        ],
        [
            "One instruction at a time, checked back; visual task lists on the desk.",
            "Concrete resources in maths; short tasks with a clear finish.",
        ],
    ),
    "SLCN": (
        [
            "Good listener in one-to-one conversation; enjoys visual and hands-on work.",
            "Reads well; copes with written instructions better than spoken ones.",
        ],
        [
            "Limited expressive vocabulary; struggles to explain reasoning or retell events.",
            "Misunderstands longer spoken instructions and idioms.",
        ],
        [
            "Word mats and pre-taught vocabulary; allow thinking time before answers.",
            "Chunk instructions and give them in writing too; model sentence starters.",
        ],
    ),
    "ASD": (
        [
            "Deep knowledge of special interests; accurate, detailed work when engaged.",
            "Honest and reliable; follows rules carefully.",
        ],
        [
            "Finds changes to routine and busy corridors very stressful; shuts down when "
            "overloaded.",
            "Group work and unstructured times (break, lunch) are hard.",
        ],
        [
            "Warn of changes in advance; a visual timetable; leave lessons two minutes early.",
            "A named adult to check in with each morning; a quiet space at lunch; clear, literal "
            "language.",
        ],
    ),
    "SEMH": (
        [
            "Good sense of humour; caring towards younger pupils.",
            "Engages well with practical subjects and sport.",
        ],
        [
            "Low mood and anxiety affect attendance; can become angry when feeling criticised.",
            "Difficulty managing feelings at unstructured times; friendship fall-outs.",
        ],
        [
            "Meet and greet at the door; a time-out card to use without discussion.",
            "Weekly sessions with the ELSA; praise privately; restorative conversations after "
            "incidents.",
        ],
    ),
    "HI": (
        ["Lip-reads well; strong visual learner.", "Confident with a radio aid in class."],
        ["Misses spoken information in noisy rooms and group discussion."],
        [
            "Seat near the front, facing the teacher; use the radio aid; subtitles on video.",
            "Check understanding of key points; repeat other pupils' answers.",
        ],
    ),
    "VI": (
        ["Excellent listening and recall; independent with enlarged materials."],
        ["Reading small print and diagrams; moving around unfamiliar rooms."],
        ["Materials enlarged to N18 on buff paper; a copy of board work; good lighting."],
    ),
    "PD": (
        ["Determined and independent; good problem solver."],
        ["Fine motor control makes handwriting slow; tires through the day."],
        ["Laptop for extended writing; lift pass; rest breaks; a practical assistant in science."],
    ),
}
GENERIC = (
    ["Positive attitude to learning when well supported."],
    ["Progress is slower than peers' despite quality-first teaching."],
    ["Check understanding early in each task; regular, specific praise."],
)


def profiles_for(rng: random.Random, needs: tuple[str, ...]) -> list[tuple[str, str, str, str]]:
    """(area, strengths, difficulties, strategies) for the areas this pupil has described."""
    chosen: list[tuple[str, str, str, str]] = []
    for rank, code in enumerate(needs[:2]):
        area = area_of(code)
        if area is None or any(area.value == c[0] for c in chosen):
            continue
        if rng.random() > (0.85 if rank == 0 else 0.5):
            continue
        strengths, difficulties, strategies = TEXT.get(code, GENERIC)
        chosen.append(
            (area.value, rng.choice(strengths), rng.choice(difficulties), rng.choice(strategies))
        )
    return chosen
