"""Traffic counts: the reporting threshold, the counts' checks, and the per-site, per-month figures
(hand-computed), which cost a fixed number of queries for 1 or 50 sessions."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from engagement.speedwatch.overview.queries import month_starts
from engagement.speedwatch.overview.traffic import traffic_per_site
from engagement.speedwatch.returns import services as returns
from engagement.speedwatch.returns.thresholds import policy_threshold, threshold_for
from engagement.speedwatch.shifts.models import Shift
from tests.speedwatch.conftest import NOW
from tests.speedwatch.samples_returns import make_shift_date
from tests.speedwatch.test_overview import add_return, traffic_rows
from tests.support.queries import count_queries


def test_policy_threshold_is_limit_plus_ten_percent_plus_two(app):
    assert [policy_threshold(n) for n in (20, 30, 40, 50, 60, 70)] == [24, 35, 46, 57, 68, 79]
    assert threshold_for(30) == 35
    app.config["SPEEDWATCH_THRESHOLDS"] = {30: 36}
    assert threshold_for(30) == 36 and threshold_for(20) == 24


def test_a_return_counts_traffic_and_records_only_vehicles_at_the_threshold(db, types, team, site, officer):
    row = make_shift_date(team, site, datetime(2027, 4, 3, 10, 0))
    device_id = db.session.get(Shift, row.event_id).device_id
    car = {"registration": "AB12 CDE", "make": "Ford", "colour": "Red", "direction": "North", "time": "10:20"}

    def send(counted, over, *speeds):
        return returns.record_return(
            row,
            actor=officer,
            started="10:00",
            ended="11:00",
            vehicles=[car | {"speed": s, "registration": f"AB{n}2 CDE"} for n, s in enumerate(speeds, start=1)],
            session=returns.Session(device_id, "yes", "30", counted, over),
            now=NOW,
        )

    with pytest.raises(returns.ReturnInvalid) as caught:
        send("200", "10", "34")
    assert caught.value.errors == [
        (
            "vehicles-0-speed",
            "Vehicle 1: 34 mph is under the reporting threshold of 35 mph at this 30 mph site: "
            "count it in “over the limit, under the threshold” instead of recording its registration",
        )
    ]
    with pytest.raises(returns.ReturnInvalid) as caught:
        send("10", "9", "35", "40")
    assert (
        caught.value.errors[0][0] == "vehicles_counted"
        and "must include the 9 over the limit" in caught.value.errors[0][1]
    )
    with pytest.raises(returns.ReturnInvalid) as caught:
        send("lots", "", "35")
    assert [f for f, _ in caught.value.errors] == ["vehicles_counted", "over_limit_count"]
    db.session.rollback()
    ret = send("240", "12", "35", "41")
    db.session.commit()
    assert (ret.vehicles_counted, ret.over_limit_count, ret.threshold_mph, len(ret.vehicles)) == (240, 12, 35, 2)
    months, sites = traffic_per_site([team.id], date(2027, 4, 20))
    april = sites[0].months[-1]
    # Hand-computed: (12 + 2) of 240 over the limit = 5.8%; 2 of 240 over the threshold = 0.8%.
    assert (april.sessions, april.counted, april.over_limit, april.over_threshold) == (1, 240, 14, 2)
    assert (april.pct_over_limit, april.pct_over_threshold) == (5.8, 0.8)


def test_the_site_page_shows_a_year_by_month(db, client, login_as, officer, outsider, team, site):
    today = date.today()
    months = month_starts(today, 12)
    add_return(team, site.name, months[0] + timedelta(days=2), 1, site=site, counted=50, over=4)
    add_return(team, site.name, months[-1] + timedelta(days=1), 2, site=site, counted=80, over=6)
    add_return(team, site.name, months[-1] + timedelta(days=2), 0, site=site, counted=20, over=0)
    login_as(officer)
    page = client.get(f"/staff/speed-watch/sites/{site.id}").get_data(as_text=True)
    assert "Reporting threshold" in page and "35 mph" in page and "50 mph or more" in page
    rows = traffic_rows(page, site.name)
    assert rows[f"{months[0]:%B %Y}"] == ["1", "50", "10%", "2%", "0"]
    assert rows[f"{months[-1]:%B %Y}"] == ["2", "100", "8%", "2%", "0"]
    assert rows["All 12 months"] == ["3", "150", "8.7%", "2%", "0"]
    assert page.count('role="img"') == 1


def test_overview_and_site_page_cost_the_same_for_1_and_50_sessions(
    db, client, login_as, coordinator, team, site, make_site
):
    month = month_starts(date.today())[-2]
    add_return(team, site.name, month, 2, site=site, counted=40, over=3)
    login_as(coordinator)
    pages = ("/staff/speed-watch", f"/staff/speed-watch/sites/{site.id}")
    for url in pages:
        client.get(url)
    costs = []
    for url in pages:
        with count_queries(db.engine) as seen:
            assert client.get(url).status_code == 200
        costs.append(len(seen))
    others = [make_site(team, name=f"Site {n}") for n in range(5)]
    for n in range(49):
        where = site if n % 2 else others[n % 5]
        add_return(team, where.name, month + timedelta(days=n % 25), n % 4, site=where, counted=30 + n, over=n % 3)
    for url, before in zip(pages, costs, strict=True):
        with count_queries(db.engine) as seen:
            assert client.get(url).status_code == 200
        assert len(seen) == before, url
