"""The team's people: nobody shown by default, an officer's entry is theirs, photos re-encoded and size-limited."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from engagement.core.errors import DomainError, PermissionDenied
from engagement.priorities import people
from engagement.priorities.models import TeamPerson
from engagement.priorities.people import PersonDetails
from engagement.priorities.photos import reencode


def photo_with_exif(size=(1200, 900), fmt="JPEG") -> bytes:
    """A phone-like photo: EXIF with a GPS position, camera make and a rotation."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to show
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (52.0, 28.0, 50.0), "W", (1.0, 55.0, 1.0)
    out = io.BytesIO()
    image.save(out, fmt, exif=exif, quality=95)
    return out.getvalue()


def test_a_photo_is_reencoded_without_any_metadata_and_turned_upright():
    original = photo_with_exif()
    assert Image.open(io.BytesIO(original)).getexif().get(0x010F) == "PhoneMaker"
    clean = reencode(io.BytesIO(original), max_bytes=5_000_000)
    image = Image.open(io.BytesIO(clean))
    assert image.format == "JPEG"
    assert len(image.getexif()) == 0 and "exif" not in image.info and "icc_profile" not in image.info
    assert image.size == (450, 600)  # rotated upright (portrait), then shrunk to fit 600 x 600
    assert len(clean) < len(original)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"GIF89a not really", "could not be read"),
        (b"%PDF-1.7 pretending", "could not be read"),
    ],
)
def test_files_that_are_not_pictures_are_refused(data, message):
    with pytest.raises(DomainError, match=message) as caught:
        reencode(io.BytesIO(data), max_bytes=1_000_000)
    assert caught.value.field == "photo"


def test_a_gif_or_an_oversized_file_is_refused():
    gif = io.BytesIO()
    Image.new("P", (10, 10)).save(gif, "GIF")
    with pytest.raises(DomainError, match="JPEG, PNG or WebP"):
        reencode(io.BytesIO(gif.getvalue()), max_bytes=1_000_000)
    with pytest.raises(DomainError, match="smaller than 0.01 MB"):
        reencode(io.BytesIO(photo_with_exif()), max_bytes=10_000)


def test_a_transparent_png_becomes_a_white_backed_jpeg():
    png = io.BytesIO()
    Image.new("RGBA", (40, 40), (0, 0, 0, 0)).save(png, "PNG")
    image = Image.open(io.BytesIO(reencode(io.BytesIO(png.getvalue()), max_bytes=1_000_000)))
    assert image.mode == "RGB" and image.getpixel((20, 20))[0] > 240


def test_nobody_is_shown_until_they_choose_and_only_they_can_show_themselves(client, db, team, officer, colleague):
    assert "will introduce themselves here" in client.get(f"/teams/{team.slug}").get_data(as_text=True)
    entry = people.save_own_entry(team, actor=officer, details=PersonDetails(name="Aisha Khan", rank="PCSO"),
                                  max_bytes=1)  # fmt: skip
    db.session.commit()
    page = client.get(f"/teams/{team.slug}").get_data(as_text=True)
    assert "Aisha Khan" not in page and colleague.display_name not in page  # team members are not listed by default
    with pytest.raises(PermissionDenied):
        people.save_person(entry, team, actor=colleague, details=PersonDetails(name="Aisha Khan", rank="PCSO",
                                                                                shown=True), max_bytes=1)  # fmt: skip
    people.save_own_entry(team, actor=officer, details=PersonDetails(name="Aisha Khan", rank="PCSO", shown=True,
                                                                     bio="Ask me about Speed Watch."), max_bytes=1)  # fmt: skip
    db.session.commit()
    page = client.get(f"/teams/{team.slug}").get_data(as_text=True)
    assert "PCSO Aisha Khan" in page and "Ask me about Speed Watch." in page
    # A colleague may take her off the page (but not put her back on).
    people.hide_person(entry, actor=colleague)
    db.session.commit()
    assert "PCSO Aisha Khan" not in client.get(f"/teams/{team.slug}").get_data(as_text=True)


def test_an_officer_can_only_appear_on_their_own_team(db, other_team, officer):
    with pytest.raises(PermissionDenied):
        people.save_own_entry(other_team, actor=officer, details=PersonDetails(name="Aisha", rank="PCSO"), max_bytes=1)


