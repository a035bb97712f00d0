"""Reading and checking interchange CSV files (INTERCHANGE.md) before anything is written.

Each file is read once, streaming. Every row is parsed and checked; while the file is
still clean, each row goes to a staging sink in a compact form (party ids resolved,
times in UTC, empty values as None) that the loader merges into the real tables with a
handful of set-based statements. A row per Python object for a million order lines
would not fit the memory budget, so only per-order and per-product state is kept here.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kenal.agreements.models import BillingPeriod, ServiceKind
from kenal.commerce.models import LineStatus, ProductKind
from kenal.interactions.models import Channel, Direction, InteractionKind
from kenal.parties.contacts import normalize_contact
from kenal.parties.models import PHONE_KINDS, ContactKind, Language, PartyKind, Scope

REPORT_LIMIT = 100
CONTACT_COLUMNS = tuple(ContactKind.values)
OPTIONAL_PARTY_COLUMNS = ("scope", "language", "first_contact_at", "objects_to_profiling", "referred_by", "member_of")

Sink = Callable[[tuple[Any, ...]], None]


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s, column %(column)s, value “%(value)s”: %(message)s") % {
            "row": self.row, "column": self.column or "-", "value": self.value, "message": self.message,
        }


@dataclass
class Report:
    """The problems found in one file. Only the first REPORT_LIMIT are kept: past that,
    a reader needs to fix the cause, not read a million lines about it."""

    problems: list[Problem] = field(default_factory=list)
    total: int = 0

    def add(self, row: int, column: str, value: str, message: str) -> None:
        self.total += 1
        if len(self.problems) < REPORT_LIMIT:
            self.problems.append(Problem(row, column, value[:80], message))

    def __bool__(self) -> bool:
        return self.total > 0

    def lines(self) -> list[str]:
        out = [str(p) for p in self.problems]
        rest = self.total - len(self.problems)
        if rest:
            out.append(ngettext("… and %(count)s more problem.", "… and %(count)s more problems.", rest) % {"count": rest})
        return out


class ImportInvalid(Exception):
    """The file has problems; nothing of it was written."""

    def __init__(self, report: Report) -> None:
        super().__init__("\n".join(report.lines()))
        self.report = report


# ---------------------------------------------------------------------------------
# Reading


class CsvSource:
    """A CSV file's header and rows. Rows come padded to the header's width plus one
    always-empty cell, whose index stands in for optional columns the file lacks, so
    the checks below read every column the same way without a branch per cell."""

    def __init__(self, stream: IO[bytes], report: Report, on_bytes: Callable[[int], None] | None = None) -> None:
        self.report = report
        self._stream = stream
        self._on_bytes = on_bytes
        self.readable = self._check_encoding(stream)
        self._reader = csv.reader(io.TextIOWrapper(stream, encoding="utf-8", newline=""))
        header: list[str] = []
        if self.readable:
            header = next(self._reader, [])
        self.header = [name.strip().lower() for name in header]
        if self.header:
            self.header[0] = self.header[0].removeprefix("\ufeff")
        self.columns = {name: i for i, name in enumerate(self.header) if name}
        self.width = len(self.header)

    def _check_encoding(self, stream: IO[bytes]) -> bool:
        """Decoding the whole file first, in large chunks, finds the line of a bad byte;
        decoding while parsing would only fail somewhere in the text read ahead."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        line = 1
        while chunk := stream.read(1 << 22):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line += chunk.count(b"\n", 0, exc.start)
                start = chunk.rfind(b"\n", 0, exc.start) + 1
                sample = chunk[start:exc.start + 20].decode("utf-8", "replace").strip()
                self.report.add(line, "", sample, _("the file is not UTF-8 text; save it as UTF-8 (CSV UTF-8)"))
                return False
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            self.report.add(line, "", "", _("the file is not UTF-8 text; save it as UTF-8 (CSV UTF-8)"))
            return False
        stream.seek(0)
        return True

    def require(self, required: tuple[str, ...]) -> bool:
        if not self.readable:
            return False
        if not self.header:
            self.report.add(1, "", "", _("the file is empty; it needs a header row"))
            return False
        missing = [name for name in required if name not in self.columns]
        for name in missing:
            self.report.add(1, name, "", _("the required column “%(column)s” is missing") % {"column": name})
        return not missing

    def index(self, name: str) -> int:
        """The cell index of a column, or the always-empty cell when the file lacks it."""
        return self.columns.get(name, self.width)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        width = self.width
        reader = self._reader
        on_bytes, position = self._on_bytes, 0
        try:
            for row in reader:
                if len(row) != width:
                    if not row:
                        continue
                    if len(row) > width:
                        if any(cell.strip() for cell in row[width:]):
                            self.report.add(
                                reader.line_num, "", ",".join(row[width:]),
                                _("the row has more values than the header has columns"),
                            )
                        del row[width:]
                    else:
                        row.extend([""] * (width - len(row)))
                row.append("")
                if on_bytes is not None and not reader.line_num % 16384:
                    now = self._stream.tell()
                    on_bytes(now - position)
                    position = now
                yield reader.line_num, row
        except csv.Error as exc:
            self.report.add(reader.line_num, "", "", _("the file is not valid CSV: %(error)s") % {"error": exc})


