"""Resident forms speak the page's language in every error (issue 15): no WTForms built-in message.

WTForms' own messages ("Not a valid integer value.", "Field cannot be longer than 30 characters.")
come from its catalogues, which have Polish and Arabic but no Urdu, Punjabi or Bengali, and say
nothing of which field is wrong. So every validator and every typed field on a resident form carries
our own message: checked on the classes (a new field without one fails here), and through HTTP in
Polish and Urdu on the booking page."""

from __future__ import annotations

import pytest
from wtforms import DateField, DecimalField, FloatField, IntegerField, RadioField, SelectField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Regexp

from engagement.core.i18n import force_language
from engagement.events.forms import EventFilterForm
from engagement.newsletter.forms import ChooseForm, EmailForm, LostLinkForm, ManageForm, VerifyForm
from engagement.newsletter.text_forms import CodeForm, ManageMobileForm, MobileForm
from engagement.privacy.forms import RequestForm, SelfEraseForm
from engagement.signups import links
from engagement.signups.forms import PLACES_NOT_NUMBER, ChannelForm, DetailsForm, PlacesForm, SignupForm
from engagement.signups.models import PHONE_MAX
from engagement.speedwatch.volunteers.forms import ApplyForm
from tests.conftest import csrf_token
from tests.support.html import without_bdi

RESIDENT_FORMS = [
    SignupForm, PlacesForm, ChannelForm, DetailsForm, EventFilterForm,
    ChooseForm, EmailForm, ManageForm, LostLinkForm, VerifyForm, MobileForm, ManageMobileForm, CodeForm,
    RequestForm, SelfEraseForm, ApplyForm,
]  # fmt: skip
CHECKED = (DataRequired, InputRequired, Length, NumberRange, Email, Regexp)


@pytest.mark.parametrize("form_class", RESIDENT_FORMS, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_resident_form_message_is_our_own(app, form_class):
    with app.test_request_context("/"):
        form = form_class(meta={"csrf": False})
        missing = []
        for field in form:
            missing += [
                f"{field.name}: {type(v).__name__}"
                for v in field.validators
                if isinstance(v, CHECKED) and v.message is None
            ]
            if (
                isinstance(field, (IntegerField, DecimalField, FloatField, DateField))
                and not field.invalid_value_message
            ):
                missing.append(f"{field.name}: invalid_value_message")
            if (
                isinstance(field, (SelectField, RadioField))
                and field.validate_choice
                and not field.invalid_choice_message
            ):
                missing.append(f"{field.name}: invalid_choice_message")
        assert missing == []  # each would show WTForms' English text on an Urdu page


@pytest.fixture
def booking(make_date, book):
    return links.manage_token(book(make_date(capacity=5), email="ola@example.org"))


def test_a_booking_form_error_in_polish_is_ours(client, booking):
    response = client.post(f"/bookings/{booking}/details?lang=pl", data={
        "csrf_token": csrf_token(client), "name": "Ola", "phone": "0" * (PHONE_MAX + 1), "access_needs": "",
    })  # fmt: skip
    page = without_bdi(response.get_data(as_text=True))
    assert response.status_code == 400
    assert f"Wpisz numer telefonu o długości maksymalnie {PHONE_MAX} znaków" in page  # ours, in Polish
    assert "Wartość w polu nie może" not in page and "cannot be longer" not in page  # not WTForms' own, in any language


def test_places_that_are_not_a_number_in_urdu(app, client, booking):
    response = client.post(
        f"/bookings/{booking}/places?lang=ur", data={"csrf_token": csrf_token(client), "places": "دو"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Not a valid integer value" not in page
    with app.test_request_context("/"), force_language("ur"):
        assert str(PLACES_NOT_NUMBER) in page  # our message, in Urdu once translated (English until then)
