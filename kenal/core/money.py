from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, format_decimal


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
