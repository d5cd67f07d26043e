"""Speed Watch's welcome, suspended and reinstated emails are sent from staff pages (English) but written
in the language the volunteer applied in (issue 15)."""

from __future__ import annotations

from datetime import date
from email import message_from_bytes
from email.policy import default

from engagement.core.i18n import _, force_language
from engagement.speedwatch.volunteers import services
from tests.speedwatch.conftest import NOW, TODAY
from tests.support.outbox import outbox_rows


def test_a_volunteer_who_applied_in_urdu_is_written_to_in_urdu(db, team, officer):
    volunteer = services.apply(team, name="Nadia Hussain", email="nadia@example.org", phone="07700 900123",
                               consent=True, now=NOW)  # fmt: skip
    volunteer.language = "ur"  # as stored when she applied on an Urdu page
    db.session.commit()
    services.approve(volunteer, actor=officer, training_date=date(2027, 3, 1), vetting_done=True,
                     vetting_date=date(2027, 2, 20), today=TODAY)  # fmt: skip
    services.suspend(volunteer, actor=officer, reason="Missed training", now=NOW)
    services.reinstate(volunteer, actor=officer)
    db.session.commit()
    sent = {row.subject: message_from_bytes(row.raw, policy=default) for row in outbox_rows(db, "nadia@example.org")}
    with force_language("ur"):  # the subjects as ur/messages.po has them (English where not yet translated)
        welcome = _("Welcome to %(team)s Community Speed Watch", team=team.name)
        paused = _("Your Speed Watch volunteering is paused: %(team)s", team=team.name)
        back = _("Welcome back to %(team)s Community Speed Watch", team=team.name)
    assert welcome != "Welcome to Sutton Coldfield Community Speed Watch"  # the catalogue translates it
    for subject in (welcome, paused, back):
        assert sent[subject]["Content-Language"] == "ur", subject
    for subject in (welcome, back):
        assert sent[subject].get_body(("plain",)).get_content().startswith("محترم Nadia Hussain،")
