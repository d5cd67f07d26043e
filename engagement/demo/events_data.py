"""Demo events: a believable quarter (and more) of engagement for every demo team, from today.

Per team: a monthly police surgery at a library (eight months, so it always crosses a
clock change), a fortnightly Cuppa with a Copper at a café, a weekly Community Speed
Watch shift at a named road, two Neighbourhood Watch meetings and, for some teams, a
public meeting. Ladywood also gets a cancelled date, a moved date and a draft; two
other teams get cancellations. Venues and addresses are illustrative, not official.

Idempotent: venues are found by name and postcode, and a team that already has events
gets no more.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from engagement.core.db import utcnow
from engagement.core.timeutil import to_local
from engagement.events import series, services
from engagement.events.details import EventDetails, When
from engagement.events.models import Event, EventType, Venue
from engagement.events.recurrence import RepeatPattern
from engagement.extensions import db
from engagement.teams.services import team_by_slug

LIBRARY = {"step_free": True, "hearing_loop": True, "accessible_toilet": True, "bsl_on_request": True}
CAFE = {"step_free": True}
HALL = {"step_free": True, "accessible_toilet": True, "parking": True}
ROAD = {"parking": True}

# slug: (library, café, Speed Watch road, hall); each (name, address, postcode)
VENUES = {
    "ladywood": (
        ("Ladywood Community Library", "Ladywood Middleway, Birmingham", "B16 8HA"),
        ("Canalside Café", "Gas Street Basin, Birmingham", "B1 2JT"),
        ("Icknield Port Road", "Icknield Port Road, by Ladywood Leisure Centre, Birmingham", "B16 8AE"),
        ("St John's Church Hall", "Monument Road, Birmingham", "B16 8UU"),
    ),
    "edgbaston": (
        ("Harborne Library", "High Street, Harborne, Birmingham", "B17 9NT"),
        ("The Green Teapot", "War Lane, Harborne, Birmingham", "B17 9RJ"),
        ("Metchley Lane", "Metchley Lane, near Harborne Primary School, Birmingham", "B17 0HT"),
        ("Edgbaston Village Hall", "Highfield Road, Birmingham", "B15 3DU"),
    ),
    "sparkbrook-balsall-heath": (
        ("Balsall Heath Library", "Moseley Road, Birmingham", "B12 9AR"),
        ("Ladypool Tea House", "Ladypool Road, Birmingham", "B12 8JX"),
        ("Stratford Road", "Stratford Road, by the Sparkbrook Islamic Centre, Birmingham", "B11 1AR"),
        ("Clifton Road Community Centre", "Clifton Road, Balsall Heath, Birmingham", "B12 8SX"),
    ),
    "erdington": (
        ("Erdington Library", "Orphanage Road, Erdington, Birmingham", "B24 9HP"),
        ("High Street Kitchen", "High Street, Erdington, Birmingham", "B23 6SY"),
        ("Chester Road", "Chester Road, near Pype Hayes Park, Birmingham", "B24 0RD"),
        ("Stockland Green Community Hall", "Slade Road, Birmingham", "B23 7PX"),
    ),
    "sutton-coldfield": (
        ("Sutton Coldfield Library", "Red Rose Centre, Lower Parade, Sutton Coldfield", "B72 1XX"),
        ("Parade Tea Rooms", "The Parade, Sutton Coldfield", "B72 1PA"),
        ("Walmley Road", "Walmley Road, by Walmley Junior School, Sutton Coldfield", "B76 1QN"),
        ("Walmley Village Hall", "Walmley Road, Sutton Coldfield", "B76 1NP"),
    ),
    "coventry-city-centre": (
        ("Coventry Central Library", "Smithford Way, Coventry", "CV1 1FY"),
        ("Cathedral Lanes Café", "Broadgate, Coventry", "CV1 1LF"),
        ("London Road", "London Road, by the cemetery gates, Coventry", "CV1 2JT"),
        ("Hillfields Community Centre", "Victoria Street, Hillfields, Coventry", "CV1 5LY"),
    ),
    "foleshill": (
        ("Foleshill Library", "Broad Street, Coventry", "CV6 5BG"),
        ("Foleshill Road Café", "Foleshill Road, Coventry", "CV6 5AH"),
        ("Foleshill Road", "Foleshill Road, near Edgwick Park, Coventry", "CV6 6EA"),
        ("Longford Community Hall", "Longford Road, Coventry", "CV6 6DR"),
    ),
    "earlsdon": (
        ("Earlsdon Carnegie Library", "Earlsdon Avenue North, Coventry", "CV5 6FZ"),
        ("Earlsdon Street Café", "Earlsdon Street, Coventry", "CV5 6EJ"),
        ("Hearsall Lane", "Hearsall Lane, by Hearsall Common, Coventry", "CV5 6HF"),
        ("Whoberley Community Centre", "Moseley Avenue, Coventry", "CV5 8GN"),
    ),
    "dudley-central": (
        ("Dudley Library", "St James's Road, Dudley", "DY1 1HR"),
        ("Castle Street Hub Café", "Castle Street, Dudley", "DY1 1LQ"),
        ("Birmingham Road", "Birmingham Road, near the zoo entrance, Dudley", "DY1 4SQ"),
        ("Netherton Community Hall", "Halesowen Road, Netherton, Dudley", "DY2 9PP"),
    ),
    "stourbridge": (
        ("Stourbridge Library", "Crown Centre, Stourbridge", "DY8 1YE"),
        ("Wollaston Tea Rooms", "High Street, Wollaston, Stourbridge", "DY8 4NN"),
        ("Hagley Road", "Hagley Road, Pedmore, Stourbridge", "DY9 0RH"),
        ("Pedmore Village Hall", "Pedmore Lane, Stourbridge", "DY9 0SP"),
    ),
    "west-bromwich": (
        ("West Bromwich Central Library", "High Street, West Bromwich", "B70 8DZ"),
        ("Queen's Square Café", "Queen's Square, West Bromwich", "B70 7NJ"),
        ("Hollyhedge Road", "Hollyhedge Road, by Charlemont Primary School, West Bromwich", "B71 3AH"),
        ("Charlemont Community Centre", "Charlemont Crescent, West Bromwich", "B71 3BB"),
    ),
    "smethwick": (
        ("Smethwick Library", "High Street, Smethwick", "B66 1AA"),
        ("Bearwood Road Café", "Bearwood Road, Smethwick", "B66 4HH"),
        ("Oldbury Road", "Oldbury Road, near Rolfe Street, Smethwick", "B66 1JE"),
        ("Cape Hill Community Centre", "Cape Hill, Smethwick", "B66 4SH"),
    ),
    "solihull-town-centre": (
        ("The Core Library", "Theatre Square, Solihull", "B91 3RG"),
        ("Touchwood Café", "Touchwood, Homer Road, Solihull", "B91 3GJ"),
        ("Warwick Road, Olton", "Warwick Road, by Olton station, Solihull", "B92 7JW"),
        ("Olton Friends Hall", "Warwick Road, Olton, Solihull", "B92 7HS"),
    ),
    "chelmsley-wood": (
        ("Chelmsley Wood Library", "Chelmsley Wood Shopping Centre, Birmingham", "B37 5TN"),
        ("The Bluebell Café", "Bluebell Drive, Chelmsley Wood, Birmingham", "B37 5UD"),
        ("Coleshill Heath Road", "Coleshill Heath Road, near the Alcott Wood, Birmingham", "B37 7HY"),
        ("Smith's Wood Community Centre", "Windward Way, Smith's Wood, Birmingham", "B36 0UE"),
    ),
    "walsall-south": (
        ("Walsall Central Library", "Lichfield Street, Walsall", "WS1 1TR"),
        ("Market Square Café", "Digbeth, Walsall", "WS1 1QZ"),
        ("Broadway, Palfrey", "Broadway, by Palfrey Park, Walsall", "WS1 3EZ"),
        ("Caldmore Community Centre", "Caldmore Green, Walsall", "WS1 3RJ"),
    ),
    "walsall-north": (
        ("Bloxwich Library", "Elmore Row, Bloxwich, Walsall", "WS3 2HR"),
        ("Bloxwich High Street Café", "High Street, Bloxwich, Walsall", "WS3 2DA"),
        ("Bloxwich Road", "Bloxwich Road, near Leamore Park, Walsall", "WS3 2XD"),
        ("Blakenall Village Centre", "Thames Road, Blakenall, Walsall", "WS3 1LZ"),
    ),
    "wolverhampton-city-centre": (
        ("Wolverhampton Central Library", "Snow Hill, Wolverhampton", "WV1 3AX"),
        ("Queen Square Café", "Queen Square, Wolverhampton", "WV1 1TQ"),
        ("Tettenhall Road", "Tettenhall Road, by West Park, Wolverhampton", "WV1 4SA"),
        ("Whitmore Reans Community Centre", "Lowe Street, Wolverhampton", "WV1 4QA"),
    ),
    "bilston": (
        ("Bilston Library", "Mount Pleasant, Bilston", "WV14 7LU"),
        ("Bilston Market Café", "Market Way, Bilston", "WV14 0DR"),
        ("Wellington Road", "Wellington Road, near Bilston Craft Gallery, Bilston", "WV14 6AA"),
        ("Ettingshall Community Hall", "Ettingshall Road, Bilston", "WV14 9UQ"),
    ),
}

OPERATIONAL = "Cancelled due to operational demands. We are sorry for the short notice."


def _venue(team, spec, access) -> Venue:
    name, address, postcode = spec
    venue = db.session.scalar(select(Venue).where(Venue.name == name, Venue.postcode == postcode))
    if venue is None:
        venue = services.save_venue(
            None, actor=None, team=team, name=name, address=address, postcode=postcode, access_notes="", **access
        )
    return venue


def _first_weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _first_nth_weekday(after: date, weekday: int, position: int = 1) -> date:
    """The first "nth weekday of a month" on or after a day (position 1 = first)."""
    month = after.replace(day=1)
    while True:
        candidate = _first_weekday_on_or_after(month, weekday) + timedelta(weeks=position - 1)
        if candidate >= after and candidate.month == month.month:
            return candidate
        month += relativedelta(months=1)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute))


def load_events_demo(now: datetime | None = None) -> dict[str, int]:
    """Create each demo team's events unless it already has some; returns what was added."""
    from engagement.demo.data import TEAMS

    now = now or utcnow()
    services.ensure_default_types()
    types = {t.slug: t for t in db.session.scalars(select(EventType)).all()}
    added = {"events": 0, "venues": 0}
    for index, (slug, *_rest) in enumerate(TEAMS):
        team = team_by_slug(slug)
        if team is None or slug not in VENUES:
            continue
        if db.session.scalar(select(Event.id).where(Event.team_id == team.id).limit(1)) is not None:
            continue
        venues_before = db.session.scalar(select(db.func.count(Venue.id)))
        added["events"] += _team_events(team, index, types, now)
        added["venues"] += db.session.scalar(select(db.func.count(Venue.id))) - venues_before
    db.session.flush()
    return added


