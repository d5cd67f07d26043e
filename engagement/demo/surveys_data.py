"""Demo surveys: a closed Ladywood survey with a few hundred answers and "You said, we did", an open one,
and a feedback survey for Cuppa with a Copper.

Answers are drawn from a seeded random generator, so every load looks the same, and stored
with two bulk INSERTs per survey. Surveys are found by their fixed short codes, so loading
twice adds nothing. Dates are relative to today so the demo always looks current.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from engagement.core.db import utcnow
from engagement.extensions import db
from engagement.surveys.bulk import BulkResponse, insert_responses
from engagement.surveys.models import Survey
from engagement.surveys.outcomes import save_outcome
from engagement.surveys.questions import QuestionDetails, add_question
from engagement.surveys.results import compile_results
from engagement.surveys.services import SurveyDetails, publish_survey, save_survey
from engagement.teams.models import TeamPostcode
from engagement.teams.services import team_by_slug

CLOSED_CODE, OPEN_CODE, FEEDBACK_CODE = "safer", "schoolrun", "cuppa"

PROBLEMS = [
    "Speeding and dangerous driving",
    "Anti-social behaviour",
    "Drug dealing",
    "Burglary",
    "Vehicle crime, such as catalytic converter theft",
    "Knife crime",
    "Litter and fly-tipping",
]
HEAR = ["Email newsletter", "Social media", "Leaflets through the door", "Community meetings", "Police surgeries"]
SECTORS = ["B1 1", "B1 2", "B1 3", "B16 8", "B18 7", "B18 6", "B18 5", "B16 0", "B15 2", "B16 9"]
SECTOR_WEIGHTS = [10, 8, 6, 22, 18, 14, 9, 5, 4, 4]
COMMENTS = [
    "Cars race along Monument Road late at night. Someone will get killed.",
    "The towpath by the Ladywood locks feels unsafe after dark. The lights have been broken for months.",
    "Please do more about people dealing openly near the park on Ledsam Street.",
    "I never see officers on foot any more, only driving past.",
    "Thank you to the PCSO who helped my mum when her bag was snatched.",
    "Fly-tipping behind the shops on Ladywood Middleway is getting worse every week.",
    "E-scooters on the pavement in the Jewellery Quarter: my daughter was nearly knocked over.",
    "More surgeries in the evening please. I work during the day.",
    "Our catalytic converter was stolen in March. Nobody came out.",
    "The Cuppa with a Copper at the library was really useful, do more of those.",
    "Groups of young people on bikes hanging around the Summerfield estate, it is intimidating.",
    "Street lighting on Icknield Port Loop needs fixing.",
    "Speed bumps on Ledsam Street would help.",
    "I feel safer since the extra patrols at Brindleyplace. Keep it up.",
    "Parking on the pavement outside the school makes it hard with a pushchair.",
]
SAFE_DAY = [3, 6, 18, 45, 28]  # weights for 1..5
SAFE_NIGHT = [14, 27, 30, 20, 9]


def _ladywood_questions() -> list[QuestionDetails]:
    return [
        QuestionDetails("rating", "How safe do you feel walking in your neighbourhood during the day?",
                        low_label="Very unsafe", high_label="Very safe"),
        QuestionDetails("rating", "How safe do you feel walking in your neighbourhood after dark?",
                        low_label="Very unsafe", high_label="Very safe", new_page=False),
        QuestionDetails("multiple", "Which of these are problems where you live?", hint="Select all that apply.",
                        options=PROBLEMS, allow_other=True),
        QuestionDetails("yesno", "Have you seen officers or PCSOs in your area in the last month?"),
        QuestionDetails("single", "How would you most like to hear from us?", options=HEAR),
        QuestionDetails("number", "How many years have you lived in the area?", min_value=0, max_value=100,
                        required=False),
        QuestionDetails("postcode", "What is your postcode?", required=False,
                        hint="So we can see which streets people are worried about."),
        QuestionDetails("long_text", "Is there anything else you want to tell us?", required=False),
    ]  # fmt: skip


def _make(team, code: str, title: str, intro: str, questions, opens: datetime, closes: datetime, **extra) -> Survey:
    survey = save_survey(None, SurveyDetails(title=title, introduction=intro, team=team, opens_at=opens,
                                             closes_at=closes, **extra), actor=None)  # fmt: skip
    survey.code = code
    for details in questions:
        add_question(survey, details, actor=None)
    publish_survey(survey, actor=None, now=opens)
    return survey


def _responses(survey: Survey, rng: random.Random, count: int, start: datetime, days: int) -> list[BulkResponse]:
    by_kind = {}
    for question in survey.questions:
        by_kind.setdefault(question.kind, []).append(question)
    teams = dict(db.session.execute(select(TeamPostcode.prefix, TeamPostcode.team_id)).all())
    rows = []
    for _ in range(count):
        # Most answers come in the first days after launch, with a second wave after a leaflet drop.
        day = min(int(rng.expovariate(1 / 6)), days - 1)
        if days > 24 and rng.random() < 0.25:
            day = rng.randint(18, 24)
        at = start + timedelta(days=day, hours=rng.randint(7, 21), minutes=rng.randint(0, 59))
        answers = []
        for question in by_kind.get("rating", []):
            weights = SAFE_NIGHT if "dark" in question.text else SAFE_DAY
            answers.append((question.id, None, rng.choices(range(1, 6), weights)[0], None, None))
        for question in by_kind.get("multiple", []):
            picks = [o for o in question.options if rng.random() < (0.55 if o.position <= 2 else 0.22)]
            answers += [(question.id, o.id, None, None, None) for o in (picks or question.options[:1])]
            if rng.random() < 0.06:
                answers.append(
                    (question.id, None, None, rng.choice(["Noisy parties", "Off-road bikes", "Begging"]), None)
                )
        for question in by_kind.get("yesno", []):
            answers.append((question.id, None, 1 if rng.random() < 0.38 else 0, None, None))
        for question in by_kind.get("single", []):
            answers.append((question.id, rng.choices(question.options, [30, 25, 20, 12, 13][: len(question.options)])[0].id,
                            None, None, None))  # fmt: skip
        for question in by_kind.get("number", []):
            if rng.random() < 0.8:
                answers.append((question.id, None, min(int(rng.expovariate(1 / 11)), 80), None, None))
        district = sector = None
        for question in by_kind.get("postcode", []):
            if rng.random() < 0.85:
                sector = rng.choices(SECTORS, SECTOR_WEIGHTS)[0]
                district = sector.split()[0]
                answers.append((question.id, None, None, district, sector))
        for question in by_kind.get("long_text", []):
            if rng.random() < 0.22:
                answers.append((question.id, None, None, rng.choice(COMMENTS), None))
        team_id = teams.get(sector) or teams.get(district) or survey.team_id
        rows.append(BulkResponse(completed_at=at, answers=answers, team_id=team_id, district=district))
    return rows


def load_surveys_demo(now: datetime | None = None) -> dict[str, int]:
    now = (now or utcnow()).replace(minute=0, second=0, microsecond=0)
    created = {"surveys": 0, "survey_responses": 0}
    team = team_by_slug("ladywood")
    if team is None:
        return created
    existing = set(
        db.session.scalars(select(Survey.code).where(Survey.code.in_([CLOSED_CODE, OPEN_CODE, FEEDBACK_CODE])))
    )
    rng = random.Random(2027)  # noqa: S311 - demo data, not security
    if CLOSED_CODE not in existing:
        opens = now - timedelta(days=70)
        survey = _make(
            team, CLOSED_CODE, "Feeling safe in Ladywood",
            "We want to know how safe you feel where you live, and which problems matter most to you. "
            "Your answers will decide our priorities for the next three months.",
            _ladywood_questions(), opens, opens + timedelta(days=42),
        )  # fmt: skip
        created["survey_responses"] += insert_responses(survey, _responses(survey, rng, 340, opens, 42))
        db.session.flush()
        _publish_outcome(survey, now)
        created["surveys"] += 1
    if OPEN_CODE not in existing:
        opens = now - timedelta(days=6)
        survey = _make(
            team, OPEN_CODE, "Parking and speeding near schools",
            "Parents and neighbours have told us about dangerous parking and speeding at school run times. "
            "Tell us where it happens, so we know where to send officers and Community Speed Watch volunteers.",
            [
                QuestionDetails("multiple", "Which schools are you worried about?",
                                options=["Ladywood Primary", "St John's and St Peter's", "Nelson Mary Street",
                                         "Osler Street Primary"], allow_other=True),
                QuestionDetails("single", "What worries you most?",
                                options=["Speeding", "Parking on zig-zag lines", "Parking on pavements",
                                         "Idling engines"]),
                QuestionDetails("rating", "How safe do children feel walking to school?", low_label="Very unsafe",
                                high_label="Very safe"),
                QuestionDetails("short_text", "Which street worries you most?", required=False),
            ],
            opens, now + timedelta(days=21),
        )  # fmt: skip
        created["survey_responses"] += insert_responses(survey, _responses(survey, rng, 38, opens, 6))
        created["surveys"] += 1
    if FEEDBACK_CODE not in existing:
        from engagement.events.models import EventType

        cuppa = db.session.scalar(select(EventType).where(EventType.slug == "cuppa-with-a-copper"))
        _make(
            team, FEEDBACK_CODE, "How was your Cuppa with a Copper?",
            "Thank you for coming. Two quick questions help us make the next one better.",
            [
                QuestionDetails("rating", "How useful was it?", low_label="Not useful", high_label="Very useful"),
                QuestionDetails("long_text", "What should we do differently next time?", required=False,
                                new_page=False),
            ],
            now - timedelta(days=30), now + timedelta(days=180), event_type=cuppa,
        )  # fmt: skip
        created["surveys"] += 1
    db.session.flush()
    return created


def _publish_outcome(survey: Survey, now: datetime) -> None:
    results = compile_results(survey)
    day, night, problems = results.questions[0], results.questions[1], results.questions[2]
    top = sorted(problems.rows, key=lambda r: r.count, reverse=True)[:2]
    said = (
        f"{results.total} of you answered. On average you rated how safe you feel during the day "
        f"**{day.average} out of 5**, but only **{night.average} out of 5** after dark.\n\n"
        f"The problems you mentioned most were **{top[0].label.lower()}** ({round(top[0].percent)}%) and "
        f"**{top[1].label.lower()}** ({round(top[1].percent)}%). Many of you told us the towpath by the "
        "Ladywood locks and the streets off Monument Road feel unsafe at night."
    )
    will_do = (
        "- Officers and PCSOs will patrol the canal towpaths between 6pm and 10pm, four evenings a week, "
        "until the end of March.\n"
        "- We have asked Birmingham City Council to repair the broken lights by the Icknield Port Loop, "
        "and will report back at our next public meeting.\n"
        "- Community Speed Watch volunteers will run sessions on Monument Road every week, and we will "
        "carry out speed enforcement there twice a month.\n"
        "- We will hold an evening surgery at Ladywood Community Library each month, as many of you asked."
    )
    save_outcome(survey, actor=None, said=said, will_do=will_do, publish=True, now=now,
                 headline_ids=[day.question.id, night.question.id, problems.question.id])  # fmt: skip