# ---------------------------------------------------------------------------------
# Values


class BadValue(ValueError):
    """A cell that cannot be read; its message says what is wrong in plain words."""


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def stored_moment(moment: datetime) -> str:
    """The staging form of a moment: naive UTC text, which is exactly how Django stores
    a datetime in SQLite and what PostgreSQL reads into timestamptz in a UTC session."""
    return str(moment.astimezone(UTC).replace(tzinfo=None))


def parse_moment(text: str, zone: ZoneInfo) -> datetime:
    """An ISO 8601 date-time, aware. Without an offset it is local time; a bare date is
    local midnight."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadValue(_("is not a date and time; write it like 2026-03-01T14:05:00+07:00 or 2026-03-01")) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment


def parse_day(text: str) -> date:
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise BadValue(_("is not a date; write it like 2026-03-01")) from None


_TRUE = {"true", "yes", "1", "y", "ya"}
_FALSE = {"false", "no", "0", "n", "tidak", ""}


def parse_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise BadValue(_("is not true or false"))


def _decimal_pattern(integer_digits: int, places: int) -> re.Pattern[str]:
    # Trailing zeros past the allowed places are harmless ("1.500" for 1.5 units).
    return re.compile(rf"\d{{1,{integer_digits}}}(?:\.\d{{1,{places}}}0*)?")


MONEY_PATTERN = _decimal_pattern(14, 2)
QUANTITY_PATTERN = _decimal_pattern(9, 3)


def decimal_problem(text: str, places: int, digits: int, *, positive: bool = False) -> str:
    """Why ``text`` is not an acceptable amount; called only when the fast pattern
    match failed, or to tell zero from positive."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return _("is not a number; write it like 150000.00 (a dot before the decimals, no thousands separators)")
    if not value.is_finite() or "e" in text.lower():
        return _("is not a number; write it like 150000.00 (a dot before the decimals, no thousands separators)")
    if value < 0:
        return _("must not be negative")
    if positive and value == 0:
        return _("must be more than zero")
    if value.normalize().as_tuple().exponent < -places:
        return ngettext("has more than %(places)s decimal", "has more than %(places)s decimals", places) % {
            "places": places
        }
    if value >= 10**digits:
        return _("is too large")
    return _("is not a number written like 150000.00")


def choice(text: str, allowed: frozenset[str] | set[str]) -> str:
    lowered = text.lower()
    if lowered in allowed:
        return lowered
    raise BadValue(_("must be one of: %(choices)s") % {"choices": ", ".join(sorted(allowed))})


CURRENCY_PATTERN = re.compile(r"[A-Z]{3}")


def currency(text: str) -> str:
    if not text:
        return settings.KENAL_DEFAULT_CURRENCY
    code = text.upper()
    if CURRENCY_PATTERN.fullmatch(code):
        return code
    raise BadValue(_("is not a currency code; write three letters like IDR"))


# ---------------------------------------------------------------------------------
# The four kinds of file


@dataclass
class Plan:
    """What a clean file will do, beyond its staged rows."""

    rows: int = 0
    columns: list[str] = field(default_factory=list)
    contact_kinds: list[str] = field(default_factory=list)


