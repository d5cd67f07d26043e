"""Calendar subscription help: which device is asking, so each person sees the steps that work for it.

A `webcal://` link opens Apple Calendar (and classic Outlook) to subscribe, but Android does nothing
with it, and the Google Calendar app cannot add a calendar from a web address at all: Android gets
the https address and the Google Calendar steps instead. Detection is server-side from the
User-Agent (the page works without JavaScript); answers that use it say `Vary: User-Agent`, so a
cache never hands an iPhone's page to an Android phone. When nothing is known the page offers
every route, the webcal link labelled for iPhone, iPad and Mac.
"""

from __future__ import annotations

from flask import after_this_request, has_request_context, request

from engagement.events.ical import subscribe_links

ANDROID, APPLE, OTHER = "android", "apple", "other"


def calendar_device(user_agent: str | None) -> str:
    """'android', 'apple' (iPhone, iPad, iPod, Mac; iPadOS says Macintosh) or 'other'."""
    agent = (user_agent or "")[:512]
    if "Android" in agent:
        return ANDROID
    if any(word in agent for word in ("iPhone", "iPad", "iPod", "Macintosh", "Mac OS X")):
        return APPLE
    return OTHER


def _vary_on_user_agent(response):
    response.vary.add("User-Agent")
    return response


def calendar_subscription(team=None) -> dict:
    """For templates: the team's (or every team's) feed links and the asking device."""
    device = OTHER
    if has_request_context():
        device = calendar_device(request.headers.get("User-Agent"))
        after_this_request(_vary_on_user_agent)
    return {**subscribe_links(team), "device": device, "team": team}
