"""vCard 3.0 contact cards: the version Outlook, Apple Contacts and Google Contacts all import.

Serialised by vobject: text is escaped (``\\,``, ``\\;``, ``\\\\``, newlines),
lines end in CRLF and are folded at 75 octets, except PHOTO, which vobject
deliberately leaves unfolded because Apple Contacts mis-reads folded base64.
The UID is ``urn:uuid:`` + uuid5 of the person id, so a re-imported card
updates the contact instead of duplicating it. No REV: it would need a clock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import vobject

from .. import model as m
from .urls import uri
from .words import stable_uuid

__all__ = ["PHOTO_TYPES", "photo_for_vcard", "render_vcard", "split_name", "vcard_uid"]

PRODID = "-//cxsite//cxsite contact card//EN"

#: Image types contact apps accept in a vCard 3.0 PHOTO (no SVG, no WebP).
PHOTO_TYPES = {"jpeg": "JPEG", "jpg": "JPEG", "png": "PNG", "gif": "GIF"}


def vcard_uid(person: m.Person) -> str:
    return stable_uuid(f"person/{person.id}")


def split_name(name: str) -> tuple[str, str]:
    """(given, family) for the structured N field: the last word is the family
    name, the rest the given names; a single word is a given name. (FN keeps
    the full name exactly as written; N only helps sorting.)"""
    given, _, family = name.strip().rpartition(" ")
    if not given:
        return family, ""
    return given.strip(), family


def _photo_type(photo_type: str) -> str:
    key = photo_type.strip().lower().removeprefix("image/")
    if key not in PHOTO_TYPES:
        raise ValueError(f"vCard photos must be JPEG, PNG or GIF, not {photo_type!r}")
    return PHOTO_TYPES[key]


def photo_for_vcard(person: m.Person, images: Mapping[Path, bytes]) -> tuple[bytes, str] | None:
    """The person's photo (its bytes among ``images``) as (bytes, vCard type),
    or None when there is none or it is of a type contact apps do not import
    (SVG, WebP)."""
    photo: Path | None = person.photo
    if photo is None:
        return None
    key = photo.suffix.lower().lstrip(".")
    if key not in PHOTO_TYPES:
        return None
    return images[photo], PHOTO_TYPES[key]


def render_vcard(person: m.Person, organisation: m.Organisation, *, photo_bytes: bytes | None = None,
                 photo_type: str = "JPEG") -> bytes:
    """One person's vCard 3.0 (UTF-8, CRLF). ``photo_type`` is JPEG, PNG or GIF
    (a MIME type such as ``image/png`` works too); it is ignored without a photo."""
    card = vobject.vCard()
    card.add("version").value = "3.0"
    card.add("prodid").value = PRODID
    card.add("uid").value = vcard_uid(person)
    card.add("fn").value = person.name
    given, family = split_name(person.name)
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    card.add("org").value = [organisation.name]
    if person.title:
        card.add("title").value = person.title
    if person.email:
        email = card.add("email")
        email.value = person.email
        email.type_paramlist = ["INTERNET", "WORK"]
    if person.phone:
        tel = card.add("tel")
        tel.value = person.phone
        tel.type_paramlist = ["WORK", "VOICE"]
    if person.timezone:
        tz = card.add("tz")
        tz.value = person.timezone  # an IANA name: vCard 3.0 allows TZ as text
        tz.value_param = "text"
    if organisation.website:
        card.add("url").value = uri(organisation.website)
    if photo_bytes:
        photo = card.add("photo")
        photo.value = photo_bytes
        photo.encoding_param = "b"
        photo.type_param = _photo_type(photo_type)
    return card.serialize().encode("utf-8")