class Checker:
    """Column-by-column checks for one row, collecting problems against its number."""

    def __init__(self, report: Report, row: int, cells: list[str]) -> None:
        self.report = report
        self.row = row
        self.cells = cells
        self.ok = True

    def fail(self, column: str, value: str, message: str) -> None:
        self.ok = False
        self.report.add(self.row, column, value, message)

    def text(self, index: int, column: str, *, required: bool = False, max_length: int = 200) -> str:
        value = self.cells[index].strip()
        if required and not value:
            self.fail(column, value, _("a value is required"))
        elif len(value) > max_length:
            self.fail(column, value, _("is longer than %(max)s characters") % {"max": max_length})
        return value

    def run(self, index: int, column: str, parse: Callable[[str], Any], *, required: bool = False) -> Any:
        value = self.cells[index].strip()
        if not value and required:
            self.fail(column, value, _("a value is required"))
            return None
        try:
            return parse(value)
        except BadValue as exc:
            self.fail(column, value, str(exc))
            return None

    def party(self, index: int, column: str, parties: dict[str, tuple[int, str]], *, required: bool) -> int | None:
        value = self.cells[index].strip()
        if not value:
            if required:
                self.fail(column, value, _("a value is required"))
            return None
        found = parties.get(value)
        if found is None:
            self.fail(column, value, _("no party has this external id; import it in parties.csv first"))
            return None
        return found[0]

    def money(self, index: int, column: str, *, required: bool = False, default: str | None = "0") -> str | None:
        value = self.cells[index].strip()
        if not value:
            if required:
                self.fail(column, value, _("a value is required"))
            return default
        if MONEY_PATTERN.fullmatch(value):
            return value
        self.fail(column, value, decimal_problem(value, 2, 14))
        return None


def check_parties(source: CsvSource, sink: Sink, contact_sink: Sink, existing: dict[str, tuple[int, str]]) -> Plan:
    """Rows become (external_id, party_id or None, kind, name, scope, language,
    first_contact_at, objects_to_profiling, referred_by, member_of); contacts become
    (external_id, kind, value) for the contact columns the file has."""
    report = source.report
    plan = Plan()
    if not source.require(("external_id", "kind", "name")):
        return plan
    zone = local_zone()
    ix = {name: source.index(name) for name in (
        "external_id", "kind", "name", "scope", "language", "first_contact_at", "objects_to_profiling",
        "referred_by", "member_of",
    )}
    plan.columns = [name for name in OPTIONAL_PARTY_COLUMNS if name in source.columns]
    plan.contact_kinds = [kind for kind in CONTACT_COLUMNS if kind in source.columns]
    contact_ix = [(kind, source.columns[kind]) for kind in plan.contact_kinds]
    kinds, scopes, languages = set(PartyKind.values), set(Scope.values), set(Language.values)
    seen: dict[str, tuple[int, str]] = {}
    references: list[tuple[int, str, str]] = []
    normalized: dict[tuple[str, str], str] = {}
    for row, cells in source.rows():
        plan.rows += 1
        check = Checker(report, row, cells)
        external_id = check.text(ix["external_id"], "external_id", required=True, max_length=100)
        kind = check.run(ix["kind"], "kind", lambda v: choice(v, kinds), required=True)
        name = check.text(ix["name"], "name", required=True)
        scope = check.run(ix["scope"], "scope", lambda v: choice(v, scopes) if v else "")
        language = check.run(ix["language"], "language", lambda v: choice(v, languages) if v else "")
        first = check.run(ix["first_contact_at"], "first_contact_at", lambda v: parse_moment(v, zone) if v else None)
        objects = check.run(ix["objects_to_profiling"], "objects_to_profiling", parse_bool)
        if external_id:
            if external_id in seen:
                check.fail("external_id", external_id, _("the same external id is on row %(row)s too") % {
                    "row": seen[external_id][0]})
            else:
                seen[external_id] = (row, kind or "")
        refs = {}
        for column in ("referred_by", "member_of"):
            value = check.text(ix[column], column, max_length=100)
            if value:
                if value == external_id:
                    check.fail(column, value, _("a party cannot refer to itself here"))
                else:
                    references.append((row, column, value))
            refs[column] = value or None
        contacts = []
        for contact_kind, index in contact_ix:
            raw = cells[index].strip()
            if raw:
                # Parsing a phone number is the slowest check of all, and the same
                # number is often both the phone and the WhatsApp of a party.
                key = ("phone" if contact_kind in PHONE_KINDS else contact_kind, raw)
                value = normalized.get(key)
                if value is None:
                    try:
                        value = normalize_contact(contact_kind, raw)
                    except ValidationError as exc:
                        check.fail(contact_kind, raw, " ".join(exc.messages))
                        continue
                    if len(normalized) < 200_000:
                        normalized[key] = value
                contacts.append((contact_kind, value))
        if check.ok and not report:
            known = existing.get(external_id)
            sink((
                external_id, known[0] if known else None, kind, name, scope, language,
                stored_moment(first) if first else None, objects, refs["referred_by"], refs["member_of"],
            ))
            for contact_kind, value in dict.fromkeys(contacts):
                contact_sink((external_id, contact_kind, value))
    # References are checked last because they may point forward in the file.
    for row, column, value in references:
        target = seen.get(value)
        target_kind = target[1] if target else (existing[value][1] if value in existing else None)
        if target_kind is None:
            report.add(row, column, value, _("no party has this external id, in this file or already stored"))
        elif column == "member_of" and target_kind != PartyKind.ORGANIZATION:
            report.add(row, column, value, _("is not an organisation; only organisations have members"))
    return plan


