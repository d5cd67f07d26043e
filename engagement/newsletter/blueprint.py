"""The newsletter URL table: subscribing and managing, the public archive, then the staff screens."""

from flask import Blueprint

from engagement.newsletter.views import archive, staff, subscribe, text_manage, text_staff, texts

bp = Blueprint("newsletter", __name__)

# Residents: subscribing (double opt-in), managing, leaving, and a lost manage link; text alerts likewise
bp.add_url_rule("/subscribe", "choose_teams", subscribe.choose_teams)
bp.add_url_rule("/subscribe/email", "give_email", subscribe.give_email, methods=["GET", "POST"])
bp.add_url_rule("/subscribe/check-email", "check_email", subscribe.check_email)
bp.add_url_rule("/subscribe/confirm/<token>", "confirm", subscribe.confirm, methods=["GET", "POST"])
bp.add_url_rule("/subscribe/confirmed/<token>", "confirmed", subscribe.confirmed)
bp.add_url_rule("/subscribe/text", "text_mobile", texts.give_mobile, methods=["GET", "POST"])
bp.add_url_rule("/subscribe/text/code", "text_code", texts.enter_code, methods=["GET", "POST"])
bp.add_url_rule("/subscribe/text/new-code", "text_new_code", texts.new_code, methods=["POST"])
bp.add_url_rule("/subscribe/text/manage", "text_manage", text_manage.give_mobile, methods=["GET", "POST"])
bp.add_url_rule("/subscribe/text/manage/code", "text_manage_code", text_manage.enter_code, methods=["GET", "POST"])
bp.add_url_rule("/subscribe/text/manage/new-code", "text_manage_new_code", text_manage.new_code, methods=["POST"])
bp.add_url_rule("/subscribe/text/manage/alerts", "text_manage_alerts", text_manage.alerts, methods=["GET", "POST"])
bp.add_url_rule("/manage", "lost_link", subscribe.lost_link, methods=["GET", "POST"])
bp.add_url_rule("/manage/<token>", "manage", subscribe.manage, methods=["GET", "POST"])
bp.add_url_rule("/unsubscribe/<token>", "unsubscribe", subscribe.unsubscribe, methods=["GET", "POST"])

# Public archive, its feed, the "is this email genuine?" checker, and the team events feed
bp.add_url_rule("/newsletters", "archive", archive.archive)
bp.add_url_rule("/newsletters/<int:issue_id>", "archive_issue", archive.archive_issue)
bp.add_url_rule("/newsletters.rss", "archive_feed", archive.archive_feed)
bp.add_url_rule("/verify", "verify", archive.verify)
bp.add_url_rule("/teams/<slug>/events.rss", "team_events_feed", archive.team_events_feed)

# Staff: composing, previewing, testing and sending
bp.add_url_rule("/staff/newsletters", "staff_issues", staff.staff_issues)
bp.add_url_rule("/staff/newsletters/new", "issue_new", staff.issue_new, methods=["GET", "POST"])
bp.add_url_rule("/staff/newsletters/<int:issue_id>", "staff_issue", staff.staff_issue, methods=["GET", "POST"])
bp.add_url_rule("/staff/newsletters/<int:issue_id>/preview", "issue_preview", staff.issue_preview)
bp.add_url_rule("/staff/newsletters/<int:issue_id>/test", "issue_test", staff.issue_test, methods=["POST"])
bp.add_url_rule("/staff/newsletters/<int:issue_id>/send", "issue_send", staff.issue_send, methods=["GET", "POST"])
bp.add_url_rule("/staff/newsletters/<int:issue_id>/cancel", "issue_cancel", staff.issue_cancel, methods=["POST"])

# Staff: text alerts (compose with the fragment count, send, each one's delivery), replies, spend and failures
bp.add_url_rule("/staff/text-alerts", "text_alerts", text_staff.text_alerts)
bp.add_url_rule("/staff/text-alerts/new", "text_alert_new", text_staff.new_alert, methods=["GET", "POST"])
bp.add_url_rule("/staff/text-alerts/replies", "text_replies", text_staff.replies)
bp.add_url_rule("/staff/text-alerts/<int:alert_id>", "text_alert", text_staff.alert)
