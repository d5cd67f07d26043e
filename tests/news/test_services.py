"""News rules: scopes and who may write for them, Markdown cleaning, publishing and identity."""

from __future__ import annotations

import pytest

from engagement.core.audit import AuditEntry
from engagement.core.errors import DomainError, PermissionDenied
from engagement.news import queries
from engagement.news.models import DRAFT, PUBLISHED, NewsPost
from engagement.news.services import (
    PostDetails,
    delete_post,
    post_from_text,
    publish_post,
    save_post,
    scope_label,
    unpublish_post,
)


def test_officer_writes_and_publishes_for_own_team(db, officer, team):
    post = save_post(
        None,
        PostDetails("Bike marking", "Free bike marking on Saturday.", "Bring your **bike**.", team),
        actor=officer,
        publish=True,
    )
    db.session.commit()
    assert post.status == PUBLISHED and post.published_at is not None
    assert post.author_name == "PCSO Aisha Khan" and post.author_id == officer.id
    assert post.guid.startswith("urn:uuid:") and len(post.guid) == 45
    assert scope_label(post) == "Ladywood Neighbourhood Team"
    actions = db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["news.create", "news.publish"]


def test_officer_cannot_write_for_another_team_or_the_force(db, outsider, team):
    with pytest.raises(PermissionDenied, match="only write news for your own teams, not Ladywood"):
        save_post(None, PostDetails("T", "S", "B", team), actor=outsider)
    with pytest.raises(PermissionDenied, match="Only coordinators"):
        save_post(None, PostDetails("T", "S", "B", area="Birmingham"), actor=outsider)
    with pytest.raises(PermissionDenied, match="Only coordinators"):
        save_post(None, PostDetails("T", "S", "B"), actor=outsider)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(NewsPost.id))) == 0


def test_coordinator_writes_area_and_force_wide(app, db, coordinator):
    area = save_post(None, PostDetails("Winter driving", "S", "B", area="Birmingham"), actor=coordinator)
    force = save_post(None, PostDetails("New 101 number hours", "S", "B"), actor=coordinator)
    assert scope_label(area) == "All teams in Birmingham"
    assert scope_label(force) == "West Midlands Police"
    with pytest.raises(DomainError, match="Choose an area"):
        save_post(None, PostDetails("T", "S", "B", area="Narnia"), actor=coordinator)


@pytest.mark.parametrize(
    ("field", "details", "message"),
    [
        ("title", PostDetails("", "S", "B"), "Enter the title"),
        ("title", PostDetails("<b>Loud</b>", "S", "B"), "The title cannot contain HTML"),
        ("summary", PostDetails("T", "x" * 301, "B"), "The summary must be 300 characters or fewer"),
        ("body", PostDetails("T", "S", "Hi <script>alert(1)</script>"), "cannot contain HTML tags"),
        ("body", PostDetails("T", "S", "   "), "Enter the text of the post"),
    ],
)
def test_bad_input_is_refused_with_a_message_on_the_field(db, officer, team, field, details, message):
    details.team = team
    with pytest.raises(DomainError) as caught:
        save_post(None, details, actor=officer)
    assert caught.value.field == field and message in caught.value.message


def test_markdown_autolinks_and_angle_brackets_are_kept(db, officer, team):
    post = save_post(None, PostDetails("T", "S", "See <https://example.org> if a < b", team), actor=officer)
    assert post.body == "See [https://example.org](https://example.org) if a < b"


def test_publication_time_is_kept_when_taken_down_and_republished(db, make_post, officer):
    post = make_post()
    first = post.published_at
    unpublish_post(post, actor=officer)
    db.session.commit()
    assert post.status == DRAFT and queries.latest() == []
    publish_post(post, actor=officer)
    db.session.commit()
    assert post.published_at == first and queries.latest() == [post]


def test_published_posts_cannot_be_deleted_drafts_can(db, make_post, officer):
    published = make_post(publish=True)
    with pytest.raises(DomainError, match="cannot be deleted"):
        delete_post(published, actor=officer)
    draft = make_post(publish=False)
    delete_post(draft, actor=officer)
    db.session.commit()
    assert db.session.scalars(db.select(NewsPost.id)).all() == [published.id]


def test_team_scope_includes_area_and_force_posts_only(db, make_post, coordinator, team, other_team):
    own = make_post("Ladywood news")
    make_post("Foleshill news", actor=coordinator, team=other_team)
    area = make_post("Birmingham news", actor=coordinator, team=None, area="Birmingham")
    make_post("Coventry news", actor=coordinator, team=None, area="Coventry")
    force = make_post("Force news", actor=coordinator, team=None)
    assert {p.title for p in queries.latest(team)} == {own.title, area.title, force.title}
    assert len(queries.latest()) == 5
    count, changed = queries.feed_state(team)
    assert count == 3 and changed.tzinfo is not None


def test_post_from_imported_text_strips_tags_and_fits_limits(db, officer, team):
    post = post_from_text(
        title="<em>Road</em> closure", summary="x" * 400, body="<p>Closed <b>today</b></p>", team=team, actor=officer
    )
    assert post.title == "Road closure" and post.status == DRAFT
    assert len(post.summary) == 300 and post.summary.endswith("…")
    assert post.body == "Closed today"
