"""Forms for a session return, and the filter shared by the returns list and its exports.

The vehicle rows are plain text fields: the service checks every value and names the row
in its message ("Vehicle 2: ..."), so the form only carries what was typed. "Add more
rows" is an ordinary submit button, so the sheet grows without JavaScript and keeps
every value typed so far.
"""

from __future__ import annotations

import re
from datetime import date

from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

from engagement.core.timeutil import to_local
from engagement.speedwatch.returns.plates import display
from engagement.speedwatch.returns.services import VEHICLE_FIELDS, Session

BLANK_ROWS = 6
MORE_ROWS = 5
MAX_ROWS = 300  # far beyond any real session; stops a crafted request building huge forms
_MONTH = re.compile(r"(\d{4})-(\d{2})")


class VehicleRowForm(Form):
    """One vehicle. No CSRF of its own: it is part of the return form."""

    registration = StringField("Registration")
    make = StringField("Make", description="For example Ford")
    colour = StringField("Colour")
    speed = StringField("Speed (mph)")
    direction = StringField("Direction of travel", description="For example towards the town centre")
    time = StringField("Time seen", description="For example 10:15")


class ReturnForm(FlaskForm):
    started = StringField("Session started", description="For example 10:00")
    ended = StringField("Session ended", description="For example 11:00")
    conditions = TextAreaField(
        "Conditions (optional)", description="For example dry, light traffic", validators=[Optional()]
    )
    device = SelectField("Speed device used", coerce=str, validate_choice=False)
    check_passed = RadioField(
        "Did the device pass its set-up check against a known speed?",
        choices=[("yes", "Yes, it showed the right speed"), ("no", "No")],
        validate_choice=False,
    )
    check_speed = StringField("Speed shown at the check (mph)", description="For example 30")
    vehicles_counted = StringField(
        "Vehicles counted", description="Every vehicle that passed during the session, whatever its speed."
    )
    over_limit_count = StringField(
        "Over the limit but under the reporting threshold",
        description="Counted only: their registrations are not recorded.",
    )
    vehicles = FieldList(FormField(VehicleRowForm), min_entries=BLANK_ROWS, max_entries=MAX_ROWS)
    add_rows = SubmitField("Add more rows")
    submit = SubmitField("Send the return")

    def add_blank_rows(self) -> None:
        for _ in range(min(MORE_ROWS, MAX_ROWS - len(self.vehicles.entries))):
            self.vehicles.append_entry()

    def vehicle_answers(self) -> list[dict]:
        """Each row as typed, with its number on the form so messages can name it."""
        return [
            {"row": n, **{key: entry.form[key].data or "" for key in VEHICLE_FIELDS}}
            for n, entry in enumerate(self.vehicles.entries, start=1)
        ]

    def session_answers(self) -> Session:
        return Session(
            device_id=self.device.data or None,
            check_passed=self.check_passed.data or "",
            check_speed=self.check_speed.data or "",
            vehicles_counted=self.vehicles_counted.data or "",
            over_limit_count=self.over_limit_count.data or "",
        )

    def fill_from(self, ret) -> None:
        """Put a saved return into the form (staff editing), with blank rows to add to it."""
        self.started.data = f"{to_local(ret.started_at):%H:%M}"
        self.ended.data = f"{to_local(ret.ended_at):%H:%M}"
        self.conditions.data = ret.conditions
        self.device.data = str(ret.device_id or "")
        self.check_passed.data = "yes" if ret.check_passed else ""
        for name in ("check_speed_mph", "vehicles_counted", "over_limit_count"):
            value = getattr(ret, name)
            getattr(self, name.removesuffix("_mph")).data = "" if value is None else str(value)
        while self.vehicles.entries:
            self.vehicles.pop_entry()
        for vehicle in ret.vehicles:
            self.vehicles.append_entry(
                {
                    "registration": display(vehicle.registration),
                    "make": vehicle.make,
                    "colour": vehicle.colour,
                    "speed": str(vehicle.speed_mph),
                    "direction": vehicle.direction,
                    "time": f"{to_local(vehicle.seen_at):%H:%M}",
                }
            )
        for _ in range(max(MORE_ROWS, BLANK_ROWS - len(ret.vehicles))):
            self.vehicles.append_entry()

    def field_by_path(self, path: str):
        """The field a service error names: "started", or "vehicles-1-speed" for row 2's speed."""
        if path in self._fields:
            return self._fields[path]
        found = re.fullmatch(r"vehicles-(\d+)-(\w+)", path or "")
        if found and int(found.group(1)) < len(self.vehicles.entries):
            return self.vehicles.entries[int(found.group(1))].form._fields.get(found.group(2))
        return None

    def apply_errors(self, errors: list[tuple[str | None, str]]) -> None:
        for path, message in errors:
            target = self.field_by_path(path) if path else None
            if target is None:
                self.form_errors.append(message)
            else:
                target.errors = [*target.errors, message]


class ReturnFilterForm(FlaskForm):
    """GET filters of the returns list and exports: team (slug) and month ("2027-04")."""

    class Meta:
        csrf = False

    team = SelectField("Team", choices=[], validate_choice=False)
    month = StringField("Month", description="For example 2027-04", validators=[Optional()])

    def month_start(self) -> date | None:
        """The first day of the chosen month; sets an error and returns None if it is not a month."""
        text = (self.month.data or "").strip()
        if not text:
            return None
        found = _MONTH.fullmatch(text)
        if not found or not 1 <= int(found.group(2)) <= 12 or not 2000 <= int(found.group(1)) <= 2100:
            self.month.errors = ["Enter the month as a year and month, for example 2027-04"]
            return None
        return date(int(found.group(1)), int(found.group(2)), 1)
