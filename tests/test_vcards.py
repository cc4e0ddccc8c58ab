"""Contact cards that Outlook, Apple and Google import, with every name intact."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
import vobject

from cxsite.model import Organisation, Person
from cxsite.checks.readback import verify_outputs
from cxsite.render.vcards import photo_for_vcard, render_vcard
from cxsite.render.vcards import split_name
from cxsite.model.load import load_portfolio
from cxsite.views import microsites

from .conftest import TEAM

TRICKY = "Zoë O'Brien; Jr., Ὀδυσσεύς 山田 & <b> \"q\""
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4 + b"\xff\xd9"

ANA = Person(id="ana", name="Ana Souza", title="Delivery Lead", email="ana@brightline.example",
             phone="+44 20 7946 0101", timezone="Europe/London")
ORG = Organisation(name="Brightline Delivery", website="https://brightline.example")


def read(data: bytes) -> vobject.base.Component:
    return vobject.readOne(data.decode("utf-8"))


def test_a_card_has_everything_a_contact_app_needs():
    card = read(render_vcard(ANA, ORG))
    assert card.version.value == "3.0"
    assert card.fn.value == "Ana Souza"
    assert (card.n.value.given, card.n.value.family) == ("Ana", "Souza")
    assert card.org.value == ["Brightline Delivery"]
    assert card.title.value == "Delivery Lead"
    assert card.email.value == "ana@brightline.example"
    assert card.email.params["TYPE"] == ["INTERNET", "WORK"]
    assert card.tel.value == "+44 20 7946 0101"
    assert card.tel.params["TYPE"] == ["WORK", "VOICE"]
    assert card.tz.value == "Europe/London"
    assert card.url.value == "https://brightline.example"
    assert card.uid.value.startswith("urn:uuid:")
    assert "photo" not in card.contents


def test_the_uid_depends_on_the_person_id_only():
    renamed = Person(id="ana", name="Ana Souza-Reid", email="ana.reid@brightline.example")
    other = Person(id="tom", name="Ana Souza")
    uid = read(render_vcard(ANA, ORG)).uid.value
    assert read(render_vcard(renamed, Organisation("Renamed Ltd"))).uid.value == uid
    assert read(render_vcard(other, ORG)).uid.value != uid


def test_lines_end_in_crlf_and_are_folded():
    long_title = "Programme Director for Clinical Systems, Data Migration and Ward Readiness across all sites"
    data = render_vcard(Person(id="ana", name="Ana Souza", title=long_title), ORG)
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # the title was folded
    assert read(data).title.value == long_title


def test_names_with_markup_separators_and_any_script_survive():
    person = Person(id="zoe", name=TRICKY, title=TRICKY, email="zoe@example.com")
    data = render_vcard(person, Organisation(TRICKY))
    assert data.startswith(b"BEGIN:VCARD\r\n")
    card = read(data)
    assert card.fn.value == TRICKY
    assert card.title.value == TRICKY
    assert card.org.value == [TRICKY]
    given, family = split_name(TRICKY)
    assert (card.n.value.given, card.n.value.family) == (given, family)
    assert f"{given} {family}" == TRICKY
    assert verify_outputs({"contacts/zoe.vcf": data}) == []


def test_single_word_and_non_latin_names_split_sensibly():
    assert split_name("Madonna") == ("Madonna", "")
    assert split_name("山田太郎") == ("山田太郎", "")
    assert split_name("  Ana  Maria Souza ") == ("Ana  Maria", "Souza")
    card = read(render_vcard(Person(id="m", name="Madonna"), ORG))
    assert (card.fn.value, card.n.value.given, card.n.value.family) == ("Madonna", "Madonna", "")


def test_a_photo_is_embedded_base64_with_its_type():
    data = render_vcard(ANA, ORG, photo_bytes=JPEG, photo_type="image/jpeg")
    assert b"PHOTO;ENCODING=b;TYPE=JPEG:" + base64.b64encode(JPEG)[:40] in data
    card = read(data)
    assert card.photo.value == JPEG
    assert card.photo.params["TYPE"] == ["JPEG"]
    png = read(render_vcard(ANA, ORG, photo_bytes=b"\x89PNG\r\n\x1a\n", photo_type="png"))
    assert png.photo.params["TYPE"] == ["PNG"]
    with pytest.raises(ValueError, match="JPEG, PNG or GIF"):
        render_vcard(ANA, ORG, photo_bytes=b"<svg/>", photo_type="image/svg+xml")


def test_photo_for_vcard_takes_supported_images_only(tmp_path):
    jpg, svg = tmp_path / "ana.JPG", tmp_path / "ana.svg"
    images = {jpg: JPEG, svg: b"<svg/>"}
    assert photo_for_vcard(Person(id="ana", name="Ana", photo=jpg), images) == (JPEG, "JPEG")
    assert photo_for_vcard(Person(id="ana", name="Ana", photo=svg), images) is None
    assert photo_for_vcard(ANA, images) is None


def test_cards_for_a_sites_people_from_the_portfolio(portfolio):
    root = portfolio({"team.yml": TEAM.replace("name: Ana Souza", f"name: {json.dumps(TRICKY)}")})
    model, _ = load_portfolio(root)
    site = microsites(model, dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc))[0]
    files = {f"contacts/{p.id}.vcf": render_vcard(p, site.organisation) for p in site.people}
    assert verify_outputs(files) == []
    assert read(files["contacts/ana.vcf"]).fn.value == TRICKY
    assert read(files["contacts/ana.vcf"]).org.value == ["Brightline Delivery"]


def test_same_person_gives_identical_bytes():
    assert render_vcard(ANA, ORG, photo_bytes=JPEG) == render_vcard(ANA, ORG, photo_bytes=JPEG)


def test_verify_reports_unreadable_cards():
    assert verify_outputs({"contacts/x.vcf": b"BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n"}) == [
        "contacts/x.vcf: vCard has no FN", "contacts/x.vcf: vCard has no N"]
    assert verify_outputs({"contacts/y.vcf": b"hello"})[0].startswith("contacts/y.vcf: ")
