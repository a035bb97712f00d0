"""The party list as CSV, for a spreadsheet: the list's selection with every contact
point, streamed row by row.

Meant to be opened by a person in Excel or LibreOffice, so: UTF-8 with a byte order
mark (without it Excel reads UTF-8 as the local code page), headers in the reader's
language, phones as written at home (``0812-2226-9572``), dates as ISO ``2026-11-29``
(which every spreadsheet reads as a date in any locale), revenue as a plain number in
the business currency with its own decimals (``1250000`` for rupiah) so it can be
summed. The machine-readable exchange format is ``kenal export parties``
(docs/interchange.md), not this."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from kenal.classification.models import Characteristic, Relationship
from kenal.core.money import currency_decimals
from kenal.parties.contacts import phone_national
from kenal.parties.models import PHONE_KINDS, ContactKind, Party
from kenal.parties.selectors import party_export_rows

BOM = "\ufeff"


class _Line:
    """A file-like that hands back what csv.writer writes, one row at a time."""

    def write(self, text: str) -> str:
        return text


def _cell(value: str) -> str:
    # A cell starting with = + - or @ is run as a formula by spreadsheets: a name or
    # note typed as "=HYPERLINK(...)" must stay text.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _amount(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    return str(Decimal(amount).quantize(Decimal(1).scaleb(-currency_decimals(settings.KENAL_DEFAULT_CURRENCY))))


def headers() -> list[str]:
    return [
        _("Name"), _("Kind"), _("External id"), _("Relationship"), _("Characteristics"), _("Email"), _("Phone"),
        _("Other contacts"), _("CSM"), _("Last contact"), _("Last activity"),
        _("Revenue, last 12 months (%(currency)s)") % {"currency": settings.KENAL_DEFAULT_CURRENCY},
    ]


def _row(party: Party, relationships: dict, characteristics: dict, kinds: dict) -> list[str]:
    points = list(party.contact_points.all())
    profile = party.profile_row
    emails = [c.value for c in points if c.kind == ContactKind.EMAIL]
    phones = [phone_national(c.value) for c in points if c.kind in PHONE_KINDS]
    others = [f"{kinds[c.kind]}: {c.value}" for c in points if c.kind != ContactKind.EMAIL and c.kind not in PHONE_KINDS]
    return [
        _cell(party.name),
        str(party.get_kind_display()),
        _cell(party.external_id or ""),
        str(relationships.get(profile.relationship, "")) if profile else "",
        ", ".join(str(characteristics[name]) for name in profile.characteristics) if profile else "",
        _cell(", ".join(emails)),
        ", ".join(phones),
        _cell(", ".join(others)),
        _cell(party.csm.get_full_name() or party.csm.get_username()) if party.csm else "",
        party.last_contact_on.isoformat() if party.last_contact_on else "",
        party.last_activity_on.isoformat() if party.last_activity_on else "",
        _amount(party.revenue_12m),
    ]


def party_csv(parties: QuerySet[Party]) -> Iterable[str]:
    """The CSV text of ``parties`` in pieces, in the language active now."""
    return _lines(parties, translation.get_language())


def _lines(parties: QuerySet[Party], language: str | None) -> Iterator[str]:
    # The response is sent after the view returns: the reader's language is kept for it.
    with translation.override(language):
        writer = csv.writer(_Line())
        relationships = dict(Relationship.choices)
        characteristics = dict(Characteristic.choices)
        kinds = dict(ContactKind.choices)
        yield BOM + writer.writerow(headers())
        for party in party_export_rows(parties):
            yield writer.writerow(_row(party, relationships, characteristics, kinds))
