"""Issue 14 item 7: phone numbers staff see are tel: links with the number normalised for the href."""

from __future__ import annotations

import pytest

from engagement.core.phones import tel_href, tel_link


@pytest.mark.parametrize(
    "typed,href",
    [
        ("0121 626 5000", "tel:01216265000"),
        ("+44 (0)121-626 5000", "tel:+441216265000"),
        ("07700 900123 (evenings)", "tel:07700900123"),
        ("(0121) 626.5000", "tel:01216265000"),
        ("101", "tel:101"),
        ("", ""),
        ("ask at the desk", ""),
    ],
)
def test_tel_href_keeps_only_what_is_dialled(typed, href):
    assert tel_href(typed) == href


def test_tel_link_escapes_and_falls_back_to_text():
    assert str(tel_link("07700 900123")) == '<a class="tel" href="tel:07700900123">07700 900123</a>'
    assert str(tel_link("<b>none</b>")) == "&lt;b&gt;none&lt;/b&gt;"
    assert str(tel_link(None)) == ""


def test_the_team_page_phone_dials(client, make_team):
    make_team(name="Ladywood", contact_phone="0121 626 5000")
    page = client.get("/teams/ladywood").get_data(as_text=True)
    assert '<a class="tel" href="tel:01216265000">0121 626 5000</a>' in page
