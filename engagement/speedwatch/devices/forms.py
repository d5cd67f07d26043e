"""Forms for the device register. They check shape only; the rules live in devices.services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from engagement.speedwatch.forms import uk_date


def _calibration_fields(form_class):
    form_class.calibrated_on = uk_date(
        "Date of the calibration certificate",
        required="Enter the date of the calibration certificate, for example 14/3/2027",
    )
    form_class.calibration_expires = uk_date(
        "Calibration valid until (optional)", description="Leave blank for 12 months after the calibration."
    )
    form_class.certificate = StringField("Certificate number (optional)", validators=[Optional(), Length(max=60)])
    return form_class


class DeviceDetails(FlaskForm):
    make = StringField("Make", description="For example Kustom Signals")
    model = StringField("Model", description="For example Falcon HR")
    serial = StringField("Serial number")
    holder = StringField(
        "Who holds it (optional)",
        description="The volunteer or the desk the device operator collects it from, for example “Ladywood police station front desk”.",
    )
    notes = TextAreaField("Notes (optional)", validators=[Optional(), Length(max=2000)], render_kw={"rows": 3})


@_calibration_fields
class NewDeviceForm(DeviceDetails):
    team = SelectField("Team", validate_choice=False)


class EditDeviceForm(DeviceDetails):
    active = BooleanField("In use (shifts may be given this device)")


@_calibration_fields
class CalibrationForm(FlaskForm):
    pass
