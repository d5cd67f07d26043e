"""Dates as Speed Watch says them: today in the UK, and "3 March 2027" inside sentences."""

from __future__ import annotations

from datetime import date

from engagement.core.db import utcnow
from engagement.core.timeutil import to_local


def local_today() -> date:
    return to_local(utcnow()).date()


def short_date(day: date) -> str:
    """'3 March 2027': the form used inside sentences of error messages."""
    return f"{day.day} {day:%B %Y}"