@dataclass
class OrdersPlan(Plan):
    orders: dict[str, list[Any]] = field(default_factory=dict)
    products: dict[str, list[Any]] = field(default_factory=dict)


_MISSING = object()


def _lookup(mapping: dict[str, Any], text: str) -> Any:
    """A choice written in any case; _MISSING when it is not one."""
    found = mapping.get(text, _MISSING)
    return mapping.get(text.lower(), _MISSING) if found is _MISSING else found


def _known(text: str, cache: set[str], pattern: re.Pattern[str], *, positive: bool = False) -> bool:
    """Whether an amount is acceptable, remembering the good ones: prices and
    quantities repeat across a file, so most lines are one set lookup."""
    if not pattern.fullmatch(text) or (positive and not Decimal(text)):
        return False
    if len(cache) < 100_000:
        cache.add(text)
    return True


def _line_problems(check: Checker, ix: dict[str, int], parties: dict[str, tuple[int, str]], zone: ZoneInfo) -> None:
    """Report what is wrong with an order line the fast checks in check_orders refused."""
    cells = check.cells
    check.text(ix["order_id"], "order_id", required=True, max_length=100)
    check.party(ix["party"], "party", parties, required=True)
    check.run(ix["occurred_at"], "occurred_at", lambda v: parse_moment(v, zone), required=True)
    check.text(ix["sku"], "sku", required=True, max_length=100)
    check.run(ix["product_kind"], "product_kind", lambda v: choice(v, set(ProductKind.values)) if v else None)
    quantity = cells[ix["quantity"]].strip() or "1"
    if not _known(quantity, set(), QUANTITY_PATTERN, positive=True):
        check.fail("quantity", quantity, decimal_problem(quantity, 3, 9, positive=True))
    check.money(ix["unit_price"], "unit_price", required=True)
    check.money(ix["discount"], "discount")
    check.text(ix["promo_code"], "promo_code", max_length=64)
    check.party(ix["consumer"], "consumer", parties, required=False)
    check.text(ix["channel"], "channel", max_length=32)
    check.run(ix["currency"], "currency", currency)
    check.run(ix["status"], "status", lambda v: choice(v, set(LineStatus.values)) if v else None)
    if check.ok:
        check.fail("", "", _("the line could not be read"))


