"""Records for tests outside these folders (the permissions matrix), built through the services."""

from __future__ import annotations

from engagement.extensions import db
from engagement.feeds.models import FeedEntry
from engagement.feeds.services import add_source
from engagement.news.services import PostDetails, save_post
from engagement.newsletter.issues import create_issue
from engagement.newsletter.text_models import TextAlert


def sample_records(team) -> dict:
    """A published news post, a followed feed with one entry, a draft newsletter and a text alert, all belonging to
    `team`, as URL arguments."""
    post = save_post(None, PostDetails("Sample news", "Summary", "Body", team), actor=None, publish=True)
    source = add_source(actor=None, team=team, title="Sample feed", url="https://example.org/feed.rss")
    db.session.flush()
    entry = FeedEntry(source_id=source.id, key="k" * 64, guid="sample-1", title="Sample entry",
                      link="https://example.org/1")  # fmt: skip
    db.session.add(entry)
    issue = create_issue(actor=None, team=team, subject="Sample newsletter", intro="Hello")
    alert = TextAlert(team_id=team.id, kind="appeal", body="Ladywood police: Sample alert", fragments=1)
    db.session.add(alert)
    db.session.commit()
    return {"post_id": post.id, "source_id": source.id, "entry_id": entry.id, "issue_id": issue.id,
            "alert_id": alert.id}  # fmt: skip
