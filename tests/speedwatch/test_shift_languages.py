"""Volunteers hear of a cancelled or moved shift in their own language (issue 15)."""

from __future__ import annotations

from datetime import timedelta

from engagement.core.i18n import _, force_language
from engagement.core.timeutil import format_date, format_range
from engagement.events.details import When
from engagement.events.recurrence import RepeatPattern
from engagement.events.series import cancel_occurrence, move_occurrence
from engagement.speedwatch.shifts.services import sign_up_for_shift
from tests.conftest import email_text
from tests.speedwatch.conftest import NOW
from tests.speedwatch.samples_shifts import make_shift
from tests.speedwatch.test_quorum import START
from tests.support.outbox import outbox_rows


def test_a_polish_volunteer_is_told_in_polish_an_english_one_in_english(db, types, team, officer, site,
                                                                        make_volunteer):  # fmt: skip
    shift = make_shift(team, site, START, now=NOW, pattern=RepeatPattern("weekly", count=2))
    first, second = shift.event.occurrences
    marta = make_volunteer(team, name="Marta", email="marta@example.org")
    marta.language = "pl"
    pat = make_volunteer(team, name="Pat", email="pat@example.org")
    for volunteer in (marta, pat):
        sign_up_for_shift(volunteer, first, now=NOW)
        sign_up_for_shift(volunteer, second, now=NOW)
    db.session.commit()

    cancel_occurrence(first, actor=officer, reason="Officers needed elsewhere", now=NOW)  # from a staff page
    later = START + timedelta(weeks=1, hours=1)
    move_occurrence(second, actor=officer, when=When(later, later + timedelta(hours=2)), now=NOW)
    db.session.commit()
    with force_language("pl"):
        cancelled_pl = _("Speed Watch shift cancelled: %(date)s", date=format_date(first.starts_at))
        moved_pl = _("Speed Watch shift changed: now %(when)s", when=format_range(second.starts_at, second.ends_at))
        dear, when = _("Dear %(name)s,", name="Marta"), format_range(second.starts_at, second.ends_at)
    assert when != format_range(second.starts_at, second.ends_at)  # Babel's Polish dates, not the English ones
    polish = outbox_rows(db, to="marta@example.org")
    assert [m.subject for m in polish] == [cancelled_pl, moved_pl]
    assert email_text(polish[0].raw).startswith(dear) and "Officers needed elsewhere" in email_text(polish[0].raw)
    assert when in email_text(polish[1].raw) and "?lang=pl" in email_text(polish[1].raw)  # the rota opens in Polish
    english = outbox_rows(db, to="pat@example.org")
    assert [m.subject for m in english] == [
        f"Speed Watch shift cancelled: {format_date(first.starts_at)}",
        f"Speed Watch shift changed: now {format_range(second.starts_at, second.ends_at)}",
    ]
    assert email_text(english[1].raw).startswith("Dear Pat,\r\n\r\nA Speed Watch shift you signed up for has changed.")
