from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, format_decimal, get_currency_precision, list_currencies
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# ISO 4217 codes that are not money a business is paid in: testing, "no currency",
# precious metals and accounting units. CLDR lists them beside real currencies.
_NOT_MONEY = {
    "XXX", "XTS", "XAU", "XAG", "XPT", "XPD", "XDR", "XBA", "XBB", "XBC", "XBD", "XSU", "XUA",
}
CURRENCIES: frozenset[str] = frozenset(code for code in list_currencies() if code not in _NOT_MONEY)


def currency_normalize(raw: str) -> str:
    """The ISO 4217 code a user meant (``idr`` → ``IDR``); refuses anything else
    (``XYZ``) with a message that names the value."""
    code = (raw or "").strip().upper()
    if code not in CURRENCIES:
        raise ValidationError(
            _("“%(value)s” is not an ISO 4217 currency code; write three letters like IDR or USD.") % {"value": raw},
            code="currency",
        )
    return code


def currency_decimals(code: str) -> int:
    """How many decimals an amount in this currency may have (rupiah: 0, dollars: 2)."""
    return get_currency_precision(code.upper())


def format_money(amount: Decimal | int | None, currency: str = "IDR", locale: str = "id") -> str:
    """Rupiah the Indonesian way in either language (``Rp 1.250.000``: dot for
    thousands, no sen); other currencies as Babel formats them in the user's locale."""
    if amount is None:
        return ""
    if currency.upper() == "IDR":
        whole = Decimal(amount).quantize(Decimal(1))
        sign = "-" if whole < 0 else ""
        return f"{sign}Rp {format_decimal(abs(whole), format='#,##0', locale='id')}"
    return format_currency(amount, currency.upper(), locale=locale)
