"""Demo news, an imported feed, three demo subscribers and one sent newsletter.

Posts are dated relative to today so the feeds always look current. Everything is found
by a natural key (a post's fixed guid, a subscriber's address, the newsletter's subject and
team), so loading twice adds nothing. Addresses are @example.org: nothing real is emailed.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select

from engagement.accounts.services import find_user_by_email
from engagement.core.db import utcnow
from engagement.extensions import db
from engagement.feeds.models import FeedEntry, FeedSource
from engagement.news.models import PUBLISHED, NewsPost
from engagement.news.services import PostDetails, save_post
from engagement.newsletter import delivery
from engagement.newsletter.issues import create_issue
from engagement.newsletter.models import DELIVERED, SENT, Delivery, Issue, IssueItem, Subscriber, Subscription
from engagement.teams.services import team_by_slug

# key, team slug (None: area or force), area, author email, days ago, title, summary, body
POSTS = [
    ("ladywood-catalytic", "ladywood", None, "officer@example.org", 2,
     "Catalytic converter thefts around Monument Road",
     "Three cars had their catalytic converters stolen overnight last week. Here is how to protect yours.",
     "Between Tuesday and Thursday last week, three cars parked on streets off **Monument Road** had their "
     "catalytic converters cut off overnight.\n\nWhat you can do:\n\n- park in a garage or a well-lit, overlooked "
     "spot\n- ask your garage about a marking kit or a protective cage\n- report anyone working under a parked car "
     "at night by calling 999 if it is happening now, or 101 afterwards\n\nCome and see us at our next surgery at "
     "Ladywood Community Library if you want to talk about vehicle crime on your street."),
    ("ladywood-canal", "ladywood", None, "d.byrne@example.org", 9,
     "Extra patrols on the canal towpaths",
     "Following your reports of anti-social behaviour near Ladywood locks, we are patrolling the towpaths "
     "every evening this month.",
     "At our last public meeting you told us that groups gathering on the towpath by the **Ladywood locks** "
     "make you feel unsafe walking home.\n\nYou said, we did: officers and PCSOs (police community support "
     "officers) will patrol the towpaths between 6pm and 10pm every evening this month, working with the "
     "Canal & River Trust. We have also asked the council to repair two broken lights by the Icknield Port "
     "Loop.\n\nIf you see anti-social behaviour, report it online or call 101."),
    ("ladywood-bikes", "ladywood", None, "officer@example.org", 16,
     "Free bike marking at Brindleyplace",
     "Bring your bike to our stall on Saturday morning and we will security-mark and register it for free.",
     "Stolen bikes are much easier to return to their owners when they are marked and registered. Bring your "
     "bike and proof of ownership (a receipt or a photo of you with it) to our stall by the **Brindleyplace "
     "water feature** between 10am and 1pm on Saturday.\n\nIt takes about ten minutes. No need to book."),
    ("edgbaston-students", "edgbaston", None, "d.byrne@example.org", 4,
     "Keeping safe as students settle in",
     "Tips for new students in Selly Oak and Harborne: lock up, light up and look out for each other.",
     "Every autumn we see a rise in burglaries and cycle thefts from student houses. Please:\n\n- lock doors "
     "and windows, even when you are home\n- keep laptops and bikes out of sight from the street\n- register "
     "your phone and laptop with an online property register\n\nWe run a drop-in at the Guild of Students "
     "every Wednesday afternoon this term."),
    ("erdington-bikes", "erdington", None, "t.walker@example.org", 6,
     "Off-road bikes seized in Pype Hayes Park",
     "Two off-road motorbikes were seized after residents sent us information. Thank you.",
     "Acting on information from residents, officers seized two off-road motorbikes being ridden dangerously "
     "through **Pype Hayes Park** on Sunday. Both riders were reported for offences.\n\nIf you know where "
     "off-road bikes are being stored, tell us on 101 or anonymously through Crimestoppers on 0800 555 111."),
    ("coventry-night", "coventry-city-centre", None, "j.adeyemi@example.org", 3,
     "Safer nights out in the city centre",
     "Our night-time team and street pastors will be out every Friday and Saturday until Christmas.",
     "From this weekend, officers, PCSOs and volunteer street pastors will be in the city centre every Friday "
     "and Saturday night until Christmas. Look for us around **Broadgate** and the university quarter if you "
     "need help getting home safely."),
    ("birmingham-scams", None, "Birmingham", "coordinator@example.org", 5,
     "Courier fraud warning for older residents in Birmingham",
     "Criminals are phoning older people pretending to be police officers and asking for bank cards.",
     "We have had reports across Birmingham of **courier fraud**: a caller says they are a police officer or "
     "from your bank, tells you your account is at risk and sends a 'courier' to collect your card or cash.\n\n"
     "The police and your bank will **never** ask for your PIN or send someone to collect your card. If you get "
     "a call like this, hang up, wait five minutes and call 101 from a different phone. Please share this with "
     "older neighbours and relatives."),
    ("force-101", None, None, "coordinator@example.org", 12,
     "Contacting us: 101, live chat and online reporting",
     "The quickest ways to reach West Midlands Police when it is not an emergency.",
     "In an emergency, always call **999**. For everything else you can:\n\n- report online on the force "
     "website, any time of day\n- use live chat on the website\n- call 101\n\nIf you are deaf, hard of hearing "
     "or speech-impaired, use text relay: 18001 101. To report a crime anonymously, call Crimestoppers on "
     "0800 555 111."),
]  # fmt: skip

FEED = ("ladywood", "West Midlands Police press office (demo copy)", "https://example.org/demo/wmp-press-office.rss")
ENTRIES = [
    (
        "wmp-demo-1",
        "Appeal after burglary in Ladywood",
        "Officers are appealing for witnesses after a house in Ladywood was broken into on Monday evening.",
        1,
    ),
    (
        "wmp-demo-2",
        "Knife amnesty bins across the West Midlands",
        "Secure bins for unwanted knives are open at police stations across the force area this month.",
        3,
    ),
    (
        "wmp-demo-3",
        "Recruiting Special Constables",
        "Give some of your spare time to policing your community: applications for Special Constables are open.",
        8,
    ),
]
SUBSCRIBERS = ["resident.one@example.org", "resident.two@example.org", "resident.three@example.org"]
NEWSLETTER = ("ladywood", "Ladywood news: what we have been doing this month")
INTRO = (
    "Thank you to everyone who came to our public meeting at **St John's Church Hall**. You told us that "
    "anti-social behaviour on the canal towpaths and vehicle crime are your top concerns, so that is where "
    "we are putting our time this month. Here is what we have been doing, and where to find us."
)


def _guid(key: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'engagement-demo:news:{key}')}"


def _posts(now: datetime) -> int:
    added = 0
    for key, slug, area, author_email, days, title, summary, body in POSTS:
        guid = _guid(key)
        if db.session.scalar(select(NewsPost.id).where(NewsPost.guid == guid)) is not None:
            continue
        author = find_user_by_email(author_email)
        team = team_by_slug(slug) if slug else None
        if slug and team is None:
            continue
        post = save_post(None, PostDetails(title, summary, body, team, area), actor=author, publish=True)
        post.guid, post.published_at = guid, now - timedelta(days=days, hours=3)
        post.created_at = post.updated_at = post.published_at
        added += 1
    return added


def _feed(now: datetime) -> FeedSource | None:
    slug, title, url = FEED
    team = team_by_slug(slug)
    if team is None:
        return None
    source = db.session.scalar(select(FeedSource).where(FeedSource.team_id == team.id, FeedSource.url == url))
    if source is None:
        # Switched off: the address is illustrative, so the worker must not try to fetch it.
        source = FeedSource(team=team, title=title, url=url, active=False, last_status="ok",
                            last_fetched_at=now, last_success_at=now)  # fmt: skip
        db.session.add(source)
        db.session.flush()
        for key, entry_title, summary, days in ENTRIES:
            db.session.add(FeedEntry(source_id=source.id, key=key.ljust(64, "0")[:64], guid=key, title=entry_title,
                                     link=f"https://example.org/demo/{key}", summary_html=f"<p>{summary}</p>",
                                     summary_text=summary, published_at=now - timedelta(days=days),
                                     fetched_at=now - timedelta(days=days)))  # fmt: skip
    return source


def _subscribers(team, now: datetime) -> None:
    for email in SUBSCRIBERS:
        if db.session.scalar(select(Subscriber.id).where(Subscriber.email == email)) is None:
            db.session.add(Subscriber(email=email, confirmed_at=now - timedelta(days=40), subscriptions=[
                Subscription(team=team, requested_at=now - timedelta(days=40), confirmed_at=now - timedelta(days=40),
                             consent_text="Demo subscriber (example.org address): no real person.")]))  # fmt: skip
    db.session.flush()


def _newsletter(now: datetime, source: FeedSource | None) -> int:
    slug, subject = NEWSLETTER
    team = team_by_slug(slug)
    if team is None or db.session.scalar(select(Issue.id).where(Issue.team_id == team.id, Issue.subject == subject)):
        return 0
    _subscribers(team, now)
    issue = create_issue(actor=find_user_by_email("officer@example.org"), team=team, subject=subject, intro=INTRO,
                         weeks=3)  # fmt: skip
    posts = db.session.scalars(
        select(NewsPost).where(NewsPost.team_id == team.id, NewsPost.status == PUBLISHED)
        .order_by(NewsPost.published_at.desc()).limit(2)
    ).all()  # fmt: skip
    entries = sorted(source.entries, key=lambda e: e.published_at, reverse=True)[:1] if source is not None else []
    issue.items = [IssueItem(news_post=p, position=n) for n, p in enumerate(posts)] + [
        IssueItem(feed_entry=e, position=len(posts) + n) for n, e in enumerate(entries)]  # fmt: skip
    sent_at = now - timedelta(days=1, hours=2)
    delivery.start(issue, now=sent_at)  # freezes the content and gives it a reference code
    db.session.flush()
    db.session.execute(
        db.update(Delivery).where(Delivery.issue_id == issue.id)
        .values(status=DELIVERED, attempts=1, sent_at=sent_at + timedelta(minutes=1))
    )  # fmt: skip
    issue.status, issue.finished_at = SENT, sent_at + timedelta(minutes=1)
    return 1


def load_news_demo(now: datetime | None = None) -> dict[str, int]:
    """Add whatever news demo data is missing; returns what was added."""
    now = now or utcnow()
    posts = _posts(now)
    db.session.flush()
    source = _feed(now)
    newsletters = _newsletter(now, source)
    db.session.flush()
    return {"posts": posts, "newsletters": newsletters}
