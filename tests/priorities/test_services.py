"""The priority rules: at most five current, dated actions, closing with an outcome, scope of surveys."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engagement.core.audit import AuditEntry
from engagement.core.errors import DomainError, PermissionDenied
from engagement.priorities import queries, services
from engagement.priorities.models import CLOSED, CURRENT, Priority
from engagement.priorities.services import PriorityDetails, today
from tests.support.queries import count_queries


def details(issue="Litter in Ladywood Park", days_ago=10, **kw) -> PriorityDetails:
    return PriorityDetails(issue=issue, set_on=today() - timedelta(days=days_ago), how=kw.pop("how", "meeting"), **kw)


def test_an_officer_sets_a_priority_and_it_is_audited(db, team, officer):
    priority = services.create_priority(team, actor=officer, details=details(how_detail="Ladywood Community Forum"))
    db.session.commit()
    assert priority.status == CURRENT and priority.how_detail == "Ladywood Community Forum"
    query = db.select(AuditEntry.action).where(AuditEntry.target_type == "priority",
                                               AuditEntry.target_id == str(priority.id))  # fmt: skip
    assert db.session.scalars(query).all() == ["priority.create"]


def test_a_sixth_current_priority_is_refused_until_one_is_closed(db, team, officer, make_priority):
    made = [make_priority(f"Problem {n}") for n in range(5)]
    with pytest.raises(DomainError, match="already has 5 current priorities"):
        services.create_priority(team, actor=officer, details=details())
    services.close_priority(made[0], actor=officer, closed_on=today(), outcome="Sorted with the council")
    assert services.create_priority(team, actor=officer, details=details()).is_current
    with pytest.raises(DomainError, match="Close one before reopening"):
        services.reopen_priority(made[0], actor=officer)


def test_other_teams_officers_cannot_set_or_change_priorities(db, team, outsider, coordinator, make_priority):
    with pytest.raises(PermissionDenied):
        services.create_priority(team, actor=outsider, details=details())
    priority = make_priority()
    with pytest.raises(PermissionDenied):
        services.add_action(priority, actor=outsider, taken_on=today(), text="Patrols")
    assert services.add_action(priority, actor=coordinator, taken_on=today(), text="Patrols").text == "Patrols"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"issue": "   "}, "issue", "Enter the issue"),
        ({"issue": "x" * 1001}, "issue", "1,000 characters or fewer"),
        ({"set_on": None}, "set_on", "Enter the date it was set"),
        ({"days_ago": -1}, "set_on", "cannot be after"),
        ({"how": "telepathy"}, "how", "Choose how"),
    ],
)
def test_bad_details_name_their_field(db, team, officer, change, field, message):
    values = {"issue": "Litter", "days_ago": 10, "how": "meeting", **change}
    set_on = None if values.get("set_on", 1) is None else today() - timedelta(days=values["days_ago"])
    bad = PriorityDetails(issue=values["issue"], set_on=set_on, how=values["how"])
    with pytest.raises(DomainError, match=message) as caught:
        services.create_priority(team, actor=officer, details=bad)
    assert caught.value.field == field


def test_html_typed_into_an_issue_is_kept_as_text_without_tags(db, team, officer):
    priority = services.create_priority(
        team, actor=officer, details=details(issue="<b>Speeding</b> on   Icknield <script>alert(1)</script>Port Road")
    )
    assert priority.issue == "Speeding on Icknield Port Road"


def test_actions_are_dated_within_the_priority_and_listed_oldest_first(db, team, officer, make_priority):
    priority = make_priority(days_ago=40)
    services.add_action(priority, actor=officer, taken_on=today() - timedelta(days=2), text="340 advisory letters")
    services.add_action(priority, actor=officer, taken_on=today() - timedelta(days=20), text="12 Speed Watch sessions")
    db.session.commit()
    assert [a.text for a in queries.get_priority(priority.id).actions] == ["12 Speed Watch sessions",
                                                                          "340 advisory letters"]  # fmt: skip
    with pytest.raises(DomainError, match="on or after") as caught:
        services.add_action(priority, actor=officer, taken_on=today() - timedelta(days=41), text="Too early")
    assert caught.value.field == "taken_on"
    with pytest.raises(DomainError, match="cannot be after"):
        services.add_action(priority, actor=officer, taken_on=today() + timedelta(days=60), text="Too late")


def test_closing_needs_an_outcome_and_a_closed_priority_cannot_be_changed(db, team, officer, make_priority):
    priority = make_priority(actions=[(3, "Dispersal order 2-9 March")])
    with pytest.raises(DomainError, match="Enter the outcome"):
        services.close_priority(priority, actor=officer, closed_on=today(), outcome="")
    services.close_priority(priority, actor=officer, closed_on=today(), outcome="Reports down by half")
    db.session.commit()
    assert priority.status == CLOSED
    with pytest.raises(DomainError, match="closed"):
        services.add_action(priority, actor=officer, taken_on=today(), text="More")
    current, closed = queries.team_priorities(team)
    assert current == [] and [p.outcome for p in closed] == ["Reports down by half"]
    services.reopen_priority(priority, actor=officer)
    assert priority.status == CURRENT and priority.outcome == "" and priority.closed_on is None


def test_a_survey_link_must_be_a_published_survey_in_the_teams_scope(db, team, other_team, officer):
    from tests.surveys.helpers import sample_records

    ours = sample_records(team)["survey_id"]
    theirs = sample_records(other_team)["survey_id"]
    priority = services.create_priority(team, actor=officer, details=details(how="survey", survey_id=ours))
    assert priority.survey_id == ours
    with pytest.raises(DomainError, match="Choose one of the surveys") as caught:
        services.create_priority(team, actor=officer, details=details(how="survey", survey_id=theirs))
    assert caught.value.field == "survey"
    # A survey chosen while "how" is a meeting is not linked.
    assert services.create_priority(team, actor=officer, details=details(survey_id=ours)).survey_id is None
    assert [s.id for s in services.survey_choices(team)] == [ours]


def test_deleting_a_priority_removes_its_actions(db, team, officer, make_priority):
    priority = make_priority(actions=[(1, "Patrols")])
    services.delete_priority(priority, actor=officer)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(Priority)) == 0


def test_team_priorities_cost_the_same_queries_for_one_or_five(db, team, make_priority):
    make_priority("One", actions=[(1, "a")])
    with count_queries() as one:
        queries.team_priorities(team)
    for n in range(4):
        make_priority(f"More {n}", actions=[(1, "b"), (2, "c")])
    with count_queries() as five:
        current, _closed = queries.team_priorities(team)
        assert sum(len(p.actions) for p in current) == 9
    assert len(five) == len(one)
