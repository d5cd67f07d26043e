"""The audit log's action codes in words, for the admin's filter and table ("Exported sign-ups", not "export.signups").

Codes stay as they are in the database (they are what other tools and old entries hold); only the
page shows words. A code with no words here is still shown, spelled out from the code itself, and
tests/core/test_audit_page.py fails until every code the source records has its words.
"""

from __future__ import annotations

# The families of codes (the part before the first dot), in the order the filter lists them.
GROUPS = {
    "user": "Sign-ins and accounts",
    "team": "Teams",
    "event": "Events",
    "event_type": "Events",
    "venue": "Events",
    "occurrence": "Events",
    "news": "News",
    "feed": "News",
    "signup": "Sign-ups",
    "signups": "Sign-ups",
    "survey": "Surveys",
    "speedwatch": "Speed Watch",
    "priority": "Priorities and people",
    "person": "Priorities and people",
    "newsletter": "Newsletters",
    "text_alert": "Newsletters",
    "export": "Exports of personal data",
    "privacy": "Privacy",
}

WORDS = {
    "user.create": "Created an account",
    "user.login": "Signed in",
    "user.login_failed": "Failed sign-in",
    "user.login_refused": "Sign-in refused",
    "user.password_reset": "Changed a password by reset link",
    "user.password_reset_requested": "Asked for a password reset",
    "user.role_change": "Changed someone's role",
    "user.teams_change": "Changed someone's teams",
    "user.activate": "Switched an account on",
    "user.deactivate": "Switched an account off",
    "user.demo_removed": "Removed a demo account",
    "user.two_factor_enabled": "Set up two-factor sign-in",
    "user.two_factor_disabled": "Turned off two-factor sign-in",
    "user.two_factor_failed": "Wrong two-factor code",
    "user.two_factor_locked": "Two-factor sign-in locked after wrong codes",
    "user.two_factor_recovery_used": "Used a recovery code",
    "user.two_factor_reset": "Reset someone's two-factor sign-in",
    "team.create": "Created a team",
    "team.update": "Changed a team",
    "event.create": "Created an event",
    "event.update": "Changed an event",
    "event.publish": "Published an event",
    "event.cancel": "Cancelled an event",
    "event.change_following": "Changed this and following dates",
    "event.import_ics": "Imported events from a calendar file",
    "event_type.create": "Created an event type",
    "event_type.update": "Changed an event type",
    "venue.create": "Added a venue",
    "venue.update": "Changed a venue",
    "occurrence.cancel": "Cancelled a date",
    "occurrence.move": "Moved a date",
    "news.create": "Wrote a news post",
    "news.update": "Changed a news post",
    "news.publish": "Published a news post",
    "news.unpublish": "Took down a news post",
    "news.delete": "Deleted a news post",
    "feed.add": "Followed a feed",
    "feed.update": "Changed a feed",
    "feed.delete": "Stopped following a feed",
    "feed.entry_to_news": "Turned a feed item into news",
    "signup.cancel": "Cancelled someone's place",
    "signup.entered_by_staff": "Signed someone up on their behalf",
    "signup.walk_in": "Recorded a walk-in",
    "signup.message": "Messaged the people booked on a date",
    "signups.removed_with_date": "Removed sign-ups with a deleted date",
    "survey.create": "Created a survey",
    "survey.update": "Changed a survey",
    "survey.copy": "Copied a survey",
    "survey.publish": "Opened a survey",
    "survey.close": "Closed a survey",
    "survey.delete": "Deleted a survey",
    "survey.question_add": "Added a survey question",
    "survey.question_update": "Changed a survey question",
    "survey.question_move": "Moved a survey question",
    "survey.question_delete": "Deleted a survey question",
    "survey.translation_save": "Saved a survey's translation",
    "survey.translation_remove": "Took away a survey's translation",
    "survey.outcome_news": "Published a \u201cyou said, we did\u201d as news",
    "survey.outcome_save": "Saved a \u201cyou said, we did\u201d",
    "survey.outcome_publish": "Published a \u201cyou said, we did\u201d",
    "survey.outcome_unpublish": "Took down a \u201cyou said, we did\u201d",
    "speedwatch.volunteer_apply": "Speed Watch: someone applied",
    "speedwatch.volunteer_approve": "Speed Watch: approved a volunteer",
    "speedwatch.volunteer_decline": "Speed Watch: declined an application",
    "speedwatch.volunteer_suspend": "Speed Watch: suspended a volunteer",
    "speedwatch.volunteer_reinstate": "Speed Watch: reinstated a volunteer",
    "speedwatch.volunteer_training": "Speed Watch: recorded training",
    "speedwatch.training_expiry_warning": "Speed Watch: warned of training running out",
    "speedwatch.site_create": "Speed Watch: added a site",
    "speedwatch.site_update": "Speed Watch: changed a site",
    "speedwatch.site_expiry_warning": "Speed Watch: warned of a site assessment running out",
    "speedwatch.site_request": "Speed Watch: a site was proposed",
    "speedwatch.site_request_approve": "Speed Watch: approved a proposed site",
    "speedwatch.site_request_decline": "Speed Watch: declined a proposed site",
    "speedwatch.device_register": "Speed Watch: registered a device",
    "speedwatch.device_update": "Speed Watch: changed a device",
    "speedwatch.device_calibration": "Speed Watch: recorded a calibration",
    "speedwatch.device_calibration_warning": "Speed Watch: warned of a calibration running out",
    "speedwatch.shift_schedule": "Speed Watch: scheduled a shift",
    "speedwatch.shift_join": "Speed Watch: joined a shift",
    "speedwatch.shift_withdraw": "Speed Watch: left a shift",
    "speedwatch.shift_device": "Speed Watch: chose a shift's device",
    "speedwatch.shift_short": "Speed Watch: a shift was short of volunteers",
    "speedwatch.quorum": "Speed Watch: decided whether a shift goes ahead",
    "speedwatch.return.record": "Speed Watch: recorded a session return",
    "speedwatch.return.edit": "Speed Watch: corrected a session return",
    "speedwatch.returns.purge": "Speed Watch: deleted old vehicle records",
    "speedwatch.letter_template": "Speed Watch: changed a letter's wording",
    "speedwatch.letters_produce": "Speed Watch: produced letters",
    "speedwatch.letters_sent": "Speed Watch: marked letters sent",
    "speedwatch.keepers_import": "Speed Watch: imported keeper details",
    "speedwatch.keepers_erase": "Speed Watch: erased keeper details",
    "speedwatch.referral_open": "Speed Watch: referred a vehicle for a visit",
    "speedwatch.referral_close": "Speed Watch: closed a referral",
    "priority.create": "Set a priority",
    "priority.update": "Changed a priority",
    "priority.action": "Recorded an action on a priority",
    "priority.action_delete": "Deleted an action on a priority",
    "priority.close": "Closed a priority",
    "priority.reopen": "Reopened a priority",
    "priority.delete": "Deleted a priority",
    "priority.import": "Imported priorities",
    "person.save": "Changed someone on a team page",
    "person.own_entry": "Added themselves to a team page",
    "person.hide": "Took someone off a team page",
    "person.remove": "Removed someone from a team page",
    "person.import": "Imported the team's people",
    "newsletter.create": "Drafted a newsletter",
    "newsletter.update": "Changed a newsletter",
    "newsletter.compose": "Composed a newsletter draft",
    "newsletter.test": "Sent a test newsletter",
    "newsletter.schedule": "Scheduled a newsletter",
    "newsletter.unschedule": "Unscheduled a newsletter",
    "newsletter.start": "Started sending a newsletter",
    "newsletter.import": "Imported newsletter subscribers",
    "newsletter.entered_by_staff": "Subscribed someone on their behalf",
    "text_alert.send": "Sent a text message alert",
    "export.signups": "Exported sign-ups",
    "export.signups.sign_in_sheet": "Printed a sign-in sheet",
    "export.survey_responses": "Exported survey responses",
    "export.speedwatch_returns": "Exported Speed Watch returns",
    "export.speedwatch_letters": "Exported Speed Watch letters",
    "export.speedwatch_keeper_lookup": "Exported registrations for the keeper lookup",
    "privacy.self_request": "Someone asked for their data",
    "privacy.export": "Gave someone a copy of their data",
    "privacy.erase": "Deleted someone's data",
    "privacy.retention.": "Deleted records past their retention period",
}