# Languages officers speak at some surgeries, and one surgery's words in Urdu (issue 15), so the demo
# shows the fact, the filter (/events?language=ur) and a translated event page (?lang=ur).
SURGERY_LANGUAGES = {
    "ladywood": {
        "languages": ["en", "ur", "pa"],
        "translations": {
            "ur": {
                "title": "پولیس سے ملاقات: لیڈی وڈ کمیونٹی لائبریری",
                "description": "اپنے مقامی افسران سے نجی بات چیت کے لیے آئیں۔ پہلے سے وقت لینے کی ضرورت نہیں۔",
            }
        },
    },
    "sparkbrook-balsall-heath": {"languages": ["en", "ur", "bn"]},
    "smethwick": {"languages": ["en", "pa", "pl"]},
    "foleshill": {"languages": ["en", "pa", "ur"]},
}


def _team_events(team, index: int, types: dict, now: datetime) -> int:
    """One team's quarter; `index` varies weekdays and times from team to team."""
    slug, area = team.slug, team.name
    tomorrow = to_local(now).date() + timedelta(days=1)
    library, cafe, road, hall = (
        _venue(team, spec, access) for spec, access in zip(VENUES[slug], (LIBRARY, CAFE, ROAD, HALL), strict=True)
    )
    officers = [m for m in team.members if m.active]
    contact = officers[index % len(officers)] if officers else None
    made = []

    def make(etype, title, when, venue, pattern=None, publish=True, **extra):
        details = EventDetails(team=team, event_type=types[etype], title=title, venue=venue, contact=contact, **extra)
        made.append(
            services.create_event(actor=None, details=details, when=when, pattern=pattern, publish=publish, now=now)
        )
        return made[-1]

    # A monthly surgery on the first <weekday>, for eight months: always across a clock change.
    weekday = index % 5
    evening = index % 2 == 0
    first = _first_nth_weekday(tomorrow, weekday)
    start = _at(first, 18) if evening else _at(first, 10, 30)
    surgery = make(
        "police-surgery",
        f"Police surgery at {library.name}",
        When(start, start + timedelta(minutes=90)),
        library,
        RepeatPattern("monthly_by_weekday", 1, until=first + relativedelta(months=8)),
        description="Drop in for a private chat with your local officers. No appointment needed.",
        **SURGERY_LANGUAGES.get(slug, {}),
    )

    saturday = index % 3 == 0
    first = _first_weekday_on_or_after(tomorrow, 5 if saturday else 2)
    cuppa = make(
        "cuppa-with-a-copper",
        f"Cuppa with a Copper at {cafe.name}",
        When(_at(first, 10, 30), _at(first, 11, 30)),
        cafe,
        RepeatPattern("fortnightly", count=7),
        capacity=12,
        description="Tea and coffee are on us. Come and say hello.",
    )

    first = _first_weekday_on_or_after(tomorrow + timedelta(days=2), (index + 2) % 5)
    speed = make(
        "community-speed-watch",
        f"Community Speed Watch: {road.name}",
        When(_at(first, 8), _at(first, 9)),
        road,
        RepeatPattern("weekly", count=12),
        capacity=6,
        description="Morning school-run shift. Approved volunteers only: meet at the site at 7:50am "
        "for the safety briefing.",
    )

    first_nhw = _first_weekday_on_or_after(tomorrow + timedelta(days=10), 3)
    make(
        "neighbourhood-watch-meeting",
        f"{area} Neighbourhood Watch meeting",
        When(_at(first_nhw, 19), _at(first_nhw, 20, 30)),
        hall,
        capacity=40,
        description="Hear about local crime trends and plan winter burglary prevention.",
    )
    second_nhw = first_nhw + timedelta(weeks=9)
    later_nhw = make(
        "neighbourhood-watch-meeting",
        f"{area} Neighbourhood Watch AGM",
        When(_at(second_nhw, 19), _at(second_nhw, 20, 30)),
        hall,
        capacity=40,
        description="Annual meeting: elect the coordinators and agree next year's priorities.",
    )
    if index % 3 == 1:
        day = _first_weekday_on_or_after(tomorrow + timedelta(days=28), 1)
        make(
            "public-meeting",
            f"Have your say: {area} policing priorities",
            When(_at(day, 18, 30), _at(day, 20)),
            hall,
            online_url="https://meet.example.org/wmp-" + slug,
            description="Tell us what the team should focus on for the next three months.",
        )

    if slug == "ladywood":
        series.cancel_occurrence(cuppa.occurrences[1], actor=None, reason=OPERATIONAL, now=now)
        moved = surgery.occurrences[1]
        original = to_local(moved.starts_at).replace(tzinfo=None)
        series.move_occurrence(
            moved,
            actor=None,
            venue=hall,
            now=now,
            when=When(original + timedelta(minutes=30), original + timedelta(minutes=120)),
        )
        day = _first_weekday_on_or_after(tomorrow + timedelta(days=35), 5)
        make(
            "public-meeting",
            "Bike marking and cycle security stall",
            When(_at(day, 11), _at(day, 14)),
            library,
            publish=False,
            description="Bring your bike and proof of ownership.",
        )
    elif slug == "foleshill":
        series.cancel_occurrence(
            speed.occurrences[2],
            actor=None,
            now=now,
            reason="Cancelled: not enough trained volunteers available that morning.",
        )
    elif slug == "erdington":
        services.cancel_event(later_nhw, actor=None, reason=OPERATIONAL + " A new date will follow.", now=now)
    return len(made)
