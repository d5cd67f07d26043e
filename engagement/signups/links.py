"""Private links residents get by email or text (manage a booking, "my events" feed) and the consent wording.

* Manage links: a signed token carrying the sign-up's id and secret, valid for
  MANAGE_MAX_AGE_DAYS (longer than the 12 months events are listed ahead). Every email
  about a booking carries a fresh one; a changed secret (purge, or a later "new link")
  makes old ones stop working.
* "My events" feed links: a signed token carrying the feed's id and secret, with no
  expiry (calendar apps keep a subscription for years); "get a new calendar link" on the
  manage page changes the secret, which revokes every earlier feed link for that address.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from engagement.core.tokens import InvalidToken, make_token, read_token
from engagement.core.urls import public_url
from engagement.extensions import db
from engagement.signups.models import EventsFeed, Signup, new_secret

MANAGE, FEED = "signups.manage", "signups.feed"
MANAGE_MAX_AGE_DAYS = 400

# The words shown above the Sign up button, by version. Change the words: add a new version.
CONSENT_VERSION = "2026-12"
CONSENT_TEXTS = {
    "2026-11": (
        "We use your name and email address to book your place and to email you a confirmation, a reminder "
        "and any changes to this event. Your phone number, if you give it, is used only to contact you about "
        "this event at short notice. Anything you tell us about access needs is seen only by the "
        "{team} Neighbourhood Team, to help you take part. We do not use your details for anything else and "
        "do not share them. We delete them {days} days after the event."
    ),
    "2026-11b": (
        "We use your name and email address to book your place and to email you a confirmation, a reminder "
        "and any changes to this event, and afterwards at most one short question about how it went. Your "
        "phone number, if you give it, is used only to contact you about this event at short notice. Anything "
        "you tell us about access needs is seen only by the {team} Neighbourhood Team, to help you take part. "
        "We do not use your details for anything else and do not share them. We delete them {days} days after "
        "the event."
    ),
    # Issue 16: a mobile number instead of (or as well as) an email address, and texts.
    "2026-12": (
        "We use your name and your email address or mobile number to book your place and to email or text you "
        "a confirmation, a reminder and any changes to this event, and afterwards at most one short question "
        "about how it went. If you give both, we text your mobile only if you choose texts, and otherwise use "
        "it only to contact you about this event at short notice. Anything you tell us about access needs is "
        "seen only by the {team} Neighbourhood Team, to help you take part. We do not use your details for "
        "anything else and do not share them. We delete them {days} days after the event."
    ),
}
# Versions whose words cover the one feedback email after the event (surveys asks through core.hooks).
FEEDBACK_CONSENT = ("2026-11b", "2026-12")


def retention_days() -> int:
    return current_app.config["SIGNUP_RETENTION_DAYS"]


def consent_text(team_name: str, version: str = CONSENT_VERSION) -> str:
    # A tampered or stale hidden field shows today's wording; the booking service refuses it anyway.
    wording = CONSENT_TEXTS.get(version) or CONSENT_TEXTS[CONSENT_VERSION]
    return wording.format(team=team_name, days=retention_days())


def stored_consent_version(version: str = CONSENT_VERSION) -> str:
    """The version as stored with a sign-up: the wording's version and the retention period it named."""
    return f"{version}+{retention_days()}d"


def manage_token(signup: Signup) -> str:
    return make_token(MANAGE, {"s": signup.id, "k": signup.secret})


def signup_for_token(token: str) -> Signup:
    payload = read_token(MANAGE, token, MANAGE_MAX_AGE_DAYS * 86400)
    signup = db.session.get(Signup, payload.get("s")) if isinstance(payload, dict) else None
    if signup is None or signup.secret != payload.get("k") or not signup.reachable:
        raise InvalidToken("This link no longer works. The booking may have been removed after the event.")
    return signup


def feed_for(email: str) -> EventsFeed:
    """The address's feed row, made on first use (concurrent first uses make one row)."""
    feed = db.session.scalar(select(EventsFeed).where(EventsFeed.email == email))
    if feed is not None:
        return feed
    from engagement.core.db import insert_missing, utcnow

    insert_missing(EventsFeed, {"email": email, "secret": new_secret(), "created_at": utcnow()})
    return db.session.scalar(select(EventsFeed).where(EventsFeed.email == email))


def renew_feed(email: str) -> EventsFeed:
    """ "Get a new calendar link": a new secret, so every earlier feed link for the address stops working."""
    feed = feed_for(email)
    feed.secret = new_secret()
    return feed


def feed_token(feed: EventsFeed) -> str:
    return make_token(FEED, {"f": feed.id, "k": feed.secret})


def feed_for_token(token: str) -> EventsFeed:
    payload = read_token(FEED, token, None)
    feed = db.session.get(EventsFeed, payload.get("f")) if isinstance(payload, dict) else None
    if feed is None or feed.secret != payload.get("k"):
        raise InvalidToken("This calendar link no longer works. Use the newest link from your emails.")
    return feed


def manage_url(signup: Signup) -> str:
    return public_url("signups.manage", token=manage_token(signup))


def feed_url(email: str) -> str:
    return public_url("signups.my_events", token=feed_token(feed_for(email)))
