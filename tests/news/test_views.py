"""News pages: public list and post, the team page section, staff writing screens."""

from __future__ import annotations

from engagement.news.models import DRAFT, PUBLISHED, NewsPost
from tests.conftest import login
from tests.support.queries import count_queries


def test_public_list_shows_published_posts_newest_first(client, make_post):
    make_post("Older news")
    make_post("Newer news")
    make_post("Secret draft", publish=False)
    page = client.get("/news").get_data(as_text=True)
    assert page.index("Newer news") < page.index("Older news")
    assert "Secret draft" not in page
    assert 'type="application/rss+xml"' in page and 'href="/news.rss"' in page


def test_team_filter_and_unknown_team(client, make_post, coordinator, other_team):
    make_post("Ladywood news")
    make_post("Foleshill news", actor=coordinator, team=other_team)
    page = client.get("/news?team=ladywood").get_data(as_text=True)
    assert "Ladywood news" in page and "Foleshill news" not in page
    assert 'href="/teams/ladywood/news.rss"' in page
    assert client.get("/news?team=atlantis").status_code == 404


def test_post_page_and_drafts_only_for_staff(app, client, make_post, officer, outsider, login_as):
    post = make_post("Bike marking", body="Bring your **bike** to [the library](https://example.org/lib).")
    page = client.get(f"/news/{post.id}").get_data(as_text=True)
    assert "<strong>bike</strong>" in page and 'href="https://example.org/lib" rel="nofollow noopener"' in page
    assert "by PCSO Aisha Khan" in page and "Ladywood Neighbourhood Team" in page
    draft = make_post("Draft", publish=False)
    assert client.get(f"/news/{draft.id}").status_code == 404
    login_as(outsider)
    assert client.get(f"/news/{draft.id}").status_code == 404
    member = app.test_client()
    login(member, officer)
    preview = member.get(f"/news/{draft.id}")
    assert preview.status_code == 200 and "Preview: this post is a draft" in preview.get_data(as_text=True)


def test_team_page_shows_latest_three_posts(client, make_post):
    for n in range(4):
        make_post(f"Team post {n}")
    page = client.get("/teams/ladywood").get_data(as_text=True)
    assert "Latest news" in page
    assert [f"Team post {n}" in page for n in range(4)] == [False, True, True, True]
    assert 'href="/news?team=ladywood"' in page


def test_news_list_costs_the_same_for_1_and_200_posts(app, client, db, make_post, coordinator, team, other_team):
    make_post("first")
    with count_queries() as one:
        assert client.get("/news").status_code == 200
    for n in range(199):
        make_post(f"post {n}", actor=coordinator, team=[team, other_team, None][n % 3], area=None)
    with count_queries() as many:
        page = client.get("/news").get_data(as_text=True)
    assert "Page 1 of 10" in page
    assert len(many) == len(one)


def test_staff_write_and_publish(client, db, officer, login_as, team):
    login_as(officer)
    form = client.get("/staff/news/new?team=ladywood").get_data(as_text=True)
    assert f'<option selected value="team:{team.id}">' in form
    response = client.post(
        "/staff/news/new",
        data={
            "csrf_token": _token(form),
            "scope": f"team:{team.id}",
            "title": "Catalytic converter thefts",
            "summary": "Three cars hit on Monument Road.",
            "body": "Park in **well-lit** places.",
            "action": "publish",
        },
    )
    assert response.status_code == 302
    post = db.session.scalar(db.select(NewsPost))
    assert post.status == PUBLISHED and post.title == "Catalytic converter thefts"


def test_staff_form_errors_keep_input(client, db, officer, login_as, team):
    login_as(officer)
    form = client.get("/staff/news/new").get_data(as_text=True)
    response = client.post(
        "/staff/news/new",
        data={
            "csrf_token": _token(form),
            "scope": f"team:{team.id}",
            "title": "Road safety",
            "summary": "",
            "body": "<script>alert(1)</script>",
            "action": "save",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page and 'href="#summary">Enter a summary' in page
    assert 'value="Road safety"' in page
    assert db.session.scalar(db.select(db.func.count(NewsPost.id))) == 0


def test_officer_cannot_choose_force_or_other_team(client, db, officer, login_as, other_team):
    login_as(officer)
    form = client.get("/staff/news/new").get_data(as_text=True)
    assert 'value="force"' not in form
    response = client.post(
        "/staff/news/new",
        data={"csrf_token": _token(form), "scope": f"team:{other_team.id}", "title": "T", "summary": "S", "body": "B"},
    )
    assert response.status_code == 400 and "Choose who the news is from" in response.get_data(as_text=True)


def test_take_down_and_delete(client, db, make_post, officer, login_as):
    post = make_post("Published one")
    draft = make_post("Draft one", publish=False)
    login_as(officer)
    token = _token(client.get("/staff/news").get_data(as_text=True))
    assert "cannot be deleted" in client.get(f"/staff/news/{post.id}/delete").get_data(as_text=True)
    assert client.post(f"/staff/news/{post.id}/delete", data={"csrf_token": token, "confirm": "yes"}).status_code == 302
    assert "cannot be deleted" in client.get("/staff/news").get_data(as_text=True)
    client.post(f"/staff/news/{post.id}/unpublish", data={"csrf_token": token})
    assert client.post(f"/staff/news/{draft.id}/delete", data={"csrf_token": token}).status_code == 200  # asks first
    client.post(f"/staff/news/{draft.id}/delete", data={"csrf_token": token, "confirm": "yes"})
    db.session.expire_all()
    assert db.session.scalars(db.select(NewsPost.status)).all() == [DRAFT]


def test_outsider_cannot_edit(client, make_post, outsider, login_as):
    post = make_post()
    login_as(outsider)
    assert client.get(f"/staff/news/{post.id}/edit").status_code == 403


def _token(page: str) -> str:
    import re

    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