def check_orders(
    source: CsvSource, sink: Sink, parties: dict[str, tuple[int, str]]
) -> OrdersPlan:
    """Lines become (order_seq, line_no, product_seq, occurred_at, quantity, unit_price,
    discount, promo_code, consumer_id, channel, currency, status); ``plan.orders`` maps
    each order id to [seq, buyer external id, buyer id, first row, line count, channel,
    currency] and ``plan.products`` each SKU to [seq, kind or None, row of the kind].

    A million lines must be checked in seconds, so each line goes through one flat
    series of cheap tests; only a line that fails them is checked column by column
    (_line_problems) to say exactly what is wrong."""
    report = source.report
    plan = OrdersPlan()
    if not source.require(("order_id", "party", "occurred_at", "sku", "unit_price")):
        return plan
    zone = local_zone()
    ix = {name: source.index(name) for name in (
        "order_id", "party", "occurred_at", "sku", "product_kind", "quantity", "unit_price", "discount",
        "promo_code", "consumer", "channel", "currency", "status")}
    (i_order, i_party, i_time, i_sku, i_pkind, i_qty, i_price, i_discount, i_promo, i_consumer,
     i_channel, i_currency, i_status) = ix.values()
    product_kinds: dict[str, str | None] = {"": None, **{v: v for v in ProductKind.values}}
    statuses: dict[str, str] = {"": LineStatus.PAID.value, **{v: v for v in LineStatus.values}}
    currencies: dict[str, str] = {"": settings.KENAL_DEFAULT_CURRENCY}
    good_quantities: set[str] = set()
    good_money: set[str] = set()
    orders, products = plan.orders, plan.products
    find_party = parties.get
    last_time_text, last_time = None, None
    rows = 0
    for row, cells in source.rows():
        rows += 1
        order_id = cells[i_order].strip()
        buyer_ext = cells[i_party].strip()
        time_text = cells[i_time].strip()
        sku = cells[i_sku].strip()
        kind = _lookup(product_kinds, cells[i_pkind].strip())
        quantity = cells[i_qty].strip() or "1"
        unit_price = cells[i_price].strip()
        discount = cells[i_discount].strip() or "0"
        promo = cells[i_promo].strip()
        consumer_ext = cells[i_consumer].strip()
        channel = cells[i_channel].strip().lower()
        currency_text = cells[i_currency].strip()
        line_currency = currencies.get(currency_text)
        if line_currency is None:
            try:
                line_currency = currencies[currency_text] = currency(currency_text)
            except BadValue:
                pass
        status = _lookup(statuses, cells[i_status].strip())
        buyer = find_party(buyer_ext)
        consumer = find_party(consumer_ext) if consumer_ext else None
        if time_text != last_time_text:
            last_time_text = time_text
            try:
                last_time = stored_moment(parse_moment(time_text, zone)) if time_text else None
            except BadValue:
                last_time = None
        ok = (
            0 < len(order_id) <= 100 and buyer is not None and last_time is not None and 0 < len(sku) <= 100
            and kind is not _MISSING and status is not _MISSING and line_currency is not None
            and (quantity in good_quantities or _known(quantity, good_quantities, QUANTITY_PATTERN, positive=True))
            and (unit_price in good_money or _known(unit_price, good_money, MONEY_PATTERN))
            and (discount in good_money or _known(discount, good_money, MONEY_PATTERN))
            and len(promo) <= 64 and len(channel) <= 32 and (consumer is not None or not consumer_ext)
        )
        if not ok:
            check = Checker(report, row, cells)
            _line_problems(check, ix, parties, zone)
        if not order_id or not sku:
            continue
        order = orders.get(order_id)
        if order is None:
            order = orders[order_id] = [len(orders) + 1, buyer_ext, buyer and buyer[0], row, 0, channel, line_currency]
        elif buyer_ext != order[1] and buyer_ext:
            ok = False
            report.add(row, "party", buyer_ext, _(
                "the order %(order)s has the buyer “%(buyer)s” on row %(row)s; all lines of an order have one buyer"
            ) % {"order": order_id, "buyer": order[1], "row": order[3]})
        order[4] += 1
        product = products.get(sku)
        if product is None:
            product = products[sku] = [len(products) + 1, kind if kind is not _MISSING else None, row]
        elif kind is not None and kind is not _MISSING:
            if product[1] is None:
                product[1], product[2] = kind, row
            elif product[1] != kind:
                ok = False
                report.add(row, "product_kind", kind, _("the SKU %(sku)s is “%(kind)s” on row %(row)s") % {
                    "sku": sku, "kind": product[1], "row": product[2]})
        if ok and not report:
            sink((
                order[0], order[4], product[0], last_time, quantity, unit_price, discount,
                promo or None, consumer and consumer[0], channel or None, line_currency, status,
            ))
    plan.rows = rows
    return plan


