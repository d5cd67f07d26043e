"""Newsletters' part of data-subject requests and retention (registered in engagement.core.personal_data).

Erasure: the subscriber's subscriptions end, their delivery rows and the subscriber row are
deleted, and a keyed hash of the address goes on the suppression list so an import cannot sign
them up again. Issues keep their recipient counts. Retention: requests never confirmed go after
7 days (subscriptions.expire); unsubscribed addresses are reduced to the suppression hash within
a day and deleted 30 days after leaving.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from engagement.core.db import insert_missing
from engagement.core.personal_data import (
    Provider,
    Record,
    RetentionRule,
    Subject,
    Suppression,
    register_provider,
    register_retention_rule,
    subject_hash,
    suppress,
)
from engagement.extensions import db
from engagement.newsletter import subscriptions
from engagement.newsletter.models import Delivery, Subscriber, Subscription


def _subscriber(subject: Subject) -> Subscriber | None:
    query = (
        select(Subscriber)
        .where(subject.where(Subscriber.email))
        .options(selectinload(Subscriber.subscriptions).selectinload(Subscription.team))
    )
    return db.session.scalars(query).first()


def find(subject: Subject, names: frozenset[str]) -> list[Record]:
    subscriber = _subscriber(subject)
    if subscriber is None:
        return []
    deliveries = db.session.scalar(select(func.count()).where(Delivery.subscriber_id == subscriber.id))
    records = [
        Record(
            kind="Newsletter subscriber",
            at=subscriber.created_at,
            summary=f"{len(subscriber.subscriptions)} subscription(s), {deliveries} newsletter(s) sent",
            on_erase="Deleted, with the record of which newsletters were sent; the address is kept only as a "
            "hash so it is never subscribed again",
            data={
                "email": subscriber.email,
                "first_asked_at": subscriber.created_at,
                "confirmed_at": subscriber.confirmed_at,
                "unsubscribed_at": subscriber.unsubscribed_at,
                "language": subscriber.language,
                "newsletters_sent": deliveries,
            },
        )
    ]
    for sub in subscriber.subscriptions:
        records.append(
            Record(
                kind="Newsletter subscription",
                at=sub.requested_at,
                summary=subscriptions.subscription_label(sub) + ("" if sub.confirmed_at else " (not confirmed)"),
                on_erase="Ended and deleted",
                data={
                    "newsletter": subscriptions.subscription_label(sub),
                    "asked_at": sub.requested_at,
                    "confirmed_at": sub.confirmed_at,
                    "consent_wording": sub.consent_text,
                    "how": "imported from the team's earlier list" if sub.source == "import" else "the subscribe form",
                },
            )
        )
    return records


def erase(subject: Subject, records, *, actor=None, now: datetime) -> dict[str, int]:
    subscriber = _subscriber(subject)
    if subscriber is None:
        return {"newsletter_subscribers": 0}
    suppress(Subject.email(subscriber.email), "erased")
    ended = len(subscriber.subscriptions)
    deliveries = db.session.execute(delete(Delivery).where(Delivery.subscriber_id == subscriber.id)).rowcount or 0
    subscriber.subscriptions.clear()  # delete-orphan: the subscriptions go with the flush
    db.session.delete(subscriber)
    db.session.flush()
    return {"newsletter_subscribers": 1, "newsletter_subscriptions": ended, "newsletter_deliveries": deliveries}


PROVIDER = Provider(
    name="newsletter",
    label="Newsletter subscriptions",
    about=(
        "Residents give their email address to get a team's or an area's newsletter, and confirm it from an email "
        "(double opt-in). We use it only to send those newsletters. Lawful basis: consent, with the wording shown "
        "in consent_wording; every newsletter has a link to leave."
    ),
    fields={
        "email": "the address the newsletters go to",
        "first_asked_at, confirmed_at, unsubscribed_at": "when they first asked, confirmed and last left",
        "language": "the language they used our site in (emails to them are written in it; empty means English)",
        "newsletters_sent": "how many newsletters were sent to the address",
        "newsletter": "which team's or area's newsletter",
        "consent_wording": "the exact words agreed to",
        "how": "the subscribe form, or imported from the team's earlier list (with its consent date)",
    },
    covers={"newsletter_subscribers.email": "deleted on erasure; unconfirmed after 7 days; unsubscribed after 30"},
    find=find,
    erase=erase,
    order=30,
)


def _unsubscribed(now: datetime) -> dict[str, int]:
    """Keep only the hash of addresses that left; delete them UNSUBSCRIBED_KEEP_DAYS after leaving."""
    left = list(
        db.session.scalars(
            select(Subscriber).where(
                Subscriber.unsubscribed_at.is_not(None),
                ~select(Subscription.id).where(Subscription.subscriber_id == Subscriber.id).exists(),
            )
        )
    )
    digests = {s.id: subject_hash(Subject.email(s.email)) for s in left}
    known = set(
        db.session.scalars(select(Suppression.subject_hash).where(Suppression.subject_hash.in_(digests.values())))
    )
    hashed = 0
    for digest in digests.values():
        if digest not in known:
            insert_missing(Suppression, {"subject_hash": digest, "reason": "unsubscribed", "created_at": now})
            hashed += 1
    cutoff = now - timedelta(days=subscriptions.UNSUBSCRIBED_KEEP_DAYS)
    old = [s.id for s in left if s.unsubscribed_at < cutoff]
    if old:
        db.session.execute(delete(Delivery).where(Delivery.subscriber_id.in_(old)))
        db.session.execute(delete(Subscriber).where(Subscriber.id.in_(old)))
    db.session.commit()
    return {"addresses reduced to a hash": hashed, "subscribers deleted": len(old)}


RULES = (
    RetentionRule(
        "newsletter-unsubscribed",
        "Newsletter subscribers who unsubscribed",
        lambda: subscriptions.UNSUBSCRIBED_KEEP_DAYS,
        "after they leave",
        "a keyed hash of the address, so it is never subscribed again",
        _unsubscribed,
        "fixed (newsletter.subscriptions.UNSUBSCRIBED_KEEP_DAYS)",
        task="newsletter-expire",
        order=30,
    ),
    RetentionRule(
        "newsletter-unconfirmed",
        "Newsletter requests never confirmed",
        lambda: subscriptions.CONFIRM_DAYS,
        "after the request",
        "nothing",
        lambda now: {"requests and addresses deleted": subscriptions.expire(now)},
        "fixed (newsletter.subscriptions.CONFIRM_DAYS)",
        task="newsletter-expire",
        order=31,
    ),
)


def register() -> None:
    register_provider(PROVIDER)
    for rule in RULES:
        register_retention_rule(rule)
