"""Normalising contact points, so one value is stored one way and found by any form."""

from __future__ import annotations

import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from kenal.parties.models import PHONE_KINDS, ContactKind

_HANDLE = re.compile(r"^[A-Za-z0-9._\-]{1,100}$")


def normalize_phone(raw: str, region: str | None = None) -> str:
    """E.164 for any common way of writing a number that ``phonenumbers`` holds valid
    for its region: ``0812-3456-7890``, ``+62 812 3456 7890``, ``62812...``,
    ``(021) 555-1234``; ``(626) 555-1234`` with region US stays American."""
    text = raw.strip()
    if not text:
        raise ValidationError(_("A phone number is empty."))
    region = (region or settings.KENAL_DEFAULT_REGION).upper()
    digits = re.sub(r"[^\d+]", "", text)
    # "62812..." without the plus is how many Indonesians write a WhatsApp number;
    # read it so only where Indonesia is the region, and only when the result is valid.
    if region == "ID" and not digits.startswith("+"):
        if text.startswith("62"):
            candidate = _parse("+" + digits, region)
            if candidate is not None and phonenumbers.is_valid_number(candidate):
                return phonenumbers.format_number(candidate, phonenumbers.PhoneNumberFormat.E164)
        # Indonesians write a number at home with its 0 ("0812…", "(021) …"); without
        # it, "(626) 555-1234" is a number of another country, not one to guess at.
        if not digits.startswith("0"):
            raise ValidationError(_("“%(value)s” is not a phone number.") % {"value": raw}, code="phone")
    number = _parse(digits, region)
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(_("“%(value)s” is not a phone number.") % {"value": raw}, code="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _parse(digits: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None


def phone_national(e164: str) -> str:
    """How a person writes the number at home: ``0812-2226-9572`` for Indonesian
    mobiles, the international form for numbers of other countries."""
    number = _parse(e164, settings.KENAL_DEFAULT_REGION)
    if number is None:
        return e164
    if phonenumbers.region_code_for_number(number) == settings.KENAL_DEFAULT_REGION.upper():
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        # Mobiles are written 0812-2226-9572; landlines keep their area code: (021) 5551234.
        return national if "(" in national else re.sub(r"\s+", "-", national.strip())
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def looks_like_phone(text: str) -> bool:
    digits = re.sub(r"[\s\-().+]", "", text)
    return digits.isdigit() and len(digits) >= 6


def normalize_contact(kind: str, raw: str) -> str:
    """The stored form of a contact value; raises ValidationError with a message that
    names the value and what is wrong with it."""
    value = raw.strip()
    if kind in PHONE_KINDS:
        return normalize_phone(value)
    if kind == ContactKind.EMAIL:
        value = value.lower()
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(_("“%(value)s” is not an email address.") % {"value": raw}) from None
        return value
    if kind in {ContactKind.TELEGRAM, ContactKind.INSTAGRAM, ContactKind.LINE, ContactKind.FACEBOOK}:
        handle = value.removeprefix("@").lower()
        if kind == ContactKind.TELEGRAM and handle.isdigit():
            return handle  # a numeric chat id, as the Telegram API reports it
        if kind in {ContactKind.FACEBOOK, ContactKind.LINE} and len(value) > 100:
            raise ValidationError(_("“%(value)s” is too long.") % {"value": raw})
        if kind in {ContactKind.TELEGRAM, ContactKind.INSTAGRAM} and not _HANDLE.match(handle):
            raise ValidationError(_("“%(value)s” is not a valid handle.") % {"value": raw})
        if not handle:
            raise ValidationError(_("A handle is empty."))
        return handle
    raise ValidationError(_("Unknown kind of contact point: %(kind)s") % {"kind": kind})