def check_agreements(
    source: CsvSource, sink: Sink, parties: dict[str, tuple[int, str]], users: dict[str, int | None],
    existing: dict[str, int],
) -> Plan:
    """Rows become (external_id, agreement_id or None, party_id, title, service_kind,
    tier, signed_by_provider_at, signed_by_client_at, starts_on, ends_on, terminated_on,
    auto_renew, value, currency, billing_period, csm_id)."""
    report = source.report
    plan = Plan()
    if not source.require(("external_id", "party", "title", "starts_on")):
        return plan
    zone = local_zone()
    ix = {name: source.index(name) for name in (
        "external_id", "party", "title", "service_kind", "tier", "signed_by_provider_at", "signed_by_client_at",
        "starts_on", "ends_on", "terminated_on", "auto_renew", "value", "currency", "billing_period", "csm",
    )}
    service_kinds, periods = set(ServiceKind.values), set(BillingPeriod.values)
    seen: dict[str, int] = {}
    for row, cells in source.rows():
        plan.rows += 1
        check = Checker(report, row, cells)
        external_id = check.text(ix["external_id"], "external_id", required=True, max_length=100)
        if external_id:
            if external_id in seen:
                check.fail("external_id", external_id, _("the same external id is on row %(row)s too") % {
                    "row": seen[external_id]})
            else:
                seen[external_id] = row
        party_id = check.party(ix["party"], "party", parties, required=True)
        title = check.text(ix["title"], "title", required=True)
        service_kind = check.run(
            ix["service_kind"], "service_kind",
            lambda v: choice(v, service_kinds) if v else ServiceKind.PROFESSIONAL_SERVICE.value,
        )
        tier = check.text(ix["tier"], "tier", max_length=64)
        signed = [
            check.run(ix[column], column, lambda v: parse_moment(v, zone) if v else None)
            for column in ("signed_by_provider_at", "signed_by_client_at")
        ]
        starts_on = check.run(ix["starts_on"], "starts_on", parse_day, required=True)
        ends_on = check.run(ix["ends_on"], "ends_on", lambda v: parse_day(v) if v else None)
        terminated_on = check.run(ix["terminated_on"], "terminated_on", lambda v: parse_day(v) if v else None)
        if starts_on and ends_on and ends_on < starts_on:
            check.fail("ends_on", cells[ix["ends_on"]].strip(), _("is before starts_on"))
        auto_renew = check.run(ix["auto_renew"], "auto_renew", parse_bool)
        value = check.money(ix["value"], "value", default=None)
        agreement_currency = check.run(ix["currency"], "currency", currency)
        period = check.run(ix["billing_period"], "billing_period", lambda v: choice(v, periods) if v else "")
        csm_text = cells[ix["csm"]].strip()
        csm_id = None
        if csm_text:
            csm_id = users.get(csm_text) or users.get(csm_text.lower())
            if csm_id is None:
                check.fail("csm", csm_text, _("no user has this username or email")
                           if csm_text.lower() not in users else _("several users have this email; use the username"))
        if check.ok and not report:
            sink((
                external_id, existing.get(external_id), party_id, title, service_kind, tier or None,
                *(stored_moment(moment) if moment else None for moment in signed),
                starts_on.isoformat(), ends_on.isoformat() if ends_on else None,
                terminated_on.isoformat() if terminated_on else None, auto_renew, value, agreement_currency,
                period or None, csm_id,
            ))
    return plan


def interaction_key(*, party: str, occurred_at: datetime, channel: str, direction: str, kind: str, body: str) -> str:
    """The source_key of an imported interaction: a digest of what the row says, so the
    same row imported again is recognised (CSV rows carry no id of their own)."""
    text = "\x1f".join((party, occurred_at.astimezone(UTC).isoformat(), channel, direction, kind, body))
    return hashlib.sha256(text.encode()).hexdigest()


def check_interactions(source: CsvSource, sink: Sink, parties: dict[str, tuple[int, str]]) -> Plan:
    """Rows become (source_key, party_id, occurred_at, channel, direction, kind, body)."""
    report = source.report
    plan = Plan()
    if not source.require(("party", "occurred_at", "channel", "direction")):
        return plan
    zone = local_zone()
    ix = {name: source.index(name) for name in ("party", "occurred_at", "channel", "direction", "kind", "body")}
    channels, directions, kinds = set(Channel.values), set(Direction.values), set(InteractionKind.values)
    for row, cells in source.rows():
        plan.rows += 1
        check = Checker(report, row, cells)
        party_ext = cells[ix["party"]].strip()
        party_id = check.party(ix["party"], "party", parties, required=True)
        moment = check.run(ix["occurred_at"], "occurred_at", lambda v: parse_moment(v, zone), required=True)
        channel = check.run(ix["channel"], "channel", lambda v: choice(v, channels), required=True)
        direction = check.run(ix["direction"], "direction", lambda v: choice(v, directions), required=True)
        kind = check.run(
            ix["kind"], "kind", lambda v: choice(v, kinds) if v else InteractionKind.MESSAGE.value
        )
        body = cells[ix["body"]].strip()
        if check.ok and not report:
            key = interaction_key(
                party=party_ext, occurred_at=moment, channel=channel, direction=direction, kind=kind, body=body
            )
            sink((key, party_id, stored_moment(moment), channel, direction, kind, body or None))
    return plan
