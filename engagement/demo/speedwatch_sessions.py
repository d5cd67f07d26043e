"""Demo Speed Watch scheme data, made through the Speed Watch services so every rule runs: speed devices
(Ladywood's spare one due for calibration within weeks), six months of past sessions recorded with
record_return (device check, traffic counts, registrations at or over the threshold, so the repeat
flag and the letter ladder are computed: first and second letters, a third sighting and a high-speed
sighting referred to Ladywood), and a site request from the demo volunteer waiting for assessment.

Registrations are fictional. Called by speedwatch_data.load_speedwatch_demo for each new team.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from engagement.core.timeutil import to_local
from engagement.events.details import EventDetails, When
from engagement.events.models import PUBLISHED
from engagement.events.services import create_event
from engagement.extensions import db
from engagement.speedwatch.devices.services import register_device
from engagement.speedwatch.requests.services import propose_site
from engagement.speedwatch.returns.services import Session, record_return
from engagement.speedwatch.returns.thresholds import threshold_for
from engagement.speedwatch.shifts.models import Shift

MAKES = ("Ford Fiesta", "Vauxhall Corsa", "BMW 3 Series", "Audi A3", "Volkswagen Golf", "Toyota Yaris", "Ford Transit")
COLOURS = ("Black", "White", "Silver", "Grey", "Blue", "Red")
DEVICES = (("Kustom Signals", "Falcon HR"), ("Decatur", "Genesis II Select"), ("Stalker", "Basic Hand Held"))
# Ladywood's regulars: seen 5 and 2 months ago (second letter), the first once more last month (referred).
REPEATERS = ("BK19 XRT", "FG68 LMV")
HIGH_SPEED = "YT17 HSX"  # seen once at more than 20 mph over the limit: straight to the team


def devices_for(team, index: int, holder: str, today: date) -> list:
    """The team's device (calibrated ten months ago); Ladywood also has a spare due within three weeks."""
    make, model = DEVICES[index % len(DEVICES)]
    found = [
        register_device(
            actor=None,
            team=team,
            make=make,
            model=model,
            serial=f"{model.split()[0][:3].upper()}-{2300 + index * 7}",
            holder=holder,
            calibrated_on=today - timedelta(days=300),
            certificate=f"CAL-{today.year - 1}-{400 + index}",
            today=today,
        )
    ]
    if team.slug == "ladywood":
        found.append(
            register_device(
                actor=None,
                team=team,
                make="Kustom Signals",
                model="ProLaser 4",
                serial="PL4-0917",
                holder="Ladywood police station front desk",
                calibrated_on=today - timedelta(days=345),
                calibration_expires=today - timedelta(days=345) + timedelta(days=365),
                certificate=f"CAL-{today.year - 1}-377",
                today=today,
            )
        )
    return found


def past_date(series_event, site, device, day: date, now: datetime):
    """A one-off published shift on a past `day` at 08:00 holding `device`: what a return is recorded for."""
    start = datetime.combine(day, time(8, 0))
    details = EventDetails(
        team=series_event.team,
        event_type=series_event.event_type,
        title=f"Speed Watch: {site.name}",
        venue=series_event.venue,
        signup_mode="volunteers",
    )
    event = create_event(actor=None, details=details, when=When(start, start + timedelta(hours=1)), now=now)
    event.status, event.published_at = PUBLISHED, now - timedelta(days=400)
    shift = Shift(event_id=event.id, site_id=site.id, min_team=3, max_team=6, device_id=device.id)
    db.session.add(shift)
    db.session.flush()
    return event.occurrences[0]


def record_sessions(series_event, site, device, actor, now: datetime, rng: random.Random, monthly: int) -> int:
    """`monthly` past sessions a month for six months, each recorded through record_return."""
    today = to_local(now).date()
    threshold = threshold_for(site.speed_limit)
    ladywood = series_event.team.slug == "ladywood" and site.speed_limit != 20
    made = 0
    for months_back in range(6, 0, -1):
        for n in range(monthly):
            day = today - timedelta(days=30 * (months_back - 1) + 4 + 9 * n)  # the newest 4 days ago
            row = past_date(series_event, site, device, day, now)
            vehicles = []
            plates = [_plate(rng) for _ in range(rng.randint(0, 6))]
            if ladywood and n == 0 and months_back in (5, 2):
                plates[:0] = list(REPEATERS)
            if ladywood and n == 0 and months_back == 1:
                plates[:0] = [REPEATERS[0]]
            for plate in plates:
                minute = rng.randint(2, 58)
                vehicles.append(
                    {
                        "registration": plate,
                        "make": rng.choice(MAKES),
                        "colour": rng.choice(COLOURS),
                        "speed": str(rng.randint(threshold, site.speed_limit + 16)),
                        "direction": rng.choice(("Towards the city centre", "Out of town")),
                        "time": f"08:{minute:02d}",
                    }
                )
            if ladywood and n == 1 and months_back == 3:
                vehicles.append(
                    {
                        "registration": HIGH_SPEED,
                        "make": "BMW M3",
                        "colour": "Grey",
                        "speed": str(site.speed_limit + 24),
                        "direction": "Out of town",
                        "time": "08:31",
                    }
                )
            counted = rng.randint(120, 420)
            over = rng.randint(8, 40)
            record_return(
                row,
                actor=actor,
                started="08:00",
                ended="09:00",
                conditions=rng.choice(("Dry, light traffic", "Wet, heavy school-run traffic", "Bright sun, busy")),
                vehicles=vehicles,
                session=Session(device.id, "yes", str(site.speed_limit), str(counted), str(over)),
                now=row.ends_at + timedelta(hours=2),
            )
            made += 1
    return made


def site_request(team, volunteer) -> None:
    """The demo volunteer's proposal, waiting for the officer's risk assessment."""
    propose_site(
        actor=volunteer.user,
        team=team,
        name=volunteer.name,
        email=volunteer.email,
        road="Icknield Port Road",
        stretch="between Ladywood Leisure Centre and the Reservoir",
        speed_limit="30",
        reason="Drivers speed up after the lights by the leisure centre, where children cross to the park after school.",
        postcode="B16 0AA",
        grid_ref="SP 0486 8706",
    )


def _plate(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNOPRSTUVWXYZ"
    return (
        "".join(rng.choice(letters) for _ in range(2))
        + f"{rng.choice((16, 17, 18, 19, 66, 67, 68, 69, 21, 71))}"
        + " "
        + "".join(rng.choice(letters) for _ in range(3))
    )