def test_ranks_are_from_the_list_and_names_are_one_line(db, team, officer):
    with pytest.raises(DomainError, match="Choose a rank") as caught:
        people.save_own_entry(team, actor=officer, details=PersonDetails(name="Aisha", rank="Commissioner"),
                              max_bytes=1)  # fmt: skip
    assert caught.value.field == "rank"
    with pytest.raises(DomainError, match="one line"):
        people.save_own_entry(team, actor=officer, details=PersonDetails(name="Aisha\nKhan", rank="PCSO"),
                              max_bytes=1)  # fmt: skip


def test_uploading_a_photo_through_the_form_serves_a_clean_jpeg_from_our_domain(client, db, team, officer, login_as,
                                                                                  post_form):  # fmt: skip
    login_as(officer)
    response = post_form(f"/staff/teams/{team.slug}/people/me", data={
        "name": "Aisha Khan", "rank": "PCSO", "bio": "Hello", "shown": "y",
        "photo": (io.BytesIO(photo_with_exif()), "me.jpg", "image/jpeg"),
    }, content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    person = db.session.scalar(db.select(TeamPerson))
    page = client.get(f"/teams/{team.slug}").get_data(as_text=True)
    src = f"/teams/{team.slug}/people/{person.id}/photo.jpg"
    assert f'src="{src}"' in page
    served = client.get(src)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(served.data))
    assert len(image.getexif()) == 0 and max(image.size) <= 600
    assert client.get(src, headers={"If-None-Match": served.headers["ETag"]}).status_code == 304
    # Hidden: the public photo goes too, the staff copy stays for the form.
    post_form(f"/staff/people/{person.id}/hide")
    assert client.get(src).status_code == 404
    assert client.get(f"/staff/people/{person.id}/photo.jpg").status_code == 200


def test_a_bad_photo_shows_the_error_with_the_answers_kept(client, db, team, officer, login_as, post_form):
    login_as(officer)
    response = post_form(f"/staff/teams/{team.slug}/people/me", data={
        "name": "Aisha Khan", "rank": "PCSO", "bio": "Typed bio",
        "photo": (io.BytesIO(b"not a picture"), "me.jpg", "image/jpeg"),
    }, content_type="multipart/form-data")  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page and "The photo could not be read" in page and "Typed bio" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(TeamPerson)) == 0


def test_an_upload_over_the_limit_is_refused_before_it_is_read(app, client, db, team, officer, login_as, post_form):
    app.config["PEOPLE_PHOTO_MAX_BYTES"] = 50_000
    login_as(officer)
    response = post_form(f"/staff/teams/{team.slug}/people/me", data={
        "name": "Aisha Khan", "rank": "PCSO",
        "photo": (io.BytesIO(b"\xff" * 400_000), "big.jpg", "image/jpeg"),
    }, content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 413
    assert db.session.scalar(db.select(db.func.count()).select_from(TeamPerson)) == 0


def test_the_team_records_someone_without_an_account(client, db, team, officer, outsider, login_as, post_form):
    login_as(officer)
    response = post_form(f"/staff/teams/{team.slug}/people/new", data={"name": "Priya Shah", "rank": "Volunteer",
                                                                        "shown": "y"})  # fmt: skip
    assert response.status_code == 302
    assert "Priya Shah" in client.get(f"/teams/{team.slug}").get_data(as_text=True)
    person = db.session.scalar(db.select(TeamPerson))
    assert person.user_id is None and person.public_name == "Priya Shah"
    with pytest.raises(PermissionDenied):
        people.remove_person(person, actor=outsider)


def test_an_officer_who_leaves_the_team_or_is_switched_off_disappears(client, db, team, officer):
    from engagement.priorities.queries import shown_people

    people.save_own_entry(team, actor=officer, details=PersonDetails(name="Aisha Khan", rank="PCSO", shown=True),
                          max_bytes=1)  # fmt: skip
    db.session.commit()
    assert [p.name for p in shown_people(team)] == ["Aisha Khan"]
    officer.active = False
    db.session.commit()
    assert shown_people(team) == []
    officer.active = True
    officer.teams = []
    db.session.commit()
    assert shown_people(team) == [] and client.get(f"/teams/{team.slug}/people.json").get_json() == []