def describe(code: str) -> str:
    """The words for one code; an unknown one is spelled out from the code ("team.merge" -> "Team: merge")."""
    if code in WORDS:
        return WORDS[code]
    for prefix, words in WORDS.items():
        if prefix.endswith(".") and code.startswith(prefix):
            return f"{words} ({code[len(prefix) :].replace('_', ' ')})"
    family, _, rest = code.partition(".")
    family_words = GROUPS.get(family, family.replace("_", " ").capitalize())
    return f"{family_words}: {rest.replace('_', ' ').replace('.', ' ')}" if rest else family_words


def grouped_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The filter's options: for each family, "everything in it" and then each action, A to Z."""
    groups: dict[str, list[tuple[str, str]]] = {}
    families: dict[str, list[str]] = {}
    for family, label in GROUPS.items():
        families.setdefault(label, []).append(family)
    for code, words in WORDS.items():
        label = GROUPS.get(code.partition(".")[0], "Other")
        groups.setdefault(label, []).append((code, words))
    choices = []
    for label in dict.fromkeys(GROUPS.values()):
        actions = sorted(groups.get(label, []), key=lambda item: item[1])
        everything = [(f"{family}.", f"Anything in {label.lower()}") for family in families[label][:1]]
        # a family spread over several code prefixes ("Events") gets no single "anything" option
        choices.append((label, (everything if len(families[label]) == 1 else []) + actions))
    return choices
