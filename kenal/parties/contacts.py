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
    """E.164 for any common way of writing a number: ``0812-3456-7890``,
    ``+62 812 3456 7890``, ``62812...``, ``(021) 555-1234``."""
    text = raw.strip()
    if not text:
        raise ValidationError(_("A phone number is empty."))
    region = region or settings.KENAL_DEFAULT_REGION
    digits = re.sub(r"[^\d+]", "", text)
    # "62812..." without the plus is how many Indonesians write a WhatsApp number.
    if not digits.startswith("+") and digits.startswith("62") and len(digits) >= 10:
        digits = "+" + digits
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("“%(value)s” is not a phone number.") % {"value": raw}) from None
    if not phonenumbers.is_possible_number(number):
        raise ValidationError(_("“%(value)s” is not a phone number.") % {"value": raw})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


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
