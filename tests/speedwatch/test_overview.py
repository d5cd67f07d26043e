"""The coordinator overview: staffing of the coming shifts, training running out, vehicles per site per month."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from engagement.core.timeutil import local_to_utc
from engagement.extensions import db as _db
from engagement.speedwatch.overview.queries import ShiftRow, month_starts
from engagement.speedwatch.returns.models import SessionReturn, Vehicle
from tests.speedwatch.samples_returns import make_shift_date, sign_up
from tests.support.queries import count_queries


def add_return(team, site_name: str, day: date, vehicles: int, site=None, counted=None, over=0) -> None:
    """A return built from the models: `vehicles` registrations at 35 mph; `counted` None is a return
    recorded before traffic counts existed."""
    start = local_to_utc(day, time(10, 0))
    ret = SessionReturn(
        team_id=team.id,
        site_id=site.id if site else None,
        site_name=site_name,
        speed_limit=30,
        started_at=start,
        ended_at=start + timedelta(hours=1),
        vehicles_counted=counted,
        over_limit_count=over if counted is not None else None,
        threshold_mph=35 if counted is not None else None,
    )
    ret.vehicles = [
        Vehicle(registration=f"AB{n:02d}CDE", make="Ford", colour="Red", speed_mph=35, direction="N", seen_at=start)
        for n in range(vehicles)
    ]
    _db.session.add(ret)
    _db.session.commit()


def traffic_rows(page: str, site: str) -> dict[str, list[str]]:
    """The cells of the traffic table of one site: {month or "All 6 months": [sessions, counted, %, %, repeats]}."""
    table = page[page.index(f"<caption>Traffic at {site} per month</caption>") :]
    table = table[: table.index("</table>")]
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', table)
    return {name: re.findall(r'<td class="numeric">([^<]*)</td>', cells) for name, cells in rows}


def test_state_labels():
    def row(taken, cancelled=False):
        return ShiftRow(1, None, None, "T", "S", taken, 3, 6, cancelled)

    assert [row(n).state for n in (0, 1, 2, 3, 5, 6, 7)] == [
        "needs 3 more", "needs 2 more", "needs 1 more", "going ahead", "going ahead", "full", "full",
    ]  # fmt: skip
    assert row(6, cancelled=True).state == "cancelled"


def test_month_starts_cross_the_year():
    assert month_starts(date(2027, 2, 14)) == [date(2026, m, 1) for m in (9, 10, 11, 12)] + [
        date(2027, 1, 1),
        date(2027, 2, 1),
    ]


def test_overview_shows_staffing_training_and_the_chart_numbers(
    db, client, login_as, types, team, other_team, site, make_site, make_volunteer, coordinator, officer, outsider
):
    today = date.today()
    people = [make_volunteer(team) for _ in range(6)]
    short = make_shift_date(team, site, datetime.combine(today + timedelta(days=3), time(10, 0)))
    sign_up(short, people[0])
    sign_up(short, people[1], status="withdrawn")
    going = make_shift_date(team, site, datetime.combine(today + timedelta(days=4), time(10, 0)))
    sign_up(going, *people[:3])
    full = make_shift_date(team, site, datetime.combine(today + timedelta(days=5), time(10, 0)), max_team=4)
    sign_up(full, *people[:4])
    called_off = make_shift_date(team, site, datetime.combine(today + timedelta(days=6), time(10, 0)))
    called_off.status = "cancelled"
    make_shift_date(team, site, datetime.combine(today + timedelta(days=40), time(10, 0)))  # beyond four weeks
    db.session.commit()
    make_volunteer(team, name="Expiring Soon", training_expires=today + timedelta(days=10))
    make_volunteer(team, name="Already Expired", training_expires=today - timedelta(days=3))
    make_volunteer(team, name="Fine For Now", training_expires=today + timedelta(days=90))
    make_volunteer(team, name="Suspended Person", status="suspended", training_expires=today - timedelta(days=3))
    months = month_starts(today)
    add_return(team, "Monument Road", months[-1] + timedelta(days=1), 3, site=site, counted=100, over=7)
    add_return(team, "Monument Road", months[-2] + timedelta(days=10), 2, site=site, counted=40, over=2)
    add_return(team, "Monument Road", months[0] - timedelta(days=5), 9, site=site, counted=90)  # over six months ago
    add_return(other_team, "Foleshill Road", months[-3] + timedelta(days=3), 4)  # from before traffic counts

    login_as(coordinator)
    page = client.get("/staff/speed-watch").get_data(as_text=True)
    assert "Needs 2 more" in page and "Going ahead" in page and 'tag-full">Full<' in page and "Cancelled" in page
    assert page.count("(needs 3, at most 6)") == 3 and "4 (needs 3, at most 4)" in page
    assert "1 (needs 3, at most 6)" in page  # the withdrawn volunteer is not counted
    assert "Expiring Soon" in page and "Already Expired" in page
    assert "Fine For Now" not in page and "Suspended Person" not in page
    monument = traffic_rows(page, "Monument Road")
    # Hand-computed: this month 3 recorded + 7 counted over the limit of 100; last month 2 + 2 of 40.
    assert monument[f"{months[-1]:%B %Y}"] == ["1", "100", "10%", "3%", "0"]
    assert monument[f"{months[-2]:%B %Y}"] == ["1", "40", "10%", "5%", "0"]
    assert monument[f"{months[0]:%B %Y}"] == ["0", "0", "–", "–", "0"]
    assert monument["All 6 months"] == ["2", "140", "10%", "3.6%", "0"]
    foleshill = traffic_rows(page, "Foleshill Road")
    assert foleshill[f"{months[-3]:%B %Y}"] == ["1", "0", "–", "–", "0"]  # a session, but no count to divide
    assert page.count('role="img"') == 2 and "<desc id=" in page
    assert f"{months[-1]:%B %Y}: 1 session, 100 vehicles, 10% over the limit, 3% over the threshold" in page
    assert 'href="/staff/speed-watch/returns"' in page

    post = client.get(f"/staff/speed-watch?team={other_team.slug}").get_data(as_text=True)
    assert "Monument Road" not in post and "Foleshill Road" in post
    officer_client = client.application.test_client()
    from tests.conftest import login

    login(officer_client, outsider)
    mine = officer_client.get("/staff/speed-watch").get_data(as_text=True)
    assert "Needs 2 more" not in mine and "Expiring Soon" not in mine and "Foleshill Road" in mine
    assert officer_client.get(f"/staff/speed-watch?team={team.slug}").status_code == 403


def test_overview_costs_the_same_for_1_and_20_returns(
    db, client, login_as, types, team, site, make_site, coordinator, make_volunteer
):
    today = date.today()
    month = month_starts(today)[-2]
    add_return(team, "Monument Road", month, 2, site=site)
    make_shift_date(team, site, datetime.combine(today + timedelta(days=3), time(10, 0)))
    login_as(coordinator)
    client.get("/staff/speed-watch")
    with count_queries(db.engine) as one:
        assert client.get("/staff/speed-watch").status_code == 200
    for n in range(19):
        other = make_site(team, name=f"Site {n}")
        add_return(team, other.name, month + timedelta(days=n % 20), 3, site=other)
        occ = make_shift_date(team, other, datetime.combine(today + timedelta(days=4 + n), time(10, 0)))
        sign_up(occ, make_volunteer(team, training_expires=today + timedelta(days=n)))
    with count_queries(db.engine) as twenty:
        page = client.get("/staff/speed-watch")
    assert page.status_code == 200 and page.get_data(as_text=True).count('role="img"') == 20
    assert len(twenty) == len(one)
